//! Customer display: two fitted lines, written only on change.

use posrig_pos::driver::display;
use posrig_protocols::display::show_lines;

use super::support::{drain, read_n, wire};

#[tokio::test(start_paused = true)]
async fn writes_only_when_the_screen_changes() {
    let (port, mut dev) = wire();
    let (display, _events) = display::spawn(port);
    assert!(display.show("APPLES", "1.25").await.unwrap());
    let expected = show_lines("APPLES", "1.25");
    assert_eq!(read_n(&mut dev, expected.len()).await, expected);
    // The same text again, even padded differently: nothing on the wire.
    assert!(!display.show("APPLES", "1.25").await.unwrap());
    assert!(!display.show("APPLES              ", "1.25").await.unwrap());
    assert!(drain(&mut dev).await.is_empty());
    // Longer lines are cut to 20 characters.
    assert!(display
        .show("A VERY LONG PRODUCT NAME", "TOTAL 12.50")
        .await
        .unwrap());
    let expected = show_lines("A VERY LONG PRODUCT ", "TOTAL 12.50");
    assert_eq!(read_n(&mut dev, expected.len()).await, expected);
    assert!(display.clear().await.unwrap());
    assert_eq!(read_n(&mut dev, 1).await, [0x0C]);
    assert!(!display.clear().await.unwrap());
    assert!(drain(&mut dev).await.is_empty());
}

#[tokio::test(start_paused = true)]
async fn a_reconnected_display_is_shown_its_screen_again() {
    use std::sync::Arc;
    use std::time::Duration;

    use posrig_pos::driver::display::DisplayEvent;
    use posrig_pos::driver::{DeviceHealth, Port};
    use tokio::io::DuplexStream;
    use tokio::sync::{mpsc, Mutex};

    use super::support::next;

    // Each connect hands the driver the next wire the test has made.
    let (wires_tx, wires_rx) = mpsc::unbounded_channel::<DuplexStream>();
    let wires_rx = Arc::new(Mutex::new(wires_rx));
    let connector = move || {
        let wires_rx = wires_rx.clone();
        async move {
            wires_rx
                .lock()
                .await
                .recv()
                .await
                .ok_or_else(|| std::io::Error::other("no more wires"))
        }
    };
    let (pos, mut dev) = tokio::io::duplex(4096);
    wires_tx.send(pos).unwrap();
    let port = Port::reconnecting(connector, Duration::from_secs(1));
    let (display, mut events) = display::spawn(port);
    assert_eq!(
        next(&mut events).await,
        DisplayEvent::Health(DeviceHealth::Healthy)
    );
    // A freshly opened display is brought to the wanted screen: blank.
    assert_eq!(read_n(&mut dev, 1).await, [0x0C]);
    display.show("HELLO", "").await.unwrap();
    let expected = show_lines("HELLO", "");
    assert_eq!(read_n(&mut dev, expected.len()).await, expected);

    drop(dev);
    assert_eq!(
        next(&mut events).await,
        DisplayEvent::Health(DeviceHealth::Disconnected)
    );
    let (pos, mut dev) = tokio::io::duplex(4096);
    wires_tx.send(pos).unwrap();
    assert_eq!(
        next(&mut events).await,
        DisplayEvent::Health(DeviceHealth::Healthy)
    );
    assert_eq!(read_n(&mut dev, expected.len()).await, expected);
}
