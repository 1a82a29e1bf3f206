//! The simulated card reader and PIN pad driven through a pseudo-terminal from the POS side with
//! raw bytes (frames, ACKs, NAKs), with actions and faults through its handle.

use std::collections::VecDeque;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use posrig_devices::pinpad::{PinPad, PinPadConfig};
use posrig_devices::{serve, DeviceEvent, DeviceHandle, ServeOptions};
use posrig_protocols::crypto::{decode_pin_block, TdesKey};
use posrig_protocols::pinpad::{
    encode_frame, CardEntry, Field55, FrameDecoder, LinkEvent, PadMessage, PadPhase, PinOutcome,
    ACK, NAK,
};
use posrig_sim::data::CardFile;
use serde_json::json;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio_serial::SerialStream;

const K0: &[u8] = b"K0\x1c6701EAD6A9AD51E51AA406E2C27FCFA9\x1c8D0A74B8";
const PIK_CLEAR: &str = "807A23AD32B36D457AE91FDF927570EA";

fn cards() -> Arc<CardFile> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../scenarios/data/cards.yaml");
    Arc::new(CardFile::load(Path::new(path)).expect("load the test cards"))
}

type Events = Arc<Mutex<Vec<DeviceEvent>>>;

/// The POS end of the wire, speaking the §3 link by hand.
struct Pos<W> {
    wire: W,
    decoder: FrameDecoder,
    /// What arrived but was not asked for yet.
    pending: VecDeque<LinkEvent>,
}

impl<W: AsyncRead + AsyncWrite + Unpin> Pos<W> {
    fn new(wire: W) -> Self {
        Self {
            wire,
            decoder: FrameDecoder::new(),
            pending: VecDeque::new(),
        }
    }

    async fn next_link_event(&mut self) -> LinkEvent {
        loop {
            if let Some(ev) = self.pending.pop_front() {
                return ev;
            }
            while let Some(ev) = self.decoder.next_event() {
                self.pending
                    .push_back(ev.expect("the pad sends well-formed frames"));
            }
            if !self.pending.is_empty() {
                continue;
            }
            let mut buf = [0u8; 512];
            let n = tokio::time::timeout(Duration::from_secs(60), self.wire.read(&mut buf))
                .await
                .expect("the pad answers in time")
                .expect("read the wire");
            assert!(n > 0, "the wire closed");
            self.decoder.push(&buf[..n]);
        }
    }

    async fn write(&mut self, bytes: &[u8]) {
        self.wire.write_all(bytes).await.unwrap();
        self.wire.flush().await.unwrap();
    }

    /// Send a frame and wait for the pad's ACK.
    async fn send(&mut self, payload: &[u8]) {
        self.write(&encode_frame(payload).unwrap()).await;
        let mut held = Vec::new();
        loop {
            match self.next_link_event().await {
                LinkEvent::Ack => break,
                LinkEvent::Nak => panic!("the pad NAKed a good frame"),
                frame => held.push(frame),
            }
        }
        for (i, ev) in held.into_iter().enumerate() {
            self.pending.insert(i, ev);
        }
    }

    /// The next frame from the pad, unacknowledged.
    async fn recv_raw(&mut self) -> Vec<u8> {
        loop {
            if let LinkEvent::Frame(payload) = self.next_link_event().await {
                return payload;
            }
        }
    }

    /// The next message from the pad, ACKed.
    async fn recv(&mut self) -> PadMessage {
        let payload = self.recv_raw().await;
        self.write(&[ACK]).await;
        PadMessage::parse(&payload).expect("the pad sends valid messages")
    }

    async fn expect(&mut self, expected: PadMessage) {
        assert_eq!(self.recv().await, expected);
    }
}

fn a0(code: &str) -> PadMessage {
    PadMessage::Answer {
        code: posrig_protocols::pinpad::AnswerCode::new(code).unwrap(),
    }
}

fn phase(p: PadPhase) -> PadMessage {
    PadMessage::Phase(p)
}

fn serve_on<W>(wire: W, config: PinPadConfig) -> (DeviceHandle, Events)
where
    W: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let events: Events = Arc::new(Mutex::new(Vec::new()));
    let sink = events.clone();
    let pad = PinPad::new(config, cards()).unwrap();
    let handle = serve(
        pad,
        wire,
        Box::new(move |e| sink.lock().unwrap().push(e)),
        ServeOptions::default(),
    );
    (handle, events)
}

/// A pad on one end of a fresh pty; the POS holds the other.
fn start_pty(config: PinPadConfig) -> (Pos<SerialStream>, DeviceHandle, Events) {
    let (pos_end, pad_end) = SerialStream::pair().expect("open a pseudo-terminal pair");
    let (handle, events) = serve_on(pad_end, config);
    (Pos::new(pos_end), handle, events)
}

async fn act(pad: &DeviceHandle, action: serde_json::Value) {
    pad.act_json(action.clone())
        .await
        .unwrap()
        .unwrap_or_else(|e| panic!("{action}: {e}"));
}

