//! What documents refer to by name — the data folder (cards, catalog, members, store) and the
//! journeys of a `scenarios/` tree — found next to the document and loaded once per check.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use posrig_pos::catalog::{Catalog, CatalogFile};
use posrig_pos::config::{ConfigError, StoreConfig};
use posrig_pos::member::Members;
use posrig_sim::data::{CardFile, DataError, TerminalFile};

use super::document::JourneyHead;
use super::source::SourceFile;
use crate::diagnostic::{Location, Problem};

/// The data files of one folder, each loaded by its own loader.
#[derive(Debug)]
pub struct DataSet {
    pub dir: PathBuf,
    pub cards: CardFile,
    pub terminals: TerminalFile,
    pub store: StoreConfig,
    pub catalog: Catalog,
    pub members: Members,
}

/// The data file names a data folder holds.
pub const DATA_FILES: [&str; 5] = ["cards", "terminals", "store", "catalog", "members"];

/// A journey file: its text and its head (name, parameters, steps as written).
#[derive(Debug, Clone)]
pub struct JourneyEntry {
    pub source: SourceFile,
    pub journey: JourneyHead,
}

/// Caches of data folders and journey folders, shared by every file of one `posrig check`.
#[derive(Debug, Default)]
pub struct Library {
    data: BTreeMap<PathBuf, Result<Arc<DataSet>, Vec<Problem>>>,
    journeys: BTreeMap<PathBuf, Arc<BTreeMap<String, Arc<JourneyEntry>>>>,
}

/// The `scenarios/` folder that `file` belongs to: the nearest ancestor with a `data/` folder
/// holding `cards.yaml`, or with a `scenarios/` folder that does.
pub fn scenarios_root(file: &Path) -> Option<PathBuf> {
    let abs = std::path::absolute(file).ok()?;
    let found = abs.ancestors().skip(1).find_map(|dir| {
        if dir.join("data").join("cards.yaml").is_file() {
            return Some(dir.to_owned());
        }
        let nested = dir.join("scenarios");
        nested
            .join("data")
            .join("cards.yaml")
            .is_file()
            .then_some(nested)
    })?;
    // Relative to the working directory when inside it, so messages show short paths.
    let cwd = std::env::current_dir().ok();
    Some(
        cwd.and_then(|cwd| found.strip_prefix(&cwd).ok().map(Path::to_path_buf))
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(found),
    )
}

/// `relative` against the folder of `file`.
pub fn beside(file: &Path, relative: &Path) -> PathBuf {
    file.parent().unwrap_or(Path::new(".")).join(relative)
}

impl Library {
    pub fn new() -> Library {
        Library::default()
    }

    /// The data set in `dir`, loading it the first time; its problems otherwise (reported by
    /// the caller once, at the file that owns them).
    pub fn data(&mut self, dir: &Path) -> Result<Arc<DataSet>, Vec<Problem>> {
        let key = std::path::absolute(dir).unwrap_or_else(|_| dir.to_owned());
        self.data
            .entry(key)
            .or_insert_with(|| load_data(dir).map(Arc::new))
            .clone()
    }

    /// The journeys under `root/journeys`, by name.
    pub fn journeys(&mut self, root: &Path) -> Arc<BTreeMap<String, Arc<JourneyEntry>>> {
        self.journeys
            .entry(root.to_owned())
            .or_insert_with(|| Arc::new(load_journeys(&root.join("journeys"))))
            .clone()
    }
}

/// Loads every data file of `dir` with its own loader.
pub fn load_data(dir: &Path) -> Result<DataSet, Vec<Problem>> {
    let path = |name: &str| dir.join(format!("{name}.yaml"));
    let missing: Vec<Problem> = DATA_FILES
        .iter()
        .filter(|n| !path(n).is_file())
        .map(|n| {
            Problem::file(
                &path(n),
                format!("missing data file `{n}.yaml` in `{}`", dir.display()),
            )
        })
        .collect();
    if !missing.is_empty() {
        return Err(missing);
    }
    let mut problems = Vec::new();
    let cards = CardFile::load(&path("cards")).map_err(|e| problems.push(data_problem(e)));
    let terminals =
        TerminalFile::load(&path("terminals")).map_err(|e| problems.push(data_problem(e)));
    let store = StoreConfig::load(&path("store")).map_err(|e| problems.push(config_problem(e)));
    let members = Members::load(&path("members")).map_err(|e| problems.push(config_problem(e)));
    let catalog = match &store {
        Ok(store) => CatalogFile::load(&path("catalog"), &store.tax)
            .map_err(|e| problems.push(config_problem(e))),
        Err(()) => Err(()),
    };
    match (cards, terminals, store, catalog, members) {
        (Ok(cards), Ok(terminals), Ok(store), Ok(catalog), Ok(members)) => Ok(DataSet {
            dir: dir.to_owned(),
            cards,
            terminals,
            store,
            catalog,
            members,
        }),
        _ => Err(problems),
    }
}

/// A problem from the `sim` data loaders, at the data file's own line and column.
pub fn data_problem(e: DataError) -> Problem {
    match e {
        DataError::Read { path, source } => {
            Problem::file(&path, format!("read the file: {source}"))
        }
        DataError::Parse {
            path,
            location,
            message,
        } => located(&path, location, &message),
        DataError::Invalid { path, message } => Problem::file(&path, message),
    }
}

/// A problem from the `pos` configuration loaders, at the file's own line and column.
pub fn config_problem(e: ConfigError) -> Problem {
    match e {
        ConfigError::Read { path, source } => {
            Problem::file(&path, format!("read the file: {source}"))
        }
        ConfigError::Parse {
            path,
            line,
            column,
            message,
        } => located(&path, (line > 0).then_some((line, column)), &message),
        ConfigError::Invalid { path, message } => Problem::file(&path, message),
    }
}

fn located(path: &Path, location: Option<(usize, usize)>, message: &str) -> Problem {
    let (message, help) = super::source::reword(message);
    let Ok(text) = std::fs::read_to_string(path) else {
        return Problem::file(path, message);
    };
    let text: Arc<str> = text.into();
    let (line, column) = location.unwrap_or((1, 1));
    let p = Problem::at(path, &text, Location::at(&text, line, column), message);
    match help {
        Some(h) => p.with_help(h),
        None => p,
    }
}

/// Reads every journey in `dir` (files that do not parse are left out here; `posrig check`
/// reports them on their own).
fn load_journeys(dir: &Path) -> BTreeMap<String, Arc<JourneyEntry>> {
    let mut out = BTreeMap::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return out;
    };
    let mut files: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "yaml" || e == "yml"))
        .collect();
    files.sort();
    for file in files {
        if let Ok(entry) = read_journey(&file) {
            out.entry(entry.journey.name.clone())
                .or_insert_with(|| Arc::new(entry));
        }
    }
    out
}

/// Reads one journey file's head.
pub fn read_journey(file: &Path) -> Result<JourneyEntry, Problem> {
    let source = SourceFile::read(file)?;
    journey_from_source(source)
}

pub fn journey_from_source(source: SourceFile) -> Result<JourneyEntry, Problem> {
    let journey: JourneyHead = source.parse()?;
    Ok(JourneyEntry { source, journey })
}
