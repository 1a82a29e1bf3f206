//! Event log digests, divergence finding, and end-to-end determinism of a virtual run.

use posrig_sim::clock::{build_runtime, Clock, TimeMode};
use posrig_sim::event::{
    first_divergence, first_divergence_in_files, read_log, spawn_log_writer, Event, EventBus,
    EventKind, EventLog, FrameDir,
};
use posrig_sim::rng::SimRng;
use posrig_sim::wire::{Direction, Impairment, Latency, Link, Schedule};
use sha2::{Digest, Sha256};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

fn sample_events() -> Vec<Event> {
    vec![
        Event {
            at_us: 0,
            lane: Some(1),
            source: "lane1/scanner".into(),
            kind: EventKind::Action {
                name: "scan".into(),
                detail: "6901234567892".into(),
            },
        },
        Event {
            at_us: 1200,
            lane: Some(1),
            source: "lane1/display".into(),
            kind: EventKind::Frame {
                dir: FrameDir::In,
                summary: "line 1: COLA 330ML 3.50".into(),
            },
        },
        Event {
            at_us: 1300,
            lane: Some(1),
            source: "harness".into(),
            kind: EventKind::Measurement {
                op: "scan_to_display".into(),
                latency_us: 1200,
            },
        },
        Event {
            at_us: 9000,
            lane: None,
            source: "acquirer".into(),
            kind: EventKind::HostDecision {
                mti: "0210".into(),
                stan: "000123".into(),
                code: "00".into(),
                detail: "approved".into(),
            },
        },
        Event {
            at_us: 9100,
            lane: Some(1),
            source: "lane1/printer".into(),
            kind: EventKind::DeviceState {
                state: serde_json::json!({"paper_mm": 12000, "cover": "closed"}),
            },
        },
    ]
}

fn digest_of(events: &[Event]) -> String {
    let mut log = EventLog::digest_only();
    for e in events {
        log.record(e).unwrap();
    }
    log.finish().unwrap().digest
}

#[test]
fn same_events_same_digest_and_file_digest_matches_sha256_of_the_file() {
    let events = sample_events();
    assert_eq!(digest_of(&events), digest_of(&events));
    let mut changed = events.clone();
    changed[2].at_us += 1;
    assert_ne!(digest_of(&events), digest_of(&changed));

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("events.jsonl");
    let mut log = EventLog::to_file(&path).unwrap();
    for e in &events {
        log.record(e).unwrap();
    }
    let summary = log.finish().unwrap();
    assert_eq!(summary.events, 5);
    let bytes = std::fs::read(&path).unwrap();
    assert_eq!(hex::encode(Sha256::digest(&bytes)), summary.digest);
    assert_eq!(read_log(&path).unwrap(), events);
}

#[test]
fn first_divergence_reports_index_and_both_events() {
    let left = sample_events();
    assert_eq!(first_divergence(&left, &left), None);

    let mut right = left.clone();
    right[3].kind = EventKind::HostDecision {
        mti: "0210".into(),
        stan: "000123".into(),
        code: "51".into(),
        detail: "insufficient funds".into(),
    };
    let d = first_divergence(&left, &right).unwrap();
    assert_eq!(d.index, 3);
    assert_eq!(d.left.as_ref(), Some(&left[3]));
    assert_eq!(d.right.as_ref(), Some(&right[3]));
    assert!(d.to_string().contains("diverge at event 3"));

    let shorter = &left[..2];
    let d = first_divergence(&left, shorter).unwrap();
    assert_eq!((d.index, d.right), (2, None));
    assert_eq!(d.left.as_ref(), Some(&left[2]));

    let dir = tempfile::tempdir().unwrap();
    let (pa, pb) = (dir.path().join("a.jsonl"), dir.path().join("b.jsonl"));
    for (path, events) in [(&pa, &left), (&pb, &right)] {
        let mut log = EventLog::to_file(path).unwrap();
        for e in events {
            log.record(e).unwrap();
        }
        log.finish().unwrap();
    }
    assert_eq!(
        first_divergence_in_files(&pa, &pb).unwrap().unwrap().index,
        3
    );
}

/// A small virtual run: noisy, jittery, flapping link; a device echoing; events logged.
fn virtual_run(seed: u64) -> (String, Vec<Event>) {
    let rt = build_runtime(TimeMode::Virtual).unwrap();
    rt.block_on(async move {
        let clock = Clock::start(1_709_294_400);
        let bus = EventBus::new(clock);
        let writer = spawn_log_writer(bus.subscribe(), EventLog::digest_only().keeping_events());
        let rng = SimRng::new(seed);
        let noisy = Impairment {
            latency: Some(Latency::LogNormal {
                median_ms: 20.0,
                sigma: 0.8,
                max_ms: Some(400.0),
            }),
            corrupt_per_byte: 0.02,
            ..Impairment::default()
        };
        let (mut pos, mut dev, link) = Link::builder("lane1/scale-cable")
            .rng(&rng)
            .events(&bus)
            .impair(Direction::Both, noisy)
            .pair()
            .unwrap();
        let flap = Schedule::flapping(300, 70)
            .spawn(link.control().clone())
            .unwrap();
        let dev_events = bus.emitter(Some(1), "lane1/scale");
        let device = tokio::spawn(async move {
            let mut buf = [0u8; 64];
            while let Ok(n) = dev.read(&mut buf).await {
                if n == 0 {
                    break;
                }
                dev_events.emit(EventKind::Frame {
                    dir: FrameDir::In,
                    summary: hex::encode(&buf[..n]),
                });
                if dev.write_all(&buf[..n]).await.is_err() {
                    break;
                }
            }
        });
        let pos_events = bus.emitter(Some(1), "lane1/pos");
        let mut buf = [0u8; 64];
        for i in 0..40u8 {
            pos.write_all(&[b'W', i]).await.unwrap();
            let n = pos.read(&mut buf).await.unwrap();
            pos_events.emit(EventKind::Frame {
                dir: FrameDir::In,
                summary: hex::encode(&buf[..n]),
            });
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        flap.abort();
        drop(pos);
        let _ = device.await;
        link.finished().await;
        drop(pos_events);
        drop(bus);
        let log = writer.await.unwrap().unwrap();
        (log.digest(), log.events().unwrap().to_vec())
    })
}

#[test]
fn same_seed_same_virtual_run_byte_for_byte() {
    let (d1, e1) = virtual_run(42);
    let (d2, e2) = virtual_run(42);
    assert!(e1.len() > 40, "{} events", e1.len());
    assert_eq!(first_divergence(&e1, &e2), None);
    assert_eq!(d1, d2);
    let (d3, e3) = virtual_run(43);
    assert_ne!(d1, d3);
    assert!(first_divergence(&e1, &e3).is_some());
}
