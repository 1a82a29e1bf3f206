//! Lanes, arrivals, shoppers and clocks of one load run.
//!
//! # Timing
//!
//! Each lane draws its shoppers' arrival times up front from its own seeded generator
//! (`lane<N>/arrivals`), so arrivals never depend on how fast the lane is (open model). A
//! shopper's first action is scheduled when the shopper has arrived and the lane is free; each
//! later action at the end of the previous one plus a think time. Latencies are measured from
//! those scheduled times to what is observed at the devices:
//!
//! - `queue_wait`: arrival (scheduled) → first input seen at the scanner/keyboard/scale;
//! - `checkout`: first action's scheduled time → the paper cut seen at the printer;
//! - `card_auth`: card seen at the pad → the result on the customer display;
//! - `scheduling_lag`: each action's actual start − its scheduled time (the harness's own delay).
//!
//! A stalled lane thus shows up in `queue_wait` of every shopper behind it.

use std::cell::{Cell, RefCell};
use std::path::PathBuf;
use std::rc::Rc;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::{anyhow, Context};
use posrig_devices::DeviceEvent;
use posrig_pos::journal::Durability;
use posrig_reports::progress::{format_progress, Progress};
use posrig_reports::prometheus::{Metrics, MetricsServer};
use posrig_reports::{ops, run_dir, RunInfo, SeriesKey, TimeMode as ReportTime};
use posrig_reports::{FaultWindow, Recorder};
use posrig_sim::clock::{build_runtime, TimeMode as ClockMode};
use posrig_sim::rng::{ChildRng, SimRng};
use rand::Rng;
use tokio::time::Instant;

use super::plan::LoadPlan;
use super::LoadArgs;
use crate::run::shared::{start_lane_world, DeviceObserver, SharedHosts};
use crate::run::world::{World, EPOCH_UNIX_SECS};
use crate::run::{expect, step, TimeChoice, PACE};
use crate::scenario::document::{AcquirerTransport, Arrivals, JournalSync, Think};
use crate::scenario::{DeviceRole, Step, TimeMode};

/// Default time lanes get after the profile's duration to finish the shoppers they have.
pub const DRAIN: Duration = Duration::from_secs(5);

/// How long after a journey's last step its receipt may still be cut.
const CUT_WAIT: Duration = Duration::from_secs(10);

/// The lane group every series is recorded under (one group until stages name groups).
const GROUP: &str = "store";

/// At most this many shoppers per lane in one run (every loop is bounded).
const MAX_SHOPPERS_PER_LANE: usize = 1_000_000;

/// What a finished run reports.
#[derive(Debug, Clone)]
pub struct LoadReport {
    pub dir: PathBuf,
    pub passed: bool,
    pub baskets: u64,
    pub cut_off: u64,
    pub elapsed: Duration,
    pub wall: Duration,
    pub time: &'static str,
}

impl LoadReport {
    pub fn describe(&self) -> String {
        format!(
            "{} baskets in {:.1}s {} time ({:.1}s wall), {} shoppers cut off at the end; thresholds {}; report in {}",
            self.baskets,
            self.elapsed.as_secs_f64(),
            self.time,
            self.wall.as_secs_f64(),
            self.cut_off,
            if self.passed { "passed" } else { "FAILED" },
            self.dir.display()
        )
    }
}

/// Runs `plan` in its own runtime (virtual or real time) and writes the run folder.
pub fn run(plan: LoadPlan, args: &LoadArgs) -> anyhow::Result<LoadReport> {
    let mode = match (args.time, plan.profile.time) {
        (TimeChoice::Real, _) | (TimeChoice::Auto, TimeMode::Real) => ClockMode::Real,
        _ => ClockMode::Virtual,
    };
    let seed = args.seed.or(plan.profile.seed).unwrap_or(1);
    let dir = args.out.clone().unwrap_or_else(|| {
        PathBuf::from("runs").join(format!("load-{}-seed-{seed}", plan.profile.name))
    });
    std::fs::create_dir_all(&dir)
        .with_context(|| format!("create the run folder {}", dir.display()))?;
    let runtime = build_runtime(mode).context("start the runtime")?;
    let wall = std::time::Instant::now();
    let local = tokio::task::LocalSet::new();
    let mut report = local.block_on(&runtime, engine(plan, args, mode, seed, dir))?;
    report.wall = wall.elapsed();
    Ok(report)
}

