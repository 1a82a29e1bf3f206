//! The ledger — every transaction the host approved, voided, refunded, reversed or accepted as
//! an advice, with masked PANs only; the truth a POS journal is reconciled against.

use std::collections::BTreeMap;

use posrig_protocols::iso8583::{txn_type, DetailRecord, SettlementTotals, Totals};
use serde::{Deserialize, Serialize};

/// What kind of transaction an entry records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LedgerKind {
    Purchase,
    Void,
    Refund,
    OfflineSale,
}

/// Where an entry stands now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EntryState {
    /// Approved online and standing.
    Approved,
    /// A purchase later voided (its void is a separate entry).
    Voided,
    /// Undone by a reversal (0400).
    Reversed,
    /// An offline advice the host accepted.
    Advised,
}

/// One transaction. Never holds a full PAN.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LedgerEntry {
    /// Position in the ledger (0-based, in decision order).
    pub seq: u64,
    pub terminal_id: String,
    pub merchant_id: String,
    pub batch: u32,
    pub stan: u32,
    pub kind: LedgerKind,
    pub amount_minor: u64,
    /// Field 37, 12 characters.
    pub rrn: String,
    /// Field 38, 6 characters.
    pub auth_code: String,
    pub masked_pan: String,
    /// The card's name in the card file, if known.
    pub card: Option<String>,
    pub domestic: bool,
    pub state: EntryState,
    /// The purchase a void or refund refers to: (batch, STAN).
    pub original: Option<(u32, u32)>,
    /// How much of a purchase has been refunded.
    pub refunded_minor: u64,
    /// Host time of the decision, µs since the host started.
    pub at_us: u64,
}

impl LedgerEntry {
    /// Whether the entry counts in settlement totals (approved or advised, not undone).
    pub fn is_standing(&self) -> bool {
        matches!(self.state, EntryState::Approved | EntryState::Advised)
    }
}

impl LedgerKind {
    /// The 60.1 transaction type code of this kind (as a batch-upload record carries it).
    pub fn txn_type(self) -> u8 {
        match self {
            LedgerKind::Purchase => txn_type::PURCHASE,
            LedgerKind::Void => txn_type::VOID,
            LedgerKind::Refund => txn_type::REFUND,
            LedgerKind::OfflineSale => txn_type::OFFLINE_SALE,
        }
    }
}

/// How one uploaded batch detail record compares with the ledger. Records are matched by
/// terminal, batch and STAN, then checked for kind and amount; the record's PAN is not used (a
/// POS keeps only the first 6 and last 4 digits and sends zeros in between).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "match")]
pub enum DetailMatch {
    /// A standing entry of the same kind and amount.
    Matched,
    /// No entry at this terminal, batch and STAN.
    NotFound,
    /// The entry at this STAN is of another kind (the record's 60.1 code differs).
    OtherKind { ledger: LedgerKind },
    /// Same kind, another amount.
    AmountDiffers { ledger_minor: u64 },
    /// The entry was voided or reversed at the host.
    NotStanding { state: EntryState },
}

/// A batch detail record as uploaded, with how it matched the ledger when it arrived.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UploadedDetail {
    pub record: DetailRecord,
    pub matched: DetailMatch,
}

/// The ledger: entries in decision order, indexed by terminal, batch and STAN.
#[derive(Debug, Clone, Default)]
pub struct Ledger {
    entries: Vec<LedgerEntry>,
    index: BTreeMap<(String, u32, u32), usize>,
}

impl Ledger {
    /// Every entry, in decision order.
    pub fn entries(&self) -> &[LedgerEntry] {
        &self.entries
    }

    /// Entry of `terminal_id`'s batch and STAN.
    pub fn find(&self, terminal_id: &str, batch: u32, stan: u32) -> Option<&LedgerEntry> {
        let i = *self.index.get(&(terminal_id.to_owned(), batch, stan))?;
        self.entries.get(i)
    }

    pub(crate) fn find_mut(
        &mut self,
        terminal_id: &str,
        batch: u32,
        stan: u32,
    ) -> Option<&mut LedgerEntry> {
        let i = *self.index.get(&(terminal_id.to_owned(), batch, stan))?;
        self.entries.get_mut(i)
    }

    /// How a batch-upload record of `terminal_id`'s `batch` compares with the ledger.
    pub fn match_detail(
        &self,
        terminal_id: &str,
        batch: u32,
        record: &DetailRecord,
    ) -> DetailMatch {
        let Some(e) = self.find(terminal_id, batch, record.stan) else {
            return DetailMatch::NotFound;
        };
        if e.kind.txn_type() != record.txn_type {
            DetailMatch::OtherKind { ledger: e.kind }
        } else if e.amount_minor != record.amount_minor {
            DetailMatch::AmountDiffers {
                ledger_minor: e.amount_minor,
            }
        } else if !e.is_standing() {
            DetailMatch::NotStanding { state: e.state }
        } else {
            DetailMatch::Matched
        }
    }

    pub(crate) fn push(&mut self, mut entry: LedgerEntry) {
        entry.seq = self.entries.len() as u64;
        self.index.insert(
            (entry.terminal_id.clone(), entry.batch, entry.stan),
            self.entries.len(),
        );
        self.entries.push(entry);
    }

    /// Settlement totals of a terminal's batch as the host sees them (flags 0): debits are
    /// standing purchases and offline sales, credits standing refunds; voided and reversed
    /// transactions and the voids themselves count nowhere.
    pub fn totals(&self, terminal_id: &str, batch: u32) -> SettlementTotals {
        let mut totals = SettlementTotals::default();
        for e in self
            .entries
            .iter()
            .filter(|e| e.terminal_id == terminal_id && e.batch == batch && e.is_standing())
        {
            let group: &mut Totals = if e.domestic {
                &mut totals.domestic
            } else {
                &mut totals.foreign
            };
            match e.kind {
                LedgerKind::Purchase | LedgerKind::OfflineSale => {
                    group.debit_amount_minor += e.amount_minor;
                    group.debit_count = group.debit_count.saturating_add(1);
                }
                LedgerKind::Refund => {
                    group.credit_amount_minor += e.amount_minor;
                    group.credit_count = group.credit_count.saturating_add(1);
                }
                LedgerKind::Void => {}
            }
        }
        totals
    }
}
