//! The lane's event loop: one task owns the terminal core and waits, in a fixed order of
//! priority (`biased;`), for shutdown, host and worker answers, driver events and the core's
//! next deadline. Each input goes to the core, and each command it returns is handed to a
//! worker without waiting, so a slow device or host never stalls the lane.
//!
//! Time is tokio's: the core's `now` is the time since the lane started, so the lane runs the
//! same in real and in virtual (paused) time.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;
use tokio::time::{sleep_until, Instant};

use super::dispatch::{display_worker, pinpad_worker, printer_worker, scale_worker, Dispatch};
use super::hosts::{spawn_acquirer, spawn_qr};
use super::inputs;
use super::setup::{LaneHosts, LanePorts, LaneSetup};
use super::LaneError;
use crate::driver::display::{self, DisplayEvent};
use crate::driver::keyboard::{self, KeyboardEvent, KeyboardHandle};
use crate::driver::pinpad::{self, PinPadEvent};
use crate::driver::printer::{self, PrinterEvent};
use crate::driver::scale::{self, ScaleEvent};
use crate::driver::scanner::{self, ScannerEvent, ScannerHandle};
use crate::host::{AcquirerClient, AcquirerConfig, QrClient};
use crate::journal::Journal;
use crate::terminal::{Input, TerminalCore};

/// A running lane. Dropping it leaves the lane running until its runtime stops; call
/// [`LaneHandle::shutdown`] to stop it.
#[derive(Debug)]
pub struct LaneHandle {
    task: JoinHandle<Result<(), LaneError>>,
    stop: oneshot::Sender<()>,
    commits: Arc<AtomicU64>,
}

impl LaneHandle {
    /// Stops the lane (drivers and host tasks end once their queues drain) and waits for its
    /// loop to finish.
    pub async fn shutdown(self) -> Result<(), LaneError> {
        let _ = self.stop.send(());
        self.task.await?
    }

    /// Whether the loop has ended.
    pub fn is_finished(&self) -> bool {
        self.task.is_finished()
    }

    /// Journal commits so far (both of the lane's connections).
    pub fn journal_commits(&self) -> u64 {
        self.commits.load(Ordering::Relaxed)
    }
}

/// Driver event receivers; `None` for a device not attached (or whose driver stopped).
struct Events {
    printer: Option<mpsc::UnboundedReceiver<PrinterEvent>>,
    pinpad: Option<mpsc::UnboundedReceiver<PinPadEvent>>,
    keyboard: Option<mpsc::UnboundedReceiver<KeyboardEvent>>,
    scanner: Option<mpsc::UnboundedReceiver<ScannerEvent>>,
    scale: Option<mpsc::UnboundedReceiver<ScaleEvent>>,
    display: Option<mpsc::UnboundedReceiver<DisplayEvent>>,
}

/// Handles held only to keep input-only drivers running (dropping every handle stops one).
struct KeepAlive {
    _keyboard: Option<KeyboardHandle>,
    _scanner: Option<ScannerHandle>,
}

