//! The receipt printer driver (ESC/POS), and the cash drawer behind it.
//!
//! Jobs are sent in chunks, pausing on XOFF and resuming on XON. The printer's real-time status
//! (`DLE EOT 1..4`) is polled at an interval and before and after every job; a printer that
//! stops answering is reported [`DeviceHealth::NotResponding`]. Paper out, cover open, an error
//! or an offline printer holds the job ([`PrinterEvent::JobHeld`]); once the status is OK again
//! (after `DLE ENQ` where the error is recoverable) the job is printed again from its start,
//! and [`PrinterEvent::JobDone`] comes once, when the cut has been sent, the paper has had time
//! to come out, and the status is OK afterwards.
//!
//! - [`job`]: [`JobId`] and the job's progress and print-time estimate.
//! - [`render`]: a receipt document ([`crate::receipt::ReceiptDoc`]) as ESC/POS.
//! - `poll`: matching `DLE EOT` replies to requests.
//! - `task`: the driver's loop.

pub mod job;
mod poll;
pub mod render;
mod task;

use std::time::Duration;

use posrig_protocols::escpos::{PrinterStatus, StatusProfile};
use tokio::sync::{mpsc, oneshot, watch};

pub use job::JobId;

use super::drawer::{DrawerConfig, DrawerState};
use super::error::DriverError;
use super::health::{DeviceHealth, HealthTracker};
use super::stream::Port;

const DEVICE: &str = "printer";

/// How the printer is driven.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PrinterConfig {
    /// Status byte conventions (decides the drawer's open level unless set there).
    pub profile: StatusProfile,
    /// Real-time status poll interval while idle or printing.
    pub poll_interval: Duration,
    /// How long a `DLE EOT` may go unanswered before the printer counts as not responding.
    pub reply_timeout: Duration,
    /// Bytes written at a time (below the printer's 128-byte BUSY margin, so an XOFF is
    /// honoured before the buffer overflows).
    pub chunk_bytes: usize,
    /// Time the printer takes per paper line (150 mm/s at 4.23 mm ≈ 28 ms), to wait out the
    /// printing of a job before declaring it done.
    pub line_time: Duration,
    /// Turn on automatic status back (`GS a 0F`) and take status from ASB frames as well.
    pub asb: bool,
    /// Send `ESC @` when the stream opens.
    pub init_on_connect: bool,
    /// The cash drawer on the kick-out connector.
    pub drawer: DrawerConfig,
}

impl Default for PrinterConfig {
    fn default() -> Self {
        PrinterConfig {
            profile: StatusProfile::Epson,
            poll_interval: Duration::from_millis(500),
            reply_timeout: Duration::from_millis(1000),
            chunk_bytes: 64,
            line_time: Duration::from_millis(30),
            asb: false,
            init_on_connect: true,
            drawer: DrawerConfig::default(),
        }
    }
}

/// Why a job is held.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum HoldReason {
    PaperOut,
    CoverOpen,
    /// An error (recoverable ones are recovered with `DLE ENQ 2`).
    Error,
    /// Offline for another reason (feeding by button, waiting for recovery).
    Offline,
    /// The printer stopped answering status requests.
    NotResponding,
    /// The stream is closed.
    Disconnected,
}

impl HoldReason {
    /// Why a printer with `status` cannot print, if it cannot.
    pub fn from_status(status: &PrinterStatus) -> Option<HoldReason> {
        use posrig_protocols::escpos::PaperLevel;
        if status.paper == PaperLevel::Out {
            Some(HoldReason::PaperOut)
        } else if status.cover_open {
            Some(HoldReason::CoverOpen)
        } else if status.has_error() {
            Some(HoldReason::Error)
        } else if status.is_offline() || status.waiting_for_recovery {
            Some(HoldReason::Offline)
        } else {
            None
        }
    }
}

/// What the printer driver reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PrinterEvent {
    /// The printer's status changed (from a completed `DLE EOT` cycle or an ASB frame).
    Status(PrinterStatus),
    /// The job cannot go on; it resumes by itself when the printer is ready.
    JobHeld {
        id: JobId,
        reason: HoldReason,
    },
    /// The printer is ready again; `reprint` when the job starts over from its beginning.
    JobResumed {
        id: JobId,
        reprint: bool,
    },
    /// The job was printed and cut, and the printer was OK afterwards. Reported once per job.
    JobDone {
        id: JobId,
    },
    DrawerOpened,
    DrawerClosed,
    Health(DeviceHealth),
}

pub(crate) enum Command {
    Print(JobId, Vec<u8>, oneshot::Sender<Result<(), DriverError>>),
    KickDrawer(oneshot::Sender<Result<(), DriverError>>),
    PollNow,
}

