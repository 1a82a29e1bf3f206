//! Tender records: what the journal stores and the receipt prints for each payment.

use serde::{Deserialize, Serialize};

use super::pan::MaskedPan;
use crate::money::Money;

/// Kinds of tender, for reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TenderKind {
    /// Cash.
    Cash,
    /// Bank card.
    Card,
    /// QR wallet.
    Qr,
}

impl TenderKind {
    /// Stable name for the journal.
    pub fn as_str(self) -> &'static str {
        match self {
            TenderKind::Cash => "cash",
            TenderKind::Card => "card",
            TenderKind::Qr => "qr",
        }
    }

    /// Parses [`TenderKind::as_str`].
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "cash" => Some(TenderKind::Cash),
            "card" => Some(TenderKind::Card),
            "qr" => Some(TenderKind::Qr),
            _ => None,
        }
    }
}

/// How a card was read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EntryMode {
    /// Chip (contact EMV).
    Chip,
    /// Magnetic stripe.
    Swipe,
    /// Contactless.
    Tap,
    /// Swipe after a chip failure.
    Fallback,
}

impl EntryMode {
    /// Stable name for the journal and receipts.
    pub fn as_str(self) -> &'static str {
        match self {
            EntryMode::Chip => "chip",
            EntryMode::Swipe => "swipe",
            EntryMode::Tap => "tap",
            EntryMode::Fallback => "fallback",
        }
    }

    /// Parses [`EntryMode::as_str`].
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "chip" => Some(EntryMode::Chip),
            "swipe" => Some(EntryMode::Swipe),
            "tap" => Some(EntryMode::Tap),
            "fallback" => Some(EntryMode::Fallback),
            _ => None,
        }
    }
}

/// Cash handed over and change given.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CashTender {
    /// What the customer handed over.
    pub tendered: Money,
    /// Change given back.
    pub change: Money,
}

/// An approved card payment. Holds the masked PAN only, never the full PAN, track data or PIN.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CardTender {
    /// First 6 and last 4 digits.
    pub masked_pan: MaskedPan,
    /// How the card was read.
    pub entry_mode: EntryMode,
    /// Authorisation code (field 38); empty for offline approvals.
    pub auth_code: String,
    /// Retrieval reference number (field 37).
    pub rrn: String,
    /// System trace audit number (field 11).
    pub stan: u32,
    /// Batch number (field 60.2).
    pub batch: u32,
    /// Approved offline under the floor limit (an advice is queued).
    pub offline: bool,
    /// Domestic card (for settlement totals).
    pub domestic: bool,
}

/// An approved QR wallet payment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QrTender {
    /// The POS's order number sent to the wallet host.
    pub out_trade_no: String,
    /// The wallet's transaction id.
    pub transaction_id: String,
}

/// The kind-specific part of a tender.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TenderDetail {
    /// Cash.
    Cash(CashTender),
    /// Card.
    Card(CardTender),
    /// QR wallet.
    Qr(QrTender),
}

/// One payment towards a sale.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tender {
    /// Amount applied to the sale (for cash: tendered minus change).
    pub amount: Money,
    /// Kind-specific details.
    pub detail: TenderDetail,
}

impl Tender {
    /// A cash tender of `amount` applied, from `tendered` with `change` back.
    pub fn cash(amount: Money, tendered: Money, change: Money) -> Self {
        Tender {
            amount,
            detail: TenderDetail::Cash(CashTender { tendered, change }),
        }
    }

    /// A card tender.
    pub fn card(amount: Money, card: CardTender) -> Self {
        Tender {
            amount,
            detail: TenderDetail::Card(card),
        }
    }

    /// A QR tender.
    pub fn qr(amount: Money, out_trade_no: &str, transaction_id: &str) -> Self {
        Tender {
            amount,
            detail: TenderDetail::Qr(QrTender {
                out_trade_no: out_trade_no.into(),
                transaction_id: transaction_id.into(),
            }),
        }
    }

    /// The kind.
    pub fn kind(&self) -> TenderKind {
        match self.detail {
            TenderDetail::Cash(_) => TenderKind::Cash,
            TenderDetail::Card(_) => TenderKind::Card,
            TenderDetail::Qr(_) => TenderKind::Qr,
        }
    }
}
