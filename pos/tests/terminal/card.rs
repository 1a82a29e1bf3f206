//! Card tenders through the pad and the host outcome: chip with PIN, declines, no response,
//! fallback, bypass, card removed, split with cash, and no full PAN anywhere.

use posrig_pos::journal::TenderState;
use posrig_pos::terminal::{Command, HostOutcome};
use posrig_protocols::iso8583::ResponseCode;
use posrig_protocols::pinpad::{CardEntry, PadMessage, PadPhase, PinOutcome, TxnKind};

use crate::support::{approved, card, chip_card, has, pin_ok, prints, Lane, CHIP_PAN};

const MILK: &str = "6901234100006";

fn totalled_lane() -> Lane {
    let mut lane = Lane::new();
    lane.login_cashier();
    lane.scan(MILK);
    lane.keys("TOTAL");
    lane
}

fn purchase(cmds: &[Command]) -> Option<&posrig_pos::terminal::CardRequest> {
    cmds.iter().find_map(|c| match c {
        Command::HostPurchase(r) => Some(r),
        _ => None,
    })
}

#[test]
fn chip_card_with_pin_approved_prints_masked_pan_auth_and_rrn() {
    let mut lane = totalled_lane();
    let out = lane.keys("CARD");
    assert!(has(&out, |c| matches!(
        c,
        Command::Pad(PadMessage::Start {
            amount_minor: 1250,
            currency: 156,
            kind: TxnKind::Sale,
            ..
        })
    )));
    assert_eq!(lane.shown(), ("INSERT/SWIPE/TAP".into(), "12.50".into()));
    lane.pad(PadMessage::Phase(PadPhase::ChipInserted));
    assert_eq!(lane.shown().0, "READING CARD");
    let out = lane.pad(chip_card());
    assert!(has(&out, |c| matches!(
        c,
        Command::Pad(PadMessage::RequestPin {
            amount_minor: 1250,
            ..
        })
    )));
    assert_eq!(lane.shown(), ("ENTER PIN".into(), "12.50".into()));
    let out = lane.pad(pin_ok());
    let req = purchase(&out).expect("a purchase request");
    assert_eq!(req.amount_minor, 1250);
    assert!(req.pin_block.is_some());
    assert_eq!(req.track2.pan.as_str(), CHIP_PAN);
    assert_eq!(lane.shown(), ("AUTHORISING".into(), "PLEASE WAIT".into()));
    // The pending tender is in the journal, masked, before the request goes out.
    let pending = lane.reopen_journal().pending_tenders().unwrap();
    assert_eq!(
        pending[0].masked_pan.as_ref().unwrap().as_str(),
        "622202*********0017"
    );

    let out = lane.host(approved(7));
    assert!(has(&out, |c| *c
        == Command::Pad(PadMessage::Display {
            text: "APPROVED".into()
        })));
    assert_eq!(lane.shown(), ("APPROVED".into(), "THANK YOU".into()));
    let (_, doc) = prints(&out).pop().expect("receipt printed");
    let text = doc.to_text();
    assert!(text.contains("Card 622202*********0017"), "{text}");
    assert!(text.contains("Auth A12345"), "{text}");
    assert!(text.contains("RRN 500100000007"), "{text}");
    assert!(
        !has(&out, |c| *c == Command::KickDrawer),
        "no drawer for cards"
    );

    // No full PAN in any command's Debug, display text, receipt, or the journal file.
    let debug = format!("{:?}", lane.log);
    assert!(!debug.contains(CHIP_PAN), "a command's Debug shows the PAN");
    assert!(
        !debug.contains("5A5A5A5A"),
        "a command's Debug shows the PIN block"
    );
    let db = std::fs::read(&lane.path).unwrap();
    let wal = std::fs::read(lane.path.with_extension("db-wal")).unwrap_or_default();
    for bytes in [db, wal] {
        assert!(!bytes
            .windows(CHIP_PAN.len())
            .any(|w| w == CHIP_PAN.as_bytes()));
    }
}

#[test]
fn declined_51_then_paid_by_cash() {
    let mut lane = totalled_lane();
    lane.keys("CARD");
    lane.pad(chip_card());
    lane.pad(pin_ok());
    let out = lane.host(HostOutcome::Declined {
        code: ResponseCode::InsufficientFunds,
    });
    assert!(prints(&out).is_empty());
    assert_eq!(
        lane.shown(),
        ("INSUFFICIENT FUNDS".into(), "DECLINED 51".into())
    );
    let journal = lane.reopen_journal();
    let sale = journal.load_sale(lane.core.sale().unwrap().id()).unwrap();
    assert_eq!(sale.tenders[0].state, TenderState::Declined);
    assert_eq!(sale.tenders[0].response_code.as_deref(), Some("51"));
    // Back at the tender choice.
    lane.keys("CLEAR");
    assert_eq!(lane.shown(), ("TOTAL".into(), "12.50".into()));
    lane.keys("2 0 CASH");
    assert_eq!(lane.shown(), ("CHANGE".into(), "7.50".into()));
}

