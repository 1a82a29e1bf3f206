//! Every transaction of PROTOCOLS.md §7, answered field by field.

use posrig_protocols::crypto::TdesKey;
use posrig_protocols::iso8583::transaction::{self, Original};
use posrig_protocols::iso8583::{
    check_response, DetailRecord, HostRequest, Mti, ReconciliationFlag, ResponseCode,
    SettlementTotals, Totals, Tpdu,
};
use posrig_sim::acquirer::{EntryState, LedgerKind};

use crate::support::*;

fn code(frame: &posrig_protocols::iso8583::Frame) -> ResponseCode {
    frame.message.response_code().expect("field 39")
}

#[tokio::test]
async fn sign_on_delivers_the_vector_keys_under_the_vector_master_key() {
    let (acq, server) = start().await;
    let mut lane = Lane::connect(server.local_addr(), "LANE0001").await;
    assert_eq!(lane.tmk, TdesKey::from_hex(VECTOR_TMK).unwrap());
    let frame = lane.sign_on().await;
    let m = &frame.message;
    assert_eq!(m.mti(), Mti::SIGN_ON_RESPONSE);
    assert_eq!(frame.tpdu, Tpdu::default().reply());
    assert_eq!(code(&frame), ResponseCode::Approved);
    let f62 = m.reserved62().unwrap();
    assert_eq!(
        hex::encode_upper(&f62[..16]),
        "6701EAD6A9AD51E51AA406E2C27FCFA9"
    );
    assert_eq!(hex::encode_upper(&f62[16..20]), "8D0A74B8");
    assert_eq!(hex::encode_upper(&f62[20..28]), "B651F9E9BACE9AE1");
    assert_eq!(&f62[28..36], &[0u8; 8]);
    assert_eq!(hex::encode_upper(&f62[36..40]), "AB7153CA");
    assert_eq!(lane.keys.as_ref().unwrap(), &vector_keys());
    let f60 = m.field60().unwrap().unwrap();
    assert_eq!((f60.txn_type, f60.batch, f60.network_code), (0, 1, Some(3)));
    assert_eq!(m.terminal_id(), Some("LANE0001"));
    assert_eq!(m.stan(), Some(1));
    assert_eq!(m.local_time().map(str::len), Some(6));
    assert_eq!(m.local_date().map(str::len), Some(4));
    assert!(acq.control().is_signed_on("LANE0001"));
}

#[tokio::test]
async fn sign_on_issues_fresh_keys_each_time_with_good_check_values() {
    let (_acq, server) = start().await;
    let mut lane = Lane::connect(server.local_addr(), "LANE0002").await;
    lane.sign_on().await;
    let first = lane.keys.clone().unwrap();
    lane.sign_on().await;
    assert_ne!(
        lane.keys.clone().unwrap(),
        first,
        "a new sign-on gives new keys"
    );
}

#[tokio::test]
async fn echo_then_sign_off_then_requests_need_a_new_sign_on() {
    let (acq, server) = start().await;
    let mut lane = Lane::connect(server.local_addr(), "LANE0003").await;
    lane.sign_on().await;
    let stan = lane.next_stan();
    let echo = transaction::echo_test(&lane.terminal, stan, lane.batch).unwrap();
    let frame = lane.exchange(echo.clone()).await;
    assert_eq!(frame.message.mti(), Mti::NETWORK_ADVICE_RESPONSE);
    assert_eq!(code(&frame), ResponseCode::Approved);
    assert!(frame.message.verify_mac(lane.mak()));
    check_response(&echo, &frame.message).unwrap();

    let stan = lane.next_stan();
    let off = transaction::sign_off(&lane.terminal, stan, lane.batch).unwrap();
    assert_eq!(code(&lane.exchange(off).await), ResponseCode::Approved);
    assert!(!acq.control().is_signed_on("LANE0003"));

    let card = lane.card("chip-ok", None);
    let p = lane.purchase(100, &card);
    let frame = lane.exchange(p).await;
    assert_eq!(code(&frame), ResponseCode::MacError);
    assert_eq!(frame.header.host_request(), HostRequest::SignOnAgain);
}

