//! PIN pad: retries after 3000 ms of silence and on NAK, giving up after 3 retries, typed
//! requests answered by the pad, pad messages as inputs.

use std::time::Duration;

use posrig_pos::driver::pinpad::{self, PinPadConfig, PinPadEvent};
use posrig_pos::driver::{DeviceHealth, DriverError};
use posrig_protocols::pinpad::{
    encode_frame, EntryModes, FrameDecoder, LinkEvent, PadMessage, PadPhase, Pan, TxnKind, ACK, NAK,
};
use tokio::io::{AsyncReadExt, AsyncWriteExt, DuplexStream};
use tokio::time::Instant;

use super::support::{ms_since, next, read_n, wire};

/// The pad's side: read until one complete frame (or ACK/NAK) has arrived.
async fn read_event(dev: &mut DuplexStream, decoder: &mut FrameDecoder) -> LinkEvent {
    loop {
        if let Some(ev) = decoder.next_event() {
            return ev.expect("a good frame from the POS");
        }
        let mut b = [0u8; 1];
        tokio::time::timeout(Duration::from_secs(60), dev.read_exact(&mut b))
            .await
            .expect("bytes within 60 s")
            .unwrap();
        decoder.push(&b);
    }
}

async fn read_frame(dev: &mut DuplexStream, decoder: &mut FrameDecoder) -> PadMessage {
    match read_event(dev, decoder).await {
        LinkEvent::Frame(p) => PadMessage::parse(&p).unwrap(),
        other => panic!("expected a frame, got {other:?}"),
    }
}

async fn send_msg(dev: &mut DuplexStream, msg: &PadMessage) {
    dev.write_all(&encode_frame(&msg.encode().unwrap()).unwrap())
        .await
        .unwrap();
}

#[tokio::test(start_paused = true)]
async fn silence_means_a_resend_every_3000_ms_and_giving_up_after_3_retries() {
    let t0 = Instant::now();
    let (port, mut dev) = wire();
    let (pad, mut events) = pinpad::spawn(port, PinPadConfig::default());
    let call = tokio::spawn({
        let pad = pad.clone();
        async move { pad.display("HELLO").await }
    });
    let mut decoder = FrameDecoder::new();
    for attempt in 0..4u64 {
        let msg = read_frame(&mut dev, &mut decoder).await;
        assert_eq!(
            msg,
            PadMessage::Display {
                text: "HELLO".into()
            }
        );
        assert_eq!(ms_since(t0), u128::from(attempt * 3000));
    }
    let result = call.await.unwrap();
    assert!(
        matches!(
            result,
            Err(DriverError::NotDelivered {
                what: "D0",
                attempts: 4
            })
        ),
        "{result:?}"
    );
    assert_eq!(ms_since(t0), 12_000);
    assert_eq!(
        next(&mut events).await,
        PinPadEvent::Health(DeviceHealth::NotResponding)
    );
    assert_eq!(pad.health(), DeviceHealth::NotResponding);

    // The pad is back: the next request is acknowledged and answered.
    let call = tokio::spawn({
        let pad = pad.clone();
        async move { pad.display("AGAIN").await }
    });
    let _ = read_frame(&mut dev, &mut decoder).await;
    dev.write_all(&[ACK]).await.unwrap();
    send_msg(
        &mut dev,
        &PadMessage::Answer {
            code: posrig_protocols::pinpad::AnswerCode::accepted(),
        },
    )
    .await;
    assert_eq!(read_n(&mut dev, 1).await, [ACK]);
    call.await.unwrap().unwrap();
    assert_eq!(
        next(&mut events).await,
        PinPadEvent::Health(DeviceHealth::Healthy)
    );
}

