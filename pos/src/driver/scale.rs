//! The scale driver: `read_weight` sends `W`, waits for the reply, asks again while the load
//! is moving, and returns grams or a typed error. The scale answers every `W`, so silence
//! marks it not responding.

use std::time::Duration;

use posrig_protocols::scale::{encode_request, ReplyDecoder, ScaleReply};
use tokio::sync::{mpsc, oneshot, watch};
use tokio::time::{sleep_until, Instant};

use super::error::DriverError;
use super::health::{DeviceHealth, HealthTracker};
use super::stream::{Port, PortEvent};

const DEVICE: &str = "scale";

/// Timing of a weighing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScaleConfig {
    /// How long to wait for the answer to one `W`.
    pub reply_timeout: Duration,
    /// How many `W` may go unanswered (in a row, within one reading) before giving up.
    pub no_answer_tries: u32,
    /// How many `W` to send in all while the scale reports motion.
    pub motion_tries: u32,
    /// Pause before asking again after a motion report.
    pub motion_retry_delay: Duration,
}

impl Default for ScaleConfig {
    fn default() -> Self {
        ScaleConfig {
            reply_timeout: Duration::from_millis(500),
            no_answer_tries: 2,
            motion_tries: 10,
            motion_retry_delay: Duration::from_millis(200),
        }
    }
}

/// What the scale driver reports on its own (weights are answers to `read_weight`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScaleEvent {
    /// The scale stopped answering, came back, or its stream failed.
    Health(DeviceHealth),
}

type WeightReply = oneshot::Sender<Result<u32, DriverError>>;

enum Command {
    ReadWeight(WeightReply),
}

/// The handle the terminal keeps; dropping every handle stops the driver.
#[derive(Debug, Clone)]
pub struct ScaleHandle {
    commands: mpsc::UnboundedSender<Command>,
    health: watch::Receiver<DeviceHealth>,
}

impl ScaleHandle {
    /// A stable weight in grams. Errors: [`DriverError::InMotion`],
    /// [`DriverError::OverCapacity`], [`DriverError::UnderZero`], [`DriverError::Timeout`]
    /// (no answer), or a link error.
    pub async fn read_weight(&self) -> Result<u32, DriverError> {
        let (tx, rx) = oneshot::channel();
        self.commands
            .send(Command::ReadWeight(tx))
            .map_err(|_| DriverError::stopped(DEVICE))?;
        rx.await.map_err(|_| DriverError::stopped(DEVICE))?
    }

    /// The scale's current health.
    pub fn health(&self) -> DeviceHealth {
        *self.health.borrow()
    }
}

/// Start the scale driver on `port`.
pub fn spawn(
    port: Port,
    config: ScaleConfig,
) -> (ScaleHandle, mpsc::UnboundedReceiver<ScaleEvent>) {
    let (cmd_tx, cmd_rx) = mpsc::unbounded_channel();
    let (event_tx, event_rx) = mpsc::unbounded_channel();
    let (health, health_rx) = HealthTracker::new(port.is_connected());
    let driver = Driver {
        config,
        port,
        decoder: ReplyDecoder::new(),
        events: event_tx,
        health,
        queue: std::collections::VecDeque::new(),
        reading: None,
    };
    tokio::spawn(driver.run(cmd_rx));
    (
        ScaleHandle {
            commands: cmd_tx,
            health: health_rx,
        },
        event_rx,
    )
}

/// One `read_weight` in progress.
struct Reading {
    reply: WeightReply,
    sent: u32,
    unanswered: u32,
    /// When to give up on the `W` in flight, or (after a motion report) when to send the next.
    deadline: Instant,
    awaiting_reply: bool,
}

struct Driver {
    config: ScaleConfig,
    port: Port,
    decoder: ReplyDecoder,
    events: mpsc::UnboundedSender<ScaleEvent>,
    health: HealthTracker,
    queue: std::collections::VecDeque<WeightReply>,
    reading: Option<Reading>,
}

