//! The local control API of served devices: HTTP JSON on 127.0.0.1 to list devices and their
//! state, perform actions, and inject or clear faults from outside the process.
//!
//! Routes:
//! - `GET  /devices` — every device: id, role and state
//! - `GET  /devices/{id}` — one device
//! - `POST /devices/{id}/actions` — body: the action, e.g. `{"action":"scan","code":"5901234123457"}`
//! - `POST /devices/{id}/faults/inject` and `/faults/clear` — body: the fault, e.g. `{"fault":"paper_out"}`

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use posrig_devices::DeviceHandle;
use serde_json::{json, Value};

/// Devices by id (`printer`, or `lane2/printer` when a rig has several lanes), in id order.
pub type Registry = Arc<BTreeMap<String, DeviceHandle>>;

/// The router for a registry; mount it or serve it with [`serve`].
pub fn router(registry: Registry) -> Router {
    Router::new()
        .route("/devices", get(list))
        .route("/devices/:id", get(one))
        .route("/devices/:id/actions", post(act))
        .route("/devices/:id/faults/inject", post(inject))
        .route("/devices/:id/faults/clear", post(clear))
        .with_state(registry)
}

/// Bind `addr` (port 0 picks one) and serve until `shutdown` resolves. Returns the bound address
/// through `bound` as soon as the socket listens.
pub async fn serve(
    registry: Registry,
    addr: SocketAddr,
    bound: tokio::sync::oneshot::Sender<SocketAddr>,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind(addr).await?;
    let _ = bound.send(listener.local_addr()?);
    axum::serve(listener, router(registry))
        .with_graceful_shutdown(shutdown)
        .await
}

fn device_json(id: &str, handle: &DeviceHandle) -> Value {
    json!({ "id": id, "role": handle.role(), "state": handle.state() })
}

async fn list(State(registry): State<Registry>) -> Json<Value> {
    let devices: Vec<Value> = registry
        .iter()
        .map(|(id, handle)| device_json(id, handle))
        .collect();
    Json(json!({ "devices": devices }))
}

async fn one(State(registry): State<Registry>, Path(id): Path<String>) -> Response {
    match registry.get(&id) {
        Some(handle) => Json(device_json(&id, handle)).into_response(),
        None => not_found(&registry, &id),
    }
}

async fn act(
    State(registry): State<Registry>,
    Path(id): Path<String>,
    Json(action): Json<Value>,
) -> Response {
    let Some(handle) = registry.get(&id) else {
        return not_found(&registry, &id);
    };
    answer(&id, handle, handle.act_json(action).await)
}

async fn inject(
    State(registry): State<Registry>,
    Path(id): Path<String>,
    Json(fault): Json<Value>,
) -> Response {
    let Some(handle) = registry.get(&id) else {
        return not_found(&registry, &id);
    };
    answer(&id, handle, handle.fault_json(fault, true).await)
}

async fn clear(
    State(registry): State<Registry>,
    Path(id): Path<String>,
    Json(fault): Json<Value>,
) -> Response {
    let Some(handle) = registry.get(&id) else {
        return not_found(&registry, &id);
    };
    answer(&id, handle, handle.fault_json(fault, false).await)
}

fn answer(
    id: &str,
    handle: &DeviceHandle,
    result: Result<Result<(), posrig_devices::DeviceError>, posrig_devices::Gone>,
) -> Response {
    match result {
        Ok(Ok(())) => Json(device_json(id, handle)).into_response(),
        Ok(Err(e)) => (
            StatusCode::BAD_REQUEST,
            Json(json!({ "error": e.to_string() })),
        )
            .into_response(),
        Err(gone) => (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({ "error": gone.to_string() })),
        )
            .into_response(),
    }
}

fn not_found(registry: &Registry, id: &str) -> Response {
    let known: Vec<&String> = registry.keys().collect();
    (
        StatusCode::NOT_FOUND,
        Json(json!({ "error": format!("no device `{id}`"), "devices": known })),
    )
        .into_response()
}
