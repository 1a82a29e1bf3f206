//! TCP helpers and the impairing TCP proxy on 127.0.0.1. Real sockets, so real time: only
//! lower bounds (guaranteed by the impairment) are asserted, never upper bounds.

use posrig_sim::rng::SimRng;
use posrig_sim::wire::tcp::{connect, Listener, TcpProxy, DEFAULT_LISTEN};
use posrig_sim::wire::{Direction, Impairment, LinkConditions, LinkControl};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::time::{timeout, Instant};

const GUARD: Duration = Duration::from_secs(10);

/// An upstream that echoes every connection.
async fn echo_server() -> String {
    let listener = Listener::bind(DEFAULT_LISTEN).await.unwrap();
    let addr = listener.local_addr().to_string();
    tokio::spawn(async move {
        while let Ok((mut conn, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut buf = [0u8; 1024];
                while let Ok(n) = conn.read(&mut buf).await {
                    if n == 0 || conn.write_all(&buf[..n]).await.is_err() {
                        return;
                    }
                }
            });
        }
    });
    addr
}

#[tokio::test]
async fn proxy_applies_latency_per_direction_and_survives_reset() {
    let upstream = echo_server().await;
    let conditions = LinkConditions {
        a_to_b: Impairment::latency_ms(60.0),
        ..LinkConditions::default()
    };
    let control = LinkControl::new("acquirer-primary", conditions).unwrap();
    let proxy = TcpProxy::spawn(DEFAULT_LISTEN, &upstream, control, &SimRng::new(1))
        .await
        .unwrap();
    assert!(proxy.local_addr().ip().is_loopback());

    let mut client = connect(&proxy.local_addr().to_string()).await.unwrap();
    let t0 = Instant::now();
    client.write_all(b"0200 auth").await.unwrap();
    let mut got = [0u8; 9];
    timeout(GUARD, client.read_exact(&mut got))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(&got, b"0200 auth");
    assert!(t0.elapsed() >= Duration::from_millis(60));

    // Add loss of everything client→host at run time: nothing comes back.
    proxy
        .control()
        .update(Direction::AToB, |i| i.drop_per_byte = 1.0)
        .unwrap();
    client.write_all(b"lost").await.unwrap();
    let mut byte = [0u8; 1];
    assert!(timeout(Duration::from_millis(300), client.read(&mut byte))
        .await
        .is_err());

    // A reset breaks the open connection with an error or EOF.
    proxy.control().reset();
    let broken = timeout(GUARD, client.read(&mut byte)).await.unwrap();
    assert!(matches!(broken, Ok(0) | Err(_)), "{broken:?}");

    // New connections work afterwards.
    proxy
        .control()
        .set(Direction::AToB, Impairment::none())
        .unwrap();
    let mut again = connect(&proxy.local_addr().to_string()).await.unwrap();
    again.write_all(b"0800").await.unwrap();
    let mut got = [0u8; 4];
    timeout(GUARD, again.read_exact(&mut got))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(&got, b"0800");
}

#[tokio::test]
async fn reset_is_seen_as_connection_reset_by_the_upstream_side() {
    // A raw upstream that records how its connection ended.
    let listener = Listener::bind(DEFAULT_LISTEN).await.unwrap();
    let upstream = listener.local_addr().to_string();
    let ended = tokio::spawn(async move {
        let (mut conn, _) = listener.accept().await.unwrap();
        let mut buf = [0u8; 16];
        loop {
            match conn.read(&mut buf).await {
                Ok(0) => return "eof".to_owned(),
                Ok(_) => continue,
                Err(e) => return format!("{:?}", e.kind()),
            }
        }
    });
    let control = LinkControl::new("host", LinkConditions::default()).unwrap();
    let proxy = TcpProxy::spawn(DEFAULT_LISTEN, &upstream, control, &SimRng::new(1))
        .await
        .unwrap();
    let mut client = connect(&proxy.local_addr().to_string()).await.unwrap();
    client.write_all(b"hi").await.unwrap();
    tokio::time::sleep(Duration::from_millis(50)).await;
    proxy.control().reset();
    let how = timeout(GUARD, ended).await.unwrap().unwrap();
    assert_eq!(how, "ConnectionReset");
}
