//! In-memory wires — a pair of connected endpoints inside the process, the fastest wire.

use super::WireEnd;

/// Bytes each direction buffers before a writer waits.
pub const DEFAULT_CAPACITY: usize = 64 * 1024;

/// Two connected endpoints: bytes written to one are read from the other.
pub fn pair() -> (WireEnd, WireEnd) {
    pair_with_capacity(DEFAULT_CAPACITY)
}

/// [`pair`] with a chosen per-direction buffer.
pub fn pair_with_capacity(capacity: usize) -> (WireEnd, WireEnd) {
    let (a, b) = tokio::io::duplex(capacity);
    (Box::new(a), Box::new(b))
}
