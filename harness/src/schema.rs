//! `posrig schema` — JSON Schemas of every document kind, from the serde types (schemars), so
//! that editors complete and validate scenario files.
//!
//! Types from other crates that have no schema (device configs, actions and faults,
//! impairments, thresholds, the data files) are described as permissive values; `posrig check`
//! validates them with their own types.

use std::fmt;
use std::path::Path;

use schemars::gen::SchemaSettings;
use schemars::JsonSchema;
use serde_json::{json, Value};

use crate::rig::Rig;
use crate::scenario::{Journey, LoadProfile, Scenario};

/// The kinds of document in a `scenarios/` tree.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum DocumentKind {
    Scenario,
    Journey,
    Load,
    Rig,
    Cards,
    Terminals,
    Catalog,
    Store,
    Members,
    Wallets,
}

impl DocumentKind {
    pub const ALL: [DocumentKind; 10] = [
        DocumentKind::Scenario,
        DocumentKind::Journey,
        DocumentKind::Load,
        DocumentKind::Rig,
        DocumentKind::Cards,
        DocumentKind::Terminals,
        DocumentKind::Catalog,
        DocumentKind::Store,
        DocumentKind::Members,
        DocumentKind::Wallets,
    ];

    pub fn name(self) -> &'static str {
        match self {
            DocumentKind::Scenario => "scenario",
            DocumentKind::Journey => "journey",
            DocumentKind::Load => "load",
            DocumentKind::Rig => "rig",
            DocumentKind::Cards => "cards",
            DocumentKind::Terminals => "terminals",
            DocumentKind::Catalog => "catalog",
            DocumentKind::Store => "store",
            DocumentKind::Members => "members",
            DocumentKind::Wallets => "wallets",
        }
    }

    pub fn from_name(name: &str) -> Option<DocumentKind> {
        DocumentKind::ALL.into_iter().find(|k| k.name() == name)
    }

    /// The kind of a file: by the folder it is in (`suites/`, `journeys/`, `load/`, `rigs/`,
    /// `data/`), else by its top-level keys; `None` when neither tells.
    pub fn detect(path: &Path, text: &str) -> Option<DocumentKind> {
        let stem = path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or_default();
        for dir in path.parent().into_iter().flat_map(Path::components).rev() {
            match dir.as_os_str().to_str() {
                Some("suites") => return Some(DocumentKind::Scenario),
                Some("journeys") => return Some(DocumentKind::Journey),
                Some("load") => return Some(DocumentKind::Load),
                Some("rigs") => return Some(DocumentKind::Rig),
                Some("data") => return DocumentKind::data_by_stem(stem),
                _ => {}
            }
        }
        let value: serde_yaml::Value = serde_yaml::from_str(text).ok()?;
        let map = value.as_mapping()?;
        let has = |k: &str| map.contains_key(k);
        Some(if has("devices") {
            DocumentKind::Rig
        } else if has("shoppers") || has("stages") {
            DocumentKind::Load
        } else if has("params") {
            DocumentKind::Journey
        } else if has("steps") {
            DocumentKind::Scenario
        } else if has("cards") {
            DocumentKind::Cards
        } else if has("terminals") {
            DocumentKind::Terminals
        } else if has("items") {
            DocumentKind::Catalog
        } else if has("wallets") {
            DocumentKind::Wallets
        } else if has("members") {
            DocumentKind::Members
        } else if has("store") {
            DocumentKind::Store
        } else if let Some(kind) = DocumentKind::data_by_stem(stem) {
            kind
        } else if has("name") {
            // A named document without its telling keys (`steps` misspelt or missing): most
            // documents are scenarios, and checking it as one says what is wrong.
            DocumentKind::Scenario
        } else {
            return None;
        })
    }

    fn data_by_stem(stem: &str) -> Option<DocumentKind> {
        match stem {
            "cards" => Some(DocumentKind::Cards),
            "terminals" => Some(DocumentKind::Terminals),
            "catalog" => Some(DocumentKind::Catalog),
            "store" => Some(DocumentKind::Store),
            "members" => Some(DocumentKind::Members),
            "wallets" => Some(DocumentKind::Wallets),
            _ => None,
        }
    }
}

impl fmt::Display for DocumentKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

fn schema_of<T: JsonSchema>() -> Value {
    let gen = SchemaSettings::draft07().into_generator();
    serde_json::to_value(gen.into_root_schema_for::<T>()).expect("schemas serialize to JSON")
}