/// Starts a lane on the current tokio runtime: opens the journal, starts a driver per port,
/// the host tasks and the loop, which first recovers (reprints, reversals, resumable sale).
pub fn spawn_lane(
    setup: LaneSetup,
    ports: LanePorts,
    hosts: LaneHosts,
) -> Result<LaneHandle, LaneError> {
    let LaneSetup {
        store,
        catalog,
        members,
        operators,
        journal_path,
        clock,
        terminal_id,
        merchant_id,
        master_key,
        mut settings,
        printer: printer_config,
        scanner: scanner_config,
        pinpad: pinpad_config,
        scale: scale_config,
        commit_counter,
        journal_durability,
    } = setup;
    settings.terminal_id = terminal_id.clone();
    let open_journal = || {
        let mut j = Journal::open_with(
            &journal_path,
            store.currency.clone(),
            clock.clone(),
            journal_durability,
        )
        .map_err(|source| LaneError::Journal {
            path: journal_path.clone(),
            source,
        })?;
        j.count_commits_into(commit_counter.clone());
        Ok::<_, LaneError>(j)
    };
    // Two connections to one WAL database: the core's, and the host clients' (they run in
    // their own tasks). Every write is one short immediate transaction, so they never wait
    // on each other for long.
    let core_journal = open_journal()?;
    let shared = Arc::new(Mutex::new(open_journal()?));

    let acquirer_config =
        AcquirerConfig::from_store(&store, &terminal_id, &merchant_id, master_key)
            .map_err(|e| LaneError::Terminal(e.to_string()))?;
    let currency = store.currency.clone();
    let qr_settings = store.qr.clone();
    let core = TerminalCore::new(
        store,
        catalog,
        members,
        operators,
        core_journal,
        clock.clone(),
    )
    .with_settings(settings);

    let (answers_tx, answers_rx) = mpsc::unbounded_channel::<Input>();
    let acquirer = AcquirerClient::new(
        acquirer_config,
        hosts.acquirer,
        hosts.acquirer_backup,
        shared.clone(),
        clock,
    );
    let acquirer = spawn_acquirer(acquirer, currency.clone(), answers_tx.clone());
    let qr_client = hosts
        .wallet
        .map(|endpoint| QrClient::new(endpoint, &terminal_id, qr_settings, currency, shared));
    let qr = spawn_qr(qr_client, answers_tx.clone());

    let mut events = Events {
        printer: None,
        pinpad: None,
        keyboard: None,
        scanner: None,
        scale: None,
        display: None,
    };
    let mut dispatch = Dispatch {
        display: None,
        printer: None,
        pinpad: None,
        scale: None,
        acquirer,
        qr,
    };
    if let Some(port) = ports.printer {
        let (handle, rx) = printer::spawn(port, printer_config);
        events.printer = Some(rx);
        dispatch.printer = Some(printer_worker(handle));
    }
    if let Some(port) = ports.pinpad {
        let (handle, rx) = pinpad::spawn(port, pinpad_config);
        events.pinpad = Some(rx);
        dispatch.pinpad = Some((handle.clone(), pinpad_worker(handle)));
    }
    if let Some(port) = ports.display {
        let (handle, rx) = display::spawn(port);
        events.display = Some(rx);
        dispatch.display = Some(display_worker(handle));
    }
    if let Some(port) = ports.scale {
        let (handle, rx) = scale::spawn(port, scale_config);
        events.scale = Some(rx);
        dispatch.scale = Some(scale_worker(handle, answers_tx.clone()));
    }
    let mut keep = KeepAlive {
        _keyboard: None,
        _scanner: None,
    };
    if let Some(port) = ports.keyboard {
        let (handle, rx) = keyboard::spawn(port);
        events.keyboard = Some(rx);
        keep._keyboard = Some(handle);
    }
    if let Some(port) = ports.scanner {
        let (handle, rx) = scanner::spawn(port, scanner_config);
        events.scanner = Some(rx);
        keep._scanner = Some(handle);
    }
    drop(answers_tx);

    let (stop_tx, stop_rx) = oneshot::channel();
    let lane = Lane {
        core,
        start: Instant::now(),
        dispatch,
        events,
        answers: answers_rx,
        _keep: keep,
    };
    tracing::info!(terminal = terminal_id, "lane started");
    let task = tokio::spawn(lane.run(stop_rx));
    Ok(LaneHandle {
        task,
        stop: stop_tx,
        commits: commit_counter,
    })
}

struct Lane {
    core: TerminalCore,
    start: Instant,
    dispatch: Dispatch,
    events: Events,
    /// Answers of the host tasks and the scale worker.
    answers: mpsc::UnboundedReceiver<Input>,
    _keep: KeepAlive,
}

impl Lane {
    fn now(&self) -> Duration {
        self.start.elapsed()
    }

    async fn run(mut self, mut stop: oneshot::Receiver<()>) -> Result<(), LaneError> {
        let commands = self.core.recover(self.now());
        self.carry_out(commands);
        let mut stop_open = true;
        loop {
            let deadline = self.core.next_deadline().map(|d| self.start + d);
            let ev = &mut self.events;
            let input = tokio::select! {
                biased;
                r = &mut stop, if stop_open => {
                    if r.is_ok() {
                        break;
                    }
                    // The handle was dropped without a shutdown: keep running.
                    stop_open = false;
                    None
                }
                Some(input) = self.answers.recv() => Some(input),
                e = recv(&mut ev.printer) => inputs::printer(e),
                e = recv(&mut ev.pinpad) => inputs::pinpad(e),
                e = recv(&mut ev.keyboard) => inputs::keyboard(e),
                e = recv(&mut ev.scanner) => inputs::scanner(e),
                e = recv(&mut ev.scale) => inputs::scale(e),
                e = recv(&mut ev.display) => inputs::display(e),
                () = sleep_until(deadline.unwrap_or_else(Instant::now)), if deadline.is_some() => {
                    let commands = self.core.on_timer(self.now());
                    self.carry_out(commands);
                    None
                }
            };
            if let Some(input) = input {
                let commands = self.core.handle(input, self.now());
                self.carry_out(commands);
            }
        }
        tracing::info!("lane stopped");
        Ok(())
    }

    fn carry_out(&self, commands: Vec<crate::terminal::Command>) {
        for command in commands {
            self.dispatch.send(command);
        }
    }
}

/// The next event of an attached driver; never ready for a device that is not attached or
/// whose driver stopped.
async fn recv<T>(rx: &mut Option<mpsc::UnboundedReceiver<T>>) -> T {
    if let Some(r) = rx {
        if let Some(v) = r.recv().await {
            return v;
        }
        *rx = None;
    }
    std::future::pending().await
}
