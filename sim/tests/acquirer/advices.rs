//! Offline advices without card data (a POS after a restart) and batch-upload details with
//! masked PANs, as `pos/src/host/advice.rs` and `pos/src/host/settlement.rs` send them.

use posrig_protocols::iso8583::{
    check_response, transaction, Card, DetailRecord, Message, ReconciliationFlag, ResponseCode,
    SettlementTotals, Totals,
};
use posrig_sim::acquirer::{DetailMatch, EntryState, LedgerKind};

use crate::support::*;

fn code(frame: &posrig_protocols::iso8583::Frame) -> ResponseCode {
    frame.message.response_code().expect("field 39")
}

/// What the POS rebuilds from its journal after a restart: entry mode only, no 2/35/52.
fn no_card_data() -> Card {
    Card {
        entry_mode: "052".into(),
        ..Card::default()
    }
}

fn advice(lane: &Lane, stan: u32, amount: u64, card: &Card, time: &str) -> Message {
    transaction::offline_sale(
        &lane.terminal,
        stan,
        lane.batch,
        amount,
        card,
        "OFF001",
        time,
        "0601",
    )
    .unwrap()
}

fn balances(acq: &posrig_sim::acquirer::Acquirer) -> Vec<(String, u64)> {
    acq.control()
        .cards()
        .into_iter()
        .map(|c| (c.name, c.balance_minor))
        .collect()
}

fn debits(amount: u64, count: u16) -> SettlementTotals {
    SettlementTotals {
        domestic: Totals {
            debit_amount_minor: amount,
            debit_count: count,
            ..Totals::default()
        },
        foreign: Totals::default(),
    }
}

#[tokio::test]
async fn advice_without_card_data_is_recorded_without_charging_a_card() {
    let (acq, server) = start().await;
    let mut lane = Lane::connect(server.local_addr(), "LANE0201").await;
    lane.sign_on().await;
    let before = balances(&acq);
    let stan = lane.next_stan();
    let adv = advice(&lane, stan, 750, &no_card_data(), "101500");
    for f in [2, 35, 52] {
        assert!(!adv.has(f), "field {f}");
    }
    let frame = lane.exchange(adv.clone()).await;
    assert_eq!(code(&frame), ResponseCode::Approved);
    check_response(&adv, &frame.message).unwrap();
    assert!(frame.message.verify_mac(lane.mak()));
    assert_eq!(frame.message.auth_code(), Some("OFF001"));

    let ledger = acq.control().ledger();
    let e = ledger.find("LANE0201", lane.batch, stan).unwrap().clone();
    assert_eq!(
        (e.kind, e.state, e.amount_minor),
        (LedgerKind::OfflineSale, EntryState::Advised, 750)
    );
    assert_eq!((e.masked_pan.as_str(), e.card.as_deref()), ("", None));
    assert!(e.domestic);
    assert_eq!(balances(&acq), before, "no card charged");

    // Sent again with other bytes (a later time): same answer, nothing new.
    let again = advice(&lane, stan, 750, &no_card_data(), "101600");
    let frame = lane.exchange(again).await;
    assert_eq!(code(&frame), ResponseCode::Approved);
    assert_eq!(frame.message.rrn(), Some(e.rrn.as_str()));
    assert_eq!(acq.control().ledger().entries().len(), 1);
    // The same STAN with another amount is a duplicate.
    let other = advice(&lane, stan, 751, &no_card_data(), "101700");
    assert_eq!(code(&lane.exchange(other).await), ResponseCode::Duplicate);
    assert_eq!(acq.control().ledger().entries().len(), 1);

    // It counts in settlement as a domestic debit: the terminal's totals balance.
    let stan = lane.next_stan();
    let s =
        transaction::settlement(&lane.terminal, stan, lane.batch, &debits(750, 1), "001").unwrap();
    let answered = lane.exchange(s).await.message.settlement_totals();
    assert_eq!(
        answered.unwrap().unwrap().domestic.flag,
        ReconciliationFlag::Balanced
    );
}

#[tokio::test]
async fn advice_resent_without_card_after_a_restart_charges_the_card_once() {
    let (acq, server) = start().await;
    let mut lane = Lane::connect(server.local_addr(), "LANE0202").await;
    lane.sign_on().await;
    let before = acq.control().card("tap-ok").unwrap().balance_minor;
    let stan = lane.next_stan();
    let card = lane.card("tap-ok", None);
    let first = lane
        .exchange(advice(&lane, stan, 300, &card, "090000"))
        .await;
    assert_eq!(code(&first), ResponseCode::Approved);
    // The POS restarts (the answer was lost), signs on again and resends from its journal.
    lane.sign_on().await;
    let frame = lane
        .exchange(advice(&lane, stan, 300, &no_card_data(), "090000"))
        .await;
    assert_eq!(code(&frame), ResponseCode::Approved);
    assert_eq!(frame.message.rrn(), first.message.rrn());
    let ledger = acq.control().ledger();
    assert_eq!(ledger.entries().len(), 1);
    assert_eq!(ledger.entries()[0].card.as_deref(), Some("tap-ok"));
    assert_eq!(
        acq.control().card("tap-ok").unwrap().balance_minor,
        before - 300
    );
}

