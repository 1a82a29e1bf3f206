//! `posrig check PATH…` — validate scenario files, journeys, load profiles, rigs and data files
//! without running anything, and print each problem with its file, line, column and source line.

use std::collections::BTreeSet;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use crate::diagnostic::Problem;
use crate::exit_codes;
use crate::scenario::source::SourceFile;
use crate::scenario::{self, Library};
use crate::schema::DocumentKind;

/// What a check found.
#[derive(Debug, Default)]
pub struct CheckReport {
    /// Files checked, in order.
    pub files: Vec<PathBuf>,
    /// Problems, in file order, each once.
    pub problems: Vec<Problem>,
}

impl CheckReport {
    pub fn is_ok(&self) -> bool {
        self.problems.is_empty()
    }
}

/// The YAML files under `paths` (files as given; folders recursively, sorted).
pub fn collect(paths: &[PathBuf]) -> (Vec<PathBuf>, Vec<Problem>) {
    let mut files = Vec::new();
    let mut problems = Vec::new();
    for path in paths {
        if path.is_dir() {
            walk(path, &mut files);
        } else if path.is_file() {
            files.push(path.clone());
        } else {
            problems.push(Problem::file(path, "no such file or folder"));
        }
    }
    (files, problems)
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for p in paths {
        // Hidden files and folders (editor swap files, a test's scratch profile) are not documents.
        if p.file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.starts_with('.'))
        {
            continue;
        }
        if p.is_dir() {
            walk(&p, out);
        } else if p.extension().is_some_and(|e| e == "yaml" || e == "yml") {
            out.push(p);
        }
    }
}

/// Checks every YAML file under `paths`.
pub fn check_paths(paths: &[PathBuf]) -> CheckReport {
    let (files, mut problems) = collect(paths);
    let mut lib = Library::new();
    for file in &files {
        problems.extend(check_file(&mut lib, file));
    }
    // A broken data file or rig is found again by every document that uses it: report it once.
    let mut seen = BTreeSet::new();
    problems.retain(|p| seen.insert(p.to_string()));
    CheckReport { files, problems }
}

/// Checks one file, of the kind its folder or its keys say.
pub fn check_file(lib: &mut Library, file: &Path) -> Vec<Problem> {
    let src = match SourceFile::read(file) {
        Ok(s) => s,
        Err(p) => return vec![p],
    };
    let Some(kind) = DocumentKind::detect(file, &src.text) else {
        // Not a known kind: say why the YAML does not parse, or what kinds there are.
        if let Err(p) = src.value() {
            return vec![p];
        }
        return vec![src.at_line(
            1,
            1,
            "cannot tell what kind of document this is: put it under suites/, journeys/, load/, rigs/ or data/, or give it the keys of one (a scenario has `name` and `steps`)",
        )];
    };
    match kind {
        DocumentKind::Scenario => match scenario::load_scenario_with(lib, file) {
            Ok(_) => Vec::new(),
            Err(p) => p,
        },
        DocumentKind::Journey => scenario::check_journey(lib, file),
        DocumentKind::Load => scenario::check_load_profile(lib, file),
        DocumentKind::Rig => scenario::check_rig(file).err().unwrap_or_default(),
        DocumentKind::Cards
        | DocumentKind::Terminals
        | DocumentKind::Catalog
        | DocumentKind::Store
        | DocumentKind::Members
        | DocumentKind::Wallets => scenario::check_data_file(file, kind.name()),
    }
}

/// `posrig check`: prints each problem (stderr) and a summary line (stdout); returns the exit
/// code: 0 when every file is valid, 2 otherwise.
pub fn run(paths: &[PathBuf]) -> i32 {
    let report = check_paths(paths);
    let color = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    // A reader that went away (`posrig check … | head`) is no reason to panic: writes are
    // best effort.
    let mut err = std::io::stderr().lock();
    for p in &report.problems {
        let _ = writeln!(err, "{}", p.render(color));
    }
    drop(err);
    let mut out = std::io::stdout().lock();
    let n = report.files.len();
    let files = if n == 1 { "file" } else { "files" };
    if report.is_ok() {
        let _ = writeln!(out, "checked {n} {files}: all valid");
        exit_codes::OK
    } else {
        let bad: BTreeSet<&Path> = report.problems.iter().map(|p| p.file.as_path()).collect();
        let _ = writeln!(
            out,
            "checked {n} {files}: {} problem{} in {} file{}",
            report.problems.len(),
            if report.problems.len() == 1 { "" } else { "s" },
            bad.len(),
            if bad.len() == 1 { "" } else { "s" }
        );
        exit_codes::INVALID_INPUT
    }
}
