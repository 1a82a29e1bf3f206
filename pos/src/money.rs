//! Money as exact decimals: the [`Money`] amount, currencies with their minor units, rounding
//! rules (half-up, half-even, cash rounding to an increment) and minor-unit conversion for the
//! wire. No binary floating point is ever involved.

use std::fmt;
use std::iter::Sum;
use std::ops::{Add, AddAssign, Mul, Neg, Sub, SubAssign};
use std::str::FromStr;

use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A failure to build or convert an amount.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    /// Text that is not a decimal number.
    #[error("parse amount `{0}`: not a decimal number")]
    Parse(String),
    /// An amount with more decimals than the currency's minor unit.
    #[error("convert {amount} to minor units: more than {minor_units} decimals")]
    NotMinorExact {
        /// The amount.
        amount: Decimal,
        /// The currency's number of decimals.
        minor_units: u32,
    },
    /// An amount too large for an `i64` of minor units.
    #[error("convert {0} to minor units: out of range")]
    OutOfRange(Decimal),
}

/// An amount of money in the store currency. Arithmetic is exact; rounding happens only where a
/// rule says so ([`Money::round`], [`Money::round_to_increment`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Money(Decimal);

impl Money {
    /// Zero.
    pub const ZERO: Money = Money(Decimal::ZERO);

    /// Wraps a decimal amount.
    pub const fn new(amount: Decimal) -> Self {
        Money(amount)
    }

    /// The decimal amount.
    pub const fn amount(self) -> Decimal {
        self.0
    }

    /// Whether the amount is zero.
    pub fn is_zero(self) -> bool {
        self.0.is_zero()
    }

    /// Whether the amount is below zero.
    pub fn is_negative(self) -> bool {
        self.0.is_sign_negative() && !self.0.is_zero()
    }

    /// Rounds to `dp` decimals with `rule`.
    pub fn round(self, dp: u32, rule: Rounding) -> Money {
        Money(
            self.0
                .round_dp_with_strategy(dp, rule.strategy())
                .normalize_to(dp),
        )
    }

    /// Rounds to a multiple of `increment` (e.g. `0.05` or `0.10` for cash) with `rule`.
    ///
    /// # Panics
    /// If `increment` is not positive (configuration validation rejects that earlier).
    pub fn round_to_increment(self, increment: Decimal, rule: Rounding) -> Money {
        assert!(
            increment > Decimal::ZERO,
            "rounding increment must be positive"
        );
        let steps = (self.0 / increment).round_dp_with_strategy(0, rule.strategy());
        Money(steps * increment)
    }

    /// Multiplies by an exact factor (a quantity, a weight in kg, a rate) without rounding.
    pub fn times(self, factor: Decimal) -> Money {
        Money(self.0 * factor)
    }

    /// The smaller of two amounts.
    pub fn min(self, other: Money) -> Money {
        if self <= other {
            self
        } else {
            other
        }
    }

    /// The larger of two amounts.
    pub fn max(self, other: Money) -> Money {
        if self >= other {
            self
        } else {
            other
        }
    }
}

trait NormalizeTo {
    fn normalize_to(self, dp: u32) -> Self;
}

impl NormalizeTo for Decimal {
    /// Gives the decimal exactly `dp` fractional digits so `1.5` prints as `1.50`.
    fn normalize_to(mut self, dp: u32) -> Self {
        if self.scale() < dp {
            self.rescale(dp);
        }
        self
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let shown = self.0.normalize_to(2);
        fmt::Display::fmt(&shown, f)
    }
}

impl FromStr for Money {
    type Err = MoneyError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Decimal::from_str_exact(s.trim())
            .map(Money)
            .map_err(|_| MoneyError::Parse(s.to_owned()))
    }
}

impl Serialize for Money {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Money {
    /// Accepts a quoted decimal (`"12.50"`) or an integer; a bare YAML float is refused because it
    /// has already passed through binary floating point.
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Int(i64),
            Text(String),
            Float(f64),
        }
        match Raw::deserialize(d)? {
            Raw::Int(i) => Ok(Money(Decimal::from(i))),
            Raw::Text(s) => s.parse().map_err(serde::de::Error::custom),
            Raw::Float(x) => Err(serde::de::Error::custom(format!(
                "amount {x} must be written as a quoted decimal string, e.g. \"{x}\""
            ))),
        }
    }
}

impl Add for Money {
    type Output = Money;
    fn add(self, rhs: Money) -> Money {
        Money(self.0 + rhs.0)
    }
}

impl Sub for Money {
    type Output = Money;
    fn sub(self, rhs: Money) -> Money {
        Money(self.0 - rhs.0)
    }
}

impl AddAssign for Money {
    fn add_assign(&mut self, rhs: Money) {
        self.0 += rhs.0;
    }
}

impl SubAssign for Money {
    fn sub_assign(&mut self, rhs: Money) {
        self.0 -= rhs.0;
    }
}

impl Neg for Money {
    type Output = Money;
    fn neg(self) -> Money {
        Money(-self.0)
    }
}

impl Mul<Decimal> for Money {
    type Output = Money;
    fn mul(self, rhs: Decimal) -> Money {
        self.times(rhs)
    }
}

impl Sum for Money {
    fn sum<I: Iterator<Item = Money>>(iter: I) -> Money {
        iter.fold(Money::ZERO, Add::add)
    }
}

