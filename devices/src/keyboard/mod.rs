//! The simulated POS keyboard (PROTOCOLS.md §5): key presses become `NAME\r` lines on the wire,
//! optionally paced like human typing, with `stuck_key`, `chatter` and `unplugged` faults.
//!
//! - [`keys`]: key sequences from a list of names or a string such as `"12 PLU"`.
//! - [`control`]: configuration, actions and faults as plain data.
//! - [`device`]: the [`Keyboard`] state machine.

pub mod control;
pub mod device;
pub mod keys;

pub use control::{KeyboardAction, KeyboardConfig, KeyboardFault};
pub use device::Keyboard;
pub use keys::{parse_keys, KeySequence, KeysError};
