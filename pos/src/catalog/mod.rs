//! The catalog: items with PLU, barcodes, price, tax class, weighed flag, department, promotion
//! and inventory on hand; lookup by barcode or PLU; in-store price/weight codes resolved to an
//! item and its embedded value.

mod barcode;
mod load;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::basket::promotion::Promotion;
use crate::money::Money;

pub use load::CatalogFile;

/// A failure to find or resolve an item.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CatalogError {
    /// No item has that barcode.
    #[error("look up barcode `{0}`: unknown item")]
    UnknownBarcode(String),
    /// No item has that PLU.
    #[error("look up PLU `{0}`: unknown item")]
    UnknownPlu(String),
    /// A code whose check digit is wrong (a misread).
    #[error("look up barcode `{0}`: bad check digit")]
    BadCheckDigit(String),
    /// A weight-embedded code for an item sold by the piece.
    #[error("resolve `{code}`: item `{plu}` is not sold by weight")]
    NotWeighed {
        /// The scanned code.
        code: String,
        /// The item.
        plu: String,
    },
    /// A weighed item entered without a weight.
    #[error("sell item `{0}`: needs a weight")]
    NeedsWeight(String),
}

/// One catalog item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Item {
    /// Price look-up number (5 digits, also the `IIIII` of in-store codes).
    pub plu: String,
    /// Name on receipts and the display.
    pub name: String,
    /// EAN-13, EAN-8 or UPC-A codes.
    #[serde(default)]
    pub barcodes: Vec<String>,
    /// Unit price, or price per kg when `weighed`.
    pub price: Money,
    /// Tax class code from the store configuration.
    pub tax: String,
    /// Sold by weight (price per kg).
    #[serde(default)]
    pub weighed: bool,
    /// Department for reports.
    pub department: String,
    /// Inventory on hand: units, or grams when weighed.
    #[serde(default)]
    pub on_hand: i64,
    /// Optional promotion.
    #[serde(default)]
    pub promotion: Option<Promotion>,
}

/// What a scanned or typed code resolves to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolved<'a> {
    /// A plain item; weighed items still need a weight from the scale.
    Item(&'a Item),
    /// A weighed item with its weight from a weight-embedded code.
    Weighed {
        /// The item.
        item: &'a Item,
        /// Weight in grams.
        grams: u32,
    },
    /// An item with its price from a price-embedded code.
    Priced {
        /// The item.
        item: &'a Item,
        /// The embedded price for this line.
        price: Money,
    },
}

impl<'a> Resolved<'a> {
    /// The item.
    pub fn item(&self) -> &'a Item {
        match self {
            Resolved::Item(i)
            | Resolved::Weighed { item: i, .. }
            | Resolved::Priced { item: i, .. } => i,
        }
    }
}

/// Items by PLU, with a barcode index.
#[derive(Debug, Clone, Default)]
pub struct Catalog {
    items: BTreeMap<String, Item>,
    by_barcode: BTreeMap<String, String>,
}

impl Catalog {
    /// Builds a catalog from items; duplicates are refused.
    pub fn new(items: Vec<Item>) -> Result<Self, String> {
        let mut cat = Catalog::default();
        for item in items {
            for code in &item.barcodes {
                if !barcode::is_valid_retail_code(code) {
                    return Err(format!(
                        "item `{}`: barcode `{code}` is not a valid EAN/UPC",
                        item.plu
                    ));
                }
                if let Some(other) = cat
                    .by_barcode
                    .insert(barcode::lookup_key(code), item.plu.clone())
                {
                    return Err(format!(
                        "barcode `{code}` belongs to `{other}` and `{}`",
                        item.plu
                    ));
                }
            }
            if item.plu.len() != 5 || !item.plu.bytes().all(|c| c.is_ascii_digit()) {
                return Err(format!("item `{}`: PLU must be 5 digits", item.plu));
            }
            let plu = item.plu.clone();
            if cat.items.insert(plu.clone(), item).is_some() {
                return Err(format!("PLU `{plu}` is defined twice"));
            }
        }
        Ok(cat)
    }

    /// Items in PLU order.
    pub fn items(&self) -> impl Iterator<Item = &Item> {
        self.items.values()
    }

    /// Number of items.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// Whether the catalog is empty.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// The item with `plu`.
    pub fn by_plu(&self, plu: &str) -> Result<&Item, CatalogError> {
        self.items
            .get(plu)
            .ok_or_else(|| CatalogError::UnknownPlu(plu.to_owned()))
    }

    /// The item with barcode `code` (no in-store decoding).
    pub fn by_barcode(&self, code: &str) -> Result<&Item, CatalogError> {
        self.by_barcode
            .get(&barcode::lookup_key(code))
            .and_then(|plu| self.items.get(plu))
            .ok_or_else(|| CatalogError::UnknownBarcode(code.to_owned()))
    }

