//! The PIN pad driver; written next.
