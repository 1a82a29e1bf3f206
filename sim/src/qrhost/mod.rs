//! qrhost — being written.
