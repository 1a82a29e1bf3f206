//! Merging shards equals the unsharded run exactly.

use std::time::Duration;

use posrig_reports::interval_log::{read_totals, HlogWriter};
use posrig_reports::merge::{merge, merge_run_dirs};
use posrig_reports::run_dir::{create_interval_log, write_outputs};
use posrig_reports::summary::RunSummary;
use posrig_reports::{ops, Recorder, RunInfo, Thresholds};

use crate::fixture::{info, replay, samples, Sample};

fn thresholds() -> Thresholds {
    let mut t = Thresholds::new();
    t.parse_add(ops::CARD_AUTH, "p99 < 1500ms").unwrap();
    t.parse_add(ops::CARD_AUTH, "errors < 0.5%").unwrap();
    t.parse_add(ops::SCAN_TO_DISPLAY, "p50 <= 20ms").unwrap();
    t
}

fn shard_info(k: usize) -> RunInfo {
    RunInfo {
        shard: Some(format!("{k}/2")),
        ..info("merge")
    }
}

fn run_into(dir: &std::path::Path, run_info: RunInfo, part: &[Sample]) -> RunSummary {
    let log = create_interval_log(dir, &run_info).unwrap();
    let rec = Recorder::new(run_info, Duration::from_secs(1)).with_interval_log(log);
    let results = replay(rec, part, 8);
    write_outputs(dir, &results, &thresholds()).unwrap()
}

#[test]
fn merged_shard_dirs_equal_the_unsharded_run_exactly() {
    let all = samples(11, 40_000, 8);
    // Shards own disjoint lanes; here every other sample.
    let a: Vec<Sample> = all.iter().step_by(2).cloned().collect();
    let b: Vec<Sample> = all.iter().skip(1).step_by(2).cloned().collect();
    let tmp = tempfile::tempdir().unwrap();
    let (da, db, dm, du) = (
        tmp.path().join("a"),
        tmp.path().join("b"),
        tmp.path().join("merged"),
        tmp.path().join("whole"),
    );
    run_into(&da, shard_info(1), &a);
    run_into(&db, shard_info(2), &b);
    let whole = run_into(&du, info("merge"), &all);

    let merged = merge_run_dirs(&[&da, &db], &dm, None).unwrap();
    assert_eq!(merged.operations, whole.operations);
    assert_eq!(merged.thresholds, whole.thresholds);
    assert_eq!(merged.timeline, whole.timeline);
    assert_eq!(merged.faults, whole.faults);
    assert_eq!(merged.passed, whole.passed);
    assert_eq!(
        merged.run.merged_from,
        vec!["1/2".to_owned(), "2/2".to_owned()]
    );
    assert_eq!(merged.run.duration_s, whole.run.duration_s);
    assert_eq!(merged.run.shard, None);

    // The merged interval log adds up to the unsharded histograms, bucket for bucket.
    let m = read_totals(&std::fs::read(dm.join("latency.hlog")).unwrap(), "m").unwrap();
    let w = read_totals(&std::fs::read(du.join("latency.hlog")).unwrap(), "w").unwrap();
    assert_eq!(m, w);
    for f in ["summary.json", "junit.xml", "report.html"] {
        assert!(dm.join(f).exists(), "{f}");
    }
    // The merged summary reads back identically.
    assert_eq!(RunSummary::read(&dm.join("summary.json")).unwrap(), merged);
}

#[test]
fn in_memory_merge_of_two_halves_equals_one_histogram_of_all_samples() {
    let all = samples(5, 30_000, 6);
    let (a, b): (Vec<Sample>, Vec<Sample>) =
        all.iter().cloned().partition(|s| s.group == "express");
    let ra = replay(Recorder::new(shard_info(1), Duration::from_secs(1)), &a, 6);
    let rb = replay(Recorder::new(shard_info(2), Duration::from_secs(1)), &b, 6);
    let whole = replay(
        Recorder::new(info("merge"), Duration::from_secs(1)),
        &all,
        6,
    );
    let merged = merge(&[ra, rb]).unwrap();
    assert_eq!(merged.series, whole.series);
    for op in [ops::CARD_AUTH, ops::SCAN_TO_DISPLAY] {
        assert_eq!(merged.operation(op), whole.operation(op));
    }
    // Interval counts and errors add up; percentiles of intervals with two contributors
    // cannot be known without the interval histograms.
    for (m, w) in merged.timeline.iter().zip(&whole.timeline) {
        for (op, s) in &w.operations {
            assert_eq!(m.operations[op].count, s.count);
            assert_eq!(m.operations[op].errors, s.errors);
            assert_eq!(m.operations[op].max_us, s.max_us);
        }
    }
}

#[test]
fn merge_rejects_mismatched_inputs() {
    assert_eq!(
        merge(&[]).unwrap_err().to_string(),
        "merge runs: no input runs given"
    );
    let one = Recorder::new(info("x"), Duration::from_secs(1))
        .finish(Duration::from_secs(1))
        .unwrap();
    let two = Recorder::new(info("x"), Duration::from_secs(2))
        .finish(Duration::from_secs(2))
        .unwrap();
    assert_eq!(
        merge(&[one, two]).unwrap_err().to_string(),
        "merge runs: interval lengths differ (1 s and 2 s)"
    );
}

#[test]
fn merge_detects_a_log_that_disagrees_with_its_summary() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("a");
    run_into(&dir, shard_info(1), &samples(1, 1000, 2));
    // Replace the log with an empty one: the summary's counts no longer match.
    HlogWriter::create(&dir.join("latency.hlog"), &shard_info(1))
        .unwrap()
        .flush()
        .unwrap();
    let err = merge_run_dirs(&[&dir], &tmp.path().join("out"), None).unwrap_err();
    assert!(err.to_string().contains("summary.json says"), "{err}");
}
