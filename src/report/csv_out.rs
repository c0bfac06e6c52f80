//! The CSV files of MODEL.md section 6, as bytes.
//!
//! Every file starts with the contract columns, in the contract's order,
//! then the extra fields of the result structs. Each file's columns are
//! declared once, as a table of (name, getter), so the header, the rows and
//! `summary_value` (which the `expect:` checks read) can never disagree.
//!
//! Number formats are fixed so that a run's files are byte-identical for the
//! same scenario and seed: times in milliseconds with three decimals,
//! seconds with six (the same microsecond resolution), rates with six
//! decimals, booleans `true`/`false`, an absent value as an empty cell. The
//! trace files give times in milliseconds with six decimals computed from
//! the integer nanoseconds without floating point, so a trace replays
//! exactly. This module writes no files itself; `output` does.

use crate::error::{Error, Result};
use crate::metrics::result::{
    BucketRow, DeliveryTrace, LinkRow, RegionRow, RunResult, Summary, Trace, WriteTrace,
};

/// One CSV file: its name in the result folder and its bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CsvFile {
    pub file_name: &'static str,
    pub bytes: Vec<u8>,
}

/// One cell before formatting; the variant decides the number format.
#[derive(Clone, Debug, PartialEq)]
enum Cell {
    Text(String),
    Count(u64),
    /// A time in milliseconds: three decimals.
    Ms(f64),
    /// A time in seconds: six decimals.
    Secs(f64),
    /// A fraction: six decimals.
    Rate(f64),
    Bool(bool),
    /// Integer nanoseconds, written as milliseconds with six decimals.
    TraceNs(i128),
}

impl Cell {
    fn format(&self) -> String {
        match self {
            Cell::Text(s) => s.clone(),
            Cell::Count(n) => n.to_string(),
            Cell::Ms(v) => format!("{v:.3}"),
            Cell::Secs(v) => format!("{v:.6}"),
            Cell::Rate(v) => format!("{v:.6}"),
            Cell::Bool(b) => b.to_string(),
            Cell::TraceNs(ns) => ns_to_ms_exact(*ns),
        }
    }

    /// The value as a number, for `expect:` checks; `None` for text.
    fn number(&self) -> Option<f64> {
        match self {
            Cell::Text(_) => None,
            Cell::Count(n) => Some(*n as f64),
            Cell::Ms(v) | Cell::Secs(v) | Cell::Rate(v) => Some(*v),
            Cell::Bool(b) => Some(if *b { 1.0 } else { 0.0 }),
            Cell::TraceNs(ns) => Some(*ns as f64 / 1e6),
        }
    }
}

/// Nanoseconds as milliseconds with exactly six decimals, by integer
/// arithmetic: `1234567891` → `1234.567891`, `-500` → `-0.000500`.
pub fn ns_to_ms_exact(ns: i128) -> String {
    let sign = if ns < 0 { "-" } else { "" };
    let abs = ns.unsigned_abs();
    format!("{sign}{}.{:06}", abs / 1_000_000, abs % 1_000_000)
}

/// A column: its header name and how to read it from a row.
struct Column<T> {
    name: &'static str,
    get: fn(&T) -> Cell,
}

const fn col<T>(name: &'static str, get: fn(&T) -> Cell) -> Column<T> {
    Column { name, get }
}

