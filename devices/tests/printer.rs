//! The simulated printer driven from the POS side of a pseudo-terminal with raw ESC/POS bytes,
//! and the same bodies on an in-memory pipe in virtual time where the timing is the point.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use posrig_devices::printer::{DrawerConfig, PinLevel, Printer, PrinterConfig, PrinterProfile};
use posrig_devices::{serve, DeviceEvent, DeviceHandle, ServeOptions};
use serde_json::{json, Value};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio_serial::SerialStream;

type Events = Arc<Mutex<Vec<DeviceEvent>>>;

/// A printer served on `wire`; returns its handle and the events it reported.
fn start<W>(config: PrinterConfig, wire: W) -> (DeviceHandle, Events)
where
    W: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let events = Events::default();
    let sink = events.clone();
    let handle = serve(
        Printer::new(config).expect("a valid printer config"),
        wire,
        Box::new(move |e| sink.lock().unwrap().push(e)),
        ServeOptions::default(),
    );
    (handle, events)
}

/// A printer on one end of a fresh pty; the other end is the POS's.
fn on_pty(config: PrinterConfig) -> (SerialStream, DeviceHandle, Events) {
    let (host, device) = SerialStream::pair().expect("open a pseudo-terminal pair");
    let (handle, events) = start(config, device);
    (host, handle, events)
}

/// Read exactly `n` bytes, or fail after a generous bound.
async fn read_n<R: AsyncRead + Unpin>(host: &mut R, n: usize) -> Vec<u8> {
    let mut buf = vec![0u8; n];
    tokio::time::timeout(Duration::from_secs(5), host.read_exact(&mut buf))
        .await
        .expect("bytes from the printer in time")
        .expect("read the wire");
    buf
}

/// Ask `10 04 n` and return the one-byte answer.
async fn dle_eot<H: AsyncRead + AsyncWrite + Unpin>(host: &mut H, n: u8) -> u8 {
    host.write_all(&[0x10, 0x04, n]).await.unwrap();
    read_n(host, 1).await[0]
}

/// Wait until the printer's state satisfies `pred`.
async fn wait_state(handle: &DeviceHandle, pred: impl FnMut(&Value) -> bool) -> Value {
    let mut state = handle.watch_state();
    let seen = tokio::time::timeout(Duration::from_secs(10), state.wait_for(pred))
        .await
        .expect("the printer reached the state in time")
        .expect("the printer task is running")
        .clone();
    seen
}

/// Epson with pin 3 LOW while the drawer is shut, the wiring the documented ASB frames assume.
fn pin3_low_when_shut() -> PrinterConfig {
    PrinterConfig {
        drawer: DrawerConfig {
            open_level: Some(PinLevel::High),
            ..DrawerConfig::default()
        },
        ..PrinterConfig::default()
    }
}

async fn paper_out_body<H: AsyncRead + AsyncWrite + Unpin>(
    host: &mut H,
    printer: &DeviceHandle,
    expect: u8,
) {
    assert_eq!(dle_eot(host, 4).await, 0x12);
    printer
        .fault_json(json!({"fault": "paper_out"}), true)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(dle_eot(host, 4).await, expect);
    assert_eq!(dle_eot(host, 2).await, 0x32);
    printer
        .act_json(json!({"action": "load_paper"}))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(dle_eot(host, 4).await, 0x12);
}

#[tokio::test]
async fn paper_out_reads_7e_on_epson_and_72_on_generic_over_a_pty() {
    for (profile, expect) in [
        (PrinterProfile::Epson, 0x7E),
        (PrinterProfile::Generic, 0x72),
    ] {
        let (mut host, printer, _) = on_pty(PrinterConfig {
            profile,
            ..PrinterConfig::default()
        });
        paper_out_body(&mut host, &printer, expect).await;
    }
}

#[tokio::test(start_paused = true)]
async fn paper_out_reads_the_same_on_a_memory_pipe() {
    let (mut host, device) = tokio::io::duplex(8192);
    let (printer, _) = start(PrinterConfig::default(), device);
    paper_out_body(&mut host, &printer, 0x7E).await;
}

