//! Every rule a scenario can set, matched per card, amount, terminal, kind, window and count.

use std::time::Duration;

use posrig_protocols::iso8583::{transaction, HostRequest, ResponseCode};
use posrig_sim::acquirer::{AmountMatch, KindName, Rule, RuleAction, RuleMatch, TimeWindow};

use crate::support::*;

async fn signed_on(
    tid: &str,
) -> (
    posrig_sim::acquirer::Acquirer,
    posrig_sim::acquirer::AcquirerServer,
    Lane,
) {
    let (acq, server) = start().await;
    let mut lane = Lane::connect(server.local_addr(), tid).await;
    lane.sign_on().await;
    (acq, server, lane)
}

fn code_of(frame: &posrig_protocols::iso8583::Frame) -> ResponseCode {
    frame.message.response_code().unwrap()
}

#[tokio::test]
async fn forced_code_per_card_applies_only_to_that_card_and_moves_no_money() {
    let (acq, _server, mut lane) = signed_on("LANE0020").await;
    let when = RuleMatch {
        card: Some("chip-ok".into()),
        ..RuleMatch::any()
    };
    acq.control()
        .add_rule(Rule::new(when, RuleAction::Respond { code: "91".into() }))
        .unwrap();
    let chip = lane.card("chip-ok", None);
    let p = lane.purchase(100, &chip);
    let frame = lane.exchange(p).await;
    assert_eq!(code_of(&frame), ResponseCode::IssuerUnavailable);
    assert!(frame.message.verify_mac(lane.mak()));
    let tap = lane.card("tap-ok", None);
    let p = lane.purchase(100, &tap);
    assert_eq!(code_of(&lane.exchange(p).await), ResponseCode::Approved);
    assert_eq!(acq.control().ledger().entries().len(), 1);
    acq.control().clear_rules();
    let p = lane.purchase(100, &chip);
    assert_eq!(code_of(&lane.exchange(p).await), ResponseCode::Approved);
}

#[tokio::test]
async fn amount_exact_and_range_terminal_and_kind_matches() {
    let (acq, _server, mut lane) = signed_on("LANE0021").await;
    let ctl = acq.control();
    let exact = RuleMatch {
        amount: Some(AmountMatch::Exact(777)),
        ..RuleMatch::any()
    };
    ctl.add_rule(Rule::new(exact, RuleAction::Respond { code: "05".into() }))
        .unwrap();
    let range = RuleMatch {
        amount: Some(AmountMatch::Range {
            min: Some(1_000),
            max: Some(2_000),
        }),
        kind: Some(KindName::Purchase),
        terminal: Some("LANE0021".into()),
        ..RuleMatch::any()
    };
    ctl.add_rule(Rule::new(range, RuleAction::Respond { code: "61".into() }))
        .unwrap();
    let other_terminal = RuleMatch {
        terminal: Some("LANE0099".into()),
        ..RuleMatch::any()
    };
    ctl.add_rule(Rule::new(
        other_terminal,
        RuleAction::Respond { code: "96".into() },
    ))
    .unwrap();
    let card = lane.card("chip-ok", None);
    for (amount, expected) in [
        (777, ResponseCode::DoNotHonour),
        (999, ResponseCode::Approved),
        (1_000, ResponseCode::OverAmountLimit),
        (2_000, ResponseCode::OverAmountLimit),
        (2_001, ResponseCode::Approved),
    ] {
        let p = lane.purchase(amount, &card);
        assert_eq!(
            code_of(&lane.exchange(p).await),
            expected,
            "amount {amount}"
        );
    }
    // The range rule is for purchases only: an inquiry is not caught.
    let stan = lane.next_stan();
    let q = transaction::balance_inquiry(&lane.terminal, stan, lane.batch, &card).unwrap();
    assert_eq!(code_of(&lane.exchange(q).await), ResponseCode::Approved);
}

#[tokio::test]
async fn delay_then_answer() {
    let (acq, _server, mut lane) = signed_on("LANE0022").await;
    acq.control()
        .add_rule(Rule::new(
            RuleMatch::kind(KindName::Purchase),
            RuleAction::Delay { ms: 300 },
        ))
        .unwrap();
    let card = lane.card("chip-ok", None);
    let p = lane.purchase(100, &card);
    lane.send(p).await;
    assert!(lane.recv_within(Duration::from_millis(150)).await.is_none());
    assert_eq!(code_of(&lane.recv().await), ResponseCode::Approved);
}

#[tokio::test]
async fn never_respond_processes_but_says_nothing_for_the_next_n() {
    let (acq, _server, mut lane) = signed_on("LANE0023").await;
    acq.control()
        .add_rule(
            Rule::new(
                RuleMatch::kind(KindName::Purchase),
                RuleAction::NeverRespond,
            )
            .times(2),
        )
        .unwrap();
    let card = lane.card("chip-ok", None);
    for _ in 0..2 {
        let p = lane.purchase(100, &card);
        lane.send(p).await;
        assert!(lane.recv_within(Duration::from_millis(200)).await.is_none());
    }
    assert_eq!(
        acq.control().ledger().entries().len(),
        2,
        "both were processed"
    );
    let p = lane.purchase(100, &card);
    assert_eq!(
        code_of(&lane.exchange(p).await),
        ResponseCode::Approved,
        "the rule retired"
    );
}

