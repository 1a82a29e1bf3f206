//! Benchmark: purchases per second one acquirer sustains over loopback TCP from 64 concurrent
//! connections (sign-on, then purchases with PIN block and MAC), with the client round trip and
//! the host's own `host_rtt` as HDR percentiles.
//!
//! `cargo bench -p posrig-sim --bench acquirer_load` (bounded: 64 × 1 500 purchases or 60 s).

#[path = "acquirer_support/mod.rs"]
mod support;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use posrig_protocols::iso8583::ResponseCode;
use posrig_sim::acquirer::{Acquirer, AcquirerConfig, HostObserver};

const CONNECTIONS: u32 = 64;
const PURCHASES_PER_CONNECTION: u32 = 1_500;
const TIME_LIMIT: Duration = Duration::from_secs(60);

/// Collects `host_rtt` into a histogram.
struct RttObserver(Mutex<hdrhistogram::Histogram<u64>>);

impl HostObserver for RttObserver {
    fn request(&self, _: &str, _: &str, _: &str, _: &str) {}
    fn decision(&self, _: &str, _: &str, _: &str, _: &str) {}
    fn host_rtt(&self, rtt: Duration) {
        let us = u64::try_from(rtt.as_micros()).unwrap_or(u64::MAX).max(1);
        let _ = self.0.lock().unwrap().record(us);
    }
    fn note(&self, _: &str) {}
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let observer = Arc::new(RttObserver(Mutex::new(support::histogram())));
        let mut config = AcquirerConfig::load(&support::data_dir())
            .unwrap()
            .with_derived_lanes(true);
        config.terminals.terminals.clear();
        let acquirer = Acquirer::with_observer(config, observer.clone());
        let server = acquirer.listen("127.0.0.1:0").await.unwrap();
        let addr = server.local_addr();

        let mut lanes = Vec::new();
        for n in 1..=CONNECTIONS {
            let mut lane = support::Lane::connect(addr, n).await;
            lane.sign_on().await;
            lanes.push(lane);
        }
        observer.0.lock().unwrap().reset();
        let deadline = Instant::now() + TIME_LIMIT;
        let started = Instant::now();
        let tasks: Vec<_> = lanes
            .into_iter()
            .enumerate()
            .map(|(i, mut lane)| {
                tokio::spawn(async move {
                    let names = ["chip-ok", "swipe-only", "tap-ok"];
                    let card = lane.card(names[i % names.len()]);
                    let mut h = support::histogram();
                    for _ in 0..PURCHASES_PER_CONNECTION {
                        if Instant::now() > deadline {
                            break;
                        }
                        let t = Instant::now();
                        let resp = lane.purchase(1, &card).await;
                        h.record(t.elapsed().as_micros().max(1) as u64).unwrap();
                        assert_eq!(resp.response_code(), Some(ResponseCode::Approved));
                    }
                    h
                })
            })
            .collect();
        let mut client = support::histogram();
        for t in tasks {
            client.add(t.await.unwrap()).unwrap();
        }
        let elapsed = started.elapsed();
        let host = observer.0.lock().unwrap().clone();
        println!(
            "acquirer_load: {} purchases from {CONNECTIONS} connections in {:.2} s = {:.0} purchases/s",
            client.len(),
            elapsed.as_secs_f64(),
            client.len() as f64 / elapsed.as_secs_f64()
        );
        println!("  client round trip: {}", support::percentiles(&client));
        println!("  host_rtt (host wire): {}", support::percentiles(&host));
        assert_eq!(acquirer.control().ledger().entries().len() as u64, client.len());
    });
}
