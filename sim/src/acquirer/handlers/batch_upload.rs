//! Batch upload (批上送) — detail records after a settlement that did not balance, and the end of
//! upload that closes the batch.

use posrig_protocols::iso8583::ResponseCode;

use super::{response, Decision, Request};
use crate::acquirer::state::HostState;

/// 0320 `201` → 0330: the records are kept per terminal and batch.
pub(crate) fn upload(st: &mut HostState, req: &Request<'_>) -> Decision {
    let Some(Ok(records)) = req.msg.detail_records() else {
        return Decision::code(
            req.msg,
            ResponseCode::FormatError,
            "field 48 is not detail records",
        );
    };
    let count = records.len();
    st.uploads
        .entry((req.terminal_id.to_owned(), req.batch))
        .or_default()
        .extend(records);
    Decision::approved(
        response(req.msg, ResponseCode::Approved),
        format!("{count} records accepted"),
    )
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