    /// Resolves a scanned code: a known barcode first, then an in-store price/weight code.
    pub fn resolve_scan(&self, code: &str) -> Result<Resolved<'_>, CatalogError> {
        if let Ok(item) = self.by_barcode(code) {
            return Ok(Resolved::Item(item));
        }
        if matches!(code.len(), 8 | 12 | 13)
            && code.bytes().all(|c| c.is_ascii_digit())
            && !barcode::is_valid_retail_code(code)
        {
            return Err(CatalogError::BadCheckDigit(code.to_owned()));
        }
        let Some(in_store) = barcode::decode_in_store(code) else {
            return Err(CatalogError::UnknownBarcode(code.to_owned()));
        };
        let item = self
            .items
            .get(&in_store.plu)
            .ok_or_else(|| CatalogError::UnknownBarcode(code.to_owned()))?;
        match in_store.value {
            barcode::Embedded::WeightGrams(grams) if item.weighed => {
                Ok(Resolved::Weighed { item, grams })
            }
            barcode::Embedded::WeightGrams(_) => Err(CatalogError::NotWeighed {
                code: code.to_owned(),
                plu: item.plu.clone(),
            }),
            barcode::Embedded::PriceMinor(minor) => Ok(Resolved::Priced {
                item,
                price: Money::new(rust_decimal::Decimal::new(i64::from(minor), 2)),
            }),
        }
    }

    /// Takes `qty` (units or grams) off the inventory on hand; may go negative (the shelf count
    /// is wrong, not the sale).
    pub fn take_stock(&mut self, plu: &str, qty: i64) -> Result<i64, CatalogError> {
        let item = self
            .items
            .get_mut(plu)
            .ok_or_else(|| CatalogError::UnknownPlu(plu.to_owned()))?;
        item.on_hand -= qty;
        Ok(item.on_hand)
    }
}

/// Builds an in-store code for tests and scenarios: `F=1` weight in grams or `F=2` price in fen.
pub fn in_store_code(plu: &str, weight_grams: Option<u32>, price_minor: Option<u32>) -> String {
    let value = match (weight_grams, price_minor) {
        (Some(g), _) => barcode::Embedded::WeightGrams(g),
        (None, Some(p)) => barcode::Embedded::PriceMinor(p),
        (None, None) => panic!("in_store_code needs a weight or a price"),
    };
    barcode::InStoreCode {
        plu: plu.to_owned(),
        value,
    }
    .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::money::money;

    fn item(plu: &str, code: &str, weighed: bool) -> Item {
        Item {
            plu: plu.into(),
            name: format!("item {plu}"),
            barcodes: if code.is_empty() {
                vec![]
            } else {
                vec![code.into()]
            },
            price: money("10.00"),
            tax: "A".into(),
            weighed,
            department: "test".into(),
            on_hand: 10,
            promotion: None,
        }
    }

    fn cat() -> Catalog {
        Catalog::new(vec![
            item("10001", "5901234123457", false),
            item("10002", "036000291452", false),
            item("12345", "", true),
        ])
        .unwrap()
    }

    #[test]
    fn lookups() {
        let c = cat();
        assert_eq!(c.by_barcode("5901234123457").unwrap().plu, "10001");
        assert_eq!(c.by_barcode("0036000291452").unwrap().plu, "10002");
        assert_eq!(c.by_plu("12345").unwrap().plu, "12345");
        assert_eq!(
            c.by_plu("99999"),
            Err(CatalogError::UnknownPlu("99999".into()))
        );
    }

    #[test]
    fn resolves_in_store_codes() {
        let c = cat();
        match c.resolve_scan("2112345012506").unwrap() {
            Resolved::Weighed { item, grams } => {
                assert_eq!((item.plu.as_str(), grams), ("12345", 1250))
            }
            other => panic!("{other:?}"),
        }
        match c
            .resolve_scan(&in_store_code("10001", None, Some(1999)))
            .unwrap()
        {
            Resolved::Priced { price, .. } => assert_eq!(price, money("19.99")),
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            c.resolve_scan(&in_store_code("10001", Some(500), None)),
            Err(CatalogError::NotWeighed { .. })
        ));
        assert_eq!(
            c.resolve_scan("5901234123458"),
            Err(CatalogError::BadCheckDigit("5901234123458".into()))
        );
    }

    #[test]
    fn refuses_bad_data() {
        assert!(Catalog::new(vec![item("10001", "5901234123458", false)]).is_err());
        assert!(Catalog::new(vec![item("1", "", false)]).is_err());
        assert!(Catalog::new(vec![item("10001", "", false), item("10001", "", false)]).is_err());
    }

    #[test]
    fn stock_goes_down() {
        let mut c = cat();
        assert_eq!(c.take_stock("10001", 3), Ok(7));
    }
}
