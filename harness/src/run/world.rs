//! The world a scenario runs in (`sut: embedded`): one POS lane in-process, every device
//! simulated on an in-memory wire through a named, impairable link, the acquirer reached through
//! `acquirer-primary`/`acquirer-backup` and the wallet host through `wallet`. Everything reports
//! to one event bus; time is tokio's (virtual or real), randomness the run's seed.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::Context;
use posrig_devices::display::CustomerDisplay;
use posrig_devices::keyboard::Keyboard;
use posrig_devices::pinpad::PinPad;
use posrig_devices::printer::Printer;
use posrig_devices::scale::Scale;
use posrig_devices::scanner::Scanner;
use posrig_devices::{DeviceHandle, ServeOptions, SimDevice};
use posrig_pos::driver::Port;
use posrig_pos::host::connector::ConnectFuture;
use posrig_pos::host::{ByteStream, Connector, QrEndpoint};
use posrig_pos::lane::{LaneHandle, LaneHosts, LanePorts};
use posrig_sim::acquirer::{Acquirer, AcquirerConfig, HostObserver};
use posrig_sim::clock::Clock;
use posrig_sim::data::CardFile;
use posrig_sim::event::{EventBus, EventKind, EventStream};
use posrig_sim::qrhost::{QrHost, QrHostConfig};
use posrig_sim::rng::SimRng;
use posrig_sim::wire::{ImpairmentError, Link, LinkBuilder, LinkConditions, LinkControl, WireEnd};

use crate::observe::RttSamples;
use crate::scenario::library::DataSet;
use crate::scenario::DeviceRole;

pub use super::lane::start_lane;

/// Calendar time at the start of every run: 2025-01-01 10:00:00 UTC.
pub const EPOCH_UNIX_SECS: i64 = 1_735_725_600;

/// The running world of one scenario.
pub struct World {
    pub bus: EventBus,
    /// Every event of the run since the world was built (for the event log and its digest).
    pub events: EventStream,
    pub devices: BTreeMap<DeviceRole, DeviceHandle>,
    /// Every impairable link by name (`acquirer-primary`, `wallet`, `printer`, …).
    pub links: BTreeMap<String, LinkControl>,
    pub acquirer: Acquirer,
    pub wallet: QrHost,
    pub host_seen: Arc<HostSeen>,
    /// The embedded POS lane (`sut: embedded`).
    pub lane: Option<LaneHandle>,
    /// The POS process and what it connects to (`sut: process`).
    pub process: Option<super::process::ProcessSut>,
    pub journal: PathBuf,
    pub data: Arc<DataSet>,
}

impl World {
    /// Builds the world and starts the lane; returns once the lane has finished its start-up
    /// sign-on (or 60 s have passed).
    pub async fn start(data: Arc<DataSet>, seed: u64, journal: &Path) -> anyhow::Result<World> {
        let clock = Clock::start(EPOCH_UNIX_SECS);
        let bus = EventBus::new(clock);
        let events = bus.subscribe();
        let rng = SimRng::new(seed);
        let data_dir = data.dir.clone();
        let cards = Arc::new(
            CardFile::load(&data_dir.join("cards.yaml")).context("load the cards data file")?,
        );
        let mut devices = BTreeMap::new();
        let mut links = BTreeMap::new();
        let mut wire = Wiring {
            bus: &bus,
            rng: &rng,
            devices: &mut devices,
            links: &mut links,
        };
        let ports = LanePorts {
            printer: Some(wire.device(DeviceRole::Printer, Printer::new(Default::default())?)?),
            scanner: Some(wire.device(DeviceRole::Scanner, Scanner::new(Default::default()))?),
            pinpad: Some(wire.device(DeviceRole::Pinpad, PinPad::new(Default::default(), cards)?)?),
            display: Some(wire.device(DeviceRole::Display, CustomerDisplay::new())?),
            keyboard: Some(wire.device(DeviceRole::Keyboard, Keyboard::new(Default::default()))?),
            scale: Some(wire.device(DeviceRole::Scale, Scale::new(Default::default()))?),
        };

        let host_seen = Arc::new(HostSeen::measuring(bus.clone()));
        let acquirer = Acquirer::with_observer(
            AcquirerConfig::load(&data_dir)
                .context("load the acquirer's data")?
                .with_derived_lanes(true)
                .with_sim_rng(&rng)
                .with_clock(clock),
            host_seen.clone(),
        );
        let wallet = QrHost::with_observer(
            QrHostConfig::load(&data_dir).context("load wallets")?,
            Arc::new(host_seen.rtt.clone()),
        );

        let primary = wire.host_link("acquirer-primary", {
            let acquirer = acquirer.clone();
            move |link| acquirer.connect_through(link)
        });
        let backup = wire.host_link("acquirer-backup", {
            let acquirer = acquirer.clone();
            move |link| acquirer.connect_through(link)
        });
        let wallet_link = wire.host_link("wallet", {
            let wallet = wallet.clone();
            move |link| wallet.connect_through(link)
        });
        let hosts = LaneHosts {
            acquirer: Box::new(primary),
            acquirer_backup: Some(Box::new(backup)),
            wallet: Some(QrEndpoint::with_connector(Box::new(wallet_link), "wallet")),
        };

        let journal = journal.to_owned();
        let lane = start_lane(&data_dir, &journal, &clock, ports, hosts)?;
        let world = World {
            bus,
            events,
            devices,
            links,
            acquirer,
            wallet,
            host_seen,
            lane: Some(lane),
            process: None,
            journal,
            data,
        };
        world.wait_until_started().await;
        Ok(world)
    }

