//! Printer status bytes: the replies to `DLE EOT n`, `GS r n` and the automatic status back
//! (ASB) frame, as pure functions shared by the simulated printer (encoding) and the POS driver
//! (decoding).
//!
//! Encoding depends on a [`StatusProfile`] because vendors differ (a generic printer has no
//! near-end sensor); decoding accepts either profile's bytes.

use super::command::TransmitStatusKind;

/// Which `DLE EOT n` status a reply answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RealtimeStatusKind {
    /// n = 1: printer status (drawer pin 3, offline, waiting for recovery, feed button).
    Printer = 1,
    /// n = 2: offline cause (cover, button feed, paper end, error).
    OfflineCause = 2,
    /// n = 3: error cause.
    ErrorCause = 3,
    /// n = 4: roll paper sensor.
    PaperSensor = 4,
}

impl RealtimeStatusKind {
    /// All four, in `n` order.
    pub const ALL: [RealtimeStatusKind; 4] = [
        RealtimeStatusKind::Printer,
        RealtimeStatusKind::OfflineCause,
        RealtimeStatusKind::ErrorCause,
        RealtimeStatusKind::PaperSensor,
    ];

    /// The `n` byte.
    pub fn to_byte(self) -> u8 {
        self as u8
    }

    /// The kind for `n` = 1..4.
    pub fn from_byte(n: u8) -> Option<Self> {
        match n {
            1..=4 => Some(Self::ALL[usize::from(n - 1)]),
            _ => None,
        }
    }
}

/// Roll paper state as the sensors see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PaperLevel {
    /// Paper present and above the near-end mark.
    #[default]
    Ok,
    /// Near-end sensor tripped (Epson profile only reports this).
    NearEnd,
    /// Paper end: the printer stops and goes offline.
    Out,
}

/// Which vendor's status byte conventions the printer follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum StatusProfile {
    /// Epson TM series: near-end sensor; paper out reports `7E` on `DLE EOT 4`.
    #[default]
    Epson,
    /// Generic clone: no near-end sensor; paper out reports `72` on `DLE EOT 4`.
    Generic,
}

impl StatusProfile {
    /// The status a freshly powered printer of this profile reports. Epson reports drawer pin 3
    /// HIGH, because many POS clients handshake with `1B 40 1B 3D 01 10 04 01` and expect `16`.
    pub fn power_on_status(self) -> PrinterStatus {
        PrinterStatus {
            drawer_pin3_high: self == StatusProfile::Epson,
            ..PrinterStatus::default()
        }
    }

    fn has_near_end_sensor(self) -> bool {
        self == StatusProfile::Epson
    }
}

/// A status byte that breaks the fixed bits of its format.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StatusError {
    /// A `DLE EOT` reply without bits 1 and 4 set and bits 0 and 7 clear.
    #[error("decode DLE EOT {n} reply: byte {byte:#04x} breaks the fixed bits (expected xxx1xx10 with bit 7 clear)")]
    Realtime {
        /// The `n` the reply answers.
        n: u8,
        /// The offending byte.
        byte: u8,
    },
    /// An ASB frame whose first byte lacks the `0xx1xx00` pattern or whose later bytes have bit 4 set.
    #[error("decode ASB frame {bytes:02x?}: fixed bits do not match")]
    Asb {
        /// The frame.
        bytes: [u8; 4],
    },
}

/// Everything a receipt printer can report about itself.
///
/// `offline` is the printer's own offline flag; the encoders also report offline whenever the
/// cover is open, the paper is out, paper is being fed by the button or an error is present,
/// because real printers go offline in each of those cases.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PrinterStatus {
    /// Roll paper sensors.
    pub paper: PaperLevel,
    /// Cover open.
    pub cover_open: bool,
    /// Offline for a reason not listed in the other fields.
    pub offline: bool,
    /// Feed button held down.
    pub feed_button_pressed: bool,
    /// Paper being fed by the feed button.
    pub feeding_by_button: bool,
    /// Drawer kick-out connector pin 3 reads HIGH (whether that means open is a drawer setting).
    pub drawer_pin3_high: bool,
    /// A recoverable error (cleared by `DLE ENQ`).
    pub recoverable_error: bool,
    /// Autocutter error.
    pub autocutter_error: bool,
    /// Unrecoverable error (power cycle needed).
    pub unrecoverable_error: bool,
    /// Auto-recoverable error (e.g. print head overheated).
    pub auto_recoverable_error: bool,
    /// Waiting for online recovery (after an error, until `DLE ENQ` or the button).
    pub waiting_for_recovery: bool,
}

fn bit(flag: bool, mask: u8) -> u8 {
    if flag {
        mask
    } else {
        0
    }
}