/// No event (snapshots included) and no final snapshot holds a test card's full PAN or PIN.
fn assert_no_card_secrets(events: &Events, pad: &DeviceHandle) {
    let mut shown: Vec<String> = events
        .lock()
        .unwrap()
        .iter()
        .map(|e| serde_json::to_string(e).unwrap())
        .collect();
    shown.push(pad.state().to_string());
    let all = shown.join("\n");
    for card in &cards().cards {
        assert!(
            !all.contains(&card.pan),
            "full PAN of {} leaked:\n{all}",
            card.name
        );
        // Stricter than needed (a PIN's digits could in principle appear in an amount), but
        // the flows here are chosen so they do not.
        assert!(
            !all.contains(&card.pin),
            "PIN of {} leaked:\n{all}",
            card.name
        );
    }
    assert!(!all.contains("=2812"), "track 2 leaked:\n{all}");
    assert!(
        cards().cards.iter().any(|c| all.contains(&c.masked_pan())),
        "the masked PAN is what events show"
    );
}

#[tokio::test]
async fn full_chip_flow_with_a_pin_block_under_the_loaded_key() {
    let (mut pos, pad, events) = start_pty(PinPadConfig::default());
    let card = cards().by_name("chip-ok").unwrap().clone();

    pos.send(K0).await;
    pos.expect(a0("00")).await;
    pos.send(b"S0\x1c1250\x1c156\x1cSALE\x1cCST").await;
    pos.expect(phase(PadPhase::WaitingForCard)).await;

    act(&pad, json!({"action": "insert", "card": "chip-ok"})).await;
    pos.expect(phase(PadPhase::ChipInserted)).await;
    let PadMessage::Card {
        entry,
        track2,
        expiry,
        icc_tlv,
    } = pos.recv().await
    else {
        panic!("expected C0")
    };
    assert_eq!(entry, CardEntry::Chip);
    assert_eq!(track2.pan.as_str(), card.pan);
    assert_eq!(expiry.to_string(), card.expiry);
    let f55 = Field55::parse(&icc_tlv).unwrap();
    assert_eq!(f55.data.amount_minor, 1250);
    assert_eq!(f55.data.currency, 156);
    assert!(
        f55.data.verify_arqc(&card.icc_key(), f55.arqc),
        "the acquirer can verify the ARQC"
    );

    pos.send(format!("P0\x1c{}\x1c1250", card.pan).as_bytes())
        .await;
    pos.expect(phase(PadPhase::PinEntry)).await;
    act(&pad, json!({"action": "enter_pin", "pin": card.pin})).await;
    let PadMessage::PinResult(PinOutcome::Ok(block)) = pos.recv().await else {
        panic!("expected P1 OK")
    };
    let clear = TdesKey::from_hex(PIK_CLEAR)
        .unwrap()
        .decrypt_block(block.bytes());
    assert_eq!(decode_pin_block(clear, &card.pan).unwrap(), card.pin);
    pos.expect(phase(PadPhase::Authorising)).await;

    pos.send(b"D0\x1cAPPROVED").await;
    pos.expect(a0("00")).await;
    pos.send(b"X0").await;
    pos.expect(a0("00")).await;
    pos.expect(phase(PadPhase::RemoveCard)).await;
    act(&pad, json!({"action": "remove"})).await;
    pos.expect(PadMessage::CardRemoved).await;
    assert_eq!(pad.state()["phase"], "idle");
    assert_eq!(pad.state()["screen"], "WELCOME");
    assert_no_card_secrets(&events, &pad);
}

#[tokio::test]
async fn chip_failure_falls_back_to_swipe() {
    let (mut pos, pad, events) = start_pty(PinPadConfig::default());
    pos.send(b"S0\x1c500\x1c156\x1cSALE\x1cCST").await;
    pos.expect(phase(PadPhase::WaitingForCard)).await;
    pad.fault_json(json!({"fault": "chip_failure"}), true)
        .await
        .unwrap()
        .unwrap();
    act(&pad, json!({"action": "insert", "card": "chip-ok"})).await;
    pos.expect(phase(PadPhase::FallbackToSwipe)).await;
    act(&pad, json!({"action": "swipe", "card": "chip-ok"})).await;
    pos.expect(phase(PadPhase::Swiped)).await;
    let PadMessage::Card { entry, icc_tlv, .. } = pos.recv().await else {
        panic!("expected C0")
    };
    assert_eq!(entry, CardEntry::Fallback);
    assert!(icc_tlv.is_empty(), "a fallback carries no chip data");
    assert_no_card_secrets(&events, &pad);
}

#[tokio::test]
async fn card_removed_during_pin_entry_sends_r0() {
    let (mut pos, pad, events) = start_pty(PinPadConfig::default());
    pos.send(K0).await;
    pos.expect(a0("00")).await;
    pos.send(b"S0\x1c1250\x1c156\x1cSALE\x1cCST").await;
    pos.expect(phase(PadPhase::WaitingForCard)).await;
    act(&pad, json!({"action": "insert", "card": "foreign-visa"})).await;
    pos.expect(phase(PadPhase::ChipInserted)).await;
    pos.recv().await;
    pos.send(b"P0\x1c4000001234562007\x1c1250").await;
    pos.expect(phase(PadPhase::PinEntry)).await;
    act(&pad, json!({"action": "remove"})).await;
    pos.expect(PadMessage::CardRemoved).await;
    let err = pad
        .act_json(json!({"action": "enter_pin"}))
        .await
        .unwrap()
        .unwrap_err();
    assert!(err.to_string().contains("not asking for a PIN"), "{err}");
    assert_no_card_secrets(&events, &pad);
}

