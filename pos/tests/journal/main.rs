//! The journal on disk: completed sales survive a reopen exactly once, recovery finds what was
//! in flight, migrations reach the latest schema from empty and from v1, and no full PAN ever
//! reaches the database file.

#[path = "../support/mod.rs"]
mod support;

use std::path::Path;

use posrig_pos::basket::Quantity;
use posrig_pos::clock::DateTime;
use posrig_pos::journal::migrations::{migrate, version, LATEST_VERSION};
use posrig_pos::journal::{
    Advice, Journal, JournalError, PendingTender, PrintState, Reversal, ReversalKind, TenderState,
};
use posrig_pos::money::{money, Money};
use posrig_pos::receipt::render_sale;
use posrig_pos::sale::{Sale, SaleKind, SaleState};
use posrig_pos::tender::{CardTender, EntryMode, MaskedPan, Tender, TenderKind};
use support::TEST_PAN;

fn at() -> DateTime {
    DateTime::from_unix(1_735_722_000)
}

/// Rings milk × 2 + bread on a new sale, recording every step.
fn ring(j: &mut Journal) -> Sale {
    let cat = support::catalog();
    let id = j.begin_sale(&support::cashier()).unwrap();
    let mut s = Sale::new(id, support::cashier(), support::rules());
    for (plu, n) in [("10001", 2), ("10042", 1)] {
        let l = s
            .add_item(cat.by_plu(plu).unwrap(), Quantity::Units(n))
            .unwrap();
        j.add_line(id, s.basket().line(l).unwrap()).unwrap();
    }
    s.total(None).unwrap();
    j.update_sale(&s).unwrap();
    s
}

fn card(amount: Money, stan: u32) -> Tender {
    Tender::card(
        amount,
        CardTender {
            masked_pan: MaskedPan::from_pan(TEST_PAN).unwrap(),
            entry_mode: EntryMode::Chip,
            auth_code: "A1B2C3".into(),
            rrn: "000000123456".into(),
            stan,
            batch: 1,
            offline: false,
            domestic: true,
        },
    )
}

/// Pays `s` by card the way the host client will: pending tender and armed reversal committed
/// before the request, approval (which clears the reversal) after.
fn pay_by_card(j: &mut Journal, s: &mut Sale) {
    let stan = j.next_stan().unwrap();
    let amount = s.remaining_due();
    let tid = j
        .record_tender_pending(
            s.id(),
            &PendingTender {
                kind: TenderKind::Card,
                amount,
                masked_pan: Some(MaskedPan::from_pan(TEST_PAN).unwrap()),
                entry_mode: Some(EntryMode::Chip),
                stan: Some(stan),
                batch: Some(1),
                out_trade_no: None,
            },
        )
        .unwrap();
    j.write_reversal(&reversal(s, tid, stan, amount)).unwrap();
    let t = card(amount, stan);
    j.approve_tender(tid, &t).unwrap();
    s.add_tender(t).unwrap();
}

fn reversal(s: &Sale, tid: posrig_pos::journal::TenderId, stan: u32, amount: Money) -> Reversal {
    Reversal {
        sale_id: Some(s.id()),
        tender_id: Some(tid),
        kind: ReversalKind::Card,
        mti: Some("0200".into()),
        processing_code: Some("000000".into()),
        stan: Some(stan),
        batch: Some(1),
        amount,
        masked_pan: Some(MaskedPan::from_pan(TEST_PAN).unwrap()),
        entry_mode: Some(EntryMode::Chip),
        out_trade_no: None,
    }
}

fn complete(j: &mut Journal, s: &Sale) -> posrig_pos::journal::Completion {
    let doc = render_sale(&support::store().store, "LANE0001", s, at());
    j.complete_sale(s, &doc).unwrap()
}

#[test]
fn completed_sale_survives_reopen_exactly_once() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("journal.db");
    let sale = {
        let mut j = support::journal_at(&path);
        let mut s = ring(&mut j);
        pay_by_card(&mut j, &mut s);
        assert_eq!(s.state(), SaleState::Completed);
        let c = complete(&mut j, &s);
        assert!(!c.already_completed);
        // Completing again (a retry after a crash before the caller saw the commit) is a no-op.
        let again = complete(&mut j, &s);
        assert!(again.already_completed);
        assert_eq!(again.receipt, c.receipt);
        s
        // The journal is dropped without any shutdown step, as in a crash.
    };
    let mut j = support::journal_at(&path);
    let done = j.completed_sales().unwrap();
    assert_eq!(done.len(), 1);
    assert_eq!(done[0].id, sale.id());
    assert_eq!(done[0].total, Some(money("34.50")));
    let again = complete(&mut j, &sale);
    assert!(again.already_completed);
    assert_eq!(j.completed_sales().unwrap().len(), 1);
    let r = j.recovery().unwrap();
    assert!(r.in_progress.is_empty());
    assert!(r.pending_reversals.is_empty());
    assert_eq!(
        r.unfinished_receipts.len(),
        1,
        "the receipt was never printed"
    );
    let day = j.day_totals().unwrap();
    assert_eq!((day.sales.count, day.sales.amount), (1, money("34.50")));
}

