//! The cash drawer on the printer's kick-out connector: opened by a kick pulse on pin 2 or 5,
//! sensed through pin 3, closed by a person (optionally by itself after a delay), with the
//! `stuck` (a kick does not open it) and `jammed_open` (it will not close) faults.

use std::time::Duration;

use posrig_protocols::escpos::DrawerPin;
use serde::Serialize;
use tokio::time::Instant;

use super::config::PinLevel;

/// The drawer's state machine.
#[derive(Debug, Clone)]
pub struct Drawer {
    open_level: PinLevel,
    close_after: Option<Duration>,
    open: bool,
    kicks: u64,
    stuck: bool,
    jammed_open: bool,
    close_at: Option<Instant>,
}

/// What a kick did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KickOutcome {
    /// The drawer sprang open.
    Opened,
    /// It was open already.
    AlreadyOpen,
    /// The solenoid fired but the drawer stayed shut (`drawer_stuck`).
    Stuck,
}

/// What the control API shows about the drawer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DrawerView {
    pub open: bool,
    pub kicks: u64,
    pub pin3: PinLevel,
    pub stuck: bool,
    pub jammed_open: bool,
}

impl Drawer {
    /// A closed drawer whose pin 3 reads `open_level` when open.
    pub fn new(open_level: PinLevel, close_after_ms: Option<u64>) -> Self {
        Drawer {
            open_level,
            close_after: close_after_ms.map(Duration::from_millis),
            open: false,
            kicks: 0,
            stuck: false,
            jammed_open: false,
            close_at: None,
        }
    }

    /// Whether the drawer is open.
    pub fn is_open(&self) -> bool {
        self.open
    }

    /// The pin 3 level the printer senses.
    pub fn pin3(&self) -> PinLevel {
        match (self.open, self.open_level) {
            (true, level) => level,
            (false, PinLevel::High) => PinLevel::Low,
            (false, PinLevel::Low) => PinLevel::High,
        }
    }

    /// Whether pin 3 reads HIGH.
    pub fn pin3_high(&self) -> bool {
        self.pin3() == PinLevel::High
    }

    /// A kick pulse on `pin` (either pin opens this drawer; a second drawer is not modelled).
    pub fn kick(&mut self, now: Instant, _pin: DrawerPin) -> KickOutcome {
        self.kicks += 1;
        if self.stuck {
            KickOutcome::Stuck
        } else if self.open {
            KickOutcome::AlreadyOpen
        } else {
            self.open_now(now);
            KickOutcome::Opened
        }
    }

    /// Opened by hand with the key (works even when the solenoid is stuck).
    pub fn open_by_hand(&mut self, now: Instant) {
        if !self.open {
            self.open_now(now);
        }
    }

    fn open_now(&mut self, now: Instant) {
        self.open = true;
        self.close_at = self.close_after.map(|d| now + d);
    }

    /// A person pushes it shut, now or after `after`. Returns `false` if it is jammed open.
    pub fn close(&mut self, now: Instant, after: Option<Duration>) -> bool {
        if self.jammed_open {
            return false;
        }
        match after {
            Some(d) if !d.is_zero() => self.close_at = Some(now + d),
            _ => {
                self.open = false;
                self.close_at = None;
            }
        }
        true
    }

    /// When the drawer will close by itself, if it will.
    pub fn next_deadline(&self) -> Option<Instant> {
        self.close_at.filter(|_| self.open)
    }

    /// The close deadline passed; returns whether the drawer closed.
    pub fn on_timer(&mut self, now: Instant) -> bool {
        match self.close_at {
            Some(at) if at <= now => {
                self.close_at = None;
                if self.open && !self.jammed_open {
                    self.open = false;
                    return true;
                }
                false
            }
            _ => false,
        }
    }

    /// `drawer_stuck`: kicks no longer open it.
    pub fn set_stuck(&mut self, stuck: bool) {
        self.stuck = stuck;
    }

    /// `drawer_jammed_open`: it springs open (if shut) and will not close until cleared.
    pub fn set_jammed_open(&mut self, jammed: bool) {
        self.jammed_open = jammed;
        if jammed && !self.open {
            self.open = true;
            self.close_at = None;
        }
    }

    /// The view for a snapshot.
    pub fn view(&self) -> DrawerView {
        DrawerView {
            open: self.open,
            kicks: self.kicks,
            pin3: self.pin3(),
            stuck: self.stuck,
            jammed_open: self.jammed_open,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kick_opens_pin3_follows_the_open_level_and_auto_close_fires() {
        let t0 = Instant::now();
        let mut d = Drawer::new(PinLevel::High, Some(3000));
        assert!(!d.pin3_high());
        assert_eq!(d.kick(t0, DrawerPin::Pin2), KickOutcome::Opened);
        assert!(d.pin3_high());
        assert_eq!(d.kick(t0, DrawerPin::Pin5), KickOutcome::AlreadyOpen);
        assert_eq!(d.next_deadline(), Some(t0 + Duration::from_secs(3)));
        assert!(!d.on_timer(t0 + Duration::from_millis(2999)));
        assert!(d.on_timer(t0 + Duration::from_secs(3)));
        assert!(!d.is_open());
        assert_eq!(d.view().kicks, 2);

        let mut low = Drawer::new(PinLevel::Low, None);
        assert!(low.pin3_high());
        low.kick(t0, DrawerPin::Pin2);
        assert!(!low.pin3_high());
        assert_eq!(low.next_deadline(), None);
    }

    #[test]
    fn stuck_and_jammed_open_faults() {
        let t0 = Instant::now();
        let mut d = Drawer::new(PinLevel::High, None);
        d.set_stuck(true);
        assert_eq!(d.kick(t0, DrawerPin::Pin2), KickOutcome::Stuck);
        assert!(!d.is_open());
        d.open_by_hand(t0);
        assert!(d.is_open());
        d.set_jammed_open(true);
        assert!(!d.close(t0, None));
        assert!(d.is_open());
        d.set_jammed_open(false);
        assert!(d.close(t0, Some(Duration::from_secs(1))));
        assert!(d.is_open());
        assert!(d.on_timer(t0 + Duration::from_secs(1)));
    }
}
