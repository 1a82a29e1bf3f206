//! Terminal keys — master keys from the terminal file (or derived for load-test lanes), the
//! working keys each sign-on issues, and each terminal's batch number.

use std::collections::BTreeMap;

use posrig_protocols::crypto::{DesKey, MacKey, TdesKey};
use posrig_protocols::iso8583::WorkingKeys;
use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::data::TerminalFile;

/// The master key of a `LANEnnnn` terminal that is not in the terminal file, when the acquirer
/// derives them ([`super::AcquirerConfig::derive_lane_keys`]): the first 16 bytes of
/// `SHA-256("posrig/lane-master-key/" ‖ terminal id)`. `None` for ids not of that form.
///
/// ```
/// let key = posrig_sim::acquirer::derive_lane_master_key("LANE0123").unwrap();
/// assert_eq!(key, posrig_sim::acquirer::derive_lane_master_key("LANE0123").unwrap());
/// assert!(posrig_sim::acquirer::derive_lane_master_key("TILL0001").is_none());
/// ```
pub fn derive_lane_master_key(terminal_id: &str) -> Option<TdesKey> {
    let digits = terminal_id.strip_prefix("LANE")?;
    if digits.len() != 4 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let digest = Sha256::new()
        .chain_update(b"posrig/lane-master-key/")
        .chain_update(terminal_id.as_bytes())
        .finalize();
    let mut key = [0u8; 16];
    key.copy_from_slice(&digest[..16]);
    Some(TdesKey::new(key))
}

/// What the host holds for one terminal.
#[derive(Debug, Clone)]
pub(crate) struct TerminalEntry {
    /// `None` for derived lanes: any merchant id is accepted.
    pub merchant_id: Option<String>,
    pub master_key: TdesKey,
    /// Present between sign-on and sign-off.
    pub working: Option<WorkingKeys>,
    /// The open batch.
    pub batch: u32,
    /// The batch closed last, whose late end-of-upload is still accepted.
    pub last_closed_batch: Option<u32>,
}

impl TerminalEntry {
    /// The MAK, if signed on.
    pub fn mak(&self) -> Option<&MacKey> {
        self.working.as_ref().map(|k| &k.mak)
    }

    /// Closes the open batch and opens the next (wrapping 999999 → 1).
    pub fn close_batch(&mut self) {
        self.last_closed_batch = Some(self.batch);
        self.batch = if self.batch >= 999_999 {
            1
        } else {
            self.batch + 1
        };
    }
}

/// Every terminal the host knows, by terminal id.
#[derive(Debug, Clone)]
pub(crate) struct TerminalRegistry {
    terminals: BTreeMap<String, TerminalEntry>,
    derive_lane_keys: bool,
    initial_batch: u32,
}

impl TerminalRegistry {
    pub fn new(file: &TerminalFile, derive_lane_keys: bool, initial_batch: u32) -> Self {
        let terminals = file
            .terminals
            .iter()
            .map(|t| {
                let entry = TerminalEntry {
                    merchant_id: Some(t.merchant_id.clone()),
                    master_key: t.master_key(),
                    working: None,
                    batch: initial_batch,
                    last_closed_batch: None,
                };
                (t.terminal_id.clone(), entry)
            })
            .collect();
        Self {
            terminals,
            derive_lane_keys,
            initial_batch,
        }
    }

    /// The terminal, if registered (derived lanes are registered on first contact) and the
    /// merchant id matches.
    pub fn get_mut(&mut self, terminal_id: &str, merchant_id: &str) -> Option<&mut TerminalEntry> {
        if !self.terminals.contains_key(terminal_id) && self.derive_lane_keys {
            let master_key = derive_lane_master_key(terminal_id)?;
            self.terminals.insert(
                terminal_id.to_owned(),
                TerminalEntry {
                    merchant_id: None,
                    master_key,
                    working: None,
                    batch: self.initial_batch,
                    last_closed_batch: None,
                },
            );
        }
        let entry = self.terminals.get_mut(terminal_id)?;
        match &entry.merchant_id {
            Some(m) if m != merchant_id => None,
            _ => Some(entry),
        }
    }

    /// A terminal's entry without registering anything.
    pub fn peek(&self, terminal_id: &str) -> Option<&TerminalEntry> {
        self.terminals.get(terminal_id)
    }
}

/// Fresh working keys from the host's generator: a double-length PIK and a single-DES MAK.
pub(crate) fn fresh_working_keys(rng: &mut impl RngCore) -> WorkingKeys {
    let mut pik = [0u8; 16];
    let mut mak = [0u8; 8];
    rng.fill_bytes(&mut pik);
    rng.fill_bytes(&mut mak);
    WorkingKeys {
        pik: TdesKey::new(pik),
        mak: MacKey::Single(DesKey::new(mak)),
    }
}
