//! The validated, typed scenario the engine runs.
//!
//! Everything here has been checked: names are resolved to indices, defaults
//! are applied, durations are integer nanoseconds. The engine never sees the
//! raw YAML structures; those live in `raw.rs` and are turned into these
//! types by `validate.rs`.

use crate::sim::time::{Nanos, Time};

/// Index of a region in `Scenario::regions`.
pub type RegionId = usize;
/// Index of a table in `Scenario::tables`.
pub type TableId = usize;

/// A complete, valid scenario.
#[derive(Clone, Debug, PartialEq)]
pub struct Scenario {
    pub name: String,
    pub description: String,
    pub seed: u64,
    /// How long clients send operations.
    pub duration_ns: Nanos,
    /// How long replication may run on after the workload ends.
    pub drain_limit_ns: Nanos,
    pub regions: Vec<Region>,
    /// One-way transit latency of every ordered pair, `links[from][to]`.
    /// The diagonal holds a zero constant and is never used.
    pub links: Vec<Vec<Latency>>,
    /// The time scale over which each link's transit varies
    /// (`varies_over`), `link_varies_over_ns[from][to]`; `None`, or a
    /// matrix left empty, takes the default of the run's ordering.
    pub link_varies_over_ns: Vec<Vec<Option<Nanos>>>,
    pub replication: Replication,
    pub tables: Vec<Table>,
    pub workload: Vec<WorkloadEntry>,
    /// Operations placed by hand (`script:`), in time order; for teaching
    /// ("write by write") and for hand-worked tests.
    pub script: Vec<ScriptedOp>,
    pub faults: Vec<Fault>,
    /// Width of one row of `timeseries.csv`.
    pub bucket_ns: Nanos,
    /// Figures a run must meet (for CI); a failed one makes `run` exit 1.
    pub expect: Vec<Expectation>,
}

impl Scenario {
    /// The names of all regions, in scenario order.
    pub fn region_names(&self) -> Vec<&str> {
        self.regions.iter().map(|r| r.name.as_str()).collect()
    }

    /// The `varies_over` given for the link `from` -> `to`, if any.
    pub fn link_varies_over(&self, from: RegionId, to: RegionId) -> Option<Nanos> {
        self.link_varies_over_ns
            .get(from)
            .and_then(|row| row.get(to))
            .copied()
            .flatten()
    }

    /// When the last fault that ends has ended, or `None` if some fault never ends.
    pub fn last_fault_end(&self) -> Option<Time> {
        let mut last = Time::ZERO;
        for f in &self.faults {
            match f.end() {
                Some(end) => last = last.max(end),
                None => return None,
            }
        }
        Some(last)
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Region {
    pub name: String,
    pub clock: Clock,
}

/// A region's clock: reads `t + offset + drift_ppm·1e-6·t + steps so far`.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Clock {
    pub offset_ns: i64,
    pub drift_ppm: f64,
}

pub use crate::sim::dist::Latency;

#[derive(Clone, Debug, PartialEq)]
pub struct Replication {
    pub mode: Mode,
    pub timestamps: Timestamps,
    /// Which earlier messages a message on a stream waits for.
    pub ordering: Ordering,
    /// Change capture and shipping delay at the origin, drawn once per write.
    pub pipeline: Latency,
    /// The time scale over which the pipeline delay varies (`varies_over`);
    /// `None` takes the default of the run's ordering.
    pub pipeline_varies_over_ns: Option<Nanos>,
    /// Optional service rate of every stream, messages per second.
    pub throughput_per_s: Option<f64>,
}

/// The default `varies_over` of a delay under stream order: 5 s.
pub const DEFAULT_STREAM_VARIES_OVER_NS: Nanos = 5_000_000_000;

/// What a replication stream keeps in order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ordering {
    /// A write to an item never arrives before an earlier write to the
    /// same item on the same stream; items are independent (DynamoDB).
    Item,
    /// The whole stream is FIFO (a shipped log, as Aurora's).
    Stream,
}

