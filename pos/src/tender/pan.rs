//! Masked PANs: the only form of a card number the POS keeps (first 6 and last 4 digits). The
//! type cannot hold a full PAN, so nothing that takes a [`MaskedPan`] can store one.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A PAN that is not a valid card number, or masked text that is not properly masked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PanError {
    /// Not 13 to 19 digits.
    #[error("mask PAN: not 13 to 19 digits")]
    NotAPan,
    /// Masked text shows more than the first 6 and last 4 digits, or is malformed.
    #[error("read masked PAN: must be 6 digits, `*`s, 4 digits")]
    NotMasked,
}

/// A card number with all but the first 6 and last 4 digits replaced by `*`.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct MaskedPan(String);

impl MaskedPan {
    /// Masks a full PAN. The full PAN is not kept.
    pub fn from_pan(pan: &str) -> Result<Self, PanError> {
        let n = pan.len();
        if !(13..=19).contains(&n) || !pan.bytes().all(|c| c.is_ascii_digit()) {
            return Err(PanError::NotAPan);
        }
        Ok(MaskedPan(format!(
            "{}{}{}",
            &pan[..6],
            "*".repeat(n - 10),
            &pan[n - 4..]
        )))
    }

    /// Reads an already masked PAN (from the journal), refusing anything that shows more.
    pub fn parse(masked: &str) -> Result<Self, PanError> {
        let n = masked.len();
        let b = masked.as_bytes();
        let ok = (13..=19).contains(&n)
            && b[..6].iter().all(u8::is_ascii_digit)
            && b[6..n - 4].iter().all(|&c| c == b'*')
            && b[n - 4..].iter().all(u8::is_ascii_digit);
        if ok {
            Ok(MaskedPan(masked.to_owned()))
        } else {
            Err(PanError::NotMasked)
        }
    }

    /// The masked text, e.g. `622202*********0017`.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The last four digits, for short displays.
    pub fn last4(&self) -> &str {
        &self.0[self.0.len() - 4..]
    }
}

impl fmt::Display for MaskedPan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for MaskedPan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "MaskedPan({})", self.0)
    }
}

impl Serialize for MaskedPan {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for MaskedPan {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        MaskedPan::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_first_six_last_four() {
        let m = MaskedPan::from_pan("6222021000000000017").unwrap();
        assert_eq!(m.as_str(), "622202*********0017");
        assert_eq!(m.last4(), "0017");
        assert_eq!(
            MaskedPan::from_pan("4000001234562007").unwrap().as_str(),
            "400000******2007"
        );
        assert_eq!(MaskedPan::from_pan("1234"), Err(PanError::NotAPan));
        assert_eq!(
            MaskedPan::from_pan("62220210000000000x7"),
            Err(PanError::NotAPan)
        );
    }

    #[test]
    fn parse_refuses_a_full_pan() {
        assert_eq!(
            MaskedPan::parse("6222021000000000017"),
            Err(PanError::NotMasked)
        );
        assert!(MaskedPan::parse("622202*********0017").is_ok());
        assert!(serde_json::from_str::<MaskedPan>("\"6222021000000000017\"").is_err());
    }
}
