//! The printer state machine driven directly, with explicit instants.

use std::time::Duration;

use posrig_protocols::escpos::{Alignment, BarcodeKind, EscPosWriter};
use tokio::time::Instant;

use super::*;
use crate::printer::config::{DrawerConfig, FlowControl, PinLevel};

fn printer(config: PrinterConfig) -> Printer {
    Printer::new(config).unwrap()
}

fn epson() -> Printer {
    printer(PrinterConfig::default())
}

fn send(p: &mut Printer, now: Instant, bytes: &[u8]) -> Outbox {
    let mut out = Outbox::default();
    p.on_bytes(now, bytes, &mut out);
    out
}

fn fault(p: &mut Printer, now: Instant, f: PrinterFault, on: bool) -> Outbox {
    let mut out = Outbox::default();
    p.on_fault(now, f, on, &mut out).unwrap();
    out
}

fn act(p: &mut Printer, now: Instant, a: PrinterAction) -> Outbox {
    let mut out = Outbox::default();
    p.on_action(now, a, &mut out).unwrap();
    out
}

/// Fire every deadline until the printer is idle; returns when it got there and what it sent.
fn run_idle(p: &mut Printer, mut now: Instant) -> (Instant, Outbox) {
    let mut out = Outbox::default();
    while let Some(at) = p.next_deadline() {
        now = now.max(at);
        p.on_timer(now, &mut out);
    }
    (now, out)
}

fn names(out: &Outbox) -> Vec<String> {
    out.events
        .iter()
        .filter_map(|e| match e {
            DeviceEvent::Action { name, .. } => Some(name.clone()),
            _ => None,
        })
        .collect()
}

#[test]
fn handshake_answers_16_on_epson_and_12_on_generic() {
    let t0 = Instant::now();
    let handshake = [0x1B, 0x40, 0x1B, 0x3D, 0x01, 0x10, 0x04, 0x01];
    assert_eq!(send(&mut epson(), t0, &handshake).bytes, [0x16]);
    let mut generic = printer(PrinterConfig {
        profile: PrinterProfile::Generic,
        ..PrinterConfig::default()
    });
    assert_eq!(send(&mut generic, t0, &handshake).bytes, [0x12]);
}

#[test]
fn paper_out_is_7e_on_epson_and_72_on_generic() {
    let t0 = Instant::now();
    for (profile, n4) in [
        (PrinterProfile::Epson, 0x7E),
        (PrinterProfile::Generic, 0x72),
    ] {
        let mut p = printer(PrinterConfig {
            profile,
            drawer: DrawerConfig {
                open_level: Some(PinLevel::High),
                ..DrawerConfig::default()
            },
            ..PrinterConfig::default()
        });
        assert_eq!(send(&mut p, t0, &[0x10, 0x04, 0x04]).bytes, [0x12]);
        fault(&mut p, t0, PrinterFault::PaperOut, true);
        let out = send(
            &mut p,
            t0,
            b"\x10\x04\x01\x10\x04\x02\x10\x04\x03\x10\x04\x04",
        );
        assert_eq!(out.bytes, [0x1A, 0x32, 0x12, n4], "{profile:?}");
        assert!(!p.online());
        act(&mut p, t0, PrinterAction::LoadPaper { mm: None });
        assert_eq!(send(&mut p, t0, &[0x10, 0x04, 0x04]).bytes, [0x12]);
    }
}

#[test]
fn text_and_cut_make_a_receipt_with_attributes() {
    let t0 = Instant::now();
    let mut p = epson();
    let mut w = EscPosWriter::new();
    w.init()
        .align(Alignment::Centre)
        .bold(true)
        .char_size(2, 2)
        .text("SHOP")
        .line_feed()
        .bold(false)
        .char_size(1, 1)
        .align(Alignment::Left)
        .text("Milk 1L                     2.50")
        .line_feed()
        .barcode(BarcodeKind::Ean13, b"5901234123457")
        .unwrap()
        .cut_full();
    let out = send(&mut p, t0, w.as_bytes());
    // The engine prints the first line at once and then waits for the paper to move.
    assert!(p.receipts().next().is_none());
    assert!(!out.events.is_empty());
    let (t1, out) = run_idle(&mut p, t0);
    assert_eq!(names(&out), ["receipt"]);
    let r = p.receipts().next().unwrap();
    assert_eq!(r.id, 1);
    assert_eq!(
        r.marked,
        [
            "C|{b 2x2}SHOP{/}",
            "L|Milk 1L                     2.50",
            "L|[BARCODE EAN13 5901234123457]"
        ]
    );
    assert_eq!(
        r.text,
        format!(
            "{}SHOP\nMilk 1L                     2.50\n[BARCODE EAN13 5901234123457]\n",
            " ".repeat(20)
        )
    );
    // Two text rows of 4.23 mm for the double-height line, one more, and a 162-dot barcode,
    // at 150 mm/s.
    let um = 3 * 4230 + 162 * 125;
    assert_eq!(t1 - t0, Duration::from_micros(um * 1000 / 150));
    assert_eq!(p.snapshot()["receipts"][0]["marked"][0], "C|{b 2x2}SHOP{/}");
}

