//! Live Prometheus metrics of a run and the `/metrics` HTTP endpoint that serves them.
//!
//! Metric names (all prefixed `posrig_`), which `reports/grafana/posrig.json` charts:
//!
//! | name | type | labels |
//! | --- | --- | --- |
//! | `posrig_operations_total` | counter | `op`, `group` |
//! | `posrig_operation_errors_total` | counter | `op`, `cause` |
//! | `posrig_operation_duration_seconds` | histogram, 100 µs .. 60 s | `op`, `group` |
//! | `posrig_baskets_total` | counter | |
//! | `posrig_lanes_active` | gauge | |
//! | `posrig_device_state` | gauge, 1 for the current state | `lane`, `device`, `state` |
//! | `posrig_link_state` | gauge, 1 for the current state | `lane`, `link`, `state` |

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::http::header::CONTENT_TYPE;
use axum::response::IntoResponse;
use axum::routing::get;
use prometheus::{
    Encoder, HistogramOpts, HistogramVec, IntCounter, IntCounterVec, IntGauge, IntGaugeVec, Opts,
    Registry, TextEncoder,
};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::error::ReportError;

/// Latency buckets in seconds: 100 µs to 60 s, roughly 1-2.5-5 per decade, so
/// `histogram_quantile` stays within a factor of ~2 from a scan (ms) to a settlement (s).
pub const LATENCY_BUCKETS_S: [f64; 18] = [
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
    5.0, 10.0, 30.0, 60.0,
];

/// The run's metrics. Cheap to clone (every clone shares the same registry).
#[derive(Clone)]
pub struct Metrics {
    registry: Registry,
    completed: IntCounterVec,
    errors: IntCounterVec,
    latency: HistogramVec,
    baskets: IntCounter,
    lanes_active: IntGauge,
    device_state: IntGaugeVec,
    link_state: IntGaugeVec,
    /// Current state per (gauge, lane, device-or-link), so a state change can remove the old
    /// state's series instead of leaving a stale `1` behind.
    states: Arc<Mutex<StateMap>>,
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Metrics").finish_non_exhaustive()
    }
}

/// Current state by (is a link, lane, device or link name).
type StateMap = BTreeMap<(bool, String, String), String>;

/// Cached handles of one operation and lane group, so recording skips the label lookup.
#[derive(Clone)]
pub struct SeriesMetrics {
    completed: IntCounter,
    latency: prometheus::Histogram,
}

impl SeriesMetrics {
    /// Counts one completed operation with its latency.
    pub fn observe(&self, latency: Duration) {
        self.completed.inc();
        self.latency.observe(latency.as_secs_f64());
    }
}

fn prom(what: &'static str) -> impl FnOnce(prometheus::Error) -> ReportError {
    move |source| ReportError::Prometheus { what, source }
}

impl Metrics {
    /// A fresh registry with every posrig metric registered.
    pub fn new() -> Result<Self, ReportError> {
        let registry = Registry::new();
        let completed = IntCounterVec::new(
            Opts::new(
                "posrig_operations_total",
                "Operations completed, by operation and lane group.",
            ),
            &["op", "group"],
        )
        .map_err(prom("create posrig_operations_total"))?;
        let errors = IntCounterVec::new(
            Opts::new(
                "posrig_operation_errors_total",
                "Operations failed, by operation and cause.",
            ),
            &["op", "cause"],
        )
        .map_err(prom("create posrig_operation_errors_total"))?;
        let latency = HistogramVec::new(
            HistogramOpts::new(
                "posrig_operation_duration_seconds",
                "Operation latency measured from the scheduled start, seconds.",
            )
            .buckets(LATENCY_BUCKETS_S.to_vec()),
            &["op", "group"],
        )
        .map_err(prom("create posrig_operation_duration_seconds"))?;
        let baskets = IntCounter::new("posrig_baskets_total", "Baskets checked out.")
            .map_err(prom("create posrig_baskets_total"))?;
        let lanes_active = IntGauge::new("posrig_lanes_active", "Lanes currently running.")
            .map_err(prom("create posrig_lanes_active"))?;
        let device_state = IntGaugeVec::new(
            Opts::new("posrig_device_state", "1 for each device's current state."),
            &["lane", "device", "state"],
        )
        .map_err(prom("create posrig_device_state"))?;
        let link_state = IntGaugeVec::new(
            Opts::new("posrig_link_state", "1 for each link's current state."),
            &["lane", "link", "state"],
        )
        .map_err(prom("create posrig_link_state"))?;
        registry
            .register(Box::new(completed.clone()))
            .map_err(prom("register posrig_operations_total"))?;
        registry
            .register(Box::new(errors.clone()))
            .map_err(prom("register posrig_operation_errors_total"))?;
        registry
            .register(Box::new(latency.clone()))
            .map_err(prom("register posrig_operation_duration_seconds"))?;
        registry
            .register(Box::new(baskets.clone()))
            .map_err(prom("register posrig_baskets_total"))?;
        registry
            .register(Box::new(lanes_active.clone()))
            .map_err(prom("register posrig_lanes_active"))?;
        registry
            .register(Box::new(device_state.clone()))
            .map_err(prom("register posrig_device_state"))?;
        registry
            .register(Box::new(link_state.clone()))
            .map_err(prom("register posrig_link_state"))?;
        Ok(Metrics {
            registry,
            completed,
            errors,
            latency,
            baskets,
            lanes_active,
            device_state,
            link_state,
            states: Arc::default(),
        })
    }

