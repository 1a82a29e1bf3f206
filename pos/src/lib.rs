//! The POS stack under test: a terminal application's domain core (money, configuration,
//! catalog, basket pricing, members, operators, the sale state machine, tenders), its SQLite
//! journal, and the receipt and report documents it prints.
//!
//! Layout, by concept:
//!
//! - [`money`]: `rust_decimal` amounts, rounding rules, minor units for the wire.
//! - [`config`]: the store configuration (`store.yaml`): header, tax, operators, limits, timeouts.
//! - [`catalog`]: items, barcodes, in-store price/weight codes, inventory on hand.
//! - [`basket`]: lines, quantities, discounts, promotions, tax and totals (pure pricing).
//! - [`member`]: loyalty members and points rules.
//! - [`operator`]: login, roles and supervisor approvals.
//! - [`sale`]: the sale lifecycle state machine that ties basket, approvals and tenders together.
//! - [`tender`]: tender records (cash, card, QR), masked PANs, split-tender accounting.
//! - [`journal`]: the durable SQLite journal; every state change is committed before the POS acts
//!   outside.
//! - [`receipt`]: receipt, X report and Z report documents (pure data; the printer driver turns
//!   them into ESC/POS).
//! - [`clock`]: the calendar clock the POS stamps records with (supplied by whoever runs it).
//!
//! Built on top by the I/O layers: [`driver`] (peripherals over byte streams), [`host`]
//! (acquirer and QR-pay clients), [`terminal`] (the lane's logic as a sans-IO core) and
//! [`lane`] (the I/O shell that runs the core on drivers and host clients). [`app`] is the
//! `pos-terminal` process: its configuration file and the ports it opens.

pub mod app;
pub mod basket;
pub mod catalog;
pub mod clock;
pub mod config;
pub mod driver;
pub mod host;
pub mod journal;
pub mod lane;
pub mod member;
pub mod money;
pub mod operator;
pub mod receipt;
pub mod sale;
pub mod tender;
pub mod terminal;
