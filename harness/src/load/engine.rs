//! Lanes, shoppers and clocks of one load run.
//!
//! # Timing
//!
//! Each lane draws its shoppers' arrival times up front from its own seeded generator
//! (`lane<N>/arrivals`, see [`super::schedule`]), so arrivals never depend on how fast the lane
//! is (open model). A shopper's first action is scheduled when the shopper has arrived and the
//! lane is free; each later action at the end of the previous one plus a think time. Latencies
//! are measured from those scheduled times to what is observed at the devices:
//!
//! - `queue_wait`: arrival (scheduled) → first input seen at the scanner/keyboard/scale;
//! - `checkout`: first action's scheduled time → the paper cut seen at the printer;
//! - `card_auth`: card seen at the pad → the result on the customer display;
//! - `scheduling_lag`: each action's actual start − its scheduled time (the harness's own delay).
//!
//! A stalled lane thus shows up in `queue_wait` of every shopper behind it.
//!
//! # Ending
//!
//! No shopper starts after the profile's duration; shoppers in progress get `--drain` (default
//! 3 s) and are then cut off, every wait bounded by [`Stop`]. Shoppers still queued at the end
//! and those cut off are counted in the run's notes and as `shopper` errors, never hidden.

use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::rc::Rc;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::{anyhow, Context};
use posrig_pos::journal::Durability;
use posrig_reports::prometheus::{Metrics, MetricsServer};
use posrig_reports::{ops, run_dir, Recorder, RunInfo, SeriesKey, TimeMode as ReportTime};
use posrig_sim::clock::{build_runtime, TimeMode as ClockMode};
use posrig_sim::event::{Event, EventKind};
use posrig_sim::rng::{ChildRng, SimRng};
use tokio::time::Instant;

use super::digest::RunLog;
use super::faults;
use super::live::Live;
use super::observe::LaneObs;
use super::plan::LoadPlan;
use super::schedule::Schedule;
use super::shard::Shard;
use super::stop::Stop;
use super::think::think_time;
use super::LoadArgs;
use crate::run::shared::{start_lane_world, DeviceObserver, SharedHosts};
use crate::run::world::{World, EPOCH_UNIX_SECS};
use crate::run::{expect, step, TimeChoice, PACE};
use crate::scenario::document::{AcquirerTransport, JournalSync, Think};
use crate::scenario::{DeviceRole, Step, TimeMode};

/// Default time shoppers in progress get after the profile's duration.
pub const DRAIN: Duration = Duration::from_secs(3);

/// How long after a journey's last step its receipt may still be cut.
const CUT_WAIT: Duration = Duration::from_secs(10);

/// How long a lane may wait for its POS to be ready for the next sale (drawer seen closed).
const READY_WAIT: Duration = Duration::from_secs(5);

/// How long a lane's shutdown may take at the end of the run.
const SHUTDOWN_WAIT: Duration = Duration::from_secs(2);

/// What a finished run reports.
#[derive(Debug, Clone)]
pub struct LoadReport {
    pub dir: PathBuf,
    pub passed: bool,
    pub baskets: u64,
    /// Shoppers in progress at the deadline.
    pub cut_off: u64,
    /// Shoppers who arrived but never started before the end.
    pub not_served: u64,
    pub elapsed: Duration,
    pub wall: Duration,
    pub time: &'static str,
    pub seed: u64,
    pub shard: Shard,
    /// Why the run stopped early, when a threshold aborted it.
    pub aborted: Option<String>,
    /// SHA-256 of the run's event log, and its length.
    pub digest: String,
    pub events: u64,
    /// The events themselves when kept (`--check-determinism`).
    pub kept_events: Vec<Event>,
}

