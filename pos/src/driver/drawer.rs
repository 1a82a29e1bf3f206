//! The cash drawer on the printer's kick-out connector: the kick pulse the printer driver
//! sends (`ESC p`), and the open/closed state read from drawer pin 3 in the printer's status.
//!
//! Whether pin 3 HIGH means open is a setting of the drawer. Unset, it follows the printer
//! profile: Epson-class printers read LOW for an open drawer (a closed one reads HIGH, the `16`
//! POS clients expect at the handshake), generic ones HIGH.

use posrig_protocols::escpos::{DrawerPin, EscPosWriter, StatusProfile};

/// How the drawer is wired and pulsed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DrawerConfig {
    /// Connector pin the kick pulses (pin 2, the usual first drawer).
    pub pin: DrawerPin,
    /// Pulse on time, ms (sent halved, 0..=510).
    pub on_ms: u16,
    /// Pulse off time, ms (sent halved, 0..=510).
    pub off_ms: u16,
    /// Whether pin 3 HIGH means open; `None` follows the printer profile.
    pub open_when_pin3_high: Option<bool>,
}

impl Default for DrawerConfig {
    /// Pin 2, 50 ms on, 500 ms off: `1B 70 00 19 FA`, the pulse python-escpos sends.
    fn default() -> Self {
        DrawerConfig {
            pin: DrawerPin::Pin2,
            on_ms: 50,
            off_ms: 500,
            open_when_pin3_high: None,
        }
    }
}

impl DrawerConfig {
    /// The `ESC p m t1 t2` bytes of one kick.
    pub fn kick_bytes(&self) -> Vec<u8> {
        let mut w = EscPosWriter::new();
        w.drawer_kick(self.pin, self.on_ms, self.off_ms);
        w.into_bytes()
    }

    /// Whether pin 3 HIGH means open, for a printer of `profile`.
    pub fn open_when_high(&self, profile: StatusProfile) -> bool {
        self.open_when_pin3_high
            .unwrap_or(profile == StatusProfile::Generic)
    }

    /// The drawer state a pin 3 reading means.
    pub fn state(&self, profile: StatusProfile, pin3_high: bool) -> DrawerState {
        if pin3_high == self.open_when_high(profile) {
            DrawerState::Open
        } else {
            DrawerState::Closed
        }
    }
}

/// Open or closed, as sensed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DrawerState {
    Open,
    Closed,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_kick_is_pin_2_50_on_500_off() {
        assert_eq!(
            DrawerConfig::default().kick_bytes(),
            [0x1B, 0x70, 0x00, 0x19, 0xFA]
        );
    }

    #[test]
    fn open_level_follows_the_profile_unless_set() {
        let d = DrawerConfig::default();
        assert_eq!(d.state(StatusProfile::Epson, true), DrawerState::Closed);
        assert_eq!(d.state(StatusProfile::Epson, false), DrawerState::Open);
        assert_eq!(d.state(StatusProfile::Generic, true), DrawerState::Open);
        let high = DrawerConfig {
            open_when_pin3_high: Some(true),
            ..d
        };
        assert_eq!(high.state(StatusProfile::Epson, true), DrawerState::Open);
    }
}
