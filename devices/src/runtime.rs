//! Serving a simulated device on a byte stream, with a handle to act on it and inject faults.
//!
//! One task per device owns the [`SimDevice`] and its wire. It waits, in this order of priority,
//! for a control request, the device's own deadline, or bytes from the host (`biased;`, so the
//! order never depends on the scheduler). Writes go through a second task so that a host that
//! stops reading cannot block control requests.

use std::time::Duration;

use serde::Serialize;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::sync::{mpsc, oneshot, watch};
use tokio::time::Instant;

use crate::device::{DeviceError, DeviceEvent, Outbox, SimDevice};

/// Where a device's events go: the harness adds lane and source and forwards them to the bus.
pub type EventSink = Box<dyn FnMut(DeviceEvent) + Send>;

/// A control request for a device task, as JSON so one API serves every kind of device.
#[derive(Debug)]
pub enum Request {
    Act {
        action: serde_json::Value,
        reply: oneshot::Sender<Result<(), DeviceError>>,
    },
    Fault {
        fault: serde_json::Value,
        active: bool,
        reply: oneshot::Sender<Result<(), DeviceError>>,
    },
}

/// How the device task treats the end of its wire.
#[derive(Debug, Clone, Copy, Default)]
pub struct ServeOptions {
    /// On end of file or a read error, try reading again after this long instead of giving up:
    /// a pseudo-terminal reports an error while no program has its other side open, and must
    /// keep serving when one opens it again.
    pub retry_after_eof: Option<Duration>,
}

/// A cloneable handle on a running device.
#[derive(Debug, Clone)]
pub struct DeviceHandle {
    role: &'static str,
    tx: mpsc::Sender<Request>,
    state: watch::Receiver<serde_json::Value>,
}

/// The device task is gone (its runtime shut down).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("reach the {0}: its task has stopped")]
pub struct Gone(pub &'static str);

impl DeviceHandle {
    pub fn role(&self) -> &'static str {
        self.role
    }

    /// The device's latest state snapshot.
    pub fn state(&self) -> serde_json::Value {
        self.state.borrow().clone()
    }

    /// Reads the latest state snapshot in place (no copy: a printer's holds its kept receipts).
    /// `f` must not wait: the snapshot is locked while it runs.
    pub fn with_state<R>(&self, f: impl FnOnce(&serde_json::Value) -> R) -> R {
        f(&self.state.borrow())
    }

    /// A receiver that sees every new state snapshot.
    pub fn watch_state(&self) -> watch::Receiver<serde_json::Value> {
        self.state.clone()
    }

    /// Perform an action given as JSON (e.g. `{"action": "scan", "code": "5901234123457"}`).
    pub async fn act_json(
        &self,
        action: serde_json::Value,
    ) -> Result<Result<(), DeviceError>, Gone> {
        let (reply, rx) = oneshot::channel();
        self.send(Request::Act { action, reply }).await?;
        rx.await.map_err(|_| Gone(self.role))
    }

    /// Switch a fault given as JSON on or off.
    pub async fn fault_json(
        &self,
        fault: serde_json::Value,
        active: bool,
    ) -> Result<Result<(), DeviceError>, Gone> {
        let (reply, rx) = oneshot::channel();
        self.send(Request::Fault {
            fault,
            active,
            reply,
        })
        .await?;
        rx.await.map_err(|_| Gone(self.role))
    }

    /// Perform a typed action.
    pub async fn act<A: Serialize>(&self, action: &A) -> Result<(), DeviceError> {
        let value = serde_json::to_value(action).map_err(|e| DeviceError::BadRequest {
            device: self.role,
            what: "action",
            message: e.to_string(),
        })?;
        self.act_json(value).await.unwrap_or_else(|gone| {
            Err(DeviceError::NotNow {
                device: self.role,
                action: "act".into(),
                reason: gone.to_string(),
            })
        })
    }

    /// Switch a typed fault on or off.
    pub async fn fault<F: Serialize>(&self, fault: &F, active: bool) -> Result<(), DeviceError> {
        let value = serde_json::to_value(fault).map_err(|e| DeviceError::BadRequest {
            device: self.role,
            what: "fault",
            message: e.to_string(),
        })?;
        self.fault_json(value, active).await.unwrap_or_else(|gone| {
            Err(DeviceError::NotNow {
                device: self.role,
                action: "fault".into(),
                reason: gone.to_string(),
            })
        })
    }

    async fn send(&self, request: Request) -> Result<(), Gone> {
        self.tx.send(request).await.map_err(|_| Gone(self.role))
    }
}

