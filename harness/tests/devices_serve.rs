//! `posrig devices serve` end to end: the real binary, real pseudo-terminals opened as serial
//! ports by this test (a separate program as far as the devices know), and the control API over
//! real HTTP on 127.0.0.1.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::Value;

struct Served {
    child: Child,
    ports: Value,
    control: String,
}

fn serve(rig: &str) -> Served {
    let mut child = Command::new(env!("CARGO_BIN_EXE_posrig"))
        .args(["devices", "serve", "--rig", rig])
        .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start posrig");
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut ports = serde_json::Map::new();
    let control = loop {
        let line = lines.next().expect("posrig printed its ports").unwrap();
        let v: Value = serde_json::from_str(&line).expect("one JSON object per line");
        let role = v["role"].as_str().unwrap().to_string();
        if role == "control" {
            break v["url"]
                .as_str()
                .unwrap()
                .trim_start_matches("http://")
                .to_string();
        }
        ports.insert(role, v["port"].clone());
    };
    Served {
        child,
        ports: Value::Object(ports),
        control,
    }
}

fn http(addr: &str, method: &str, path: &str, body: Option<&Value>) -> (u16, Value) {
    let mut stream = TcpStream::connect(addr).unwrap();
    let body = body.map(|b| b.to_string()).unwrap_or_default();
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let status: u16 = response[9..12].parse().unwrap();
    let json = response.split("\r\n\r\n").nth(1).unwrap_or("null");
    (status, serde_json::from_str(json).unwrap_or(Value::Null))
}

fn open_port(path: &str) -> Box<dyn serialport::SerialPort> {
    serialport::new(path, 115_200)
        .timeout(Duration::from_millis(200))
        .open()
        .unwrap_or_else(|e| panic!("open {path}: {e}"))
}

fn read_until(port: &mut dyn serialport::SerialPort, want: usize, limit: Duration) -> Vec<u8> {
    let mut got = Vec::new();
    let start = std::time::Instant::now();
    let mut buf = [0u8; 256];
    while got.len() < want && start.elapsed() < limit {
        match port.read(&mut buf) {
            Ok(n) => got.extend_from_slice(&buf[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::TimedOut => {}
            Err(e) => panic!("read: {e}"),
        }
    }
    got
}

fn stop(mut served: Served) {
    let pid = served.child.id().to_string();
    let status = Command::new("kill").args(["-INT", &pid]).status().unwrap();
    assert!(status.success());
    let exit = served.child.wait().unwrap();
    assert!(
        exit.success(),
        "posrig should exit cleanly on Ctrl-C, got {exit:?}"
    );
}

#[test]
fn printer_receipt_and_scanner_frame_through_ptys_and_the_control_api() {
    let served = serve("scenarios/rigs/virtual.yaml");
    for role in [
        "printer", "scanner", "pinpad", "display", "keyboard", "scale",
    ] {
        assert!(
            served.ports[role]
                .as_str()
                .is_some_and(|p| p.starts_with("/dev/")),
            "{role} has a port: {}",
            served.ports
        );
    }

    // A separate program prints a receipt: init, bold title, two lines, a full cut.
    let mut printer = open_port(served.ports["printer"].as_str().unwrap());
    let mut job = vec![0x1B, 0x40, 0x1B, 0x45, 0x01];
    job.extend_from_slice(b"POSRIG TEST STORE\n");
    job.extend_from_slice(&[0x1B, 0x45, 0x00]);
    job.extend_from_slice(b"Milk 1L            6.50\nTOTAL              6.50\n");
    job.extend_from_slice(&[0x1D, 0x56, 0x00]);
    printer.write_all(&job).unwrap();
    // The real-time status request is answered at once: all clear with pin 3 HIGH (epson).
    printer.write_all(&[0x10, 0x04, 0x01]).unwrap();
    assert_eq!(
        read_until(&mut *printer, 1, Duration::from_secs(5)),
        vec![0x16]
    );

    let mut receipt = Value::Null;
    for _ in 0..100 {
        let (status, printer_state) = http(&served.control, "GET", "/devices/printer", None);
        assert_eq!(status, 200);
        if let Some(r) = printer_state["state"]["receipts"]
            .as_array()
            .and_then(|r| r.last())
        {
            receipt = r.clone();
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let text = receipt["text"]
        .as_str()
        .expect("a rendered receipt in the printer's state");
    assert!(text.contains("POSRIG TEST STORE"), "{text}");
    assert!(text.contains("TOTAL              6.50"), "{text}");
    let marked = receipt["marked"].to_string();
    assert!(
        marked.contains("POSRIG TEST STORE"),
        "bold title is marked: {marked}"
    );

    // A scan through the control API makes the scanner's pty emit the framed code.
    let mut scanner = open_port(served.ports["scanner"].as_str().unwrap());
    let (status, _) = http(
        &served.control,
        "POST",
        "/devices/scanner/actions",
        Some(&serde_json::json!({"action": "scan", "code": "5901234123457"})),
    );
    assert_eq!(status, 200);
    let frame = read_until(&mut *scanner, 17, Duration::from_secs(5));
    assert_eq!(frame, b"]E05901234123457\r");

    // Bad requests are answered, not crashed on.
    let (status, body) = http(
        &served.control,
        "POST",
        "/devices/scanner/actions",
        Some(&serde_json::json!({"action": "scna"})),
    );
    assert_eq!(status, 400, "{body}");
    let (status, _) = http(&served.control, "GET", "/devices/toaster", None);
    assert_eq!(status, 404);

    stop(served);
}
