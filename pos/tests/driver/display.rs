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
