//! Exact merge of shard runs: histograms are added bucket by bucket, counts and errors summed,
//! time ranges unioned. This is what `posrig report merge A/ B/ --out C/` calls.
//!
//! Shards may start at slightly different moments. The merged run starts at the earliest
//! shard's start; a shard's interval belongs to the merged interval `k` in which it *starts*
//! (on the merged run's interval grid), so with aligned starts (virtual time, or shards started
//! together) the merged log has exactly the shards' intervals added.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use hdrhistogram::Histogram;

use crate::error::ReportError;
use crate::interval_log::{self, add_clamped, raw_intervals, IntervalDecoder, RawInterval};
use crate::operation::new_histogram;
use crate::results::{FaultWindow, RunInfo, RunResults, SeriesResults};
use crate::summary::{self, RunSummary};
use crate::threshold::Thresholds;
use crate::timeline::{IntervalStats, TimelineBuilder, TimelinePoint};

/// A merged interval being summed: its end and, per operation, the summed numbers and how many
/// shards had samples (percentiles survive only from a single contributor).
type MergedPoint = (f64, BTreeMap<String, (IntervalStats, usize)>);

/// Shard lines of one merged interval, operation and group: (shard index, end, line).
type BucketLines<'a> = BTreeMap<(u64, String, String), Vec<(usize, f64, RawInterval<'a>)>>;

/// Merges runs in memory: exact for histograms, counts, errors and fault windows.
///
/// Timeline counts and errors are summed exactly; a merged interval's percentiles can only be
/// recomputed from interval histograms, so where more than one shard contributed they are left
/// `None` here — [`merge_run_dirs`] fills them exactly from the interval logs.
pub fn merge(runs: &[RunResults]) -> Result<RunResults, ReportError> {
    let first = runs.first().ok_or(ReportError::NothingToMerge)?;
    for r in runs {
        if r.interval != first.interval {
            return Err(ReportError::IntervalMismatch {
                first_s: first.interval.as_secs_f64(),
                other_s: r.interval.as_secs_f64(),
            });
        }
    }
    let info = merge_info(runs);
    let interval_s = first.interval.as_secs_f64();
    let mut merged = RunResults::new(info.clone(), first.interval);
    let mut timeline: BTreeMap<u64, MergedPoint> = BTreeMap::new();
    for run in runs {
        let offset_s = offset_s(&run.info, &info);
        for (op, groups) in &run.series {
            for (group, series) in groups {
                merged
                    .series
                    .entry(op.clone())
                    .or_default()
                    .entry(group.clone())
                    .or_default()
                    .add(series)
                    .map_err(|e| ReportError::Add {
                        what: format!("{op} in group {group}"),
                        message: e.to_string(),
                    })?;
            }
        }
        for f in &run.faults {
            let f = FaultWindow::new(f.start_s + offset_s, f.end_s + offset_s, f.label.clone());
            if !merged.faults.contains(&f) {
                merged.faults.push(f);
            }
        }
        for p in &run.timeline {
            let k = bucket(offset_s + p.start_s, interval_s);
            let (end_s, ops) = timeline.entry(k).or_default();
            *end_s = end_s.max(offset_s + p.start_s + p.duration_s);
            for (op, s) in &p.operations {
                let (acc, contributors) = ops.entry(op.clone()).or_default();
                acc.count += s.count;
                acc.errors += s.errors;
                acc.max_us = acc.max_us.max(s.max_us);
                if s.p50_us.is_some() {
                    *contributors += 1;
                    acc.p50_us = s.p50_us;
                    acc.p99_us = s.p99_us;
                }
            }
        }
    }
    merged
        .faults
        .sort_by(|a, b| a.start_s.total_cmp(&b.start_s));
    merged.timeline = timeline
        .into_iter()
        .map(|(k, (end_s, ops))| {
            let start_s = k as f64 * interval_s;
            TimelinePoint {
                start_s,
                duration_s: end_s - start_s,
                operations: ops
                    .into_iter()
                    .map(|(op, (mut s, contributors))| {
                        if contributors > 1 {
                            s.p50_us = None;
                            s.p99_us = None;
                        }
                        (op, s)
                    })
                    .collect(),
            }
        })
        .collect();
    Ok(merged)
}

