//! escpos — being written.