#[tokio::test(start_paused = true)]
async fn nak_means_an_immediate_resend() {
    let t0 = Instant::now();
    let (port, mut dev) = wire();
    let (pad, _events) = pinpad::spawn(port, PinPadConfig::default());
    let call = tokio::spawn({
        let pad = pad.clone();
        async move { pad.abort().await }
    });
    let mut decoder = FrameDecoder::new();
    assert_eq!(read_frame(&mut dev, &mut decoder).await, PadMessage::Abort);
    tokio::time::sleep(Duration::from_millis(100)).await;
    dev.write_all(&[NAK]).await.unwrap();
    assert_eq!(read_frame(&mut dev, &mut decoder).await, PadMessage::Abort);
    assert_eq!(ms_since(t0), 100);
    // Every NAK is answered by a resend at once, until the retries are spent: four
    // transmissions in all, then the request fails.
    for _ in 0..2 {
        dev.write_all(&[NAK]).await.unwrap();
        assert_eq!(read_frame(&mut dev, &mut decoder).await, PadMessage::Abort);
    }
    dev.write_all(&[NAK]).await.unwrap();
    let result = call.await.unwrap();
    assert!(
        matches!(result, Err(DriverError::NotDelivered { attempts: 4, .. })),
        "{result:?}"
    );
    assert_eq!(ms_since(t0), 100);
}

#[tokio::test(start_paused = true)]
async fn a_sale_start_and_pin_request_are_answered_and_pad_messages_are_inputs() {
    let (port, mut dev) = wire();
    let (pad, mut events) = pinpad::spawn(port, PinPadConfig::default());
    let mut decoder = FrameDecoder::new();

    let call = tokio::spawn({
        let pad = pad.clone();
        async move { pad.start(1250, 156, TxnKind::Sale, EntryModes::ALL).await }
    });
    let msg = read_frame(&mut dev, &mut decoder).await;
    assert_eq!(
        msg.encode().unwrap(),
        b"S0\x1c1250\x1c156\x1cSALE\x1cCST".to_vec()
    );
    dev.write_all(&[ACK]).await.unwrap();
    send_msg(&mut dev, &PadMessage::Phase(PadPhase::WaitingForCard)).await;
    assert_eq!(read_n(&mut dev, 1).await, [ACK]);
    assert_eq!(call.await.unwrap().unwrap(), PadPhase::WaitingForCard);
    assert_eq!(
        next(&mut events).await,
        PinPadEvent::Message(PadMessage::Phase(PadPhase::WaitingForCard))
    );

    // A refused PIN request (no key loaded) is a typed error.
    let pan: Pan = "4000001234562000".parse().unwrap();
    let call = tokio::spawn({
        let pad = pad.clone();
        async move { pad.request_pin(pan, 1250).await }
    });
    let msg = read_frame(&mut dev, &mut decoder).await;
    assert!(matches!(
        msg,
        PadMessage::RequestPin {
            amount_minor: 1250,
            ..
        }
    ));
    // The request's Debug never shows the PAN.
    assert!(!format!("{msg:?}").contains("4000001234562000"));
    dev.write_all(&[ACK]).await.unwrap();
    send_msg(
        &mut dev,
        &PadMessage::Answer {
            code: posrig_protocols::pinpad::AnswerCode::new("02").unwrap(),
        },
    )
    .await;
    let result = call.await.unwrap();
    assert!(
        matches!(&result, Err(DriverError::Refused { what: "P0", code }) if code == "02"),
        "{result:?}"
    );

    // Unsolicited messages arrive as inputs, acknowledged.
    send_msg(&mut dev, &PadMessage::CardRemoved).await;
    loop {
        if next(&mut events).await == PinPadEvent::Message(PadMessage::CardRemoved) {
            break;
        }
    }
}

#[tokio::test(start_paused = true)]
async fn an_acknowledged_request_without_answer_times_out() {
    let t0 = Instant::now();
    let (port, mut dev) = wire();
    let config = PinPadConfig {
        answer_timeout: Duration::from_secs(2),
        ..PinPadConfig::default()
    };
    let (pad, _events) = pinpad::spawn(port, config);
    let call = tokio::spawn({
        let pad = pad.clone();
        async move { pad.load_pin_key([0x11; 16], [1, 2, 3, 4]).await }
    });
    let mut decoder = FrameDecoder::new();
    let _ = read_frame(&mut dev, &mut decoder).await;
    dev.write_all(&[ACK]).await.unwrap();
    let result = call.await.unwrap();
    assert!(
        matches!(result, Err(DriverError::Timeout { what: "K0", .. })),
        "{result:?}"
    );
    assert_eq!(ms_since(t0), 2000);
    assert_eq!(pad.health(), DeviceHealth::Healthy);
}
