//! Pump — moves bytes one way between two endpoints, applying that direction's current
//! impairment: damage and latency as bytes are read, stall, pacing and slicing as they leave.

use super::control::{ControlState, Direction, LinkControl};
use super::impair::Impairment;
use super::pace::Pacer;
use super::WireEnd;
use crate::rng::ChildRng;
use bytes::{Buf, Bytes};
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt, ReadHalf, WriteHalf};
use tokio::sync::watch;
use tokio::time::{sleep_until, Instant};

/// Largest single read from the source.
const READ_BUF_BYTES: usize = 16 * 1024;
/// Bytes held in a direction (delayed or stalled) before the pump stops reading its source, so
/// a partitioned link pushes back on its writer instead of growing without bound.
const MAX_HELD_BYTES: usize = 256 * 1024;

/// Runs once to make an endpoint's close look like a connection reset (TCP: `SO_LINGER` 0).
pub type ResetHook = Box<dyn FnOnce() + Send>;

/// How a connection ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum End {
    Open,
    /// Close after N bytes: each direction shuts its destination down (EOF) and stops.
    Closing,
    /// Reset or I/O failure: each direction drops its halves at once.
    Aborted,
}

/// State shared by the two pumps of one connection.
pub(crate) struct Connection {
    end: watch::Sender<End>,
    hooks: Mutex<Vec<ResetHook>>,
}

impl Connection {
    pub(crate) fn new(hooks: Vec<ResetHook>) -> Arc<Self> {
        Arc::new(Self {
            end: watch::channel(End::Open).0,
            hooks: Mutex::new(hooks),
        })
    }

    fn abort(&self) {
        let hooks = std::mem::take(
            &mut *self
                .hooks
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner),
        );
        for hook in hooks {
            hook();
        }
        self.end.send_replace(End::Aborted);
    }

    fn close(&self) {
        self.end.send_if_modified(|end| {
            let open = *end == End::Open;
            if open {
                *end = End::Closing;
            }
            open
        });
    }
}

/// A chunk waiting for delivery.
struct Held {
    data: Bytes,
    ready_at: Instant,
}

/// One direction of one connection.
pub(crate) struct DirectionPump {
    pub(crate) direction: Direction,
    pub(crate) src: ReadHalf<WireEnd>,
    pub(crate) dst: WriteHalf<WireEnd>,
    pub(crate) control: LinkControl,
    pub(crate) conn: Arc<Connection>,
    pub(crate) rng: ChildRng,
    pub(crate) epoch: u64,
}

/// Mutable delivery state of a direction.
struct Line {
    imp: Impairment,
    queue: VecDeque<Held>,
    held_bytes: usize,
    pacer: Pacer,
    released_at: Instant,
    next_piece_at: Instant,
    last_ready: Instant,
    taken_since_close_set: u64,
}

impl Line {
    /// Size of the next piece to hand over: bounded by pacing quantum, slicing and close-after.
    fn piece_len(&self, front_len: usize) -> usize {
        let mut len = front_len;
        if let Some(p) = &self.imp.pacing {
            len = len.min(p.quantum());
        }
        if let Some(s) = &self.imp.slicing {
            len = len.min(s.max_bytes);
        }
        if let Some(limit) = self.imp.close_after_bytes {
            let left = limit.saturating_sub(self.taken_since_close_set);
            len = len.min(usize::try_from(left).unwrap_or(usize::MAX));
        }
        len
    }

    /// When the next piece may be handed over, or `None` if nothing can move.
    fn due(&self) -> Option<Instant> {
        if self.imp.stalled {
            return None;
        }
        let front = self.queue.front()?;
        let len = self.piece_len(front.data.len());
        if len == 0 {
            return None;
        }
        let ready = front.ready_at.max(self.released_at).max(self.next_piece_at);
        Some(match &self.imp.pacing {
            Some(p) => self.pacer.finish_time(p, ready, len as u64),
            None => ready,
        })
    }

    /// Takes the next piece off the queue (call only when [`Line::due`] has passed).
    fn take(&mut self) -> Bytes {
        let Some((front_len, front_ready)) = self.queue.front().map(|f| (f.data.len(), f.ready_at))
        else {
            return Bytes::new();
        };
        let len = self.piece_len(front_len);
        let ready = front_ready.max(self.released_at).max(self.next_piece_at);
        if let Some(p) = &self.imp.pacing {
            self.pacer.commit(p, ready, len as u64);
        }
        let Some(front) = self.queue.front_mut() else {
            return Bytes::new();
        };
        let piece = front.data.split_to(len);
        if front.data.is_empty() {
            self.queue.pop_front();
        }
        self.held_bytes -= len;
        self.taken_since_close_set += len as u64;
        piece
    }

    fn close_limit_reached(&self) -> bool {
        self.imp
            .close_after_bytes
            .is_some_and(|limit| self.taken_since_close_set >= limit)
    }

