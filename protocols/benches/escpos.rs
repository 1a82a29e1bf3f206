//! Printer-side ESC/POS parser throughput on receipt-like input (target: ≥ 200 MB/s).

use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};
use posrig_protocols::escpos::{Alignment, BarcodeKind, EscPosWriter, Parser, QrEcLevel};

/// One receipt: header, 20 item lines with attributes, totals, a barcode, a QR code, a cut.
fn receipt() -> Vec<u8> {
    let mut w = EscPosWriter::new();
    w.init()
        .code_page(16)
        .align(Alignment::Centre)
        .char_size(2, 2)
        .line("POSRIG MART")
        .char_size(1, 1)
        .line("12 Example Road, Springfield")
        .align(Alignment::Left);
    for i in 0..20 {
        w.text(&format!(
            "{:<32}{:>10}",
            format!("Item {i:03} Organic milk 1L"),
            "1.99"
        ))
        .line_feed();
        if i % 5 == 0 {
            w.bold(true).line("  2 x 0.99 member price").bold(false);
        }
    }
    w.bold(true)
        .char_size(1, 2)
        .line("TOTAL                               39.80")
        .char_size(1, 1)
        .bold(false)
        .line("CARD ****1234                       39.80")
        .align(Alignment::Centre)
        .barcode_height(80)
        .barcode(BarcodeKind::Code128, b"{B0001-0042-20240101")
        .expect("short barcode")
        .qr(
            b"https://example.invalid/receipt/0001-0042",
            6,
            QrEcLevel::M,
        )
        .expect("short QR")
        .feed(4)
        .cut_partial();
    w.into_bytes()
}

fn stream(target_len: usize) -> Vec<u8> {
    let one = receipt();
    let mut out = Vec::with_capacity(target_len + one.len());
    while out.len() < target_len {
        out.extend_from_slice(&one);
    }
    out
}

fn bench_parse(c: &mut Criterion) {
    let input = stream(1 << 20);
    let mut group = c.benchmark_group("escpos_parse");
    group.throughput(Throughput::Bytes(input.len() as u64));
    group.bench_function("receipts_1MiB_one_push", |b| {
        let mut parser = Parser::default();
        b.iter(|| {
            parser.push(black_box(&input));
            let mut n = 0usize;
            while let Some(cmd) = parser.next_command() {
                black_box(&cmd);
                n += 1;
            }
            n
        })
    });
    group.bench_function("receipts_1MiB_4KiB_reads", |b| {
        let mut parser = Parser::default();
        b.iter(|| {
            let mut n = 0usize;
            for chunk in black_box(&input).chunks(4096) {
                parser.push(chunk);
                while let Some(cmd) = parser.next_command() {
                    black_box(&cmd);
                    n += 1;
                }
            }
            n
        })
    });
    group.finish();
}

criterion_group!(benches, bench_parse);
criterion_main!(benches);
