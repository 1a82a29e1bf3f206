//! Events — every observable thing in a run, the bus that fans them out to subscribers, and the
//! canonical event log whose SHA-256 is the run's digest.

mod bus;
mod diverge;
mod kind;
mod log;

pub use bus::{Emitter, EventBus, EventStream};
pub use diverge::{first_divergence, first_divergence_in_files, Divergence};
pub use kind::{Event, EventKind, FrameDir};
pub use log::{read_log, spawn_log_writer, EventLog, EventLogError, LogSummary};
