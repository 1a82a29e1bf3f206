//! One embedded lane for harness tests and the lane benchmark: the POS stack in-process, its
//! devices simulated on in-memory wires, the acquirer and the wallet host reached through
//! in-memory connectors. Tests act only on the simulated devices and read their snapshots and
//! the acquirer's ledger (measure at the wire).

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use posrig_devices::display::CustomerDisplay;
use posrig_devices::keyboard::{KeySequence, Keyboard, KeyboardAction};
use posrig_devices::pinpad::{PinPad, PinPadAction};
use posrig_devices::printer::{Printer, PrinterAction};
use posrig_devices::scale::Scale;
use posrig_devices::scanner::{Scanner, ScannerAction};
use posrig_devices::{DeviceHandle, ServeOptions, SimDevice};
use posrig_pos::clock::{DateTime, ManualClock};
use posrig_pos::driver::Port;
use posrig_pos::host::{MemoryConnector, QrEndpoint};
use posrig_pos::lane::{spawn_lane, LaneHandle, LaneHosts, LanePorts, LaneSetup};
use posrig_protocols::crypto::TdesKey;
use posrig_sim::acquirer::{Acquirer, AcquirerConfig};
use posrig_sim::data::CardFile;
use posrig_sim::qrhost::{QrHost, QrHostConfig};

pub const TERMINAL_ID: &str = "LANE0001";
pub const MERCHANT_ID: &str = "898310048990001";
pub const MASTER_KEY: &str = "CA5D92598DCA48CE8A4C76361A9269E9";

/// `scenarios/data`.
pub fn data_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../scenarios/data")
}

/// The simulated devices of one lane.
pub struct Devices {
    pub printer: DeviceHandle,
    pub scanner: DeviceHandle,
    pub pinpad: DeviceHandle,
    pub display: DeviceHandle,
    pub keyboard: DeviceHandle,
    pub scale: DeviceHandle,
}

/// A lane with its simulated world.
pub struct World {
    pub lane: LaneHandle,
    pub devices: Devices,
    pub acquirer: Acquirer,
    pub wallet: QrHost,
}

fn serve<D: SimDevice>(device: D) -> (DeviceHandle, Port) {
    let (device_end, pos_end) = posrig_sim::wire::memory::pair();
    let handle = posrig_devices::serve(
        device,
        device_end,
        Box::new(|_| {}),
        ServeOptions::default(),
    );
    (handle, Port::from_box(Box::new(pos_end)))
}

/// Starts a lane on `journal` with fresh devices and hosts.
pub fn start(journal: &Path) -> World {
    start_with(journal, |_| {})
}

/// [`start`], with the acquirer's configuration adjusted first (e.g. card balances for a
/// benchmark of many sales).
pub fn start_with(journal: &Path, adjust: impl FnOnce(&mut AcquirerConfig)) -> World {
    let data = data_dir();
    let cards = Arc::new(CardFile::load(&data.join("cards.yaml")).expect("load test cards"));
    let (printer, printer_port) = serve(Printer::new(Default::default()).expect("printer"));
    let (scanner, scanner_port) = serve(Scanner::new(Default::default()));
    let (pinpad, pinpad_port) = serve(PinPad::new(Default::default(), cards).expect("PIN pad"));
    let (display, display_port) = serve(CustomerDisplay::new());
    let (keyboard, keyboard_port) = serve(Keyboard::new(Default::default()));
    let (scale, scale_port) = serve(Scale::new(Default::default()));

    let mut acquirer_config = AcquirerConfig::load(&data)
        .expect("load acquirer data")
        .with_derived_lanes(true);
    adjust(&mut acquirer_config);
    let acquirer = Acquirer::new(acquirer_config);
    let (acq_connector, mut acq_listener) = MemoryConnector::pair("acquirer");
    let host = acquirer.clone();
    tokio::spawn(async move {
        while let Some(stream) = acq_listener.accept().await {
            host.spawn_connection(stream);
        }
    });
    let wallet = QrHost::new(QrHostConfig::load(&data).expect("load wallets"));
    let (qr_connector, mut qr_listener) = MemoryConnector::pair("wallet");
    let host = wallet.clone();
    tokio::spawn(async move {
        while let Some(stream) = qr_listener.accept().await {
            let host = host.clone();
            tokio::spawn(async move { host.serve_connection(stream).await });
        }
    });

    // 2025-01-01 10:00:00: calendar time stands still, as in a virtual run.
    let clock = Arc::new(ManualClock::new(DateTime::from_unix(1_735_725_600)));
    let setup = LaneSetup::from_data_dir(
        &data,
        journal,
        TERMINAL_ID,
        MERCHANT_ID,
        TdesKey::from_hex(MASTER_KEY).expect("master key"),
        clock,
    )
    .expect("lane setup");
    let ports = LanePorts {
        printer: Some(printer_port),
        scanner: Some(scanner_port),
        pinpad: Some(pinpad_port),
        display: Some(display_port),
        keyboard: Some(keyboard_port),
        scale: Some(scale_port),
    };
    let hosts = LaneHosts {
        acquirer: Box::new(acq_connector),
        acquirer_backup: None,
        wallet: Some(QrEndpoint::with_connector(Box::new(qr_connector), "wallet")),
    };
    let lane = spawn_lane(setup, ports, hosts).expect("spawn lane");
    World {
        lane,
        devices: Devices {
            printer,
            scanner,
            pinpad,
            display,
            keyboard,
            scale,
        },
        acquirer,
        wallet,
    }
}

