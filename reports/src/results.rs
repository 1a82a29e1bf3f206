//! What a finished (or merged) run measured: run facts, per-series histograms and errors, the
//! throughput timeline and the fault windows — the input of every output file.

use std::collections::BTreeMap;
use std::time::Duration;

use hdrhistogram::Histogram;
use serde::{Deserialize, Serialize};

use crate::operation::new_histogram;
use crate::timeline::TimelinePoint;

/// Whether the run used wall-clock time or the simulator's virtual time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum TimeMode {
    /// Real time: latencies are what a stopwatch would show.
    #[default]
    Real,
    /// Virtual time: deterministic, latencies are simulated time.
    Virtual,
}

/// Facts about a run that are not measurements.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunInfo {
    /// The load profile's or scenario's name.
    pub name: String,
    /// The master seed, when the run had one.
    pub seed: Option<u64>,
    /// Real or virtual time.
    pub time_mode: TimeMode,
    /// Start of the run, milliseconds since the Unix epoch (the configured epoch in virtual time).
    pub started_epoch_ms: u64,
    /// Length of the run in seconds.
    pub duration_s: f64,
    /// This shard, as `K/N`, when the profile was split with `--shard`.
    pub shard: Option<String>,
    /// After a merge: the shards (or run names) merged into this run, in input order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub merged_from: Vec<String>,
    /// What a reader should know about how the run went: stopped early by a threshold,
    /// shoppers cut off at the end, the event-log digest.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

impl RunInfo {
    /// Run facts with just a name: real time, no seed, started at the epoch, no shard.
    pub fn new(name: impl Into<String>) -> Self {
        RunInfo {
            name: name.into(),
            seed: None,
            time_mode: TimeMode::Real,
            started_epoch_ms: 0,
            duration_s: 0.0,
            shard: None,
            merged_from: Vec::new(),
            notes: Vec::new(),
        }
    }

    /// End of the run, milliseconds since the Unix epoch.
    pub fn ended_epoch_ms(&self) -> f64 {
        self.started_epoch_ms as f64 + self.duration_s * 1000.0
    }
}

/// A time window during which a fault was injected, shaded in the report's time plots.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FaultWindow {
    /// Start, seconds since the run started.
    pub start_s: f64,
    /// End, seconds since the run started.
    pub end_s: f64,
    /// What was injected, e.g. `acquirer partition`.
    pub label: String,
}

impl FaultWindow {
    /// A fault window from `(start_s, end_s, label)`.
    pub fn new(start_s: f64, end_s: f64, label: impl Into<String>) -> Self {
        FaultWindow {
            start_s,
            end_s,
            label: label.into(),
        }
    }
}

/// Measurements of one operation in one lane group (or, aggregated, of an operation).
#[derive(Debug, Clone, PartialEq)]
pub struct SeriesResults {
    /// Latencies of completed operations, microseconds.
    pub histogram: Histogram<u64>,
    /// Failed operations by cause. Failures are not in the histogram.
    pub errors: BTreeMap<String, u64>,
}

impl Default for SeriesResults {
    fn default() -> Self {
        SeriesResults {
            histogram: new_histogram(),
            errors: BTreeMap::new(),
        }
    }
}

impl SeriesResults {
    /// Number of failed operations over all causes.
    pub fn error_count(&self) -> u64 {
        self.errors.values().sum()
    }

    /// Adds another series' samples and errors into this one (exact).
    pub fn add(
        &mut self,
        other: &SeriesResults,
    ) -> Result<(), hdrhistogram::errors::AdditionError> {
        self.histogram.add(&other.histogram)?;
        for (cause, n) in &other.errors {
            *self.errors.entry(cause.clone()).or_default() += n;
        }
        Ok(())
    }
}

/// Everything a run measured. Built by [`crate::Recorder::finish`] or by [`crate::merge`].
#[derive(Debug, Clone, PartialEq)]
pub struct RunResults {
    /// Run facts.
    pub info: RunInfo,
    /// Length of one interval of the timeline and of the interval log.
    pub interval: Duration,
    /// Measurements by operation, then by lane group.
    pub series: BTreeMap<String, BTreeMap<String, SeriesResults>>,
    /// Per-interval completions, errors and latency percentiles per operation.
    pub timeline: Vec<TimelinePoint>,
    /// Fault windows to shade in time plots.
    pub faults: Vec<FaultWindow>,
}

impl RunResults {
    /// Empty results for `info`, with the given interval length.
    pub fn new(info: RunInfo, interval: Duration) -> Self {
        RunResults {
            info,
            interval,
            series: BTreeMap::new(),
            timeline: Vec::new(),
            faults: Vec::new(),
        }
    }

    /// One operation's measurements summed over its lane groups, or `None` if never seen.
    pub fn operation(&self, op: &str) -> Option<SeriesResults> {
        let groups = self.series.get(op)?;
        let mut total = SeriesResults::default();
        for s in groups.values() {
            total
                .add(s)
                .expect("every series histogram has the same bounds, so addition cannot overflow");
        }
        Some(total)
    }

    /// Operation names in report order (standard ones first).
    pub fn operation_names(&self) -> Vec<&str> {
        let mut names: Vec<&str> = self.series.keys().map(String::as_str).collect();
        names.sort_by(|a, b| crate::operation::display_order(a, b));
        names
    }
}