impl LoadReport {
    pub fn describe(&self) -> String {
        format!(
            "{} baskets in {:.1}s {} time ({:.1}s wall), seed {}{}, {} shoppers cut off at the end, {} not served; \
             thresholds {}{}; digest {} ({} events); report in {}",
            self.baskets,
            self.elapsed.as_secs_f64(),
            self.time,
            self.wall.as_secs_f64(),
            self.seed,
            if self.shard.is_whole() {
                String::new()
            } else {
                format!(", shard {}", self.shard)
            },
            self.cut_off,
            self.not_served,
            if self.passed { "passed" } else { "FAILED" },
            self.aborted
                .as_ref()
                .map(|a| format!(" ({a})"))
                .unwrap_or_default(),
            self.digest.get(..16).unwrap_or(&self.digest),
            self.events,
            self.dir.display()
        )
    }
}

/// The clock a run uses: real when asked for (flag or profile), virtual otherwise. The load
/// engine drives simulated devices only, so `auto` can always be virtual.
pub fn clock_mode(choice: TimeChoice, profile: TimeMode) -> ClockMode {
    match (choice, profile) {
        (TimeChoice::Real, _) | (TimeChoice::Auto, TimeMode::Real) => ClockMode::Real,
        _ => ClockMode::Virtual,
    }
}

/// Runs `plan` in its own runtime (virtual or real time) and writes the run folder `dir`.
pub fn run(
    plan: LoadPlan,
    args: &LoadArgs,
    dir: PathBuf,
    keep_events: bool,
) -> anyhow::Result<LoadReport> {
    let mode = clock_mode(args.time, plan.profile.time);
    let seed = args.seed.or(plan.profile.seed).unwrap_or(1);
    std::fs::create_dir_all(&dir)
        .with_context(|| format!("create the run folder {}", dir.display()))?;
    let runtime = build_runtime(mode).context("start the runtime")?;
    let wall = std::time::Instant::now();
    let local = tokio::task::LocalSet::new();
    let opts = Opts {
        mode,
        seed,
        dir,
        keep_events,
    };
    let mut report = local.block_on(&runtime, engine(plan, args, opts))?;
    report.wall = wall.elapsed();
    Ok(report)
}

struct Opts {
    mode: ClockMode,
    seed: u64,
    dir: PathBuf,
    keep_events: bool,
}

/// Recorder keys of the standard series of one lane group.
#[derive(Clone, Copy)]
pub struct Keys {
    checkout: SeriesKey,
    queue_wait: SeriesKey,
    card_auth: SeriesKey,
    lag: SeriesKey,
}

impl Keys {
    fn of(rec: &mut Recorder, group: &str) -> Self {
        Keys {
            checkout: rec.key(ops::CHECKOUT, group),
            queue_wait: rec.key(ops::QUEUE_WAIT, group),
            card_auth: rec.key(ops::CARD_AUTH, group),
            lag: rec.key(ops::SCHEDULING_LAG, group),
        }
    }
}

/// What every lane task shares (one thread: `Rc`/`RefCell`, no borrow held across an await).
pub struct Run {
    pub rec: RefCell<Recorder>,
    pub start: Instant,
    pub stop: Stop,
    pub log: RefCell<RunLog>,
    pub baskets: Cell<u64>,
    pub cut_off: Cell<u64>,
    pub not_served: Cell<u64>,
    pub metrics: Option<Metrics>,
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
    /// Records a measurement of `op` and logs it as an event (the run's digest covers it).
    fn measure(&self, lane: u32, key: SeriesKey, op: &str, scheduled: Duration, ended: Duration) {
        self.record(key, scheduled, ended);
        self.emit(
            lane,
            EventKind::Measurement {
                op: op.to_owned(),
                latency_us: ended.saturating_sub(scheduled).as_micros() as u64,
            },
        );
    }
    fn error(&self, lane: u32, group: &str, op: &str, cause: &str) {
        self.rec.borrow_mut().record_error(op, group, cause);
        self.emit(
            lane,
            EventKind::Note {
                text: format!("{op} failed: {cause}"),
            },
        );
    }
    fn emit(&self, lane: u32, kind: EventKind) {
        self.log.borrow().emit(Some(lane), "load", kind);
    }
}

