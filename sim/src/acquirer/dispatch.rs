//! Dispatch — one frame payload in, one reply out: decode, identify the terminal, check the MAC,
//! apply the rules, let the handler decide, then MAC and distort the answer as the rules say.

use std::sync::PoisonError;
use std::time::Duration;

use posrig_protocols::crypto::MacKey;
use posrig_protocols::iso8583::{
    Frame, Header, HostRequest, Message, ResponseCode, TransactionKind,
};

use super::handlers::{self, request_pan, Decision, Request};
use super::malformed::format_error_reply;
use super::rules::RuleContext;
use super::server::Shared;
use super::state::Seen;

/// What the session does with one request.
#[derive(Debug, Default)]
pub(crate) struct Reply {
    /// The encoded response frame; `None` = say nothing.
    pub bytes: Option<Vec<u8>>,
    /// Wait this long before answering.
    pub delay: Duration,
    /// Close the connection (after the answer, if any).
    pub close: bool,
}

/// Decides on one frame payload (what follows the length prefix).
pub(crate) fn process(shared: &Shared, payload: &[u8]) -> Reply {
    let obs = &*shared.observer;
    let frame = match Frame::decode_payload(payload) {
        Ok(frame) => frame,
        Err(err) => {
            return match format_error_reply(payload, &err) {
                Some((mti, bytes)) => {
                    obs.decision(&mti.to_string(), "", "30", &err.to_string());
                    Reply {
                        bytes: Some(bytes),
                        ..Reply::default()
                    }
                }
                None => {
                    obs.note(&format!("closing connection: {err}"));
                    Reply {
                        close: true,
                        ..Reply::default()
                    }
                }
            };
        }
    };
    let msg = &frame.message;
    let mti = msg.mti().to_string();
    let stan_text = msg.get_str(11).unwrap_or_default().to_owned();
    if msg.mti().is_response() {
        obs.note(&format!("ignoring a {mti} sent to the host"));
        return Reply::default();
    }
    let answer = |code: ResponseCode, detail: &str| {
        obs.decision(&mti, &stan_text, &code.code(), detail);
        let d = Decision::code(msg, code, detail);
        encode(&frame, frame.header, d.response)
    };
    let (Some(tid), Some(mid), Some(stan), Some(Ok(f60))) = (
        msg.terminal_id(),
        msg.merchant_id(),
        msg.stan(),
        msg.field60(),
    ) else {
        return answer(
            ResponseCode::FormatError,
            "fields 11, 41, 42 and 60 are required",
        );
    };
    let Some(kind) = TransactionKind::classify(msg) else {
        obs.request(&mti, &stan_text, tid, "unknown transaction");
        return answer(
            ResponseCode::InvalidTransaction,
            "not a transaction of the CUP layout",
        );
    };
    obs.request(&mti, &stan_text, tid, &summary(kind, msg));

    let mut guard = shared.state.lock().unwrap_or_else(PoisonError::into_inner);
    let st = &mut *guard;
    let Some(term) = st.terminals.get_mut(tid, mid) else {
        drop(guard);
        return answer(
            ResponseCode::TerminalNotRegistered,
            "terminal not registered",
        );
    };
    let mak = term.mak().cloned();
    let pik = term.working.as_ref().map(|k| k.pik.clone());
    let needs_mac = !matches!(
        kind,
        TransactionKind::SignOn | TransactionKind::SignOff | TransactionKind::EchoTest
    );
    let mac_problem = match (&mak, msg.has(64)) {
        (None, _) if needs_mac => Some("not signed on"),
        (Some(k), true) if !msg.verify_mac(k) => Some("bad MAC"),
        (Some(_), false) if needs_mac => Some("MAC missing"),
        _ => None,
    };
    let body = &payload[frame.tpdu.to_bytes().len() + Header::LEN..];
    let request = Request {
        msg,
        body,
        kind,
        terminal_id: tid,
        merchant_id: mid,
        stan,
        batch: f60.batch,
        pik,
    };
    let card = request_pan(msg)
        .and_then(|p| st.cards.get(p))
        .map(|c| c.name.clone());
    let elapsed = st.elapsed();
    let ctx = RuleContext {
        card: card.as_deref(),
        amount_minor: msg.amount_minor(),
        terminal_id: tid,
        kind: Some(kind),
        elapsed,
    };
    let verdict = if mac_problem.is_some() {
        Default::default()
    } else {
        st.rules.evaluate(&ctx, &mut st.rng)
    };
    let decision = match (mac_problem, verdict.code) {
        (Some(problem), _) => Decision::code(msg, ResponseCode::MacError, problem),
        (None, Some(code)) => Decision::code(
            msg,
            code,
            format!("forced by {}", verdict.applied.join(", ")),
        ),
        (None, None) => handlers::handle(st, &request),
    };
    let Decision {
        response: mut resp,
        code,
        mut detail,
        history,
        replay,
    } = decision;
    let mac_key = mak.filter(|_| msg.has(64));
    if let Some(k) = &mac_key {
        resp.set_mac(k);
    }
    if let Some(key) = history {
        st.history.insert(
            key,
            Seen {
                request: body.to_vec(),
                response: resp.clone(),
                code,
            },
        );
    }
    drop(guard);

    if verdict.wrong_stan {
        let _ = resp.set_stan(stan % 999_999 + 1);
        if let Some(k) = &mac_key {
            resp.set_mac(k);
        }
    }
    if verdict.bad_mac {
        spoil_mac(&mut resp, mac_key.as_ref());
    }
    let mut header = frame.header;
    if verdict.sign_on_again || code.requires_sign_on() {
        header = header.with_host_request(HostRequest::SignOnAgain);
    }
    if !verdict.applied.is_empty() {
        detail = format!("{detail} [rules: {}]", verdict.applied.join(", "));
    }
    if replay {
        detail = format!("{detail} (replayed)");
    }
    obs.decision(&mti, &stan_text, &code.code(), &detail);
    let mut reply = encode(&frame, header, resp);
    reply.delay = verdict.delay;
    if verdict.never_respond || verdict.close {
        reply.bytes = None;
    }
    reply.close = verdict.close;
    reply
}

fn encode(request: &Frame, header: Header, response: Message) -> Reply {
    Reply {
        bytes: Some(Frame::new(request.tpdu.reply(), header, response).encode()),
        ..Reply::default()
    }
}

/// Field 64 that will not verify: the right MAC with its first character changed.
fn spoil_mac(resp: &mut Message, key: Option<&MacKey>) {
    let mut mac = match key {
        Some(k) => resp.compute_mac(k),
        None => *b"00000000",
    };
    mac[0] = if mac[0] == b'F' { b'0' } else { b'F' };
    let _ = resp.set(64, mac);
}

/// A one-line summary of a request for events, with no PAN.
fn summary(kind: TransactionKind, msg: &Message) -> String {
    match msg.amount_minor() {
        Some(a) => format!("{kind:?} {a}"),
        None => format!("{kind:?}"),
    }
}
