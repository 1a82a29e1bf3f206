//! Card data that must not reach a log: the PAN (shown as first 6 + last 4) and the encrypted
//! PIN block (never shown). Both are newtypes so a derived `Debug` on anything holding them is
//! safe.

use std::fmt;

use crate::card::mask_pan;

/// A primary account number: 12 to 19 ASCII digits. `Debug` and `Display` mask it; the full
/// number is only reachable through [`Pan::as_str`], for encoding.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Pan(String);

/// A PAN that is not 12 to 19 digits.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("parse PAN: expected 12 to 19 digits, got {len} characters")]
pub struct PanError {
    pub len: usize,
}

impl Pan {
    /// Check and wrap a PAN. The Luhn digit is not checked: test cards and fault scenarios use
    /// PANs that fail it on purpose, and the issuer is the one to refuse them.
    pub fn new(digits: &str) -> Result<Self, PanError> {
        if (12..=19).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit()) {
            Ok(Self(digits.to_string()))
        } else {
            Err(PanError {
                len: digits.chars().count(),
            })
        }
    }

    /// The full number, for putting on a wire.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// First 6 and last 4 digits, the rest `*`.
    pub fn masked(&self) -> String {
        mask_pan(&self.0)
    }
}

impl fmt::Debug for Pan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Pan({})", self.masked())
    }
}

impl fmt::Display for Pan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.masked())
    }
}

impl std::str::FromStr for Pan {
    type Err = PanError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::new(s)
    }
}

/// An encrypted ISO 9564 PIN block as the pad sends it (format 0 under the PIK; see
/// [`crate::crypto::encode_pin_block`]). Prints as `<pin block>`.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct PinBlock(pub [u8; 8]);

impl PinBlock {
    pub fn bytes(&self) -> [u8; 8] {
        self.0
    }
}

impl fmt::Debug for PinBlock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<pin block>")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pan_is_masked_everywhere_it_prints() {
        let pan = Pan::new("6222021000000000017").unwrap();
        assert_eq!(format!("{pan:?}"), "Pan(622202*********0017)");
        assert_eq!(pan.to_string(), "622202*********0017");
        assert_eq!(pan.as_str(), "6222021000000000017");
    }

    #[test]
    fn pan_shape_is_checked() {
        assert!(Pan::new("12345678901").is_err());
        assert!(Pan::new("12345678901234567890").is_err());
        assert!(Pan::new("62220210000000000a7").is_err());
        assert!(Pan::new("622202100000").is_ok());
    }

    #[test]
    fn pin_block_never_prints() {
        assert_eq!(
            format!("{:?}", PinBlock([0x04, 0x12, 0x34, 0xFE, 0, 0, 0, 0])),
            "<pin block>"
        );
    }
}
