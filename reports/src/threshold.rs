//! Pass/fail thresholds on an operation's results: `p99 < 1500ms`, `errors < 0.5%`,
//! `count >= 100`, `rate > 10/s`. They come from load profiles, are evaluated against the run's
//! histograms, and end up in `summary.json`, `junit.xml` and the report.
//!
//! Grammar: `<metric> <comparison> <value>`, where
//!
//! | metric | value | meaning |
//! | --- | --- | --- |
//! | `p50`, `p99.9`, `p(99.9)` | latency: `250us`, `1500ms`, `1.5s`, `2min` | that percentile |
//! | `min`, `max`, `mean` (`avg`) | latency | |
//! | `errors` | `0.5%` | failed / (completed + failed) |
//! | `errors` | `10` | number of failed operations |
//! | `count` | `100` | number of completed operations |
//! | `rate` | `10/s`, `600/min` | completed operations per second of the run |
//!
//! and the comparison is one of `<`, `<=`, `>`, `>=`.
//!
//! In YAML, thresholds are a map from operation to one expression or a list of them; an entry
//! may also be `{ threshold: "p99 < 1500ms", abort_on_fail: true }`:
//!
//! ```
//! use posrig_reports::Thresholds;
//! let t: Thresholds = serde_json::from_str(
//!     r#"{"card_auth": ["p99 < 1500ms", "errors < 0.5%"], "checkout": "count >= 100"}"#,
//! ).unwrap();
//! assert_eq!(t.len(), 3);
//! ```

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::ser::{SerializeMap, Serializer};
use serde::{Deserialize, Serialize};

use crate::progress::format_us;
use crate::results::SeriesResults;

/// What a threshold measures.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Metric {
    /// A latency percentile, 0 < q ≤ 100.
    Percentile(f64),
    /// Smallest latency.
    Min,
    /// Largest latency.
    Max,
    /// Mean latency.
    Mean,
    /// Number of failed operations.
    Errors,
    /// Failed operations in percent of all attempts.
    ErrorRate,
    /// Number of completed operations.
    Count,
    /// Completed operations per second of the run.
    Rate,
}

impl Metric {
    fn is_latency(self) -> bool {
        matches!(
            self,
            Metric::Percentile(_) | Metric::Min | Metric::Max | Metric::Mean
        )
    }
}

/// How the observed value must compare to the limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Comparison {
    /// `<`
    Less,
    /// `<=`
    LessOrEqual,
    /// `>`
    Greater,
    /// `>=`
    GreaterOrEqual,
}

impl Comparison {
    fn holds(self, observed: f64, limit: f64) -> bool {
        match self {
            Comparison::Less => observed < limit,
            Comparison::LessOrEqual => observed <= limit,
            Comparison::Greater => observed > limit,
            Comparison::GreaterOrEqual => observed >= limit,
        }
    }
}

/// One parsed threshold expression.
#[derive(Debug, Clone, PartialEq)]
pub struct Threshold {
    /// What is measured.
    pub metric: Metric,
    /// How it compares.
    pub comparison: Comparison,
    /// The limit, normalised: µs for latencies, percent for error rates, per second for rates.
    pub limit: f64,
    /// Whether a load run should stop as soon as this threshold fails.
    pub abort_on_fail: bool,
    /// The expression as written, for reports.
    pub expression: String,
}

/// Why a threshold expression was rejected.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("parse threshold `{expression}`: {reason}")]
pub struct ThresholdError {
    /// The expression as written.
    pub expression: String,
    /// What is wrong with it, and what was expected.
    pub reason: String,
}

