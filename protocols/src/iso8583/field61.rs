//! Field 61: the original transaction a void, refund or advice refers to — original batch (n6),
//! original STAN (n6), original date `MMDD` (n4), then extension digits kept as they came.

use super::accessors::{fixed_digits, parse_digits};
use super::error::{FieldError, FieldProblem};

/// Field 61 read into its sub-fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field61 {
    pub original_batch: u32,
    pub original_stan: u32,
    /// `MMDD`; absent when the field is only 12 digits (a void in the same batch).
    pub original_date: Option<String>,
    /// Digits after the date, kept verbatim.
    pub extension: String,
}

impl Field61 {
    pub fn new(original_batch: u32, original_stan: u32, original_date: Option<&str>) -> Self {
        Self {
            original_batch,
            original_stan,
            original_date: original_date.map(str::to_owned),
            extension: String::new(),
        }
    }

    /// Read the digits of field 61.
    pub fn parse(digits: &[u8]) -> Result<Self, FieldError> {
        let bad = |problem| FieldError::new(61, problem);
        let num = |d: &[u8]| parse_digits(d).ok_or(bad(FieldProblem::BadCharacter { at: 0 }));
        match digits.len() {
            12 | 16.. => {}
            len => {
                return Err(bad(FieldProblem::WrongLength {
                    len,
                    expected: if len < 12 { 12 } else { 16 },
                }))
            }
        }
        let text = |d: &[u8]| String::from_utf8_lossy(d).into_owned();
        if !digits.iter().all(u8::is_ascii_digit) {
            return Err(bad(FieldProblem::BadCharacter { at: 0 }));
        }
        Ok(Self {
            original_batch: num(&digits[..6])? as u32,
            original_stan: num(&digits[6..12])? as u32,
            original_date: digits.get(12..16).map(text),
            extension: digits.get(16..).map(text).unwrap_or_default(),
        })
    }

    /// The digits of field 61.
    pub fn to_digits(&self) -> Result<Vec<u8>, FieldError> {
        let mut out = Vec::with_capacity(16 + self.extension.len());
        out.extend_from_slice(&fixed_digits::<6>(61, u64::from(self.original_batch))?);
        out.extend_from_slice(&fixed_digits::<6>(61, u64::from(self.original_stan))?);
        let tail_ok = match &self.original_date {
            Some(date) => {
                let ok = date.len() == 4 && date.bytes().all(|b| b.is_ascii_digit());
                out.extend_from_slice(date.as_bytes());
                out.extend_from_slice(self.extension.as_bytes());
                ok
            }
            None => self.extension.is_empty(),
        };
        if !tail_ok {
            return Err(FieldError::new(61, FieldProblem::BadCharacter { at: 12 }));
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_with_and_without_date() {
        let f = Field61::new(1, 42, Some("0826"));
        assert_eq!(f.to_digits().unwrap(), b"0000010000420826");
        assert_eq!(Field61::parse(b"0000010000420826").unwrap(), f);
        let f = Field61::new(1, 42, None);
        assert_eq!(Field61::parse(&f.to_digits().unwrap()).unwrap(), f);
        assert!(Field61::parse(b"00000100004208").is_err());
        assert!(Field61::new(1, 42, Some("08")).to_digits().is_err());
    }
}
