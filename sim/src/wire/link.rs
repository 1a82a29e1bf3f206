//! Links — two endpoints joined through a pump per direction, under one [`LinkControl`].

use super::control::{Direction, LinkConditions, LinkControl};
use super::impair::{Impairment, ImpairmentError};
use super::pump::{Connection, DirectionPump};
use super::{memory, WireEnd};
use crate::event::{Emitter, EventBus};
use crate::rng::SimRng;
use tokio::task::JoinHandle;

pub use super::pump::ResetHook;

/// A running link: end `a` and end `b` joined by two pumps.
///
/// The pumps are tasks of their own: dropping the `Link` does not stop them (they end with the
/// connection); use [`Link::abort`] to stop them at once.
///
/// ```
/// # #[tokio::main(flavor = "current_thread", start_paused = true)] async fn main() {
/// use posrig_sim::wire::{Direction, Impairment, Link};
/// use tokio::io::{AsyncReadExt, AsyncWriteExt};
///
/// let (mut pos, mut printer, link) = Link::builder("lane1/printer-cable")
///     .impair(Direction::AToB, Impairment::latency_ms(5.0))
///     .pair()
///     .unwrap();
/// pos.write_all(b"\x1b@").await.unwrap();
/// let mut buf = [0u8; 2];
/// printer.read_exact(&mut buf).await.unwrap();
/// link.control().partition();
/// # }
/// ```
#[derive(Debug)]
pub struct Link {
    control: LinkControl,
    tasks: Vec<JoinHandle<()>>,
}

impl Link {
    /// Starts describing a link with a stable name (used for its rng streams and event source).
    pub fn builder(name: &str) -> LinkBuilder {
        LinkBuilder {
            name: name.to_owned(),
            conditions: LinkConditions::default(),
            rng: SimRng::new(0),
            emitter: None,
            control: None,
            hooks: Vec::new(),
        }
    }

    /// The handle that changes this link at run time.
    pub fn control(&self) -> &LinkControl {
        &self.control
    }

    /// Waits until both directions have finished (both sources ended, or closed, or reset).
    pub async fn finished(self) {
        for task in self.tasks {
            let _ = task.await;
        }
    }

    /// Stops the pumps at once, dropping both endpoints (no reset hooks run).
    pub fn abort(&self) {
        for task in &self.tasks {
            task.abort();
        }
    }
}

/// Configuration of a [`Link`] before it runs.
pub struct LinkBuilder {
    name: String,
    conditions: LinkConditions,
    rng: SimRng,
    emitter: Option<Emitter>,
    control: Option<LinkControl>,
    hooks: Vec<ResetHook>,
}

impl std::fmt::Debug for LinkBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LinkBuilder")
            .field("name", &self.name)
            .field("conditions", &self.conditions)
            .finish_non_exhaustive()
    }
}

impl LinkBuilder {
    /// Initial impairments of both directions.
    pub fn conditions(mut self, conditions: LinkConditions) -> Self {
        self.conditions = conditions;
        self
    }

    /// Initial impairment of one direction (or both).
    pub fn impair(mut self, direction: Direction, impairment: Impairment) -> Self {
        if matches!(direction, Direction::AToB | Direction::Both) {
            self.conditions.a_to_b = impairment.clone();
        }
        if matches!(direction, Direction::BToA | Direction::Both) {
            self.conditions.b_to_a = impairment;
        }
        self
    }

    /// The run's randomness; each direction draws from child `link/{name}/a_to_b` (or `b_to_a`).
    /// Without it the link uses master seed 0.
    pub fn rng(mut self, rng: &SimRng) -> Self {
        self.rng = rng.clone();
        self
    }

    /// Reports changes and failures through this emitter.
    pub fn emitter(mut self, emitter: Emitter) -> Self {
        self.emitter = Some(emitter);
        self
    }

    /// Reports on `bus` as source `link/{name}`, no lane.
    pub fn events(self, bus: &EventBus) -> Self {
        let emitter = bus.emitter(None, format!("link/{}", self.name));
        self.emitter(emitter)
    }

    /// Shares an existing control instead of creating one (its conditions win over
    /// [`LinkBuilder::conditions`]).
    pub fn control(mut self, control: LinkControl) -> Self {
        self.control = Some(control);
        self
    }

    /// Runs `hook` before the endpoints are dropped on a reset (see [`super::tcp`]).
    pub fn reset_hook(mut self, hook: ResetHook) -> Self {
        self.hooks.push(hook);
        self
    }

    /// The control this builder would use, created now if none was given.
    fn take_control(&mut self) -> Result<LinkControl, ImpairmentError> {
        if let Some(control) = self.control.take() {
            return Ok(control);
        }
        let control = LinkControl::new(&self.name, std::mem::take(&mut self.conditions))?;
        Ok(match self.emitter.take() {
            Some(emitter) => control.with_emitter(emitter),
            None => control,
        })
    }

    /// Joins two existing endpoints. Must be called inside a tokio runtime.
    pub fn between(mut self, a: WireEnd, b: WireEnd) -> Result<Link, ImpairmentError> {
        let control = self.take_control()?;
        let rng = self.rng.scoped(&format!("link/{}", self.name));
        let tasks = spawn_connection(&control, &rng, a, b, std::mem::take(&mut self.hooks));
        Ok(Link { control, tasks })
    }

    /// A fresh in-memory wire through the link: returns ends `a` and `b`.
    pub fn pair(self) -> Result<(WireEnd, WireEnd, Link), ImpairmentError> {
        let (a, a_inner) = memory::pair();
        let (b, b_inner) = memory::pair();
        let link = self.between(a_inner, b_inner)?;
        Ok((a, b, link))
    }

    /// Puts the link in front of an existing endpoint (a pty master, a serial port, a TCP
    /// connection): returns the new end `a` for the local side; `far` is end `b`.
    pub fn wrap(self, far: WireEnd) -> Result<(WireEnd, Link), ImpairmentError> {
        let (a, a_inner) = memory::pair();
        let link = self.between(a_inner, far)?;
        Ok((a, link))
    }
}

/// Spawns the two pumps of one connection, drawing randomness from `rng`'s children
/// `a_to_b` and `b_to_a`.
pub(crate) fn spawn_connection(
    control: &LinkControl,
    rng: &SimRng,
    a: WireEnd,
    b: WireEnd,
    hooks: Vec<ResetHook>,
) -> Vec<JoinHandle<()>> {
    let conn = Connection::new(hooks);
    let epoch = control.reset_epoch();
    let (a_read, a_write) = tokio::io::split(a);
    let (b_read, b_write) = tokio::io::split(b);
    let a_to_b = DirectionPump {
        direction: Direction::AToB,
        src: a_read,
        dst: b_write,
        control: control.clone(),
        conn: conn.clone(),
        rng: rng.child("a_to_b"),
        epoch,
    };
    let b_to_a = DirectionPump {
        direction: Direction::BToA,
        src: b_read,
        dst: a_write,
        control: control.clone(),
        conn,
        rng: rng.child("b_to_a"),
        epoch,
    };
    vec![tokio::spawn(a_to_b.run()), tokio::spawn(b_to_a.run())]
}
