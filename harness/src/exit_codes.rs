//! The `posrig` process exit codes, documented in one place.

/// Everything ran and every expectation and threshold held.
pub const OK: i32 = 0;
/// A scenario failed or a threshold was broken.
pub const FAILED: i32 = 1;
/// The input was invalid (a file that does not parse, an unknown key, a missing port), or the
/// command could not start.
pub const INVALID_INPUT: i32 = 2;
/// Interrupted by the user (Ctrl-C) before the run finished.
pub const INTERRUPTED: i32 = 130;
