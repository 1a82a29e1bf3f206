//! Latency, jitter, pacing and slicing, asserted in exact virtual time.

use super::{ms, read_n, reads_until};
use posrig_sim::wire::{CharFrame, Direction, Impairment, Latency, Link, Pacing, Slicing};
use std::time::Duration;
use tokio::io::AsyncWriteExt;
use tokio::time::Instant;

#[tokio::test(start_paused = true)]
async fn latency_on_one_direction_only() {
    let (mut a, mut b, _link) = Link::builder("t")
        .impair(Direction::AToB, Impairment::latency_ms(200.0))
        .pair()
        .unwrap();
    let t0 = Instant::now();
    a.write_all(b"ping").await.unwrap();
    let (got, at) = read_n(&mut b, 4).await;
    assert_eq!(got, b"ping");
    assert_eq!(at - t0, ms(200));

    let t1 = Instant::now();
    b.write_all(b"pong").await.unwrap();
    let (got, at) = read_n(&mut a, 4).await;
    assert_eq!(got, b"pong");
    assert_eq!(at - t1, Duration::ZERO);
}

#[tokio::test(start_paused = true)]
async fn latency_applies_per_chunk_as_it_arrives() {
    let (mut a, mut b, _link) = Link::builder("t")
        .impair(Direction::AToB, Impairment::latency_ms(100.0))
        .pair()
        .unwrap();
    let t0 = Instant::now();
    a.write_all(b"1").await.unwrap();
    tokio::time::sleep(ms(30)).await;
    a.write_all(b"2").await.unwrap();
    let (_, first) = read_n(&mut b, 1).await;
    let (_, second) = read_n(&mut b, 1).await;
    assert_eq!(first - t0, ms(100));
    assert_eq!(second - t0, ms(130));
}

async fn time_to_send(frame: CharFrame, baud: u32, bytes: usize) -> (Duration, Duration) {
    let (mut a, mut b, _link) = Link::builder("serial")
        .impair(Direction::AToB, Impairment::serial_line(baud, frame))
        .pair()
        .unwrap();
    let data: Vec<u8> = (0..bytes).map(|i| i as u8).collect();
    let t0 = Instant::now();
    a.write_all(&data).await.unwrap();
    let reads = reads_until(&mut b, bytes).await;
    let got: Vec<u8> = reads.iter().flat_map(|(d, _)| d.clone()).collect();
    assert_eq!(got, data);
    (reads[0].1 - t0, reads.last().unwrap().1 - t0)
}

#[tokio::test(start_paused = true)]
async fn pacing_9600_8n1_carries_960_bytes_per_second() {
    let (first, last) = time_to_send(CharFrame::N81, 9600, 960).await;
    assert_eq!(last, ms(1000));
    // One byte takes 1.042 ms; tokio's timer resolution is 1 ms, so it lands at 2 ms.
    assert!(first <= ms(2), "first byte at {first:?}");
}

#[tokio::test(start_paused = true)]
async fn pacing_counts_bit_times_of_the_frame() {
    // 7E1 is start + 7 data + parity + stop = 10 bit times, like 8N1.
    let (_, last) = time_to_send(CharFrame::E71, 9600, 960).await;
    assert_eq!(last, ms(1000));
    // 8E1 is 11 bit times: 960 bytes take 1.1 s.
    let (_, last) = time_to_send("8E1".parse().unwrap(), 9600, 960).await;
    assert_eq!(last, ms(1100));
    // 115200 baud 8N1: 11520 bytes per second.
    let (_, last) = time_to_send(CharFrame::N81, 115_200, 11_520).await;
    assert_eq!(last, ms(1000));
}

#[tokio::test(start_paused = true)]
async fn pacing_by_bytes_per_second_and_latency_add_up() {
    let imp = Impairment {
        latency: Some(Latency::Fixed { ms: 50.0 }),
        pacing: Some(Pacing::BytesPerSec {
            bytes_per_sec: 1000,
        }),
        ..Impairment::default()
    };
    let (mut a, mut b, _link) = Link::builder("t")
        .impair(Direction::AToB, imp)
        .pair()
        .unwrap();
    let t0 = Instant::now();
    a.write_all(&[7u8; 100]).await.unwrap();
    let reads = reads_until(&mut b, 100).await;
    assert_eq!(reads.last().unwrap().1 - t0, ms(150));
}