impl FromStr for Threshold {
    type Err = ThresholdError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let fail = |reason: String| ThresholdError {
            expression: s.to_owned(),
            reason,
        };
        let expr = s.trim();
        let Some(op_at) = expr.find(['<', '>', '=', '!']) else {
            return Err(fail(
                "expected `<metric> <comparison> <value>`, e.g. `p99 < 1500ms`; no comparison (<, <=, >, >=) found".into(),
            ));
        };
        let metric_text = expr[..op_at].trim();
        let rest = &expr[op_at..];
        let (comparison, value_text) = if let Some(v) = rest.strip_prefix("<=") {
            (Comparison::LessOrEqual, v)
        } else if let Some(v) = rest.strip_prefix(">=") {
            (Comparison::GreaterOrEqual, v)
        } else if let Some(v) = rest.strip_prefix('<') {
            (Comparison::Less, v)
        } else if let Some(v) = rest.strip_prefix('>') {
            (Comparison::Greater, v)
        } else {
            let shown: String = rest.chars().take(2).collect();
            return Err(fail(format!(
                "unknown comparison `{shown}`, expected one of <, <=, >, >="
            )));
        };
        let value_text = value_text.trim();
        let metric = parse_metric(metric_text).map_err(fail)?;
        let (number, unit) = split_number(value_text).map_err(fail)?;
        let limit = match metric {
            m if m.is_latency() => number * latency_unit_us(unit, value_text).map_err(fail)?,
            Metric::Errors | Metric::ErrorRate => match unit {
                "" => number,
                "%" => number,
                other => {
                    return Err(fail(format!(
                        "errors take a count (`10`) or a percentage (`0.5%`), not `{other}`"
                    )))
                }
            },
            Metric::Count => {
                if !unit.is_empty() {
                    return Err(fail(format!("count takes a plain number, not `{unit}`")));
                }
                number
            }
            Metric::Rate => match unit.replace(' ', "").as_str() {
                "/s" | "/sec" => number,
                "/m" | "/min" => number / 60.0,
                "/h" => number / 3600.0,
                "" => return Err(fail(format!("rate needs a unit, e.g. `{value_text}/s`"))),
                other => {
                    return Err(fail(format!(
                        "unknown rate unit `{other}`, expected /s, /min or /h"
                    )))
                }
            },
            _ => unreachable!("latency metrics are handled above"),
        };
        // `errors < 0.5%` is a rate; `errors < 10` is a count.
        let metric = if metric == Metric::Errors && unit == "%" {
            Metric::ErrorRate
        } else {
            metric
        };
        Ok(Threshold {
            metric,
            comparison,
            limit,
            abort_on_fail: false,
            expression: expr.to_owned(),
        })
    }
}

fn parse_metric(text: &str) -> Result<Metric, String> {
    let lower = text.to_ascii_lowercase();
    let metric = match lower.as_str() {
        "" => return Err("missing metric before the comparison, e.g. `p99`".into()),
        "min" => Metric::Min,
        "max" => Metric::Max,
        "mean" | "avg" => Metric::Mean,
        "errors" | "error" | "error_rate" | "failures" => Metric::Errors,
        "count" => Metric::Count,
        "rate" | "throughput" => Metric::Rate,
        p if p.starts_with('p') => {
            let q = p[1..].trim_start_matches('(').trim_end_matches(')');
            let q: f64 = q.parse().map_err(|_| {
                format!("unknown percentile `{text}`, expected e.g. `p50`, `p99.9` or `p(99.9)`")
            })?;
            if !(q > 0.0 && q <= 100.0) {
                return Err(format!("percentile `{text}` is outside 0 < p ≤ 100"));
            }
            Metric::Percentile(q)
        }
        _ => {
            return Err(format!(
                "unknown metric `{text}`, expected p<N>, min, max, mean, errors, count or rate"
            ))
        }
    };
    Ok(metric)
}

/// Splits `1500ms` into `(1500.0, "ms")`.
fn split_number(text: &str) -> Result<(f64, &str), String> {
    let end = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '_'))
        .unwrap_or(text.len());
    if end == 0 {
        return Err(if text.is_empty() {
            "missing value after the comparison, e.g. `1500ms`".into()
        } else {
            format!("expected a number, found `{text}`")
        });
    }
    let number: f64 = text[..end]
        .replace('_', "")
        .parse()
        .map_err(|_| format!("`{}` is not a number", &text[..end]))?;
    Ok((number, text[end..].trim()))
}

fn latency_unit_us(unit: &str, value_text: &str) -> Result<f64, String> {
    Ok(match unit {
        "us" | "µs" | "μs" => 1.0,
        "ms" => 1_000.0,
        "s" => 1_000_000.0,
        "m" | "min" => 60_000_000.0,
        "" => {
            return Err(format!(
                "latency needs a unit (us, ms, s, min), e.g. `{value_text}ms`"
            ))
        }
        other => {
            return Err(format!(
                "unknown latency unit `{other}`, expected us, ms, s or min"
            ))
        }
    })
}

