//! Voids (撤销) of completed sales by their receipt number: a card sale voided with the card
//! presented again, cash paid back from the drawer, the supervisor's approval, refusals
//! (unknown receipt, a refund, a void of a void, another card, a QR sale, a closed day), an
//! unanswered void that leaves the sale sold, and the totals after a void.

use posrig_pos::journal::{Reversal, ReversalKind, TenderState, VoidState};
use posrig_pos::money::Money;
use posrig_pos::receipt::DocKind;
use posrig_pos::sale::SaleId;
use posrig_pos::terminal::{Command, HostOutcome, Input, QrOutcome, VoidRequest};
use posrig_protocols::iso8583::ResponseCode;
use posrig_protocols::pinpad::{CardEntry, PadMessage, TxnKind};

use crate::support::{approved, card, chip_card, has, pin_ok, prints, Lane};

const MILK: &str = "6901234100006";

fn money(s: &str) -> Money {
    s.parse().unwrap()
}

/// A lane with one chip-card sale of a milk (12.50), approved with STAN 7, RRN
/// `500100000007`, auth code `A12345`, batch 1; the cashier is logged in.
fn card_sale_lane() -> Lane {
    let mut lane = Lane::new();
    lane.login_cashier();
    lane.scan(MILK);
    lane.keys("TOTAL CARD");
    lane.pad(chip_card());
    lane.pad(pin_ok());
    lane.host(approved(7));
    assert_eq!(lane.shown(), ("APPROVED".into(), "THANK YOU".into()));
    lane
}

fn void_request(cmds: &[Command]) -> Option<VoidRequest> {
    cmds.iter().find_map(|c| match c {
        Command::HostVoid(r) => Some(r.clone()),
        _ => None,
    })
}

fn void_state(lane: &Lane, sale: i64) -> VoidState {
    lane.reopen_journal()
        .void_status(SaleId(sale))
        .unwrap()
        .state
}

/// What the host client does with an approved void before it answers: the reversal armed
/// before the request, then the original tender voided and the reversal cleared in one commit.
fn host_approves_void(lane: &mut Lane, req: &VoidRequest) -> Vec<Command> {
    let mut j = lane.reopen_journal();
    let armed = j
        .write_reversal(&Reversal {
            sale_id: Some(req.card.sale_id),
            tender_id: None,
            kind: ReversalKind::Card,
            mti: Some("0200".into()),
            processing_code: Some("200000".into()),
            stan: Some(8),
            batch: Some(1),
            amount: money("12.50"),
            masked_pan: Some(req.original.masked_pan.clone()),
            entry_mode: Some(req.original.entry_mode),
            out_trade_no: None,
        })
        .unwrap();
    j.void_tender(req.card.tender_id, armed).unwrap();
    lane.send(Input::Host(HostOutcome::Approved {
        auth_code: "A99999".into(),
        rrn: "500100000008".into(),
        stan: 8,
        batch: 1,
    }))
}

