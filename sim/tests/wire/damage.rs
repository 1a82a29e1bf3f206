//! Byte corruption and drops drawn from seeded generators: reproducible, rate-plausible.

use super::reads_until;
use posrig_sim::rng::SimRng;
use posrig_sim::wire::{Direction, Impairment, Link};
use tokio::io::AsyncWriteExt;

const LEN: usize = 20_000;

fn pattern() -> Vec<u8> {
    (0..LEN).map(|i| (i % 251) as u8).collect()
}

/// Sends the pattern through a noisy link and returns what arrived.
async fn noisy(seed: u64, imp: Impairment, expect_len: Option<usize>) -> Vec<u8> {
    let (mut a, mut b, _link) = Link::builder("lane1/scale-cable")
        .rng(&SimRng::new(seed))
        .impair(Direction::AToB, imp)
        .pair()
        .unwrap();
    // Write in uneven chunks: draws are per byte, so chunking must not matter.
    let data = pattern();
    for chunk in data.chunks(777) {
        a.write_all(chunk).await.unwrap();
        tokio::task::yield_now().await;
    }
    drop(a);
    match expect_len {
        Some(n) => reads_until(&mut b, n)
            .await
            .into_iter()
            .flat_map(|(d, _)| d)
            .collect(),
        None => {
            let mut got = Vec::new();
            tokio::io::AsyncReadExt::read_to_end(&mut b, &mut got)
                .await
                .unwrap();
            got
        }
    }
}

fn corrupted_positions(got: &[u8]) -> Vec<usize> {
    let sent = pattern();
    got.iter()
        .zip(&sent)
        .enumerate()
        .filter_map(|(i, (g, s))| (g != s).then_some(i))
        .collect()
}

#[tokio::test(start_paused = true)]
async fn corruption_is_reproducible_from_the_seed() {
    let imp = Impairment {
        corrupt_per_byte: 0.01,
        ..Impairment::default()
    };
    let first = corrupted_positions(&noisy(7, imp.clone(), Some(LEN)).await);
    let again = corrupted_positions(&noisy(7, imp.clone(), Some(LEN)).await);
    let other = corrupted_positions(&noisy(8, imp, Some(LEN)).await);
    assert_eq!(first, again);
    assert_ne!(first, other);
    // 1% of 20 000 is 200; a seeded draw lands well inside 120..300.
    assert!(
        (120..300).contains(&first.len()),
        "{} corrupted",
        first.len()
    );
}

#[tokio::test(start_paused = true)]
async fn corruption_flips_exactly_one_bit() {
    let imp = Impairment {
        corrupt_per_byte: 0.05,
        ..Impairment::default()
    };
    let got = noisy(3, imp, Some(LEN)).await;
    let sent = pattern();
    for i in corrupted_positions(&got) {
        assert_eq!((got[i] ^ sent[i]).count_ones(), 1);
    }
}

#[tokio::test(start_paused = true)]
async fn drops_are_reproducible_from_the_seed() {
    let imp = Impairment {
        drop_per_byte: 0.02,
        ..Impairment::default()
    };
    let first = noisy(11, imp.clone(), None).await;
    let again = noisy(11, imp, None).await;
    assert_eq!(first, again);
    let lost = LEN - first.len();
    assert!((250..550).contains(&lost), "{lost} dropped");
}
