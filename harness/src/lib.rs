//! The posrig harness: rigs, serving simulated devices to outside programs with a local control
//! API, and the `posrig` CLI's commands.

pub mod control_api;
pub mod exit_codes;
pub mod hosts;
pub mod rig;
pub mod serve;
