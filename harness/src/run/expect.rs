//! Expectations — checks polled at the wire (display, receipts, drawer, device state, the
//! hosts' ledgers) and in the journal (read-only), until they all hold or `within` runs out. In
//! virtual time the polling costs no wall time.

use rusqlite::{Connection, OpenFlags};

use super::outcome::Mismatch;
use super::step::money;
use super::world::World;
use crate::scenario::expect::{DrawerState, Expect, JournalExpect, WalletState};
use posrig_sim::acquirer::LedgerKind;

/// Polls `e` until every check holds (`Ok`) or `within` passes (`Err` with what was seen).
pub async fn check(world: &World, e: &Expect) -> Result<(), Vec<Mismatch>> {
    let deadline = tokio::time::Instant::now() + e.within.as_std();
    loop {
        let mismatches = evaluate(world, e);
        if mismatches.is_empty() {
            return Ok(());
        }
        if tokio::time::Instant::now() >= deadline {
            return Err(mismatches);
        }
        tokio::time::sleep(super::POLL).await;
    }
}

fn evaluate(world: &World, e: &Expect) -> Vec<Mismatch> {
    let mut out = Vec::new();
    let [l1, l2] = world.display();
    let shown = format!("`{l1}` / `{l2}`");
    if let Some(d) = &e.display {
        if let Some(want) = &d.line1 {
            if *want != l1 {
                out.push(Mismatch::new(
                    "display line 1",
                    format!("`{want}`"),
                    format!("`{l1}`"),
                ));
            }
        }
        if let Some(want) = &d.line2 {
            if *want != l2 {
                out.push(Mismatch::new(
                    "display line 2",
                    format!("`{want}`"),
                    format!("`{l2}`"),
                ));
            }
        }
        if let Some(want) = &d.contains {
            if !l1.contains(want.as_str()) && !l2.contains(want.as_str()) {
                out.push(Mismatch::new(
                    "display",
                    format!("contains `{want}`"),
                    shown.clone(),
                ));
            }
        }
        if let Some(want) = &d.equals {
            if *want != format!("{l1}\n{l2}") {
                out.push(Mismatch::new(
                    "display",
                    format!("equals {want:?}"),
                    shown.clone(),
                ));
            }
        }
    }
    if let Some(total) = e.total {
        let want = money(total);
        let totals = ["TOTAL", "SUBTOTAL", "BALANCE DUE", "REFUND TOTAL"];
        if !(totals.contains(&l1.as_str()) && l2 == want) {
            out.push(Mismatch::new(
                "total",
                format!("`{want}` shown as the total"),
                shown.clone(),
            ));
        }
    }
    if let Some(r) = &e.receipt {
        let receipts = world.receipts();
        let last = receipts.last().map(String::as_str).unwrap_or("");
        let missing: Vec<_> = r
            .contains
            .iter()
            .filter(|t| !last.contains(t.as_str()))
            .collect();
        let present: Vec<_> = r
            .not_contains
            .iter()
            .filter(|t| last.contains(t.as_str()))
            .collect();
        if receipts.is_empty() && !r.contains.is_empty() {
            out.push(Mismatch::new(
                "receipt",
                format!("a receipt containing {:?}", r.contains),
                "no receipt printed".into(),
            ));
        } else if !missing.is_empty() || !present.is_empty() {
            let mut want = Vec::new();
            if !missing.is_empty() {
                want.push(format!("containing {missing:?}"));
            }
            if !present.is_empty() {
                want.push(format!("not containing {present:?}"));
            }
            out.push(Mismatch::new(
                "receipt",
                format!("the last receipt {}", want.join(" and ")),
                "the last receipt (below)".into(),
            ));
        }
    }
    if let Some(want) = e.drawer {
        let open = world.drawer_open();
        if open != (want == DrawerState::Open) {
            let name = |o: bool| if o { "open" } else { "closed" };
            out.push(Mismatch::new(
                "drawer",
                name(!open).into(),
                name(open).into(),
            ));
        }
    }
    if let Some(h) = &e.host {
        let last = world.host_seen.last();
        if let Some(want) = &h.last_mti {
            if last.mti.as_ref() != Some(want) {
                out.push(Mismatch::new(
                    "host last_mti",
                    format!("`{want}`"),
                    format!("{:?}", last.mti),
                ));
            }
        }
        if let Some(want) = &h.last_code {
            if last.code.as_ref() != Some(want) {
                out.push(Mismatch::new(
                    "host last_code",
                    format!("`{want}`"),
                    format!("{:?}", last.code),
                ));
            }
        }
    }
    if let Some(w) = &e.wallet {
        let ledger = world.wallet.control().ledger();
        let seen = ledger.last().map(|o| {
            normalise(
                &serde_json::to_value(o.state)
                    .unwrap_or_default()
                    .to_string(),
            )
        });
        let want = normalise(
            &serde_json::to_value(w.state)
                .unwrap_or_default()
                .to_string(),
        );
        if seen.as_deref() != Some(want.as_str()) {
            out.push(Mismatch::new(
                "wallet state",
                want_name(w.state),
                seen.unwrap_or_else(|| "no order".into()),
            ));
        }
    }
    if let Some(j) = &e.journal {
        out.extend(journal(world, j));
    }
    if let Some(d) = &e.device {
        let state = world.device(d.role).state();
        let want = serde_json::to_value(&d.equals).unwrap_or_default();
        let seen = state.pointer(&d.state_path).cloned();
        if seen.as_ref() != Some(&want) {
            out.push(Mismatch::new(
                "device",
                format!("{} {} = {want}", d.role.name(), d.state_path),
                seen.map_or_else(|| "nothing there".into(), |v| v.to_string()),
            ));
        }
    }
    out
}

