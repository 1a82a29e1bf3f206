//! Running `pos-terminal`: open every configured port (failing early and clearly when one is
//! missing), connect the hosts, start the lane, and run until SIGTERM or Ctrl-C.

use std::sync::Arc;
use std::time::Duration;

use posrig_protocols::crypto::TdesKey;

use super::config::AppConfig;
use super::ports::{open_port, PortSpec};
use crate::clock::SystemClock;
use crate::driver::Port;
use crate::host::{QrEndpoint, TcpConnector};
use crate::lane::{spawn_lane, LaneError, LaneHosts, LanePorts, LaneSetup};

/// How long a port waits before reopening its device after the stream failed.
const REOPEN_INTERVAL: Duration = Duration::from_secs(1);

/// Why `pos-terminal` could not start or stopped; [`AppError::exit_code`] says how it exits.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The configuration names something that is not usable.
    #[error("check config: {0}")]
    Config(String),
    /// A device's port could not be opened.
    #[error("open the {role} port")]
    Port {
        /// The device.
        role: &'static str,
        /// Why, naming the port.
        #[source]
        source: std::io::Error,
    },
    /// The lane failed.
    #[error("run the lane")]
    Lane(#[from] LaneError),
    /// Waiting for a signal failed.
    #[error("wait for SIGTERM or Ctrl-C")]
    Signal(#[source] std::io::Error),
}

impl AppError {
    /// [`exit_codes::BAD_CONFIG`] for a bad configuration or a missing port, else
    /// [`exit_codes::FAILED`].
    pub fn exit_code(&self) -> i32 {
        match self {
            AppError::Config(_) | AppError::Port { .. } => exit_codes::BAD_CONFIG,
            AppError::Lane(LaneError::Data(_) | LaneError::Terminal(_)) => exit_codes::BAD_CONFIG,
            _ => exit_codes::FAILED,
        }
    }
}

/// `pos-terminal`'s exit codes, in one place.
pub mod exit_codes {
    /// Stopped cleanly on SIGTERM or Ctrl-C.
    pub const OK: i32 = 0;
    /// The lane failed while running (journal, task).
    pub const FAILED: i32 = 1;
    /// The configuration file is unusable or a port is missing.
    pub const BAD_CONFIG: i32 = 2;
}

/// Opens `spec` now (so a missing port fails the start) and returns a port that reopens it
/// whenever its stream fails.
async fn attach(role: &'static str, spec: &Option<PortSpec>) -> Result<Option<Port>, AppError> {
    let Some(spec) = spec.clone() else {
        return Ok(None);
    };
    let stream = open_port(&spec)
        .await
        .map_err(|source| AppError::Port { role, source })?;
    tracing::info!(device = role, port = spec.describe(), "port open");
    let reopen = move || {
        let spec = spec.clone();
        async move { open_port(&spec).await }
    };
    Ok(Some(Port::reconnecting_from(
        stream,
        reopen,
        REOPEN_INTERVAL,
    )))
}

/// Starts the lane of `config` on the current runtime and runs it until `stop` completes.
pub async fn run_until(
    config: AppConfig,
    stop: impl std::future::Future<Output = Result<(), AppError>>,
) -> Result<(), AppError> {
    let master_key = TdesKey::from_hex(&config.master_key)
        .map_err(|e| AppError::Config(format!("master_key: {e}")))?;
    let wallet = config
        .hosts
        .wallet
        .as_deref()
        .map(QrEndpoint::parse)
        .transpose()
        .map_err(|e| AppError::Config(format!("hosts.wallet: {e}")))?;
    if let Some(folder) = config.journal.parent() {
        std::fs::create_dir_all(folder).map_err(|e| {
            AppError::Config(format!(
                "create the journal folder `{}`: {e}",
                folder.display()
            ))
        })?;
    }
    let d = &config.devices;
    let ports = LanePorts {
        printer: attach("printer", &d.printer).await?,
        scanner: attach("scanner", &d.scanner).await?,
        pinpad: attach("pinpad", &d.pinpad).await?,
        display: attach("display", &d.display).await?,
        keyboard: attach("keyboard", &d.keyboard).await?,
        scale: attach("scale", &d.scale).await?,
    };
    let hosts = LaneHosts {
        acquirer: Box::new(TcpConnector::new([config.hosts.acquirer.clone()])),
        acquirer_backup: config
            .hosts
            .acquirer_backup
            .clone()
            .map(|a| Box::new(TcpConnector::new([a])) as Box<dyn crate::host::Connector>),
        wallet,
    };
    let setup = LaneSetup::from_data_dir(
        &config.data,
        config.journal.clone(),
        &config.terminal_id,
        &config.merchant_id,
        master_key,
        Arc::new(SystemClock),
    )?;
    let lane = spawn_lane(setup, ports, hosts)?;
    let stopped = stop.await;
    tracing::info!("stopping");
    lane.shutdown().await?;
    stopped
}

/// Resolves on SIGTERM or Ctrl-C (SIGINT).
pub async fn terminate_signal() -> Result<(), AppError> {
    use tokio::signal::unix::{signal, SignalKind};
    let mut term = signal(SignalKind::terminate()).map_err(AppError::Signal)?;
    let mut int = signal(SignalKind::interrupt()).map_err(AppError::Signal)?;
    tokio::select! {
        biased;
        _ = term.recv() => tracing::info!("SIGTERM"),
        _ = int.recv() => tracing::info!("SIGINT"),
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    fn example() -> AppConfig {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../pos/pos-terminal.example.yaml");
        AppConfig::load(&path).expect("the example config loads")
    }

    #[tokio::test]
    async fn a_missing_port_is_a_clear_config_error() {
        let mut config = example();
        let dir = tempfile::tempdir().unwrap();
        config.journal = dir.path().join("journal.db");
        config.devices.printer = Some(PortSpec::Serial(
            serde_yaml::from_str("path: /dev/ttyPOSRIG_NONE").unwrap(),
        ));
        let err = run_until(config, async { Ok(()) }).await.unwrap_err();
        assert_eq!(err.exit_code(), exit_codes::BAD_CONFIG);
        let text = format!("{err}: {}", std::error::Error::source(&err).unwrap());
        assert!(
            text.contains("open serial port /dev/ttyPOSRIG_NONE"),
            "{text}"
        );
    }
}
