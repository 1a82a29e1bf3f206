//! A whole lane on in-memory wires, every device faked at the byte level: the keyboard and
//! scanner write their line and frame bytes, the display's bytes are decoded into a 2×20
//! screen, the printer answers `DLE EOT` from its paper and drawer state and keeps what it was
//! sent, the PIN pad acknowledges and answers STX/ETX frames, and the acquirer and wallet hosts
//! are the scripted ones of the host tests (ISO 8583 and HTTP bytes). Time is tokio's, paused.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use posrig_pos::clock::{DateTime, ManualClock};
use posrig_pos::driver::Port;
use posrig_pos::host::{MemoryConnector, QrEndpoint};
use posrig_pos::journal::Journal;
use posrig_pos::lane::{spawn_lane, LaneHandle, LaneHosts, LanePorts, LaneSetup};
use posrig_pos::money::Currency;
use posrig_protocols::display::{Parser, Screen};
use posrig_protocols::pinpad::{encode_frame, FrameDecoder, LinkEvent, PadMessage, ACK};
use posrig_protocols::qrpay::{MicropayResponse, MicropayResult};
use tokio::io::{AsyncReadExt, AsyncWriteExt, DuplexStream, WriteHalf};

use crate::acquirer_host::{master_key, ScriptedAcquirer};
use crate::qr_host::ScriptedWallet;

pub const CHIP_PAN: &str = "6222021000000000017";

fn data_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../scenarios/data")
}

type Writer = Arc<tokio::sync::Mutex<WriteHalf<DuplexStream>>>;

/// The printer's state as the fake reports it.
#[derive(Debug, Default)]
pub struct PrinterState {
    pub answering: bool,
    pub paper_out: bool,
    pub drawer_open: bool,
    /// Every byte received, status requests included.
    pub received: Vec<u8>,
    pub kicks: usize,
}

impl PrinterState {
    /// `DLE EOT n` reply (PROTOCOLS.md §1, Epson profile: pin 3 HIGH = drawer closed).
    fn reply(&self, n: u8) -> u8 {
        match n {
            1 => {
                0x12 | if self.drawer_open { 0 } else { 0x04 }
                    | if self.paper_out { 0x08 } else { 0 }
            }
            2 if self.paper_out => 0x32,
            4 if self.paper_out => 0x7E,
            _ => 0x12,
        }
    }
}

/// The pad's state: whether it acknowledges, and what it was sent.
#[derive(Debug, Default)]
pub struct PadState {
    pub answering: bool,
    pub received: Vec<PadMessage>,
}

pub struct Rig {
    pub dir: Arc<tempfile::TempDir>,
    /// Keeps the lane running for the test's life.
    _lane: LaneHandle,
    keyboard: DuplexStream,
    scanner: DuplexStream,
    pub screen: Arc<Mutex<Screen>>,
    pub printer: Arc<Mutex<PrinterState>>,
    pub pad: Arc<Mutex<PadState>>,
    pad_tx: Writer,
    pub acquirer: ScriptedAcquirer,
    pub wallet: ScriptedWallet,
}

impl Rig {
    /// A lane with a wallet host answering `micropay` with `SUCCESS`.
    pub async fn new() -> Rig {
        Self::with_wallet(MicropayResponse {
            result: MicropayResult::Success,
            err_code: None,
            transaction_id: Some("WX0001".into()),
        })
        .await
    }

    pub async fn with_wallet(micropay: MicropayResponse) -> Rig {
        let dir = Arc::new(tempfile::tempdir().unwrap());
        let (acq_link, acq_listener) = MemoryConnector::pair("acquirer");
        let acquirer = ScriptedAcquirer::serve(acq_listener);
        let (qr_link, qr_listener) = MemoryConnector::pair("wallet");
        let wallet = ScriptedWallet::serve(qr_listener, micropay);
        Self::start(dir, acquirer, acq_link, wallet, qr_link).await
    }

