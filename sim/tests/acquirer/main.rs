//! Acquirer integration tests over real TCP on 127.0.0.1: every transaction, every rule, bad
//! input, and 100 terminals reconciling against the ledger.

mod advices;
mod bad_input;
mod chip;
mod links;
mod load;
mod rules;
mod support;
mod transactions;
