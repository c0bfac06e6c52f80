//! The figures of one finished run, as the report layer reads them.
//!
//! Plain data with no behaviour beyond small helpers: `model` fills it in,
//! `report` turns it into CSV files, charts, HTML and terminal tables.
//! Field names follow the CSV columns of MODEL.md section 6.

/// Everything one run measured.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RunResult {
    pub summary: Summary,
    /// One per ordered region pair that carried replication traffic.
    pub links: Vec<LinkRow>,
    pub regions: Vec<RegionRow>,
    pub timeseries: Vec<BucketRow>,
    /// Per stream, per time bucket: what the lag and backlog charts draw.
    /// Same order as `links`; each has one entry per `timeseries` row.
    pub stream_series: Vec<StreamSeries>,
    /// Per stream, points of the lag distribution (CDF), same order as `links`.
    pub lag_cdf: Vec<Vec<CdfPoint>>,
    /// Every fault as a window on the time axis.
    pub faults: Vec<FaultWindow>,
    /// One per scheduled fault, in scenario order (`faults.csv`).
    pub fault_rows: Vec<FaultRow>,
    /// t-visibility per (writing region, reading region) pair
    /// (`visibility.csv`).
    pub visibility: Vec<VisibilityCurve>,
    /// Simulator counters (events processed); never written to the CSV files.
    pub events: u64,
}

/// One row of `summary.csv`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Summary {
    pub scenario: String,
    pub seed: u64,
    pub mode: String,
    pub timestamps: String,
    pub ordering: String,
    pub duration_s: f64,
    pub writes: u64,
    pub reads: u64,
    pub lost_writes: u64,
    pub lost_write_rate: f64,
    pub conflicts: u64,
    pub causal_inversions: u64,
    pub increments: u64,
    pub lost_increments: u64,
    pub stale_reads: u64,
    pub stale_read_rate: f64,
    pub lag_p50_ms: f64,
    pub lag_p99_ms: f64,
    pub lag_max_ms: f64,
    pub converged: bool,
    pub convergence_ms: f64,
    // Beyond the contract columns.
    /// Operations whose region was down with `clients: fail`.
    pub failed_writes: u64,
    pub failed_reads: u64,
    /// Operations served by another region during an outage.
    pub rerouted_ops: u64,
    pub staleness_p50_ms: f64,
    pub staleness_p99_ms: f64,
    pub max_backlog: u64,
    /// Sum of final counter values over all counter keys.
    pub counter_total: u64,
    /// Writes still in flight when the drain limit stopped the run.
    pub undelivered: u64,
    /// Writes lost because at the end only regions in an outage held them.
    pub stranded_writes: u64,
    /// The smallest censored lag of any stream, if any: a lag percentile at
    /// or above it is only a lower bound.
    pub lag_censored_from_ms: Option<f64>,
    /// Mode extras (zero where the mode does not have them).
    pub mode_extras: ModeExtras,
}

/// The figures only single-primary and strong mode produce.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ModeExtras {
    pub rejected_writes: u64,
    pub forwarded_writes: u64,
    pub write_latency_p50_ms: f64,
    pub write_latency_p99_ms: f64,
    pub failover_ms: f64,
    pub rpo_lost_writes: u64,
    pub rpo_window_ms: f64,
    pub write_conflict_errors: u64,
    pub unavailable_writes: u64,
    /// Single primary: secondaries promoted after the primary's outage was
    /// detected (each a failover, with its RPO loss).
    pub failovers: u64,
    /// Single primary: planned switchovers completed (nothing lost).
    pub switchovers: u64,
    /// The mode's own steps (a failure detected, a promotion, a switchover
    /// begun), in time order, for the charts' fault lane.
    pub steps: Vec<ModeStep>,
    /// Per time bucket, by issue time: writes the mode refused and writes
    /// it forwarded to a primary. `model::run_mode` moves them into the
    /// `timeseries` rows, so they are empty in a finished result.
    pub bucket_rejected: Vec<u64>,
    pub bucket_forwarded: Vec<u64>,
}

/// A step a mode took on its own (not a scheduled fault).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ModeStep {
    pub at_s: f64,
    /// `detect` (a primary's failure noticed), `promote` (a secondary made
    /// primary after a failure), `switchover_start`, `switchover_done`.
    pub kind: &'static str,
    /// A short human label: `eu-west-1 promoted`.
    pub label: String,
}