#[tokio::test]
async fn purchase_is_answered_field_by_field_and_enters_the_ledger() {
    let (acq, server) = start().await;
    let mut lane = Lane::connect(server.local_addr(), "LANE0001").await;
    lane.sign_on().await;
    let before = acq.control().card("chip-ok").unwrap().balance_minor;
    let card = lane.card("chip-ok", Some(&pin_of("chip-ok")));
    let req = lane.purchase(12_345, &card);
    let frame = lane.exchange(req.clone()).await;
    let m = &frame.message;
    assert_eq!(code(&frame), ResponseCode::Approved);
    check_response(&req, m).unwrap();
    assert_eq!(m.mti(), Mti::FINANCIAL_RESPONSE);
    assert_eq!(m.processing_code(), Some("000000"));
    assert_eq!(m.amount_minor(), Some(12_345));
    assert_eq!(m.stan(), req.stan());
    assert_eq!(m.pan(), req.pan());
    assert_eq!(m.condition_code(), Some("00"));
    assert_eq!(m.currency(), Some("156"));
    assert_eq!(m.terminal_id(), Some("LANE0001"));
    assert_eq!(m.merchant_id(), Some(MERCHANT));
    assert_eq!(m.get_str(60), req.get_str(60));
    assert_eq!(m.rrn().map(str::len), Some(12));
    assert_eq!(m.auth_code().map(str::len), Some(6));
    assert_eq!(m.acquirer_id(), Some("48020000"));
    assert!(m.get(52).is_none(), "the PIN block is never echoed");
    assert!(
        m.verify_mac(lane.mak()),
        "response MAC verifies under the vector MAK"
    );

    assert_eq!(
        acq.control().card("chip-ok").unwrap().balance_minor,
        before - 12_345
    );
    let ledger = acq.control().ledger();
    let e = ledger.find("LANE0001", 1, req.stan().unwrap()).unwrap();
    assert_eq!(e.kind, LedgerKind::Purchase);
    assert_eq!(e.state, EntryState::Approved);
    assert_eq!(e.amount_minor, 12_345);
    assert_eq!(Some(e.rrn.as_str()), m.rrn());
    assert_eq!(Some(e.auth_code.as_str()), m.auth_code());
    assert_eq!(e.masked_pan, "622202*********0017");
    let json = serde_json::to_string(&ledger.entries()).unwrap();
    assert!(
        !json.contains("6222021000000000017"),
        "no full PAN in the ledger"
    );
}

#[tokio::test]
async fn wrong_pins_are_counted_per_card_then_75() {
    let (acq, server) = start().await;
    let mut lane = Lane::connect(server.local_addr(), "LANE0004").await;
    lane.sign_on().await;
    let wrong = lane.card("tap-ok", Some("9999"));
    for expected in [
        ResponseCode::WrongPin,
        ResponseCode::WrongPin,
        ResponseCode::PinTriesExceeded,
    ] {
        let req = lane.purchase(100, &wrong);
        assert_eq!(code(&lane.exchange(req).await), expected);
    }
    let right = lane.card("tap-ok", Some(&pin_of("tap-ok")));
    let req = lane.purchase(100, &right);
    assert_eq!(
        code(&lane.exchange(req).await),
        ResponseCode::PinTriesExceeded
    );
    assert_eq!(acq.control().card("tap-ok").unwrap().wrong_pins, 3);
    assert!(acq.control().ledger().entries().is_empty());
}

#[tokio::test]
async fn the_right_pin_resets_the_count() {
    let (acq, server) = start().await;
    let mut lane = Lane::connect(server.local_addr(), "LANE0005").await;
    lane.sign_on().await;
    let wrong = lane.card("swipe-only", Some("0000"));
    let req = lane.purchase(100, &wrong);
    assert_eq!(code(&lane.exchange(req).await), ResponseCode::WrongPin);
    let right = lane.card("swipe-only", Some(&pin_of("swipe-only")));
    let req = lane.purchase(100, &right);
    assert_eq!(code(&lane.exchange(req).await), ResponseCode::Approved);
    assert_eq!(acq.control().card("swipe-only").unwrap().wrong_pins, 0);
}

