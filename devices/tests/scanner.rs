//! The simulated scanner driven through a pseudo-terminal from the host side with raw bytes, the
//! way a POS driver sees it.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use posrig_devices::scanner::{AckNakConfig, Scanner, ScannerConfig, ScannerFault, TriggerMode};
use posrig_devices::{serve, DeviceEvent, DeviceHandle, ServeOptions};
use posrig_protocols::scanner::validate;
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio_serial::SerialStream;

/// A scanner served on one end of a fresh pty; the other end is the host's.
fn start(config: ScannerConfig) -> (SerialStream, DeviceHandle, Arc<Mutex<Vec<DeviceEvent>>>) {
    let (host, device) = SerialStream::pair().expect("open a pseudo-terminal pair");
    let events = Arc::new(Mutex::new(Vec::new()));
    let sink = events.clone();
    let handle = serve(
        Scanner::new(config),
        device,
        Box::new(move |e| sink.lock().unwrap().push(e)),
        ServeOptions::default(),
    );
    (host, handle, events)
}

/// Read exactly `n` bytes, or fail after a generous real-time bound.
async fn read_n(host: &mut SerialStream, n: usize) -> Vec<u8> {
    let mut buf = vec![0u8; n];
    tokio::time::timeout(Duration::from_secs(5), host.read_exact(&mut buf))
        .await
        .expect("bytes from the scanner in time")
        .expect("read the pty");
    buf
}

/// Assert nothing arrives for a while.
async fn expect_silence(host: &mut SerialStream) {
    let mut buf = [0u8; 64];
    let got = tokio::time::timeout(Duration::from_millis(150), host.read(&mut buf)).await;
    assert!(
        got.is_err(),
        "unexpected bytes: {:?}",
        got.map(|r| r.map(|n| buf[..n].to_vec()))
    );
}

#[tokio::test]
async fn host_trigger_mode_sends_only_after_trigger_on() {
    let (mut host, scanner, _) = start(ScannerConfig {
        trigger: TriggerMode::Host,
        ..ScannerConfig::default()
    });
    scanner
        .act_json(json!({"action": "scan", "code": "5901234123457"}))
        .await
        .unwrap()
        .unwrap();
    expect_silence(&mut host).await;
    host.write_all(&[0x16, 0x54, 0x0D]).await.unwrap();
    assert_eq!(read_n(&mut host, 17).await, b"]E05901234123457\r");

    host.write_all(&[0x16, 0x55, 0x0D]).await.unwrap();
    // Wait until the scanner has heard the trigger-off before the next scan.
    let mut state = scanner.watch_state();
    tokio::time::timeout(
        Duration::from_secs(5),
        state.wait_for(|s| s["reading"] == false),
    )
    .await
    .unwrap()
    .unwrap();
    scanner
        .act_json(json!({"action": "scan", "code": "96385074"}))
        .await
        .unwrap()
        .unwrap();
    expect_silence(&mut host).await;
}

#[tokio::test]
async fn ack_nak_mode_resends_on_nak() {
    let (mut host, scanner, _) = start(ScannerConfig {
        ack_nak: AckNakConfig {
            enabled: true,
            max_tries: 3,
            timeout_ms: 5000,
        },
        ..ScannerConfig::default()
    });
    scanner
        .act_json(json!({"action": "scan_many", "codes": ["96385074", "036000291452"]}))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(read_n(&mut host, 12).await, b"]E496385074\r");
    expect_silence(&mut host).await;
    host.write_all(&[0x15]).await.unwrap();
    assert_eq!(read_n(&mut host, 12).await, b"]E496385074\r");
    host.write_all(&[0x06]).await.unwrap();
    assert_eq!(read_n(&mut host, 16).await, b"]E0036000291452\r");
    host.write_all(&[0x06]).await.unwrap();
    expect_silence(&mut host).await;
}

#[tokio::test]
async fn misread_fault_sends_a_code_whose_check_digit_fails() {
    let (mut host, scanner, events) = start(ScannerConfig::default());
    scanner
        .fault_json(json!({"fault": "misread"}), true)
        .await
        .unwrap()
        .unwrap();
    scanner
        .act_json(json!({"action": "scan", "code": "5901234123457"}))
        .await
        .unwrap()
        .unwrap();
    let frame = read_n(&mut host, 17).await;
    assert_eq!(&frame[..3], b"]E0");
    let data = std::str::from_utf8(&frame[3..16]).unwrap();
    assert!(
        validate(data).is_err(),
        "{data} should fail its check digit"
    );
    // One-shot: the next scan is clean.
    scanner
        .act_json(json!({"action": "scan", "code": "5901234123457"}))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(read_n(&mut host, 17).await, b"]E05901234123457\r");
    let events = events.lock().unwrap();
    assert!(events
        .iter()
        .any(|e| matches!(e, DeviceEvent::FaultInjected { fault } if fault == "misread")));
}

#[tokio::test]
async fn double_read_no_read_and_unplugged_through_the_handle() {
    let (mut host, scanner, _) = start(ScannerConfig::default());
    scanner
        .fault(&ScannerFault::DoubleRead {}, true)
        .await
        .unwrap();
    scanner
        .act_json(json!({"action": "scan", "code": "96385074"}))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(read_n(&mut host, 24).await, b"]E496385074\r]E496385074\r");
    scanner
        .fault(&ScannerFault::DoubleRead {}, false)
        .await
        .unwrap();

    for fault in [ScannerFault::NoRead {}, ScannerFault::Unplugged {}] {
        scanner.fault(&fault, true).await.unwrap();
        scanner
            .act_json(json!({"action": "scan", "code": "96385074"}))
            .await
            .unwrap()
            .unwrap();
        expect_silence(&mut host).await;
        scanner.fault(&fault, false).await.unwrap();
    }
    assert_eq!(scanner.state()["faults"], json!([]));
}

#[tokio::test]
async fn bad_requests_are_refused_with_a_clear_error() {
    let (_host, scanner, _) = start(ScannerConfig::default());
    let err = scanner
        .act_json(json!({"action": "scan", "code": "a\rb"}))
        .await
        .unwrap()
        .unwrap_err();
    assert!(err.to_string().contains("suffix"), "{err}");
    let err = scanner
        .act_json(json!({"action": "wave"}))
        .await
        .unwrap()
        .unwrap_err();
    assert!(err.to_string().contains("scanner"), "{err}");
}
