//! The acquirer host simulator — an ISO 8583 server in the CUP POS layout (PROTOCOLS.md §7) with
//! terminals and working keys, a card database, scenario rules, and a ledger that is the truth
//! for reconciliation.
//!
//! Start one with [`Acquirer::new`], then either [`Acquirer::listen`] on TCP or hand any byte
//! stream to [`Acquirer::serve_connection`] (in-memory wires, proxies). Scenarios steer it at run
//! time through [`AcquirerControl`] ([`Rule`]s) and read its [`Ledger`] afterwards. Events go
//! to the sim bus by passing an [`crate::event::Emitter`] as the [`HostObserver`]; named impaired
//! links in front of it come from [`AcquirerLinks`] or [`Acquirer::connect_through`].
//!
//! Decisions the protocol leaves open, chosen here:
//! - A lost card is answered `41` (ISO "lost card, pick up"), a blocked card `05`.
//! - A repeated request (same terminal, batch, STAN and MTI) whose bytes are identical to the
//!   first is a retransmission and gets the first answer again, byte for byte, with no new effect;
//!   one whose bytes differ is answered `94`. Reversals are idempotent by themselves instead.
//! - A request from a terminal that has not signed on (no working keys) is answered `A0` with
//!   "sign on again" in the header; every request but sign-on and echo/sign-off must carry a MAC.
//! - A balanced settlement (0510 flag 1) closes the batch at once; a not-balanced one closes it at
//!   the end of the batch upload (0320 `202`).
//! - The balance of an inquiry is returned in field 4 of the 0210 (the layout has no field 54).
//! - ARQC (field 55) is not verified yet: the cards' ICC keys are not on main.

mod cards;
mod config;
mod dispatch;
mod handlers;
mod keys;
pub mod ledger;
mod link;

mod malformed;
mod observer;
pub mod rules;
mod server;
mod session;
mod state;

pub use cards::CardAccount;
pub use config::AcquirerConfig;
pub use keys::derive_lane_master_key;
pub use ledger::{EntryState, Ledger, LedgerEntry, LedgerKind};
pub use link::{spawn_proxy, AcquirerLinks, BACKUP_LINK, PRIMARY_LINK};

pub use observer::{HostObserver, NoObserver};
pub use rules::{AmountMatch, KindName, Rule, RuleAction, RuleId, RuleMatch, TimeWindow};
pub use server::{Acquirer, AcquirerControl, AcquirerServer};

/// What can go wrong starting the acquirer.
#[derive(Debug, thiserror::Error)]
pub enum AcquirerError {
    #[error("load acquirer data")]
    Data(#[from] crate::data::DataError),
    #[error("listen on `{addr}`")]
    Listen {
        addr: String,
        #[source]
        source: std::io::Error,
    },
}
