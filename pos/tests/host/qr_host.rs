//! A small scripted QR wallet host: HTTP/1.1 over in-memory pipes (hyper), answering
//! `/micropay`, `/orderquery` and `/reverse` from scripts, and logging each call with the
//! virtual time it arrived at.

use std::collections::VecDeque;
use std::convert::Infallible;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use posrig_pos::host::MemoryListener;
use posrig_protocols::qrpay::{
    MicropayRequest, MicropayResponse, OrderQueryResponse, ReverseResponse, TradeState,
};
use tokio::time::Instant;

#[derive(Debug)]
pub struct QrState {
    pub micropay: MicropayResponse,
    /// Answers to `/orderquery`; the last one repeats.
    pub queries: VecDeque<TradeState>,
    /// Answers to `/reverse`; the last one repeats.
    pub reverses: VecDeque<ReverseResponse>,
    /// (path, elapsed since the host started, body).
    pub calls: Vec<(String, Duration, String)>,
    pub started: Instant,
}

#[derive(Debug, Clone)]
pub struct ScriptedWallet {
    pub state: Arc<Mutex<QrState>>,
}

impl ScriptedWallet {
    pub fn serve(mut listener: MemoryListener, micropay: MicropayResponse) -> Self {
        let wallet = ScriptedWallet {
            state: Arc::new(Mutex::new(QrState {
                micropay,
                queries: VecDeque::from([TradeState::UserPaying]),
                reverses: VecDeque::from([ReverseResponse {
                    result: posrig_protocols::qrpay::ReverseResult::Success,
                    recall: false,
                }]),
                calls: Vec::new(),
                started: Instant::now(),
            })),
        };
        let state = wallet.state.clone();
        tokio::spawn(async move {
            while let Some(stream) = listener.accept().await {
                let state = state.clone();
                tokio::spawn(async move {
                    let service = service_fn(move |req| handle(state.clone(), req));
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        });
        wallet
    }

    pub fn set_queries(&self, states: &[TradeState]) {
        self.state.lock().unwrap().queries = states.iter().copied().collect();
    }

    pub fn set_reverses(&self, answers: Vec<ReverseResponse>) {
        self.state.lock().unwrap().reverses = answers.into();
    }

    pub fn calls(&self) -> Vec<(String, Duration)> {
        let st = self.state.lock().unwrap();
        st.calls.iter().map(|(p, t, _)| (p.clone(), *t)).collect()
    }

    pub fn paths(&self) -> Vec<String> {
        self.calls().into_iter().map(|(p, _)| p).collect()
    }

    pub fn first_body(&self) -> String {
        self.state.lock().unwrap().calls[0].2.clone()
    }
}

fn next<T: Clone>(q: &mut VecDeque<T>) -> T {
    if q.len() > 1 {
        q.pop_front().unwrap()
    } else {
        q.front().cloned().unwrap()
    }
}

async fn handle(
    state: Arc<Mutex<QrState>>,
    req: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    let path = req.uri().path().to_owned();
    let body = req.into_body().collect().await.unwrap().to_bytes();
    let mut st = state.lock().unwrap();
    let at = st.started.elapsed();
    st.calls.push((
        path.clone(),
        at,
        String::from_utf8_lossy(&body).into_owned(),
    ));
    let json = match path.as_str() {
        "/micropay" => {
            let _: MicropayRequest = serde_json::from_slice(&body).unwrap();
            serde_json::to_vec(&st.micropay).unwrap()
        }
        "/orderquery" => serde_json::to_vec(&OrderQueryResponse {
            trade_state: next(&mut st.queries),
        })
        .unwrap(),
        "/reverse" => serde_json::to_vec(&next(&mut st.reverses)).unwrap(),
        _ => {
            return Ok(Response::builder()
                .status(404)
                .body(Full::new(Bytes::new()))
                .unwrap())
        }
    };
    Ok(Response::new(Full::new(Bytes::from(json))))
}
