//! The terminal of one lane. [`core`] is its application logic as a sans-IO state machine:
//! inputs from the devices and host clients in, commands to them out. The I/O shell that maps
//! drivers and host clients onto it lives next to it.

pub mod core;

pub use self::core::{
    CardRequest, Command, DeviceRole, HostOutcome, Input, PrinterStatus, QrOutcome, QrPayRequest,
    SettleOutcome, SignOnOutcome, TerminalCore, TerminalSettings, VoidRequest,
};
