//! The POS terminal as a child process (`sut: process`) — which program runs it, starting it
//! on a generated configuration, SIGKILL and restart for `crash`, a clean stop (SIGTERM) at the
//! end of a scenario, and SIGKILL when the handle is dropped, so no terminal outlives its run.
//!
//! Which program: `$POSRIG_POS_TERMINAL` when set (a built `pos-terminal`, run as
//! `pos-terminal --config FILE`); otherwise the running executable itself, re-executed with
//! `POSRIG_TERMINAL_CONFIG=FILE`. Every binary that runs process scenarios (`posrig`, the
//! `scenarios` test) calls [`become_terminal_if_asked`] first thing in `main`, which then runs
//! the `pos-terminal` code (`posrig_pos::app::run_until`) instead of its own. Neither `posrig`
//! nor a test binary can rely on `CARGO_BIN_EXE_pos-terminal`, which belongs to another package.

use std::path::{Path, PathBuf};
use std::process::{ExitStatus, Stdio};
use std::sync::Mutex;
use std::time::Duration;

use anyhow::{bail, Context};
use posrig_pos::app::{exit_codes, run_until, terminate_signal, AppConfig, AppError};
use tokio::process::{Child, Command};

/// Names the configuration file when an executable is re-executed as the terminal.
pub const CONFIG_ENV: &str = "POSRIG_TERMINAL_CONFIG";
/// Names a `pos-terminal` binary to run instead of re-executing the current one.
pub const BINARY_ENV: &str = "POSRIG_POS_TERMINAL";
/// The argument a re-executed test binary gets: a test filter that matches nothing, so a
/// binary that lacks [`become_terminal_if_asked`] runs no test and exits instead of recursing.
const CHILD_FILTER: &str = "posrig-terminal-child";
/// How long a clean stop (SIGTERM) may take before the terminal is killed.
const STOP_GRACE: Duration = Duration::from_secs(10);
/// How often a re-executed terminal checks that the process that started it is still there.
const PARENT_CHECK: Duration = Duration::from_millis(500);

/// Runs the POS terminal and exits, if this process was started as one
/// (`POSRIG_TERMINAL_CONFIG` is set); returns at once otherwise. Call it first thing in `main`.
pub fn become_terminal_if_asked() {
    let Some(config) = std::env::var_os(CONFIG_ENV) else {
        return;
    };
    std::process::exit(run_terminal(Path::new(&config)));
}

/// The body of `pos-terminal` after argument parsing, plus a guard: the terminal stops when its
/// parent goes away (a killed `posrig` must not leave a terminal holding its ptys).
fn run_terminal(config: &Path) -> i32 {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        // Its stderr is a log file, not a terminal.
        .with_ansi(false)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .init();
    let config = match AppConfig::load(config) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("pos terminal: {e}");
            return exit_codes::BAD_CONFIG;
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("pos terminal: start the runtime: {e}");
            return exit_codes::FAILED;
        }
    };
    let parent = std::os::unix::process::parent_id();
    let stop = async move {
        tokio::select! {
            biased;
            r = terminate_signal() => r,
            () = parent_gone(parent) => {
                tracing::warn!("the process that started this terminal is gone; stopping");
                Ok::<(), AppError>(())
            }
        }
    };
    match runtime.block_on(run_until(config, stop)) {
        Ok(()) => exit_codes::OK,
        Err(e) => {
            eprintln!("pos terminal: {e:#}");
            e.exit_code()
        }
    }
}

/// Resolves once this process has been re-parented (its parent died).
async fn parent_gone(parent: u32) {
    while std::os::unix::process::parent_id() == parent {
        tokio::time::sleep(PARENT_CHECK).await;
    }
}

/// A running POS terminal process and how to start it again.
#[derive(Debug)]
pub struct PosProcess {
    config: PathBuf,
    log: PathBuf,
    /// `None` between a kill and the restart. The lock is never held across an await.
    child: Mutex<Option<Child>>,
}