    async fn start(
        dir: Arc<tempfile::TempDir>,
        acquirer: ScriptedAcquirer,
        acq_link: MemoryConnector,
        wallet: ScriptedWallet,
        qr_link: MemoryConnector,
    ) -> Rig {
        let clock = Arc::new(ManualClock::new(DateTime::from_unix(1_735_725_600)));
        let setup = LaneSetup::from_data_dir(
            &data_dir(),
            dir.path().join("journal.db"),
            "LANE0001",
            "123456789012345",
            master_key(),
            clock,
        )
        .unwrap();
        let (kb_pos, keyboard) = tokio::io::duplex(4096);
        let (sc_pos, scanner) = tokio::io::duplex(4096);
        let (di_pos, display) = tokio::io::duplex(64 * 1024);
        let (pr_pos, printer) = tokio::io::duplex(64 * 1024);
        let (pad_pos, pad) = tokio::io::duplex(4096);
        let screen = Arc::new(Mutex::new(Screen::new()));
        spawn_display(display, screen.clone());
        let printer_state = Arc::new(Mutex::new(PrinterState {
            answering: true,
            ..PrinterState::default()
        }));
        spawn_printer(printer, printer_state.clone());
        let pad_state = Arc::new(Mutex::new(PadState {
            answering: true,
            received: Vec::new(),
        }));
        let pad_tx = spawn_pad(pad, pad_state.clone());
        let ports = LanePorts {
            printer: Some(Port::new(pr_pos)),
            scanner: Some(Port::new(sc_pos)),
            pinpad: Some(Port::new(pad_pos)),
            display: Some(Port::new(di_pos)),
            keyboard: Some(Port::new(kb_pos)),
            scale: None,
        };
        let hosts = LaneHosts {
            acquirer: Box::new(acq_link),
            acquirer_backup: None,
            wallet: Some(QrEndpoint::with_connector(Box::new(qr_link), "wallet.test")),
        };
        let lane = spawn_lane(setup, ports, hosts).unwrap();
        let rig = Rig {
            dir,
            _lane: lane,
            keyboard,
            scanner,
            screen,
            printer: printer_state,
            pad: pad_state,
            pad_tx,
            acquirer,
            wallet,
        };
        rig.settle().await;
        rig
    }

    /// Lets the lane and its devices run for a moment of virtual time.
    pub async fn settle(&self) {
        tokio::time::sleep(Duration::from_millis(300)).await;
    }

    /// Types keys (names separated by spaces; a run of digits types each digit), as the
    /// keyboard's line protocol sends them.
    pub async fn keys(&mut self, keys: &str) {
        for token in keys.split_whitespace() {
            let names: Vec<String> =
                if token.len() > 1 && token != "00" && token.bytes().all(|b| b.is_ascii_digit()) {
                    token.chars().map(String::from).collect()
                } else {
                    vec![token.to_string()]
                };
            for name in names {
                self.keyboard
                    .write_all(format!("{name}\r").as_bytes())
                    .await
                    .unwrap();
                self.settle().await;
            }
        }
    }

    /// A scanner frame: AIM id, data, CR.
    pub async fn scan(&mut self, aim: &str, data: &str) {
        self.scanner
            .write_all(format!("{aim}{data}\r").as_bytes())
            .await
            .unwrap();
        self.settle().await;
    }

    pub async fn scan_ean(&mut self, code: &str) {
        self.scan("]E0", code).await;
    }

    /// A frame from the pad (raw payload: id and FS-separated fields).
    pub async fn pad_sends(&self, payload: &[u8]) {
        let frame = encode_frame(payload).unwrap();
        self.pad_tx.lock().await.write_all(&frame).await.unwrap();
        self.settle().await;
    }

    /// Inserts the chip test card (`C0`).
    pub async fn insert_chip(&self) {
        let mut p = b"C0\x1cchip\x1c".to_vec();
        p.extend_from_slice(format!("{CHIP_PAN}=2812201").as_bytes());
        p.extend_from_slice(b"\x1c2812\x1c9F270180");
        self.pad_sends(&p).await;
    }

    /// The PIN typed (`P1 OK` with a PIN block).
    pub async fn pin_ok(&self) {
        self.pad_sends(b"P1\x1cOK\x1c5A5A5A5A5A5A5A5A").await;
    }

    /// The display, both lines trimmed.
    pub fn shown(&self) -> (String, String) {
        let [a, b] = self.screen.lock().unwrap().lines();
        (a.trim().to_string(), b.trim().to_string())
    }

