//! The nameable figures of a run, declared once.
//!
//! One table per result file (`summary.csv`, `regions.csv`, `links.csv`):
//! each entry is a figure's name (its CSV column), how to read it from a
//! result row, the kind of number it is (which decides its CSV format and
//! how it is shown to people), the modes that produce it, and which way is
//! better. The CSV writer writes these columns in this order; `expect:`
//! accepts these names; `compare.csv` and the compare table take their
//! figures from here; baselines compare these figures. The column order is
//! the contract of MODEL.md section 6: the contract columns first.

use super::result::{FaultRow, LinkRow, RegionRow, Summary};

/// A figure's value before formatting; the variant is the kind of number.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Text(String),
    Count(u64),
    /// An exact time in milliseconds (a maximum, a convergence time).
    Ms(f64),
    /// A time in milliseconds read from a histogram: a percentile, good to
    /// about three significant digits (`report::format` says how shown).
    Quantile(f64),
    /// A time in seconds.
    Secs(f64),
    /// A fraction from 0 to 1.
    Rate(f64),
    Bool(bool),
    /// An exact time in integer nanoseconds (the trace files).
    Nanos(i128),
    /// No value: the figure does not apply.
    Empty,
}

impl Value {
    /// The value as a number, for expectations and baselines; `None` for
    /// text and for no value. Booleans read as 1 and 0, nanoseconds as
    /// milliseconds, a percentile at the digits its histogram resolved (the
    /// value the CSV shows).
    pub fn number(&self) -> Option<f64> {
        match self {
            Value::Text(_) | Value::Empty => None,
            Value::Count(n) => Some(*n as f64),
            Value::Ms(v) | Value::Secs(v) | Value::Rate(v) => Some(*v),
            Value::Quantile(v) => Some(super::hist::resolved(*v)),
            Value::Nanos(ns) => Some(*ns as f64 / 1e6),
            Value::Bool(b) => Some(if *b { 1.0 } else { 0.0 }),
        }
    }
}

/// Which way a figure should move.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Better {
    Lower,
    Higher,
    /// Neither way is better (a count of operations, a setting).
    Neither,
}

/// One nameable figure of a result row of type `T`.
pub struct Figure<T> {
    /// The CSV column and the name `expect:` accepts.
    pub name: &'static str,
    /// A few words for people (the compare table, Markdown summaries).
    pub label: &'static str,
    pub get: fn(&T) -> Value,
    /// The modes that produce it; empty for every mode. Under another mode
    /// the column is written as 0.
    pub modes: &'static [&'static str],
    pub better: Better,
    /// Any value away from its good end (0, or `true` for a boolean where
    /// higher is better) is a cost worth the eye: shaded in reports.
    pub cost: bool,
}

impl<T> Figure<T> {
    /// Whether `mode` produces this figure.
    pub fn in_mode(&self, mode: &str) -> bool {
        self.modes.is_empty() || self.modes.contains(&mode)
    }
}

const ALL: &[&str] = &[];
const SINGLE_PRIMARY: &[&str] = &["single_primary"];
const STRONG: &[&str] = &["strong"];

const fn fig<T>(
    name: &'static str,
    label: &'static str,
    get: fn(&T) -> Value,
    better: Better,
    cost: bool,
) -> Figure<T> {
    Figure {
        name,
        label,
        get,
        modes: ALL,
        better,
        cost,
    }
}

const fn only<T>(modes: &'static [&'static str], f: Figure<T>) -> Figure<T> {
    Figure { modes, ..f }
}

use Better::{Higher, Lower, Neither};