#[test]
fn recovery_finds_what_was_in_flight() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("journal.db");
    let (in_flight, printing) = {
        let mut j = support::journal_at(&path);
        // Sale 1 completed, receipt printing interrupted (paper out, then crash).
        let mut s1 = ring(&mut j);
        pay_by_card(&mut j, &mut s1);
        let c = complete(&mut j, &s1);
        j.mark_receipt_printing(c.receipt).unwrap();
        // Sale 2: card request sent, no answer before the crash.
        let s2 = ring(&mut j);
        let stan = j.next_stan().unwrap();
        let tid = j
            .record_tender_pending(
                s2.id(),
                &PendingTender {
                    kind: TenderKind::Card,
                    amount: s2.remaining_due(),
                    masked_pan: Some(MaskedPan::from_pan(TEST_PAN).unwrap()),
                    entry_mode: Some(EntryMode::Tap),
                    stan: Some(stan),
                    batch: Some(1),
                    out_trade_no: None,
                },
            )
            .unwrap();
        j.write_reversal(&reversal(&s2, tid, stan, s2.remaining_due()))
            .unwrap();
        // An offline approval waiting to be advised.
        j.queue_advice(&Advice {
            sale_id: s1.id(),
            tender_id: None,
            stan: 99,
            batch: 1,
            amount: money("12.00"),
            masked_pan: MaskedPan::from_pan(TEST_PAN).unwrap(),
            entry_mode: EntryMode::Swipe,
        })
        .unwrap();
        (s2.id(), c.receipt)
    };
    let mut j = support::journal_at(&path);
    let r = j.recovery().unwrap();
    assert_eq!(r.in_progress.len(), 1);
    assert_eq!(
        (r.in_progress[0].id, r.in_progress[0].state),
        (in_flight, SaleState::Totalled)
    );
    assert_eq!(r.pending_tenders.len(), 1);
    assert_eq!(r.pending_tenders[0].state, TenderState::Pending);
    assert_eq!(r.pending_reversals.len(), 1);
    let rev = &r.pending_reversals[0];
    assert_eq!(rev.reason, None);
    assert_eq!(rev.reversal.stan, Some(2));
    assert_eq!(rev.reversal.amount, money("34.50"));
    assert_eq!(r.queued_advices.len(), 1);
    assert_eq!(r.unfinished_receipts.len(), 1);
    assert_eq!(
        (r.unfinished_receipts[0].id, r.unfinished_receipts[0].state),
        (printing, PrintState::Printing)
    );
    // The lines of the sale in flight can be rebuilt.
    let stored = j.load_sale(in_flight).unwrap();
    assert_eq!(stored.lines.len(), 2);
    assert_eq!(stored.lines[0].quantity, Quantity::Units(2));

    // The terminal reverses, reprints, advises, and cancels the sale in flight.
    j.set_reversal_reason(rev.id, "98").unwrap();
    j.note_reversal_try(rev.id).unwrap();
    assert_eq!(j.pending_reversals().unwrap()[0].tries, 1);
    j.clear_reversal(rev.id).unwrap();
    j.mark_tender_reversed(r.pending_tenders[0].id).unwrap();
    j.mark_receipt_done(printing).unwrap();
    j.mark_advice_sent(r.queued_advices[0].id).unwrap();
    j.cancel_sale(in_flight).unwrap();
    let r = j.recovery().unwrap();
    assert!(
        r.in_progress.is_empty() && r.pending_tenders.is_empty() && r.pending_reversals.is_empty()
    );
    assert!(r.queued_advices.is_empty() && r.unfinished_receipts.is_empty());
    assert_eq!(j.receipt(printing).unwrap().prints, 1);
}

