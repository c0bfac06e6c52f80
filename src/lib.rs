//! replisim: a deterministic discrete-event simulator of multi-region
//! database replication.
//!
//! The layers, with dependencies pointing one way (see ARCHITECTURE.md):
//! `cli` → `scenario`, `model`, `report`; `report` → `metrics`;
//! `model` → `sim`, `metrics`. `sim` knows nothing of databases, files or
//! terminals.

pub mod cli;
pub mod error;
pub mod explain;
pub mod fit;
pub mod metrics;
pub mod model;
pub mod report;
pub mod scenario;
pub mod sim;
pub mod sweep;

pub use error::{Error, Result};
