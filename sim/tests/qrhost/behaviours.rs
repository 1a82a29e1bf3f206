//! Every code behaviour, idempotency, reverse and rules, over TCP.

use std::time::Duration;

use posrig_protocols::qrpay::{ErrorCode, MicropayResult, ReverseResult, TradeState};
use posrig_sim::data::Behaviour;
use posrig_sim::qrhost::{Endpoint, QrAction, QrMatch, QrRule};

use crate::support::*;

#[tokio::test]
async fn success_pays_at_once_and_enters_the_ledger() {
    let (host, _server, mut c) = start().await;
    let r = c.micropay("T1", &code("wechat-ok"), 1_234).await;
    assert_eq!(r.result, MicropayResult::Success);
    assert_eq!(r.err_code, None);
    let txn = r.transaction_id.clone().unwrap();
    assert_eq!(c.query("T1").await, TradeState::Success);
    let ledger = host.control().ledger();
    assert_eq!(ledger.len(), 1);
    let e = &ledger[0];
    assert_eq!(e.transaction_id.as_deref(), Some(txn.as_str()));
    assert_eq!(
        (e.total_fee, e.state, e.terminal_id.as_str()),
        (1_234, TradeState::Success, "LANE0001")
    );
    assert_eq!(e.wallet.as_deref(), Some("wechat-ok"));
    assert_eq!(e.masked_code, "134567********6789");
    assert!(!serde_json::to_string(&ledger)
        .unwrap()
        .contains(&code("wechat-ok")));
}

#[tokio::test]
async fn failures_carry_their_error_codes() {
    let (_host, _server, mut c) = start().await;
    let cases = [
        ("wechat-insufficient", ErrorCode::NotEnough),
        ("wechat-expired", ErrorCode::AuthCodeExpire),
        ("wechat-invalid", ErrorCode::AuthCodeInvalid),
        ("wechat-already-paid", ErrorCode::OrderPaid),
    ];
    for (i, (name, err)) in cases.into_iter().enumerate() {
        let no = format!("F{i}");
        let r = c.micropay(&no, &code(name), 100).await;
        assert_eq!(
            (r.result, r.err_code),
            (MicropayResult::Fail, Some(err)),
            "{name}"
        );
        assert_eq!(c.query(&no).await, TradeState::PayError);
    }
    let r = c.micropay("F9", "109999999999999999x", 100).await;
    assert_eq!(r.err_code, Some(ErrorCode::AuthCodeInvalid), "not digits");
    let r = c.micropay("F10", "999999999999999999", 100).await;
    assert_eq!(
        r.err_code,
        Some(ErrorCode::AuthCodeInvalid),
        "a code in no wallet or range"
    );
}

#[tokio::test]
async fn balances_run_out() {
    let (host, _server, mut c) = start().await;
    let small = code("wechat-small-balance");
    assert_eq!(
        c.micropay("B1", &small, 1_500).await.result,
        MicropayResult::Success
    );
    let r = c.micropay("B2", &small, 600).await;
    assert_eq!(r.err_code, Some(ErrorCode::NotEnough));
    assert_eq!(
        host.control().balance_minor("wechat-small-balance"),
        Some(500)
    );
    assert_eq!(c.reverse("B1").await.result, ReverseResult::Success);
    assert_eq!(
        host.control().balance_minor("wechat-small-balance"),
        Some(2_000),
        "refunded"
    );
}

#[tokio::test]
async fn unknown_result_is_paid_as_a_query_shows() {
    let (_host, _server, mut c) = start().await;
    let r = c.micropay("U1", &code("wechat-unknown"), 100).await;
    assert_eq!(r.result, MicropayResult::Unknown);
    assert_eq!(r.transaction_id, None);
    assert_eq!(c.query("U1").await, TradeState::Success);
}

#[tokio::test]
async fn ranges_and_prefixes_from_the_file() {
    let (_host, _server, mut c) = start().await;
    assert_eq!(
        c.micropay("R1", "101234567890123456", 1).await.result,
        MicropayResult::Success
    );
    assert_eq!(
        c.micropay("R2", "111234567890123456", 1).await.result,
        MicropayResult::UserPaying
    );
    assert_eq!(
        c.micropay("R3", "251234567890123456", 1).await.result,
        MicropayResult::Success
    );
}