/// `summary.csv`: the contract columns, then the extras.
const SUMMARY: &[Column<Summary>] = &[
    col("scenario", |s| Cell::Text(s.scenario.clone())),
    col("seed", |s| Cell::Count(s.seed)),
    col("mode", |s| Cell::Text(s.mode.clone())),
    col("timestamps", |s| Cell::Text(s.timestamps.clone())),
    col("ordering", |s| Cell::Text(s.ordering.clone())),
    col("duration_s", |s| Cell::Secs(s.duration_s)),
    col("writes", |s| Cell::Count(s.writes)),
    col("reads", |s| Cell::Count(s.reads)),
    col("lost_writes", |s| Cell::Count(s.lost_writes)),
    col("lost_write_rate", |s| Cell::Rate(s.lost_write_rate)),
    col("conflicts", |s| Cell::Count(s.conflicts)),
    col("causal_inversions", |s| Cell::Count(s.causal_inversions)),
    col("stranded_writes", |s| Cell::Count(s.stranded_writes)),
    col("increments", |s| Cell::Count(s.increments)),
    col("lost_increments", |s| Cell::Count(s.lost_increments)),
    col("stale_reads", |s| Cell::Count(s.stale_reads)),
    col("stale_read_rate", |s| Cell::Rate(s.stale_read_rate)),
    col("lag_p50_ms", |s| Cell::Ms(s.lag_p50_ms)),
    col("lag_p99_ms", |s| Cell::Ms(s.lag_p99_ms)),
    col("lag_max_ms", |s| Cell::Ms(s.lag_max_ms)),
    col("undelivered", |s| Cell::Count(s.undelivered)),
    col("converged", |s| Cell::Bool(s.converged)),
    col("convergence_ms", |s| Cell::Ms(s.convergence_ms)),
    // Beyond the contract.
    col("failed_writes", |s| Cell::Count(s.failed_writes)),
    col("failed_reads", |s| Cell::Count(s.failed_reads)),
    col("rerouted_ops", |s| Cell::Count(s.rerouted_ops)),
    col("staleness_p50_ms", |s| Cell::Ms(s.staleness_p50_ms)),
    col("staleness_p99_ms", |s| Cell::Ms(s.staleness_p99_ms)),
    col("max_backlog", |s| Cell::Count(s.max_backlog)),
    col("counter_total", |s| Cell::Count(s.counter_total)),
    col("rejected_writes", |s| {
        Cell::Count(s.mode_extras.rejected_writes)
    }),
    col("forwarded_writes", |s| {
        Cell::Count(s.mode_extras.forwarded_writes)
    }),
    col("write_latency_p50_ms", |s| {
        Cell::Ms(s.mode_extras.write_latency_p50_ms)
    }),
    col("write_latency_p99_ms", |s| {
        Cell::Ms(s.mode_extras.write_latency_p99_ms)
    }),
    col("failover_ms", |s| Cell::Ms(s.mode_extras.failover_ms)),
    col("rpo_lost_writes", |s| {
        Cell::Count(s.mode_extras.rpo_lost_writes)
    }),
    col("rpo_window_ms", |s| Cell::Ms(s.mode_extras.rpo_window_ms)),
    col("write_conflict_errors", |s| {
        Cell::Count(s.mode_extras.write_conflict_errors)
    }),
    col("unavailable_writes", |s| {
        Cell::Count(s.mode_extras.unavailable_writes)
    }),
];

/// `links.csv`: one row per replication stream.
const LINKS: &[Column<LinkRow>] = &[
    col("from", |l| Cell::Text(l.from.clone())),
    col("to", |l| Cell::Text(l.to.clone())),
    col("deliveries", |l| Cell::Count(l.deliveries)),
    col("lag_p50_ms", |l| Cell::Ms(l.lag_p50_ms)),
    col("lag_p90_ms", |l| Cell::Ms(l.lag_p90_ms)),
    col("lag_p99_ms", |l| Cell::Ms(l.lag_p99_ms)),
    col("lag_max_ms", |l| Cell::Ms(l.lag_max_ms)),
    col("max_backlog", |l| Cell::Count(l.max_backlog)),
    // Beyond the contract.
    col("undelivered", |l| Cell::Count(l.undelivered)),
    col("oldest_unreplicated_max_ms", |l| {
        Cell::Ms(l.oldest_unreplicated_max_ms)
    }),
];

