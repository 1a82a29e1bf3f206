//! Shared fixtures for the integration tests: the shipped store, catalog and members, a fixed
//! clock, and quick ways to build sales.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::sync::Arc;

use posrig_pos::catalog::{Catalog, CatalogFile};
use posrig_pos::clock::{DateTime, ManualClock};
use posrig_pos::config::StoreConfig;
use posrig_pos::journal::Journal;
use posrig_pos::member::Members;
use posrig_pos::operator::{Operator, Operators, Role};
use posrig_pos::sale::{Sale, SaleId, SaleRules};

/// The test PAN of `chip-ok` in `scenarios/data/cards.yaml`.
pub const TEST_PAN: &str = "6222021000000000017";

pub fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../scenarios/data")
        .join(name)
}

pub fn store() -> StoreConfig {
    StoreConfig::load(&data("store.yaml")).unwrap()
}

pub fn catalog() -> Catalog {
    CatalogFile::load(&data("catalog.yaml"), &store().tax).unwrap()
}

pub fn members() -> Members {
    Members::load(&data("members.yaml")).unwrap()
}

pub fn operators() -> Operators {
    Operators::new(&store().operators)
}

/// Cashier 1001 without a password check (the operator tests check passwords).
pub fn cashier() -> Operator {
    Operator {
        number: "1001".into(),
        name: "Li Na".into(),
        role: Role::Cashier,
    }
}

/// 2025-01-01 09:00:00.
pub fn clock() -> Arc<ManualClock> {
    Arc::new(ManualClock::new(DateTime::from_unix(1_735_722_000)))
}

pub fn journal_at(path: &Path) -> Journal {
    Journal::open(path, store().currency, clock()).unwrap()
}

pub fn rules() -> SaleRules {
    store().sale_rules()
}

pub fn sale(id: i64) -> Sale {
    Sale::new(SaleId(id), cashier(), rules())
}
