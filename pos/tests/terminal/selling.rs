//! Selling and cash: scans, PLU, quantities, weighed and price-embedded items, voids, cancel,
//! members, cash with change and the drawer rule.

use posrig_pos::catalog::in_store_code;
use posrig_pos::money::money;
use posrig_pos::sale::SaleState;
use posrig_pos::terminal::{Command, Input};
use posrig_protocols::scale::{ScaleReply, ScaleStatus};

use crate::support::{has, prints, transcript, Lane};

const MILK: &str = "6901234100006";
const SKIM: &str = "6901241100372";
const GUM: &str = "6901451111472";
const LOLLIPOP: &str = "6901458111840";

#[test]
fn full_cash_sale_with_change_and_drawer_rule() {
    let mut lane = Lane::new();
    lane.send(Input::Key(posrig_protocols::keyboard::Key::Clear));
    assert_eq!(lane.shown(), ("PLEASE LOG IN".into(), String::new()));
    lane.login_cashier();
    lane.scan(MILK);
    assert_eq!(
        lane.display(),
        ("Whole milk 1L".into(), "               12.50".into())
    );
    lane.keys("2 QTY");
    assert_eq!(lane.shown(), ("QTY 2".into(), "SCAN OR PLU".into()));
    lane.scan(SKIM);
    assert_eq!(
        lane.display(),
        ("Skim milk 1L".into(), "2 X 11.80      23.60".into())
    );
    lane.keys("TOTAL");
    assert_eq!(lane.shown(), ("TOTAL".into(), "36.10".into()));
    let out = lane.keys("5 0 CASH");
    assert_eq!(lane.shown(), ("CHANGE".into(), "13.90".into()));
    let kick = out.iter().position(|c| *c == Command::KickDrawer).unwrap();
    let print = out
        .iter()
        .position(|c| matches!(c, Command::Print { .. }))
        .unwrap();
    assert!(kick < print, "drawer opens, then the receipt prints");
    let (job, doc) = prints(&out).pop().unwrap();
    let text = doc.to_text();
    assert!(text.contains("CHANGE") && text.contains("13.90"), "{text}");
    assert!(text.contains("LANE0001-000001"), "{text}");
    // The sale is committed before the drawer and the printer act.
    let journal = lane.reopen_journal();
    assert_eq!(journal.completed_sales().unwrap().len(), 1);
    assert_eq!(journal.unfinished_receipts().unwrap()[0].id, job);
    lane.send(Input::PrintDone { job });
    assert!(lane
        .reopen_journal()
        .unfinished_receipts()
        .unwrap()
        .is_empty());

    // The drawer must close before the next sale starts.
    lane.send(Input::DrawerOpened);
    let out = lane.scan(MILK);
    assert_eq!(lane.shown(), ("CLOSE DRAWER".into(), "FIRST".into()));
    assert!(lane.core.sale().is_none());
    assert!(!has(&out, |c| matches!(c, Command::Print { .. })));
    lane.send(Input::DrawerClosed);
    assert_eq!(lane.shown(), ("NEXT CUSTOMER".into(), String::new()));
    lane.scan(MILK);
    assert_eq!(lane.core.sale().unwrap().basket().lines().len(), 1);
    insta::assert_snapshot!("cash_sale_transcript", transcript(&lane.log));
}

#[test]
fn point_one_plus_point_two_through_the_ui() {
    let mut lane = Lane::new();
    lane.login_cashier();
    lane.scan(GUM);
    lane.scan(LOLLIPOP);
    lane.keys("TOTAL");
    assert_eq!(lane.shown(), ("TOTAL".into(), "0.30".into()));
    lane.keys("CASH");
    assert_eq!(lane.shown(), ("CHANGE".into(), "0.00".into()));
    let sales = lane.reopen_journal().completed_sales().unwrap();
    assert_eq!(sales[0].total, Some(money("0.30")));
}

#[test]
fn weighed_item_through_the_scale_with_cash_rounding() {
    let mut lane = Lane::new();
    lane.login_cashier();
    let out = lane.keys("20002 PLU");
    assert!(has(&out, |c| *c == Command::ReadWeight));
    assert_eq!(lane.shown(), ("WEIGHING".into(), "PLEASE WAIT".into()));
    let moving = ScaleStatus {
        in_motion: true,
        ..ScaleStatus::default()
    };
    lane.send(Input::Weight(ScaleReply::Status(moving)));
    assert_eq!(
        lane.shown(),
        ("SCALE IN MOTION".into(), "ENTER TO RETRY".into())
    );
    let out = lane.keys("ENTER");
    assert!(has(&out, |c| *c == Command::ReadWeight));
    let heavy = ScaleStatus {
        over_capacity: true,
        ..ScaleStatus::default()
    };
    lane.send(Input::Weight(ScaleReply::Status(heavy)));
    assert_eq!(lane.shown().0, "SCALE OVER CAPACITY");
    lane.send(Input::Weight(ScaleReply::Weight { grams: 1255 }));
    assert_eq!(
        lane.display(),
        ("Bananas (per kg)".into(), "1.255 KG        8.76".into())
    );
    lane.keys("TOTAL 1 0 CASH");
    // 8.76 is rounded to the cash increment 0.10: 8.80 paid, 1.20 back.
    assert_eq!(lane.shown(), ("CHANGE".into(), "1.20".into()));
}

