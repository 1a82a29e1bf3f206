//! Host links — the primary and backup connections to the acquirer: connect on demand, fail over
//! on a connect failure, a failed write or a timeout, and fail back to the primary once the
//! configured interval has passed.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use posrig_protocols::iso8583::{Frame, FrameDecoder};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWriteExt, ReadBuf};
use tokio::time::Instant;

use super::connector::{ByteStream, Connector};

/// One open connection with its frame decoder.
struct Conn {
    stream: Box<dyn ByteStream>,
    decoder: FrameDecoder,
}

impl Conn {
    /// Whether the peer has not closed the connection, reading whatever already arrived (stale
    /// answers, kept for the decoder where matching will ignore them). Never waits.
    fn is_open(&mut self) -> bool {
        let mut cx = Context::from_waker(Waker::noop());
        let mut buf = [0u8; 1024];
        loop {
            let mut rb = ReadBuf::new(&mut buf);
            match Pin::new(&mut self.stream).poll_read(&mut cx, &mut rb) {
                Poll::Pending => return true,
                Poll::Ready(Ok(())) if rb.filled().is_empty() => return false,
                Poll::Ready(Ok(())) => self.decoder.push(rb.filled()),
                Poll::Ready(Err(_)) => return false,
            }
        }
    }
}

/// How waiting for an answer on a link ended.
pub(crate) enum Received {
    /// A frame the matcher accepted.
    Frame(Box<Frame>),
    /// The deadline passed.
    TimedOut,
    /// The peer closed the connection or the stream broke.
    Closed,
}

/// One link: a connector and the connection it opened, if any.
pub(crate) struct Link {
    name: &'static str,
    connector: Box<dyn Connector>,
    conn: Option<Conn>,
}

impl Link {
    fn new(name: &'static str, connector: Box<dyn Connector>) -> Self {
        Link {
            name,
            connector,
            conn: None,
        }
    }

    async fn ensure_connected(&mut self, connect_timeout: Duration) -> io::Result<()> {
        if let Some(conn) = &mut self.conn {
            if conn.is_open() {
                return Ok(());
            }
            tracing::debug!(
                link = self.name,
                "connection closed by the host; reconnecting"
            );
            self.conn = None;
        }
        let stream = tokio::time::timeout(connect_timeout, self.connector.connect())
            .await
            .map_err(|_| io::Error::new(io::ErrorKind::TimedOut, "connect timed out"))??;
        self.conn = Some(Conn {
            stream,
            decoder: FrameDecoder::new(),
        });
        Ok(())
    }

    async fn write(&mut self, bytes: &[u8]) -> io::Result<()> {
        let conn = self
            .conn
            .as_mut()
            .ok_or_else(|| io::Error::new(io::ErrorKind::NotConnected, "not connected"))?;
        let result = async {
            conn.stream.write_all(bytes).await?;
            conn.stream.flush().await
        }
        .await;
        if result.is_err() {
            self.conn = None;
        }
        result
    }

    /// Waits until `deadline` for a frame `accept` takes; frames it refuses are dropped.
    pub(crate) async fn receive_until(
        &mut self,
        deadline: Instant,
        mut accept: impl FnMut(&Frame) -> bool,
    ) -> Received {
        let Some(conn) = self.conn.as_mut() else {
            return Received::Closed;
        };
        let name = self.name;
        let outcome = tokio::time::timeout_at(deadline, async {
            let mut buf = [0u8; 2048];
            loop {
                loop {
                    match conn.decoder.next_frame() {
                        Ok(Some(frame)) => {
                            if accept(&frame) {
                                return Received::Frame(Box::new(frame));
                            }
                        }
                        Ok(None) => break,
                        Err(e) if e.is_fatal() => {
                            tracing::warn!(link = name, "unframeable stream from host: {e}");
                            return Received::Closed;
                        }
                        Err(e) => tracing::warn!(link = name, "ignoring undecodable frame: {e}"),
                    }
                }
                match conn.stream.read(&mut buf).await {
                    Ok(0) | Err(_) => return Received::Closed,
                    Ok(n) => conn.decoder.push(&buf[..n]),
                }
            }
        })
        .await
        .unwrap_or(Received::TimedOut);
        if matches!(outcome, Received::Closed) {
            self.conn = None;
        }
        outcome
    }

    fn disconnect(&mut self) {
        self.conn = None;
    }
}

/// Which link a request went out on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct LinkId(usize);

/// The primary link and an optional backup, with the failover state.
pub(crate) struct Links {
    links: Vec<Link>,
    active: usize,
    /// When the client moved to the backup; the primary is tried again after `failback_after`.
    failed_over_at: Option<Instant>,
    failback_after: Duration,
    connect_timeout: Duration,
}

impl Links {
    pub(crate) fn new(
        primary: Box<dyn Connector>,
        backup: Option<Box<dyn Connector>>,
        connect_timeout: Duration,
        failback_after: Duration,
    ) -> Self {
        let mut links = vec![Link::new("primary", primary)];
        if let Some(b) = backup {
            links.push(Link::new("backup", b));
        }
        Links {
            links,
            active: 0,
            failed_over_at: None,
            failback_after,
            connect_timeout,
        }
    }

    /// Whether the backup link is in use.
    pub(crate) fn on_backup(&self) -> bool {
        self.active != 0
    }

    /// Links in the order to try: the active one first, unless it is the backup and the primary
    /// is due another chance.
    fn order(&self) -> Vec<usize> {
        let failback_due = self
            .failed_over_at
            .is_some_and(|t| Instant::now() >= t + self.failback_after);
        let first = if self.active != 0 && failback_due {
            0
        } else {
            self.active
        };
        let mut order = vec![first];
        order.extend((0..self.links.len()).filter(|&i| i != first));
        order
    }

    fn activate(&mut self, i: usize) {
        if i != self.active {
            tracing::info!(
                from = self.links[self.active].name,
                to = self.links[i].name,
                "host link switched"
            );
            self.active = i;
        }
        self.failed_over_at = (i != 0).then(|| self.failed_over_at.unwrap_or_else(Instant::now));
    }

    /// Sends `bytes` on the first link that connects and takes them; `None` if none does (the
    /// host is unreachable and nothing was sent).
    pub(crate) async fn send(&mut self, bytes: &[u8]) -> Option<LinkId> {
        for i in self.order() {
            let link = &mut self.links[i];
            let sent = match link.ensure_connected(self.connect_timeout).await {
                Ok(()) => link.write(bytes).await,
                Err(e) => Err(e),
            };
            match sent {
                Ok(()) => {
                    self.activate(i);
                    return Some(LinkId(i));
                }
                Err(e) => {
                    tracing::warn!(link = link.name, "host link failed: {e}");
                    if i == 0 && self.active != 0 {
                        // A failed failback: stay on the backup for another interval.
                        self.failed_over_at = Some(Instant::now());
                    }
                }
            }
        }
        None
    }

    /// Waits on link `id` for a frame `accept` takes, until `deadline`.
    pub(crate) async fn receive(
        &mut self,
        id: LinkId,
        deadline: Instant,
        accept: impl FnMut(&Frame) -> bool,
    ) -> Received {
        self.links[id.0].receive_until(deadline, accept).await
    }

    /// Link `id` gave no answer: drop its connection and make the other link active.
    pub(crate) fn failed(&mut self, id: LinkId) {
        self.links[id.0].disconnect();
        if self.links.len() > 1 && id.0 == self.active {
            let other = (id.0 + 1) % self.links.len();
            self.activate(other);
            if other != 0 {
                self.failed_over_at = Some(Instant::now());
            }
        }
    }
}
