//! Card and QR payments through a whole lane: refunds to a card with a supervisor, refunds the
//! host does not answer (stored and forwarded, never reversed), QR wallet success and a payment
//! left USERPAYING past the timeout (reversed), a timed-out authorisation reversed before the
//! next one, a decline then cash, and a failed re-sign-on that holds card tenders back.

use posrig_protocols::iso8583::{ResponseCode, TransactionKind};
use posrig_protocols::pinpad::{PadMessage, TxnKind};
use posrig_protocols::qrpay::{MicropayResponse, MicropayResult};

use crate::acquirer_host::Act;
use crate::rig::Rig;

const WALLET_CODE: &str = "134567890123456789";

fn position(kinds: &[TransactionKind], kind: TransactionKind, nth: usize) -> usize {
    kinds
        .iter()
        .enumerate()
        .filter(|(_, k)| **k == kind)
        .nth(nth)
        .unwrap_or_else(|| panic!("no {kind:?} #{nth} in {kinds:?}"))
        .0
}

#[tokio::test(start_paused = true)]
async fn card_refund_needs_the_supervisor_and_goes_to_the_card_without_pin() {
    let mut rig = Rig::new().await;
    rig.login_cashier().await;
    rig.card_sale().await;
    rig.keys("REFUND 1 ENTER").await;
    assert_eq!(
        rig.shown(),
        ("SUPERVISOR NEEDED".into(), "PRESS SUPERVISOR".into())
    );
    rig.keys("SUPERVISOR 9001 ENTER 9999 ENTER").await;
    assert_eq!(rig.shown().0, "SUPERVISOR OK");
    rig.keys("REFUND 1 ENTER").await;
    assert_eq!(rig.shown(), ("REFUND".into(), "OF No. 000001".into()));
    rig.scan_ean("6901234100006").await;
    rig.keys("TOTAL").await;
    assert_eq!(rig.shown(), ("REFUND TOTAL".into(), "12.50".into()));
    rig.keys("CARD").await;
    rig.until("the pad started a refund", |r| {
        r.pad_got(|m| {
            matches!(
                m,
                PadMessage::Start {
                    kind: TxnKind::Refund,
                    amount_minor: 1250,
                    ..
                }
            )
        })
    })
    .await;
    rig.insert_chip().await;
    assert_eq!(
        rig.until_shown("REFUND APPROVED").await,
        ("REFUND APPROVED".into(), "THANK YOU".into())
    );
    let pins = rig
        .pad
        .lock()
        .unwrap()
        .received
        .iter()
        .filter(|m| matches!(m, PadMessage::RequestPin { .. }))
        .count();
    assert_eq!(pins, 1, "a PIN for the sale, none for its refund");
    let kinds = rig.acquirer.kinds();
    assert_eq!(
        kinds
            .iter()
            .filter(|k| **k == TransactionKind::Refund)
            .count(),
        1,
        "{kinds:?}"
    );
    let refund = rig
        .acquirer
        .seen()
        .into_iter()
        .find(|s| s.kind == Some(TransactionKind::Refund))
        .unwrap();
    assert_eq!(refund.mac_ok, Some(true), "the refund is MACed");
    let journal = rig.journal();
    assert_eq!(journal.completed_sales().unwrap().len(), 2);
    // Each card approval is committed once, by the host client (not again by the terminal).
    let approvals = journal
        .events()
        .unwrap()
        .into_iter()
        .filter(|e| e.kind == "tender_approved")
        .count();
    assert_eq!(approvals, 2, "one per tender");
}

#[tokio::test(start_paused = true)]
async fn unanswered_refund_is_sent_again_before_the_next_online_request_never_reversed() {
    let mut rig = Rig::new().await;
    rig.login_cashier().await;
    rig.card_sale().await;
    rig.acquirer.plan(TransactionKind::Refund, Act::Silent);
    rig.keys("SUPERVISOR 9001 ENTER 9999 ENTER 1 REFUND").await;
    rig.scan_ean("6901234100006").await;
    rig.keys("TOTAL CARD").await;
    rig.insert_chip().await;
    // The host timeout (30 s) passes: the refund is kept to be sent again, the customer's
    // refund stands (it is not declined, so it is not paid out a second time another way).
    assert_eq!(rig.until_shown("APPROVED OFFLINE").await.1, "THANK YOU");
    rig.card_sale().await;
    let seen = rig.acquirer.seen();
    let kinds: Vec<_> = seen.iter().filter_map(|s| s.kind).collect();
    assert!(!kinds.contains(&TransactionKind::Reversal), "{kinds:?}");
    let first = position(&kinds, TransactionKind::Refund, 0);
    let again = position(&kinds, TransactionKind::Refund, 1);
    let purchase = position(&kinds, TransactionKind::Purchase, 1);
    assert!(first < again && again < purchase, "{kinds:?}");
    let refunds: Vec<_> = seen
        .iter()
        .filter(|s| s.kind == Some(TransactionKind::Refund))
        .collect();
    assert_eq!(
        refunds[0].msg.stan(),
        refunds[1].msg.stan(),
        "sent again with its STAN"
    );
    assert!(rig.journal().queued_advices().unwrap().is_empty());
}

#[tokio::test(start_paused = true)]
async fn qr_wallet_payment_through_the_lane() {
    let mut rig = Rig::new().await;
    rig.login_cashier().await;
    rig.scan_ean("6901234100006").await;
    rig.keys("TOTAL QR").await;
    assert_eq!(rig.shown(), ("SCAN PAY CODE".into(), "12.50".into()));
    rig.scan("]Q1", WALLET_CODE).await;
    assert_eq!(rig.until_shown("PAID").await.1, "THANK YOU");
    rig.until("the receipt printed", |r| r.printed().contains("QR wallet"))
        .await;
    let calls = rig.wallet.state.lock().unwrap().calls.clone();
    assert_eq!(calls[0].0, "/micropay");
    assert!(calls[0].2.contains(WALLET_CODE) && calls[0].2.contains("1250"));
    assert!(
        !rig.printed().contains(WALLET_CODE),
        "pay code on the receipt"
    );
}

