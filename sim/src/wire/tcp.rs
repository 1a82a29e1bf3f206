//! TCP wires — connect and listen helpers (loopback by default), and an impairing TCP proxy for
//! named network links such as `acquirer-primary`.

use super::control::LinkControl;
use super::error::WireError;
use super::link::{spawn_connection, ResetHook};
use super::WireEnd;
use crate::rng::SimRng;
use std::net::SocketAddr;
use tokio::net::{TcpListener, TcpSocket, TcpStream};
use tokio::task::JoinHandle;

/// The address listeners bind to unless told otherwise: loopback, any free port.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:0";

/// Connects to `addr` (with `TCP_NODELAY`, as the small frames of POS protocols want).
pub async fn connect(addr: &str) -> Result<WireEnd, WireError> {
    let stream = TcpStream::connect(addr)
        .await
        .map_err(|source| WireError::TcpConnect {
            addr: addr.to_owned(),
            source,
        })?;
    let _ = stream.set_nodelay(true);
    Ok(Box::new(stream))
}

/// A listener handing out wire ends.
#[derive(Debug)]
pub struct Listener {
    inner: TcpListener,
    addr: SocketAddr,
}

impl Listener {
    /// Binds `addr` (e.g. [`DEFAULT_LISTEN`]).
    pub async fn bind(addr: &str) -> Result<Self, WireError> {
        let inner = TcpListener::bind(addr)
            .await
            .map_err(|source| WireError::TcpListen {
                addr: addr.to_owned(),
                source,
            })?;
        let addr = inner.local_addr().map_err(|source| WireError::TcpListen {
            addr: addr.to_owned(),
            source,
        })?;
        Ok(Self { inner, addr })
    }

    /// The bound address (with the chosen port).
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// Waits for the next connection.
    pub async fn accept(&self) -> Result<(WireEnd, SocketAddr), WireError> {
        let (stream, peer) = self.accept_stream().await?;
        Ok((Box::new(stream), peer))
    }

    async fn accept_stream(&self) -> Result<(TcpStream, SocketAddr), WireError> {
        let (stream, peer) = self
            .inner
            .accept()
            .await
            .map_err(|source| WireError::TcpAccept {
                addr: self.addr,
                source,
            })?;
        let _ = stream.set_nodelay(true);
        Ok((stream, peer))
    }
}

/// Returns the stream together with a hook that, run before the stream is dropped, makes the
/// close a reset (`SO_LINGER` 0 → RST) so the peer sees "connection reset", not a clean EOF.
///
/// The hook holds a duplicate of the socket's descriptor (not registered with the reactor);
/// setting the option through it affects the shared socket.
pub fn with_reset_hook(stream: TcpStream) -> Result<(TcpStream, ResetHook), WireError> {
    let err = |source| WireError::TcpResetHandle { source };
    let std_stream = stream.into_std().map_err(err)?;
    let dup = std_stream.try_clone().map_err(err)?;
    let stream = TcpStream::from_std(std_stream).map_err(err)?;
    let socket = TcpSocket::from_std_stream(dup);
    let hook: ResetHook = Box::new(move || {
        let _ = socket.set_zero_linger();
    });
    Ok((stream, hook))
}

/// A TCP proxy: accepts on a local address, connects each client to `upstream`, and pumps both
/// directions through the shared [`LinkControl`]'s impairments (end `a` = client, `b` = upstream).
///
/// A reset breaks every open connection with a TCP RST on both sides; later connections work.
#[derive(Debug)]
pub struct TcpProxy {
    local_addr: SocketAddr,
    control: LinkControl,
    task: JoinHandle<()>,
}

impl TcpProxy {
    /// Starts a proxy listening on `listen` (e.g. [`DEFAULT_LISTEN`]) for `upstream`.
    ///
    /// Connection `n` (from 0) draws randomness from children `link/{name}/{n}/a_to_b` and
    /// `.../b_to_a` of `rng`.
    pub async fn spawn(
        listen: &str,
        upstream: &str,
        control: LinkControl,
        rng: &SimRng,
    ) -> Result<Self, WireError> {
        let listener = Listener::bind(listen).await?;
        let local_addr = listener.local_addr();
        let upstream = upstream.to_owned();
        let rng = rng.scoped(&format!("link/{}", control.name()));
        let ctl = control.clone();
        let task = tokio::spawn(async move {
            for n in 0u64.. {
                let Ok((client, _)) = listener.accept_stream().await else {
                    continue;
                };
                let server = match TcpStream::connect(&upstream).await {
                    Ok(server) => server,
                    Err(e) => {
                        ctl.emit_state(&format!("upstream unreachable: {e}"));
                        continue; // dropping the client closes it
                    }
                };
                let _ = server.set_nodelay(true);
                let (Ok((client, client_hook)), Ok((server, server_hook))) =
                    (with_reset_hook(client), with_reset_hook(server))
                else {
                    continue;
                };
                // The connection's pumps run on their own and end with the connection.
                drop(spawn_connection(
                    &ctl,
                    &rng.scoped(&n.to_string()),
                    Box::new(client),
                    Box::new(server),
                    vec![client_hook, server_hook],
                ));
            }
        });
        Ok(Self {
            local_addr,
            control,
            task,
        })
    }

    /// Where clients connect.
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// The shared control of every connection.
    pub fn control(&self) -> &LinkControl {
        &self.control
    }
}

impl Drop for TcpProxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}
