//! A minimal terminal for the tests: connects, signs on, builds requests with
//! `posrig_protocols::iso8583`, MACs them and reads answers.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use posrig_protocols::crypto::{encode_pin_block, DesKey, MacKey, TdesKey};
use posrig_protocols::iso8583::{
    transaction, Card, Frame, FrameDecoder, Header, Message, Terminal, Tpdu, WorkingKeys,
};
use posrig_protocols::pinpad::{EmvDate, EmvTxnType, IccData};
use posrig_sim::acquirer::{derive_lane_master_key, Acquirer, AcquirerConfig, AcquirerServer};
use posrig_sim::data::CardFile;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

pub const MERCHANT: &str = "898310048990001";
pub const VECTOR_TMK: &str = "CA5D92598DCA48CE8A4C76361A9269E9";
pub const VECTOR_PIK: &str = "807A23AD32B36D457AE91FDF927570EA";
pub const VECTOR_MAK: &str = "5BB5C72CD00B7338";

pub fn data_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../scenarios/data")
}

pub fn cards() -> CardFile {
    CardFile::load(&data_dir().join("cards.yaml")).unwrap()
}

/// The PROTOCOLS.md §7 working keys.
pub fn vector_keys() -> WorkingKeys {
    WorkingKeys {
        pik: TdesKey::from_hex(VECTOR_PIK).unwrap(),
        mak: MacKey::Single(DesKey::from_hex(VECTOR_MAK).unwrap()),
    }
}

/// The test configuration: data files, derived lanes, `LANE0001` on the vector keys.
pub fn config() -> AcquirerConfig {
    AcquirerConfig::load(&data_dir())
        .unwrap()
        .with_derived_lanes(true)
        .with_fixed_keys("LANE0001", vector_keys())
}

pub async fn start_with(config: AcquirerConfig) -> (Acquirer, AcquirerServer) {
    let acquirer = Acquirer::new(config);
    let server = acquirer.listen("127.0.0.1:0").await.unwrap();
    (acquirer, server)
}

pub async fn start() -> (Acquirer, AcquirerServer) {
    start_with(config()).await
}

/// One terminal's connection and state.
pub struct Lane {
    pub stream: TcpStream,
    decoder: FrameDecoder,
    pub terminal: Terminal,
    pub tmk: TdesKey,
    pub keys: Option<WorkingKeys>,
    pub stan: u32,
    pub batch: u32,
}

impl Lane {
    pub async fn connect(addr: SocketAddr, terminal_id: &str) -> Lane {
        let stream = TcpStream::connect(addr).await.unwrap();
        stream.set_nodelay(true).unwrap();
        let file =
            posrig_sim::data::TerminalFile::load(&data_dir().join("terminals.yaml")).unwrap();
        let (tmk, merchant) = match file.by_id(terminal_id) {
            Some(t) => (t.master_key(), t.merchant_id.clone()),
            None => (
                derive_lane_master_key(terminal_id).unwrap(),
                MERCHANT.to_owned(),
            ),
        };
        Lane {
            stream,
            decoder: FrameDecoder::new(),
            terminal: Terminal::new(terminal_id, &merchant).unwrap(),
            tmk,
            keys: None,
            stan: 0,
            batch: 1,
        }
    }

    pub fn next_stan(&mut self) -> u32 {
        self.stan = self.stan % 999_999 + 1;
        self.stan
    }

    pub async fn send_bytes(&mut self, bytes: &[u8]) {
        self.stream.write_all(bytes).await.unwrap();
    }

    pub async fn send(&mut self, mut msg: Message) {
        if let Some(k) = &self.keys {
            if msg.mti() != posrig_protocols::iso8583::Mti::SIGN_ON {
                msg.set_mac(&k.mak);
            }
        }
        let bytes = Frame::new(Tpdu::default(), Header::default(), msg).encode();
        self.send_bytes(&bytes).await;
    }

    /// The next frame, `None` on timeout, EOF or a reset.
    pub async fn recv_within(&mut self, wait: Duration) -> Option<Frame> {
        let deadline = tokio::time::Instant::now() + wait;
        let mut buf = [0u8; 4096];
        loop {
            if let Some(frame) = self.decoder.next_frame().unwrap() {
                return Some(frame);
            }
            let n = tokio::time::timeout_at(deadline, self.stream.read(&mut buf))
                .await
                .ok()?
                .ok()?;
            if n == 0 {
                return None;
            }
            self.decoder.push(&buf[..n]);
        }
    }

