//! Batch-upload detail records in field 48 of a 0320 (posrig's compact format).
//!
//! Field 48 = record count (n2) + up to 8 records of 40 digits: transaction type (n2, the 60.1
//! code of the original), STAN (n6), PAN right-justified and zero-filled (n20), amount in minor
//! units (n12). 2 + 8 × 40 = 322 digits, the maximum of field 48. A PAN never starts with 0, so
//! the leading zeros of the PAN slot are filling. The end-of-upload 0320 carries the total
//! number of uploaded records as n4 instead.

use std::fmt;

use super::accessors::{fixed_digits, parse_digits};
use super::error::{FieldError, FieldProblem};
use super::message::Message;

/// The most records one 0320 carries.
pub const MAX_DETAILS_PER_MESSAGE: usize = 8;

const RECORD_DIGITS: usize = 40;

/// One transaction of the batch, as uploaded when settlement does not balance.
#[derive(Clone, PartialEq, Eq)]
pub struct DetailRecord {
    /// The 60.1 code of the transaction (see [`super::txn_type`]).
    pub txn_type: u8,
    pub stan: u32,
    /// 12 to 19 digits, not starting with 0.
    pub pan: String,
    pub amount_minor: u64,
}

fn bad(at: usize) -> FieldError {
    FieldError::new(48, FieldProblem::BadCharacter { at })
}

impl DetailRecord {
    fn write(&self, out: &mut Vec<u8>) -> Result<(), FieldError> {
        let at = out.len();
        let pan = self.pan.as_bytes();
        if !(12..=19).contains(&pan.len()) || pan[0] == b'0' || !pan.iter().all(u8::is_ascii_digit)
        {
            return Err(bad(at + 8));
        }
        out.extend_from_slice(&fixed_digits::<2>(48, u64::from(self.txn_type))?);
        out.extend_from_slice(&fixed_digits::<6>(48, u64::from(self.stan))?);
        out.extend(std::iter::repeat_n(b'0', 20 - pan.len()));
        out.extend_from_slice(pan);
        out.extend_from_slice(&fixed_digits::<12>(48, self.amount_minor)?);
        Ok(())
    }

    fn read(d: &[u8], at: usize) -> Result<Self, FieldError> {
        let num = |r: std::ops::Range<usize>| parse_digits(&d[r.clone()]).ok_or(bad(at + r.start));
        let pan_slot = &d[8..28];
        let first = pan_slot.iter().position(|&c| c != b'0').unwrap_or(20);
        let pan = &pan_slot[first..];
        if pan.len() < 12 || !pan.iter().all(u8::is_ascii_digit) {
            return Err(bad(at + 8));
        }
        Ok(Self {
            txn_type: num(0..2)? as u8,
            stan: num(2..8)? as u32,
            pan: String::from_utf8_lossy(pan).into_owned(),
            amount_minor: num(28..40)?,
        })
    }

    /// Field 48 for up to [`MAX_DETAILS_PER_MESSAGE`] records.
    pub fn encode_batch(records: &[DetailRecord]) -> Result<Vec<u8>, FieldError> {
        if records.is_empty() || records.len() > MAX_DETAILS_PER_MESSAGE {
            return Err(FieldError::new(
                48,
                FieldProblem::TooLong {
                    len: records.len(),
                    max: MAX_DETAILS_PER_MESSAGE,
                },
            ));
        }
        let mut out = Vec::with_capacity(2 + records.len() * RECORD_DIGITS);
        out.extend_from_slice(&fixed_digits::<2>(48, records.len() as u64)?);
        for r in records {
            r.write(&mut out)?;
        }
        Ok(out)
    }

    /// The records of a 0320's field 48.
    pub fn parse_batch(digits: &[u8]) -> Result<Vec<DetailRecord>, FieldError> {
        let count = digits.get(..2).and_then(parse_digits).ok_or(bad(0))? as usize;
        let expected = 2 + count * RECORD_DIGITS;
        if count == 0 || count > MAX_DETAILS_PER_MESSAGE || digits.len() != expected {
            return Err(FieldError::new(
                48,
                FieldProblem::WrongLength {
                    len: digits.len(),
                    expected,
                },
            ));
        }
        digits[2..]
            .chunks_exact(RECORD_DIGITS)
            .enumerate()
            .map(|(i, d)| Self::read(d, 2 + i * RECORD_DIGITS))
            .collect()
    }
}

impl fmt::Debug for DetailRecord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DetailRecord")
            .field("txn_type", &self.txn_type)
            .field("stan", &self.stan)
            .field("pan", &crate::card::mask_pan(&self.pan))
            .field("amount_minor", &self.amount_minor)
            .finish()
    }
}

impl Message {
    /// Field 48 read as batch-upload details; `None` if absent.
    pub fn detail_records(&self) -> Option<Result<Vec<DetailRecord>, FieldError>> {
        self.get(48).map(DetailRecord::parse_batch)
    }

    /// Field 48 of an end-of-upload 0320 read as the total record count (n4).
    pub fn uploaded_count(&self) -> Option<u16> {
        let d = self.get(48)?;
        (d.len() == 4).then(|| parse_digits(d))??.try_into().ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(i: u32) -> DetailRecord {
        DetailRecord {
            txn_type: 22,
            stan: i,
            pan: "6228480402564890018".into(),
            amount_minor: u64::from(i) * 100,
        }
    }

    #[test]
    fn eight_records_fill_field_48_exactly() {
        let records: Vec<_> = (1..=8).map(record).collect();
        let d = DetailRecord::encode_batch(&records).unwrap();
        assert_eq!(d.len(), 322);
        assert_eq!(DetailRecord::parse_batch(&d).unwrap(), records);
        let mut m = Message::new(super::super::mti::Mti::BATCH_UPLOAD);
        m.set(48, &d).unwrap();
        assert_eq!(m.detail_records().unwrap().unwrap(), records);
        assert!(DetailRecord::encode_batch(&[]).is_err());
        assert!(DetailRecord::encode_batch(&vec![record(1); 9]).is_err());
        assert!(!format!("{:?}", records[0]).contains("6228480402564890018"));
    }

    #[test]
    fn bad_records_are_refused() {
        let mut r = record(1);
        r.pan = "0123456789012".into();
        assert!(DetailRecord::encode_batch(&[r]).is_err());
        assert!(DetailRecord::parse_batch(b"01123").is_err());
    }
}