#[test]
fn printing_takes_time_per_line_and_slows_with_the_fault() {
    let t0 = Instant::now();
    let mut p = epson();
    send(&mut p, t0, &b"x\n".repeat(10));
    let (t1, _) = run_idle(&mut p, t0);
    assert_eq!(t1 - t0, Duration::from_micros(10 * 28_200));
    fault(&mut p, t1, PrinterFault::Slow { lines_per_s: 5 }, true);
    send(&mut p, t1, &b"x\n".repeat(10));
    let (t2, _) = run_idle(&mut p, t1);
    assert_eq!(t2 - t1, Duration::from_secs(2));
    assert_eq!(p.snapshot()["lines_printed"], 20);
}

#[test]
fn offline_buffer_fills_to_xoff_then_recovers_with_xon_and_loses_overflow() {
    let t0 = Instant::now();
    let mut p = epson();
    act(&mut p, t0, PrinterAction::OpenCover);
    let line = b"0123456789012345678901234567890123456789\n";
    let mut sent = Vec::new();
    while sent.len() < 4000 {
        sent.extend_from_slice(line);
    }
    let out = send(&mut p, t0, &sent[..3968]);
    assert_eq!(out.bytes, [XOFF]);
    // Real-time status is still answered with the buffer nearly full, and bytes beyond it are
    // lost.
    let out = send(&mut p, t0, &[b'z'; 200]);
    assert!(out.bytes.is_empty());
    assert_eq!(p.snapshot()["buffer"]["lost_bytes"], 72);
    let out = send(&mut p, t0, &[0x10, 0x04, 0x02]);
    assert_eq!(out.bytes, [0x16]);
    assert_eq!(p.snapshot()["buffer"]["fill"], 4096);

    let out = act(&mut p, t0, PrinterAction::CloseCover);
    assert!(out.bytes.is_empty(), "one line printed, still busy");
    let (_, out) = run_idle(&mut p, t0);
    assert_eq!(out.bytes, [super::super::buffer::XON]);
    // What stays is the last line, which has no line feed yet: 32 digits and 128 `z`.
    assert_eq!(p.snapshot()["buffer"]["fill"], 160);
}

#[test]
fn flow_control_none_sends_nothing() {
    let t0 = Instant::now();
    let mut p = printer(PrinterConfig {
        flow_control: FlowControl::None,
        ..PrinterConfig::default()
    });
    fault(&mut p, t0, PrinterFault::Offline, true);
    assert!(send(&mut p, t0, &[b'a'; 4000]).bytes.is_empty());
    assert_eq!(p.snapshot()["buffer"]["busy"], true);
}

#[test]
fn asb_on_enable_on_change_and_off_after_init() {
    let t0 = Instant::now();
    // Pin 3 low with the drawer shut, so the frames are the documented ones.
    let mut p = printer(PrinterConfig {
        drawer: DrawerConfig {
            open_level: Some(PinLevel::High),
            ..DrawerConfig::default()
        },
        ..PrinterConfig::default()
    });
    assert_eq!(send(&mut p, t0, &[0x1D, 0x61, 0xFF]).bytes, [0x10, 0, 0, 0]);
    assert_eq!(
        act(&mut p, t0, PrinterAction::OpenCover).bytes,
        [0x38, 0, 0, 0]
    );
    assert_eq!(
        act(&mut p, t0, PrinterAction::CloseCover).bytes,
        [0x10, 0, 0, 0]
    );
    assert_eq!(
        fault(&mut p, t0, PrinterFault::PaperOut, true).bytes,
        [0x18, 0, 0x0F, 0]
    );
    fault(&mut p, t0, PrinterFault::PaperOut, false);
    send(&mut p, t0, &[0x1B, 0x40]);
    assert!(act(&mut p, t0, PrinterAction::OpenCover).bytes.is_empty());
    assert_eq!(p.snapshot()["asb"]["enabled"], false);
}

