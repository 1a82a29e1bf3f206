//! `posrig run` — loads scenario files and folders, runs them one after another, prints one
//! line per scenario, a summary and a latency table, writes `junit.xml`, `summary.json`,
//! `latency.hlog` and `report.html` into the run folder (and per scenario its `events.jsonl`,
//! `receipts/` and journal), and exits 0 (all passed), 1 (any failed) or 2 (invalid input).

use std::io::Write;
use std::path::{Path, PathBuf};

use std::time::Duration;

use posrig_reports::junit::JunitReport;
use posrig_reports::{RunSummary, TimeMode};
use posrig_sim::clock::TimeMode as ClockMode;
use serde_json::json;

use super::determinism::{self, Determinism};
use super::latency::{self, RunLatency};
use super::outcome::{ScenarioOutcome, Verdict};
use super::{clock_for, run_plan, seed_for, TimeChoice};
use crate::exit_codes;
use crate::scenario::{load_scenario_with, Library};

/// The options of `posrig run`.
#[derive(Debug, Clone, Default)]
pub struct RunArgs {
    pub paths: Vec<PathBuf>,
    pub tags: Vec<String>,
    pub seed: Option<u64>,
    pub out: Option<PathBuf>,
    pub time: TimeChoice,
    /// Run every scenario twice with the same seed and compare the event logs.
    pub check_determinism: bool,
}

