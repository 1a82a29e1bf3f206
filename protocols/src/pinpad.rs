//! pinpad — being written.
