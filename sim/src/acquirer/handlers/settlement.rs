//! Settlement (结算) — compares the terminal's field 48 totals with the ledger's for its batch and
//! answers balanced (1, the batch closes) or not balanced (2, details must be uploaded).

use posrig_protocols::iso8583::{ReconciliationFlag, ResponseCode, Totals};

use super::{response, stamp_approval, Decision, Request};
use crate::acquirer::state::HostState;

fn same(a: &Totals, b: &Totals) -> bool {
    (
        a.debit_amount_minor,
        a.debit_count,
        a.credit_amount_minor,
        a.credit_count,
    ) == (
        b.debit_amount_minor,
        b.debit_count,
        b.credit_amount_minor,
        b.credit_count,
    )
}

/// 0500 → 0510 with the terminal's totals and the flag.
pub(crate) fn settlement(st: &mut HostState, req: &Request<'_>) -> Decision {
    let Some(Ok(theirs)) = req.msg.settlement_totals() else {
        return Decision::code(
            req.msg,
            ResponseCode::FormatError,
            "field 48 is not settlement totals",
        );
    };
    let ours = st.ledger.totals(req.terminal_id, req.batch);
    let balanced = same(&theirs.domestic, &ours.domestic) && same(&theirs.foreign, &ours.foreign);
    let flag = if balanced {
        ReconciliationFlag::Balanced
    } else {
        ReconciliationFlag::NotBalanced
    };
    if balanced {
        if let Some(term) = st.terminals.get_mut(req.terminal_id, req.merchant_id) {
            term.close_batch();
        }
    }
    let mut resp = response(req.msg, ResponseCode::Approved);
    let _ = resp.set_settlement_totals(&theirs.with_flag(flag));
    stamp_approval(st, &mut resp, Some("000000"));
    let _ = resp.remove(38);
    let detail = if balanced {
        format!("batch {} balanced and closed", req.batch)
    } else {
        format!(
            "batch {} not balanced: host debits {}/{} credits {}/{}",
            req.batch,
            ours.domestic.debit_amount_minor,
            ours.domestic.debit_count,
            ours.domestic.credit_amount_minor,
            ours.domestic.credit_count
        )
    };
    Decision::approved(resp, detail)
}
