//! ESC/POS integration tests: encoder → parser round trips under random chunking, garbage
//! resistance and resynchronisation, status bytes through the reply decoder.

use std::borrow::Cow;

use posrig_protocols::escpos::{
    encode, Alignment, AsbMask, Barcode, BarcodeForm, BarcodeKind, CharSize, Command, Cut,
    DeviceSelect, DrawerKick, DrawerPin, EscPosWriter, PaperLevel, Parser, ParserConfig, PrintMode,
    PrinterStatus, Qr, QrEcLevel, QrModel, RealtimeStatusKind, Recovery, Reply, ReplyDecoder,
    StatusProfile, TransmitStatusKind,
};
use proptest::prelude::*;

fn data(max: usize, allow_dle: bool) -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(any::<u8>(), 0..max).prop_map(move |mut v| {
        if !allow_dle {
            v.retain(|&c| c != 0x10);
        }
        v
    })
}

fn command(allow_dle: bool) -> impl Strategy<Value = Command<'static>> {
    let text = prop::collection::vec(0x20u8..=0xFF, 1..60).prop_map(|t| Command::Text(t.into()));
    let kind = prop::sample::select(BarcodeKind::all());
    let barcode_b = (kind.clone(), data(40, allow_dle)).prop_map(|(kind, d)| {
        Command::Barcode(Barcode {
            kind,
            form: BarcodeForm::B,
            data: d.into(),
        })
    });
    let barcode_a = (0usize..7, data(40, allow_dle)).prop_map(|(i, mut d)| {
        d.retain(|&c| c != 0);
        Command::Barcode(Barcode {
            kind: BarcodeKind::all()[i],
            form: BarcodeForm::A,
            data: d.into(),
        })
    });
    let qr = prop_oneof![
        prop::sample::select(vec![QrModel::Model1, QrModel::Model2, QrModel::Micro])
            .prop_map(Qr::Model),
        any::<u8>().prop_map(Qr::ModuleSize),
        prop::sample::select(vec![QrEcLevel::L, QrEcLevel::M, QrEcLevel::Q, QrEcLevel::H])
            .prop_map(Qr::ErrorCorrection),
        data(300, allow_dle).prop_map(|d| Qr::Store(d.into())),
        Just(Qr::Print),
    ]
    .prop_map(Command::Qr);
    let pin = prop::sample::select(vec![DrawerPin::Pin2, DrawerPin::Pin5]);
    prop_oneof![
        4 => text,
        3 => Just(Command::LineFeed),
        1 => Just(Command::CarriageReturn),
        1 => Just(Command::HorizontalTab),
        1 => Just(Command::Init),
        1 => any::<bool>().prop_map(Command::Bold),
        1 => prop::sample::select(vec![Alignment::Left, Alignment::Centre, Alignment::Right])
            .prop_map(Command::Align),
        1 => (1u8..=8, 1u8..=8).prop_map(|(width, height)| Command::CharSize(CharSize { width, height })),
        1 => any::<u8>().prop_map(|m| Command::PrintMode(PrintMode(m))),
        1 => any::<u8>().prop_map(Command::Feed),
        1 => (any::<bool>(), prop::option::of(any::<u8>()))
            .prop_map(|(partial, feed_units)| Command::Cut(Cut { partial, feed_units })),
        1 => (pin.clone(), 0u16..=255, 0u16..=255).prop_map(|(pin, on, off)| {
            Command::DrawerKick(DrawerKick { pin, on_ms: on * 2, off_ms: off * 2 })
        }),
        1 => (1u8..=4).prop_map(|n| Command::RealtimeStatus(RealtimeStatusKind::from_byte(n).unwrap())),
        1 => prop::sample::select(vec![Recovery::Restart, Recovery::ClearBuffers])
            .prop_map(Command::RealtimeRecover),
        1 => (pin, 1u16..=8).prop_map(|(pin, t)| Command::RealtimeDrawerKick { pin, pulse_ms: t * 100 }),
        1 => barcode_a,
        1 => barcode_b,
        1 => any::<u8>().prop_map(Command::BarcodeHeight),
        1 => any::<u8>().prop_map(Command::BarcodeWidth),
        1 => any::<u8>().prop_map(Command::BarcodeHri),
        1 => qr,
        1 => any::<u8>().prop_map(Command::CodePage),
        // Even values deselect the printer, which turns what follows into pass-through bytes;
        // that has its own test.
        1 => any::<u8>().prop_map(|n| Command::SelectDevice(DeviceSelect(n | 1))),
        1 => prop::sample::select(vec![TransmitStatusKind::Paper, TransmitStatusKind::Drawer])
            .prop_map(Command::TransmitStatus),
        1 => any::<u8>().prop_map(|m| Command::AutoStatusBack(AsbMask(m))),
    ]
}

