//! The scenario language — scenario, journey and load-profile documents as serde types, their
//! loading with located errors, and the plan a runner executes.
//!
//! - [`document`]: the documents ([`Scenario`], [`Journey`], [`LoadProfile`]).
//! - [`step`]: a step ([`Step`]); [`action`], [`fault`] and [`expect`] its kinds; [`device`]
//!   the bridge to the `devices` crate's action and fault types.
//! - [`duration`], [`money`], [`count`]: the value types with their own error messages.
//! - [`source`] and [`spans`]: a file's text, the positions of its keys and values, and serde
//!   errors as problems; [`library`]: data folders and journeys found next to a document.
//! - [`journey`]: `${param}` substitution; [`validate`]: checks after parsing and expansion;
//!   [`load`]: each document kind loaded with all its problems; [`plan`]: the runnable form.

pub mod action;
pub mod count;
mod de;
pub mod device;
pub mod document;
pub mod duration;
pub mod expect;
pub mod fault;
pub mod journey;
pub mod library;
pub mod load;
pub mod money;
pub mod plan;
pub mod source;
pub mod spans;
pub mod step;
pub mod validate;

pub use action::{CardPayment, CashierAction, Entry, Pay, PinAnswer, Scan, Tender};
pub use count::Count;
pub use device::{DeviceAction, DeviceFault, DeviceRole};
pub use document::{Journey, LoadProfile, Scenario, Sut, TimeMode};
pub use duration::Duration;
pub use expect::Expect;
pub use library::Library;
pub use load::{
    check_data_file, check_journey, check_load_profile, check_rig, embedded_rig, load_scenario,
    load_scenario_with, LoadError,
};
pub use money::Amount;
pub use plan::{CallSite, Origin, PlannedStep, ScenarioPlan};
pub use step::Step;
