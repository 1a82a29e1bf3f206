//! How a simulated scanner is programmed: frame options, trigger mode and ACK/NAK mode, as plain
//! data a rig file, a CLI flag or a test can build.

use posrig_protocols::scanner::{ScannerConfig as FrameConfig, Suffix};
use serde::{Deserialize, Serialize};

/// The scanner's programming. Every field has a default (no prefix, AIM ids on, CR, auto
/// trigger, ACK/NAK off), so `{}` is a valid configuration.
///
/// ```
/// use posrig_devices::scanner::{ScannerConfig, TriggerMode};
/// let c: ScannerConfig = serde_json::from_str(r#"{"trigger": "host", "suffix": "crlf"}"#).unwrap();
/// assert_eq!(c.trigger, TriggerMode::Host);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ScannerConfig {
    /// ASCII text sent before everything else; empty for none.
    pub prefix: String,
    /// Whether the AIM id (`]E0`, `]C0`…) is sent before the data.
    pub aim_id: bool,
    pub suffix: SuffixName,
    pub trigger: TriggerMode,
    pub ack_nak: AckNakConfig,
}

impl Default for ScannerConfig {
    fn default() -> Self {
        Self {
            prefix: String::new(),
            aim_id: true,
            suffix: SuffixName::Cr,
            trigger: TriggerMode::Auto,
            ack_nak: AckNakConfig::default(),
        }
    }
}

impl ScannerConfig {
    /// The wire framing this programming selects.
    pub fn frame_config(&self) -> FrameConfig {
        FrameConfig {
            prefix: self.prefix.as_bytes().to_vec(),
            aim_id: self.aim_id,
            suffix: match self.suffix {
                SuffixName::Cr => Suffix::Cr,
                SuffixName::Crlf => Suffix::CrLf,
                SuffixName::Tab => Suffix::Tab,
            },
        }
    }
}

/// What ends a frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SuffixName {
    /// `0D`.
    #[default]
    Cr,
    /// `0D 0A`.
    Crlf,
    /// `09`.
    Tab,
}

/// When a presented code is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TriggerMode {
    /// Presentation mode: a code is read as soon as it is scanned.
    #[default]
    Auto,
    /// Serial trigger: codes are read only between the host's trigger-on (`16 54 0D`) and
    /// trigger-off (`16 55 0D`); a code presented before that waits in front of the window.
    Host,
}

/// ACK/NAK mode: after each code the scanner waits for the host's `06`; on `15` it sends again.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AckNakConfig {
    pub enabled: bool,
    /// Transmissions of one code (the first included) before the scanner gives up on NAKs.
    pub max_tries: u8,
    /// How long to wait for `06` or `15`. Silence is not answered by a resend: a host that did
    /// not answer may still have taken the code, and a resend could ring the item up twice, so
    /// the scanner drops the code, as Honeywell scanners do.
    pub timeout_ms: u64,
}

impl Default for AckNakConfig {
    fn default() -> Self {
        Self {
            enabled: false,
            max_tries: 3,
            timeout_ms: 1000,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_object_is_the_default_and_unknown_keys_are_errors() {
        let c: ScannerConfig = serde_json::from_str("{}").unwrap();
        assert_eq!(c, ScannerConfig::default());
        assert!(serde_json::from_str::<ScannerConfig>(r#"{"trigerr": "host"}"#).is_err());
        assert!(serde_json::from_str::<ScannerConfig>(r#"{"ack_nak": {"tries": 2}}"#).is_err());
    }

    #[test]
    fn frame_config_follows_the_settings() {
        let c: ScannerConfig =
            serde_json::from_str(r#"{"prefix": "S", "aim_id": false, "suffix": "tab"}"#).unwrap();
        let f = c.frame_config();
        assert_eq!(f.prefix, b"S");
        assert!(!f.aim_id);
        assert_eq!(f.suffix, Suffix::Tab);
    }
}