#[test]
fn completion_checks_the_journal_tenders() {
    let mut j = Journal::open_in_memory(support::store().currency, support::clock()).unwrap();
    let mut s = ring(&mut j);
    let doc = render_sale(&support::store().store, "LANE0001", &s, at());
    assert!(matches!(
        j.complete_sale(&s, &doc),
        Err(JournalError::NotCompleted(_))
    ));
    // Paid in memory but the tender never reached the journal: refused.
    s.add_tender(Tender::qr(s.remaining_due(), "OTN", "TX"))
        .unwrap();
    assert!(matches!(
        j.complete_sale(&s, &doc),
        Err(JournalError::TendersMismatch { .. })
    ));
    j.add_tender(s.id(), &s.tenders()[0]).unwrap();
    assert!(!j.complete_sale(&s, &doc).unwrap().already_completed);
}

#[test]
fn cash_sale_with_member_points_and_declined_card_first() {
    let mut j = Journal::open_in_memory(support::store().currency, support::clock()).unwrap();
    let members = support::members();
    let m = members.lookup("13800138000").unwrap();
    let mut s = ring(&mut j);
    s.attach_member(m, j.member_balance(m).unwrap()).unwrap();
    s.redeem_points(200).unwrap();
    j.update_sale(&s).unwrap();
    // Card declined 51, then cash.
    let tid = j
        .record_tender_pending(
            s.id(),
            &PendingTender {
                kind: TenderKind::Card,
                amount: s.remaining_due(),
                masked_pan: Some(MaskedPan::from_pan(TEST_PAN).unwrap()),
                entry_mode: Some(EntryMode::Chip),
                stan: Some(1),
                batch: Some(1),
                out_trade_no: None,
            },
        )
        .unwrap();
    j.decline_tender(tid, "51").unwrap();
    let t = s.tender_cash(money("50")).unwrap();
    j.add_tender(s.id(), &t).unwrap();
    assert_eq!(s.state(), SaleState::Completed);
    complete(&mut j, &s);
    // 34.50 − 2.00 = 32.50 → cash 32.50, change 17.50; 32 points earned.
    assert_eq!(j.member_balance(m).unwrap(), 1200 - 200 + 32);
    let stored = j.load_sale(s.id()).unwrap();
    let states: Vec<_> = stored.tenders.iter().map(|t| t.state).collect();
    assert_eq!(states, vec![TenderState::Declined, TenderState::Approved]);
    assert_eq!(stored.tenders[0].response_code.as_deref(), Some("51"));
    let kinds: Vec<_> = j.events().unwrap().into_iter().map(|e| e.kind).collect();
    assert!(kinds.contains(&"tender_declined".to_string()), "{kinds:?}");
}

#[test]
fn x_and_z_reports_and_batch_totals() {
    let ops = support::operators();
    let mut j = Journal::open_in_memory(support::store().currency, support::clock()).unwrap();
    let mut s = ring(&mut j);
    pay_by_card(&mut j, &mut s);
    complete(&mut j, &s);
    let mut s = ring(&mut j);
    let t = s.tender_cash(money("100")).unwrap();
    j.add_tender(s.id(), &t).unwrap();
    complete(&mut j, &s);
    // A refund by cash, approved by a supervisor.
    let id = j.begin_sale(&support::cashier()).unwrap();
    let mut r = Sale::new(id, support::cashier(), support::rules());
    let ok = ops
        .approve("9001", "9999", posrig_pos::operator::Action::Refund)
        .unwrap();
    r.begin_refund("LANE0001-000001", Some(&ok)).unwrap();
    let l = r
        .add_item(
            support::catalog().by_plu("10042").unwrap(),
            Quantity::Units(1),
        )
        .unwrap();
    j.add_line(id, r.basket().line(l).unwrap()).unwrap();
    r.total(None).unwrap();
    let t = r.tender_cash(money("9.50")).unwrap();
    j.add_tender(id, &t).unwrap();
    complete(&mut j, &r);
    assert_eq!(r.kind(), SaleKind::Refund);
    // A cancelled sale with a voided line.
    let mut c = ring(&mut j);
    c.void_line(
        posrig_pos::basket::LineId(1),
        Some(
            &ops.approve("9001", "9999", posrig_pos::operator::Action::VoidAfterTotal)
                .unwrap(),
        ),
    )
    .unwrap();
    j.update_line(
        c.id(),
        c.basket().line(posrig_pos::basket::LineId(1)).unwrap(),
    )
    .unwrap();
    c.cancel().unwrap();
    j.cancel_sale(c.id()).unwrap();
    j.log_event(None, Some("9001"), "no_sale", "").unwrap();

    let x = j.day_totals().unwrap();
    assert_eq!((x.sales.count, x.sales.amount), (2, money("69.00")));
    assert_eq!((x.refunds.count, x.refunds.amount), (1, money("9.50")));
    assert_eq!(x.net(), money("59.50"));
    assert_eq!((x.cancelled, x.line_voids, x.no_sales), (1, 1, 1));
    let kinds: Vec<_> = x.by_tender.iter().map(|t| (t.kind, t.net())).collect();
    assert_eq!(
        kinds,
        vec![
            (TenderKind::Cash, money("25.00")),
            (TenderKind::Card, money("34.50"))
        ]
    );
    let batch = j.batch_totals(1).unwrap();
    assert_eq!(
        (batch.domestic.debit.count, batch.domestic.debit.amount),
        (1, money("34.50"))
    );
    assert_eq!(j.batch_card_tenders(1).unwrap().len(), 1);
    let sid = j.record_settlement(&batch, "not_balanced").unwrap();
    j.mark_settlement_uploaded(sid).unwrap();
    assert!(j.settlements().unwrap()[0].uploaded);
    assert_eq!(j.close_batch().unwrap(), 2);

    let z = j.close_day().unwrap();
    assert_eq!(z.z_no, Some(1));
    assert_eq!(z.net(), money("59.50"));
    let after = j.day_totals().unwrap();
    assert_eq!(
        (
            after.sales.count,
            after.refunds.count,
            after.cancelled,
            after.no_sales
        ),
        (0, 0, 0, 0)
    );
    assert_eq!(j.close_day().unwrap().z_no, Some(2));
}

