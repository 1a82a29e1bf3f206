//! The acquirer client's host rules, each against the scripted acquirer.

use std::time::Duration;

use posrig_pos::host::{
    AcquirerClient, CardResult, HostError, SettlementResult, TcpConnector, UNREACHABLE_CODE,
};
use posrig_pos::journal::{StoredTender, TenderState};
use posrig_pos::money::money;
use posrig_pos::sale::SaleId;
use posrig_protocols::iso8583::{
    network_code, txn_type, DetailRecord, ReconciliationFlag, ResponseCode, TransactionKind as K,
};
use tokio::time::Instant;

use crate::acquirer_host::{Act, ScriptedAcquirer};
use crate::rig::{card, Rig, PAN};

fn tender(rig: &Rig, sale: SaleId) -> StoredTender {
    rig.with(|j| j.load_sale(sale).unwrap().tenders.pop().unwrap())
}

fn pending_reversals(rig: &Rig) -> Vec<(Option<u32>, Option<String>)> {
    rig.with(|j| {
        j.pending_reversals()
            .unwrap()
            .into_iter()
            .map(|r| (r.reversal.stan, r.reason))
            .collect()
    })
}

/// Every request after sign-on carried a MAC that verified at the host.
fn assert_macs_ok(host: &ScriptedAcquirer) {
    for s in host.seen() {
        if s.kind == Some(K::SignOn) {
            assert_eq!(s.mac_ok, None, "sign-on carries no MAC");
        } else {
            assert_eq!(s.mac_ok, Some(true), "{:?} MAC", s.kind);
        }
    }
}

#[tokio::test(start_paused = true)]
async fn sign_on_loads_the_protocol_vector_keys_and_the_hosts_batch() {
    let mut rig = Rig::new();
    assert!(rig.client.needs_sign_on());
    let signed = rig.client.sign_on().await.unwrap();
    assert_eq!(
        signed.pin_key.ciphertext_hex(),
        "6701EAD6A9AD51E51AA406E2C27FCFA9"
    );
    assert_eq!(signed.pin_key.check_value_hex(), "8D0A74B8");
    assert_eq!(signed.batch, 7);
    assert_eq!(rig.with(|j| j.current_batch().unwrap()), 7);
    assert!(!rig.client.needs_sign_on());
    let seen = rig.primary.seen();
    assert_eq!(seen.len(), 1);
    let req = &seen[0].msg;
    assert_eq!(req.reserved63(), Some("001"));
    assert_eq!(
        req.field60().unwrap().unwrap().network_code,
        Some(network_code::SIGN_ON)
    );
    assert!(!format!("{:?}", signed.pin_key).contains("6701EAD6"));
    rig.client.echo().await.unwrap();
    rig.client.sign_off().await.unwrap();
    assert!(rig.client.needs_sign_on());
    assert_macs_ok(&rig.primary);
}

#[tokio::test(start_paused = true)]
async fn purchase_approved_with_macs_both_ways() {
    let mut rig = Rig::new();
    rig.client.sign_on().await.unwrap();
    let sale = rig.sale();
    let result = rig
        .client
        .purchase(sale, money("12.34"), &card())
        .await
        .unwrap();
    let CardResult::Approved {
        tender: id,
        auth_code,
        rrn,
        stan,
        batch,
    } = result
    else {
        panic!("{result:?}")
    };
    assert_eq!(
        (auth_code.as_str(), rrn.as_str()),
        ("A00001", "000000000001")
    );
    assert_eq!((stan, batch), (2, 7));
    let seen = rig.primary.seen();
    let req = &seen.last().unwrap().msg;
    assert_eq!(req.amount_minor(), Some(1234));
    assert_eq!(req.stan(), Some(2));
    assert_macs_ok(&rig.primary);
    let t = tender(&rig, sale);
    assert_eq!((t.id, t.state), (id, TenderState::Approved));
    assert!(pending_reversals(&rig).is_empty());
}

