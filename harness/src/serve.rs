//! `posrig devices serve`: start a rig's simulated devices on pseudo-terminals or serial paths,
//! print where each one is, and serve the local control API until interrupted.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{bail, Context};
use posrig_devices::display::CustomerDisplay;
use posrig_devices::keyboard::Keyboard;
use posrig_devices::pinpad::PinPad;
use posrig_devices::printer::Printer;
use posrig_devices::scale::Scale;
use posrig_devices::scanner::Scanner;
use posrig_devices::{DeviceEvent, DeviceHandle, EventSink, ServeOptions, SimDevice};
use posrig_sim::clock::{system_epoch_unix_secs, Clock};
use posrig_sim::data::CardFile;
use posrig_sim::event::{EventBus, EventKind};
use posrig_sim::wire::pty::Pty;
use posrig_sim::wire::WireEnd;
use serde::Serialize;

use crate::control_api::{self, Registry};
use crate::rig::{load_rig, DeviceMode, DeviceSlot, Port, Rig};

/// One line of `devices serve` output: where a served device can be reached.
#[derive(Debug, Serialize)]
pub struct ServedDevice {
    pub role: String,
    pub port: String,
    pub kind: &'static str,
}

/// Devices started from a rig, their ports and their control handles.
pub struct ServedRig {
    pub devices: Vec<ServedDevice>,
    pub registry: Registry,
    pub bus: EventBus,
    // Keep the wires' owners alive for as long as the devices run.
    _ptys: Vec<PathBuf>,
}

/// The data folder a rig uses: its `data:` key relative to the rig file, or `scenarios/data`.
pub fn data_dir(rig: &Rig, rig_path: &Path) -> PathBuf {
    match &rig.data {
        Some(dir) => rig_path.parent().unwrap_or(Path::new(".")).join(dir),
        None => rig_path
            .parent()
            .and_then(Path::parent)
            .map(|scenarios| scenarios.join("data"))
            .filter(|d| d.is_dir())
            .unwrap_or_else(|| PathBuf::from("scenarios/data")),
    }
}

/// Start every simulated device of the rig that has a pty or serial port. Must run inside a
/// tokio runtime (real time: outside programs are on the other end).
pub fn start(rig: &Rig, rig_path: &Path) -> anyhow::Result<ServedRig> {
    let bus = EventBus::new(Clock::start(system_epoch_unix_secs()));
    let mut registry = BTreeMap::new();
    let mut devices = Vec::new();
    let mut ptys = Vec::new();
    let d = &rig.devices;

    let mut open = |role: &str, port: &Port| -> anyhow::Result<(WireEnd, String, &'static str)> {
        match port {
            Port::Pty => {
                let pty = Pty::open().with_context(|| format!("open a pseudo-terminal for the {role}"))?;
                let path = pty.path().to_path_buf();
                ptys.push(path.clone());
                Ok((pty.into_end(), path.display().to_string(), "pty"))
            }
            Port::Serial(settings) => {
                let end = settings
                    .open()
                    .with_context(|| format!("open serial port `{}` for the {role}", settings.path))?;
                Ok((end, settings.path.clone(), "serial"))
            }
            Port::Memory => bail!(
                "the {role} is on an in-memory wire, which no outside program can reach: give it `port: pty` or a serial port"
            ),
        }
    };

    macro_rules! slot {
        ($role:literal, $slot:expr, $make:expr) => {
            if let Some(slot) = $slot {
                if served(slot) {
                    let (wire, port, kind) = open($role, &slot.port)?;
                    let device = $make(slot.config.clone().unwrap_or_default())?;
                    let handle = spawn(device, wire, &bus, kind);
                    registry.insert($role.to_string(), handle);
                    devices.push(ServedDevice {
                        role: $role.to_string(),
                        port,
                        kind,
                    });
                }
            }
        };
    }

    slot!("printer", &d.printer, |c| Printer::new(c)
        .context("configure the printer"));
    slot!("scanner", &d.scanner, |c| anyhow::Ok(Scanner::new(c)));
    if d.pinpad.as_ref().is_some_and(served) {
        let cards_path = data_dir(rig, rig_path).join("cards.yaml");
        let cards = Arc::new(CardFile::load(&cards_path).with_context(|| {
            format!(
                "load the test cards for the PIN pad from `{}`",
                cards_path.display()
            )
        })?);
        slot!("pinpad", &d.pinpad, |c| PinPad::new(c, cards.clone())
            .context("configure the PIN pad"));
    }
    slot!(
        "display",
        &d.display,
        |_c: crate::rig::NoConfig| anyhow::Ok(CustomerDisplay::new())
    );
    slot!("keyboard", &d.keyboard, |c| anyhow::Ok(Keyboard::new(c)));
    slot!("scale", &d.scale, |c| anyhow::Ok(Scale::new(c)));

    Ok(ServedRig {
        devices,
        registry: Arc::new(registry),
        bus,
        _ptys: ptys,
    })
}

