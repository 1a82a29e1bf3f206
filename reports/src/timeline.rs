//! The throughput and latency timeline: per interval, what each operation completed, how many
//! failed, and its p50/p99/max in that interval.

use std::collections::BTreeMap;

use hdrhistogram::Histogram;
use serde::{Deserialize, Serialize};

use crate::operation::new_histogram;

/// One operation's numbers in one interval.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct IntervalStats {
    /// Operations completed in the interval.
    pub count: u64,
    /// Operations failed in the interval.
    pub errors: u64,
    /// Median latency in the interval, µs; `None` without samples.
    pub p50_us: Option<u64>,
    /// 99th percentile latency in the interval, µs; `None` without samples.
    pub p99_us: Option<u64>,
    /// Largest latency in the interval, µs; `None` without samples.
    pub max_us: Option<u64>,
}

impl IntervalStats {
    /// Numbers of one interval histogram plus an error count.
    pub fn from_histogram(h: &Histogram<u64>, errors: u64) -> Self {
        let has = !h.is_empty();
        IntervalStats {
            count: h.len(),
            errors,
            p50_us: has.then(|| h.value_at_quantile(0.5)),
            p99_us: has.then(|| h.value_at_quantile(0.99)),
            max_us: has.then(|| h.max()),
        }
    }
}

/// One interval of the timeline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TimelinePoint {
    /// Interval start, seconds since the run started.
    pub start_s: f64,
    /// Interval length in seconds (the last one may be shorter).
    pub duration_s: f64,
    /// Numbers per operation; operations without samples or errors in the interval are absent.
    pub operations: BTreeMap<String, IntervalStats>,
}

/// Collects one interval's histograms of several lane groups into per-operation numbers.
///
/// Kept across intervals so its scratch histograms are allocated once per operation.
#[derive(Debug, Default)]
pub struct TimelineBuilder {
    scratch: BTreeMap<String, (Histogram<u64>, u64, usize)>,
}

impl TimelineBuilder {
    /// Adds one lane group's interval histogram and error count for `op`.
    pub fn add(&mut self, op: &str, h: &Histogram<u64>, errors: u64) {
        if !self.scratch.contains_key(op) {
            self.scratch.insert(op.to_owned(), (new_histogram(), 0, 0));
        }
        let (acc, errs, groups) = self.scratch.get_mut(op).expect("inserted above");
        // Interval histograms of one run share the fixed bounds; values from a foreign log that
        // exceed them are clamped by `saturating_record` rather than lost.
        if acc.add(h).is_err() {
            for v in h.iter_recorded() {
                acc.saturating_record_n(v.value_iterated_to(), v.count_at_value());
            }
        }
        *errs += errors;
        *groups += 1;
    }

    /// Produces the interval's point and clears the scratch state for the next interval.
    pub fn take(&mut self, start_s: f64, duration_s: f64) -> TimelinePoint {
        let mut operations = BTreeMap::new();
        for (op, (h, errors, groups)) in self.scratch.iter_mut() {
            if *groups > 0 && (!h.is_empty() || *errors > 0) {
                operations.insert(op.clone(), IntervalStats::from_histogram(h, *errors));
            }
            h.reset();
            *errors = 0;
            *groups = 0;
        }
        TimelinePoint {
            start_s,
            duration_s,
            operations,
        }
    }
}