#[tokio::test(start_paused = true)]
async fn declined_51_records_the_decline_and_clears_the_reversal() {
    let mut rig = Rig::new();
    rig.primary
        .plan(K::Purchase, Act::Code(ResponseCode::InsufficientFunds));
    let sale = rig.sale();
    let result = rig
        .client
        .purchase(sale, money("5.00"), &card())
        .await
        .unwrap();
    assert_eq!(
        result,
        CardResult::Declined {
            tender: Some(tender(&rig, sale).id),
            code: ResponseCode::InsufficientFunds,
            message: "insufficient funds",
        }
    );
    let t = tender(&rig, sale);
    assert_eq!(t.state, TenderState::Declined);
    assert_eq!(t.response_code.as_deref(), Some("51"));
    assert!(pending_reversals(&rig).is_empty());
}

#[tokio::test(start_paused = true)]
async fn a_timed_out_purchase_is_reversed_98_before_the_next_one() {
    let mut rig = Rig::new();
    rig.client.sign_on().await.unwrap();
    rig.primary.plan(K::Purchase, Act::Silent);
    let first = rig.sale();
    let started = Instant::now();
    let result = rig
        .client
        .purchase(first, money("20.00"), &card())
        .await
        .unwrap();
    assert_eq!(started.elapsed(), Duration::from_secs(30));
    assert!(matches!(
        result,
        CardResult::NoResponse {
            reversal: Some(ResponseCode::IssuerTimeout),
            ..
        }
    ));
    assert_eq!(pending_reversals(&rig), vec![(Some(2), Some("98".into()))]);
    assert_eq!(tender(&rig, first).state, TenderState::Pending);

    // The silent primary is now the failed link: the next purchase goes to the backup, after
    // the reversal.
    let second = rig.sale();
    let result = rig
        .client
        .purchase(second, money("3.00"), &card())
        .await
        .unwrap();
    assert!(result.is_approved(), "{result:?}");
    let kinds = rig.backup.kinds();
    assert_eq!(kinds, [K::Reversal, K::Purchase]);
    let reversal = &rig.backup.seen()[0].msg;
    assert_eq!(reversal.response_code(), Some(ResponseCode::IssuerTimeout));
    assert_eq!(reversal.stan(), Some(2));
    assert_eq!(reversal.amount_minor(), Some(2000));
    assert!(reversal.track2().is_none() && reversal.pin_block().is_none());
    assert!(pending_reversals(&rig).is_empty());
    assert_eq!(tender(&rig, first).state, TenderState::Reversed);
    assert_macs_ok(&rig.backup);
}

#[tokio::test(start_paused = true)]
async fn a_bad_response_mac_arms_a0_and_signs_on_again() {
    let mut rig = Rig::new();
    rig.client.sign_on().await.unwrap();
    rig.primary.plan(K::Purchase, Act::BadMac);
    let first = rig.sale();
    let result = rig
        .client
        .purchase(first, money("9.99"), &card())
        .await
        .unwrap();
    assert!(matches!(
        result,
        CardResult::NoResponse {
            reversal: Some(ResponseCode::MacError),
            ..
        }
    ));
    assert!(rig.client.needs_sign_on());
    assert_eq!(pending_reversals(&rig), vec![(Some(2), Some("A0".into()))]);
    rig.primary.clear();
    let result = rig
        .client
        .purchase(rig.sale(), money("1.00"), &card())
        .await
        .unwrap();
    assert!(result.is_approved());
    assert_eq!(rig.primary.kinds(), [K::SignOn, K::Reversal, K::Purchase]);
    assert_eq!(
        rig.primary.seen()[1].msg.response_code(),
        Some(ResponseCode::MacError)
    );
    assert_eq!(tender(&rig, first).state, TenderState::Reversed);
}

#[tokio::test(start_paused = true)]
async fn a_response_with_another_stan_is_ignored() {
    let mut rig = Rig::new();
    rig.client.sign_on().await.unwrap();
    rig.primary.plan(K::Purchase, Act::WrongStanFirst);
    let started = Instant::now();
    let result = rig
        .client
        .purchase(rig.sale(), money("4.00"), &card())
        .await
        .unwrap();
    let CardResult::Approved { stan, .. } = result else {
        panic!("{result:?}")
    };
    assert_eq!(stan, 2);
    assert!(started.elapsed() < Duration::from_secs(1));
}

