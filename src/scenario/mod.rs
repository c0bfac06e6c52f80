//! Scenarios in: YAML is read into raw serde structures that mirror it one
//! to one, then validated into the typed `Scenario` the engine runs.

pub mod bundled;
pub mod types;

pub use types::*;
