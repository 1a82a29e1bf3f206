//! One end of the PIN-pad link, sans-IO: the frame decoder for what arrives, the ACK/NAK replies
//! it owes, and the retrying [`Sender`] for what it sends. The POS driver and the simulated pad
//! each own one and move bytes between it and their wire.

use std::collections::VecDeque;
use std::fmt;
use std::time::Duration;

use super::frame::{FrameDecoder, FrameEncodeError, FrameError, LinkEvent};
use super::sender::{LinkConfig, SendOutcome, Sender};

/// What the link reports to the layer above.
#[derive(Clone, PartialEq, Eq)]
pub enum LinkOutput {
    /// A good frame's payload (already acknowledged). A sender that missed our ACK sends the
    /// same frame again, so a payload can arrive twice; the message layer decides what that means.
    Received(Vec<u8>),
    /// One of our frames was acknowledged.
    Delivered { attempts: u8 },
    /// One of our frames got no ACK after every retry.
    GaveUp { attempts: u8 },
    /// Damaged bytes on the line, already answered where the protocol says to.
    LineError(FrameError),
}

impl fmt::Debug for LinkOutput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            // Payloads carry card data; never print them.
            LinkOutput::Received(p) => write!(f, "Received(<{} bytes>)", p.len()),
            LinkOutput::Delivered { attempts } => write!(f, "Delivered {{ attempts: {attempts} }}"),
            LinkOutput::GaveUp { attempts } => write!(f, "GaveUp {{ attempts: {attempts} }}"),
            LinkOutput::LineError(e) => write!(f, "LineError({e:?})"),
        }
    }
}

/// A full-duplex link endpoint.
///
/// Drive it like this: write everything [`poll_transmit`](Self::poll_transmit) returns, feed
/// everything read to [`handle_input`](Self::handle_input), sleep until
/// [`poll_timeout`](Self::poll_timeout) and then call [`handle_timeout`](Self::handle_timeout),
/// and drain [`poll_output`](Self::poll_output) after each of those.
#[derive(Debug, Clone, Default)]
pub struct Link {
    decoder: FrameDecoder,
    sender: Sender,
    replies: VecDeque<u8>,
    outputs: VecDeque<LinkOutput>,
}

impl Link {
    pub fn new(config: LinkConfig) -> Self {
        Self::with_decoder(config, FrameDecoder::new())
    }

    /// A link whose decoder has a different payload bound.
    pub fn with_decoder(config: LinkConfig, decoder: FrameDecoder) -> Self {
        Self {
            decoder,
            sender: Sender::new(config),
            replies: VecDeque::new(),
            outputs: VecDeque::new(),
        }
    }

    /// Queue a payload to send reliably.
    pub fn send(&mut self, payload: &[u8], now: Duration) -> Result<(), FrameEncodeError> {
        self.sender.send(payload, now)?;
        self.collect_outcomes();
        Ok(())
    }

    /// Bytes read from the wire, in any chunking.
    pub fn handle_input(&mut self, bytes: &[u8], now: Duration) {
        self.decoder.push(bytes);
        while let Some(ev) = self.decoder.next_event() {
            match ev {
                Ok(LinkEvent::Frame(payload)) => {
                    self.replies.push_back(super::frame::ACK);
                    self.outputs.push_back(LinkOutput::Received(payload));
                }
                Ok(LinkEvent::Ack) => self.sender.on_ack(now),
                Ok(LinkEvent::Nak) => self.sender.on_nak(now),
                Err(e) => {
                    if let Some(reply) = e.reply() {
                        self.replies.push_back(reply);
                    }
                    self.outputs.push_back(LinkOutput::LineError(e));
                }
            }
            self.collect_outcomes();
        }
    }

    /// Call at or after [`poll_timeout`](Self::poll_timeout).
    pub fn handle_timeout(&mut self, now: Duration) {
        self.sender.handle_timeout(now);
        self.collect_outcomes();
    }

    /// When [`handle_timeout`](Self::handle_timeout) is next due, if anything is in flight.
    pub fn poll_timeout(&self) -> Option<Duration> {
        self.sender.poll_timeout()
    }

