//! How a simulated PIN pad is set up: its terminal master key, PIN entry timeout, link timings
//! and the EMV terminal values it puts into chip data.

use std::fmt;
use std::time::Duration;

use posrig_protocols::crypto::TdesKey;
use posrig_protocols::pinpad::{EmvDate, LinkConfig};
use serde::{Deserialize, Serialize};

/// The `LANE0001` master key of `scenarios/data/terminals.yaml` (the PROTOCOLS.md §7 vector key).
pub const DEFAULT_MASTER_KEY: &str = "CA5D92598DCA48CE8A4C76361A9269E9";

/// The pad's setup. Every field has a default, so `{}` is a valid configuration. `Debug` shows
/// the master key's check value only.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PinPadConfig {
    /// Terminal master key, 32 hex digits (two-key 3DES); `K0` working keys arrive under it.
    pub master_key: String,
    /// How long the cardholder has to finish PIN entry before the pad answers `P1 TIMEOUT`.
    pub pin_timeout_ms: u64,
    pub link: LinkTimings,
    /// Terminal country code for tag 9F1A (ISO 3166 numeric).
    pub country: u16,
    /// Transaction date for tag 9A, `YYMMDD`. The pad has no calendar of its own: runs in
    /// virtual time must not read the host's clock, so the harness sets it from the run's
    /// calendar epoch.
    pub emv_date: String,
}

impl Default for PinPadConfig {
    fn default() -> Self {
        Self {
            master_key: DEFAULT_MASTER_KEY.to_string(),
            pin_timeout_ms: 30_000,
            link: LinkTimings::default(),
            country: 156,
            emv_date: "250601".to_string(),
        }
    }
}

impl fmt::Debug for PinPadConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let key = TdesKey::from_hex(&self.master_key)
            .map(|k| format!("kcv {}", hex::encode_upper(k.check_value())))
            .unwrap_or_else(|_| "<invalid>".to_string());
        f.debug_struct("PinPadConfig")
            .field("master_key", &key)
            .field("pin_timeout_ms", &self.pin_timeout_ms)
            .field("link", &self.link)
            .field("country", &self.country)
            .field("emv_date", &self.emv_date)
            .finish()
    }
}

/// The link's retry rules (PROTOCOLS.md §3: 3000 ms of silence, up to 3 retries).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LinkTimings {
    pub ack_timeout_ms: u64,
    pub max_retries: u8,
}

impl Default for LinkTimings {
    fn default() -> Self {
        Self {
            ack_timeout_ms: 3000,
            max_retries: 3,
        }
    }
}

impl LinkTimings {
    pub fn link_config(self) -> LinkConfig {
        LinkConfig {
            ack_timeout: Duration::from_millis(self.ack_timeout_ms),
            max_retries: self.max_retries,
        }
    }
}

/// A configuration the pad cannot start with.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PinPadConfigError {
    #[error("configure the PIN pad: master_key must be 32 hex digits")]
    MasterKey,
    #[error("configure the PIN pad: emv_date must be a YYMMDD date, got `{0}`")]
    EmvDate(String),
}

impl PinPadConfig {
    /// The master key, checked.
    pub fn master_key(&self) -> Result<TdesKey, PinPadConfigError> {
        TdesKey::from_hex(&self.master_key).map_err(|_| PinPadConfigError::MasterKey)
    }

    /// The 9A date, checked.
    pub fn emv_date(&self) -> Result<EmvDate, PinPadConfigError> {
        let bad = || PinPadConfigError::EmvDate(self.emv_date.chars().take(12).collect());
        let s = self.emv_date.as_bytes();
        if s.len() != 6 || !s.iter().all(u8::is_ascii_digit) {
            return Err(bad());
        }
        let n = |i: usize| (s[i] - b'0') * 10 + (s[i + 1] - b'0');
        let (year, month, day) = (n(0), n(2), n(4));
        if !(1..=12).contains(&month) || !(1..=31).contains(&day) {
            return Err(bad());
        }
        Ok(EmvDate { year, month, day })
    }

    pub fn pin_timeout(&self) -> Duration {
        Duration::from_millis(self.pin_timeout_ms)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_parse_and_debug_hides_the_master_key() {
        let c: PinPadConfig = serde_json::from_str("{}").unwrap();
        assert_eq!(c, PinPadConfig::default());
        assert!(c.master_key().is_ok());
        assert_eq!(
            c.emv_date().unwrap(),
            EmvDate {
                year: 25,
                month: 6,
                day: 1
            }
        );
        let shown = format!("{c:?}");
        assert!(!shown.contains("CA5D9259"), "{shown}");
    }

    #[test]
    fn bad_values_and_unknown_keys_are_errors() {
        let c: PinPadConfig = serde_json::from_str(r#"{"master_key": "00"}"#).unwrap();
        assert_eq!(c.master_key().unwrap_err(), PinPadConfigError::MasterKey);
        let c: PinPadConfig = serde_json::from_str(r#"{"emv_date": "251301"}"#).unwrap();
        assert!(c.emv_date().is_err());
        assert!(serde_json::from_str::<PinPadConfig>(r#"{"pin_timeout": 5}"#).is_err());
        assert!(serde_json::from_str::<PinPadConfig>(r#"{"link": {"retries": 5}}"#).is_err());
    }
}
