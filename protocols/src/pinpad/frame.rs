//! Link framing for the PIN pad (`STX payload ETX LRC`): the frame encoder and the incremental
//! decoder that turns a byte stream into frames, ACKs and NAKs.

use std::collections::VecDeque;
use std::fmt;

/// Start of text: opens a frame.
pub const STX: u8 = 0x02;
/// End of text: closes the payload; the LRC byte follows.
pub const ETX: u8 = 0x03;
/// Positive acknowledgement of a frame.
pub const ACK: u8 = 0x06;
/// Negative acknowledgement: the sender should send the frame again.
pub const NAK: u8 = 0x15;
/// The largest payload the decoder accepts by default. A C0 message with a full field-55 TLV is
/// a few hundred bytes; anything far beyond that is line noise, not a message.
pub const DEFAULT_MAX_PAYLOAD: usize = 1024;

/// The LRC of a payload: XOR of every payload byte and ETX (STX is excluded).
pub fn lrc(payload: &[u8]) -> u8 {
    payload.iter().fold(ETX, |acc, b| acc ^ b)
}

/// Wrap `payload` in `STX … ETX LRC`.
///
/// ```
/// use posrig_protocols::pinpad::encode_frame;
/// assert_eq!(encode_frame(b"TEST").unwrap(), b"\x02TEST\x03\x15");
/// ```
pub fn encode_frame(payload: &[u8]) -> Result<Vec<u8>, FrameEncodeError> {
    if let Some(at) = payload.iter().position(|b| *b == STX || *b == ETX) {
        return Err(FrameEncodeError::ControlByte {
            byte: payload[at],
            at,
        });
    }
    let mut out = Vec::with_capacity(payload.len() + 3);
    out.push(STX);
    out.extend_from_slice(payload);
    out.push(ETX);
    out.push(lrc(payload));
    Ok(out)
}

/// A payload that cannot be framed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FrameEncodeError {
    /// The framing is not transparent: STX or ETX inside the payload would end it early.
    #[error("frame payload: byte {byte:#04x} at offset {at} is a framing control byte")]
    ControlByte { byte: u8, at: usize },
}

/// One complete unit read off the link.
#[derive(Clone, PartialEq, Eq)]
pub enum LinkEvent {
    /// A frame with a good LRC. The receiver must answer [`ACK`].
    Frame(Vec<u8>),
    /// The peer acknowledged our last frame.
    Ack,
    /// The peer rejected our last frame.
    Nak,
}

impl LinkEvent {
    /// The byte the receiver must send back, if any.
    pub fn reply(&self) -> Option<u8> {
        match self {
            LinkEvent::Frame(_) => Some(ACK),
            LinkEvent::Ack | LinkEvent::Nak => None,
        }
    }
}

// Payloads carry PANs and track 2, so a derived Debug would leak them into logs.
impl fmt::Debug for LinkEvent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LinkEvent::Frame(p) => write!(f, "Frame(<{} bytes>)", p.len()),
            LinkEvent::Ack => f.write_str("Ack"),
            LinkEvent::Nak => f.write_str("Nak"),
        }
    }
}

/// Bytes on the link that do not make a good frame. The decoder has already resynchronised when
/// it reports one of these; they are for the receiver's reply and for logs.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FrameError {
    /// A complete frame whose LRC did not match. The receiver must answer [`NAK`].
    #[error("check frame: LRC {got:#04x}, expected {expected:#04x}")]
    BadLrc { expected: u8, got: u8 },
    /// A frame longer than the decoder's bound; the rest of it is skipped.
    #[error("read frame: payload longer than {max} bytes")]
    Overlong { max: usize },
    /// A new STX arrived inside a frame; the unfinished frame is dropped.
    #[error("read frame: STX after {dropped} payload bytes, frame restarted")]
    Restarted { dropped: usize },
    /// Bytes outside any frame that were neither STX, ACK nor NAK.
    #[error("read link: skipped {count} bytes outside a frame")]
    Skipped { count: usize },
}

