//! Memory per lane (issue 6): starts embedded lanes the way `posrig load` does (shared acquirer
//! and wallet host, six simulated devices on in-memory links, a POS with its SQLite journal), in
//! virtual time, and prints the process's resident memory as lanes are added and the growth per
//! lane. Lanes are signed on and idle (printer status polls running), not selling.
//!
//! `cargo run --release -p posrig-harness --example lane_memory [-- LANES [DURABILITY]]`
//! (default 1000 lanes, journals `normal`; `full` for synchronous=FULL).
//!
//! RSS is read from `/proc/self/status` (Linux); the allocator may keep freed memory, so the
//! figure is an upper bound of what the lanes hold.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use posrig_harness::run::shared::{start_lane_world, DeviceObserver, SharedHosts};
use posrig_harness::run::world::EPOCH_UNIX_SECS;
use posrig_harness::scenario::library::Library;
use posrig_pos::journal::Durability;
use posrig_sim::clock::{build_runtime, TimeMode};

/// Resident set size of this process in KiB.
fn rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("read /proc/self/status");
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmRSS in /proc/self/status")
}

fn main() {
    let lanes: u32 = std::env::args()
        .nth(1)
        .map(|s| s.parse().expect("LANES is a number"))
        .unwrap_or(1000);
    let durability = match std::env::args().nth(2).as_deref() {
        None | Some("normal") => Durability::Normal,
        Some("full") => Durability::Full,
        Some(other) => panic!("DURABILITY is `normal` or `full`, not `{other}`"),
    };
    let data_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../scenarios/load/bench/store/data");
    let data = Library::new()
        .data(&data_dir)
        .unwrap_or_else(|p| panic!("load {}: {p:?}", data_dir.display()));
    let journals = tempfile::tempdir().expect("a temporary folder");
    let runtime = build_runtime(TimeMode::Virtual).expect("a runtime");
    let local = tokio::task::LocalSet::new();
    local.block_on(&runtime, async move {
        let hosts = SharedHosts::start(&data, 1, EPOCH_UNIX_SECS).expect("start the hosts");
        let observer: DeviceObserver = Arc::new(|_, _| {});
        let base = rss_kib();
        println!("lane_memory: {lanes} idle lanes, journals {durability:?}, virtual time");
        println!("  before any lane: RSS {base} KiB");
        let mut worlds = Vec::with_capacity(lanes as usize);
        let step = (lanes / 5).max(1);
        let mut at_first_step = None;
        for lane in 1..=lanes {
            let journal = journals.path().join(format!("lane{lane:05}.db"));
            let world = start_lane_world(
                &hosts,
                data.clone(),
                lane,
                &journal,
                durability,
                observer.clone(),
            )
            .await
            .unwrap_or_else(|e| panic!("start lane {lane}: {e:#}"));
            worlds.push(world);
            if lane % step == 0 {
                // Let every lane run a few poll cycles before reading.
                tokio::time::sleep(Duration::from_secs(5)).await;
                let rss = rss_kib();
                println!(
                    "  {lane:>6} lanes: RSS {rss} KiB, {:.1} KiB/lane over the base",
                    (rss - base) as f64 / f64::from(lane)
                );
                at_first_step.get_or_insert((lane, rss));
            }
        }
        let end = rss_kib();
        if let Some((first, rss)) = at_first_step {
            if lanes > first {
                println!(
                    "  marginal: {:.1} KiB/lane (from {first} to {lanes} lanes)",
                    (end - rss) as f64 / f64::from(lanes - first)
                );
            }
        }
        for mut w in worlds {
            let _ = w.shutdown().await;
        }
    });
}
