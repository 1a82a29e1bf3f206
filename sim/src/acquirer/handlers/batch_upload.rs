//! Batch upload (批上送) — detail records after a settlement that did not balance, and the end of
//! upload that closes the batch.

use posrig_protocols::iso8583::ResponseCode;

use super::{response, Decision, Request};
use crate::acquirer::ledger::{DetailMatch, UploadedDetail};
use crate::acquirer::state::HostState;

/// 0320 `201` → 0330: the records are kept per terminal and batch, each matched against the
/// ledger by terminal, batch and STAN and then checked for kind (60.1) and amount — never by PAN,
/// which a POS sends as the first 6 and last 4 digits with zeros in between. The upload is the
/// terminal's account of a batch that did not balance, so it is accepted (`00`) whatever the
/// match; records that do not match are counted in the decision's detail and kept with their
/// [`DetailMatch`] for reconciliation checks.
pub(crate) fn upload(st: &mut HostState, req: &Request<'_>) -> Decision {
    let Some(Ok(records)) = req.msg.detail_records() else {
        return Decision::code(
            req.msg,
            ResponseCode::FormatError,
            "field 48 is not detail records",
        );
    };
    let count = records.len();
    let checked: Vec<UploadedDetail> = records
        .into_iter()
        .map(|record| UploadedDetail {
            matched: st.ledger.match_detail(req.terminal_id, req.batch, &record),
            record,
        })
        .collect();
    let unmatched: Vec<String> = checked
        .iter()
        .filter(|d| d.matched != DetailMatch::Matched)
        .map(|d| format!("STAN {} {:?}", d.record.stan, d.matched))
        .collect();
    st.uploads
        .entry((req.terminal_id.to_owned(), req.batch))
        .or_default()
        .extend(checked);
    let detail = if unmatched.is_empty() {
        format!("{count} records accepted, all match the ledger")
    } else {
        format!(
            "{count} records accepted, {} not matching the ledger: {}",
            unmatched.len(),
            unmatched.join(", ")
        )
    };
    Decision::approved(response(req.msg, ResponseCode::Approved), detail)
}

/// 0320 `202` → 0330: closes the open batch (a late end for the batch a balanced settlement
/// already closed is accepted and changes nothing).
pub(crate) fn end(st: &mut HostState, req: &Request<'_>) -> Decision {
    let uploaded = st
        .uploads
        .get(&(req.terminal_id.to_owned(), req.batch))
        .map_or(0, Vec::len);
    let Some(term) = st.terminals.get_mut(req.terminal_id, req.merchant_id) else {
        return Decision::code(
            req.msg,
            ResponseCode::TerminalNotRegistered,
            "unknown terminal",
        );
    };
    let detail = if term.batch == req.batch {
        term.close_batch();
        format!(
            "batch {} closed after {uploaded} uploaded records",
            req.batch
        )
    } else {
        format!("batch {} was already closed", req.batch)
    };
    Decision::approved(response(req.msg, ResponseCode::Approved), detail)
}
