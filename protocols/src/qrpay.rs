//! qrpay — being written.
