//! The run's latencies measured at the wire ([`crate::observe`]) as the reports crate keeps
//! them: one [`Recorder`] for the whole `posrig run`, written to `latency.hlog` in the run
//! folder, summed into `summary.json`, rendered into `report.html` and a short printed table.
//!
//! Scenarios run one after another, each on its own clock starting at zero. In the run's
//! `latency.hlog` they follow each other: scenario *k* is interval *k*, starting at the sum of
//! the earlier scenarios' lengths (virtual time in a virtual run) and as long as the scenario
//! ran; every series is in lane group `lane1` (a scenario runs one lane). `summary.json` names
//! each scenario's interval (`latency.interval_start_s`) next to its own percentiles.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use anyhow::Context;
use posrig_reports::operation::{display_order, new_histogram};
use posrig_reports::run_dir::{create_interval_log, REPORT_FILE};
use posrig_reports::summary::LatencyStats;
use posrig_reports::{Recorder, RunInfo, RunSummary, Thresholds, TimeMode};
use serde_json::{json, Value};

use super::outcome::ScenarioOutcome;
use super::world::EPOCH_UNIX_SECS;
use crate::observe::Sample;

/// The lane group every series is recorded in.
pub const GROUP: &str = "lane1";

/// Records every scenario's latencies of one run, in run order.
pub struct RunLatency {
    recorder: Recorder,
    /// Where the next scenario's interval starts in the run's interval log.
    offset: Duration,
    /// Scenarios added, on virtual time and on the wall clock.
    virtual_scenarios: usize,
    real_scenarios: usize,
}

impl RunLatency {
    /// Opens `dir/latency.hlog` for a run with `seed` on `time`.
    pub fn create(dir: &Path, seed: Option<u64>, time: TimeMode) -> anyhow::Result<Self> {
        let mut info = RunInfo::new("posrig run");
        info.seed = seed;
        info.time_mode = time;
        info.started_epoch_ms = match time {
            // Virtual runs start at the configured calendar epoch, so their logs are the same
            // from run to run.
            TimeMode::Virtual => EPOCH_UNIX_SECS as u64 * 1000,
            TimeMode::Real => std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_millis() as u64),
        };
        let log = create_interval_log(dir, &info).context("open latency.hlog")?;
        // Intervals are ended per scenario, never by the clock, so the length here is nominal.
        let recorder = Recorder::new(info, Duration::from_secs(1)).with_interval_log(log);
        Ok(RunLatency {
            recorder,
            offset: Duration::ZERO,
            virtual_scenarios: 0,
            real_scenarios: 0,
        })
    }

    /// Adds one scenario's samples as the next interval; returns where it starts in the log.
    pub fn add(&mut self, o: &ScenarioOutcome) -> anyhow::Result<Duration> {
        let start = self.offset;
        if o.skipped.is_some() {
            return Ok(start);
        }
        for s in &o.latencies {
            self.recorder.record(s.op, GROUP, s.latency);
        }
        // An interval needs a positive length to be told apart from the next one.
        self.offset += o.elapsed.max(Duration::from_micros(1));
        self.recorder
            .end_interval(self.offset)
            .context("write latency.hlog")?;
        if o.time == "virtual" {
            self.virtual_scenarios += 1;
        } else {
            self.real_scenarios += 1;
        }
        Ok(start)
    }

    /// Ends the run: returns its summary and writes `report.html` into `dir`.
    pub fn finish(self, dir: &Path) -> anyhow::Result<RunSummary> {
        let results = self
            .recorder
            .finish(self.offset)
            .context("finish latency.hlog")?;
        let summary = RunSummary::build(&results, &Thresholds::default());
        let html = posrig_reports::html::render(&summary, &results).context("render the report")?;
        let path = dir.join(REPORT_FILE);
        std::fs::write(&path, html).with_context(|| format!("write {}", path.display()))?;
        Ok(summary)
    }
}

/// One scenario's numbers per operation for `summary.json`: count and percentiles (µs).
pub fn scenario_json(samples: &[Sample]) -> Value {
    let mut by_op = BTreeMap::new();
    for s in samples {
        by_op
            .entry(s.op)
            .or_insert_with(new_histogram)
            .saturating_record(posrig_reports::operation::duration_us(s.latency));
    }
    let ops: serde_json::Map<String, Value> = by_op
        .iter()
        .map(|(op, h)| {
            let stats = LatencyStats::of(h);
            (
                (*op).to_owned(),
                json!({"count": h.len(), "latency": stats}),
            )
        })
        .collect();
    Value::Object(ops)
}

/// The printed table: one row per operation, standard ones first.
pub fn table(summary: &RunSummary, clocks: &str) -> String {
    let mut names = summary.operation_names();
    names.sort_by(|a, b| display_order(a, b));
    let mut out = format!(
        "latency at the wire ({clocks}; latency.hlog, report.html):\n  {:<16} {:>6} {:>9} {:>9} {:>9} {:>9}",
        "operation", "count", "p50", "p90", "p99", "max"
    );
    for op in names {
        let o = &summary.operations[op];
        let Some(l) = &o.latency else { continue };
        out.push_str(&format!(
            "\n  {op:<16} {:>6} {:>9} {:>9} {:>9} {:>9}",
            o.count,
            human_us(l.p50_us),
            human_us(l.p90_us),
            human_us(l.p99_us),
            human_us(l.max_us)
        ));
    }
    out
}

impl RunLatency {
    /// The clocks the scenarios added so far ran on, for the table's heading: `virtual time`,
    /// `wall-clock time`, or both with their counts. Each latency is measured on its own
    /// scenario's clock; a run mixing both keeps them in the same histograms.
    pub fn clocks(&self) -> String {
        match (self.virtual_scenarios, self.real_scenarios) {
            (v, 0) => format!("virtual time, {v} scenario(s)"),
            (0, r) => format!("wall-clock time, {r} scenario(s)"),
            (v, r) => format!("{v} scenario(s) on virtual time, {r} on the wall clock"),
        }
    }
}

/// `850µs`, `12.3ms`, `2.00s`.
pub fn human_us(us: u64) -> String {
    if us < 1_000 {
        format!("{us}µs")
    } else if us < 1_000_000 {
        format!("{:.1}ms", us as f64 / 1e3)
    } else {
        format!("{:.2}s", us as f64 / 1e6)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_in_their_unit() {
        assert_eq!(human_us(850), "850µs");
        assert_eq!(human_us(12_340), "12.3ms");
        assert_eq!(human_us(2_000_000), "2.00s");
    }
}
