//! Schedules — timed changes to a link (impairments, partitions, repairs, resets), including
//! flapping, as plain data.

use super::control::{Direction, LinkControl};
use super::impair::{Impairment, ImpairmentError};
use serde::{Deserialize, Serialize};
use std::time::Duration;
use tokio::task::JoinHandle;
use tokio::time::{sleep_until, Instant};

/// One change to a link. In YAML: `{ action: partition }` or
/// `{ action: set, direction: a_to_b, impairment: { ... } }`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case", deny_unknown_fields)]
pub enum LinkAction {
    /// Replace the impairment of a direction (or both).
    Set {
        direction: Direction,
        impairment: Impairment,
    },
    /// Stall both directions.
    Partition,
    /// End a stall; held bytes are delivered in order.
    Repair,
    /// Break current connections.
    Reset,
}

impl LinkAction {
    /// Applies this change now.
    pub fn apply(&self, control: &LinkControl) -> Result<(), ImpairmentError> {
        match self {
            LinkAction::Set {
                direction,
                impairment,
            } => control.set(*direction, impairment.clone())?,
            LinkAction::Partition => control.partition(),
            LinkAction::Repair => control.repair(),
            LinkAction::Reset => control.reset(),
        }
        Ok(())
    }
}

/// A change at a time relative to the schedule's start. In YAML the action's fields sit next to
/// `at_ms`: `{ at_ms: 100, action: partition }`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(from = "StepRepr", into = "StepRepr")]
pub struct ScheduledAction {
    pub at_ms: u64,
    pub action: LinkAction,
}

/// The flat YAML shape of a step; a private enum so unknown keys stay errors (serde cannot deny
/// unknown fields through `flatten`).
#[derive(Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case", deny_unknown_fields)]
enum StepRepr {
    Set {
        at_ms: u64,
        direction: Direction,
        impairment: Impairment,
    },
    Partition {
        at_ms: u64,
    },
    Repair {
        at_ms: u64,
    },
    Reset {
        at_ms: u64,
    },
}

impl From<StepRepr> for ScheduledAction {
    fn from(step: StepRepr) -> Self {
        let (at_ms, action) = match step {
            StepRepr::Set {
                at_ms,
                direction,
                impairment,
            } => (
                at_ms,
                LinkAction::Set {
                    direction,
                    impairment,
                },
            ),
            StepRepr::Partition { at_ms } => (at_ms, LinkAction::Partition),
            StepRepr::Repair { at_ms } => (at_ms, LinkAction::Repair),
            StepRepr::Reset { at_ms } => (at_ms, LinkAction::Reset),
        };
        Self { at_ms, action }
    }
}

impl From<ScheduledAction> for StepRepr {
    fn from(step: ScheduledAction) -> Self {
        let at_ms = step.at_ms;
        match step.action {
            LinkAction::Set {
                direction,
                impairment,
            } => StepRepr::Set {
                at_ms,
                direction,
                impairment,
            },
            LinkAction::Partition => StepRepr::Partition { at_ms },
            LinkAction::Repair => StepRepr::Repair { at_ms },
            LinkAction::Reset => StepRepr::Reset { at_ms },
        }
    }
}

/// Timed changes to a link, optionally repeating with a period.
///
/// ```
/// use posrig_sim::wire::Schedule;
/// let flap: Schedule = serde_yaml::from_str("
/// steps:
///   - { at_ms: 2000, action: partition }
///   - { at_ms: 2500, action: repair }
/// repeat_every_ms: 2500
/// ").unwrap();
/// assert_eq!(flap, Schedule::flapping(2000, 500));
/// ```
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Schedule {
    pub steps: Vec<ScheduledAction>,
    /// Start the steps over every this many milliseconds (forever).
    #[serde(default)]
    pub repeat_every_ms: Option<u64>,
}

/// A schedule that cannot run.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ScheduleError {
    #[error("use schedule step {index}: {source}")]
    Impairment {
        index: usize,
        #[source]
        source: ImpairmentError,
    },
    #[error("use schedule: step {index} at {at_ms} ms is not within the repeat period of {period_ms} ms")]
    OutsidePeriod {
        index: usize,
        at_ms: u64,
        period_ms: u64,
    },
    #[error("use schedule: steps must be in time order, step {index} at {at_ms} ms comes after a later one")]
    Unordered { index: usize, at_ms: u64 },
}

impl Schedule {
    /// A link that is up for `up_ms`, partitioned for `down_ms`, and so on forever.
    pub fn flapping(up_ms: u64, down_ms: u64) -> Self {
        Self {
            steps: vec![
                ScheduledAction {
                    at_ms: up_ms,
                    action: LinkAction::Partition,
                },
                ScheduledAction {
                    at_ms: up_ms + down_ms,
                    action: LinkAction::Repair,
                },
            ],
            repeat_every_ms: Some(up_ms + down_ms),
        }
    }

    /// Checks step order, periods and impairments.
    pub fn validate(&self) -> Result<(), ScheduleError> {
        let mut last = 0;
        for (index, step) in self.steps.iter().enumerate() {
            if step.at_ms < last {
                return Err(ScheduleError::Unordered {
                    index,
                    at_ms: step.at_ms,
                });
            }
            last = step.at_ms;
            if let Some(period_ms) = self.repeat_every_ms {
                // A step exactly at the period end is the same instant as the next cycle's 0.
                if period_ms == 0 || step.at_ms > period_ms {
                    return Err(ScheduleError::OutsidePeriod {
                        index,
                        at_ms: step.at_ms,
                        period_ms,
                    });
                }
            }
            if let LinkAction::Set { impairment, .. } = &step.action {
                impairment
                    .validate()
                    .map_err(|source| ScheduleError::Impairment { index, source })?;
            }
        }
        Ok(())
    }

    /// Runs the schedule against `control`, starting now. Abort the handle to stop it.
    pub fn spawn(self, control: LinkControl) -> Result<JoinHandle<()>, ScheduleError> {
        self.spawn_from(Instant::now(), control)
    }

    /// Runs the schedule with step times relative to `origin` (e.g. the run's start); steps
    /// already in the past are applied at once, in order.
    pub fn spawn_from(
        self,
        origin: Instant,
        control: LinkControl,
    ) -> Result<JoinHandle<()>, ScheduleError> {
        self.validate()?;
        Ok(tokio::spawn(async move {
            let mut cycle_start = origin;
            loop {
                for step in &self.steps {
                    sleep_until(cycle_start + Duration::from_millis(step.at_ms)).await;
                    // Validated above, so applying cannot fail.
                    let _ = step.action.apply(&control);
                }
                match self.repeat_every_ms {
                    Some(period) => cycle_start += Duration::from_millis(period),
                    None => return,
                }
            }
        }))
    }
}
