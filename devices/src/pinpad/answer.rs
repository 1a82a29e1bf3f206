//! The codes the pad puts in `A0`: `00` for an accepted command, and one refusal code per
//! reason, so the POS (and a test) can tell a wrong key check value from a busy pad.
//!
//! `K0`, `D0` and `X0` are always answered with `A0`; `S0` and `P0` are answered with the phase
//! they start (`E0 0`, `E0 7`) and with `A0` only when refused.

/// The command was carried out.
pub const ACCEPTED: &str = "00";
/// `K0`: the PIK's check value does not match the key that decrypted under the master key.
pub const BAD_KEY_CHECK_VALUE: &str = "01";
/// `P0`: no PIN key has been loaded, so no PIN block can be made.
pub const NO_PIN_KEY: &str = "02";
/// `S0`: a transaction is already under way.
pub const BUSY: &str = "03";
/// `P0` with no card read, or another command the current phase does not take.
pub const NOT_NOW: &str = "04";
/// The payload was not a message the pad takes (unknown id, bad field, a pad→POS message).
pub const BAD_MESSAGE: &str = "05";