impl Devices {
    /// Types keys on the keyboard (`"LOGIN 1001 ENTER"`).
    pub async fn keys(&self, keys: &str) {
        self.keyboard
            .act(&KeyboardAction::Type {
                keys: KeySequence::Text(keys.into()),
                delay_ms: None,
            })
            .await
            .expect("type keys");
    }

    pub async fn scan(&self, code: &str) {
        self.scanner
            .act(&ScannerAction::Scan {
                code: code.into(),
                symbology: None,
            })
            .await
            .expect("scan");
    }

    pub async fn pad(&self, action: PinPadAction) {
        self.pinpad.act(&action).await.expect("PIN pad action");
    }

    pub async fn close_drawer(&self) {
        self.printer
            .act(&PrinterAction::CloseDrawer { after_ms: None })
            .await
            .expect("close drawer");
    }

    /// The two display lines, trimmed.
    pub fn display(&self) -> (String, String) {
        let state = self.display.state();
        let line = |i: usize| {
            state["lines"][i]
                .as_str()
                .unwrap_or_default()
                .trim()
                .to_string()
        };
        (line(0), line(1))
    }

    /// Waits until line 1 of the display reads `line1` (60 s at most), and returns both lines.
    pub async fn wait_display(&self, line1: &str) -> (String, String) {
        let mut rx = self.display.watch_state();
        let found = tokio::time::timeout(Duration::from_secs(60), async {
            loop {
                let shown = self.display();
                if shown.0 == line1 {
                    return shown;
                }
                if rx.changed().await.is_err() {
                    panic!("display task stopped");
                }
            }
        })
        .await;
        found.unwrap_or_else(|_| {
            panic!(
                "display never showed `{line1}`; it shows {:?}",
                self.display()
            )
        })
    }

    /// Plain text of the receipts printed so far.
    pub fn receipts(&self) -> Vec<String> {
        self.printer.state()["receipts"]
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|r| r["text"].as_str().unwrap_or_default().to_string())
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Paper cuts so far (one per document).
    pub fn cuts(&self) -> usize {
        self.printer.state()["cuts"].as_u64().unwrap_or(0) as usize
    }

    /// Waits until `n` documents have been cut (60 s at most); returns the receipts the
    /// printer keeps (the last few).
    pub async fn wait_receipts(&self, n: usize) -> Vec<String> {
        let mut rx = self.printer.watch_state();
        tokio::time::timeout(Duration::from_secs(60), async {
            loop {
                if self.cuts() >= n {
                    return self.receipts();
                }
                rx.changed().await.expect("printer task stopped");
            }
        })
        .await
        .unwrap_or_else(|_| panic!("{n} receipts never printed; got {}", self.cuts()))
    }

    pub fn drawer_open(&self) -> bool {
        self.printer.state()["drawer"]["open"]
            .as_bool()
            .unwrap_or(false)
    }

    /// Logs in cashier 1001 (after the start-up sign-on).
    pub async fn login(&self) {
        self.keys("LOGIN 1001 ENTER 1234 ENTER").await;
        self.wait_display("LOGGED IN").await;
    }
}