#[test]
fn long_decline_messages_wrap_over_two_lines() {
    let mut lane = totalled_lane();
    lane.keys("CARD");
    lane.pad(chip_card());
    lane.pad(pin_ok());
    lane.host(HostOutcome::Declined {
        code: ResponseCode::MacError,
    });
    assert_eq!(lane.shown(), ("MAC ERROR, SIGN ON".into(), "AGAIN".into()));
}

#[test]
fn no_response_goes_back_to_the_tender_choice() {
    let mut lane = totalled_lane();
    lane.keys("CARD");
    lane.pad(chip_card());
    lane.pad(pin_ok());
    lane.host(HostOutcome::NoResponse);
    assert_eq!(
        lane.shown(),
        ("NO RESPONSE".into(), "TRY AGAIN OR CASH".into())
    );
    // The tender stays pending for the host client's reversal; it is not counted as paid.
    assert_eq!(lane.reopen_journal().pending_tenders().unwrap().len(), 1);
    assert_eq!(lane.core.sale().unwrap().tenders().len(), 0);
    lane.keys("CARD");
    lane.pad(chip_card());
    lane.pad(pin_ok());
    lane.host(approved(9));
    assert_eq!(lane.shown().0, "APPROVED");
}

#[test]
fn fallback_to_swipe_is_tagged() {
    let mut lane = totalled_lane();
    lane.keys("CARD");
    lane.pad(PadMessage::Phase(PadPhase::FallbackToSwipe));
    assert_eq!(lane.shown().0, "CHIP FAILED, SWIPE");
    lane.pad(card(CardEntry::Fallback, &format!("{CHIP_PAN}=2812201")));
    let out = lane.pad(pin_ok());
    assert_eq!(purchase(&out).unwrap().entry, CardEntry::Fallback);
    let out = lane.host(approved(3));
    let text = prints(&out).pop().unwrap().1.to_text();
    assert!(text.contains("FALLBACK"), "{text}");
}

#[test]
fn chip_card_swiped_is_asked_for_the_chip() {
    let mut lane = totalled_lane();
    lane.keys("CARD");
    let out = lane.pad(card(CardEntry::Swipe, &format!("{CHIP_PAN}=2812201")));
    assert!(purchase(&out).is_none());
    assert_eq!(lane.shown().0, "INSERT CHIP CARD");
}

#[test]
fn pin_bypass_sends_no_pin_block() {
    let mut lane = totalled_lane();
    lane.keys("CARD");
    lane.pad(card(CardEntry::Swipe, "6217001000000000037=2812101"));
    let out = lane.pad(PadMessage::PinResult(PinOutcome::Bypass));
    assert!(purchase(&out).unwrap().pin_block.is_none());
}

#[test]
fn card_removed_during_pin_aborts_the_card_tender() {
    let mut lane = totalled_lane();
    lane.keys("CARD");
    lane.pad(chip_card());
    let out = lane.pad(PadMessage::CardRemoved);
    assert!(has(&out, |c| *c == Command::Pad(PadMessage::Abort)));
    assert!(purchase(&out).is_none());
    assert_eq!(
        lane.shown(),
        ("CARD REMOVED".into(), "CHOOSE TENDER".into())
    );
    assert!(lane.reopen_journal().pending_tenders().unwrap().is_empty());
    lane.keys("CASH");
    assert_eq!(lane.shown().0, "CHANGE");
}

#[test]
fn pin_cancel_and_pad_timeout() {
    let mut lane = totalled_lane();
    lane.keys("CARD");
    lane.pad(chip_card());
    lane.pad(PadMessage::PinResult(PinOutcome::Cancel));
    assert_eq!(
        lane.shown(),
        ("PIN CANCELLED".into(), "CHOOSE TENDER".into())
    );
    lane.keys("CARD");
    let deadline = lane.core.next_deadline().expect("pad timeout armed");
    let out = lane.core.on_timer(deadline);
    assert!(has(&out, |c| *c == Command::Pad(PadMessage::Abort)));
    assert_eq!(lane.core.display().0, "CARD TIMEOUT");
    assert_eq!(lane.core.next_deadline(), None);
}

