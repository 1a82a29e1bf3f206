//! Encode and decode a typical 0200 purchase (fields 2, 3, 4, 11, 14, 22, 23, 25, 26, 35, 41,
//! 42, 49, 52, 53, 55, 60, 64). Target: at least 500k encode+decode per second on one core.

use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};
use posrig_protocols::crypto::{DesKey, MacKey};
use posrig_protocols::iso8583::{transaction, Card, Frame, Header, Terminal, Tpdu};

fn purchase_frame() -> Frame {
    let terminal = Terminal::new("10000001", "898310048990001").unwrap();
    let icc = hex::decode(concat!(
        "9F2608A1B2C3D4E5F607189F2701809F100707010103A000009F3704123456789F36020001",
        "950500000480009A032408269C01005F2A02015682027C009F1A0201569F0206000000001234"
    ))
    .unwrap();
    let card = Card::chip(
        "6228480402564890018",
        "2512",
        1,
        "6228480402564890018=25122201234567",
        icc,
        Some([0x1C, 0x2B, 0x3A, 0x49, 0x58, 0x67, 0x76, 0x85]),
    );
    let mut message = transaction::purchase(&terminal, 123, 1, 1234, &card).unwrap();
    let mak = MacKey::Single(DesKey::from_hex("0723C80DB5F4CD3D").unwrap());
    message.set_mac(&mak);
    let fields: Vec<u8> = message.fields().collect();
    assert_eq!(
        fields,
        [2, 3, 4, 11, 14, 22, 23, 25, 26, 35, 41, 42, 49, 52, 53, 55, 60, 64]
    );
    Frame::new(Tpdu::default(), Header::default(), message)
}

fn bench(c: &mut Criterion) {
    let frame = purchase_frame();
    let bytes = frame.encode();
    let mut group = c.benchmark_group("iso8583_purchase");
    group.throughput(Throughput::Elements(1));
    group.bench_function("encode", |b| {
        let mut out = Vec::with_capacity(512);
        b.iter(|| {
            out.clear();
            black_box(&frame).encode_into(&mut out);
            black_box(out.len())
        })
    });
    group.bench_function("decode", |b| {
        b.iter(|| Frame::decode(black_box(&bytes)).unwrap())
    });
    group.bench_function("encode_decode", |b| {
        let mut out = Vec::with_capacity(512);
        b.iter(|| {
            out.clear();
            black_box(&frame).encode_into(&mut out);
            Frame::decode(black_box(&out)).unwrap()
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
