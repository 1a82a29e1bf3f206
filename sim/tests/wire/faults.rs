//! Stalls (partitions), resets, and closes after N bytes.

use super::{ms, read_n, silent_for};
use posrig_sim::wire::{Direction, Impairment, Link, WireEnd};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::time::Instant;

#[tokio::test(start_paused = true)]
async fn stall_holds_bytes_until_repaired_then_delivers_in_order() {
    let (mut a, mut b, link) = Link::builder("t").pair().unwrap();
    let control = link.control().clone();
    let t0 = Instant::now();
    control.partition();
    a.write_all(b"one,").await.unwrap();
    tokio::time::sleep(ms(10)).await;
    a.write_all(b"two,").await.unwrap();
    b.write_all(b"back").await.unwrap();
    assert!(silent_for(&mut b, ms(5000)).await);
    assert!(silent_for(&mut a, ms(1)).await);

    control.repair();
    let (got, at) = read_n(&mut b, 8).await;
    assert_eq!(got, b"one,two,");
    // Repaired after 10 ms + 5000 ms + 1 ms of checking for silence.
    assert_eq!(at - t0, ms(5011));
    let (got, _) = read_n(&mut a, 4).await;
    assert_eq!(got, b"back");
}

#[tokio::test(start_paused = true)]
async fn stall_keeps_latency_already_running() {
    let (mut a, mut b, link) = Link::builder("t")
        .impair(Direction::AToB, Impairment::latency_ms(300.0))
        .pair()
        .unwrap();
    let t0 = Instant::now();
    a.write_all(b"x").await.unwrap();
    tokio::time::sleep(ms(100)).await;
    link.control()
        .update(Direction::AToB, |i| i.stalled = true)
        .unwrap();
    tokio::time::sleep(ms(100)).await;
    link.control()
        .update(Direction::AToB, |i| i.stalled = false)
        .unwrap();
    // Repaired before the latency ran out: delivery keeps its original time.
    assert_eq!(read_n(&mut b, 1).await.1 - t0, ms(300));
}

async fn sees_break(end: &mut WireEnd) -> bool {
    let mut buf = [0u8; 8];
    match end.read(&mut buf).await {
        Ok(0) | Err(_) => true,
        Ok(_) => false,
    }
}

#[tokio::test(start_paused = true)]
async fn reset_breaks_both_sides() {
    let (mut a, mut b, link) = Link::builder("t")
        .impair(Direction::Both, Impairment::latency_ms(100.0))
        .pair()
        .unwrap();
    a.write_all(b"lost in flight").await.unwrap();
    tokio::time::sleep(ms(10)).await;
    link.control().reset();
    assert!(sees_break(&mut a).await);
    assert!(sees_break(&mut b).await);
    // Writing into a reset wire fails once the far end is gone.
    let mut failed = false;
    for _ in 0..4 {
        if b.write_all(b"x").await.is_err() {
            failed = true;
            break;
        }
        tokio::task::yield_now().await;
    }
    assert!(failed, "writes after a reset must fail");
    link.finished().await;
}

#[tokio::test(start_paused = true)]
async fn close_after_n_bytes() {
    let imp = Impairment {
        close_after_bytes: Some(5),
        ..Impairment::default()
    };
    let (mut a, mut b, link) = Link::builder("t")
        .impair(Direction::AToB, imp)
        .pair()
        .unwrap();
    a.write_all(b"0123456789").await.unwrap();
    let mut got = Vec::new();
    tokio::time::timeout(ms(1000), b.read_to_end(&mut got))
        .await
        .expect("b eof")
        .unwrap();
    assert_eq!(got, b"01234");
    let mut rest = Vec::new();
    tokio::time::timeout(ms(1000), a.read_to_end(&mut rest))
        .await
        .expect("a eof")
        .unwrap();
    assert!(rest.is_empty(), "the other side sees EOF too");
    link.finished().await;
}

#[tokio::test(start_paused = true)]
async fn eof_propagates_after_held_bytes() {
    let (mut a, mut b, link) = Link::builder("t")
        .impair(Direction::AToB, Impairment::latency_ms(40.0))
        .pair()
        .unwrap();
    let t0 = Instant::now();
    a.write_all(b"bye").await.unwrap();
    a.shutdown().await.unwrap();
    let mut got = Vec::new();
    b.read_to_end(&mut got).await.unwrap();
    assert_eq!(got, b"bye");
    assert_eq!(Instant::now() - t0, ms(40));
    // The other direction still works after a half-close.
    b.write_all(b"ok").await.unwrap();
    assert_eq!(read_n(&mut a, 2).await.0, b"ok");
    drop(b);
    drop(a);
    link.finished().await;
}