#[tokio::test(start_paused = true)]
async fn qr_payment_userpaying_past_the_timeout_is_reversed_then_cash() {
    let mut rig = Rig::with_wallet(MicropayResponse {
        result: MicropayResult::UserPaying,
        err_code: None,
        transaction_id: None,
    })
    .await;
    rig.login_cashier().await;
    rig.scan_ean("6901234100006").await;
    rig.keys("TOTAL QR").await;
    rig.scan("]Q1", WALLET_CODE).await;
    assert_eq!(rig.shown(), ("QR PAYMENT".into(), "PLEASE WAIT".into()));
    assert_eq!(rig.until_shown("QR PAY REVERSED").await.1, "NOT PAID");
    let calls = rig.wallet.state.lock().unwrap().calls.clone();
    let paths: Vec<_> = calls.iter().map(|c| c.0.as_str()).collect();
    assert!(
        paths.iter().filter(|p| **p == "/orderquery").count() >= 2,
        "{paths:?}"
    );
    assert_eq!(paths.last(), Some(&"/reverse"), "{paths:?}");
    rig.keys("20 CASH").await;
    assert_eq!(rig.shown(), ("CHANGE".into(), "7.50".into()));
}

#[tokio::test(start_paused = true)]
async fn timed_out_authorisation_is_reversed_before_the_next_sale() {
    let mut rig = Rig::new().await;
    rig.login_cashier().await;
    rig.acquirer.plan(TransactionKind::Purchase, Act::Silent);
    rig.scan_ean("6901234100006").await;
    rig.keys("TOTAL CARD").await;
    rig.insert_chip().await;
    rig.pin_ok().await;
    assert_eq!(rig.until_shown("NO RESPONSE").await.1, "TRY AGAIN OR CASH");
    rig.keys("20 CASH").await;
    rig.close_drawer();
    rig.until_shown("NEXT CUSTOMER").await;
    rig.card_sale().await;
    let seen = rig.acquirer.seen();
    let kinds: Vec<_> = seen.iter().filter_map(|s| s.kind).collect();
    let reversal = position(&kinds, TransactionKind::Reversal, 0);
    assert!(position(&kinds, TransactionKind::Purchase, 0) < reversal);
    assert!(
        reversal < position(&kinds, TransactionKind::Purchase, 1),
        "{kinds:?}"
    );
    let purchase = seen
        .iter()
        .find(|s| s.kind == Some(TransactionKind::Purchase))
        .unwrap();
    let rev = seen
        .iter()
        .find(|s| s.kind == Some(TransactionKind::Reversal))
        .unwrap();
    assert_eq!(rev.msg.amount_minor(), purchase.msg.amount_minor());
}

#[tokio::test(start_paused = true)]
async fn chip_card_declined_51_then_paid_by_cash() {
    let mut rig = Rig::new().await;
    rig.login_cashier().await;
    rig.acquirer.plan(
        TransactionKind::Purchase,
        Act::Code(ResponseCode::from_bytes(*b"51")),
    );
    rig.scan_ean("6901234100006").await;
    rig.keys("TOTAL CARD").await;
    rig.insert_chip().await;
    rig.pin_ok().await;
    assert_eq!(
        rig.until_shown("INSUFFICIENT FUNDS").await,
        ("INSUFFICIENT FUNDS".into(), "DECLINED 51".into())
    );
    rig.keys("CASH").await;
    assert_eq!(rig.shown(), ("CHANGE".into(), "0.00".into()));
    rig.until("the drawer kicked", |r| {
        r.printer.lock().unwrap().kicks == 1
    })
    .await;
}

#[tokio::test(start_paused = true)]
async fn failed_sign_on_after_the_host_asked_holds_card_tenders_until_signed_on() {
    let mut rig = Rig::new().await;
    rig.login_cashier().await;
    rig.keys("SIGNON").await;
    rig.until_shown("SIGNED ON").await;
    rig.acquirer.plan(TransactionKind::Purchase, Act::AskSignOn);
    rig.acquirer.plan(
        TransactionKind::SignOn,
        Act::Code(ResponseCode::from_bytes(*b"96")),
    );
    rig.card_sale().await;
    rig.scan_ean("6901234100006").await;
    rig.keys("TOTAL CARD").await;
    assert_eq!(rig.shown(), ("SIGN ON FIRST".into(), "PRESS SIGNON".into()));
    let starts = |r: &Rig| {
        r.pad
            .lock()
            .unwrap()
            .received
            .iter()
            .filter(|m| matches!(m, PadMessage::Start { .. }))
            .count()
    };
    assert_eq!(starts(&rig), 1, "no card asked for under a stale PIN key");
    rig.keys("SIGNON").await;
    rig.until_shown("SIGNED ON").await;
    rig.keys("CARD").await;
    rig.insert_chip().await;
    rig.pin_ok().await;
    rig.until_shown("APPROVED").await;
    // The new PIN key reached the pad before the PIN was asked for again.
    let pad = rig.pad.lock().unwrap().received.clone();
    let last_key = pad
        .iter()
        .rposition(|m| matches!(m, PadMessage::LoadPinKey { .. }))
        .unwrap();
    let last_pin = pad
        .iter()
        .rposition(|m| matches!(m, PadMessage::RequestPin { .. }))
        .unwrap();
    assert!(last_key < last_pin);
    assert_eq!(starts(&rig), 2);
}