impl Threshold {
    /// The observed value for this threshold's metric, in the limit's unit, or `None` when a
    /// latency threshold meets an operation without samples.
    pub fn observe(&self, results: Option<&SeriesResults>, duration_s: f64) -> Option<f64> {
        let empty = SeriesResults::default();
        let r = results.unwrap_or(&empty);
        let h = &r.histogram;
        let errors = r.error_count();
        match self.metric {
            m if m.is_latency() && h.is_empty() => None,
            Metric::Percentile(q) => Some(h.value_at_quantile(q / 100.0) as f64),
            Metric::Min => Some(h.min() as f64),
            Metric::Max => Some(h.max() as f64),
            Metric::Mean => Some(h.mean()),
            Metric::Errors => Some(errors as f64),
            Metric::ErrorRate => {
                let attempts = h.len() + errors;
                Some(if attempts == 0 {
                    0.0
                } else {
                    errors as f64 * 100.0 / attempts as f64
                })
            }
            Metric::Count => Some(h.len() as f64),
            Metric::Rate => Some(if duration_s > 0.0 {
                h.len() as f64 / duration_s
            } else {
                0.0
            }),
        }
    }

    /// Evaluates this threshold for operation `op` against its results.
    pub fn evaluate(
        &self,
        op: &str,
        results: Option<&SeriesResults>,
        duration_s: f64,
    ) -> ThresholdResult {
        let observed = self.observe(results, duration_s);
        ThresholdResult {
            operation: op.to_owned(),
            expression: self.expression.clone(),
            observed,
            observed_text: observed
                .map(|v| self.format_value(v))
                .unwrap_or_else(|| "no samples".into()),
            passed: observed.is_some_and(|v| self.comparison.holds(v, self.limit)),
            abort_on_fail: self.abort_on_fail,
        }
    }

    /// Formats a value in this threshold's unit for people.
    pub fn format_value(&self, v: f64) -> String {
        match self.metric {
            m if m.is_latency() => format_us(v),
            Metric::ErrorRate => format!("{v:.3}%"),
            Metric::Rate => format!("{v:.2}/s"),
            _ => format!("{v:.0}"),
        }
    }
}

/// The outcome of one threshold.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ThresholdResult {
    /// The operation it applies to.
    pub operation: String,
    /// The expression as written.
    pub expression: String,
    /// The observed value in the limit's unit (µs, %, /s, count); `None` without samples.
    pub observed: Option<f64>,
    /// The observed value for people, e.g. `1.23 s`.
    pub observed_text: String,
    /// Whether the threshold held. A latency threshold on an operation without samples fails.
    pub passed: bool,
    /// Whether the threshold asked to stop the run when it fails.
    #[serde(default)]
    pub abort_on_fail: bool,
}

impl ThresholdResult {
    /// The threshold this result came from (re-parsed from its expression).
    pub fn threshold(&self) -> Result<Threshold, ThresholdError> {
        let mut t: Threshold = self.expression.parse()?;
        t.abort_on_fail = self.abort_on_fail;
        Ok(t)
    }
}

/// Thresholds of a run, by operation, in profile order within an operation.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Thresholds(pub BTreeMap<String, Vec<Threshold>>);

impl Thresholds {
    /// No thresholds.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a parsed threshold for `op`.
    pub fn add(&mut self, op: &str, threshold: Threshold) -> &mut Self {
        self.0.entry(op.to_owned()).or_default().push(threshold);
        self
    }

    /// Parses and adds `expression` for `op`.
    pub fn parse_add(&mut self, op: &str, expression: &str) -> Result<&mut Self, ThresholdError> {
        let t = expression.parse()?;
        Ok(self.add(op, t))
    }

    /// Number of thresholds over all operations.
    pub fn len(&self) -> usize {
        self.0.values().map(Vec::len).sum()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Every (operation, threshold) pair, operations in name order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Threshold)> {
        self.0
            .iter()
            .flat_map(|(op, ts)| ts.iter().map(move |t| (op.as_str(), t)))
    }

