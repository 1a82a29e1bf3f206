//! keyboard — being written.
