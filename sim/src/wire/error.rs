//! Wire errors — failures to open or connect a wire, with the path or address involved.

use std::net::SocketAddr;

/// Errors opening wires.
#[derive(Debug, thiserror::Error)]
pub enum WireError {
    #[error("open a pseudo-terminal pair")]
    Pty {
        #[source]
        source: tokio_serial::Error,
    },
    #[error("open serial port `{path}` at {baud} baud {frame}")]
    SerialOpen {
        path: String,
        baud: u32,
        frame: String,
        #[source]
        source: tokio_serial::Error,
    },
    #[error("connect to `{addr}`")]
    TcpConnect {
        addr: String,
        #[source]
        source: std::io::Error,
    },
    #[error("listen on `{addr}`")]
    TcpListen {
        addr: String,
        #[source]
        source: std::io::Error,
    },
    #[error("accept a connection on {addr}")]
    TcpAccept {
        addr: SocketAddr,
        #[source]
        source: std::io::Error,
    },
    #[error("prepare a reset handle for a TCP connection")]
    TcpResetHandle {
        #[source]
        source: std::io::Error,
    },
}
