//! The lane — the I/O shell around the [`TerminalCore`](crate::terminal::TerminalCore): one
//! task that feeds it driver events, host outcomes and timer ticks, and carries out the
//! commands it returns on the drivers and host clients, never blocking on a device or the
//! network.
//!
//! - [`setup`]: what a lane is made of ([`LaneSetup`], [`LanePorts`], [`LaneHosts`]).
//! - `run`: [`spawn_lane`], the event loop, and [`LaneHandle`].
//! - `inputs`: driver events as core [`Input`](crate::terminal::Input)s.
//! - `dispatch`: core [`Command`](crate::terminal::Command)s to per-device workers.
//! - `hosts`: the acquirer and QR clients, each in its own task, answering with inputs.

mod dispatch;
mod hosts;
mod inputs;
mod run;
pub mod setup;

pub use run::{spawn_lane, LaneHandle};
pub use setup::{LaneHosts, LanePorts, LaneSetup};

/// A lane that could not start or stopped on an error.
#[derive(Debug, thiserror::Error)]
pub enum LaneError {
    /// The journal could not be opened or recovered.
    #[error("open the journal `{path}`")]
    Journal {
        /// The journal file.
        path: std::path::PathBuf,
        /// Why.
        #[source]
        source: crate::journal::JournalError,
    },
    /// The store data could not be loaded.
    #[error("load the store data")]
    Data(#[from] crate::config::ConfigError),
    /// The terminal identity does not fit the host messages.
    #[error("set up the acquirer client: {0}")]
    Terminal(String),
    /// The lane's task panicked or was cancelled.
    #[error("run the lane task")]
    Task(#[from] tokio::task::JoinError),
}
