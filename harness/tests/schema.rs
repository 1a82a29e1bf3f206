//! `posrig schema`: its output validates every shipped file under `scenarios/`, and rejects a
//! scenario with a misspelt step.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_owned()
}

fn schemas() -> Value {
    let out = Command::new(env!("CARGO_BIN_EXE_posrig"))
        .arg("schema")
        .output()
        .expect("run posrig schema");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("posrig schema prints JSON")
}

fn yaml_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            yaml_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "yaml") {
            out.push(p);
        }
    }
}

fn as_json(path: &Path) -> Value {
    let yaml: serde_yaml::Value =
        serde_yaml::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    serde_json::to_value(yaml).unwrap()
}

#[test]
fn the_schema_validates_every_shipped_file() {
    let schemas = schemas();
    let mut files = Vec::new();
    yaml_files(&workspace().join("scenarios"), &mut files);
    assert!(files.len() >= 10, "{files:?}");
    let mut failures = Vec::new();
    for file in &files {
        let text = std::fs::read_to_string(file).unwrap();
        let kind = posrig_harness::schema::DocumentKind::detect(file, &text)
            .unwrap_or_else(|| panic!("{}: unknown kind", file.display()));
        let validator = jsonschema::validator_for(&schemas[kind.name()]).unwrap();
        let doc = as_json(file);
        let errors: Vec<String> = validator
            .iter_errors(&doc)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        if !errors.is_empty() {
            failures.push(format!(
                "{} ({kind}): {}",
                file.display(),
                errors.join("; ")
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn the_schema_rejects_a_misspelt_step_and_a_float_amount() {
    let schemas = schemas();
    let validator = jsonschema::validator_for(&schemas["scenario"]).unwrap();
    let ok: Value = serde_json::json!({"name": "x", "steps": ["total", {"pay": {"cash": "1.00"}}]});
    assert!(validator.is_valid(&ok));
    let typo: Value = serde_json::json!({"name": "x", "steps": [{"scna": "1"}]});
    assert!(!validator.is_valid(&typo));
    let float: Value = serde_json::json!({"name": "x", "steps": [{"pay": {"cash": 12.3}}]});
    assert!(!validator.is_valid(&float));
}

#[test]
fn one_kind_at_a_time() {
    let out = Command::new(env!("CARGO_BIN_EXE_posrig"))
        .args(["schema", "journey"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["title"], "Journey");
    let out = Command::new(env!("CARGO_BIN_EXE_posrig"))
        .args(["schema", "scenaro"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("did you mean `scenario`?"));
}
