//! The terminal core driven with raw-ish inputs (keys, scans, pad messages, host outcomes), no
//! I/O: selling, tenders, approvals, end of day, recovery, and the display contract of
//! `pos/TERMINAL.md`.

mod admin;
mod card;
mod qr;
mod recovery;
mod selling;
mod support;
mod void;