impl PrinterStatus {
    /// Whether any error flag is set.
    pub fn has_error(&self) -> bool {
        self.recoverable_error
            || self.autocutter_error
            || self.unrecoverable_error
            || self.auto_recoverable_error
    }

    /// Whether the printer is offline for any reason.
    pub fn is_offline(&self) -> bool {
        self.offline
            || self.cover_open
            || self.paper == PaperLevel::Out
            || self.feeding_by_button
            || self.has_error()
    }

    /// The one-byte reply to `DLE EOT n`.
    pub fn realtime_byte(&self, kind: RealtimeStatusKind, profile: StatusProfile) -> u8 {
        // Bits 1 and 4 are fixed to 1, bits 0 and 7 to 0, in every reply.
        const FIXED: u8 = 0x12;
        FIXED
            | match kind {
                RealtimeStatusKind::Printer => {
                    bit(self.drawer_pin3_high, 0x04)
                        | bit(self.is_offline(), 0x08)
                        | bit(self.waiting_for_recovery, 0x20)
                        | bit(self.feed_button_pressed, 0x40)
                }
                RealtimeStatusKind::OfflineCause => {
                    bit(self.cover_open, 0x04)
                        | bit(self.feeding_by_button, 0x08)
                        | bit(self.paper == PaperLevel::Out, 0x20)
                        | bit(self.has_error(), 0x40)
                }
                RealtimeStatusKind::ErrorCause => {
                    bit(self.recoverable_error, 0x04)
                        | bit(self.autocutter_error, 0x08)
                        | bit(self.unrecoverable_error, 0x20)
                        | bit(self.auto_recoverable_error, 0x40)
                }
                RealtimeStatusKind::PaperSensor => {
                    let near_end = if profile.has_near_end_sensor() {
                        // Epson's near-end sensor also trips when the paper is out.
                        self.paper != PaperLevel::Ok
                    } else {
                        false
                    };
                    bit(near_end, 0x0C) | bit(self.paper == PaperLevel::Out, 0x60)
                }
            }
    }

    /// The replies to `DLE EOT 1`, `2`, `3`, `4`, in that order.
    pub fn realtime_bytes(&self, profile: StatusProfile) -> [u8; 4] {
        RealtimeStatusKind::ALL.map(|k| self.realtime_byte(k, profile))
    }

    /// Update the fields one `DLE EOT n` reply reports, leaving the others as they were.
    pub fn apply_realtime_byte(
        &mut self,
        kind: RealtimeStatusKind,
        byte: u8,
    ) -> Result<(), StatusError> {
        if byte & 0x93 != 0x12 {
            return Err(StatusError::Realtime {
                n: kind.to_byte(),
                byte,
            });
        }
        let has = |mask: u8| byte & mask != 0;
        match kind {
            RealtimeStatusKind::Printer => {
                self.drawer_pin3_high = has(0x04);
                self.offline = has(0x08);
                self.waiting_for_recovery = has(0x20);
                self.feed_button_pressed = has(0x40);
            }
            RealtimeStatusKind::OfflineCause => {
                self.cover_open = has(0x04);
                self.feeding_by_button = has(0x08);
                if has(0x20) {
                    self.paper = PaperLevel::Out;
                } else if self.paper == PaperLevel::Out {
                    self.paper = PaperLevel::Ok;
                }
            }
            RealtimeStatusKind::ErrorCause => {
                self.recoverable_error = has(0x04);
                self.autocutter_error = has(0x08);
                self.unrecoverable_error = has(0x20);
                self.auto_recoverable_error = has(0x40);
            }
            RealtimeStatusKind::PaperSensor => {
                self.paper = if has(0x60) {
                    PaperLevel::Out
                } else if has(0x0C) {
                    PaperLevel::NearEnd
                } else {
                    PaperLevel::Ok
                };
            }
        }
        Ok(())
    }

    /// The status described by the four `DLE EOT` replies (n = 1..4).
    pub fn from_realtime_bytes(bytes: [u8; 4]) -> Result<Self, StatusError> {
        let mut status = PrinterStatus::default();
        for (kind, byte) in RealtimeStatusKind::ALL.into_iter().zip(bytes) {
            status.apply_realtime_byte(kind, byte)?;
        }
        Ok(status)
    }

