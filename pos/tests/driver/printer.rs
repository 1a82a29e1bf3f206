//! Printer and drawer: jobs, XON/XOFF, paper out, a silent printer, the drawer kick and pin 3.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use posrig_pos::driver::drawer::DrawerState;
use posrig_pos::driver::printer::{
    self, HoldReason, JobId, PrinterConfig, PrinterEvent, PrinterHandle,
};
use posrig_pos::driver::DeviceHealth;
use posrig_protocols::escpos::EscPosWriter;
use tokio::io::{AsyncReadExt, AsyncWriteExt, DuplexStream, WriteHalf};
use tokio::sync::mpsc::UnboundedReceiver;
use tokio::time::Instant;

use super::support::{ms_since, next, wire};

const NORMAL: [u8; 4] = [0x16, 0x12, 0x12, 0x12];
const PAPER_OUT: [u8; 4] = [0x1A, 0x32, 0x12, 0x7E];

/// What the fake printer does, changed by the test as it goes.
struct State {
    /// Replies to `DLE EOT 1..4`.
    replies: [u8; 4],
    /// Whether it answers `DLE EOT` at all.
    answering: bool,
    /// Every byte received.
    received: Vec<u8>,
    /// Send XOFF once this many data bytes (not `DLE EOT`) have arrived.
    xoff_at: Option<usize>,
    /// Switch to these replies once this many data bytes have arrived.
    fail_at: Option<(usize, [u8; 4])>,
}

/// A device on the far end of the wire: answers `10 04 n` byte by byte from its state.
struct FakePrinter {
    state: Arc<Mutex<State>>,
    tx: Arc<tokio::sync::Mutex<WriteHalf<DuplexStream>>>,
}

impl FakePrinter {
    fn start(dev: DuplexStream) -> Self {
        let state = Arc::new(Mutex::new(State {
            replies: NORMAL,
            answering: true,
            received: Vec::new(),
            xoff_at: None,
            fail_at: None,
        }));
        let (mut rx, tx) = tokio::io::split(dev);
        let tx = Arc::new(tokio::sync::Mutex::new(tx));
        let (st, wtx) = (state.clone(), tx.clone());
        tokio::spawn(async move {
            let mut buf = [0u8; 1024];
            loop {
                let n = match rx.read(&mut buf).await {
                    Ok(0) | Err(_) => return,
                    Ok(n) => n,
                };
                let mut out = Vec::new();
                {
                    let mut s = st.lock().unwrap();
                    for &b in &buf[..n] {
                        s.received.push(b);
                        let r = &s.received;
                        let len = r.len();
                        if len >= 3 && r[len - 3] == 0x10 && r[len - 2] == 0x04 {
                            let k = usize::from(r[len - 1]);
                            if s.answering && (1..=4).contains(&k) {
                                out.push(s.replies[k - 1]);
                            }
                        }
                    }
                    let data = data_bytes(&s.received).len();
                    if s.xoff_at.is_some_and(|at| data >= at) {
                        s.xoff_at = None;
                        out.push(0x13);
                    }
                    if let Some((at, replies)) = s.fail_at {
                        if data >= at {
                            s.fail_at = None;
                            s.replies = replies;
                        }
                    }
                }
                if !out.is_empty() {
                    let _ = wtx.lock().await.write_all(&out).await;
                }
            }
        });
        FakePrinter { state, tx }
    }

    fn set(&self, f: impl FnOnce(&mut State)) {
        f(&mut self.state.lock().unwrap());
    }

    fn received(&self) -> Vec<u8> {
        self.state.lock().unwrap().received.clone()
    }

    /// Received bytes without the `DLE EOT` polls.
    fn data(&self) -> Vec<u8> {
        data_bytes(&self.state.lock().unwrap().received)
    }

    async fn send(&self, bytes: &[u8]) {
        self.tx.lock().await.write_all(bytes).await.unwrap();
    }
}

