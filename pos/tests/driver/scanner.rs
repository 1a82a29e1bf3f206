//! Scanner: frames to scans, ACK/NAK mode, trigger commands.

use posrig_pos::driver::scanner::{self, ScannerDriverConfig, ScannerEvent};
use posrig_pos::driver::DeviceHealth;
use posrig_protocols::scanner::{Scan, ScanFrameError, Symbology};
use tokio::io::AsyncWriteExt;

use super::support::{drain, next, read_n, wire};

#[tokio::test(start_paused = true)]
async fn ack_mode_acknowledges_every_scan_and_naks_a_broken_frame() {
    let (port, mut dev) = wire();
    let config = ScannerDriverConfig {
        ack_nak: true,
        ..ScannerDriverConfig::default()
    };
    let (_scanner, mut events) = scanner::spawn(port, config);
    // Byte by byte, as a slow serial line delivers it.
    for &b in b"]E05901234123457\r" {
        dev.write_all(&[b]).await.unwrap();
    }
    assert_eq!(
        next(&mut events).await,
        ScannerEvent::Scan(Scan {
            symbology: Some(Symbology::Ean13),
            data: "5901234123457".into()
        })
    );
    assert_eq!(read_n(&mut dev, 1).await, [0x06]);
    // A wrong check digit is still a complete frame: ACKed, the application validates it.
    dev.write_all(b"]E05901234123458\r").await.unwrap();
    assert!(matches!(next(&mut events).await, ScannerEvent::Scan(_)));
    assert_eq!(read_n(&mut dev, 1).await, [0x06]);
    // A frame without its AIM id is line noise: NAK, so the scanner sends it again.
    dev.write_all(b"5901234123457\r").await.unwrap();
    assert_eq!(
        next(&mut events).await,
        ScannerEvent::BadFrame(ScanFrameError::MissingAimId)
    );
    assert_eq!(read_n(&mut dev, 1).await, [0x15]);
    dev.write_all(b"]C0ABC-123\r").await.unwrap();
    assert_eq!(
        next(&mut events).await,
        ScannerEvent::Scan(Scan {
            symbology: Some(Symbology::Code128),
            data: "ABC-123".into()
        })
    );
    assert_eq!(read_n(&mut dev, 1).await, [0x06]);
}

#[tokio::test(start_paused = true)]
async fn without_ack_mode_nothing_is_answered_and_triggers_are_sent() {
    let (port, mut dev) = wire();
    let (scanner, mut events) = scanner::spawn(port, ScannerDriverConfig::default());
    dev.write_all(b"]E05901234123457\r").await.unwrap();
    assert!(matches!(next(&mut events).await, ScannerEvent::Scan(_)));
    assert!(drain(&mut dev).await.is_empty());
    scanner.trigger_on().await.unwrap();
    scanner.trigger_off().await.unwrap();
    assert_eq!(
        read_n(&mut dev, 6).await,
        [0x16, 0x54, 0x0D, 0x16, 0x55, 0x0D]
    );
    drop(dev);
    assert_eq!(
        next(&mut events).await,
        ScannerEvent::Health(DeviceHealth::Disconnected)
    );
    assert!(scanner.trigger_on().await.is_err());
}
