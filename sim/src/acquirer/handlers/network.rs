//! Network management — sign-on (fresh working keys and the batch number), sign-off, echo test.

use posrig_protocols::iso8583::{txn_type, Field60, ResponseCode};

use super::{response, Decision, Request};
use crate::acquirer::keys::fresh_working_keys;
use crate::acquirer::state::HostState;

/// 0800 → 0810 with field 62 (PIK and MAK under the master key) and the host's batch in 60.2.
pub(crate) fn sign_on(st: &mut HostState, req: &Request<'_>) -> Decision {
    let keys = match st.fixed_keys.get(req.terminal_id) {
        Some(keys) => keys.clone(),
        None => fresh_working_keys(&mut st.rng),
    };
    let (hms, mmdd, _) = st.calendar();
    let Some(term) = st.terminals.get_mut(req.terminal_id, req.merchant_id) else {
        return Decision::code(
            req.msg,
            ResponseCode::TerminalNotRegistered,
            "unknown terminal",
        );
    };
    let field62 = keys.to_field62(&term.master_key);
    let batch = term.batch;
    term.working = Some(keys);
    let mut resp = response(req.msg, ResponseCode::Approved);
    let _ = resp.set_field60(&Field60::new(txn_type::MANAGEMENT, batch, 3));
    let _ = resp.set_reserved62(&field62);
    let _ = resp.set_local_time(&hms);
    let _ = resp.set_local_date(&mmdd);
    Decision::approved(resp, format!("signed on, batch {batch}"))
}

/// 0820 `002` → 0830; the working keys are forgotten.
pub(crate) fn sign_off(st: &mut HostState, req: &Request<'_>) -> Decision {
    if let Some(term) = st.terminals.get_mut(req.terminal_id, req.merchant_id) {
        term.working = None;
    }
    Decision::approved(response(req.msg, ResponseCode::Approved), "signed off")
}

/// 0820 `301` → 0830 approved.
pub(crate) fn echo(req: &Request<'_>) -> Decision {
    Decision::approved(response(req.msg, ResponseCode::Approved), "echo")
}
