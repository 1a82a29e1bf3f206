//! Rendered documents as exact text (insta snapshots): a split-tender sale receipt with
//! promotions, discounts, weighed items, member points and a card tender, X/Z reports, and the
//! void slip.

#[path = "../support/mod.rs"]
mod support;

use posrig_pos::basket::{Discount, Quantity};
use posrig_pos::catalog::in_store_code;
use posrig_pos::clock::DateTime;
use posrig_pos::journal::Journal;
use posrig_pos::money::money;
use posrig_pos::receipt::{
    render_sale, render_void, render_x_report, render_z_report, Element, VoidSlip, VoidedCard,
};
use posrig_pos::sale::Sale;
use posrig_pos::tender::{CardTender, EntryMode, MaskedPan, Tender};
use rust_decimal_macros::dec;

fn at() -> DateTime {
    DateTime::from_unix(1_735_722_000)
}

fn full_sale(j: &mut Journal) -> Sale {
    let cat = support::catalog();
    let members = support::members();
    let id = j.begin_sale(&support::cashier()).unwrap();
    let mut s = Sale::new(id, support::cashier(), support::rules());
    s.add_item(cat.by_plu("10003").unwrap(), Quantity::Units(3))
        .unwrap(); // yoghurt, buy 2 get 1
    let milk = s
        .add_item(cat.by_plu("10001").unwrap(), Quantity::Units(1))
        .unwrap();
    s.discount_line(milk, Discount::Percent(dec!(10))).unwrap();
    s.add_resolved(
        &cat.resolve_scan(&in_store_code("20002", Some(1255), None))
            .unwrap(),
        1,
    )
    .unwrap();
    s.add_item(cat.by_plu("10046").unwrap(), Quantity::Units(1))
        .unwrap(); // newspaper, 6 %
    s.add_item(cat.by_plu("10028").unwrap(), Quantity::Units(2))
        .unwrap();
    let m = members.lookup("13800138000").unwrap();
    s.attach_member(m, j.member_balance(m).unwrap()).unwrap();
    s.total(None).unwrap();
    s.redeem_points(300).unwrap();
    let card = Tender::card(
        money("30.00"),
        CardTender {
            masked_pan: MaskedPan::from_pan(support::TEST_PAN).unwrap(),
            entry_mode: EntryMode::Chip,
            auth_code: "123456".into(),
            rrn: "250101000017".into(),
            stan: 17,
            batch: 1,
            offline: false,
            domestic: true,
        },
    );
    j.add_tender(id, &card).unwrap();
    s.add_tender(card).unwrap();
    let cash = s.tender_cash(money("50")).unwrap();
    j.add_tender(id, &cash).unwrap();
    s
}

#[test]
fn sale_receipt() {
    let mut j = Journal::open_in_memory(support::store().currency, support::clock()).unwrap();
    let s = full_sale(&mut j);
    let doc = render_sale(&support::store().store, "LANE0001", &s, at());
    assert!(doc.elements.contains(&Element::Barcode {
        symbology: posrig_pos::receipt::Symbology::Code128,
        data: "LANE0001-000001".into()
    }));
    insta::assert_snapshot!("sale_receipt", doc.to_text());
    let c = j.complete_sale(&s, &doc).unwrap();
    // The journal keeps the same document for reprints.
    assert_eq!(j.receipt(c.receipt).unwrap().doc, doc);
}

#[test]
fn x_and_z_reports() {
    let mut j = Journal::open_in_memory(support::store().currency, support::clock()).unwrap();
    let s = full_sale(&mut j);
    let doc = render_sale(&support::store().store, "LANE0001", &s, at());
    j.complete_sale(&s, &doc).unwrap();
    j.log_event(None, Some("9001"), "no_sale", "").unwrap();
    let x = render_x_report(
        &support::store().store,
        "LANE0001",
        &j.day_totals().unwrap(),
        at(),
    );
    insta::assert_snapshot!("x_report", x.to_text());
    let z = render_z_report(
        &support::store().store,
        "LANE0001",
        &j.close_day().unwrap(),
        at(),
    );
    insta::assert_snapshot!("z_report", z.to_text());
}

#[test]
fn void_slip() {
    let card = CardTender {
        masked_pan: MaskedPan::from_pan(support::TEST_PAN).unwrap(),
        entry_mode: EntryMode::Chip,
        auth_code: "123456".into(),
        rrn: "250101000017".into(),
        stan: 17,
        batch: 1,
        offline: false,
        domestic: true,
    };
    let slip = VoidSlip {
        original_receipt: "LANE0001-000012".into(),
        operator: "1001".into(),
        total: money("80.00"),
        card: Some(VoidedCard {
            original: card,
            amount: money("30.00"),
            void_ref: Some((18, "250101000018".into())),
        }),
        cash: money("50.00"),
    };
    let doc = render_void(&support::store().store, &slip, at());
    assert_eq!(doc.kind, posrig_pos::receipt::DocKind::Void);
    assert!(!doc.to_text().contains(support::TEST_PAN));
    insta::assert_snapshot!("void_slip", doc.to_text());
}
