//! `posrig hosts serve`: the acquirer (ISO 8583, CUP layout) and the QR-wallet host on 127.0.0.1,
//! optionally behind impairment-free named proxies, so that a real terminal or a third-party
//! ISO 8583 client can be pointed at them.

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;

use anyhow::Context;
use posrig_sim::acquirer::{Acquirer, AcquirerConfig, AcquirerLinks};
use posrig_sim::clock::{system_epoch_unix_secs, Clock};
use posrig_sim::event::EventBus;
use posrig_sim::qrhost::{spawn_wallet_link, QrHost, QrHostConfig};
use posrig_sim::rng::SimRng;

/// What `hosts serve` was asked for.
#[derive(Debug, Clone)]
pub struct HostsOptions {
    pub acquirer_listen: SocketAddr,
    pub wallet_listen: SocketAddr,
    /// Also start the named proxies `acquirer-primary`, `acquirer-backup` and `wallet`.
    pub proxies: bool,
    /// Seed of the hosts' generators (working keys, RRNs, rule probabilities).
    pub seed: u64,
}

/// Start both hosts, print one JSON line per endpoint, and serve until Ctrl-C.
pub async fn run(data_dir: &Path, options: HostsOptions) -> anyhow::Result<()> {
    let clock = Clock::start(system_epoch_unix_secs());
    let bus = EventBus::new(clock);
    let rng = SimRng::new(options.seed);

    let config = AcquirerConfig::load(data_dir)
        .with_context(|| format!("load the acquirer's data from `{}`", data_dir.display()))?
        .with_sim_rng(&rng)
        .with_clock(clock)
        .with_derived_lanes(true);
    let acquirer = Acquirer::with_observer(config, Arc::new(bus.emitter(None, "acquirer")));
    let acquirer_server = acquirer
        .listen(&options.acquirer_listen.to_string())
        .await
        .context("start the acquirer")?;

    let wallet_config = QrHostConfig::load(data_dir)
        .with_context(|| format!("load the wallets from `{}`", data_dir.display()))?;
    let wallet = QrHost::with_observer(wallet_config, Arc::new(bus.emitter(None, "wallet")));
    let wallet_server = wallet
        .listen(&options.wallet_listen.to_string())
        .await
        .context("start the QR-wallet host")?;

    let line = |role: &str, addr: SocketAddr, protocol: &str| {
        println!(
            "{}",
            serde_json::json!({ "role": role, "addr": addr.to_string(), "protocol": protocol })
        );
    };
    line("acquirer", acquirer_server.local_addr(), "iso8583-cup");
    line("wallet", wallet_server.local_addr(), "http");

    // Kept alive until the end of the run.
    let mut _proxies = Vec::new();
    if options.proxies {
        let links = AcquirerLinks::spawn(acquirer_server.local_addr(), &rng, Some(&bus))
            .await
            .context("start the acquirer proxies")?;
        line(
            "acquirer-primary",
            links.primary.local_addr(),
            "iso8583-cup",
        );
        line("acquirer-backup", links.backup.local_addr(), "iso8583-cup");
        let wallet_link = spawn_wallet_link(wallet_server.local_addr(), &rng, Some(&bus))
            .await
            .context("start the wallet proxy")?;
        line("wallet-link", wallet_link.local_addr(), "http");
        _proxies.push(links.primary);
        _proxies.push(links.backup);
        _proxies.push(wallet_link);
    }
    tracing::info!("serving hosts; Ctrl-C to stop");
    tokio::signal::ctrl_c().await.context("wait for Ctrl-C")?;
    drop(acquirer_server);
    drop(wallet_server);
    Ok(())
}
