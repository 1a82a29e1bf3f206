//! The run's latency recorder: one HDR histogram per operation and lane group, error counts per
//! cause, interval rotation into the interval log and the timeline.
//!
//! # Measuring from the scheduled start
//!
//! The load engine gives every action a scheduled time and measures its latency from *that*,
//! not from when the harness actually got round to starting it ([`Recorder::record_scheduled`]).
//! If the system under test stalls for 10 s, every action scheduled during the stall reports the
//! time it waited, instead of the stall hiding behind a few slow samples (coordinated omission).
//! The harness's own delay (actual start − scheduled start) goes to
//! [`ops::SCHEDULING_LAG`](crate::ops::SCHEDULING_LAG), so a report shows when the harness, not
//! the system under test, was the bottleneck.
//!
//! # Cost
//!
//! Histograms are allocated when a series is first seen; afterwards recording is two counter
//! increments and never allocates. Resolve a [`SeriesKey`] once with [`Recorder::key`] and record
//! through it; [`Recorder::record`] by name is a `BTreeMap` lookup by `&str` (no allocation).

use std::collections::BTreeMap;
use std::time::Duration;

use hdrhistogram::Histogram;

use crate::error::ReportError;
use crate::interval_log::HlogWriter;
use crate::operation::{duration_us, new_histogram};
use crate::prometheus::{Metrics, SeriesMetrics};
use crate::results::{FaultWindow, RunInfo, RunResults, SeriesResults};
use crate::timeline::{IntervalStats, TimelineBuilder, TimelinePoint};

/// A resolved (operation, lane group) pair of one [`Recorder`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SeriesKey(usize);

struct Series {
    op: String,
    group: String,
    /// Everything before the current interval.
    total: Histogram<u64>,
    /// The current interval only; added into `total` when the interval ends.
    interval: Histogram<u64>,
    errors: BTreeMap<String, u64>,
    interval_errors: u64,
    metrics: Option<SeriesMetrics>,
}

/// Records a run's latencies and errors. One per run (or per shard); not shared between
/// threads — a multi-threaded engine keeps one per worker and merges them, or wraps it in a lock.
pub struct Recorder {
    info: RunInfo,
    interval: Duration,
    interval_start: Duration,
    series: Vec<Series>,
    index: BTreeMap<String, BTreeMap<String, SeriesKey>>,
    timeline: Vec<TimelinePoint>,
    timeline_builder: TimelineBuilder,
    faults: Vec<FaultWindow>,
    log: Option<HlogWriter>,
    metrics: Option<Metrics>,
}

impl std::fmt::Debug for Recorder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Recorder")
            .field("info", &self.info)
            .field("interval", &self.interval)
            .field("series", &self.series.len())
            .finish_non_exhaustive()
    }
}

impl Recorder {
    /// A recorder for the run `info`, with intervals of `interval` (1 s is customary).
    pub fn new(info: RunInfo, interval: Duration) -> Self {
        assert!(
            !interval.is_zero(),
            "the recording interval must be positive"
        );
        Recorder {
            info,
            interval,
            interval_start: Duration::ZERO,
            series: Vec::new(),
            index: BTreeMap::new(),
            timeline: Vec::new(),
            timeline_builder: TimelineBuilder::default(),
            faults: Vec::new(),
            log: None,
            metrics: None,
        }
    }

    /// Writes every interval's histograms to `log` (usually `latency.hlog` in the run dir).
    pub fn with_interval_log(mut self, log: HlogWriter) -> Self {
        self.log = Some(log);
        self
    }

    /// Also counts every sample and error in the live Prometheus `metrics`.
    pub fn with_metrics(mut self, metrics: Metrics) -> Self {
        for s in &mut self.series {
            s.metrics = Some(metrics.series(&s.op, &s.group));
        }
        self.metrics = Some(metrics);
        self
    }

    /// The run facts this recorder was made with.
    pub fn info(&self) -> &RunInfo {
        &self.info
    }

    /// The interval length.
    pub fn interval(&self) -> Duration {
        self.interval
    }

    /// Resolves (and on first use creates) the series of `op` in lane `group`.
    pub fn key(&mut self, op: &str, group: &str) -> SeriesKey {
        if let Some(k) = self.index.get(op).and_then(|g| g.get(group)) {
            return *k;
        }
        let key = SeriesKey(self.series.len());
        self.series.push(Series {
            op: op.to_owned(),
            group: group.to_owned(),
            total: new_histogram(),
            interval: new_histogram(),
            errors: BTreeMap::new(),
            interval_errors: 0,
            metrics: self.metrics.as_ref().map(|m| m.series(op, group)),
        });
        self.index
            .entry(op.to_owned())
            .or_default()
            .insert(group.to_owned(), key);
        key
    }

    /// Records one completed `op` in lane `group` that took `latency`.
    pub fn record(&mut self, op: &str, group: &str, latency: Duration) {
        let key = self.key(op, group);
        self.record_key(key, latency);
    }

    /// Records one completed operation of a resolved series.
    ///
    /// Latencies above one hour are clamped to one hour; below 1 µs they count as 0 µs.
    pub fn record_key(&mut self, key: SeriesKey, latency: Duration) {
        let s = &mut self.series[key.0];
        s.interval.saturating_record(duration_us(latency));
        if let Some(m) = &s.metrics {
            m.observe(latency);
        }
    }

    /// Records one completed operation measured from its scheduled start: the latency is
    /// `ended_at - scheduled_at` (both since the run started), whatever time the harness
    /// actually started the action. An end before the schedule counts as 0.
    pub fn record_scheduled(&mut self, key: SeriesKey, scheduled_at: Duration, ended_at: Duration) {
        self.record_key(key, ended_at.saturating_sub(scheduled_at));
    }

