//! The load engine — `posrig load PROFILE`: a store of embedded lanes in one process, shoppers
//! arriving at each lane (open model), each running a journey of the profile's mix through the
//! runner's step executor, every action at a scheduled time and every latency measured from it.
//!
//! - [`plan`]: the profile made ready to run (setup steps, the mix, parameter draws, groups).
//! - [`schedule`]: stages — lanes open and arrival times over the run.
//! - [`shard`]: `--shard K/N`, which lanes a process runs.
//! - [`engine`]: lanes, the shopper loop, the ticker; [`observe`]: wire-level clocks;
//!   [`think`]: think times; [`faults`]: scheduled faults and device/link states.
//! - [`stop`]: the end of arrivals, the bounded drain, aborts by threshold.
//! - [`live`]: the progress bar and the harness-is-behind warning.
//! - [`digest`]: the run's event log digest and `--check-determinism`.
//! - [`merge`]: `posrig report merge`, shards into one run folder.
//!
//! Outputs in the run folder: `latency.hlog` (written live, one interval a second),
//! `summary.json`, `junit.xml` (one case per threshold) and `report.html`; `metrics.prom` (the
//! final Prometheus scrape) with `--metrics-port`. Exit code 0 when every threshold passes, 1
//! when one fails (or two runs of `--check-determinism` differ), 2 on invalid input.

pub mod digest;
pub mod engine;
pub mod faults;
pub mod live;
pub mod merge;
pub mod observe;
pub mod plan;
pub mod schedule;
pub mod shard;
pub mod stop;
pub mod think;

use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::exit_codes;
use crate::run::TimeChoice;
use shard::Shard;

/// `posrig load`'s arguments.
#[derive(Debug, Clone)]
pub struct LoadArgs {
    pub profile: PathBuf,
    pub seed: Option<u64>,
    pub out: Option<PathBuf>,
    pub time: TimeChoice,
    /// Serve Prometheus metrics on 127.0.0.1 at this port (0: any free port).
    pub metrics_port: Option<u16>,
    /// How long shoppers in progress may finish after the profile's duration.
    pub drain: Duration,
    /// Show progress (a bar on a terminal, a line every 10 s otherwise).
    pub progress: bool,
    /// Which lanes this process runs.
    pub shard: Shard,
    /// Run twice in virtual time and compare the event logs instead of running once.
    pub check_determinism: bool,
}

impl LoadArgs {
    /// Arguments with the defaults of the command line.
    pub fn new(profile: impl Into<PathBuf>) -> Self {
        LoadArgs {
            profile: profile.into(),
            seed: None,
            out: None,
            time: TimeChoice::Auto,
            metrics_port: None,
            drain: engine::DRAIN,
            progress: true,
            shard: Shard::WHOLE,
            check_determinism: false,
        }
    }

    /// The command that runs this again with the same seed (printed when a run fails).
    pub fn reproduce(&self, seed: u64) -> String {
        let mut cmd = format!("posrig load {} --seed {seed}", self.profile.display());
        if !self.shard.is_whole() {
            cmd.push_str(&format!(" --shard {}", self.shard));
        }
        match self.time {
            TimeChoice::Virtual => cmd.push_str(" --time virtual"),
            TimeChoice::Real => cmd.push_str(" --time real"),
            TimeChoice::Auto => {}
        }
        cmd
    }
}

/// Runs the profile; returns the exit code (0 pass, 1 a threshold failed, 2 invalid input).
pub fn run(args: &LoadArgs) -> i32 {
    let plan = match load_plan(&args.profile) {
        Ok(p) => p,
        Err(code) => return code,
    };
    let seed = args.seed.or(plan.profile.seed).unwrap_or(1);
    let dir = args.out.clone().unwrap_or_else(|| {
        let mut name = format!("load-{}-seed-{seed}", plan.profile.name);
        if !args.shard.is_whole() {
            name.push_str(&format!(
                "-shard-{}-of-{}",
                args.shard.index, args.shard.count
            ));
        }
        PathBuf::from("runs").join(name)
    });
    if args.check_determinism {
        return check_determinism(args, plan, &dir);
    }
    match engine::run(plan, args, dir, false) {
        Ok(report) => {
            eprintln!("{}", report.describe());
            if report.passed {
                exit_codes::OK
            } else {
                eprintln!("reproduce with: {}", args.reproduce(report.seed));
                exit_codes::FAILED
            }
        }
        Err(e) => {
            eprintln!("error: {e:#}");
            exit_codes::INVALID_INPUT
        }
    }
}

fn load_plan(path: &Path) -> Result<plan::LoadPlan, i32> {
    plan::load(path).map_err(|problems| {
        for p in &problems {
            eprintln!("{}", p.render(false));
        }
        exit_codes::INVALID_INPUT
    })
}

/// `--check-determinism`: the profile twice in virtual time with the same seed (into
/// `dir/run-1` and `dir/run-2`); 0 when the event logs are identical, 1 with the first
/// diverging event otherwise.
fn check_determinism(args: &LoadArgs, first: plan::LoadPlan, dir: &Path) -> i32 {
    let mut args = args.clone();
    if engine::clock_mode(args.time, first.profile.time) != posrig_sim::clock::TimeMode::Virtual {
        eprintln!(
            "error: --check-determinism needs virtual time (drop `--time real` / `time: real`)"
        );
        return exit_codes::INVALID_INPUT;
    }
    args.time = TimeChoice::Virtual;
    let seed = args.seed.or(first.profile.seed).unwrap_or(1);
    args.seed = Some(seed);
    let second = match load_plan(&args.profile) {
        Ok(p) => p,
        Err(code) => return code,
    };
    let mut reports = Vec::new();
    for (i, plan) in [first, second].into_iter().enumerate() {
        match engine::run(plan, &args, dir.join(format!("run-{}", i + 1)), true) {
            Ok(r) => {
                eprintln!("run {}: {}", i + 1, r.describe());
                reports.push(r);
            }
            Err(e) => {
                eprintln!("error: {e:#}");
                return exit_codes::INVALID_INPUT;
            }
        }
    }
    // Both logs next to their runs, to read around a divergence.
    for (i, r) in reports.iter().enumerate() {
        let path = dir.join(format!("run-{}", i + 1)).join("events.jsonl");
        let lines: String = r
            .kept_events
            .iter()
            .map(|e| e.canonical_json() + "\n")
            .collect();
        if let Err(e) = std::fs::write(&path, lines) {
            eprintln!("warning: write {}: {e}", path.display());
        }
    }
    let (a, b) = (&reports[0], &reports[1]);
    if a.digest == b.digest {
        eprintln!(
            "deterministic: both runs have digest {} ({} events, seed {seed}, virtual time)",
            a.digest, a.events
        );
        return exit_codes::OK;
    }
    eprintln!(
        "NOT deterministic: digests {} and {} (seed {seed}, virtual time)",
        a.digest, b.digest
    );
    if let Some(d) = digest::describe_divergence(&a.kept_events, &b.kept_events) {
        eprintln!("{d}");
    }
    eprintln!(
        "reproduce with: {} --check-determinism",
        args.reproduce(seed)
    );
    exit_codes::FAILED
}
