//! Measurements and outputs of a posrig run: HDR latency histograms per operation, the interval
//! log, exact shard merges, thresholds, `summary.json`, `junit.xml`, `report.html`, the live
//! Prometheus endpoint and the one-line progress status.
//!
//! The load engine owns one [`Recorder`] per run. It records every operation's latency measured
//! from the action's *scheduled* start ([`Recorder::record_scheduled`]), so a stalled system
//! under test shows up as latency instead of as missing samples (coordinated omission). At every
//! interval it calls [`Recorder::end_interval`], which appends the interval histograms to
//! `latency.hlog`; at the end, [`Recorder::finish`] yields [`RunResults`], from which
//! [`run_dir::write_outputs`] writes `summary.json`, `junit.xml` and `report.html`.
//!
//! ```
//! use std::time::Duration;
//! use posrig_reports::{ops, Recorder, RunInfo};
//!
//! let mut rec = Recorder::new(RunInfo::new("smoke"), Duration::from_secs(1));
//! let key = rec.key(ops::CARD_AUTH, "default");
//! // scheduled at 100 ms, result shown at 450 ms: 350 ms, even if the action started late.
//! rec.record_scheduled(key, Duration::from_millis(100), Duration::from_millis(450));
//! rec.record_error(ops::CARD_AUTH, "default", "declined");
//! let results = rec.finish(Duration::from_secs(1)).unwrap();
//! assert_eq!(results.operation(ops::CARD_AUTH).unwrap().histogram.len(), 1);
//! ```

pub mod error;
pub mod html;
pub mod interval_log;
pub mod junit;
pub mod merge;
pub mod operation;
pub mod progress;
pub mod prometheus;
pub mod recorder;
pub mod results;
pub mod run_dir;
pub mod summary;
pub mod threshold;
pub mod timeline;

pub use error::ReportError;
pub use operation::{new_histogram, ops};
pub use recorder::{Recorder, SeriesKey};
pub use results::{FaultWindow, RunInfo, RunResults, SeriesResults, TimeMode};
pub use summary::RunSummary;
pub use threshold::{Threshold, ThresholdResult, Thresholds};
pub use timeline::{IntervalStats, TimelinePoint};