/// The handle the terminal keeps; dropping every handle stops the driver.
#[derive(Debug, Clone)]
pub struct PrinterHandle {
    commands: mpsc::UnboundedSender<Command>,
    health: watch::Receiver<DeviceHealth>,
    status: watch::Receiver<Option<PrinterStatus>>,
    drawer: watch::Receiver<Option<DrawerState>>,
}

impl std::fmt::Debug for Command {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Command::Print(id, bytes, _) => write!(f, "Print({id}, {} bytes)", bytes.len()),
            Command::KickDrawer(_) => f.write_str("KickDrawer"),
            Command::PollNow => f.write_str("PollNow"),
        }
    }
}

impl PrinterHandle {
    /// Queue a job (ESC/POS bytes, e.g. from [`posrig_protocols::escpos::EscPosWriter`]).
    /// Returns once queued; [`PrinterEvent::JobDone`] reports it printed.
    pub async fn print(&self, id: JobId, bytes: Vec<u8>) -> Result<(), DriverError> {
        self.call(|tx| Command::Print(id, bytes, tx)).await
    }

    /// Queue a receipt document, rendered to ESC/POS by [`render::render`].
    pub async fn print_doc(
        &self,
        id: JobId,
        doc: &crate::receipt::ReceiptDoc,
    ) -> Result<(), DriverError> {
        self.print(id, render::render(doc)).await
    }

    /// Pulse the drawer (`ESC p`, or `DLE DC4` while a job is part-sent or the printer is
    /// busy or offline, since `ESC p` would wait behind the job). Returns once the bytes are
    /// written; the opening shows as [`PrinterEvent::DrawerOpened`].
    pub async fn kick_drawer(&self) -> Result<(), DriverError> {
        self.call(Command::KickDrawer).await
    }

    /// Wait until the drawer reads closed, or `timeout`.
    pub async fn wait_drawer_closed(&self, timeout: Duration) -> Result<(), DriverError> {
        self.wait_drawer(DrawerState::Closed, timeout).await
    }

    /// Wait until the drawer reads open, or `timeout`.
    pub async fn wait_drawer_open(&self, timeout: Duration) -> Result<(), DriverError> {
        self.wait_drawer(DrawerState::Open, timeout).await
    }

    /// Ask for a status cycle now rather than at the next interval.
    pub fn poll_now(&self) -> Result<(), DriverError> {
        self.commands
            .send(Command::PollNow)
            .map_err(|_| DriverError::stopped(DEVICE))
    }

    /// The drawer as last sensed (`None` before the first status).
    pub fn drawer(&self) -> Option<DrawerState> {
        *self.drawer.borrow()
    }

    /// The last complete status (`None` before the first).
    pub fn status(&self) -> Option<PrinterStatus> {
        *self.status.borrow()
    }

    /// The printer's current health.
    pub fn health(&self) -> DeviceHealth {
        *self.health.borrow()
    }

    async fn wait_drawer(&self, want: DrawerState, timeout: Duration) -> Result<(), DriverError> {
        let mut rx = self.drawer.clone();
        let waited = tokio::time::timeout(timeout, async {
            rx.wait_for(|s| *s == Some(want)).await.map(|_| ())
        })
        .await;
        match waited {
            Ok(Ok(_)) => Ok(()),
            Ok(Err(_)) => Err(DriverError::stopped(DEVICE)),
            Err(_) => Err(DriverError::Timeout {
                device: "cash drawer",
                what: match want {
                    DrawerState::Closed => "closing",
                    DrawerState::Open => "opening",
                },
            }),
        }
    }

    async fn call(
        &self,
        make: impl FnOnce(oneshot::Sender<Result<(), DriverError>>) -> Command,
    ) -> Result<(), DriverError> {
        let (tx, rx) = oneshot::channel();
        self.commands
            .send(make(tx))
            .map_err(|_| DriverError::stopped(DEVICE))?;
        rx.await.map_err(|_| DriverError::stopped(DEVICE))?
    }
}

/// Start the printer driver on `port`.
pub fn spawn(
    port: Port,
    config: PrinterConfig,
) -> (PrinterHandle, mpsc::UnboundedReceiver<PrinterEvent>) {
    let (cmd_tx, cmd_rx) = mpsc::unbounded_channel();
    let (event_tx, event_rx) = mpsc::unbounded_channel();
    let (health, health_rx) = HealthTracker::new(port.is_connected());
    let (status_tx, status_rx) = watch::channel(None);
    let (drawer_tx, drawer_rx) = watch::channel(None);
    let driver = task::Driver::new(config, port, event_tx, health, status_tx, drawer_tx);
    tokio::spawn(driver.run(cmd_rx));
    (
        PrinterHandle {
            commands: cmd_tx,
            health: health_rx,
            status: status_rx,
            drawer: drawer_rx,
        },
        event_rx,
    )
}
