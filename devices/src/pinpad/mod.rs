//! The simulated card reader and PIN pad (PROTOCOLS.md §3): test cards inserted, swiped or
//! tapped, PINs typed and sent only as PIN blocks under the loaded working key, over the
//! STX/ETX/LRC link with its ACKs and retries, with chip, cable and line faults.
//!
//! - [`config`]: master key, PIN timeout, link timings, EMV terminal values.
//! - [`action`] and [`fault`]: what a person does and what goes wrong, as JSON-shaped data.
//! - [`session`]: one transaction's state machine (phases, screen, card, PIN prompt).
//! - [`reader`]: a card read as a `C0`, with chip data under the card's ICC key.
//! - [`keys`]: the master key, the working PIN key and PIN blocks.
//! - [`answer`]: the `A0` codes.
//! - [`summary`]: log-safe summaries of messages for events.
//! - [`device`]: [`PinPad`], the link and the wire faults around the session.
//!
//! No full PAN, track 2 or PIN ever reaches an event, a snapshot or an error: PANs appear as
//! first 6 + last 4, and a PIN leaves the pad only as an encrypted PIN block.

pub mod action;
pub mod answer;
pub mod config;
pub mod device;
pub mod fault;
pub mod keys;
pub mod reader;
pub mod session;
pub mod summary;

pub use action::PinPadAction;
pub use config::{LinkTimings, PinPadConfig, PinPadConfigError, DEFAULT_MASTER_KEY};
pub use device::PinPad;
pub use fault::PinPadFault;
pub use session::Phase;