fn data_bytes(received: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < received.len() {
        if received[i..].starts_with(&[0x10, 0x04]) && i + 2 < received.len() {
            i += 3;
        } else {
            out.push(received[i]);
            i += 1;
        }
    }
    out
}

fn count(haystack: &[u8], needle: &[u8]) -> usize {
    haystack
        .windows(needle.len())
        .filter(|w| *w == needle)
        .count()
}

fn receipt(lines: usize) -> Vec<u8> {
    let mut w = EscPosWriter::new();
    w.init().line("SHOP");
    for i in 0..lines {
        w.line(&format!("ITEM {i:03}      1.00"));
    }
    w.line("TOTAL 12.50").feed(3).cut_partial();
    w.into_bytes()
}

fn start() -> (PrinterHandle, UnboundedReceiver<PrinterEvent>, FakePrinter) {
    let (port, dev) = wire();
    let fake = FakePrinter::start(dev);
    let (handle, events) = printer::spawn(port, PrinterConfig::default());
    (handle, events, fake)
}

/// The next event that is not a status or drawer report.
async fn next_job_event(rx: &mut UnboundedReceiver<PrinterEvent>) -> PrinterEvent {
    loop {
        match next(rx).await {
            PrinterEvent::Status(_) | PrinterEvent::DrawerOpened | PrinterEvent::DrawerClosed => {}
            other => return other,
        }
    }
}

#[tokio::test(start_paused = true)]
async fn a_job_is_sent_whole_and_done_after_its_print_time() {
    let t0 = Instant::now();
    let (printer, mut events, fake) = start();
    let job = receipt(10);
    printer.print(JobId(7), job.clone()).await.unwrap();
    assert_eq!(
        next_job_event(&mut events).await,
        PrinterEvent::JobDone { id: JobId(7) }
    );
    // `ESC @` on connect, then the job exactly once.
    let data = fake.data();
    assert_eq!(&data[..2], &[0x1B, 0x40]);
    assert_eq!(&data[2..], &job[..]);
    // 15 paper lines (12 line feeds, a 3-line feed) at 30 ms after the last byte, sent at
    // t=0; then one status cycle, answered at once.
    assert_eq!(ms_since(t0), 450);
    assert!(printer.status().is_some());
}

#[tokio::test(start_paused = true)]
async fn xoff_pauses_sending_and_xon_resumes() {
    let (printer, mut events, fake) = start();
    fake.set(|s| s.xoff_at = Some(100));
    let job = receipt(40);
    printer.print(JobId(1), job.clone()).await.unwrap();
    tokio::time::sleep(Duration::from_secs(5)).await;
    let held = fake.data().len();
    assert!(
        (100..100 + 64 + 2).contains(&held),
        "sent {held} bytes while the printer was busy"
    );
    // Status polls go on during XOFF (they are real-time commands).
    assert!(count(&fake.received(), &[0x10, 0x04, 0x01]) >= 10);
    fake.send(&[0x11]).await;
    assert_eq!(
        next_job_event(&mut events).await,
        PrinterEvent::JobDone { id: JobId(1) }
    );
    assert_eq!(&fake.data()[2..], &job[..]);
}

#[tokio::test(start_paused = true)]
async fn paper_out_mid_job_holds_it_then_reprints_once_paper_is_loaded() {
    let (printer, mut events, fake) = start();
    fake.set(|s| s.fail_at = Some((150, PAPER_OUT)));
    let job = receipt(40);
    printer.print(JobId(3), job.clone()).await.unwrap();
    assert_eq!(
        next_job_event(&mut events).await,
        PrinterEvent::JobHeld {
            id: JobId(3),
            reason: HoldReason::PaperOut
        }
    );
    // Nothing more is sent while the paper is out.
    tokio::time::sleep(Duration::from_secs(10)).await;
    let before = fake.data().len();
    tokio::time::sleep(Duration::from_secs(10)).await;
    assert_eq!(fake.data().len(), before);
    fake.set(|s| s.replies = NORMAL);
    assert_eq!(
        next_job_event(&mut events).await,
        PrinterEvent::JobResumed {
            id: JobId(3),
            reprint: true
        }
    );
    assert_eq!(
        next_job_event(&mut events).await,
        PrinterEvent::JobDone { id: JobId(3) }
    );
    // The receipt went out in full once more, from its start.
    assert_eq!(count(&fake.data(), b"TOTAL 12.50"), 2);
    assert!(fake.data().ends_with(&job));
    // Done is reported once.
    tokio::time::sleep(Duration::from_secs(10)).await;
    while let Ok(ev) = events.try_recv() {
        assert!(!matches!(ev, PrinterEvent::JobDone { .. }), "{ev:?}");
    }
}