async fn engine(mut plan: LoadPlan, args: &LoadArgs, opts: Opts) -> anyhow::Result<LoadReport> {
    let Opts {
        mode,
        seed,
        dir,
        keep_events,
    } = opts;
    let profile = plan.profile.clone();
    let schedule = Schedule::of(&profile);
    let shard = args.shard;
    let lanes: Vec<u32> = (1..=schedule.max_lanes().max(profile.store.lanes))
        .filter(|l| shard.has_lane(*l))
        .collect();
    let duration = profile.duration.as_std();
    let virtual_time = mode == ClockMode::Virtual;
    let mut info = RunInfo::new(profile.name.clone());
    info.seed = Some(seed);
    info.shard = (!shard.is_whole()).then(|| shard.to_string());
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
    info.notes.push(format!(
        "time: {} ({})",
        if virtual_time { "virtual" } else { "real" },
        match args.time {
            TimeChoice::Auto if virtual_time => "auto: every device is simulated",
            TimeChoice::Auto => "the profile's `time: real`",
            _ => "as asked with --time",
        }
    ));

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
    let mut log = RunLog::new(&hosts.bus, keep_events);
    let durability = match profile.store.journal {
        JournalSync::Full => Durability::Full,
        JournalSync::Normal => Durability::Normal,
    };
    let journals = dir.join("journals");
    std::fs::create_dir_all(&journals).context("create the journals folder")?;
    let mut building = Vec::new();
    for &lane in &lanes {
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
    log.drain();

    // Recording.
    let log_file = run_dir::create_interval_log(&dir, &info)?;
    let mut rec = Recorder::new(info, Duration::from_secs(1)).with_interval_log(log_file);
    let mut metrics = None;
    let mut server = None;
    if let Some(port) = args.metrics_port {
        let m = Metrics::new()?;
        let s = MetricsServer::start(m.clone(), ([127, 0, 0, 1], port).into()).await?;
        eprintln!("metrics on http://{}/metrics", s.local_addr());
        rec = rec.with_metrics(m.clone());
        metrics = Some(m);
        server = Some(s);
    }
    let mut keys: BTreeMap<String, Keys> = BTreeMap::new();
    for &lane in &lanes {
        let group = plan.group_of(lane);
        if let std::collections::btree_map::Entry::Vacant(e) = keys.entry(group) {
            let k = Keys::of(&mut rec, e.key());
            e.insert(k);
        }
    }
    let start = Instant::now();
    let run = Rc::new(Run {
        rec: RefCell::new(rec),
        start,
        stop: Stop::new(start + duration, args.drain),
        log: RefCell::new(log),
        baskets: Cell::new(0),
        cut_off: Cell::new(0),
        not_served: Cell::new(0),
        metrics,
    });
    let plan = Rc::new(RefCell::new({
        plan.setup.clear();
        plan
    }));

    let mut lane_tasks = Vec::new();
    let mut lane_worlds: Vec<(u32, Rc<World>)> = Vec::new();
    let mut watchers = Vec::new();
    let root = SimRng::new(seed);
    for (lane, world, obs) in ready {
        let world = Rc::new(world);
        if let Some(m) = &run.metrics {
            faults::initial_states(m, lane, &world);
        }
        lane_worlds.push((lane, world.clone()));
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
        let arrivals = schedule.arrivals(lane, &mut root.child(&format!("lane{lane}/arrivals")));
        let shoppers = root.child(&format!("lane{lane}/shoppers"));
        let group = plan.borrow().group_of(lane);
        let ctx = LaneCtx {
            lane,
            keys: keys[&group],
            group,
            run: run.clone(),
            plan: plan.clone(),
            world,
            obs,
            think: profile.shoppers.think.clone(),
        };
        lane_tasks.push(tokio::task::spawn_local(lane_loop(ctx, arrivals, shoppers)));
    }
    faults::add_windows(&run, &profile.faults);
    let fault_task = tokio::task::spawn_local(faults::run_faults(
        run.clone(),
        profile.faults.clone(),
        lane_worlds.clone(),
    ));

    // The ticker: an interval every second (log, live display, abort checks) until every lane
    // is done; bounded by the deadline.
    let lanes_done = Rc::new(tokio::sync::Notify::new());
    let ticker = {
        let run = run.clone();
        let lanes_done = lanes_done.clone();
        let thresholds = profile.thresholds.clone();
        let mut live = Live::new(duration, args.progress);
        let schedule = schedule.clone();
        let lanes = lanes.clone();
        tokio::task::spawn_local(async move {
            let mut k: u64 = 1;
            loop {
                let at = run.start + Duration::from_secs(k);
                if at > run.stop.deadline + Duration::from_secs(1) {
                    break;
                }
                tokio::select! {
                    biased;
                    _ = lanes_done.notified() => break,
                    _ = tokio::time::sleep_until(at) => {}
                }
                let now = run.now();
                let _ = run.rec.borrow_mut().tick(now);
                if let Some(why) = run.stop.check(&run.rec.borrow(), &thresholds, now) {
                    live.println(&format!("threshold failed, stopping: {why}"));
                }
                if let Some(m) = &run.metrics {
                    let open = schedule.lanes_at(now.as_secs_f64());
                    m.set_lanes_active(lanes.iter().filter(|l| **l <= open).count() as i64);
                }
                live.tick(&run.rec.borrow(), now, run.baskets.get());
                run.log.borrow_mut().drain();
                k += 1;
            }
            live.finish()
        })
    };
    for t in lane_tasks {
        t.await.context("a lane task")?;
    }
    // Lanes without shoppers left stay open to the end of the profile's duration: the run
    // (and its timeline) covers the whole time arrivals could have come.
    if run.stop.aborted().is_none() {
        let _ = run
            .stop
            .bounded(tokio::time::sleep_until(run.stop.arrivals_end))
            .await;
    }
    let elapsed = run.now();
    lanes_done.notify_one();
    fault_task.abort();
    let _ = fault_task.await;
    for w in watchers {
        w.abort();
    }
    let lag_note = ticker.await.ok().flatten();

    for (_, w) in lane_worlds {
        if let Ok(mut w) = Rc::try_unwrap(w) {
            let _ = tokio::time::timeout(SHUTDOWN_WAIT, w.shutdown()).await;
        }
    }
    let run = Rc::try_unwrap(run).map_err(|_| anyhow!("the run is still shared at its end"))?;
    let (digest, events, kept_events) = run.log.into_inner().finish();
    let aborted = run.stop.aborted();
    let mut rec = run.rec.into_inner();
    if let Some(why) = &aborted {
        rec.add_note(why.clone());
    }
    if run.cut_off.get() + run.not_served.get() > 0 {
        rec.add_note(format!(
            "{} shopper(s) in progress cut off at the end, {} arrived but not served (counted as `shopper` errors{})",
            run.cut_off.get(),
            run.not_served.get(),
            if aborted.is_some() {
                ", except those left when the run was aborted"
            } else {
                ""
            }
        ));
    }
    if let Some(n) = lag_note {
        rec.add_note(n);
    }
    rec.add_note(format!("event digest {digest} ({events} events)"));
    let results = rec.finish(elapsed)?;
    let summary = run_dir::write_outputs(&dir, &results, &profile.thresholds)?;
    if let Some(m) = &run.metrics {
        std::fs::write(dir.join("metrics.prom"), m.encode()?).context("write metrics.prom")?;
    }
    if let Some(s) = server {
        let _ = s.stop().await;
    }
    Ok(LoadReport {
        dir,
        passed: summary.passed,
        baskets: run.baskets.get(),
        cut_off: run.cut_off.get(),
        not_served: run.not_served.get(),
        elapsed,
        wall: Duration::ZERO,
        time: if virtual_time { "virtual" } else { "real" },
        seed,
        shard,
        aborted,
        digest,
        events,
        kept_events,
    })
}

struct LaneCtx {
    lane: u32,
    group: String,
    keys: Keys,
    run: Rc<Run>,
    plan: Rc<RefCell<LoadPlan>>,
    world: Rc<World>,
    obs: Arc<Mutex<LaneObs>>,
    think: Option<Think>,
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
                None => self.run.measure(
                    self.lane,
                    self.keys.card_auth,
                    ops::CARD_AUTH,
                    self.run.since(presented),
                    self.run.since(shown),
                ),
                Some(c) => self.run.error(self.lane, &self.group, ops::CARD_AUTH, &c),
            }
        }
    }

    fn error(&self, op: &str, cause: &str) {
        self.run.error(self.lane, &self.group, op, cause);
    }
}

