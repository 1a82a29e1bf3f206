//! The scenario runner — runs a loaded scenario against the embedded POS in its world and
//! reports a result per step.
//!
//! - [`world`]: the devices, links, hosts and lane of one run; [`lane`]: the POS lane itself.
//! - [`process`]: the world of `sut: process` (devices on ptys, hosts on 127.0.0.1, the POS as a
//!   child process); [`terminal`]: starting, killing and restarting that child.
//! - [`step`]: actions and faults as device actions, link changes and host rules.
//! - [`expect`]: expectations polled at the wire and in the journal.
//! - [`outcome`]: step and scenario results, failure text.
//! - [`determinism`]: `--check-determinism`, two runs with one seed compared event by event.
//! - [`receipts`]: each scenario's printed receipts as text files.
//! - [`latency`]: the run's latencies measured at the wire ([`crate::observe`]) — `latency.hlog`,
//!   per-operation numbers for `summary.json`, `report.html` and the printed table.
//! - [`report`]: `posrig run` — files in, progress, `junit.xml`, `summary.json`, exit code.

pub mod determinism;
pub mod expect;
pub mod lane;
pub mod latency;
pub mod outcome;
pub mod process;
pub mod receipts;
pub mod report;
pub mod shared;
pub mod step;
pub mod terminal;
pub mod world;

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use posrig_reports::junit::StepOutcome;
use posrig_sim::clock::{build_runtime, TimeMode as ClockMode};
use posrig_sim::event::EventLog;

use crate::observe::{Sample, WireClocks};
use crate::scenario::library::DataSet;
use crate::scenario::{ScenarioPlan, Step, Sut, TimeMode};
use outcome::{ScenarioOutcome, StepResult};
use world::World;

/// How often expectations and stage waits look at the devices again.
pub(crate) const POLL: Duration = Duration::from_millis(20);

/// A cashier's pace: the pause after each action step, so the POS takes inputs one at a time
/// as from a person rather than all in the same instant (free in virtual time).
pub(crate) const PACE: Duration = Duration::from_millis(100);

/// The clock a run was asked to use (`--time`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TimeChoice {
    /// As the scenario says (virtual for the embedded world).
    #[default]
    Auto,
    Virtual,
    Real,
}

/// Why a scenario cannot run in this build, if it cannot (reported as skipped/ignored).
pub fn unsupported(plan: &ScenarioPlan) -> Option<String> {
    if plan.scenario.lanes > 1 {
        return Some(format!(
            "needs {} lanes; the runner runs one lane per scenario yet",
            plan.scenario.lanes
        ));
    }
    None
}

/// The clock a scenario runs on: `--time` over the scenario's resolved `time:`. Virtual time is
/// refused (with the reason) for a POS process or a rig with devices on real ports, which run
/// on the wall clock.
pub fn clock_for(plan: &ScenarioPlan, time: TimeChoice) -> Result<ClockMode, String> {
    match (time, plan.time) {
        (TimeChoice::Virtual, _) if plan.scenario.sut == Sut::Process => Err(format!(
            "{}: `--time virtual` needs the embedded POS, and this scenario runs the POS as a \
             process (`sut: process`) on the wall clock; use `--time auto` or `real`",
            plan.path.display()
        )),
        (TimeChoice::Virtual, _) if !crate::scenario::load::rig_allows_virtual_time(&plan.rig) => {
            Err(format!(
                "{}: `--time virtual` needs every device simulated in memory, and rig `{}` has \
                 devices on ptys or serial ports; use `--time auto` or `real`",
                plan.path.display(),
                plan.rig.name
            ))
        }
        (TimeChoice::Real, _) | (TimeChoice::Auto, TimeMode::Real) => Ok(ClockMode::Real),
        _ => Ok(ClockMode::Virtual),
    }
}

/// The seed a run uses: `--seed`, else the scenario's `seed:`, else 1.
pub fn seed_for(plan: &ScenarioPlan, seed: Option<u64>) -> u64 {
    seed.or(plan.scenario.seed).unwrap_or(1)
}

