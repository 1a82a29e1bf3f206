//! `summary.json`, `junit.xml` and `report.html` of a fixed input.

use std::time::Duration;

use posrig_reports::html::render;
use posrig_reports::junit::{JunitReport, StepOutcome};
use posrig_reports::run_dir::write_outputs;
use posrig_reports::summary::RunSummary;
use posrig_reports::{ops, FaultWindow, Recorder, RunInfo, RunResults, Thresholds, TimeMode};

/// A small run with hand-picked numbers, so snapshots stay readable.
fn fixed_run(name: &str) -> RunResults {
    let info = RunInfo {
        name: name.into(),
        seed: Some(7),
        time_mode: TimeMode::Virtual,
        started_epoch_ms: 1_714_555_800_000,
        duration_s: 0.0,
        shard: Some("1/1".into()),
        merged_from: Vec::new(),
        notes: Vec::new(),
    };
    let mut rec = Recorder::new(info, Duration::from_secs(1));
    for second in 0..4u64 {
        let t = Duration::from_secs(second);
        rec.tick(t).unwrap();
        for i in 0..10u64 {
            rec.record(
                ops::SCAN_TO_DISPLAY,
                "standard",
                Duration::from_micros(8_000 + i * 500 + second * 100),
            );
        }
        // The acquirer is partitioned in second 2: card auth waits for it.
        let card_ms = if second == 2 {
            2_400
        } else {
            350 + second * 10
        };
        rec.record(ops::CARD_AUTH, "standard", Duration::from_millis(card_ms));
        rec.record(
            ops::CARD_AUTH,
            "express",
            Duration::from_millis(card_ms + 20),
        );
        if second == 2 {
            rec.record_error(ops::CARD_AUTH, "standard", "host timeout");
        }
    }
    rec.record_error(ops::QR_PAY, "express", "wallet <declined> & \"odd\"");
    rec.add_fault_window(FaultWindow::new(2.0, 3.0, "acquirer partition"));
    rec.finish(Duration::from_secs(4)).unwrap()
}

fn fixed_thresholds() -> Thresholds {
    serde_json::from_str(
        r#"{
            "card_auth": ["p99 < 1500ms", "errors < 0.5%"],
            "scan_to_display": "p50 <= 20ms",
            "checkout": "count >= 1"
        }"#,
    )
    .unwrap()
}

#[test]
fn summary_json_snapshot() {
    let summary = RunSummary::build(&fixed_run("snapshot"), &fixed_thresholds());
    insta::assert_snapshot!("summary_json", summary.to_json().unwrap());
    assert!(!summary.passed);
}

#[test]
fn junit_snapshot() {
    let summary = RunSummary::build(&fixed_run("snapshot"), &fixed_thresholds());
    let mut junit = JunitReport::new("snapshot");
    junit.add_thresholds(&summary.thresholds);
    junit.add_step(
        "suites/checkout.yaml",
        "cash sale with change",
        &StepOutcome::Passed,
        Some(Duration::from_millis(1250)),
    );
    junit.add_step(
        "suites/checkout.yaml",
        "card declined",
        &StepOutcome::Failed {
            message: "expected display `DECLINED`, saw `APPROVED`".into(),
            detail: Some("step 4 of 6".into()),
        },
        None,
    );
    junit.add_step(
        "suites/bench.yaml",
        "real printer",
        &StepOutcome::Skipped {
            reason: "POSRIG_PRINTER_PORT not set".into(),
        },
        None,
    );
    insta::assert_snapshot!("junit_xml", junit.to_xml().unwrap());
}

#[test]
fn html_is_self_contained_with_plots_tables_and_escaped_text() {
    let results = fixed_run("<script>alert(1)</script> & co");
    let summary = RunSummary::build(&results, &fixed_thresholds());
    let html = render(&summary, &results).unwrap();
    assert_eq!(html.matches("<svg").count(), 3, "three inline plots");
    assert!(html.starts_with("<!DOCTYPE html>"));
    // Nothing is fetched: no scripts, stylesheets, fonts or images by URL.
    for banned in ["<script", "<link", "@import", "url(", "src=", "https://"] {
        assert!(!html.contains(banned), "{banned}");
    }
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; co"));
    assert!(html.contains("wallet &lt;declined&gt; &amp; &quot;odd&quot;"));
    // Table values: card_auth p99 is the 2.4 s partition sample (HDR highest equivalent).
    let card = summary.operations["card_auth"].latency.as_ref().unwrap();
    assert!(html.contains(&format!("<td title=\"{} µs\">2.42 s</td>", card.p99_us)));
    let scan = summary.operations["scan_to_display"]
        .latency
        .as_ref()
        .unwrap();
    assert!(html.contains(&format!("<td title=\"{} µs\">", scan.p50_us)));
    assert!(html.contains(">40<"), "scan count");
    assert!(html.contains("FAIL") && html.contains("PASS"));
    assert!(html.contains("acquirer partition"));
    assert!(html.contains("host timeout"));
    assert!(html.contains("group express"));
}

#[test]
fn write_outputs_writes_every_file() {
    let dir = tempfile::tempdir().unwrap();
    let summary = write_outputs(dir.path(), &fixed_run("files"), &fixed_thresholds()).unwrap();
    assert_eq!(
        RunSummary::read(&dir.path().join("summary.json")).unwrap(),
        summary
    );
    let junit = std::fs::read_to_string(dir.path().join("junit.xml")).unwrap();
    assert_eq!(junit.matches("<testcase").count(), 4);
    assert!(std::fs::read_to_string(dir.path().join("report.html"))
        .unwrap()
        .contains("<svg"));
}

#[test]
fn an_empty_run_still_renders() {
    let results = Recorder::new(RunInfo::new("empty"), Duration::from_secs(1))
        .finish(Duration::ZERO)
        .unwrap();
    let summary = RunSummary::build(&results, &Thresholds::new());
    let html = render(&summary, &results).unwrap();
    assert!(html.contains("Nothing was recorded."));
    assert!(summary.passed);
}