impl FrameError {
    /// The byte the receiver must send back, if any: a NAK for a frame that arrived damaged, so
    /// the sender retries at once instead of waiting for its timeout.
    pub fn reply(&self) -> Option<u8> {
        match self {
            FrameError::BadLrc { .. } | FrameError::Overlong { .. } => Some(NAK),
            FrameError::Restarted { .. } | FrameError::Skipped { .. } => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Between frames: waiting for STX, ACK or NAK.
    Idle,
    /// After STX, collecting payload until ETX.
    Payload,
    /// After ETX: the next byte is the LRC, whatever its value.
    Lrc,
    /// After an overlong payload: skipping to the end of that frame.
    Discard,
    /// After the ETX of an overlong frame: its LRC byte is skipped.
    SkipLrc,
}

/// Incremental decoder: [`push`](Self::push) bytes in any chunking, then call
/// [`next_event`](Self::next_event) until it returns `None` ("need more bytes").
///
/// ```
/// use posrig_protocols::pinpad::{FrameDecoder, LinkEvent};
/// let mut dec = FrameDecoder::new();
/// dec.push(b"\x02TE");
/// assert!(dec.next_event().is_none());
/// dec.push(b"ST\x03\x15\x06");
/// assert_eq!(dec.next_event(), Some(Ok(LinkEvent::Frame(b"TEST".to_vec()))));
/// assert_eq!(dec.next_event(), Some(Ok(LinkEvent::Ack)));
/// ```
#[derive(Debug, Clone)]
pub struct FrameDecoder {
    input: VecDeque<u8>,
    state: State,
    payload: Vec<u8>,
    skipped: usize,
    max_payload: usize,
}

impl Default for FrameDecoder {
    fn default() -> Self {
        Self::new()
    }
}

impl FrameDecoder {
    /// A decoder bounded at [`DEFAULT_MAX_PAYLOAD`].
    pub fn new() -> Self {
        Self::with_max_payload(DEFAULT_MAX_PAYLOAD)
    }

    /// A decoder that rejects payloads longer than `max_payload` bytes.
    pub fn with_max_payload(max_payload: usize) -> Self {
        Self {
            input: VecDeque::new(),
            state: State::Idle,
            payload: Vec::new(),
            skipped: 0,
            max_payload,
        }
    }

    /// Append bytes read from the link.
    pub fn push(&mut self, bytes: &[u8]) {
        self.input.extend(bytes);
    }

    /// The next complete event or error, or `None` when more bytes are needed.
    pub fn next_event(&mut self) -> Option<Result<LinkEvent, FrameError>> {
        while let Some(b) = self.input.pop_front() {
            if let Some(out) = self.step(b) {
                return Some(out);
            }
        }
        None
    }

    /// Whether the decoder holds a partial frame (useful for an inter-byte timeout).
    pub fn in_frame(&self) -> bool {
        self.state != State::Idle
    }

    /// Drop any partial frame and unread input, as after a line reset.
    pub fn reset(&mut self) {
        *self = Self::with_max_payload(self.max_payload);
    }

    fn step(&mut self, b: u8) -> Option<Result<LinkEvent, FrameError>> {
        match self.state {
            State::Idle => {
                let token = match b {
                    STX => None,
                    ACK => Some(LinkEvent::Ack),
                    NAK => Some(LinkEvent::Nak),
                    _ => {
                        self.skipped += 1;
                        // Report long runs in bounded pieces so noise never grows a counter
                        // the caller cannot see.
                        if self.skipped >= self.max_payload {
                            return self.take_skipped().map(Err);
                        }
                        return None;
                    }
                };
                // A run of noise is reported once it ends, before the token that ended it;
                // the token is put back so it is read next.
                if let Some(err) = self.take_skipped() {
                    self.input.push_front(b);
                    return Some(Err(err));
                }
                match token {
                    Some(ev) => Some(Ok(ev)),
                    None => {
                        self.state = State::Payload;
                        self.payload.clear();
                        None
                    }
                }
            }
            State::Payload => match b {
                ETX => {
                    self.state = State::Lrc;
                    None
                }
                STX => {
                    let dropped = self.payload.len();
                    self.payload.clear();
                    Some(Err(FrameError::Restarted { dropped }))
                }
                _ if self.payload.len() >= self.max_payload => {
                    self.payload.clear();
                    self.state = State::Discard;
                    Some(Err(FrameError::Overlong {
                        max: self.max_payload,
                    }))
                }
                _ => {
                    self.payload.push(b);
                    None
                }
            },
            State::Lrc => {
                self.state = State::Idle;
                let expected = lrc(&self.payload);
                if b == expected {
                    return Some(Ok(LinkEvent::Frame(std::mem::take(&mut self.payload))));
                }
                self.payload.clear();
                // A bad "LRC" that is STX is most likely the next frame after noise that ended
                // in ETX: read it again as a start so that frame is not lost.
                if b == STX {
                    self.input.push_front(b);
                }
                Some(Err(FrameError::BadLrc { expected, got: b }))
            }
            State::Discard => {
                match b {
                    ETX => self.state = State::SkipLrc,
                    STX => {
                        self.state = State::Payload;
                        self.payload.clear();
                    }
                    _ => {}
                }
                None
            }
            State::SkipLrc => {
                // The overlong frame was already reported; its LRC says nothing more. An STX
                // here is read as a frame start, as after a bad LRC.
                self.state = State::Idle;
                if b == STX {
                    self.input.push_front(b);
                }
                None
            }
        }
    }

    fn take_skipped(&mut self) -> Option<FrameError> {
        let count = std::mem::take(&mut self.skipped);
        (count > 0).then_some(FrameError::Skipped { count })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn drain(dec: &mut FrameDecoder) -> Vec<Result<LinkEvent, FrameError>> {
        std::iter::from_fn(|| dec.next_event()).collect()
    }

    /// PROTOCOLS.md §3: `02 'TEST' 03 15`.
    #[test]
    fn lrc_vector() {
        assert_eq!(lrc(b"TEST"), 0x15);
        assert_eq!(
            encode_frame(b"TEST").unwrap(),
            [0x02, b'T', b'E', b'S', b'T', 0x03, 0x15]
        );
    }

    #[test]
    fn byte_at_a_time() {
        let mut dec = FrameDecoder::new();
        let mut out = vec![];
        for b in b"\x06\x02TEST\x03\x15\x15" {
            dec.push(&[*b]);
            out.extend(drain(&mut dec));
        }
        assert_eq!(
            out,
            vec![
                Ok(LinkEvent::Ack),
                Ok(LinkEvent::Frame(b"TEST".to_vec())),
                Ok(LinkEvent::Nak)
            ]
        );
    }

    #[test]
    fn bad_lrc_asks_for_nak() {
        let mut dec = FrameDecoder::new();
        dec.push(b"\x02TEST\x03\x16");
        let err = dec.next_event().unwrap().unwrap_err();
        assert_eq!(
            err,
            FrameError::BadLrc {
                expected: 0x15,
                got: 0x16
            }
        );
        assert_eq!(err.reply(), Some(NAK));
        assert_eq!(LinkEvent::Frame(vec![]).reply(), Some(ACK));
    }

    #[test]
    fn noise_is_reported_then_skipped() {
        let mut dec = FrameDecoder::new();
        dec.push(b"xyz\x02TEST\x03\x15");
        assert_eq!(
            drain(&mut dec),
            vec![
                Err(FrameError::Skipped { count: 3 }),
                Ok(LinkEvent::Frame(b"TEST".to_vec()))
            ]
        );
    }

    #[test]
    fn stx_inside_a_frame_restarts_it() {
        let mut dec = FrameDecoder::new();
        dec.push(b"\x02TE\x02TEST\x03\x15");
        assert_eq!(
            drain(&mut dec),
            vec![
                Err(FrameError::Restarted { dropped: 2 }),
                Ok(LinkEvent::Frame(b"TEST".to_vec()))
            ]
        );
    }

    #[test]
    fn bad_lrc_that_is_stx_starts_the_next_frame() {
        let mut dec = FrameDecoder::new();
        dec.push(b"\x02A\x03\x02TEST\x03\x15");
        let out = drain(&mut dec);
        assert!(matches!(out[0], Err(FrameError::BadLrc { got: STX, .. })));
        assert_eq!(out[1], Ok(LinkEvent::Frame(b"TEST".to_vec())));
    }

    #[test]
    fn overlong_payload_is_cut_and_the_next_frame_decodes() {
        let mut dec = FrameDecoder::with_max_payload(4);
        dec.push(b"\x02TOOLONG\x03\x41\x02TEST\x03\x15\x02TOOLONG\x03\x02TEST\x03\x15");
        assert_eq!(
            drain(&mut dec),
            vec![
                Err(FrameError::Overlong { max: 4 }),
                Ok(LinkEvent::Frame(b"TEST".to_vec())),
                // The LRC position of an overlong frame holding STX is read as a new start.
                Err(FrameError::Overlong { max: 4 }),
                Ok(LinkEvent::Frame(b"TEST".to_vec())),
            ]
        );
    }

    #[test]
    fn encoder_refuses_framing_bytes() {
        assert_eq!(
            encode_frame(b"A\x03"),
            Err(FrameEncodeError::ControlByte { byte: ETX, at: 1 })
        );
    }

    #[test]
    fn frame_debug_hides_payload() {
        let ev = LinkEvent::Frame(b"P0\x1c4000001234562000".to_vec());
        assert_eq!(format!("{ev:?}"), "Frame(<19 bytes>)");
    }
}
