//! Devices through a whole lane: a device that stops answering is reported on the display and
//! cleared when it answers again, the pad and drawer timers, paper out while the drawer is
//! closed, and a garbled EAN asked to be scanned again.

use posrig_protocols::pinpad::PadMessage;

use crate::rig::Rig;

#[tokio::test(start_paused = true)]
async fn printer_that_stops_answering_is_reported_and_cleared_when_back() {
    let mut rig = Rig::new().await;
    rig.login_cashier().await;
    rig.printer.lock().unwrap().answering = false;
    assert_eq!(
        rig.until_shown("DEVICE PRINTER").await,
        ("DEVICE PRINTER".into(), "NOT RESPONDING".into())
    );
    rig.printer.lock().unwrap().answering = true;
    rig.until("the message cleared", |r| r.shown().0 != "DEVICE PRINTER")
        .await;
    // And the lane sells and prints as before.
    rig.cash_sale().await;
    rig.until("the receipt printed", |r| {
        r.printed().contains("Whole milk 1L")
    })
    .await;
}

#[tokio::test(start_paused = true)]
async fn pad_that_stops_answering_ends_the_card_flow_and_works_when_back() {
    let mut rig = Rig::new().await;
    rig.login_cashier().await;
    rig.pad.lock().unwrap().answering = false;
    rig.scan_ean("6901234100006").await;
    rig.keys("TOTAL CARD").await;
    assert_eq!(
        rig.until_shown("DEVICE PINPAD").await,
        ("DEVICE PINPAD".into(), "NOT RESPONDING".into())
    );
    rig.pad.lock().unwrap().answering = true;
    rig.keys("CARD").await;
    rig.until_shown("INSERT/SWIPE/TAP").await;
    rig.insert_chip().await;
    rig.pin_ok().await;
    rig.until_shown("APPROVED").await;
}

#[tokio::test(start_paused = true)]
async fn no_card_within_60_s_times_out_and_aborts_the_pad() {
    let mut rig = Rig::new().await;
    rig.login_cashier().await;
    rig.scan_ean("6901234100006").await;
    rig.keys("TOTAL CARD").await;
    assert_eq!(rig.shown().0, "INSERT/SWIPE/TAP");
    assert_eq!(
        rig.until_shown("CARD TIMEOUT").await,
        ("CARD TIMEOUT".into(), "CHOOSE TENDER".into())
    );
    assert!(rig.pad_got(|m| matches!(m, PadMessage::Abort)));
    rig.keys("CASH").await;
    assert_eq!(rig.shown().0, "CHANGE");
}

#[tokio::test(start_paused = true)]
async fn drawer_left_open_is_asked_to_close_and_blocks_the_next_sale() {
    let mut rig = Rig::new().await;
    rig.login_cashier().await;
    rig.scan_ean("6901234100006").await;
    rig.keys("TOTAL 20 CASH").await;
    rig.until("the drawer opened", |r| {
        r.printer.lock().unwrap().drawer_open
    })
    .await;
    rig.until_shown("PLEASE CLOSE DRAWER").await;
    rig.scan_ean("6901234100006").await;
    assert_eq!(rig.shown(), ("CLOSE DRAWER".into(), "FIRST".into()));
    rig.close_drawer();
    rig.until_shown("NEXT CUSTOMER").await;
    rig.scan_ean("6901234100006").await;
    assert_eq!(rig.shown(), ("Whole milk 1L".into(), "12.50".into()));
}

#[tokio::test(start_paused = true)]
async fn paper_out_stays_shown_when_the_drawer_closes_and_the_receipt_finishes_after() {
    let mut rig = Rig::new().await;
    rig.login_cashier().await;
    rig.printer.lock().unwrap().paper_out = true;
    rig.scan_ean("6901234100006").await;
    rig.keys("TOTAL 20 CASH").await;
    assert_eq!(
        rig.until_shown("PAPER OUT").await,
        ("PAPER OUT".into(), "LOAD PAPER".into())
    );
    assert_eq!(
        rig.journal().completed_sales().unwrap().len(),
        1,
        "complete before its receipt"
    );
    rig.until("the drawer opened", |r| {
        r.printer.lock().unwrap().drawer_open
    })
    .await;
    rig.close_drawer();
    tokio::time::sleep(std::time::Duration::from_secs(2)).await;
    assert_eq!(rig.shown(), ("PAPER OUT".into(), "LOAD PAPER".into()));
    assert!(!rig.printed().contains("Whole milk 1L"));
    rig.printer.lock().unwrap().paper_out = false;
    rig.until("the receipt printed", |r| {
        r.printed().contains("Whole milk 1L")
    })
    .await;
    rig.until("the message cleared", |r| r.shown().0 != "PAPER OUT")
        .await;
}

#[tokio::test(start_paused = true)]
async fn garbled_or_misread_ean_asks_to_rescan() {
    let mut rig = Rig::new().await;
    rig.login_cashier().await;
    // A digit garbled into another byte on the cable, and a wrong check digit.
    rig.scan_ean("6901:30120006").await;
    assert_eq!(rig.shown(), ("RESCAN".into(), String::new()));
    rig.scan_ean("6901234100005").await;
    assert_eq!(rig.shown(), ("RESCAN".into(), String::new()));
    // A Code 128 that is not in the catalog is an unknown item, not a misread.
    rig.scan("]C0", "ABC-123").await;
    assert_eq!(rig.shown(), ("UNKNOWN ITEM".into(), "ABC-123".into()));
    rig.scan_ean("6901234100006").await;
    assert_eq!(rig.shown(), ("Whole milk 1L".into(), "12.50".into()));
}

#[tokio::test(start_paused = true)]
async fn member_card_scanned_at_the_member_prompt_is_not_a_misread() {
    let mut rig = Rig::new().await;
    rig.login_cashier().await;
    // Loyalty card numbers carry no EAN check digit, though the scanner reads them as EAN-13.
    rig.keys("MEMBER").await;
    rig.scan_ean("8800000000011").await;
    assert_eq!(rig.shown().0, "Wang Fang");
    rig.scan_ean("8800000000011").await;
    assert_eq!(rig.shown(), ("RESCAN".into(), String::new()));
}