#[tokio::test(start_paused = true)]
async fn a_silent_printer_is_reported_and_recovers_when_it_answers() {
    let t0 = Instant::now();
    let (printer, mut events, fake) = start();
    assert_eq!(
        next(&mut events).await,
        PrinterEvent::Status(status(NORMAL))
    );
    tokio::time::sleep(Duration::from_millis(100)).await;
    fake.set(|s| s.answering = false);
    // The poll at 500 ms goes unanswered for the 1000 ms reply timeout.
    let ev = next_job_event(&mut events).await;
    assert_eq!(ev, PrinterEvent::Health(DeviceHealth::NotResponding));
    assert_eq!(ms_since(t0), 1500);
    assert_eq!(printer.health(), DeviceHealth::NotResponding);
    tokio::time::sleep_until(t0 + Duration::from_millis(3100)).await;
    fake.set(|s| s.answering = true);
    let ev = next_job_event(&mut events).await;
    assert_eq!(ev, PrinterEvent::Health(DeviceHealth::Healthy));
    assert_eq!(ms_since(t0), 3500);
}

#[tokio::test(start_paused = true)]
async fn a_job_sent_to_a_silent_printer_waits_and_prints_when_it_answers() {
    let (printer, mut events, fake) = start();
    fake.set(|s| s.answering = false);
    printer.print(JobId(9), receipt(3)).await.unwrap();
    assert_eq!(
        next_job_event(&mut events).await,
        PrinterEvent::Health(DeviceHealth::NotResponding)
    );
    assert_eq!(
        next_job_event(&mut events).await,
        PrinterEvent::JobHeld {
            id: JobId(9),
            reason: HoldReason::NotResponding
        }
    );
    assert_eq!(count(&fake.data(), b"TOTAL"), 0);
    fake.set(|s| s.answering = true);
    assert_eq!(
        next_job_event(&mut events).await,
        PrinterEvent::Health(DeviceHealth::Healthy)
    );
    assert_eq!(
        next_job_event(&mut events).await,
        PrinterEvent::JobResumed {
            id: JobId(9),
            reprint: false
        }
    );
    assert_eq!(
        next_job_event(&mut events).await,
        PrinterEvent::JobDone { id: JobId(9) }
    );
    assert_eq!(count(&fake.data(), b"TOTAL"), 1);
}

fn status(replies: [u8; 4]) -> posrig_protocols::escpos::PrinterStatus {
    posrig_protocols::escpos::PrinterStatus::from_realtime_bytes(replies).unwrap()
}

