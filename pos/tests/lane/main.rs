//! Whole lanes (`pos::lane::spawn_lane`) driven only through their wires with raw protocol
//! bytes: keyboard lines, scanner frames, PIN pad frames, printer status replies, the display's
//! command bytes, ISO 8583 frames and wallet HTTP. Virtual time (tokio paused) for the timers.

#[path = "../host/acquirer_host.rs"]
#[allow(dead_code)]
mod acquirer_host;
#[path = "../host/qr_host.rs"]
#[allow(dead_code)]
mod qr_host;

mod devices;
mod payments;
mod rig;
mod voids;
