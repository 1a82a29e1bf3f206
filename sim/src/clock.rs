//! clock — being written.
