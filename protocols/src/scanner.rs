//! scanner — being written.
