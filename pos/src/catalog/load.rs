//! Loading the catalog from YAML (`items:` list) or CSV (one item per row), checked against the
//! store's tax classes.

use std::path::Path;

use serde::Deserialize;

use super::{Catalog, Item};
use crate::basket::promotion::Promotion;
use crate::config::{parse_yaml, read_text, ConfigError, TaxConfig};
use crate::money::Money;

/// The YAML catalog document.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CatalogFile {
    /// The items.
    pub items: Vec<Item>,
}

/// One CSV row: `plu,name,barcodes,price,tax,weighed,department,on_hand,promo_buy,promo_get`,
/// with barcodes separated by spaces and empty promotion columns for none.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CsvRow {
    plu: String,
    name: String,
    #[serde(default)]
    barcodes: String,
    price: String,
    tax: String,
    #[serde(default)]
    weighed: bool,
    department: String,
    #[serde(default)]
    on_hand: i64,
    #[serde(default)]
    promo_buy: Option<u32>,
    #[serde(default)]
    promo_get: Option<u32>,
}

impl CatalogFile {
    /// Loads a catalog from `.yaml`/`.yml` or `.csv`, checking tax classes against `tax`.
    pub fn load(path: &Path, tax: &TaxConfig) -> Result<Catalog, ConfigError> {
        let text = read_text(path)?;
        let is_csv = path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("csv"));
        let items = if is_csv {
            parse_csv(path, &text)?
        } else {
            parse_yaml::<CatalogFile>(path, &text)?.items
        };
        let invalid = |message: String| ConfigError::Invalid {
            path: path.to_owned(),
            message,
        };
        for item in &items {
            if tax.class(&item.tax).is_none() {
                return Err(invalid(format!(
                    "item `{}`: unknown tax class `{}`",
                    item.plu, item.tax
                )));
            }
            if item.price.is_negative() {
                return Err(invalid(format!("item `{}`: negative price", item.plu)));
            }
            if let Some(p) = &item.promotion {
                p.validate()
                    .map_err(|m| invalid(format!("item `{}`: {m}", item.plu)))?;
            }
        }
        Catalog::new(items).map_err(invalid)
    }
}

fn parse_csv(path: &Path, text: &str) -> Result<Vec<Item>, ConfigError> {
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let mut items = Vec::new();
    for row in reader.deserialize::<CsvRow>() {
        let row = row.map_err(|e| {
            let line = e.position().map_or(0, |p| p.line() as usize);
            ConfigError::Parse {
                path: path.to_owned(),
                line,
                column: 0,
                message: e.to_string(),
            }
        })?;
        let price: Money =
            row.price
                .parse()
                .map_err(|e: crate::money::MoneyError| ConfigError::Parse {
                    path: path.to_owned(),
                    line: items.len() + 2,
                    column: 0,
                    message: e.to_string(),
                })?;
        let promotion = match (row.promo_buy, row.promo_get) {
            (Some(buy), Some(get)) => Some(Promotion::BuyGetFree { buy, get }),
            _ => None,
        };
        items.push(Item {
            plu: row.plu,
            name: row.name,
            barcodes: row.barcodes.split_whitespace().map(str::to_owned).collect(),
            price,
            tax: row.tax,
            weighed: row.weighed,
            department: row.department,
            on_hand: row.on_hand,
            promotion,
        });
    }
    Ok(items)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::StoreConfig;
    use crate::money::money;
    use std::io::Write;

    fn data(name: &str) -> std::path::PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../scenarios/data")
            .join(name)
    }

    #[test]
    fn shipped_catalog_loads() {
        let store = StoreConfig::load(&data("store.yaml")).unwrap();
        let cat = CatalogFile::load(&data("catalog.yaml"), &store.tax).unwrap();
        assert!(cat.len() >= 55, "{}", cat.len());
        assert!(cat.items().any(|i| i.weighed));
        assert!(cat.items().any(|i| i.promotion.is_some()));
    }

    #[test]
    fn csv_catalog_loads() {
        let store = StoreConfig::load(&data("store.yaml")).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cat.csv");
        let mut f = std::fs::File::create(&path).unwrap();
        writeln!(
            f,
            "plu,name,barcodes,price,tax,weighed,department,on_hand,promo_buy,promo_get"
        )
        .unwrap();
        writeln!(f, "10001,Milk 1L,5901234123457,12.50,B,false,dairy,10,2,1").unwrap();
        writeln!(f, "12345,Apples,,9.80,B,true,produce,50000,,").unwrap();
        drop(f);
        let cat = CatalogFile::load(&path, &store.tax).unwrap();
        let milk = cat.by_barcode("5901234123457").unwrap();
        assert_eq!(milk.price, money("12.50"));
        assert_eq!(
            milk.promotion,
            Some(Promotion::BuyGetFree { buy: 2, get: 1 })
        );
        assert!(cat.by_plu("12345").unwrap().weighed);
    }

    #[test]
    fn unknown_tax_class_is_refused() {
        let store = StoreConfig::load(&data("store.yaml")).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cat.yaml");
        std::fs::write(
            &path,
            "items:\n  - { plu: \"10001\", name: x, price: \"1.00\", tax: Q, department: d }\n",
        )
        .unwrap();
        let err = CatalogFile::load(&path, &store.tax).unwrap_err();
        assert!(err.to_string().contains("unknown tax class `Q`"), "{err}");
    }
}
