//! The world of a `sut: process` scenario: the same simulated devices and hosts as the embedded
//! world, reached the way a real terminal reaches them — each device on a pseudo-terminal (behind
//! its named, impairable link), the acquirer and the wallet host on 127.0.0.1 behind TCP proxies
//! named `acquirer-primary`, `acquirer-backup` and `wallet` — and the POS as a `pos-terminal`
//! child process on a generated configuration. Real time only (the child runs on the wall clock).
//!
//! One difference from the embedded world: a partitioned host link there refuses new
//! connections (the POS's connect timeout decides); through a TCP proxy the connection is
//! accepted and then holds its bytes, as a stalled network path does.
//!
//! `crash` kills the child with SIGKILL and starts it again on the same journal; the scenario's
//! later steps and expectations then see what the terminal recovered.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{bail, Context};
use posrig_devices::display::{CustomerDisplay, DisplayAction};
use posrig_devices::keyboard::Keyboard;
use posrig_devices::pinpad::PinPad;
use posrig_devices::printer::Printer;
use posrig_devices::scale::Scale;
use posrig_devices::scanner::Scanner;
use posrig_devices::{DeviceHandle, ServeOptions, SimDevice};
use posrig_sim::acquirer::{Acquirer, AcquirerConfig, AcquirerServer};
use posrig_sim::clock::{system_epoch_unix_secs, Clock};
use posrig_sim::data::CardFile;
use posrig_sim::event::EventBus;
use posrig_sim::qrhost::{QrHost, QrHostConfig, QrServer};
use posrig_sim::rng::SimRng;
use posrig_sim::wire::pty::Pty;
use posrig_sim::wire::tcp::{TcpProxy, DEFAULT_LISTEN};
use posrig_sim::wire::{memory, Link, LinkConditions, LinkControl};

use super::lane::{MASTER_KEY, MERCHANT_ID, TERMINAL_ID};
use super::terminal::PosProcess;
use super::world::{HostSeen, World};
use crate::scenario::library::DataSet;
use crate::scenario::DeviceRole;

/// How long the terminal may take to start (or restart) and settle after its sign-on.
const START_LIMIT: Duration = Duration::from_secs(60);

/// What a terminal shows on line 1 once it has started (after sign-on and recovery).
const STARTED: [&str; 4] = [
    "SIGNED ON",
    "SIGN ON FAILED",
    "PLEASE LOG IN",
    "SALE TO RESUME",
];

/// The parts of a process world that only need to stay alive: the terminal, the host servers
/// and the proxies in front of them.
pub struct ProcessSut {
    pub terminal: PosProcess,
    _acquirer: AcquirerServer,
    _wallet: QrServer,
    _proxies: Vec<TcpProxy>,
}

impl World {
    /// Builds the process world in `dir` (journal, generated `pos-terminal.yaml`, `pos.log`),
    /// starts the terminal, and returns once it has settled after its start-up sign-on.
    pub async fn start_process(data: Arc<DataSet>, seed: u64, dir: &Path) -> anyhow::Result<World> {
        let clock = Clock::start(system_epoch_unix_secs());
        let bus = EventBus::new(clock);
        let events = bus.subscribe();
        let rng = SimRng::new(seed);
        let data_dir = data.dir.clone();
        let cards = Arc::new(
            CardFile::load(&data_dir.join("cards.yaml")).context("load the cards data file")?,
        );

        let mut wire = PtyWiring {
            bus: &bus,
            rng: &rng,
            devices: BTreeMap::new(),
            links: BTreeMap::new(),
            ports: BTreeMap::new(),
        };
        wire.device(DeviceRole::Printer, Printer::new(Default::default())?)?;
        wire.device(DeviceRole::Scanner, Scanner::new(Default::default()))?;
        wire.device(DeviceRole::Pinpad, PinPad::new(Default::default(), cards)?)?;
        wire.device(DeviceRole::Display, CustomerDisplay::new())?;
        wire.device(DeviceRole::Keyboard, Keyboard::new(Default::default()))?;
        wire.device(DeviceRole::Scale, Scale::new(Default::default()))?;
        let PtyWiring {
            devices,
            mut links,
            ports,
            ..
        } = wire;

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
        let acquirer_server = acquirer
            .listen(DEFAULT_LISTEN)
            .await
            .context("start the acquirer on 127.0.0.1")?;
        let wallet_server = wallet
            .listen(DEFAULT_LISTEN)
            .await
            .context("start the wallet host on 127.0.0.1")?;
        let mut proxies = Vec::new();
        let mut addrs = BTreeMap::new();
        let acquirer_addr = acquirer_server.local_addr().to_string();
        let wallet_addr = wallet_server.local_addr().to_string();
        for (name, upstream) in [
            ("acquirer-primary", &acquirer_addr),
            ("acquirer-backup", &acquirer_addr),
            ("wallet", &wallet_addr),
        ] {
            let control = LinkControl::new(name, LinkConditions::default())
                .expect("an unimpaired link always validates")
                .with_emitter(bus.emitter(None, format!("link/{name}")));
            links.insert(name.to_owned(), control.clone());
            let p = TcpProxy::spawn(DEFAULT_LISTEN, upstream, control, &rng)
                .await
                .with_context(|| format!("start the `{name}` proxy on 127.0.0.1"))?;
            addrs.insert(name, p.local_addr().to_string());
            proxies.push(p);
        }

        // Absolute paths: the configuration file's folder is not the working directory.
        let dir = std::path::absolute(dir).context("the run folder's absolute path")?;
        let data_dir = std::path::absolute(&data_dir).context("the data folder's absolute path")?;
        let journal = dir.join("journal.db");
        let config = dir.join("pos-terminal.yaml");
        let mut text = format!(
            "# Generated by posrig for a `sut: process` scenario.\n\
             terminal_id: \"{TERMINAL_ID}\"\nmerchant_id: \"{MERCHANT_ID}\"\n\
             master_key: \"{MASTER_KEY}\"\ndata: {}\njournal: {}\ndevices:\n",
            yaml_string(&data_dir.display().to_string()),
            yaml_string(&journal.display().to_string()),
        );
        for (role, port) in &ports {
            // `exclusive: false`: the simulator keeps a hold on each pty (see `Pty::open`).
            text.push_str(&format!(
                "  {role}: {{ serial: {{ path: {}, exclusive: false }} }}\n",
                yaml_string(port)
            ));
        }
        text.push_str(&format!(
            "hosts:\n  acquirer: \"{}\"\n  acquirer_backup: \"{}\"\n  wallet: \"http://{}\"\n",
            addrs["acquirer-primary"], addrs["acquirer-backup"], addrs["wallet"]
        ));
        std::fs::write(&config, text).with_context(|| format!("write {}", config.display()))?;

        let terminal = PosProcess::start(&config, &dir.join("pos.log"))?;
        let world = World {
            bus,
            events,
            devices,
            links,
            acquirer,
            wallet,
            host_seen,
            lane: None,
            process: Some(ProcessSut {
                terminal,
                _acquirer: acquirer_server,
                _wallet: wallet_server,
                _proxies: proxies,
            }),
            journal,
            data,
        };
        world.wait_until_terminal_started().await?;
        Ok(world)
    }

