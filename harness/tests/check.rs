//! `posrig check` end to end: every malformed file in `tests/bad/` gives exit 2 and a message
//! at the recorded `file:line:col`, none panics; every shipped file under `scenarios/` passes.
//!
//! Each bad file records what it must produce on its first line:
//! `# expect: LINE:COL: message fragment`.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_owned()
}

fn posrig_check(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_posrig"))
        .arg("check")
        .args(args)
        .current_dir(workspace())
        .env("NO_COLOR", "1")
        .output()
        .expect("run posrig")
}

fn bad_files() -> Vec<PathBuf> {
    let dir = workspace().join("harness/tests/bad");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    files.sort();
    files
}

#[test]
fn the_corpus_has_at_least_25_files() {
    assert!(bad_files().len() >= 25, "{}", bad_files().len());
}

#[test]
fn every_bad_file_is_refused_at_its_line_and_column() {
    let mut failures = Vec::new();
    for file in bad_files() {
        let text = std::fs::read_to_string(&file).unwrap();
        let expect = text
            .lines()
            .next()
            .and_then(|l| l.strip_prefix("# expect: "))
            .unwrap_or_else(|| {
                panic!(
                    "{}: first line must be `# expect: L:C: fragment`",
                    file.display()
                )
            });
        let (place, fragment) = expect.split_once(": ").unwrap();
        let rel = file
            .strip_prefix(workspace())
            .unwrap()
            .display()
            .to_string();
        let out = posrig_check(&[&rel]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        let stdout = String::from_utf8_lossy(&out.stdout);
        let wanted = format!("{rel}:{place}: {fragment}");
        if out.status.code() != Some(2) {
            failures.push(format!(
                "{rel}: exit {:?}, expected 2\n{stderr}",
                out.status.code()
            ));
        } else if stderr.contains("panicked") {
            failures.push(format!("{rel}: panicked\n{stderr}"));
        } else if !stderr.contains(&wanted) {
            failures.push(format!("{rel}: expected `{wanted}` in\n{stderr}"));
        } else if !stderr.contains("here") || !stdout.contains("problem") {
            failures.push(format!("{rel}: no snippet or summary\n{stderr}\n{stdout}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn every_shipped_file_passes() {
    let out = posrig_check(&["scenarios"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("all valid"), "{stdout}");
}

#[test]
fn a_folder_with_a_bad_file_fails_and_names_it() {
    let out = posrig_check(&["scenarios/data", "harness/tests/bad/03-misspelt-step.yaml"]);
    assert_eq!(out.status.code(), Some(2));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("checked 7 files: 1 problem in 1 file"),
        "{stdout}"
    );
}

#[test]
fn a_missing_path_is_invalid_input() {
    let out = posrig_check(&["scenarios/no-such-folder"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no such file or folder"));
}