#[test]
fn drawer_kicks_open_it_and_pin3_reports_it() {
    let t0 = Instant::now();
    let mut p = epson();
    // Epson default: HIGH means shut.
    assert_eq!(send(&mut p, t0, &[0x10, 0x04, 0x01]).bytes, [0x16]);
    send(&mut p, t0, &[0x1B, 0x70, 0x00, 0x19, 0xFA]);
    assert!(p.drawer_open());
    assert_eq!(send(&mut p, t0, &[0x10, 0x04, 0x01]).bytes, [0x12]);
    assert_eq!(send(&mut p, t0, &[0x1D, 0x72, 0x02]).bytes, [0x00]);
    act(&mut p, t0, PrinterAction::CloseDrawer { after_ms: None });
    assert_eq!(send(&mut p, t0, &[0x1D, 0x72, 0x02]).bytes, [0x01]);

    // DLE DC4 works while offline; a stuck drawer stays shut but the kick is counted.
    fault(&mut p, t0, PrinterFault::CoverOpen, true);
    send(&mut p, t0, &[0x10, 0x14, 0x01, 0x00, 0x01]);
    assert!(p.drawer_open());
    act(&mut p, t0, PrinterAction::CloseDrawer { after_ms: None });
    fault(&mut p, t0, PrinterFault::DrawerStuck, true);
    send(&mut p, t0, &[0x10, 0x14, 0x01, 0x00, 0x01]);
    assert!(!p.drawer_open());
    assert_eq!(p.snapshot()["drawer"]["kicks"], 3);

    fault(&mut p, t0, PrinterFault::DrawerJammedOpen, true);
    assert!(p.drawer_open());
    let mut out = Outbox::default();
    assert!(p
        .on_action(t0, PrinterAction::CloseDrawer { after_ms: None }, &mut out)
        .is_err());
}

#[test]
fn drawer_closes_by_itself_after_the_configured_delay() {
    let t0 = Instant::now();
    let mut p = printer(PrinterConfig {
        drawer: DrawerConfig {
            close_after_ms: Some(3000),
            ..DrawerConfig::default()
        },
        ..PrinterConfig::default()
    });
    send(&mut p, t0, &[0x1B, 0x70, 0x30, 0x19, 0xFA]);
    assert_eq!(p.next_deadline(), Some(t0 + Duration::from_secs(3)));
    let (t1, out) = run_idle(&mut p, t0);
    assert_eq!(t1 - t0, Duration::from_secs(3));
    assert_eq!(names(&out), ["drawer_closed"]);
    assert!(!p.drawer_open());
}

#[test]
fn cutter_error_waits_for_dle_enq_and_clear_buffers_drops_data() {
    let t0 = Instant::now();
    let mut p = epson();
    fault(&mut p, t0, PrinterFault::CutterError, true);
    assert_eq!(
        send(&mut p, t0, b"\x10\x04\x01\x10\x04\x03").bytes,
        // Pin 3 HIGH (drawer shut), offline, waiting for recovery; autocutter error.
        [0x3E, 0x1A]
    );
    send(&mut p, t0, b"lost line\n");
    let out = send(&mut p, t0, &[0x10, 0x05, 0x02]);
    assert!(out.events.contains(&DeviceEvent::FaultCleared {
        fault: "cutter_error".into()
    }));
    assert!(p.online());
    assert!(p.current_receipt().is_empty());
    send(&mut p, t0, b"kept\n");
    assert_eq!(p.current_receipt()[0].marked(), "L|kept");

    // An unrecoverable error ignores DLE ENQ.
    fault(&mut p, t0, PrinterFault::UnrecoverableError, true);
    send(&mut p, t0, &[0x10, 0x05, 0x01]);
    assert_eq!(send(&mut p, t0, &[0x10, 0x04, 0x03]).bytes, [0x32]);
}

