//! A lane for tests: the shipped store data, a journal in a temporary file, a manual clock, and
//! helpers that type keys, scan, talk like the pad and the host, and read the display.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use posrig_pos::catalog::{Catalog, CatalogFile};
use posrig_pos::clock::{DateTime, ManualClock};
use posrig_pos::config::StoreConfig;
use posrig_pos::journal::{Journal, ReceiptId};
use posrig_pos::member::Members;
use posrig_pos::operator::Operators;
use posrig_pos::receipt::ReceiptDoc;
use posrig_pos::tender::{CardTender, EntryMode, Tender};
use posrig_pos::terminal::{Command, HostOutcome, Input, QrOutcome, TerminalCore};
use posrig_protocols::keyboard::Key;
use posrig_protocols::pinpad::{CardEntry, Expiry, PadMessage, PinBlock, PinOutcome, Track2};

/// The chip test card of `scenarios/data/cards.yaml`.
pub const CHIP_PAN: &str = "6222021000000000017";

fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../scenarios/data")
        .join(name)
}

pub struct Lane {
    pub core: TerminalCore,
    pub now: Duration,
    /// Every command the core returned, in order.
    pub log: Vec<Command>,
    pub clock: Arc<ManualClock>,
    pub path: PathBuf,
    _dir: Arc<tempfile::TempDir>,
}

fn build(path: &Path, clock: Arc<ManualClock>) -> TerminalCore {
    let config = StoreConfig::load(&data("store.yaml")).unwrap();
    let catalog: Catalog = CatalogFile::load(&data("catalog.yaml"), &config.tax).unwrap();
    let members = Members::load(&data("members.yaml")).unwrap();
    let operators = Operators::new(&config.operators);
    let journal = Journal::open(path, config.currency.clone(), clock.clone()).unwrap();
    TerminalCore::new(config, catalog, members, operators, journal, clock)
}

impl Lane {
    pub fn new() -> Self {
        let dir = Arc::new(tempfile::tempdir().unwrap());
        let path = dir.path().join("journal.db");
        // 2025-01-01 10:00:00.
        let clock = Arc::new(ManualClock::new(DateTime::from_unix(1_735_725_600)));
        let core = build(&path, clock.clone());
        Lane {
            core,
            now: Duration::ZERO,
            log: Vec::new(),
            clock,
            path,
            _dir: dir,
        }
    }

    /// A "crash": the core is dropped and a new one opened on the same journal file.
    pub fn restart(self) -> (Self, Vec<Command>) {
        let Lane {
            core,
            now,
            clock,
            path,
            _dir,
            ..
        } = self;
        drop(core);
        let mut core = build(&path, clock.clone());
        let out = core.recover(now);
        let lane = Lane {
            core,
            now,
            log: out.clone(),
            clock,
            path,
            _dir,
        };
        (lane, out)
    }

    pub fn send(&mut self, input: Input) -> Vec<Command> {
        self.now += Duration::from_millis(100);
        let out = self.core.handle(input, self.now);
        self.log.extend(out.iter().cloned());
        out
    }

    /// Types keys: names separated by spaces; a run of digits types each digit.
    pub fn keys(&mut self, keys: &str) -> Vec<Command> {
        let mut out = Vec::new();
        for token in keys.split_whitespace() {
            if token.len() > 1 && token != "00" && token.bytes().all(|b| b.is_ascii_digit()) {
                for c in token.chars() {
                    out.extend(self.send(Input::Key(Key::from_name(&c.to_string()).unwrap())));
                }
            } else {
                let key = Key::from_name(token).unwrap_or_else(|| panic!("no key `{token}`"));
                out.extend(self.send(Input::Key(key)));
            }
        }
        out
    }

    pub fn scan(&mut self, code: &str) -> Vec<Command> {
        self.send(Input::Scan(code.into()))
    }

    pub fn pad(&mut self, msg: PadMessage) -> Vec<Command> {
        self.send(Input::Pad(msg))
    }

    /// The outcome of a card request, recorded in the journal first as the host client does
    /// (the core acts on it without writing it again).
    pub fn host(&mut self, outcome: HostOutcome) -> Vec<Command> {
        self.record_as_host_client(&outcome);
        self.send(Input::Host(outcome))
    }

    /// The final outcome of a QR payment, recorded first as the QR client does.
    pub fn qr(&mut self, outcome: QrOutcome) -> Vec<Command> {
        let mut j = self.reopen_journal();
        if let Some(t) = j.pending_tenders().unwrap().pop() {
            match &outcome {
                QrOutcome::Success { transaction_id } => {
                    let order = t.out_trade_no.clone().unwrap_or_default();
                    j.approve_tender(t.id, &Tender::qr(t.amount, &order, transaction_id))
                        .unwrap()
                }
                QrOutcome::Failed { err_code } => {
                    j.decline_tender(t.id, err_code.as_str()).unwrap()
                }
                QrOutcome::Reversed => j.mark_tender_reversed(t.id).unwrap(),
                QrOutcome::Unknown => {}
            }
        }
        self.send(Input::Qr(outcome))
    }

