//! Scheduled faults of a load profile — each fault step applied on its lanes at its time and
//! undone after `for` when it has one — with the fault windows shaded in the report and the
//! device and link states they cause shown in the Prometheus metrics.

use std::rc::Rc;
use std::time::Duration;

use posrig_reports::prometheus::Metrics;
use posrig_reports::FaultWindow;

use super::engine::Run;
use crate::run::step;
use crate::run::world::World;
use crate::scenario::document::ScheduledFault;
use crate::scenario::{DeviceRole, Step};

/// Shades every fault window of `faults` in the run's report.
pub fn add_windows(run: &Run, faults: &[ScheduledFault]) {
    for f in faults {
        if let Some(d) = f.for_ {
            run.rec.borrow_mut().add_fault_window(FaultWindow::new(
                f.at.as_std().as_secs_f64(),
                (f.at.as_std() + d.as_std()).as_secs_f64(),
                label(&f.step),
            ));
        }
    }
}

/// Applies and undoes `faults` on `lanes` (lane number, world) at their times, until the run
/// stops.
pub async fn run_faults(run: Rc<Run>, faults: Vec<ScheduledFault>, lanes: Vec<(u32, Rc<World>)>) {
    // (time, apply?, index) in time order; an undo before an apply at the same time.
    let mut events: Vec<(Duration, bool, usize)> = Vec::new();
    for (i, f) in faults.iter().enumerate() {
        events.push((f.at.as_std(), true, i));
        if let Some(d) = f.for_ {
            events.push((f.at.as_std() + d.as_std(), false, i));
        }
    }
    events.sort_by_key(|e| (e.0, e.1, e.2));
    for (at, apply, i) in events {
        if run
            .stop
            .bounded(tokio::time::sleep_until(run.start + at))
            .await
            .is_none()
        {
            break;
        }
        let f = &faults[i];
        let step = if apply {
            Some(f.step.clone())
        } else {
            undo(&f.step)
        };
        let Some(step) = step else { continue };
        for (lane, world) in &lanes {
            if !f.lanes.is_empty() && !f.lanes.contains(lane) {
                continue;
            }
            if let Err(e) = step::perform(world, &step).await {
                tracing::warn!("fault `{}` on lane {lane}: {e:#}", step.name());
            }
            if let Some(m) = &run.metrics {
                show_state(m, *lane, &step);
            }
            run.log.borrow().emit(
                Some(*lane),
                "load/faults",
                posrig_sim::event::EventKind::FaultInjected {
                    fault: format!("{} {}", step.name(), label(&step)),
                },
            );
        }
    }
}

/// Every device `ok` and every link `up` for `lane`, before any fault.
pub fn initial_states(m: &Metrics, lane: u32, world: &World) {
    let l = lane.to_string();
    for role in DeviceRole::ALL {
        m.set_device_state(&l, role.name(), "ok");
    }
    for link in world.links.keys() {
        m.set_link_state(&l, link, "up");
    }
}

/// The device or link state a fault step leaves behind.
fn show_state(m: &Metrics, lane: u32, step: &Step) {
    let l = lane.to_string();
    match step {
        Step::Partition(link) => m.set_link_state(&l, link, "partitioned"),
        Step::Repair(link) => m.set_link_state(&l, link, "up"),
        Step::Link(change) => m.set_link_state(&l, &change.name, "impaired"),
        Step::Fault(f) => m.set_device_state(&l, f.device.name(), &fault_name(&f.fault)),
        Step::Clear(f) => m.set_device_state(&l, f.device.name(), "ok"),
        _ => {}
    }
}

/// A fault's name: `paper_out`, or the `fault:` of `{fault: slow, lines_per_s: 5}`.
fn fault_name(v: &serde_yaml::Value) -> String {
    v.as_str()
        .or_else(|| v.get("fault").and_then(serde_yaml::Value::as_str))
        .unwrap_or("fault")
        .to_owned()
}

/// A short label for a fault step: `partition acquirer-primary`, `printer paper_out`.
fn label(step: &Step) -> String {
    match step {
        Step::Partition(link) | Step::Repair(link) => format!("{} {link}", step.name()),
        Step::Link(change) => format!("link {}", change.name),
        Step::Fault(f) | Step::Clear(f) => format!("{} {}", f.device.name(), fault_name(&f.fault)),
        other => other.name().to_owned(),
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
