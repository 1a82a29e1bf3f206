//! What goes wrong with a card reader and PIN pad, as plain data.

use serde::{Deserialize, Serialize};

/// A pad fault, as JSON: `{"fault": "chip_failure"}`, `{"fault": "unplugged"}`,
/// `{"fault": "nak_all"}`, `{"fault": "slow", "ms": 4000}`, `{"fault": "corrupt_lrc"}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "fault", rename_all = "snake_case", deny_unknown_fields)]
pub enum PinPadFault {
    /// The chip cannot be read: an insert answers `E0 2` (fall back to swipe).
    ChipFailure {},
    /// The cable is out: nothing the POS sends is heard (no ACKs, no answers) and nothing the
    /// pad sends arrives. The pad itself keeps running, so its link retries and gives up.
    Unplugged {},
    /// Every frame from the POS is answered with NAK and not acted on.
    NakAll {},
    /// Every byte the pad sends (ACKs included) leaves `ms` later: a pad slow enough to make the
    /// POS retry when `ms` passes its ACK timeout.
    Slow {
        #[serde(default)]
        ms: u64,
    },
    /// The next frame the pad sends goes out with a wrong LRC (once; its resend is good).
    CorruptLrc {},
}

impl PinPadFault {
    pub fn name(self) -> &'static str {
        match self {
            PinPadFault::ChipFailure {} => "chip_failure",
            PinPadFault::Unplugged {} => "unplugged",
            PinPadFault::NakAll {} => "nak_all",
            PinPadFault::Slow { .. } => "slow",
            PinPadFault::CorruptLrc {} => "corrupt_lrc",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_shapes() {
        let f: PinPadFault = serde_json::from_str(r#"{"fault": "slow", "ms": 4000}"#).unwrap();
        assert_eq!(f, PinPadFault::Slow { ms: 4000 });
        let f: PinPadFault = serde_json::from_str(r#"{"fault": "slow"}"#).unwrap();
        assert_eq!(f, PinPadFault::Slow { ms: 0 }, "clearing needs no ms");
        let f: PinPadFault = serde_json::from_str(r#"{"fault": "chip_failure"}"#).unwrap();
        assert_eq!(f, PinPadFault::ChipFailure {});
        assert!(serde_json::from_str::<PinPadFault>(r#"{"fault": "melted"}"#).is_err());
        assert!(
            serde_json::from_str::<PinPadFault>(r#"{"fault": "nak_all", "ms": 1}"#).is_err(),
            "unknown keys are errors"
        );
    }
}