#[tokio::test]
async fn issuer_declines() {
    let (acq, server) = start().await;
    let mut lane = Lane::connect(server.local_addr(), "LANE0006").await;
    lane.sign_on().await;
    let cases = [
        ("lost", 100, ResponseCode::Other(*b"41")),
        ("expired", 100, ResponseCode::ExpiredCard),
        ("chip-low-balance", 1_001, ResponseCode::InsufficientFunds),
        ("chip-ok", 10_000_001, ResponseCode::OverAmountLimit),
        ("chip-ok", 0, ResponseCode::InvalidAmount),
    ];
    for (name, amount, expected) in cases {
        let card = lane.card(name, Some(&pin_of(name)));
        let req = lane.purchase(amount, &card);
        let frame = lane.exchange(req.clone()).await;
        assert_eq!(code(&frame), expected, "{name} {amount}");
        check_response(&req, &frame.message).unwrap();
        assert!(frame.message.verify_mac(lane.mak()));
    }
    // A Luhn-valid PAN the issuer does not know.
    let unknown = lane.card_for("6222021000000000991", "2812", None);
    let req = lane.purchase(100, &unknown);
    assert_eq!(code(&lane.exchange(req).await), ResponseCode::InvalidCard);
    assert!(acq.control().ledger().entries().is_empty());
}

#[tokio::test]
async fn balance_inquiry_returns_the_balance_in_field_4() {
    let (acq, server) = start().await;
    let mut lane = Lane::connect(server.local_addr(), "LANE0007").await;
    lane.sign_on().await;
    let card = lane.card("chip-ok", Some(&pin_of("chip-ok")));
    let stan = lane.next_stan();
    let req = transaction::balance_inquiry(&lane.terminal, stan, lane.batch, &card).unwrap();
    let frame = lane.exchange(req.clone()).await;
    assert_eq!(code(&frame), ResponseCode::Approved);
    assert_eq!(frame.message.processing_code(), Some("310000"));
    assert_eq!(frame.message.amount_minor(), Some(500_000));
    assert!(frame.message.verify_mac(lane.mak()));
    assert!(
        acq.control().ledger().entries().is_empty(),
        "an inquiry moves no money"
    );
}

fn original_of(resp: &posrig_protocols::iso8583::Message, batch: u32) -> Original {
    Original {
        rrn: resp.rrn().unwrap().to_owned(),
        auth_code: resp.auth_code().map(str::to_owned),
        batch,
        stan: resp.stan().unwrap(),
        date: resp.local_date().map(str::to_owned),
    }
}

#[tokio::test]
async fn void_restores_the_balance_once() {
    let (acq, server) = start().await;
    let mut lane = Lane::connect(server.local_addr(), "LANE0008").await;
    lane.sign_on().await;
    let card = lane.card("chip-ok", Some(&pin_of("chip-ok")));
    let before = acq.control().card("chip-ok").unwrap().balance_minor;
    let p = lane.purchase(5_000, &card);
    let paid = lane.exchange(p).await.message;
    let orig = original_of(&paid, lane.batch);

    let stan = lane.next_stan();
    let v = transaction::void(&lane.terminal, stan, lane.batch, 5_000, &card, &orig).unwrap();
    let frame = lane.exchange(v.clone()).await;
    assert_eq!(code(&frame), ResponseCode::Approved);
    check_response(&v, &frame.message).unwrap();
    assert_eq!(frame.message.processing_code(), Some("200000"));
    assert_ne!(
        frame.message.rrn(),
        Some(orig.rrn.as_str()),
        "a void gets its own RRN"
    );
    assert_eq!(acq.control().card("chip-ok").unwrap().balance_minor, before);
    let ledger = acq.control().ledger();
    assert_eq!(
        ledger.find("LANE0008", 1, orig.stan).unwrap().state,
        EntryState::Voided
    );
    let void = ledger.find("LANE0008", 1, stan).unwrap();
    assert_eq!(
        (void.kind, void.original),
        (LedgerKind::Void, Some((1, orig.stan)))
    );

    let stan = lane.next_stan();
    let again = transaction::void(&lane.terminal, stan, lane.batch, 5_000, &card, &orig).unwrap();
    assert_eq!(
        code(&lane.exchange(again).await),
        ResponseCode::InvalidTransaction
    );
    let mut missing = orig.clone();
    missing.stan = 999;
    let stan = lane.next_stan();
    let nothing =
        transaction::void(&lane.terminal, stan, lane.batch, 5_000, &card, &missing).unwrap();
    assert_eq!(
        code(&lane.exchange(nothing).await),
        ResponseCode::OriginalNotFound
    );
    assert_eq!(acq.control().card("chip-ok").unwrap().balance_minor, before);
}

