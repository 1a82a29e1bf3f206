//! `pos-terminal` as a process: its configuration file, the ports it opens (serial paths,
//! pseudo-terminals, TCP), and running the lane until a signal. The same stack runs embedded in
//! the harness without this module.

pub mod config;
pub mod ports;
pub mod run;

pub use config::{AppConfig, AppConfigError, DevicePorts, HostAddresses};
pub use ports::{open_port, PortSpec, SerialLine};
pub use run::{exit_codes, run_until, terminate_signal, AppError};
