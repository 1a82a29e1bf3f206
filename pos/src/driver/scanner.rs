//! The barcode scanner driver: frames in, [`Scan`] inputs out; trigger commands; in ACK/NAK
//! mode every complete frame is answered.
//!
//! The scanner frame has no checksum, so the driver cannot tell a misread from a good read:
//! EAN check digits are the application's to validate (it asks for a rescan). What the driver
//! can tell is a frame that does not parse (missing prefix or AIM id, not UTF-8): in ACK/NAK
//! mode it answers that with NAK so the scanner sends it again, up to
//! [`ScannerDriverConfig::max_naks_in_a_row`] times, then ACKs to let the scanner move on.

use posrig_protocols::scanner::{HostCommand, Scan, ScanDecoder, ScanFrameError, ScannerConfig};
use tokio::sync::{mpsc, oneshot, watch};

use super::error::DriverError;
use super::health::{DeviceHealth, HealthTracker};
use super::stream::{Port, PortEvent};

const DEVICE: &str = "scanner";

/// How the scanner is programmed, as far as the host must know.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScannerDriverConfig {
    /// Frame layout (prefix, AIM ids, suffix); must match the scanner's programming.
    pub framing: ScannerConfig,
    /// The scanner waits for `06` after each code (and resends on `15`).
    pub ack_nak: bool,
    /// NAKs for unparseable frames before the driver ACKs one anyway.
    pub max_naks_in_a_row: u32,
}

impl Default for ScannerDriverConfig {
    fn default() -> Self {
        ScannerDriverConfig {
            framing: ScannerConfig::default(),
            ack_nak: false,
            max_naks_in_a_row: 2,
        }
    }
}

/// What the scanner driver reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScannerEvent {
    /// A code was read.
    Scan(Scan),
    /// Bytes that are no scan; skipped (and NAKed in ACK/NAK mode).
    BadFrame(ScanFrameError),
    /// The stream failed or came back. A scanner cannot be asked whether it is there, so it is
    /// healthy whenever its stream is open.
    Health(DeviceHealth),
}

enum Command {
    Send(HostCommand, oneshot::Sender<Result<(), DriverError>>),
}

/// The handle the terminal keeps; dropping every handle stops the driver.
#[derive(Debug, Clone)]
pub struct ScannerHandle {
    commands: mpsc::UnboundedSender<Command>,
    health: watch::Receiver<DeviceHealth>,
}

impl ScannerHandle {
    /// Start reading (`16 54 0D`).
    pub async fn trigger_on(&self) -> Result<(), DriverError> {
        self.send(HostCommand::TriggerOn).await
    }

    /// Stop reading (`16 55 0D`).
    pub async fn trigger_off(&self) -> Result<(), DriverError> {
        self.send(HostCommand::TriggerOff).await
    }

    /// The scanner's current health.
    pub fn health(&self) -> DeviceHealth {
        *self.health.borrow()
    }

    async fn send(&self, cmd: HostCommand) -> Result<(), DriverError> {
        let (tx, rx) = oneshot::channel();
        self.commands
            .send(Command::Send(cmd, tx))
            .map_err(|_| DriverError::stopped(DEVICE))?;
        rx.await.map_err(|_| DriverError::stopped(DEVICE))?
    }
}

impl std::fmt::Debug for Command {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Command::Send(c, _) => write!(f, "Send({c:?})"),
        }
    }
}

/// Start the scanner driver on `port`.
pub fn spawn(
    port: Port,
    config: ScannerDriverConfig,
) -> (ScannerHandle, mpsc::UnboundedReceiver<ScannerEvent>) {
    let (cmd_tx, cmd_rx) = mpsc::unbounded_channel();
    let (event_tx, event_rx) = mpsc::unbounded_channel();
    let (health, health_rx) = HealthTracker::new(port.is_connected());
    let driver = Driver {
        decoder: ScanDecoder::new(config.framing.clone()),
        config,
        port,
        events: event_tx,
        health,
        naks_in_a_row: 0,
    };
    tokio::spawn(driver.run(cmd_rx));
    (
        ScannerHandle {
            commands: cmd_tx,
            health: health_rx,
        },
        event_rx,
    )
}

struct Driver {
    config: ScannerDriverConfig,
    port: Port,
    decoder: ScanDecoder,
    events: mpsc::UnboundedSender<ScannerEvent>,
    health: HealthTracker,
    naks_in_a_row: u32,
}

impl Driver {
    async fn run(mut self, mut commands: mpsc::UnboundedReceiver<Command>) {
        let mut buf = [0u8; 512];
        loop {
            tokio::select! {
                biased;
                ev = self.port.next(&mut buf) => match ev {
                    PortEvent::Data(n) => self.on_bytes(&buf[..n]).await,
                    PortEvent::Closed(e) => {
                        tracing::warn!(device = DEVICE, error = ?e, "stream closed");
                        self.decoder = ScanDecoder::new(self.config.framing.clone());
                        self.set_health(DeviceHealth::Disconnected);
                    }
                    PortEvent::Reconnected => self.set_health(DeviceHealth::Healthy),
                },
                cmd = commands.recv() => match cmd {
                    None => return,
                    Some(Command::Send(c, reply)) => {
                        let r = self.write(c).await;
                        let _ = reply.send(r);
                    }
                },
            }
        }
    }

    async fn on_bytes(&mut self, bytes: &[u8]) {
        self.decoder.push(bytes);
        while let Some(frame) = self.decoder.next_scan() {
            match frame {
                Ok(scan) => {
                    self.naks_in_a_row = 0;
                    if self.config.ack_nak {
                        let _ = self.write(HostCommand::Ack).await;
                    }
                    let _ = self.events.send(ScannerEvent::Scan(scan));
                }
                Err(e) => {
                    tracing::warn!(device = DEVICE, error = %e, "bad frame");
                    // An overlong run is reported before its suffix arrives: nothing to answer
                    // yet, and the frame that ends it is dropped by the decoder.
                    let complete = !matches!(e, ScanFrameError::Overlong { .. });
                    if self.config.ack_nak && complete {
                        let answer = if self.naks_in_a_row < self.config.max_naks_in_a_row {
                            self.naks_in_a_row += 1;
                            HostCommand::Nak
                        } else {
                            self.naks_in_a_row = 0;
                            HostCommand::Ack
                        };
                        let _ = self.write(answer).await;
                    }
                    let _ = self.events.send(ScannerEvent::BadFrame(e));
                }
            }
        }
    }

    async fn write(&mut self, cmd: HostCommand) -> Result<(), DriverError> {
        match self.port.write_all(cmd.encode()).await {
            Ok(()) => Ok(()),
            Err(e) => {
                if !self.port.is_connected() {
                    self.set_health(DeviceHealth::Disconnected);
                }
                Err(DriverError::io(DEVICE, e))
            }
        }
    }

    fn set_health(&mut self, h: DeviceHealth) {
        if let Some(h) = self.health.set(h) {
            let _ = self.events.send(ScannerEvent::Health(h));
        }
    }
}