    pub async fn recv(&mut self) -> Frame {
        self.recv_within(Duration::from_secs(5))
            .await
            .expect("a response within 5 s")
    }

    /// Whether the host closed the connection (EOF or reset) within `wait`.
    pub async fn closed_within(&mut self, wait: Duration) -> bool {
        let mut buf = [0u8; 256];
        loop {
            match tokio::time::timeout(wait, self.stream.read(&mut buf)).await {
                Ok(Ok(0)) | Ok(Err(_)) => return true,
                Ok(Ok(_)) => continue,
                Err(_) => return false,
            }
        }
    }

    pub async fn exchange(&mut self, msg: Message) -> Frame {
        self.send(msg).await;
        self.recv().await
    }

    pub async fn sign_on(&mut self) -> Frame {
        let stan = self.next_stan();
        let msg = transaction::sign_on(&self.terminal, stan, self.batch, "001").unwrap();
        let frame = self.exchange(msg).await;
        self.keys = Some(WorkingKeys::from_message(&frame.message, &self.tmk).unwrap());
        self.batch = frame.message.field60().unwrap().unwrap().batch;
        frame
    }

    /// The MAK, after sign-on.
    pub fn mak(&self) -> &MacKey {
        &self.keys.as_ref().expect("signed on").mak
    }

    /// A swiped card from the card file with `pin` encrypted under this lane's PIK.
    pub fn card(&self, name: &str, pin: Option<&str>) -> Card {
        let file = cards();
        let c = file.by_name(name).unwrap();
        self.card_for(&c.pan, &c.expiry, pin)
    }

    /// A swiped card for any PAN.
    pub fn card_for(&self, pan: &str, expiry: &str, pin: Option<&str>) -> Card {
        let block = pin.map(|pin| {
            let clear = encode_pin_block(pin, pan).unwrap();
            self.keys
                .as_ref()
                .expect("signed on")
                .pik
                .encrypt_block(clear)
        });
        let mut card = Card::swiped(&format!("{pan}={expiry}20100000"), block);
        card.pan = Some(pan.to_owned());
        card
    }

    pub fn purchase(&mut self, amount: u64, card: &Card) -> Message {
        let stan = self.next_stan();
        transaction::purchase(&self.terminal, stan, self.batch, amount, card).unwrap()
    }
}

/// The PIN of a card in the card file.
pub fn pin_of(name: &str) -> String {
    cards().by_name(name).unwrap().pin.clone()
}

/// The chip data the simulated PIN pad computes for a read, built exactly as
/// `devices/src/pinpad/reader.rs` (`icc_data` and `unpredictable_number`) does, with the pad's
/// default terminal values (`devices/src/pinpad/config.rs`: country 156, 9A `250601`) and the
/// POS's currency 156. `atc` is the card's counter after the read (1 on a fresh pad) and
/// `txn_number` the pad's count of started transactions (1 for its first).
pub fn pad_icc_data(
    card: &posrig_sim::data::Card,
    amount_minor: u64,
    atc: u16,
    txn_number: u64,
) -> IccData {
    use sha2::{Digest, Sha256};
    let digest = Sha256::new()
        .chain_update(b"posrig-un")
        .chain_update(card.pan.as_bytes())
        .chain_update(atc.to_be_bytes())
        .chain_update(txn_number.to_be_bytes())
        .chain_update(amount_minor.to_be_bytes())
        .finalize();
    IccData {
        amount_minor,
        currency: 156,
        country: 156,
        date: EmvDate {
            year: 25,
            month: 6,
            day: 1,
        },
        txn_type: EmvTxnType::Purchase,
        unpredictable_number: [digest[0], digest[1], digest[2], digest[3]],
        atc,
        tvr: [0; 5],
        aip: [0x7C, 0x00],
        iad: vec![0x07, 0x01, 0x01, 0x03, 0xA0, 0x00, 0x00],
    }
}

impl Lane {
    /// A chip read of a card-file card carrying `field55` (entry mode `051`/`052`), with `pin`
    /// encrypted under this lane's PIK.
    pub fn chip_card(&self, name: &str, pin: Option<&str>, field55: Vec<u8>) -> Card {
        let file = cards();
        let c = file.by_name(name).unwrap();
        let block = pin.map(|pin| {
            let clear = encode_pin_block(pin, &c.pan).unwrap();
            self.keys
                .as_ref()
                .expect("signed on")
                .pik
                .encrypt_block(clear)
        });
        Card::chip(&c.pan, &c.expiry, c.sequence, &c.track2(), field55, block)
    }
}