/// `summary.csv`: the contract columns, then the extras, then the figures
/// only some modes produce.
pub const SUMMARY: &[Figure<Summary>] = &[
    fig(
        "scenario",
        "scenario",
        |s| Value::Text(s.scenario.clone()),
        Neither,
        false,
    ),
    fig("seed", "seed", |s| Value::Count(s.seed), Neither, false),
    fig(
        "mode",
        "mode",
        |s| Value::Text(s.mode.clone()),
        Neither,
        false,
    ),
    fig(
        "timestamps",
        "timestamps",
        |s| Value::Text(s.timestamps.clone()),
        Neither,
        false,
    ),
    fig(
        "ordering",
        "ordering",
        |s| Value::Text(s.ordering.clone()),
        Neither,
        false,
    ),
    fig(
        "duration_s",
        "duration",
        |s| Value::Secs(s.duration_s),
        Neither,
        false,
    ),
    fig(
        "writes",
        "writes accepted",
        |s| Value::Count(s.writes),
        Neither,
        false,
    ),
    fig("reads", "reads", |s| Value::Count(s.reads), Neither, false),
    fig(
        "lost_writes",
        "lost writes",
        |s| Value::Count(s.lost_writes),
        Lower,
        true,
    ),
    fig(
        "lost_write_rate",
        "lost write rate",
        |s| Value::Rate(s.lost_write_rate),
        Lower,
        true,
    ),
    fig(
        "conflicts",
        "conflicts",
        |s| Value::Count(s.conflicts),
        Lower,
        true,
    ),
    fig(
        "causal_inversions",
        "causal inversions",
        |s| Value::Count(s.causal_inversions),
        Lower,
        true,
    ),
    fig(
        "stranded_writes",
        "stranded writes",
        |s| Value::Count(s.stranded_writes),
        Lower,
        true,
    ),
    fig(
        "increments",
        "increments",
        |s| Value::Count(s.increments),
        Neither,
        false,
    ),
    fig(
        "lost_increments",
        "lost increments",
        |s| Value::Count(s.lost_increments),
        Lower,
        true,
    ),
    fig(
        "stale_reads",
        "stale reads",
        |s| Value::Count(s.stale_reads),
        Lower,
        true,
    ),
    fig(
        "stale_read_rate",
        "stale read rate",
        |s| Value::Rate(s.stale_read_rate),
        Lower,
        true,
    ),
    fig(
        "lag_p50_ms",
        "replication lag p50",
        |s| Value::Quantile(s.lag_p50_ms),
        Lower,
        false,
    ),
    fig(
        "lag_p99_ms",
        "replication lag p99",
        |s| Value::Quantile(s.lag_p99_ms),
        Lower,
        false,
    ),
    fig(
        "lag_max_ms",
        "replication lag max",
        |s| Value::Ms(s.lag_max_ms),
        Lower,
        false,
    ),
    fig(
        "undelivered",
        "undelivered writes",
        |s| Value::Count(s.undelivered),
        Lower,
        true,
    ),
    fig(
        "converged",
        "converged",
        |s| Value::Bool(s.converged),
        Higher,
        true,
    ),
    fig(
        "convergence_ms",
        "convergence",
        |s| Value::Ms(s.convergence_ms),
        Lower,
        false,
    ),
    // Beyond the contract.
    fig(
        "failed_writes",
        "failed writes (region down)",
        |s| Value::Count(s.failed_writes),
        Lower,
        true,
    ),
    fig(
        "failed_reads",
        "failed reads (region down)",
        |s| Value::Count(s.failed_reads),
        Lower,
        true,
    ),
    fig(
        "rerouted_ops",
        "rerouted operations",
        |s| Value::Count(s.rerouted_ops),
        Neither,
        false,
    ),
    fig(
        "staleness_p50_ms",
        "staleness p50",
        |s| Value::Quantile(s.staleness_p50_ms),
        Lower,
        false,
    ),
    fig(
        "staleness_p99_ms",
        "staleness p99",
        |s| Value::Quantile(s.staleness_p99_ms),
        Lower,
        false,
    ),
    fig(
        "max_backlog",
        "max backlog",
        |s| Value::Count(s.max_backlog),
        Lower,
        false,
    ),
    fig(
        "counter_total",
        "counter total",
        |s| Value::Count(s.counter_total),
        Neither,
        false,
    ),
    // The mode figures.
    only(
        SINGLE_PRIMARY,
        fig(
            "rejected_writes",
            "rejected writes",
            |s| Value::Count(s.mode_extras.rejected_writes),
            Lower,
            true,
        ),
    ),
    only(
        SINGLE_PRIMARY,
        fig(
            "forwarded_writes",
            "forwarded writes",
            |s| Value::Count(s.mode_extras.forwarded_writes),
            Neither,
            false,
        ),
    ),
    fig(
        "write_latency_p50_ms",
        "write latency p50",
        |s| Value::Quantile(s.mode_extras.write_latency_p50_ms),
        Lower,
        false,
    ),
    fig(
        "write_latency_p99_ms",
        "write latency p99",
        |s| Value::Quantile(s.mode_extras.write_latency_p99_ms),
        Lower,
        false,
    ),
    only(
        SINGLE_PRIMARY,
        fig(
            "failover_ms",
            "write downtime",
            |s| Value::Ms(s.mode_extras.failover_ms),
            Lower,
            true,
        ),
    ),
    only(
        SINGLE_PRIMARY,
        fig(
            "rpo_lost_writes",
            "failover: RPO lost",
            |s| Value::Count(s.mode_extras.rpo_lost_writes),
            Lower,
            true,
        ),
    ),
    only(
        SINGLE_PRIMARY,
        fig(
            "rpo_window_ms",
            "RPO window",
            |s| Value::Ms(s.mode_extras.rpo_window_ms),
            Lower,
            false,
        ),
    ),
    only(
        STRONG,
        fig(
            "write_conflict_errors",
            "write conflict errors",
            |s| Value::Count(s.mode_extras.write_conflict_errors),
            Lower,
            true,
        ),
    ),
    only(
        STRONG,
        fig(
            "unavailable_writes",
            "unavailable writes",
            |s| Value::Count(s.mode_extras.unavailable_writes),
            Lower,
            true,
        ),
    ),
];

