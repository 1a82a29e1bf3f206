//! `pos-terminal` as a process: a bad configuration or a missing port exits 2 with the reason
//! on stderr, and SIGTERM stops a running terminal cleanly (exit 0). Real processes, so real
//! time; the waits are failure guards, not timing assertions.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

const BIN: &str = env!("CARGO_BIN_EXE_pos-terminal");

fn data_dir() -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../scenarios/data")
        .display()
        .to_string()
}

fn config(dir: &Path, devices: &str, extra: &str) -> std::path::PathBuf {
    let text = format!(
        "terminal_id: \"LANE0001\"\nmerchant_id: \"898310048990001\"\n\
         master_key: \"CA5D92598DCA48CE8A4C76361A9269E9\"\ndata: {}\n\
         journal: {}\ndevices: {devices}\nhosts:\n  acquirer: \"127.0.0.1:9\"\n{extra}",
        data_dir(),
        dir.join("journal/LANE0001.db").display(),
    );
    let path = dir.join("pos-terminal.yaml");
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn unknown_key_in_the_config_exits_2_and_names_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = config(dir.path(), "{}", "colour: blue\n");
    let out = Command::new(BIN)
        .arg("--config")
        .arg(&path)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("colour"), "{stderr}");
}

#[test]
fn missing_config_file_and_missing_port_exit_2_with_the_reason() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(BIN)
        .arg("--config")
        .arg(dir.path().join("nope.yaml"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("nope.yaml"));
    let path = config(
        dir.path(),
        "{ printer: { serial: { path: /dev/ttyPOSRIG_NONE } } }",
        "",
    );
    let out = Command::new(BIN)
        .arg("--config")
        .arg(&path)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("/dev/ttyPOSRIG_NONE"), "{stderr}");
}

#[test]
fn sigterm_stops_a_running_terminal_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let path = config(dir.path(), "{}", "");
    let mut child = Command::new(BIN)
        .arg("--config")
        .arg(&path)
        .env("RUST_LOG", "info")
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let mut started = false;
    while let Ok(line) = rx.recv_timeout(Duration::from_secs(60)) {
        if line.contains("lane started") {
            started = true;
            break;
        }
    }
    assert!(started, "the lane never started");
    let killed = Command::new("kill")
        .arg("-TERM")
        .arg(child.id().to_string())
        .status()
        .unwrap();
    assert!(killed.success());
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(0));
    assert!(
        dir.path().join("journal/LANE0001.db").exists(),
        "journal created"
    );
}