#[tokio::test]
async fn handshake_expects_16_from_an_epson() {
    let (mut host, _printer, _) = on_pty(PrinterConfig::default());
    host.write_all(&[0x1B, 0x40, 0x1B, 0x3D, 0x01, 0x10, 0x04, 0x01])
        .await
        .unwrap();
    assert_eq!(read_n(&mut host, 1).await, [0x16]);
}

#[tokio::test]
async fn gs_a_sends_asb_at_once_and_again_when_the_cover_opens() {
    let (mut host, printer, _) = on_pty(pin3_low_when_shut());
    host.write_all(&[0x1D, 0x61, 0xFF]).await.unwrap();
    assert_eq!(read_n(&mut host, 4).await, [0x10, 0x00, 0x00, 0x00]);
    printer
        .act_json(json!({"action": "open_cover"}))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(read_n(&mut host, 4).await, [0x38, 0x00, 0x00, 0x00]);
    printer
        .act_json(json!({"action": "close_cover"}))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(read_n(&mut host, 4).await, [0x10, 0x00, 0x00, 0x00]);
    printer
        .fault_json(json!({"fault": "paper_out"}), true)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(read_n(&mut host, 4).await, [0x18, 0x00, 0x0F, 0x00]);
}

#[tokio::test]
async fn xoff_when_the_buffer_fills_offline_and_xon_after_recovery() {
    // A fast engine, so the 100 lines print quickly in real time.
    let (mut host, printer, _) = on_pty(PrinterConfig {
        print_speed_mm_s: 2000,
        ..PrinterConfig::default()
    });
    printer
        .fault_json(json!({"fault": "offline"}), true)
        .await
        .unwrap()
        .unwrap();
    // 100 lines of 40 bytes: the buffer passes 128 free bytes at line 99.
    let line = b"012345678901234567890123456789012345678\n";
    let data: Vec<u8> = line.repeat(100);
    host.write_all(&data).await.unwrap();
    assert_eq!(read_n(&mut host, 1).await, [0x13], "XOFF");
    // Real-time status still answers: offline (bit 3).
    assert_eq!(dle_eot(&mut host, 1).await, 0x1E);
    printer
        .fault_json(json!({"fault": "offline"}), false)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(read_n(&mut host, 1).await, [0x11], "XON");
    let state = wait_state(&printer, |s| s["lines_printed"] == 100).await;
    assert_eq!(state["buffer"]["lost_bytes"], 0);
}

#[tokio::test]
async fn text_and_cut_make_a_receipt_visible_in_the_snapshot() {
    let (mut host, printer, events) = on_pty(PrinterConfig::default());
    let mut bytes = Vec::new();
    bytes.extend_from_slice(b"\x1b@\x1ba\x01\x1b!\x38POSRIG MART\n\x1b!\x00");
    bytes.extend_from_slice(b"No. 1024        2025-01-31 10:15\n\x1ba\x00");
    for (item, price) in [("Milk 1L", "2.50"), ("Bread", "3.20")] {
        bytes.extend_from_slice(format!("{item:<40}{price:>8}\n").as_bytes());
    }
    bytes.extend_from_slice(format!("\x1bE\x01TOTAL\x1bE\x00{:>43}\n", "5.70").as_bytes());
    bytes.extend_from_slice(b"\x1ba\x01\x1dk\x02590123412345\x00");
    bytes.extend_from_slice(b"\x1d(k\x0b\x001P0pay/1024\x1d(k\x03\x001Q0");
    bytes.extend_from_slice(b"\x1bd\x03\x1dV\x42\x10");
    host.write_all(&bytes).await.unwrap();

    let state = wait_state(&printer, |s| s["receipts"][0]["id"] == 1).await;
    let receipt = &state["receipts"][0];
    let marked: Vec<&str> = receipt["marked"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l.as_str().unwrap())
        .collect();
    insta::assert_snapshot!("receipt_marked", marked.join("\n"));
    insta::assert_snapshot!("receipt_text", receipt["text"].as_str().unwrap());
    assert_eq!(receipt["cut"], "partial");
    assert_eq!(
        receipt["lines"][4]["spans"][0],
        json!({"text": "TOTAL", "bold": true, "underline": false, "width": 1, "height": 1})
    );
    let reported = events.lock().unwrap().iter().any(|e| {
        matches!(e, DeviceEvent::Action { name, detail }
            if name == "receipt" && detail.starts_with("receipt 1: 10 lines"))
    });
    assert!(reported, "a receipt event with id and line count");
}

