//! The acquirer on the sim kernel: events on the bus, named impaired links in front of it.

use std::sync::Arc;
use std::time::Duration;

use posrig_protocols::iso8583::{Frame, FrameDecoder, Header, ResponseCode, Tpdu};
use posrig_sim::acquirer::{Acquirer, AcquirerLinks};
use posrig_sim::clock::Clock;
use posrig_sim::event::{EventBus, EventKind};
use posrig_sim::rng::SimRng;
use posrig_sim::wire::{Direction, Impairment, Link};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::support::*;

#[tokio::test]
async fn events_and_a_partitioned_primary_with_a_working_backup() {
    let bus = EventBus::new(Clock::start(1_735_689_600)); // 2025-01-01
    let mut events = bus.subscribe();
    let rng = SimRng::new(7);
    let config = config().with_sim_rng(&rng).with_clock(*bus.clock());
    let acquirer = Acquirer::with_observer(config, Arc::new(bus.emitter(None, "acquirer")));
    let server = acquirer.listen("127.0.0.1:0").await.unwrap();
    let links = AcquirerLinks::spawn(server.local_addr(), &rng, Some(&bus))
        .await
        .unwrap();

    let mut lane = Lane::connect(links.primary.local_addr(), "LANE0050").await;
    lane.sign_on().await;
    let card = lane.card("chip-ok", Some(&pin_of("chip-ok")));
    let p = lane.purchase(100, &card);
    assert_eq!(
        lane.exchange(p).await.message.response_code(),
        Some(ResponseCode::Approved)
    );

    links.primary.control().partition();
    let p = lane.purchase(100, &card);
    lane.send(p).await;
    assert!(
        lane.recv_within(Duration::from_millis(300)).await.is_none(),
        "partitioned"
    );

    let mut backup = Lane::connect(links.backup.local_addr(), "LANE0050").await;
    backup.keys = lane.keys.clone();
    backup.stan = lane.stan;
    let p = backup.purchase(200, &card);
    assert_eq!(
        backup.exchange(p).await.message.response_code(),
        Some(ResponseCode::Approved)
    );

    links.primary.control().repair();
    // The held request is delivered on repair and answered.
    let late = lane.recv().await;
    assert_eq!(late.message.response_code(), Some(ResponseCode::Approved));

    let mut decisions = 0;
    let mut rtts = 0;
    let mut link_events = 0;
    while let Ok(e) = events.try_recv() {
        let json = e.canonical_json();
        assert!(
            !json.contains("6222021000000000017"),
            "no full PAN in events: {json}"
        );
        match &e.kind {
            EventKind::HostDecision { code, .. } if e.source == "acquirer" => {
                assert_eq!(code, "00");
                decisions += 1;
            }
            EventKind::Measurement { op, .. } if op == "host_rtt" => rtts += 1,
            EventKind::LinkState { .. } if e.source == "link/acquirer-primary" => link_events += 1,
            _ => {}
        }
    }
    assert_eq!(decisions, 4, "sign-on and three purchases");
    assert_eq!(rtts, 4);
    assert!(link_events >= 2, "partition and repair reported");
}

#[tokio::test(start_paused = true)]
async fn in_memory_link_adds_exact_virtual_latency() {
    let acquirer = Acquirer::new(config());
    let (mut end, link) = acquirer
        .connect_through(
            Link::builder("acquirer-primary").impair(Direction::Both, Impairment::latency_ms(50.0)),
        )
        .unwrap();
    let t = posrig_protocols::iso8583::Terminal::new("LANE0051", MERCHANT).unwrap();
    let echo = posrig_protocols::iso8583::transaction::echo_test(&t, 1, 1).unwrap();
    let bytes = Frame::new(Tpdu::default(), Header::default(), echo).encode();
    let started = tokio::time::Instant::now();
    end.write_all(&bytes).await.unwrap();
    let mut decoder = FrameDecoder::new();
    let mut buf = [0u8; 512];
    let frame = loop {
        if let Some(f) = decoder.next_frame().unwrap() {
            break f;
        }
        let n = end.read(&mut buf).await.unwrap();
        decoder.push(&buf[..n]);
    };
    assert_eq!(frame.message.response_code(), Some(ResponseCode::Approved));
    assert_eq!(
        started.elapsed(),
        Duration::from_millis(100),
        "50 ms each way, virtual"
    );
    drop(link);
}