    /// A device of the lane (every role is simulated in the embedded world).
    pub fn device(&self, role: DeviceRole) -> &DeviceHandle {
        &self.devices[&role]
    }

    /// The two display lines, trimmed.
    pub fn display(&self) -> [String; 2] {
        let state = self.device(DeviceRole::Display).state();
        let line = |i: usize| {
            state["lines"][i]
                .as_str()
                .unwrap_or_default()
                .trim()
                .to_owned()
        };
        [line(0), line(1)]
    }

    /// The text of every receipt printed so far, oldest first.
    pub fn receipts(&self) -> Vec<String> {
        self.device(DeviceRole::Printer).with_state(|state| {
            state["receipts"]
                .as_array()
                .map(|a| {
                    a.iter()
                        .map(|r| r["text"].as_str().unwrap_or_default().to_owned())
                        .collect()
                })
                .unwrap_or_default()
        })
    }

    /// Whether the cash drawer reports open.
    pub fn drawer_open(&self) -> bool {
        self.device(DeviceRole::Printer)
            .with_state(|state| state["drawer"]["open"].as_bool().unwrap_or(false))
    }

    /// Waits (at most `limit`) until the display's first line is one of `lines`; returns it.
    pub async fn wait_display(&self, lines: &[&str], limit: Duration) -> Option<String> {
        let deadline = tokio::time::Instant::now() + limit;
        loop {
            let [line1, _] = self.display();
            if lines.contains(&line1.as_str()) {
                return Some(line1);
            }
            if tokio::time::Instant::now() >= deadline {
                return None;
            }
            tokio::time::sleep(super::POLL).await;
        }
    }

    /// The lane signs on by itself when it starts; steps begin after that.
    async fn wait_until_started(&self) {
        let settled = ["SIGNED ON", "SIGN ON FAILED", "PLEASE LOG IN"];
        self.wait_display(&settled, Duration::from_secs(60)).await;
    }

    /// Stops the lane or the POS process (its journal is then complete and closed).
    pub async fn shutdown(&mut self) -> anyhow::Result<()> {
        if let Some(lane) = self.lane.take() {
            lane.shutdown().await.context("shut the lane down")?;
        }
        if let Some(sut) = self.process.take() {
            sut.terminal.stop().await.context("stop the POS process")?;
        }
        Ok(())
    }
}

/// Puts devices and host connectors on named links, registering each link's control.
struct Wiring<'a> {
    bus: &'a EventBus,
    rng: &'a SimRng,
    devices: &'a mut BTreeMap<DeviceRole, DeviceHandle>,
    links: &'a mut BTreeMap<String, LinkControl>,
}

