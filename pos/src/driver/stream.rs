//! Byte streams the drivers run on, and the port that owns one: reads, writes, and reconnects
//! after the stream fails when its owner gave a way to open it again.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::time::{sleep_until, timeout, Instant};

/// Anything a driver can talk to a device over: a serial port, a pty, a TCP connection, or an
/// in-memory pipe. Whoever starts the POS supplies it.
pub trait ByteStream: AsyncRead + AsyncWrite + Unpin + Send {}

impl<T: AsyncRead + AsyncWrite + Unpin + Send> ByteStream for T {}

/// A boxed [`ByteStream`].
pub type BoxStream = Box<dyn ByteStream>;

/// A boxed, sendable future (what [`Connector::connect`] returns).
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Opens the stream to a device again after it failed (reopen a serial port, redial TCP).
///
/// Any `FnMut() -> impl Future<Output = io::Result<S>>` is a connector.
pub trait Connector: Send + 'static {
    /// Open a fresh stream.
    fn connect(&mut self) -> BoxFuture<'_, io::Result<BoxStream>>;
}

impl<F, Fut, S> Connector for F
where
    F: FnMut() -> Fut + Send + 'static,
    Fut: Future<Output = io::Result<S>> + Send + 'static,
    S: ByteStream + 'static,
{
    fn connect(&mut self) -> BoxFuture<'_, io::Result<BoxStream>> {
        let fut = self();
        Box::pin(async move { fut.await.map(|s| Box::new(s) as BoxStream) })
    }
}

/// Where a driver gets its stream from: one stream for its whole life, or a connector that can
/// open it again after an error or end of stream.
pub struct Port {
    stream: Option<BoxStream>,
    connector: Option<Box<dyn Connector>>,
    retry_interval: Duration,
    write_timeout: Duration,
    next_attempt: Option<Instant>,
}

/// What [`Port::next`] saw.
#[derive(Debug)]
pub(crate) enum PortEvent {
    /// `n` bytes were read into the buffer.
    Data(usize),
    /// The stream ended or failed; the port is now disconnected.
    Closed(Option<io::Error>),
    /// A fresh stream was opened by the connector.
    Reconnected,
}

impl std::fmt::Debug for Port {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Port")
            .field("connected", &self.stream.is_some())
            .field("reconnects", &self.connector.is_some())
            .finish()
    }
}

impl Port {
    /// A port on one stream; once it fails the driver stays disconnected.
    pub fn new(stream: impl ByteStream + 'static) -> Self {
        Self::from_box(Box::new(stream))
    }

    /// A port on an already boxed stream.
    pub fn from_box(stream: BoxStream) -> Self {
        Port {
            stream: Some(stream),
            connector: None,
            retry_interval: Duration::from_secs(1),
            write_timeout: Duration::from_secs(2),
            next_attempt: None,
        }
    }

    /// A port that opens its stream with `connector`, now and again whenever it fails, trying
    /// every `retry_interval`.
    pub fn reconnecting(connector: impl Connector, retry_interval: Duration) -> Self {
        Port {
            stream: None,
            connector: Some(Box::new(connector)),
            retry_interval,
            write_timeout: Duration::from_secs(2),
            next_attempt: Some(Instant::now()),
        }
    }

    /// A port on a stream already open, reopened with `connector` whenever it fails.
    pub fn reconnecting_from(
        stream: BoxStream,
        connector: impl Connector,
        retry_interval: Duration,
    ) -> Self {
        Port {
            stream: Some(stream),
            connector: Some(Box::new(connector)),
            retry_interval,
            write_timeout: Duration::from_secs(2),
            next_attempt: None,
        }
    }

    /// How long one write may block (a peer that stopped reading) before it counts as a
    /// failed stream. Default 2 s.
    pub fn with_write_timeout(mut self, write_timeout: Duration) -> Self {
        self.write_timeout = write_timeout;
        self
    }

    /// Whether a stream is open.
    pub fn is_connected(&self) -> bool {
        self.stream.is_some()
    }

    /// Wait for input or a change of connection. Cancel-safe: reads are, and a reconnect
    /// attempt keeps its deadline across cancellations.
    pub(crate) async fn next(&mut self, buf: &mut [u8]) -> PortEvent {
        loop {
            if let Some(stream) = self.stream.as_mut() {
                return match stream.read(buf).await {
                    Ok(0) => {
                        self.disconnect();
                        PortEvent::Closed(None)
                    }
                    Ok(n) => PortEvent::Data(n),
                    Err(e) => {
                        self.disconnect();
                        PortEvent::Closed(Some(e))
                    }
                };
            }
            let (Some(connector), Some(at)) = (self.connector.as_mut(), self.next_attempt) else {
                return std::future::pending().await;
            };
            sleep_until(at).await;
            match connector.connect().await {
                Ok(stream) => {
                    self.stream = Some(stream);
                    self.next_attempt = None;
                    return PortEvent::Reconnected;
                }
                Err(e) => {
                    tracing::debug!(error = %e, "reconnect failed");
                    self.next_attempt = Some(Instant::now() + self.retry_interval);
                }
            }
        }
    }

    /// Write all of `bytes`. A failure or a write blocked past the write timeout closes the
    /// stream (and schedules a reconnect when the port can).
    pub(crate) async fn write_all(&mut self, bytes: &[u8]) -> io::Result<()> {
        let Some(stream) = self.stream.as_mut() else {
            return Err(io::ErrorKind::NotConnected.into());
        };
        let result = match timeout(self.write_timeout, async {
            stream.write_all(bytes).await?;
            stream.flush().await
        })
        .await
        {
            Ok(r) => r,
            Err(_) => Err(io::Error::new(
                io::ErrorKind::TimedOut,
                "device stopped taking bytes",
            )),
        };
        if result.is_err() {
            self.disconnect();
        }
        result
    }

    fn disconnect(&mut self) {
        self.stream = None;
        if self.connector.is_some() {
            self.next_attempt = Some(Instant::now() + self.retry_interval);
        }
    }
}