#[tokio::test(start_paused = true)]
async fn batch_mismatch_77_and_header_request_3_sign_on_again() {
    let mut rig = Rig::new();
    rig.client.sign_on().await.unwrap();
    rig.primary
        .plan(K::Purchase, Act::Code(ResponseCode::BatchMismatch));
    let result = rig
        .client
        .purchase(rig.sale(), money("4.00"), &card())
        .await
        .unwrap();
    assert!(matches!(
        result,
        CardResult::Declined {
            code: ResponseCode::BatchMismatch,
            ..
        }
    ));
    assert!(rig.client.needs_sign_on());
    rig.primary.clear();
    rig.primary.plan(K::Purchase, Act::AskSignOn);
    let result = rig
        .client
        .purchase(rig.sale(), money("4.00"), &card())
        .await
        .unwrap();
    assert!(result.is_approved());
    assert_eq!(rig.primary.kinds(), [K::SignOn, K::Purchase]);
    assert!(rig.client.needs_sign_on());
    rig.primary.clear();
    rig.client
        .purchase(rig.sale(), money("4.00"), &card())
        .await
        .unwrap();
    assert_eq!(rig.primary.kinds(), [K::SignOn, K::Purchase]);
}

#[tokio::test(start_paused = true)]
async fn primary_down_fails_over_to_backup_and_back_later() {
    let mut rig = Rig::new();
    rig.primary_link.set_refusing(true);
    let result = rig
        .client
        .purchase(rig.sale(), money("8.00"), &card())
        .await
        .unwrap();
    assert!(result.is_approved(), "{result:?}");
    assert!(rig.client.on_backup());
    assert_eq!(rig.backup.kinds(), [K::SignOn, K::Purchase]);
    assert!(rig.primary.kinds().is_empty());

    rig.primary_link.set_refusing(false);
    tokio::time::sleep(Duration::from_secs(60)).await;
    rig.client.echo().await.unwrap();
    assert!(
        rig.primary.kinds().is_empty(),
        "failback waits for the interval"
    );
    tokio::time::sleep(Duration::from_secs(300)).await;
    rig.client.echo().await.unwrap();
    assert_eq!(rig.primary.kinds(), [K::EchoTest]);
    assert!(!rig.client.on_backup());
}

#[tokio::test(start_paused = true)]
async fn host_down_approves_offline_under_the_floor_limit_and_advises_later() {
    let mut rig = Rig::new();
    rig.client.sign_on().await.unwrap();
    rig.set_down(true);
    let sale = rig.sale();
    let result = rig
        .client
        .purchase(sale, money("50.00"), &card())
        .await
        .unwrap();
    let CardResult::ApprovedOffline {
        auth_code, stan, ..
    } = result.clone()
    else {
        panic!("{result:?}")
    };
    assert_eq!(auth_code, format!("Y{stan:05}"));
    let t = tender(&rig, sale);
    assert_eq!(t.state, TenderState::Approved);
    assert!(matches!(
        t.tender.unwrap().detail,
        posrig_pos::tender::TenderDetail::Card(ref c) if c.offline
    ));
    assert_eq!(rig.with(|j| j.queued_advices().unwrap().len()), 1);
    assert!(pending_reversals(&rig).is_empty());

    // Over the floor limit: declined locally, nothing queued.
    let over = rig.sale();
    let result = rig
        .client
        .purchase(over, money("100.01"), &card())
        .await
        .unwrap();
    assert!(
        matches!(result, CardResult::Unreachable { .. }),
        "{result:?}"
    );
    let t = tender(&rig, over);
    assert_eq!(t.state, TenderState::Declined);
    assert_eq!(t.response_code.as_deref(), Some(UNREACHABLE_CODE));
    assert_eq!(rig.with(|j| j.queued_advices().unwrap().len()), 1);

    rig.set_down(false);
    rig.primary.clear();
    let result = rig
        .client
        .purchase(rig.sale(), money("70.00"), &card())
        .await
        .unwrap();
    assert!(result.is_approved());
    assert_eq!(rig.primary.kinds(), [K::OfflineSale, K::Purchase]);
    let advice = &rig.primary.seen()[0].msg;
    assert_eq!(advice.stan(), Some(stan));
    assert_eq!(advice.auth_code(), Some(auth_code.as_str()));
    assert_eq!(advice.amount_minor(), Some(5000));
    assert_eq!(advice.local_date(), Some("0101"));
    assert_eq!(
        advice.field60().unwrap().unwrap().txn_type,
        txn_type::OFFLINE_SALE
    );
    assert!(rig.with(|j| j.queued_advices().unwrap().is_empty()));
    assert_macs_ok(&rig.primary);
}