#[test]
fn price_embedded_code_and_weight_embedded_code() {
    let mut lane = Lane::new();
    lane.login_cashier();
    lane.scan(&in_store_code("10001", None, Some(1999)));
    assert_eq!(lane.shown(), ("Whole milk 1L".into(), "19.99".into()));
    lane.scan(&in_store_code("20001", Some(500), None));
    assert_eq!(
        lane.shown(),
        ("Apples (per kg)".into(), "0.500 KG        4.90".into())
    );
    lane.keys("TOTAL");
    assert_eq!(lane.shown(), ("TOTAL".into(), "24.89".into()));
}

#[test]
fn unknown_and_misread_codes() {
    let mut lane = Lane::new();
    lane.login_cashier();
    lane.scan("6901234100007");
    assert_eq!(lane.shown(), ("RESCAN".into(), String::new()));
    lane.scan("4006381333931");
    assert_eq!(
        lane.shown(),
        ("UNKNOWN ITEM".into(), "4006381333931".into())
    );
    lane.keys("99999 PLU");
    assert_eq!(lane.shown(), ("UNKNOWN PLU".into(), "99999".into()));
    assert!(lane.core.sale().is_none(), "no sale starts on a bad code");
    lane.keys("1 2 3");
    assert_eq!(lane.shown(), ("ENTRY".into(), "123".into()));
    lane.keys("CLEAR");
    assert_eq!(lane.shown(), ("NEXT CUSTOMER".into(), String::new()));
}

#[test]
fn void_last_line_before_total() {
    let mut lane = Lane::new();
    lane.login_cashier();
    lane.scan(MILK);
    lane.scan(SKIM);
    lane.keys("VOID");
    assert_eq!(lane.shown(), ("VOID Skim milk 1L".into(), "-11.80".into()));
    lane.keys("TOTAL");
    assert_eq!(lane.shown(), ("TOTAL".into(), "12.50".into()));
}

#[test]
fn void_after_total_needs_a_supervisor() {
    let mut lane = Lane::new();
    lane.login_cashier();
    lane.scan(MILK);
    lane.scan(SKIM);
    lane.keys("TOTAL VOID");
    assert_eq!(
        lane.shown(),
        ("SUPERVISOR NEEDED".into(), "PRESS SUPERVISOR".into())
    );
    assert!(!lane.core.sale().unwrap().basket().lines()[1].voided);
    lane.keys("SUPERVISOR 1002 ENTER 5678 ENTER");
    assert_eq!(lane.shown().0, "NOT A SUPERVISOR");
    lane.supervisor();
    lane.keys("VOID");
    assert_eq!(lane.shown().0, "VOID Skim milk 1L");
    assert_eq!(lane.core.sale().unwrap().approvals()[0].supervisor, "9001");
    // The approval was for one action only.
    lane.keys("VOID");
    assert_eq!(lane.shown().0, "SUPERVISOR NEEDED");
    let events = lane.reopen_journal().events().unwrap();
    assert!(events
        .iter()
        .any(|e| e.kind == "approval" && e.detail == "void_after_total"));
}

#[test]
fn cancel_basket_before_and_after_total() {
    let mut lane = Lane::new();
    lane.login_cashier();
    lane.scan(MILK);
    lane.keys("CANCEL");
    assert_eq!(lane.shown().0, "SALE CANCELLED");
    assert!(lane.core.sale().is_none());
    lane.scan(MILK);
    lane.keys("TOTAL CANCEL");
    assert_eq!(lane.shown().0, "SUPERVISOR NEEDED");
    lane.supervisor();
    lane.keys("CANCEL");
    assert_eq!(lane.shown().0, "SALE CANCELLED");
    assert_eq!(lane.reopen_journal().day_totals().unwrap().cancelled, 2);
}