#[test]
fn the_roll_runs_down_to_near_end_and_out() {
    let t0 = Instant::now();
    // 20 lines of paper, near end with 10 left.
    let mut p = printer(PrinterConfig {
        paper_roll_mm: 85,
        near_end_mm: 43,
        ..PrinterConfig::default()
    });
    send(&mut p, t0, &b"x\n".repeat(12));
    let (t1, out) = run_idle(&mut p, t0);
    assert!(names(&out).contains(&"paper".to_owned()));
    assert_eq!(send(&mut p, t1, &[0x10, 0x04, 0x04]).bytes, [0x1E]);
    assert_eq!(send(&mut p, t1, &[0x1D, 0x72, 0x01]).bytes, [0x03]);
    send(&mut p, t1, &b"x\n".repeat(12));
    let (t2, _) = run_idle(&mut p, t1);
    assert_eq!(send(&mut p, t2, &[0x10, 0x04, 0x04]).bytes, [0x7E]);
    // The line during which the roll ran out printed; the rest waits for paper.
    assert_eq!(p.snapshot()["lines_printed"], 21);
    // Three lines wait, and so does the `DLE EOT 4`: real-time commands are answered at once
    // but also take their place in the buffer.
    assert_eq!(p.snapshot()["buffer"]["fill"], 9);
    act(&mut p, t2, PrinterAction::LoadPaper { mm: None });
    run_idle(&mut p, t2);
    assert_eq!(p.snapshot()["lines_printed"], 24);
}

#[test]
fn pass_through_reaches_an_attached_display_or_is_dropped() {
    let t0 = Instant::now();
    let bytes = b"\x1b=\x02\x0cHELLO\x1b=\x01";
    let mut p = printer(PrinterConfig {
        pass_through_display: true,
        ..PrinterConfig::default()
    });
    send(&mut p, t0, bytes);
    assert_eq!(p.display().unwrap().shown_lines()[0].trim_end(), "HELLO");
    assert_eq!(
        p.snapshot()["display"]["lines"][0],
        format!("{:<20}", "HELLO")
    );

    let mut alone = epson();
    let out = send(&mut alone, t0, bytes);
    assert!(names(&out).contains(&"pass_through_dropped".to_owned()));
    assert_eq!(alone.snapshot()["pass_through_dropped"], 6);
}

#[test]
fn unplugged_printer_answers_nothing() {
    let t0 = Instant::now();
    let mut p = epson();
    send(&mut p, t0, &[0x1D, 0x61, 0xFF]);
    fault(&mut p, t0, PrinterFault::Unplugged, true);
    assert!(send(&mut p, t0, &[0x10, 0x04, 0x01]).bytes.is_empty());
    assert!(act(&mut p, t0, PrinterAction::OpenCover).bytes.is_empty());
    fault(&mut p, t0, PrinterFault::Unplugged, false);
    assert_eq!(send(&mut p, t0, &[0x10, 0x04, 0x02]).bytes, [0x16]);
}

#[test]
fn realtime_in_data_is_the_profile_option() {
    let t0 = Instant::now();
    let mut w = EscPosWriter::new();
    w.qr_store(b"ab\x10\x04\x01cd").unwrap();
    for (on, want) in [(true, vec![0x16]), (false, vec![])] {
        let mut p = printer(PrinterConfig {
            realtime_in_data: on,
            ..PrinterConfig::default()
        });
        assert_eq!(send(&mut p, t0, w.as_bytes()).bytes, want);
    }
}

#[test]
fn dle_enq_2_clears_only_what_arrived_before_it() {
    let t0 = Instant::now();
    let mut p = epson();
    fault(&mut p, t0, PrinterFault::CutterError, true);
    send(&mut p, t0, b"before\n\x10\x05\x02after\n");
    assert_eq!(p.current_receipt().len(), 1);
    assert_eq!(p.current_receipt()[0].marked(), "L|after");
}

mod prop {
    use proptest::prelude::*;

    use super::*;

    proptest! {
        /// Whatever arrives, in whatever pieces and at whatever pace, the printer neither panics
        /// nor holds more than its buffer.
        #[test]
        fn random_bytes_never_break_the_printer(
            chunks in proptest::collection::vec(
                proptest::collection::vec(any::<u8>(), 0..300), 1..20),
            gaps_ms in proptest::collection::vec(0u64..100, 20),
        ) {
            let mut p = printer(PrinterConfig {
                realtime_in_data: false,
                ..PrinterConfig::default()
            });
            let mut now = Instant::now();
            for (chunk, gap) in chunks.iter().zip(&gaps_ms) {
                send(&mut p, now, chunk);
                prop_assert!(p.snapshot()["buffer"]["fill"].as_u64().unwrap() <= 4096);
                now += Duration::from_millis(*gap);
                let mut out = Outbox::default();
                while let Some(at) = p.next_deadline().filter(|&at| at <= now) {
                    p.on_timer(at, &mut out);
                }
            }
        }
    }
}
