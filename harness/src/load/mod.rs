//! The load engine — `posrig load PROFILE`: a store of embedded lanes in one process, shoppers
//! arriving at each lane (open model), each running a journey of the profile's mix through the
//! runner's step executor, every action at a scheduled time and every latency measured from it.
//!
//! - [`plan`]: the profile made ready to run (setup steps, the mix, parameter draws).
//! - [`engine`]: lanes, arrivals, the shopper loop, wire-level clocks, the ticker.
//!
//! Outputs in the run folder: `latency.hlog` (written live, one interval a second),
//! `summary.json`, `junit.xml` (one case per threshold) and `report.html`. Exit code 0 when
//! every threshold passes, 1 when one fails, 2 on invalid input.

pub mod engine;
pub mod plan;

use std::path::PathBuf;
use std::time::Duration;

use crate::exit_codes;
use crate::run::TimeChoice;

/// `posrig load`'s arguments.
#[derive(Debug, Clone)]
pub struct LoadArgs {
    pub profile: PathBuf,
    pub seed: Option<u64>,
    pub out: Option<PathBuf>,
    pub time: TimeChoice,
    /// Serve Prometheus metrics on 127.0.0.1 at this port (0: any free port).
    pub metrics_port: Option<u16>,
    /// How long lanes may finish their shoppers after the profile's duration.
    pub drain: Duration,
    /// Print the progress line (stderr).
    pub progress: bool,
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
        }
    }
}

/// Runs the profile; returns the exit code (0 pass, 1 a threshold failed, 2 invalid input).
pub fn run(args: &LoadArgs) -> i32 {
    let plan = match plan::load(&args.profile) {
        Ok(p) => p,
        Err(problems) => {
            for p in &problems {
                eprintln!("{}", p.render(false));
            }
            return exit_codes::INVALID_INPUT;
        }
    };
    match engine::run(plan, args) {
        Ok(report) => {
            eprintln!("{}", report.describe());
            if report.passed {
                exit_codes::OK
            } else {
                exit_codes::FAILED
            }
        }
        Err(e) => {
            eprintln!("error: {e:#}");
            exit_codes::INVALID_INPUT
        }
    }
}
