//! Card data never reaches a log line or the journal file: a lane runs approved, declined and
//! timed-out (reversed) chip sales with every log event at TRACE captured, then the captured text
//! and the journal's database, WAL and shared-memory files are searched for the card's full PAN
//! and its track 2 equivalent data. Its own test binary: the capturing subscriber is the
//! process's global one, so every thread's events reach it (a thread-local default can miss
//! callsites other tests registered first).

#[path = "../host/acquirer_host.rs"]
#[allow(dead_code)]
mod acquirer_host;
#[path = "../host/qr_host.rs"]
#[allow(dead_code)]
mod qr_host;
#[path = "../lane/rig.rs"]
#[allow(dead_code)]
mod rig;

use std::io::Write;
use std::sync::{Arc, Mutex};

use posrig_protocols::iso8583::{ResponseCode, TransactionKind};
use tracing_subscriber::fmt::MakeWriter;

use crate::acquirer_host::Act;
use crate::rig::{Rig, CHIP_PAN};

/// Every formatted log line, kept in memory.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for Captured {
    type Writer = Captured;
    fn make_writer(&'a self) -> Captured {
        self.clone()
    }
}

#[tokio::test(start_paused = true)]
async fn no_log_line_or_journal_byte_holds_the_full_pan_or_track_data() {
    let logs = Captured::default();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(logs.clone())
        .finish();
    tracing::subscriber::set_global_default(subscriber).unwrap();

    let mut rig = Rig::new().await;
    rig.login_cashier().await;
    rig.card_sale().await;
    rig.keys("ENTER").await;
    rig.until_shown("NEXT CUSTOMER").await;
    // Declined 51, then a host that never answers (reversed before the next sale).
    rig.acquirer.plan(
        TransactionKind::Purchase,
        Act::Code(ResponseCode::from_bytes(*b"51")),
    );
    rig.scan_ean("6901234100006").await;
    rig.keys("TOTAL CARD").await;
    rig.insert_chip().await;
    rig.pin_ok().await;
    rig.until_shown("INSUFFICIENT FUNDS").await;
    rig.acquirer.plan(TransactionKind::Purchase, Act::Silent);
    rig.keys("CARD").await;
    rig.insert_chip().await;
    rig.pin_ok().await;
    rig.until_shown("NO RESPONSE").await;
    rig.keys("20 CASH").await;
    rig.close_drawer();
    rig.until_shown("NEXT CUSTOMER").await;
    rig.card_sale().await;
    let kinds: Vec<_> = rig.acquirer.seen().iter().filter_map(|s| s.kind).collect();
    assert!(kinds.contains(&TransactionKind::Reversal), "{kinds:?}");

    let text = String::from_utf8(logs.0.lock().unwrap().clone()).unwrap();
    // The capture works: the lane logged its host traffic and its journal's work.
    assert!(text.lines().count() > 20, "only captured:\n{text}");
    let track2 = format!("{CHIP_PAN}=");
    for needle in [CHIP_PAN, track2.as_str(), "5A5A5A5A5A5A5A5A"] {
        assert!(!text.contains(needle), "`{needle}` in a log line");
    }
    drop(rig.journal());
    let mut files = 0;
    for entry in std::fs::read_dir(rig.dir.path()).unwrap() {
        let path = entry.unwrap().path();
        let bytes = std::fs::read(&path).unwrap();
        files += 1;
        for needle in [CHIP_PAN, track2.as_str()] {
            let found = bytes.windows(needle.len()).any(|w| w == needle.as_bytes());
            assert!(!found, "`{needle}` in {}", path.display());
        }
    }
    assert!(files >= 1, "no journal file to search");
}
