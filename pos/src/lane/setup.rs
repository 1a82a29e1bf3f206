//! What a lane is made of: the store data, journal and identity ([`LaneSetup`]), the byte
//! streams of its devices ([`LanePorts`]) and the connectors of its hosts ([`LaneHosts`]).

use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicU64;
use std::sync::Arc;

use posrig_protocols::crypto::TdesKey;

use super::LaneError;
use crate::catalog::{Catalog, CatalogFile};
use crate::clock::WallClock;
use crate::config::StoreConfig;
use crate::driver::pinpad::PinPadConfig;
use crate::driver::printer::PrinterConfig;
use crate::driver::scale::ScaleConfig;
use crate::driver::scanner::ScannerDriverConfig;
use crate::driver::Port;
use crate::host::{self, QrEndpoint};
use crate::journal::Durability;
use crate::member::Members;
use crate::operator::Operators;
use crate::terminal::TerminalSettings;

/// Everything a lane needs besides its ports and hosts.
pub struct LaneSetup {
    /// The store configuration (`store.yaml`).
    pub store: StoreConfig,
    /// Items and inventory.
    pub catalog: Catalog,
    /// Loyalty members.
    pub members: Members,
    /// Operators and their roles.
    pub operators: Operators,
    /// The SQLite journal file (created when missing).
    pub journal_path: PathBuf,
    /// Calendar time for records, receipts and host messages.
    pub clock: Arc<dyn WallClock>,
    /// Field 41.
    pub terminal_id: String,
    /// Field 42.
    pub merchant_id: String,
    /// The terminal master key shared with the PIN pad and the acquirer.
    pub master_key: TdesKey,
    /// Lane settings of the core (its `terminal_id` is overwritten with the one above).
    pub settings: TerminalSettings,
    /// Printer driver settings.
    pub printer: PrinterConfig,
    /// Scanner framing; must match the scanner's programming.
    pub scanner: ScannerDriverConfig,
    /// PIN pad link timing.
    pub pinpad: PinPadConfig,
    /// Scale timing.
    pub scale: ScaleConfig,
    /// Counts the journal's commits (both of the lane's connections), for benchmarks.
    pub commit_counter: Arc<AtomicU64>,
    /// How hard the journal's commits hold: [`Durability::Full`] (the default) for any real
    /// lane; `Normal` only for simulated load lanes (see [`Durability`]).
    pub journal_durability: Durability,
}

impl std::fmt::Debug for LaneSetup {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LaneSetup")
            .field("terminal_id", &self.terminal_id)
            .field("merchant_id", &self.merchant_id)
            .field("journal_path", &self.journal_path)
            .finish_non_exhaustive()
    }
}

impl LaneSetup {
    /// A lane on the store data in `dir` (`store.yaml`, `catalog.yaml`, `members.yaml`), with
    /// default driver settings.
    pub fn from_data_dir(
        dir: &Path,
        journal_path: impl Into<PathBuf>,
        terminal_id: &str,
        merchant_id: &str,
        master_key: TdesKey,
        clock: Arc<dyn WallClock>,
    ) -> Result<Self, LaneError> {
        let store = StoreConfig::load(&dir.join("store.yaml"))?;
        let catalog = CatalogFile::load(&dir.join("catalog.yaml"), &store.tax)?;
        let members = Members::load(&dir.join("members.yaml"))?;
        let operators = Operators::new(&store.operators);
        Ok(LaneSetup {
            store,
            catalog,
            members,
            operators,
            journal_path: journal_path.into(),
            clock,
            terminal_id: terminal_id.to_owned(),
            merchant_id: merchant_id.to_owned(),
            master_key,
            settings: TerminalSettings {
                terminal_id: terminal_id.to_owned(),
                ..TerminalSettings::default()
            },
            printer: PrinterConfig::default(),
            scanner: ScannerDriverConfig::default(),
            pinpad: PinPadConfig::default(),
            scale: ScaleConfig::default(),
            commit_counter: Arc::new(AtomicU64::new(0)),
            journal_durability: Durability::Full,
        })
    }
}

/// The byte streams of the lane's devices; a device left `None` is not attached.
#[derive(Debug, Default)]
pub struct LanePorts {
    /// Receipt printer (and the cash drawer behind it).
    pub printer: Option<Port>,
    /// Barcode scanner.
    pub scanner: Option<Port>,
    /// Card reader / PIN pad.
    pub pinpad: Option<Port>,
    /// Customer display.
    pub display: Option<Port>,
    /// POS keyboard.
    pub keyboard: Option<Port>,
    /// Scale.
    pub scale: Option<Port>,
}

/// How the lane reaches its hosts.
pub struct LaneHosts {
    /// Primary acquirer link.
    pub acquirer: Box<dyn host::Connector>,
    /// Backup acquirer link.
    pub acquirer_backup: Option<Box<dyn host::Connector>>,
    /// The QR-wallet host; without it a QR tender fails as unknown.
    pub wallet: Option<QrEndpoint>,
}

impl std::fmt::Debug for LaneHosts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LaneHosts")
            .field("acquirer", &self.acquirer.describe())
            .field(
                "acquirer_backup",
                &self.acquirer_backup.as_ref().map(|c| c.describe()),
            )
            .field("wallet", &self.wallet)
            .finish()
    }
}