impl<'a> Sum<&'a Money> for Money {
    fn sum<I: Iterator<Item = &'a Money>>(iter: I) -> Money {
        iter.copied().sum()
    }
}

/// How a midpoint is rounded.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Rounding {
    /// Half away from zero (commercial rounding: 0.125 → 0.13).
    #[default]
    HalfUp,
    /// Half to even (banker's rounding: 0.125 → 0.12).
    HalfEven,
}

impl Rounding {
    fn strategy(self) -> RoundingStrategy {
        match self {
            Rounding::HalfUp => RoundingStrategy::MidpointAwayFromZero,
            Rounding::HalfEven => RoundingStrategy::MidpointNearestEven,
        }
    }
}

/// A currency: ISO 4217 code and numeric code, and its number of decimals (minor units).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Currency {
    /// Alphabetic code, e.g. `CNY`.
    pub code: String,
    /// Numeric code as sent in ISO 8583 field 49, e.g. `156`.
    pub numeric: String,
    /// Decimals of the minor unit (2 for CNY: fen).
    pub minor_units: u32,
}

impl Default for Currency {
    fn default() -> Self {
        Currency::cny()
    }
}

impl Currency {
    /// Chinese yuan renminbi: `CNY`, `156`, 2 decimals.
    pub fn cny() -> Self {
        Currency {
            code: "CNY".into(),
            numeric: "156".into(),
            minor_units: 2,
        }
    }

    /// Converts an amount to minor units, refusing any amount with sub-minor digits.
    pub fn to_minor(&self, m: Money) -> Result<i64, MoneyError> {
        let scaled = m.0 * Decimal::from(10i64.pow(self.minor_units));
        if scaled.fract() != Decimal::ZERO {
            return Err(MoneyError::NotMinorExact {
                amount: m.0,
                minor_units: self.minor_units,
            });
        }
        i64::try_from(scaled.trunc()).map_err(|_| MoneyError::OutOfRange(m.0))
    }

    /// Builds an amount from minor units (`1234` fen → `12.34`).
    pub fn from_minor(&self, minor: i64) -> Money {
        Money(Decimal::new(minor, self.minor_units))
    }

    /// Rounds an amount to this currency's minor unit with `rule`.
    pub fn round(&self, m: Money, rule: Rounding) -> Money {
        m.round(self.minor_units, rule)
    }
}

/// Parses a literal amount; for tests and constants.
///
/// # Panics
/// If `s` is not a decimal number.
pub fn money(s: &str) -> Money {
    s.parse()
        .unwrap_or_else(|e| panic!("money literal `{s}`: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    #[test]
    fn point_one_plus_point_two_is_exact() {
        assert_eq!(money("0.10") + money("0.20"), money("0.30"));
        assert_eq!((money("0.1") + money("0.2")).to_string(), "0.30");
    }

    #[test]
    fn rounding_rules_differ_at_midpoints() {
        assert_eq!(money("0.125").round(2, Rounding::HalfUp), money("0.13"));
        assert_eq!(money("0.125").round(2, Rounding::HalfEven), money("0.12"));
        assert_eq!(money("0.135").round(2, Rounding::HalfEven), money("0.14"));
        assert_eq!(money("-0.125").round(2, Rounding::HalfUp), money("-0.13"));
    }

    #[test]
    fn cash_rounding_to_increments() {
        let r = Rounding::HalfUp;
        assert_eq!(
            money("12.34").round_to_increment(dec!(0.10), r),
            money("12.30")
        );
        assert_eq!(
            money("12.35").round_to_increment(dec!(0.10), r),
            money("12.40")
        );
        assert_eq!(
            money("12.32").round_to_increment(dec!(0.05), r),
            money("12.30")
        );
        assert_eq!(
            money("12.33").round_to_increment(dec!(0.05), r),
            money("12.35")
        );
        assert_eq!(
            money("12.325").round_to_increment(dec!(0.05), r),
            money("12.35")
        );
    }

    #[test]
    fn minor_units_round_trip_and_refuse_fractions() {
        let cny = Currency::cny();
        assert_eq!(cny.to_minor(money("12.34")), Ok(1234));
        assert_eq!(cny.to_minor(money("-0.5")), Ok(-50));
        assert_eq!(cny.from_minor(1234), money("12.34"));
        assert_eq!(cny.from_minor(1234).to_string(), "12.34");
        assert!(matches!(
            cny.to_minor(money("0.125")),
            Err(MoneyError::NotMinorExact { .. })
        ));
    }

    #[test]
    fn display_always_shows_two_decimals() {
        assert_eq!(money("3").to_string(), "3.00");
        assert_eq!(money("3.5").to_string(), "3.50");
        assert_eq!(money("3.456").to_string(), "3.456");
    }

    #[test]
    fn yaml_amounts_must_be_strings_or_integers() {
        let m: Money = serde_yaml::from_str("\"0.10\"").unwrap();
        assert_eq!(m, money("0.10"));
        let m: Money = serde_yaml::from_str("5").unwrap();
        assert_eq!(m, money("5"));
        let err = serde_yaml::from_str::<Money>("0.1").unwrap_err();
        assert!(err.to_string().contains("quoted decimal"), "{err}");
    }
}