#[tokio::test]
async fn a_kick_opens_the_drawer_and_close_drawer_closes_it() {
    // Epson default wiring: pin 3 HIGH while shut, LOW while open.
    let (mut host, printer, _) = on_pty(PrinterConfig::default());
    assert_eq!(dle_eot(&mut host, 1).await, 0x16);
    host.write_all(&[0x1B, 0x70, 0x00, 0x19, 0xFA])
        .await
        .unwrap();
    wait_state(&printer, |s| s["drawer"]["open"] == true).await;
    assert_eq!(dle_eot(&mut host, 1).await, 0x12);
    printer
        .act_json(json!({"action": "close_drawer"}))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(dle_eot(&mut host, 1).await, 0x16);

    // DLE DC4 acts at once; `GS r 2` reports pin 3 too.
    host.write_all(&[0x10, 0x14, 0x01, 0x00, 0x02])
        .await
        .unwrap();
    wait_state(&printer, |s| s["drawer"]["kicks"] == 2).await;
    host.write_all(&[0x1D, 0x72, 0x02]).await.unwrap();
    assert_eq!(read_n(&mut host, 1).await, [0x00]);
}

#[tokio::test]
async fn generic_wiring_reads_pin3_high_when_open() {
    let (mut host, printer, _) = on_pty(PrinterConfig {
        profile: PrinterProfile::Generic,
        ..PrinterConfig::default()
    });
    assert_eq!(dle_eot(&mut host, 1).await, 0x12);
    printer
        .act_json(json!({"action": "open_drawer"}))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(dle_eot(&mut host, 1).await, 0x16);
}

#[tokio::test]
async fn an_unplugged_printer_is_silent() {
    let (mut host, printer, _) = on_pty(PrinterConfig::default());
    printer
        .fault_json(json!({"fault": "unplugged"}), true)
        .await
        .unwrap()
        .unwrap();
    host.write_all(&[0x10, 0x04, 0x01]).await.unwrap();
    let mut buf = [0u8; 8];
    let got = tokio::time::timeout(Duration::from_millis(150), host.read(&mut buf)).await;
    assert!(got.is_err(), "no answer while unplugged");
    printer
        .fault_json(json!({"fault": "unplugged"}), false)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(dle_eot(&mut host, 1).await, 0x16);
}

#[tokio::test(start_paused = true)]
async fn printing_takes_exact_virtual_time() {
    let (mut host, device) = tokio::io::duplex(8192);
    let (printer, _) = start(PrinterConfig::default(), device);
    let t0 = tokio::time::Instant::now();
    host.write_all(&b"line\n".repeat(35)).await.unwrap();
    host.write_all(&[0x1D, 0x56, 0x00]).await.unwrap();
    wait_state(&printer, |s| s["receipts"][0]["id"] == 1).await;
    // 35 lines of 4.23 mm at 150 mm/s; the cut comes after the last line has moved out.
    assert_eq!(t0.elapsed(), Duration::from_micros(35 * 28_200));
}

#[tokio::test(start_paused = true)]
async fn the_drawer_closes_itself_after_the_configured_delay() {
    let (mut host, device) = tokio::io::duplex(8192);
    let (printer, _) = start(
        PrinterConfig {
            drawer: DrawerConfig {
                close_after_ms: Some(4000),
                ..DrawerConfig::default()
            },
            ..PrinterConfig::default()
        },
        device,
    );
    host.write_all(&[0x1B, 0x70, 0x00, 0x19, 0xFA])
        .await
        .unwrap();
    wait_state(&printer, |s| s["drawer"]["open"] == true).await;
    let opened = tokio::time::Instant::now();
    // The auto close emits an event, which refreshes the snapshot.
    wait_state(&printer, |s| s["drawer"]["open"] == false).await;
    assert_eq!(opened.elapsed(), Duration::from_secs(4));
}
