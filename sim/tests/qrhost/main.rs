//! QR wallet host integration tests: every behaviour over TCP on 127.0.0.1, idempotent orders,
//! reverse, rules, and user-paying in virtual time over an in-memory stream.

mod behaviours;
mod support;
mod virtual_time;
