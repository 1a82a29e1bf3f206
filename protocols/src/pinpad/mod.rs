//! Card reader / PIN pad, posrig ECR protocol (PROTOCOLS.md §3): link framing and its retrying
//! sender, the message set, and the card data the messages carry (track 2, EMV BER-TLV).
//!
//! Layers, bottom up:
//! - [`frame`]: `STX payload ETX LRC`, ACK and NAK as bytes ([`FrameDecoder`], [`encode_frame`]).
//! - [`sender`] and [`link`]: stop-and-wait with retries, clock-free ([`Sender`], [`Link`]).
//! - [`message`]: payloads as [`PadMessage`].
//! - [`track2`], [`tlv`], [`emv`], [`sensitive`]: the card data inside the messages.

pub mod emv;
pub mod frame;
pub mod link;
pub mod message;
pub mod sender;
pub mod sensitive;
pub mod tlv;
pub mod track2;

pub use emv::{EmvDate, EmvError, EmvTxnType, Field55, IccData};
pub use frame::{
    encode_frame, lrc, FrameDecoder, FrameEncodeError, FrameError, LinkEvent, ACK, ETX, NAK, STX,
};
pub use link::{Link, LinkOutput};
pub use message::{
    AnswerCode, CardEntry, EntryModes, MessageError, PadMessage, PadPhase, PinOutcome, TxnKind, FS,
    MAX_AMOUNT_MINOR, MAX_DISPLAY_TEXT,
};
pub use sender::{LinkConfig, SendOutcome, Sender};
pub use sensitive::{Pan, PanError, PinBlock};
pub use tlv::{Tag, Tlv, TlvError, TlvValue};
pub use track2::{Expiry, Track2, Track2Error};