impl PosProcess {
    /// Starts the terminal on `config`, its stderr appended to `log`. Must run inside a tokio
    /// runtime (real time).
    pub fn start(config: &Path, log: &Path) -> anyhow::Result<PosProcess> {
        let process = PosProcess {
            config: config.to_owned(),
            log: log.to_owned(),
            child: Mutex::new(None),
        };
        process.spawn()?;
        Ok(process)
    }

    /// The terminal's log (its stderr), for failure messages.
    pub fn log(&self) -> &Path {
        &self.log
    }

    /// The last lines of the log.
    pub fn log_tail(&self, lines: usize) -> String {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        let all: Vec<&str> = text.lines().collect();
        all[all.len().saturating_sub(lines)..].join("\n")
    }

    fn spawn(&self) -> anyhow::Result<()> {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.log)
            .with_context(|| format!("open the terminal's log {}", self.log.display()))?;
        let mut command = match std::env::var_os(BINARY_ENV) {
            Some(binary) => {
                let mut c = Command::new(binary);
                c.arg("--config").arg(&self.config);
                c
            }
            None => {
                let exe = std::env::current_exe().context("find the running executable")?;
                let mut c = Command::new(exe);
                c.args(["--exact", CHILD_FILTER])
                    .env(CONFIG_ENV, &self.config);
                c
            }
        };
        command
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::from(log))
            .kill_on_drop(true);
        let child = command.spawn().context("start the POS terminal process")?;
        *self.child.lock().expect("terminal child lock") = Some(child);
        Ok(())
    }

    /// The exit status, if the terminal has exited by itself.
    pub fn exited(&self) -> Option<ExitStatus> {
        let mut child = self.child.lock().expect("terminal child lock");
        child.as_mut().and_then(|c| c.try_wait().ok().flatten())
    }

    /// SIGKILL, reaped. Nothing of the terminal's memory survives; its journal does.
    pub async fn kill(&self) -> anyhow::Result<()> {
        let child = self.child.lock().expect("terminal child lock").take();
        if let Some(mut child) = child {
            child.start_kill().context("SIGKILL the POS terminal")?;
            child.wait().await.context("reap the POS terminal")?;
        }
        Ok(())
    }

    /// Starts the terminal again on the same configuration (and journal).
    pub fn restart(&self) -> anyhow::Result<()> {
        if self.child.lock().expect("terminal child lock").is_some() {
            bail!("restart: the POS terminal is still running");
        }
        self.spawn()
    }

    /// SIGTERM and wait for a clean exit (its journal then closed); SIGKILL after
    /// [`STOP_GRACE`]. An exit other than 0 is an error carrying the log's tail.
    pub async fn stop(&self) -> anyhow::Result<()> {
        let child = self.child.lock().expect("terminal child lock").take();
        let Some(mut child) = child else {
            return Ok(());
        };
        if let Some(pid) = child.id() {
            // std has no SIGTERM; `kill` is in every POSIX system.
            let _ = std::process::Command::new("kill")
                .args(["-TERM", &pid.to_string()])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status();
        }
        let status = match tokio::time::timeout(STOP_GRACE, child.wait()).await {
            Ok(status) => status.context("wait for the POS terminal")?,
            Err(_) => {
                let _ = child.start_kill();
                let _ = child.wait().await;
                bail!(
                    "the POS terminal did not stop within {}s of SIGTERM and was killed",
                    STOP_GRACE.as_secs()
                );
            }
        };
        if !status.success() {
            bail!(
                "the POS terminal exited with {status}; its log ends:\n{}",
                self.log_tail(20)
            );
        }
        Ok(())
    }
}

impl Drop for PosProcess {
    fn drop(&mut self) {
        // A run that ends early (error, panic) must not leave the terminal running.
        if let Ok(mut child) = self.child.lock() {
            if let Some(child) = child.as_mut() {
                let _ = child.start_kill();
                // Reap it (briefly, blocking) so no zombie is left behind either.
                for _ in 0..100 {
                    if !matches!(child.try_wait(), Ok(None)) {
                        break;
                    }
                    std::thread::sleep(Duration::from_millis(10));
                }
            }
        }
    }
}
