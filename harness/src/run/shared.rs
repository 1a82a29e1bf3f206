//! Many embedded lanes in one world (for the load engine): one acquirer and one wallet host
//! shared by every lane, each lane with its own devices, its own impairable links and its own
//! terminal id (`LANE0001`, `LANE0002`, …; the acquirer derives keys for ids not in
//! `terminals.yaml`). Each lane is a [`World`], so the step executor and expectations work on it
//! unchanged.
//!
//! Additive to the runner: nothing here changes how `posrig run` builds its world.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use anyhow::Context;
use posrig_devices::display::CustomerDisplay;
use posrig_devices::keyboard::Keyboard;
use posrig_devices::pinpad::{PinPad, PinPadConfig};
use posrig_devices::printer::{Printer, PrinterConfig};
use posrig_devices::scale::Scale;
use posrig_devices::scanner::Scanner;
use posrig_devices::{DeviceEvent, DeviceHandle, ServeOptions, SimDevice};
use posrig_pos::clock::{DateTime, WallClock};
use posrig_pos::driver::Port;
use posrig_pos::host::connector::ConnectFuture;
use posrig_pos::host::{ByteStream, Connector, QrEndpoint, TcpConnector};
use posrig_pos::journal::Durability;
use posrig_pos::lane::{spawn_lane, LaneHandle, LaneHosts, LanePorts, LaneSetup};
use posrig_protocols::crypto::TdesKey;
use posrig_sim::acquirer::derive_lane_master_key;
use posrig_sim::acquirer::{Acquirer, AcquirerConfig, AcquirerServer};
use posrig_sim::clock::Clock;
use posrig_sim::data::{CardFile, TerminalFile};
use posrig_sim::event::EventBus;
use posrig_sim::qrhost::{QrHost, QrHostConfig};
use posrig_sim::rng::SimRng;
use posrig_sim::wire::{Link, LinkConditions, LinkControl};

use super::lane::{MASTER_KEY, MERCHANT_ID};
use super::world::{HostSeen, World};
use crate::scenario::library::DataSet;
use crate::scenario::DeviceRole;

/// Sees every event of a lane's devices as it happens (the load engine's wire-level clocks).
pub type DeviceObserver = Arc<dyn Fn(DeviceRole, &DeviceEvent) + Send + Sync>;

/// The hosts every lane of a store talks to.
pub struct SharedHosts {
    pub clock: Clock,
    /// Host-side events (acquirer decisions); nobody needs to subscribe.
    pub bus: EventBus,
    pub rng: SimRng,
    pub acquirer: Acquirer,
    pub wallet: QrHost,
    pub host_seen: Arc<HostSeen>,
    cards: Arc<CardFile>,
    terminals: TerminalFile,
    /// The acquirer listening on loopback TCP, when lanes connect to it that way.
    acquirer_tcp: Option<AcquirerServer>,
}

impl SharedHosts {
    /// Starts the acquirer (deriving keys for `LANEnnnn` terminals) and the wallet host from
    /// the data folder; calendar time is `epoch_unix_secs` plus tokio's elapsed time.
    pub fn start(data: &DataSet, seed: u64, epoch_unix_secs: i64) -> anyhow::Result<SharedHosts> {
        let clock = Clock::start(epoch_unix_secs);
        let bus = EventBus::new(clock);
        let rng = SimRng::new(seed);
        let cards =
            Arc::new(CardFile::load(&data.dir.join("cards.yaml")).context("load cards.yaml")?);
        let terminals =
            TerminalFile::load(&data.dir.join("terminals.yaml")).context("load terminals.yaml")?;
        let host_seen = Arc::new(HostSeen::new(bus.clone()));
        let acquirer = Acquirer::with_observer(
            AcquirerConfig::load(&data.dir)
                .context("load the acquirer's data")?
                .with_derived_lanes(true)
                .with_sim_rng(&rng)
                .with_clock(clock),
            host_seen.clone(),
        );
        let wallet = QrHost::new(QrHostConfig::load(&data.dir).context("load wallets")?);
        Ok(SharedHosts {
            clock,
            bus,
            rng,
            acquirer,
            wallet,
            host_seen,
            cards,
            terminals,
            acquirer_tcp: None,
        })
    }