/// `regions.csv`: one row per region, the region's name first.
pub const REGIONS: &[Figure<RegionRow>] = &[
    fig(
        "region",
        "region",
        |r| Value::Text(r.region.clone()),
        Neither,
        false,
    ),
    fig(
        "writes",
        "writes accepted",
        |r| Value::Count(r.writes),
        Neither,
        false,
    ),
    fig("reads", "reads", |r| Value::Count(r.reads), Neither, false),
    fig(
        "lost_writes",
        "lost writes",
        |r| Value::Count(r.lost_writes),
        Lower,
        true,
    ),
    fig(
        "stale_reads",
        "stale reads",
        |r| Value::Count(r.stale_reads),
        Lower,
        true,
    ),
    // Beyond the contract.
    fig(
        "failed_ops",
        "failed operations (region down)",
        |r| Value::Count(r.failed_ops),
        Lower,
        true,
    ),
    fig(
        "write_latency_p50_ms",
        "write latency p50",
        |r| Value::Quantile(r.write_latency_p50_ms),
        Lower,
        false,
    ),
    fig(
        "write_latency_p99_ms",
        "write latency p99",
        |r| Value::Quantile(r.write_latency_p99_ms),
        Lower,
        false,
    ),
];

/// `links.csv`: one row per replication stream, its two ends first.
pub const LINKS: &[Figure<LinkRow>] = &[
    fig(
        "from",
        "from",
        |l| Value::Text(l.from.clone()),
        Neither,
        false,
    ),
    fig("to", "to", |l| Value::Text(l.to.clone()), Neither, false),
    fig(
        "deliveries",
        "deliveries",
        |l| Value::Count(l.deliveries),
        Neither,
        false,
    ),
    fig(
        "lag_p50_ms",
        "lag p50",
        |l| Value::Quantile(l.lag_p50_ms),
        Lower,
        false,
    ),
    fig(
        "lag_p90_ms",
        "lag p90",
        |l| Value::Quantile(l.lag_p90_ms),
        Lower,
        false,
    ),
    fig(
        "lag_p99_ms",
        "lag p99",
        |l| Value::Quantile(l.lag_p99_ms),
        Lower,
        false,
    ),
    fig(
        "lag_max_ms",
        "lag max",
        |l| Value::Ms(l.lag_max_ms),
        Lower,
        false,
    ),
    fig(
        "max_backlog",
        "max backlog",
        |l| Value::Count(l.max_backlog),
        Lower,
        false,
    ),
    // Beyond the contract.
    fig(
        "undelivered",
        "undelivered writes",
        |l| Value::Count(l.undelivered),
        Lower,
        true,
    ),
    fig(
        "oldest_unreplicated_max_ms",
        "oldest unreplicated write",
        |l| Value::Ms(l.oldest_unreplicated_max_ms),
        Lower,
        false,
    ),
];

