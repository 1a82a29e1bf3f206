//! The POS keyboard driver: key lines in, [`Key`] inputs out; lines that name no key are
//! reported and skipped (the decoder resynchronises at the next line end).

use posrig_protocols::keyboard::{Decoder, Key, KeyError};
use tokio::sync::{mpsc, watch};

use super::health::{DeviceHealth, HealthTracker};
use super::stream::{Port, PortEvent};

const DEVICE: &str = "keyboard";

/// What the keyboard driver reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyboardEvent {
    /// A key was pressed.
    Key(Key),
    /// A line that is no key (line noise, a mis-programmed key); skipped.
    Garbage(KeyError),
    /// The stream failed or came back. A keyboard never answers, so it is healthy whenever its
    /// stream is open.
    Health(DeviceHealth),
}

/// No commands: the keyboard only talks.
enum Command {}

/// The handle the terminal keeps; dropping every handle stops the driver.
#[derive(Debug, Clone)]
pub struct KeyboardHandle {
    _commands: mpsc::UnboundedSender<Command>,
    health: watch::Receiver<DeviceHealth>,
}

impl KeyboardHandle {
    /// The keyboard's current health.
    pub fn health(&self) -> DeviceHealth {
        *self.health.borrow()
    }
}

/// Start the keyboard driver on `port`.
pub fn spawn(port: Port) -> (KeyboardHandle, mpsc::UnboundedReceiver<KeyboardEvent>) {
    let (cmd_tx, cmd_rx) = mpsc::unbounded_channel();
    let (event_tx, event_rx) = mpsc::unbounded_channel();
    let (health, health_rx) = HealthTracker::new(port.is_connected());
    tokio::spawn(run(port, cmd_rx, event_tx, health));
    (
        KeyboardHandle {
            _commands: cmd_tx,
            health: health_rx,
        },
        event_rx,
    )
}

async fn run(
    mut port: Port,
    mut commands: mpsc::UnboundedReceiver<Command>,
    events: mpsc::UnboundedSender<KeyboardEvent>,
    mut health: HealthTracker,
) {
    let mut decoder = Decoder::new();
    let mut buf = [0u8; 256];
    loop {
        let event = tokio::select! {
            biased;
            cmd = commands.recv() => match cmd {
                None => return,
                Some(never) => match never {},
            },
            ev = port.next(&mut buf) => ev,
        };
        match event {
            PortEvent::Data(n) => {
                decoder.push(&buf[..n]);
                for key in decoder.by_ref() {
                    let ev = match key {
                        Ok(k) => KeyboardEvent::Key(k),
                        Err(e) => {
                            tracing::warn!(device = DEVICE, error = %e, "skipped a key line");
                            KeyboardEvent::Garbage(e)
                        }
                    };
                    let _ = events.send(ev);
                }
            }
            PortEvent::Closed(e) => {
                tracing::warn!(device = DEVICE, error = ?e, "stream closed");
                decoder = Decoder::new();
                if let Some(h) = health.set(DeviceHealth::Disconnected) {
                    let _ = events.send(KeyboardEvent::Health(h));
                }
            }
            PortEvent::Reconnected => {
                if let Some(h) = health.set(DeviceHealth::Healthy) {
                    let _ = events.send(KeyboardEvent::Health(h));
                }
            }
        }
    }
}