/// Runs the command; returns the exit code.
pub fn run(args: &RunArgs) -> i32 {
    let mut out = std::io::stdout().lock();
    let mut err = std::io::stderr().lock();
    let color = false;
    let (files, mut problems) = crate::check::collect(&args.paths);
    let mut lib = Library::new();
    let mut plans = Vec::new();
    for file in &files {
        match load_scenario_with(&mut lib, file) {
            Ok(plan) => plans.push(plan),
            Err(p) => problems.extend(p),
        }
    }
    if !problems.is_empty() {
        for p in &problems {
            let _ = writeln!(err, "{}", p.render(color));
        }
        let _ = writeln!(
            err,
            "error: {} problem(s) in the input; nothing was run",
            problems.len()
        );
        return exit_codes::INVALID_INPUT;
    }
    plans.retain(|p| args.tags.is_empty() || args.tags.iter().any(|t| p.scenario.tags.contains(t)));
    if plans.is_empty() {
        let _ = writeln!(err, "error: no scenario to run (check the paths and --tag)");
        return exit_codes::INVALID_INPUT;
    }
    // Virtual time asked for a scenario that cannot have it is invalid input, refused up front.
    let refused: Vec<String> = plans
        .iter()
        .filter_map(|p| clock_for(p, args.time).err())
        .collect();
    if !refused.is_empty() {
        for r in &refused {
            let _ = writeln!(err, "error: {r}");
        }
        return exit_codes::INVALID_INPUT;
    }
    let run_dir = args
        .out
        .clone()
        .unwrap_or_else(|| default_run_dir(args.seed));
    if let Err(e) = std::fs::create_dir_all(&run_dir) {
        let _ = writeln!(
            err,
            "error: create the run folder {}: {e}",
            run_dir.display()
        );
        return exit_codes::INVALID_INPUT;
    }
    let _ = writeln!(
        out,
        "running {} scenario(s) into {}",
        plans.len(),
        run_dir.display()
    );
    // The run is on virtual time when every scenario is; one on the wall clock makes it real.
    let all_virtual = plans
        .iter()
        .all(|p| clock_for(p, args.time) == Ok(ClockMode::Virtual));
    let time = if all_virtual {
        TimeMode::Virtual
    } else {
        TimeMode::Real
    };
    let mut latencies = match RunLatency::create(&run_dir, args.seed, time) {
        Ok(l) => Some(l),
        Err(e) => {
            let _ = writeln!(err, "error: {e:#}; latencies are not recorded");
            None
        }
    };
    let mut interval_starts = Vec::new();
    let mut outcomes = Vec::new();
    let mut checks = Vec::new();
    for (i, plan) in plans.iter().enumerate() {
        let data = match lib.data(&plan.data_dir) {
            Ok(d) => d,
            Err(p) => {
                for p in &p {
                    let _ = writeln!(err, "{}", p.render(color));
                }
                return exit_codes::INVALID_INPUT;
            }
        };
        let seed = seed_for(plan, args.seed);
        let dir = run_dir.join(format!("{:02}-{}", i + 1, slug(&plan.path)));
        let (o, check) = if args.check_determinism {
            let (o, d) = determinism::check(plan, data, seed, args.time, &dir);
            (o, Some(d))
        } else {
            (run_plan(plan, data, seed, args.time, &dir), None)
        };
        let _ = writeln!(out, "{}", progress_line(&o));
        if let Some(d) = &check {
            let _ = writeln!(out, "    determinism: {}", d.describe());
        }
        if o.verdict() == Verdict::Failed {
            if let Some(text) = o.failure_text() {
                let _ = writeln!(out, "{}", indent(&text));
            }
            let _ = writeln!(out, "    reproduce: {}", o.reproduce());
        }
        interval_starts.push(latencies.as_mut().and_then(|l| match l.add(&o) {
            Ok(start) => Some(start),
            Err(e) => {
                let _ = writeln!(err, "error: {e:#}");
                None
            }
        }));
        outcomes.push(o);
        checks.push(check);
    }
    let diverged: Vec<&ScenarioOutcome> = outcomes
        .iter()
        .zip(&checks)
        .filter(|(_, c)| c.as_ref().is_some_and(Determinism::diverged))
        .map(|(o, _)| o)
        .collect();
    let count = |v| outcomes.iter().filter(|o| o.verdict() == v).count();
    let (passed, failed, skipped) = (
        count(Verdict::Passed),
        count(Verdict::Failed),
        count(Verdict::Skipped),
    );
    let _ = writeln!(
        out,
        "\n{passed} passed, {failed} failed, {skipped} skipped; results in {}",
        run_dir.display()
    );
    let clocks = latencies.as_ref().map(RunLatency::clocks);
    let latency_summary = latencies.and_then(|l| match l.finish(&run_dir) {
        Ok(summary) => {
            let clocks = clocks.as_deref().unwrap_or_default();
            let _ = writeln!(out, "{}", latency::table(&summary, clocks));
            Some(summary)
        }
        Err(e) => {
            let _ = writeln!(err, "error: {e:#}");
            None
        }
    });
    if let Err(e) = write_junit(&run_dir, &outcomes) {
        let _ = writeln!(err, "error: write junit.xml: {e}");
    }
    if args.check_determinism {
        let checked = checks
            .iter()
            .filter(|c| !matches!(c, Some(Determinism::NotVirtual) | None))
            .count();
        let _ = writeln!(
            out,
            "determinism: {} of {checked} scenario(s) checked in virtual time gave identical event logs",
            checked - diverged.len()
        );
        for o in &diverged {
            let _ = writeln!(out, "  diverged: {}", o.reproduce());
        }
    }
    let latency = RunLatencies {
        run: latency_summary.as_ref(),
        clocks: clocks.as_deref(),
        interval_starts: &interval_starts,
    };
    if let Err(e) = write_summary(&run_dir, &outcomes, &checks, &latency, args) {
        let _ = writeln!(err, "error: write summary.json: {e}");
    }
    if failed > 0 || !diverged.is_empty() {
        if failed == 0 {
            return exit_codes::FAILED;
        }
        let _ = writeln!(out, "to reproduce a failure:");
        for o in outcomes.iter().filter(|o| o.verdict() == Verdict::Failed) {
            let _ = writeln!(out, "  {}", o.reproduce());
        }
        exit_codes::FAILED
    } else {
        exit_codes::OK
    }
}

/// `PASS  path  name  (steps, time, digest)`.
pub fn progress_line(o: &ScenarioOutcome) -> String {
    match &o.skipped {
        Some(reason) => format!("SKIP  {}  {}: {reason}", o.path.display(), o.name),
        None => format!(
            "{}  {}  {}  ({} steps, {:.1}s {} time, {:.2}s wall, seed {}, event log digest {})",
            o.verdict().word(),
            o.path.display(),
            o.name,
            o.steps.len(),
            o.elapsed.as_secs_f64(),
            o.time,
            o.wall.as_secs_f64(),
            o.seed,
            o.digest,
        ),
    }
}

