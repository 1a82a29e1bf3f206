//! The incremental frame decoder for a TCP stream: push bytes in any chunking, pull frames.

use bytes::{Buf, BytesMut};

use super::error::FrameError;
use super::frame::{Frame, DEFAULT_MAX_FRAME_LEN, LEN_PREFIX};

/// Splits a byte stream into length-prefixed frames and decodes them.
///
/// "Need more bytes" is `Ok(None)`. A frame whose content is malformed is consumed and reported
/// as [`FrameError::Message`]; the stream goes on. A length prefix of 0 or over the limit is
/// [`FrameError::BadLength`]: the stream has no way to resynchronise, so the decoder keeps
/// returning that error and the caller should close the connection.
#[derive(Debug)]
pub struct FrameDecoder {
    buf: BytesMut,
    max_len: usize,
    failed: Option<FrameError>,
}

impl Default for FrameDecoder {
    fn default() -> Self {
        Self::new()
    }
}

impl FrameDecoder {
    pub fn new() -> Self {
        Self::with_max_len(DEFAULT_MAX_FRAME_LEN)
    }

    /// A decoder that refuses length prefixes over `max_len` (at most 65535 matters).
    pub fn with_max_len(max_len: usize) -> Self {
        Self {
            buf: BytesMut::new(),
            max_len,
            failed: None,
        }
    }

    /// Add received bytes.
    pub fn push(&mut self, bytes: &[u8]) {
        self.buf.extend_from_slice(bytes);
    }

    /// Bytes received but not yet part of a returned frame.
    pub fn buffered(&self) -> usize {
        self.buf.len()
    }

    /// The next complete frame, `Ok(None)` if more bytes are needed.
    pub fn next_frame(&mut self) -> Result<Option<Frame>, FrameError> {
        match self.next_payload()? {
            Some(payload) => Ok(Some(Frame::decode_payload(&payload)?)),
            None => Ok(None),
        }
    }

    /// The next complete payload (what follows the length prefix), undecoded.
    pub fn next_payload(&mut self) -> Result<Option<BytesMut>, FrameError> {
        if let Some(err) = &self.failed {
            return Err(err.clone());
        }
        split_frame(&mut self.buf, self.max_len).inspect_err(|err| {
            self.failed = Some(err.clone());
        })
    }
}

/// Take one length-prefixed payload off the front of `buf`, if complete.
pub(crate) fn split_frame(
    buf: &mut BytesMut,
    max_len: usize,
) -> Result<Option<BytesMut>, FrameError> {
    let Some(prefix) = buf.first_chunk::<LEN_PREFIX>() else {
        return Ok(None);
    };
    let len = usize::from(u16::from_be_bytes(*prefix));
    if len == 0 || len > max_len {
        return Err(FrameError::BadLength { len, max: max_len });
    }
    if buf.len() < LEN_PREFIX + len {
        buf.reserve(LEN_PREFIX + len - buf.len());
        return Ok(None);
    }
    buf.advance(LEN_PREFIX);
    Ok(Some(buf.split_to(len)))
}

#[cfg(test)]
mod tests {
    use super::super::error::DecodeError;
    use super::*;

    #[test]
    fn bad_lengths_are_fatal_and_sticky() {
        let mut d = FrameDecoder::with_max_len(100);
        d.push(&[0x00]);
        assert_eq!(d.next_frame(), Ok(None));
        d.push(&[0x65]);
        let err = d.next_frame().unwrap_err();
        assert!(err.is_fatal());
        assert_eq!(d.next_frame().unwrap_err(), err);

        let mut d = FrameDecoder::new();
        d.push(&[0, 0]);
        assert!(d.next_frame().unwrap_err().is_fatal());
    }

    #[test]
    fn malformed_content_is_skipped() {
        let mut d = FrameDecoder::new();
        d.push(&[0x00, 0x03, 1, 2, 3]);
        let err = d.next_frame().unwrap_err();
        assert_eq!(
            err,
            FrameError::Message(DecodeError::Truncated { what: "TPDU" })
        );
        assert!(!err.is_fatal());
        assert_eq!(d.buffered(), 0);
        assert_eq!(d.next_frame(), Ok(None));
    }
}
