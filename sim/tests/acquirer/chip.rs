//! Chip purchases: the host verifies the ARQC in field 55 under the card's ICC key, as the
//! simulated PIN pad computes it; a bad cryptogram or a chip read without chip data is `05`.

use posrig_protocols::iso8583::{check_response, ResponseCode};
use posrig_protocols::pinpad::{EmvTxnType, Field55, IccData};
use posrig_sim::acquirer::{EntryState, LedgerKind};

use crate::support::*;

fn code(frame: &posrig_protocols::iso8583::Frame) -> ResponseCode {
    frame.message.response_code().expect("field 39")
}

fn card_file_entry(name: &str) -> posrig_sim::data::Card {
    cards().by_name(name).unwrap().clone()
}

/// Field 55 as the pad builds it for `name`'s first chip read of a fresh pad.
fn pad_field55(name: &str, amount: u64) -> Vec<u8> {
    let card = card_file_entry(name);
    pad_icc_data(&card, amount, 1, 1).encode_field55(&card.icc_key())
}

#[tokio::test]
async fn pad_built_field55_verifies_and_the_purchase_is_approved() {
    let (acq, server) = start().await;
    let mut lane = Lane::connect(server.local_addr(), "LANE0101").await;
    lane.sign_on().await;
    let before = acq.control().card("chip-ok").unwrap().balance_minor;
    let f55 = pad_field55("chip-ok", 1_234);
    // The bytes read back and verify on their own, as the pad's own tests check.
    let parsed = Field55::parse(&f55).unwrap();
    let key = card_file_entry("chip-ok").icc_key();
    assert!(parsed.data.verify_arqc(&key, parsed.arqc));

    let pin = pin_of("chip-ok");
    let card = lane.chip_card("chip-ok", Some(&pin), f55);
    assert_eq!(card.entry_mode, "051");
    let p = lane.purchase(1_234, &card);
    let frame = lane.exchange(p.clone()).await;
    assert_eq!(code(&frame), ResponseCode::Approved);
    check_response(&p, &frame.message).unwrap();
    assert!(frame.message.verify_mac(lane.mak()));
    let e = acq
        .control()
        .ledger()
        .find("LANE0101", lane.batch, p.stan().unwrap())
        .cloned()
        .unwrap();
    assert_eq!(
        (e.kind, e.state, e.amount_minor),
        (LedgerKind::Purchase, EntryState::Approved, 1_234)
    );
    assert_eq!(
        acq.control().card("chip-ok").unwrap().balance_minor,
        before - 1_234
    );
}

#[tokio::test]
async fn contactless_read_with_pad_field55_is_approved() {
    let (_acq, server) = start().await;
    let mut lane = Lane::connect(server.local_addr(), "LANE0102").await;
    lane.sign_on().await;
    let card_data = card_file_entry("tap-ok");
    let f55 = pad_icc_data(&card_data, 88, 3, 7).encode_field55(&card_data.icc_key());
    let mut card = lane.chip_card("tap-ok", None, f55);
    card.entry_mode = "072".into();
    let p = lane.purchase(88, &card);
    assert_eq!(code(&lane.exchange(p).await), ResponseCode::Approved);
}

#[tokio::test]
async fn tampered_arqc_is_declined_05_with_no_effect() {
    let (acq, server) = start().await;
    let mut lane = Lane::connect(server.local_addr(), "LANE0103").await;
    lane.sign_on().await;
    let before = acq.control().card("chip-ok").unwrap().balance_minor;
    let good = pad_field55("chip-ok", 500);
    // Flip one bit of the ARQC: 9F26 comes first, its value starts at byte 3.
    assert_eq!(&good[..3], &[0x9F, 0x26, 0x08]);
    let mut bad = good.clone();
    bad[3] ^= 0x01;
    let card = lane.chip_card("chip-ok", None, bad);
    let p = lane.purchase(500, &card);
    let frame = lane.exchange(p.clone()).await;
    assert_eq!(code(&frame), ResponseCode::DoNotHonour);
    check_response(&p, &frame.message).unwrap();
    assert!(acq.control().ledger().entries().is_empty());
    assert_eq!(acq.control().card("chip-ok").unwrap().balance_minor, before);
}

#[tokio::test]
async fn chip_data_that_does_not_describe_the_request_is_declined_05() {
    let (acq, server) = start().await;
    let mut lane = Lane::connect(server.local_addr(), "LANE0104").await;
    lane.sign_on().await;
    let chip_ok = card_file_entry("chip-ok");
    // A valid cryptogram for 500, sent with field 4 = 5000.
    let card = lane.chip_card("chip-ok", None, pad_field55("chip-ok", 500));
    let p = lane.purchase(5_000, &card);
    assert_eq!(code(&lane.exchange(p).await), ResponseCode::DoNotHonour);
    // Another card's cryptogram (right data, wrong key).
    let other = card_file_entry("tap-ok");
    let f55 = pad_icc_data(&other, 500, 1, 1).encode_field55(&other.icc_key());
    let card = lane.chip_card("chip-ok", None, f55);
    let p = lane.purchase(500, &card);
    assert_eq!(code(&lane.exchange(p).await), ResponseCode::DoNotHonour);
    // A refund cryptogram presented for a purchase.
    let refund = IccData {
        txn_type: EmvTxnType::Refund,
        ..pad_icc_data(&chip_ok, 500, 2, 2)
    };
    let card = lane.chip_card("chip-ok", None, refund.encode_field55(&chip_ok.icc_key()));
    let p = lane.purchase(500, &card);
    assert_eq!(code(&lane.exchange(p).await), ResponseCode::DoNotHonour);
    assert!(acq.control().ledger().entries().is_empty());
}

#[tokio::test]
async fn chip_entry_without_field55_is_05_and_swipe_needs_none() {
    let (acq, server) = start().await;
    let mut lane = Lane::connect(server.local_addr(), "LANE0105").await;
    lane.sign_on().await;
    for mode in ["051", "052", "071", "072"] {
        let mut card = lane.card("chip-ok", None);
        card.entry_mode = mode.into();
        assert!(card.icc_data.is_none());
        let p = lane.purchase(100, &card);
        assert_eq!(
            code(&lane.exchange(p).await),
            ResponseCode::DoNotHonour,
            "entry mode {mode}"
        );
    }
    assert!(acq.control().ledger().entries().is_empty());
    for mode in ["022", "802"] {
        let mut card = lane.card("chip-ok", None);
        card.entry_mode = mode.into();
        let p = lane.purchase(100, &card);
        assert_eq!(
            code(&lane.exchange(p).await),
            ResponseCode::Approved,
            "entry mode {mode}"
        );
    }
}

#[tokio::test]
async fn unreadable_field55_is_a_format_error() {
    let (acq, server) = start().await;
    let mut lane = Lane::connect(server.local_addr(), "LANE0106").await;
    lane.sign_on().await;
    let card = lane.chip_card("chip-ok", None, vec![0x9F, 0x26, 0x08, 0x01]);
    let p = lane.purchase(100, &card);
    assert_eq!(code(&lane.exchange(p).await), ResponseCode::FormatError);
    assert!(acq.control().ledger().entries().is_empty());
}
