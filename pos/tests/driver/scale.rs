//! Scale: weigh requests, motion retries, typed errors, silence.

use std::time::Duration;

use posrig_pos::driver::scale::{self, ScaleConfig, ScaleEvent};
use posrig_pos::driver::{DeviceHealth, DriverError};
use tokio::io::AsyncWriteExt;
use tokio::time::Instant;

use super::support::{ms_since, next, read_n, wire};

#[tokio::test(start_paused = true)]
async fn motion_is_retried_until_the_weight_is_stable() {
    let t0 = Instant::now();
    let (port, mut dev) = wire();
    let (scale, _events) = scale::spawn(port, ScaleConfig::default());
    let call = tokio::spawn({
        let scale = scale.clone();
        async move { scale.read_weight().await }
    });
    for i in 0..2u128 {
        assert_eq!(read_n(&mut dev, 1).await, b"W");
        assert_eq!(ms_since(t0), i * 200);
        dev.write_all(&[0x02, b'?', 0x01, 0x0D]).await.unwrap();
    }
    assert_eq!(read_n(&mut dev, 1).await, b"W");
    assert_eq!(ms_since(t0), 400);
    dev.write_all(b"\x0201.250\r").await.unwrap();
    assert_eq!(call.await.unwrap().unwrap(), 1250);
}

#[tokio::test(start_paused = true)]
async fn endless_motion_and_bad_loads_are_typed_errors() {
    let (port, mut dev) = wire();
    let config = ScaleConfig {
        motion_tries: 3,
        ..ScaleConfig::default()
    };
    let (scale, _events) = scale::spawn(port, config);
    let call = tokio::spawn({
        let scale = scale.clone();
        async move { scale.read_weight().await }
    });
    for _ in 0..3 {
        assert_eq!(read_n(&mut dev, 1).await, b"W");
        dev.write_all(&[0x02, b'?', 0x01, 0x0D]).await.unwrap();
    }
    let r = call.await.unwrap();
    assert!(
        matches!(r, Err(DriverError::InMotion { tries: 3 })),
        "{r:?}"
    );

    for (status, check) in [(0x02u8, "over" as &str), (0x04, "under")] {
        let call = tokio::spawn({
            let scale = scale.clone();
            async move { scale.read_weight().await }
        });
        assert_eq!(read_n(&mut dev, 1).await, b"W");
        dev.write_all(&[0x02, b'?', status, 0x0D]).await.unwrap();
        let r = call.await.unwrap();
        match check {
            "over" => assert!(matches!(r, Err(DriverError::OverCapacity)), "{r:?}"),
            _ => assert!(matches!(r, Err(DriverError::UnderZero)), "{r:?}"),
        }
    }
}

#[tokio::test(start_paused = true)]
async fn a_silent_scale_times_out_and_is_reported() {
    let t0 = Instant::now();
    let (port, mut dev) = wire();
    let (scale, mut events) = scale::spawn(port, ScaleConfig::default());
    let call = tokio::spawn({
        let scale = scale.clone();
        async move { scale.read_weight().await }
    });
    assert_eq!(read_n(&mut dev, 1).await, b"W");
    assert_eq!(read_n(&mut dev, 1).await, b"W");
    assert_eq!(ms_since(t0), 500);
    let r = call.await.unwrap();
    assert!(matches!(r, Err(DriverError::Timeout { .. })), "{r:?}");
    assert_eq!(ms_since(t0), 1000);
    assert_eq!(
        next(&mut events).await,
        ScaleEvent::Health(DeviceHealth::NotResponding)
    );
    // It answers again.
    let call = tokio::spawn({
        let scale = scale.clone();
        async move { scale.read_weight().await }
    });
    assert_eq!(read_n(&mut dev, 1).await, b"W");
    tokio::time::sleep(Duration::from_millis(50)).await;
    dev.write_all(b"\x0200.000\r").await.unwrap();
    assert_eq!(call.await.unwrap().unwrap(), 0);
    assert_eq!(
        next(&mut events).await,
        ScaleEvent::Health(DeviceHealth::Healthy)
    );
}