    /// Rebuilds thresholds from stored results (e.g. a shard's `summary.json`), dropping
    /// duplicates of the same operation and expression.
    pub fn from_results(results: &[ThresholdResult]) -> Result<Self, ThresholdError> {
        let mut out = Thresholds::new();
        for r in results {
            let known = out
                .0
                .get(&r.operation)
                .is_some_and(|ts| ts.iter().any(|t| t.expression == r.expression));
            if !known {
                out.add(&r.operation, r.threshold()?);
            }
        }
        Ok(out)
    }
}

impl Serialize for Threshold {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if self.abort_on_fail {
            let mut m = s.serialize_map(Some(2))?;
            m.serialize_entry("threshold", &self.expression)?;
            m.serialize_entry("abort_on_fail", &true)?;
            m.end()
        } else {
            s.serialize_str(&self.expression)
        }
    }
}

impl<'de> Deserialize<'de> for Threshold {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(ThresholdVisitor)
    }
}

struct ThresholdVisitor;

impl<'de> Visitor<'de> for ThresholdVisitor {
    type Value = Threshold;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(
            "a threshold such as \"p99 < 1500ms\", or { threshold: ..., abort_on_fail: true }",
        )
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Threshold, E> {
        v.parse().map_err(E::custom)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Threshold, A::Error> {
        let mut expression: Option<String> = None;
        let mut abort = false;
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "threshold" => expression = Some(map.next_value()?),
                "abort_on_fail" => abort = map.next_value()?,
                other => {
                    return Err(de::Error::unknown_field(
                        other,
                        &["threshold", "abort_on_fail"],
                    ))
                }
            }
        }
        let expression = expression.ok_or_else(|| de::Error::missing_field("threshold"))?;
        let mut t: Threshold = expression.parse().map_err(de::Error::custom)?;
        t.abort_on_fail = abort;
        Ok(t)
    }
}

/// One expression or a list of them.
struct OneOrMany(Vec<Threshold>);

impl<'de> Deserialize<'de> for OneOrMany {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = OneOrMany;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a threshold expression or a list of them")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<OneOrMany, E> {
                ThresholdVisitor.visit_str(v).map(|t| OneOrMany(vec![t]))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<OneOrMany, A::Error> {
                ThresholdVisitor.visit_map(map).map(|t| OneOrMany(vec![t]))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<OneOrMany, A::Error> {
                let mut out = Vec::new();
                while let Some(t) = seq.next_element::<Threshold>()? {
                    out.push(t);
                }
                Ok(OneOrMany(out))
            }
        }
        d.deserialize_any(V)
    }
}

impl<'de> Deserialize<'de> for Thresholds {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let map = BTreeMap::<String, OneOrMany>::deserialize(d)?;
        Ok(Thresholds(map.into_iter().map(|(k, v)| (k, v.0)).collect()))
    }
}

impl Serialize for Thresholds {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::operation::new_histogram;

    fn results(samples_ms: &[u64], errors: u64) -> SeriesResults {
        let mut h = new_histogram();
        for ms in samples_ms {
            h.record(ms * 1000).unwrap();
        }
        let mut r = SeriesResults {
            histogram: h,
            ..Default::default()
        };
        if errors > 0 {
            r.errors.insert("timeout".into(), errors);
        }
        r
    }

    #[test]
    fn parses_every_form() {
        let t: Threshold = "p99 < 1500ms".parse().unwrap();
        assert_eq!(t.metric, Metric::Percentile(99.0));
        assert_eq!(t.comparison, Comparison::Less);
        assert_eq!(t.limit, 1_500_000.0);
        let t: Threshold = "p(99.9)<=2s".parse().unwrap();
        assert_eq!(t.metric, Metric::Percentile(99.9));
        assert_eq!(t.limit, 2_000_000.0);
        let t: Threshold = "  max < 5s ".parse().unwrap();
        assert_eq!((t.metric, t.limit), (Metric::Max, 5_000_000.0));
        let t: Threshold = "errors < 0.5%".parse().unwrap();
        assert_eq!((t.metric, t.limit), (Metric::ErrorRate, 0.5));
        let t: Threshold = "errors <= 3".parse().unwrap();
        assert_eq!((t.metric, t.limit), (Metric::Errors, 3.0));
        let t: Threshold = "count >= 100".parse().unwrap();
        assert_eq!(
            (t.metric, t.comparison),
            (Metric::Count, Comparison::GreaterOrEqual)
        );
        let t: Threshold = "rate > 600/min".parse().unwrap();
        assert_eq!((t.metric, t.limit), (Metric::Rate, 10.0));
        let t: Threshold = "mean < 250 us".parse().unwrap();
        assert_eq!((t.metric, t.limit), (Metric::Mean, 250.0));
    }

