//! The simulated POS keyboard read from the POS side of a pseudo-terminal.

use std::time::Duration;

use posrig_devices::keyboard::{Keyboard, KeyboardConfig};
use posrig_devices::{serve, DeviceHandle, ServeOptions};
use serde_json::json;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite};
use tokio_serial::SerialStream;

fn start<W>(wire: W) -> DeviceHandle
where
    W: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    serve(
        Keyboard::new(KeyboardConfig::default()),
        wire,
        Box::new(|_| {}),
        ServeOptions::default(),
    )
}

async fn read_n<R: AsyncRead + Unpin>(host: &mut R, n: usize) -> Vec<u8> {
    let mut buf = vec![0u8; n];
    tokio::time::timeout(Duration::from_secs(5), host.read_exact(&mut buf))
        .await
        .expect("bytes from the keyboard in time")
        .expect("read the wire");
    buf
}

#[tokio::test]
async fn press_total_emits_total_cr() {
    let (mut host, device) = SerialStream::pair().expect("open a pseudo-terminal pair");
    let keyboard = start(device);
    keyboard
        .act_json(json!({"action": "press", "key": "TOTAL"}))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(read_n(&mut host, 6).await, b"TOTAL\r");
}

#[tokio::test]
async fn typing_a_string_and_a_list_send_the_same_lines() {
    let (mut host, device) = SerialStream::pair().expect("open a pseudo-terminal pair");
    let keyboard = start(device);
    keyboard
        .act_json(json!({"action": "type", "keys": "12 PLU"}))
        .await
        .unwrap()
        .unwrap();
    keyboard
        .act_json(json!({"action": "type", "keys": ["1", "2", "PLU"]}))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(read_n(&mut host, 16).await, b"1\r2\rPLU\r1\r2\rPLU\r");
    let bad = keyboard
        .act_json(json!({"action": "type", "keys": "12 PUL"}))
        .await
        .unwrap();
    assert!(bad.unwrap_err().to_string().contains("PUL"));
}

#[tokio::test(start_paused = true)]
async fn human_typing_is_paced_in_virtual_time() {
    let (mut host, device) = tokio::io::duplex(1024);
    let keyboard = start(device);
    let t0 = tokio::time::Instant::now();
    keyboard
        .act_json(json!({"action": "type", "keys": "3 QTY", "delay_ms": 250}))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(read_n(&mut host, 2).await, b"3\r");
    assert_eq!(t0.elapsed(), Duration::ZERO);
    assert_eq!(read_n(&mut host, 4).await, b"QTY\r");
    assert_eq!(t0.elapsed(), Duration::from_millis(250));
}

#[tokio::test(start_paused = true)]
async fn a_stuck_key_repeats_and_chatter_doubles() {
    let (mut host, device) = tokio::io::duplex(1024);
    let keyboard = start(device);
    keyboard
        .fault_json(json!({"fault": "stuck_key", "key": "9"}), true)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(read_n(&mut host, 6).await, b"9\r9\r9\r");
    keyboard
        .fault_json(json!({"fault": "stuck_key", "key": "9"}), false)
        .await
        .unwrap()
        .unwrap();
    keyboard
        .fault_json(json!({"fault": "chatter"}), true)
        .await
        .unwrap()
        .unwrap();
    keyboard
        .act_json(json!({"action": "press", "key": "CASH"}))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(read_n(&mut host, 10).await, b"CASH\rCASH\r");
}
