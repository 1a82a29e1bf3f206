//! ESC/POS, the receipt printer wire (PROTOCOLS.md §1): the POS-side encoder, the printer-side
//! incremental parser, and the status bytes both sides share.
//!
//! - [`command`]: the typed [`Command`] and its parameter types.
//! - [`encode`](mod@encode): [`EscPosWriter`] and [`encode()`](fn@encode) for the POS.
//! - [`parse`]: [`Parser`], the printer's incremental decoder.
//! - [`status`]: [`PrinterStatus`] ↔ `DLE EOT`, `GS r` and ASB bytes, per [`StatusProfile`].
//! - [`reply`]: [`ReplyDecoder`], the POS's decoder for what the printer sends back.

pub mod command;
pub mod encode;
mod grammar;
pub mod parse;
pub mod reply;
pub mod status;

pub use command::{
    Alignment, AsbMask, Barcode, BarcodeForm, BarcodeKind, CharSize, Command, Cut, DeviceSelect,
    DrawerKick, DrawerPin, PrintMode, Qr, QrEcLevel, QrModel, Recovery, TransmitStatusKind,
};
pub use encode::{encode, EncodeError, EscPosWriter};
pub use parse::{Parser, ParserConfig};
pub use reply::{Reply, ReplyDecoder};
pub use status::{
    drawer_pin3_high_from_byte, is_asb_first_byte, is_realtime_reply_byte, PaperLevel,
    PrinterStatus, RealtimeStatusKind, StatusError, StatusProfile,
};
