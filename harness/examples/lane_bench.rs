//! Lane benchmark (issue 3): one embedded lane, a 20-item basket paid by chip card with PIN
//! through in-memory devices and the acquirer simulator, timed from the first scan to the
//! receipt's cut, with the journal on `synchronous=FULL` in a file. Prints p50/p99/max over the
//! sales and the journal's commits per sale.
//!
//! `cargo run --release -p posrig-harness --example lane_bench [-- SALES]` (default 200).
//!
//! Real time, not virtual: the figure includes the simulated printer's paper time (the device
//! prints at its configured speed and the driver waits for the cut and a good status), the PIN
//! pad link, SQLite fsyncs and the host round trip.

#[path = "../tests/support/mod.rs"]
mod support;

use std::time::Duration;

use posrig_devices::pinpad::PinPadAction;
use tokio::time::Instant;

/// 20 barcoded items sold by the piece, and the display text of the last one.
fn basket() -> (Vec<String>, String) {
    let text = std::fs::read_to_string(support::data_dir().join("catalog.yaml")).unwrap();
    let catalog: serde_yaml::Value = serde_yaml::from_str(&text).unwrap();
    let items: Vec<(String, String)> = catalog["items"]
        .as_sequence()
        .unwrap()
        .iter()
        .filter(|item| !item["weighed"].as_bool().unwrap_or(false))
        .filter_map(|item| {
            let code = item["barcodes"][0].as_str()?.to_owned();
            let name: String = item["name"].as_str()?.chars().take(20).collect();
            Some((code, name.trim_end().to_owned()))
        })
        .take(20)
        .collect();
    let last = items.last().expect("items").1.clone();
    (items.into_iter().map(|i| i.0).collect(), last)
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i]
}

fn main() {
    let sales: usize = std::env::args()
        .nth(1)
        .map(|s| s.parse().expect("SALES is a number"))
        .unwrap_or(200);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async move {
        let dir = tempfile::tempdir().unwrap();
        let world = support::start_with(&dir.path().join("journal.db"), |config| {
            for card in &mut config.cards.cards {
                card.balance = rust_decimal::Decimal::new(1_000_000_000, 2);
            }
        });
        let d = &world.devices;
        d.wait_display("SIGNED ON").await;
        d.login().await;
        let (codes, last_name) = basket();
        assert_eq!(codes.len(), 20, "the catalog has 20 barcoded items");

        let mut times = Vec::with_capacity(sales);
        let mut commits = Vec::with_capacity(sales);
        for n in 0..sales {
            let before = world.lane.journal_commits();
            let start = Instant::now();
            for code in &codes {
                d.scan(code).await;
            }
            // Keys and scans come on different wires: wait until the last item is shown
            // before TOTAL.
            d.wait_display(&last_name).await;
            d.keys("TOTAL").await;
            d.wait_display("TOTAL").await;
            d.keys("CARD").await;
            d.wait_display("INSERT/SWIPE/TAP").await;
            while d
                .pinpad
                .act(&PinPadAction::Insert {
                    card: "chip-ok".into(),
                })
                .await
                .is_err()
            {
                tokio::time::sleep(Duration::from_millis(1)).await;
            }
            d.wait_display("ENTER PIN").await;
            while d
                .pinpad
                .act(&PinPadAction::EnterPin { pin: None })
                .await
                .is_err()
            {
                tokio::time::sleep(Duration::from_millis(1)).await;
            }
            d.wait_display("APPROVED").await;
            d.wait_receipts(n + 1).await;
            times.push(start.elapsed());
            commits.push(world.lane.journal_commits() - before);
            d.pad(PinPadAction::Remove {}).await;
        }
        let mut sorted = times.clone();
        sorted.sort();
        let total_commits: u64 = commits.iter().sum();
        println!(
            "lane_bench: {sales} sales of 20 items paid by chip card + PIN, first scan -> cut"
        );
        println!(
            "  p50 {:?}  p99 {:?}  max {:?}  min {:?}",
            percentile(&sorted, 0.50),
            percentile(&sorted, 0.99),
            sorted[sorted.len() - 1],
            sorted[0]
        );
        println!(
            "  journal commits per sale: {:.1} (min {}, max {}), synchronous=FULL, WAL",
            total_commits as f64 / sales as f64,
            commits.iter().min().unwrap(),
            commits.iter().max().unwrap()
        );
        world.lane.shutdown().await.unwrap();
    });
}
