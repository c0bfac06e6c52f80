//! The replicated database: regions, clocks, the network, replication
//! modes and write lineage, driven by the `sim` event queue.
//!
//! `run` is the one entry point: a validated scenario in, a `RunOutput` out.
//! Nothing here touches files or terminals; progress goes through a callback.

pub mod active_active;
pub mod beaten;
mod cells;
pub mod clock;
pub mod fault_figures;
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
pub mod visibility;
pub mod workload;

use crate::error::{Error, Result};
use crate::metrics::result::{RunResult, Trace};
use crate::scenario::{FaultKind, Mode as ModeConfig, Ordering, Scenario};
use kernel::Kernel;
use mode::Mode;

/// Above this many estimated events a run is refused unless raised.
pub const DEFAULT_MAX_EVENTS: u64 = 1_000_000_000;

/// The most `--max-events` can allow. The event queue numbers every event
/// it is given in `MAX_SEQ` (about 17.6 trillion); a run schedules at most
/// a few events per estimated one, so this leaves a wide margin.
pub const MAX_EVENTS_LIMIT: u64 = 1_000_000_000_000;
const _: () = assert!(MAX_EVENTS_LIMIT <= crate::sim::queue::MAX_SEQ / 16);

/// How to run (not what to simulate: that is the scenario).
#[derive(Clone, Debug, Default)]
pub struct RunOptions {
    /// Keep per-write, per-delivery and per-read records (`writes.csv`,
    /// `deliveries.csv`, `reads.csv`).
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
    let secs = s.duration_ns as f64 / 1e9;
    let others = s.regions.len().saturating_sub(1) as f64;
    s.workload
        .iter()
        .map(|w| {
            let ops = w.rate_per_s * secs * w.regions.len() as f64;
            ops * (1.0 + w.write_fraction * others)
        })
        .sum()
}

/// Every limit a run applies before it starts, with the messages `run`
/// gives: the event estimate against `max_events`, the memory estimate
/// against `MAX_MEMORY_BYTES` and the key count.
/// `validate` and `compare` call it too, so they refuse exactly what `run`
/// refuses.
pub fn check_limits(scenario: &Scenario, options: &RunOptions) -> Result<()> {
    let limit = options.max_events.unwrap_or(DEFAULT_MAX_EVENTS);
    let estimate = estimate_events(scenario);
    if estimate > limit as f64 {
        return Err(Error::new(format!(
            "{}: about {:.3e} events expected, more than the limit of {limit}; shorten the duration, lower the rates, or raise the limit with --max-events",
            scenario.name, estimate
        )));
    }
    let keys: u64 = scenario.tables.iter().map(|t| u64::from(t.keys)).sum();
    if keys >= u64::from(u32::MAX) {
        return Err(Error::new(format!(
            "tables: {keys} keys in all; at most {} are supported",
            u32::MAX - 1
        )));
    }
    let memory = estimate_memory_parts(scenario, options.trace);
    let bytes = memory.total();
    if bytes > MAX_MEMORY_BYTES {
        let gib = |b: u64| b as f64 / GIB;
        return Err(Error::new(format!(
            "{}: needs about {:.1} GiB of memory ({:.1} for {keys} keys in {} regions, {:.1} for {:.3e} writes in flight while links are down, {:.1} for the trace, {:.1} for {} time buckets), more than the {} GiB allowed; use fewer keys or regions, lower rates, shorter faults, no --trace or a wider output.bucket",
            scenario.name,
            gib(bytes),
            gib(memory.keys),
            scenario.regions.len(),
            gib(memory.in_flight),
            memory.writes_in_flight,
            gib(memory.trace),
            gib(memory.buckets),
            buckets(scenario),
            MAX_MEMORY_BYTES >> 30,
        )));
    }
    Ok(())
}

/// Run a scenario to completion. `progress` is called now and then with the
/// fraction of simulated time done (0.0 to 1.0); when it returns `false` the
/// run stops with an "interrupted" error (Ctrl-C).
pub fn run(
    scenario: &Scenario,
    options: &RunOptions,
    progress: &mut dyn FnMut(f64) -> bool,
) -> Result<RunOutput> {
    check_limits(scenario, options)?;
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
    let mut output = Kernel::new(scenario, options, &mode)?.run(mode, progress)?;
    spread_mode_buckets(&mut output.result);
    if let Some(trace) = &mut output.trace {
        beaten::fill(trace);
    }
    Ok(output)
}

/// Moves a mode's per-bucket counts (refused and forwarded writes) into
/// the time-series rows.
fn spread_mode_buckets(result: &mut RunResult) {
    let extras = &mut result.summary.mode_extras;
    let rejected = std::mem::take(&mut extras.bucket_rejected);
    let forwarded = std::mem::take(&mut extras.bucket_forwarded);
    for (row, n) in result.timeseries.iter_mut().zip(rejected) {
        row.rejected_writes = n;
    }
    for (row, n) in result.timeseries.iter_mut().zip(forwarded) {
        row.forwarded_writes = n;
    }
}

const GIB: f64 = (1u64 << 30) as f64;

/// Above this estimated footprint a run is refused up front, rather than
/// failing half-way when an allocation cannot be met.
pub const MAX_MEMORY_BYTES: u64 = 8 << 30;

/// The most time buckets a run can fill: its whole span, drain included.
fn buckets(s: &Scenario) -> u64 {
    s.duration_ns.saturating_add(s.drain_limit_ns) / s.bucket_ns.max(1) + 1
}