/// One row of `links.csv`: one replication stream.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LinkRow {
    pub from: String,
    pub to: String,
    pub deliveries: u64,
    pub lag_p50_ms: f64,
    pub lag_p90_ms: f64,
    pub lag_p99_ms: f64,
    pub lag_max_ms: f64,
    pub max_backlog: u64,
    /// Writes that never arrived: their lag counts as censored at the
    /// run's end minus their issue.
    pub undelivered: u64,
    /// The smallest censored lag, if any: a percentile at or above it is
    /// only a lower bound.
    pub censored_from_ms: Option<f64>,
    /// The largest age of the oldest write not yet applied, at any bucket end.
    pub oldest_unreplicated_max_ms: f64,
}

/// One row of `regions.csv`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RegionRow {
    pub region: String,
    pub writes: u64,
    pub reads: u64,
    pub lost_writes: u64,
    pub stale_reads: u64,
    pub failed_ops: u64,
    pub write_latency_p50_ms: f64,
    pub write_latency_p99_ms: f64,
}

/// One row of `timeseries.csv`: one time bucket.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct BucketRow {
    pub t_start_s: f64,
    pub t_end_s: f64,
    /// Writes issued in the bucket.
    pub writes: u64,
    /// Lost writes, by the bucket of their issue time.
    pub lost_writes: u64,
    pub conflicts: u64,
    pub reads: u64,
    pub stale_reads: u64,
    /// Lag of the deliveries that arrived in the bucket.
    pub lag_p50_ms: f64,
    pub lag_p99_ms: f64,
    pub lag_max_ms: f64,
    /// Messages queued on all streams at the bucket's end.
    pub backlog: u64,
    /// The age, at the bucket's end, of the oldest write not yet applied at
    /// one of its destinations (0 when none is in flight).
    pub oldest_unreplicated_ms: f64,
    /// Faults active at any time in the bucket.
    pub faults_active: u32,
    /// Deliveries that arrived in the bucket: with none, the lag columns
    /// of `timeseries.csv` are blank.
    pub deliveries: u64,
    /// Writes refused because their region was down (`clients: fail`),
    /// by issue time.
    pub failed_writes: u64,
    /// Writes acknowledged in the bucket whose wait a mode measured
    /// (single primary, strong), and the percentiles of that wait.
    pub acknowledged: u64,
    pub write_latency_p50_ms: f64,
    pub write_latency_p99_ms: f64,
    /// Writes the mode refused (single primary: a secondary without
    /// forwarding, or no writable primary), by issue time.
    pub rejected_writes: u64,
    /// Writes a secondary forwarded and the primary applied, by issue time.
    pub forwarded_writes: u64,
}

/// One stream's lag and backlog per time bucket.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct StreamSeries {
    pub from: String,
    pub to: String,
    /// `None` where nothing arrived in the bucket.
    pub lag_p50_ms: Vec<Option<f64>>,
    pub lag_p99_ms: Vec<Option<f64>>,
    /// Messages queued on the stream at each bucket's end.
    pub backlog: Vec<u64>,
}

/// A point of a cumulative distribution: `fraction` of values are ≤ `value_ms`.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct CdfPoint {
    pub value_ms: f64,
    pub fraction: f64,
}

/// A fault as drawn on a time axis.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FaultWindow {
    /// `partition`, `isolate`, `outage`, `clock_step`, `switchover`.
    pub kind: String,
    /// A short human label: `partition us-east-1 ↔ eu-west-1`.
    pub label: String,
    pub start_s: f64,
    /// `None` for a fault that never ends; equal to start for instant ones.
    pub end_s: Option<f64>,
}

