//! What a run shows while it goes — the progress bar (indicatif) on a terminal, a plain status
//! line every few seconds otherwise, and the warning when the harness itself falls behind its
//! schedule (then it, not the system under test, is the bottleneck).

use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use posrig_reports::ops;
use posrig_reports::progress::{format_progress, format_us, Progress};
use posrig_reports::{IntervalStats, Recorder};

/// Scheduling lag (p99 of one interval) above which the harness warns that it is behind.
pub const LAG_WARN: Duration = Duration::from_millis(100);

/// Without a terminal, a status line this often (run time).
const PLAIN_EVERY_S: u64 = 10;

/// The live display of one run.
pub struct Live {
    bar: Option<ProgressBar>,
    plain: bool,
    total: Duration,
    /// Intervals in which the harness was behind, and the worst lag seen (µs).
    lagging_intervals: u64,
    worst_lag_us: u64,
    /// Each operation's numbers in the last interval that had samples of it, so a quiet
    /// second does not blank the status.
    latest: BTreeMap<String, IntervalStats>,
}

impl Live {
    /// A display for a run of `total`; `show` false shows nothing (tests, `--quiet`).
    pub fn new(total: Duration, show: bool) -> Self {
        let terminal = show && std::io::stderr().is_terminal();
        let bar = terminal.then(|| {
            let bar = ProgressBar::with_draw_target(
                Some(total.as_secs().max(1)),
                ProgressDrawTarget::stderr(),
            );
            bar.set_style(
                ProgressStyle::with_template("{bar:24.cyan/blue} {wide_msg}")
                    .expect("a valid progress template"),
            );
            bar
        });
        Live {
            bar,
            plain: show && !terminal,
            total,
            lagging_intervals: 0,
            worst_lag_us: 0,
            latest: BTreeMap::new(),
        }
    }

    /// Called once a second (run time) after the recorder's interval ended.
    pub fn tick(&mut self, rec: &Recorder, elapsed: Duration, baskets: u64) {
        let mut p = Progress::from_recorder(rec, elapsed, baskets);
        p.total = Some(self.total);
        let lag_p99 = p
            .operations
            .iter()
            .find(|(op, _)| op == ops::SCHEDULING_LAG)
            .and_then(|(_, s)| s.p99_us);
        if let Some(lag) = lag_p99 {
            if lag > LAG_WARN.as_micros() as u64 {
                self.lagging_intervals += 1;
                if self.worst_lag_us < lag {
                    self.worst_lag_us = lag;
                }
                // Once at the first lagging interval, then every 10th, so the warning is seen
                // without flooding the terminal.
                if self.lagging_intervals % 10 == 1 {
                    self.println(&format!(
                        "warning: the harness is behind its schedule (scheduling_lag p99 {} at {:.0} s): \
                         latencies include its own delay; run fewer lanes per process (--shard K/N)",
                        format_us(lag as f64),
                        elapsed.as_secs_f64()
                    ));
                }
            }
        }
        // The status shows the SUT's operations (the harness's own lag is in the warning), each
        // as of the last second it had samples.
        for (op, stats) in &p.operations {
            if stats.p50_us.is_some() && op != ops::SCHEDULING_LAG {
                self.latest.insert(op.clone(), stats.clone());
            }
        }
        p.operations = rec
            .operation_names()
            .into_iter()
            .filter_map(|op| Some((op.to_owned(), self.latest.get(op)?.clone())))
            .collect();
        let line = format_progress(&p, 3);
        if let Some(bar) = &self.bar {
            bar.set_position(elapsed.as_secs().min(self.total.as_secs()));
            bar.set_message(line);
        } else if self.plain && elapsed.as_secs() % PLAIN_EVERY_S == 0 {
            eprintln!("{line}");
        }
    }

    /// Prints a line above the bar (or plainly).
    pub fn println(&self, line: &str) {
        match &self.bar {
            Some(bar) => bar.println(line),
            None => eprintln!("{line}"),
        }
    }

    /// Removes the bar; returns a note for the report when the harness was ever behind.
    pub fn finish(self) -> Option<String> {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
        (self.lagging_intervals > 0).then(|| {
            format!(
                "the harness was behind its schedule in {} interval(s) (worst scheduling_lag p99 {}): \
                 those latencies include the harness's own delay",
                self.lagging_intervals,
                format_us(self.worst_lag_us as f64)
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use posrig_reports::RunInfo;

    fn second(rec: &mut Recorder, k: u64, lag: Duration) {
        let key = rec.key(ops::SCHEDULING_LAG, "store");
        rec.record_key(key, lag);
        rec.tick(Duration::from_secs(k)).unwrap();
    }

    #[test]
    fn the_harness_behind_its_schedule_is_reported_and_a_punctual_one_is_not() {
        let mut rec = Recorder::new(RunInfo::new("t"), Duration::from_secs(1));
        let mut live = Live::new(Duration::from_secs(10), false);
        second(&mut rec, 1, Duration::from_millis(2));
        live.tick(&rec, Duration::from_secs(1), 0);
        second(&mut rec, 2, Duration::from_millis(350));
        live.tick(&rec, Duration::from_secs(2), 0);
        second(&mut rec, 3, Duration::from_millis(120));
        live.tick(&rec, Duration::from_secs(3), 0);
        let note = live.finish().expect("the harness was behind");
        assert!(note.contains("in 2 interval(s)"), "{note}");
        assert!(note.contains("350"), "{note}");

        let mut rec = Recorder::new(RunInfo::new("t"), Duration::from_secs(1));
        let mut live = Live::new(Duration::from_secs(10), false);
        second(&mut rec, 1, Duration::from_millis(5));
        live.tick(&rec, Duration::from_secs(1), 0);
        assert_eq!(live.finish(), None);
    }
}
