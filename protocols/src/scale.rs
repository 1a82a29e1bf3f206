//! Scale protocol, Toledo 8217 style (PROTOCOLS.md §6): the host sends `W`; the scale answers
//! `02 "01.250" 0D` (kilograms with three decimals, carried here as integer grams) or a status
//! frame `02 3F s 0D`.
//!
//! Both directions have an encoder and an incremental decoder that resyncs on garbage. Weights
//! are integers in grams: no floating point touches a price.

use std::collections::VecDeque;

const STX: u8 = 0x02;
const CR: u8 = 0x0D;
/// The request byte.
pub const WEIGH: u8 = b'W';
/// Heaviest weight the `NN.NNN` field can carry, in grams.
pub const MAX_GRAMS: u32 = 99_999;
/// Longest frame body (between STX and CR) the decoder buffers.
const MAX_BODY: usize = 8;

/// What the scale reports in a status frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ScaleStatus {
    /// Bit 0: the load is still moving.
    pub in_motion: bool,
    /// Bit 1: over capacity.
    pub over_capacity: bool,
    /// Bit 2: under zero.
    pub under_zero: bool,
}

impl ScaleStatus {
    /// The status byte `s`.
    pub fn to_byte(self) -> u8 {
        u8::from(self.in_motion)
            | u8::from(self.over_capacity) << 1
            | u8::from(self.under_zero) << 2
    }

    /// The status a byte reports; bits above 2 are ignored.
    pub fn from_byte(s: u8) -> Self {
        ScaleStatus {
            in_motion: s & 0x01 != 0,
            over_capacity: s & 0x02 != 0,
            under_zero: s & 0x04 != 0,
        }
    }
}

/// One scale → host frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScaleReply {
    /// A stable weight in grams.
    Weight {
        /// Grams, 0..=99 999.
        grams: u32,
    },
    /// No weight: why.
    Status(ScaleStatus),
}

/// Frames the scale protocol cannot carry, or bytes that are no frame.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScaleError {
    /// A weight beyond `99.999` kg.
    #[error("encode weight: {grams} g exceeds the {MAX_GRAMS} g the field can carry")]
    TooHeavy {
        /// The weight.
        grams: u32,
    },
    /// Bytes outside any frame (skipped until the next STX).
    #[error("decode scale reply: {0} bytes outside a frame")]
    Garbage(usize),
    /// A frame whose body is neither `NN.NNN` nor `? s`.
    #[error("decode scale reply: bad frame body {0:02x?}")]
    BadFrame(Vec<u8>),
    /// A host byte other than `W`.
    #[error("decode scale request: unknown byte {0:#04x}")]
    UnknownRequest(u8),
}

/// Append the host's weigh request.
pub fn encode_request(out: &mut Vec<u8>) {
    out.push(WEIGH);
}

/// Append a scale reply frame.
pub fn encode_reply(reply: ScaleReply, out: &mut Vec<u8>) -> Result<(), ScaleError> {
    match reply {
        ScaleReply::Weight { grams } => {
            if grams > MAX_GRAMS {
                return Err(ScaleError::TooHeavy { grams });
            }
            let text = format!("{:02}.{:03}", grams / 1000, grams % 1000);
            out.push(STX);
            out.extend_from_slice(text.as_bytes());
            out.push(CR);
        }
        ScaleReply::Status(s) => out.extend_from_slice(&[STX, b'?', s.to_byte(), CR]),
    }
    Ok(())
}

/// The scale side: decodes host requests.
#[derive(Debug, Clone, Default)]
pub struct RequestDecoder {
    input: VecDeque<u8>,
}

/// A host request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScaleRequest {
    /// `W`: send the weight.
    Weigh,
}

impl RequestDecoder {
    /// An empty decoder.
    pub fn new() -> Self {
        Self::default()
    }

    /// Append received bytes.
    pub fn push(&mut self, bytes: &[u8]) {
        self.input.extend(bytes);
    }

    /// The next request, or an error for a byte that is none.
    pub fn next_request(&mut self) -> Option<Result<ScaleRequest, ScaleError>> {
        self.input.pop_front().map(|c| match c {
            WEIGH => Ok(ScaleRequest::Weigh),
            other => Err(ScaleError::UnknownRequest(other)),
        })
    }
}

impl Iterator for RequestDecoder {
    type Item = Result<ScaleRequest, ScaleError>;

    fn next(&mut self) -> Option<Self::Item> {
        self.next_request()
    }
}

