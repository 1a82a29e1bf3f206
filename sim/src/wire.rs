//! wire — being written.
