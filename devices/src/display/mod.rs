//! The simulated customer display (PROTOCOLS.md §4): Epson 2×20 commands in, the screen out as
//! a state event on every change, with `unplugged`, `garbled` and `blank` faults.
//!
//! - [`device`]: the [`CustomerDisplay`] state machine, also embedded in a printer that passes
//!   `ESC =` data through to a daisy-chained display.
//! - [`control`]: its actions and faults as plain data.

pub mod control;
pub mod device;

pub use control::{DisplayAction, DisplayFault};
pub use device::CustomerDisplay;
