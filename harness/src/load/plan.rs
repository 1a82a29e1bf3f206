//! A load profile made ready to run: the data set, the store's setup steps planned, and each
//! shopper's journey planned from the weighted mix with its parameters drawn.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{anyhow, bail, Context};
use indexmap::IndexMap;
use rand::Rng;
use serde_yaml::Value;

use crate::diagnostic::Problem;
use crate::scenario::library::{beside, scenarios_root, DataSet, JourneyEntry, Library};
use crate::scenario::load::check_load_profile;
use crate::scenario::plan::PlannedStep;
use crate::scenario::source::SourceFile;
use crate::scenario::spans::YamlPath;
use crate::scenario::validate::Checker;
use crate::scenario::{LoadProfile, Step, Sut};
use posrig_sim::rng::ChildRng;

/// The group of lanes that no `store.groups` entry names.
pub const DEFAULT_GROUP: &str = "store";

/// A checked load profile with what running it needs.
pub struct LoadPlan {
    pub path: PathBuf,
    pub profile: LoadProfile,
    pub data: Arc<DataSet>,
    pub journeys: Arc<BTreeMap<String, Arc<JourneyEntry>>>,
    /// The store's setup steps, expanded (each lane runs them once).
    pub setup: Vec<PlannedStep>,
    /// Planned journeys by (mix entry, drawn parameters), so a shopper costs no YAML work after
    /// the first with the same draw.
    cache: BTreeMap<(usize, String), Arc<Vec<PlannedStep>>>,
}