    /// `crash`: SIGKILL the terminal, then start it again on the same journal and wait until it
    /// has recovered and settled. The customer display loses power with the terminal (it goes
    /// blank), so what it shows afterwards is the restarted terminal's.
    pub async fn crash(&self) -> anyhow::Result<()> {
        let Some(sut) = &self.process else {
            bail!("`crash` needs `sut: process`: there is no POS process to kill");
        };
        sut.terminal.kill().await?;
        self.device(DeviceRole::Display)
            .act(&DisplayAction::PowerCycle)
            .await
            .context("power-cycle the customer display")?;
        sut.terminal.restart()?;
        self.wait_until_terminal_started().await
    }

    async fn wait_until_terminal_started(&self) -> anyhow::Result<()> {
        let Some(sut) = &self.process else {
            return Ok(());
        };
        let deadline = tokio::time::Instant::now() + START_LIMIT;
        loop {
            if let Some(status) = sut.terminal.exited() {
                bail!(
                    "the POS terminal exited ({status}) before it started; {} ends:\n{}",
                    sut.terminal.log().display(),
                    sut.terminal.log_tail(20)
                );
            }
            if STARTED.contains(&self.display()[0].as_str()) {
                return Ok(());
            }
            if tokio::time::Instant::now() >= deadline {
                let [l1, l2] = self.display();
                bail!(
                    "the POS terminal did not start within {}s (display `{l1}` / `{l2}`); {} ends:\n{}",
                    START_LIMIT.as_secs(),
                    sut.terminal.log().display(),
                    sut.terminal.log_tail(20)
                );
            }
            tokio::time::sleep(super::POLL).await;
        }
    }
}

/// Serves devices on pseudo-terminals, each behind the link named for its role.
struct PtyWiring<'a> {
    bus: &'a EventBus,
    rng: &'a SimRng,
    devices: BTreeMap<DeviceRole, DeviceHandle>,
    links: BTreeMap<String, LinkControl>,
    /// The pty path of each device, for the terminal's configuration.
    ports: BTreeMap<&'static str, String>,
}

impl PtyWiring<'_> {
    fn device<D: SimDevice>(&mut self, role: DeviceRole, device: D) -> anyhow::Result<()> {
        let pty = Pty::open().with_context(|| format!("open a pty for the {}", role.name()))?;
        let path = pty.path().display().to_string();
        // End `a` is the POS's side (the pty), `b` the device's, as in the embedded world.
        let (device_end, far) = memory::pair();
        let link = Link::builder(role.name())
            .rng(self.rng)
            .events(self.bus)
            .between(pty.into_end(), far)
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
        self.ports.insert(role.name(), path);
        Ok(())
    }
}

/// A path or port as a double-quoted YAML string.
fn yaml_string(s: &str) -> String {
    serde_json::to_string(s).expect("a string always serialises")
}