/// In a journey any value may be a `${param}` until the journey is used: every enum, pattern,
/// number and boolean of the step schemas also accepts a string holding a reference.
fn allow_params(value: &mut Value) {
    match value {
        Value::Object(map) => {
            let typed = map.contains_key("enum")
                || map.contains_key("pattern")
                || matches!(
                    map.get("type").and_then(Value::as_str),
                    Some("integer" | "number" | "boolean")
                );
            if typed {
                let original = Value::Object(std::mem::take(map));
                map.insert(
                    "anyOf".into(),
                    json!([original, {"type": "string", "pattern": r"\$\{[A-Za-z0-9_-]+\}"}]),
                );
            } else {
                map.values_mut().for_each(allow_params);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(allow_params),
        _ => {}
    }
}

/// A data file's schema: an object with its list, described; the data loaders check the rest.
fn data_schema(title: &str, key: &str, about: &str) -> Value {
    json!({
        "$schema": "http://json-schema.org/draft-07/schema#",
        "title": title,
        "description": about,
        "type": "object",
        "required": [key],
        "properties": { key: {} }
    })
}

/// The JSON Schema of one document kind.
pub fn schema(kind: DocumentKind) -> Value {
    match kind {
        DocumentKind::Scenario => schema_of::<Scenario>(),
        DocumentKind::Journey => {
            let mut s = schema_of::<Journey>();
            if let Some(defs) = s.get_mut("definitions") {
                allow_params(defs);
            }
            s
        }
        DocumentKind::Load => schema_of::<LoadProfile>(),
        DocumentKind::Rig => schema_of::<Rig>(),
        DocumentKind::Cards => data_schema("CardFile", "cards", "Test cards (sim::data::CardFile): name, pan, expiry, service_code, pin, entry, balance, status, currency, domestic."),
        DocumentKind::Terminals => data_schema("TerminalFile", "terminals", "Terminals the acquirer knows (sim::data::TerminalFile): terminal_id, merchant_id, master_key."),
        DocumentKind::Catalog => data_schema("CatalogFile", "items", "The catalog (pos::catalog::CatalogFile): plu, name, barcodes, price, tax, weighed, department, on_hand, promotion."),
        DocumentKind::Store => data_schema("StoreConfig", "store", "The store configuration (pos::config::StoreConfig)."),
        DocumentKind::Members => data_schema("Members", "members", "Loyalty members (pos::member::Members): id, name, phone, card, points."),
        DocumentKind::Wallets => data_schema("Wallets", "wallets", "QR-wallet payment codes (sim::data::WalletFile): name, code or range, behaviour, balance."),
    }
}

/// Every kind's schema, keyed by kind name.
pub fn all() -> Value {
    Value::Object(
        DocumentKind::ALL
            .into_iter()
            .map(|k| (k.name().to_owned(), schema(k)))
            .collect(),
    )
}

/// `posrig schema [KIND] [--out DIR]`: print one kind's schema, or all of them keyed by kind;
/// with `out`, write `DIR/<kind>.schema.json` for each kind.
pub fn run(kind: Option<&str>, out: Option<&Path>) -> anyhow::Result<()> {
    let kinds: Vec<DocumentKind> = match kind {
        Some(name) => vec![DocumentKind::from_name(name).ok_or_else(|| {
            let names: Vec<&str> = DocumentKind::ALL.iter().map(|k| k.name()).collect();
            let (msg, _) =
                crate::diagnostic::unknown_name("document kind", name, names.iter().copied());
            anyhow::anyhow!("{msg} (kinds: {})", names.join(", "))
        })?],
        None => DocumentKind::ALL.to_vec(),
    };
    if let Some(dir) = out {
        std::fs::create_dir_all(dir)?;
        for k in kinds {
            let path = dir.join(format!("{}.schema.json", k.name()));
            std::fs::write(&path, serde_json::to_string_pretty(&schema(k))? + "\n")?;
            print_line(&path.display().to_string())?;
        }
        return Ok(());
    }
    let value = match kind {
        Some(_) => schema(kinds[0]),
        None => all(),
    };
    print_line(&serde_json::to_string_pretty(&value)?)
}

/// Prints a line; a reader that went away (`posrig schema | head`) is not an error.
fn print_line(text: &str) -> anyhow::Result<()> {
    use std::io::Write;
    match writeln!(std::io::stdout().lock(), "{text}") {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => Ok(other?),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_by_folder_then_by_keys() {
        let k = |p: &str, t: &str| DocumentKind::detect(Path::new(p), t);
        assert_eq!(
            k("scenarios/suites/a/x.yaml", ""),
            Some(DocumentKind::Scenario)
        );
        assert_eq!(
            k("scenarios/data/cards.yaml", ""),
            Some(DocumentKind::Cards)
        );
        assert_eq!(
            k("x.yaml", "name: x\nsteps: []"),
            Some(DocumentKind::Scenario)
        );
        assert_eq!(
            k("x.yaml", "name: x\nparams: {}\nsteps: []"),
            Some(DocumentKind::Journey)
        );
        assert_eq!(k("x.yaml", "name: x\ndevices: {}"), Some(DocumentKind::Rig));
        assert_eq!(
            k("x.yaml", "name: x\nstore: {lanes: 1}\nshoppers: {}"),
            Some(DocumentKind::Load)
        );
        assert_eq!(k("x.yaml", "what: 1"), None);
    }

    #[test]
    fn the_scenario_schema_names_every_step() {
        let s = schema(DocumentKind::Scenario).to_string();
        for (name, _) in crate::scenario::step::StepName::ALL {
            assert!(s.contains(&format!("\"{name}\"")), "{name}");
        }
    }
}
