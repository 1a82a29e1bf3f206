//! Restarts on the same journal: completed sales kept once, unfinished receipts reprinted,
//! unpaid sales cancelled, part-paid sales resumed.

use posrig_pos::sale::SaleState;
use posrig_pos::terminal::{Command, Input};

use crate::support::{approved, chip_card, has, pin_ok, prints, Lane};

const MILK: &str = "6901234100006";

#[test]
fn crash_after_completion_keeps_the_sale_once_and_reprints_the_receipt() {
    let mut lane = Lane::new();
    lane.login_cashier();
    lane.scan(MILK);
    let out = lane.keys("TOTAL 2 0 CASH");
    let (job, _) = prints(&out).pop().unwrap();
    // Crash before the printer confirmed the cut.
    let (mut lane, out) = lane.restart();
    assert!(has(&out, |c| *c == Command::HostRecover));
    let reprinted = prints(&out);
    assert_eq!(reprinted.len(), 1);
    assert_eq!(reprinted[0].0, job);
    assert_eq!(lane.shown().0, "PLEASE LOG IN");
    lane.send(Input::PrintDone { job });
    let journal = lane.reopen_journal();
    assert_eq!(journal.completed_sales().unwrap().len(), 1);
    assert!(journal.in_progress_sales().unwrap().is_empty());
    // A second restart has nothing left to reprint.
    let (_, out) = lane.restart();
    assert!(prints(&out).is_empty());
}

#[test]
fn unpaid_sale_in_progress_is_cancelled() {
    let mut lane = Lane::new();
    lane.login_cashier();
    lane.scan(MILK);
    lane.keys("TOTAL");
    let (mut lane, _) = lane.restart();
    let journal = lane.reopen_journal();
    assert!(journal.in_progress_sales().unwrap().is_empty());
    assert_eq!(journal.day_totals().unwrap().cancelled, 1);
    lane.login_cashier();
    assert!(lane.core.sale().is_none());
}

#[test]
fn part_paid_sale_is_resumed_after_login() {
    let mut lane = Lane::new();
    lane.login_cashier();
    lane.scan(MILK);
    lane.scan(MILK);
    lane.keys("TOTAL 1 0 CARD");
    lane.pad(chip_card());
    lane.pad(pin_ok());
    lane.host(approved(2));
    let (mut lane, _) = lane.restart();
    assert_eq!(
        lane.shown(),
        ("SALE TO RESUME".into(), "PLEASE LOG IN".into())
    );
    lane.keys("LOGIN 1001 ENTER 1234 ENTER");
    assert_eq!(lane.shown(), ("SALE RESUMED".into(), "No. 000001".into()));
    let sale = lane.core.sale().unwrap();
    assert_eq!(sale.state(), SaleState::Tendering);
    assert_eq!(sale.remaining_due().to_string(), "15.00");
    lane.keys("CASH");
    assert_eq!(lane.shown(), ("CHANGE".into(), "0.00".into()));
    let journal = lane.reopen_journal();
    assert_eq!(journal.completed_sales().unwrap().len(), 1);
    assert_eq!(
        journal.completed_sales().unwrap()[0]
            .total
            .unwrap()
            .to_string(),
        "25.00"
    );
}

#[test]
fn crash_while_authorising_leaves_the_tender_to_the_host_client() {
    let mut lane = Lane::new();
    lane.login_cashier();
    lane.scan(MILK);
    lane.keys("TOTAL CARD");
    lane.pad(chip_card());
    lane.pad(pin_ok());
    let (_, out) = lane.restart();
    assert!(has(&out, |c| *c == Command::HostRecover));
}

#[test]
fn resumed_sale_keeps_its_member_and_points_discount() {
    let mut lane = Lane::new();
    lane.login_cashier();
    lane.scan(MILK);
    lane.keys("MEMBER 13800138000 ENTER TOTAL 1 0 0 MEMBER 5 CASH");
    assert_eq!(lane.shown(), ("BALANCE DUE".into(), "6.50".into()));
    let (mut lane, _) = lane.restart();
    lane.keys("LOGIN 1001 ENTER 1234 ENTER");
    assert_eq!(lane.shown(), ("SALE RESUMED".into(), "No. 000001".into()));
    let sale = lane.core.sale().unwrap();
    assert_eq!(sale.member().map(|m| m.id.as_str()), Some("M0001"));
    assert_eq!(sale.member().unwrap().redeemed, 100);
    assert_eq!(sale.remaining_due().to_string(), "6.50");
    lane.keys("CASH");
    assert_eq!(lane.shown().0, "CHANGE");
    let text = prints(&lane.log).pop().unwrap().1.to_text();
    assert!(
        text.contains("Points redeemed") && text.contains("Wang Fang"),
        "{text}"
    );
    let movements = lane.reopen_journal().member_movements("M0001").unwrap();
    assert!(
        movements.iter().any(|m| m.1 == "redeem" && m.2 == -100),
        "{movements:?}"
    );
}