#[tokio::test]
async fn refunds_credit_up_to_the_purchase() {
    let (acq, server) = start().await;
    let mut lane = Lane::connect(server.local_addr(), "LANE0009").await;
    lane.sign_on().await;
    let card = lane.card("swipe-only", None);
    let before = acq.control().card("swipe-only").unwrap().balance_minor;
    let p = lane.purchase(3_000, &card);
    let paid = lane.exchange(p).await.message;
    let orig = original_of(&paid, lane.batch);
    let stan = lane.next_stan();
    let r = transaction::refund(&lane.terminal, stan, lane.batch, 1_000, &card, &orig).unwrap();
    let frame = lane.exchange(r.clone()).await;
    assert_eq!(frame.message.mti(), Mti::ADVICE_RESPONSE);
    assert_eq!(code(&frame), ResponseCode::Approved);
    check_response(&r, &frame.message).unwrap();
    assert!(frame.message.verify_mac(lane.mak()));
    let stan = lane.next_stan();
    let too_much =
        transaction::refund(&lane.terminal, stan, lane.batch, 2_001, &card, &orig).unwrap();
    assert_eq!(
        code(&lane.exchange(too_much).await),
        ResponseCode::InvalidAmount
    );
    assert_eq!(
        acq.control().card("swipe-only").unwrap().balance_minor,
        before - 2_000
    );
    let totals = acq.control().totals("LANE0009", 1);
    assert_eq!(
        (
            totals.domestic.debit_amount_minor,
            totals.domestic.credit_amount_minor
        ),
        (3_000, 1_000)
    );
}

#[tokio::test]
async fn reversal_undoes_exactly_once_and_unknown_stans_change_nothing() {
    let (acq, server) = start().await;
    let mut lane = Lane::connect(server.local_addr(), "LANE0010").await;
    lane.sign_on().await;
    let card = lane.card("chip-ok", None);
    let before = acq.control().card("chip-ok").unwrap().balance_minor;
    let p = lane.purchase(700, &card);
    assert_eq!(
        code(&lane.exchange(p.clone()).await),
        ResponseCode::Approved
    );
    let rev = transaction::reversal(&p, ResponseCode::IssuerTimeout).unwrap();
    for _ in 0..2 {
        let frame = lane.exchange(rev.clone()).await;
        assert_eq!(frame.message.mti(), Mti::REVERSAL_RESPONSE);
        assert_eq!(code(&frame), ResponseCode::Approved);
        check_response(&rev, &frame.message).unwrap();
        assert_eq!(acq.control().card("chip-ok").unwrap().balance_minor, before);
    }
    let e = acq
        .control()
        .ledger()
        .find("LANE0010", 1, p.stan().unwrap())
        .cloned()
        .unwrap();
    assert_eq!(e.state, EntryState::Reversed);

    let never_sent = lane.purchase(800, &card);
    let rev = transaction::reversal(&never_sent, ResponseCode::IssuerTimeout).unwrap();
    let ledger_before = acq.control().ledger().entries().to_vec();
    assert_eq!(
        code(&lane.exchange(rev).await),
        ResponseCode::OriginalNotFound
    );
    assert_eq!(acq.control().ledger().entries(), &ledger_before[..]);
    assert_eq!(acq.control().card("chip-ok").unwrap().balance_minor, before);

    // Reversing a declined purchase is accepted and changes nothing.
    let low = lane.card("chip-low-balance", None);
    let declined = lane.purchase(999_999, &low);
    assert_eq!(
        code(&lane.exchange(declined.clone()).await),
        ResponseCode::InsufficientFunds
    );
    let rev = transaction::reversal(&declined, ResponseCode::IssuerTimeout).unwrap();
    assert_eq!(code(&lane.exchange(rev).await), ResponseCode::Approved);
}

