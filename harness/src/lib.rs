//! The posrig harness: the scenario language, rigs, serving simulated devices to outside
//! programs with a local control API, and the `posrig` CLI's commands.

pub mod check;
pub mod control_api;
pub mod diagnostic;
pub mod exit_codes;
pub mod hosts;
pub mod load;
pub mod observe;
pub mod rig;
pub mod run;
pub mod scenario;
pub mod schema;
pub mod serve;
