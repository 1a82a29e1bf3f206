//! Peripheral drivers over byte streams: what a terminal application uses to talk to its
//! printer (and the cash drawer behind it), scanner, PIN pad, customer display, keyboard and
//! scale, on streams it is given (serial ports, ptys, TCP, in-memory pipes).
//!
//! Every driver has the same shape: `spawn(port, config)` starts a tokio task that owns the
//! stream and returns a cloneable handle (async methods that send commands and await their
//! outcome) and an unbounded receiver of the driver's events (inputs from the device, and
//! [`DeviceHealth`] changes). The terminal's event loop `select!`s over the receivers. Dropping
//! every handle stops the task.
//!
//! - [`stream`]: [`ByteStream`], [`Port`] (one stream, or a [`Connector`] to reopen it).
//! - [`health`]: [`DeviceHealth`], reported on change.
//! - [`error`](mod@error): [`DriverError`].
//! - [`printer`]: print jobs with flow control, status polling, hold/reprint, ASB; and the
//!   cash drawer kicked and sensed through it ([`drawer`]).
//! - [`scanner`], [`pinpad`], [`display`], [`keyboard`], [`scale`]: one per device.

pub mod display;
pub mod drawer;
pub mod error;
pub mod health;
pub mod keyboard;
pub mod pinpad;
pub mod printer;
pub mod scale;
pub mod scanner;
pub mod stream;

pub use error::DriverError;
pub use health::DeviceHealth;
pub use stream::{BoxStream, ByteStream, Connector, Port};