#[tokio::test(start_paused = true)]
async fn settlement_balanced_closes_the_batch() {
    let mut rig = Rig::new();
    for amount in ["10.00", "2.50"] {
        let sale = rig.sale();
        assert!(rig
            .client
            .purchase(sale, money(amount), &card())
            .await
            .unwrap()
            .is_approved());
    }
    let result = rig.client.settle().await.unwrap();
    assert_eq!(
        result,
        SettlementResult::Balanced {
            batch: 7,
            next_batch: 8
        }
    );
    let settlement = rig.primary.seen().last().unwrap().msg.clone();
    let totals = settlement.settlement_totals().unwrap().unwrap();
    assert_eq!(
        (
            totals.domestic.debit_amount_minor,
            totals.domestic.debit_count
        ),
        (1250, 2)
    );
    let stored = rig.with(|j| j.settlements().unwrap());
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].result, "balanced");
    assert_eq!(rig.with(|j| j.current_batch().unwrap()), 8);
    assert_macs_ok(&rig.primary);
}

#[tokio::test(start_paused = true)]
async fn settlement_not_balanced_uploads_every_detail_then_closes() {
    let mut rig = Rig::new();
    let mut stans = Vec::new();
    for i in 1..=9 {
        let sale = rig.sale();
        let CardResult::Approved { stan, .. } = rig
            .client
            .purchase(sale, money(&format!("{i}.00")), &card())
            .await
            .unwrap()
        else {
            panic!("not approved")
        };
        stans.push(stan);
    }
    rig.primary.set_settlement(ReconciliationFlag::NotBalanced);
    rig.primary.clear();
    let result = rig.client.settle().await.unwrap();
    assert_eq!(
        result,
        SettlementResult::Uploaded {
            batch: 7,
            next_batch: 8,
            records: 9
        }
    );
    assert_eq!(
        rig.primary.kinds(),
        [
            K::Settlement,
            K::BatchUpload,
            K::BatchUpload,
            K::BatchUploadEnd
        ]
    );
    let seen = rig.primary.seen();
    let uploaded: Vec<DetailRecord> = seen[1..3]
        .iter()
        .flat_map(|s| s.msg.detail_records().unwrap().unwrap())
        .collect();
    assert_eq!(uploaded.len(), 9);
    assert_eq!(uploaded.iter().map(|r| r.stan).collect::<Vec<_>>(), stans);
    assert_eq!(uploaded[8].amount_minor, 900);
    assert_eq!(uploaded[0].txn_type, txn_type::PURCHASE);
    assert_eq!(
        uploaded[0].pan, "6222020000000000017",
        "masked digits as zeros"
    );
    assert_eq!(seen[3].msg.uploaded_count(), Some(9));
    let stored = rig.with(|j| j.settlements().unwrap());
    assert_eq!(
        (stored[0].result.as_str(), stored[0].uploaded),
        ("not_balanced", true)
    );
    assert_eq!(rig.with(|j| j.current_batch().unwrap()), 8);
    assert_macs_ok(&rig.primary);
}

#[tokio::test(start_paused = true)]
async fn after_a_restart_the_reversal_is_rebuilt_from_the_journal_without_card_data() {
    let mut rig = Rig::new();
    rig.primary.plan(K::Purchase, Act::Silent);
    rig.backup_link.set_refusing(true);
    let sale = rig.sale();
    let result = rig
        .client
        .purchase(sale, money("33.00"), &card())
        .await
        .unwrap();
    assert!(matches!(result, CardResult::NoResponse { .. }));
    rig.restart();
    rig.primary.clear();
    let report = rig.client.recover().await.unwrap();
    assert_eq!((report.reversals_sent, report.reversals_left), (1, 0));
    assert!(report.reachable);
    assert_eq!(rig.primary.kinds(), [K::SignOn, K::Reversal]);
    let reversal = &rig.primary.seen()[1].msg;
    assert_eq!(reversal.pan(), None);
    assert_eq!(reversal.track2(), None);
    assert_eq!(reversal.stan(), Some(2));
    assert_eq!(reversal.amount_minor(), Some(3300));
    assert_eq!(reversal.response_code(), Some(ResponseCode::IssuerTimeout));
    assert_eq!(reversal.field60().unwrap().unwrap().batch, 7);
    assert_eq!(tender(&rig, sale).state, TenderState::Reversed);
    assert_macs_ok(&rig.primary);
}