/// `regions.csv`: one row per region.
const REGIONS: &[Column<RegionRow>] = &[
    col("region", |r| Cell::Text(r.region.clone())),
    col("writes", |r| Cell::Count(r.writes)),
    col("reads", |r| Cell::Count(r.reads)),
    col("lost_writes", |r| Cell::Count(r.lost_writes)),
    col("stale_reads", |r| Cell::Count(r.stale_reads)),
    // Beyond the contract.
    col("failed_ops", |r| Cell::Count(r.failed_ops)),
    col("write_latency_p50_ms", |r| Cell::Ms(r.write_latency_p50_ms)),
    col("write_latency_p99_ms", |r| Cell::Ms(r.write_latency_p99_ms)),
];

/// `timeseries.csv`: one row per time bucket.
const TIMESERIES: &[Column<BucketRow>] = &[
    col("t_start_s", |b| Cell::Secs(b.t_start_s)),
    col("t_end_s", |b| Cell::Secs(b.t_end_s)),
    col("writes", |b| Cell::Count(b.writes)),
    col("lost_writes", |b| Cell::Count(b.lost_writes)),
    col("conflicts", |b| Cell::Count(b.conflicts)),
    col("reads", |b| Cell::Count(b.reads)),
    col("stale_reads", |b| Cell::Count(b.stale_reads)),
    col("lag_p50_ms", |b| Cell::Ms(b.lag_p50_ms)),
    col("lag_p99_ms", |b| Cell::Ms(b.lag_p99_ms)),
    col("lag_max_ms", |b| Cell::Ms(b.lag_max_ms)),
    col("backlog", |b| Cell::Count(b.backlog)),
    col("faults_active", |b| Cell::Count(u64::from(b.faults_active))),
    col("oldest_unreplicated_ms", |b| {
        Cell::Ms(b.oldest_unreplicated_ms)
    }),
];

/// `writes.csv` (`--trace`): one row per write.
const WRITES: &[Column<WriteTrace>] = &[
    col("write_id", |w| Cell::Count(w.write_id)),
    col("table", |w| Cell::Text(w.table.clone())),
    col("key", |w| Cell::Count(w.key)),
    col("region", |w| Cell::Text(w.region.clone())),
    col("kind", |w| Cell::Text(w.kind.to_string())),
    col("issue_ms", |w| Cell::TraceNs(i128::from(w.issue_ns))),
    col("timestamp_ms", |w| {
        Cell::TraceNs(i128::from(w.timestamp_ns))
    }),
    col("parent_id", |w| Cell::Count(w.parent_id)),
    col("outcome", |w| Cell::Text(w.outcome.to_string())),
    col("cause", |w| Cell::Text(w.cause.to_string())),
];

/// `deliveries.csv` (`--trace`): one row per write and destination.
const DELIVERIES: &[Column<DeliveryTrace>] = &[
    col("write_id", |d| Cell::Count(d.write_id)),
    col("to", |d| Cell::Text(d.to.clone())),
    col("arrive_ms", |d| Cell::TraceNs(i128::from(d.arrive_ns))),
    col("applied", |d| Cell::Bool(d.applied)),
];

/// Write a header and one record per row.
fn table<T>(columns: &[Column<T>], rows: &[T]) -> Result<Vec<u8>> {
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    let fail = |e: csv::Error| Error::new(format!("cannot format CSV: {e}"));
    w.write_record(columns.iter().map(|c| c.name))
        .map_err(fail)?;
    let mut record = Vec::with_capacity(columns.len());
    for row in rows {
        record.clear();
        record.extend(columns.iter().map(|c| (c.get)(row).format()));
        w.write_record(&record).map_err(fail)?;
    }
    w.into_inner()
        .map_err(|e| Error::new(format!("cannot format CSV: {}", e.error())))
}

/// The header line of each file (without the line end), for docs and tests.
pub fn header(file_name: &str) -> Option<String> {
    fn names<T>(columns: &[Column<T>]) -> String {
        columns.iter().map(|c| c.name).collect::<Vec<_>>().join(",")
    }
    Some(match file_name {
        "summary.csv" => names(SUMMARY),
        "links.csv" => names(LINKS),
        "regions.csv" => names(REGIONS),
        "timeseries.csv" => names(TIMESERIES),
        "writes.csv" => names(WRITES),
        "deliveries.csv" => names(DELIVERIES),
        _ => return None,
    })
}

