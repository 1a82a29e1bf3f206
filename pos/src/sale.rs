//! stub
/// stub
pub struct SaleRules {
    pub currency: crate::money::Currency,
    pub tax: crate::config::TaxConfig,
    pub cash_rounding: Option<rust_decimal::Decimal>,
    pub approval_above: crate::money::Money,
    pub points: crate::config::PointsRules,
}