#[tokio::test(start_paused = true)]
async fn an_unanswered_void_is_reversed_as_a_void_after_a_restart_and_the_sale_stays_paid() {
    let mut rig = Rig::new();
    let sale = rig.sale();
    let CardResult::Approved { tender: id, .. } = rig
        .client
        .purchase(sale, money("15.00"), &card())
        .await
        .unwrap()
    else {
        panic!("not approved")
    };
    let record = match tender(&rig, sale).tender.unwrap().detail {
        posrig_pos::tender::TenderDetail::Card(c) => c,
        other => panic!("{other:?}"),
    };
    rig.primary.plan(K::Void, Act::Silent);
    rig.backup_link.set_refusing(true);
    let result = rig
        .client
        .void(sale, id, &record, money("15.00"), &card())
        .await
        .unwrap();
    assert!(
        matches!(result, CardResult::NoResponse { .. }),
        "{result:?}"
    );
    let void_stan = rig.primary.seen().last().unwrap().msg.stan();
    assert_eq!(pending_reversals(&rig).len(), 1);
    rig.restart();
    rig.primary.clear();
    let report = rig.client.recover().await.unwrap();
    assert_eq!((report.reversals_sent, report.reversals_left), (1, 0));
    assert_eq!(rig.primary.kinds(), [K::SignOn, K::Reversal]);
    let reversal = &rig.primary.seen()[1].msg;
    assert_eq!(reversal.processing_code(), Some("200000"));
    assert_eq!(reversal.stan(), void_stan, "the void's STAN");
    assert_eq!(reversal.amount_minor(), Some(1500));
    assert_eq!(
        reversal.field60().unwrap().unwrap().txn_type,
        posrig_protocols::iso8583::txn_type::VOID
    );
    assert_eq!(reversal.pan(), None, "no card data after a restart");
    // The void was undone: the original payment stands.
    assert_eq!(tender(&rig, sale).state, TenderState::Approved);
    assert_macs_ok(&rig.primary);
}

#[tokio::test(start_paused = true)]
async fn void_refund_and_balance() {
    let mut rig = Rig::new();
    let sale = rig.sale();
    let CardResult::Approved { tender: id, .. } = rig
        .client
        .purchase(sale, money("15.00"), &card())
        .await
        .unwrap()
    else {
        panic!("not approved")
    };
    let record = match tender(&rig, sale).tender.unwrap().detail {
        posrig_pos::tender::TenderDetail::Card(c) => c,
        other => panic!("{other:?}"),
    };
    let voided = rig
        .client
        .void(sale, id, &record, money("15.00"), &card())
        .await
        .unwrap();
    assert!(voided.is_approved(), "{voided:?}");
    assert_eq!(tender(&rig, sale).state, TenderState::Voided);
    let void_req = rig.primary.seen().last().unwrap().msg.clone();
    assert_eq!(void_req.processing_code(), Some("200000"));
    assert_eq!(void_req.rrn(), Some(record.rrn.as_str()));
    assert!(pending_reversals(&rig).is_empty());

    let refund_sale = rig.sale();
    let original = posrig_protocols::iso8583::transaction::Original {
        rrn: record.rrn.clone(),
        auth_code: Some(record.auth_code.clone()),
        batch: record.batch,
        stan: record.stan,
        date: Some("0101".into()),
    };
    let refunded = rig
        .client
        .refund(refund_sale, money("5.00"), &original, &card())
        .await
        .unwrap();
    assert!(refunded.is_approved());
    assert_eq!(tender(&rig, refund_sale).state, TenderState::Approved);

    let balance = rig.client.balance_inquiry(&card()).await.unwrap();
    assert_eq!(
        balance,
        posrig_pos::host::BalanceResult::Balance(money("888.00"))
    );
    assert_macs_ok(&rig.primary);
}

