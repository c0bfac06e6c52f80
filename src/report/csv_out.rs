//! The CSV files of MODEL.md section 6, as bytes.
//!
//! Every file starts with the contract columns, in the contract's order,
//! then the extra fields of the result structs. Each file's columns are
//! declared once, as a table of (name, getter): `summary.csv`,
//! `regions.csv`, `links.csv` and `faults.csv` take theirs from
//! `metrics::figures`, the table `expect:` and `compare` read too, so the
//! header, the rows and the nameable figures can never disagree.
//!
//! Number formats are fixed so that a run's files are byte-identical for the
//! same scenario and seed: times in milliseconds with three decimals,
//! seconds with six (the same microsecond resolution), rates with six
//! decimals, booleans `true`/`false`, an absent value as an empty cell. The
//! trace files give times in milliseconds with six decimals computed from
//! the integer nanoseconds without floating point, so a trace replays
//! exactly. This module writes no files itself; `output` does.

use crate::error::{Error, Result};
use crate::metrics::figures::{self, Figure, Value};
use crate::metrics::result::{
    BucketRow, DeliveryTrace, FaultRow, LinkRow, RegionRow, RunResult, Summary, Trace, WriteTrace,
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
            Cell::Text(s) => text_cell(s),
            Cell::Count(n) => n.to_string(),
            Cell::Ms(v) => format!("{v:.3}"),
            Cell::Secs(v) => format!("{v:.6}"),
            Cell::Rate(v) => format!("{v:.6}"),
            Cell::Bool(b) => b.to_string(),
            Cell::TraceNs(ns) => ns_to_ms_exact(*ns),
        }
    }
}

impl From<Value> for Cell {
    fn from(v: Value) -> Cell {
        match v {
            Value::Text(s) => Cell::Text(s),
            Value::Count(n) => Cell::Count(n),
            Value::Ms(v) => Cell::Ms(v),
            Value::Secs(v) => Cell::Secs(v),
            Value::Rate(v) => Cell::Rate(v),
            Value::Bool(b) => Cell::Bool(b),
        }
    }
}

/// A figure's value formatted as the CSV files give it.
pub fn format_value(v: Value) -> String {
    Cell::from(v).format()
}

/// A text cell a spreadsheet will not read as a formula, the OWASP way:
/// text that starts with `=`, `+`, `-`, `@`, a tab or a carriage return
/// gets a leading `'`, unless it is a number (`-1.5`). Every text cell of
/// every CSV file goes through here; other text is unchanged.
pub fn text_cell(s: &str) -> String {
    let risky = s.starts_with(['=', '+', '-', '@', '\t', '\r']);
    let number = s
        .bytes()
        .all(|b| b.is_ascii_digit() || matches!(b, b'+' | b'-' | b'.' | b'e' | b'E'))
        && s.parse::<f64>().is_ok();
    if risky && !number {
        format!("'{s}")
    } else {
        s.to_string()
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
    records(columns.iter().map(|c| c.name), rows, |row, record| {
        record.extend(columns.iter().map(|c| (c.get)(row).format()))
    })
}

/// Write the columns of a table of figures that may not apply and one
/// record per row: a figure that does not apply is an empty cell.
fn optional_table<T>(table: &[figures::OptionalFigure<T>], rows: &[T]) -> Result<Vec<u8>> {
    records(table.iter().map(|f| f.name), rows, |row, record| {
        record.extend(
            table
                .iter()
                .map(|f| (f.get)(row).map(format_value).unwrap_or_default()),
        )
    })
}

/// Write the columns of a figure table and one record per row.
fn figure_table<T>(table: &[Figure<T>], rows: &[T]) -> Result<Vec<u8>> {
    records(table.iter().map(|f| f.name), rows, |row, record| {
        record.extend(table.iter().map(|f| format_value((f.get)(row))))
    })
}

fn records<'n, T>(
    names: impl Iterator<Item = &'n str>,
    rows: &[T],
    cells: impl Fn(&T, &mut Vec<String>),
) -> Result<Vec<u8>> {
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    let fail = |e: csv::Error| Error::new(format!("cannot format CSV: {e}"));
    w.write_record(names).map_err(fail)?;
    let mut record = Vec::new();
    for row in rows {
        record.clear();
        cells(row, &mut record);
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
    fn figure_names<T>(table: &[Figure<T>]) -> String {
        table.iter().map(|f| f.name).collect::<Vec<_>>().join(",")
    }
    Some(match file_name {
        "summary.csv" => figure_names(figures::SUMMARY),
        "links.csv" => figure_names(figures::LINKS),
        "regions.csv" => figure_names(figures::REGIONS),
        "timeseries.csv" => names(TIMESERIES),
        "faults.csv" => figures::FAULTS
            .iter()
            .map(|f| f.name)
            .collect::<Vec<_>>()
            .join(","),
        "writes.csv" => names(WRITES),
        "deliveries.csv" => names(DELIVERIES),
        _ => return None,
    })
}

/// `summary.csv`.
pub fn summary_csv(summary: &Summary) -> Result<Vec<u8>> {
    figure_table(figures::SUMMARY, std::slice::from_ref(summary))
}

/// `links.csv`.
pub fn links_csv(links: &[LinkRow]) -> Result<Vec<u8>> {
    figure_table(figures::LINKS, links)
}

/// `regions.csv`.
pub fn regions_csv(regions: &[RegionRow]) -> Result<Vec<u8>> {
    figure_table(figures::REGIONS, regions)
}

/// `timeseries.csv`.
pub fn timeseries_csv(buckets: &[BucketRow]) -> Result<Vec<u8>> {
    table(TIMESERIES, buckets)
}

/// `faults.csv`.
pub fn faults_csv(faults: &[FaultRow]) -> Result<Vec<u8>> {
    optional_table(figures::FAULTS, faults)
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
        CsvFile {
            file_name: "faults.csv",
            bytes: faults_csv(&result.fault_rows)?,
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

/// The `summary.csv` column names, in order (`compare.csv` starts with them).
pub fn summary_columns() -> Vec<&'static str> {
    figures::SUMMARY.iter().map(|f| f.name).collect()
}

/// One `summary.csv` row as formatted cells, in column order.
pub fn summary_cells(summary: &Summary) -> Vec<String> {
    figures::SUMMARY
        .iter()
        .map(|f| format_value((f.get)(summary)))
        .collect()
}

/// A time in milliseconds formatted as the CSV files give it.
pub fn format_ms(v: f64) -> String {
    Cell::Ms(v).format()
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
                 lag_p50_ms,lag_p99_ms,lag_max_ms,backlog,faults_active,oldest_unreplicated_ms",
            ),
            (
                "faults.csv",
                "fault,kind,target,start_s,end_s,writes,lost_writes,stale_reads,max_backlog,\
                 catch_up_ms,drain_ms",
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
}