#[tokio::test]
async fn reversing_a_void_reinstates_the_purchase() {
    let (acq, server) = start().await;
    let mut lane = Lane::connect(server.local_addr(), "LANE0011").await;
    lane.sign_on().await;
    let card = lane.card("chip-ok", None);
    let before = acq.control().card("chip-ok").unwrap().balance_minor;
    let p = lane.purchase(400, &card);
    let paid = lane.exchange(p).await.message;
    let orig = original_of(&paid, lane.batch);
    let stan = lane.next_stan();
    let v = transaction::void(&lane.terminal, stan, lane.batch, 400, &card, &orig).unwrap();
    assert_eq!(
        code(&lane.exchange(v.clone()).await),
        ResponseCode::Approved
    );
    let rev = transaction::reversal(&v, ResponseCode::IssuerTimeout).unwrap();
    assert_eq!(code(&lane.exchange(rev).await), ResponseCode::Approved);
    let ledger = acq.control().ledger();
    assert_eq!(
        ledger.find("LANE0011", 1, orig.stan).unwrap().state,
        EntryState::Approved
    );
    assert_eq!(
        ledger.find("LANE0011", 1, stan).unwrap().state,
        EntryState::Reversed
    );
    assert_eq!(
        acq.control().card("chip-ok").unwrap().balance_minor,
        before - 400
    );
}

#[tokio::test]
async fn offline_advice_is_accepted_and_recorded() {
    let (acq, server) = start().await;
    let mut lane = Lane::connect(server.local_addr(), "LANE0012").await;
    lane.sign_on().await;
    let card = lane.card("tap-ok", None);
    let stan = lane.next_stan();
    let adv = transaction::offline_sale(
        &lane.terminal,
        stan,
        lane.batch,
        250,
        &card,
        "OFF123",
        "101500",
        "0102",
    )
    .unwrap();
    let frame = lane.exchange(adv.clone()).await;
    assert_eq!(code(&frame), ResponseCode::Approved);
    assert_eq!(frame.message.mti(), Mti::ADVICE_RESPONSE);
    check_response(&adv, &frame.message).unwrap();
    let ledger = acq.control().ledger();
    let e = ledger.find("LANE0012", 1, stan).unwrap();
    assert_eq!(
        (e.kind, e.state, e.amount_minor),
        (LedgerKind::OfflineSale, EntryState::Advised, 250)
    );
    assert_eq!(e.auth_code, "OFF123");
}

fn totals(debit: u64, debits: u16, credit: u64, credits: u16) -> SettlementTotals {
    SettlementTotals {
        domestic: Totals {
            debit_amount_minor: debit,
            debit_count: debits,
            credit_amount_minor: credit,
            credit_count: credits,
            ..Totals::default()
        },
        foreign: Totals::default(),
    }
}

#[tokio::test]
async fn balanced_settlement_closes_the_batch() {
    let (acq, server) = start().await;
    let mut lane = Lane::connect(server.local_addr(), "LANE0013").await;
    lane.sign_on().await;
    let card = lane.card("chip-ok", None);
    for amount in [100, 200] {
        let p = lane.purchase(amount, &card);
        assert_eq!(code(&lane.exchange(p).await), ResponseCode::Approved);
    }
    let stan = lane.next_stan();
    let s = transaction::settlement(
        &lane.terminal,
        stan,
        lane.batch,
        &totals(300, 2, 0, 0),
        "001",
    )
    .unwrap();
    let frame = lane.exchange(s.clone()).await;
    assert_eq!(frame.message.mti(), Mti::SETTLEMENT_RESPONSE);
    assert_eq!(code(&frame), ResponseCode::Approved);
    check_response(&s, &frame.message).unwrap();
    let answered = frame.message.settlement_totals().unwrap().unwrap();
    assert_eq!(answered.domestic.flag, ReconciliationFlag::Balanced);
    assert_eq!(answered.domestic.debit_amount_minor, 300);
    assert_eq!(acq.control().batch("LANE0013"), Some(2));
    // The old batch number is now a mismatch; a late end of upload for it is accepted.
    let p = lane.purchase(100, &card);
    assert_eq!(code(&lane.exchange(p).await), ResponseCode::BatchMismatch);
    let stan = lane.next_stan();
    let end = transaction::batch_upload_end(&lane.terminal, stan, lane.batch, 0).unwrap();
    assert_eq!(code(&lane.exchange(end).await), ResponseCode::Approved);
    assert_eq!(acq.control().batch("LANE0013"), Some(2));
}

