//! User-paying orders in virtual time: a 10 s confirmation takes no real time and the states
//! change at exactly the virtual instants the wallet file says.

use std::time::Duration;

use posrig_protocols::qrpay::{MicropayResult, TradeState};
use posrig_sim::qrhost::{QrHost, QrHostConfig};
use tokio::time::Instant;

use crate::support::*;

#[tokio::test(start_paused = true)]
async fn user_paying_then_success_and_then_payerror_in_virtual_time() {
    let host = QrHost::new(QrHostConfig::new(wallets()));
    let (client_end, host_end) = tokio::io::duplex(64 * 1024);
    let server = host.clone();
    tokio::spawn(async move { server.serve_connection(host_end).await });
    let mut c = Client::over(client_end).await;

    let start = Instant::now();
    let r = c.micropay("P1", &code("wechat-user-paying"), 100).await;
    assert_eq!(r.result, MicropayResult::UserPaying);
    c.micropay("P2", &code("wechat-user-paying-fails"), 100)
        .await;
    // A POS polls every 5 s, as §8 says.
    tokio::time::sleep(Duration::from_secs(5)).await;
    assert_eq!(c.query("P1").await, TradeState::UserPaying);
    assert_eq!(
        c.micropay("P1", &code("wechat-user-paying"), 100)
            .await
            .result,
        MicropayResult::UserPaying,
        "a repeat while paying is still paying"
    );
    tokio::time::sleep_until(start + Duration::from_secs(10)).await;
    assert_eq!(c.query("P1").await, TradeState::Success);
    assert_eq!(c.query("P2").await, TradeState::PayError);
    assert_eq!(
        start.elapsed(),
        Duration::from_secs(10),
        "exact virtual time"
    );
    let paid = c.micropay("P1", &code("wechat-user-paying"), 100).await;
    assert_eq!(paid.result, MicropayResult::Success);
    assert!(paid.transaction_id.is_some());

    // A 45 s confirmation outlasts a 30 s client: the client reverses and the order is revoked.
    c.micropay("P3", &code("wechat-slow-confirm"), 100).await;
    tokio::time::sleep(Duration::from_secs(30)).await;
    assert_eq!(c.query("P3").await, TradeState::UserPaying);
    c.reverse("P3").await;
    tokio::time::sleep(Duration::from_secs(30)).await;
    assert_eq!(
        c.query("P3").await,
        TradeState::Revoked,
        "never pays after the reverse"
    );
    let states: Vec<_> = host.control().ledger().iter().map(|e| e.state).collect();
    assert_eq!(
        states,
        [
            TradeState::Success,
            TradeState::PayError,
            TradeState::Revoked
        ]
    );
}
