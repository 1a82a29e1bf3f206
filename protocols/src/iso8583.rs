//! iso8583 — being written.