#[tokio::test]
async fn bad_mac_wrong_stan_and_sign_on_again() {
    let (acq, _server, mut lane) = signed_on("LANE0024").await;
    let ctl = acq.control();
    let card = lane.card("chip-ok", None);

    let id = ctl
        .add_rule(Rule::new(RuleMatch::any(), RuleAction::BadMac))
        .unwrap();
    let p = lane.purchase(100, &card);
    let frame = lane.exchange(p).await;
    assert_eq!(code_of(&frame), ResponseCode::Approved);
    assert!(frame.message.mac().is_some());
    assert!(!frame.message.verify_mac(lane.mak()));
    assert!(ctl.remove_rule(id));

    ctl.add_rule(Rule::new(RuleMatch::any(), RuleAction::WrongStan).times(1))
        .unwrap();
    let p = lane.purchase(100, &card);
    let frame = lane.exchange(p.clone()).await;
    assert_ne!(frame.message.stan(), p.stan());
    assert!(
        frame.message.verify_mac(lane.mak()),
        "a well-MACed answer to the wrong STAN"
    );

    ctl.add_rule(Rule::new(RuleMatch::any(), RuleAction::SignOnAgain).times(1))
        .unwrap();
    let p = lane.purchase(100, &card);
    let frame = lane.exchange(p).await;
    assert_eq!(code_of(&frame), ResponseCode::Approved);
    assert_eq!(frame.header.host_request(), HostRequest::SignOnAgain);
}

#[tokio::test]
async fn duplicate_and_batch_mismatch_rules() {
    let (acq, _server, mut lane) = signed_on("LANE0025").await;
    let ctl = acq.control();
    let card = lane.card("chip-ok", None);
    ctl.add_rule(Rule::new(RuleMatch::any(), RuleAction::Duplicate).times(1))
        .unwrap();
    ctl.add_rule(Rule::new(RuleMatch::any(), RuleAction::BatchMismatch).times(2))
        .unwrap();
    let p = lane.purchase(100, &card);
    assert_eq!(
        code_of(&lane.exchange(p).await),
        ResponseCode::Duplicate,
        "the first decision rule wins"
    );
    let p = lane.purchase(100, &card);
    let frame = lane.exchange(p).await;
    assert_eq!(code_of(&frame), ResponseCode::BatchMismatch);
    assert_eq!(frame.header.host_request(), HostRequest::SignOnAgain);
    assert!(ctl.ledger().entries().is_empty());
}

#[tokio::test]
async fn close_connection_after_processing() {
    let (acq, server, mut lane) = signed_on("LANE0026").await;
    acq.control()
        .add_rule(
            Rule::new(
                RuleMatch::kind(KindName::Purchase),
                RuleAction::CloseConnection,
            )
            .times(1),
        )
        .unwrap();
    let card = lane.card("chip-ok", None);
    let p = lane.purchase(100, &card);
    lane.send(p).await;
    assert!(lane.closed_within(Duration::from_secs(2)).await);
    assert_eq!(acq.control().ledger().entries().len(), 1);
    // The terminal reconnects; the host still knows its keys.
    let keys = lane.keys.clone();
    let mut again = Lane::connect(server.local_addr(), "LANE0026").await;
    again.keys = keys;
    again.stan = lane.stan;
    let p = again.purchase(100, &card);
    assert_eq!(code_of(&again.exchange(p).await), ResponseCode::Approved);
}

#[tokio::test]
async fn time_windows_are_host_time() {
    let (acq, _server, mut lane) = signed_on("LANE0027").await;
    let later = RuleMatch {
        window: Some(TimeWindow {
            from_ms: 60_000,
            until_ms: None,
        }),
        ..RuleMatch::any()
    };
    acq.control()
        .add_rule(Rule::new(later, RuleAction::Respond { code: "96".into() }))
        .unwrap();
    let now = RuleMatch {
        window: Some(TimeWindow {
            from_ms: 0,
            until_ms: Some(60_000),
        }),
        ..RuleMatch::any()
    };
    acq.control()
        .add_rule(Rule::new(now, RuleAction::Respond { code: "91".into() }))
        .unwrap();
    let card = lane.card("chip-ok", None);
    let p = lane.purchase(100, &card);
    assert_eq!(
        code_of(&lane.exchange(p).await),
        ResponseCode::IssuerUnavailable
    );
}

#[tokio::test]
async fn rules_from_yaml() {
    let (acq, _server, mut lane) = signed_on("LANE0028").await;
    let rules: Vec<Rule> = serde_yaml::from_str(
        r#"
- name: slow chip-ok
  when: { card: chip-ok }
  then: { delay_ms: 50 }
- name: chip-ok declined
  when: { card: chip-ok, amount: { min: 500 } }
  then: { respond: "51" }
  times: 1
"#,
    )
    .unwrap();
    for r in rules {
        acq.control().add_rule(r).unwrap();
    }
    let card = lane.card("chip-ok", None);
    let p = lane.purchase(600, &card);
    assert_eq!(
        code_of(&lane.exchange(p).await),
        ResponseCode::InsufficientFunds
    );
    let p = lane.purchase(600, &card);
    assert_eq!(code_of(&lane.exchange(p).await), ResponseCode::Approved);
}
