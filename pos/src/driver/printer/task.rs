//! The printer driver's loop: one task owning the stream, the job queue, the status poller and
//! the flow-control state.

use std::collections::VecDeque;

use posrig_protocols::escpos::{
    AsbMask, EscPosWriter, PrinterStatus, Recovery, Reply, ReplyDecoder,
};
use tokio::sync::{mpsc, oneshot, watch};
use tokio::time::{sleep_until, Instant};

use super::job::{Job, JobId};
use super::poll::StatusPoller;
use super::{Command, HoldReason, PrinterConfig, PrinterEvent, DEVICE};
use crate::driver::drawer::DrawerState;
use crate::driver::error::DriverError;
use crate::driver::health::{DeviceHealth, HealthTracker};
use crate::driver::stream::{Port, PortEvent};

/// Where the job at the head of the queue is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// No job, or one not looked at yet.
    Idle,
    /// Waiting for status cycle `cycle` before sending.
    Check { cycle: u64 },
    /// Sending chunks (paused while XOFF).
    Sending,
    /// Everything sent; the paper comes out until `until`.
    Printing { until: Instant },
    /// Waiting for status cycle `cycle` to declare the job done.
    Confirm { cycle: u64 },
    /// Waiting for the printer to be ready again.
    Held { reason: HoldReason },
}

pub(super) struct Driver {
    config: PrinterConfig,
    port: Port,
    decoder: ReplyDecoder,
    poller: StatusPoller,
    events: mpsc::UnboundedSender<PrinterEvent>,
    health: HealthTracker,
    status_tx: watch::Sender<Option<PrinterStatus>>,
    drawer_tx: watch::Sender<Option<DrawerState>>,
    /// The last complete status.
    status: Option<PrinterStatus>,
    /// XOFF received and no XON since.
    xoff: bool,
    jobs: VecDeque<Job>,
    phase: Phase,
    next_poll: Instant,
    /// `DLE ENQ` already sent during this hold.
    recovery_sent: bool,
    /// The printer may hold the unsent tail of an interrupted job without its cut.
    fragment_open: bool,
    /// The stream must be initialised before the next job.
    needs_init: bool,
    /// Cycles sent when the drawer was last kicked, until a cycle sent after the kick completes.
    /// The core takes the drawer as open from the kick, so that cycle reports a closed drawer
    /// even if the sensed state did not change (opened and shut between two polls).
    kicked_after: Option<u64>,
    /// A kick waiting for a fresh status (the cycle it waits for): `ESC p` sent to a printer
    /// that went offline since the last poll would wait in its buffer until it is back.
    pending_kick: Option<(u64, oneshot::Sender<Result<(), DriverError>>)>,
}

impl Driver {
    pub(super) fn new(
        config: PrinterConfig,
        port: Port,
        events: mpsc::UnboundedSender<PrinterEvent>,
        health: HealthTracker,
        status_tx: watch::Sender<Option<PrinterStatus>>,
        drawer_tx: watch::Sender<Option<DrawerState>>,
    ) -> Self {
        let connected = port.is_connected();
        Driver {
            poller: StatusPoller::new(config.profile.power_on_status(), config.reply_timeout),
            config,
            port,
            decoder: ReplyDecoder::new(),
            events,
            health,
            status_tx,
            drawer_tx,
            status: None,
            xoff: false,
            jobs: VecDeque::new(),
            phase: Phase::Idle,
            next_poll: Instant::now(),
            recovery_sent: false,
            fragment_open: false,
            needs_init: connected,
            kicked_after: None,
            pending_kick: None,
        }
    }