    /// The 4-byte automatic status back frame.
    pub fn asb_bytes(&self, profile: StatusProfile) -> [u8; 4] {
        let first = 0x10
            | bit(self.drawer_pin3_high, 0x04)
            | bit(self.is_offline(), 0x08)
            | bit(self.cover_open, 0x20)
            | bit(self.feed_button_pressed, 0x40);
        let second = bit(self.recoverable_error, 0x04)
            | bit(self.autocutter_error, 0x08)
            | bit(self.unrecoverable_error, 0x20)
            | bit(self.auto_recoverable_error, 0x40);
        let third = match (self.paper, profile.has_near_end_sensor()) {
            (PaperLevel::Ok, _) | (PaperLevel::NearEnd, false) => 0x00,
            (PaperLevel::NearEnd, true) => 0x03,
            (PaperLevel::Out, true) => 0x0F,
            (PaperLevel::Out, false) => 0x0C,
        };
        [first, second, third, 0x00]
    }

    /// The status an ASB frame describes.
    pub fn from_asb_bytes(bytes: [u8; 4]) -> Result<Self, StatusError> {
        if !is_asb_first_byte(bytes[0]) || bytes[1..].iter().any(|b| b & 0x10 != 0) {
            return Err(StatusError::Asb { bytes });
        }
        let [first, second, third, _] = bytes;
        let has = |byte: u8, mask: u8| byte & mask != 0;
        Ok(PrinterStatus {
            drawer_pin3_high: has(first, 0x04),
            offline: has(first, 0x08),
            cover_open: has(first, 0x20),
            feed_button_pressed: has(first, 0x40),
            recoverable_error: has(second, 0x04),
            autocutter_error: has(second, 0x08),
            unrecoverable_error: has(second, 0x20),
            auto_recoverable_error: has(second, 0x40),
            paper: if has(third, 0x0C) {
                PaperLevel::Out
            } else if has(third, 0x03) {
                PaperLevel::NearEnd
            } else {
                PaperLevel::Ok
            },
            feeding_by_button: false,
            waiting_for_recovery: false,
        })
    }

    /// The reply to `GS r n`: paper `00` ok, `03` near end, `0F` out (generic: `0C` out, no
    /// near end); drawer `00`/`01` for pin 3 low/high.
    pub fn transmit_status_byte(&self, kind: TransmitStatusKind, profile: StatusProfile) -> u8 {
        match kind {
            TransmitStatusKind::Paper => match (self.paper, profile.has_near_end_sensor()) {
                (PaperLevel::Ok, _) | (PaperLevel::NearEnd, false) => 0x00,
                (PaperLevel::NearEnd, true) => 0x03,
                (PaperLevel::Out, true) => 0x0F,
                (PaperLevel::Out, false) => 0x0C,
            },
            TransmitStatusKind::Drawer => bit(self.drawer_pin3_high, 0x01),
        }
    }
}

impl PaperLevel {
    /// The paper level a `GS r 1` reply reports.
    pub fn from_transmit_status_byte(byte: u8) -> Self {
        if byte & 0x0C != 0 {
            PaperLevel::Out
        } else if byte & 0x03 != 0 {
            PaperLevel::NearEnd
        } else {
            PaperLevel::Ok
        }
    }
}

/// Whether a `GS r 2` reply reports drawer pin 3 HIGH.
pub fn drawer_pin3_high_from_byte(byte: u8) -> bool {
    byte & 0x01 != 0
}

/// Whether `byte` can start an ASB frame: bit 4 set, bits 0, 1 and 7 clear.
pub fn is_asb_first_byte(byte: u8) -> bool {
    byte & 0x93 == 0x10
}

/// Whether `byte` has the fixed bits of a `DLE EOT` reply: bits 1 and 4 set, bits 0 and 7 clear.
pub fn is_realtime_reply_byte(byte: u8) -> bool {
    byte & 0x93 == 0x12
}

#[cfg(test)]
mod tests {
    use super::*;

    const EPSON: StatusProfile = StatusProfile::Epson;

    fn with(f: impl FnOnce(&mut PrinterStatus)) -> PrinterStatus {
        let mut s = PrinterStatus::default();
        f(&mut s);
        s
    }

    #[test]
    fn typical_realtime_replies_match_protocols_md() {
        assert_eq!(
            PrinterStatus::default().realtime_bytes(EPSON),
            [0x12, 0x12, 0x12, 0x12]
        );
        let pin3 = with(|s| s.drawer_pin3_high = true);
        assert_eq!(pin3.realtime_byte(RealtimeStatusKind::Printer, EPSON), 0x16);
        let near = with(|s| s.paper = PaperLevel::NearEnd);
        assert_eq!(near.realtime_bytes(EPSON), [0x12, 0x12, 0x12, 0x1E]);
        let out = with(|s| s.paper = PaperLevel::Out);
        assert_eq!(out.realtime_bytes(EPSON), [0x1A, 0x32, 0x12, 0x7E]);
        let cover = with(|s| s.cover_open = true);
        assert_eq!(cover.realtime_bytes(EPSON), [0x1A, 0x16, 0x12, 0x12]);
    }

