//! The replicated database: regions, clocks, the network, replication
//! modes and write lineage, driven by the `sim` event queue.
//!
//! `run` is the one entry point: a validated scenario in, a `RunOutput` out.
//! Nothing here touches files or terminals; progress goes through a callback.

pub mod active_active;
mod cells;
pub mod clock;
pub mod faults;
pub mod kernel;
pub mod lineage;
pub mod lww;
pub mod mode;
pub mod modes;
pub mod network;
pub mod record;
pub mod single_primary;
pub mod store;
pub mod strong;
pub mod workload;

use crate::error::{Error, Result};
use crate::metrics::result::{RunResult, Trace};
use crate::scenario::{Mode as ModeConfig, Scenario};
use kernel::Kernel;
use mode::Mode;

/// Above this many estimated events a run is refused unless raised.
pub const DEFAULT_MAX_EVENTS: u64 = 1_000_000_000;

/// How to run (not what to simulate: that is the scenario).
#[derive(Clone, Debug, Default)]
pub struct RunOptions {
    /// Keep per-write and per-delivery records (`writes.csv`, `deliveries.csv`).
    pub trace: bool,
    /// Refuse a scenario whose estimated event count is above this
    /// (`None`: `DEFAULT_MAX_EVENTS`).
    pub max_events: Option<u64>,
}

/// What a run produces.
#[derive(Clone, Debug, Default)]
pub struct RunOutput {
    pub result: RunResult,
    pub trace: Option<Trace>,
}

/// The expected number of events: every client operation, plus one
/// delivery per write and other region.
pub fn estimate_events(s: &Scenario) -> f64 {
    let secs = s.duration as f64 / 1e9;
    let others = s.regions.len().saturating_sub(1) as f64;
    s.workload
        .iter()
        .map(|w| {
            let ops = w.rate_per_s * secs * w.regions.len() as f64;
            ops * (1.0 + w.write_fraction * others)
        })
        .sum()
}

/// Run a scenario to completion. `progress` is called now and then with the
/// fraction of simulated time done (0.0 to 1.0); when it returns `false` the
/// run stops with an "interrupted" error (Ctrl-C).
pub fn run(
    scenario: &Scenario,
    options: &RunOptions,
    progress: &mut dyn FnMut(f64) -> bool,
) -> Result<RunOutput> {
    let limit = options.max_events.unwrap_or(DEFAULT_MAX_EVENTS);
    let estimate = estimate_events(scenario);
    if estimate > limit as f64 {
        return Err(Error::new(format!(
            "{}: about {:.3e} events expected, more than the limit of {limit}; shorten the duration, lower the rates, or raise the limit with --max-events",
            scenario.name, estimate
        )));
    }
    let bytes = estimate_memory(scenario);
    if bytes > MAX_MEMORY_BYTES {
        return Err(Error::new(format!(
            "{}: needs about {:.1} GiB of memory ({} keys in {} regions, {} time buckets), more than the {} GiB allowed; use fewer keys, fewer regions or a wider output.bucket",
            scenario.name,
            bytes as f64 / GIB,
            scenario.tables.iter().map(|t| u64::from(t.keys)).sum::<u64>(),
            scenario.regions.len(),
            buckets(scenario),
            MAX_MEMORY_BYTES as f64 / GIB,
        )));
    }
    match &scenario.replication.mode {
        ModeConfig::ActiveActive => {
            run_mode(scenario, options, active_active::ActiveActive, progress)
        }
        ModeConfig::SinglePrimary(m) => run_mode(
            scenario,
            options,
            single_primary::SinglePrimaryMode::new(scenario, m),
            progress,
        ),
        ModeConfig::Strong(m) => run_mode(
            scenario,
            options,
            strong::StrongMode::new(scenario, m),
            progress,
        ),
    }
}

/// Run a scenario under `mode`, whatever its `replication.mode` says (the
/// figures still name that one). `run` calls this with the mode the
/// scenario asks for; a mode of one's own can be run the same way.
/// Applies none of `run`'s up-front limits.
pub fn run_mode<M: Mode>(
    scenario: &Scenario,
    options: &RunOptions,
    mode: M,
    progress: &mut dyn FnMut(f64) -> bool,
) -> Result<RunOutput> {
    Kernel::new(scenario, options, &mode)?.run(mode, progress)
}

const GIB: f64 = (1u64 << 30) as f64;

/// Above this estimated footprint a run is refused up front, rather than
/// failing half-way when an allocation cannot be met.
pub const MAX_MEMORY_BYTES: u64 = 8 << 30;

/// The most time buckets a run can fill: its whole span, drain included.
fn buckets(s: &Scenario) -> u64 {
    s.duration.saturating_add(s.drain_limit) / s.bucket.max(1) + 1
}

/// What a run's fixed structures take, in bytes: per key a version node
/// and a row of cells (see `cells`); per time bucket a row and, per stream, its lag
/// and backlog figures. (In-flight writes come on top; they are bounded by
/// the event estimate.)
pub fn estimate_memory(s: &Scenario) -> u64 {
    let n = s.regions.len() as u64;
    let keys: u64 = s.tables.iter().map(|t| u64::from(t.keys)).sum();
    // A version: its links (16 bytes) and its record (32).
    let per_key = 48 + cells::Cells::bytes_per_key(n as usize) as u64;
    let streams = n * n.saturating_sub(1);
    let per_bucket = 96 + streams * 40;
    keys.saturating_mul(per_key)
        .saturating_add(buckets(s).saturating_mul(per_bucket))
}
