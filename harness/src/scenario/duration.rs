//! Durations as scenarios write them: `250ms`, `2s`, `1.5s`, `1m`, `1h`.

use std::fmt;
use std::str::FromStr;

use schemars::schema::{InstanceType, Schema, SchemaObject, StringValidation};
use schemars::JsonSchema;
use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};

/// A length of time written with a unit: `250ms`, `2s`, `1.5s`, `1m`, `1h` (also `us`, `min`).
///
/// A bare number is an error, because `2` could mean seconds or milliseconds.
///
/// ```
/// use posrig_harness::scenario::Duration;
/// let d: Duration = "1.5s".parse().unwrap();
/// assert_eq!(d.as_std(), std::time::Duration::from_millis(1500));
/// assert_eq!(d.to_string(), "1500ms");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Duration(std::time::Duration);

/// What every duration error says.
pub const DURATION_EXPECTED: &str = "expected a duration like `250ms` or `2s`";

impl Duration {
    pub const fn from_millis(ms: u64) -> Duration {
        Duration(std::time::Duration::from_millis(ms))
    }

    pub const fn from_secs(s: u64) -> Duration {
        Duration(std::time::Duration::from_secs(s))
    }

    pub fn as_std(self) -> std::time::Duration {
        self.0
    }

    pub fn as_millis(self) -> u128 {
        self.0.as_millis()
    }
}

impl From<Duration> for std::time::Duration {
    fn from(d: Duration) -> Self {
        d.0
    }
}

impl FromStr for Duration {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let text = s.trim();
        let split = text
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(text.len());
        let (number, unit) = text.split_at(split);
        let bad = || format!("{DURATION_EXPECTED}, not `{s}`");
        if number.is_empty() {
            return Err(bad());
        }
        let number: f64 = number.parse().map_err(|_| bad())?;
        let unit_s = match unit.trim() {
            "us" | "µs" => 1e-6,
            "ms" => 1e-3,
            "s" | "sec" => 1.0,
            "m" | "min" => 60.0,
            "h" => 3600.0,
            "" => {
                return Err(format!(
                    "{DURATION_EXPECTED}: `{s}` has no unit (us, ms, s, m, h)"
                ))
            }
            other => {
                return Err(format!(
                    "{DURATION_EXPECTED}: unknown unit `{other}` (us, ms, s, m, h)"
                ))
            }
        };
        let secs = number * unit_s;
        if !secs.is_finite() || secs > 366.0 * 86_400.0 {
            return Err(format!("{DURATION_EXPECTED}: `{s}` is too long"));
        }
        Ok(Duration(std::time::Duration::from_secs_f64(secs)))
    }
}

impl fmt::Display for Duration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let d = self.0;
        if d.subsec_nanos() % 1_000_000 != 0 {
            write!(f, "{}us", d.as_micros())
        } else if d.as_millis() % 1000 != 0 {
            write!(f, "{}ms", d.as_millis())
        } else if d.as_secs() % 60 != 0 || d.as_secs() == 0 {
            write!(f, "{}s", d.as_secs())
        } else {
            write!(f, "{}m", d.as_secs() / 60)
        }
    }
}

impl Serialize for Duration {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Duration {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Duration;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a duration like `250ms` or `2s`")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Duration, E> {
                v.parse().map_err(E::custom)
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Duration, E> {
                Err(E::custom(format!(
                    "{DURATION_EXPECTED}: `{v}` has no unit (write `{v}ms` or `{v}s`)"
                )))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Duration, E> {
                Err(E::custom(format!("{DURATION_EXPECTED}, not `{v}`")))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Duration, E> {
                Err(E::custom(format!(
                    "{DURATION_EXPECTED}: `{v}` has no unit (write `{v}s`)"
                )))
            }
        }
        d.deserialize_any(V)
    }
}

impl JsonSchema for Duration {
    fn schema_name() -> String {
        "Duration".into()
    }

    fn json_schema(_: &mut schemars::gen::SchemaGenerator) -> Schema {
        SchemaObject {
            instance_type: Some(InstanceType::String.into()),
            string: Some(Box::new(StringValidation {
                pattern: Some(r"^\s*[0-9]+(\.[0-9]+)?\s*(us|µs|ms|s|sec|m|min|h)\s*$".into()),
                ..Default::default()
            })),
            metadata: Some(Box::new(schemars::schema::Metadata {
                description: Some("A duration with a unit: `250ms`, `2s`, `1m`.".into()),
                examples: vec!["250ms".into(), "2s".into(), "1m".into()],
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

    fn ms(text: &str) -> u128 {
        text.parse::<Duration>().unwrap().as_millis()
    }

    #[test]
    fn units() {
        assert_eq!(ms("250ms"), 250);
        assert_eq!(ms("2s"), 2000);
        assert_eq!(ms("1.5s"), 1500);
        assert_eq!(ms("1m"), 60_000);
        assert_eq!(ms("2min"), 120_000);
        assert_eq!(ms("1h"), 3_600_000);
        assert_eq!(
            "500us".parse::<Duration>().unwrap().as_std().as_micros(),
            500
        );
        assert_eq!(ms(" 3 s "), 3000);
    }

    #[test]
    fn errors_say_what_was_expected() {
        for bad in ["2", "fast", "2 parsecs", "ms", "-1s", "1e400s"] {
            let e = bad.parse::<Duration>().unwrap_err();
            assert!(e.starts_with(DURATION_EXPECTED), "{bad}: {e}");
        }
        let e = serde_yaml::from_str::<Duration>("2")
            .unwrap_err()
            .to_string();
        assert!(e.contains("`2` has no unit (write `2ms` or `2s`)"), "{e}");
        let e = serde_yaml::from_str::<Duration>("2.5")
            .unwrap_err()
            .to_string();
        assert!(e.contains("write `2.5s`"), "{e}");
    }

    #[test]
    fn display_round_trips() {
        for text in ["250ms", "2s", "1m", "90s", "500us", "0s"] {
            let d: Duration = text.parse().unwrap();
            assert_eq!(d.to_string(), text);
            assert_eq!(d.to_string().parse::<Duration>().unwrap(), d);
        }
    }
}