    #[test]
    fn bad_expressions_say_what_is_wrong() {
        let cases = [
            ("p99 1500ms", "no comparison"),
            ("p99 < 1500", "latency needs a unit"),
            ("p99 < 15 parsecs", "unknown latency unit `parsecs`"),
            ("p101 < 1s", "outside 0 < p"),
            ("pxx < 1s", "unknown percentile `pxx`"),
            ("latency < 1s", "unknown metric `latency`"),
            ("p99 == 1s", "unknown comparison `==`"),
            ("p99 <", "missing value"),
            ("< 1s", "missing metric"),
            ("rate > 10", "rate needs a unit"),
            ("count >= 10ms", "count takes a plain number"),
            ("errors < 1ms", "errors take a count"),
            ("p99 < fast", "expected a number, found `fast`"),
            ("p99 < 1.2.3s", "is not a number"),
        ];
        for (expr, want) in cases {
            let err = expr.parse::<Threshold>().unwrap_err();
            let msg = err.to_string();
            assert!(msg.contains(want), "{expr}: {msg}");
            assert!(
                msg.starts_with(&format!("parse threshold `{expr}`")),
                "{msg}"
            );
        }
    }

    #[test]
    fn evaluates_with_observed_values() {
        let r = results(&[100, 200, 300, 400, 2000], 1);
        let eval = |e: &str| {
            e.parse::<Threshold>()
                .unwrap()
                .evaluate("card_auth", Some(&r), 10.0)
        };
        let p = eval("p50 < 301ms");
        assert!(p.passed);
        assert_eq!(p.observed, Some(r.histogram.value_at_quantile(0.5) as f64));
        assert!(!eval("max < 1s").passed);
        assert_eq!(eval("max < 1s").observed_text, "2.00 s");
        let e = eval("errors < 10%");
        assert_eq!(e.observed, Some(100.0 / 6.0));
        assert!(!e.passed);
        assert!(eval("errors <= 1").passed);
        assert!(eval("count >= 5").passed);
        assert!(!eval("count > 5").passed);
        assert_eq!(eval("rate > 0.4/s").observed, Some(0.5));
        assert!(eval("rate > 0.4/s").passed);
    }

    #[test]
    fn latency_threshold_without_samples_fails() {
        let t: Threshold = "p99 < 1s".parse().unwrap();
        let r = t.evaluate("qr_pay", None, 1.0);
        assert!(!r.passed);
        assert_eq!(r.observed, None);
        assert_eq!(r.observed_text, "no samples");
        let t: Threshold = "errors < 1%".parse().unwrap();
        assert!(t.evaluate("qr_pay", None, 1.0).passed);
    }

    #[test]
    fn deserializes_from_yaml_shapes() {
        let yaml = "card_auth: [\"p99 < 1500ms\", \"errors < 0.5%\"]\ncheckout: count >= 100\nqr_pay:\n  threshold: p99 < 3s\n  abort_on_fail: true\n";
        let t: Thresholds = serde_yaml::from_str(yaml).unwrap();
        assert_eq!(t.len(), 4);
        assert!(t.0["qr_pay"][0].abort_on_fail);
        let back = serde_json::to_string(&t).unwrap();
        assert_eq!(
            back,
            r#"{"card_auth":["p99 < 1500ms","errors < 0.5%"],"checkout":["count >= 100"],"qr_pay":[{"threshold":"p99 < 3s","abort_on_fail":true}]}"#
        );
        let err = serde_yaml::from_str::<Thresholds>("card_auth: p99 < 1500\n").unwrap_err();
        assert!(err.to_string().contains("latency needs a unit"), "{err}");
        let err =
            serde_yaml::from_str::<Thresholds>("card_auth: {threshold: p99 < 1s, abort: true}\n")
                .unwrap_err();
        assert!(err.to_string().contains("unknown field `abort`"), "{err}");
    }
}
