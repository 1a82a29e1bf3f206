//! `posrig load` end to end: a tiny profile (2 lanes, 20 s) in virtual time through the real
//! binary; the run folder's files, the checkout numbers in `summary.json`, and the exit code.

use std::path::Path;
use std::process::Command;

fn workspace() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
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

    let bad = dir.path().join("bad.yaml");
    std::fs::write(&bad, "name: bad\nduration: 1m\n").unwrap();
    let r = Command::new(env!("CARGO_BIN_EXE_posrig"))
        .args(["load", bad.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(r.status.code(), Some(2));
}
