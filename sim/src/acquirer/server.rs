//! The acquirer's handles — [`Acquirer`] (serve TCP or any stream), [`AcquirerServer`] (a running
//! listener) and [`AcquirerControl`] (rules and ledger at run time).

use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use posrig_protocols::iso8583::{DetailRecord, SettlementTotals};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

use super::cards::CardAccount;
use super::config::AcquirerConfig;
use super::ledger::{Ledger, UploadedDetail};
use super::observer::{HostObserver, NoObserver};
use super::rules::{Rule, RuleError, RuleId};
use super::session;
use super::state::HostState;
use super::AcquirerError;

/// What every connection of one acquirer shares.
pub(crate) struct Shared {
    pub state: Mutex<HostState>,
    pub observer: Arc<dyn HostObserver>,
    pub idle_timeout: Duration,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, HostState> {
        // A poisoned lock means a handler panicked, which is a bug; the state is still usable.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// A simulated acquirer. Cheap to clone; every clone is the same host.
///
/// ```no_run
/// # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
/// use posrig_sim::acquirer::{Acquirer, AcquirerConfig, KindName, Rule, RuleAction, RuleMatch};
///
/// let config = AcquirerConfig::load("scenarios/data".as_ref())?;
/// let acquirer = Acquirer::new(config);
/// let server = acquirer.listen("127.0.0.1:0").await?;
/// println!("acquirer on {}", server.local_addr());
/// acquirer.control().add_rule(
///     Rule::new(RuleMatch::kind(KindName::Purchase), RuleAction::NeverRespond).times(1),
/// )?;
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Acquirer {
    shared: Arc<Shared>,
}

impl std::fmt::Debug for Acquirer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Acquirer").finish_non_exhaustive()
    }
}

impl Acquirer {
    /// An acquirer that reports to nobody.
    pub fn new(config: AcquirerConfig) -> Self {
        Self::with_observer(config, Arc::new(NoObserver))
    }

    /// An acquirer reporting requests, decisions and `host_rtt` to `observer`.
    pub fn with_observer(config: AcquirerConfig, observer: Arc<dyn HostObserver>) -> Self {
        let idle_timeout = config.idle_timeout;
        Self {
            shared: Arc::new(Shared {
                state: Mutex::new(HostState::new(config)),
                observer,
                idle_timeout,
            }),
        }
    }

    /// Serves one connection (TCP, in-memory wire, proxy end) until it ends.
    pub async fn serve_connection<S>(&self, stream: S)
    where
        S: AsyncRead + AsyncWrite + Unpin,
    {
        session::run(Arc::clone(&self.shared), stream).await;
    }

    /// Serves one connection on its own task.
    pub fn spawn_connection<S>(&self, stream: S) -> JoinHandle<()>
    where
        S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
    {
        tokio::spawn(session::run(Arc::clone(&self.shared), stream))
    }

    /// Listens on `addr` (`127.0.0.1:0` picks a port) and serves every connection on its own task.
    pub async fn listen(&self, addr: &str) -> Result<AcquirerServer, AcquirerError> {
        let listen_err = |source| AcquirerError::Listen {
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
                        host.spawn_connection(stream);
                    }
                    // Out of descriptors or a connection reset before accept: try again soon.
                    Err(_) => tokio::time::sleep(Duration::from_millis(10)).await,
                }
            }
        });
        Ok(AcquirerServer { local_addr, task })
    }

    /// The run-time handle: rules, ledger, cards.
    pub fn control(&self) -> AcquirerControl {
        AcquirerControl {
            shared: Arc::clone(&self.shared),
        }
    }
}

/// A listening acquirer. Dropping it stops accepting; open connections finish on their own.
#[derive(Debug)]
pub struct AcquirerServer {
    local_addr: SocketAddr,
    task: JoinHandle<()>,
}

impl AcquirerServer {
    /// Where terminals connect.
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }
}

impl Drop for AcquirerServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Changes an acquirer's behaviour and reads its books while it runs.
#[derive(Clone)]
pub struct AcquirerControl {
    shared: Arc<Shared>,
}

impl std::fmt::Debug for AcquirerControl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AcquirerControl").finish_non_exhaustive()
    }
}

impl AcquirerControl {
    /// Adds a rule after the existing ones.
    pub fn add_rule(&self, rule: Rule) -> Result<RuleId, RuleError> {
        self.shared.lock().rules.add(rule)
    }

    /// Removes one rule; `false` if it had already retired.
    pub fn remove_rule(&self, id: RuleId) -> bool {
        self.shared.lock().rules.remove(id)
    }

    /// Removes every rule.
    pub fn clear_rules(&self) {
        self.shared.lock().rules.clear();
    }

    /// A snapshot of the ledger.
    pub fn ledger(&self) -> Ledger {
        self.shared.lock().ledger.clone()
    }

    /// The host's settlement totals for a terminal's batch.
    pub fn totals(&self, terminal_id: &str, batch: u32) -> SettlementTotals {
        self.shared.lock().ledger.totals(terminal_id, batch)
    }

    /// A card's account as the issuer sees it now.
    pub fn card(&self, name: &str) -> Option<CardAccount> {
        self.shared.lock().cards.by_name(name).cloned()
    }

    /// Every card's account, in PAN order.
    pub fn cards(&self) -> Vec<CardAccount> {
        self.shared.lock().cards.all().cloned().collect()
    }

    /// The open batch of a terminal the host has seen.
    pub fn batch(&self, terminal_id: &str) -> Option<u32> {
        self.shared
            .lock()
            .terminals
            .peek(terminal_id)
            .map(|t| t.batch)
    }

    /// Whether a terminal holds working keys (signed on).
    pub fn is_signed_on(&self, terminal_id: &str) -> bool {
        self.shared
            .lock()
            .terminals
            .peek(terminal_id)
            .is_some_and(|t| t.working.is_some())
    }

    /// Detail records uploaded for a terminal's batch.
    pub fn uploaded(&self, terminal_id: &str, batch: u32) -> Vec<DetailRecord> {
        self.uploaded_details(terminal_id, batch)
            .into_iter()
            .map(|d| d.record)
            .collect()
    }

    /// Detail records uploaded for a terminal's batch, each with how it matched the ledger
    /// (by terminal, batch and STAN, then kind and amount) when it arrived.
    pub fn uploaded_details(&self, terminal_id: &str, batch: u32) -> Vec<UploadedDetail> {
        self.shared
            .lock()
            .uploads
            .get(&(terminal_id.to_owned(), batch))
            .cloned()
            .unwrap_or_default()
    }
}
