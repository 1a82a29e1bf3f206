//! Simulated peripherals: sans-IO state machines with fault knobs, served on any wire.
//!
//! Each device implements [`SimDevice`]: it is told the bytes the host sent, the actions a person
//! performs (scan, insert a card, close the drawer) and the faults to inject (paper out, chip
//! failure), and answers with bytes to send and events to report. [`runtime::serve`] runs any
//! device on any byte stream — an in-memory wire, a pseudo-terminal, a serial port — under
//! tokio's clock, so the same device runs in real and in virtual time.

pub mod device;
pub mod pinpad;
pub mod runtime;
pub mod scanner;

pub use device::{DeviceError, DeviceEvent, Direction, Outbox, SimDevice};
pub use runtime::{serve, DeviceHandle, EventSink, Gone, Request, ServeOptions};
