//! Connectors — how a host client gets a byte stream to its host: TCP to an address list, or an
//! in-memory pipe handed over by whoever runs the POS (the harness, a test).

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use tokio::io::{AsyncRead, AsyncWrite, DuplexStream};
use tokio::net::TcpStream;
use tokio::sync::mpsc;

/// A bidirectional byte stream to a host (TCP connection, in-memory pipe, impaired wire).
pub trait ByteStream: AsyncRead + AsyncWrite + Unpin + Send + 'static {}

impl<T: AsyncRead + AsyncWrite + Unpin + Send + 'static> ByteStream for T {}

/// The future a [`Connector`] returns.
pub type ConnectFuture<'a> =
    Pin<Box<dyn Future<Output = io::Result<Box<dyn ByteStream>>> + Send + 'a>>;

/// Opens a new connection to one host link each time it is called.
pub trait Connector: Send + Sync {
    /// Opens a connection.
    fn connect(&self) -> ConnectFuture<'_>;

    /// Where it connects to, for logs.
    fn describe(&self) -> String;
}

/// TCP to the first address of a list that accepts.
#[derive(Debug, Clone)]
pub struct TcpConnector {
    addrs: Vec<String>,
}

impl TcpConnector {
    /// A connector trying `addrs` (`host:port`) in order.
    pub fn new<I, S>(addrs: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        TcpConnector {
            addrs: addrs.into_iter().map(Into::into).collect(),
        }
    }
}

impl Connector for TcpConnector {
    fn connect(&self) -> ConnectFuture<'_> {
        Box::pin(async move {
            let mut last = io::Error::new(io::ErrorKind::InvalidInput, "no host address");
            for addr in &self.addrs {
                match TcpStream::connect(addr.as_str()).await {
                    Ok(stream) => {
                        // Small request/response frames: do not wait to coalesce them.
                        stream.set_nodelay(true)?;
                        return Ok(Box::new(stream) as Box<dyn ByteStream>);
                    }
                    Err(e) => last = e,
                }
            }
            Err(last)
        })
    }

    fn describe(&self) -> String {
        format!("tcp {}", self.addrs.join(","))
    }
}

/// An in-memory connector: each `connect` creates a `tokio::io::duplex` pipe and hands the far end
/// to the paired [`MemoryListener`]. It refuses connections while switched off or when the
/// listener is gone, like a host that is down.
#[derive(Debug, Clone)]
pub struct MemoryConnector {
    name: String,
    accept: mpsc::UnboundedSender<DuplexStream>,
    refusing: Arc<AtomicBool>,
}

/// The host side of a [`MemoryConnector`].
#[derive(Debug)]
pub struct MemoryListener {
    incoming: mpsc::UnboundedReceiver<DuplexStream>,
}

impl MemoryConnector {
    /// A connector named `name` (for logs) and its listener.
    pub fn pair(name: &str) -> (MemoryConnector, MemoryListener) {
        let (tx, rx) = mpsc::unbounded_channel();
        (
            MemoryConnector {
                name: name.to_owned(),
                accept: tx,
                refusing: Arc::new(AtomicBool::new(false)),
            },
            MemoryListener { incoming: rx },
        )
    }

    /// Switches the host "off" (connections refused) or back on. Open connections stay open.
    pub fn set_refusing(&self, refusing: bool) {
        self.refusing.store(refusing, Ordering::SeqCst);
    }
}

impl Connector for MemoryConnector {
    fn connect(&self) -> ConnectFuture<'_> {
        Box::pin(async move {
            if self.refusing.load(Ordering::SeqCst) {
                return Err(io::Error::new(
                    io::ErrorKind::ConnectionRefused,
                    format!("{} refuses connections", self.name),
                ));
            }
            let (near, far) = tokio::io::duplex(64 * 1024);
            self.accept.send(far).map_err(|_| {
                io::Error::new(
                    io::ErrorKind::ConnectionRefused,
                    format!("{} is not listening", self.name),
                )
            })?;
            Ok(Box::new(near) as Box<dyn ByteStream>)
        })
    }

    fn describe(&self) -> String {
        format!("memory {}", self.name)
    }
}

impl MemoryListener {
    /// The next connection; `None` once every connector is dropped.
    pub async fn accept(&mut self) -> Option<DuplexStream> {
        self.incoming.recv().await
    }
}
