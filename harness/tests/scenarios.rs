//! Every scenario under `scenarios/suites/` as one trial named by its path, through
//! libtest-mimic: `cargo test -p posrig-harness --test scenarios -- card` filters, `--list`
//! lists, cargo-nextest runs them. Scenarios the runner cannot run yet (several lanes) are
//! ignored, with the reason as the trial's kind. `sut: process` scenarios re-execute this binary
//! as the POS terminal (see `posrig_harness::run::terminal`).

use std::path::{Path, PathBuf};

use libtest_mimic::{Arguments, Failed, Trial};
use posrig_harness::run::{run_plan, seed_for, unsupported, TimeChoice};
use posrig_harness::scenario::{load_scenario_with, Library};

fn suites() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../scenarios/suites")
}

fn main() {
    // `sut: process` scenarios run the POS terminal as this binary re-executed.
    posrig_harness::run::terminal::become_terminal_if_asked();
    let args = Arguments::from_args();
    let root = suites();
    let (files, problems) = posrig_harness::check::collect(std::slice::from_ref(&root));
    assert!(problems.is_empty(), "read {}: {problems:?}", root.display());
    let base = root
        .ancestors()
        .nth(2)
        .expect("the workspace above scenarios/suites")
        .to_owned();
    let trials = files
        .into_iter()
        .map(|file| {
            let name = file
                .strip_prefix(&base)
                .unwrap_or(&file)
                .display()
                .to_string();
            let mut lib = Library::new();
            let plan = load_scenario_with(&mut lib, &file);
            let ignored = plan.as_ref().ok().and_then(unsupported);
            let trial = Trial::test(name, move || {
                run(&mut lib, plan.map_err(|p| format!("{p:?}"))?)
            });
            match ignored {
                Some(reason) => trial.with_kind(short(&reason)).with_ignored_flag(true),
                None => trial,
            }
        })
        .collect();
    libtest_mimic::run(&args, trials).exit();
}

fn short(reason: &str) -> String {
    reason.split(',').next().unwrap_or(reason).to_owned()
}

fn run(lib: &mut Library, plan: posrig_harness::scenario::ScenarioPlan) -> Result<(), Failed> {
    let data = lib
        .data(&plan.data_dir)
        .map_err(|p| format!("load data: {p:?}"))?;
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let seed = seed_for(&plan, None);
    let outcome = run_plan(&plan, data, seed, TimeChoice::Auto, dir.path());
    match outcome.failure_text() {
        None => Ok(()),
        Some(text) => Err(format!("{text}\nreproduce: {}", outcome.reproduce()).into()),
    }
}
