//! acquirer — being written.