#[tokio::test]
async fn unbalanced_settlement_then_upload_then_end_closes_the_batch() {
    let (acq, server) = start().await;
    let mut lane = Lane::connect(server.local_addr(), "LANE0014").await;
    lane.sign_on().await;
    let card = lane.card("chip-ok", None);
    let p = lane.purchase(100, &card);
    assert_eq!(
        code(&lane.exchange(p.clone()).await),
        ResponseCode::Approved
    );
    let stan = lane.next_stan();
    let s = transaction::settlement(
        &lane.terminal,
        stan,
        lane.batch,
        &totals(999, 3, 0, 0),
        "001",
    )
    .unwrap();
    let frame = lane.exchange(s).await;
    let answered = frame.message.settlement_totals().unwrap().unwrap();
    assert_eq!(answered.domestic.flag, ReconciliationFlag::NotBalanced);
    assert_eq!(acq.control().batch("LANE0014"), Some(1));

    let record = DetailRecord {
        txn_type: 22,
        stan: p.stan().unwrap(),
        pan: cards().by_name("chip-ok").unwrap().pan.clone(),
        amount_minor: 100,
    };
    let stan = lane.next_stan();
    let up = transaction::batch_upload(
        &lane.terminal,
        stan,
        lane.batch,
        std::slice::from_ref(&record),
    )
    .unwrap();
    let frame = lane.exchange(up.clone()).await;
    assert_eq!(frame.message.mti(), Mti::BATCH_UPLOAD_RESPONSE);
    assert_eq!(code(&frame), ResponseCode::Approved);
    check_response(&up, &frame.message).unwrap();
    assert_eq!(acq.control().uploaded("LANE0014", 1), vec![record]);
    let stan = lane.next_stan();
    let end = transaction::batch_upload_end(&lane.terminal, stan, lane.batch, 1).unwrap();
    assert_eq!(code(&lane.exchange(end).await), ResponseCode::Approved);
    assert_eq!(acq.control().batch("LANE0014"), Some(2));
}

#[tokio::test]
async fn retransmission_is_answered_identically_and_a_reused_stan_is_94() {
    let (acq, server) = start().await;
    let mut lane = Lane::connect(server.local_addr(), "LANE0015").await;
    lane.sign_on().await;
    let card = lane.card("chip-ok", None);
    let p = lane.purchase(1_000, &card);
    let first = lane.exchange(p.clone()).await;
    let again = lane.exchange(p.clone()).await;
    assert_eq!(first.encode(), again.encode(), "byte-identical answer");
    assert_eq!(acq.control().ledger().entries().len(), 1);

    let mut reused = p.clone();
    reused.set_amount_minor(2_000).unwrap();
    let frame = lane.exchange(reused).await;
    assert_eq!(code(&frame), ResponseCode::Duplicate);
    assert_eq!(acq.control().ledger().entries().len(), 1);
}

#[tokio::test]
async fn bad_or_missing_request_mac_is_a0() {
    let (acq, server) = start().await;
    let mut lane = Lane::connect(server.local_addr(), "LANE0016").await;
    lane.sign_on().await;
    let card = lane.card("chip-ok", None);
    let mut p = lane.purchase(100, &card);
    p.set_mac(lane.mak());
    let mut mac = p.mac().unwrap();
    mac[7] = if mac[7] == b'0' { b'1' } else { b'0' };
    p.set(64, mac).unwrap();
    let bytes =
        posrig_protocols::iso8583::Frame::new(Tpdu::default(), Default::default(), p).encode();
    lane.send_bytes(&bytes).await;
    let frame = lane.recv().await;
    assert_eq!(code(&frame), ResponseCode::MacError);
    assert_eq!(frame.header.host_request(), HostRequest::SignOnAgain);

    let keys = lane.keys.take();
    let p = lane.purchase(100, &card);
    let frame = lane.exchange(p).await;
    assert_eq!(code(&frame), ResponseCode::MacError, "MAC missing");
    lane.keys = keys;
    assert!(acq.control().ledger().entries().is_empty());
}

#[tokio::test]
async fn unknown_terminals_are_97() {
    let config = config().with_derived_lanes(false);
    let (_acq, server) = start_with(config).await;
    let mut lane = Lane::connect(server.local_addr(), "LANE0999").await;
    let msg = transaction::sign_on(&lane.terminal, 1, 1, "001").unwrap();
    let frame = lane.exchange(msg).await;
    assert_eq!(code(&frame), ResponseCode::TerminalNotRegistered);
    assert!(frame.message.reserved62().is_none());
}

#[tokio::test]
async fn derived_lanes_sign_on_with_the_documented_key() {
    let (_acq, server) = start().await;
    let mut lane = Lane::connect(server.local_addr(), "LANE4321").await;
    assert_eq!(code(&lane.sign_on().await), ResponseCode::Approved);
}
