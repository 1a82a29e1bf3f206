//! ISO 8583 in the China UnionPay POS layout (PROTOCOLS.md §7): frames, fields, messages, MAC,
//! structured private fields, and the typed transactions a POS and an acquirer exchange.
//!
//! Layers, bottom up:
//! - [`spec`]: the field table; values are validated and packed (BCD, `=` as `D`) by it.
//! - [`Message`]: MTI, [`Bitmap`], fields; body encode/decode; [`Message::set_mac`].
//! - [`Frame`] (TPDU, [`Header`], message) and [`FrameDecoder`] for TCP streams.
//! - Private fields: [`Field60`], [`Field61`], [`SettlementTotals`] and [`DetailRecord`]
//!   (field 48), [`WorkingKeys`] (sign-on field 62).
//! - [`transaction`]: request builders, [`respond`], [`TransactionKind`], [`check_response`].
//!
//! ```
//! use posrig_protocols::iso8583::{transaction, Frame, FrameDecoder, Header, Terminal, Tpdu};
//!
//! let terminal = Terminal::new("10000001", "123456789012345").unwrap();
//! let request = transaction::echo_test(&terminal, 7, 1).unwrap();
//! let bytes = Frame::new(Tpdu::default(), Header::default(), request.clone()).encode();
//! let mut decoder = FrameDecoder::new();
//! decoder.push(&bytes);
//! assert_eq!(decoder.next_frame().unwrap().unwrap().message, request);
//! ```

mod accessors;
mod batch_upload;
mod bcd;
mod bitmap;
#[cfg(feature = "codec")]
mod codec;
mod decoder;
mod error;
mod field;
mod field60;
mod field61;
mod frame;
mod header;
mod matching;
mod message;
mod mti;
mod response_code;
mod settlement;
mod signon;
pub mod spec;
mod terminal;
pub mod transaction;

pub use batch_upload::{DetailRecord, MAX_DETAILS_PER_MESSAGE};
pub use bcd::Justify;
pub use bitmap::{Bitmap, Fields};
#[cfg(feature = "codec")]
pub use codec::{CodecError, Iso8583Codec};
pub use decoder::FrameDecoder;
pub use error::{DecodeError, FieldError, FieldProblem, FrameError};
pub use field60::{network_code, txn_type, Field60};
pub use field61::Field61;
pub use frame::{Frame, DEFAULT_MAX_FRAME_LEN};
pub use header::{Header, HostRequest, Tpdu};
pub use matching::{check_response, Mismatch};
pub use message::Message;
pub use mti::Mti;
pub use response_code::ResponseCode;
pub use settlement::{ReconciliationFlag, SettlementTotals, Totals};
pub use signon::{SignOnError, WorkingKeys};
pub use terminal::{Card, Terminal};
pub use transaction::{respond, TransactionKind};