impl Ordering {
    /// The name as written in YAML and in `summary.csv`.
    pub fn name(&self) -> &'static str {
        match self {
            Ordering::Item => "item",
            Ordering::Stream => "stream",
        }
    }

    /// The time scale of a delay's drift when the scenario gives none:
    /// independent draws under item order; under stream order a slowly
    /// varying delay, since every message waits for the slowest ahead of it.
    pub fn default_varies_over_ns(self) -> Nanos {
        match self {
            Ordering::Item => 0,
            Ordering::Stream => DEFAULT_STREAM_VARIES_OVER_NS,
        }
    }

    /// The default of a mode: a log is shipped in order; items otherwise.
    pub fn default_for(mode: &Mode) -> Ordering {
        match mode {
            Mode::SinglePrimary(_) => Ordering::Stream,
            _ => Ordering::Item,
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum Mode {
    ActiveActive,
    SinglePrimary(SinglePrimary),
    Strong(Strong),
}

impl Mode {
    /// Every mode's name, in the usual order.
    pub const NAMES: [&'static str; 3] = ["active_active", "single_primary", "strong"];

    /// The name as written in YAML and in `summary.csv`.
    pub fn name(&self) -> &'static str {
        match self {
            Mode::ActiveActive => "active_active",
            Mode::SinglePrimary(_) => "single_primary",
            Mode::Strong(_) => "strong",
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct SinglePrimary {
    pub primary: RegionId,
    pub secondary_writes: SecondaryWrites,
    pub failover: Failover,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SecondaryWrites {
    Reject,
    Forward,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Failover {
    /// An outage of the primary is noticed after this long.
    pub detect_ns: Nanos,
    /// Then a secondary takes over after this long.
    pub promote_ns: Nanos,
    pub target: FailoverTarget,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FailoverTarget {
    LeastLag,
    Region(RegionId),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Strong {
    /// A region that stores and votes but serves no clients.
    pub witness: Option<RegionId>,
}

/// How a write gets its last-writer-wins timestamp.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Timestamps {
    /// The origin region's clock reading.
    Wall,
    /// A hybrid logical clock: never backwards, above all seen.
    Hlc,
    /// Perfect clocks: true time.
    TrueTime,
}

impl Timestamps {
    pub fn name(self) -> &'static str {
        match self {
            Timestamps::Wall => "wall",
            Timestamps::Hlc => "hlc",
            Timestamps::TrueTime => "true_time",
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Table {
    pub name: String,
    pub kind: TableKind,
    pub keys: u32,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TableKind {
    /// Writes are blind puts.
    Item,
    /// Writes are increments: read the local value, write value + 1.
    Counter,
}

impl TableKind {
    pub fn name(self) -> &'static str {
        match self {
            TableKind::Item => "item",
            TableKind::Counter => "counter",
        }
    }
}

/// One workload entry: clients in some regions sending to one table.
#[derive(Clone, Debug, PartialEq)]
pub struct WorkloadEntry {
    pub regions: Vec<RegionId>,
    pub table: TableId,
    /// Operations per second, per listed region.
    pub rate_per_s: f64,
    pub arrival: Arrival,
    /// Fraction of operations that are writes; the rest are reads.
    pub write_fraction: f64,
    pub access: Access,
    /// Probability that a client picks a key homed in its own region.
    pub home_affinity: f64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Arrival {
    Poisson,
    Constant,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Access {
    Uniform,
    Zipf(f64),
    /// A fraction `keys` of the keys receives a share `share` of operations.
    Hotspot {
        keys: f64,
        share: f64,
    },
}

/// One operation of the `script:` section.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ScriptedOp {
    pub at: Time,
    pub region: RegionId,
    pub table: TableId,
    pub key: u32,
    pub is_write: bool,
}

/// What a region outage does to its clients.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OutageClients {
    Fail,
    Reroute,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Fault {
    pub kind: FaultKind,
    pub at: Time,
    /// `None`: the fault never ends (or has no length, for a clock step).
    pub length_ns: Option<Nanos>,
}

impl Fault {
    /// When the fault ends; a clock step ends when it happens.
    pub fn end(&self) -> Option<Time> {
        match self.kind {
            FaultKind::ClockStep { .. } | FaultKind::Switchover { .. } => Some(self.at),
            _ => self.length_ns.map(|l| self.at.after(l)),
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum FaultKind {
    /// The listed one-way links are down (`between` gives both directions).
    Partition { links: Vec<(RegionId, RegionId)> },
    /// Every link to and from the region is down; its clients keep working.
    Isolate { region: RegionId },
    /// The region stops: no clients, sends and receives nothing.
    Outage {
        region: RegionId,
        clients: OutageClients,
    },
    /// The region's clock jumps by `by_ns` (may be negative).
    ClockStep { region: RegionId, by_ns: i64 },
    /// Planned change of primary (single-primary mode).
    Switchover { to: RegionId },
    /// Replication to and from the region stops (AWS FIS
    /// `aws:dynamodb:global-table-pause-replication`); clients everywhere
    /// keep being served, and the backlog drains when it ends.
    PauseReplication { region: RegionId },
    /// Messages sent on the listed one-way links during the window take
    /// longer: their delay (pipeline plus transit) grows by `by`.
    /// `region` is set when the fault named a region (every link to and
    /// from it).
    Slowdown {
        links: Vec<(RegionId, RegionId)>,
        region: Option<RegionId>,
        by: Slowing,
    },
    /// The region's clients cannot reach it (they fail or go to the
    /// nearest reachable region) while its replica keeps running and
    /// replicating, or with its replication paused too.
    EndpointOutage {
        region: RegionId,
        clients: OutageClients,
        replication: EndpointReplication,
    },
}

/// How much a slowdown adds to a message's replication delay.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Slowing {
    /// A fixed addition, in nanoseconds.
    Add(Nanos),
    /// The delay times this factor (more than 1).
    Factor(f64),
}

/// What an endpoint outage does to the region's replication.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EndpointReplication {
    /// Replication to and from the region goes on.
    Continue,
    /// Replication to and from the region stops too, as in
    /// `pause_replication`.
    Paused,
}

impl EndpointReplication {
    pub fn name(self) -> &'static str {
        match self {
            EndpointReplication::Continue => "continue",
            EndpointReplication::Paused => "paused",
        }
    }
}

impl OutageClients {
    pub fn name(self) -> &'static str {
        match self {
            OutageClients::Fail => "fail",
            OutageClients::Reroute => "reroute",
        }
    }
}

impl FaultKind {
    /// The region whose clients the fault turns away, and what they do:
    /// an outage's or an endpoint outage's.
    pub fn clients_blocked(&self) -> Option<(RegionId, OutageClients)> {
        match self {
            FaultKind::Outage { region, clients }
            | FaultKind::EndpointOutage {
                region, clients, ..
            } => Some((*region, *clients)),
            _ => None,
        }
    }

    pub fn name(&self) -> &'static str {
        match self {
            FaultKind::Partition { .. } => "partition",
            FaultKind::Isolate { .. } => "isolate",
            FaultKind::Outage { .. } => "outage",
            FaultKind::ClockStep { .. } => "clock_step",
            FaultKind::Switchover { .. } => "switchover",
            FaultKind::PauseReplication { .. } => "pause_replication",
            FaultKind::Slowdown { .. } => "slowdown",
            FaultKind::EndpointOutage { .. } => "endpoint_outage",
        }
    }
}

/// A figure a run must meet, from the scenario's `expect:` section.
#[derive(Clone, Debug, PartialEq)]
pub struct Expectation {
    /// The figure's name as written: `lost_writes`,
    /// `regions.eu-west-1.lost_writes`, `links.us-east-1>eu-west-1.lag_p99_ms`,
    /// `faults.1.lost_writes`.
    pub metric: String,
    /// Where the figure is read.
    pub target: Target,
    /// `Some` for an entry under a mode's name (`strong: { ... }`): it
    /// applies only to runs in that mode. `None` applies to every run.
    pub mode: Option<String>,
    pub op: CompareOp,
    pub value: f64,
}

/// The result row an expectation reads its figure from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    /// A `summary.csv` column.
    Summary { figure: String },
    /// A `regions.csv` column of one region.
    Region { region: String, figure: String },
    /// A `links.csv` column of one replication stream.
    Link {
        from: String,
        to: String,
        figure: String,
    },
    /// A `faults.csv` column of one scheduled fault, numbered from 1.
    Fault { fault: u64, figure: String },
}

impl Target {
    /// The figure's column name.
    pub fn figure(&self) -> &str {
        match self {
            Target::Summary { figure }
            | Target::Region { figure, .. }
            | Target::Link { figure, .. }
            | Target::Fault { figure, .. } => figure,
        }
    }
}

impl Expectation {
    /// The condition as written: `< 0.01`.
    pub fn condition(&self) -> String {
        format!("{} {}", self.op.symbol(), self.value)
    }

    /// The name with its mode, if any: `strong.lost_writes`.
    pub fn full_name(&self) -> String {
        match &self.mode {
            Some(m) => format!("{m}.{}", self.metric),
            None => self.metric.clone(),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CompareOp {
    Lt,
    Le,
    Gt,
    Ge,
    Eq,
}

impl CompareOp {
    pub fn symbol(self) -> &'static str {
        match self {
            CompareOp::Lt => "<",
            CompareOp::Le => "<=",
            CompareOp::Gt => ">",
            CompareOp::Ge => ">=",
            CompareOp::Eq => "==",
        }
    }

    pub fn holds(self, actual: f64, bound: f64) -> bool {
        match self {
            CompareOp::Lt => actual < bound,
            CompareOp::Le => actual <= bound,
            CompareOp::Gt => actual > bound,
            CompareOp::Ge => actual >= bound,
            CompareOp::Eq => actual == bound,
        }
    }
}
