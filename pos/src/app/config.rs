//! The `pos-terminal --config FILE` document: identity and keys of the terminal, where its store
//! data and journal live, each device's port, and the host addresses.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::ports::PortSpec;

/// The whole configuration of one terminal process.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AppConfig {
    /// ISO 8583 field 41 (8 characters).
    pub terminal_id: String,
    /// ISO 8583 field 42 (15 characters).
    pub merchant_id: String,
    /// The terminal master key (32 hex digits), shared with the PIN pad and the acquirer.
    pub master_key: String,
    /// Folder with `store.yaml`, `catalog.yaml` and `members.yaml`, relative to this file.
    pub data: PathBuf,
    /// The SQLite journal, relative to this file; created when missing.
    pub journal: PathBuf,
    pub devices: DevicePorts,
    pub hosts: HostAddresses,
}

/// One port per device; a device left out is not attached.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DevicePorts {
    pub printer: Option<PortSpec>,
    pub scanner: Option<PortSpec>,
    pub pinpad: Option<PortSpec>,
    pub display: Option<PortSpec>,
    pub keyboard: Option<PortSpec>,
    pub scale: Option<PortSpec>,
}

/// Where the payment hosts are.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HostAddresses {
    /// Primary acquirer link, `host:port`.
    pub acquirer: String,
    /// Backup acquirer link, used when the primary fails.
    #[serde(default)]
    pub acquirer_backup: Option<String>,
    /// Base URL of the QR-wallet host, e.g. `http://127.0.0.1:9000`.
    #[serde(default)]
    pub wallet: Option<String>,
}

/// A configuration file that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum AppConfigError {
    #[error("read config `{path}`")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("parse config `{path}`{location}: {message}")]
    Parse {
        path: PathBuf,
        location: String,
        message: String,
    },
    #[error("check config `{path}`: {message}")]
    Invalid { path: PathBuf, message: String },
}

impl AppConfig {
    /// Read and check a configuration file; relative paths in it are resolved against its folder.
    pub fn load(path: &Path) -> Result<Self, AppConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| AppConfigError::Read {
            path: path.to_owned(),
            source,
        })?;
        let mut config: Self = serde_yaml::from_str(&text).map_err(|e| AppConfigError::Parse {
            path: path.to_owned(),
            location: e
                .location()
                .map(|l| format!(" at line {}, column {}", l.line(), l.column()))
                .unwrap_or_default(),
            message: e.to_string(),
        })?;
        let base = path.parent().unwrap_or(Path::new("."));
        config.data = base.join(&config.data);
        config.journal = base.join(&config.journal);
        config.check(path)?;
        Ok(config)
    }

    fn check(&self, path: &Path) -> Result<(), AppConfigError> {
        let invalid = |message: String| AppConfigError::Invalid {
            path: path.to_owned(),
            message,
        };
        if self.terminal_id.len() != 8 {
            return Err(invalid(format!(
                "terminal_id `{}` must be 8 characters",
                self.terminal_id
            )));
        }
        if self.merchant_id.len() != 15 {
            return Err(invalid(format!(
                "merchant_id `{}` must be 15 characters",
                self.merchant_id
            )));
        }
        if self.master_key.len() != 32 || !self.master_key.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(invalid("master_key must be 32 hex digits".into()));
        }
        if !self.data.is_dir() {
            return Err(invalid(format!(
                "data folder `{}` does not exist",
                self.data.display()
            )));
        }
        Ok(())
    }
}
