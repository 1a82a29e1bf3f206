//! The fixture: a journal file in a temporary directory, a sale, a card, and an acquirer client
//! wired to scripted primary and backup hosts over in-memory connectors.

use std::sync::{Arc, Mutex};

use posrig_pos::clock::{DateTime, ManualClock};
use posrig_pos::config::HostSettings;
use posrig_pos::host::{AcquirerClient, AcquirerConfig, CardInput, MemoryConnector, SharedJournal};
use posrig_pos::journal::Journal;
use posrig_pos::money::{money, Currency};
use posrig_pos::operator::{Operator, Role};
use posrig_pos::sale::SaleId;
use posrig_pos::tender::EntryMode;
use posrig_protocols::iso8583::{Card, Header, Terminal, Tpdu};
use tempfile::TempDir;

use crate::acquirer_host::{master_key, ScriptedAcquirer};

/// The test card's PAN (never to be found in the journal file).
pub const PAN: &str = "6222021000000000017";
pub const TRACK2: &str = "6222021000000000017=30122201234567";

pub fn card() -> CardInput {
    CardInput {
        card: Card::swiped(TRACK2, Some([0x11; 8])),
        entry_mode: EntryMode::Swipe,
        domestic: true,
    }
}

pub fn clock() -> Arc<ManualClock> {
    Arc::new(ManualClock::new(DateTime::from_unix(1_735_722_000)))
}

pub fn config() -> AcquirerConfig {
    AcquirerConfig {
        terminal: Terminal::new("10000001", "123456789012345").unwrap(),
        tpdu: Tpdu::default(),
        header: Header::new([0, 0, 1], true),
        master_key: master_key(),
        operator: "001".into(),
        settings: HostSettings::default(),
        offline_floor_limit: money("100.00"),
        currency: Currency::cny(),
    }
}

pub struct Rig {
    pub dir: TempDir,
    pub journal: SharedJournal,
    pub client: AcquirerClient,
    pub primary: ScriptedAcquirer,
    pub primary_link: MemoryConnector,
    pub backup: ScriptedAcquirer,
    pub backup_link: MemoryConnector,
}

impl Rig {
    pub fn new() -> Rig {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("journal.db");
        let journal = Arc::new(Mutex::new(
            Journal::open(&path, Currency::cny(), clock()).unwrap(),
        ));
        let (primary_link, l1) = MemoryConnector::pair("primary");
        let (backup_link, l2) = MemoryConnector::pair("backup");
        let primary = ScriptedAcquirer::serve(l1);
        let backup = ScriptedAcquirer::serve(l2);
        let client = AcquirerClient::new(
            config(),
            Box::new(primary_link.clone()),
            Some(Box::new(backup_link.clone())),
            journal.clone(),
            clock(),
        );
        Rig {
            dir,
            journal,
            client,
            primary,
            primary_link,
            backup,
            backup_link,
        }
    }

    /// A client on the same journal and links, as after a restart.
    pub fn restart(&mut self) {
        self.client = AcquirerClient::new(
            config(),
            Box::new(self.primary_link.clone()),
            Some(Box::new(self.backup_link.clone())),
            self.journal.clone(),
            clock(),
        );
    }

    pub fn sale(&self) -> SaleId {
        self.journal
            .lock()
            .unwrap()
            .begin_sale(&Operator {
                number: "1001".into(),
                name: "Li Na".into(),
                role: Role::Cashier,
            })
            .unwrap()
    }

    pub fn with<T>(&self, f: impl FnOnce(&mut Journal) -> T) -> T {
        f(&mut self.journal.lock().unwrap())
    }

    pub fn set_down(&self, down: bool) {
        self.primary_link.set_refusing(down);
        self.backup_link.set_refusing(down);
    }
}
