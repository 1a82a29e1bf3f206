//! The simulated scale, Toledo 8217 style (PROTOCOLS.md §6): the host sends `W`, the scale
//! answers with the weight or a status, with `motion`, `over_capacity`, `under_zero` and
//! `unplugged` faults.
//!
//! - [`control`]: configuration, actions and faults as plain data.
//! - [`device`]: the [`Scale`] state machine.

pub mod control;
pub mod device;

pub use control::{ScaleAction, ScaleConfig, ScaleFault};
pub use device::Scale;
