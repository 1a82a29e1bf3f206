//! Writes a demo run directory (`latency.hlog`, `summary.json`, `junit.xml`, `report.html`) from
//! a seeded synthetic load with an acquirer partition, to look at the report without a harness:
//! `cargo run -p posrig-reports --example demo_report -- /tmp/demo-run`.

use std::time::Duration;

use posrig_reports::run_dir::{create_interval_log, write_outputs};
use posrig_reports::{ops, FaultWindow, Recorder, RunInfo, Thresholds, TimeMode};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, LogNormal};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir =
        std::path::PathBuf::from(std::env::args().nth(1).unwrap_or_else(|| "demo-run".into()));
    let info = RunInfo {
        name: "saturday-rush (demo)".into(),
        seed: Some(2024),
        time_mode: TimeMode::Virtual,
        started_epoch_ms: 1_714_555_800_000,
        duration_s: 0.0,
        shard: None,
        merged_from: Vec::new(),
        notes: Vec::new(),
    };
    let log = create_interval_log(&dir, &info)?;
    let mut rec = Recorder::new(info, Duration::from_secs(1)).with_interval_log(log);
    let mut rng = ChaCha8Rng::seed_from_u64(2024);
    let dist =
        |median_ms: f64, sigma: f64| LogNormal::new((median_ms * 1000.0).ln(), sigma).unwrap();
    let scan = dist(9.0, 0.35);
    let card = dist(420.0, 0.45);
    let host = dist(120.0, 0.4);
    let receipt = dist(900.0, 0.2);
    let checkout = dist(38_000.0, 0.3);
    let lag = dist(0.08, 0.9);
    let partition = (60.0, 90.0);
    let seconds = 150u64;
    for tenth in 0..seconds * 10 {
        let t = tenth as f64 / 10.0;
        rec.tick(Duration::from_secs_f64(t))?;
        let in_partition = t >= partition.0 && t < partition.1;
        // Lanes ramp up over the first 30 s.
        let lanes = (4.0 + 36.0 * (t / 30.0).min(1.0)) as usize;
        for lane in 0..lanes {
            let group = if lane % 5 == 0 { "express" } else { "standard" };
            if rng.gen_bool(0.3) {
                rec.record(
                    ops::SCAN_TO_DISPLAY,
                    group,
                    Duration::from_micros(scan.sample(&mut rng) as u64),
                );
                rec.record(
                    ops::SCHEDULING_LAG,
                    "harness",
                    Duration::from_micros(lag.sample(&mut rng) as u64),
                );
            }
            if rng.gen_bool(0.02) {
                if in_partition {
                    // Card payments wait out the partition (measured from the scheduled start).
                    let waited = (partition.1 - t) * 1e6 + card.sample(&mut rng);
                    if rng.gen_bool(0.3) {
                        rec.record_error(ops::CARD_AUTH, group, "host timeout");
                    } else {
                        rec.record(ops::CARD_AUTH, group, Duration::from_micros(waited as u64));
                    }
                } else {
                    rec.record(
                        ops::CARD_AUTH,
                        group,
                        Duration::from_micros(card.sample(&mut rng) as u64),
                    );
                    rec.record(
                        ops::HOST_RTT,
                        group,
                        Duration::from_micros(host.sample(&mut rng) as u64),
                    );
                    if rng.gen_bool(0.01) {
                        rec.record_error(ops::CARD_AUTH, group, "declined");
                    }
                }
                if lane == 7 && t > 100.0 && t < 120.0 {
                    rec.record_error(ops::RECEIPT, group, "paper out");
                } else {
                    rec.record(
                        ops::RECEIPT,
                        group,
                        Duration::from_micros(receipt.sample(&mut rng) as u64),
                    );
                    rec.record(
                        ops::CHECKOUT,
                        group,
                        Duration::from_micros(checkout.sample(&mut rng) as u64),
                    );
                }
            }
        }
    }
    rec.add_fault_window(FaultWindow::new(
        partition.0,
        partition.1,
        "acquirer partition",
    ));
    rec.add_fault_window(FaultWindow::new(100.0, 120.0, "paper out, lane 7"));
    let results = rec.finish(Duration::from_secs(seconds))?;
    let thresholds: Thresholds = serde_json::from_str(
        r#"{"card_auth": ["p99 < 1500ms", "errors < 0.5%"], "scan_to_display": "p99 < 50ms",
            "checkout": ["count >= 100", "rate > 0.5/s"], "scheduling_lag": "p99 < 1ms"}"#,
    )?;
    let summary = write_outputs(&dir, &results, &thresholds)?;
    println!(
        "wrote {} ({})",
        dir.display(),
        if summary.passed { "passed" } else { "failed" }
    );
    Ok(())
}