impl Driver {
    async fn run(mut self, mut commands: mpsc::UnboundedReceiver<Command>) {
        let mut buf = [0u8; 64];
        loop {
            self.next_reading().await;
            let deadline = self.reading.as_ref().map(|r| r.deadline);
            tokio::select! {
                biased;
                ev = self.port.next(&mut buf) => match ev {
                    PortEvent::Data(n) => {
                        self.decoder.push(&buf[..n]);
                        while let Some(reply) = self.decoder.next_reply() {
                            match reply {
                                Ok(r) => self.on_reply(r).await,
                                Err(e) => tracing::debug!(device = DEVICE, error = %e, "skipped bytes"),
                            }
                        }
                    }
                    PortEvent::Closed(e) => {
                        tracing::warn!(device = DEVICE, error = ?e, "stream closed");
                        self.decoder = ReplyDecoder::new();
                        self.set_health(DeviceHealth::Disconnected);
                        if let Some(r) = self.reading.take() {
                            let _ = r.reply.send(Err(DriverError::Disconnected { device: DEVICE }));
                        }
                    }
                    PortEvent::Reconnected => self.set_health(DeviceHealth::Healthy),
                },
                _ = sleep_until(deadline.unwrap_or_else(Instant::now)), if deadline.is_some() => {
                    self.on_deadline().await;
                }
                cmd = commands.recv() => match cmd {
                    None => return,
                    Some(Command::ReadWeight(reply)) => {
                        self.queue.push_back(reply);
                    }
                },
            }
        }
    }

    /// Start the next queued reading when none is in progress.
    async fn next_reading(&mut self) {
        while self.reading.is_none() {
            let Some(reply) = self.queue.pop_front() else {
                return;
            };
            if reply.is_closed() {
                continue;
            }
            self.reading = Some(Reading {
                reply,
                sent: 0,
                unanswered: 0,
                deadline: Instant::now(),
                awaiting_reply: false,
            });
            self.send_request().await;
        }
    }

    async fn send_request(&mut self) {
        let mut bytes = Vec::new();
        encode_request(&mut bytes);
        let result = self.port.write_all(&bytes).await;
        let Some(r) = self.reading.as_mut() else {
            return;
        };
        match result {
            Ok(()) => {
                r.sent += 1;
                r.awaiting_reply = true;
                r.deadline = Instant::now() + self.config.reply_timeout;
            }
            Err(e) => {
                if let Some(r) = self.reading.take() {
                    let _ = r.reply.send(Err(DriverError::io(DEVICE, e)));
                }
                if !self.port.is_connected() {
                    self.set_health(DeviceHealth::Disconnected);
                }
            }
        }
    }

    async fn on_reply(&mut self, reply: ScaleReply) {
        self.set_health(DeviceHealth::Healthy);
        let Some(r) = self.reading.as_mut() else {
            tracing::debug!(device = DEVICE, "unasked reply ignored");
            return;
        };
        if !r.awaiting_reply {
            // A late answer to a `W` we already gave up on; the next one is asked for anyway.
            return;
        }
        r.awaiting_reply = false;
        r.unanswered = 0;
        let result = match reply {
            ScaleReply::Weight { grams } => Ok(grams),
            ScaleReply::Status(s) if s.over_capacity => Err(DriverError::OverCapacity),
            ScaleReply::Status(s) if s.under_zero => Err(DriverError::UnderZero),
            ScaleReply::Status(_) if r.sent < self.config.motion_tries => {
                // In motion (or a status with no flag): ask again after a pause.
                r.deadline = Instant::now() + self.config.motion_retry_delay;
                return;
            }
            ScaleReply::Status(_) => Err(DriverError::InMotion { tries: r.sent }),
        };
        self.finish(result);
    }

    async fn on_deadline(&mut self) {
        let Some(r) = self.reading.as_mut() else {
            return;
        };
        if r.awaiting_reply {
            r.awaiting_reply = false;
            r.unanswered += 1;
            if r.unanswered >= self.config.no_answer_tries {
                if self.port.is_connected() {
                    self.set_health(DeviceHealth::NotResponding);
                }
                self.finish(Err(DriverError::Timeout {
                    device: DEVICE,
                    what: "W",
                }));
                return;
            }
        }
        self.send_request().await;
    }

    fn finish(&mut self, result: Result<u32, DriverError>) {
        if let Some(r) = self.reading.take() {
            let _ = r.reply.send(result);
        }
    }

    fn set_health(&mut self, h: DeviceHealth) {
        if let Some(h) = self.health.set(h) {
            let _ = self.events.send(ScaleEvent::Health(h));
        }
    }
}
