//! Pseudo-terminals with real bytes: an outside program opens the slave path, talks, closes,
//! reopens. Real time (it is a real OS device); timeouts only guard against hangs.

use posrig_sim::wire::pty::Pty;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::time::timeout;
use tokio_serial::SerialPortBuilderExt;

const GUARD: Duration = Duration::from_secs(10);

/// A device that answers every byte with its uppercase.
async fn upper_echo(mut end: posrig_sim::wire::WireEnd) {
    let mut buf = [0u8; 256];
    loop {
        let n = match end.read(&mut buf).await {
            Ok(0) | Err(_) => return,
            Ok(n) => n,
        };
        buf[..n].make_ascii_uppercase();
        if end.write_all(&buf[..n]).await.is_err() {
            return;
        }
    }
}

async fn talk(path: &str, msg: &[u8]) -> Vec<u8> {
    let mut port = tokio_serial::new(path, 9600)
        .open_native_async()
        .expect("open the pty slave like a serial port");
    port.write_all(msg).await.unwrap();
    let mut got = vec![0u8; msg.len()];
    timeout(GUARD, port.read_exact(&mut got))
        .await
        .expect("reply in time")
        .unwrap();
    got
}

#[tokio::test]
async fn outside_program_talks_closes_and_reopens() {
    let pty = Pty::open().unwrap();
    let path = pty.path().to_str().unwrap().to_owned();
    assert!(path.starts_with("/dev/"), "{path}");
    let device = tokio::spawn(upper_echo(pty.into_end()));

    assert_eq!(
        talk(&path, b"hello\x00\x1b\xff").await,
        b"HELLO\x00\x1b\xff"
    );
    // The client closed; the device keeps serving the next one. serialport opens exclusively
    // (TIOCEXCL), which the pty keeper clears; as root the kernel ignores it anyway.
    let mut reply = None;
    for _ in 0..20 {
        if let Ok(mut port) = tokio_serial::new(&path, 9600).open_native_async() {
            port.write_all(b"again").await.unwrap();
            let mut got = vec![0u8; 5];
            timeout(GUARD, port.read_exact(&mut got))
                .await
                .expect("reply")
                .unwrap();
            reply = Some(got);
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(reply.as_deref(), Some(&b"AGAIN"[..]));
    assert!(
        !device.is_finished(),
        "device must survive client disconnects"
    );
    device.abort();
}

#[tokio::test]
async fn device_can_speak_first() {
    let pty = Pty::open().unwrap();
    let path = pty.path().to_str().unwrap().to_owned();
    let mut port = tokio_serial::new(&path, 115_200)
        .open_native_async()
        .unwrap();
    let mut end = pty.into_end();
    end.write_all(b"\x02READY\x03").await.unwrap();
    let mut got = [0u8; 7];
    timeout(GUARD, port.read_exact(&mut got))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(&got, b"\x02READY\x03");
}
