//! The replicated database: regions, clocks, the network, replication
//! modes and write lineage, driven by the `sim` engine.
//!
//! `run` is the one entry point: a validated scenario in, a `RunOutput` out.
//! Nothing here touches files or terminals; progress goes through a callback.

use crate::error::Result;
use crate::metrics::result::{RunResult, Trace};
use crate::scenario::Scenario;

/// How to run (not what to simulate: that is the scenario).
#[derive(Clone, Debug, Default)]
pub struct RunOptions {
    /// Keep per-write and per-delivery records (`writes.csv`, `deliveries.csv`).
    pub trace: bool,
    /// Refuse a scenario whose estimated event count is above this.
    pub max_events: Option<u64>,
}

/// What a run produces.
#[derive(Clone, Debug, Default)]
pub struct RunOutput {
    pub result: RunResult,
    pub trace: Option<Trace>,
}

/// Run a scenario to completion. `progress` is called now and then with the
/// fraction of simulated time done (0.0 to 1.0).
pub fn run(scenario: &Scenario, options: &RunOptions, progress: &mut dyn FnMut(f64)) -> Result<RunOutput> {
    let _ = (scenario, options, progress);
    todo!("engine")
}