/// Runs one scenario in its own runtime and world; `dir` receives the lane's journal.
pub fn run_plan(
    plan: &ScenarioPlan,
    data: Arc<DataSet>,
    seed: u64,
    time: TimeChoice,
    dir: &Path,
) -> ScenarioOutcome {
    let clock = clock_for(plan, time);
    let mode = *clock.as_ref().unwrap_or(&ClockMode::Real);
    let mut outcome = ScenarioOutcome {
        path: plan.path.clone(),
        name: plan.scenario.name.clone(),
        seed,
        time: if mode == ClockMode::Virtual {
            "virtual"
        } else {
            "real"
        },
        steps: Vec::new(),
        skipped: unsupported(plan),
        error: None,
        digest: String::new(),
        events: 0,
        elapsed: Duration::ZERO,
        wall: Duration::ZERO,
        latencies: Vec::new(),
        receipts: 0,
    };
    if outcome.skipped.is_some() {
        return outcome;
    }
    if let Err(refused) = clock {
        outcome.error = Some(refused);
        return outcome;
    }
    let wall = std::time::Instant::now();
    if let Err(e) = std::fs::create_dir_all(dir) {
        outcome.error = Some(format!("create the run folder {}: {e}", dir.display()));
        return outcome;
    }
    let runtime = match build_runtime(mode) {
        Ok(rt) => rt,
        Err(e) => {
            outcome.error = Some(format!("start the runtime: {e}"));
            return outcome;
        }
    };
    let journal = dir.join("journal.db");
    let _ = std::fs::remove_file(&journal);
    runtime.block_on(async {
        let start = tokio::time::Instant::now();
        let started = match plan.scenario.sut {
            Sut::Process => World::start_process(data, seed, dir).await,
            Sut::Embedded => World::start(data, seed, &journal).await,
        };
        let mut world = match started {
            Ok(w) => w,
            Err(e) => {
                outcome.error = Some(format!("{e:#}"));
                return;
            }
        };
        let mut log = match EventLog::to_file(dir.join("events.jsonl")) {
            Ok(log) => log,
            Err(e) => {
                outcome.error = Some(format!("open the event log: {e}"));
                return;
            }
        };
        let planned = plan
            .setup
            .iter()
            .map(|s| (s, true))
            .chain(plan.steps.iter().map(|s| (s, false)));
        let mut clocks = WireClocks::new();
        let mut failed = false;
        for (planned, setup) in planned {
            let origin = planned.origin.to_string();
            let name = planned.step.name();
            let result = if failed {
                StepOutcome::Skipped {
                    reason: "an earlier step failed".into(),
                }
            } else {
                run_step(&world, &planned.step).await
            };
            failed |= !matches!(result, StepOutcome::Passed | StepOutcome::Skipped { .. });
            while let Ok(event) = world.events.try_recv() {
                clocks.observe(&event);
                let _ = log.record(&event);
            }
            outcome.steps.push(StepResult {
                name,
                origin,
                setup,
                at: start.elapsed(),
                outcome: result,
            });
        }
        outcome.elapsed = start.elapsed();
        match receipts::write(&world, dir) {
            Ok(n) => outcome.receipts = n,
            Err(e) => {
                outcome
                    .error
                    .get_or_insert(format!("write the receipts: {e:#}"));
            }
        }
        if let Err(e) = world.shutdown().await {
            outcome.error.get_or_insert(format!("{e:#}"));
        }
        while let Ok(event) = world.events.try_recv() {
            clocks.observe(&event);
            let _ = log.record(&event);
        }
        outcome.latencies = clocks.into_samples();
        // Host round trips carry no end time of their own; they are stamped with the run's end.
        outcome.latencies.extend(
            world
                .host_seen
                .rtt
                .take()
                .into_iter()
                .map(|latency| Sample {
                    op: posrig_reports::ops::HOST_RTT,
                    at: outcome.elapsed,
                    latency,
                }),
        );
        outcome.events = log.len();
        outcome.digest = log.digest();
        if let Err(e) = log.finish() {
            outcome
                .error
                .get_or_insert(format!("write the event log: {e}"));
        }
    });
    outcome.wall = wall.elapsed();
    outcome
}

async fn run_step(world: &World, step: &Step) -> StepOutcome {
    match step {
        Step::Expect(e) => match expect::check(world, e).await {
            Ok(()) => StepOutcome::Passed,
            Err(mismatches) => {
                outcome::expectation_failed(&mismatches, e.within.as_std(), expect::observed(world))
            }
        },
        other => match step::perform(world, other).await {
            Ok(()) => {
                if !other.is_fault() && !matches!(other, Step::Wait(_)) {
                    tokio::time::sleep(PACE).await;
                }
                StepOutcome::Passed
            }
            Err(e) => StepOutcome::Errored {
                message: format!("{e:#}"),
            },
        },
    }
}
