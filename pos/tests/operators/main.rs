//! Operators and the sale state machine: argon2 login against the shipped store, supervisor
//! approval for refunds, voids after total, price overrides, no-sale and amounts above the
//! limit, and illegal transitions.

#[path = "../support/mod.rs"]
mod support;

use posrig_pos::basket::{LineId, Quantity};
use posrig_pos::money::money;
use posrig_pos::operator::{authorize, Action, OperatorError, Role};
use posrig_pos::sale::{SaleError, SaleKind, SaleState};
use posrig_pos::tender::Tender;

fn needs(action: Action) -> SaleError {
    SaleError::Operator(OperatorError::ApprovalRequired(action))
}

#[test]
fn login_with_the_documented_test_passwords() {
    let ops = support::operators();
    assert_eq!(ops.login("1001", "1234").unwrap().role, Role::Cashier);
    assert_eq!(ops.login("1002", "5678").unwrap().name, "Zhang Wei");
    assert_eq!(ops.login("9001", "9999").unwrap().role, Role::Supervisor);
    assert_eq!(ops.login("9002", "8888").unwrap().role, Role::Supervisor);
    assert_eq!(
        ops.login("1001", "9999"),
        Err(OperatorError::WrongPassword("1001".into()))
    );
    assert!(matches!(
        ops.approve("9001", "1234", Action::Refund),
        Err(OperatorError::WrongPassword(_))
    ));
    assert!(matches!(
        ops.approve("1002", "5678", Action::Refund),
        Err(OperatorError::NotSupervisor { .. })
    ));
}

#[test]
fn refund_requires_a_supervisor() {
    let ops = support::operators();
    let cat = support::catalog();
    let mut s = support::sale(1);
    assert_eq!(
        s.begin_refund("LANE0001-000007", None),
        Err(needs(Action::Refund))
    );
    assert_eq!(s.state(), SaleState::Idle);
    let wrong = ops.approve("9001", "9999", Action::NoSale).unwrap();
    assert_eq!(
        s.begin_refund("LANE0001-000007", Some(&wrong)),
        Err(needs(Action::Refund))
    );
    let ok = ops.approve("9001", "9999", Action::Refund).unwrap();
    s.begin_refund("LANE0001-000007", Some(&ok)).unwrap();
    assert_eq!((s.state(), s.kind()), (SaleState::Refund, SaleKind::Refund));
    s.add_item(cat.by_plu("10001").unwrap(), Quantity::Units(1))
        .unwrap();
    assert_eq!(s.state(), SaleState::Refund);
    s.total(None).unwrap();
    s.tender_cash(money("12.50")).unwrap();
    assert_eq!(s.state(), SaleState::Completed);
    assert_eq!(s.approvals()[0].supervisor, "9001");
}

#[test]
fn void_is_free_before_total_and_needs_a_supervisor_after() {
    let ops = support::operators();
    let cat = support::catalog();
    let mut s = support::sale(1);
    let a = s
        .add_item(cat.by_plu("10001").unwrap(), Quantity::Units(1))
        .unwrap();
    let b = s
        .add_item(cat.by_plu("10002").unwrap(), Quantity::Units(1))
        .unwrap();
    s.void_line(a, None).unwrap();
    s.total(None).unwrap();
    assert_eq!(s.void_line(b, None), Err(needs(Action::VoidAfterTotal)));
    let ok = ops.approve("9002", "8888", Action::VoidAfterTotal).unwrap();
    s.void_line(b, Some(&ok)).unwrap();
    assert!(s.basket().is_empty());
}

#[test]
fn price_override_needs_a_supervisor() {
    let ops = support::operators();
    let cat = support::catalog();
    let mut s = support::sale(1);
    let l = s
        .add_item(cat.by_plu("10001").unwrap(), Quantity::Units(1))
        .unwrap();
    assert_eq!(
        s.override_price(l, money("10.00"), None),
        Err(needs(Action::PriceOverride))
    );
    let ok = ops.approve("9001", "9999", Action::PriceOverride).unwrap();
    s.override_price(l, money("10.00"), Some(&ok)).unwrap();
    assert_eq!(s.totals().total, money("10.00"));
}

#[test]
fn no_sale_needs_a_supervisor_unless_one_is_logged_in() {
    let ops = support::operators();
    let cashier = ops.login("1001", "1234").unwrap();
    assert_eq!(
        authorize(&cashier, Action::NoSale, None),
        Err(OperatorError::ApprovalRequired(Action::NoSale))
    );
    let ok = ops.approve("9001", "9999", Action::NoSale).unwrap();
    assert_eq!(
        authorize(&cashier, Action::NoSale, Some(&ok)).unwrap(),
        "9001"
    );
    let sup = ops.login("9002", "8888").unwrap();
    assert_eq!(authorize(&sup, Action::NoSale, None).unwrap(), "9002");
}

