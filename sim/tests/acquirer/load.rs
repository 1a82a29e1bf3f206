//! 100 terminals at once against one acquirer that drops 5 % of purchase responses: every
//! terminal reverses what went unanswered, then the ledger and the terminals' records agree to
//! the minor unit, and every terminal's settlement balances.

use std::collections::BTreeMap;
use std::time::Duration;

use posrig_protocols::iso8583::{
    transaction, ReconciliationFlag, ResponseCode, SettlementTotals, Totals,
};
use posrig_sim::acquirer::{EntryState, KindName, LedgerKind, Rule, RuleAction, RuleMatch};
use rand::{Rng, SeedableRng};

use crate::support::*;

const LANES: u32 = 100;
const PURCHASES: u32 = 20;
const CARDS: [&str; 3] = ["chip-ok", "swipe-only", "tap-ok"];

/// What a terminal believes happened.
#[derive(Debug, Default)]
struct Record {
    /// STAN → (amount, RRN, auth code) of approved purchases.
    approved: BTreeMap<u32, (u64, String, String)>,
    /// STANs of unanswered purchases that were reversed.
    reversed: Vec<u32>,
    declined: u32,
}

async fn run_lane(addr: std::net::SocketAddr, n: u32) -> (String, Record) {
    let tid = format!("LANE{n:04}");
    let mut lane = Lane::connect(addr, &tid).await;
    lane.sign_on().await;
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(u64::from(n));
    let mut record = Record::default();
    for i in 0..PURCHASES {
        let name = CARDS[(i as usize + n as usize) % CARDS.len()];
        let card = lane.card(name, None);
        let amount = rng.gen_range(1..=500);
        let p = lane.purchase(amount, &card);
        lane.send(p.clone()).await;
        match lane.recv_within(Duration::from_millis(400)).await {
            Some(frame) => {
                let m = frame.message;
                assert_eq!(m.stan(), p.stan());
                if m.response_code() == Some(ResponseCode::Approved) {
                    assert!(m.verify_mac(lane.mak()));
                    record.approved.insert(
                        m.stan().unwrap(),
                        (
                            amount,
                            m.rrn().unwrap().into(),
                            m.auth_code().unwrap().into(),
                        ),
                    );
                } else {
                    record.declined += 1;
                }
            }
            None => {
                let rev = transaction::reversal(&p, ResponseCode::IssuerTimeout).unwrap();
                let frame = lane.exchange(rev).await;
                let code = frame.message.response_code().unwrap();
                assert!(
                    matches!(
                        code,
                        ResponseCode::Approved | ResponseCode::OriginalNotFound
                    ),
                    "{code}"
                );
                record.reversed.push(p.stan().unwrap());
            }
        }
    }
    // Settle with the terminal's own totals: the host must agree.
    let debit: u64 = record.approved.values().map(|v| v.0).sum();
    let totals = SettlementTotals {
        domestic: Totals {
            debit_amount_minor: debit,
            debit_count: record.approved.len() as u16,
            ..Totals::default()
        },
        foreign: Totals::default(),
    };
    let stan = lane.next_stan();
    let s = transaction::settlement(&lane.terminal, stan, lane.batch, &totals, "001").unwrap();
    let answered = lane
        .exchange(s)
        .await
        .message
        .settlement_totals()
        .unwrap()
        .unwrap();
    assert_eq!(
        answered.domestic.flag,
        ReconciliationFlag::Balanced,
        "{tid}"
    );
    (tid, record)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hundred_terminals_with_dropped_responses_reconcile_exactly() {
    let (acq, server) = start().await;
    let ctl = acq.control();
    let before: BTreeMap<String, u64> = CARDS
        .iter()
        .map(|c| (c.to_string(), ctl.card(c).unwrap().balance_minor))
        .collect();
    let mut drop5 = Rule::new(
        RuleMatch::kind(KindName::Purchase),
        RuleAction::NeverRespond,
    );
    drop5.when.probability = Some(0.05);
    ctl.add_rule(drop5).unwrap();

    let addr = server.local_addr();
    let tasks: Vec<_> = (1..=LANES)
        .map(|n| tokio::spawn(run_lane(addr, n)))
        .collect();
    let mut records = BTreeMap::new();
    for t in tasks {
        let (tid, record) = t.await.unwrap();
        records.insert(tid, record);
    }

    let ledger = ctl.ledger();
    let mut reversed_total = 0;
    for (tid, record) in &records {
        let entries: Vec<_> = ledger
            .entries()
            .iter()
            .filter(|e| &e.terminal_id == tid)
            .collect();
        let standing: BTreeMap<u32, (u64, String, String)> = entries
            .iter()
            .filter(|e| e.state == EntryState::Approved)
            .map(|e| {
                assert_eq!(e.kind, LedgerKind::Purchase);
                (e.stan, (e.amount_minor, e.rrn.clone(), e.auth_code.clone()))
            })
            .collect();
        assert_eq!(
            &standing, &record.approved,
            "{tid}: ledger and terminal agree"
        );
        for e in entries.iter().filter(|e| e.state == EntryState::Reversed) {
            assert!(
                record.reversed.contains(&e.stan),
                "{tid}: reversed STAN {}",
                e.stan
            );
        }
        reversed_total += record.reversed.len();
    }
    assert!(reversed_total > 0, "the 5 % rule dropped some responses");
    // Money: each card lost exactly what the terminals believe was approved on it.
    let approved_total: u64 = records
        .values()
        .flat_map(|r| r.approved.values().map(|v| v.0))
        .sum();
    let after: u64 = CARDS
        .iter()
        .map(|c| ctl.card(c).unwrap().balance_minor)
        .sum();
    assert_eq!(before.values().sum::<u64>() - after, approved_total);
    // Every batch closed on a balanced settlement.
    for tid in records.keys() {
        assert_eq!(ctl.batch(tid), Some(2), "{tid}");
    }
}
