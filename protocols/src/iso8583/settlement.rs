//! Settlement totals of field 48 (0500/0510): domestic then foreign, each debit amount n12 +
//! count n3 + credit amount n12 + count n3 + reconciliation flag n1.

use super::accessors::{fixed_digits, parse_digits};
use super::error::{FieldError, FieldProblem};
use super::message::Message;

/// The reconciliation flag: 0 in the terminal's request; the host answers 1, 2 or 3.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ReconciliationFlag {
    /// 0: not reconciled yet (request).
    Pending,
    /// 1: the host's totals agree.
    Balanced,
    /// 2: the totals differ; upload the details (0320), then end the upload.
    NotBalanced,
    /// 3: the host could not reconcile.
    Error,
    /// Any other digit, kept.
    Other(u8),
}

impl ReconciliationFlag {
    pub fn from_digit(d: u8) -> Self {
        match d {
            0 => Self::Pending,
            1 => Self::Balanced,
            2 => Self::NotBalanced,
            3 => Self::Error,
            other => Self::Other(other),
        }
    }

    pub fn digit(self) -> u8 {
        match self {
            Self::Pending => 0,
            Self::Balanced => 1,
            Self::NotBalanced => 2,
            Self::Error => 3,
            Self::Other(d) => d % 10,
        }
    }
}

/// One card group's totals. Debits are sales (money from the cardholder), credits are refunds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Totals {
    pub debit_amount_minor: u64,
    pub debit_count: u16,
    pub credit_amount_minor: u64,
    pub credit_count: u16,
    pub flag: ReconciliationFlag,
}

impl Default for Totals {
    fn default() -> Self {
        Self {
            debit_amount_minor: 0,
            debit_count: 0,
            credit_amount_minor: 0,
            credit_count: 0,
            flag: ReconciliationFlag::Pending,
        }
    }
}

impl Totals {
    const DIGITS: usize = 31;

    fn write(&self, out: &mut Vec<u8>) -> Result<(), FieldError> {
        out.extend_from_slice(&fixed_digits::<12>(48, self.debit_amount_minor)?);
        out.extend_from_slice(&fixed_digits::<3>(48, u64::from(self.debit_count))?);
        out.extend_from_slice(&fixed_digits::<12>(48, self.credit_amount_minor)?);
        out.extend_from_slice(&fixed_digits::<3>(48, u64::from(self.credit_count))?);
        out.push(b'0' + self.flag.digit());
        Ok(())
    }

    fn read(d: &[u8]) -> Result<Self, FieldError> {
        let num = |r: std::ops::Range<usize>| {
            parse_digits(&d[r.clone()]).ok_or(FieldError::new(
                48,
                FieldProblem::BadCharacter { at: r.start },
            ))
        };
        Ok(Self {
            debit_amount_minor: num(0..12)?,
            debit_count: num(12..15)? as u16,
            credit_amount_minor: num(15..27)?,
            credit_count: num(27..30)? as u16,
            flag: ReconciliationFlag::from_digit(num(30..31)? as u8),
        })
    }
}

/// Field 48 of a settlement.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SettlementTotals {
    pub domestic: Totals,
    pub foreign: Totals,
}

impl SettlementTotals {
    /// Read 62 digits (31 are accepted as domestic only, foreign zero).
    pub fn parse(digits: &[u8]) -> Result<Self, FieldError> {
        match digits.len() {
            Totals::DIGITS => Ok(Self {
                domestic: Totals::read(digits)?,
                foreign: Totals::default(),
            }),
            62 => Ok(Self {
                domestic: Totals::read(&digits[..31])?,
                foreign: Totals::read(&digits[31..])?,
            }),
            len => Err(FieldError::new(
                48,
                FieldProblem::WrongLength { len, expected: 62 },
            )),
        }
    }

    /// The 62 digits of field 48.
    pub fn to_digits(&self) -> Result<Vec<u8>, FieldError> {
        let mut out = Vec::with_capacity(62);
        self.domestic.write(&mut out)?;
        self.foreign.write(&mut out)?;
        Ok(out)
    }

    /// The same totals with both flags set (host side).
    pub fn with_flag(mut self, flag: ReconciliationFlag) -> Self {
        self.domestic.flag = flag;
        self.foreign.flag = flag;
        self
    }
}

impl Message {
    /// Field 48 read as settlement totals; `None` if absent.
    pub fn settlement_totals(&self) -> Option<Result<SettlementTotals, FieldError>> {
        self.get(48).map(SettlementTotals::parse)
    }

    pub fn set_settlement_totals(
        &mut self,
        totals: &SettlementTotals,
    ) -> Result<&mut Self, FieldError> {
        let digits = totals.to_digits()?;
        self.set(48, digits)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn totals_round_trip() {
        let t = SettlementTotals {
            domestic: Totals {
                debit_amount_minor: 123_456,
                debit_count: 12,
                credit_amount_minor: 500,
                credit_count: 1,
                flag: ReconciliationFlag::Pending,
            },
            foreign: Totals::default(),
        };
        let d = t.to_digits().unwrap();
        assert_eq!(d.len(), 62);
        assert_eq!(&d[..31], b"0000001234560120000000005000010");
        assert_eq!(SettlementTotals::parse(&d).unwrap(), t);
        let answered = t.with_flag(ReconciliationFlag::NotBalanced);
        let d = answered.to_digits().unwrap();
        assert_eq!(d[30], b'2');
        assert_eq!(SettlementTotals::parse(&d).unwrap(), answered);
        assert!(SettlementTotals::parse(b"123").is_err());
        let mut too_many = t;
        too_many.domestic.debit_count = 1000;
        assert!(too_many.to_digits().is_err());
    }
}
