//! Link control — the run-time handle that changes a link's impairments, partitions, repairs and
//! resets it, and reports each change on the event bus.

use super::impair::{Impairment, ImpairmentError};
use crate::event::{Emitter, EventKind};
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use tokio::sync::watch;

/// Which direction(s) of a link a change applies to. A link joins end `a` to end `b`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// Bytes written at `a`, read at `b`.
    AToB,
    /// Bytes written at `b`, read at `a`.
    BToA,
    /// Both directions.
    Both,
}

impl Direction {
    fn label(self) -> &'static str {
        match self {
            Direction::AToB => "a_to_b",
            Direction::BToA => "b_to_a",
            Direction::Both => "both",
        }
    }
}

/// The impairments of both directions of a link: plain data for rig files.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LinkConditions {
    pub a_to_b: Impairment,
    pub b_to_a: Impairment,
}

impl LinkConditions {
    /// The same impairment both ways.
    pub fn symmetric(impairment: Impairment) -> Self {
        Self {
            a_to_b: impairment.clone(),
            b_to_a: impairment,
        }
    }

    /// Checks both directions.
    pub fn validate(&self) -> Result<(), ImpairmentError> {
        self.a_to_b.validate()?;
        self.b_to_a.validate()
    }
}

/// What the pumps watch.
#[derive(Debug, Clone, Default)]
pub(crate) struct ControlState {
    pub(crate) conditions: LinkConditions,
    /// Bumped by every reset; a pump started under an older epoch aborts its connection.
    pub(crate) reset_epoch: u64,
}

/// A cloneable handle that changes a link (or every connection of a TCP proxy) at run time.
///
/// Changes take effect at once in every pump of the link; bytes already delayed keep their
/// delivery time, bytes held by a stall are released in order on repair.
#[derive(Debug, Clone)]
pub struct LinkControl {
    name: Arc<str>,
    tx: Arc<watch::Sender<ControlState>>,
    emitter: Option<Emitter>,
}

impl LinkControl {
    /// A control for the link called `name`, starting with `conditions`.
    pub fn new(name: &str, conditions: LinkConditions) -> Result<Self, ImpairmentError> {
        conditions.validate()?;
        let (tx, _) = watch::channel(ControlState {
            conditions,
            reset_epoch: 0,
        });
        Ok(Self {
            name: name.into(),
            tx: Arc::new(tx),
            emitter: None,
        })
    }

    /// Reports changes as `FaultInjected`, `FaultCleared` and `LinkState` events; impairments
    /// already in force are reported as injected now.
    ///
    /// The emitter holds the bus, so a log writer subscribed to it runs until the control (and
    /// every link using it) is gone.
    pub fn with_emitter(mut self, emitter: Emitter) -> Self {
        let conditions = self.conditions();
        for (label, imp) in [
            ("a_to_b", &conditions.a_to_b),
            ("b_to_a", &conditions.b_to_a),
        ] {
            if !imp.is_none() {
                emitter.emit(EventKind::FaultInjected {
                    fault: format!("{label}: {imp}"),
                });
            }
        }
        self.emitter = Some(emitter);
        self
    }

    /// The link's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    pub(crate) fn subscribe(&self) -> watch::Receiver<ControlState> {
        self.tx.subscribe()
    }

    pub(crate) fn reset_epoch(&self) -> u64 {
        self.tx.borrow().reset_epoch
    }

    /// The current impairments.
    pub fn conditions(&self) -> LinkConditions {
        self.tx.borrow().conditions.clone()
    }

    /// Replaces the impairment of `direction`.
    pub fn set(&self, direction: Direction, impairment: Impairment) -> Result<(), ImpairmentError> {
        impairment.validate()?;
        self.modify(direction, |imp| *imp = impairment.clone());
        Ok(())
    }

    /// Replaces both directions at once.
    pub fn set_conditions(&self, conditions: LinkConditions) -> Result<(), ImpairmentError> {
        conditions.validate()?;
        self.set(Direction::AToB, conditions.a_to_b)?;
        self.set(Direction::BToA, conditions.b_to_a)
    }

    /// Edits the impairment of `direction` in place (e.g. to toggle one field).
    pub fn update(
        &self,
        direction: Direction,
        edit: impl Fn(&mut Impairment),
    ) -> Result<(), ImpairmentError> {
        let mut probe = self.conditions();
        for imp in pick(&mut probe, direction) {
            edit(imp);
            imp.validate()?;
        }
        self.modify(direction, edit);
        Ok(())
    }

    /// Stalls both directions: bytes are held, nothing is delivered, until [`LinkControl::repair`].
    pub fn partition(&self) {
        self.tx.send_modify(|s| {
            s.conditions.a_to_b.stalled = true;
            s.conditions.b_to_a.stalled = true;
        });
        self.emit_state("partitioned");
    }

    /// Ends a partition (or any stall); held bytes are delivered in order.
    pub fn repair(&self) {
        self.tx.send_modify(|s| {
            s.conditions.a_to_b.stalled = false;
            s.conditions.b_to_a.stalled = false;
        });
        self.emit_state("repaired");
    }

    /// Breaks every current connection of the link: both sides see EOF or a reset. Impairments
    /// are kept; a TCP proxy accepts new connections afterwards.
    pub fn reset(&self) {
        self.tx.send_modify(|s| s.reset_epoch += 1);
        self.emit_state("reset");
    }

    fn modify(&self, direction: Direction, edit: impl Fn(&mut Impairment)) {
        let mut changes = Vec::new();
        self.tx.send_modify(|s| {
            for (label, imp) in labelled(&mut s.conditions, direction) {
                let before = imp.clone();
                edit(imp);
                if *imp != before {
                    changes.push((label, before, imp.clone()));
                }
            }
        });
        let Some(emitter) = &self.emitter else { return };
        for (label, before, after) in changes {
            if !before.is_none() {
                emitter.emit(EventKind::FaultCleared {
                    fault: format!("{label}: {before}"),
                });
            }
            if !after.is_none() {
                emitter.emit(EventKind::FaultInjected {
                    fault: format!("{label}: {after}"),
                });
            }
        }
    }

    pub(crate) fn emit_state(&self, state: &str) {
        if let Some(emitter) = &self.emitter {
            emitter.emit(EventKind::LinkState {
                state: state.to_owned(),
            });
        }
    }
}

fn pick(conditions: &mut LinkConditions, direction: Direction) -> Vec<&mut Impairment> {
    labelled(conditions, direction)
        .into_iter()
        .map(|(_, imp)| imp)
        .collect()
}

fn labelled(
    conditions: &mut LinkConditions,
    direction: Direction,
) -> Vec<(&'static str, &mut Impairment)> {
    match direction {
        Direction::AToB => vec![(Direction::AToB.label(), &mut conditions.a_to_b)],
        Direction::BToA => vec![(Direction::BToA.label(), &mut conditions.b_to_a)],
        Direction::Both => vec![
            (Direction::AToB.label(), &mut conditions.a_to_b),
            (Direction::BToA.label(), &mut conditions.b_to_a),
        ],
    }
}