/// Loads and checks `path`; every problem found when it cannot run.
pub fn load(path: &Path) -> Result<LoadPlan, Vec<Problem>> {
    let mut lib = Library::new();
    let problems = check_load_profile(&mut lib, path);
    if !problems.is_empty() {
        return Err(problems);
    }
    let src = SourceFile::read(path).map_err(|p| vec![p])?;
    let profile: LoadProfile = src.parse().map_err(|p| vec![p])?;
    let root = scenarios_root(path);
    let data_dir = match (&profile.data, &root) {
        (Some(d), _) => beside(path, d),
        (None, Some(r)) => r.join("data"),
        (None, None) => return Err(vec![Problem::file(path, "no data folder found")]),
    };
    let data = lib.data(&data_dir)?;
    let journeys = match &root {
        Some(r) => lib.journeys(r),
        None => Arc::default(),
    };
    let mut checker = Checker::new(Some(&data), &journeys, Sut::Embedded);
    checker.steps(
        &src,
        &YamlPath::root().key("store").key("setup"),
        &profile.store.setup,
        false,
    );
    if !checker.problems.is_empty() {
        return Err(checker.problems);
    }
    let setup = checker.planned;
    let mut problems = check_groups(&src, &profile);
    if profile.rig.is_some() {
        // `time: auto` is virtual because every lane's devices are simulated in memory; a rig
        // with real ports would need real time and is not wired into the load engine.
        problems.push(
            src.at_value(
                &YamlPath::root().key("rig"),
                "the load engine runs every device simulated in memory; a rig is not supported",
            )
            .with_help("remove `rig:` (bench a real device with `posrig run` and a rig)"),
        );
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    Ok(LoadPlan {
        path: path.to_owned(),
        profile,
        data,
        journeys,
        setup,
        cache: BTreeMap::new(),
    })
}

/// Lane groups name lanes that exist, each lane in at most one group.
fn check_groups(src: &SourceFile, profile: &LoadProfile) -> Vec<Problem> {
    let max = super::schedule::Schedule::of(profile)
        .max_lanes()
        .max(profile.store.lanes);
    let mut seen: BTreeMap<u32, &str> = BTreeMap::new();
    let mut problems = Vec::new();
    for (name, lanes) in &profile.store.groups {
        let at = YamlPath::root().key("store").key("groups").key(name);
        for lane in lanes {
            if *lane == 0 || *lane > max {
                problems.push(src.at_value(&at, format!("lanes are numbered 1 to {max}")));
            } else if let Some(other) = seen.insert(*lane, name) {
                problems
                    .push(src.at_value(&at, format!("lane {lane} is already in group `{other}`")));
            }
        }
    }
    problems
}

impl LoadPlan {
    /// The lane group of `lane`: the group naming it, else `store`.
    pub fn group_of(&self, lane: u32) -> String {
        self.profile
            .store
            .groups
            .iter()
            .find(|(_, lanes)| lanes.contains(&lane))
            .map_or_else(|| DEFAULT_GROUP.to_owned(), |(name, _)| name.clone())
    }

    /// Draws a shopper: a journey of the mix by weight, its parameters drawn; returns the
    /// journey's name and its planned steps.
    pub fn shopper(
        &mut self,
        rng: &mut ChildRng,
    ) -> anyhow::Result<(String, Arc<Vec<PlannedStep>>)> {
        let mix = &self.profile.shoppers.mix;
        let total: u64 = mix.iter().map(|e| u64::from(e.weight)).sum();
        if total == 0 {
            bail!("the mix has no weight");
        }
        let mut pick = rng.gen_range(0..total);
        let mut index = 0;
        for (i, e) in mix.iter().enumerate() {
            if pick < u64::from(e.weight) {
                index = i;
                break;
            }
            pick -= u64::from(e.weight);
        }
        let entry = &mix[index];
        let mut with = IndexMap::new();
        for (k, v) in &entry.with {
            with.insert(k.clone(), draw(v, rng)?);
        }
        let key = (index, serde_yaml::to_string(&with).unwrap_or_default());
        if let Some(p) = self.cache.get(&key) {
            return Ok((entry.journey.clone(), p.clone()));
        }
        let planned = Arc::new(self.plan_call(&entry.journey, with)?);
        self.cache.insert(key, planned.clone());
        Ok((entry.journey.clone(), planned))
    }

    /// Expands one journey call with plain parameter values, as a scenario step would be.
    fn plan_call(
        &self,
        journey: &str,
        with: IndexMap<String, Value>,
    ) -> anyhow::Result<Vec<PlannedStep>> {
        let mut call = serde_yaml::Mapping::new();
        call.insert("name".into(), journey.into());
        let mut w = serde_yaml::Mapping::new();
        for (k, v) in with {
            w.insert(k.into(), v);
        }
        call.insert("with".into(), Value::Mapping(w));
        let mut step = serde_yaml::Mapping::new();
        step.insert("journey".into(), Value::Mapping(call));
        let text =
            serde_yaml::to_string(&vec![Value::Mapping(step)]).context("write the journey call")?;
        let src = SourceFile::from_text(&self.path, text);
        let steps: Vec<Step> = src.parse().map_err(|p| anyhow!("{}", p.message))?;
        let mut checker = Checker::new(Some(&self.data), &self.journeys, Sut::Embedded);
        checker.steps(&src, &YamlPath::root(), &steps, false);
        if let Some(p) = checker.problems.first() {
            bail!("journey `{journey}`: {}", p.message);
        }
        Ok(checker.planned)
    }
}

/// A parameter value for one shopper: `{uniform: [a, b]}` draws a whole number in a..=b,
/// `{choice: [x, y]}` one of the values; anything else is used as written.
pub fn draw(v: &Value, rng: &mut ChildRng) -> anyhow::Result<Value> {
    let Value::Mapping(m) = v else {
        return Ok(v.clone());
    };
    if m.len() != 1 {
        return Ok(v.clone());
    }
    if let Some(Value::Sequence(r)) = m.get("uniform") {
        let (Some(a), Some(b)) = (
            r.first().and_then(Value::as_i64),
            r.get(1).and_then(Value::as_i64),
        ) else {
            bail!("`uniform` takes two whole numbers: `{{uniform: [1, 5]}}`");
        };
        let (lo, hi) = (a.min(b), a.max(b));
        return Ok(Value::from(rng.gen_range(lo..=hi)));
    }
    if let Some(Value::Sequence(choices)) = m.get("choice") {
        if choices.is_empty() {
            bail!("`choice` needs at least one value");
        }
        return Ok(choices[rng.gen_range(0..choices.len())].clone());
    }
    Ok(v.clone())
}
