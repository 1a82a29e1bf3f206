//! `posrig run` as a user runs it: a scenario whose expectation is broken on purpose exits 1 and
//! names the step, its YAML line, what was expected and what was seen; a good one exits 0 and
//! leaves `junit.xml` and `summary.json`.

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