/// Adjacent text runs come out of the parser as one run.
fn merge_text(cmds: Vec<Command<'static>>) -> Vec<Command<'static>> {
    let mut out: Vec<Command<'static>> = Vec::new();
    for c in cmds {
        if let (Some(Command::Text(prev)), Command::Text(t)) = (out.last_mut(), &c) {
            prev.to_mut().extend_from_slice(t);
            continue;
        }
        out.push(c);
    }
    out
}

/// Feed `bytes` in pieces of the given sizes (cycled), collecting every command.
fn parse_chunked(config: ParserConfig, bytes: &[u8], sizes: &[usize]) -> Vec<Command<'static>> {
    let mut p = Parser::new(config);
    let mut out = Vec::new();
    let mut rest = bytes;
    let mut i = 0;
    while !rest.is_empty() {
        let n = sizes[i % sizes.len()].clamp(1, rest.len());
        i += 1;
        p.push(&rest[..n]);
        rest = &rest[n..];
        while let Some(c) = p.next_command() {
            out.push(c.into_owned());
        }
    }
    if let Some(c) = p.flush_text() {
        out.push(c.into_owned());
    }
    out
}

fn encode_all(cmds: &[Command<'_>]) -> Vec<u8> {
    let mut bytes = Vec::new();
    for c in cmds {
        encode(c, &mut bytes).expect("generated commands are encodable");
    }
    bytes
}

proptest! {
    #[test]
    fn round_trip_with_random_chunking(
        cmds in prop::collection::vec(command(true), 0..40),
        sizes in prop::collection::vec(1usize..64, 1..8),
    ) {
        let config = ParserConfig { realtime_in_data: false, ..ParserConfig::default() };
        let bytes = encode_all(&cmds);
        let expected = merge_text(cmds);
        prop_assert_eq!(&parse_chunked(config, &bytes, &sizes), &expected);
        prop_assert_eq!(&parse_chunked(config, &bytes, &[1]), &expected);
        prop_assert_eq!(&parse_chunked(config, &bytes, &[bytes.len().max(1)]), &expected);
    }

    #[test]
    fn round_trip_with_realtime_in_data_on(
        cmds in prop::collection::vec(command(false), 0..40),
        sizes in prop::collection::vec(1usize..64, 1..8),
    ) {
        let bytes = encode_all(&cmds);
        let expected = merge_text(cmds);
        prop_assert_eq!(parse_chunked(ParserConfig::default(), &bytes, &sizes), expected);
    }

    #[test]
    fn garbage_never_panics_and_the_parser_resyncs(
        garbage in prop::collection::vec(any::<u8>(), 0..400),
        sizes in prop::collection::vec(1usize..32, 1..8),
        realtime_in_data in any::<bool>(),
    ) {
        let config = ParserConfig {
            realtime_in_data,
            max_command_len: 512,
            ..ParserConfig::default()
        };
        // Zero padding completes whatever command the garbage left open (up to the 512-byte
        // limit, or a form A barcode), then a frame that reselects the printer.
        let mut bytes = garbage.clone();
        bytes.extend(std::iter::repeat_n(0u8, 600));
        let frame = b"\x1b=\x01\x1b@OK\n";
        bytes.extend_from_slice(frame);
        let got = parse_chunked(config, &bytes, &sizes);
        // An oversized command declared by the garbage legitimately swallows what follows, as
        // it would on a real printer.
        let swallowed = got.iter().any(|c| matches!(c, Command::Oversized { total_len, .. } if *total_len > 600));
        prop_assume!(!swallowed);
        let tail = &got[got.len().saturating_sub(4)..];
        prop_assert_eq!(tail, &[
            Command::SelectDevice(DeviceSelect::PRINTER),
            Command::Init,
            Command::Text(Cow::Borrowed(b"OK")),
            Command::LineFeed,
        ][..]);
    }

    #[test]
    fn status_round_trips_through_bytes(
        paper in prop::sample::select(vec![PaperLevel::Ok, PaperLevel::NearEnd, PaperLevel::Out]),
        flags in any::<[bool; 10]>(),
    ) {
        let s = PrinterStatus {
            paper,
            cover_open: flags[0],
            offline: flags[1],
            feed_button_pressed: flags[2],
            feeding_by_button: flags[3],
            drawer_pin3_high: flags[4],
            recoverable_error: flags[5],
            autocutter_error: flags[6],
            unrecoverable_error: flags[7],
            auto_recoverable_error: flags[8],
            waiting_for_recovery: flags[9],
        };
        let epson = StatusProfile::Epson;
        let rt = s.realtime_bytes(epson);
        let back = PrinterStatus::from_realtime_bytes(rt).unwrap();
        prop_assert_eq!(back.realtime_bytes(epson), rt);
        prop_assert_eq!(back.paper, s.paper);
        prop_assert_eq!(back.is_offline(), s.is_offline());
        let asb = s.asb_bytes(epson);
        let back = PrinterStatus::from_asb_bytes(asb).unwrap();
        prop_assert_eq!(back.asb_bytes(epson), asb);

        // Through the reply decoder, one byte at a time, with a GS r reply in between.
        let gs_r = s.transmit_status_byte(TransmitStatusKind::Paper, epson);
        let mut wire = asb.to_vec();
        wire.push(rt[0]);
        wire.push(gs_r);
        let mut d = ReplyDecoder::new();
        d.expect_transmit_status(TransmitStatusKind::Paper);
        let mut got = Vec::new();
        for c in wire {
            d.push(&[c]);
            got.extend(d.by_ref());
        }
        prop_assert_eq!(got, vec![
            Reply::Asb(asb),
            Reply::Realtime(rt[0]),
            Reply::TransmitStatus { kind: TransmitStatusKind::Paper, byte: gs_r },
        ]);
    }

    #[test]
    fn reply_decoder_survives_garbage(
        garbage in prop::collection::vec(any::<u8>(), 0..200),
    ) {
        let mut d = ReplyDecoder::new();
        d.push(&garbage);
        let _ = d.by_ref().count();
        // A realtime reply can complete a pending ASB frame only if it has bit 4 clear, which
        // it never does; so after garbage, an idle ASB frame always decodes.
        d.push(&[0x10, 0, 0, 0]);
        let got: Vec<_> = d.collect();
        prop_assert_eq!(got.last(), Some(&Reply::Asb([0x10, 0, 0, 0])));
    }
}

#[test]
fn realistic_receipt_parses_to_the_expected_commands() {
    let mut w = EscPosWriter::new();
    w.init()
        .code_page(16)
        .align(Alignment::Centre)
        .char_size(2, 2)
        .line("POSRIG MART")
        .char_size(1, 1)
        .align(Alignment::Left)
        .line("Milk 1L                          1.99")
        .bold(true)
        .line("TOTAL                            1.99")
        .bold(false)
        .barcode_height(80)
        .barcode(BarcodeKind::Code128, b"{B0001-0042")
        .unwrap()
        .qr(b"https://example.invalid/r/42", 6, QrEcLevel::M)
        .unwrap()
        .feed(3)
        .cut_partial()
        .drawer_kick(DrawerPin::Pin2, 100, 200);
    let mut p = Parser::default();
    let bytes = w.into_bytes();
    let mut cmds = Vec::new();
    for c in &bytes {
        p.push(std::slice::from_ref(c));
        while let Some(cmd) = p.next_command() {
            cmds.push(cmd.into_owned());
        }
    }
    let texts: Vec<_> = cmds
        .iter()
        .filter_map(|c| match c {
            Command::Text(t) => Some(String::from_utf8_lossy(t).into_owned()),
            _ => None,
        })
        .collect();
    assert_eq!(texts[0], "POSRIG MART");
    assert_eq!(cmds.len(), 24);
    assert!(
        matches!(cmds.last(), Some(Command::DrawerKick(k)) if k.on_ms == 100 && k.off_ms == 200)
    );
    assert!(p.buffered().is_empty());
}