    /// The underlying registry, to add harness-specific metrics next to ours.
    pub fn registry(&self) -> &Registry {
        &self.registry
    }

    /// Handles for one operation and lane group; keep them to record without label lookups.
    pub fn series(&self, op: &str, group: &str) -> SeriesMetrics {
        SeriesMetrics {
            completed: self.completed.with_label_values(&[op, group]),
            latency: self.latency.with_label_values(&[op, group]),
        }
    }

    /// Counts one completed operation (uncached label lookup).
    pub fn observe(&self, op: &str, group: &str, latency: Duration) {
        self.series(op, group).observe(latency);
    }

    /// Counts one failed operation.
    pub fn error(&self, op: &str, cause: &str) {
        self.errors.with_label_values(&[op, cause]).inc();
    }

    /// Counts one completed basket.
    pub fn basket_completed(&self) {
        self.baskets.inc();
    }

    /// Sets the number of lanes currently running.
    pub fn set_lanes_active(&self, lanes: i64) {
        self.lanes_active.set(lanes);
    }

    /// Records that `device` on `lane` is now in `state` (e.g. `paper_out`).
    pub fn set_device_state(&self, lane: &str, device: &str, state: &str) {
        self.set_state(false, lane, device, state);
    }

    /// Records that `link` on `lane` is now in `state` (e.g. `up`, `partitioned`).
    pub fn set_link_state(&self, lane: &str, link: &str, state: &str) {
        self.set_state(true, lane, link, state);
    }

    fn set_state(&self, link: bool, lane: &str, what: &str, state: &str) {
        let gauge = if link {
            &self.link_state
        } else {
            &self.device_state
        };
        let mut states = self.states.lock().unwrap_or_else(|p| p.into_inner());
        let key = (link, lane.to_owned(), what.to_owned());
        if let Some(old) = states.get(&key) {
            if old == state {
                return;
            }
            // The old series may already be gone if a caller removed it; nothing to undo then.
            let _ = gauge.remove_label_values(&[lane, what, old]);
        }
        gauge.with_label_values(&[lane, what, state]).set(1);
        states.insert(key, state.to_owned());
    }

    /// The metrics in Prometheus text exposition format.
    pub fn encode(&self) -> Result<String, ReportError> {
        let mut buf = Vec::new();
        TextEncoder::new()
            .encode(&self.registry.gather(), &mut buf)
            .map_err(prom("encode metrics"))?;
        Ok(String::from_utf8(buf).expect("the text encoder writes UTF-8"))
    }
}

/// A running `/metrics` endpoint. Stop it with [`MetricsServer::stop`]; dropping it also stops
/// the server (the shutdown channel closes).
#[derive(Debug)]
pub struct MetricsServer {
    addr: SocketAddr,
    shutdown: Option<oneshot::Sender<()>>,
    task: JoinHandle<std::io::Result<()>>,
}

impl MetricsServer {
    /// Binds `addr` (use port 0 to let the OS pick) and serves `GET /metrics` on the current
    /// tokio runtime. Bind to `127.0.0.1` unless the user asked otherwise.
    pub async fn start(metrics: Metrics, addr: SocketAddr) -> Result<Self, ReportError> {
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .map_err(|source| ReportError::Io {
                action: "bind metrics endpoint",
                path: addr.to_string().into(),
                source,
            })?;
        let addr = listener.local_addr().map_err(|source| ReportError::Io {
            action: "read address of metrics endpoint",
            path: addr.to_string().into(),
            source,
        })?;
        let app = axum::Router::new().route(
            "/metrics",
            get(move || {
                let metrics = metrics.clone();
                async move { metrics_response(&metrics) }
            }),
        );
        let (tx, rx) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            axum::serve(listener, app)
                .with_graceful_shutdown(async move {
                    // Either an explicit stop or the handle being dropped ends the server.
                    let _ = rx.await;
                })
                .await
        });
        Ok(MetricsServer {
            addr,
            shutdown: Some(tx),
            task,
        })
    }

    /// The address actually bound (with the picked port when asked for port 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// Stops accepting connections and waits for the server task to end.
    pub async fn stop(mut self) -> Result<(), ReportError> {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        let served = (&mut self.task).await.map_err(|e| ReportError::Io {
            action: "join metrics endpoint",
            path: self.addr.to_string().into(),
            source: std::io::Error::other(e.to_string()),
        })?;
        served.map_err(|source| ReportError::Io {
            action: "serve metrics endpoint",
            path: self.addr.to_string().into(),
            source,
        })
    }
}

fn metrics_response(metrics: &Metrics) -> axum::response::Response {
    match metrics.encode() {
        Ok(text) => (
            [(CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")],
            text,
        )
            .into_response(),
        Err(e) => (
            axum::http::StatusCode::INTERNAL_SERVER_ERROR,
            format!("failed to {e}\n"),
        )
            .into_response(),
    }
}