fn indent(text: &str) -> String {
    text.lines()
        .map(|l| format!("    {l}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// `runs/seed-N-<unix seconds>`: the seed in the name, the time so runs do not overwrite.
fn default_run_dir(seed: Option<u64>) -> PathBuf {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let seed = seed.map_or_else(|| "scenario".into(), |s| s.to_string());
    PathBuf::from("runs").join(format!("{secs}-seed-{seed}"))
}

fn slug(path: &Path) -> String {
    path.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "scenario".into())
}

fn write_junit(dir: &Path, outcomes: &[ScenarioOutcome]) -> anyhow::Result<()> {
    let mut report = JunitReport::new("posrig run");
    for o in outcomes {
        let suite = o.path.display().to_string();
        if let Some(reason) = &o.skipped {
            report.add_step(
                &suite,
                &o.name,
                &posrig_reports::junit::StepOutcome::Skipped {
                    reason: reason.clone(),
                },
                None,
            );
            continue;
        }
        if let Some(e) = &o.error {
            report.add_step(
                &suite,
                &o.name,
                &posrig_reports::junit::StepOutcome::Errored { message: e.clone() },
                None,
            );
        }
        for (i, s) in o.steps.iter().enumerate() {
            let name = format!("{:03} {} ({})", i + 1, s.name, s.origin);
            report.add_step(&suite, &name, &s.outcome, None);
        }
    }
    report.write(&dir.join("junit.xml"))?;
    Ok(())
}

/// The latency parts of `summary.json`: the run's numbers and where each scenario's interval
/// starts in `latency.hlog` (in scenario order).
struct RunLatencies<'a> {
    run: Option<&'a RunSummary>,
    /// Which clocks the scenarios ran on ([`RunLatency::clocks`]).
    clocks: Option<&'a str>,
    interval_starts: &'a [Option<Duration>],
}

fn write_summary(
    dir: &Path,
    outcomes: &[ScenarioOutcome],
    checks: &[Option<Determinism>],
    latency: &RunLatencies<'_>,
    args: &RunArgs,
) -> anyhow::Result<()> {
    use posrig_reports::junit::StepOutcome as S;
    let scenarios: Vec<_> = outcomes
        .iter()
        .zip(checks)
        .zip(latency.interval_starts)
        .map(|((o, check), interval_start)| {
            let steps: Vec<_> = o
                .steps
                .iter()
                .map(|s| {
                    let (status, message) = match &s.outcome {
                        S::Passed => ("passed", None),
                        S::Failed { message, .. } => ("failed", Some(message.clone())),
                        S::Errored { message } => ("errored", Some(message.clone())),
                        S::Skipped { reason } => ("skipped", Some(reason.clone())),
                    };
                    json!({"step": s.name, "at": s.origin, "setup": s.setup,
                           "elapsed_ms": s.at.as_millis() as u64, "status": status, "message": message})
                })
                .collect();
            json!({
                "path": o.path.display().to_string(),
                "name": o.name,
                "status": o.verdict().word().to_ascii_lowercase(),
                "seed": o.seed,
                "time": o.time,
                "skipped": o.skipped,
                "error": o.error,
                "failure": o.failure_text(),
                "reproduce": (o.verdict() == Verdict::Failed).then(|| o.reproduce()),
                "digest": o.digest,
                "events": o.events,
                "elapsed_ms": o.elapsed.as_millis() as u64,
                "wall_ms": o.wall.as_millis() as u64,
                "determinism": check.as_ref().map(|c| json!({
                    "diverged": c.diverged(),
                    "result": c.describe(),
                })),
                "receipts": o.receipts,
                "latency": json!({
                    "interval_start_s": interval_start.map(|d| d.as_secs_f64()),
                    "operations": latency::scenario_json(&o.latencies),
                }),
                "steps": steps,
            })
        })
        .collect();
    let count = |v| outcomes.iter().filter(|o| o.verdict() == v).count();
    let summary = json!({
        "command": "run",
        "seed": args.seed,
        "time_asked": match args.time {
            TimeChoice::Auto => "auto",
            TimeChoice::Virtual => "virtual",
            TimeChoice::Real => "real",
        },
        "passed": count(Verdict::Passed),
        "failed": count(Verdict::Failed),
        "skipped": count(Verdict::Skipped),
        "latency": latency.run.map(|l| json!({
            "file": posrig_reports::interval_log::FILE_NAME,
            "report": posrig_reports::run_dir::REPORT_FILE,
            "time_mode": l.run.time_mode,
            "clocks": latency.clocks,
            "duration_s": l.run.duration_s,
            "operations": l.operations,
        })),
        "scenarios": scenarios,
    });
    std::fs::write(
        dir.join("summary.json"),
        serde_json::to_string_pretty(&summary)? + "\n",
    )?;
    Ok(())
}