/// One row of `faults.csv`: one scheduled fault. Window figures count
/// operations issued in `[start, end)` in every region (`None` for an
/// instant fault: a clock step or switchover). `None` elsewhere means the
/// figure does not apply: no end to measure from, or no stream touched.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FaultRow {
    /// 1 for the first fault of the scenario's list.
    pub fault: u64,
    /// `partition`, `isolate`, `outage`, `clock_step`, `switchover`.
    pub kind: String,
    /// What it acts on: a region, or its links (`a <-> b`, `a -> b`).
    pub target: String,
    /// The same short label the charts use.
    pub label: String,
    pub start_s: f64,
    /// `None` for a fault that never ends.
    pub end_s: Option<f64>,
    pub writes: Option<u64>,
    pub lost_writes: Option<u64>,
    pub stale_reads: Option<u64>,
    /// The largest backlog of any stream it touched, from its start until
    /// that stream emptied after its end.
    pub max_backlog: Option<u64>,
    /// From its end until every write issued before then had arrived
    /// everywhere it was bound for.
    pub catch_up_ms: Option<f64>,
    /// From its end until every stream it touched had first emptied.
    pub drain_ms: Option<f64>,
    /// The run stopped first: `catch_up_ms` is a lower bound (run end
    /// minus fault end).
    pub catch_up_censored: bool,
    /// The run stopped first: `drain_ms` is a lower bound.
    pub drain_censored: bool,
}

/// Per-write and per-delivery records, kept only with `--trace`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Trace {
    /// In write id order.
    pub writes: Vec<WriteTrace>,
    /// In arrival order.
    pub deliveries: Vec<DeliveryTrace>,
    /// In the order they were served.
    pub reads: Vec<ReadTrace>,
}

/// One row of `writes.csv`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct WriteTrace {
    pub write_id: u64,
    pub table: String,
    pub key: u64,
    pub region: String,
    /// `put` or `increment`.
    pub kind: &'static str,
    pub issue_ns: u64,
    /// When the database applied it and began replicating it: the issue
    /// time, or later for a write forwarded to a primary or one that
    /// waited for the item (strong). Not a column of `writes.csv`.
    pub applied_ns: u64,
    /// The last-writer-wins timestamp (may be negative under clock skew).
    pub timestamp_ns: i64,
    pub parent_id: u64,
    /// `survived` or `lost` (or the mode's own outcomes: `rejected`, ...).
    pub outcome: &'static str,
    /// Why, in a word: `overwritten`, `causal_inversion`, `rpo`, ... (empty when survived).
    pub cause: &'static str,
    /// For a lost write, the write that overwrote it or won against it
    /// (see `model::beaten`); 0 for none.
    pub beaten_by: u64,
    /// For an increment, the counter's value it wrote (its parent's plus
    /// one); `None` for a put.
    pub value: Option<u64>,
    /// Whether the region that wrote it installed it at once (false: a
    /// causal inversion). Not a column of `writes.csv`.
    pub installed: bool,
    /// The write whose version that region held when this one was
    /// written (what it replaced, or lost against). Not a column.
    pub held_id: u64,
}

/// One row of `deliveries.csv`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct DeliveryTrace {
    pub write_id: u64,
    pub to: String,
    pub arrive_ns: u64,
    /// Whether the receiving region installed the version.
    pub applied: bool,
    /// The write whose version the region held when this one arrived
    /// (what it replaced, or was rejected against). Not a column of
    /// `deliveries.csv`.
    pub held_id: u64,
}

/// One row of `reads.csv`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ReadTrace {
    /// Reads are numbered from 1 in the order they were served.
    pub read_id: u64,
    pub table: String,
    pub key: u64,
    pub region: String,
    pub at_ns: u64,
    /// The write whose version the read returned (0: the initial version).
    pub returned_id: u64,
    pub stale: bool,
    /// For a stale read, how long before it the earliest write that beats
    /// the returned version was issued.
    pub staleness_ns: Option<u64>,
}

/// t-visibility of one pair: the chance that a read at `to`, a delay
/// after a write by a client at `from` was issued, returns that write or a
/// version that beats it (`visibility.csv`).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct VisibilityCurve {
    pub from: String,
    pub to: String,
    /// Writes issued by `from`'s clients (the denominator).
    pub writes: u64,
    /// On a grid of delays from 0 up to the longest delay seen, in
    /// increasing order.
    pub points: Vec<VisibilityPoint>,
}

/// One point of a t-visibility curve.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct VisibilityPoint {
    /// The delay after the write's issue, milliseconds.
    pub after_ms: f64,
    /// The fraction of writes visible (or beaten) by then.
    pub p_visible: f64,
}