#[test]
fn card_sale_voided_by_receipt_number_with_the_card_read_again() {
    let mut lane = card_sale_lane();
    lane.supervisor();
    lane.keys("VOID");
    assert_eq!(lane.shown(), ("VOID RECEIPT NO.".into(), String::new()));
    let out = lane.keys("1 ENTER");
    assert!(has(&out, |c| matches!(
        c,
        Command::Pad(PadMessage::Start {
            kind: TxnKind::Void,
            amount_minor: 1250,
            ..
        })
    )));
    assert_eq!(lane.shown(), ("INSERT/SWIPE/TAP".into(), "12.50".into()));
    // The voiding state is committed before the card is even read.
    assert_eq!(void_state(&lane, 1), VoidState::Voiding);

    let out = lane.pad(chip_card());
    assert!(
        !has(&out, |c| matches!(
            c,
            Command::Pad(PadMessage::RequestPin { .. })
        )),
        "no PIN for a void"
    );
    let req = void_request(&out).expect("the void goes to the host");
    assert_eq!(req.card.sale_id, SaleId(1));
    assert_eq!(req.card.amount_minor, 1250);
    assert_eq!(req.card.track2.pan.as_str(), crate::support::CHIP_PAN);
    assert!(req.card.pin_block.is_none());
    assert_eq!(
        (
            req.original.stan,
            req.original.batch,
            req.original.rrn.as_str(),
            req.original.auth_code.as_str()
        ),
        (7, 1, "500100000007", "A12345")
    );
    assert_eq!(lane.shown(), ("AUTHORISING".into(), "PLEASE WAIT".into()));
    assert_eq!(void_state(&lane, 1), VoidState::Voiding);

    let out = host_approves_void(&mut lane, &req);
    assert_eq!(lane.shown(), ("SALE VOIDED".into(), "No. 000001".into()));
    assert!(
        !has(&out, |c| *c == Command::KickDrawer),
        "nothing to pay back from the drawer"
    );
    assert!(has(&out, |c| *c == Command::Pad(PadMessage::Abort)));
    let (_, slip) = prints(&out).pop().expect("a void slip");
    assert_eq!(slip.kind, DocKind::Void);
    let text = slip.to_text();
    for want in [
        "*** VOID ***",
        "of No. LANE0001-000001",
        "622202*********0017",
        "A12345",
        "500100000007",
        "Void RRN",
        "500100000008",
        "-12.50",
    ] {
        assert!(text.contains(want), "`{want}` missing from\n{text}");
    }
    assert!(!text.contains(crate::support::CHIP_PAN), "full PAN printed");

    let j = lane.reopen_journal();
    assert_eq!(void_state(&lane, 1), VoidState::Voided);
    let sale = j.load_sale(SaleId(1)).unwrap();
    assert!(sale
        .tenders
        .iter()
        .all(|t| t.state != TenderState::Approved));
    // A void of a void, and a refund of a voided sale, are refused.
    lane.supervisor();
    lane.keys("1 VOID");
    assert_eq!(lane.shown(), ("ALREADY VOIDED".into(), "No. 000001".into()));
    lane.keys("REFUND 1 ENTER");
    assert_eq!(
        lane.shown(),
        ("NOT REFUNDABLE".into(), "SALE VOIDED".into())
    );
}

#[test]
fn void_needs_the_supervisor_and_pays_cash_back_from_the_drawer() {
    let mut lane = Lane::new();
    lane.login_cashier();
    lane.scan(MILK);
    lane.keys("TOTAL 20 CASH");
    lane.send(Input::DrawerOpened);
    // Not while the drawer is open.
    lane.keys("1 VOID");
    assert_eq!(lane.shown(), ("CLOSE DRAWER".into(), "FIRST".into()));
    lane.send(Input::DrawerClosed);

    let out = lane.keys("1 VOID");
    assert_eq!(
        lane.shown(),
        ("SUPERVISOR NEEDED".into(), "PRESS SUPERVISOR".into())
    );
    assert!(!has(&out, |c| *c == Command::KickDrawer));
    assert_eq!(void_state(&lane, 1), VoidState::None);

    lane.supervisor();
    let out = lane.keys("VOID 1 ENTER");
    assert!(has(&out, |c| *c == Command::KickDrawer));
    assert_eq!(
        lane.shown(),
        ("SALE VOIDED".into(), "PAY BACK 12.50".into())
    );
    let (_, slip) = prints(&out).pop().expect("a void slip");
    assert!(
        slip.to_text().contains("Cash paid back"),
        "{}",
        slip.to_text()
    );
    assert_eq!(void_state(&lane, 1), VoidState::Voided);
    // The approval is audited with the supervisor's number, and used up.
    let events = lane.reopen_journal().events().unwrap();
    assert!(events.iter().any(|e| e.kind == "approval"
        && e.detail == "void_sale"
        && e.operator.as_deref() == Some("9001")
        && e.sale_id == Some(SaleId(1))));
    // The drawer opened for the pay-back: the next sale waits for it.
    lane.send(Input::DrawerOpened);
    lane.scan(MILK);
    assert_eq!(lane.shown(), ("CLOSE DRAWER".into(), "FIRST".into()));
}

