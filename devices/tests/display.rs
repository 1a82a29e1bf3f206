//! The simulated customer display driven from the POS side of a pseudo-terminal with raw bytes.

use std::time::Duration;

use posrig_devices::display::CustomerDisplay;
use posrig_devices::{serve, DeviceHandle, ServeOptions};
use serde_json::{json, Value};
use tokio::io::AsyncWriteExt;
use tokio_serial::SerialStream;

fn on_pty() -> (SerialStream, DeviceHandle) {
    let (host, device) = SerialStream::pair().expect("open a pseudo-terminal pair");
    let handle = serve(
        CustomerDisplay::new(),
        device,
        Box::new(|_| {}),
        ServeOptions::default(),
    );
    (host, handle)
}

async fn wait_lines(handle: &DeviceHandle, top: &str, bottom: &str) -> Value {
    let want = json!([format!("{top:<20}"), format!("{bottom:<20}")]);
    let mut state = handle.watch_state();
    let seen = tokio::time::timeout(
        Duration::from_secs(5),
        state.wait_for(|s| s["lines"] == want),
    )
    .await
    .unwrap_or_else(|_| panic!("screen never showed {want}, last {}", handle.state()))
    .expect("the display task is running")
    .clone();
    seen
}

#[tokio::test]
async fn clear_and_text_show_on_the_screen() {
    let (mut host, display) = on_pty();
    host.write_all(b"\x0cHELLO").await.unwrap();
    let state = wait_lines(&display, "HELLO", "").await;
    assert_eq!(state["cursor"], json!({"col": 6, "row": 1}));

    host.write_all(b"\x1f\x24\x01\x02TOTAL      12.50\x0b*")
        .await
        .unwrap();
    wait_lines(&display, "*ELLO", "TOTAL      12.50").await;
}

#[tokio::test]
async fn blank_hides_the_text_until_cleared() {
    let (mut host, display) = on_pty();
    host.write_all(b"\x0cWELCOME").await.unwrap();
    wait_lines(&display, "WELCOME", "").await;
    display
        .fault_json(json!({"fault": "blank"}), true)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(display.state()["lines"][0], " ".repeat(20));
    display
        .fault_json(json!({"fault": "blank"}), false)
        .await
        .unwrap()
        .unwrap();
    wait_lines(&display, "WELCOME", "").await;
}