impl Wiring<'_> {
    /// Serves `device` on an in-memory wire through the link named for its role; returns the
    /// POS end as a driver port.
    fn device<D: SimDevice>(&mut self, role: DeviceRole, device: D) -> anyhow::Result<Port> {
        let (pos_end, device_end, link) = Link::builder(role.name())
            .rng(self.rng)
            .events(self.bus)
            .pair()
            .context("wire a device")?;
        self.links
            .insert(role.name().to_owned(), link.control().clone());
        let bus = self.bus.clone();
        let source = format!("lane1/{}", role.name());
        let sink = Box::new(move |event| {
            bus.emit(Some(1), &source, crate::serve::to_event_kind(event));
        });
        let handle = posrig_devices::serve(device, device_end, sink, ServeOptions::default());
        self.devices.insert(role, handle);
        Ok(Port::from_box(Box::new(pos_end)))
    }

    /// A connector whose every connection goes through the link `name` (one control for all of
    /// them, so a partition holds new connections too).
    fn host_link(
        &mut self,
        name: &str,
        open: impl Fn(LinkBuilder) -> Result<(WireEnd, Link), ImpairmentError> + Send + Sync + 'static,
    ) -> LinkConnector {
        let control = LinkControl::new(name, LinkConditions::default())
            .expect("an unimpaired link always validates")
            .with_emitter(self.bus.emitter(None, format!("link/{name}")));
        self.links.insert(name.to_owned(), control.clone());
        LinkConnector {
            name: name.to_owned(),
            control,
            rng: self.rng.clone(),
            open: Box::new(open),
        }
    }
}

type OpenThrough =
    Box<dyn Fn(LinkBuilder) -> Result<(WireEnd, Link), ImpairmentError> + Send + Sync>;

/// A host connector for the POS whose connections run through a named link.
struct LinkConnector {
    name: String,
    control: LinkControl,
    rng: SimRng,
    open: OpenThrough,
}

impl Connector for LinkConnector {
    fn connect(&self) -> ConnectFuture<'_> {
        let builder = Link::builder(&self.name)
            .rng(&self.rng)
            .control(self.control.clone());
        let opened = (self.open)(builder);
        let control = self.control.clone();
        Box::pin(async move {
            // As through a real network: while the link is partitioned a new connection is never
            // established (the SYN is lost), so the POS's connect timeout decides. Connections
            // already open stay open and hold their bytes (`LinkControl::partition`).
            while control.conditions().a_to_b.stalled || control.conditions().b_to_a.stalled {
                tokio::time::sleep(super::POLL).await;
            }
            let (end, _link) = opened.map_err(std::io::Error::other)?;
            Ok(Box::new(end) as Box<dyn ByteStream>)
        })
    }

    fn describe(&self) -> String {
        format!("memory link `{}`", self.name)
    }
}

/// What the acquirer saw last (for `expect: {host: …}`), also reported on the event bus.
pub struct HostSeen {
    bus: EventBus,
    last: Mutex<LastExchange>,
    /// Round trips timed on the hosts' wires (acquirer and wallet host), for `host_rtt`.
    pub rtt: RttSamples,
}

/// The last request's MTI and the last decision's response code.
#[derive(Debug, Clone, Default)]
pub struct LastExchange {
    pub mti: Option<String>,
    pub code: Option<String>,
}

impl HostSeen {
    /// An observer that keeps no round trips (the load engine's shared hosts).
    pub(crate) fn new(bus: EventBus) -> Self {
        HostSeen {
            bus,
            last: Mutex::new(LastExchange::default()),
            rtt: RttSamples::discarding(),
        }
    }

    /// An observer that also keeps every round trip for `host_rtt` (a scenario run's world).
    pub(crate) fn measuring(bus: EventBus) -> Self {
        HostSeen {
            rtt: RttSamples::new(),
            ..Self::new(bus)
        }
    }

    pub fn last(&self) -> LastExchange {
        self.last.lock().expect("host observer lock").clone()
    }
}

impl HostObserver for HostSeen {
    fn request(&self, mti: &str, stan: &str, terminal_id: &str, summary: &str) {
        self.last.lock().expect("host observer lock").mti = Some(mti.to_owned());
        self.bus.emit(
            None,
            "acquirer",
            EventKind::Note {
                text: format!("request {mti} stan {stan} from {terminal_id}: {summary}"),
            },
        );
    }

    fn decision(&self, mti: &str, stan: &str, code: &str, detail: &str) {
        self.last.lock().expect("host observer lock").code = Some(code.to_owned());
        self.bus.emit(
            None,
            "acquirer",
            EventKind::HostDecision {
                mti: mti.into(),
                stan: stan.into(),
                code: code.into(),
                detail: detail.into(),
            },
        );
    }

    fn host_rtt(&self, rtt: Duration) {
        self.rtt.push(rtt);
    }

    fn note(&self, text: &str) {
        self.bus
            .emit(None, "acquirer", EventKind::Note { text: text.into() });
    }
}