#[test]
fn unknown_receipts_refunds_other_cards_and_qr_sales_are_refused() {
    let mut lane = card_sale_lane();
    lane.keys("VOID 9 ENTER");
    assert_eq!(lane.shown(), ("RECEIPT NOT FOUND".into(), String::new()));
    lane.keys("VOID ENTER");
    assert_eq!(lane.shown(), ("RECEIPT NOT FOUND".into(), String::new()));
    // CLEAR leaves the prompt.
    lane.keys("VOID CLEAR");
    assert_eq!(lane.shown(), ("NEXT CUSTOMER".into(), String::new()));

    // A refund (sale 2) cannot be voided.
    lane.supervisor();
    lane.keys("REFUND 1 ENTER");
    lane.scan(MILK);
    lane.keys("TOTAL CASH");
    lane.send(Input::DrawerClosed);
    lane.keys("2 VOID");
    assert_eq!(lane.shown(), ("NOT VOIDABLE".into(), "No. 000002".into()));

    // Another card than the original's: refused, and the sale is not voided.
    lane.supervisor();
    lane.keys("1 VOID");
    let out = lane.pad(card(CardEntry::Chip, "6222021000000000025=2812201"));
    assert!(void_request(&out).is_none());
    assert!(has(&out, |c| *c == Command::Pad(PadMessage::Abort)));
    assert_eq!(
        lane.shown(),
        ("CARD DOES NOT MATCH".into(), "USE ORIGINAL CARD".into())
    );
    assert_eq!(void_state(&lane, 1), VoidState::None);

    // A QR wallet sale (sale 3): the wallet API has no refund of a paid order.
    lane.scan(MILK);
    lane.keys("TOTAL QR");
    lane.scan("134567890123456789");
    lane.qr(QrOutcome::Success {
        transaction_id: "4200000001".into(),
    });
    assert_eq!(lane.shown().0, "PAID");
    lane.supervisor();
    lane.keys("3 VOID");
    assert_eq!(
        lane.shown(),
        ("QR CANNOT BE VOIDED".into(), "USE REFUND".into())
    );
    assert_eq!(void_state(&lane, 3), VoidState::None);
}

#[test]
fn a_declined_or_unanswered_void_leaves_the_sale_sold() {
    let mut lane = card_sale_lane();
    lane.supervisor();
    lane.keys("1 VOID");
    let out = lane.pad(chip_card());
    assert!(void_request(&out).is_some());
    let out = lane.send(Input::Host(HostOutcome::NoResponse));
    assert_eq!(lane.shown(), ("NO RESPONSE".into(), "VOID NOT DONE".into()));
    assert!(prints(&out).is_empty());
    assert_eq!(void_state(&lane, 1), VoidState::None);
    let totals = lane.reopen_journal().day_totals().unwrap();
    assert_eq!((totals.sales.count, totals.voided.count), (1, 0));

    lane.supervisor();
    lane.keys("1 VOID");
    lane.pad(chip_card());
    lane.send(Input::Host(HostOutcome::Declined {
        code: ResponseCode::from_bytes(*b"25"),
    }));
    assert_eq!(
        lane.shown(),
        ("ORIGINAL TRANSACTION".into(), "NOT FOUND".into())
    );
    assert_eq!(void_state(&lane, 1), VoidState::None);

    // The cashier gives up at the pad: the void is dropped too.
    lane.supervisor();
    lane.keys("1 VOID");
    lane.keys("CANCEL");
    assert_eq!(
        lane.shown(),
        ("CARD CANCELLED".into(), "VOID NOT DONE".into())
    );
    assert_eq!(void_state(&lane, 1), VoidState::None);
}

