//! Field 60: transaction type (60.1, n2), batch number (60.2, n6), network management code
//! (60.3, n3), then any later-version extension digits kept as they came.

use super::accessors::{fixed_digits, parse_digits};
use super::error::{FieldError, FieldProblem};

/// 60.1 transaction type codes of PROTOCOLS.md §7.
pub mod txn_type {
    /// Management messages (sign-on, sign-off, echo, settlement, batch upload).
    pub const MANAGEMENT: u8 = 0;
    pub const BALANCE_INQUIRY: u8 = 1;
    pub const PURCHASE: u8 = 22;
    pub const VOID: u8 = 23;
    pub const REFUND: u8 = 25;
    pub const OFFLINE_SALE: u8 = 30;
}

/// 60.3 network management codes of PROTOCOLS.md §7.
pub mod network_code {
    pub const SIGN_OFF: u16 = 2;
    pub const SIGN_ON: u16 = 3;
    /// Settlement, and batch upload of details.
    pub const SETTLEMENT: u16 = 201;
    pub const BATCH_UPLOAD: u16 = 201;
    pub const BATCH_UPLOAD_END: u16 = 202;
    pub const ECHO_TEST: u16 = 301;
}

/// Field 60 read into its sub-fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field60 {
    /// 60.1, see [`txn_type`].
    pub txn_type: u8,
    /// 60.2, the terminal's batch number (0..=999999).
    pub batch: u32,
    /// 60.3, see [`network_code`]; may be absent when the field is only 8 digits.
    pub network_code: Option<u16>,
    /// Digits after 60.3 (60.4 onwards in later CUP versions), kept verbatim.
    pub extension: String,
}

impl Field60 {
    /// Field 60 with 60.1 to 60.3 and no extension.
    pub fn new(txn_type: u8, batch: u32, network_code: u16) -> Self {
        Self {
            txn_type,
            batch,
            network_code: Some(network_code),
            extension: String::new(),
        }
    }

    /// Read the digits of field 60.
    pub fn parse(digits: &[u8]) -> Result<Self, FieldError> {
        let bad = |problem| FieldError::new(60, problem);
        let num = |d: &[u8]| parse_digits(d).ok_or(bad(FieldProblem::BadCharacter { at: 0 }));
        match digits.len() {
            8 | 11.. => {}
            len => {
                return Err(bad(FieldProblem::WrongLength {
                    len,
                    expected: if len < 8 { 8 } else { 11 },
                }))
            }
        }
        let network_code = match digits.get(8..11) {
            Some(d) => Some(num(d)? as u16),
            None => None,
        };
        let extension = digits.get(11..).unwrap_or_default();
        if !extension.iter().all(u8::is_ascii_digit) {
            return Err(bad(FieldProblem::BadCharacter { at: 11 }));
        }
        Ok(Self {
            txn_type: num(&digits[..2])? as u8,
            batch: num(&digits[2..8])? as u32,
            network_code,
            extension: String::from_utf8_lossy(extension).into_owned(),
        })
    }

    /// The digits of field 60.
    pub fn to_digits(&self) -> Result<Vec<u8>, FieldError> {
        let mut out = Vec::with_capacity(11 + self.extension.len());
        out.extend_from_slice(&fixed_digits::<2>(60, u64::from(self.txn_type))?);
        out.extend_from_slice(&fixed_digits::<6>(60, u64::from(self.batch))?);
        if let Some(code) = self.network_code {
            out.extend_from_slice(&fixed_digits::<3>(60, u64::from(code))?);
            out.extend_from_slice(self.extension.as_bytes());
        } else if !self.extension.is_empty() {
            return Err(FieldError::new(
                60,
                FieldProblem::WrongLength {
                    len: 8 + self.extension.len(),
                    expected: 8,
                },
            ));
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sample_frame_field_60() {
        let f = Field60::parse(b"2600000100060000000").unwrap();
        assert_eq!(f.txn_type, 26);
        assert_eq!(f.batch, 1);
        assert_eq!(f.network_code, Some(0));
        assert_eq!(f.extension, "60000000");
        assert_eq!(f.to_digits().unwrap(), b"2600000100060000000");
    }

    #[test]
    fn short_and_bad_forms() {
        let f = Field60::parse(b"22000123").unwrap();
        assert_eq!((f.txn_type, f.batch, f.network_code), (22, 123, None));
        assert_eq!(f.to_digits().unwrap(), b"22000123");
        assert!(Field60::parse(b"2200012300").is_err());
        assert!(Field60::new(0, 1_000_000, 3).to_digits().is_err());
    }
}