#[tokio::test(start_paused = true)]
async fn drawer_kick_is_esc_p_on_pin_2_and_pin_3_tells_open_and_closed() {
    let (printer, mut events, fake) = start();
    // Epson: pin 3 HIGH (`16`) is a closed drawer.
    assert_eq!(
        next(&mut events).await,
        PrinterEvent::Status(status(NORMAL))
    );
    assert_eq!(next(&mut events).await, PrinterEvent::DrawerClosed);
    let before = fake.data().len();
    printer.kick_drawer().await.unwrap();
    tokio::task::yield_now().await;
    assert_eq!(&fake.data()[before..], &[0x1B, 0x70, 0x00, 0x19, 0xFA]);
    // The drawer springs open: pin 3 reads LOW.
    fake.set(|s| s.replies[0] = 0x12);
    printer
        .wait_drawer_open(Duration::from_secs(2))
        .await
        .unwrap();
    assert_eq!(next_drawer(&mut events).await, PrinterEvent::DrawerOpened);
    assert_eq!(printer.drawer(), Some(DrawerState::Open));
    assert!(printer
        .wait_drawer_closed(Duration::from_secs(3))
        .await
        .is_err());
    fake.set(|s| s.replies[0] = 0x16);
    printer
        .wait_drawer_closed(Duration::from_secs(2))
        .await
        .unwrap();
    assert_eq!(next_drawer(&mut events).await, PrinterEvent::DrawerClosed);
}

async fn next_drawer(rx: &mut UnboundedReceiver<PrinterEvent>) -> PrinterEvent {
    loop {
        let ev = next(rx).await;
        if matches!(ev, PrinterEvent::DrawerOpened | PrinterEvent::DrawerClosed) {
            return ev;
        }
    }
}

#[tokio::test(start_paused = true)]
async fn asb_frames_update_status_without_polling() {
    let (port, dev) = wire();
    let fake = FakePrinter::start(dev);
    let config = PrinterConfig {
        asb: true,
        poll_interval: Duration::from_secs(3600),
        ..PrinterConfig::default()
    };
    let (printer, mut events) = printer::spawn(port, config);
    // `ESC @` then `GS a 0F`.
    tokio::task::yield_now().await;
    assert_eq!(&fake.data()[..5], &[0x1B, 0x40, 0x1D, 0x61, 0x0F]);
    let _ = next(&mut events).await; // the first poll's status
    fake.send(&[0x38, 0x00, 0x00, 0x00]).await; // cover open
    loop {
        if let PrinterEvent::Status(s) = next(&mut events).await {
            if s.cover_open {
                break;
            }
        }
    }
    assert!(printer.status().unwrap().cover_open);
}

#[tokio::test(start_paused = true)]
async fn a_drawer_shut_before_the_first_poll_after_the_kick_is_reported_closed() {
    let (printer, mut events, _fake) = start();
    assert_eq!(
        next(&mut events).await,
        PrinterEvent::Status(status(NORMAL))
    );
    assert_eq!(next(&mut events).await, PrinterEvent::DrawerClosed);
    // The drawer opens and is shut again between two polls: pin 3 never reads LOW.
    printer.kick_drawer().await.unwrap();
    // The first poll after the kick reports it closed (the POS counts it open from the kick).
    assert_eq!(next_drawer(&mut events).await, PrinterEvent::DrawerClosed);
    assert_eq!(printer.drawer(), Some(DrawerState::Closed));
    // Only that once: later polls that read the same say nothing.
    let quiet = tokio::time::timeout(Duration::from_secs(3), next_drawer(&mut events)).await;
    assert!(quiet.is_err(), "unexpected drawer event {quiet:?}");
}

#[tokio::test(start_paused = true)]
async fn a_kick_into_a_printer_gone_offline_since_the_last_poll_is_dle_dc4() {
    let (printer, mut events, fake) = start();
    assert_eq!(
        next(&mut events).await,
        PrinterEvent::Status(status(NORMAL))
    );
    // The paper runs out after the last poll: the driver still has it ready.
    fake.set(|s| s.replies = PAPER_OUT);
    let before = fake.data().len();
    printer.kick_drawer().await.unwrap();
    // `ESC p` would wait in the offline printer's buffer; the real-time kick does not.
    let sent = fake.data()[before..].to_vec();
    assert_eq!(count(&sent, &[0x1B, 0x70]), 0, "ESC p sent: {sent:02X?}");
    assert_eq!(
        count(&sent, &[0x10, 0x14, 0x01]),
        1,
        "no DLE DC4: {sent:02X?}"
    );
}
