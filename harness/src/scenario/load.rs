//! Loading each document kind with every problem found: parse (serde_yaml, located), then the
//! checks that need other files (rig, data folder, journeys), each pointing into the file.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::document::{Journey, LoadProfile, Scenario, Sut, TimeMode};
use super::journey::with_defaults;
use super::library::{
    beside, config_problem, data_problem, journey_from_source, scenarios_root, DataSet, Library,
};
use super::plan::ScenarioPlan;
use super::source::SourceFile;
use super::spans::YamlPath;
use super::validate::{no_root_help, undeclared_params, Checker};
use crate::diagnostic::Problem;
use crate::rig::{ControlSettings, DeviceMode, DeviceSlot, Port, Rig, RigDevices};

/// A document that cannot be used, with every problem found in it (and in the files it uses).
#[derive(Debug, thiserror::Error)]
#[error("load `{}`: {}", path.display(), problems.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))]
pub struct LoadError {
    pub path: PathBuf,
    pub problems: Vec<Problem>,
}

/// Loads and checks a scenario: the plan the runner executes, or every problem found.
///
/// ```no_run
/// let plan = posrig_harness::scenario::load_scenario("scenarios/suites/cash-sale.yaml".as_ref())?;
/// for step in &plan.steps {
///     println!("{} at {}", step.step.name(), step.origin);
/// }
/// # Ok::<(), posrig_harness::scenario::LoadError>(())
/// ```
pub fn load_scenario(path: &Path) -> Result<ScenarioPlan, LoadError> {
    load_scenario_with(&mut Library::new(), path).map_err(|problems| LoadError {
        path: path.to_owned(),
        problems,
    })
}

/// [`load_scenario`] with shared caches of data folders and journeys.
pub fn load_scenario_with(lib: &mut Library, path: &Path) -> Result<ScenarioPlan, Vec<Problem>> {
    let src = SourceFile::read(path).map_err(|p| vec![p])?;
    let scenario: Scenario = src.parse().map_err(|p| vec![p])?;
    let mut problems = Vec::new();
    let root = scenarios_root(path);
    let data_dir = data_dir(
        &src,
        scenario.data.as_deref(),
        root.as_deref(),
        &mut problems,
    );
    let data = data_dir
        .as_deref()
        .and_then(|d| data_set(lib, &src, scenario.data.is_some(), d, &mut problems));
    let (rig, rig_path) = rig_of(&src, scenario.rig.as_deref(), &mut problems);
    let time = resolve_time(
        &src,
        scenario.time,
        scenario.sut,
        rig.as_ref(),
        &mut problems,
    );
    if scenario.lanes == 0 {
        problems.push(src.at_value(
            &YamlPath::root().key("lanes"),
            "a scenario runs on at least 1 lane",
        ));
    }
    if scenario.steps.is_empty() {
        problems.push(src.at_key(
            &YamlPath::root().key("steps"),
            "a scenario needs at least one step",
        ));
    }
    let journeys = match &root {
        Some(r) => lib.journeys(r),
        None => Arc::default(),
    };
    let mut checker = Checker::new(data.as_deref(), &journeys, scenario.sut);
    checker.steps(&src, &YamlPath::root().key("setup"), &scenario.setup, false);
    let setup = std::mem::take(&mut checker.planned);
    checker.steps(&src, &YamlPath::root().key("steps"), &scenario.steps, false);
    let steps = std::mem::take(&mut checker.planned);
    problems.extend(checker.problems);
    if !problems.is_empty() {
        return Err(problems);
    }
    Ok(ScenarioPlan {
        path: path.to_owned(),
        rig: rig.unwrap_or_else(embedded_rig),
        rig_path,
        data_dir: data_dir.unwrap_or_default(),
        time,
        setup,
        steps,
        scenario,
    })
}

