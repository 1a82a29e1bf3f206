//! The PIN pad driver: the [`Link`] (STX/ETX/LRC frames, ACK/NAK, 3 retries after 3000 ms of
//! silence) run on tokio's clock, typed requests that wait for the pad's answer, and every
//! message from the pad reported as an input.
//!
//! The pad answers `K0`, `D0` and `X0` with `A0`; `S0` and `P0` with the phase they start
//! (`E0 0`, `E0 7`), or `A0` when it refuses them. Requests go one at a time; each waits until
//! its frame is acknowledged and answered, or fails ([`DriverError::NotDelivered`] after every
//! retry, [`DriverError::Timeout`] when acknowledged but not answered in time,
//! [`DriverError::Refused`] on a refusal code). A frame the link gives up on marks the pad
//! [`DeviceHealth::NotResponding`]; the next frame it acknowledges or sends marks it healthy.
//!
//! Nothing here logs a PAN, track 2 or PIN block: payloads are never printed, and
//! [`PadMessage`]'s `Debug` masks them.

use std::collections::VecDeque;
use std::time::Duration;

use posrig_protocols::pinpad::{
    EntryModes, Link, LinkConfig, LinkOutput, PadMessage, PadPhase, Pan, TxnKind,
};
use tokio::sync::{mpsc, oneshot, watch};
use tokio::time::{sleep_until, Instant};

use super::error::DriverError;
use super::health::{DeviceHealth, HealthTracker};
use super::stream::{Port, PortEvent};

const DEVICE: &str = "PIN pad";

/// Link and answer timing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PinPadConfig {
    /// ACK timeout and retries (PROTOCOLS.md §3: 3000 ms, 3 retries).
    pub link: LinkConfig,
    /// How long the pad may take to answer a request once it has acknowledged it.
    pub answer_timeout: Duration,
}

impl Default for PinPadConfig {
    fn default() -> Self {
        PinPadConfig {
            link: LinkConfig::default(),
            answer_timeout: Duration::from_secs(5),
        }
    }
}

/// What the PIN pad driver reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PinPadEvent {
    /// A message from the pad (`E0`, `C0`, `P1`, `R0`, `A0`), including those that answer a
    /// request. `Debug` masks card data.
    Message(PadMessage),
    /// The pad stopped acknowledging, came back, or its stream failed.
    Health(DeviceHealth),
}

/// Which messages answer a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expect {
    /// `A0` only (`K0`, `D0`, `X0`).
    Answer,
    /// `E0` or a refusing `A0` (`S0`).
    Phase,
    /// `E0`, `P1` or a refusing `A0` (`P0`).
    Pin,
}

impl Expect {
    fn matches(self, msg: &PadMessage) -> bool {
        matches!(
            (self, msg),
            (_, PadMessage::Answer { .. })
                | (Expect::Phase | Expect::Pin, PadMessage::Phase(_))
                | (Expect::Pin, PadMessage::PinResult(_))
        )
    }
}

type Reply = oneshot::Sender<Result<PadMessage, DriverError>>;

struct Request {
    message: PadMessage,
    what: &'static str,
    expect: Expect,
    reply: Reply,
}

/// The request on the wire.
struct Active {
    what: &'static str,
    expect: Expect,
    reply: Reply,
    /// Set once acknowledged: when the answer is overdue.
    answer_deadline: Option<Instant>,
}

/// The handle the terminal keeps; dropping every handle stops the driver.
#[derive(Debug, Clone)]
pub struct PinPadHandle {
    commands: mpsc::UnboundedSender<Request>,
    health: watch::Receiver<DeviceHealth>,
}

impl std::fmt::Debug for Request {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Request({})", self.what)
    }
}

impl PinPadHandle {
    /// `K0`: load the working PIN key (encrypted under the pad's master key) and its check
    /// value. Ok when the pad answers `A0 00`.
    pub async fn load_pin_key(&self, pik: [u8; 16], kcv: [u8; 4]) -> Result<(), DriverError> {
        let msg = PadMessage::LoadPinKey {
            pik_under_master: pik,
            kcv,
        };
        self.request(msg, "K0", Expect::Answer).await.map(drop)
    }

    /// `S0`: start a transaction; returns the phase the pad entered (normally waiting for a
    /// card). Card data and phases then arrive as [`PinPadEvent::Message`]s.
    pub async fn start(
        &self,
        amount_minor: u64,
        currency: u16,
        kind: TxnKind,
        entries: EntryModes,
    ) -> Result<PadPhase, DriverError> {
        let msg = PadMessage::Start {
            amount_minor,
            currency,
            kind,
            entries,
        };
        match self.request(msg, "S0", Expect::Phase).await? {
            PadMessage::Phase(p) => Ok(p),
            _ => Ok(PadPhase::WaitingForCard),
        }
    }