/// Recorder keys of the standard series.
#[derive(Clone, Copy)]
struct Keys {
    checkout: SeriesKey,
    queue_wait: SeriesKey,
    card_auth: SeriesKey,
    lag: SeriesKey,
}

/// What every lane task shares (one thread: `Rc`/`RefCell`, no borrow held across an await).
struct Run {
    rec: RefCell<Recorder>,
    keys: Keys,
    start: Instant,
    baskets: Cell<u64>,
    cut_off: Cell<u64>,
    metrics: Option<Metrics>,
}

impl Run {
    fn since(&self, at: Instant) -> Duration {
        at.saturating_duration_since(self.start)
    }
    fn now(&self) -> Duration {
        self.since(Instant::now())
    }
    fn record(&self, key: SeriesKey, scheduled: Duration, ended: Duration) {
        self.rec
            .borrow_mut()
            .record_scheduled(key, scheduled, ended);
    }
    fn error(&self, op: &str, cause: &str) {
        self.rec.borrow_mut().record_error(op, GROUP, cause);
    }
}

async fn engine(
    mut plan: LoadPlan,
    args: &LoadArgs,
    mode: ClockMode,
    seed: u64,
    dir: PathBuf,
) -> anyhow::Result<LoadReport> {
    let profile = plan.profile.clone();
    let lanes = profile.store.lanes;
    let duration = profile.duration.as_std();
    let deadline_after = duration + args.drain;
    let virtual_time = mode == ClockMode::Virtual;
    let mut info = RunInfo::new(profile.name.clone());
    info.seed = Some(seed);
    info.time_mode = if virtual_time {
        ReportTime::Virtual
    } else {
        ReportTime::Real
    };
    info.started_epoch_ms = if virtual_time {
        (EPOCH_UNIX_SECS as u64) * 1000
    } else {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_millis() as u64)
            .unwrap_or_default()
    };

    // The store: shared hosts, then every lane built and set up (before the clock starts).
    let mut hosts = SharedHosts::start(&plan.data, seed, EPOCH_UNIX_SECS)?;
    if profile.store.acquirer == AcquirerTransport::Tcp {
        if virtual_time {
            return Err(anyhow!(
                "`store: {{acquirer: tcp}}` needs real time (`--time real` or `time: real`)"
            ));
        }
        let addr = hosts.serve_acquirer_tcp().await?;
        eprintln!("acquirer on tcp://{addr}");
    }
    let durability = match profile.store.journal {
        JournalSync::Full => Durability::Full,
        JournalSync::Normal => Durability::Normal,
    };
    let journals = dir.join("journals");
    std::fs::create_dir_all(&journals).context("create the journals folder")?;
    let mut building = Vec::new();
    for lane in 1..=lanes {
        let obs = Arc::new(Mutex::new(LaneObs::default()));
        let observer: DeviceObserver = {
            let obs = obs.clone();
            Arc::new(move |role, event| obs.lock().expect("lane observer").see(role, event))
        };
        let journal = journals.join(format!("lane{lane:04}.db"));
        let _ = std::fs::remove_file(&journal);
        let world = start_lane_world(
            &hosts,
            plan.data.clone(),
            lane,
            &journal,
            durability,
            observer,
        )
        .await
        .with_context(|| format!("start lane {lane}"))?;
        let setup = plan.setup.clone();
        building.push(tokio::task::spawn_local(async move {
            for s in &setup {
                let r = match &s.step {
                    Step::Expect(e) => expect::check(&world, e)
                        .await
                        .map_err(|m| anyhow!("{} expectation(s) not met", m.len())),
                    other => {
                        let r = step::perform(&world, other).await;
                        tokio::time::sleep(PACE).await;
                        r
                    }
                };
                if let Err(e) = r {
                    return Err(anyhow!("lane {lane} setup step `{}`: {e:#}", s.step.name()));
                }
            }
            Ok((lane, world, obs))
        }));
    }
    let mut ready = Vec::new();
    for b in building {
        ready.push(b.await.context("a lane's setup task")??);
    }

    // Recording.
    let log = run_dir::create_interval_log(&dir, &info)?;
    let mut rec = Recorder::new(info, Duration::from_secs(1)).with_interval_log(log);
    let mut metrics = None;
    let mut _server = None;
    if let Some(port) = args.metrics_port {
        let m = Metrics::new()?;
        let server = MetricsServer::start(m.clone(), ([127, 0, 0, 1], port).into()).await?;
        eprintln!("metrics on http://{}/metrics", server.local_addr());
        m.set_lanes_active(i64::from(lanes));
        rec = rec.with_metrics(m.clone());
        metrics = Some(m);
        _server = Some(server);
    }
    let keys = Keys {
        checkout: rec.key(ops::CHECKOUT, GROUP),
        queue_wait: rec.key(ops::QUEUE_WAIT, GROUP),
        card_auth: rec.key(ops::CARD_AUTH, GROUP),
        lag: rec.key(ops::SCHEDULING_LAG, GROUP),
    };
    let run = Rc::new(Run {
        rec: RefCell::new(rec),
        keys,
        start: Instant::now(),
        baskets: Cell::new(0),
        cut_off: Cell::new(0),
        metrics,
    });
    let deadline = run.start + deadline_after;
    let plan = Rc::new(RefCell::new({
        plan.setup.clear();
        plan
    }));

    let mut lane_tasks = Vec::new();
    let mut lane_worlds: Vec<Rc<World>> = Vec::new();
    let mut watchers = Vec::new();
    let root = SimRng::new(seed);
    for (lane, world, obs) in ready {
        let world = Rc::new(world);
        lane_worlds.push(world.clone());
        // The printer reports paper cuts through its state (not as events): watch it.
        let mut printer = world.device(DeviceRole::Printer).watch_state();
        obs.lock()
            .expect("lane observer")
            .printer(&printer.borrow_and_update(), Instant::now());
        watchers.push(tokio::task::spawn_local({
            let obs = obs.clone();
            async move {
                while printer.changed().await.is_ok() {
                    // Read in place: a printer snapshot holds its kept receipts, and cloning
                    // it on every printed line was a quarter of a virtual run's CPU.
                    let state = printer.borrow_and_update();
                    obs.lock()
                        .expect("lane observer")
                        .printer(&state, Instant::now());
                }
            }
        }));
        let arrivals = arrivals(
            &profile.shoppers.arrivals,
            duration,
            &mut root.child(&format!("lane{lane}/arrivals")),
        );
        let shoppers = root.child(&format!("lane{lane}/shoppers"));
        let think = profile.shoppers.think.clone();
        let ctx = LaneCtx {
            run: run.clone(),
            plan: plan.clone(),
            world,
            obs,
            think,
            deadline,
        };
        lane_tasks.push(tokio::task::spawn_local(lane_loop(ctx, arrivals, shoppers)));
    }
    let fault_task = tokio::task::spawn_local(faults(
        run.clone(),
        profile.faults.clone(),
        lane_worlds.clone(),
        deadline,
    ));

    // The ticker: intervals every second, progress every 5 s, until every lane is done.
    let done = Rc::new(Cell::new(0usize));
    let ticker = {
        let run = run.clone();
        let done = done.clone();
        let progress = args.progress;
        let n = lane_tasks.len();
        tokio::task::spawn_local(async move {
            let mut k: u64 = 1;
            while done.get() < n {
                let at = run.start + Duration::from_secs(k);
                if at > deadline + Duration::from_secs(5) {
                    break;
                }
                tokio::time::sleep_until(at).await;
                let now = run.now();
                let _ = run.rec.borrow_mut().tick(now);
                if progress && k % 5 == 0 {
                    let rec = run.rec.borrow();
                    let mut p = Progress::from_recorder(&rec, now, run.baskets.get());
                    p.total = Some(duration);
                    eprintln!("{}", format_progress(&p, 3));
                }
                k += 1;
            }
        })
    };
    for t in lane_tasks {
        t.await.context("a lane task")?;
        done.set(done.get() + 1);
    }
    fault_task.abort();
    let _ = fault_task.await;
    for w in watchers {
        w.abort();
    }
    let _ = ticker.await;
    let elapsed = run.now();

    for w in lane_worlds {
        if let Ok(mut w) = Rc::try_unwrap(w) {
            let _ = w.shutdown().await;
        }
    }
    let run = Rc::try_unwrap(run).map_err(|_| anyhow!("the run is still shared at its end"))?;
    let results = run.rec.into_inner().finish(elapsed)?;
    let summary = run_dir::write_outputs(&dir, &results, &profile.thresholds)?;
    Ok(LoadReport {
        dir,
        passed: summary.passed,
        baskets: run.baskets.get(),
        cut_off: run.cut_off.get(),
        elapsed,
        wall: Duration::ZERO,
        time: if virtual_time { "virtual" } else { "real" },
    })
}

