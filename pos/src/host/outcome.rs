//! What the acquirer client reports: typed results of sign-on, card requests, the pending queue
//! and settlement. Declines and timeouts are results, not errors: the terminal shows them.

use posrig_protocols::iso8583::{Card, ResponseCode};

use super::keys::PinKey;
use crate::journal::TenderId;
use crate::money::Money;
use crate::tender::EntryMode;

/// A card as read, for one request. The full PAN, tracks and PIN block live here, in memory,
/// only for the request's lifetime (and an armed reversal's or queued advice's, while the process
/// lives); the journal gets the masked PAN.
#[derive(Debug, Clone)]
pub struct CardInput {
    /// Fields 2, 14, 22, 23, 35, 52, 55 as the reader and PIN pad gave them.
    pub card: Card,
    /// How it was read, for the journal and receipts.
    pub entry_mode: EntryMode,
    /// Domestic card (settlement totals split domestic / foreign).
    pub domestic: bool,
}

impl CardInput {
    /// A card as the reader gave it: field 22 from the entry mode (PIN digit `1` when a PIN
    /// block is present), fields 2/14/23/55 for chip and contactless reads, track 2 only for
    /// swipes and fallbacks. UnionPay cards (BIN 62) count as domestic.
    pub fn from_read(
        entry_mode: EntryMode,
        pan: &str,
        expiry_yymm: &str,
        track2: &str,
        icc_data: Vec<u8>,
        pin_block: Option<[u8; 8]>,
    ) -> Self {
        let mut card = match entry_mode {
            EntryMode::Chip | EntryMode::Tap => {
                Card::chip(pan, expiry_yymm, 1, track2, icc_data, pin_block)
            }
            EntryMode::Swipe | EntryMode::Fallback => Card::swiped(track2, pin_block),
        };
        card.entry_mode = entry_mode_code(entry_mode, pin_block.is_some());
        CardInput {
            card,
            entry_mode,
            domestic: pan.starts_with("62"),
        }
    }
}

/// The result of a sign-on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignOn {
    /// The batch number the host gave (60.2), now the journal's.
    pub batch: u32,
    /// The working PIN key to load into the PIN pad (`K0`).
    pub pin_key: PinKey,
}

/// The result of a purchase, void or refund.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CardResult {
    /// The host approved; the tender is approved in the journal.
    Approved {
        /// The journal tender (for a void: the original, now voided).
        tender: TenderId,
        /// Field 38.
        auth_code: String,
        /// Field 37.
        rrn: String,
        /// Field 11 of the request.
        stan: u32,
        /// 60.2 of the request.
        batch: u32,
    },
    /// The host was unreachable and the amount within the floor limit: approved locally, the
    /// advice is queued.
    ApprovedOffline {
        /// The journal tender.
        tender: TenderId,
        /// The local authorisation code.
        auth_code: String,
        /// STAN given to the offline sale.
        stan: u32,
        /// Batch.
        batch: u32,
    },
    /// The host declined; the decline is recorded.
    Declined {
        /// The journal tender, if the request had one.
        tender: Option<TenderId>,
        /// Field 39.
        code: ResponseCode,
        /// What to show the cashier.
        message: &'static str,
    },
    /// The request went out and no valid answer came (timeout, or a bad MAC). For a purchase or
    /// void a reversal is pending (reason `98` or `A0`) and goes out before the next online
    /// transaction; the tender stays pending until then.
    NoResponse {
        /// The journal tender, if the request had one.
        tender: Option<TenderId>,
        /// The reversal's reason, if one is pending.
        reversal: Option<ResponseCode>,
    },
    /// The host was unreachable and the request could not be approved offline; nothing was
    /// sent. Recorded as declined with code `91`.
    Unreachable {
        /// The journal tender, if the request had one.
        tender: Option<TenderId>,
    },
}

impl CardResult {
    /// Whether the payment is good (online or offline approval).
    pub fn is_approved(&self) -> bool {
        matches!(
            self,
            CardResult::Approved { .. } | CardResult::ApprovedOffline { .. }
        )
    }
}

/// The result of a balance inquiry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BalanceResult {
    /// The available balance (field 4 of the answer).
    Balance(Money),
    /// The host declined.
    Declined {
        /// Field 39.
        code: ResponseCode,
        /// What to show.
        message: &'static str,
    },
}

/// What sending the pending queue (reversals, then advices) did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PendingReport {
    /// Reversals the host acknowledged.
    pub reversals_sent: usize,
    /// Advices the host acknowledged.
    pub advices_sent: usize,
    /// Reversals still pending.
    pub reversals_left: usize,
    /// Advices still queued.
    pub advices_left: usize,
    /// Whether the host was reachable throughout.
    pub reachable: bool,
}

/// The result of a settlement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SettlementResult {
    /// The host's totals agreed; the batch is closed.
    Balanced {
        /// The batch settled.
        batch: u32,
        /// The new batch.
        next_batch: u32,
    },
    /// The totals differed; every detail was uploaded, then the batch closed.
    Uploaded {
        /// The batch settled.
        batch: u32,
        /// The new batch.
        next_batch: u32,
        /// Detail records uploaded.
        records: usize,
    },
    /// The host could not reconcile (flag 3); the batch stays open.
    Error {
        /// The batch.
        batch: u32,
    },
}

/// Field 22's first two digits for an entry mode, and the PIN digit.
pub(crate) fn entry_mode_code(mode: EntryMode, with_pin: bool) -> String {
    let mode = match mode {
        EntryMode::Chip => "05",
        EntryMode::Swipe => "02",
        EntryMode::Tap => "07",
        EntryMode::Fallback => "80",
    };
    format!("{mode}{}", if with_pin { '1' } else { '2' })
}