#[tokio::test]
async fn out_trade_no_is_idempotent() {
    let (host, _server, mut c) = start().await;
    let first = c.micropay("I1", &code("wechat-ok"), 500).await;
    let again = c.micropay("I1", &code("wechat-ok"), 500).await;
    assert_eq!(first, again, "same result, same transaction");
    assert_eq!(host.control().ledger().len(), 1);
    let other = c.micropay("I1", &code("wechat-ok"), 501).await;
    assert_eq!(
        other.err_code,
        Some(ErrorCode::Other("OUT_TRADE_NO_USED".into()))
    );
    let failed = c.micropay("I2", &code("wechat-expired"), 5).await;
    assert_eq!(c.micropay("I2", &code("wechat-expired"), 5).await, failed);
}

#[tokio::test]
async fn reverse_closes_unpaid_refunds_paid_and_is_final() {
    let (host, _server, mut c) = start().await;
    c.micropay("V1", &code("wechat-user-paying"), 100).await;
    let r = c.reverse("V1").await;
    assert_eq!((r.result, r.recall), (ReverseResult::Success, false));
    assert_eq!(c.query("V1").await, TradeState::Revoked);
    assert_eq!(
        c.micropay("V1", &code("wechat-user-paying"), 100)
            .await
            .err_code,
        Some(ErrorCode::OrderReversed)
    );

    c.micropay("V2", &code("wechat-ok"), 100).await;
    assert_eq!(c.reverse("V2").await.result, ReverseResult::Success);
    assert_eq!(c.query("V2").await, TradeState::Revoked);
    assert!(host
        .control()
        .ledger()
        .iter()
        .any(|e| e.out_trade_no == "V2" && e.refunded));

    c.micropay("V3", &code("wechat-expired"), 100).await;
    c.reverse("V3").await;
    assert_eq!(c.query("V3").await, TradeState::Closed);

    // Never seen: recorded as reversed, so a late payment cannot go through.
    assert_eq!(c.reverse("V4").await.result, ReverseResult::Success);
    let late = c.micropay("V4", &code("wechat-ok"), 100).await;
    assert_eq!(
        late.err_code,
        Some(ErrorCode::Other("OUT_TRADE_NO_USED".into()))
    );
    assert_eq!(
        c.reverse("V4").await.result,
        ReverseResult::Success,
        "idempotent"
    );
}

#[tokio::test]
async fn rules_force_delay_and_fail() {
    let (host, _server, mut c) = start().await;
    let ctl = host.control();
    ctl.add_rule(
        QrRule::new(
            QrMatch::endpoint(Endpoint::Micropay),
            QrAction::Force(Behaviour::Insufficient),
        )
        .times(1),
    );
    assert_eq!(
        c.micropay("Q1", &code("wechat-ok"), 1).await.err_code,
        Some(ErrorCode::NotEnough)
    );
    assert_eq!(
        c.micropay("Q2", &code("wechat-ok"), 1).await.result,
        MicropayResult::Success
    );

    ctl.add_rule(QrRule::new(QrMatch::default(), QrAction::SystemError).times(3));
    let r = c.micropay("Q3", &code("wechat-ok"), 1).await;
    assert_eq!(
        (r.result, r.err_code),
        (MicropayResult::Unknown, Some(ErrorCode::SystemError))
    );
    let (status, _): (_, Option<serde_json::Value>) = c
        .post("/orderquery", &serde_json::json!({"out_trade_no": "Q3"}))
        .await;
    assert_eq!(status, hyper::StatusCode::SERVICE_UNAVAILABLE);
    let r = c.reverse("Q3").await;
    assert_eq!((r.result, r.recall), (ReverseResult::Fail, true));

    let slow = QrMatch {
        out_trade_no: Some("Q4".into()),
        ..QrMatch::default()
    };
    ctl.add_rule(QrRule::new(slow, QrAction::DelayMs(300)));
    let started = std::time::Instant::now();
    c.micropay("Q4", &code("wechat-ok"), 1).await;
    assert!(started.elapsed() >= Duration::from_millis(300));
    ctl.clear_rules();

    let silent = QrMatch {
        endpoint: Some(Endpoint::Orderquery),
        ..QrMatch::default()
    };
    ctl.add_rule(QrRule::new(silent, QrAction::NeverRespond));
    let query = c.query("Q4");
    assert!(tokio::time::timeout(Duration::from_millis(300), query)
        .await
        .is_err());
}

#[tokio::test]
async fn bad_json_is_refused_and_the_host_keeps_serving() {
    let (_host, _server, mut c) = start().await;
    let (status, _): (_, Option<serde_json::Value>) = c
        .post("/micropay", &serde_json::json!({"nonsense": true}))
        .await;
    assert!(status.is_client_error());
    assert_eq!(
        c.micropay("J1", &code("wechat-ok"), 1).await.result,
        MicropayResult::Success
    );
}
