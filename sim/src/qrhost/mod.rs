//! The QR wallet host simulator — an HTTP server for PROTOCOLS.md §8 (`/micropay`,
//! `/orderquery`, `/reverse`) whose payment codes behave as the wallet file says, with
//! idempotent orders, reversals, run-time rules and a ledger.
//!
//! Start one with [`QrHost::new`], then [`QrHost::listen`] on TCP or hand any byte stream to
//! [`QrHost::serve_connection`]. All time is tokio time, so a payer "confirming on the phone"
//! for 30 s takes no real time in a virtual run.
//!
//! Decisions the API leaves open, chosen here:
//! - Every `FAIL` creates an order in state `PAYERROR`; `UNKNOWN` (behaviour `unknown`) means the
//!   payment went through, as the next query shows (`SUCCESS`).
//! - A query for an order the host never saw answers `NOTPAY`.
//! - Reverse: an unpaid (`USERPAYING`) order becomes `REVOKED`; a paid one is refunded and
//!   becomes `REVOKED`; a failed one becomes `CLOSED`; an unknown one is recorded `REVOKED` so a
//!   late micropay for it answers `ORDERREVERSED`. All answer `SUCCESS`, `recall: N`; a
//!   system-error rule answers `FAIL`, `recall: Y` (call again).
//! - A repeated micropay with the same `out_trade_no`, code and amount answers the order's
//!   current state with the same `transaction_id`; a different code or amount answers `FAIL`
//!   `OUT_TRADE_NO_USED`.

mod handlers;
mod link;
mod orders;
pub mod rules;
mod server;
mod wallets;

pub use link::{spawn_wallet_link, WALLET_LINK};
pub use orders::QrLedgerEntry;
pub use rules::{Endpoint, QrAction, QrMatch, QrRule};
pub use server::{QrControl, QrHost, QrHostConfig, QrServer};

/// What can go wrong starting the wallet host.
#[derive(Debug, thiserror::Error)]
pub enum QrHostError {
    #[error("load wallet data")]
    Data(#[from] crate::data::DataError),
    #[error("listen on `{addr}`")]
    Listen {
        addr: String,
        #[source]
        source: std::io::Error,
    },
}
