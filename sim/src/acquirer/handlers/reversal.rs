//! Reversal (冲正) — undoes a purchase or void exactly once. Idempotent: reversing again answers
//! `00` and changes nothing; an unknown STAN answers `25` and changes nothing; a request the host
//! had declined has nothing to undo and answers `00`.

use posrig_protocols::iso8583::{Mti, ResponseCode};

use super::{response, Decision, Request};
use crate::acquirer::ledger::{EntryState, LedgerKind};
use crate::acquirer::state::HostState;

/// 0400 → 0410. Field 11 and 60.2 are the original request's.
pub(crate) fn reversal(st: &mut HostState, req: &Request<'_>) -> Decision {
    let (tid, batch, stan) = (req.terminal_id, req.batch, req.stan);
    let ok = |detail: String| Decision::approved(response(req.msg, ResponseCode::Approved), detail);
    let Some(entry) = st.ledger.find(tid, batch, stan) else {
        let key = (tid.to_owned(), batch, stan, Mti::FINANCIAL);
        return match st.history.get(&key) {
            Some(seen) if !seen.code.is_approved() => {
                ok(format!("STAN {stan} was declined: nothing to reverse"))
            }
            _ => Decision::code(
                req.msg,
                ResponseCode::OriginalNotFound,
                format!("no STAN {stan}"),
            ),
        };
    };
    if !matches!(entry.kind, LedgerKind::Purchase | LedgerKind::Void) {
        return Decision::code(req.msg, ResponseCode::OriginalNotFound, "not reversible");
    }
    if req
        .msg
        .amount_minor()
        .is_some_and(|a| a != entry.amount_minor)
    {
        return Decision::code(req.msg, ResponseCode::OriginalNotFound, "amount differs");
    }
    let (kind, state, amount, card, original) = (
        entry.kind,
        entry.state,
        entry.amount_minor,
        entry.card.clone(),
        entry.original,
    );
    if state == EntryState::Reversed {
        return ok(format!("STAN {stan} already reversed"));
    }
    let card = card.and_then(|name| st.cards.by_name_mut(&name));
    match (kind, state) {
        // A voided purchase already had its money restored by the void.
        (LedgerKind::Purchase, EntryState::Voided) => {}
        (LedgerKind::Purchase, _) => {
            if let Some(card) = card {
                card.balance_minor += amount;
            }
        }
        (_, _) => {
            if let Some(card) = card {
                card.balance_minor = card.balance_minor.saturating_sub(amount);
            }
            if let Some((ob, os)) = original {
                if let Some(p) = st.ledger.find_mut(tid, ob, os) {
                    if p.state == EntryState::Voided {
                        p.state = EntryState::Approved;
                    }
                }
            }
        }
    }
    if let Some(e) = st.ledger.find_mut(tid, batch, stan) {
        e.state = EntryState::Reversed;
    }
    ok(format!("reversed {kind:?} STAN {stan}"))
}
