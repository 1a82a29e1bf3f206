//! Wires and waits shared by the driver tests.

use std::time::Duration;

use posrig_pos::driver::Port;
use tokio::io::{AsyncReadExt, DuplexStream};
use tokio::sync::mpsc::UnboundedReceiver;
use tokio::time::Instant;

/// A driver's port and the device's end of the wire.
pub fn wire() -> (Port, DuplexStream) {
    let (pos, device) = tokio::io::duplex(64 * 1024);
    (Port::new(pos), device)
}

/// The next event, failing the test after a minute of (virtual) silence.
pub async fn next<T>(rx: &mut UnboundedReceiver<T>) -> T {
    tokio::time::timeout(Duration::from_secs(60), rx.recv())
        .await
        .expect("an event within 60 s")
        .expect("the driver is running")
}

/// Exactly `n` bytes from the device end, within a minute.
pub async fn read_n(dev: &mut DuplexStream, n: usize) -> Vec<u8> {
    let mut buf = vec![0u8; n];
    tokio::time::timeout(Duration::from_secs(60), dev.read_exact(&mut buf))
        .await
        .expect("bytes within 60 s")
        .expect("the wire is open");
    buf
}

/// Whatever the device end has received by now (lets every ready task run first).
pub async fn drain(dev: &mut DuplexStream) -> Vec<u8> {
    tokio::task::yield_now().await;
    let mut out = Vec::new();
    let mut buf = [0u8; 4096];
    while let Ok(Ok(n)) = tokio::time::timeout(Duration::from_millis(1), dev.read(&mut buf)).await {
        if n == 0 {
            break;
        }
        out.extend_from_slice(&buf[..n]);
    }
    out
}

/// Milliseconds since `start`.
pub fn ms_since(start: Instant) -> u128 {
    (Instant::now() - start).as_millis()
}
