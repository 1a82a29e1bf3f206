//! Amounts of money as scenarios write them: decimal strings, `"12.30"`, never YAML floats.

use std::fmt;
use std::str::FromStr;

use rust_decimal::Decimal;
use schemars::schema::{InstanceType, Schema, SchemaObject, StringValidation};
use schemars::JsonSchema;
use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};

/// An amount in major units, written as a string: `"12.30"`.
///
/// An unquoted `12.3` is an error: YAML reads it as a binary float, and money is decimal.
///
/// ```
/// use posrig_harness::scenario::Amount;
/// let a: Amount = serde_yaml::from_str("\"12.30\"").unwrap();
/// assert_eq!(a.to_string(), "12.30");
/// let e = serde_yaml::from_str::<Amount>("12.3").unwrap_err();
/// assert!(e.to_string().contains("write money as a string, e.g. \"12.30\""));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Amount(pub Decimal);

/// What every money error says.
pub const MONEY_EXPECTED: &str = "write money as a string, e.g. \"12.30\"";

impl Amount {
    pub fn decimal(self) -> Decimal {
        self.0
    }
}

impl FromStr for Amount {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let t = s.trim();
        let digits_ok = !t.is_empty()
            && t.chars().all(|c| c.is_ascii_digit() || c == '.')
            && t.matches('.').count() <= 1
            && !t.starts_with('.')
            && !t.ends_with('.');
        if !digits_ok {
            return Err(format!(
                "expected an amount like \"12.30\" (digits and one point), not `{s}`"
            ));
        }
        let d = Decimal::from_str(t).map_err(|e| format!("read amount `{s}`: {e}"))?;
        if d.scale() > 2 {
            return Err(format!(
                "amount `{s}` has more than two decimals; write it to the fen, e.g. \"12.30\""
            ));
        }
        Ok(Amount(d))
    }
}

impl fmt::Display for Amount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl Serialize for Amount {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Amount {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Amount;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an amount as a string, e.g. \"12.30\"")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Amount, E> {
                v.parse().map_err(E::custom)
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Amount, E> {
                Err(E::custom(format!(
                    "{MONEY_EXPECTED}: the float {v} is not an exact amount"
                )))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Amount, E> {
                Err(E::custom(format!("{MONEY_EXPECTED}, not the number {v}")))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Amount, E> {
                Err(E::custom(format!("{MONEY_EXPECTED}, not the number {v}")))
            }
        }
        d.deserialize_any(V)
    }
}

impl JsonSchema for Amount {
    fn schema_name() -> String {
        "Amount".into()
    }

    fn json_schema(_: &mut schemars::gen::SchemaGenerator) -> Schema {
        SchemaObject {
            instance_type: Some(InstanceType::String.into()),
            string: Some(Box::new(StringValidation {
                pattern: Some(r"^\s*[0-9]+(\.[0-9]{1,2})?\s*$".into()),
                ..Default::default()
            })),
            metadata: Some(Box::new(schemars::schema::Metadata {
                description: Some("Money in major units, as a string: \"12.30\".".into()),
                examples: vec!["12.30".into()],
                ..Default::default()
            })),
            ..Default::default()
        }
        .into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_are_exact_decimals() {
        let a: Amount = "12.30".parse().unwrap();
        assert_eq!(a.decimal(), Decimal::new(1230, 2));
        assert_eq!(a.to_string(), "12.30");
        assert_eq!("20".parse::<Amount>().unwrap().decimal(), Decimal::from(20));
        assert_eq!(
            serde_yaml::from_str::<Amount>("'0.05'").unwrap().decimal(),
            Decimal::new(5, 2)
        );
    }

    #[test]
    fn floats_numbers_and_junk_are_errors() {
        for yaml in ["12.3", "20", "-1"] {
            let e = serde_yaml::from_str::<Amount>(yaml)
                .unwrap_err()
                .to_string();
            assert!(e.contains(MONEY_EXPECTED), "{yaml}: {e}");
        }
        for text in ["12,30", "¥12", "1.234", "", "-3.00", "1.2.3", ".5"] {
            assert!(text.parse::<Amount>().is_err(), "{text}");
        }
    }
}