/// A figure of a row where some figures may not apply: `faults.csv`, whose
/// window figures an instant fault lacks and whose times after the end a
/// fault that never ends lacks (`None`: an empty cell).
pub struct OptionalFigure<T> {
    /// The CSV column and the name `expect:` accepts.
    pub name: &'static str,
    pub label: &'static str,
    pub get: fn(&T) -> Option<Value>,
    pub better: Better,
    /// Only for a fault with a window (not a clock step or switchover).
    pub windowed: bool,
}

const fn opt<T>(
    name: &'static str,
    label: &'static str,
    get: fn(&T) -> Option<Value>,
    better: Better,
    windowed: bool,
) -> OptionalFigure<T> {
    OptionalFigure {
        name,
        label,
        get,
        better,
        windowed,
    }
}

/// `faults.csv`: one row per scheduled fault, named in `expect:` as
/// `faults.<n>.<column>` (n from 1, in the scenario's order).
pub const FAULTS: &[OptionalFigure<FaultRow>] = &[
    opt(
        "fault",
        "fault",
        |f| Some(Value::Count(f.fault)),
        Neither,
        false,
    ),
    opt(
        "kind",
        "kind",
        |f| Some(Value::Text(f.kind.clone())),
        Neither,
        false,
    ),
    opt(
        "target",
        "target",
        |f| Some(Value::Text(f.target.clone())),
        Neither,
        false,
    ),
    opt(
        "start_s",
        "start",
        |f| Some(Value::Secs(f.start_s)),
        Neither,
        false,
    ),
    opt("end_s", "end", |f| f.end_s.map(Value::Secs), Neither, false),
    opt(
        "writes",
        "writes issued during it",
        |f| f.writes.map(Value::Count),
        Neither,
        true,
    ),
    opt(
        "lost_writes",
        "lost writes issued during it",
        |f| f.lost_writes.map(Value::Count),
        Lower,
        true,
    ),
    opt(
        "stale_reads",
        "stale reads issued during it",
        |f| f.stale_reads.map(Value::Count),
        Lower,
        true,
    ),
    opt(
        "max_backlog",
        "max backlog",
        |f| f.max_backlog.map(Value::Count),
        Lower,
        false,
    ),
    opt(
        "catch_up_ms",
        "catch-up",
        |f| f.catch_up_ms.map(Value::Ms),
        Lower,
        false,
    ),
    opt(
        "drain_ms",
        "drain",
        |f| f.drain_ms.map(Value::Ms),
        Lower,
        false,
    ),
    // Beyond the contract.
    opt(
        "catch_up_censored",
        "catch-up cut short by the run's end",
        |f| Some(Value::Bool(f.catch_up_censored)),
        Lower,
        false,
    ),
    opt(
        "drain_censored",
        "drain cut short by the run's end",
        |f| Some(Value::Bool(f.drain_censored)),
        Lower,
        false,
    ),
];

/// Which fault figure a `*_censored` column flags: the figure is then only
/// a lower bound (the run ended first).
pub fn fault_lower_bound(row: &FaultRow, name: &str) -> bool {
    match name {
        "catch_up_ms" => row.catch_up_censored,
        "drain_ms" => row.drain_censored,
        _ => false,
    }
}

/// The names in `FAULTS` that hold numbers: what `expect:` may name.
pub fn fault_numeric_names() -> Vec<&'static str> {
    FAULTS
        .iter()
        .filter(|f| !matches!(f.name, "fault" | "kind" | "target"))
        .map(|f| f.name)
        .collect()
}

/// A figure row of the compare table (`replisim compare`, its terminal
/// table and its HTML report): a `SUMMARY` figure by name, shown with its
/// label, value and cost shading from that table.
pub struct CompareRow {
    /// The `SUMMARY` figure the row shows.
    pub figure: &'static str,
    /// A second figure shown in the same cell: a rate in parentheses
    /// (`14,785 (18.018%)`), a time after "over" (`116 over 759.911 ms`).
    pub with: Option<&'static str>,
    /// Indented under the row above.
    pub sub: bool,
    /// The cell's text under a mode that does not produce the figure;
    /// `None` shows the figure's value (0) there too.
    pub elsewhere: Option<&'static str>,
}

