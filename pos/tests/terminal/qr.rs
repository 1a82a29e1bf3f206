//! QR wallet tenders: only `Success` pays.

use posrig_pos::journal::TenderState;
use posrig_pos::terminal::{Command, QrOutcome};
use posrig_protocols::qrpay::ErrorCode;

use crate::support::{prints, Lane};

const MILK: &str = "6901234100006";
const WECHAT_CODE: &str = "134567890123456789";

fn qr_requested(lane: &mut Lane) -> posrig_pos::terminal::QrPayRequest {
    lane.login_cashier();
    lane.scan(MILK);
    lane.keys("TOTAL QR");
    assert_eq!(lane.shown(), ("SCAN PAY CODE".into(), "12.50".into()));
    lane.scan("5901234123457");
    assert_eq!(lane.shown(), ("NOT A PAY CODE".into(), "SCAN AGAIN".into()));
    let out = lane.scan(WECHAT_CODE);
    assert_eq!(lane.shown(), ("QR PAYMENT".into(), "PLEASE WAIT".into()));
    out.into_iter()
        .find_map(|c| match c {
            Command::QrPay(r) => Some(r),
            _ => None,
        })
        .expect("a QR pay request")
}

#[test]
fn qr_success_pays_and_prints() {
    let mut lane = Lane::new();
    let req = qr_requested(&mut lane);
    assert_eq!(req.total_fee, 1250);
    assert_eq!(req.auth_code, WECHAT_CODE);
    assert_eq!(req.out_trade_no, "LANE00010000000101");
    assert!(
        !format!("{req:?}").contains(WECHAT_CODE),
        "payment code in Debug"
    );
    let out = lane.qr(QrOutcome::Success {
        transaction_id: "WX42".into(),
    });
    assert_eq!(lane.shown(), ("PAID".into(), "THANK YOU".into()));
    let text = prints(&out).pop().unwrap().1.to_text();
    assert!(
        text.contains("QR wallet") && text.contains("Txn WX42"),
        "{text}"
    );
}

#[test]
fn qr_failure_is_not_paid() {
    let mut lane = Lane::new();
    qr_requested(&mut lane);
    let out = lane.qr(QrOutcome::Failed {
        err_code: ErrorCode::NotEnough,
    });
    assert!(prints(&out).is_empty());
    assert_eq!(lane.shown(), ("QR PAY FAILED".into(), "NOTENOUGH".into()));
    let id = lane.core.sale().unwrap().id();
    let sale = lane.reopen_journal().load_sale(id).unwrap();
    assert_eq!(sale.tenders[0].state, TenderState::Declined);
    // A second attempt gets a new order number.
    lane.keys("QR");
    let out = lane.scan("134567890123456780");
    let Some(Command::QrPay(req)) = out.iter().find(|c| matches!(c, Command::QrPay(_))) else {
        panic!("{out:?}")
    };
    assert_eq!(req.out_trade_no, "LANE00010000000102");
    lane.qr(QrOutcome::Reversed);
    assert_eq!(lane.shown(), ("QR PAY REVERSED".into(), "NOT PAID".into()));
    assert_eq!(lane.core.sale().unwrap().tenders().len(), 0);
    lane.keys("CASH");
    assert_eq!(lane.shown().0, "CHANGE");
}