    /// Records one failed `op` in lane `group`, with its cause (e.g. `declined`, `timeout`).
    /// Failures are counted, not put in the latency histogram.
    pub fn record_error(&mut self, op: &str, group: &str, cause: &str) {
        let key = self.key(op, group);
        self.record_error_key(key, cause);
    }

    /// Records one failed operation of a resolved series.
    pub fn record_error_key(&mut self, key: SeriesKey, cause: &str) {
        let s = &mut self.series[key.0];
        match s.errors.get_mut(cause) {
            Some(n) => *n += 1,
            None => {
                s.errors.insert(cause.to_owned(), 1);
            }
        }
        s.interval_errors += 1;
        if let Some(m) = &self.metrics {
            m.error(&s.op, cause);
        }
    }

    /// Adds a fault window to shade in the report's time plots.
    pub fn add_fault_window(&mut self, window: FaultWindow) {
        self.faults.push(window);
    }

    /// Ends the current interval if `now` (since the run started) is at or past its end.
    /// Call it often (e.g. from the engine's 1 s ticker); returns whether an interval ended.
    pub fn tick(&mut self, now: Duration) -> Result<bool, ReportError> {
        if now >= self.interval_start + self.interval {
            self.end_interval(now)?;
            Ok(true)
        } else {
            Ok(false)
        }
    }

    /// Ends the current interval at `now`: writes every series' interval histogram to the
    /// interval log, adds it to the run totals, appends a timeline point and starts the next
    /// interval at `now`.
    pub fn end_interval(&mut self, now: Duration) -> Result<&TimelinePoint, ReportError> {
        let start = self.interval_start;
        let duration = now.saturating_sub(start);
        for s in &mut self.series {
            if let Some(log) = &mut self.log {
                log.write_interval(&s.op, &s.group, &s.interval, start, duration)?;
            }
            self.timeline_builder
                .add(&s.op, &s.interval, s.interval_errors);
            s.total
                .add(&s.interval)
                .expect("interval and total histograms have the same bounds");
            s.interval.reset();
            s.interval_errors = 0;
        }
        if let Some(log) = &mut self.log {
            log.flush()?;
        }
        self.timeline.push(
            self.timeline_builder
                .take(start.as_secs_f64(), duration.as_secs_f64()),
        );
        self.interval_start = now;
        Ok(self.timeline.last().expect("pushed above"))
    }

    /// The last completed interval, if any.
    pub fn last_interval(&self) -> Option<&TimelinePoint> {
        self.timeline.last()
    }

    /// Numbers of `op` over the whole run so far (including the current interval).
    pub fn totals(&self, op: &str) -> Option<IntervalStats> {
        let groups = self.index.get(op)?;
        let mut h = new_histogram();
        let mut errors = 0;
        for key in groups.values() {
            let s = &self.series[key.0];
            h.add(&s.total).expect("same bounds");
            h.add(&s.interval).expect("same bounds");
            errors += s.errors.values().sum::<u64>();
        }
        Some(IntervalStats::from_histogram(&h, errors))
    }

    /// Errors of `op` over every lane group so far (what [`Recorder::totals`] counts, without
    /// merging histograms).
    pub fn errors(&self, op: &str) -> u64 {
        self.index.get(op).map_or(0, |groups| {
            groups
                .values()
                .map(|key| self.series[key.0].errors.values().sum::<u64>())
                .sum()
        })
    }

    /// Samples and errors of `op` over every lane group so far (including the current
    /// interval): what a threshold is checked against while the run is still going.
    pub fn results_so_far(&self, op: &str) -> Option<SeriesResults> {
        let groups = self.index.get(op)?;
        let mut out = SeriesResults::default();
        for key in groups.values() {
            let s = &self.series[key.0];
            out.histogram.add(&s.total).expect("same bounds");
            out.histogram.add(&s.interval).expect("same bounds");
            for (cause, n) in &s.errors {
                *out.errors.entry(cause.clone()).or_default() += n;
            }
        }
        Some(out)
    }

    /// Adds a line to the run's notes (shown in `summary.json` and `report.html`).
    pub fn add_note(&mut self, note: impl Into<String>) {
        self.info.notes.push(note.into());
    }

    /// Operation names seen so far, in report order.
    pub fn operation_names(&self) -> Vec<&str> {
        let mut names: Vec<&str> = self.index.keys().map(String::as_str).collect();
        names.sort_by(|a, b| crate::operation::display_order(a, b));
        names
    }

    /// Ends the last interval at `now` (the run's length) and returns everything measured.
    pub fn finish(mut self, now: Duration) -> Result<RunResults, ReportError> {
        if now > self.interval_start || self.series.iter().any(|s| !s.interval.is_empty()) {
            self.end_interval(now)?;
        }
        self.info.duration_s = now.as_secs_f64();
        let mut results = RunResults::new(self.info, self.interval);
        for s in self.series {
            results.series.entry(s.op).or_default().insert(
                s.group,
                SeriesResults {
                    histogram: s.total,
                    errors: s.errors,
                },
            );
        }
        results.timeline = self.timeline;
        results.faults = self.faults;
        Ok(results)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_count_every_group_as_the_totals_do() {
        let mut rec = Recorder::new(RunInfo::new("t"), Duration::from_secs(1));
        rec.record_error("card_auth", "store", "declined 51");
        rec.record("card_auth", "express", Duration::from_millis(300));
        rec.record_error("card_auth", "express", "no response");
        rec.tick(Duration::from_secs(1)).unwrap();
        rec.record_error("card_auth", "store", "declined 51");
        assert_eq!(rec.errors("card_auth"), 3);
        assert_eq!(rec.totals("card_auth").unwrap().errors, 3);
        assert_eq!(rec.errors("checkout"), 0);
    }
}
