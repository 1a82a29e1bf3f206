//! scale — being written.