/// Arrival times (since the run started) of one lane's shoppers within `duration`.
fn arrivals(a: &Arrivals, duration: Duration, rng: &mut ChildRng) -> Vec<Duration> {
    let mut out = Vec::new();
    match a {
        Arrivals::Poisson(rate) => {
            if rate.per_minute <= 0.0 {
                return out;
            }
            let mean = 60.0 / rate.per_minute;
            let mut t = 0.0;
            while out.len() < MAX_SHOPPERS_PER_LANE {
                let u: f64 = rng.gen_range(f64::EPSILON..1.0);
                t += -u.ln() * mean;
                if t >= duration.as_secs_f64() {
                    break;
                }
                out.push(Duration::from_secs_f64(t));
            }
        }
        Arrivals::Constant(i) => {
            let every = i.every.as_std();
            if every.is_zero() {
                return out;
            }
            // A random phase, so lanes do not all take shoppers in the same instant.
            let mut t = every.mul_f64(rng.gen_range(0.0..1.0));
            while t < duration && out.len() < MAX_SHOPPERS_PER_LANE {
                out.push(t);
                t += every;
            }
        }
    }
    out
}

/// A think time drawn from the profile's distribution (PACE without one).
fn think_time(think: &Option<Think>, rng: &mut ChildRng) -> Duration {
    let secs = match think {
        None => return PACE,
        Some(Think::Fixed { time }) => return time.as_std(),
        Some(Think::Uniform { min, max }) => {
            let (a, b) = (min.as_std().as_secs_f64(), max.as_std().as_secs_f64());
            if b > a {
                rng.gen_range(a..b)
            } else {
                a
            }
        }
        Some(Think::Exponential { mean }) => {
            let u: f64 = rng.gen_range(f64::EPSILON..1.0);
            -u.ln() * mean.as_std().as_secs_f64()
        }
        Some(Think::LogNormal { median, sigma }) => {
            // Box–Muller for a standard normal.
            let u1: f64 = rng.gen_range(f64::EPSILON..1.0);
            let u2: f64 = rng.gen_range(0.0..1.0);
            let z = (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos();
            median.as_std().as_secs_f64() * (sigma * z).exp()
        }
    };
    Duration::from_secs_f64(secs.clamp(0.0, 3600.0))
}

/// What a lane's devices showed, stamped when the device saw it.
#[derive(Default)]
struct LaneObs {
    cuts: u64,
    last_cut: Option<Instant>,
    /// The first input (scan, key, weight) since the shopper started.
    first_input: Option<Instant>,
    card_presented: Option<Instant>,
    /// Card results not yet recorded: (presented, shown, error cause).
    card_results: Vec<(Instant, Instant, Option<String>)>,
}

impl LaneObs {
    /// A printer snapshot: a new cut is a receipt finished.
    fn printer(&mut self, state: &serde_json::Value, now: Instant) {
        if let Some(cuts) = state["cuts"].as_u64() {
            if cuts > self.cuts {
                self.cuts = cuts;
                self.last_cut = Some(now);
            }
        }
    }

    fn see(&mut self, role: DeviceRole, event: &DeviceEvent) {
        let now = Instant::now();
        match (role, event) {
            (DeviceRole::Printer, DeviceEvent::State { state }) => self.printer(state, now),
            (
                DeviceRole::Scanner | DeviceRole::Keyboard | DeviceRole::Scale,
                DeviceEvent::Action { .. },
            ) => {
                self.first_input.get_or_insert(now);
            }
            (DeviceRole::Pinpad, DeviceEvent::Action { name, .. })
                if matches!(name.as_str(), "insert" | "swipe" | "tap") =>
            {
                self.card_presented = Some(now);
            }
            (DeviceRole::Display, DeviceEvent::State { state }) => {
                let Some(presented) = self.card_presented else {
                    return;
                };
                let line = |i: usize| {
                    state["lines"][i]
                        .as_str()
                        .unwrap_or_default()
                        .trim()
                        .to_owned()
                };
                let (l1, l2) = (line(0), line(1));
                let outcome = if l1.starts_with("APPROVED") {
                    Some(None)
                } else if l2.starts_with("DECLINED") {
                    Some(Some(format!(
                        "declined {}",
                        l2.trim_start_matches("DECLINED").trim()
                    )))
                } else if matches!(
                    l1.as_str(),
                    "PIN CANCELLED"
                        | "PIN TIMEOUT"
                        | "CARD CANCELLED"
                        | "NO RESPONSE"
                        | "HOST DOWN"
                ) {
                    Some(Some(l1.to_lowercase()))
                } else {
                    None
                };
                if let Some(cause) = outcome {
                    self.card_results.push((presented, now, cause));
                    self.card_presented = None;
                }
            }
            _ => {}
        }
    }
}

struct LaneCtx {
    run: Rc<Run>,
    plan: Rc<RefCell<LoadPlan>>,
    world: Rc<World>,
    obs: Arc<Mutex<LaneObs>>,
    think: Option<Think>,
    deadline: Instant,
}

impl LaneCtx {
    fn obs(&self) -> std::sync::MutexGuard<'_, LaneObs> {
        self.obs.lock().expect("lane observer")
    }

    /// Moves the card results seen so far into the recorder.
    fn drain_cards(&self) {
        let results = std::mem::take(&mut self.obs().card_results);
        for (presented, shown, cause) in results {
            match cause {
                None => self.run.record(
                    self.run.keys.card_auth,
                    self.run.since(presented),
                    self.run.since(shown),
                ),
                Some(c) => self.run.error(ops::CARD_AUTH, &c),
            }
        }
    }
}

