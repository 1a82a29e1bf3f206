//! Outcomes — a result per step and per scenario, and how a failure reads: the step, its place
//! in the YAML, what was expected and what was seen.

use std::path::PathBuf;
use std::time::Duration;

use posrig_reports::junit::StepOutcome;

use crate::observe::Sample;

/// One check of an expectation that did not hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mismatch {
    pub check: &'static str,
    pub expected: String,
    pub seen: String,
}

impl Mismatch {
    pub fn new(check: &'static str, expected: String, seen: String) -> Self {
        Mismatch {
            check,
            expected,
            seen,
        }
    }
}

/// The result of one step.
#[derive(Debug, Clone)]
pub struct StepResult {
    /// The step's name (`scan`, `expect`, …).
    pub name: &'static str,
    /// `file:line:col` (with the journey calls it came through).
    pub origin: String,
    /// A setup step.
    pub setup: bool,
    /// Time into the run when the step finished (virtual or real).
    pub at: Duration,
    pub outcome: StepOutcome,
}

/// Whether a scenario passed, failed, or was not run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Passed,
    Failed,
    Skipped,
}

impl Verdict {
    pub fn word(self) -> &'static str {
        match self {
            Verdict::Passed => "PASS",
            Verdict::Failed => "FAIL",
            Verdict::Skipped => "SKIP",
        }
    }
}

/// The result of one scenario.
#[derive(Debug, Clone)]
pub struct ScenarioOutcome {
    pub path: PathBuf,
    pub name: String,
    pub seed: u64,
    /// `virtual` or `real`.
    pub time: &'static str,
    pub steps: Vec<StepResult>,
    /// Why the scenario was not run, or could not run to the end (world failed to start).
    pub skipped: Option<String>,
    pub error: Option<String>,
    /// SHA-256 of the event log.
    pub digest: String,
    pub events: u64,
    /// Time the run took in its own clock (virtual time in a virtual run).
    pub elapsed: Duration,
    pub wall: Duration,
    /// Operations measured at the wire, in the order they ended ([`crate::observe`]).
    pub latencies: Vec<Sample>,
    /// Receipts written to `receipts/` in the scenario's folder.
    pub receipts: usize,
}

impl ScenarioOutcome {
    pub fn verdict(&self) -> Verdict {
        if self.skipped.is_some() {
            Verdict::Skipped
        } else if self.error.is_some() || self.failure().is_some() {
            Verdict::Failed
        } else {
            Verdict::Passed
        }
    }

    /// The first step that did not pass.
    pub fn failure(&self) -> Option<&StepResult> {
        self.steps.iter().find(|s| {
            matches!(
                s.outcome,
                StepOutcome::Failed { .. } | StepOutcome::Errored { .. }
            )
        })
    }

    /// The failure as a person reads it: step, place, expected vs seen, observed state.
    pub fn failure_text(&self) -> Option<String> {
        if let Some(e) = &self.error {
            return Some(format!("scenario `{}` could not run: {e}", self.name));
        }
        let step = self.failure()?;
        Some(match &step.outcome {
            StepOutcome::Failed { message, detail } => format!(
                "step `{}` at {} failed: {message}\n{}",
                step.name,
                step.origin,
                detail.as_deref().unwrap_or("")
            ),
            StepOutcome::Errored { message } => {
                format!(
                    "step `{}` at {} could not run: {message}",
                    step.name, step.origin
                )
            }
            _ => unreachable!("failure() returns failed or errored steps only"),
        })
    }

    /// The command that runs this scenario again with the same seed.
    pub fn reproduce(&self) -> String {
        format!("posrig run {} --seed {}", self.path.display(), self.seed)
    }
}

/// A failed expectation's message (one line) and detail (the observed state).
pub fn expectation_failed(
    mismatches: &[Mismatch],
    within: Duration,
    observed: String,
) -> StepOutcome {
    let message = mismatches
        .iter()
        .map(|m| format!("{}: expected {}, saw {}", m.check, m.expected, m.seen))
        .collect::<Vec<_>>()
        .join("; ");
    StepOutcome::Failed {
        message: format!("{message} (after {})", humantime(within)),
        detail: Some(format!("observed:\n{observed}")),
    }
}

fn humantime(d: Duration) -> String {
    if d.subsec_millis() == 0 {
        format!("{}s", d.as_secs())
    } else {
        format!("{}ms", d.as_millis())
    }
}
