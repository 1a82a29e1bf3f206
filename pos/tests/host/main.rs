//! The host clients against scripted hosts in the test: the acquirer client over in-memory
//! wires (virtual time where timeouts matter) and real TCP on 127.0.0.1, and the QR client over
//! in-memory HTTP/1.1.

mod acquirer;
mod acquirer_host;
mod qr;
mod qr_host;
mod rig;
