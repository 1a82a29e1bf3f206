//! Connectors — how a host client gets a byte stream to its host: TCP to an address list, or an
//! in-memory pipe handed over by whoever runs the POS (the harness, a test).

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};

use tokio::io::{AsyncRead, AsyncWrite, DuplexStream, ReadBuf};
use tokio::net::TcpStream;
use tokio::sync::mpsc;

/// A bidirectional byte stream to a host (TCP connection, in-memory pipe, impaired wire): the
/// same trait the drivers run on. The two `Connector`s stay apart on purpose: a driver's
/// reopens its one device and may keep state between tries (`FnMut`), a host link's is shared
/// by the primary/backup logic (`&self`, `Sync`) and names its address for logs.
pub use crate::driver::stream::ByteStream;

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
/// to the paired [`MemoryListener`]. Switched off, it cuts the connections it made and refuses
/// new ones, like a host that went down; it also refuses once the listener is gone.
#[derive(Debug, Clone)]
pub struct MemoryConnector {
    name: String,
    accept: mpsc::UnboundedSender<DuplexStream>,
    refusing: Arc<AtomicBool>,
    /// Bumped when switched off; streams of an older generation read end-of-stream.
    generation: Arc<AtomicU64>,
}

/// The POS end of a [`MemoryConnector`] pipe; reads end-of-stream and writes fail once the
/// connector was switched off after it was made.
#[derive(Debug)]
struct MemoryStream {
    inner: DuplexStream,
    generation: Arc<AtomicU64>,
    born: u64,
}

impl MemoryStream {
    fn cut(&self) -> bool {
        self.generation.load(Ordering::SeqCst) != self.born
    }
}

impl AsyncRead for MemoryStream {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        if self.cut() {
            return Poll::Ready(Ok(()));
        }
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl AsyncWrite for MemoryStream {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        if self.cut() {
            return Poll::Ready(Err(io::ErrorKind::BrokenPipe.into()));
        }
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
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
                generation: Arc::new(AtomicU64::new(0)),
            },
            MemoryListener { incoming: rx },
        )
    }

    /// Switches the host off (open connections cut, new ones refused) or back on.
    pub fn set_refusing(&self, refusing: bool) {
        if refusing {
            self.generation.fetch_add(1, Ordering::SeqCst);
        }
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
            Ok(Box::new(MemoryStream {
                inner: near,
                born: self.generation.load(Ordering::SeqCst),
                generation: self.generation.clone(),
            }) as Box<dyn ByteStream>)
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
