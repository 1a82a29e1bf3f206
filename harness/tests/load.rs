//! `posrig load` end to end through the real binary, in virtual time: the run folder's files and
//! numbers, exit codes, shards merged against the unsharded run, a stalled host showing up as
//! latency, aborts, device and link states in the metrics, the metrics endpoint scraped live
//! during a real-time run, and the determinism check.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

fn workspace() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
}

/// `posrig ARGS` from the workspace folder.
fn posrig(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_posrig"))
        .args(args)
        .current_dir(workspace())
        .output()
        .unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn summary(dir: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(dir.join("summary.json")).unwrap()).unwrap()
}

/// A load profile written next to the shipped ones (so it finds `journeys/` and `data/`),
/// hidden from `posrig check`, removed on drop.
struct TempProfile(PathBuf);

impl TempProfile {
    fn new(name: &str, text: &str) -> Self {
        let p = workspace().join(format!("scenarios/load/.{name}-test.yaml"));
        std::fs::write(&p, text).unwrap();
        TempProfile(p)
    }
    fn path(&self) -> &str {
        self.0.to_str().unwrap()
    }
}

impl Drop for TempProfile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

fn tiny() -> String {
    std::fs::read_to_string(workspace().join("scenarios/load/tiny.yaml")).unwrap()
}

fn u(v: &Value) -> u64 {
    v.as_u64().unwrap_or_else(|| panic!("not a count: {v}"))
}

#[test]
fn a_tiny_profile_runs_in_virtual_time_and_writes_its_report() {
    let dir = tempfile::tempdir().unwrap();
    let profile = workspace().join("scenarios/load/tiny.yaml");
    let out = dir.path().join("run");
    let started = std::time::Instant::now();
    let result = Command::new(env!("CARGO_BIN_EXE_posrig"))
        .args([
            "load",
            profile.to_str().unwrap(),
            "--time",
            "virtual",
            "--seed",
            "7",
        ])
        .arg("--out")
        .arg(&out)
        .current_dir(workspace())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&result.stderr);
    assert_eq!(result.status.code(), Some(0), "{stderr}");
    assert!(
        started.elapsed().as_secs() < 60,
        "virtual time should be fast, took {:?}",
        started.elapsed()
    );
    for f in ["summary.json", "junit.xml", "report.html", "latency.hlog"] {
        let p = out.join(f);
        assert!(p.is_file(), "{} missing; {stderr}", p.display());
        assert!(std::fs::metadata(&p).unwrap().len() > 0, "{f} is empty");
    }
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    let checkout = &summary["operations"]["checkout"];
    let count = checkout["count"].as_u64().unwrap();
    assert!(count >= 2, "checkout count {count}: {checkout}");
    let l = &checkout["latency"];
    let (p50, p99, max) = (
        l["p50_us"].as_u64().unwrap(),
        l["p99_us"].as_u64().unwrap(),
        l["max_us"].as_u64().unwrap(),
    );
    // A basket of a few items with 0.5 s to 1 s between actions takes seconds, not minutes.
    assert!(p50 > 500_000, "p50 {p50}");
    assert!(p50 <= p99 && p99 <= max, "{l}");
    assert!(max < 60_000_000, "max {max}");
    assert!(
        summary["operations"]["queue_wait"]["count"]
            .as_u64()
            .unwrap()
            >= count
    );
    assert!(
        summary["operations"]["scheduling_lag"]["count"]
            .as_u64()
            .unwrap()
            > count
    );
    let junit = std::fs::read_to_string(out.join("junit.xml")).unwrap();
    assert!(junit.contains("checkout"), "{junit}");
    // The same seed gives the same numbers in virtual time.
    let again = dir.path().join("again");
    let r2 = Command::new(env!("CARGO_BIN_EXE_posrig"))
        .args([
            "load",
            profile.to_str().unwrap(),
            "--time",
            "virtual",
            "--seed",
            "7",
        ])
        .arg("--out")
        .arg(&again)
        .current_dir(workspace())
        .output()
        .unwrap();
    assert_eq!(r2.status.code(), Some(0));
    let s2: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(again.join("summary.json")).unwrap())
            .unwrap();
    assert_eq!(
        s2["operations"]["checkout"],
        summary["operations"]["checkout"]
    );
}

