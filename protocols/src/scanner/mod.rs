//! Barcode scanner (PROTOCOLS.md §2) — being written.