/// Checks a journey file on its own: parse, parameters used but not declared, and the names
/// its steps use (those that are not parameters).
pub fn check_journey(lib: &mut Library, path: &Path) -> Vec<Problem> {
    let src = match SourceFile::read(path) {
        Ok(s) => s,
        Err(p) => return vec![p],
    };
    let entry = match journey_from_source(src) {
        Ok(e) => e,
        Err(p) => return vec![p],
    };
    let src = &entry.source;
    let head = &entry.journey;
    let mut problems = Vec::new();
    let declared: Vec<&str> = head.params.keys().map(String::as_str).collect();
    for (i, name) in undeclared_params(&head.steps, &declared) {
        let (m, h) = crate::diagnostic::unknown_name("parameter", name, declared.iter().copied());
        let p = src.at_value(
            &YamlPath::root().key("steps").index(i),
            format!("{m}: declare it under `params:`"),
        );
        problems.push(match h {
            Some(h) if !declared.is_empty() => p.with_help(h),
            _ => p,
        });
    }
    // The steps typed with the defaults in place; a parameter without a default may not fit
    // its step's type until a caller gives it, so those steps are checked where they are used.
    let typed = SourceFile::from_text(&src.path, with_defaults(&src.text, &head.params));
    let journey: Journey = match typed.parse() {
        Ok(j) => j,
        Err(p) if p.message.contains("${") => return problems,
        Err(mut p) => {
            if let Some(l) = p.location {
                p.location = Some(crate::diagnostic::Location::at(
                    &src.text,
                    l.line as usize,
                    l.column as usize,
                ));
            }
            p.source = Some(src.text.clone());
            problems.push(p);
            return problems;
        }
    };
    if journey.steps.is_empty() {
        problems.push(src.at_key(
            &YamlPath::root().key("steps"),
            "a journey needs at least one step",
        ));
    }
    let root = scenarios_root(path);
    let data = root.as_ref().and_then(|r| lib.data(&r.join("data")).ok());
    let journeys = match &root {
        Some(r) => lib.journeys(r),
        None => Arc::default(),
    };
    // `crash` in a journey is checked where the journey is used.
    let mut checker = Checker::new(data.as_deref(), &journeys, Sut::Process);
    checker.steps(&typed, &YamlPath::root().key("steps"), &journey.steps, true);
    // Show the journey as written, not with its defaults in place.
    problems.extend(checker.problems.into_iter().map(|mut p| {
        if p.file == src.path {
            if let Some(l) = p.location {
                p.location = Some(crate::diagnostic::Location::at(
                    &src.text,
                    l.line as usize,
                    l.column as usize,
                ));
            }
            p.source = Some(src.text.clone());
        }
        p
    }));
    problems
}

/// Checks a load profile: parse, rig, data, the journeys of the mix and their parameters, the
/// store's setup steps and the scheduled faults.
pub fn check_load_profile(lib: &mut Library, path: &Path) -> Vec<Problem> {
    let src = match SourceFile::read(path) {
        Ok(s) => s,
        Err(p) => return vec![p],
    };
    let profile: LoadProfile = match src.parse() {
        Ok(p) => p,
        Err(p) => return vec![p],
    };
    let mut problems = Vec::new();
    let root = scenarios_root(path);
    let data_dir = data_dir(
        &src,
        profile.data.as_deref(),
        root.as_deref(),
        &mut problems,
    );
    let data = data_dir
        .as_deref()
        .and_then(|d| data_set(lib, &src, profile.data.is_some(), d, &mut problems));
    let (rig, _) = rig_of(&src, profile.rig.as_deref(), &mut problems);
    resolve_time(
        &src,
        profile.time,
        Sut::Embedded,
        rig.as_ref(),
        &mut problems,
    );
    let top = YamlPath::root();
    if profile.store.lanes == 0 {
        problems.push(src.at_value(
            &top.key("store").key("lanes"),
            "a store has at least 1 lane",
        ));
    }
    if profile.shoppers.mix.is_empty() {
        problems.push(src.at_key(
            &top.key("shoppers").key("mix"),
            "the mix needs at least one journey",
        ));
    }
    let journeys = match &root {
        Some(r) => lib.journeys(r),
        None => Arc::default(),
    };
    for (i, entry) in profile.shoppers.mix.iter().enumerate() {
        let at = top.key("shoppers").key("mix").index(i);
        let Some(j) = journeys.get(&entry.journey) else {
            let names: Vec<&str> = journeys.keys().map(String::as_str).collect();
            let (m, h) =
                crate::diagnostic::unknown_name("journey", &entry.journey, names.iter().copied());
            let p = src.at_value(&at.key("journey"), m);
            problems.push(match h {
                Some(h) => p.with_help(h),
                None => p,
            });
            continue;
        };
        if entry.weight == 0 {
            problems.push(src.at_value(&at.key("weight"), "a weight is at least 1"));
        }
        if let Err(e) = super::journey::bind(&j.journey.name, &j.journey.params, &entry.with) {
            problems.push(src.at_key(&at.key("with"), e));
        }
    }
    let mut checker = Checker::new(data.as_deref(), &journeys, Sut::Embedded);
    checker.steps(
        &src,
        &top.key("store").key("setup"),
        &profile.store.setup,
        false,
    );
    checker.faults_only = true;
    for (i, fault) in profile.faults.iter().enumerate() {
        checker.one(&src, &top.key("faults").index(i).key("step"), &fault.step);
        if fault
            .lanes
            .iter()
            .any(|l| *l == 0 || *l > profile.store.lanes.max(max_stage_lanes(&profile)))
        {
            problems.push(src.at_value(
                &top.key("faults").index(i).key("lanes"),
                format!(
                    "lanes are numbered 1 to {}",
                    profile.store.lanes.max(max_stage_lanes(&profile))
                ),
            ));
        }
    }
    problems.extend(checker.problems);
    problems
}

