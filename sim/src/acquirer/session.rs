//! One connection — read bytes, split frames, answer each in turn (after any delay a rule asks
//! for), measure `host_rtt`, and close on a broken length prefix, an idle peer or a rule.

use std::sync::Arc;

use posrig_protocols::iso8583::FrameDecoder;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::time::Instant;

use super::dispatch;
use super::server::Shared;

/// Serves one connection until the peer closes it, it goes idle, or its framing breaks.
/// Requests on one connection are answered in order, as a terminal sends them.
pub(crate) async fn run<S>(shared: Arc<Shared>, mut stream: S)
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let mut decoder = FrameDecoder::new();
    let mut buf = vec![0u8; 4096];
    loop {
        loop {
            let payload = match decoder.next_payload() {
                Ok(Some(payload)) => payload,
                Ok(None) => break,
                Err(err) => {
                    shared.observer.note(&format!("closing connection: {err}"));
                    let _ = stream.shutdown().await;
                    return;
                }
            };
            let received = Instant::now();
            let reply = dispatch::process(&shared, &payload);
            if !reply.delay.is_zero() {
                tokio::time::sleep(reply.delay).await;
            }
            if let Some(bytes) = reply.bytes {
                if stream.write_all(&bytes).await.is_err() || stream.flush().await.is_err() {
                    return;
                }
                shared.observer.host_rtt(received.elapsed());
            }
            if reply.close {
                let _ = stream.shutdown().await;
                return;
            }
        }
        let n = match tokio::time::timeout(shared.idle_timeout, stream.read(&mut buf)).await {
            Ok(Ok(n)) if n > 0 => n,
            Ok(_) => return,
            Err(_) => {
                shared.observer.note("closing idle connection");
                let _ = stream.shutdown().await;
                return;
            }
        };
        decoder.push(&buf[..n]);
    }
}
