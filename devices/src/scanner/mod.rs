//! The simulated barcode scanner (PROTOCOLS.md §2): framed scans out, trigger and ACK/NAK host
//! commands in, with misread, no-read, double-read and unplugged faults.
//!
//! - [`config`]: how the scanner is programmed (frame options, trigger mode, ACK/NAK mode).
//! - [`action`]: what a person does (`scan`, `scan_many`) and how a symbology is inferred.
//! - [`fault`]: what goes wrong, and the misread rule.
//! - [`device`]: the [`Scanner`] state machine.

pub mod action;
pub mod config;
pub mod device;
pub mod fault;

pub use action::{infer_symbology, ScannerAction, SymbologyName};
pub use config::{AckNakConfig, ScannerConfig, SuffixName, TriggerMode};
pub use device::Scanner;
pub use fault::{misread_code, ScannerFault};