    /// Applies a new impairment, keeping bytes already delayed on their schedule.
    fn apply(&mut self, new: Impairment, now: Instant) {
        if self.imp.stalled && !new.stalled {
            self.released_at = now;
        }
        if self.imp.pacing != new.pacing {
            self.pacer.rebase();
        }
        if self.imp.close_after_bytes != new.close_after_bytes {
            self.taken_since_close_set = 0;
        }
        self.imp = new;
    }
}

fn pick(state: &ControlState, direction: Direction) -> Impairment {
    match direction {
        Direction::BToA => state.conditions.b_to_a.clone(),
        _ => state.conditions.a_to_b.clone(),
    }
}

impl DirectionPump {
    /// Runs until the source ends and everything held is delivered, or the connection closes or
    /// is reset.
    pub(crate) async fn run(self) {
        let DirectionPump {
            direction,
            mut src,
            mut dst,
            control,
            conn,
            mut rng,
            epoch,
        } = self;
        let mut control_rx = control.subscribe();
        let mut end_rx = conn.end.subscribe();
        let first = control_rx.borrow_and_update().clone();
        if first.reset_epoch != epoch {
            conn.abort();
            return;
        }
        // The other direction may have closed or aborted the connection before this task first
        // ran; a fresh receiver counts the current value as seen, so look at it now.
        let end = *end_rx.borrow_and_update();
        match end {
            End::Open => {}
            End::Closing => {
                let _ = dst.shutdown().await;
                return;
            }
            End::Aborted => return,
        }
        let now = Instant::now();
        let mut line = Line {
            imp: pick(&first, direction),
            queue: VecDeque::new(),
            held_bytes: 0,
            pacer: Pacer::new(now),
            released_at: now,
            next_piece_at: now,
            last_ready: now,
            taken_since_close_set: 0,
        };
        let mut out = Bytes::new();
        let mut src_eof = false;
        let mut buf = vec![0u8; READ_BUF_BYTES];

        loop {
            if out.is_empty() && line.close_limit_reached() {
                let _ = dst.shutdown().await;
                control.emit_state("closed");
                conn.close();
                return;
            }
            if src_eof && out.is_empty() && line.queue.is_empty() {
                let _ = dst.shutdown().await;
                return;
            }
            let due = if out.is_empty() { line.due() } else { None };
            // Fast path: the next piece is already due and nothing else needs attention.
            if let Some(at) = due {
                if at <= Instant::now()
                    && !control_rx.has_changed().unwrap_or(false)
                    && !end_rx.has_changed().unwrap_or(false)
                {
                    out = line.take();
                    continue;
                }
            }
            let timer = sleep_until(due.unwrap_or_else(Instant::now));
            tokio::select! {
                biased;
                Ok(()) = control_rx.changed() => {
                    let state = control_rx.borrow_and_update().clone();
                    if state.reset_epoch != epoch {
                        conn.abort();
                        return;
                    }
                    line.apply(pick(&state, direction), Instant::now());
                }
                Ok(()) = end_rx.changed() => {
                    let end = *end_rx.borrow_and_update();
                    match end {
                        End::Open => {}
                        End::Closing => {
                            let _ = dst.shutdown().await;
                            return;
                        }
                        End::Aborted => return,
                    }
                }
                written = dst.write(&out), if !out.is_empty() => match written {
                    Ok(n) if n > 0 => {
                        out.advance(n);
                        if out.is_empty() {
                            if let Some(slicing) = line.imp.slicing {
                                line.next_piece_at = Instant::now() + Duration::from_secs_f64(slicing.gap_ms / 1000.0);
                                // Let the reader take this piece before the next one lands.
                                tokio::task::yield_now().await;
                            }
                        }
                    }
                    Ok(_) => return fail(&control, &conn, "broken: wrote zero bytes"),
                    Err(e) => return fail(&control, &conn, &format!("broken: {e}")),
                },
                () = timer, if due.is_some() => {
                    out = line.take();
                }
                read = src.read(&mut buf), if !src_eof && line.held_bytes < MAX_HELD_BYTES => match read {
                    Ok(0) => src_eof = true,
                    Ok(n) => {
                        let mut data = buf[..n].to_vec();
                        line.imp.damage(&mut data, &mut rng);
                        if !data.is_empty() {
                            let now = Instant::now();
                            let latency = line.imp.latency.as_ref().map_or(Duration::ZERO, |l| l.sample(&mut rng));
                            // A later chunk never overtakes an earlier one, whatever the jitter.
                            let ready_at = (now + latency).max(line.last_ready);
                            line.last_ready = ready_at;
                            line.held_bytes += data.len();
                            line.queue.push_back(Held { data: Bytes::from(data), ready_at });
                        }
                    }
                    Err(e) => return fail(&control, &conn, &format!("broken: {e}")),
                },
            }
        }
    }
}

/// Ends the connection after an I/O failure on either side.
fn fail(control: &LinkControl, conn: &Connection, state: &str) {
    control.emit_state(state);
    conn.abort();
}
