//! `posrig run` as a user runs it: a scenario whose expectation is broken on purpose exits 1 and
//! names the step, its YAML line, what was expected and what was seen; a good one exits 0 and
//! leaves `junit.xml` and `summary.json`; latencies, receipts and the event log are measured and
//! kept at the wire.

use std::path::Path;
use std::process::Command;

fn data_dir() -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../scenarios/data")
        .canonicalize()
        .expect("scenarios/data")
        .display()
        .to_string()
}

fn scenario(total: &str) -> String {
    format!(
        r#"name: broken on purpose
data: "{data}"
steps:
  - login: {{operator: "1001", password: "1234"}}
  - scan: "6901234100006"
  - total
  - expect: {{total: "{total}", within: 2s}}
"#,
        data = data_dir()
    )
}

fn posrig(args: &[&str]) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_posrig"))
        .args(args)
        .output()
        .expect("run posrig");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code().unwrap_or(-1), text)
}

#[test]
fn a_broken_expectation_exits_1_with_the_step_line_and_both_values() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("broken.yaml");
    std::fs::write(&file, scenario("99.99")).unwrap();
    let out = dir.path().join("run");
    let (code, text) = posrig(&[
        "run",
        file.to_str().unwrap(),
        "--seed",
        "7",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code, 1, "{text}");
    assert!(text.contains("FAIL"), "{text}");
    assert!(text.contains("step `expect` at"), "{text}");
    assert!(
        text.contains("broken.yaml:7:5"),
        "the YAML line of the step: {text}"
    );
    assert!(text.contains("expected `99.99`"), "{text}");
    assert!(text.contains("saw `TOTAL` / `12.50`"), "{text}");
    assert!(
        text.contains("--seed 7"),
        "the command that reproduces it: {text}"
    );
    assert!(out.join("junit.xml").is_file());
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    assert_eq!(summary["failed"], 1);
}

