//! Wire and impairment tests, in virtual time unless the wire is a real OS object (pty, TCP).

mod damage;
mod faults;
mod pty;
mod schedule;
mod tcp;
mod timing;

use posrig_sim::wire::WireEnd;
use std::time::Duration;
use tokio::io::AsyncReadExt;
use tokio::time::Instant;

/// Reads exactly `n` bytes and returns them with the virtual time the last one arrived.
pub async fn read_n(end: &mut WireEnd, n: usize) -> (Vec<u8>, Instant) {
    let mut buf = vec![0u8; n];
    end.read_exact(&mut buf).await.expect("read");
    (buf, Instant::now())
}

/// Reads until `n` bytes arrived, returning each read's bytes and arrival time.
pub async fn reads_until(end: &mut WireEnd, n: usize) -> Vec<(Vec<u8>, Instant)> {
    let mut reads = Vec::new();
    let mut total = 0;
    let mut buf = vec![0u8; 64 * 1024];
    while total < n {
        let got = end.read(&mut buf).await.expect("read");
        assert!(got > 0, "unexpected EOF after {total} of {n} bytes");
        total += got;
        reads.push((buf[..got].to_vec(), Instant::now()));
    }
    reads
}

/// Whether nothing arrives within `window` (virtual time).
pub async fn silent_for(end: &mut WireEnd, window: Duration) -> bool {
    let mut byte = [0u8; 1];
    tokio::time::timeout(window, end.read(&mut byte))
        .await
        .is_err()
}

pub fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}