fn normalise(s: &str) -> String {
    s.trim_matches('"').replace('_', "").to_ascii_uppercase()
}

fn want_name(s: WalletState) -> String {
    serde_json::to_value(s)
        .unwrap_or_default()
        .as_str()
        .unwrap_or("?")
        .to_owned()
}

/// Journal facts, read from the lane's SQLite file opened read-only.
fn journal(world: &World, j: &JournalExpect) -> Vec<Mismatch> {
    let mut out = Vec::new();
    let conn = match Connection::open_with_flags(&world.journal, OpenFlags::SQLITE_OPEN_READ_ONLY) {
        Ok(c) => c,
        Err(e) => {
            out.push(Mismatch::new(
                "journal",
                "a readable journal".into(),
                format!("{e}"),
            ));
            return out;
        }
    };
    let count = |sql: &str| -> Result<u32, String> {
        conn.query_row(sql, [], |r| r.get::<_, u32>(0))
            .map_err(|e| e.to_string())
    };
    if let Some(want) = j.sales {
        match count("SELECT COUNT(*) FROM sales WHERE state = 'completed' AND kind = 'sale'") {
            Ok(n) if n == want => {}
            Ok(n) => out.push(Mismatch::new(
                "journal sales",
                want.to_string(),
                n.to_string(),
            )),
            Err(e) => out.push(Mismatch::new("journal sales", want.to_string(), e)),
        }
    }
    if let Some(want) = j.pending_reversals {
        match count("SELECT COUNT(*) FROM reversals WHERE cleared_at IS NULL") {
            Ok(n) if n == want => {}
            Ok(n) => out.push(Mismatch::new(
                "journal pending_reversals",
                want.to_string(),
                n.to_string(),
            )),
            Err(e) => out.push(Mismatch::new(
                "journal pending_reversals",
                want.to_string(),
                e,
            )),
        }
    }
    if let Some(want) = j.reconciles_with_host {
        let approved = count(
            "SELECT COUNT(*) FROM tenders t JOIN sales s ON s.id = t.sale_id \
             WHERE t.kind = 'card' AND t.state = 'approved' AND s.kind = 'sale'",
        );
        let ledger = world.acquirer.control().ledger();
        let standing = ledger
            .entries()
            .iter()
            .filter(|e| {
                e.terminal_id == super::lane::TERMINAL_ID
                    // An offline sale the host has taken by advice stands like a purchase.
                    && matches!(e.kind, LedgerKind::Purchase | LedgerKind::OfflineSale)
                    && e.is_standing()
            })
            .count() as u32;
        match approved {
            Ok(n) if (n == standing) == want => {}
            Ok(n) => out.push(Mismatch::new(
                "journal reconciles_with_host",
                want.to_string(),
                format!("{n} approved card sales in the journal, {standing} standing purchases at the acquirer"),
            )),
            Err(e) => out.push(Mismatch::new("journal reconciles_with_host", want.to_string(), e)),
        }
    }
    out
}

/// The observed values shown with every failure: the display and the last receipt.
pub fn observed(world: &World) -> String {
    let [l1, l2] = world.display();
    let receipts = world.receipts();
    let receipt = receipts
        .last()
        .map_or("(no receipt printed)".to_owned(), |r| {
            r.lines()
                .map(|l| format!("    | {l}"))
                .collect::<Vec<_>>()
                .join("\n")
        });
    let drawer = if world.drawer_open() {
        "open"
    } else {
        "closed"
    };
    format!("  display: `{l1}` / `{l2}`\n  drawer: {drawer}\n  last receipt:\n{receipt}")
}