#[test]
fn totals_after_a_void_leave_the_sale_out_of_sales_tax_tenders_and_the_batch() {
    let mut lane = card_sale_lane();
    // A second sale, in cash, stays.
    lane.scan(MILK);
    lane.scan(MILK);
    lane.keys("TOTAL 30 CASH");
    lane.send(Input::DrawerClosed);
    let before = lane.reopen_journal().batch_totals(1).unwrap();
    assert_eq!(before.domestic.debit.count, 1);

    lane.supervisor();
    lane.keys("1 VOID");
    let out = lane.pad(chip_card());
    let req = void_request(&out).unwrap();
    host_approves_void(&mut lane, &req);
    assert_eq!(lane.shown().0, "SALE VOIDED");

    let j = lane.reopen_journal();
    let day = j.day_totals().unwrap();
    assert_eq!(day.sales.count, 1);
    assert_eq!(day.sales.amount, money("25.00"));
    assert_eq!(day.voided.count, 1);
    assert_eq!(day.voided.amount, money("12.50"));
    assert_eq!(day.refunds.count, 0, "a void is not a refund");
    assert_eq!(day.net(), money("25.00"));
    let tax: Money = day.tax.iter().map(|(_, t)| *t).sum();
    let card = day
        .by_tender
        .iter()
        .find(|t| t.kind == posrig_pos::tender::TenderKind::Card);
    assert!(card.is_none(), "no card tender counts: {:?}", day.by_tender);
    // Tax of the cash sale only (two milks); the voided one is out.
    let only_cash = {
        let mut l = Lane::new();
        l.login_cashier();
        l.scan(MILK);
        l.scan(MILK);
        l.keys("TOTAL 30 CASH");
        l.reopen_journal().day_totals().unwrap().tax
    };
    assert_eq!(day.tax, only_cash, "{tax}");
    // Field 48: the voided card sale is out of the debit totals; no credit either.
    let batch = j.batch_totals(1).unwrap();
    assert_eq!(batch.domestic.debit.count, 0);
    assert_eq!(batch.domestic.debit.amount, Money::ZERO);
    assert_eq!(batch.domestic.credit.count, 0);
    assert!(j.batch_details(1).unwrap().is_empty());

    // The X report shows it; the settlement sends the reduced totals.
    let out = lane.keys("XREPORT");
    let (_, x) = prints(&out).pop().unwrap();
    assert!(x.to_text().contains("Voided sales (1)"), "{}", x.to_text());
    assert!(x.to_text().contains("Sales (1)"), "{}", x.to_text());
    let out = lane.keys("SETTLE");
    let totals = out
        .iter()
        .find_map(|c| match c {
            Command::HostSettle { totals } => Some(*totals),
            _ => None,
        })
        .unwrap();
    assert_eq!(totals.domestic.debit.count, 0);

    // After a Z the day is closed: sale 2 can no longer be voided.
    lane.send(Input::Settle(posrig_pos::terminal::SettleOutcome::Balanced));
    lane.keys("ZREPORT");
    lane.supervisor();
    lane.keys("2 VOID");
    assert_eq!(lane.shown(), ("OTHER BATCH".into(), "USE REFUND".into()));
}

