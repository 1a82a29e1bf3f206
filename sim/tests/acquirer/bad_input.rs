//! Bad input: the host answers `30` where it can, closes the connection where it cannot, never
//! panics, and keeps serving every other terminal throughout.

use std::time::Duration;

use posrig_protocols::iso8583::{transaction, Frame, Header, Mti, ResponseCode, Tpdu};
use rand::{Rng, SeedableRng};

use crate::support::*;

/// What the host did with a bad frame.
#[derive(Debug, PartialEq)]
enum Outcome {
    FormatError { stan: Option<u32> },
    Closed,
}

async fn send_bad(addr: std::net::SocketAddr, bytes: &[u8], then_close_write: bool) -> Outcome {
    let mut lane = Lane::connect(addr, "LANE0040").await;
    lane.send_bytes(bytes).await;
    if then_close_write {
        use tokio::io::AsyncWriteExt;
        lane.stream.shutdown().await.unwrap();
    }
    match lane.recv_within(Duration::from_secs(3)).await {
        Some(frame) => {
            assert_eq!(
                frame.message.response_code(),
                Some(ResponseCode::FormatError)
            );
            assert!(frame.message.mti().is_response());
            Outcome::FormatError {
                stan: frame.message.stan(),
            }
        }
        None => Outcome::Closed,
    }
}

async fn still_serving(good: &mut Lane) {
    let stan = good.next_stan();
    let echo = transaction::echo_test(&good.terminal, stan, good.batch).unwrap();
    let frame = good.exchange(echo).await;
    assert_eq!(frame.message.response_code(), Some(ResponseCode::Approved));
}

fn echo_frame(stan: u32) -> Vec<u8> {
    let t = posrig_protocols::iso8583::Terminal::new("LANE0040", MERCHANT).unwrap();
    let mut m = transaction::echo_test(&t, stan, 1).unwrap();
    m.set_reserved63("001").unwrap();
    Frame::new(Tpdu::default(), Header::default(), m).encode()
}

#[tokio::test]
async fn bad_frames_get_30_or_a_closed_connection_and_others_keep_working() {
    let config = config().with_idle_timeout(Duration::from_millis(500));
    let (_acq, server) = start_with(config).await;
    let addr = server.local_addr();
    let mut good = Lane::connect(addr, "LANE0041").await;
    good.sign_on().await;

    // A connection that opens and says nothing: closed after the idle timeout.
    let mut silent = Lane::connect(addr, "LANE0042").await;
    still_serving(&mut good).await;

    let good_frame = echo_frame(77);
    // Sanity: the unmodified frame is answered 00.
    let mut ok = Lane::connect(addr, "LANE0040").await;
    ok.send_bytes(&good_frame).await;
    assert_eq!(
        ok.recv().await.message.response_code(),
        Some(ResponseCode::Approved)
    );

    // Truncated: the prefix promises more than ever arrives.
    let outcome = send_bad(addr, &good_frame[..good_frame.len() - 5], true).await;
    assert_eq!(outcome, Outcome::Closed);
    still_serving(&mut good).await;

    // Length prefix 0 and over the limit: the stream cannot resynchronise.
    for prefix in [[0u8, 0], [0xFF, 0xFF]] {
        let mut bytes = good_frame.clone();
        bytes[..2].copy_from_slice(&prefix);
        assert_eq!(send_bad(addr, &bytes, false).await, Outcome::Closed);
        still_serving(&mut good).await;
    }

    // Wrong length: shorter than the message, so the last field is cut.
    let mut short = good_frame.clone();
    let len = (good_frame.len() - 2 - 3) as u16;
    short[..2].copy_from_slice(&len.to_be_bytes());
    let outcome = send_bad(addr, &short[..short.len() - 3], false).await;
    assert_eq!(outcome, Outcome::FormatError { stan: Some(77) });
    still_serving(&mut good).await;

    // Too short to hold an MTI: nobody to answer.
    assert_eq!(
        send_bad(addr, &[0, 4, 0x60, 0, 3, 0], false).await,
        Outcome::Closed
    );

    // Bad bitmap: a secondary bitmap, then a field the layout does not define.
    let bitmap_at = 2 + 5 + 6 + 2;
    let mut secondary = good_frame.clone();
    secondary[bitmap_at] |= 0x80;
    assert!(matches!(
        send_bad(addr, &secondary, false).await,
        Outcome::FormatError { .. }
    ));
    let mut undefined = good_frame.clone();
    undefined[bitmap_at] |= 0x08; // field 5
    assert!(matches!(
        send_bad(addr, &undefined, false).await,
        Outcome::FormatError { .. }
    ));
    still_serving(&mut good).await;

    // Non-BCD digits in the STAN (the first field of an echo).
    let mut non_bcd = good_frame.clone();
    non_bcd[bitmap_at + 8] = 0xAB;
    assert_eq!(
        send_bad(addr, &non_bcd, false).await,
        Outcome::FormatError { stan: None }
    );

    // Oversized LLLVAR: field 63 (the last) claims 999 characters, over its maximum of 163.
    let mut oversized = good_frame.clone();
    let n = oversized.len();
    oversized[n - 5..n - 3].copy_from_slice(&[0x09, 0x99]);
    assert_eq!(
        send_bad(addr, &oversized, false).await,
        Outcome::FormatError { stan: Some(77) },
        "the fields before the bad one are echoed"
    );
    still_serving(&mut good).await;

    // A well-formed request of no known transaction: 12, not 30.
    let mut unknown = Lane::connect(addr, "LANE0040").await;
    let mut m = posrig_protocols::iso8583::Message::new(Mti::new(900).unwrap());
    m.set_stan(5).unwrap().set_terminal_id("LANE0040").unwrap();
    m.set_merchant_id(MERCHANT).unwrap();
    m.set(60, "00000001000").unwrap();
    unknown.send(m).await;
    let frame = unknown.recv().await;
    assert_eq!(
        frame.message.response_code(),
        Some(ResponseCode::InvalidTransaction)
    );

    // Random bytes from a seeded generator, many times over.
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(8583);
    for _ in 0..50 {
        let len = rng.gen_range(1..300);
        let bytes: Vec<u8> = (0..len).map(|_| rng.gen()).collect();
        let _ = send_bad(addr, &bytes, true).await;
    }
    // Random bytes behind a plausible prefix, TPDU and header.
    for _ in 0..50 {
        let len = rng.gen_range(2..200);
        let mut payload = vec![0x60, 0, 3, 0, 0, 0x60, 0x31, 0, 0, 0, 1];
        payload.extend((0..len).map(|_| rng.gen::<u8>()));
        let mut bytes = (payload.len() as u16).to_be_bytes().to_vec();
        bytes.extend(payload);
        let _ = send_bad(addr, &bytes, true).await;
    }
    still_serving(&mut good).await;

    assert!(
        silent.closed_within(Duration::from_secs(3)).await,
        "idle connection closed"
    );
    // The good lane keeps talking, so it stays open.
    still_serving(&mut good).await;
}