fn max_stage_lanes(p: &LoadProfile) -> u32 {
    p.stages.iter().filter_map(|s| s.lanes).max().unwrap_or(0)
}

/// Checks a rig file: parse, real devices on serial ports, serial paths that exist, the data
/// folder it names.
pub fn check_rig(path: &Path) -> Result<Rig, Vec<Problem>> {
    let src = SourceFile::read(path).map_err(|p| vec![p])?;
    rig_from_source(&src)
}

fn rig_from_source(src: &SourceFile) -> Result<Rig, Vec<Problem>> {
    let rig: Rig = src.parse().map_err(|p| vec![p])?;
    let mut problems = Vec::new();
    let devices = YamlPath::root().key("devices");
    for (role, slot) in slots(&rig) {
        let Some((mode, port)) = slot else { continue };
        let at = devices.key(role);
        if mode == DeviceMode::Real && !matches!(port, Port::Serial(_)) {
            problems.push(
                src.at_value(
                    &at.key("mode"),
                    format!("the real {role} needs a serial port"),
                )
                .with_help("add `port: {serial: {path: /dev/ttyUSB0}}`"),
            );
        }
        if let Port::Serial(s) = port {
            if s.path.is_empty() {
                problems.push(src.at_value(
                    &at.key("port").key("serial"),
                    format!("the {role}'s serial port has an empty `path`"),
                ));
            } else if !Path::new(&s.path).exists() {
                problems.push(
                    src.at_value(
                        &at.key("port").key("serial").key("path"),
                        format!("serial port `{}` of the {role} does not exist", s.path),
                    )
                    .with_help("plug the device in, or use `port: pty` for a simulated device"),
                );
            }
        }
    }
    if let Some(d) = &rig.data {
        if !beside(&src.path, d).is_dir() {
            problems.push(src.at_value(
                &YamlPath::root().key("data"),
                format!(
                    "data folder `{}` does not exist",
                    beside(&src.path, d).display()
                ),
            ));
        }
    }
    if problems.is_empty() {
        Ok(rig)
    } else {
        Err(problems)
    }
}

/// Checks one data file with its own loader; `kind` is `cards`, `terminals`, `store`,
/// `catalog`, `members` or `wallets`.
pub fn check_data_file(path: &Path, kind: &str) -> Vec<Problem> {
    use posrig_pos::catalog::CatalogFile;
    use posrig_pos::config::StoreConfig;
    use posrig_pos::member::Members;
    use posrig_sim::data::{CardFile, TerminalFile, WalletFile};
    let r = match kind {
        "wallets" => WalletFile::load(path).map(drop).map_err(data_problem),
        "cards" => CardFile::load(path).map(drop).map_err(data_problem),
        "terminals" => TerminalFile::load(path).map(drop).map_err(data_problem),
        "store" => StoreConfig::load(path).map(drop).map_err(config_problem),
        "members" => Members::load(path).map(drop).map_err(config_problem),
        "catalog" => {
            let store = path.with_file_name("store.yaml");
            match StoreConfig::load(&store) {
                Ok(s) => CatalogFile::load(path, &s.tax).map(drop).map_err(config_problem),
                Err(_) => Err(Problem::file(path, format!("a catalog is checked against the tax classes of `{}`, which does not load", store.display()))),
            }
        }
        other => Err(Problem::file(
            path,
            format!("unknown data file `{other}`: data files are cards, terminals, store, catalog, members, wallets"),
        )),
    };
    r.err().into_iter().collect()
}

