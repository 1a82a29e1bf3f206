//! The customer display driver: two lines of 20 characters, sent only when they change
//! (a display that keeps showing the same total must not be rewritten on every key).

use posrig_protocols::display::{encode, show_lines, Command as DisplayCommand, COLUMNS};
use tokio::sync::{mpsc, oneshot, watch};

use super::error::DriverError;
use super::health::{DeviceHealth, HealthTracker};
use super::stream::{Port, PortEvent};

const DEVICE: &str = "display";

/// What the display driver reports: only its link, since a display never answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DisplayEvent {
    /// The stream failed or came back (the screen is rewritten on reconnect).
    Health(DeviceHealth),
}

/// The two lines as the display will show them: cut or padded to 20 characters, control
/// characters as spaces (the same fitting [`show_lines`] does).
pub type Screen = [Vec<u8>; 2];

fn fit(line: &str) -> Vec<u8> {
    let mut v: Vec<u8> = line
        .bytes()
        .map(|c| if c < 0x20 { b' ' } else { c })
        .take(usize::from(COLUMNS))
        .collect();
    v.resize(usize::from(COLUMNS), b' ');
    v
}

enum Command {
    Show(String, String, oneshot::Sender<Result<bool, DriverError>>),
    Clear(oneshot::Sender<Result<bool, DriverError>>),
}

/// The handle the terminal keeps; dropping every handle stops the driver.
#[derive(Debug, Clone)]
pub struct DisplayHandle {
    commands: mpsc::UnboundedSender<Command>,
    health: watch::Receiver<DeviceHealth>,
}

impl DisplayHandle {
    /// Show two lines (each cut or padded to 20 characters). Returns whether bytes were sent:
    /// nothing is sent when the display already shows them.
    pub async fn show(
        &self,
        line1: impl Into<String>,
        line2: impl Into<String>,
    ) -> Result<bool, DriverError> {
        let (line1, line2) = (line1.into(), line2.into());
        self.call(|tx| Command::Show(line1, line2, tx)).await
    }

    /// Clear the screen (`0C`), unless it is blank already. Returns whether bytes were sent.
    pub async fn clear(&self) -> Result<bool, DriverError> {
        self.call(Command::Clear).await
    }

    /// The display's current health.
    pub fn health(&self) -> DeviceHealth {
        *self.health.borrow()
    }

    async fn call(
        &self,
        make: impl FnOnce(oneshot::Sender<Result<bool, DriverError>>) -> Command,
    ) -> Result<bool, DriverError> {
        let (tx, rx) = oneshot::channel();
        self.commands
            .send(make(tx))
            .map_err(|_| DriverError::stopped(DEVICE))?;
        rx.await.map_err(|_| DriverError::stopped(DEVICE))?
    }
}

/// Start the display driver on `port`.
pub fn spawn(port: Port) -> (DisplayHandle, mpsc::UnboundedReceiver<DisplayEvent>) {
    let (cmd_tx, cmd_rx) = mpsc::unbounded_channel();
    let (event_tx, event_rx) = mpsc::unbounded_channel();
    let (health, health_rx) = HealthTracker::new(port.is_connected());
    let driver = Driver {
        port,
        events: event_tx,
        health,
        wanted: blank(),
        shown: None,
    };
    tokio::spawn(driver.run(cmd_rx));
    (
        DisplayHandle {
            commands: cmd_tx,
            health: health_rx,
        },
        event_rx,
    )
}

fn blank() -> Screen {
    [fit(""), fit("")]
}

struct Driver {
    port: Port,
    events: mpsc::UnboundedSender<DisplayEvent>,
    health: HealthTracker,
    /// What the terminal asked for last.
    wanted: Screen,
    /// What the display shows, as far as the driver knows (`None` after a reconnect).
    shown: Option<Screen>,
}

impl Driver {
    async fn run(mut self, mut commands: mpsc::UnboundedReceiver<Command>) {
        let mut buf = [0u8; 64];
        loop {
            tokio::select! {
                biased;
                ev = self.port.next(&mut buf) => match ev {
                    // A display has nothing to say; whatever arrives is ignored.
                    PortEvent::Data(_) => {}
                    PortEvent::Closed(e) => {
                        tracing::warn!(device = DEVICE, error = ?e, "stream closed");
                        self.shown = None;
                        self.set_health(DeviceHealth::Disconnected);
                    }
                    PortEvent::Reconnected => {
                        self.set_health(DeviceHealth::Healthy);
                        // A display that was unplugged has lost its screen: show it again.
                        let _ = self.sync().await;
                    }
                },
                cmd = commands.recv() => match cmd {
                    None => return,
                    Some(Command::Show(l1, l2, reply)) => {
                        self.wanted = [fit(&l1), fit(&l2)];
                        let _ = reply.send(self.sync().await);
                    }
                    Some(Command::Clear(reply)) => {
                        self.wanted = blank();
                        let _ = reply.send(self.sync().await);
                    }
                },
            }
        }
    }

    /// Bring the display to `wanted`; returns whether bytes were sent.
    async fn sync(&mut self) -> Result<bool, DriverError> {
        if self.shown.as_ref() == Some(&self.wanted) {
            return Ok(false);
        }
        let bytes = if self.wanted == blank() {
            let mut out = Vec::new();
            encode(&DisplayCommand::Clear, &mut out)
                .expect("invariant: the clear command always encodes");
            out
        } else {
            // `wanted` holds bytes already fitted; lossless for ASCII, and `show_lines` passes
            // other bytes through the same way.
            show_lines(
                &String::from_utf8_lossy(&self.wanted[0]),
                &String::from_utf8_lossy(&self.wanted[1]),
            )
        };
        match self.port.write_all(&bytes).await {
            Ok(()) => {
                self.shown = Some(self.wanted.clone());
                Ok(true)
            }
            Err(e) => {
                self.shown = None;
                if !self.port.is_connected() {
                    self.set_health(DeviceHealth::Disconnected);
                }
                Err(DriverError::io(DEVICE, e))
            }
        }
    }

    fn set_health(&mut self, h: DeviceHealth) {
        if let Some(h) = self.health.set(h) {
            let _ = self.events.send(DisplayEvent::Health(h));
        }
    }
}
