//! The posrig harness: rigs, the local control API of served devices, and the `posrig` CLI's
//! commands.

pub mod control_api;