#[test]
fn after_a_restart_a_void_the_host_approved_is_completed_and_an_unanswered_one_dropped() {
    let mut lane = card_sale_lane();
    lane.supervisor();
    lane.keys("1 VOID");
    let out = lane.pad(chip_card());
    let req = void_request(&out).unwrap();
    // The host client voided the tender in the journal; the lane stopped before the answer.
    let mut j = lane.reopen_journal();
    let armed = j
        .write_reversal(&Reversal {
            sale_id: Some(SaleId(1)),
            tender_id: None,
            kind: ReversalKind::Card,
            mti: Some("0200".into()),
            processing_code: Some("200000".into()),
            stan: Some(8),
            batch: Some(1),
            amount: money("12.50"),
            masked_pan: Some(req.original.masked_pan.clone()),
            entry_mode: Some(req.original.entry_mode),
            out_trade_no: None,
        })
        .unwrap();
    j.void_tender(req.card.tender_id, armed).unwrap();
    drop(j);
    let (mut lane, out) = lane.restart();
    let slip = prints(&out)
        .into_iter()
        .find(|(_, d)| d.kind == DocKind::Void)
        .expect("the void slip prints after the restart");
    assert!(slip.1.to_text().contains("of No. LANE0001-000001"));
    assert_eq!(void_state(&lane, 1), VoidState::Voided);
    assert_eq!(lane.reopen_journal().day_totals().unwrap().voided.count, 1);

    // A second card sale (2) whose void got no answer before the stop: not voided.
    lane.login_cashier();
    lane.scan(MILK);
    lane.keys("TOTAL CARD");
    lane.pad(chip_card());
    lane.pad(pin_ok());
    lane.host(approved(9));
    lane.supervisor();
    lane.keys("2 VOID");
    assert!(void_request(&lane.pad(chip_card())).is_some());
    assert_eq!(void_state(&lane, 2), VoidState::Voiding);
    let (lane, out) = lane.restart();
    assert!(has(&out, |c| *c == Command::HostRecover));
    // (The first void's slip, never confirmed printed, is printed again; none for sale 2.)
    assert!(!prints(&out)
        .iter()
        .any(|(_, d)| d.kind == DocKind::Void && d.to_text().contains("LANE0001-000002")));
    assert_eq!(void_state(&lane, 2), VoidState::None);
}

#[test]
fn card_and_cash_sale_voids_the_card_at_the_host_and_pays_the_cash_back_but_two_cards_are_refused()
{
    let mut lane = Lane::new();
    lane.login_cashier();
    lane.scan(MILK);
    lane.keys("TOTAL 5 CARD");
    lane.pad(chip_card());
    lane.pad(pin_ok());
    lane.host(approved(7));
    lane.keys("CASH");
    lane.send(Input::DrawerOpened);
    lane.send(Input::DrawerClosed);

    lane.supervisor();
    let out = lane.keys("1 VOID");
    assert!(has(&out, |c| matches!(
        c,
        Command::Pad(PadMessage::Start {
            kind: TxnKind::Void,
            amount_minor: 500,
            ..
        })
    )));
    let out = lane.pad(chip_card());
    let req = void_request(&out).unwrap();
    assert_eq!(req.card.amount_minor, 500, "the card's part only");
    let out = host_approves_void(&mut lane, &req);
    // The drawer opens after the void is committed, for the cash part.
    assert!(has(&out, |c| *c == Command::KickDrawer));
    assert_eq!(lane.shown(), ("SALE VOIDED".into(), "PAY BACK 7.50".into()));
    let (_, slip) = prints(&out).pop().unwrap();
    let text = slip.to_text();
    assert!(text.contains("Card") && text.contains("-5.00"), "{text}");
    assert!(
        text.contains("Cash paid back") && text.contains("-7.50"),
        "{text}"
    );
    let sale = lane.reopen_journal().load_sale(SaleId(1)).unwrap();
    assert!(sale.tenders.iter().all(|t| t.state == TenderState::Voided));
    lane.send(Input::DrawerOpened);
    lane.send(Input::DrawerClosed);

    // Sale 2, paid with two cards: not voidable here, and nothing is started.
    lane.scan(MILK);
    lane.keys("TOTAL 5 CARD");
    lane.pad(chip_card());
    lane.pad(pin_ok());
    lane.host(approved(9));
    lane.keys("CARD");
    lane.pad(chip_card());
    lane.pad(pin_ok());
    lane.host(approved(10));
    assert_eq!(lane.shown(), ("APPROVED".into(), "THANK YOU".into()));
    lane.supervisor();
    let out = lane.keys("2 VOID");
    assert_eq!(
        lane.shown(),
        ("SPLIT CARD SALE".into(), "USE REFUND".into())
    );
    assert!(!has(&out, |c| matches!(c, Command::Pad(_))));
    assert_eq!(void_state(&lane, 2), VoidState::None);
}
