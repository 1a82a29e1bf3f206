//! The `/metrics` endpoint over real TCP on 127.0.0.1.

use std::time::Duration;

use posrig_reports::prometheus::{Metrics, MetricsServer};
use posrig_reports::{ops, Recorder, RunInfo};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

async fn get(addr: std::net::SocketAddr, path: &str) -> String {
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    stream
        .write_all(
            format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n").as_bytes(),
        )
        .await
        .unwrap();
    let mut buf = String::new();
    stream.read_to_string(&mut buf).await.unwrap();
    buf
}

#[tokio::test]
async fn metrics_endpoint_serves_recorded_metrics_over_tcp() {
    let metrics = Metrics::new().unwrap();
    let mut rec =
        Recorder::new(RunInfo::new("prom"), Duration::from_secs(1)).with_metrics(metrics.clone());
    rec.record(ops::CARD_AUTH, "standard", Duration::from_millis(420));
    rec.record(ops::CARD_AUTH, "standard", Duration::from_millis(80));
    rec.record_error(ops::CARD_AUTH, "standard", "declined");
    metrics.basket_completed();
    metrics.set_lanes_active(12);
    metrics.set_device_state("3", "printer", "ready");
    metrics.set_device_state("3", "printer", "paper_out");
    metrics.set_link_state("3", "acquirer", "partitioned");

    let server = MetricsServer::start(metrics.clone(), "127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    let addr = server.local_addr();
    assert!(addr.ip().is_loopback());
    assert_ne!(addr.port(), 0);
    let resp = get(addr, "/metrics").await;
    assert!(resp.starts_with("HTTP/1.1 200"), "{resp}");
    assert!(resp.contains("text/plain; version=0.0.4"));
    for want in [
        "posrig_operations_total{group=\"standard\",op=\"card_auth\"} 2",
        "posrig_operation_errors_total{cause=\"declined\",op=\"card_auth\"} 1",
        "posrig_operation_duration_seconds_bucket{group=\"standard\",op=\"card_auth\",le=\"0.1\"} 1",
        "posrig_operation_duration_seconds_bucket{group=\"standard\",op=\"card_auth\",le=\"0.5\"} 2",
        "posrig_operation_duration_seconds_count{group=\"standard\",op=\"card_auth\"} 2",
        "posrig_baskets_total 1",
        "posrig_lanes_active 12",
        "posrig_device_state{device=\"printer\",lane=\"3\",state=\"paper_out\"} 1",
        "posrig_link_state{lane=\"3\",link=\"acquirer\",state=\"partitioned\"} 1",
    ] {
        assert!(resp.contains(want), "missing `{want}` in\n{resp}");
    }
    // A state change replaces the old state's series rather than leaving a stale one.
    assert!(!resp.contains("state=\"ready\""));

    let resp = get(addr, "/nothing").await;
    assert!(resp.starts_with("HTTP/1.1 404"), "{resp}");

    server.stop().await.unwrap();
    assert!(
        tokio::net::TcpStream::connect(addr).await.is_err(),
        "stopped server still accepts"
    );
}

#[test]
fn grafana_dashboard_queries_only_exported_metrics() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/grafana/posrig.json");
    let dash: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let metrics = Metrics::new().unwrap();
    // Touch every family so the exposition lists it.
    metrics.observe(ops::CARD_AUTH, "g", Duration::from_millis(1));
    metrics.error(ops::CARD_AUTH, "x");
    metrics.basket_completed();
    metrics.set_device_state("1", "printer", "ready");
    metrics.set_link_state("1", "acquirer", "up");
    let text = metrics.encode().unwrap();
    let mut exprs = Vec::new();
    fn walk(v: &serde_json::Value, out: &mut Vec<String>) {
        match v {
            serde_json::Value::Object(m) => {
                for (k, v) in m {
                    match (k.as_str(), v) {
                        ("expr", serde_json::Value::String(s)) => out.push(s.clone()),
                        _ => walk(v, out),
                    }
                }
            }
            serde_json::Value::Array(a) => a.iter().for_each(|v| walk(v, out)),
            _ => {}
        }
    }
    walk(&dash, &mut exprs);
    assert!(exprs.len() >= 10, "{exprs:?}");
    for e in &exprs {
        for word in e.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_')) {
            if word.starts_with("posrig_") {
                assert!(
                    text.contains(&format!("\n{word}")),
                    "dashboard uses unknown metric `{word}`"
                );
            }
        }
    }
}
