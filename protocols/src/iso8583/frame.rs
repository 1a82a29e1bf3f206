//! A whole frame: `LEN(2, BE) | TPDU(5) | header(6) | message`, encoded and decoded in one piece.

use super::error::{DecodeError, FrameError};
use super::header::{Header, Tpdu};
use super::message::Message;

/// Bytes of the length prefix.
pub const LEN_PREFIX: usize = 2;

/// The largest length prefix accepted by default. The longest legal CUP message is under 1.5 KiB.
pub const DEFAULT_MAX_FRAME_LEN: usize = 2048;

/// One message with its TPDU and header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Frame {
    pub tpdu: Tpdu,
    pub header: Header,
    pub message: Message,
}

impl Frame {
    pub fn new(tpdu: Tpdu, header: Header, message: Message) -> Self {
        Self {
            tpdu,
            header,
            message,
        }
    }

    /// The frame of a reply to this one: TPDU swapped, same header, `message`.
    pub fn reply(&self, message: Message) -> Self {
        Self::new(self.tpdu.reply(), self.header, message)
    }

    /// Append the whole frame, length prefix included.
    ///
    /// # Panics
    /// If the payload is over 65535 bytes, which no message of the field table can reach.
    pub fn encode_into(&self, out: &mut Vec<u8>) {
        let start = out.len();
        out.extend_from_slice(&[0, 0]);
        out.extend_from_slice(&self.tpdu.to_bytes());
        out.extend_from_slice(&self.header.bytes());
        self.message.encode_into(out);
        let len = u16::try_from(out.len() - start - LEN_PREFIX)
            .expect("the field table bounds a message well under 64 KiB");
        out[start..start + LEN_PREFIX].copy_from_slice(&len.to_be_bytes());
    }

    /// The whole frame, length prefix included.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(128);
        self.encode_into(&mut out);
        out
    }

    /// Decode what follows the length prefix: TPDU, header, message.
    pub fn decode_payload(payload: &[u8]) -> Result<Self, DecodeError> {
        let (tpdu, rest) = payload
            .split_first_chunk::<5>()
            .ok_or(DecodeError::Truncated { what: "TPDU" })?;
        let (header, rest) = rest
            .split_first_chunk::<6>()
            .ok_or(DecodeError::Truncated { what: "header" })?;
        Ok(Self {
            tpdu: Tpdu::from_bytes(*tpdu),
            header: Header(*header),
            message: Message::decode(rest)?,
        })
    }

    /// Decode exactly one whole frame, length prefix included.
    pub fn decode(bytes: &[u8]) -> Result<Self, FrameError> {
        let (len, payload) = bytes
            .split_first_chunk::<2>()
            .ok_or(DecodeError::Truncated {
                what: "length prefix",
            })?;
        let len = usize::from(u16::from_be_bytes(*len));
        if len == 0 || len != payload.len() {
            return Err(FrameError::BadLength {
                len,
                max: payload.len(),
            });
        }
        Ok(Self::decode_payload(payload)?)
    }
}