#[test]
fn migrations_from_empty_and_from_v1_reach_latest() {
    let dir = tempfile::tempdir().unwrap();
    // Empty database.
    let empty = dir.path().join("empty.db");
    let j = support::journal_at(&empty);
    assert_eq!(j.schema_version().unwrap(), LATEST_VERSION);
    drop(j);
    // A v1 database with a sale in it, as an older build left it.
    let v1 = dir.path().join("v1.db");
    {
        let mut conn = rusqlite::Connection::open(&v1).unwrap();
        assert_eq!(migrate(&mut conn, 1).unwrap(), 1);
        conn.execute(
            "INSERT INTO sales (kind, state, operator, started_at) VALUES ('sale', 'selling', '1001', '2024-12-31 23:59:00')",
            [],
        )
        .unwrap();
        assert_eq!(version(&conn).unwrap(), 1);
    }
    let j = support::journal_at(&v1);
    assert_eq!(j.schema_version().unwrap(), LATEST_VERSION);
    let open = j.in_progress_sales().unwrap();
    assert_eq!(open.len(), 1);
    assert_eq!(open[0].state, SaleState::Selling);
    drop(j);
    // Reopening at the latest version changes nothing.
    assert_eq!(
        support::journal_at(&v1).schema_version().unwrap(),
        LATEST_VERSION
    );
    // A database from a newer build is refused.
    let newer = dir.path().join("newer.db");
    rusqlite::Connection::open(&newer)
        .unwrap()
        .pragma_update(None, "user_version", LATEST_VERSION + 1)
        .unwrap();
    assert!(matches!(
        Journal::open(&newer, support::store().currency, support::clock()),
        Err(JournalError::NewerSchema { .. })
    ));
}

#[test]
fn wal_and_full_sync_are_on() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("j.db");
    let _j = support::journal_at(&path);
    let conn = rusqlite::Connection::open(&path).unwrap();
    let mode: String = conn
        .pragma_query_value(None, "journal_mode", |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
}

fn file_contains(path: &Path, needle: &[u8]) -> bool {
    match std::fs::read(path) {
        Ok(bytes) => bytes.windows(needle.len()).any(|w| w == needle),
        Err(_) => false,
    }
}

#[test]
fn no_full_pan_in_the_database_files() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("journal.db");
    {
        let mut j = support::journal_at(&path);
        for _ in 0..3 {
            let mut s = ring(&mut j);
            pay_by_card(&mut j, &mut s);
            complete(&mut j, &s);
        }
        let s = ring(&mut j);
        let stored = j.load_sale(s.id()).unwrap();
        assert_eq!(stored.lines.len(), 2);
        // Masked PANs are there (sanity check that the grep would see card data).
        assert!(
            file_contains(&path.with_extension("db-wal"), b"622202*********0017")
                || file_contains(&path, b"622202*********0017")
        );
    }
    for suffix in ["db", "db-wal", "db-shm"] {
        let f = path.with_extension(suffix);
        assert!(
            !file_contains(&f, TEST_PAN.as_bytes()),
            "full PAN found in {}",
            f.display()
        );
    }
    // Nor after a checkpoint folds the WAL into the main file.
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
        .unwrap();
    drop(conn);
    assert!(file_contains(&path, b"622202*********0017"));
    assert!(!file_contains(&path, TEST_PAN.as_bytes()));
}
