//! Pseudo-terminals — a wire whose far end is a `/dev/pts/N` path any outside program can open
//! as if it were a serial port, while the simulator keeps the master.

use super::error::WireError;
use super::WireEnd;
use std::io;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::sync::oneshot;
use tokio_serial::{SerialPort, SerialStream};

/// How often the keeper clears a client's exclusive-open flag (see [`Pty::open`]).
pub const EXCLUSIVE_RELEASE_PERIOD: Duration = Duration::from_millis(200);

/// A pseudo-terminal pair: the simulator's end (master) and the path of the slave.
///
/// ```no_run
/// # async fn demo() -> Result<(), posrig_sim::wire::WireError> {
/// let pty = posrig_sim::wire::pty::Pty::open()?;
/// println!("printer on {}", pty.path().display());
/// let end = pty.into_end(); // serve the printer on this
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct Pty {
    path: PathBuf,
    end: PtyEnd,
}

/// The simulator's end of a pseudo-terminal.
///
/// It lives as long as the wire: outside programs may open, close and reopen the slave path
/// while it exists, and the device keeps serving across reconnections.
#[derive(Debug)]
pub struct PtyEnd {
    master: SerialStream,
    // Dropping this stops the keeper task, which owns our handle on the slave.
    _keeper: oneshot::Sender<()>,
}

impl Pty {
    /// Opens a pair in raw mode. Must be called inside a tokio runtime.
    ///
    /// The simulator keeps its own handle on the slave so that, when the outside program closes
    /// it, the master does not see a hang-up (`EIO`) and bytes written meanwhile wait in the
    /// terminal's buffer. Because of that handle the terminal is never fully closed, so a client
    /// that opened it exclusively (`TIOCEXCL`, the serialport-rs default) would lock out its own
    /// reopening; a keeper task clears that flag every [`EXCLUSIVE_RELEASE_PERIOD`]. The keeper is
    /// a timer, so a pty belongs in real-time runs, like any wire an outside program uses.
    pub fn open() -> Result<Self, WireError> {
        let (master, mut slave) =
            SerialStream::pair().map_err(|source| WireError::Pty { source })?;
        let path = slave
            .name()
            .map(PathBuf::from)
            .ok_or_else(|| WireError::Pty {
                source: tokio_serial::Error::new(
                    tokio_serial::ErrorKind::NoDevice,
                    "the pseudo-terminal slave has no path",
                ),
            })?;
        let (keeper, mut stop) = oneshot::channel::<()>();
        tokio::spawn(async move {
            loop {
                tokio::select! {
                    biased;
                    _ = &mut stop => return,
                    () = tokio::time::sleep(EXCLUSIVE_RELEASE_PERIOD) => {
                        // Failure only means the terminal is gone; the master will notice.
                        let _ = slave.set_exclusive(false);
                    }
                }
            }
        });
        Ok(Self {
            path,
            end: PtyEnd {
                master,
                _keeper: keeper,
            },
        })
    }

    /// The slave's path, e.g. `/dev/pts/7`, for the outside program.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The simulator's end, boxed as a wire end.
    pub fn into_end(self) -> WireEnd {
        Box::new(self.end)
    }

    /// The simulator's end and the slave's path.
    pub fn into_parts(self) -> (PtyEnd, PathBuf) {
        (self.end, self.path)
    }
}

impl AsyncRead for PtyEnd {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.master).poll_read(cx, buf)
    }
}

impl AsyncWrite for PtyEnd {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.master).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.master).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.master).poll_shutdown(cx)
    }
}