    /// Serves the acquirer on 127.0.0.1 (any free port): lanes started after this connect to it
    /// over TCP instead of in-memory links (real time only). Returns the address.
    pub async fn serve_acquirer_tcp(&mut self) -> anyhow::Result<std::net::SocketAddr> {
        let server = self
            .acquirer
            .listen("127.0.0.1:0")
            .await
            .context("serve the acquirer on loopback TCP")?;
        let addr = server.local_addr();
        self.acquirer_tcp = Some(server);
        Ok(addr)
    }
}

/// The terminal id of lane `n` (1-based): `LANE0001`.
pub fn terminal_id(lane: u32) -> String {
    format!("LANE{lane:04}")
}

/// Builds lane `lane` (1-based) on the shared hosts and starts its POS; returns once the lane
/// has settled after its start-up sign-on (or 60 s have passed). `durability` is the journal's
/// (`Full` unless the load profile asks for less). Device events go to `observe`
/// (and nowhere else: the lane's own bus has no subscriber, so a long run keeps no event log).
pub async fn start_lane_world(
    hosts: &SharedHosts,
    data: Arc<DataSet>,
    lane: u32,
    journal: &Path,
    durability: Durability,
    observe: DeviceObserver,
) -> anyhow::Result<World> {
    let id = terminal_id(lane);
    // The key the acquirer holds: from terminals.yaml, else derived from the id; the POS and
    // the PIN pad both get it.
    let master_key = match hosts.terminals.by_id(&id) {
        Some(t) => t.master_key(),
        None => derive_lane_master_key(&id)
            .unwrap_or_else(|| TdesKey::from_hex(MASTER_KEY).expect("valid built-in key")),
    };
    let pad_config = PinPadConfig {
        master_key: master_key
            .bytes()
            .iter()
            .map(|b| format!("{b:02X}"))
            .collect(),
        ..Default::default()
    };
    let bus = EventBus::new(hosts.clock);
    // An empty stream: nobody emits on this bus.
    let events = EventBus::new(hosts.clock).subscribe();
    let rng = hosts.rng.scoped(&format!("lane{lane}"));
    let mut devices = BTreeMap::new();
    let mut links = BTreeMap::new();
    let mut put = |role: DeviceRole,
                   make: &mut dyn FnMut(posrig_sim::wire::WireEnd) -> DeviceHandle|
     -> anyhow::Result<Port> {
        let (pos_end, device_end, link) = Link::builder(role.name())
            .rng(&rng)
            .events(&bus)
            .pair()
            .context("wire a device")?;
        links.insert(role.name().to_owned(), link.control().clone());
        devices.insert(role, make(device_end));
        Ok(Port::from_box(Box::new(pos_end)))
    };
    let sink = |role: DeviceRole| -> posrig_devices::EventSink {
        let observe = observe.clone();
        Box::new(move |event| observe(role, &event))
    };
    fn served<D: SimDevice>(
        device: D,
        sink: posrig_devices::EventSink,
    ) -> impl FnMut(posrig_sim::wire::WireEnd) -> DeviceHandle {
        let mut once = Some((device, sink));
        move |end| {
            let (device, sink) = once.take().expect("each device is served once");
            posrig_devices::serve(device, end, sink, ServeOptions::default())
        }
    }
    let ports = LanePorts {
        printer: Some(put(
            DeviceRole::Printer,
            &mut served(
                // Two kept receipts are enough for a journey's expectations, and every snapshot
                // (one a printed line) carries the kept ones: eight made it four times dearer.
                Printer::new(PrinterConfig {
                    keep_receipts: 2,
                    ..Default::default()
                })?,
                sink(DeviceRole::Printer),
            ),
        )?),
        scanner: Some(put(
            DeviceRole::Scanner,
            &mut served(Scanner::new(Default::default()), sink(DeviceRole::Scanner)),
        )?),
        pinpad: Some(put(
            DeviceRole::Pinpad,
            &mut served(
                PinPad::new(pad_config, hosts.cards.clone())?,
                sink(DeviceRole::Pinpad),
            ),
        )?),
        display: Some(put(
            DeviceRole::Display,
            &mut served(CustomerDisplay::new(), sink(DeviceRole::Display)),
        )?),
        keyboard: Some(put(
            DeviceRole::Keyboard,
            &mut served(
                Keyboard::new(Default::default()),
                sink(DeviceRole::Keyboard),
            ),
        )?),
        scale: Some(put(
            DeviceRole::Scale,
            &mut served(Scale::new(Default::default()), sink(DeviceRole::Scale)),
        )?),
    };

    let mut host_link = |name: &str, open: Open| -> LinkConnector {
        let control = LinkControl::new(name, LinkConditions::default())
            .expect("an unimpaired link always validates");
        links.insert(name.to_owned(), control.clone());
        LinkConnector {
            name: name.to_owned(),
            control,
            rng: rng.clone(),
            open,
        }
    };
    let acquirer = hosts.acquirer.clone();
    let primary = host_link("acquirer-primary", Open::Acquirer(acquirer.clone()));
    let backup = host_link("acquirer-backup", Open::Acquirer(acquirer));
    let wallet_link = host_link("wallet", Open::Wallet(hosts.wallet.clone()));
    let (acquirer_primary, acquirer_backup): (Box<dyn Connector>, Box<dyn Connector>) =
        match &hosts.acquirer_tcp {
            // The links stay registered (so fault steps naming them still resolve) but carry
            // nothing: both connectors go to the listening acquirer.
            Some(server) => {
                let addr = server.local_addr().to_string();
                (
                    Box::new(TcpConnector::new([addr.clone()])),
                    Box::new(TcpConnector::new([addr])),
                )
            }
            None => (Box::new(primary), Box::new(backup)),
        };
    let lane_hosts = LaneHosts {
        acquirer: acquirer_primary,
        acquirer_backup: Some(acquirer_backup),
        wallet: Some(QrEndpoint::with_connector(Box::new(wallet_link), "wallet")),
    };

    let mut setup = LaneSetup::from_data_dir(
        &data.dir,
        journal,
        &id,
        MERCHANT_ID,
        master_key,
        Arc::new(Calendar(hosts.clock)),
    )
    .context("set up the POS lane")?;
    setup.journal_durability = durability;
    let handle: LaneHandle = spawn_lane(setup, ports, lane_hosts).context("start the POS lane")?;
    let world = World {
        bus,
        events,
        devices,
        links,
        acquirer: hosts.acquirer.clone(),
        wallet: hosts.wallet.clone(),
        host_seen: hosts.host_seen.clone(),
        lane: Some(handle),
        process: None,
        journal: journal.to_owned(),
        data,
    };
    let settled = ["SIGNED ON", "SIGN ON FAILED", "PLEASE LOG IN"];
    world
        .wait_display(&settled, std::time::Duration::from_secs(60))
        .await;
    Ok(world)
}

/// Calendar time for a lane's POS: the run's epoch plus tokio's elapsed time.
struct Calendar(Clock);

impl WallClock for Calendar {
    fn now(&self) -> DateTime {
        DateTime::from_unix(self.0.now_unix_secs())
    }
}

enum Open {
    Acquirer(Acquirer),
    Wallet(QrHost),
}

/// A host connector whose connections run through one lane's named link.
struct LinkConnector {
    name: String,
    control: LinkControl,
    rng: SimRng,
    open: Open,
}

impl Connector for LinkConnector {
    fn connect(&self) -> ConnectFuture<'_> {
        let builder = Link::builder(&self.name)
            .rng(&self.rng)
            .control(self.control.clone());
        let opened = match &self.open {
            Open::Acquirer(a) => a.connect_through(builder),
            Open::Wallet(w) => w.connect_through(builder),
        };
        Box::pin(async move {
            let (end, _link) = opened.map_err(std::io::Error::other)?;
            Ok(Box::new(end) as Box<dyn ByteStream>)
        })
    }

    fn describe(&self) -> String {
        format!("memory link `{}`", self.name)
    }
}
