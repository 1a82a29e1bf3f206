//! Wire formats without I/O: every byte-level protocol posrig speaks, as pure encoders and
//! incremental decoders (push bytes in any chunking, pull complete frames).
//!
//! One module per wire. Nothing here does I/O or depends on a runtime, except the optional
//! `tokio_util::codec` adapters behind the `codec` feature.

pub mod card;
pub mod crypto;
pub mod display;
pub mod escpos;
pub mod iso8583;
pub mod keyboard;
pub mod pinpad;
pub mod qrpay;
pub mod scale;
pub mod scanner;
