//! The sender side of the PIN-pad link as a sans-IO state machine: stop-and-wait, with a resend
//! on NAK or after a silence, up to a retry limit.
//!
//! There is no clock inside. Every call takes "now" as a [`Duration`] since any epoch the caller
//! picks (tokio's virtual clock, a test counter), and [`Sender::poll_timeout`] says when the
//! caller should call [`Sender::handle_timeout`] next. The POS driver and the simulated pad drive
//! the same code.

use std::collections::VecDeque;
use std::time::Duration;

use super::frame::{encode_frame, FrameEncodeError};

/// Retry rules (PROTOCOLS.md §3: up to 3 retries, 3000 ms of silence).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LinkConfig {
    /// How long to wait for ACK or NAK before sending again.
    pub ack_timeout: Duration,
    /// How many times a frame is sent again after the first try.
    pub max_retries: u8,
}

impl Default for LinkConfig {
    fn default() -> Self {
        Self {
            ack_timeout: Duration::from_millis(3000),
            max_retries: 3,
        }
    }
}

/// What became of a frame handed to [`Sender::send`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SendOutcome {
    /// The peer acknowledged it after `attempts` transmissions.
    Delivered { attempts: u8 },
    /// No ACK after `attempts` transmissions; the frame is dropped and the next one starts.
    GaveUp { attempts: u8 },
}

#[derive(Debug, Clone)]
struct InFlight {
    frame: Vec<u8>,
    attempts: u8,
    deadline: Duration,
}

/// Stop-and-wait sender: one frame in flight, the rest queued in order.
///
/// ```
/// use std::time::Duration;
/// use posrig_protocols::pinpad::{Sender, SendOutcome};
/// let mut tx = Sender::default();
/// tx.send(b"X0", Duration::ZERO).unwrap();
/// assert_eq!(tx.poll_transmit().unwrap(), b"\x02X0\x03\x6b");
/// assert_eq!(tx.poll_timeout(), Some(Duration::from_millis(3000)));
/// tx.handle_timeout(Duration::from_millis(3000)); // silence: send again
/// assert!(tx.poll_transmit().is_some());
/// tx.on_ack(Duration::from_millis(3100));
/// assert_eq!(tx.poll_outcome(), Some(SendOutcome::Delivered { attempts: 2 }));
/// ```
#[derive(Debug, Clone, Default)]
pub struct Sender {
    config: LinkConfig,
    queue: VecDeque<Vec<u8>>,
    in_flight: Option<InFlight>,
    transmit: VecDeque<Vec<u8>>,
    outcomes: VecDeque<SendOutcome>,
}

impl Sender {
    pub fn new(config: LinkConfig) -> Self {
        Self {
            config,
            ..Self::default()
        }
    }

    pub fn config(&self) -> LinkConfig {
        self.config
    }

    /// Frame `payload` and queue it; it goes out as soon as nothing else is in flight.
    pub fn send(&mut self, payload: &[u8], now: Duration) -> Result<(), FrameEncodeError> {
        self.queue.push_back(encode_frame(payload)?);
        self.start_next(now);
        Ok(())
    }

    /// The peer sent ACK. An ACK with nothing in flight (a duplicate) is ignored.
    pub fn on_ack(&mut self, now: Duration) {
        if let Some(f) = self.in_flight.take() {
            self.outcomes.push_back(SendOutcome::Delivered {
                attempts: f.attempts,
            });
            self.start_next(now);
        }
    }

    /// The peer sent NAK: resend now, or give up if the retries are spent.
    pub fn on_nak(&mut self, now: Duration) {
        self.retry(now);
    }

    /// Call at or after [`poll_timeout`](Self::poll_timeout); earlier calls do nothing.
    pub fn handle_timeout(&mut self, now: Duration) {
        if self.in_flight.as_ref().is_some_and(|f| now >= f.deadline) {
            self.retry(now);
        }
    }

