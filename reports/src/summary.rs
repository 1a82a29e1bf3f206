//! `summary.json`: the run's numbers in one serde document — run facts, per-operation counts,
//! errors and exact HDR percentiles, threshold results, the timeline and the fault windows.

use std::collections::BTreeMap;
use std::path::Path;

use hdrhistogram::Histogram;
use serde::{Deserialize, Serialize};

use crate::error::ReportError;
use crate::results::{FaultWindow, RunInfo, RunResults, SeriesResults};
use crate::threshold::{ThresholdResult, Thresholds};
use crate::timeline::TimelinePoint;

/// File name of the summary in a run directory.
pub const FILE_NAME: &str = "summary.json";

/// Latency percentiles of one histogram, microseconds. Values are HDR "highest equivalent"
/// values: exact to 3 significant figures, never below the true sample.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LatencyStats {
    /// Smallest sample.
    pub min_us: u64,
    /// Median.
    pub p50_us: u64,
    /// 90th percentile.
    pub p90_us: u64,
    /// 99th percentile.
    pub p99_us: u64,
    /// 99.9th percentile.
    pub p999_us: u64,
    /// Largest sample.
    pub max_us: u64,
    /// Mean, rounded to 0.1 µs.
    pub mean_us: f64,
}

impl LatencyStats {
    /// Percentiles of `h`, or `None` if it is empty.
    pub fn of(h: &Histogram<u64>) -> Option<Self> {
        if h.is_empty() {
            return None;
        }
        Some(LatencyStats {
            min_us: h.min(),
            p50_us: h.value_at_quantile(0.50),
            p90_us: h.value_at_quantile(0.90),
            p99_us: h.value_at_quantile(0.99),
            p999_us: h.value_at_quantile(0.999),
            max_us: h.max(),
            mean_us: (h.mean() * 10.0).round() / 10.0,
        })
    }
}

/// One operation in one lane group.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GroupSummary {
    /// Completed operations.
    pub count: u64,
    /// Failed operations.
    pub errors: u64,
    /// Latency of completed operations; absent without samples.
    pub latency: Option<LatencyStats>,
    /// Failed operations by cause.
    pub errors_by_cause: BTreeMap<String, u64>,
}

impl GroupSummary {
    fn of(r: &SeriesResults) -> Self {
        GroupSummary {
            count: r.histogram.len(),
            errors: r.error_count(),
            latency: LatencyStats::of(&r.histogram),
            errors_by_cause: r.errors.clone(),
        }
    }
}

/// One operation over all lane groups.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OperationSummary {
    /// Completed operations.
    pub count: u64,
    /// Failed operations.
    pub errors: u64,
    /// Failed in percent of attempts (completed + failed).
    pub error_rate_pct: f64,
    /// Completed operations per second of the run.
    pub rate_per_s: f64,
    /// Latency of completed operations; absent without samples.
    pub latency: Option<LatencyStats>,
    /// Failed operations by cause.
    pub errors_by_cause: BTreeMap<String, u64>,
    /// The same numbers per lane group.
    pub groups: BTreeMap<String, GroupSummary>,
}

/// The whole `summary.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunSummary {
    /// Run facts.
    pub run: RunInfo,
    /// Interval length of the timeline and `latency.hlog`, seconds.
    pub interval_s: f64,
    /// Whether every threshold passed (true when there are none).
    pub passed: bool,
    /// Per operation, by name.
    pub operations: BTreeMap<String, OperationSummary>,
    /// Threshold outcomes, operations in name order.
    pub thresholds: Vec<ThresholdResult>,
    /// Per-interval completions, errors and latencies.
    pub timeline: Vec<TimelinePoint>,
    /// Fault windows injected during the run.
    pub faults: Vec<FaultWindow>,
}

impl RunSummary {
    /// Computes the summary of `results`, evaluating `thresholds` against them.
    pub fn build(results: &RunResults, thresholds: &Thresholds) -> Self {
        let duration_s = results.info.duration_s;
        let mut operations = BTreeMap::new();
        for (op, groups) in &results.series {
            let total = results.operation(op).expect("the operation has series");
            let count = total.histogram.len();
            let errors = total.error_count();
            let attempts = count + errors;
            operations.insert(
                op.clone(),
                OperationSummary {
                    count,
                    errors,
                    error_rate_pct: if attempts == 0 {
                        0.0
                    } else {
                        errors as f64 * 100.0 / attempts as f64
                    },
                    rate_per_s: if duration_s > 0.0 {
                        count as f64 / duration_s
                    } else {
                        0.0
                    },
                    latency: LatencyStats::of(&total.histogram),
                    errors_by_cause: total.errors.clone(),
                    groups: groups
                        .iter()
                        .map(|(g, r)| (g.clone(), GroupSummary::of(r)))
                        .collect(),
                },
            );
        }
        let thresholds: Vec<ThresholdResult> = thresholds
            .iter()
            .map(|(op, t)| t.evaluate(op, results.operation(op).as_ref(), duration_s))
            .collect();
        RunSummary {
            run: results.info.clone(),
            interval_s: results.interval.as_secs_f64(),
            passed: thresholds.iter().all(|t| t.passed),
            operations,
            thresholds,
            timeline: results.timeline.clone(),
            faults: results.faults.clone(),
        }
    }

    /// Operation names in report order (standard ones first).
    pub fn operation_names(&self) -> Vec<&str> {
        let mut names: Vec<&str> = self.operations.keys().map(String::as_str).collect();
        names.sort_by(|a, b| crate::operation::display_order(a, b));
        names
    }

    /// Pretty-printed JSON.
    pub fn to_json(&self) -> Result<String, ReportError> {
        let mut s = serde_json::to_string_pretty(self).map_err(ReportError::Json)?;
        s.push('\n');
        Ok(s)
    }

    /// Writes the summary to `path`.
    pub fn write(&self, path: &Path) -> Result<(), ReportError> {
        std::fs::write(path, self.to_json()?).map_err(|e| ReportError::io("write", path, e))
    }

    /// Reads a summary from `path`.
    pub fn read(path: &Path) -> Result<Self, ReportError> {
        let text = std::fs::read(path).map_err(|e| ReportError::io("read", path, e))?;
        serde_json::from_slice(&text).map_err(|source| ReportError::Summary {
            path: path.to_owned(),
            source,
        })
    }
}
