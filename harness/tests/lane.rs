//! The embedded lane end to end: the POS stack driven only through simulated devices on
//! in-memory wires, with the acquirer and wallet simulators behind in-memory connectors, in
//! virtual time. Assertions read the devices' snapshots and the acquirer's ledger.

mod support;

use posrig_devices::pinpad::PinPadAction;
use posrig_sim::acquirer::{EntryState, LedgerKind};

use support::{Devices, TERMINAL_ID};

/// Waits for the start-up sign-on, then logs in.
async fn ready(d: &Devices) {
    d.wait_display("SIGNED ON").await;
    d.login().await;
}

async fn insert_card_and_pin(d: &Devices, card: &str) {
    d.wait_display("INSERT/SWIPE/TAP").await;
    d.pad(PinPadAction::Insert { card: card.into() }).await;
    d.wait_display("ENTER PIN").await;
    d.pad(PinPadAction::EnterPin { pin: None }).await;
}

#[tokio::test(flavor = "current_thread", start_paused = true)]
async fn cash_sale_prints_a_receipt_and_opens_the_drawer() {
    let dir = tempfile::tempdir().unwrap();
    let w = support::start(&dir.path().join("journal.db"));
    let d = &w.devices;
    ready(d).await;

    d.scan("6901234100006").await;
    assert_eq!(d.wait_display("Whole milk 1L").await.1, "12.50");
    d.keys("TOTAL").await;
    assert_eq!(d.wait_display("TOTAL").await.1, "12.50");
    d.keys("20 CASH").await;
    assert_eq!(d.wait_display("CHANGE").await.1, "7.50");
    let receipts = d.wait_receipts(1).await;
    assert!(receipts[0].contains("Whole milk 1L"), "{}", receipts[0]);
    assert!(d.drawer_open(), "the drawer was kicked open");

    // The next sale waits for the drawer.
    d.scan("6901234100006").await;
    d.wait_display("CLOSE DRAWER").await;
    d.close_drawer().await;
    d.wait_display("NEXT CUSTOMER").await;
    assert!(w.acquirer.control().ledger().entries().is_empty());
    w.lane.shutdown().await.unwrap();
}

#[tokio::test(flavor = "current_thread", start_paused = true)]
async fn chip_card_sale_with_pin_is_approved_and_in_the_ledger() {
    let dir = tempfile::tempdir().unwrap();
    let w = support::start(&dir.path().join("journal.db"));
    let d = &w.devices;
    ready(d).await;

    d.scan("6901234100006").await;
    d.scan("6901241100372").await;
    d.wait_display("Skim milk 1L").await;
    d.keys("TOTAL").await;
    assert_eq!(d.wait_display("TOTAL").await.1, "24.30");
    d.keys("CARD").await;
    insert_card_and_pin(d, "chip-ok").await;
    assert_eq!(d.wait_display("APPROVED").await.1, "THANK YOU");
    let receipts = d.wait_receipts(1).await;
    assert!(receipts[0].contains("0017"), "masked PAN on the receipt");
    assert!(
        !receipts[0].contains("6222021000000000017"),
        "no full PAN on the receipt"
    );

    let ledger = w.acquirer.control().ledger();
    let purchases: Vec<_> = ledger
        .entries()
        .iter()
        .filter(|e| e.terminal_id == TERMINAL_ID && e.kind == LedgerKind::Purchase)
        .collect();
    assert_eq!(purchases.len(), 1, "{purchases:?}");
    assert_eq!(purchases[0].amount_minor, 2430);
    assert_eq!(purchases[0].state, EntryState::Approved);
    assert!(
        receipts[0].contains(&purchases[0].rrn),
        "RRN on the receipt"
    );
    w.lane.shutdown().await.unwrap();
}

#[tokio::test(flavor = "current_thread", start_paused = true)]
async fn declined_51_then_paid_by_cash() {
    let dir = tempfile::tempdir().unwrap();
    let w = support::start(&dir.path().join("journal.db"));
    let d = &w.devices;
    ready(d).await;

    d.scan("6901234100006").await;
    d.wait_display("Whole milk 1L").await;
    d.keys("TOTAL").await;
    d.wait_display("TOTAL").await;
    d.keys("CARD").await;
    insert_card_and_pin(d, "chip-low-balance").await;
    assert_eq!(d.wait_display("INSUFFICIENT FUNDS").await.1, "DECLINED 51");
    d.pad(PinPadAction::Remove {}).await;

    d.keys("CASH").await;
    d.wait_display("CHANGE").await;
    let receipts = d.wait_receipts(1).await;
    assert!(receipts[0].contains("12.50"));
    let ledger = w.acquirer.control().ledger();
    assert!(
        ledger.entries().iter().all(|e| !e.is_standing()),
        "nothing standing at the host: {:?}",
        ledger.entries()
    );
    w.lane.shutdown().await.unwrap();
}

#[tokio::test(flavor = "current_thread", start_paused = true)]
async fn settlement_after_card_sales_is_balanced() {
    let dir = tempfile::tempdir().unwrap();
    let w = support::start(&dir.path().join("journal.db"));
    let d = &w.devices;
    ready(d).await;

    for _ in 0..2 {
        d.scan("6901234100006").await;
        d.wait_display("Whole milk 1L").await;
        d.keys("TOTAL").await;
        d.wait_display("TOTAL").await;
        d.keys("CARD").await;
        insert_card_and_pin(d, "chip-ok").await;
        d.wait_display("APPROVED").await;
        d.pad(PinPadAction::Remove {}).await;
    }
    d.wait_receipts(2).await;
    d.keys("SETTLE").await;
    let (_, batch) = d.wait_display("SETTLED").await;
    assert!(batch.starts_with("BATCH"), "{batch}");
    d.wait_receipts(3).await;
    let standing = w
        .acquirer
        .control()
        .ledger()
        .entries()
        .iter()
        .filter(|e| e.is_standing())
        .count();
    assert_eq!(standing, 2);
    w.lane.shutdown().await.unwrap();
}