#[tokio::test]
async fn advice_on_a_stan_another_transaction_used_is_94() {
    let (acq, server) = start().await;
    let mut lane = Lane::connect(server.local_addr(), "LANE0203").await;
    lane.sign_on().await;
    let card = lane.card("chip-ok", None);
    let p = lane.purchase(100, &card);
    assert_eq!(
        code(&lane.exchange(p.clone()).await),
        ResponseCode::Approved
    );
    let adv = advice(&lane, p.stan().unwrap(), 100, &no_card_data(), "101500");
    assert_eq!(code(&lane.exchange(adv).await), ResponseCode::Duplicate);
    let ledger = acq.control().ledger();
    assert_eq!(ledger.entries().len(), 1);
    assert_eq!(
        ledger.find("LANE0203", 1, p.stan().unwrap()).unwrap().kind,
        LedgerKind::Purchase
    );
}

#[tokio::test]
async fn upload_details_with_masked_pans_match_by_stan_and_amount() {
    let (acq, server) = start().await;
    let mut lane = Lane::connect(server.local_addr(), "LANE0204").await;
    lane.sign_on().await;
    let card = lane.card("chip-ok", None);
    let p = lane.purchase(1_000, &card);
    assert_eq!(
        code(&lane.exchange(p.clone()).await),
        ResponseCode::Approved
    );
    let adv_stan = lane.next_stan();
    let adv = advice(&lane, adv_stan, 250, &no_card_data(), "101500");
    assert_eq!(code(&lane.exchange(adv).await), ResponseCode::Approved);

    // The terminal believes in one more sale than the host knows: not balanced.
    let stan = lane.next_stan();
    let s = transaction::settlement(&lane.terminal, stan, lane.batch, &debits(1_350, 3), "001")
        .unwrap();
    let answered = lane.exchange(s).await.message.settlement_totals();
    assert_eq!(
        answered.unwrap().unwrap().domestic.flag,
        ReconciliationFlag::NotBalanced
    );

    // The POS keeps first 6 + last 4 and sends zeros in between (`*` → `0`).
    let masked = "622202*********0017".replace('*', "0");
    assert_eq!(masked, "6222020000000000017");
    let record = |txn_type, stan, amount_minor| DetailRecord {
        txn_type,
        stan,
        pan: masked.clone(),
        amount_minor,
    };
    let records = vec![
        record(22, p.stan().unwrap(), 1_000),
        record(30, adv_stan, 250),
        record(30, 777, 100),
        record(22, adv_stan, 250),
        record(30, adv_stan, 260),
    ];
    let stan = lane.next_stan();
    let up = transaction::batch_upload(&lane.terminal, stan, lane.batch, &records).unwrap();
    let frame = lane.exchange(up.clone()).await;
    assert_eq!(code(&frame), ResponseCode::Approved);
    check_response(&up, &frame.message).unwrap();

    let details = acq.control().uploaded_details("LANE0204", lane.batch);
    let matches: Vec<DetailMatch> = details.iter().map(|d| d.matched).collect();
    assert_eq!(
        matches,
        vec![
            DetailMatch::Matched,
            DetailMatch::Matched,
            DetailMatch::NotFound,
            DetailMatch::OtherKind {
                ledger: LedgerKind::OfflineSale
            },
            DetailMatch::AmountDiffers { ledger_minor: 250 },
        ]
    );
    assert_eq!(acq.control().uploaded("LANE0204", lane.batch), records);

    let stan = lane.next_stan();
    let end = transaction::batch_upload_end(&lane.terminal, stan, lane.batch, 5).unwrap();
    assert_eq!(code(&lane.exchange(end).await), ResponseCode::Approved);
    assert_eq!(acq.control().batch("LANE0204"), Some(2));
}

#[tokio::test]
async fn upload_of_a_voided_purchase_is_kept_as_not_standing() {
    let (acq, server) = start().await;
    let mut lane = Lane::connect(server.local_addr(), "LANE0205").await;
    lane.sign_on().await;
    let card = lane.card("chip-ok", None);
    let p = lane.purchase(400, &card);
    let approved = lane.exchange(p.clone()).await;
    assert_eq!(code(&approved), ResponseCode::Approved);
    let stan = lane.next_stan();
    let original = transaction::Original {
        rrn: approved.message.rrn().unwrap().into(),
        auth_code: approved.message.auth_code().map(str::to_owned),
        batch: lane.batch,
        stan: p.stan().unwrap(),
        date: None,
    };
    let v = transaction::void(&lane.terminal, stan, lane.batch, 400, &card, &original).unwrap();
    assert_eq!(code(&lane.exchange(v).await), ResponseCode::Approved);
    let records = [DetailRecord {
        txn_type: 22,
        stan: p.stan().unwrap(),
        pan: "6222020000000000017".into(),
        amount_minor: 400,
    }];
    let stan = lane.next_stan();
    let up = transaction::batch_upload(&lane.terminal, stan, lane.batch, &records).unwrap();
    assert_eq!(code(&lane.exchange(up).await), ResponseCode::Approved);
    assert_eq!(
        acq.control().uploaded_details("LANE0205", lane.batch)[0].matched,
        DetailMatch::NotStanding {
            state: EntryState::Voided
        }
    );
}