const fn row(figure: &'static str) -> CompareRow {
    CompareRow {
        figure,
        with: None,
        sub: false,
        elsewhere: None,
    }
}

/// The figure rows of the compare table, in the order it shows them (the
/// rows in words and the per-region write latency come from the compare
/// module itself).
pub const COMPARE: &[CompareRow] = &[
    row("writes"),
    CompareRow {
        with: Some("lost_write_rate"),
        ..row("lost_writes")
    },
    row("conflicts"),
    row("write_conflict_errors"),
    row("rejected_writes"),
    row("forwarded_writes"),
    row("unavailable_writes"),
    row("failed_writes"),
    CompareRow {
        with: Some("stale_read_rate"),
        ..row("stale_reads")
    },
    row("lag_p99_ms"),
    CompareRow {
        with: Some("rpo_window_ms"),
        elsewhere: Some("0 (no failover)"),
        ..row("rpo_lost_writes")
    },
    CompareRow {
        sub: true,
        elsewhere: Some("0 (no single primary)"),
        ..row("failover_ms")
    },
    row("converged"),
];

/// The figure of `table` called `name`.
pub fn find<'t, T>(table: &'t [Figure<T>], name: &str) -> Option<&'t Figure<T>> {
    table.iter().find(|f| f.name == name)
}

/// The names in `table` that hold numbers: what `expect:` may name.
pub fn numeric_names<T: Default>(table: &[Figure<T>]) -> Vec<&'static str> {
    // A row of defaults tells what kind of value each getter gives.
    let probe = T::default();
    table
        .iter()
        .filter(|f| (f.get)(&probe).number().is_some())
        .map(|f| f.name)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_per_table() {
        fn unique<T>(table: &[Figure<T>]) {
            let mut names: Vec<&str> = table.iter().map(|f| f.name).collect();
            names.sort_unstable();
            let n = names.len();
            names.dedup();
            assert_eq!(names.len(), n);
        }
        unique(SUMMARY);
        unique(REGIONS);
        unique(LINKS);
        let mut names: Vec<&str> = FAULTS.iter().map(|f| f.name).collect();
        names.sort_unstable();
        let n = names.len();
        names.dedup();
        assert_eq!(names.len(), n);
    }

    #[test]
    fn fault_names_that_hold_numbers() {
        // A full row: every figure present, so the kind of each is seen.
        let row = FaultRow {
            end_s: Some(2.0),
            writes: Some(1),
            lost_writes: Some(1),
            stale_reads: Some(1),
            max_backlog: Some(1),
            catch_up_ms: Some(1.0),
            drain_ms: Some(1.0),
            ..FaultRow::default()
        };
        let numeric: Vec<&str> = FAULTS
            .iter()
            .filter(|f| (f.get)(&row).and_then(|v| v.number()).is_some())
            .map(|f| f.name)
            .collect();
        // Every number but the fault's own number.
        assert_eq!(numeric[0], "fault");
        assert_eq!(numeric[1..], fault_numeric_names());
    }

    #[test]
    fn numeric_names_leave_out_text() {
        let names = numeric_names(SUMMARY);
        assert!(names.contains(&"rpo_lost_writes"));
        assert!(names.contains(&"converged"));
        assert!(!names.contains(&"mode"));
        assert!(!numeric_names(LINKS).contains(&"from"));
        assert!(!numeric_names(REGIONS).contains(&"region"));
    }

    #[test]
    fn compare_rows_name_summary_figures() {
        for r in COMPARE {
            let f = find(SUMMARY, r.figure).expect("a summary figure");
            assert!((f.get)(&Summary::default()).number().is_some());
            if let Some(w) = r.with {
                assert!(find(SUMMARY, w).is_some(), "{w}");
            }
            // Text for other modes only where some mode lacks the figure.
            assert!(r.elsewhere.is_none() || !f.modes.is_empty());
        }
    }

    #[test]
    fn mode_figures_name_their_modes() {
        let f = find(SUMMARY, "failover_ms").unwrap();
        assert!(f.in_mode("single_primary") && !f.in_mode("active_active"));
        assert!(find(SUMMARY, "lost_writes").unwrap().in_mode("strong"));
    }
}