#[test]
fn amounts_above_the_limit_need_a_supervisor() {
    let ops = support::operators();
    let cat = support::catalog();
    let mut s = support::sale(1);
    // Baijiu 299.00 × 7 = 2093.00 > 2000.00.
    s.add_item(cat.by_plu("10027").unwrap(), Quantity::Units(7))
        .unwrap();
    assert_eq!(s.total(None).unwrap_err(), needs(Action::AboveLimit));
    assert_eq!(s.state(), SaleState::Selling);
    let ok = ops.approve("9001", "9999", Action::AboveLimit).unwrap();
    assert_eq!(s.total(Some(&ok)).unwrap().total, money("2093.00"));
}

#[test]
fn illegal_transitions_are_typed_errors() {
    let cat = support::catalog();
    let milk = cat.by_plu("10001").unwrap();
    let illegal = |op: &'static str, state| SaleError::IllegalTransition {
        operation: op,
        state,
    };

    let mut s = support::sale(1);
    assert_eq!(
        s.total(None).unwrap_err(),
        illegal("total", SaleState::Idle)
    );
    assert_eq!(
        s.tender_cash(money("1")).unwrap_err(),
        illegal("take cash", SaleState::Idle)
    );
    let l = s.add_item(milk, Quantity::Units(1)).unwrap();
    assert_eq!(
        s.tender_cash(money("1")).unwrap_err(),
        illegal("take cash", SaleState::Selling)
    );
    assert_eq!(
        s.redeem_points(100).unwrap_err(),
        illegal("redeem points", SaleState::Selling)
    );
    s.void_line(l, None).unwrap();
    assert_eq!(s.total(None).unwrap_err(), SaleError::EmptyBasket);
    s.add_item(milk, Quantity::Units(2)).unwrap();
    s.total(None).unwrap();
    assert_eq!(
        s.set_quantity(LineId(2), Quantity::Units(3)).unwrap_err(),
        illegal("change quantity", SaleState::Totalled)
    );
    assert!(matches!(
        s.begin_refund("x", None),
        Err(SaleError::IllegalTransition { .. })
    ));
    s.tender_cash(money("10.00")).unwrap();
    assert_eq!(s.state(), SaleState::Tendering);
    assert_eq!(s.remaining_due(), money("15.00"));
    assert_eq!(
        s.add_item(milk, Quantity::Units(1)).unwrap_err(),
        illegal("add item", SaleState::Tendering)
    );
    assert_eq!(
        s.void_line(LineId(2), None).unwrap_err(),
        illegal("void line", SaleState::Tendering)
    );
    assert!(matches!(
        s.add_tender(Tender::qr(money("20.00"), "OTN", "TX")),
        Err(SaleError::Overtender { .. })
    ));
    s.add_tender(Tender::qr(money("15.00"), "OTN", "TX"))
        .unwrap();
    assert_eq!(s.state(), SaleState::Completed);
    assert_eq!(
        s.cancel().unwrap_err(),
        illegal("cancel", SaleState::Completed)
    );
    assert_eq!(
        s.total(None).unwrap_err(),
        illegal("total", SaleState::Completed)
    );
}

#[test]
fn cancel_rules() {
    let cat = support::catalog();
    let milk = cat.by_plu("10001").unwrap();
    let mut s = support::sale(1);
    s.add_item(milk, Quantity::Units(4)).unwrap();
    s.total(None).unwrap();
    s.add_tender(Tender::qr(money("10.00"), "OTN", "TX"))
        .unwrap();
    assert_eq!(s.cancel().unwrap_err(), SaleError::TendersOutstanding);
    let mut s = support::sale(2);
    s.add_item(milk, Quantity::Units(4)).unwrap();
    s.total(None).unwrap();
    s.tender_cash(money("20.00")).unwrap();
    s.cancel().unwrap();
    assert_eq!(s.state(), SaleState::Cancelled);
    assert_eq!(
        s.cancel().unwrap_err(),
        SaleError::IllegalTransition {
            operation: "cancel",
            state: SaleState::Cancelled
        }
    );
}

#[test]
fn adding_after_total_reopens_the_sale() {
    let cat = support::catalog();
    let mut s = support::sale(1);
    s.add_item(cat.by_plu("10001").unwrap(), Quantity::Units(1))
        .unwrap();
    s.total(None).unwrap();
    s.add_item(cat.by_plu("10002").unwrap(), Quantity::Units(1))
        .unwrap();
    assert_eq!(s.state(), SaleState::Selling);
}
