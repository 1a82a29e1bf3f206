//! `tokio_util::codec` adapter: length-prefixed CUP frames on an async byte stream.

use bytes::BytesMut;
use tokio_util::codec::{Decoder, Encoder};

use super::decoder::split_frame;
use super::error::{DecodeError, FrameError};
use super::frame::{Frame, DEFAULT_MAX_FRAME_LEN};

/// What ends a framed stream: I/O, or a length prefix that cannot be trusted.
#[derive(Debug, thiserror::Error)]
pub enum CodecError {
    #[error("read frame")]
    Io(#[from] std::io::Error),
    #[error(transparent)]
    Frame(FrameError),
}

/// Decodes frames as `Ok(frame)` or, for a well-delimited frame that does not decode,
/// `Err(DecodeError)` as an item, so one bad message does not end the stream. A bad length
/// prefix ends it with [`CodecError::Frame`].
#[derive(Debug, Clone)]
pub struct Iso8583Codec {
    max_len: usize,
}

impl Default for Iso8583Codec {
    fn default() -> Self {
        Self {
            max_len: DEFAULT_MAX_FRAME_LEN,
        }
    }
}

impl Iso8583Codec {
    pub fn with_max_len(max_len: usize) -> Self {
        Self { max_len }
    }
}

impl Decoder for Iso8583Codec {
    type Item = Result<Frame, DecodeError>;
    type Error = CodecError;

    fn decode(&mut self, src: &mut BytesMut) -> Result<Option<Self::Item>, CodecError> {
        match split_frame(src, self.max_len).map_err(CodecError::Frame)? {
            Some(payload) => Ok(Some(Frame::decode_payload(&payload))),
            None => Ok(None),
        }
    }
}

impl Encoder<&Frame> for Iso8583Codec {
    type Error = CodecError;

    fn encode(&mut self, frame: &Frame, dst: &mut BytesMut) -> Result<(), CodecError> {
        let mut out = Vec::with_capacity(256);
        frame.encode_into(&mut out);
        dst.extend_from_slice(&out);
        Ok(())
    }
}

impl Encoder<Frame> for Iso8583Codec {
    type Error = CodecError;

    fn encode(&mut self, frame: Frame, dst: &mut BytesMut) -> Result<(), CodecError> {
        self.encode(&frame, dst)
    }
}

#[cfg(test)]
mod tests {
    use super::super::header::{Header, Tpdu};
    use super::super::message::Message;
    use super::super::mti::Mti;
    use super::*;

    #[test]
    fn codec_round_trip_and_fatal_length() {
        let mut msg = Message::new(Mti::SIGN_ON);
        msg.set_stan(1).unwrap();
        let frame = Frame::new(Tpdu::default(), Header::default(), msg);
        let mut codec = Iso8583Codec::default();
        let mut buf = BytesMut::new();
        codec.encode(&frame, &mut buf).unwrap();
        let whole = buf.clone();
        buf.truncate(whole.len() - 1);
        assert!(codec.decode(&mut buf).unwrap().is_none());
        buf.extend_from_slice(&whole[whole.len() - 1..]);
        assert_eq!(codec.decode(&mut buf).unwrap(), Some(Ok(frame)));
        buf.extend_from_slice(&[0, 0]);
        assert!(matches!(codec.decode(&mut buf), Err(CodecError::Frame(_))));
    }
}
