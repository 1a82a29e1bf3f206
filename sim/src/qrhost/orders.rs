//! Orders — one per `out_trade_no`, with a state that user-paying orders reach on their own in
//! tokio time; their snapshot is the wallet host's ledger.

use std::collections::BTreeMap;

use posrig_protocols::card::mask_pan;
use posrig_protocols::qrpay::{ErrorCode, TradeState};
use serde::Serialize;
use tokio::time::Instant;

use crate::data::FinalOutcome;

/// One order as the host keeps it.
#[derive(Debug, Clone)]
pub(crate) struct Order {
    pub out_trade_no: String,
    /// The full payment code, kept to recognise a repeated micropay; never shown.
    pub auth_code: String,
    pub total_fee: u64,
    pub terminal_id: String,
    pub wallet: Option<String>,
    pub transaction_id: Option<String>,
    pub state: TradeState,
    /// Why it failed, for a repeated micropay.
    pub err_code: Option<ErrorCode>,
    /// A user-paying order becomes `then` at this instant.
    pub pending: Option<(Instant, FinalOutcome)>,
    /// Whether a paid order was refunded by a reverse.
    pub refunded: bool,
    pub created_us: u64,
}

/// One order of the wallet host's ledger, with the payment code masked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct QrLedgerEntry {
    pub out_trade_no: String,
    pub transaction_id: Option<String>,
    pub terminal_id: String,
    /// Fen.
    pub total_fee: u64,
    /// The wallet's (or code range's) name in the wallet file.
    pub wallet: Option<String>,
    /// First 6 and last 4 digits of the payment code.
    pub masked_code: String,
    pub state: TradeState,
    /// The payment was taken and given back by a reverse.
    pub refunded: bool,
    /// Host time the order was created, µs since the host started.
    pub created_us: u64,
}

/// Every order, by `out_trade_no`.
#[derive(Debug, Clone, Default)]
pub(crate) struct OrderBook {
    orders: BTreeMap<String, Order>,
    /// Orders in creation order, for the ledger.
    sequence: Vec<String>,
}

impl OrderBook {
    /// The order with its user-paying state brought up to `now`. (Balances are taken only from
    /// payments that succeed at once; user-paying payments do not touch them.)
    pub fn get_mut(&mut self, out_trade_no: &str, now: Instant) -> Option<&mut Order> {
        let order = self.orders.get_mut(out_trade_no)?;
        settle(order, now);
        Some(order)
    }

    pub fn insert(&mut self, order: Order) {
        self.sequence.push(order.out_trade_no.clone());
        self.orders.insert(order.out_trade_no.clone(), order);
    }

    /// The ledger at `now`, in creation order.
    pub fn ledger(&mut self, now: Instant) -> Vec<QrLedgerEntry> {
        for order in self.orders.values_mut() {
            settle(order, now);
        }
        self.sequence
            .iter()
            .filter_map(|no| self.orders.get(no))
            .map(|o| QrLedgerEntry {
                out_trade_no: o.out_trade_no.clone(),
                transaction_id: o.transaction_id.clone(),
                terminal_id: o.terminal_id.clone(),
                total_fee: o.total_fee,
                wallet: o.wallet.clone(),
                masked_code: mask_pan(&o.auth_code),
                state: o.state,
                refunded: o.refunded,
                created_us: o.created_us,
            })
            .collect()
    }
}

/// Moves a user-paying order to its outcome once its time has come.
fn settle(order: &mut Order, now: Instant) {
    if let Some((at, then)) = order.pending {
        if order.state == TradeState::UserPaying && now >= at {
            order.pending = None;
            match then {
                FinalOutcome::Success => order.state = TradeState::Success,
                FinalOutcome::Payerror => {
                    order.state = TradeState::PayError;
                    order.transaction_id = None;
                }
            }
        }
    }
}