/// One lane: its shoppers in arrival order, each run to the end or cut off at the deadline.
async fn lane_loop(ctx: LaneCtx, arrivals: Vec<Duration>, mut rng: ChildRng) {
    let run = ctx.run.clone();
    let mut free_at = Duration::ZERO;
    for (i, arrival) in arrivals.iter().enumerate() {
        let first_at = (*arrival).max(free_at);
        if !run.stop.may_start(run.start + first_at) {
            // Shoppers still queued when the run ends were never served: counted, not hidden
            // (unless a threshold aborted the run, which says so itself).
            let left = arrived(&arrivals[i..], run.now());
            run.not_served.set(run.not_served.get() + left);
            if run.stop.aborted().is_none() {
                for _ in 0..left {
                    ctx.error("shopper", "not served before the end");
                }
            }
            break;
        }
        let drawn = ctx.plan.borrow_mut().shopper(&mut rng);
        let (journey, steps) = match drawn {
            Ok(d) => d,
            Err(e) => {
                ctx.error(ops::CHECKOUT, &format!("plan: {e:#}"));
                continue;
            }
        };
        run.emit(
            ctx.lane,
            EventKind::Action {
                name: "shopper".into(),
                detail: journey.clone(),
            },
        );
        tracing::debug!(
            "lane {}: shopper {journey} starts at {:?}, display {:?}",
            ctx.lane,
            run.start + first_at,
            ctx.world.display()
        );
        {
            let mut o = ctx.obs();
            o.first_input = None;
            o.last_cut = None;
        }
        let mut at = first_at;
        let mut failed: Option<String> = None;
        let mut cut_off = false;
        let mut queue_recorded = false;
        for s in steps.iter() {
            let is_action = !matches!(s.step, Step::Expect(_));
            if is_action {
                let until = run.start + at;
                if run
                    .stop
                    .bounded(tokio::time::sleep_until(until))
                    .await
                    .is_none()
                {
                    cut_off = true;
                    break;
                }
                let lag = run.now();
                run.record(ctx.keys.lag, at, lag);
                run.emit(
                    ctx.lane,
                    EventKind::Action {
                        name: s.step.name().into(),
                        detail: String::new(),
                    },
                );
            }
            let r = run
                .stop
                .bounded(async {
                    match &s.step {
                        Step::Expect(e) => expect::check(&ctx.world, e).await.map_err(|m| {
                            let checks: Vec<&str> = m.iter().map(|x| x.check).collect();
                            let detail: Vec<String> = m
                                .iter()
                                .map(|x| {
                                    format!("{}: expected {}, saw {}", x.check, x.expected, x.seen)
                                })
                                .collect();
                            tracing::debug!("lane {}: {}", ctx.lane, detail.join("; "));
                            anyhow!("expect {}", checks.join("+"))
                        }),
                        other => step::perform(&ctx.world, other).await,
                    }
                })
                .await;
            ctx.drain_cards();
            let Some(r) = r else {
                cut_off = true;
                break;
            };
            if let Err(e) = r {
                // The cause names the step (and an expectation's checks), never what was seen:
                // a display or receipt may hold card data.
                failed = Some(match &s.step {
                    Step::Expect(_) => format!("{e} failed"),
                    other => format!("{} failed", other.name()),
                });
                tracing::debug!("journey {journey}: step {}: {e:#}", s.step.name());
                break;
            }
            if is_action {
                at = run.now() + think_time(&ctx.think, &mut rng);
            }
            if !queue_recorded {
                // Recorded as soon as it is known, so it lands in the interval it happened in.
                let first = ctx.obs().first_input;
                if let Some(first) = first {
                    queue_recorded = true;
                    run.measure(
                        ctx.lane,
                        ctx.keys.queue_wait,
                        ops::QUEUE_WAIT,
                        *arrival,
                        run.since(first),
                    );
                }
            }
        }
        if failed.is_none() && !cut_off {
            // A journey's expectations can pass on an earlier receipt still in the printer's
            // memory: wait (bounded) for this basket's cut. Its time is stamped by the watcher.
            let until = Instant::now() + CUT_WAIT;
            while ctx.obs().last_cut.is_none() && Instant::now() < until && !run.stop.is_over() {
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        }
        ctx.drain_cards();
        let (first_input, last_cut) = {
            let o = ctx.obs();
            (o.first_input, o.last_cut)
        };
        if let (Some(first), false) = (first_input, queue_recorded) {
            run.measure(
                ctx.lane,
                ctx.keys.queue_wait,
                ops::QUEUE_WAIT,
                *arrival,
                run.since(first),
            );
        }
        if cut_off {
            run.cut_off.set(run.cut_off.get() + 1);
            if run.stop.aborted().is_none() {
                ctx.error("shopper", "cut off at the end");
            }
        } else if let Some(cause) = failed {
            ctx.error(ops::CHECKOUT, &cause);
            let _ = run.stop.bounded(recover(&ctx.world)).await;
        } else if let Some(cut) = last_cut {
            run.measure(
                ctx.lane,
                ctx.keys.checkout,
                ops::CHECKOUT,
                first_at,
                run.since(cut),
            );
            run.baskets.set(run.baskets.get() + 1);
            if let Some(m) = &run.metrics {
                m.basket_completed();
            }
        } else if run.stop.is_over() {
            run.cut_off.set(run.cut_off.get() + 1);
            if run.stop.aborted().is_none() {
                ctx.error("shopper", "cut off at the end");
            }
        } else {
            tracing::debug!("journey {journey}: no receipt cut seen");
            ctx.error(ops::CHECKOUT, "no receipt cut");
        }
        if !cut_off {
            // The lane is free when the POS can take the next sale: after a cash sale it shows
            // the change until it sees the drawer closed at its next status poll (then `NEXT
            // CUSTOMER`), and refuses a scan before that (`CLOSE DRAWER`). A cashier waits for
            // it rather than scanning into the refusal.
            let until = Instant::now() + READY_WAIT;
            while drawer_prompt(&ctx.world) && Instant::now() < until && !run.stop.is_over() {
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        }
        free_at = run.now();
        if cut_off {
            // Later shoppers of this lane were never served.
            let left = arrived(&arrivals[i + 1..], run.now());
            run.not_served.set(run.not_served.get() + left);
            if run.stop.aborted().is_none() {
                for _ in 0..left {
                    ctx.error("shopper", "not served before the end");
                }
            }
            break;
        }
    }
}

/// Whether the POS has not yet seen the drawer closed after a cash sale.
fn drawer_prompt(world: &World) -> bool {
    let line = &world.display()[0];
    line == "CHANGE" || line.contains("CLOSE DRAWER")
}

/// How many of `arrivals` had arrived by `now` (after an abort, later ones never came).
fn arrived(arrivals: &[Duration], now: Duration) -> u64 {
    arrivals.iter().filter(|a| **a <= now).count() as u64
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
