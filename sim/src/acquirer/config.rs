//! Acquirer configuration — the data files it serves, its seeded generator and its limits.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use posrig_protocols::iso8583::WorkingKeys;

use crate::clock::Clock;
use crate::data::{CardFile, DataError, TerminalFile};
use crate::rng::SimRng;

/// Everything an [`super::Acquirer`] starts from.
#[derive(Debug, Clone)]
pub struct AcquirerConfig {
    /// Terminals and their master keys (`terminals.yaml`).
    pub terminals: TerminalFile,
    /// Cards, PINs and balances (`cards.yaml`).
    pub cards: CardFile,
    /// The host's own generator: working keys, auth codes, rule probabilities.
    pub rng: ChaCha8Rng,
    /// Accept any `LANEnnnn` terminal that is not in the file, with the master key of
    /// [`super::derive_lane_master_key`] and whatever merchant id it sends (for load tests).
    pub derive_lane_keys: bool,
    /// The largest single purchase, in minor units; above it the host answers `61`.
    pub amount_limit_minor: u64,
    /// The batch number each terminal starts with.
    pub initial_batch: u32,
    /// A connection that sends nothing for this long is closed.
    pub idle_timeout: Duration,
    /// Field 32, the acquiring institution id.
    pub acquirer_id: String,
    /// Calendar time at the start (Unix seconds): fields 12, 13, 15 and card expiry checks.
    pub epoch_unix_secs: i64,
    /// Working keys to issue instead of fresh ones, per terminal id (for published test
    /// vectors: PROTOCOLS.md §7's PIK and MAK under `LANE0001`'s master key).
    pub fixed_keys: BTreeMap<String, WorkingKeys>,
    /// The run's clock: host time and calendar follow it (else host time starts at creation and
    /// the calendar at `epoch_unix_secs`).
    pub clock: Option<Clock>,
}

impl AcquirerConfig {
    /// A configuration with defaults: seed 0, its own clock, no derived lanes, limit 100 000.00, batch 1,
    /// idle timeout 120 s, epoch 2025-01-01T00:00:00Z.
    pub fn new(terminals: TerminalFile, cards: CardFile) -> Self {
        Self {
            terminals,
            cards,
            rng: ChaCha8Rng::seed_from_u64(0),
            derive_lane_keys: false,
            amount_limit_minor: 10_000_000,
            initial_batch: 1,
            idle_timeout: Duration::from_secs(120),
            acquirer_id: "48020000".to_owned(),
            epoch_unix_secs: 1_735_689_600,
            fixed_keys: BTreeMap::new(),
            clock: None,
        }
    }

    /// Loads `terminals.yaml` and `cards.yaml` from a data directory (`scenarios/data`).
    pub fn load(data_dir: &Path) -> Result<Self, DataError> {
        Ok(Self::new(
            TerminalFile::load(&data_dir.join("terminals.yaml"))?,
            CardFile::load(&data_dir.join("cards.yaml"))?,
        ))
    }

    /// The same configuration drawing from `rng` (a child of the run's seeded generator).
    pub fn with_rng(mut self, rng: ChaCha8Rng) -> Self {
        self.rng = rng;
        self
    }

    /// The same configuration drawing from the run's child generator `acquirer`.
    pub fn with_sim_rng(self, rng: &SimRng) -> Self {
        self.with_rng(rng.child("acquirer"))
    }

    /// The same configuration on the run's clock (host time, calendar epoch).
    pub fn with_clock(mut self, clock: Clock) -> Self {
        self.epoch_unix_secs = clock.epoch_unix_secs();
        self.clock = Some(clock);
        self
    }

    /// The same configuration with [`AcquirerConfig::derive_lane_keys`] set.
    pub fn with_derived_lanes(mut self, on: bool) -> Self {
        self.derive_lane_keys = on;
        self
    }

    /// The same configuration issuing `keys` to `terminal_id` at every sign-on.
    pub fn with_fixed_keys(mut self, terminal_id: &str, keys: WorkingKeys) -> Self {
        self.fixed_keys.insert(terminal_id.to_owned(), keys);
        self
    }

    /// The same configuration with another idle timeout.
    pub fn with_idle_timeout(mut self, timeout: Duration) -> Self {
        self.idle_timeout = timeout;
        self
    }
}
