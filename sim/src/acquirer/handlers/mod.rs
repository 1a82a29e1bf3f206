//! Request handlers — one file per transaction of PROTOCOLS.md §7; this module checks the batch,
//! recognises retransmissions and duplicates, and routes each request to its handler.

mod balance;
mod batch_upload;
mod chip;
mod network;
mod offline;
mod purchase;
mod refund;
mod reversal;
mod settlement;
mod void;

use posrig_protocols::crypto::TdesKey;
use posrig_protocols::iso8583::{respond, Message, ResponseCode, TransactionKind};

use super::cards::CardAccount;
use super::state::{HistoryKey, HostState};

/// The request being decided, with what the host already knows of its terminal.
#[derive(Debug)]
pub(crate) struct Request<'a> {
    pub msg: &'a Message,
    pub body: &'a [u8],
    pub kind: TransactionKind,
    pub terminal_id: &'a str,
    pub merchant_id: &'a str,
    pub stan: u32,
    /// 60.2 as sent.
    pub batch: u32,
    /// The PIK, if signed on.
    pub pik: Option<TdesKey>,
}

/// The host's decision on one request.
#[derive(Debug)]
pub(crate) struct Decision {
    pub response: Message,
    pub code: ResponseCode,
    /// Why, for events (never a full PAN).
    pub detail: String,
    /// Where to remember the answer for duplicate detection, if anywhere.
    pub history: Option<HistoryKey>,
    /// Whether this is a replay of an earlier answer (nothing new happened).
    pub replay: bool,
}

impl Decision {
    /// An answer with `code` and the echoed fields only (declines, format errors).
    pub fn code(msg: &Message, code: ResponseCode, detail: impl Into<String>) -> Self {
        Self {
            response: response(msg, code),
            code,
            detail: detail.into(),
            history: None,
            replay: false,
        }
    }

    /// An approval carrying `response`.
    pub fn approved(response: Message, detail: impl Into<String>) -> Self {
        Self {
            response,
            code: ResponseCode::Approved,
            detail: detail.into(),
            history: None,
            replay: false,
        }
    }
}

/// `respond` for a decoded request: every echoed value came through the field table, so it
/// always re-validates; an empty answer of the right MTI is the fallback that cannot happen.
pub(crate) fn response(msg: &Message, code: ResponseCode) -> Message {
    respond(msg, code).unwrap_or_else(|_| {
        let mut m = Message::new(msg.mti().response());
        let _ = m.set_response_code(code);
        m
    })
}

/// Decides on a request whose terminal is registered and whose MAC is right.
pub(crate) fn handle(st: &mut HostState, req: &Request<'_>) -> Decision {
    let Some(term) = st.terminals.peek(req.terminal_id) else {
        return Decision::code(
            req.msg,
            ResponseCode::TerminalNotRegistered,
            "unknown terminal",
        );
    };
    let batch_ok = match req.kind {
        TransactionKind::SignOn
        | TransactionKind::SignOff
        | TransactionKind::EchoTest
        | TransactionKind::Reversal => true,
        TransactionKind::BatchUploadEnd => {
            req.batch == term.batch || Some(req.batch) == term.last_closed_batch
        }
        _ => req.batch == term.batch,
    };
    if !batch_ok {
        let detail = format!("batch {} but the host's is {}", req.batch, term.batch);
        return Decision::code(req.msg, ResponseCode::BatchMismatch, detail);
    }
    let key = checks_duplicates(req.kind).then(|| {
        (
            req.terminal_id.to_owned(),
            req.batch,
            req.stan,
            req.msg.mti(),
        )
    });
    if let Some(seen) = key.as_ref().and_then(|k| st.history.get(k)) {
        if seen.request == req.body {
            return Decision {
                response: seen.response.clone(),
                code: seen.code,
                detail: "retransmission: first answer repeated".into(),
                history: None,
                replay: true,
            };
        }
        // Advices are idempotent by terminal, batch and STAN (a POS resends them without card
        // data after a restart, so the bytes differ): the handler compares with the ledger.
        if req.kind != TransactionKind::OfflineSale {
            return Decision::code(
                req.msg,
                ResponseCode::Duplicate,
                "STAN already used in this batch",
            );
        }
    }
    let mut decision = match req.kind {
        TransactionKind::SignOn => network::sign_on(st, req),
        TransactionKind::SignOff => network::sign_off(st, req),
        TransactionKind::EchoTest => network::echo(req),
        TransactionKind::BalanceInquiry => balance::inquiry(st, req),
        TransactionKind::Purchase => purchase::purchase(st, req),
        TransactionKind::Void => void::void(st, req),
        TransactionKind::Refund => refund::refund(st, req),
        TransactionKind::OfflineSale => offline::advice(st, req),
        TransactionKind::Reversal => reversal::reversal(st, req),
        TransactionKind::Settlement => settlement::settlement(st, req),
        TransactionKind::BatchUpload => batch_upload::upload(st, req),
        TransactionKind::BatchUploadEnd => batch_upload::end(st, req),
    };
    decision.history = key;
    decision
}