    /// The next bytes to write: owed ACK/NAK replies first (the peer is waiting on them), then
    /// frames.
    pub fn poll_transmit(&mut self) -> Option<Vec<u8>> {
        if !self.replies.is_empty() {
            return Some(self.replies.drain(..).collect());
        }
        self.sender.poll_transmit()
    }

    /// The next thing that happened, in order.
    pub fn poll_output(&mut self) -> Option<LinkOutput> {
        self.outputs.pop_front()
    }

    /// Whether our own frames are all delivered or given up.
    pub fn is_idle(&self) -> bool {
        self.sender.is_idle()
    }

    /// Forget partial input and everything unsent (a port reopened, a device reset).
    pub fn reset(&mut self) {
        self.decoder.reset();
        self.sender.clear();
        self.replies.clear();
    }

    fn collect_outcomes(&mut self) {
        while let Some(o) = self.sender.poll_outcome() {
            self.outputs.push_back(match o {
                SendOutcome::Delivered { attempts } => LinkOutput::Delivered { attempts },
                SendOutcome::GaveUp { attempts } => LinkOutput::GaveUp { attempts },
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pinpad::frame::{encode_frame, ACK, NAK};

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    /// Move bytes between two endpoints until neither has anything to write.
    fn pump(a: &mut Link, b: &mut Link, now: Duration) {
        loop {
            let mut moved = false;
            while let Some(bytes) = a.poll_transmit() {
                b.handle_input(&bytes, now);
                moved = true;
            }
            while let Some(bytes) = b.poll_transmit() {
                a.handle_input(&bytes, now);
                moved = true;
            }
            if !moved {
                break;
            }
        }
    }

    #[test]
    fn two_endpoints_exchange_frames() {
        let (mut pos, mut pad) = (Link::default(), Link::default());
        pos.send(b"S0\x1c1250\x1c156\x1cSALE\x1cCST", ms(0))
            .unwrap();
        pad.send(b"E0\x1c0", ms(0)).unwrap();
        pump(&mut pos, &mut pad, ms(1));
        assert_eq!(
            pad.poll_output(),
            Some(LinkOutput::Received(
                b"S0\x1c1250\x1c156\x1cSALE\x1cCST".to_vec()
            ))
        );
        assert_eq!(
            pad.poll_output(),
            Some(LinkOutput::Delivered { attempts: 1 })
        );
        assert_eq!(
            pos.poll_output(),
            Some(LinkOutput::Delivered { attempts: 1 })
        );
        assert_eq!(
            pos.poll_output(),
            Some(LinkOutput::Received(b"E0\x1c0".to_vec()))
        );
        assert!(pos.is_idle() && pad.is_idle());
    }

    #[test]
    fn bad_lrc_is_answered_with_nak_and_the_sender_resends() {
        let mut pad = Link::default();
        let mut frame = encode_frame(b"R0").unwrap();
        *frame.last_mut().unwrap() ^= 0xFF;
        pad.handle_input(&frame, ms(0));
        assert_eq!(pad.poll_transmit(), Some(vec![NAK]));
        assert!(matches!(
            pad.poll_output(),
            Some(LinkOutput::LineError(FrameError::BadLrc { .. }))
        ));

        let mut pos = Link::default();
        pos.send(b"X0", ms(0)).unwrap();
        let first = pos.poll_transmit().unwrap();
        pos.handle_input(&[NAK], ms(50));
        assert_eq!(pos.poll_transmit(), Some(first));
        pos.handle_input(&[ACK], ms(60));
        assert_eq!(
            pos.poll_output(),
            Some(LinkOutput::Delivered { attempts: 2 })
        );
    }

    #[test]
    fn silent_peer_means_four_transmissions_then_give_up() {
        let mut pos = Link::default();
        pos.send(b"X0", ms(0)).unwrap();
        let mut writes = 0;
        while let Some(deadline) = pos.poll_timeout() {
            while pos.poll_transmit().is_some() {
                writes += 1;
            }
            pos.handle_timeout(deadline);
        }
        assert_eq!(writes, 4);
        assert_eq!(pos.poll_output(), Some(LinkOutput::GaveUp { attempts: 4 }));
    }

    #[test]
    fn debug_hides_payloads() {
        let out = LinkOutput::Received(b"P0\x1c4000001234562000\x1c100".to_vec());
        assert!(!format!("{out:?}").contains("4000001234562000"));
    }
}