    /// When the frame in flight times out, if one is.
    pub fn poll_timeout(&self) -> Option<Duration> {
        self.in_flight.as_ref().map(|f| f.deadline)
    }

    /// The next bytes to write to the link.
    pub fn poll_transmit(&mut self) -> Option<Vec<u8>> {
        self.transmit.pop_front()
    }

    /// The next finished frame's outcome, in the order the frames were sent.
    pub fn poll_outcome(&mut self) -> Option<SendOutcome> {
        self.outcomes.pop_front()
    }

    /// Whether nothing is in flight or queued.
    pub fn is_idle(&self) -> bool {
        self.in_flight.is_none() && self.queue.is_empty()
    }

    /// Drop the frame in flight and everything queued, without outcomes (an abort or reset).
    pub fn clear(&mut self) {
        self.in_flight = None;
        self.queue.clear();
        self.transmit.clear();
    }

    fn retry(&mut self, now: Duration) {
        let Some(f) = self.in_flight.as_mut() else {
            return;
        };
        if f.attempts > self.config.max_retries {
            let attempts = f.attempts;
            self.in_flight = None;
            self.outcomes.push_back(SendOutcome::GaveUp { attempts });
            self.start_next(now);
            return;
        }
        f.attempts += 1;
        f.deadline = now + self.config.ack_timeout;
        self.transmit.push_back(f.frame.clone());
    }

    fn start_next(&mut self, now: Duration) {
        if self.in_flight.is_some() {
            return;
        }
        if let Some(frame) = self.queue.pop_front() {
            self.transmit.push_back(frame.clone());
            self.in_flight = Some(InFlight {
                frame,
                attempts: 1,
                deadline: now + self.config.ack_timeout,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    #[test]
    fn ack_delivers_and_starts_the_next_frame() {
        let mut tx = Sender::default();
        tx.send(b"D0\x1chello", ms(0)).unwrap();
        tx.send(b"X0", ms(0)).unwrap();
        assert!(tx.poll_transmit().is_some());
        assert!(tx.poll_transmit().is_none(), "stop-and-wait: one in flight");
        tx.on_ack(ms(10));
        assert_eq!(
            tx.poll_outcome(),
            Some(SendOutcome::Delivered { attempts: 1 })
        );
        assert_eq!(tx.poll_transmit().unwrap(), encode_frame(b"X0").unwrap());
        assert_eq!(tx.poll_timeout(), Some(ms(3010)));
    }

    #[test]
    fn gives_up_after_three_retries() {
        let mut tx = Sender::default();
        tx.send(b"X0", ms(0)).unwrap();
        let mut sent = 0;
        let mut now = ms(0);
        while tx.poll_outcome().is_none() {
            while tx.poll_transmit().is_some() {
                sent += 1;
            }
            now = tx.poll_timeout().unwrap();
            tx.handle_timeout(now);
        }
        assert_eq!(sent, 4, "first try plus 3 retries");
        assert_eq!(now, ms(12_000));
        assert!(tx.is_idle());
    }

    #[test]
    fn nak_resends_at_once_and_counts_as_a_retry() {
        let mut tx = Sender::default();
        tx.send(b"X0", ms(0)).unwrap();
        tx.poll_transmit();
        for _ in 0..3 {
            tx.on_nak(ms(5));
            assert!(tx.poll_transmit().is_some());
        }
        tx.on_nak(ms(6));
        assert!(tx.poll_transmit().is_none());
        assert_eq!(tx.poll_outcome(), Some(SendOutcome::GaveUp { attempts: 4 }));
    }

    #[test]
    fn early_timeout_and_stray_ack_do_nothing() {
        let mut tx = Sender::default();
        tx.on_ack(ms(0));
        tx.on_nak(ms(0));
        assert!(tx.poll_outcome().is_none());
        tx.send(b"X0", ms(0)).unwrap();
        tx.poll_transmit();
        tx.handle_timeout(ms(2999));
        assert!(tx.poll_transmit().is_none());
    }
}
