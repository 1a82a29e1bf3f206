//! How a simulated receipt printer is set up: profile, paper roll, receive buffer and flow
//! control, print speed, columns and the drawer port.

use posrig_protocols::escpos::StatusProfile;
use serde::{Deserialize, Serialize};

/// Which vendor's status conventions the printer follows (PROTOCOLS.md §1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PrinterProfile {
    /// Epson TM series: near-end sensor, paper out `7E` on `DLE EOT 4`, pin 3 HIGH at power-on.
    #[default]
    Epson,
    /// Generic clone: no near-end sensor, paper out `72` on `DLE EOT 4`.
    Generic,
}

impl PrinterProfile {
    /// The protocol crate's status profile.
    pub fn status_profile(self) -> StatusProfile {
        match self {
            PrinterProfile::Epson => StatusProfile::Epson,
            PrinterProfile::Generic => StatusProfile::Generic,
        }
    }
}

/// How the printer tells the host its receive buffer is nearly full.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FlowControl {
    /// Send XOFF (`13`) when busy and XON (`11`) when released.
    #[default]
    XonXoff,
    /// Send nothing; a host that overruns the buffer loses bytes.
    None,
}

/// A level on drawer connector pin 3.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PinLevel {
    High,
    Low,
}

/// The cash drawer wired to the printer's kick-out connector.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DrawerConfig {
    /// The pin 3 level that means "open". Unset, it follows the profile: `epson` reads LOW for
    /// open (so a closed drawer reads HIGH, the `16` many POS clients expect at the handshake),
    /// `generic` reads HIGH for open.
    pub open_level: Option<PinLevel>,
    /// Close the drawer by itself this long after it opened (a cashier pushing it shut);
    /// unset, only the `close_drawer` action closes it.
    pub close_after_ms: Option<u64>,
}

/// Everything that shapes a simulated printer. Every field has a default, so `{}` is a valid
/// configuration (an Epson TM-T88III class printer with an 80 m roll).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PrinterConfig {
    pub profile: PrinterProfile,
    /// Length of a fresh paper roll.
    pub paper_roll_mm: u32,
    /// Remaining paper at which the near-end sensor trips.
    pub near_end_mm: u32,
    /// Receive buffer size in bytes.
    pub buffer_bytes: usize,
    /// Free bytes left when the printer turns BUSY (sends XOFF).
    pub busy_free_bytes: usize,
    /// Free bytes at which BUSY is released (XON).
    pub release_free_bytes: usize,
    pub flow_control: FlowControl,
    /// Paper feed speed while printing.
    pub print_speed_mm_s: u32,
    /// Height of one text line (the default 1/6 inch line spacing), in micrometres.
    pub line_pitch_um: u32,
    /// Characters per line in Font A (Font B fits a third more).
    pub columns: u8,
    /// Act on `DLE EOT`/`DLE ENQ`/`DLE DC4` found inside another command's data, as real
    /// firmware does.
    pub realtime_in_data: bool,
    /// How many finished receipts the printer keeps for the control API.
    pub keep_receipts: usize,
    pub drawer: DrawerConfig,
    /// A customer display daisy-chained behind the printer, fed by `ESC =` pass-through; without
    /// one, passed-through bytes are dropped.
    pub pass_through_display: bool,
}

impl Default for PrinterConfig {
    fn default() -> Self {
        PrinterConfig {
            profile: PrinterProfile::Epson,
            paper_roll_mm: 80_000,
            near_end_mm: 2_000,
            buffer_bytes: 4096,
            busy_free_bytes: 128,
            release_free_bytes: 256,
            flow_control: FlowControl::XonXoff,
            print_speed_mm_s: 150,
            line_pitch_um: 4230,
            columns: 48,
            realtime_in_data: true,
            keep_receipts: 8,
            drawer: DrawerConfig::default(),
            pass_through_display: false,
        }
    }
}

/// A printer configuration that cannot work.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    #[error("check printer config: {field} must be {rule}")]
    Invalid {
        field: &'static str,
        rule: &'static str,
    },
}

impl PrinterConfig {
    /// Check the values fit together (thresholds inside the buffer, non-zero speeds).
    pub fn validate(&self) -> Result<(), ConfigError> {
        let invalid = |field, rule| Err(ConfigError::Invalid { field, rule });
        if self.buffer_bytes == 0 {
            return invalid("buffer_bytes", "above 0");
        }
        if self.busy_free_bytes >= self.release_free_bytes {
            return invalid("busy_free_bytes", "below release_free_bytes");
        }
        if self.release_free_bytes > self.buffer_bytes {
            return invalid("release_free_bytes", "at most buffer_bytes");
        }
        if self.print_speed_mm_s == 0 {
            return invalid("print_speed_mm_s", "above 0");
        }
        if self.line_pitch_um == 0 {
            return invalid("line_pitch_um", "above 0");
        }
        if self.columns == 0 {
            return invalid("columns", "above 0");
        }
        Ok(())
    }

    /// The drawer's open level, with the profile's default filled in.
    pub fn drawer_open_level(&self) -> PinLevel {
        self.drawer.open_level.unwrap_or(match self.profile {
            PrinterProfile::Epson => PinLevel::Low,
            PrinterProfile::Generic => PinLevel::High,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_yaml_is_the_default_and_unknown_fields_are_rejected() {
        let c: PrinterConfig = serde_yaml::from_str("{}").unwrap();
        assert_eq!(c, PrinterConfig::default());
        assert!(c.validate().is_ok());
        let c: PrinterConfig = serde_yaml::from_str(
            "profile: generic\ndrawer: {open_level: high, close_after_ms: 3000}",
        )
        .unwrap();
        assert_eq!(c.profile, PrinterProfile::Generic);
        assert_eq!(c.drawer.close_after_ms, Some(3000));
        assert!(serde_yaml::from_str::<PrinterConfig>("paper_mm: 3").is_err());
    }

    #[test]
    fn thresholds_must_fit_the_buffer() {
        let c = PrinterConfig {
            busy_free_bytes: 300,
            ..PrinterConfig::default()
        };
        assert!(c.validate().is_err());
    }

    #[test]
    fn open_level_follows_the_profile() {
        assert_eq!(PrinterConfig::default().drawer_open_level(), PinLevel::Low);
        let generic = PrinterConfig {
            profile: PrinterProfile::Generic,
            ..PrinterConfig::default()
        };
        assert_eq!(generic.drawer_open_level(), PinLevel::High);
    }
}
