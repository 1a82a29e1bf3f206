//! The POS-side decoder for what a printer sends back: ASB frames, one-byte `DLE EOT` replies,
//! `GS r` replies and XON/XOFF, told apart by their fixed bits.
//!
//! The patterns are disjoint: a real-time reply is `0xx1xx10`, an ASB first byte `0xx1xx00`,
//! XON/XOFF are `11`/`13`, and `GS r` replies and ASB bytes 2–4 have bit 4 clear. A `GS r` reply
//! cannot be told from noise by its bits alone, so the caller announces it with
//! [`ReplyDecoder::expect_transmit_status`] when it sends `GS r`.

use std::collections::VecDeque;

use super::command::TransmitStatusKind;
use super::status::{is_asb_first_byte, is_realtime_reply_byte};

const XON: u8 = 0x11;
const XOFF: u8 = 0x13;

/// One unit of printer → POS traffic.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reply {
    /// A `DLE EOT n` reply (the caller knows which `n` it asked).
    Realtime(u8),
    /// A 4-byte automatic status back frame.
    Asb([u8; 4]),
    /// The reply to an announced `GS r n`.
    TransmitStatus {
        /// Which status was asked for.
        kind: TransmitStatusKind,
        /// The reply byte.
        byte: u8,
    },
    /// XON (`11`): the printer can take data again.
    Xon,
    /// XOFF (`13`): the printer's buffer is nearly full.
    Xoff,
    /// Bytes that fit no pattern (line noise, or an ASB frame cut short); decoding resumes
    /// with the next byte.
    Garbage(Vec<u8>),
}

/// Incremental decoder for the printer → POS byte stream.
#[derive(Debug, Clone, Default)]
pub struct ReplyDecoder {
    input: VecDeque<u8>,
    asb: [u8; 4],
    asb_len: usize,
    expected: VecDeque<TransmitStatusKind>,
}

impl ReplyDecoder {
    /// A decoder with nothing buffered and no reply expected.
    pub fn new() -> Self {
        Self::default()
    }

    /// Append received bytes.
    pub fn push(&mut self, bytes: &[u8]) {
        self.input.extend(bytes);
    }

    /// Announce that a `GS r` was sent, so the next byte with bit 4 clear is its reply.
    /// Replies come in the order asked.
    pub fn expect_transmit_status(&mut self, kind: TransmitStatusKind) {
        self.expected.push_back(kind);
    }

    /// How many announced `GS r` replies have not arrived.
    pub fn pending_transmit_status(&self) -> usize {
        self.expected.len()
    }

    /// Forget announced replies (after a timeout, the POS gives up on them).
    pub fn cancel_expected(&mut self) {
        self.expected.clear();
    }

    /// The next complete reply, or `None` until more bytes arrive.
    pub fn next_reply(&mut self) -> Option<Reply> {
        while let Some(&c) = self.input.front() {
            if self.asb_len > 0 {
                if c == XON || c == XOFF {
                    // Flow control may cut into an ASB frame; it never looks like one of its
                    // later bytes, which have bit 4 clear.
                    self.input.pop_front();
                    return Some(if c == XON { Reply::Xon } else { Reply::Xoff });
                }
                if c & 0x10 != 0 {
                    // Cannot be ASB byte 2..4: the frame was cut short. Report it and look at
                    // this byte afresh.
                    let partial = self.asb[..self.asb_len].to_vec();
                    self.asb_len = 0;
                    return Some(Reply::Garbage(partial));
                }
                self.input.pop_front();
                self.asb[self.asb_len] = c;
                self.asb_len += 1;
                if self.asb_len == 4 {
                    self.asb_len = 0;
                    return Some(Reply::Asb(self.asb));
                }
                continue;
            }
            self.input.pop_front();
            let reply = match c {
                XON => Reply::Xon,
                XOFF => Reply::Xoff,
                _ if is_asb_first_byte(c) => {
                    self.asb[0] = c;
                    self.asb_len = 1;
                    continue;
                }
                _ if is_realtime_reply_byte(c) => Reply::Realtime(c),
                _ if c & 0x90 == 0 && !self.expected.is_empty() => Reply::TransmitStatus {
                    kind: self
                        .expected
                        .pop_front()
                        .unwrap_or(TransmitStatusKind::Paper),
                    byte: c,
                },
                _ => Reply::Garbage(vec![c]),
            };
            return Some(reply);
        }
        None
    }
}

impl Iterator for ReplyDecoder {
    type Item = Reply;

    fn next(&mut self) -> Option<Reply> {
        self.next_reply()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode_bytewise(d: &mut ReplyDecoder, bytes: &[u8]) -> Vec<Reply> {
        let mut out = Vec::new();
        for &c in bytes {
            d.push(&[c]);
            out.extend(d.by_ref());
        }
        out
    }

    #[test]
    fn separates_asb_realtime_and_flow_control() {
        let mut d = ReplyDecoder::new();
        let got = decode_bytewise(
            &mut d,
            &[
                0x10, 0x00, 0x00, 0x00, 0x16, 0x13, 0x18, 0x00, 0x11, 0x0F, 0x00, 0x7E,
            ],
        );
        assert_eq!(
            got,
            vec![
                Reply::Asb([0x10, 0, 0, 0]),
                Reply::Realtime(0x16),
                Reply::Xoff,
                Reply::Xon,
                Reply::Asb([0x18, 0, 0x0F, 0]),
                Reply::Realtime(0x7E),
            ]
        );
    }

    #[test]
    fn transmit_status_only_when_expected() {
        let mut d = ReplyDecoder::new();
        assert_eq!(
            decode_bytewise(&mut d, &[0x03]),
            vec![Reply::Garbage(vec![3])]
        );
        d.expect_transmit_status(TransmitStatusKind::Paper);
        d.expect_transmit_status(TransmitStatusKind::Drawer);
        assert_eq!(
            decode_bytewise(&mut d, &[0x12, 0x0F, 0x01]),
            vec![
                Reply::Realtime(0x12),
                Reply::TransmitStatus {
                    kind: TransmitStatusKind::Paper,
                    byte: 0x0F
                },
                Reply::TransmitStatus {
                    kind: TransmitStatusKind::Drawer,
                    byte: 0x01
                },
            ]
        );
    }

    #[test]
    fn truncated_asb_resyncs() {
        let mut d = ReplyDecoder::new();
        assert_eq!(
            decode_bytewise(&mut d, &[0x38, 0x00, 0x12, 0x10, 0, 0, 0]),
            vec![
                Reply::Garbage(vec![0x38, 0x00]),
                Reply::Realtime(0x12),
                Reply::Asb([0x10, 0, 0, 0]),
            ]
        );
    }
}