#[test]
fn a_failing_threshold_exits_1_and_a_bad_profile_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    let profile = workspace().join("scenarios/load/tiny.yaml");
    let text = std::fs::read_to_string(&profile)
        .unwrap()
        .replace("checkout: \"p99 < 60s\"", "checkout: \"p99 < 1ms\"");
    let strict = workspace().join("scenarios/load/.tiny-strict-test.yaml");
    std::fs::write(&strict, text).unwrap();
    let r = Command::new(env!("CARGO_BIN_EXE_posrig"))
        .args(["load", strict.to_str().unwrap(), "--time", "virtual"])
        .arg("--out")
        .arg(dir.path().join("strict"))
        .output()
        .unwrap();
    let _ = std::fs::remove_file(&strict);
    assert_eq!(
        r.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&r.stderr)
    );

    // A rig is refused (the load engine simulates every device), not silently ignored.
    let rigged = TempProfile::new(
        "rigged",
        &tiny().replace("store:\n", "rig: ../rigs/virtual.yaml\nstore:\n"),
    );
    let r = posrig(&["load", rigged.path()]);
    assert_eq!(r.status.code(), Some(2), "{}", stderr(&r));
    assert!(
        stderr(&r).contains("a rig is not supported"),
        "{}",
        stderr(&r)
    );

    let bad = dir.path().join("bad.yaml");
    std::fs::write(&bad, "name: bad\nduration: 1m\n").unwrap();
    let r = Command::new(env!("CARGO_BIN_EXE_posrig"))
        .args(["load", bad.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(r.status.code(), Some(2));
}

#[test]
fn a_failed_run_prints_the_command_that_reproduces_it() {
    let dir = tempfile::tempdir().unwrap();
    let strict = TempProfile::new(
        "repro",
        &tiny().replace("checkout: \"p99 < 60s\"", "checkout: \"p99 < 1ms\""),
    );
    let out = dir.path().join("r");
    let r = posrig(&[
        "load",
        strict.path(),
        "--time",
        "virtual",
        "--seed",
        "5",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(r.status.code(), Some(1));
    let err = stderr(&r);
    assert!(
        err.contains(&format!(
            "reproduce with: posrig load {} --seed 5 --time virtual",
            strict.path()
        )),
        "{err}"
    );
    assert!(err.contains("seed 5") && err.contains("virtual time") && err.contains("digest"));
}

#[test]
fn two_shards_merged_equal_the_unsharded_run_with_the_same_seed() {
    let dir = tempfile::tempdir().unwrap();
    let profile = workspace().join("scenarios/load/tiny.yaml");
    let profile = profile.to_str().unwrap();
    let run = |name: &str, shard: &str| {
        let out = dir.path().join(name);
        let r = posrig(&[
            "load",
            profile,
            "--time",
            "virtual",
            "--seed",
            "7",
            "--shard",
            shard,
            "--out",
            out.to_str().unwrap(),
        ]);
        assert_eq!(r.status.code(), Some(0), "{}", stderr(&r));
        out
    };
    let whole = run("whole", "1/1");
    let a = run("a", "1/2");
    let b = run("b", "2/2");
    let merged = dir.path().join("merged");
    let r = posrig(&[
        "report",
        "merge",
        a.to_str().unwrap(),
        b.to_str().unwrap(),
        "--out",
        merged.to_str().unwrap(),
    ]);
    assert_eq!(r.status.code(), Some(0), "{}", stderr(&r));
    let (w, m) = (summary(&whole), summary(&merged));
    let (sa, sb) = (summary(&a), summary(&b));
    // Each shard ran some of the baskets, and together all of them.
    let count = |s: &Value| u(&s["operations"]["checkout"]["count"]);
    assert!(count(&sa) > 0 && count(&sb) > 0);
    assert_eq!(count(&sa) + count(&sb), count(&w));
    assert_eq!(sa["run"]["shard"], "1/2");
    // Every operation's counts, errors and percentiles, per group, equal the unsharded run's.
    assert_eq!(m["operations"], w["operations"]);
    assert_eq!(m["thresholds"], w["thresholds"]);
    assert_eq!(m["run"]["merged_from"], serde_json::json!(["1/2", "2/2"]));
    assert!(merged.join("latency.hlog").is_file() && merged.join("report.html").is_file());
}

#[test]
fn a_host_stall_longer_than_the_think_time_shows_up_as_latency_not_missing_samples() {
    let dir = tempfile::tempdir().unwrap();
    let base = "name: stall
duration: 60s
store:
  lanes: 1
  setup:
    - journey: {name: open-lane}
shoppers:
  arrivals: {constant: {every: 8s}}
  mix:
    - {journey: quick-card-sale, with: {basket_size: 1}}
  think: {dist: fixed, time: 500ms}
";
    // Both acquirer links partitioned for 20 s: 40 times the think time.
    let stalled = format!(
        "{base}faults:
  - {{at: 10s, for: 20s, step: {{partition: acquirer-primary}}}}
  - {{at: 10s, for: 20s, step: {{partition: acquirer-backup}}}}
"
    );
    let run = |name: &str, text: &str| {
        let p = TempProfile::new(name, text);
        let out = dir.path().join(name);
        let r = posrig(&[
            "load",
            p.path(),
            "--time",
            "virtual",
            "--out",
            out.to_str().unwrap(),
        ]);
        assert_eq!(r.status.code(), Some(0), "{}", stderr(&r));
        summary(&out)
    };
    let calm = run("stall-calm", base);
    let stall = run("stall-on", &stalled);
    let p99 = |s: &Value, op: &str| u(&s["operations"][op]["latency"]["p99_us"]);
    let ops =
        |s: &Value, op: &str| u(&s["operations"][op]["count"]) + u(&s["operations"][op]["errors"]);
    // Without the stall a card is answered and a shopper starts at once.
    assert!(p99(&calm, "card_auth") < 1_000_000, "{calm}");
    assert!(p99(&calm, "queue_wait") < 1_000_000, "{calm}");
    // With it, the waits are measured: card results take seconds, and shoppers arriving
    // during the stall wait for the lane from their arrival.
    assert!(p99(&stall, "card_auth") >= 5_000_000, "{stall}");
    assert!(p99(&stall, "queue_wait") >= 5_000_000, "{stall}");
    // Not a sample dropped: every shopper is a queue_wait sample and a checkout (or a checkout
    // error), in both runs, and the stall is shaded in the report.
    for s in [&calm, &stall] {
        let shoppers = u(&s["operations"]["queue_wait"]["count"]);
        assert_eq!(shoppers, 7, "{s}");
        assert_eq!(ops(s, "checkout"), shoppers, "{s}");
    }
    assert_eq!(stall["faults"].as_array().unwrap().len(), 2, "{stall}");
}

#[test]
fn an_abort_on_fail_threshold_stops_the_run_early_and_says_why() {
    let dir = tempfile::tempdir().unwrap();
    let text = tiny().replace(
        "thresholds:\n",
        "thresholds:\n  scheduling_lag: {threshold: \"count < 10\", abort_on_fail: true}\n",
    );
    let p = TempProfile::new("abort", &text);
    let out = dir.path().join("abort");
    let r = posrig(&[
        "load",
        p.path(),
        "--time",
        "virtual",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(r.status.code(), Some(1), "{}", stderr(&r));
    let s = summary(&out);
    let notes = s["run"]["notes"].to_string();
    assert!(
        notes.contains("aborted at") && notes.contains("count < 10"),
        "{notes}"
    );
    // Stopped well before the profile's 20 s (the check needs 20 attempts first).
    assert!(
        s["run"]["duration_s"].as_f64().unwrap() < 19.0,
        "{}",
        s["run"]
    );
    let junit = std::fs::read_to_string(out.join("junit.xml")).unwrap();
    assert!(
        junit.contains("count &lt; 10") || junit.contains("count < 10"),
        "{junit}"
    );
}

#[test]
fn scheduled_faults_show_as_device_and_link_states_in_the_metrics() {
    let dir = tempfile::tempdir().unwrap();
    let text = tiny().replace(
        "thresholds:\n",
        "faults:
  - {at: 5s, lanes: [2], step: {fault: {device: printer, fault: paper_out}}}
  - {at: 5s, for: 10m, step: {partition: acquirer-backup}}
thresholds:\n",
    );
    let p = TempProfile::new("states", &text);
    let out = dir.path().join("states");
    let r = posrig(&[
        "load",
        p.path(),
        "--time",
        "virtual",
        "--metrics-port",
        "0",
        "--out",
        out.to_str().unwrap(),
    ]);
    let err = stderr(&r);
    assert!(err.contains("metrics on http://127.0.0.1:"), "{err}");
    let prom = std::fs::read_to_string(out.join("metrics.prom")).unwrap();
    for want in [
        "posrig_device_state{device=\"printer\",lane=\"2\",state=\"paper_out\"} 1",
        "posrig_device_state{device=\"printer\",lane=\"1\",state=\"ok\"} 1",
        "posrig_link_state{lane=\"1\",link=\"acquirer-backup\",state=\"partitioned\"} 1",
        "posrig_link_state{lane=\"2\",link=\"acquirer-primary\",state=\"up\"} 1",
        "posrig_operation_duration_seconds_count{group=\"store\",op=\"checkout\"}",
    ] {
        assert!(prom.contains(want), "missing `{want}` in\n{prom}");
    }
    // The paper-out state replaced lane 2's `ok` printer (no stale series).
    assert!(
        !prom.contains("device=\"printer\",lane=\"2\",state=\"ok\""),
        "{prom}"
    );
}

#[test]
fn the_determinism_check_runs_twice_and_finds_the_same_digest() {
    let dir = tempfile::tempdir().unwrap();
    let profile = workspace().join("scenarios/load/tiny.yaml");
    let r = posrig(&[
        "load",
        profile.to_str().unwrap(),
        "--check-determinism",
        "--seed",
        "3",
        "--out",
        dir.path().to_str().unwrap(),
    ]);
    let err = stderr(&r);
    assert_eq!(r.status.code(), Some(0), "{err}");
    assert!(
        err.contains("deterministic: both runs have digest"),
        "{err}"
    );
    let digest = |run: &str| summary(&dir.path().join(run))["run"]["notes"].to_string();
    let (a, b) = (digest("run-1"), digest("run-2"));
    assert!(a.contains("event digest"), "{a}");
    assert_eq!(a, b);
}

#[test]
fn lane_groups_get_their_own_histograms() {
    let dir = tempfile::tempdir().unwrap();
    let text = tiny().replace("  lanes: 2\n", "  lanes: 2\n  groups: {express: [2]}\n");
    let p = TempProfile::new("groups", &text);
    let out = dir.path().join("groups");
    let r = posrig(&[
        "load",
        p.path(),
        "--time",
        "virtual",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(r.status.code(), Some(0), "{}", stderr(&r));
    let s = summary(&out);
    let groups = &s["operations"]["checkout"]["groups"];
    let (store, express) = (u(&groups["store"]["count"]), u(&groups["express"]["count"]));
    assert!(store > 0 && express > 0, "{groups}");
    assert_eq!(store + express, u(&s["operations"]["checkout"]["count"]));
    // A group naming a lane the store never opens is invalid input.
    let bad = TempProfile::new(
        "groups-bad",
        &tiny().replace("  lanes: 2\n", "  lanes: 2\n  groups: {express: [9]}\n"),
    );
    let r = posrig(&["load", bad.path(), "--time", "virtual"]);
    assert_eq!(r.status.code(), Some(2), "{}", stderr(&r));
    assert!(stderr(&r).contains("lanes are numbered 1 to 2"));
}

/// `GET /metrics` over a plain TCP connection; the body, or `None` when the server is gone.
fn scrape(addr: &str) -> Option<String> {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(addr).ok()?;
    s.set_read_timeout(Some(std::time::Duration::from_secs(5)))
        .ok()?;
    s.write_all(b"GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        .ok()?;
    let mut text = String::new();
    s.read_to_string(&mut text).ok()?;
    let (head, body) = text.split_once("\r\n\r\n")?;
    head.starts_with("HTTP/1.1 200").then(|| body.to_owned())
}

#[test]
fn the_metrics_endpoint_is_live_during_a_real_time_run() {
    use std::io::{BufRead, BufReader};
    let dir = tempfile::tempdir().unwrap();
    let text = tiny().replace("duration: 20s", "duration: 6s").replace(
        "thresholds:\n",
        "faults:
  - {at: 1s, lanes: [2], step: {fault: {device: printer, fault: paper_out}}}
thresholds:\n",
    );
    let p = TempProfile::new("live", &text);
    let mut child = Command::new(env!("CARGO_BIN_EXE_posrig"))
        .args([
            "load",
            p.path(),
            "--time",
            "real",
            "--metrics-port",
            "0",
            "--drain",
            "1",
        ])
        .arg("-q")
        .arg("--out")
        .arg(dir.path().join("live"))
        .current_dir(workspace())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let addr = lines
        .by_ref()
        .map_while(Result::ok)
        .find_map(|l| {
            l.split_once("metrics on http://")
                .map(|(_, rest)| rest.trim_end_matches("/metrics").to_owned())
        })
        .expect("the run names its metrics address");
    // Keep reading stderr so the child never blocks on a full pipe.
    let rest = std::thread::spawn(move || lines.map_while(Result::ok).collect::<Vec<_>>());

    // While the run goes on, the scrape shows the fault injected at 1 s and checkouts counted.
    let mut seen = None;
    for _ in 0..100 {
        std::thread::sleep(std::time::Duration::from_millis(100));
        let Some(body) = scrape(&addr) else { continue };
        let paper_out = body
            .contains("posrig_device_state{device=\"printer\",lane=\"2\",state=\"paper_out\"} 1");
        if paper_out && body.contains("posrig_operation_duration_seconds_bucket") {
            seen = Some(body);
            break;
        }
    }
    let status = child.wait().unwrap();
    let log = rest.join().unwrap().join("\n");
    let body = seen.unwrap_or_else(|| panic!("no live scrape showed the fault; stderr:\n{log}"));
    assert!(
        body.contains("posrig_device_state{device=\"printer\",lane=\"1\",state=\"ok\"} 1"),
        "{body}"
    );
    assert!(
        status.code().is_some(),
        "the run ended by itself: {status:?}"
    );
    // After the run the server is gone.
    assert!(scrape(&addr).is_none(), "metrics still served after exit");
}