#[tokio::test]
async fn pin_timeout_over_the_pty() {
    let (mut pos, pad, events) = start_pty(PinPadConfig {
        pin_timeout_ms: 300,
        ..PinPadConfig::default()
    });
    pos.send(K0).await;
    pos.expect(a0("00")).await;
    pos.send(b"S0\x1c1250\x1c156\x1cSALE\x1cCS").await;
    pos.expect(phase(PadPhase::WaitingForCard)).await;
    act(&pad, json!({"action": "swipe", "card": "swipe-only"})).await;
    pos.expect(phase(PadPhase::Swiped)).await;
    pos.recv().await;
    pos.send(b"P0\x1c6217001000000000037\x1c1250").await;
    pos.expect(phase(PadPhase::PinEntry)).await;
    pos.expect(PadMessage::PinResult(PinOutcome::Timeout)).await;
    assert_no_card_secrets(&events, &pad);
}

#[tokio::test]
async fn a_nak_from_the_pos_makes_the_pad_send_again() {
    let (mut pos, _pad, _) = start_pty(PinPadConfig::default());
    pos.send(b"D0\x1cHELLO").await;
    let first = pos.recv_raw().await;
    pos.write(&[NAK]).await;
    assert_eq!(pos.recv_raw().await, first, "the same frame, resent");
    pos.write(&[ACK]).await;
    assert_eq!(PadMessage::parse(&first).unwrap(), a0("00"));
}

#[tokio::test]
async fn corrupt_lrc_fault_is_answered_by_a_good_resend() {
    let (mut pos, pad, _) = start_pty(PinPadConfig::default());
    pad.fault_json(json!({"fault": "corrupt_lrc"}), true)
        .await
        .unwrap()
        .unwrap();
    pos.write(&encode_frame(b"X0").unwrap()).await;
    // ACK, then the frame with a bad LRC: the decoder reports it and we NAK it.
    let mut raw = Vec::new();
    let mut buf = [0u8; 64];
    while raw.len() < 1 + 7 {
        let n = tokio::time::timeout(Duration::from_secs(5), pos.wire.read(&mut buf))
            .await
            .unwrap()
            .unwrap();
        raw.extend_from_slice(&buf[..n]);
    }
    assert_eq!(raw[0], ACK);
    assert_ne!(&raw[1..], encode_frame(b"A0\x1c00").unwrap(), "LRC spoiled");
    pos.write(&[NAK]).await;
    pos.expect(a0("00")).await;
}

/// The timing part in virtual time: a memory wire, so the paused clock jumps straight to the
/// 30 s default PIN timeout.
#[tokio::test(start_paused = true)]
async fn default_pin_timeout_is_thirty_seconds_of_virtual_time() {
    let (pos_end, pad_end) = tokio::io::duplex(4096);
    let (pad, events) = serve_on(pad_end, PinPadConfig::default());
    let mut pos = Pos::new(pos_end);
    pos.send(K0).await;
    pos.expect(a0("00")).await;
    pos.send(b"S0\x1c1250\x1c156\x1cSALE\x1cCST").await;
    pos.expect(phase(PadPhase::WaitingForCard)).await;
    act(&pad, json!({"action": "tap", "card": "tap-ok"})).await;
    pos.expect(phase(PadPhase::ContactlessRead)).await;
    assert!(matches!(
        pos.recv().await,
        PadMessage::Card {
            entry: CardEntry::Tap,
            ..
        }
    ));
    pos.send(b"P0\x1c6222021000000000041\x1c1250").await;
    let asked = tokio::time::Instant::now();
    pos.expect(phase(PadPhase::PinEntry)).await;
    pos.expect(PadMessage::PinResult(PinOutcome::Timeout)).await;
    assert_eq!(asked.elapsed(), Duration::from_secs(30));
    assert_no_card_secrets(&events, &pad);
}

/// In virtual time: a pad whose frame is never acknowledged sends it four times, 3 s apart.
#[tokio::test(start_paused = true)]
async fn unacknowledged_frames_are_retried_every_three_seconds() {
    let (pos_end, pad_end) = tokio::io::duplex(4096);
    let (_pad, events) = serve_on(pad_end, PinPadConfig::default());
    let mut pos = Pos::new(pos_end);
    pos.send(b"X0").await;
    let t0 = tokio::time::Instant::now();
    let first = pos.recv_raw().await;
    for n in 1..=3u32 {
        assert_eq!(pos.recv_raw().await, first);
        assert_eq!(t0.elapsed(), Duration::from_secs(3) * n);
    }
    tokio::time::sleep(Duration::from_secs(4)).await;
    assert!(events
        .lock()
        .unwrap()
        .iter()
        .any(|e| matches!(e, DeviceEvent::Action { name, .. } if name == "frame_given_up")));
}