/// Run facts of the union of `runs`.
fn merge_info(runs: &[RunResults]) -> RunInfo {
    let first = &runs[0].info;
    let start = runs
        .iter()
        .map(|r| r.info.started_epoch_ms)
        .min()
        .unwrap_or(0);
    let end = runs
        .iter()
        .map(|r| r.info.ended_epoch_ms())
        .fold(start as f64, f64::max);
    let same_seed = runs.iter().all(|r| r.info.seed == first.seed);
    let mut merged_from = Vec::new();
    for r in runs {
        if r.info.merged_from.is_empty() {
            merged_from.push(r.info.shard.clone().unwrap_or_else(|| r.info.name.clone()));
        } else {
            merged_from.extend(r.info.merged_from.iter().cloned());
        }
    }
    // Each shard's notes, marked with the shard they came from.
    let notes = runs
        .iter()
        .flat_map(|r| {
            let from = r.info.shard.clone().unwrap_or_else(|| r.info.name.clone());
            r.info.notes.iter().map(move |n| format!("{from}: {n}"))
        })
        .collect();
    RunInfo {
        name: first.name.clone(),
        seed: if same_seed { first.seed } else { None },
        time_mode: first.time_mode,
        started_epoch_ms: start,
        duration_s: (end - start as f64) / 1000.0,
        shard: None,
        merged_from,
        notes,
    }
}

fn offset_s(run: &RunInfo, merged: &RunInfo) -> f64 {
    run.started_epoch_ms.saturating_sub(merged.started_epoch_ms) as f64 / 1000.0
}

/// The merged interval in which time `t_s` falls; the small epsilon keeps an interval that
/// starts at `k·I` (up to float rounding and the log's millisecond timestamps) in bucket `k`.
fn bucket(t_s: f64, interval_s: f64) -> u64 {
    ((t_s + 0.0005) / interval_s).floor().max(0.0) as u64
}

/// One shard's directory, read back.
struct Shard {
    dir: PathBuf,
    summary: RunSummary,
    hlog: Vec<u8>,
}

impl Shard {
    fn read(dir: &Path) -> Result<Self, ReportError> {
        let summary = RunSummary::read(&dir.join(summary::FILE_NAME))?;
        let path = dir.join(interval_log::FILE_NAME);
        let hlog = std::fs::read(&path).map_err(|e| ReportError::io("read", &path, e))?;
        Ok(Shard {
            dir: dir.to_owned(),
            summary,
            hlog,
        })
    }

    fn log_name(&self) -> String {
        self.dir.join(interval_log::FILE_NAME).display().to_string()
    }

    /// Rebuilds the shard's results: histograms from its interval log, errors, timeline and
    /// fault windows from its summary. The two files must agree on every count.
    fn results(&self) -> Result<RunResults, ReportError> {
        let totals = interval_log::read_totals(&self.hlog, &self.log_name())?;
        let s = &self.summary;
        let mut r = RunResults::new(s.run.clone(), Duration::from_secs_f64(s.interval_s));
        r.timeline = s.timeline.clone();
        r.faults = s.faults.clone();
        for (op, opsum) in &s.operations {
            for (group, g) in &opsum.groups {
                let histogram = totals
                    .get(op)
                    .and_then(|gs| gs.get(group))
                    .cloned()
                    .unwrap_or_else(new_histogram);
                if histogram.len() != g.count {
                    return Err(ReportError::Inconsistent {
                        dir: self.dir.clone(),
                        message: format!(
                            "latency.hlog holds {} samples of {op} in group {group}, summary.json says {}",
                            histogram.len(),
                            g.count
                        ),
                    });
                }
                r.series.entry(op.clone()).or_default().insert(
                    group.clone(),
                    SeriesResults {
                        histogram,
                        errors: g.errors_by_cause.clone(),
                    },
                );
            }
        }
        for (op, groups) in totals {
            for (group, histogram) in groups {
                let known = r.series.get(&op).is_some_and(|g| g.contains_key(&group));
                if !known && !histogram.is_empty() {
                    return Err(ReportError::Inconsistent {
                        dir: self.dir.clone(),
                        message: format!(
                            "latency.hlog has samples of {op} in group {group}, summary.json has none"
                        ),
                    });
                }
            }
        }
        Ok(r)
    }
}

