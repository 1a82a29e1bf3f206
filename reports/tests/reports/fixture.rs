//! Seeded synthetic runs shared by the tests.

use std::time::Duration;

use posrig_reports::{ops, FaultWindow, Recorder, RunInfo, TimeMode};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, LogNormal};

/// One synthetic operation completion.
#[derive(Debug, Clone)]
pub struct Sample {
    pub at: Duration,
    pub op: &'static str,
    pub group: &'static str,
    pub latency_us: u64,
    pub error: Option<&'static str>,
}

/// `n` samples spread over `seconds`, several operations and two lane groups, a few errors.
pub fn samples(seed: u64, n: usize, seconds: u64) -> Vec<Sample> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let scan = LogNormal::new((12_000f64).ln(), 0.5).unwrap();
    let card = LogNormal::new((400_000f64).ln(), 0.8).unwrap();
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        let at = Duration::from_micros(i as u64 * seconds * 1_000_000 / n as u64);
        let (op, dist) = if rng.gen_bool(0.7) {
            (ops::SCAN_TO_DISPLAY, &scan)
        } else {
            (ops::CARD_AUTH, &card)
        };
        let group = if rng.gen_bool(0.8) {
            "standard"
        } else {
            "express"
        };
        let error = if op == ops::CARD_AUTH && rng.gen_bool(0.01) {
            Some(if rng.gen_bool(0.5) {
                "declined"
            } else {
                "host timeout"
            })
        } else {
            None
        };
        out.push(Sample {
            at,
            op,
            group,
            latency_us: dist.sample(&mut rng).round().max(1.0) as u64,
            error,
        });
    }
    out
}

pub fn info(name: &str) -> RunInfo {
    RunInfo {
        name: name.into(),
        seed: Some(42),
        time_mode: TimeMode::Virtual,
        started_epoch_ms: 1_714_555_800_000,
        duration_s: 0.0,
        shard: None,
        merged_from: Vec::new(),
        notes: Vec::new(),
    }
}

/// Feeds `samples` through a recorder, ending an interval at every whole second like the
/// engine's 1 s ticker.
pub fn replay(mut rec: Recorder, samples: &[Sample], seconds: u64) -> posrig_reports::RunResults {
    let mut next_tick = Duration::from_secs(1);
    for s in samples {
        while next_tick <= s.at {
            assert!(rec.tick(next_tick).unwrap());
            next_tick += Duration::from_secs(1);
        }
        match s.error {
            None => rec.record(s.op, s.group, Duration::from_micros(s.latency_us)),
            Some(cause) => rec.record_error(s.op, s.group, cause),
        }
    }
    while next_tick < Duration::from_secs(seconds) {
        rec.tick(next_tick).unwrap();
        next_tick += Duration::from_secs(1);
    }
    rec.add_fault_window(FaultWindow::new(2.0, 3.5, "acquirer partition"));
    rec.finish(Duration::from_secs(seconds)).unwrap()
}