#[test]
fn member_lookup_and_points() {
    let mut lane = Lane::new();
    lane.login_cashier();
    lane.keys("MEMBER 13800138000 ENTER");
    assert_eq!(
        lane.shown(),
        ("Wang Fang".into(), "POINTS          1200".into())
    );
    lane.scan(MILK);
    lane.keys("TOTAL 2 0 CASH");
    let (_, doc) = prints(&lane.log).pop().unwrap();
    let text = doc.to_text();
    assert!(text.contains("Member Wang Fang (M0001)"), "{text}");
    assert!(text.contains("Points earned"), "{text}");
    let m = posrig_pos::member::Member {
        id: "M0001".into(),
        name: String::new(),
        phone: String::new(),
        card: String::new(),
        points: 1200,
    };
    assert_eq!(lane.reopen_journal().member_balance(&m).unwrap(), 1212);
    lane.keys("MEMBER 1 2 3 ENTER");
    assert_eq!(lane.shown().0, "MEMBER NOT FOUND");
}

#[test]
fn split_cash_payment_shows_balance_due() {
    let mut lane = Lane::new();
    lane.login_cashier();
    lane.scan(MILK);
    lane.keys("TOTAL 5 CASH");
    assert_eq!(lane.shown(), ("BALANCE DUE".into(), "7.50".into()));
    assert_eq!(lane.core.sale().unwrap().state(), SaleState::Tendering);
    lane.keys("1 0 CASH");
    assert_eq!(lane.shown(), ("CHANGE".into(), "2.50".into()));
}

#[test]
fn price_override_needs_a_supervisor_and_is_audited() {
    let mut lane = Lane::new();
    lane.login_cashier();
    lane.scan(MILK);
    lane.keys("1 0 ENTER");
    assert_eq!(
        lane.shown(),
        ("SUPERVISOR NEEDED".into(), "PRESS SUPERVISOR".into())
    );
    assert_eq!(
        lane.core.sale().unwrap().totals().total.to_string(),
        "12.50"
    );
    lane.supervisor();
    lane.keys("1 0 ENTER");
    let (l1, l2) = lane.shown();
    assert_eq!(l1, "Whole milk 1L");
    assert!(l2.starts_with("NEW PRICE") && l2.ends_with("10.00"), "{l2}");
    // The approval was used up: the next override needs another.
    lane.keys("9 ENTER");
    assert_eq!(lane.shown().0, "SUPERVISOR NEEDED");
    lane.keys("TOTAL");
    assert_eq!(lane.shown(), ("TOTAL".into(), "10.00".into()));
    let journal = lane.reopen_journal();
    let id = lane.core.sale().unwrap().id();
    let line = &journal.load_sale(id).unwrap().lines[0];
    assert_eq!(line.unit_price, money("10.00"));
    assert_eq!(line.overridden_from, Some(money("12.50")));
    let approvals: Vec<_> = journal
        .events()
        .unwrap()
        .into_iter()
        .filter(|e| e.kind == "approval")
        .collect();
    assert_eq!(approvals.len(), 1);
    assert_eq!(approvals[0].detail, "price_override");
    assert_eq!(approvals[0].operator.as_deref(), Some("9001"));
}

#[test]
fn points_redeemed_after_total_lower_the_total_and_are_booked() {
    let mut lane = Lane::new();
    lane.login_cashier();
    lane.scan(MILK);
    lane.keys("MEMBER 13800138000 ENTER TOTAL");
    assert_eq!(lane.shown(), ("TOTAL".into(), "12.50".into()));
    lane.keys("1 5 0 MEMBER");
    assert_eq!(lane.shown().0, "CANNOT REDEEM", "not a multiple of 100");
    lane.keys("2 0 0 0 MEMBER");
    assert_eq!(lane.shown().0, "CANNOT REDEEM", "more than the balance");
    lane.keys("2 0 0 MEMBER");
    assert_eq!(lane.shown(), ("POINTS REDEEMED".into(), "-2.00".into()));
    lane.keys("CLEAR");
    assert_eq!(lane.shown(), ("TOTAL".into(), "10.50".into()));
    lane.keys("CASH");
    let text = prints(&lane.log).pop().unwrap().1.to_text();
    assert!(text.contains("Points redeemed"), "{text}");
    let movements = lane.reopen_journal().member_movements("M0001").unwrap();
    let redeemed: i64 = movements
        .iter()
        .filter(|m| m.1 == "redeem")
        .map(|m| m.2)
        .sum();
    assert_eq!(redeemed, -200);
    assert!(movements.iter().any(|m| m.1 == "earn" && m.2 == 10));
}

#[test]
fn member_found_by_scanning_the_card_and_by_typing_the_card_number() {
    let mut lane = Lane::new();
    lane.login_cashier();
    lane.keys("MEMBER");
    lane.scan("8800000000028");
    assert_eq!(
        lane.shown(),
        ("Li Qiang".into(), "POINTS            50".into())
    );
    lane.scan(MILK);
    lane.keys("CANCEL");
    lane.keys("8800000000059 MEMBER");
    assert_eq!(lane.shown().0, "Zhou Jie");
}
