//! Keyboard: key lines, garbage skipped.

use posrig_pos::driver::keyboard::{self, KeyboardEvent};
use posrig_protocols::keyboard::{Key, KeyError};
use tokio::io::AsyncWriteExt;

use super::support::{next, wire};

#[tokio::test(start_paused = true)]
async fn keys_decode_and_garbage_is_reported_and_skipped() {
    let (port, mut dev) = wire();
    let (_keyboard, mut events) = keyboard::spawn(port);
    dev.write_all(b"1\r00\rBOGUS\r").await.unwrap();
    dev.write_all(&[0xFF; 40]).await.unwrap();
    dev.write_all(b"\rENTER\r\nTOTAL\r").await.unwrap();
    assert_eq!(next(&mut events).await, KeyboardEvent::Key(Key::Digit1));
    assert_eq!(next(&mut events).await, KeyboardEvent::Key(Key::DoubleZero));
    assert_eq!(
        next(&mut events).await,
        KeyboardEvent::Garbage(KeyError::UnknownKey("BOGUS".into()))
    );
    assert_eq!(
        next(&mut events).await,
        KeyboardEvent::Garbage(KeyError::LineTooLong)
    );
    assert_eq!(next(&mut events).await, KeyboardEvent::Key(Key::Enter));
    assert_eq!(next(&mut events).await, KeyboardEvent::Key(Key::Total));
}
