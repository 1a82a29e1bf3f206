//! Wires — byte streams between two endpoints (memory, pseudo-terminal, serial port, TCP), and the
//! links that carry them through impairments.
//!
//! Every endpoint is a [`WireEnd`]: a boxed `AsyncRead + AsyncWrite`. A [`Link`] pumps bytes
//! between two endpoints, one task per direction, applying the current [`Impairment`] of that
//! direction; a [`LinkControl`] changes impairments at run time and a [`Schedule`] changes them at
//! set virtual times. A serial cable and a 4G uplink are the same abstraction with different
//! impairments.

mod control;
mod error;
mod frame;
mod impair;
mod link;
pub mod memory;
mod pace;
pub mod pty;
mod pump;
mod schedule;
pub mod serial;
pub mod tcp;

pub use control::{Direction, LinkConditions, LinkControl};
pub use error::WireError;
pub use frame::{CharFrame, DataBits, Parity, StopBits};
pub use impair::{Impairment, ImpairmentError, Latency, Pacing, Slicing};
pub use link::{Link, LinkBuilder, ResetHook};
pub use schedule::{LinkAction, Schedule, ScheduleError, ScheduledAction};

use tokio::io::{AsyncRead, AsyncWrite};

/// Anything that can be one end of a wire.
pub trait ByteStream: AsyncRead + AsyncWrite + Unpin + Send + 'static {}

impl<T: AsyncRead + AsyncWrite + Unpin + Send + 'static> ByteStream for T {}

/// One end of a wire, whatever its kind.
pub type WireEnd = Box<dyn ByteStream>;