#[test]
fn a_good_scenario_exits_0_and_an_invalid_one_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("good.yaml");
    std::fs::write(&file, scenario("12.50")).unwrap();
    let out = dir.path().join("run");
    let (code, text) = posrig(&[
        "run",
        file.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{text}");
    assert!(text.contains("1 passed, 0 failed"), "{text}");

    let bad = dir.path().join("bad.yaml");
    std::fs::write(&bad, "name: bad\nsteps:\n  - scna: \"1\"\n").unwrap();
    let (code, text) = posrig(&["run", bad.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    assert_eq!(code, 2, "{text}");
}

#[test]
fn check_determinism_runs_twice_and_reports_the_identical_digest() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("good.yaml");
    std::fs::write(&file, scenario("12.50")).unwrap();
    let out = dir.path().join("run");
    let (code, text) = posrig(&[
        "run",
        file.to_str().unwrap(),
        "--check-determinism",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{text}");
    assert!(text.contains("determinism: identical digest "), "{text}");
    assert!(
        text.contains("1 of 1 scenario(s) checked in virtual time gave identical event logs"),
        "{text}"
    );
    // The summary says which clock and seed were used, and what the check found.
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    let s = &summary["scenarios"][0];
    assert_eq!(s["time"], "virtual", "{summary}");
    assert_eq!(s["seed"], 1, "{summary}");
    assert_eq!(s["determinism"]["diverged"], false, "{summary}");
    assert_eq!(s["digest"].as_str().unwrap().len(), 64, "{summary}");
    // Both runs left their event logs, and they are the same bytes.
    let first = std::fs::read(out.join("01-good/first/events.jsonl")).unwrap();
    let second = std::fs::read(out.join("01-good/second/events.jsonl")).unwrap();
    assert!(!first.is_empty());
    assert_eq!(first, second);
}

fn process_scenario(total: &str) -> String {
    format!(
        r#"name: process, broken on purpose
sut: process
data: "{data}"
steps:
  - login: {{operator: "1001", password: "1234"}}
  - scan: "6901234100006"
  - total
  - expect: {{total: "{total}", within: 1s}}
"#,
        data = data_dir()
    )
}

#[test]
fn virtual_time_is_refused_for_a_pos_process() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("process.yaml");
    std::fs::write(&file, process_scenario("12.50")).unwrap();
    let out = dir.path().join("run");
    let (code, text) = posrig(&[
        "run",
        file.to_str().unwrap(),
        "--time",
        "virtual",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code, 2, "{text}");
    assert!(
        text.contains("`--time virtual` needs the embedded POS") && text.contains("`sut: process`"),
        "{text}"
    );
    assert!(
        !out.join("01-process").exists(),
        "nothing runs on refused input"
    );
}

/// Processes whose environment or command line names `needle` (the run folder of a terminal
/// child: `POSRIG_TERMINAL_CONFIG=…`, or `--config …` for `$POSRIG_POS_TERMINAL`).
fn processes_mentioning(needle: &str) -> Vec<String> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let mentions = ["environ", "cmdline"].iter().any(|f| {
            std::fs::read(entry.path().join(f))
                .is_ok_and(|b| b.windows(needle.len()).any(|w| w == needle.as_bytes()))
        });
        if mentions {
            found.push(entry.file_name().to_string_lossy().into_owned());
        }
    }
    found.sort();
    found
}

#[test]
fn a_failing_process_scenario_exits_1_and_leaves_no_terminal_running() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("process.yaml");
    std::fs::write(&file, process_scenario("99.99")).unwrap();
    let out = dir.path().join("run");
    let (code, text) = posrig(&[
        "run",
        file.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code, 1, "{text}");
    assert!(text.contains("real time"), "{text}");
    assert!(text.contains("saw `TOTAL` / `12.50`"), "{text}");
    let run_dir = out.join("01-process");
    // The terminal really ran as a child on the generated configuration and journal.
    assert!(run_dir.join("pos-terminal.yaml").is_file());
    assert!(run_dir.join("journal.db").is_file());
    let log = std::fs::read_to_string(run_dir.join("pos.log")).unwrap();
    assert!(log.contains("lane started"), "{log}");
    assert!(log.contains("SIGTERM"), "stopped cleanly at the end: {log}");
    let left = processes_mentioning(run_dir.to_str().unwrap());
    assert!(left.is_empty(), "terminal processes left running: {left:?}");
}

#[test]
fn virtual_time_is_refused_for_a_rig_with_devices_on_ptys() {
    let dir = tempfile::tempdir().unwrap();
    let rig = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../scenarios/rigs/virtual.yaml")
        .canonicalize()
        .unwrap();
    let file = dir.path().join("on-ptys.yaml");
    std::fs::write(
        &file,
        scenario("12.50").replacen("steps:", &format!("rig: \"{}\"\nsteps:", rig.display()), 1),
    )
    .unwrap();
    let out = dir.path().join("run");
    let (code, text) = posrig(&[
        "run",
        file.to_str().unwrap(),
        "--time",
        "virtual",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code, 2, "{text}");
    assert!(
        text.contains("`--time virtual` needs every device simulated in memory"),
        "{text}"
    );
}

/// A card sale whose authorisation the acquirer answers 2 s late, then waits for the receipt.
fn delayed_card_sale() -> String {
    format!(
        r#"name: card sale with a slow host
data: "{data}"
steps:
  - login: {{operator: "1001", password: "1234"}}
  - scan: "6901234100006"
  - total
  - host: {{acquirer: {{when: {{kind: purchase}}, then: {{delay_ms: 2000}}, times: 1}}}}
  - pay: {{card: {{card: chip-ok}}}}
  - expect: {{display: {{line1: "APPROVED"}}, within: 10s}}
  - expect: {{receipt: {{contains: ["Whole milk 1L"]}}, within: 10s}}
"#,
        data = data_dir()
    )
}

#[test]
fn latencies_are_measured_at_the_wire_and_receipts_are_kept() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("slow-host.yaml");
    std::fs::write(&file, delayed_card_sale()).unwrap();
    let out = dir.path().join("run");
    let (code, text) = posrig(&[
        "run",
        file.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{text}");
    assert!(text.contains("latency at the wire (virtual time"), "{text}");
    assert!(
        text.lines()
            .any(|l| l.trim_start().starts_with("card_auth")),
        "the table has a card_auth row: {text}"
    );

    // summary.json: the 2 s host delay shows in every operation that spans the authorisation.
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    let run = &summary["latency"]["operations"];
    let scenario = &summary["scenarios"][0]["latency"]["operations"];
    for op in [
        "scan_to_display",
        "key_to_display",
        "card_auth",
        "pin_to_result",
        "host_rtt",
        "receipt",
        "checkout",
    ] {
        assert!(run[op]["count"].as_u64().unwrap_or(0) > 0, "{op} in {run}");
        assert!(
            scenario[op]["count"].as_u64().unwrap_or(0) > 0,
            "{op} in {scenario}"
        );
    }
    let p50 = |op: &str| run[op]["latency"]["p50_us"].as_u64().unwrap();
    let max = |op: &str| run[op]["latency"]["max_us"].as_u64().unwrap();
    assert_eq!(run["card_auth"]["count"], 1);
    assert!(p50("card_auth") >= 2_000_000, "{}", run["card_auth"]);
    assert!(p50("card_auth") < 3_000_000, "{}", run["card_auth"]);
    assert!(
        p50("pin_to_result") >= 2_000_000,
        "{}",
        run["pin_to_result"]
    );
    // The sign-on's round trip is quick; the purchase's waited for the rule.
    assert!(max("host_rtt") >= 2_000_000, "{}", run["host_rtt"]);
    assert!(p50("checkout") > p50("card_auth"), "{run}");
    assert_eq!(summary["latency"]["time_mode"], "virtual");
    assert_eq!(summary["scenarios"][0]["receipts"], 1);

    // latency.hlog reads back with hdrhistogram's own interval-log reader: one interval (the one
    // scenario) per operation, tagged with the operation.
    let log = std::fs::read(out.join("latency.hlog")).unwrap();
    let mut tags = Vec::new();
    for entry in hdrhistogram::serialization::interval_log::IntervalLogIterator::new(&log) {
        if let hdrhistogram::serialization::interval_log::LogEntry::Interval(i) =
            entry.expect("a well-formed interval log")
        {
            tags.push(i.tag().map(|t| t.as_str().to_owned()).unwrap_or_default());
        }
    }
    assert!(
        tags.contains(&"op=card_auth;group=lane1".to_owned()),
        "{tags:?}"
    );
    let intervals = posrig_reports::interval_log::read_intervals(&log, "latency.hlog").unwrap();
    let card = intervals.iter().find(|i| i.op == "card_auth").unwrap();
    assert_eq!(card.histogram.len(), 1);
    assert!(card.histogram.max() >= 2_000_000);
    assert!(out.join("report.html").is_file());

    // The receipt as the printer rendered it, card number masked; and the event log.
    let scenario_dir = out.join("01-slow-host");
    let receipt = std::fs::read_to_string(scenario_dir.join("receipts/001.txt")).unwrap();
    assert!(receipt.contains("Whole milk 1L"), "{receipt}");
    assert!(receipt.contains("622202*********0017"), "{receipt}");
    assert!(!receipt.contains("6222021000000000017"), "{receipt}");
    assert!(!scenario_dir.join("receipts/002.txt").exists());
    assert!(scenario_dir.join("events.jsonl").is_file());
}
