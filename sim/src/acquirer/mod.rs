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
//! - Purchases are cryptogram-checked (`handlers/chip.rs`): with field 55 the ARQC must verify
//!   under the card's ICC key (`data::Card::icc_key`) over data whose 9F02 equals field 4 and
//!   whose 9C is a purchase, else `05`; a field 55 that does not read back is `30`; a chip or
//!   contactless read (field 22 `05x`/`07x`) without field 55 is `05`. Swipe and fallback reads
//!   carry no chip data and are not checked. The PIN is checked before the cryptogram. Voids,
//!   refunds, inquiries and advices are not cryptogram-checked.
//! - An offline sale advice is identified by terminal, batch and STAN. One without card data
//!   (what a POS sends after a restart: its journal keeps no full PAN) is accepted and recorded
//!   as advised with an empty masked PAN and no card: it cannot be charged to a card, so no
//!   balance changes, and it counts as a domestic debit in settlement. A repeated advice of the
//!   same amount, with or without card data, is `00` again with no new effect.
//! - Batch-upload details are matched against the ledger by terminal, batch and STAN, then kind
//!   and amount, never by PAN (the POS sends first 6 + last 4 digits with zeros between); the
//!   upload is always accepted and each record keeps its [`DetailMatch`].

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
pub use ledger::{DetailMatch, EntryState, Ledger, LedgerEntry, LedgerKind, UploadedDetail};
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