/// Requests with an effect that a repeated STAN must not apply twice. Reversals are idempotent
/// on their own; network management has no effect.
fn checks_duplicates(kind: TransactionKind) -> bool {
    !matches!(
        kind,
        TransactionKind::SignOn
            | TransactionKind::SignOff
            | TransactionKind::EchoTest
            | TransactionKind::Reversal
    )
}

/// The PAN of a request: field 2, else track 2 before `=`.
pub(crate) fn request_pan(msg: &Message) -> Option<&str> {
    msg.pan()
        .or_else(|| msg.track2().and_then(|t| t.split(['=', 'D']).next()))
}

/// Finds the card and checks it as an issuer would before money moves: unknown `14`, status and
/// expiry, then the PIN block if one was sent.
pub(crate) fn checked_card<'s>(
    st: &'s mut HostState,
    req: &Request<'_>,
    check_status: bool,
) -> Result<&'s mut CardAccount, (ResponseCode, String)> {
    let (_, _, today_yymm) = st.calendar();
    let pan = request_pan(req.msg).ok_or((ResponseCode::InvalidCard, "no PAN".to_owned()))?;
    let card = st
        .cards
        .get_mut(pan)
        .ok_or_else(|| (ResponseCode::InvalidCard, "unknown card".to_owned()))?;
    if check_status {
        card.check_usable(today_yymm)
            .map_err(|code| (code, format!("card {} not usable", card.name)))?;
    }
    if let Some(block) = req.msg.pin_block() {
        let Some(pik) = &req.pik else {
            return Err((ResponseCode::MacError, "PIN block without a PIK".to_owned()));
        };
        card.check_pin(pik, block).map_err(|code| {
            let detail = format!(
                "card {}: wrong PIN ({} of {})",
                card.name, card.wrong_pins, card.pin_tries_max
            );
            (code, detail)
        })?;
    }
    Ok(card)
}

/// Sets what the host adds to an approval: time, date, settlement date, acquirer, RRN and
/// (fresh, unless `auth_code` is given) authorisation code. Returns (RRN, auth code).
pub(crate) fn stamp_approval(
    st: &mut HostState,
    response: &mut Message,
    auth_code: Option<&str>,
) -> (String, String) {
    let (hms, mmdd, _) = st.calendar();
    let rrn = st.next_rrn();
    let auth = match auth_code {
        Some(code) => code.to_owned(),
        None => st.auth_code(),
    };
    let _ = response.set_local_time(&hms);
    let _ = response.set_local_date(&mmdd);
    let _ = response.set_settlement_date(&mmdd);
    let _ = response.set_acquirer_id(&st.acquirer_id.clone());
    let _ = response.set_rrn(&rrn);
    let _ = response.set_auth_code(&auth);
    (rrn, auth)
}