    /// `P0`: ask for the PIN. Ok once the pad has started PIN entry; the `P1` result arrives as
    /// a [`PinPadEvent::Message`].
    pub async fn request_pin(&self, pan: Pan, amount_minor: u64) -> Result<(), DriverError> {
        let msg = PadMessage::RequestPin { pan, amount_minor };
        self.request(msg, "P0", Expect::Pin).await.map(drop)
    }

    /// `D0`: show text on the pad.
    pub async fn display(&self, text: impl Into<String>) -> Result<(), DriverError> {
        let msg = PadMessage::Display { text: text.into() };
        self.request(msg, "D0", Expect::Answer).await.map(drop)
    }

    /// `X0`: abort whatever the pad is doing. Goes ahead of requests not yet sent.
    pub async fn abort(&self) -> Result<(), DriverError> {
        self.request(PadMessage::Abort, "X0", Expect::Answer)
            .await
            .map(drop)
    }

    /// The pad's current health.
    pub fn health(&self) -> DeviceHealth {
        *self.health.borrow()
    }

    async fn request(
        &self,
        message: PadMessage,
        what: &'static str,
        expect: Expect,
    ) -> Result<PadMessage, DriverError> {
        let (tx, rx) = oneshot::channel();
        self.commands
            .send(Request {
                message,
                what,
                expect,
                reply: tx,
            })
            .map_err(|_| DriverError::stopped(DEVICE))?;
        let answer = rx.await.map_err(|_| DriverError::stopped(DEVICE))??;
        match answer {
            PadMessage::Answer { code } if !code.is_accepted() => Err(DriverError::Refused {
                what,
                code: code.as_str().to_string(),
            }),
            other => Ok(other),
        }
    }
}

/// Start the PIN pad driver on `port`.
pub fn spawn(
    port: Port,
    config: PinPadConfig,
) -> (PinPadHandle, mpsc::UnboundedReceiver<PinPadEvent>) {
    let (cmd_tx, cmd_rx) = mpsc::unbounded_channel();
    let (event_tx, event_rx) = mpsc::unbounded_channel();
    let (health, health_rx) = HealthTracker::new(port.is_connected());
    let driver = Driver {
        link: Link::new(config.link),
        config,
        port,
        epoch: Instant::now(),
        events: event_tx,
        health,
        queue: VecDeque::new(),
        active: None,
        last_received: None,
    };
    tokio::spawn(driver.run(cmd_rx));
    (
        PinPadHandle {
            commands: cmd_tx,
            health: health_rx,
        },
        event_rx,
    )
}

struct Driver {
    config: PinPadConfig,
    port: Port,
    link: Link,
    /// The link's clock starts here.
    epoch: Instant,
    events: mpsc::UnboundedSender<PinPadEvent>,
    health: HealthTracker,
    queue: VecDeque<Request>,
    active: Option<Active>,
    /// The last payload received and when, to drop the pad's resend of a frame whose ACK it
    /// missed.
    last_received: Option<(Vec<u8>, Instant)>,
}

impl Driver {
    fn now(&self) -> Duration {
        Instant::now() - self.epoch
    }

    async fn run(mut self, mut commands: mpsc::UnboundedReceiver<Request>) {
        let mut buf = [0u8; 512];
        loop {
            self.drain_outputs();
            self.start_next();
            self.flush().await;
            let link_due = self.link.poll_timeout().map(|d| self.epoch + d);
            let answer_due = self.active.as_ref().and_then(|a| a.answer_deadline);
            tokio::select! {
                biased;
                ev = self.port.next(&mut buf) => match ev {
                    PortEvent::Data(n) => {
                        let now = self.now();
                        self.link.handle_input(&buf[..n], now);
                    }
                    PortEvent::Closed(e) => {
                        tracing::warn!(device = DEVICE, error = ?e, "stream closed");
                        self.on_disconnect();
                    }
                    PortEvent::Reconnected => self.set_health(DeviceHealth::Healthy),
                },
                cmd = commands.recv() => match cmd {
                    None => return,
                    Some(req) => self.enqueue(req),
                },
                _ = sleep_until(link_due.unwrap_or_else(Instant::now)), if link_due.is_some() => {
                    let now = self.now();
                    self.link.handle_timeout(now);
                }
                _ = sleep_until(answer_due.unwrap_or_else(Instant::now)), if answer_due.is_some() => {
                    if let Some(a) = self.active.take() {
                        tracing::warn!(device = DEVICE, what = a.what, "no answer in time");
                        let _ = a.reply.send(Err(DriverError::Timeout { device: DEVICE, what: a.what }));
                    }
                }
            }
        }
    }