    pub(super) async fn run(mut self, mut commands: mpsc::UnboundedReceiver<Command>) {
        let mut buf = [0u8; 256];
        loop {
            if self.needs_init && self.port.is_connected() {
                self.needs_init = false;
                self.init().await;
            }
            self.step().await;
            self.kick_when_status_fresh().await;
            let overdue = match self.health.get() {
                DeviceHealth::Healthy => self.poller.overdue_at(self.config.reply_timeout),
                _ => None,
            };
            let printing_until = match self.phase {
                Phase::Printing { until } => Some(until),
                _ => None,
            };
            let can_send = self.can_send();
            tokio::select! {
                biased;
                ev = self.port.next(&mut buf) => match ev {
                    PortEvent::Data(n) => self.on_bytes(&buf[..n]),
                    PortEvent::Closed(e) => {
                        tracing::warn!(device = DEVICE, error = ?e, "stream closed");
                        self.on_disconnect();
                    }
                    PortEvent::Reconnected => {
                        tracing::info!(device = DEVICE, "stream reopened");
                        self.needs_init = true;
                        self.next_poll = Instant::now();
                    }
                },
                cmd = commands.recv() => match cmd {
                    None => return,
                    Some(cmd) => self.on_command(cmd).await,
                },
                _ = sleep_until(overdue.unwrap_or_else(Instant::now)), if overdue.is_some() => {
                    tracing::warn!(device = DEVICE, "status request unanswered");
                    self.set_health(DeviceHealth::NotResponding);
                    self.hold(HoldReason::NotResponding);
                }
                _ = sleep_until(self.next_poll), if self.port.is_connected() => {
                    self.next_poll = Instant::now() + self.config.poll_interval;
                    if !self.poller.in_flight() || self.health.get() != DeviceHealth::Healthy {
                        self.poll().await;
                    }
                }
                _ = sleep_until(printing_until.unwrap_or_else(Instant::now)), if printing_until.is_some() => {
                    let cycle = self.poll().await;
                    self.phase = Phase::Confirm { cycle };
                }
                _ = std::future::ready(()), if can_send => self.send_chunk().await,
            }
        }
    }

    // ---- input ----

    fn on_bytes(&mut self, bytes: &[u8]) {
        self.decoder.push(bytes);
        while let Some(reply) = self.decoder.next_reply() {
            match reply {
                Reply::Realtime(byte) => {
                    self.set_health(DeviceHealth::Healthy);
                    if let Some(status) = self.poller.on_reply(byte, Instant::now()) {
                        self.on_status(status);
                    }
                }
                Reply::Asb(frame) => {
                    self.set_health(DeviceHealth::Healthy);
                    match PrinterStatus::from_asb_bytes(frame) {
                        Ok(mut status) => {
                            // ASB does not carry these; keep what DLE EOT said.
                            if let Some(prev) = self.status {
                                status.feeding_by_button = prev.feeding_by_button;
                                status.waiting_for_recovery = prev.waiting_for_recovery;
                            }
                            self.poller.set_working(status);
                            self.on_status(status);
                        }
                        Err(e) => tracing::debug!(device = DEVICE, error = %e, "bad ASB frame"),
                    }
                }
                Reply::Xoff => {
                    self.set_health(DeviceHealth::Healthy);
                    self.xoff = true;
                }
                Reply::Xon => {
                    self.set_health(DeviceHealth::Healthy);
                    self.xoff = false;
                }
                Reply::TransmitStatus { .. } => {}
                Reply::Garbage(bytes) => {
                    tracing::debug!(device = DEVICE, ?bytes, "unrecognised bytes from printer");
                }
            }
        }
    }

    fn on_status(&mut self, status: PrinterStatus) {
        if self.status != Some(status) {
            self.status = Some(status);
            self.status_tx.send_replace(Some(status));
            let _ = self.events.send(PrinterEvent::Status(status));
        }
        let drawer = self
            .config
            .drawer
            .state(self.config.profile, status.drawer_pin3_high);
        let after_kick = self
            .kicked_after
            .is_some_and(|sent| self.poller.completed() > sent);
        if after_kick {
            self.kicked_after = None;
        }
        let closed_since_kick = after_kick && drawer == DrawerState::Closed;
        if *self.drawer_tx.borrow() != Some(drawer) || closed_since_kick {
            self.drawer_tx.send_replace(Some(drawer));
            let _ = self.events.send(match drawer {
                DrawerState::Open => PrinterEvent::DrawerOpened,
                DrawerState::Closed => PrinterEvent::DrawerClosed,
            });
        }
        if let Some(reason) = HoldReason::from_status(&status) {
            if matches!(self.phase, Phase::Sending | Phase::Printing { .. }) {
                self.hold(reason);
            }
        }
    }

    async fn on_command(&mut self, cmd: Command) {
        match cmd {
            Command::Print(id, bytes, reply) => {
                self.jobs.push_back(Job::new(id, bytes));
                let _ = reply.send(Ok(()));
            }
            Command::KickDrawer(reply) => {
                if let Some((_, earlier)) = self.pending_kick.take() {
                    // One pulse does for both.
                    let _ = earlier.send(Ok(()));
                }
                if self.port.is_connected() && self.health.get() == DeviceHealth::Healthy {
                    // Decide `ESC p` or `DLE DC4` on a status asked for now.
                    let cycle = self.poll().await;
                    self.pending_kick = Some((cycle, reply));
                } else {
                    let r = self.kick().await;
                    let _ = reply.send(r);
                }
            }
            Command::PollNow => self.next_poll = Instant::now(),
        }
    }

