//! event — being written.