/// The embedded rig: every device simulated, each on an in-memory wire.
pub fn embedded_rig() -> Rig {
    fn slot<C>() -> DeviceSlot<C> {
        DeviceSlot {
            mode: DeviceMode::Simulated,
            port: Port::Memory,
            config: None,
        }
    }
    Rig {
        name: "embedded".into(),
        description: "Every device simulated in memory (the default).".into(),
        data: None,
        devices: RigDevices {
            printer: Some(slot()),
            scanner: Some(slot()),
            pinpad: Some(slot()),
            display: Some(slot()),
            keyboard: Some(slot()),
            scale: Some(slot()),
        },
        control: ControlSettings::default(),
    }
}

fn slots(rig: &Rig) -> [(&'static str, Option<(DeviceMode, &Port)>); 6] {
    let d = &rig.devices;
    [
        ("printer", d.printer.as_ref().map(|s| (s.mode, &s.port))),
        ("scanner", d.scanner.as_ref().map(|s| (s.mode, &s.port))),
        ("pinpad", d.pinpad.as_ref().map(|s| (s.mode, &s.port))),
        ("display", d.display.as_ref().map(|s| (s.mode, &s.port))),
        ("keyboard", d.keyboard.as_ref().map(|s| (s.mode, &s.port))),
        ("scale", d.scale.as_ref().map(|s| (s.mode, &s.port))),
    ]
}

/// Whether every device of the rig is simulated inside the process (so time can be virtual).
pub fn rig_allows_virtual_time(rig: &Rig) -> bool {
    slots(rig).iter().all(|(_, s)| {
        s.is_none_or(|(mode, port)| mode == DeviceMode::Simulated && *port == Port::Memory)
    })
}

fn data_dir(
    src: &SourceFile,
    explicit: Option<&Path>,
    root: Option<&Path>,
    problems: &mut Vec<Problem>,
) -> Option<PathBuf> {
    match (explicit, root) {
        (Some(d), _) => {
            let dir = beside(&src.path, d);
            if dir.is_dir() {
                Some(dir)
            } else {
                problems.push(src.at_value(
                    &YamlPath::root().key("data"),
                    format!("data folder `{}` does not exist", dir.display()),
                ));
                None
            }
        }
        (None, Some(r)) => Some(r.join("data")),
        (None, None) => {
            problems.push(
                src.at_key(
                    &YamlPath::root().key("name"),
                    "no data folder found for this file",
                )
                .with_help(no_root_help()),
            );
            None
        }
    }
}

/// The data set of `dir`; its problems go to the data files, and missing files to the `data:`
/// key (or the document's name when the folder is the default).
fn data_set(
    lib: &mut Library,
    src: &SourceFile,
    explicit: bool,
    dir: &Path,
    problems: &mut Vec<Problem>,
) -> Option<Arc<DataSet>> {
    match lib.data(dir) {
        Ok(d) => Some(d),
        Err(found) => {
            let at = if explicit {
                YamlPath::root().key("data")
            } else {
                YamlPath::root().key("name")
            };
            for p in found {
                if p.location.is_none() {
                    let msg = format!("{} ({})", p.message, p.file.display());
                    problems.push(if explicit {
                        src.at_value(&at, msg)
                    } else {
                        src.at_key(&at, msg)
                    });
                } else {
                    problems.push(p);
                }
            }
            None
        }
    }
}

fn rig_of(
    src: &SourceFile,
    rig: Option<&Path>,
    problems: &mut Vec<Problem>,
) -> (Option<Rig>, Option<PathBuf>) {
    let Some(rel) = rig else {
        return (None, None);
    };
    let path = beside(&src.path, rel);
    let at = YamlPath::root().key("rig");
    if !path.is_file() {
        problems.push(src.at_value(&at, format!("rig file `{}` does not exist", path.display())));
        return (None, Some(path));
    }
    match check_rig(&path) {
        Ok(r) => (Some(r), Some(path)),
        Err(found) => {
            problems.push(src.at_value(
                &at,
                format!(
                    "rig `{}` has {} problem(s), shown below",
                    path.display(),
                    found.len()
                ),
            ));
            problems.extend(found);
            (None, Some(path))
        }
    }
}

fn resolve_time(
    src: &SourceFile,
    time: TimeMode,
    sut: Sut,
    rig: Option<&Rig>,
    problems: &mut Vec<Problem>,
) -> TimeMode {
    let virtual_ok_rig = rig.is_none_or(rig_allows_virtual_time);
    let at = YamlPath::root().key("time");
    match time {
        TimeMode::Virtual if sut == Sut::Process => {
            problems.push(src.at_value(&at, "`time: virtual` needs the embedded POS: a POS process (`sut: process`) runs on the wall clock").with_help("remove `time: virtual` or use `sut: embedded`"));
            TimeMode::Real
        }
        TimeMode::Virtual if !virtual_ok_rig => {
            problems.push(src.at_value(&at, "`time: virtual` needs every device simulated in memory, and the rig has devices on ptys or serial ports").with_help("real devices and outside programs run on the wall clock: use `time: real` or `auto`"));
            TimeMode::Real
        }
        TimeMode::Auto if sut == Sut::Embedded && virtual_ok_rig => TimeMode::Virtual,
        TimeMode::Auto => TimeMode::Real,
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::Step;

    fn workspace_file(rel: &str) -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(rel)
    }

    #[test]
    fn a_plan_expands_journeys_and_repeats_and_keeps_origins() {
        let plan = load_scenario(&workspace_file(
            "scenarios/suites/sales/card-sale-journeys.yaml",
        ))
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(plan.time, TimeMode::Virtual, "embedded and all simulated");
        assert_eq!(plan.rig.name, "embedded");
        // open-lane: login, sign_on, expect.
        let names: Vec<&str> = plan.setup.iter().map(|s| s.step.name()).collect();
        assert_eq!(names, ["login", "sign_on", "expect"]);
        // quick-card-sale with basket_size 2, 1 and 2: (n scans + 5 steps) each, then expect.
        assert_eq!(plan.steps.len(), (2 + 5) + (1 + 5) + (2 + 5) + 1);
        let first = &plan.steps[0];
        assert!(matches!(&first.step, Step::Scan(_)));
        assert!(first.origin.file.ends_with("journeys/quick-card-sale.yaml"));
        assert_eq!((first.origin.line, first.origin.column), (19, 11));
        assert_eq!(first.origin.via.len(), 1);
        assert_eq!(first.origin.via[0].journey, "quick-card-sale");
        assert_eq!(first.origin.via[0].line, 7);
        assert!(first
            .origin
            .scenario_place()
            .ends_with("card-sale-journeys.yaml:7:5"));
        // The parameters are in place: the tap journey pays with tap-ok by tap.
        let pays: Vec<String> = plan
            .steps
            .iter()
            .filter_map(|s| match &s.step {
                Step::Pay(crate::scenario::Pay::Card(c)) => {
                    Some(format!("{}/{:?}", c.card, c.entry.unwrap()))
                }
                _ => None,
            })
            .collect();
        assert_eq!(pays, ["chip-ok/Chip", "tap-ok/Tap", "swipe-only/Swipe"]);
        let last = plan.steps.last().unwrap();
        assert!(last.origin.via.is_empty());
        assert_eq!(last.origin.line, 10);
    }

    #[test]
    fn a_process_scenario_runs_in_real_time() {
        let plan = load_scenario(&workspace_file(
            "scenarios/suites/faults/crash-mid-sale.yaml",
        ))
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(plan.time, TimeMode::Real);
        assert!(plan.steps.iter().any(|s| s.step == Step::Crash));
    }

    #[test]
    fn load_errors_list_every_problem() {
        let e =
            load_scenario(&workspace_file("harness/tests/bad/03-misspelt-step.yaml")).unwrap_err();
        assert_eq!(e.problems.len(), 1);
        let text = e.to_string();
        assert!(
            text.contains("03-misspelt-step.yaml:5:5: unknown step `scna`, did you mean `scan`?"),
            "{text}"
        );
    }
}