    fn on_disconnect(&mut self) {
        self.decoder = ReplyDecoder::new();
        self.poller.forget();
        self.xoff = false;
        self.set_health(DeviceHealth::Disconnected);
        self.hold(HoldReason::Disconnected);
    }

    // ---- the job state machine ----

    /// Move the head job along as far as the current state allows.
    async fn step(&mut self) {
        loop {
            let before = self.phase;
            match self.phase {
                Phase::Idle => {
                    if self.jobs.is_empty() {
                        return;
                    }
                    if !self.port.is_connected() {
                        self.hold(HoldReason::Disconnected);
                    } else {
                        // Before a job: a fresh status, so a job is not sent into a printer
                        // that is out of paper.
                        let cycle = self.poll().await;
                        self.phase = Phase::Check { cycle };
                    }
                }
                Phase::Check { cycle } if self.poller.completed() >= cycle => {
                    match self.status.and_then(|s| HoldReason::from_status(&s)) {
                        None => self.phase = Phase::Sending,
                        Some(reason) => self.hold(reason),
                    }
                }
                Phase::Confirm { cycle } if self.poller.completed() >= cycle => {
                    match self.status.and_then(|s| HoldReason::from_status(&s)) {
                        None => {
                            let job = self
                                .jobs
                                .pop_front()
                                .expect("invariant: a confirmed job is queued");
                            let _ = self.events.send(PrinterEvent::JobDone { id: job.id });
                            self.phase = Phase::Idle;
                        }
                        Some(reason) => self.hold(reason),
                    }
                }
                Phase::Held { .. } => self.try_resume().await,
                _ => {}
            }
            if self.phase == before {
                return;
            }
        }
    }

    /// Hold the head job, if one is under way.
    fn hold(&mut self, reason: HoldReason) {
        let Some(job) = self.jobs.front() else {
            return;
        };
        match self.phase {
            Phase::Held { reason: old } if old == reason => return,
            Phase::Held { .. } => {}
            _ => {
                self.recovery_sent = false;
                self.fragment_open = job.sent > 0 && !job.fully_sent();
            }
        }
        tracing::warn!(device = DEVICE, id = %job.id, ?reason, "job held");
        self.phase = Phase::Held { reason };
        let _ = self
            .events
            .send(PrinterEvent::JobHeld { id: job.id, reason });
    }

    /// Resume a held job once a status taken while connected and answering says OK; recover
    /// recoverable errors on the way.
    async fn try_resume(&mut self) {
        if !self.port.is_connected() || self.health.get() != DeviceHealth::Healthy {
            return;
        }
        let Some(status) = self.status else {
            return;
        };
        if self.poller.in_flight() {
            // Wait for the cycle under way: the status may predate the recovery.
            return;
        }
        match HoldReason::from_status(&status) {
            None => {}
            Some(HoldReason::Error) if !self.recovery_sent && recoverable(&status) => {
                self.recovery_sent = true;
                let mut w = EscPosWriter::new();
                w.realtime_recover(Recovery::ClearBuffers);
                // Clearing the buffers also drops any unsent tail of the interrupted job.
                if self.write(w.as_bytes()).await.is_ok() {
                    self.fragment_open = false;
                }
                self.next_poll = Instant::now();
                return;
            }
            Some(reason) => {
                if let Phase::Held { reason: old } = self.phase {
                    if old != reason {
                        // Still held, for a different reason now (cover closed, paper out).
                        self.hold(reason);
                    }
                }
                return;
            }
        }
        let fragment_open = std::mem::take(&mut self.fragment_open);
        let Some(job) = self.jobs.front_mut() else {
            self.phase = Phase::Idle;
            return;
        };
        let reprint = job.sent > 0;
        job.sent = 0;
        let id = job.id;
        tracing::info!(device = DEVICE, %id, reprint, "job resumed");
        let _ = self.events.send(PrinterEvent::JobResumed { id, reprint });
        if fragment_open {
            // The printer may still hold the part of the job it had not printed: finish that
            // fragment with a cut so the reprint starts on fresh paper.
            let mut w = EscPosWriter::new();
            w.line_feed().feed_and_cut(true, 0);
            let _ = self.write(w.as_bytes()).await;
        }
        self.phase = Phase::Sending;
    }

    fn can_send(&self) -> bool {
        self.phase == Phase::Sending && !self.xoff && self.port.is_connected()
    }

