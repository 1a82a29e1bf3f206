//! Wire round trips — write 64 bytes, the far end echoes them, read them back — over a raw
//! in-memory pair (baseline), an in-memory link through the pumps with no impairment, and a
//! pseudo-terminal pair opened by path like an outside program would.

use criterion::{criterion_group, criterion_main, Criterion};
use posrig_sim::wire::pty::Pty;
use posrig_sim::wire::{memory, Link, WireEnd};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::runtime::Runtime;
use tokio_serial::SerialPortBuilderExt;

const FRAME: [u8; 64] = [0x5a; 64];

fn runtime() -> Runtime {
    // Real time: the benchmark measures wall-clock cost of the machinery.
    posrig_sim::clock::build_runtime(posrig_sim::clock::TimeMode::Real).expect("runtime")
}

fn spawn_echo(mut end: WireEnd) {
    tokio::spawn(async move {
        let mut buf = [0u8; 4096];
        while let Ok(n) = end.read(&mut buf).await {
            if n == 0 || end.write_all(&buf[..n]).await.is_err() {
                return;
            }
        }
    });
}

/// Times `iters` round trips from `near`.
async fn round_trips<S: AsyncReadExt + AsyncWriteExt + Unpin>(
    near: &mut S,
    iters: u64,
) -> Duration {
    let mut back = [0u8; 64];
    let start = Instant::now();
    for _ in 0..iters {
        near.write_all(&FRAME).await.expect("write");
        near.read_exact(&mut back).await.expect("read");
    }
    start.elapsed()
}

fn bench_wires(c: &mut Criterion) {
    let mut group = c.benchmark_group("round_trip_64B");

    let rt = runtime();
    let mut raw = rt.block_on(async {
        let (near, far) = memory::pair();
        spawn_echo(far);
        near
    });
    group.bench_function("memory_raw", |b| {
        b.iter_custom(|iters| rt.block_on(round_trips(&mut raw, iters)))
    });

    let rt = runtime();
    let mut linked = rt.block_on(async {
        let (near, far, link) = Link::builder("bench").pair().expect("link");
        spawn_echo(far);
        drop(link); // dropping the handle does not stop the pumps
        near
    });
    group.bench_function("memory_link_no_impairment", |b| {
        b.iter_custom(|iters| rt.block_on(round_trips(&mut linked, iters)))
    });

    let rt = runtime();
    let mut client = rt.block_on(async {
        let pty = Pty::open().expect("pty");
        let path = pty.path().to_str().expect("utf-8 path").to_owned();
        spawn_echo(pty.into_end());
        tokio_serial::new(path, 115_200)
            .open_native_async()
            .expect("open pty slave")
    });
    group.bench_function("pty", |b| {
        b.iter_custom(|iters| rt.block_on(round_trips(&mut client, iters)))
    });
    group.finish();
}

criterion_group!(benches, bench_wires);
criterion_main!(benches);