/// The host side: decodes scale replies.
#[derive(Debug, Clone, Default)]
pub struct ReplyDecoder {
    input: VecDeque<u8>,
    body: Vec<u8>,
    in_frame: bool,
    garbage: usize,
}

impl ReplyDecoder {
    /// An empty decoder.
    pub fn new() -> Self {
        Self::default()
    }

    /// Append received bytes.
    pub fn push(&mut self, bytes: &[u8]) {
        self.input.extend(bytes);
    }

    /// The next reply or error, or `None` until a frame completes.
    pub fn next_reply(&mut self) -> Option<Result<ScaleReply, ScaleError>> {
        while let Some(&c) = self.input.front() {
            if !self.in_frame {
                if c == STX {
                    if self.garbage > 0 {
                        return Some(Err(ScaleError::Garbage(std::mem::take(&mut self.garbage))));
                    }
                    self.input.pop_front();
                    self.in_frame = true;
                    self.body.clear();
                } else {
                    self.input.pop_front();
                    self.garbage += 1;
                }
                continue;
            }
            // The status byte may be any value (even STX or CR), so it is taken unconditionally
            // right after `?`.
            let status_byte = self.body.as_slice() == b"?";
            if !status_byte && c == STX {
                // A new frame starts inside this one: report the broken one, resync on STX.
                self.in_frame = false;
                return Some(Err(ScaleError::BadFrame(std::mem::take(&mut self.body))));
            }
            self.input.pop_front();
            if !status_byte && c == CR {
                self.in_frame = false;
                return Some(decode_body(&std::mem::take(&mut self.body)));
            }
            if self.body.len() == MAX_BODY {
                self.in_frame = false;
                self.body.push(c);
                return Some(Err(ScaleError::BadFrame(std::mem::take(&mut self.body))));
            }
            self.body.push(c);
        }
        None
    }
}

impl Iterator for ReplyDecoder {
    type Item = Result<ScaleReply, ScaleError>;

    fn next(&mut self) -> Option<Self::Item> {
        self.next_reply()
    }
}

fn decode_body(body: &[u8]) -> Result<ScaleReply, ScaleError> {
    match body {
        [b'?', s] => Ok(ScaleReply::Status(ScaleStatus::from_byte(*s))),
        [k1, k2, b'.', g1, g2, g3] if [k1, k2, g1, g2, g3].iter().all(|c| c.is_ascii_digit()) => {
            let d = |c: &u8| u32::from(c - b'0');
            Ok(ScaleReply::Weight {
                grams: (d(k1) * 10 + d(k2)) * 1000 + d(g1) * 100 + d(g2) * 10 + d(g3),
            })
        }
        _ => Err(ScaleError::BadFrame(body.to_vec())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn protocols_md_frames() {
        let mut out = Vec::new();
        encode_reply(ScaleReply::Weight { grams: 1250 }, &mut out).unwrap();
        assert_eq!(out, b"\x0201.250\x0d");
        out.clear();
        let s = ScaleStatus {
            in_motion: true,
            under_zero: true,
            ..ScaleStatus::default()
        };
        encode_reply(ScaleReply::Status(s), &mut out).unwrap();
        assert_eq!(out, [0x02, 0x3F, 0x05, 0x0D]);
        assert!(encode_reply(ScaleReply::Weight { grams: 100_000 }, &mut out).is_err());
        out.clear();
        encode_request(&mut out);
        assert_eq!(out, b"W");
    }

    #[test]
    fn byte_at_a_time_with_garbage() {
        let mut d = ReplyDecoder::new();
        let mut got = Vec::new();
        for &c in b"xy\x0201.250\x0d\x02?\x02\x0d\x0212\x0200.005\x0d" {
            d.push(&[c]);
            got.extend(d.by_ref());
        }
        assert_eq!(
            got,
            vec![
                Err(ScaleError::Garbage(2)),
                Ok(ScaleReply::Weight { grams: 1250 }),
                Ok(ScaleReply::Status(ScaleStatus {
                    over_capacity: true,
                    ..ScaleStatus::default()
                })),
                Err(ScaleError::BadFrame(b"12".to_vec())),
                Ok(ScaleReply::Weight { grams: 5 }),
            ]
        );
    }

    #[test]
    fn requests() {
        let mut d = RequestDecoder::new();
        d.push(b"WxW");
        let got: Vec<_> = d.collect();
        assert_eq!(
            got,
            vec![
                Ok(ScaleRequest::Weigh),
                Err(ScaleError::UnknownRequest(b'x')),
                Ok(ScaleRequest::Weigh)
            ]
        );
    }
}