    fn enqueue(&mut self, req: Request) {
        if !self.port.is_connected() {
            let _ = req
                .reply
                .send(Err(DriverError::Disconnected { device: DEVICE }));
            return;
        }
        if matches!(req.message, PadMessage::Abort) {
            self.queue.push_front(req);
        } else {
            self.queue.push_back(req);
        }
    }

    fn start_next(&mut self) {
        while self.active.is_none() {
            let Some(req) = self.queue.pop_front() else {
                return;
            };
            if req.reply.is_closed() {
                continue;
            }
            let payload = match req.message.encode() {
                Ok(p) => p,
                Err(source) => {
                    let _ = req.reply.send(Err(DriverError::Encode {
                        what: req.what,
                        source,
                    }));
                    continue;
                }
            };
            let now = self.now();
            if let Err(e) = self.link.send(&payload, now) {
                tracing::warn!(device = DEVICE, what = req.what, error = %e, "cannot frame");
                let _ = req.reply.send(Err(DriverError::NotDelivered {
                    what: req.what,
                    attempts: 0,
                }));
                continue;
            }
            tracing::debug!(device = DEVICE, what = req.what, "request sent");
            self.active = Some(Active {
                what: req.what,
                expect: req.expect,
                reply: req.reply,
                answer_deadline: None,
            });
        }
    }

    async fn flush(&mut self) {
        while let Some(bytes) = self.link.poll_transmit() {
            if let Err(e) = self.port.write_all(&bytes).await {
                tracing::warn!(device = DEVICE, error = %e, "write failed");
                if !self.port.is_connected() {
                    self.on_disconnect();
                }
                return;
            }
        }
    }

    fn drain_outputs(&mut self) {
        while let Some(out) = self.link.poll_output() {
            match out {
                LinkOutput::Received(payload) => {
                    self.set_health(DeviceHealth::Healthy);
                    self.on_payload(payload);
                }
                LinkOutput::Delivered { attempts } => {
                    self.set_health(DeviceHealth::Healthy);
                    tracing::debug!(device = DEVICE, attempts, "frame delivered");
                    let due = Instant::now() + self.config.answer_timeout;
                    if let Some(a) = self.active.as_mut() {
                        a.answer_deadline.get_or_insert(due);
                    }
                }
                LinkOutput::GaveUp { attempts } => {
                    tracing::warn!(device = DEVICE, attempts, "pad did not acknowledge");
                    self.set_health(DeviceHealth::NotResponding);
                    if let Some(a) = self.active.take() {
                        let _ = a.reply.send(Err(DriverError::NotDelivered {
                            what: a.what,
                            attempts,
                        }));
                    }
                }
                LinkOutput::LineError(e) => {
                    tracing::debug!(device = DEVICE, error = %e, "line error");
                }
            }
        }
    }

    fn on_payload(&mut self, payload: Vec<u8>) {
        let now = Instant::now();
        let window = self.config.link.ack_timeout * 2;
        if let Some((last, at)) = &self.last_received {
            let waiting_for_answer = self.active.is_some();
            // A resend carries the same bytes within the sender's retry window. An `A0` that a
            // request is waiting for is taken as a fresh answer (two `D0`s get two `A0 00`s).
            if *last == payload
                && now - *at <= window
                && !(waiting_for_answer && payload.starts_with(b"A0"))
            {
                tracing::debug!(device = DEVICE, "repeated frame dropped");
                self.last_received = Some((payload, now));
                return;
            }
        }
        self.last_received = Some((payload.clone(), now));
        let msg = match PadMessage::parse(&payload) {
            Ok(m) => m,
            Err(e) => {
                tracing::warn!(device = DEVICE, error = %e, "unreadable message");
                return;
            }
        };
        tracing::debug!(device = DEVICE, id = msg.id(), "message");
        if self.active.as_ref().is_some_and(|a| a.expect.matches(&msg)) {
            let a = self.active.take().expect("invariant: checked just above");
            let _ = a.reply.send(Ok(msg.clone()));
        }
        let _ = self.events.send(PinPadEvent::Message(msg));
    }

    fn on_disconnect(&mut self) {
        self.link.reset();
        self.set_health(DeviceHealth::Disconnected);
        if let Some(a) = self.active.take() {
            let _ = a
                .reply
                .send(Err(DriverError::Disconnected { device: DEVICE }));
        }
        for req in self.queue.drain(..) {
            let _ = req
                .reply
                .send(Err(DriverError::Disconnected { device: DEVICE }));
        }
    }

    fn set_health(&mut self, h: DeviceHealth) {
        if let Some(h) = self.health.set(h) {
            let _ = self.events.send(PinPadEvent::Health(h));
        }
    }
}
