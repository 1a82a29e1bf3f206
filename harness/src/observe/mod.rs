//! Wire-level observation of a scenario run: the latencies of the standard operations, taken
//! only from what the devices and host wires report (device frames and state snapshots on the
//! event bus, host round trips timed by the host simulators), never from the POS's memory.
//!
//! - [`clocks`]: [`WireClocks`], a state machine fed every event of a run in bus order that
//!   starts and stops the clocks of the device-side operations.
//! - [`host`]: [`RttSamples`], a host observer that keeps each request → response time measured
//!   on the host's end of its wire (acquirer and wallet host).
//!
//! # Operation definitions
//!
//! Every latency is the difference of two event times on the run's clock (virtual time in a
//! virtual run). "The display changes" means a `device_state` snapshot of the customer display
//! whose two lines differ from the previous snapshot's; the *result line* is its first line.
//!
//! | operation | starts at | ends at |
//! |---|---|---|
//! | `scan_to_display` | the scanner sends a code frame (not a wallet code `]Q…`) | the next display change |
//! | `key_to_display` | the keyboard sends a key frame | the next display change (keys sent in the same instant are all answered by it) |
//! | `card_auth` | the PIN pad sends card data (`C0 …`: chip, tap or swipe; the last card presented counts) | the first display change whose result line is not a card prompt (`INSERT/SWIPE/TAP`, `READING CARD`, `ENTER PIN`, `AUTHORISING`, `PLEASE WAIT`, `INSERT CHIP CARD`) |
//! | `pin_to_result` | the PIN pad sends the PIN result (`P1 …`) | as `card_auth` |
//! | `host_rtt` | the acquirer or wallet host has read a whole request | it has written the response (timed by the host simulator on its wire; requests never answered give no sample) |
//! | `qr_pay` | the scanner sends a wallet code (`]Q…`) | the first display change whose result line is not `QR PAYMENT` or `PLEASE WAIT` |
//! | `receipt` | tender done: the result line first shows a tender result (`APPROVED`, `APPROVED OFFLINE`, `PAID`, `CARD/QR PAID`, `CHANGE`, `REFUND APPROVED`, `REFUND PAID`) since the last cut | the printer reports a receipt cut |
//! | `checkout` | the first item scan since the last cut (or the run's start) | the printer reports a receipt cut |
//! | `sign_on` | the keyboard sends `SIGNON` | the first display change whose result line is not `SIGNING ON` |
//! | `settlement` | the keyboard sends `SETTLE` | the first display change whose result line is not `SETTLING` |
//!
//! An operation whose end never shows (the run ends first, or a newer start of the same
//! operation replaces it) gives no sample. A scan or key that has not changed the display when
//! the next input arrives (a key at a later instant, a scan, a card or PIN from the pad) changed
//! nothing visible and gives no sample either, so a later input's effect is never credited to it; a decline is a result like an approval and is
//! measured the same way. The start-up sign-on of the lane is not measured: it has no start
//! event on any wire.

pub mod clocks;
pub mod host;

pub use clocks::{Sample, WireClocks};
pub use host::RttSamples;
