//! The simulated world around the POS: clock (real or virtual), seeded randomness, events and the
//! event log, wires with impairments, the test data files, and the payment host simulators.

pub mod acquirer;
pub mod clock;
pub mod data;
pub mod event;
pub mod qrhost;
pub mod rng;
pub mod wire;
