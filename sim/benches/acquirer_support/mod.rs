//! A minimal terminal for the acquirer benchmarks: sign on, purchase, echo; one request at a time.

#![allow(dead_code)]

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use posrig_protocols::crypto::encode_pin_block;
use posrig_protocols::iso8583::{
    transaction, Card, Frame, FrameDecoder, Header, Message, Terminal, Tpdu, WorkingKeys,
};
use posrig_sim::acquirer::{derive_lane_master_key, Acquirer, AcquirerConfig};
use posrig_sim::data::CardFile;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

pub fn data_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../scenarios/data")
}

/// An acquirer on the shipped data with derived lanes (every lane uses the derived key).
pub fn acquirer() -> Acquirer {
    let mut config = AcquirerConfig::load(&data_dir())
        .unwrap()
        .with_derived_lanes(true);
    config.terminals.terminals.clear();
    Acquirer::new(config)
}

pub struct Lane {
    stream: TcpStream,
    decoder: FrameDecoder,
    terminal: Terminal,
    keys: Option<WorkingKeys>,
    stan: u32,
    batch: u32,
    buf: Vec<u8>,
}

impl Lane {
    pub async fn connect(addr: SocketAddr, n: u32) -> Lane {
        let stream = TcpStream::connect(addr).await.unwrap();
        stream.set_nodelay(true).unwrap();
        Lane {
            stream,
            decoder: FrameDecoder::new(),
            terminal: Terminal::new(&format!("LANE{n:04}"), "898310048990001").unwrap(),
            keys: None,
            stan: 0,
            batch: 1,
            buf: vec![0; 4096],
        }
    }

    fn next_stan(&mut self) -> u32 {
        self.stan = self.stan % 999_999 + 1;
        self.stan
    }

    pub async fn exchange(&mut self, mut msg: Message) -> Message {
        if let (Some(k), true) = (&self.keys, msg.mti().value() != 800) {
            msg.set_mac(&k.mak);
        }
        let bytes = Frame::new(Tpdu::default(), Header::default(), msg).encode();
        self.stream.write_all(&bytes).await.unwrap();
        loop {
            if let Some(frame) = self.decoder.next_frame().unwrap() {
                return frame.message;
            }
            let n = tokio::time::timeout(Duration::from_secs(30), self.stream.read(&mut self.buf))
                .await
                .expect("an answer within 30 s")
                .unwrap();
            assert!(n > 0, "the acquirer closed the connection");
            self.decoder.push(&self.buf[..n]);
        }
    }

    pub async fn sign_on(&mut self) {
        let stan = self.next_stan();
        let msg = transaction::sign_on(&self.terminal, stan, self.batch, "001").unwrap();
        let resp = self.exchange(msg).await;
        let tmk = derive_lane_master_key(self.terminal.terminal_id()).unwrap();
        self.keys = Some(WorkingKeys::from_message(&resp, &tmk).unwrap());
    }

    /// A swiped card from the card file with its PIN under this lane's PIK.
    pub fn card(&self, name: &str) -> Card {
        let file = CardFile::load(&data_dir().join("cards.yaml")).unwrap();
        let c = file.by_name(name).unwrap();
        let clear = encode_pin_block(&c.pin, &c.pan).unwrap();
        let block = self.keys.as_ref().unwrap().pik.encrypt_block(clear);
        let mut card = Card::swiped(&c.track2(), Some(block));
        card.pan = Some(c.pan.clone());
        card
    }

    pub async fn purchase(&mut self, amount: u64, card: &Card) -> Message {
        let stan = self.next_stan();
        let msg = transaction::purchase(&self.terminal, stan, self.batch, amount, card).unwrap();
        self.exchange(msg).await
    }

    pub async fn echo(&mut self) -> Message {
        let stan = self.next_stan();
        let msg = transaction::echo_test(&self.terminal, stan, self.batch).unwrap();
        self.exchange(msg).await
    }
}

/// `p50 / p99 / p99.9 / max` of a histogram in µs, as text.
pub fn percentiles(h: &hdrhistogram::Histogram<u64>) -> String {
    format!(
        "p50 {} µs, p99 {} µs, p99.9 {} µs, max {} µs (n = {})",
        h.value_at_quantile(0.50),
        h.value_at_quantile(0.99),
        h.value_at_quantile(0.999),
        h.max(),
        h.len()
    )
}

pub fn histogram() -> hdrhistogram::Histogram<u64> {
    hdrhistogram::Histogram::new_with_bounds(1, 3_600_000_000, 3).unwrap()
}
