//! The simulated receipt printer (PROTOCOLS.md §1) with the cash drawer on its kick-out port.
//!
//! - [`config`]: profile, paper roll, buffer and flow control, speed, drawer settings.
//! - [`paper`]: the roll and its near-end and paper-end sensors.
//! - [`buffer`]: the 4 KiB receive buffer with XON/XOFF busy.
//! - [`status`]: status bytes composed from the printer's parts, and automatic status back.
//! - [`render`]: printed lines with attributes, and finished receipts.
//! - [`drawer`]: the cash drawer, kicked open and sensed through pin 3.
//! - [`action`], [`fault`]: what people do and what goes wrong, as plain data.
//! - [`device`]: the [`Printer`] state machine tying them together (its print engine in
//!   `device/engine.rs`).

pub mod action;
pub mod buffer;
pub mod config;
pub mod device;
pub mod drawer;
pub mod fault;
pub mod paper;
pub mod render;
pub mod status;

pub use action::PrinterAction;
pub use config::{ConfigError, DrawerConfig, FlowControl, PinLevel, PrinterConfig, PrinterProfile};
pub use device::Printer;
pub use fault::PrinterFault;
pub use render::{Align, CutKind, Receipt, RenderedLine, Span, Style};
