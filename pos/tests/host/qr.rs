//! The QR client's rules (PROTOCOLS.md §8 client rule) against the scripted wallet host.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use posrig_pos::config::QrSettings;
use posrig_pos::host::{MemoryConnector, QrClient, QrEndpoint, QrPayment, QrResult, SharedJournal};
use posrig_pos::journal::{Journal, TenderState};
use posrig_pos::money::{money, Currency};
use posrig_pos::operator::{Operator, Role};
use posrig_pos::sale::SaleId;
use posrig_protocols::qrpay::{
    ErrorCode, MicropayResponse, MicropayResult, ReverseResponse, ReverseResult, TradeState,
};

use crate::qr_host::ScriptedWallet;
use crate::rig::clock;

struct QrRig {
    journal: SharedJournal,
    client: QrClient,
    wallet: ScriptedWallet,
    sale: SaleId,
}

fn rig(result: MicropayResult, err_code: Option<ErrorCode>) -> QrRig {
    let journal: SharedJournal = Arc::new(Mutex::new(
        Journal::open_in_memory(Currency::cny(), clock()).unwrap(),
    ));
    let sale = journal
        .lock()
        .unwrap()
        .begin_sale(&Operator {
            number: "1001".into(),
            name: "Li Na".into(),
            role: Role::Cashier,
        })
        .unwrap();
    let (link, listener) = MemoryConnector::pair("wallet");
    let wallet = ScriptedWallet::serve(
        listener,
        MicropayResponse {
            result,
            err_code,
            transaction_id: (result == MicropayResult::Success).then(|| "TX0001".into()),
        },
    );
    let client = QrClient::new(
        QrEndpoint::with_connector(Box::new(link), "wallet.test"),
        "10000001",
        QrSettings::default(),
        Currency::cny(),
        journal.clone(),
    );
    QrRig {
        journal,
        client,
        wallet,
        sale,
    }
}

fn payment(sale: SaleId) -> QrPayment {
    QrPayment {
        sale,
        tender_no: 1,
        auth_code: "134567890123456789".into(),
        amount: money("25.80"),
    }
}

fn tender_state(rig: &QrRig) -> TenderState {
    let j = rig.journal.lock().unwrap();
    j.load_sale(rig.sale).unwrap().tenders[0].state
}

#[tokio::test(start_paused = true)]
async fn success_at_once() {
    let mut rig = rig(MicropayResult::Success, None);
    let result = rig.client.pay(&payment(rig.sale)).await.unwrap();
    let out_trade_no = QrClient::out_trade_no("10000001", rig.sale, 1);
    assert_eq!(
        result,
        QrResult::Paid {
            tender: rig
                .journal
                .lock()
                .unwrap()
                .load_sale(rig.sale)
                .unwrap()
                .tenders[0]
                .id,
            out_trade_no: out_trade_no.clone(),
            transaction_id: "TX0001".into()
        }
    );
    assert_eq!(rig.wallet.paths(), ["/micropay"]);
    let body: serde_json::Value = serde_json::from_str(&rig.wallet.first_body()).unwrap();
    assert_eq!(body["total_fee"], 2580);
    assert_eq!(body["out_trade_no"], out_trade_no.as_str());
    assert_eq!(body["terminal_id"], "10000001");
    assert_eq!(tender_state(&rig), TenderState::Approved);

    // Paying the same tender again is idempotent: no second charge, no HTTP call.
    let again = rig.client.pay(&payment(rig.sale)).await.unwrap();
    assert!(again.is_paid());
    assert_eq!(rig.wallet.paths(), ["/micropay"]);
}

#[tokio::test(start_paused = true)]
async fn userpaying_then_success_after_polling() {
    let mut rig = rig(MicropayResult::UserPaying, None);
    rig.wallet.set_queries(&[
        TradeState::UserPaying,
        TradeState::UserPaying,
        TradeState::Success,
    ]);
    let result = rig.client.pay(&payment(rig.sale)).await.unwrap();
    assert!(result.is_paid(), "{result:?}");
    let calls = rig.wallet.calls();
    let secs: Vec<(String, u64)> = calls
        .iter()
        .map(|(p, t)| (p.clone(), t.as_secs()))
        .collect();
    assert_eq!(
        secs,
        [
            ("/micropay".into(), 0),
            ("/orderquery".into(), 5),
            ("/orderquery".into(), 10),
            ("/orderquery".into(), 15)
        ]
    );
    assert_eq!(tender_state(&rig), TenderState::Approved);
}

#[tokio::test(start_paused = true)]
async fn userpaying_past_the_timeout_is_reversed_never_paid() {
    let mut rig = rig(MicropayResult::UserPaying, None);
    let result = rig.client.pay(&payment(rig.sale)).await.unwrap();
    assert!(matches!(result, QrResult::Reversed { .. }), "{result:?}");
    assert!(!result.is_paid());
    let calls = rig.wallet.calls();
    let queries = calls.iter().filter(|(p, _)| p == "/orderquery").count();
    assert_eq!(queries, 6, "every 5 s up to 30 s");
    assert_eq!(
        calls.last().unwrap(),
        &("/reverse".to_owned(), Duration::from_secs(30))
    );
    assert_eq!(tender_state(&rig), TenderState::Reversed);
}

#[tokio::test(start_paused = true)]
async fn unknown_is_queried() {
    let mut rig = rig(MicropayResult::Unknown, None);
    rig.wallet.set_queries(&[TradeState::Success]);
    let result = rig.client.pay(&payment(rig.sale)).await.unwrap();
    assert!(result.is_paid());
    assert_eq!(rig.wallet.paths(), ["/micropay", "/orderquery"]);
}

#[tokio::test(start_paused = true)]
async fn a_refused_payment_fails_without_polling() {
    let mut rig = rig(MicropayResult::Fail, Some(ErrorCode::NotEnough));
    let result = rig.client.pay(&payment(rig.sale)).await.unwrap();
    let QrResult::Failed { code, message, .. } = result else {
        panic!("{result:?}")
    };
    assert_eq!(code, Some(ErrorCode::NotEnough));
    assert_eq!(message, "insufficient balance");
    assert_eq!(rig.wallet.paths(), ["/micropay"]);
    assert_eq!(tender_state(&rig), TenderState::Declined);
}

#[tokio::test(start_paused = true)]
async fn reverse_is_retried_and_an_unresolved_order_is_recovered() {
    let mut rig = rig(MicropayResult::UserPaying, None);
    let fail = ReverseResponse {
        result: ReverseResult::Fail,
        recall: true,
    };
    rig.wallet
        .set_reverses(vec![fail.clone(), fail.clone(), fail]);
    let result = rig.client.pay(&payment(rig.sale)).await.unwrap();
    assert!(matches!(result, QrResult::Unresolved { .. }), "{result:?}");
    let reverses = rig
        .wallet
        .paths()
        .iter()
        .filter(|p| *p == "/reverse")
        .count();
    assert_eq!(reverses, 3);
    assert_eq!(tender_state(&rig), TenderState::Pending);

    // The next start resolves it: still paying → reversed.
    rig.wallet.set_reverses(vec![ReverseResponse {
        result: ReverseResult::Success,
        recall: false,
    }]);
    let recovered = rig.client.recover().await.unwrap();
    assert!(
        matches!(recovered[..], [QrResult::Reversed { .. }]),
        "{recovered:?}"
    );
    assert_eq!(tender_state(&rig), TenderState::Reversed);
}
