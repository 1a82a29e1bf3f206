//! Integration tests of the reports crate, one binary: recording, interval log, merge, output
//! files and the Prometheus endpoint.

mod fixture;
mod interval_log;
mod merge;
mod outputs;
mod percentiles;
mod prometheus;