/// Start `device` on `wire` in a new task of the current runtime and return its handle.
pub fn serve<D, W>(device: D, wire: W, sink: EventSink, options: ServeOptions) -> DeviceHandle
where
    D: SimDevice,
    W: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let role = device.role();
    let (tx, rx) = mpsc::channel(64);
    let (state_tx, state_rx) = watch::channel(device.snapshot());
    tokio::spawn(run(device, wire, rx, state_tx, sink, options));
    DeviceHandle {
        role,
        tx,
        state: state_rx,
    }
}

async fn run<D, W>(
    mut device: D,
    wire: W,
    mut requests: mpsc::Receiver<Request>,
    state: watch::Sender<serde_json::Value>,
    mut sink: EventSink,
    options: ServeOptions,
) where
    D: SimDevice,
    W: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let (mut reader, mut writer) = tokio::io::split(wire);
    let (bytes_tx, mut bytes_rx) = mpsc::unbounded_channel::<Vec<u8>>();
    tokio::spawn(async move {
        while let Some(bytes) = bytes_rx.recv().await {
            // A write error means the host side is gone; a pty's host may come back, so keep
            // draining rather than stopping the device.
            let _ = writer.write_all(&bytes).await;
            let _ = writer.flush().await;
        }
    });

    let mut buf = vec![0u8; 4096];
    let mut read_open = true;
    let mut retry_read_at: Option<Instant> = None;
    let mut controls_open = true;

    let mut out = Outbox::default();
    device.on_attach(Instant::now(), &mut out);
    flush(&mut out, &bytes_tx, &mut sink);

    loop {
        let deadline = earliest(device.next_deadline(), retry_read_at);
        let timer = async {
            match deadline {
                Some(at) => tokio::time::sleep_until(at).await,
                None => std::future::pending().await,
            }
        };
        let can_read = read_open && retry_read_at.is_none() && device.accepting();
        let mut timed = false;
        tokio::select! {
            biased;
            request = requests.recv(), if controls_open => match request {
                Some(request) => handle(&mut device, request, &mut out),
                None => controls_open = false,
            },
            () = timer => {
                timed = true;
                let now = Instant::now();
                if retry_read_at.is_some_and(|at| at <= now) {
                    retry_read_at = None;
                }
                if device.next_deadline().is_some_and(|at| at <= now) {
                    device.on_timer(now, &mut out);
                }
            },
            read = reader.read(&mut buf), if can_read => match read {
                Ok(n) if n > 0 => device.on_bytes(Instant::now(), &buf[..n], &mut out),
                _ => match options.retry_after_eof {
                    Some(after) => retry_read_at = Some(Instant::now() + after),
                    None => read_open = false,
                },
            },
        }
        // A timer can change what a snapshot shows without saying anything (a job's last paper
        // movement ending).
        let changed = !out.is_empty() || timed;
        flush(&mut out, &bytes_tx, &mut sink);
        if changed && device.snapshot_changed() {
            let snapshot = device.snapshot();
            state.send_if_modified(|s| {
                if *s == snapshot {
                    false
                } else {
                    *s = snapshot;
                    true
                }
            });
        }
        if !controls_open && !read_open && device.next_deadline().is_none() {
            break;
        }
    }
}

fn handle<D: SimDevice>(device: &mut D, request: Request, out: &mut Outbox) {
    let now = Instant::now();
    match request {
        Request::Act { action, reply } => {
            let result = serde_json::from_value::<D::Action>(action)
                .map_err(|e| DeviceError::BadRequest {
                    device: device.role(),
                    what: "action",
                    message: e.to_string(),
                })
                .and_then(|a| device.on_action(now, a, out));
            let _ = reply.send(result);
        }
        Request::Fault {
            fault,
            active,
            reply,
        } => {
            let result = serde_json::from_value::<D::Fault>(fault)
                .map_err(|e| DeviceError::BadRequest {
                    device: device.role(),
                    what: "fault",
                    message: e.to_string(),
                })
                .and_then(|f| device.on_fault(now, f, active, out));
            let _ = reply.send(result);
        }
    }
    // A control request always refreshes the snapshot, even when it changed nothing visible.
    out.events.push(DeviceEvent::State {
        state: device.snapshot(),
    });
}

fn flush(out: &mut Outbox, bytes: &mpsc::UnboundedSender<Vec<u8>>, sink: &mut EventSink) {
    if !out.bytes.is_empty() {
        let _ = bytes.send(std::mem::take(&mut out.bytes));
    }
    for event in out.events.drain(..) {
        sink(event);
    }
}

fn earliest(a: Option<Instant>, b: Option<Instant>) -> Option<Instant> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}