fn served<C>(slot: &DeviceSlot<C>) -> bool {
    slot.mode == DeviceMode::Simulated && slot.port != Port::Memory
}

fn spawn<D: SimDevice>(device: D, wire: WireEnd, bus: &EventBus, kind: &str) -> DeviceHandle {
    let emitter = bus.emitter(None, device.role());
    let sink: EventSink = Box::new(move |event| emitter.emit(to_event_kind(event)));
    let options = ServeOptions {
        // A pty reports errors while no program has it open; keep serving across reconnections.
        retry_after_eof: (kind == "pty").then(|| std::time::Duration::from_millis(50)),
    };
    posrig_devices::serve(device, wire, sink, options)
}

/// A device's event as one of the run's event kinds.
pub fn to_event_kind(event: DeviceEvent) -> EventKind {
    use posrig_sim::event::FrameDir as Dir;
    match event {
        DeviceEvent::Frame { dir, summary } => EventKind::Frame {
            dir: match dir {
                posrig_devices::Direction::In => Dir::In,
                posrig_devices::Direction::Out => Dir::Out,
            },
            summary,
        },
        DeviceEvent::Action { name, detail } => EventKind::Action { name, detail },
        DeviceEvent::FaultInjected { fault } => EventKind::FaultInjected { fault },
        DeviceEvent::FaultCleared { fault } => EventKind::FaultCleared { fault },
        DeviceEvent::State { state } => EventKind::DeviceState { state },
    }
}

/// The whole command: load the rig, start its devices, print one JSON line per device and one for
/// the control API, then serve until Ctrl-C.
pub async fn run(rig_path: &Path, listen: Option<std::net::SocketAddr>) -> anyhow::Result<()> {
    let rig = load_rig(rig_path)?;
    let served = start(&rig, rig_path)?;
    if served.devices.is_empty() {
        bail!(
            "rig `{}` has no simulated device on a pty or serial port to serve",
            rig_path.display()
        );
    }
    let addr = listen.unwrap_or(rig.control.listen);
    let (bound_tx, bound_rx) = tokio::sync::oneshot::channel();
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let api = tokio::spawn(control_api::serve(
        served.registry.clone(),
        addr,
        bound_tx,
        async move {
            let _ = stop_rx.await;
        },
    ));
    let bound = match bound_rx.await {
        Ok(bound) => bound,
        Err(_) => {
            return Err(api
                .await
                .context("control API task")?
                .err()
                .map(anyhow::Error::from)
                .unwrap_or_else(|| anyhow::anyhow!("control API stopped before listening")))
            .with_context(|| format!("listen on {addr}"));
        }
    };
    for device in &served.devices {
        println!("{}", serde_json::to_string(device)?);
    }
    println!(
        "{}",
        serde_json::json!({ "role": "control", "url": format!("http://{bound}") })
    );
    tracing::info!(rig = %rig.name, devices = served.devices.len(), "serving; Ctrl-C to stop");
    tokio::signal::ctrl_c().await.context("wait for Ctrl-C")?;
    let _ = stop_tx.send(());
    api.await.context("control API task")??;
    Ok(())
}