/// `summary.csv`.
pub fn summary_csv(summary: &Summary) -> Result<Vec<u8>> {
    table(SUMMARY, std::slice::from_ref(summary))
}

/// `links.csv`.
pub fn links_csv(links: &[LinkRow]) -> Result<Vec<u8>> {
    table(LINKS, links)
}

/// `regions.csv`.
pub fn regions_csv(regions: &[RegionRow]) -> Result<Vec<u8>> {
    table(REGIONS, regions)
}

/// `timeseries.csv`.
pub fn timeseries_csv(buckets: &[BucketRow]) -> Result<Vec<u8>> {
    table(TIMESERIES, buckets)
}

/// `writes.csv`.
pub fn writes_csv(writes: &[WriteTrace]) -> Result<Vec<u8>> {
    table(WRITES, writes)
}

/// `deliveries.csv`.
pub fn deliveries_csv(deliveries: &[DeliveryTrace]) -> Result<Vec<u8>> {
    table(DELIVERIES, deliveries)
}

/// Every CSV file of a run, in the order they are listed in MODEL.md; the
/// two trace files only when a trace was kept.
pub fn all_files(result: &RunResult, trace: Option<&Trace>) -> Result<Vec<CsvFile>> {
    let mut files = vec![
        CsvFile {
            file_name: "summary.csv",
            bytes: summary_csv(&result.summary)?,
        },
        CsvFile {
            file_name: "links.csv",
            bytes: links_csv(&result.links)?,
        },
        CsvFile {
            file_name: "regions.csv",
            bytes: regions_csv(&result.regions)?,
        },
        CsvFile {
            file_name: "timeseries.csv",
            bytes: timeseries_csv(&result.timeseries)?,
        },
    ];
    if let Some(trace) = trace {
        files.push(CsvFile {
            file_name: "writes.csv",
            bytes: writes_csv(&trace.writes)?,
        });
        files.push(CsvFile {
            file_name: "deliveries.csv",
            bytes: deliveries_csv(&trace.deliveries)?,
        });
    }
    Ok(files)
}

/// The value of a `summary.csv` column as a number, for `expect:` checks.
/// Booleans read as 1 and 0; text columns and unknown names give `None`.
pub fn summary_value(summary: &Summary, column: &str) -> Option<f64> {
    SUMMARY
        .iter()
        .find(|c| c.name == column)
        .and_then(|c| (c.get)(summary).number())
}

/// The `summary.csv` column names, in order (`compare.csv` starts with them).
pub fn summary_columns() -> Vec<&'static str> {
    SUMMARY.iter().map(|c| c.name).collect()
}

/// One `summary.csv` row as formatted cells, in column order.
pub fn summary_cells(summary: &Summary) -> Vec<String> {
    SUMMARY.iter().map(|c| (c.get)(summary).format()).collect()
}

/// A time in milliseconds formatted as the CSV files give it.
pub fn format_ms(v: f64) -> String {
    Cell::Ms(v).format()
}

