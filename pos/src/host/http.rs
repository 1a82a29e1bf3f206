//! JSON over HTTP/1.1 for the QR-pay client: one `POST` per connection through a [`Connector`],
//! so the harness can hand in an in-memory pipe (and virtual time stays deterministic: no DNS
//! thread, no connection pool).

use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::header::{CONNECTION, CONTENT_TYPE, HOST};
use hyper::{Request, Uri};
use hyper_util::rt::TokioIo;
use serde::de::DeserializeOwned;
use serde::Serialize;

use super::connector::{Connector, TcpConnector};
use super::error::HostError;

/// Where the QR host is: a connector, the `Host` header and a path prefix.
pub struct QrEndpoint {
    pub(crate) connector: Box<dyn Connector>,
    pub(crate) authority: String,
    pub(crate) prefix: String,
}

impl std::fmt::Debug for QrEndpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("QrEndpoint")
            .field("connector", &self.connector.describe())
            .field("authority", &self.authority)
            .field("prefix", &self.prefix)
            .finish()
    }
}

impl QrEndpoint {
    /// `http://host:port[/prefix]` over TCP.
    pub fn parse(url: &str) -> Result<Self, HostError> {
        let bad = || HostError::BadUrl(url.to_owned());
        let uri: Uri = url.parse().map_err(|_| bad())?;
        if uri.scheme_str() != Some("http") {
            return Err(bad());
        }
        let authority = uri.authority().ok_or_else(bad)?.to_string();
        let addr = if uri.port().is_some() {
            authority.clone()
        } else {
            format!("{authority}:80")
        };
        Ok(QrEndpoint {
            connector: Box::new(TcpConnector::new([addr])),
            authority,
            prefix: uri.path().trim_end_matches('/').to_owned(),
        })
    }

    /// Any connector (in-memory for tests and the harness); `authority` goes in `Host`.
    pub fn with_connector(connector: Box<dyn Connector>, authority: &str) -> Self {
        QrEndpoint {
            connector,
            authority: authority.to_owned(),
            prefix: String::new(),
        }
    }
}

/// Why a request got no usable answer; the caller treats every one as "outcome unknown".
#[derive(Debug, thiserror::Error)]
pub(crate) enum TransportError {
    #[error("connect: {0}")]
    Connect(#[source] std::io::Error),
    #[error("exchange HTTP: {0}")]
    Http(#[source] hyper::Error),
    #[error("build request: {0}")]
    Request(#[source] hyper::http::Error),
    #[error("HTTP status {0}")]
    Status(u16),
    #[error("decode JSON: {0}")]
    Json(#[source] serde_json::Error),
    #[error("no answer within {0:?}")]
    TimedOut(Duration),
}

/// Posts `body` as JSON to `path` and decodes the JSON answer, within `timeout`.
pub(crate) async fn post<T: Serialize, R: DeserializeOwned>(
    endpoint: &QrEndpoint,
    path: &str,
    body: &T,
    timeout: Duration,
) -> Result<R, TransportError> {
    let exchange = async {
        let json = serde_json::to_vec(body).map_err(TransportError::Json)?;
        let stream = endpoint
            .connector
            .connect()
            .await
            .map_err(TransportError::Connect)?;
        let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
            .await
            .map_err(TransportError::Http)?;
        let driver = tokio::spawn(async move {
            if let Err(e) = conn.await {
                tracing::debug!("QR host connection ended: {e}");
            }
        });
        let request = Request::post(format!("{}{path}", endpoint.prefix))
            .header(HOST, endpoint.authority.as_str())
            .header(CONTENT_TYPE, "application/json")
            .header(CONNECTION, "close")
            .body(Full::new(Bytes::from(json)))
            .map_err(TransportError::Request)?;
        let result = async {
            let response = sender
                .send_request(request)
                .await
                .map_err(TransportError::Http)?;
            let status = response.status();
            let bytes = response
                .into_body()
                .collect()
                .await
                .map_err(TransportError::Http)?
                .to_bytes();
            if !status.is_success() {
                return Err(TransportError::Status(status.as_u16()));
            }
            serde_json::from_slice(&bytes).map_err(TransportError::Json)
        }
        .await;
        drop(sender);
        driver.abort();
        result
    };
    tokio::time::timeout(timeout, exchange)
        .await
        .unwrap_or(Err(TransportError::TimedOut(timeout)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_parse() {
        let e = QrEndpoint::parse("http://127.0.0.1:9000/wallet/").unwrap();
        assert_eq!(e.authority, "127.0.0.1:9000");
        assert_eq!(e.prefix, "/wallet");
        assert!(QrEndpoint::parse("https://x").is_err());
        assert!(QrEndpoint::parse("not a url").is_err());
    }
}
