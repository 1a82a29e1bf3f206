//! The paper roll: how much is left, when the near-end sensor trips, and when it runs out.
//!
//! Lengths are kept in whole micrometres so consumption is exact and runs are reproducible.

use posrig_protocols::escpos::PaperLevel;
use serde::Serialize;

/// The roll in the printer, as its sensors see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Paper {
    remaining_um: u64,
    near_end_um: u64,
    used_um: u64,
}

/// What the control API shows about the paper.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PaperView {
    pub level: &'static str,
    pub remaining_mm: u64,
    pub used_mm: u64,
}

impl Paper {
    /// A fresh roll of `roll_mm`, whose near-end sensor trips at `near_end_mm` left.
    pub fn new(roll_mm: u32, near_end_mm: u32) -> Self {
        Paper {
            remaining_um: u64::from(roll_mm) * 1000,
            near_end_um: u64::from(near_end_mm) * 1000,
            used_um: 0,
        }
    }

    /// Put in a roll of `roll_mm`.
    pub fn load(&mut self, roll_mm: u32) {
        self.remaining_um = u64::from(roll_mm) * 1000;
    }

    /// Feed `um` of paper; returns how much actually moved (less when the roll runs out).
    pub fn feed(&mut self, um: u64) -> u64 {
        let moved = um.min(self.remaining_um);
        self.remaining_um -= moved;
        self.used_um += moved;
        moved
    }

    /// Paper left on the roll, in micrometres.
    pub fn remaining_um(&self) -> u64 {
        self.remaining_um
    }

    /// What the sensors report for the roll itself (faults are added by the printer).
    pub fn level(&self) -> PaperLevel {
        if self.remaining_um == 0 {
            PaperLevel::Out
        } else if self.remaining_um <= self.near_end_um {
            PaperLevel::NearEnd
        } else {
            PaperLevel::Ok
        }
    }

    /// The view for a snapshot, with `level` the printer's combined paper level.
    pub fn view(&self, level: PaperLevel) -> PaperView {
        PaperView {
            level: level_name(level),
            remaining_mm: self.remaining_um / 1000,
            used_mm: self.used_um / 1000,
        }
    }
}

/// The snake-case name of a paper level, as the control API shows it.
pub fn level_name(level: PaperLevel) -> &'static str {
    match level {
        PaperLevel::Ok => "ok",
        PaperLevel::NearEnd => "near_end",
        PaperLevel::Out => "out",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_roll_runs_down_through_near_end_to_out() {
        let mut p = Paper::new(10, 4);
        assert_eq!(p.level(), PaperLevel::Ok);
        assert_eq!(p.feed(6_000), 6_000);
        assert_eq!(p.level(), PaperLevel::NearEnd);
        assert_eq!(p.feed(5_000), 4_000);
        assert_eq!(p.level(), PaperLevel::Out);
        assert_eq!(p.feed(1), 0);
        p.load(80_000);
        assert_eq!(p.level(), PaperLevel::Ok);
        assert_eq!(p.view(PaperLevel::Ok).used_mm, 10);
    }
}