    async fn send_chunk(&mut self) {
        let Some(job) = self.jobs.front() else {
            self.phase = Phase::Idle;
            return;
        };
        let n = job.remaining().len().min(self.config.chunk_bytes.max(1));
        let chunk = job.remaining()[..n].to_vec();
        if self.write(&chunk).await.is_err() {
            return;
        }
        // Let the printer's replies in before the next chunk: on a pipe a write never blocks,
        // and an XOFF must be read before more bytes go.
        tokio::task::yield_now().await;
        let job = self
            .jobs
            .front_mut()
            .expect("invariant: the job being sent is queued");
        job.sent += n;
        if job.fully_sent() {
            let until = Instant::now() + job.print_time(self.config.line_time);
            self.phase = Phase::Printing { until };
        }
    }

    // ---- output ----

    async fn init(&mut self) {
        let mut w = EscPosWriter::new();
        if self.config.init_on_connect {
            w.init();
        }
        if self.config.asb {
            w.auto_status_back(AsbMask(
                AsbMask::DRAWER | AsbMask::ONLINE | AsbMask::ERRORS | AsbMask::PAPER,
            ));
        }
        if !w.as_bytes().is_empty() {
            let _ = self.write(w.as_bytes()).await;
        }
    }

    /// Send a status cycle; returns its number. While the link resynchronises the cycle is
    /// sent when that ends, under the same number.
    async fn poll(&mut self) -> u64 {
        match self.poller.start_cycle(Instant::now()) {
            Ok((bytes, cycle)) => {
                if self.write(&bytes).await.is_err() {
                    self.poller.forget();
                }
                cycle
            }
            Err(until) => {
                self.next_poll = until;
                self.poller.sent() + 1
            }
        }
    }

    /// Sends a pending kick once the status asked for it is in (or the printer stopped
    /// answering: then the status will not come, and the kick goes as the last one said).
    async fn kick_when_status_fresh(&mut self) {
        let due = self.pending_kick.as_ref().is_some_and(|(cycle, _)| {
            self.poller.completed() >= *cycle || self.health.get() != DeviceHealth::Healthy
        });
        if due {
            if let Some((_, reply)) = self.pending_kick.take() {
                let r = self.kick().await;
                let _ = reply.send(r);
            }
        }
    }

    async fn kick(&mut self) -> Result<(), DriverError> {
        let drawer = self.config.drawer;
        let mid_job = self
            .jobs
            .front()
            .is_some_and(|j| j.sent > 0 && !j.fully_sent());
        let offline = self
            .status
            .is_some_and(|s| HoldReason::from_status(&s).is_some());
        let bytes = if mid_job || self.xoff || offline {
            // `ESC p` would wait behind the job's bytes or the offline printer's buffer;
            // `DLE DC4` is acted on at once.
            let mut w = EscPosWriter::new();
            w.realtime_drawer_kick(drawer.pin, drawer.on_ms.max(100));
            w.into_bytes()
        } else {
            drawer.kick_bytes()
        };
        self.kicked_after = Some(self.poller.sent());
        self.write(&bytes).await?;
        // Look at the drawer again once the pulse is over.
        let settle = std::time::Duration::from_millis(u64::from(drawer.on_ms) + 100);
        self.next_poll = self.next_poll.min(Instant::now() + settle);
        Ok(())
    }

    async fn write(&mut self, bytes: &[u8]) -> Result<(), DriverError> {
        match self.port.write_all(bytes).await {
            Ok(()) => Ok(()),
            Err(e) => {
                if !self.port.is_connected() {
                    self.on_disconnect();
                }
                Err(DriverError::io(DEVICE, e))
            }
        }
    }

    fn set_health(&mut self, h: DeviceHealth) {
        if let Some(h) = self.health.set(h) {
            let _ = self.events.send(PrinterEvent::Health(h));
        }
    }
}

/// Whether `DLE ENQ` clears the error (autocutter and other recoverable errors; not
/// unrecoverable ones, and auto-recoverable ones clear by themselves).
fn recoverable(status: &PrinterStatus) -> bool {
    (status.recoverable_error || status.autocutter_error) && !status.unrecoverable_error
}

impl std::fmt::Debug for Driver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Driver")
            .field("phase", &self.phase)
            .field(
                "jobs",
                &self.jobs.iter().map(|j| j.id).collect::<Vec<JobId>>(),
            )
            .finish()
    }
}

#[allow(dead_code)]
fn _assert_send(d: Driver, rx: mpsc::UnboundedReceiver<Command>, _: oneshot::Sender<()>) {
    fn is_send<T: Send>(_: T) {}
    is_send(d.run(rx));
}
