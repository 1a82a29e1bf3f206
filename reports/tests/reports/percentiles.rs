//! Percentiles from the recorder equal those of the sorted raw samples, within HDR precision;
//! measuring from the scheduled start exposes a stall.

use std::time::Duration;

use posrig_reports::summary::RunSummary;
use posrig_reports::{ops, Recorder, Thresholds};

use crate::fixture::{info, replay, samples};

#[test]
fn percentiles_match_sorted_raw_samples_within_three_significant_figures() {
    let all = samples(7, 100_000, 10);
    let results = replay(
        Recorder::new(info("synthetic"), Duration::from_secs(1)),
        &all,
        10,
    );
    let summary = RunSummary::build(&results, &Thresholds::new());
    for op in [ops::SCAN_TO_DISPLAY, ops::CARD_AUTH] {
        let mut raw: Vec<u64> = all
            .iter()
            .filter(|s| s.op == op && s.error.is_none())
            .map(|s| s.latency_us)
            .collect();
        raw.sort_unstable();
        let h = results.operation(op).unwrap().histogram;
        assert_eq!(h.len(), raw.len() as u64);
        for q in [0.5, 0.9, 0.99, 0.999, 1.0] {
            let rank = ((q * raw.len() as f64).ceil() as usize).max(1);
            let exact = raw[rank - 1];
            let hdr = h.value_at_quantile(q);
            // HDR reports the highest value equivalent to the exact one at 3 significant figures.
            assert_eq!(hdr, h.highest_equivalent(exact), "{op} q={q}");
            assert!(
                hdr >= exact && hdr - exact <= exact / 1000,
                "{op} q={q}: {hdr} vs {exact}"
            );
        }
        let l = summary.operations[op].latency.as_ref().unwrap();
        // min is reported as the lowest value equivalent to the smallest sample.
        assert_eq!(l.min_us, h.lowest_equivalent(raw[0]));
        assert!(raw[0] - l.min_us <= raw[0] / 1000);
        assert_eq!(l.max_us, h.highest_equivalent(*raw.last().unwrap()));
        assert_eq!(l.p99_us, h.value_at_quantile(0.99));
        let errors = all
            .iter()
            .filter(|s| s.op == op && s.error.is_some())
            .count() as u64;
        assert_eq!(summary.operations[op].errors, errors);
    }
}

#[test]
fn measuring_from_the_scheduled_start_shows_a_stall() {
    // An open model: one action scheduled every 10 ms for 10 s; the system answers in 2 ms
    // except during a 2 s stall starting at 4 s, when everything waits until 6 s.
    let mut from_schedule = Recorder::new(info("stall"), Duration::from_secs(1));
    let mut from_actual = Recorder::new(info("stall"), Duration::from_secs(1));
    let k1 = from_schedule.key(ops::CARD_AUTH, "all");
    let k2 = from_actual.key(ops::CARD_AUTH, "all");
    let stall = (Duration::from_secs(4), Duration::from_secs(6));
    // A closed-loop driver (the naive one) only starts the next action after the previous
    // ended, so during the stall it issues a single request.
    let mut naive_free_at = Duration::ZERO;
    for i in 0..1000u64 {
        let scheduled = Duration::from_millis(i * 10);
        let done = |start: Duration| {
            if start >= stall.0 && start < stall.1 {
                stall.1 + Duration::from_millis(2)
            } else {
                start + Duration::from_millis(2)
            }
        };
        from_schedule.record_scheduled(k1, scheduled, done(scheduled));
        if scheduled >= naive_free_at {
            let end = done(scheduled);
            from_actual.record_scheduled(k2, scheduled, end);
            naive_free_at = end;
        }
    }
    let s = from_schedule.finish(Duration::from_secs(10)).unwrap();
    let a = from_actual.finish(Duration::from_secs(10)).unwrap();
    let s = s.operation(ops::CARD_AUTH).unwrap().histogram;
    let a = a.operation(ops::CARD_AUTH).unwrap().histogram;
    // Every action scheduled during the stall is a sample: 200 of 1000, so p99 is ~2 s.
    assert_eq!(s.len(), 1000);
    assert!(
        s.value_at_quantile(0.99) > 1_900_000,
        "{}",
        s.value_at_quantile(0.99)
    );
    assert!(s.value_at_quantile(0.85) > 500_000);
    // The naive driver hides the stall behind one slow sample: its p99 stays at 2 ms.
    assert!(a.len() < 820);
    assert!(a.value_at_quantile(0.99) < 3_000);
}

#[test]
fn latencies_beyond_an_hour_are_clamped_not_lost() {
    let mut rec = Recorder::new(info("clamp"), Duration::from_secs(1));
    rec.record(ops::SETTLEMENT, "all", Duration::from_secs(7200));
    rec.record(ops::SETTLEMENT, "all", Duration::ZERO);
    let r = rec.finish(Duration::from_secs(1)).unwrap();
    let h = r.operation(ops::SETTLEMENT).unwrap().histogram;
    assert_eq!(h.len(), 2);
    assert!(h.max() >= 3_600_000_000 && h.max() < 3_610_000_000);
    assert_eq!(h.min(), 0);
}
