//! Determinism of the simulated devices: the same bytes and actions at the same virtual times
//! give the same events, the same state snapshots and the same answers, in two fresh runtimes.
//! A device that walks a `HashMap` where order shows (faults, receipts, buffers), reads the wall
//! clock, or draws unseeded randomness breaks this test.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use posrig_devices::printer::{Printer, PrinterAction};
use posrig_devices::scanner::{Scanner, ScannerAction};
use posrig_devices::{serve, DeviceEvent, ServeOptions};
use posrig_sim::clock::{build_runtime, TimeMode};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// A receipt with a cut and a drawer kick, status polls, the cover opened and closed, paper
/// reloaded, and two scans; returns every event, each state snapshot seen, and the bytes the
/// devices answered, as text.
fn session() -> String {
    let runtime = build_runtime(TimeMode::Virtual).unwrap();
    runtime.block_on(async {
        let events = Arc::new(Mutex::new(Vec::<DeviceEvent>::new()));
        let sink = |events: &Arc<Mutex<Vec<DeviceEvent>>>| {
            let events = events.clone();
            Box::new(move |e| events.lock().unwrap().push(e))
        };
        let (mut pos, wire) = tokio::io::duplex(8192);
        let printer = serve(
            Printer::new(Default::default()).unwrap(),
            wire,
            sink(&events),
            ServeOptions::default(),
        );
        let (mut pos_scanner, wire) = tokio::io::duplex(8192);
        let scanner = serve(
            Scanner::new(Default::default()),
            wire,
            sink(&events),
            ServeOptions::default(),
        );
        let mut states = Vec::new();
        let mut answers = Vec::new();
        let mut receipt = b"\x1b@\x1ba\x01POSRIG MART\n\x1ba\x00".to_vec();
        for i in 0..12 {
            receipt.extend(format!("Item {i:02}            {i}.50\n").as_bytes());
        }
        receipt.extend(b"\x1dV\x42\x00\x1bp\x00\x19\xfa");
        pos.write_all(&receipt).await.unwrap();
        for n in 1..=4u8 {
            pos.write_all(&[0x10, 0x04, n]).await.unwrap();
            let mut b = [0u8; 1];
            pos.read_exact(&mut b).await.unwrap();
            answers.push(b[0]);
        }
        tokio::time::sleep(Duration::from_secs(2)).await;
        states.push(printer.state().to_string());
        for action in [
            PrinterAction::OpenCover,
            PrinterAction::CloseCover,
            PrinterAction::CloseDrawer {
                after_ms: Some(300),
            },
            PrinterAction::LoadPaper { mm: Some(5_000) },
        ] {
            printer.act(&action).await.unwrap();
            tokio::time::sleep(Duration::from_millis(500)).await;
            states.push(printer.state().to_string());
        }
        for code in ["6901234100006", "96385074"] {
            let scan = ScannerAction::Scan {
                code: code.into(),
                symbology: None,
            };
            scanner.act(&scan).await.unwrap();
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        let mut scanned = [0u8; 64];
        let n = pos_scanner.read(&mut scanned).await.unwrap();
        states.push(scanner.state().to_string());
        let events = events.lock().unwrap();
        format!(
            "{events:#?}\nstates:\n{}\nanswers: {answers:?}\nscanned: {:?}",
            states.join("\n"),
            String::from_utf8_lossy(&scanned[..n])
        )
    })
}

#[test]
fn the_same_session_twice_gives_the_same_events_states_and_answers() {
    let first = session();
    let second = session();
    assert!(first.contains("POSRIG MART"), "{first}");
    assert!(first.contains("6901234100006"), "{first}");
    if first != second {
        let at = first
            .lines()
            .zip(second.lines())
            .position(|(a, b)| a != b)
            .unwrap_or(0);
        panic!(
            "diverged at line {at}:\n  first:  {:?}\n  second: {:?}",
            first.lines().nth(at),
            second.lines().nth(at)
        );
    }
}