    #[test]
    fn generic_profile_has_no_near_end_and_reports_72() {
        let g = StatusProfile::Generic;
        let near = with(|s| s.paper = PaperLevel::NearEnd);
        assert_eq!(near.realtime_bytes(g), [0x12, 0x12, 0x12, 0x12]);
        let out = with(|s| s.paper = PaperLevel::Out);
        assert_eq!(out.realtime_bytes(g), [0x1A, 0x32, 0x12, 0x72]);
        assert_eq!(out.transmit_status_byte(TransmitStatusKind::Paper, g), 0x0C);
    }

    #[test]
    fn typical_asb_frames_match_protocols_md() {
        assert_eq!(PrinterStatus::default().asb_bytes(EPSON), [0x10, 0, 0, 0]);
        let cover = with(|s| s.cover_open = true);
        assert_eq!(cover.asb_bytes(EPSON), [0x38, 0, 0, 0]);
        let out = with(|s| s.paper = PaperLevel::Out);
        assert_eq!(out.asb_bytes(EPSON), [0x18, 0, 0x0F, 0]);
    }

    #[test]
    fn transmit_status_replies() {
        let p = TransmitStatusKind::Paper;
        let d = TransmitStatusKind::Drawer;
        assert_eq!(
            PrinterStatus::default().transmit_status_byte(p, EPSON),
            0x00
        );
        let near = with(|s| s.paper = PaperLevel::NearEnd);
        assert_eq!(near.transmit_status_byte(p, EPSON), 0x03);
        let out = with(|s| s.paper = PaperLevel::Out);
        assert_eq!(out.transmit_status_byte(p, EPSON), 0x0F);
        assert_eq!(
            PrinterStatus::default().transmit_status_byte(d, EPSON),
            0x00
        );
        let pin3 = with(|s| s.drawer_pin3_high = true);
        assert_eq!(pin3.transmit_status_byte(d, EPSON), 0x01);
        assert_eq!(PaperLevel::from_transmit_status_byte(0x0F), PaperLevel::Out);
        assert_eq!(
            PaperLevel::from_transmit_status_byte(0x03),
            PaperLevel::NearEnd
        );
        assert!(drawer_pin3_high_from_byte(0x01));
    }

    #[test]
    fn typical_replies_decode_back() {
        let out = PrinterStatus::from_realtime_bytes([0x1A, 0x32, 0x12, 0x7E]).unwrap();
        assert_eq!(out.paper, PaperLevel::Out);
        assert!(out.offline && !out.cover_open);
        let generic_out = PrinterStatus::from_realtime_bytes([0x1A, 0x32, 0x12, 0x72]).unwrap();
        assert_eq!(generic_out.paper, PaperLevel::Out);
        let near = PrinterStatus::from_realtime_bytes([0x12, 0x12, 0x12, 0x1E]).unwrap();
        assert_eq!(near.paper, PaperLevel::NearEnd);
        assert!(!near.is_offline());
        let cover = PrinterStatus::from_realtime_bytes([0x1A, 0x16, 0x12, 0x12]).unwrap();
        assert!(cover.cover_open && cover.offline);
        let pin3 = PrinterStatus::from_realtime_bytes([0x16, 0x12, 0x12, 0x12]).unwrap();
        assert!(pin3.drawer_pin3_high && !pin3.is_offline());

        assert_eq!(
            PrinterStatus::from_asb_bytes([0x10, 0, 0, 0]).unwrap(),
            PrinterStatus::default()
        );
        let cover = PrinterStatus::from_asb_bytes([0x38, 0, 0, 0]).unwrap();
        assert!(cover.cover_open && cover.offline);
        let out = PrinterStatus::from_asb_bytes([0x18, 0, 0x0F, 0]).unwrap();
        assert_eq!(out.paper, PaperLevel::Out);
    }

    #[test]
    fn broken_fixed_bits_are_errors() {
        assert!(PrinterStatus::from_realtime_bytes([0x13, 0x12, 0x12, 0x12]).is_err());
        assert!(PrinterStatus::from_asb_bytes([0x12, 0, 0, 0]).is_err());
        assert!(PrinterStatus::from_asb_bytes([0x10, 0x10, 0, 0]).is_err());
    }

    #[test]
    fn epson_powers_on_with_pin3_high() {
        let s = StatusProfile::Epson.power_on_status();
        assert_eq!(s.realtime_byte(RealtimeStatusKind::Printer, EPSON), 0x16);
        assert!(!StatusProfile::Generic.power_on_status().drawer_pin3_high);
    }
}