/// Merges the run directories `dirs` (each with `summary.json` and `latency.hlog`) into `out`:
/// writes the merged `latency.hlog`, `summary.json`, `junit.xml` and `report.html`, and returns
/// the merged summary.
///
/// Thresholds are re-evaluated on the merged numbers: `thresholds`, or when `None` the union
/// of the shards' thresholds.
pub fn merge_run_dirs(
    dirs: &[impl AsRef<Path>],
    out: &Path,
    thresholds: Option<&Thresholds>,
) -> Result<RunSummary, ReportError> {
    let shards = dirs
        .iter()
        .map(|d| Shard::read(d.as_ref()))
        .collect::<Result<Vec<_>, _>>()?;
    let runs = shards
        .iter()
        .map(Shard::results)
        .collect::<Result<Vec<_>, _>>()?;
    let mut merged = merge(&runs)?;
    let thresholds = match thresholds {
        Some(t) => t.clone(),
        None => {
            let all: Vec<_> = shards
                .iter()
                .flat_map(|s| s.summary.thresholds.iter().cloned())
                .collect();
            Thresholds::from_results(&all)?
        }
    };
    let mut log = crate::run_dir::create_interval_log(out, &merged.info)?;
    merged.timeline = merge_interval_logs(&shards, &merged, &mut log)?;
    log.flush()?;
    crate::run_dir::write_outputs(out, &merged, &thresholds)
}

/// Adds the shards' interval histograms bucket by bucket, writes the merged intervals to `log`
/// and returns the exact merged timeline (errors taken from the summed shard timelines).
fn merge_interval_logs(
    shards: &[Shard],
    merged: &RunResults,
    log: &mut interval_log::HlogWriter,
) -> Result<Vec<TimelinePoint>, ReportError> {
    let interval_s = merged.interval.as_secs_f64();
    let names: Vec<String> = shards.iter().map(Shard::log_name).collect();
    // (bucket, op, group) -> lines of every shard in it; a BTreeMap keeps buckets in time order.
    let mut lines: BucketLines<'_> = BTreeMap::new();
    for (i, shard) in shards.iter().enumerate() {
        let offset = offset_s(&shard.summary.run, &merged.info);
        let (_, raws) = raw_intervals(&shard.hlog, &names[i])?;
        for raw in raws {
            let start = offset + raw.start.as_secs_f64();
            let end = start + raw.duration.as_secs_f64();
            lines
                .entry((bucket(start, interval_s), raw.op.clone(), raw.group.clone()))
                .or_default()
                .push((i, end, raw));
        }
    }
    let errors_by_bucket: BTreeMap<u64, &TimelinePoint> = merged
        .timeline
        .iter()
        .map(|p| (bucket(p.start_s, interval_s), p))
        .collect();
    let mut decoders: Vec<IntervalDecoder> =
        shards.iter().map(|_| IntervalDecoder::new()).collect();
    let mut scratch: Histogram<u64> = new_histogram();
    let mut builder = TimelineBuilder::default();
    let mut timeline = Vec::new();
    let mut current: Option<(u64, f64)> = None;
    let flush =
        |k: u64, end_s: f64, builder: &mut TimelineBuilder, timeline: &mut Vec<TimelinePoint>| {
            let start_s = k as f64 * interval_s;
            let mut p = builder.take(start_s, end_s - start_s);
            if let Some(e) = errors_by_bucket.get(&k) {
                for (op, s) in &e.operations {
                    if s.errors > 0 {
                        p.operations.entry(op.clone()).or_default().errors = s.errors;
                    }
                }
            }
            timeline.push(p);
        };
    for ((k, op, group), entries) in &lines {
        if let Some((ck, end_s)) = current {
            if ck != *k {
                flush(ck, end_s, &mut builder, &mut timeline);
                current = None;
            }
        }
        scratch.reset();
        let mut end_s = current.map_or(0.0, |c| c.1);
        for (i, end, raw) in entries {
            let h = decoders[*i].decode(raw, &names[*i])?;
            add_clamped(&mut scratch, &h);
            end_s = end_s.max(*end);
        }
        let start = *k as f64 * interval_s;
        let entry_end = entries.iter().map(|e| e.1).fold(start, f64::max);
        log.write_interval(
            op,
            group,
            &scratch,
            Duration::from_secs_f64(start),
            Duration::from_secs_f64(entry_end - start),
        )?;
        builder.add(op, &scratch, 0);
        current = Some((*k, end_s));
    }
    if let Some((k, end_s)) = current {
        flush(k, end_s, &mut builder, &mut timeline);
    }
    Ok(timeline)
}