    fn record_as_host_client(&self, outcome: &HostOutcome) {
        let mut j = self.reopen_journal();
        let Some(t) = j.pending_tenders().unwrap().pop() else {
            return;
        };
        let record = |auth_code: &str, rrn: &str, stan: u32, batch: u32, offline: bool| {
            Tender::card(
                t.amount,
                CardTender {
                    masked_pan: t.masked_pan.clone().unwrap(),
                    entry_mode: EntryMode::Chip,
                    auth_code: auth_code.into(),
                    rrn: rrn.into(),
                    stan,
                    batch,
                    offline,
                    domestic: true,
                },
            )
        };
        match outcome {
            HostOutcome::Approved {
                auth_code,
                rrn,
                stan,
                batch,
            } => j
                .approve_tender(t.id, &record(auth_code, rrn, *stan, *batch, false))
                .unwrap(),
            HostOutcome::Offline { stan, batch } => j
                .approve_tender(t.id, &record("", "", *stan, *batch, true))
                .unwrap(),
            HostOutcome::Declined { code } => j.decline_tender(t.id, &code.code()).unwrap(),
            HostOutcome::NoResponse => {}
        }
    }

    /// The display, trailing spaces kept (line 2 values are right-aligned).
    pub fn display(&self) -> (String, String) {
        let (a, b) = self.core.display();
        (a.to_string(), b.to_string())
    }

    /// The display with both lines trimmed.
    pub fn shown(&self) -> (String, String) {
        let (a, b) = self.core.display();
        (a.trim().to_string(), b.trim().to_string())
    }

    pub fn login_cashier(&mut self) {
        self.keys("LOGIN 1001 ENTER 1234 ENTER");
        assert_eq!(self.shown().0, "LOGGED IN");
    }

    pub fn login_supervisor(&mut self) {
        self.keys("LOGIN 9001 ENTER 9999 ENTER");
        assert_eq!(self.shown().0, "LOGGED IN");
    }

    /// `SUPERVISOR 9001 ENTER 9999 ENTER`.
    pub fn supervisor(&mut self) {
        self.keys("SUPERVISOR 9001 ENTER 9999 ENTER");
        assert_eq!(self.shown(), ("SUPERVISOR OK".into(), String::new()));
    }

    pub fn reopen_journal(&self) -> Journal {
        Journal::open(
            &self.path,
            posrig_pos::money::Currency::cny(),
            self.clock.clone(),
        )
        .unwrap()
    }
}

/// The print jobs among `cmds`.
pub fn prints(cmds: &[Command]) -> Vec<(ReceiptId, ReceiptDoc)> {
    cmds.iter()
        .filter_map(|c| match c {
            Command::Print { job, doc } => Some((*job, doc.clone())),
            _ => None,
        })
        .collect()
}

pub fn has(cmds: &[Command], pred: impl Fn(&Command) -> bool) -> bool {
    cmds.iter().any(pred)
}

pub fn chip_card() -> PadMessage {
    card(CardEntry::Chip, &format!("{CHIP_PAN}=2812201"))
}

pub fn card(entry: CardEntry, track2: &str) -> PadMessage {
    PadMessage::Card {
        entry,
        track2: Track2::parse(track2).unwrap(),
        expiry: Expiry::parse("2812").unwrap(),
        icc_tlv: if entry == CardEntry::Chip {
            vec![0x9F, 0x27, 0x01, 0x80]
        } else {
            vec![]
        },
    }
}

pub fn pin_ok() -> PadMessage {
    PadMessage::PinResult(PinOutcome::Ok(PinBlock([0x5A; 8])))
}

pub fn approved(stan: u32) -> HostOutcome {
    HostOutcome::Approved {
        auth_code: "A12345".into(),
        rrn: "500100000007".into(),
        stan,
        batch: 1,
    }
}

/// One line per command, for transcripts.
pub fn transcript(cmds: &[Command]) -> String {
    let mut s = String::new();
    for c in cmds {
        let line = match c {
            Command::Display { line1, line2 } => format!("display [{line1:<20}] [{line2:<20}]"),
            Command::Print { job, doc } => format!(
                "print job {} ({:?}, {} lines)",
                job.0,
                doc.kind,
                doc.to_text().lines().count()
            ),
            other => format!("{other:?}"),
        };
        s.push_str(&line);
        s.push('\n');
    }
    s
}
