//! `latency.hlog` round trip through hdrhistogram's interval-log reader.

use std::collections::BTreeMap;
use std::time::Duration;

use hdrhistogram::serialization::interval_log::{IntervalLogIterator, LogEntry};
use posrig_reports::interval_log::{read_intervals, read_totals, HlogWriter};
use posrig_reports::{new_histogram, Recorder};

use crate::fixture::{info, replay, samples};

#[test]
fn interval_log_round_trips_through_hdrhistogram_reader() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("latency.hlog");
    let all = samples(3, 20_000, 5);
    let rec = Recorder::new(info("roundtrip"), Duration::from_secs(1))
        .with_interval_log(HlogWriter::create(&path, &info("roundtrip")).unwrap());
    let results = replay(rec, &all, 5);
    let bytes = std::fs::read(&path).unwrap();

    // Raw view with hdrhistogram's own iterator: headers and tags as documented.
    let mut tags = BTreeMap::new();
    let mut start_time = None;
    let mut base_time = None;
    for e in IntervalLogIterator::new(&bytes) {
        match e.unwrap() {
            LogEntry::StartTime(t) => start_time = Some(t),
            LogEntry::BaseTime(t) => base_time = Some(t),
            LogEntry::Interval(i) => {
                *tags
                    .entry(i.tag().unwrap().as_str().to_owned())
                    .or_insert(0) += 1;
            }
        }
    }
    assert_eq!(start_time, Some(Duration::from_millis(1_714_555_800_000)));
    assert_eq!(base_time, start_time);
    let want: BTreeMap<String, i32> = [
        "op=card_auth;group=express",
        "op=card_auth;group=standard",
        "op=scan_to_display;group=express",
        "op=scan_to_display;group=standard",
    ]
    .into_iter()
    .map(|t| (t.to_owned(), 5))
    .collect();
    assert_eq!(tags, want, "one line per series per interval");

    // Each interval histogram holds exactly the samples recorded in that second.
    let intervals = read_intervals(&bytes, "latency.hlog").unwrap();
    assert_eq!(intervals.len(), 20);
    for i in &intervals {
        let mut expected = new_histogram();
        for s in all.iter().filter(|s| {
            s.op == i.op
                && s.group == i.group
                && s.error.is_none()
                && s.at >= i.start
                && s.at < i.start + i.duration
        }) {
            expected.record(s.latency_us).unwrap();
        }
        assert_eq!(
            i.histogram.len(),
            expected.len(),
            "{} {} at {:?}",
            i.op,
            i.group,
            i.start
        );
        assert_eq!(i.histogram, expected);
        assert_eq!(i.duration, Duration::from_secs(1));
    }

    // Totals rebuilt from the log equal the recorder's totals exactly.
    let totals = read_totals(&bytes, "latency.hlog").unwrap();
    for (op, groups) in &results.series {
        for (group, s) in groups {
            assert_eq!(totals[op][group], s.histogram, "{op} {group}");
        }
    }
}

#[test]
fn garbage_in_the_log_is_an_error_not_a_panic() {
    let err = read_intervals(b"#ok\nthis is not an interval\n", "bad.hlog").unwrap_err();
    assert_eq!(err.to_string(), "parse interval log `bad.hlog` at byte 4");
    let err = read_intervals(b"Tag=op=x,0.000,1.000,5.0,!!notbase64\n", "bad.hlog").unwrap_err();
    assert!(
        err.to_string()
            .contains("decode interval histogram `op=x;group=default`"),
        "{err}"
    );
}
