//! Whole numbers in steps (grams, quantities, repeat counts) that a journey may leave to a
//! parameter: `grams: 1250` or, in a journey, `grams: ${grams}`.

use std::fmt;

use schemars::schema::{InstanceType, Schema, SchemaObject, StringValidation, SubschemaValidation};
use schemars::JsonSchema;
use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};

/// A whole number, or a journey parameter (`${name}`) that stands for one until the journey is
/// used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Count {
    Value(u32),
    /// `${name}`: only in journeys; expansion replaces it with the parameter's value.
    Param(String),
}

impl Count {
    /// The number, once parameters are substituted.
    pub fn value(&self) -> Option<u32> {
        match self {
            Count::Value(n) => Some(*n),
            Count::Param(_) => None,
        }
    }
}

impl fmt::Display for Count {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Count::Value(n) => write!(f, "{n}"),
            Count::Param(p) => write!(f, "${{{p}}}"),
        }
    }
}

/// The name in `${name}` when `text` is exactly one parameter reference.
pub fn whole_param(text: &str) -> Option<&str> {
    let inner = text.trim().strip_prefix("${")?.strip_suffix('}')?;
    (!inner.is_empty()
        && inner
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-'))
    .then_some(inner)
}

impl Serialize for Count {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Count::Value(n) => s.serialize_u32(*n),
            Count::Param(_) => s.collect_str(self),
        }
    }
}

impl<'de> Deserialize<'de> for Count {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Count;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a whole number (or `${param}` in a journey)")
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Count, E> {
                u32::try_from(v).map(Count::Value).map_err(|_| {
                    E::custom(format!(
                        "expected a whole number up to {}, not {v}",
                        u32::MAX
                    ))
                })
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Count, E> {
                Err(E::custom(format!(
                    "expected a whole number of 0 or more, not {v}"
                )))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Count, E> {
                Err(E::custom(format!("expected a whole number, not {v}")))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Count, E> {
                if let Some(p) = whole_param(v) {
                    return Ok(Count::Param(p.to_owned()));
                }
                match v.trim().parse::<u32>() {
                    Ok(n) => Ok(Count::Value(n)),
                    Err(_) => Err(E::custom(format!(
                        "expected a whole number (or `${{param}}` in a journey), not `{v}`"
                    ))),
                }
            }
        }
        d.deserialize_any(V)
    }
}

impl JsonSchema for Count {
    fn schema_name() -> String {
        "Count".into()
    }

    fn json_schema(_: &mut schemars::gen::SchemaGenerator) -> Schema {
        let number = SchemaObject {
            instance_type: Some(InstanceType::Integer.into()),
            number: Some(Box::new(schemars::schema::NumberValidation {
                minimum: Some(0.0),
                ..Default::default()
            })),
            ..Default::default()
        };
        let param = SchemaObject {
            instance_type: Some(InstanceType::String.into()),
            string: Some(Box::new(StringValidation {
                pattern: Some(r"^\s*(\$\{[A-Za-z0-9_-]+\}|[0-9]+)\s*$".into()),
                ..Default::default()
            })),
            ..Default::default()
        };
        SchemaObject {
            subschemas: Some(Box::new(SubschemaValidation {
                any_of: Some(vec![number.into(), param.into()]),
                ..Default::default()
            })),
            metadata: Some(Box::new(schemars::schema::Metadata {
                description: Some("A whole number; in a journey also `${param}`.".into()),
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
    fn numbers_and_params() {
        assert_eq!(serde_yaml::from_str::<Count>("3").unwrap(), Count::Value(3));
        assert_eq!(
            serde_yaml::from_str::<Count>("'12'").unwrap(),
            Count::Value(12)
        );
        assert_eq!(
            serde_yaml::from_str::<Count>("${basket_size}").unwrap(),
            Count::Param("basket_size".into())
        );
        assert!(serde_yaml::from_str::<Count>("-2").is_err());
        assert!(serde_yaml::from_str::<Count>("2.5").is_err());
        assert!(serde_yaml::from_str::<Count>("many").is_err());
        assert_eq!(whole_param(" ${card} "), Some("card"));
        assert_eq!(whole_param("x${card}"), None);
    }
}
