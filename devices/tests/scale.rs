//! The simulated scale asked for its weight from the POS side of a pseudo-terminal.

use std::time::Duration;

use posrig_devices::scale::{Scale, ScaleConfig};
use posrig_devices::{serve, DeviceHandle, ServeOptions};
use serde_json::json;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio_serial::SerialStream;

fn start<W>(config: ScaleConfig, wire: W) -> DeviceHandle
where
    W: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    serve(
        Scale::new(config),
        wire,
        Box::new(|_| {}),
        ServeOptions::default(),
    )
}

async fn weigh<H: AsyncRead + AsyncWrite + Unpin>(host: &mut H, n: usize) -> Vec<u8> {
    host.write_all(b"W").await.unwrap();
    let mut buf = vec![0u8; n];
    tokio::time::timeout(Duration::from_secs(5), host.read_exact(&mut buf))
        .await
        .expect("a reply from the scale in time")
        .expect("read the wire");
    buf
}

#[tokio::test]
async fn w_gets_the_weight_or_the_motion_status() {
    let (mut host, device) = SerialStream::pair().expect("open a pseudo-terminal pair");
    let scale = start(
        ScaleConfig {
            settle_ms: None,
            ..ScaleConfig::default()
        },
        device,
    );
    assert_eq!(weigh(&mut host, 8).await, b"\x0200.000\x0d");
    scale
        .act_json(json!({"action": "place", "grams": 1250}))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(weigh(&mut host, 4).await, [0x02, 0x3F, 0x01, 0x0D]);
    scale
        .act_json(json!({"action": "settle"}))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(weigh(&mut host, 8).await, b"\x0201.250\x0d");
    scale
        .fault_json(json!({"fault": "over_capacity"}), true)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(weigh(&mut host, 4).await, [0x02, 0x3F, 0x02, 0x0D]);
}

#[tokio::test(start_paused = true)]
async fn a_load_settles_after_the_configured_time() {
    let (mut host, device) = tokio::io::duplex(256);
    let scale = start(ScaleConfig::default(), device);
    scale
        .act_json(json!({"action": "place", "grams": 480}))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(weigh(&mut host, 4).await, [0x02, 0x3F, 0x01, 0x0D]);
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(weigh(&mut host, 8).await, b"\x0200.480\x0d");
}