/// The parts of a run's estimated memory footprint, in bytes.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct MemoryEstimate {
    /// Per key a version node, a row of cells, its slot of writes not yet
    /// visible everywhere and, with `ordering: item`, its last arrival per
    /// stream.
    pub keys: u64,
    /// Writes queued on links that are down (or slower than the writes):
    /// each a version node, a message per stream it waits on, and its
    /// entry among the writes not yet visible everywhere.
    pub in_flight: u64,
    /// How many writes that is.
    pub writes_in_flight: f64,
    /// The per-write and per-delivery records of `--trace`, and their CSV text.
    pub trace: u64,
    /// Per time bucket a row and, per stream, its lag and backlog figures.
    pub buckets: u64,
}

impl MemoryEstimate {
    pub fn total(&self) -> u64 {
        self.keys
            .saturating_add(self.in_flight)
            .saturating_add(self.trace)
            .saturating_add(self.buckets)
    }
}

/// A version's links (16 bytes) and its record (32).
const VERSION_BYTES: u64 = 48;
/// A message in a replication stream (40 bytes) and its entry in the
/// event queue (32).
const MESSAGE_BYTES: u64 = 72;
/// Per key and stream, the last arrival of `ordering: item` (a table of
/// at most 2^25 entries; a map beyond, counted at the same size).
const ITEM_LAST_BYTES: u64 = 8;
/// A traced write: its record in memory (two names, ids, times, outcome)
/// and its `writes.csv` row.
const TRACE_WRITE_BYTES: f64 = 320.0;
/// A traced delivery: its record and its `deliveries.csv` row.
const TRACE_DELIVERY_BYTES: f64 = 128.0;
/// A traced read: its record (two names, ids, times) and its `reads.csv`
/// row.
const TRACE_READ_BYTES: f64 = 200.0;

/// What a run takes, in bytes (see `MemoryEstimate`), without `--trace`.
pub fn estimate_memory(s: &Scenario) -> u64 {
    estimate_memory_parts(s, false).total()
}

/// What a run takes, part by part. Writes in flight: the write rate times
/// the longest time a link or region stays down (a fault without an end
/// lasts the whole run, drain included), or the whole run for a stream
/// whose throughput is below its write rate; with a second of normal
/// replication delay as the floor.
pub fn estimate_memory_parts(s: &Scenario, trace: bool) -> MemoryEstimate {
    let n = s.regions.len() as u64;
    let keys: u64 = s.tables.iter().map(|t| u64::from(t.keys)).sum();
    let streams = n * n.saturating_sub(1);
    let item_last = match s.replication.ordering {
        Ordering::Item => streams * ITEM_LAST_BYTES,
        Ordering::Stream => 0,
    };
    let per_key = VERSION_BYTES
        + cells::Cells::bytes_per_key(n as usize) as u64
        + item_last
        + visibility::Visibility::bytes_per_key() as u64;
    let per_bucket = 96 + streams * 40;
    let span_s = s.duration_ns.saturating_add(s.drain_limit_ns) as f64 / 1e9;
    let secs = s.duration_ns as f64 / 1e9;
    let writes_per_s: f64 = s
        .workload
        .iter()
        .map(|w| w.rate_per_s * w.write_fraction * w.regions.len() as f64)
        .sum();
    let mut down_s: f64 = 1.0;
    for f in &s.faults {
        let down = matches!(
            f.kind,
            FaultKind::Partition { .. }
                | FaultKind::Isolate { .. }
                | FaultKind::Outage { .. }
                | FaultKind::PauseReplication { .. }
                | FaultKind::EndpointOutage {
                    replication: crate::scenario::EndpointReplication::Paused,
                    ..
                }
        );
        if down {
            let length = f.length_ns.map_or(span_s, |l| l as f64 / 1e9);
            down_s = down_s.max(length.min(span_s));
        }
    }
    if let Some(throughput) = s.replication.throughput_per_s {
        let regions = s.regions.len().max(1) as f64;
        if writes_per_s / regions > throughput {
            down_s = span_s;
        }
    }
    let writes_in_flight = (writes_per_s * down_s.min(span_s)).min(writes_per_s * secs + 1.0);
    let per_write = (VERSION_BYTES
        + MESSAGE_BYTES * n.saturating_sub(1)
        + visibility::Visibility::bytes_per_key() as u64) as f64;
    let trace_bytes = if trace {
        let writes = writes_per_s * secs;
        let deliveries = writes * n.saturating_sub(1) as f64;
        let reads: f64 = s
            .workload
            .iter()
            .map(|w| w.rate_per_s * (1.0 - w.write_fraction) * w.regions.len() as f64)
            .sum::<f64>()
            * secs;
        writes * TRACE_WRITE_BYTES + deliveries * TRACE_DELIVERY_BYTES + reads * TRACE_READ_BYTES
    } else {
        0.0
    };
    let clamp = |x: f64| {
        if x >= u64::MAX as f64 {
            u64::MAX
        } else {
            x as u64
        }
    };
    MemoryEstimate {
        keys: keys.saturating_mul(per_key),
        in_flight: clamp(writes_in_flight * per_write),
        writes_in_flight,
        trace: clamp(trace_bytes),
        buckets: buckets(s).saturating_mul(per_bucket),
    }
}
