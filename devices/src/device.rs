//! The contract every simulated device fulfils, and what it hands back to its runtime.

use serde::Serialize;
use tokio::time::Instant;

/// Which way a frame went, seen from the device.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    /// From the host (the POS) to the device.
    In,
    /// From the device to the host.
    Out,
}

/// Something observable a device did; the runtime forwards these to the run's event bus.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum DeviceEvent {
    /// A decoded frame on the device's wire, summarised (never with a full PAN or a PIN).
    Frame { dir: Direction, summary: String },
    /// An action a person performed on the device.
    Action { name: String, detail: String },
    /// A fault switched on.
    FaultInjected { fault: String },
    /// A fault switched off.
    FaultCleared { fault: String },
    /// The device's state changed (paper level, drawer, screen, phase…).
    State { state: serde_json::Value },
}

/// What a device wants done after it handled an input: bytes to write and events to report.
#[derive(Debug, Default)]
pub struct Outbox {
    pub bytes: Vec<u8>,
    pub events: Vec<DeviceEvent>,
}

impl Outbox {
    pub fn send(&mut self, bytes: &[u8]) {
        self.bytes.extend_from_slice(bytes);
    }

    pub fn event(&mut self, event: DeviceEvent) {
        self.events.push(event);
    }

    pub fn frame(&mut self, dir: Direction, summary: impl Into<String>) {
        self.events.push(DeviceEvent::Frame {
            dir,
            summary: summary.into(),
        });
    }

    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty() && self.events.is_empty()
    }
}

/// A control request a device refused: an unknown action or fault, or one that makes no sense now
/// (removing a card that is not inserted).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DeviceError {
    #[error("parse {what} for the {device}: {message}")]
    BadRequest {
        device: &'static str,
        what: &'static str,
        message: String,
    },
    #[error("{action} on the {device}: {reason}")]
    NotNow {
        device: &'static str,
        action: String,
        reason: String,
    },
}

/// A simulated peripheral as a sans-IO state machine.
///
/// Time is passed in (`now`, from tokio's clock), never read inside, so a device behaves the same
/// in real and in virtual time, and a unit test can drive it without a runtime.
pub trait SimDevice: Send + 'static {
    /// What a person can do to the device (plain data: YAML, JSON and tests build it).
    type Action: serde::de::DeserializeOwned + Serialize + std::fmt::Debug + Send;
    /// What can go wrong with the device.
    type Fault: serde::de::DeserializeOwned + Serialize + std::fmt::Debug + Send;

    /// The device's role name: `printer`, `scanner`, `pinpad`, `display`, `keyboard`, `scale`.
    fn role(&self) -> &'static str;

    /// Called once when the device is attached to a wire (e.g. to send a power-on frame).
    fn on_attach(&mut self, _now: Instant, _out: &mut Outbox) {}

    /// Bytes arrived from the host.
    fn on_bytes(&mut self, now: Instant, bytes: &[u8], out: &mut Outbox);

    /// A person acts on the device.
    fn on_action(
        &mut self,
        now: Instant,
        action: Self::Action,
        out: &mut Outbox,
    ) -> Result<(), DeviceError>;

    /// A fault is switched on (`active`) or off.
    fn on_fault(
        &mut self,
        now: Instant,
        fault: Self::Fault,
        active: bool,
        out: &mut Outbox,
    ) -> Result<(), DeviceError>;

    /// The next instant at which the device wants [`SimDevice::on_timer`] called, if any.
    fn next_deadline(&self) -> Option<Instant>;

    /// The deadline passed.
    fn on_timer(&mut self, now: Instant, out: &mut Outbox);

    /// The device's state as shown by the control API and the viewer.
    fn snapshot(&self) -> serde_json::Value;

    /// Whether [`SimDevice::snapshot`] may show something new since the last time this was
    /// asked. The serving runtime asks after every input that produced output and builds (and
    /// compares) a snapshot only when the answer is yes, so a device whose snapshot is costly can
    /// answer from a cheap fingerprint: the printer's kept receipts made every status poll
    /// re-serialise them. Default: always yes (the runtime then compares whole snapshots).
    fn snapshot_changed(&mut self) -> bool {
        true
    }

    /// Whether the device wants to stop reading the wire for now (e.g. a printer whose receive
    /// buffer is full and whose flow control is not honoured loses bytes instead; one that is busy
    /// printing reads at its own pace). Default: always reads.
    fn accepting(&self) -> bool {
        true
    }
}