    /// Waits (virtual time) until the display's line 1 is `line1`; fails after two minutes.
    pub async fn until_shown(&self, line1: &str) -> (String, String) {
        for _ in 0..1200 {
            let s = self.shown();
            if s.0 == line1 {
                return s;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!(
            "display never showed `{line1}`; it shows {:?}",
            self.shown()
        );
    }

    /// Waits until `cond` holds; fails after two minutes of virtual time.
    pub async fn until(&self, what: &str, cond: impl Fn(&Rig) -> bool) {
        for _ in 0..1200 {
            if cond(self) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("never: {what}; display {:?}", self.shown());
    }

    /// The bytes the printer was sent, as lossy text (status requests included).
    pub fn printed(&self) -> String {
        String::from_utf8_lossy(&self.printer.lock().unwrap().received).into_owned()
    }

    pub fn pad_got(&self, pred: impl Fn(&PadMessage) -> bool) -> bool {
        self.pad.lock().unwrap().received.iter().any(pred)
    }

    pub fn close_drawer(&self) {
        self.printer.lock().unwrap().drawer_open = false;
    }

    /// The journal, opened read-side like an inspector after the run.
    pub fn journal(&self) -> Journal {
        Journal::open(
            &self.dir.path().join("journal.db"),
            Currency::cny(),
            Arc::new(ManualClock::new(DateTime::from_unix(1_735_725_600))),
        )
        .unwrap()
    }

    pub async fn login_cashier(&mut self) {
        self.keys("LOGIN 1001 ENTER 1234 ENTER").await;
        assert_eq!(self.shown().0, "LOGGED IN");
    }

    /// A cash sale of one milk (12.50) paid with 20, drawer closed after.
    pub async fn cash_sale(&mut self) {
        self.scan_ean("6901234100006").await;
        self.keys("TOTAL 20 CASH").await;
        assert_eq!(self.shown(), ("CHANGE".into(), "7.50".into()));
        self.close_drawer();
        self.until_shown("NEXT CUSTOMER").await;
    }

    /// A chip card sale of one milk with PIN, approved by the host.
    pub async fn card_sale(&mut self) {
        self.scan_ean("6901234100006").await;
        self.keys("TOTAL CARD").await;
        self.insert_chip().await;
        self.pin_ok().await;
        self.until_shown("APPROVED").await;
    }
}

fn spawn_display(dev: DuplexStream, screen: Arc<Mutex<Screen>>) {
    tokio::spawn(async move {
        let mut dev = dev;
        let mut parser = Parser::new();
        let mut buf = [0u8; 1024];
        loop {
            let n = match dev.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(n) => n,
            };
            parser.push(&buf[..n]);
            let mut s = screen.lock().unwrap();
            while let Some(cmd) = parser.next_command() {
                s.apply(&cmd);
            }
        }
    });
}

fn spawn_printer(dev: DuplexStream, state: Arc<Mutex<PrinterState>>) {
    let (mut rx, mut tx) = tokio::io::split(dev);
    tokio::spawn(async move {
        let mut buf = [0u8; 1024];
        loop {
            let n = match rx.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(n) => n,
            };
            let mut out = Vec::new();
            {
                let mut s = state.lock().unwrap();
                for &b in &buf[..n] {
                    s.received.push(b);
                    let r = &s.received;
                    let len = r.len();
                    if len >= 3 && r[len - 3] == 0x10 && r[len - 2] == 0x04 {
                        let k = r[len - 1];
                        if s.answering && (1..=4).contains(&k) {
                            out.push(s.reply(k));
                        }
                    }
                    // ESC p m t1 t2 (its last byte) or DLE DC4 01 m t: the drawer opens.
                    let kicked = (len >= 5 && r[len - 5] == 0x1B && r[len - 4] == 0x70)
                        || (len >= 5
                            && r[len - 5] == 0x10
                            && r[len - 4] == 0x14
                            && r[len - 3] == 0x01);
                    if kicked {
                        s.drawer_open = true;
                        s.kicks += 1;
                    }
                }
            }
            if !out.is_empty() && tx.write_all(&out).await.is_err() {
                return;
            }
        }
    });
}

fn spawn_pad(dev: DuplexStream, state: Arc<Mutex<PadState>>) -> Writer {
    let (mut rx, tx) = tokio::io::split(dev);
    let tx: Writer = Arc::new(tokio::sync::Mutex::new(tx));
    let writer = tx.clone();
    tokio::spawn(async move {
        let mut decoder = FrameDecoder::new();
        let mut buf = [0u8; 1024];
        loop {
            let n = match rx.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(n) => n,
            };
            decoder.push(&buf[..n]);
            while let Some(ev) = decoder.next_event() {
                let Ok(LinkEvent::Frame(payload)) = ev else {
                    continue;
                };
                if !state.lock().unwrap().answering {
                    continue;
                }
                let Ok(msg) = PadMessage::parse(&payload) else {
                    continue;
                };
                // Acknowledge, then answer the commands that expect an answer.
                let answer: Option<&[u8]> = match &msg {
                    PadMessage::Start { .. } => Some(b"E0\x1c0"),
                    PadMessage::RequestPin { .. } => Some(b"E0\x1c7"),
                    PadMessage::LoadPinKey { .. }
                    | PadMessage::Display { .. }
                    | PadMessage::Abort => Some(b"A0\x1c00"),
                    _ => None,
                };
                state.lock().unwrap().received.push(msg);
                let mut w = tx.lock().await;
                if w.write_all(&[ACK]).await.is_err() {
                    return;
                }
                if let Some(a) = answer {
                    if w.write_all(&encode_frame(a).unwrap()).await.is_err() {
                        return;
                    }
                }
            }
        }
    });
    writer
}