#[tokio::test(start_paused = true)]
async fn slicing_delivers_in_pieces() {
    let imp = Impairment {
        slicing: Some(Slicing {
            max_bytes: 3,
            gap_ms: 1.0,
        }),
        ..Impairment::default()
    };
    let (mut a, mut b, _link) = Link::builder("t")
        .impair(Direction::AToB, imp)
        .pair()
        .unwrap();
    let t0 = Instant::now();
    a.write_all(b"0123456789").await.unwrap();
    let reads = reads_until(&mut b, 10).await;
    let sizes: Vec<usize> = reads.iter().map(|(d, _)| d.len()).collect();
    let times: Vec<Duration> = reads.iter().map(|(_, t)| *t - t0).collect();
    assert_eq!(sizes, [3, 3, 3, 1]);
    assert_eq!(times, [ms(0), ms(1), ms(2), ms(3)]);
    let joined: Vec<u8> = reads.into_iter().flat_map(|(d, _)| d).collect();
    assert_eq!(joined, b"0123456789");
}

#[tokio::test(start_paused = true)]
async fn slicing_without_gap_still_delivers_separate_pieces() {
    let imp = Impairment {
        slicing: Some(Slicing {
            max_bytes: 1,
            gap_ms: 0.0,
        }),
        ..Impairment::default()
    };
    let (mut a, mut b, _link) = Link::builder("t")
        .impair(Direction::AToB, imp)
        .pair()
        .unwrap();
    a.write_all(b"abcdef").await.unwrap();
    let reads = reads_until(&mut b, 6).await;
    assert!(reads.iter().all(|(d, _)| d.len() == 1), "{reads:?}");
}

#[tokio::test(start_paused = true)]
async fn jitter_never_reorders() {
    let imp = Impairment {
        latency: Some(Latency::Uniform {
            min_ms: 0.0,
            max_ms: 100.0,
        }),
        ..Impairment::default()
    };
    let (mut a, mut b, _link) = Link::builder("jittery")
        .impair(Direction::AToB, imp)
        .pair()
        .unwrap();
    let writer = tokio::spawn(async move {
        for i in 0..=255u8 {
            a.write_all(&[i]).await.unwrap();
            tokio::time::sleep(ms(1)).await;
        }
        a
    });
    let reads = reads_until(&mut b, 256).await;
    let bytes: Vec<u8> = reads.iter().flat_map(|(d, _)| d.clone()).collect();
    assert_eq!(bytes, (0..=255u8).collect::<Vec<_>>());
    let _a = writer.await.unwrap();
    let distinct: std::collections::BTreeSet<_> = reads.iter().map(|(_, t)| *t).collect();
    assert!(distinct.len() > 10, "jitter should spread arrivals");
}

#[tokio::test(start_paused = true)]
async fn changing_an_impairment_at_run_time_takes_effect() {
    let (mut a, mut b, link) = Link::builder("t").pair().unwrap();
    let control = link.control().clone();

    let t0 = Instant::now();
    a.write_all(b"x").await.unwrap();
    assert_eq!(read_n(&mut b, 1).await.1 - t0, Duration::ZERO);

    control
        .set(Direction::AToB, Impairment::latency_ms(50.0))
        .unwrap();
    let t1 = Instant::now();
    a.write_all(b"y").await.unwrap();
    assert_eq!(read_n(&mut b, 1).await.1 - t1, ms(50));

    control.set(Direction::AToB, Impairment::none()).unwrap();
    let t2 = Instant::now();
    a.write_all(b"z").await.unwrap();
    assert_eq!(read_n(&mut b, 1).await.1 - t2, Duration::ZERO);

    assert!(control
        .set(
            Direction::AToB,
            Impairment {
                drop_per_byte: 2.0,
                ..Impairment::default()
            }
        )
        .is_err());
}