/// The names of the numeric `summary.csv` columns, for error messages.
pub fn summary_numeric_columns() -> Vec<&'static str> {
    let probe = Summary::default();
    SUMMARY
        .iter()
        .filter(|c| (c.get)(&probe).number().is_some())
        .map(|c| c.name)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const SUMMARY_CONTRACT: &str =
        "scenario,seed,mode,timestamps,ordering,duration_s,writes,reads,\
        lost_writes,lost_write_rate,conflicts,causal_inversions,stranded_writes,increments,\
        lost_increments,stale_reads,stale_read_rate,lag_p50_ms,lag_p99_ms,lag_max_ms,undelivered,\
        converged,convergence_ms";

    #[test]
    fn contract_columns_come_first() {
        let cases = [
            ("summary.csv", SUMMARY_CONTRACT),
            (
                "links.csv",
                "from,to,deliveries,lag_p50_ms,lag_p90_ms,lag_p99_ms,lag_max_ms,max_backlog",
            ),
            ("regions.csv", "region,writes,reads,lost_writes,stale_reads"),
            (
                "timeseries.csv",
                "t_start_s,t_end_s,writes,lost_writes,conflicts,reads,stale_reads,\
                 lag_p50_ms,lag_p99_ms,lag_max_ms,backlog,faults_active",
            ),
            (
                "writes.csv",
                "write_id,table,key,region,kind,issue_ms,timestamp_ms,parent_id,outcome,cause",
            ),
            ("deliveries.csv", "write_id,to,arrive_ms,applied"),
        ];
        for (file, contract) in cases {
            let h = header(file).unwrap();
            assert!(
                h == contract || h.starts_with(&format!("{contract},")),
                "{file}: {h}"
            );
        }
    }

    #[test]
    fn exact_trace_times() {
        assert_eq!(ns_to_ms_exact(1_234_567_891), "1234.567891");
        assert_eq!(ns_to_ms_exact(0), "0.000000");
        assert_eq!(ns_to_ms_exact(-500), "-0.000500");
        assert_eq!(ns_to_ms_exact(-1_000_000_001), "-1000.000001");
        assert_eq!(
            ns_to_ms_exact(i128::from(u64::MAX)),
            "18446744073709.551615"
        );
        assert_eq!(
            ns_to_ms_exact(i128::from(i64::MIN)),
            "-9223372036854.775808"
        );
    }

    #[test]
    fn summary_row_formats() {
        let s = Summary {
            scenario: "x".into(),
            seed: 7,
            mode: "active_active".into(),
            timestamps: "wall".into(),
            ordering: "item".into(),
            duration_s: 300.0,
            writes: 10,
            lost_writes: 1,
            lost_write_rate: 0.1,
            lag_p50_ms: 12.34567,
            converged: true,
            ..Summary::default()
        };
        let text = String::from_utf8(summary_csv(&s).unwrap()).unwrap();
        let mut lines = text.lines();
        assert!(lines.next().unwrap().starts_with(SUMMARY_CONTRACT));
        let row = lines.next().unwrap();
        assert!(row.starts_with(
            "x,7,active_active,wall,item,300.000000,10,0,1,0.100000,0,0,0,0,0,0,0.000000,\
             12.346,0.000,0.000,0,true,0.000,"
        ));
        assert!(lines.next().is_none());
        assert!(text.ends_with('\n'));
    }

    #[test]
    fn trace_rows() {
        let w = WriteTrace {
            applied_ns: 0,
            write_id: 1,
            table: "t".into(),
            key: 3,
            region: "a".into(),
            kind: "put",
            issue_ns: 1_234_567_891,
            timestamp_ns: -2,
            parent_id: 0,
            outcome: "lost",
            cause: "overwritten",
        };
        let text = String::from_utf8(writes_csv(&[w]).unwrap()).unwrap();
        assert_eq!(
            text.lines().nth(1).unwrap(),
            "1,t,3,a,put,1234.567891,-0.000002,0,lost,overwritten"
        );
        let d = DeliveryTrace {
            write_id: 1,
            to: "b".into(),
            arrive_ns: 5,
            applied: false,
        };
        let text = String::from_utf8(deliveries_csv(&[d]).unwrap()).unwrap();
        assert_eq!(text.lines().nth(1).unwrap(), "1,b,0.000005,false");
    }

    #[test]
    fn summary_values() {
        let s = Summary {
            converged: true,
            lost_write_rate: 0.25,
            ..Summary::default()
        };
        assert_eq!(summary_value(&s, "converged"), Some(1.0));
        assert_eq!(summary_value(&s, "lost_write_rate"), Some(0.25));
        assert_eq!(summary_value(&s, "scenario"), None);
        assert_eq!(summary_value(&s, "nope"), None);
        assert!(summary_numeric_columns().contains(&"rpo_lost_writes"));
        assert!(!summary_numeric_columns().contains(&"mode"));
    }
}
