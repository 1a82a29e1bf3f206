//! Host clients: the ISO 8583 acquirer client (primary and backup links, sign-on and working
//! keys, MAC, reversals, store-and-forward advices, settlement with batch upload) and the QR
//! wallet client, over byte streams from [`Connector`]s supplied by whoever starts the POS.
//!
//! Layout, by concept:
//!
//! - [`connector`]: `Connector` / `ByteStream`, TCP and in-memory connectors.
//! - `link`: primary and backup links, failover and failback.
//! - [`acquirer`]: the client, the request/response exchange, preparation before online work.
//! - `session`: sign-on, sign-off, echo; `keys`: working keys from field 62.
//! - `authorisation`: purchase, void, refund, balance inquiry, offline approval.
//! - `reversal`, `advice`: the pending queue sent before the next online transaction.
//! - `settlement`: 0500 and batch upload. `stan`: STANs and local auth codes.
//! - `qr` and `http`: the QR wallet client and its JSON-over-HTTP transport.
//!
//! The terminal loop creates the clients once, calls [`AcquirerClient::recover`] and
//! [`QrClient::recover`] on start, then [`AcquirerClient::sign_on`], and uses
//! [`AcquirerClient::purchase`], [`AcquirerClient::settle`] and [`QrClient::pay`] per sale and
//! at end of day. Full card data stays in memory for the lifetime of a request (and of an armed
//! reversal or queued advice while the process lives); the journal gets masked PANs only, and
//! nothing here logs a PAN, track or PIN block.

pub mod acquirer;
mod advice;
mod authorisation;
mod config;
pub mod connector;
mod error;
mod http;
mod keys;
mod link;
mod outcome;
mod qr;
mod reversal;
mod session;
mod settlement;
mod stan;

pub use acquirer::{AcquirerClient, SharedJournal};
pub use authorisation::UNREACHABLE_CODE;
pub use config::AcquirerConfig;
pub use connector::{ByteStream, Connector, MemoryConnector, MemoryListener, TcpConnector};
pub use error::HostError;
pub use http::QrEndpoint;
pub use keys::PinKey;
pub use outcome::{BalanceResult, CardInput, CardResult, PendingReport, SettlementResult, SignOn};
pub use qr::{QrClient, QrPayment, QrResult};
pub use stan::offline_auth_code;
