//! The wallet host's handles — [`QrHost`] (the axum app, served on TCP or any stream),
//! [`QrServer`] (a running listener) and [`QrControl`] (rules and ledger at run time).

use std::net::SocketAddr;
use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use hyper_util::rt::TokioIo;
use hyper_util::service::TowerToHyperService;
use posrig_protocols::qrpay::{
    self, ErrorCode, MicropayRequest, MicropayResponse, MicropayResult, OrderQueryRequest,
    ReverseRequest, ReverseResponse, ReverseResult,
};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

use super::handlers::{self, QrState};
use super::orders::QrLedgerEntry;
use super::rules::{Endpoint, QrContext, QrRule, QrVerdict};
use super::wallets::WalletBook;
use super::QrHostError;
use crate::acquirer::{HostObserver, NoObserver};
use crate::data::WalletFile;

/// What the wallet host starts from.
#[derive(Debug, Clone)]
pub struct QrHostConfig {
    pub wallets: WalletFile,
}

impl QrHostConfig {
    pub fn new(wallets: WalletFile) -> Self {
        Self { wallets }
    }

    /// Loads `wallets.yaml` from a data directory (`scenarios/data`).
    pub fn load(data_dir: &Path) -> Result<Self, crate::data::DataError> {
        Ok(Self::new(WalletFile::load(&data_dir.join("wallets.yaml"))?))
    }
}

struct Shared {
    state: Mutex<QrState>,
    /// Reports `decision(endpoint, out_trade_no, result, detail)` and `host_rtt`.
    observer: Arc<dyn HostObserver>,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, QrState> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// A simulated QR wallet host. Cheap to clone; every clone is the same host.
#[derive(Clone)]
pub struct QrHost {
    shared: Arc<Shared>,
}

impl std::fmt::Debug for QrHost {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("QrHost").finish_non_exhaustive()
    }
}

impl QrHost {
    pub fn new(config: QrHostConfig) -> Self {
        Self::with_observer(config, Arc::new(NoObserver))
    }

    /// A host reporting each decision (`mti` = endpoint, `stan` = `out_trade_no`) and
    /// `host_rtt` (request received → answer ready) to `observer`.
    pub fn with_observer(config: QrHostConfig, observer: Arc<dyn HostObserver>) -> Self {
        Self {
            shared: Arc::new(Shared {
                state: Mutex::new(QrState::new(WalletBook::new(config.wallets))),
                observer,
            }),
        }
    }

    /// The axum app (for embedding in another server).
    pub fn router(&self) -> Router {
        Router::new()
            .route(qrpay::MICROPAY_PATH, post(micropay))
            .route(qrpay::ORDERQUERY_PATH, post(orderquery))
            .route(qrpay::REVERSE_PATH, post(reverse))
            .with_state(Arc::clone(&self.shared))
    }

    /// Serves HTTP/1.1 on one connection (TCP, in-memory wire, proxy end) until it ends.
    pub async fn serve_connection<S>(&self, stream: S)
    where
        S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
    {
        let service = TowerToHyperService::new(self.router());
        let _ = hyper::server::conn::http1::Builder::new()
            .serve_connection(TokioIo::new(stream), service)
            .await;
    }

    /// Listens on `addr` (`127.0.0.1:0` picks a port).
    pub async fn listen(&self, addr: &str) -> Result<QrServer, QrHostError> {
        let listen_err = |source| QrHostError::Listen {
            addr: addr.to_owned(),
            source,
        };
        let listener = TcpListener::bind(addr).await.map_err(listen_err)?;
        let local_addr = listener.local_addr().map_err(listen_err)?;
        let host = self.clone();
        let task = tokio::spawn(async move {
            loop {
                match listener.accept().await {
                    Ok((stream, _)) => {
                        let _ = stream.set_nodelay(true);
                        let host = host.clone();
                        tokio::spawn(async move { host.serve_connection(stream).await });
                    }
                    Err(_) => tokio::time::sleep(Duration::from_millis(10)).await,
                }
            }
        });
        Ok(QrServer { local_addr, task })
    }

    pub fn control(&self) -> QrControl {
        QrControl {
            shared: Arc::clone(&self.shared),
        }
    }
}

/// A listening wallet host; dropping it stops accepting.
#[derive(Debug)]
pub struct QrServer {
    local_addr: SocketAddr,
    task: JoinHandle<()>,
}

impl QrServer {
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// `http://127.0.0.1:port`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.local_addr)
    }
}

