//! Benchmarks of the impaired TCP proxy in front of the acquirer, over loopback:
//! (1) the latency an impairment-free proxy adds over a direct connection (echo tests, one
//! connection, 10 000 each, interleaved in blocks); (2) the accuracy of a 50 ms ± 10 ms
//! (uniform 40–60 ms, requests only) latency impairment over 10 000 messages (100 connections ×
//! 100 echo tests), observed latency = round trip − the direct median.
//!
//! `cargo bench -p posrig-sim --bench proxy_latency` (bounded in count and by a 120 s limit).

#[path = "acquirer_support/mod.rs"]
mod support;

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use posrig_protocols::iso8583::ResponseCode;
use posrig_sim::acquirer::spawn_proxy;
use posrig_sim::rng::SimRng;
use posrig_sim::wire::{Direction, Impairment, Latency};

const BLOCKS: u32 = 5;
const PER_BLOCK: u32 = 2_000;
const SLOW_CONNECTIONS: u32 = 100;
const SLOW_PER_CONNECTION: u32 = 100;
const TIME_LIMIT: Duration = Duration::from_secs(120);

async fn echo_block(lane: &mut support::Lane, n: u32, h: &mut hdrhistogram::Histogram<u64>) {
    for _ in 0..n {
        let t = Instant::now();
        let resp = lane.echo().await;
        h.record(t.elapsed().as_micros().max(1) as u64).unwrap();
        assert_eq!(resp.response_code(), Some(ResponseCode::Approved));
    }
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let acquirer = support::acquirer();
        let server = acquirer.listen("127.0.0.1:0").await.unwrap();
        let rng = SimRng::new(42);
        let proxy = spawn_proxy("acquirer-primary", server.local_addr(), &rng, None)
            .await
            .unwrap();
        let deadline = Instant::now() + TIME_LIMIT;

        // (1) Direct vs impairment-free proxy.
        let mut direct_lane = support::Lane::connect(server.local_addr(), 1).await;
        let mut proxied_lane = support::Lane::connect(proxy.local_addr(), 2).await;
        echo_block(&mut direct_lane, 200, &mut support::histogram()).await; // warm-up
        echo_block(&mut proxied_lane, 200, &mut support::histogram()).await;
        let (mut direct, mut proxied) = (support::histogram(), support::histogram());
        for _ in 0..BLOCKS {
            echo_block(&mut direct_lane, PER_BLOCK, &mut direct).await;
            echo_block(&mut proxied_lane, PER_BLOCK, &mut proxied).await;
        }
        println!("proxy_latency: direct            {}", support::percentiles(&direct));
        println!("proxy_latency: unimpaired proxy  {}", support::percentiles(&proxied));
        println!(
            "proxy_latency: added by the proxy: p50 {} µs, p99 {} µs",
            proxied.value_at_quantile(0.5) as i64 - direct.value_at_quantile(0.5) as i64,
            proxied.value_at_quantile(0.99) as i64 - direct.value_at_quantile(0.99) as i64
        );

        // (2) Accuracy of 50 ms ± 10 ms on the request direction.
        let baseline_us = proxied.value_at_quantile(0.5) as f64;
        let jitter = Impairment {
            latency: Some(Latency::Uniform {
                min_ms: 40.0,
                max_ms: 60.0,
            }),
            ..Impairment::none()
        };
        proxy.control().set(Direction::AToB, jitter).unwrap();
        let addr: SocketAddr = proxy.local_addr();
        let tasks: Vec<_> = (0..SLOW_CONNECTIONS)
            .map(|i| {
                tokio::spawn(async move {
                    let mut lane = support::Lane::connect(addr, 100 + i).await;
                    let mut samples = Vec::new();
                    for _ in 0..SLOW_PER_CONNECTION {
                        if Instant::now() > deadline {
                            break;
                        }
                        let t = Instant::now();
                        lane.echo().await;
                        samples.push(t.elapsed().as_micros() as f64 - baseline_us);
                    }
                    samples
                })
            })
            .collect();
        let mut samples = Vec::new();
        for t in tasks {
            samples.extend(t.await.unwrap());
        }
        let n = samples.len() as f64;
        let mean = samples.iter().sum::<f64>() / n;
        let var = samples.iter().map(|s| (s - mean).powi(2)).sum::<f64>() / n;
        let min = samples.iter().cloned().fold(f64::INFINITY, f64::min);
        let max = samples.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
        let mut sorted = samples.clone();
        sorted.sort_by(f64::total_cmp);
        let q = |p: f64| sorted[((sorted.len() - 1) as f64 * p) as usize] / 1000.0;
        let late = samples.iter().filter(|s| **s > 61_000.0).count();
        println!(
            "proxy_latency: observed p50 {:.2} ms, p99 {:.2} ms, p99.9 {:.2} ms; {late} of {} over 61 ms",
            q(0.5),
            q(0.99),
            q(0.999),
            samples.len()
        );
        println!(
            "proxy_latency: 50 ms ± 10 ms (uniform 40–60) over {} messages: mean {:.2} ms, min {:.2} ms, max {:.2} ms, stddev {:.2} ms (ideal: mean 50, min 40, max 60, stddev 5.77)",
            samples.len(),
            mean / 1000.0,
            min / 1000.0,
            max / 1000.0,
            var.sqrt() / 1000.0
        );
    });
}