/// One lane: its shoppers in arrival order, each run to the end or cut off at the deadline.
async fn lane_loop(ctx: LaneCtx, arrivals: Vec<Duration>, mut rng: ChildRng) {
    let run = ctx.run.clone();
    let mut free_at = Duration::ZERO;
    for (i, arrival) in arrivals.iter().enumerate() {
        let first_at = (*arrival).max(free_at);
        if run.start + first_at >= ctx.deadline {
            // Shoppers still queued when the run ends were never served: counted, not hidden.
            let left = (arrivals.len() - i) as u64;
            run.cut_off.set(run.cut_off.get() + left);
            for _ in 0..left {
                run.error("shopper", "not served before the end");
            }
            break;
        }
        let drawn = ctx.plan.borrow_mut().shopper(&mut rng);
        let (journey, steps) = match drawn {
            Ok(d) => d,
            Err(e) => {
                run.error(ops::CHECKOUT, &format!("plan: {e:#}"));
                continue;
            }
        };
        {
            let mut o = ctx.obs();
            o.first_input = None;
            o.last_cut = None;
        }
        let mut at = first_at;
        let mut failed: Option<String> = None;
        let mut cut_off = false;
        for s in steps.iter() {
            let is_action = !matches!(s.step, Step::Expect(_));
            if is_action {
                tokio::time::sleep_until(run.start + at).await;
                let lag = run.now();
                run.record(run.keys.lag, at, lag);
            }
            if Instant::now() >= ctx.deadline {
                cut_off = true;
                break;
            }
            let r = match &s.step {
                Step::Expect(e) => expect::check(&ctx.world, e)
                    .await
                    .map_err(|m| anyhow!("expectation not met ({} mismatches)", m.len())),
                other => step::perform(&ctx.world, other).await,
            };
            ctx.drain_cards();
            if let Err(e) = r {
                failed = Some(format!("{} failed", s.step.name()));
                tracing::debug!("journey {journey}: step {}: {e:#}", s.step.name());
                break;
            }
            if is_action {
                at = run.now() + think_time(&ctx.think, &mut rng);
            }
        }
        if failed.is_none() && !cut_off {
            // A journey's expectations can pass on an earlier receipt still in the printer's
            // memory: wait (bounded) for this basket's cut. Its time is stamped by the watcher.
            let until = (Instant::now() + CUT_WAIT).min(ctx.deadline);
            while ctx.obs().last_cut.is_none() && Instant::now() < until {
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        }
        ctx.drain_cards();
        let (first_input, last_cut) = {
            let o = ctx.obs();
            (o.first_input, o.last_cut)
        };
        if let Some(first) = first_input {
            run.record(run.keys.queue_wait, *arrival, run.since(first));
        }
        if cut_off {
            run.cut_off.set(run.cut_off.get() + 1);
            run.error("shopper", "cut off at the end");
        } else if let Some(cause) = failed {
            run.error(ops::CHECKOUT, &cause);
            recover(&ctx.world).await;
        } else if let Some(cut) = last_cut {
            run.record(run.keys.checkout, first_at, run.since(cut));
            run.baskets.set(run.baskets.get() + 1);
            if let Some(m) = &run.metrics {
                m.basket_completed();
            }
        } else {
            tracing::debug!("journey {journey}: no receipt cut seen");
            run.error(ops::CHECKOUT, "no receipt cut");
        }
        free_at = run.now();
        if cut_off {
            break;
        }
    }
}

/// After a failed journey: what a cashier does to get the lane back (cancel the sale, take
/// the card out, close the drawer), each at most once and best effort.
async fn recover(world: &World) {
    for step in [Step::Key("CANCEL".into()), Step::Key("CLEAR".into())] {
        let _ = step::perform(world, &step).await;
        tokio::time::sleep(PACE).await;
    }
    if world.drawer_open() {
        let _ = world
            .device(DeviceRole::Printer)
            .act_json(serde_json::json!({"action": "close_drawer"}))
            .await;
    }
    let _ = world
        .device(DeviceRole::Pinpad)
        .act_json(serde_json::json!({"action": "remove"}))
        .await;
    tokio::time::sleep(PACE).await;
}

/// Scheduled faults: each applied on its lanes at `at`, undone after `for` when given.
async fn faults(
    run: Rc<Run>,
    faults: Vec<crate::scenario::document::ScheduledFault>,
    worlds: Vec<Rc<World>>,
    deadline: Instant,
) {
    // (time, apply?, index) in time order.
    let mut events: Vec<(Duration, bool, usize)> = Vec::new();
    for (i, f) in faults.iter().enumerate() {
        events.push((f.at.as_std(), true, i));
        if let Some(d) = f.for_ {
            events.push((f.at.as_std() + d.as_std(), false, i));
            run.rec.borrow_mut().add_fault_window(FaultWindow::new(
                f.at.as_std().as_secs_f64(),
                (f.at.as_std() + d.as_std()).as_secs_f64(),
                f.step.name(),
            ));
        }
    }
    events.sort_by_key(|e| (e.0, !e.1, e.2));
    for (at, apply, i) in events {
        if run.start + at >= deadline {
            break;
        }
        tokio::time::sleep_until(run.start + at).await;
        let f = &faults[i];
        let step = if apply {
            Some(f.step.clone())
        } else {
            undo(&f.step)
        };
        let Some(step) = step else { continue };
        for (n, w) in worlds.iter().enumerate() {
            let lane = n as u32 + 1;
            if !f.lanes.is_empty() && !f.lanes.contains(&lane) {
                continue;
            }
            if let Err(e) = step::perform(w, &step).await {
                tracing::warn!("fault `{}` on lane {lane}: {e:#}", step.name());
            }
        }
    }
}

/// The step that undoes a fault step, when there is one.
fn undo(step: &Step) -> Option<Step> {
    match step {
        Step::Partition(name) => Some(Step::Repair(name.clone())),
        Step::Fault(f) => Some(Step::Clear(f.clone())),
        _ => None,
    }
}