impl Drop for QrServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Rules and ledger of a running wallet host.
#[derive(Clone)]
pub struct QrControl {
    shared: Arc<Shared>,
}

impl std::fmt::Debug for QrControl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("QrControl").finish_non_exhaustive()
    }
}

impl QrControl {
    pub fn add_rule(&self, rule: QrRule) {
        self.shared.lock().rules.add(rule);
    }

    pub fn clear_rules(&self) {
        self.shared.lock().rules.clear();
    }

    /// Every order in creation order, user-paying ones brought up to now.
    pub fn ledger(&self) -> Vec<QrLedgerEntry> {
        self.shared
            .lock()
            .orders
            .ledger(tokio::time::Instant::now())
    }

    /// The balance left on a named wallet that has one (minor units).
    pub fn balance_minor(&self, wallet: &str) -> Option<u64> {
        self.shared.lock().wallets.balance_minor(wallet)
    }
}

type AppState = Arc<Shared>;

/// Evaluates the rules, then waits as they say (forever for "never respond").
async fn apply_rules(shared: &Shared, ctx: QrContext<'_>) -> QrVerdict {
    let verdict = {
        let mut st = shared.lock();
        let ctx = QrContext {
            elapsed: st.elapsed(),
            ..ctx
        };
        st.rules.evaluate(&ctx)
    };
    if verdict.never_respond {
        std::future::pending::<()>().await;
    }
    if !verdict.delay.is_zero() {
        tokio::time::sleep(verdict.delay).await;
    }
    verdict
}

async fn micropay(State(shared): State<AppState>, Json(req): Json<MicropayRequest>) -> Response {
    let received = tokio::time::Instant::now();
    let ctx = QrContext {
        endpoint: Endpoint::Micropay,
        code: Some(&req.auth_code),
        terminal: Some(&req.terminal_id),
        out_trade_no: &req.out_trade_no,
        amount: Some(req.total_fee),
        elapsed: Duration::ZERO,
    };
    let verdict = apply_rules(&shared, ctx).await;
    let answer = if verdict.system_error {
        MicropayResponse {
            result: MicropayResult::Unknown,
            err_code: Some(ErrorCode::SystemError),
            transaction_id: None,
        }
    } else {
        handlers::micropay(&mut shared.lock(), &req, verdict.force)
    };
    let result = format!("{:?}", answer.result);
    let detail = answer
        .err_code
        .as_ref()
        .map(ToString::to_string)
        .unwrap_or_default();
    shared
        .observer
        .decision("micropay", &req.out_trade_no, &result, &detail);
    shared.observer.host_rtt(received.elapsed());
    Json(answer).into_response()
}

async fn orderquery(
    State(shared): State<AppState>,
    Json(req): Json<OrderQueryRequest>,
) -> Response {
    let received = tokio::time::Instant::now();
    let ctx = QrContext {
        endpoint: Endpoint::Orderquery,
        code: None,
        terminal: None,
        out_trade_no: &req.out_trade_no,
        amount: None,
        elapsed: Duration::ZERO,
    };
    let verdict = apply_rules(&shared, ctx).await;
    shared.observer.host_rtt(received.elapsed());
    if verdict.system_error {
        shared
            .observer
            .decision("orderquery", &req.out_trade_no, "503", "SYSTEMERROR");
        let body = serde_json::json!({ "err_code": "SYSTEMERROR" });
        return (StatusCode::SERVICE_UNAVAILABLE, Json(body)).into_response();
    }
    let answer = handlers::orderquery(&mut shared.lock(), &req.out_trade_no);
    let state = format!("{:?}", answer.trade_state);
    shared
        .observer
        .decision("orderquery", &req.out_trade_no, &state, "");
    Json(answer).into_response()
}

async fn reverse(State(shared): State<AppState>, Json(req): Json<ReverseRequest>) -> Response {
    let received = tokio::time::Instant::now();
    let ctx = QrContext {
        endpoint: Endpoint::Reverse,
        code: None,
        terminal: None,
        out_trade_no: &req.out_trade_no,
        amount: None,
        elapsed: Duration::ZERO,
    };
    let verdict = apply_rules(&shared, ctx).await;
    let answer = if verdict.system_error {
        ReverseResponse {
            result: ReverseResult::Fail,
            recall: true,
        }
    } else {
        handlers::reverse(&mut shared.lock(), &req.out_trade_no)
    };
    let result = format!("{:?}", answer.result);
    shared
        .observer
        .decision("reverse", &req.out_trade_no, &result, "");
    shared.observer.host_rtt(received.elapsed());
    Json(answer).into_response()
}
