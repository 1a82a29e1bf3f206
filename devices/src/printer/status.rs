//! The printer's status as the host sees it: the [`PrinterStatus`] composed from the printer's
//! parts, and automatic status back (ASB), which sends the 4-byte frame when enabled and again
//! whenever a watched part of it changes.

use posrig_protocols::escpos::{AsbMask, PaperLevel, PrinterStatus, StatusProfile};
use serde::Serialize;

/// Latched errors (they stay until recovered or cleared).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Errors {
    /// Autocutter error: recoverable with `DLE ENQ`.
    pub autocutter: bool,
    /// Unrecoverable error: only clearing the fault (a power cycle) ends it.
    pub unrecoverable: bool,
}

/// Everything the status bytes are made of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StatusParts {
    pub paper: PaperLevel,
    pub cover_open: bool,
    pub offline_fault: bool,
    pub feed_button: bool,
    pub drawer_pin3_high: bool,
    pub errors: Errors,
}

/// The status the host is told about.
pub fn compose(p: StatusParts) -> PrinterStatus {
    PrinterStatus {
        paper: p.paper,
        cover_open: p.cover_open,
        offline: p.offline_fault,
        feed_button_pressed: p.feed_button,
        // The button only feeds with paper in and the cover shut.
        feeding_by_button: p.feed_button && p.paper != PaperLevel::Out && !p.cover_open,
        drawer_pin3_high: p.drawer_pin3_high,
        recoverable_error: false,
        autocutter_error: p.errors.autocutter,
        unrecoverable_error: p.errors.unrecoverable,
        auto_recoverable_error: false,
        waiting_for_recovery: p.errors.autocutter,
    }
}

/// Automatic status back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct AutoStatusBack {
    mask: AsbMask,
    last: [u8; 4],
}

impl AutoStatusBack {
    /// Whether ASB is on.
    pub fn enabled(&self) -> bool {
        self.mask.enabled()
    }

    /// The `GS a` mask.
    pub fn mask(&self) -> u8 {
        self.mask.0
    }

    /// `GS a n`: returns the frame to send at once when `n` enables ASB.
    pub fn set(
        &mut self,
        mask: AsbMask,
        status: &PrinterStatus,
        profile: StatusProfile,
    ) -> Option<[u8; 4]> {
        self.mask = mask;
        self.last = status.asb_bytes(profile);
        self.enabled().then_some(self.last)
    }

    /// `ESC @`: ASB off.
    pub fn disable(&mut self) {
        self.mask = AsbMask(0);
    }

    /// The status may have changed: returns the frame to send if a watched bit did.
    pub fn check(&mut self, status: &PrinterStatus, profile: StatusProfile) -> Option<[u8; 4]> {
        if !self.enabled() {
            return None;
        }
        let now = status.asb_bytes(profile);
        let watched = watched_bits(self.mask);
        let changed = now
            .iter()
            .zip(self.last)
            .zip(watched)
            .any(|((a, b), w)| (a ^ b) & w != 0);
        self.last = now;
        changed.then_some(now)
    }

    /// Forget the last frame sent, as if `status` had been sent (changes while the cable is
    /// unplugged reach nobody).
    pub fn absorb(&mut self, status: &PrinterStatus, profile: StatusProfile) {
        self.last = status.asb_bytes(profile);
    }
}

/// Which bits of the ASB frame each `GS a` bit watches.
fn watched_bits(mask: AsbMask) -> [u8; 4] {
    let on = |bit: u8, bits: u8| if mask.0 & bit != 0 { bits } else { 0 };
    [
        on(AsbMask::DRAWER, 0x04)
            // Cover open always comes with offline, so it is watched with on/offline.
            | on(AsbMask::ONLINE, 0x28)
            | on(AsbMask::PANEL_SWITCH, 0x40),
        on(AsbMask::ERRORS, 0x6C),
        on(AsbMask::PAPER, 0x0F),
        0,
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    const EPSON: StatusProfile = StatusProfile::Epson;

    fn parts() -> StatusParts {
        StatusParts {
            paper: PaperLevel::Ok,
            cover_open: false,
            offline_fault: false,
            feed_button: false,
            drawer_pin3_high: false,
            errors: Errors::default(),
        }
    }

    #[test]
    fn asb_sends_at_once_then_only_on_watched_changes() {
        let mut asb = AutoStatusBack::default();
        let idle = compose(parts());
        assert_eq!(asb.check(&idle, EPSON), None);
        assert_eq!(asb.set(AsbMask(0xFF), &idle, EPSON), Some([0x10, 0, 0, 0]));
        assert_eq!(asb.check(&idle, EPSON), None);
        let cover = compose(StatusParts {
            cover_open: true,
            ..parts()
        });
        assert_eq!(asb.check(&cover, EPSON), Some([0x38, 0, 0, 0]));
        let out = compose(StatusParts {
            paper: PaperLevel::Out,
            ..parts()
        });
        assert_eq!(asb.check(&out, EPSON), Some([0x18, 0, 0x0F, 0]));

        // Watching only the drawer: paper changes go unreported.
        let mut drawer_only = AutoStatusBack::default();
        drawer_only.set(AsbMask(AsbMask::DRAWER), &idle, EPSON);
        assert_eq!(drawer_only.check(&out, EPSON), None);
        let pin3 = compose(StatusParts {
            drawer_pin3_high: true,
            ..parts()
        });
        assert_eq!(drawer_only.check(&pin3, EPSON), Some([0x14, 0, 0, 0]));
        drawer_only.disable();
        assert_eq!(drawer_only.check(&idle, EPSON), None);
    }

    #[test]
    fn feed_button_feeds_only_with_paper_and_cover_shut() {
        let s = compose(StatusParts {
            feed_button: true,
            ..parts()
        });
        assert!(s.feeding_by_button && s.is_offline());
        let s = compose(StatusParts {
            feed_button: true,
            cover_open: true,
            ..parts()
        });
        assert!(!s.feeding_by_button);
    }
}
