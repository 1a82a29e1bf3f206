//! Determinism of the POS stack: the same inputs at the same (manual) times give the same
//! commands, the same receipts and reports, and the same journal, in two fresh terminals. Each
//! terminal's hash maps get their own random keys, so a report, receipt or recovery that walks a
//! `HashMap` where order shows, or a journal query without `ORDER BY` whose order shows, breaks
//! this test.

#[allow(dead_code)]
#[path = "terminal/support.rs"]
mod support;

use posrig_pos::terminal::Input;
use posrig_protocols::pinpad::{PadMessage, PadPhase};
use support::{approved, chip_card, pin_ok, prints, transcript, Lane};

const MILK: &str = "6901234100006";
const SKIM: &str = "6901241100372";
const GUM: &str = "6901451111472";

/// A small day: a mixed cash sale with a member, a card sale, a void, an X and a Z report, and a
/// restart with recovery. Returns everything the terminal said, receipts as text.
fn day() -> String {
    let mut lane = Lane::new();
    let mut out = Vec::new();
    out.extend(lane.keys("LOGIN 1001 ENTER 1234 ENTER"));
    out.extend(lane.scan(MILK));
    out.extend(lane.keys("3 QTY"));
    out.extend(lane.scan(GUM));
    out.extend(lane.scan(SKIM));
    out.extend(lane.keys("VOID"));
    out.extend(lane.scan(SKIM));
    out.extend(lane.keys("MEMBER 13800138000 ENTER"));
    out.extend(lane.keys("TOTAL 1 0 0 CASH"));
    out.extend(lane.send(Input::DrawerClosed));
    out.extend(lane.scan(MILK));
    out.extend(lane.scan(GUM));
    out.extend(lane.keys("TOTAL CARD"));
    out.extend(lane.pad(PadMessage::Phase(PadPhase::ChipInserted)));
    out.extend(lane.pad(chip_card()));
    out.extend(lane.pad(pin_ok()));
    out.extend(lane.host(approved(7)));
    out.extend(lane.keys("XREPORT"));
    out.extend(lane.scan(MILK));
    let (mut lane, recovered) = lane.restart();
    out.extend(recovered);
    out.extend(lane.keys("LOGIN 1001 ENTER 1234 ENTER"));
    out.extend(lane.keys("ZREPORT"));
    let mut text = transcript(&out);
    for (job, doc) in prints(&out) {
        text.push_str(&format!("--- job {}\n{}\n", job.0, doc.to_text()));
    }
    let journal = lane.reopen_journal();
    for sale in journal.completed_sales().unwrap() {
        text.push_str(&format!("{sale:?}\n"));
    }
    for event in journal.events().unwrap() {
        text.push_str(&format!("{event:?}\n"));
    }
    text
}

#[test]
fn the_same_day_twice_says_and_stores_the_same() {
    let first = day();
    let second = day();
    // Not trivially equal: the day has a member sale, a card sale, reports, reprints after the
    // restart and the recovered (cancelled) sale.
    for expected in [
        "Member Wang Fang",
        "Auth A12345",
        "Sales (2)",
        "Z No. 0001",
        "sale_cancelled",
    ] {
        assert!(
            first.contains(expected),
            "`{expected}` missing from:\n{first}"
        );
    }
    if first != second {
        let at = first
            .lines()
            .zip(second.lines())
            .position(|(a, b)| a != b)
            .unwrap_or(0);
        panic!(
            "diverged at line {at}:\n  first:  {:?}\n  second: {:?}",
            first.lines().nth(at),
            second.lines().nth(at)
        );
    }
}
