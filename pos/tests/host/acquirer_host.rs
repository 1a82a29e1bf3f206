//! A small scripted ISO 8583 acquirer for the tests: decodes requests with `protocols::iso8583`,
//! answers with `transaction::respond` plus what a host adds (keys, RRN, auth code, totals) and
//! the MAC, and misbehaves on request (silence, a code, a bad MAC, a wrong STAN first, a sign-on
//! request in the header). Every request is logged with whether its MAC verified.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use posrig_pos::host::{ByteStream, MemoryListener};
use posrig_protocols::crypto::{DesKey, MacKey, TdesKey};
use posrig_protocols::iso8583::{
    respond, Field60, Frame, FrameDecoder, HostRequest, Message, ReconciliationFlag, ResponseCode,
    TransactionKind, WorkingKeys,
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

pub const TMK: &str = "CA5D92598DCA48CE8A4C76361A9269E9";
pub const PIK: &str = "807A23AD32B36D457AE91FDF927570EA";
pub const MAK: &str = "5BB5C72CD00B7338";

pub fn master_key() -> TdesKey {
    TdesKey::from_hex(TMK).unwrap()
}

pub fn mak() -> MacKey {
    MacKey::Single(DesKey::from_hex(MAK).unwrap())
}

/// A misbehaviour for the next request of one kind.
#[derive(Debug, Clone)]
pub enum Act {
    /// Say nothing.
    Silent,
    /// Answer with this code.
    Code(ResponseCode),
    /// Approve with a MAC that does not verify.
    BadMac,
    /// Send an approval with the wrong STAN first, then the right one.
    WrongStanFirst,
    /// Approve, with the header asking the terminal to sign on again.
    AskSignOn,
}

/// One request as the host saw it.
#[derive(Debug, Clone)]
pub struct Seen {
    pub msg: Message,
    pub kind: Option<TransactionKind>,
    /// `None` without field 64, else whether it verified under the MAK.
    pub mac_ok: Option<bool>,
}

#[derive(Debug)]
pub struct HostState {
    pub seen: Vec<Seen>,
    pub plan: VecDeque<(TransactionKind, Act)>,
    pub batch: u32,
    pub settlement: ReconciliationFlag,
    pub rrn: u64,
}

/// The host: shared state plus the task serving every connection.
#[derive(Debug, Clone)]
pub struct ScriptedAcquirer {
    pub state: Arc<Mutex<HostState>>,
}

impl ScriptedAcquirer {
    /// Serves every connection `listener` accepts.
    pub fn serve(mut listener: MemoryListener) -> Self {
        let host = Self::new();
        let state = host.state.clone();
        tokio::spawn(async move {
            while let Some(stream) = listener.accept().await {
                tokio::spawn(serve_connection(Box::new(stream), state.clone()));
            }
        });
        host
    }

    pub fn new() -> Self {
        ScriptedAcquirer {
            state: Arc::new(Mutex::new(HostState {
                seen: Vec::new(),
                plan: VecDeque::new(),
                batch: 7,
                settlement: ReconciliationFlag::Balanced,
                rrn: 0,
            })),
        }
    }

    /// Serves one stream (for TCP).
    pub fn serve_stream(&self, stream: Box<dyn ByteStream>) {
        tokio::spawn(serve_connection(stream, self.state.clone()));
    }

    pub fn plan(&self, kind: TransactionKind, act: Act) {
        self.state.lock().unwrap().plan.push_back((kind, act));
    }

    pub fn set_settlement(&self, flag: ReconciliationFlag) {
        self.state.lock().unwrap().settlement = flag;
    }

    pub fn seen(&self) -> Vec<Seen> {
        self.state.lock().unwrap().seen.clone()
    }

    pub fn kinds(&self) -> Vec<TransactionKind> {
        self.seen().iter().filter_map(|s| s.kind).collect()
    }

    pub fn clear(&self) {
        self.state.lock().unwrap().seen.clear();
    }
}

async fn serve_connection(mut stream: Box<dyn ByteStream>, state: Arc<Mutex<HostState>>) {
    let mut decoder = FrameDecoder::new();
    let mut buf = [0u8; 4096];
    loop {
        let n = match stream.read(&mut buf).await {
            Ok(0) | Err(_) => return,
            Ok(n) => n,
        };
        decoder.push(&buf[..n]);
        while let Ok(Some(frame)) = decoder.next_frame() {
            let replies = decide(&frame, &state);
            for reply in replies {
                if stream.write_all(&reply).await.is_err() {
                    return;
                }
            }
        }
    }
}

fn decide(frame: &Frame, state: &Arc<Mutex<HostState>>) -> Vec<Vec<u8>> {
    let msg = &frame.message;
    let kind = TransactionKind::classify(msg);
    let mak = mak();
    let mut st = state.lock().unwrap();
    st.seen.push(Seen {
        msg: msg.clone(),
        kind,
        mac_ok: msg.has(64).then(|| msg.verify_mac(&mak)),
    });
    let act = kind.and_then(|k| {
        let i = st.plan.iter().position(|(pk, _)| *pk == k)?;
        st.plan.remove(i).map(|(_, a)| a)
    });
    let code = match &act {
        Some(Act::Code(c)) => *c,
        _ => ResponseCode::Approved,
    };
    if matches!(act, Some(Act::Silent)) {
        return Vec::new();
    }
    let mut resp = respond(msg, code).unwrap();
    if code.is_approved() {
        match kind {
            Some(TransactionKind::SignOn) => {
                let keys = WorkingKeys {
                    pik: TdesKey::from_hex(PIK).unwrap(),
                    mak: mak.clone(),
                };
                resp.set_field60(&Field60::new(0, st.batch, 3)).unwrap();
                resp.set_reserved62(&keys.to_field62(&master_key()))
                    .unwrap();
            }
            Some(
                TransactionKind::Purchase
                | TransactionKind::Void
                | TransactionKind::Refund
                | TransactionKind::BalanceInquiry,
            ) => {
                st.rrn += 1;
                resp.set_rrn(&format!("{:012}", st.rrn)).unwrap();
                resp.set_auth_code(&format!("A{:05}", st.rrn)).unwrap();
                if kind == Some(TransactionKind::BalanceInquiry) {
                    resp.set_amount_minor(88_800).unwrap();
                }
            }
            Some(TransactionKind::Settlement) => {
                let totals = msg.settlement_totals().unwrap().unwrap();
                resp.set_settlement_totals(&totals.with_flag(st.settlement))
                    .unwrap();
            }
            _ => {}
        }
    }
    drop(st);
    if msg.has(64) {
        resp.set_mac(&mak);
    }
    let mut header = frame.header;
    if code.requires_sign_on() || matches!(act, Some(Act::AskSignOn)) {
        header = header.with_host_request(HostRequest::SignOnAgain);
    }
    let mut out = Vec::new();
    match act {
        Some(Act::BadMac) => {
            let mut mac = resp.compute_mac(&mak);
            mac[0] = if mac[0] == b'F' { b'0' } else { b'F' };
            resp.set(64, mac).unwrap();
        }
        Some(Act::WrongStanFirst) => {
            let mut wrong = resp.clone();
            wrong.set_stan(msg.stan().unwrap() % 999_999 + 1).unwrap();
            wrong.set_mac(&mak);
            out.push(frame.reply(wrong).encode());
        }
        _ => {}
    }
    let mut reply = frame.reply(resp);
    reply.header = header;
    out.push(reply.encode());
    out
}