#[test]
fn split_tender_card_then_cash() {
    let mut lane = Lane::new();
    lane.login_cashier();
    lane.scan(MILK);
    lane.scan(MILK);
    lane.keys("TOTAL");
    assert_eq!(lane.shown(), ("TOTAL".into(), "25.00".into()));
    let out = lane.keys("1 0 CARD");
    assert!(has(&out, |c| matches!(
        c,
        Command::Pad(PadMessage::Start {
            amount_minor: 1000,
            ..
        })
    )));
    lane.pad(chip_card());
    lane.pad(pin_ok());
    let out = lane.host(approved(4));
    assert!(prints(&out).is_empty());
    assert_eq!(lane.shown(), ("APPROVED".into(), "DUE 15.00".into()));
    lane.keys("CLEAR");
    assert_eq!(lane.shown(), ("BALANCE DUE".into(), "15.00".into()));
    let out = lane.keys("2 0 CASH");
    assert_eq!(lane.shown(), ("CHANGE".into(), "5.00".into()));
    let text = prints(&out).pop().unwrap().1.to_text();
    assert!(
        text.contains("Card 622202*********0017") && text.contains("Cash"),
        "{text}"
    );
    lane.keys("3 0 CARD");
    assert_eq!(lane.shown().0, "NO SALE");
}

#[test]
fn offline_approval_is_tagged_on_the_receipt() {
    let mut lane = totalled_lane();
    lane.keys("CARD");
    lane.pad(chip_card());
    lane.pad(pin_ok());
    let out = lane.host(HostOutcome::Offline { stan: 5, batch: 1 });
    assert_eq!(lane.shown().0, "APPROVED OFFLINE");
    let text = prints(&out).pop().unwrap().1.to_text();
    assert!(text.contains("CHIP OFFLINE"), "{text}");
}

#[test]
fn split_amount_above_due_is_refused() {
    let mut lane = totalled_lane();
    let out = lane.keys("9 9 CARD");
    assert!(!has(&out, |c| matches!(c, Command::Pad(_))));
    assert_eq!(
        lane.shown(),
        ("AMOUNT TOO LARGE".into(), "DUE 12.50".into())
    );
}

#[test]
fn every_decline_code_of_protocols_md_shows_its_message() {
    let cases: &[(&[u8; 2], &str, &str)] = &[
        (b"05", "DO NOT HONOUR", "DECLINED 05"),
        (b"12", "INVALID TRANSACTION", "DECLINED 12"),
        (b"13", "INVALID AMOUNT", "DECLINED 13"),
        (b"14", "INVALID CARD", "DECLINED 14"),
        (b"25", "ORIGINAL TRANSACTION", "NOT FOUND"),
        (b"30", "FORMAT ERROR", "DECLINED 30"),
        (b"51", "INSUFFICIENT FUNDS", "DECLINED 51"),
        (b"54", "EXPIRED CARD", "DECLINED 54"),
        (b"55", "WRONG PIN", "DECLINED 55"),
        (b"61", "OVER AMOUNT LIMIT", "DECLINED 61"),
        (b"75", "PIN TRIES EXCEEDED", "DECLINED 75"),
        (b"77", "BATCH MISMATCH, SIGN", "ON AGAIN"),
        (b"91", "ISSUER UNAVAILABLE", "DECLINED 91"),
        (b"94", "DUPLICATE", "TRANSACTION"),
        (b"96", "SYSTEM ERROR", "DECLINED 96"),
        (b"97", "TERMINAL NOT", "REGISTERED"),
        (b"98", "ISSUER TIMEOUT", "DECLINED 98"),
        (b"A0", "MAC ERROR, SIGN ON", "AGAIN"),
        (b"43", "DECLINED BY THE HOST", "DECLINED 43"),
    ];
    let mut lane = totalled_lane();
    for (code, line1, line2) in cases {
        lane.keys("CARD");
        lane.pad(chip_card());
        lane.pad(pin_ok());
        let out = lane.host(HostOutcome::Declined {
            code: ResponseCode::from_bytes(**code),
        });
        assert_eq!(
            lane.shown(),
            (line1.to_string(), line2.to_string()),
            "code {}",
            String::from_utf8_lossy(*code)
        );
        assert!(has(&out, |c| *c == Command::Pad(PadMessage::Abort)));
        assert!(lane.core.sale().unwrap().tenders().is_empty());
    }
    // Still at the tender choice: cash settles it.
    lane.keys("CASH");
    assert_eq!(lane.shown().0, "CHANGE");
}

#[test]
fn tap_up_to_the_limit_asks_no_pin() {
    let mut lane = totalled_lane();
    lane.keys("CARD");
    let out = lane.pad(card(CardEntry::Tap, &format!("{CHIP_PAN}=2812201")));
    assert!(!has(&out, |c| matches!(
        c,
        Command::Pad(PadMessage::RequestPin { .. })
    )));
    let req = purchase(&out).expect("sent to the host at once");
    assert!(req.pin_block.is_none());
    lane.host(approved(3));
    assert_eq!(lane.shown(), ("APPROVED".into(), "THANK YOU".into()));
}
