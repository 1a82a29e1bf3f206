//! The executable form of a scenario — what the runner walks: the resolved rig, data folder and
//! clock, and the flat list of steps (journeys and repeats expanded), each with the file, line
//! and column it was written at.

use std::path::PathBuf;

use super::document::{Scenario, TimeMode};
use super::step::Step;
use crate::rig::Rig;

/// A loaded, checked scenario, ready to run.
#[derive(Debug, Clone)]
pub struct ScenarioPlan {
    /// The scenario file.
    pub path: PathBuf,
    /// The scenario as written.
    pub scenario: Scenario,
    /// The rig: the scenario's rig file, or the embedded one (every device simulated in memory).
    pub rig: Rig,
    /// The rig file, when the scenario names one.
    pub rig_path: Option<PathBuf>,
    /// The data folder (cards, terminals, catalog, store, members).
    pub data_dir: PathBuf,
    /// The clock: `auto` resolved against the rig and the SUT (virtual when everything is
    /// simulated and embedded).
    pub time: TimeMode,
    /// Setup steps, expanded.
    pub setup: Vec<PlannedStep>,
    /// The measured steps, expanded.
    pub steps: Vec<PlannedStep>,
}

/// One step to execute and where it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct PlannedStep {
    pub step: Step,
    pub origin: Origin,
}

/// Where a step was written: its file, line and column, and the journey calls it came through.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    pub file: PathBuf,
    pub line: u32,
    pub column: u32,
    /// Journey calls, outermost (the scenario's step) first; empty for a step written in the
    /// scenario itself.
    pub via: Vec<CallSite>,
}

/// A `- journey:` step that a planned step came through.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallSite {
    pub file: PathBuf,
    pub line: u32,
    pub column: u32,
    pub journey: String,
}

impl Origin {
    /// Where to point a person: the step in the scenario file (the outermost journey call for a
    /// journey's step), as `file:line:col`.
    pub fn scenario_place(&self) -> String {
        match self.via.first() {
            Some(c) => format!("{}:{}:{}", c.file.display(), c.line, c.column),
            None => format!("{}:{}:{}", self.file.display(), self.line, self.column),
        }
    }
}

impl std::fmt::Display for Origin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}:{}", self.file.display(), self.line, self.column)?;
        for c in self.via.iter().rev() {
            write!(
                f,
                " (journey `{}` used at {}:{}:{})",
                c.journey,
                c.file.display(),
                c.line,
                c.column
            )?;
        }
        Ok(())
    }
}
