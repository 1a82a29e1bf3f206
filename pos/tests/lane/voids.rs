//! Voids (撤销) through a whole lane: a chip-card sale voided by its receipt number with the
//! supervisor, the card read again at the pad and the void sent with the original's references
//! (PROTOCOLS.md §7), then settled without it; and a void the host does not answer, reversed
//! before the next online transaction.

use posrig_pos::journal::VoidState;
use posrig_pos::sale::SaleId;
use posrig_protocols::iso8583::TransactionKind;
use posrig_protocols::pinpad::{PadMessage, TxnKind};

use crate::acquirer_host::Act;
use crate::rig::Rig;

fn kinds_of(rig: &Rig) -> Vec<TransactionKind> {
    rig.acquirer.seen().iter().filter_map(|s| s.kind).collect()
}

/// `SUPERVISOR`, then `VOID 1 ENTER`; waits for the pad to be asked for a void of 12.50.
async fn void_receipt_one(rig: &mut Rig) {
    rig.keys("SUPERVISOR 9001 ENTER 9999 ENTER").await;
    assert_eq!(rig.shown().0, "SUPERVISOR OK");
    rig.keys("VOID 1 ENTER").await;
    rig.until("the pad started a void", |r| {
        r.pad_got(|m| {
            matches!(
                m,
                PadMessage::Start {
                    kind: TxnKind::Void,
                    amount_minor: 1250,
                    ..
                }
            )
        })
    })
    .await;
}

#[tokio::test(start_paused = true)]
async fn card_sale_voided_at_the_lane_goes_to_the_host_with_its_references_and_leaves_the_batch() {
    let mut rig = Rig::new().await;
    rig.login_cashier().await;
    rig.card_sale().await;
    rig.keys("VOID 1 ENTER").await;
    assert_eq!(
        rig.shown(),
        ("SUPERVISOR NEEDED".into(), "PRESS SUPERVISOR".into())
    );
    void_receipt_one(&mut rig).await;
    assert_eq!(rig.shown().0, "INSERT/SWIPE/TAP");
    rig.insert_chip().await;
    assert_eq!(
        rig.until_shown("SALE VOIDED").await,
        ("SALE VOIDED".into(), "No. 000001".into())
    );

    let seen = rig.acquirer.seen();
    let purchase = seen
        .iter()
        .find(|s| s.kind == Some(TransactionKind::Purchase))
        .unwrap();
    let void = seen
        .iter()
        .find(|s| s.kind == Some(TransactionKind::Void))
        .expect("a void went to the host");
    assert_eq!(void.mac_ok, Some(true), "the void is MACed");
    assert_eq!(void.msg.processing_code(), Some("200000"));
    assert_eq!(void.msg.amount_minor(), purchase.msg.amount_minor());
    assert_eq!(
        void.msg.pan(),
        Some(crate::rig::CHIP_PAN),
        "the card read again"
    );
    assert!(void.msg.pin_block().is_none(), "no PIN for a void");
    let f61 = void.msg.field61().unwrap().unwrap();
    let f60 = purchase.msg.field60().unwrap().unwrap();
    assert_eq!(
        (f61.original_batch, f61.original_stan),
        (f60.batch, purchase.msg.stan().unwrap())
    );
    let journal = rig.journal();
    let sale = journal.load_sale(SaleId(1)).unwrap();
    let card = sale.tenders[0].tender.as_ref().unwrap();
    let posrig_pos::tender::TenderDetail::Card(card) = &card.detail else {
        panic!("{card:?}")
    };
    assert_eq!(
        void.msg.rrn(),
        Some(card.rrn.as_str()),
        "the original's RRN"
    );
    assert_eq!(
        void.msg.auth_code().map(str::trim),
        Some(card.auth_code.as_str())
    );
    assert_eq!(
        journal.void_status(SaleId(1)).unwrap().state,
        VoidState::Voided
    );
    assert!(journal.pending_reversals().unwrap().is_empty());
    let printed = rig.printed();
    assert!(printed.contains("*** VOID ***"), "{printed}");
    assert!(printed.contains("622202*********0017"));
    assert!(!printed.contains(crate::rig::CHIP_PAN), "full PAN printed");

    // Settlement: the voided sale is not in field 48.
    rig.keys("SETTLE").await;
    rig.until_shown("SETTLED").await;
    let settlement = rig
        .acquirer
        .seen()
        .into_iter()
        .find(|s| s.kind == Some(TransactionKind::Settlement))
        .unwrap();
    let totals = settlement.msg.settlement_totals().unwrap().unwrap();
    assert_eq!(
        (
            totals.domestic.debit_count,
            totals.domestic.debit_amount_minor
        ),
        (0, 0)
    );
    assert_eq!(totals.domestic.credit_count, 0);
}

#[tokio::test(start_paused = true)]
async fn unanswered_void_is_reversed_before_the_next_sale_and_the_sale_stays_sold() {
    let mut rig = Rig::new().await;
    rig.login_cashier().await;
    rig.card_sale().await;
    rig.acquirer.plan(TransactionKind::Void, Act::Silent);
    void_receipt_one(&mut rig).await;
    rig.insert_chip().await;
    assert_eq!(
        rig.until_shown("NO RESPONSE").await,
        ("NO RESPONSE".into(), "VOID NOT DONE".into())
    );
    let journal = rig.journal();
    assert_eq!(
        journal.void_status(SaleId(1)).unwrap().state,
        VoidState::None
    );
    let pending = journal.pending_reversals().unwrap();
    assert_eq!(
        pending.len(),
        1,
        "the void's reversal is armed: {pending:?}"
    );
    assert_eq!(
        pending[0].reversal.processing_code.as_deref(),
        Some("200000")
    );
    assert_eq!(pending[0].reason.as_deref(), Some("98"));

    rig.card_sale().await;
    let kinds = kinds_of(&rig);
    let at = |k: TransactionKind, nth: usize| {
        kinds
            .iter()
            .enumerate()
            .filter(|(_, x)| **x == k)
            .nth(nth)
            .unwrap_or_else(|| panic!("no {k:?} #{nth} in {kinds:?}"))
            .0
    };
    assert!(at(TransactionKind::Void, 0) < at(TransactionKind::Reversal, 0));
    assert!(
        at(TransactionKind::Reversal, 0) < at(TransactionKind::Purchase, 1),
        "{kinds:?}"
    );
    let seen = rig.acquirer.seen();
    let void = seen
        .iter()
        .find(|s| s.kind == Some(TransactionKind::Void))
        .unwrap();
    let reversal = seen
        .iter()
        .find(|s| s.kind == Some(TransactionKind::Reversal))
        .unwrap();
    assert_eq!(reversal.msg.processing_code(), Some("200000"));
    assert_eq!(reversal.msg.stan(), void.msg.stan(), "the void's STAN");
    assert_eq!(reversal.msg.amount_minor(), void.msg.amount_minor());
    let journal = rig.journal();
    assert!(journal.pending_reversals().unwrap().is_empty());
    let day = journal.day_totals().unwrap();
    assert_eq!((day.sales.count, day.voided.count), (2, 0));
    let batch = journal.current_batch().unwrap();
    assert_eq!(journal.batch_totals(batch).unwrap().domestic.debit.count, 2);
}