#[tokio::test(start_paused = true)]
async fn the_journal_file_never_holds_the_full_pan() {
    let mut rig = Rig::new();
    rig.primary.plan(K::Purchase, Act::Silent);
    rig.backup_link.set_refusing(true);
    rig.client
        .purchase(rig.sale(), money("1.00"), &card())
        .await
        .unwrap();
    rig.client
        .purchase(rig.sale(), money("2.00"), &card())
        .await
        .unwrap();
    rig.set_down(true);
    rig.client
        .purchase(rig.sale(), money("3.00"), &card())
        .await
        .unwrap();
    rig.set_down(false);
    rig.primary.set_settlement(ReconciliationFlag::NotBalanced);
    rig.client.settle().await.unwrap();
    let mut bytes = Vec::new();
    for entry in std::fs::read_dir(rig.dir.path()).unwrap() {
        bytes.extend(std::fs::read(entry.unwrap().path()).unwrap());
    }
    assert!(!bytes.is_empty());
    let text = String::from_utf8_lossy(&bytes);
    assert!(!text.contains(PAN), "full PAN in the journal files");
    assert!(text.contains("622202*********0017"));
}

/// Real TCP on 127.0.0.1 (real time): the primary address refuses, the backup answers.
#[tokio::test]
async fn over_tcp_a_refusing_primary_fails_over_to_the_backup() {
    let closed = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let dead = closed.local_addr().unwrap().to_string();
    drop(closed);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let live = listener.local_addr().unwrap().to_string();
    let host = ScriptedAcquirer::new();
    let serving = host.clone();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            serving.serve_stream(Box::new(stream));
        }
    });
    let rig = Rig::new();
    let mut client = AcquirerClient::new(
        crate::rig::config(),
        Box::new(TcpConnector::new([dead])),
        Some(Box::new(TcpConnector::new([live]))),
        rig.journal.clone(),
        crate::rig::clock(),
    );
    let result = client
        .purchase(rig.sale(), money("6.00"), &card())
        .await
        .unwrap();
    assert!(result.is_approved(), "{result:?}");
    assert!(client.on_backup());
    assert_eq!(host.kinds(), [K::SignOn, K::Purchase]);
}

#[tokio::test(start_paused = true)]
async fn settlement_with_the_host_down_is_an_error() {
    let mut rig = Rig::new();
    rig.set_down(true);
    assert!(matches!(
        rig.client.settle().await,
        Err(HostError::Unreachable)
    ));
}

#[tokio::test(start_paused = true)]
async fn an_unanswered_refund_is_stored_and_sent_again_never_reversed() {
    let mut rig = Rig::new();
    rig.backup_link.set_refusing(true);
    rig.client.sign_on().await.unwrap();
    rig.primary.plan(K::Refund, Act::Silent);
    let refund_sale = rig.sale();
    let original = posrig_protocols::iso8583::transaction::Original {
        rrn: "000000000042".into(),
        auth_code: Some("A00042".into()),
        batch: 7,
        stan: 12,
        date: None,
    };
    let result = rig
        .client
        .refund(refund_sale, money("5.00"), &original, &card())
        .await
        .unwrap();
    assert!(
        matches!(result, CardResult::ApprovedOffline { .. }),
        "{result:?}"
    );
    assert_eq!(tender(&rig, refund_sale).state, TenderState::Approved);
    assert!(
        pending_reversals(&rig).is_empty(),
        "refunds are not reversed"
    );
    let queued = rig.with(|j| j.queued_advices().unwrap());
    assert_eq!(queued.len(), 1);
    let of = queued[0].refund_of.clone().expect("queued as a refund");
    assert_eq!(
        (of.rrn.as_str(), of.stan, of.batch),
        ("000000000042", 12, 7)
    );
    // After a restart (the card data is gone) it goes again with its STAN and amount.
    rig.restart();
    rig.client.send_pending().await.unwrap();
    let refunds: Vec<_> = rig
        .primary
        .seen()
        .into_iter()
        .filter(|s| s.kind == Some(K::Refund))
        .collect();
    assert_eq!(refunds.len(), 2);
    assert_eq!(refunds[0].msg.stan(), refunds[1].msg.stan());
    assert_eq!(refunds[1].msg.amount_minor(), Some(500));
    assert!(!rig.primary.kinds().contains(&K::Reversal));
    assert!(rig.with(|j| j.queued_advices().unwrap()).is_empty());
}
