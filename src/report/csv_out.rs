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
//! same scenario and seed, and are `report::format::csv`'s: times in
//! milliseconds with three decimals, a histogram percentile with at most
//! three significant digits (what the histogram resolved), seconds with six
//! decimals, rates with six, booleans `true`/`false`, an absent value as an
//! empty cell. The trace files give times in milliseconds with six decimals
//! computed from the integer nanoseconds without floating point, so a trace
//! replays exactly. This module writes no files itself; `output` does.

use crate::error::{Error, Result};
use crate::metrics::figures::{self, Figure, Value};
use crate::metrics::result::{
    BucketRow, DeliveryTrace, FaultRow, LinkRow, ReadTrace, RegionRow, RunResult, Summary, Trace,
    VisibilityCurve, WriteTrace,
};
use crate::report::format;

/// One CSV file: its name in the result folder and its bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CsvFile {
    pub file_name: &'static str,
    pub bytes: Vec<u8>,
}

/// A figure's value formatted as the CSV files give it.
pub fn format_value(v: Value) -> String {
    format::csv(&v)
}

/// A column: its header name and how to read it from a row.
struct Column<T> {
    name: &'static str,
    get: fn(&T) -> Value,
}

const fn col<T>(name: &'static str, get: fn(&T) -> Value) -> Column<T> {
    Column { name, get }
}

/// `timeseries.csv`: one row per time bucket.
const TIMESERIES: &[Column<BucketRow>] = &[
    col("t_start_s", |b| Value::Secs(b.t_start_s)),
    col("t_end_s", |b| Value::Secs(b.t_end_s)),
    col("writes", |b| Value::Count(b.writes)),
    col("lost_writes", |b| Value::Count(b.lost_writes)),
    col("conflicts", |b| Value::Count(b.conflicts)),
    col("reads", |b| Value::Count(b.reads)),
    col("stale_reads", |b| Value::Count(b.stale_reads)),
    col("lag_p50_ms", |b| {
        sampled(b.deliveries, Value::Quantile(b.lag_p50_ms))
    }),
    col("lag_p99_ms", |b| {
        sampled(b.deliveries, Value::Quantile(b.lag_p99_ms))
    }),
    col("lag_max_ms", |b| {
        sampled(b.deliveries, Value::Ms(b.lag_max_ms))
    }),
    col("backlog", |b| Value::Count(b.backlog)),
    col("faults_active", |b| {
        Value::Count(u64::from(b.faults_active))
    }),
    col("oldest_unreplicated_ms", |b| {
        Value::Ms(b.oldest_unreplicated_ms)
    }),
    // Beyond the contract.
    col("deliveries", |b| Value::Count(b.deliveries)),
    col("failed_writes", |b| Value::Count(b.failed_writes)),
    col("write_latency_p50_ms", |b| {
        sampled(b.acknowledged, Value::Quantile(b.write_latency_p50_ms))
    }),
    col("write_latency_p99_ms", |b| {
        sampled(b.acknowledged, Value::Quantile(b.write_latency_p99_ms))
    }),
    col("rejected_writes", |b| Value::Count(b.rejected_writes)),
    col("forwarded_writes", |b| Value::Count(b.forwarded_writes)),
];

/// `v`, or a blank cell when the figure had no samples (`n` is 0).
fn sampled(n: u64, v: Value) -> Value {
    if n == 0 {
        Value::Empty
    } else {
        v
    }
}

/// One row of `visibility.csv`: a point of a pair's curve.
struct VisibilityRow {
    from: String,
    to: String,
    writes: u64,
    after_ms: f64,
    p_visible: f64,
}

/// `visibility.csv`: one row per (writing region, reading region, delay).
const VISIBILITY: &[Column<VisibilityRow>] = &[
    col("from", |v| Value::Text(v.from.clone())),
    col("to", |v| Value::Text(v.to.clone())),
    col("after_ms", |v| Value::Ms(v.after_ms)),
    col("p_visible", |v| Value::Rate(v.p_visible)),
    col("writes", |v| Value::Count(v.writes)),
];

/// `writes.csv` (`--trace`): one row per write.
const WRITES: &[Column<WriteTrace>] = &[
    col("write_id", |w| Value::Count(w.write_id)),
    col("table", |w| Value::Text(w.table.clone())),
    col("key", |w| Value::Count(w.key)),
    col("region", |w| Value::Text(w.region.clone())),
    col("kind", |w| Value::Text(w.kind.to_string())),
    col("issue_ms", |w| Value::Nanos(i128::from(w.issue_ns))),
    col("timestamp_ms", |w| Value::Nanos(i128::from(w.timestamp_ns))),
    col("parent_id", |w| Value::Count(w.parent_id)),
    col("outcome", |w| Value::Text(w.outcome.to_string())),
    col("cause", |w| Value::Text(w.cause.to_string())),
    col("beaten_by", |w| {
        (w.beaten_by != 0)
            .then_some(w.beaten_by)
            .map_or(Value::Empty, Value::Count)
    }),
    // Beyond the contract.
    col("value", |w| w.value.map_or(Value::Empty, Value::Count)),
];

/// `reads.csv` (`--trace`): one row per read.
const READS: &[Column<ReadTrace>] = &[
    col("read_id", |r| Value::Count(r.read_id)),
    col("table", |r| Value::Text(r.table.clone())),
    col("key", |r| Value::Count(r.key)),
    col("region", |r| Value::Text(r.region.clone())),
    col("at_ms", |r| Value::Nanos(i128::from(r.at_ns))),
    col("returned_id", |r| Value::Count(r.returned_id)),
    col("stale", |r| Value::Bool(r.stale)),
    col("staleness_ms", |r| {
        r.staleness_ns
            .map_or(Value::Empty, |ns| Value::Nanos(i128::from(ns)))
    }),
];

/// `deliveries.csv` (`--trace`): one row per write and destination.
const DELIVERIES: &[Column<DeliveryTrace>] = &[
    col("write_id", |d| Value::Count(d.write_id)),
    col("to", |d| Value::Text(d.to.clone())),
    col("arrive_ms", |d| Value::Nanos(i128::from(d.arrive_ns))),
    col("applied", |d| Value::Bool(d.applied)),
];

/// Write a header and one record per row.
fn table<T>(columns: &[Column<T>], rows: &[T]) -> Result<Vec<u8>> {
    records(columns.iter().map(|c| c.name), rows, |row, record| {
        record.extend(columns.iter().map(|c| format::csv(&(c.get)(row))))
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
        "visibility.csv" => names(VISIBILITY),
        "writes.csv" => names(WRITES),
        "deliveries.csv" => names(DELIVERIES),
        "reads.csv" => names(READS),
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

/// `visibility.csv`: every pair's curve, one row per grid point.
pub fn visibility_csv(curves: &[VisibilityCurve]) -> Result<Vec<u8>> {
    let rows: Vec<VisibilityRow> = curves
        .iter()
        .flat_map(|curve| {
            curve.points.iter().map(move |p| VisibilityRow {
                from: curve.from.clone(),
                to: curve.to.clone(),
                writes: curve.writes,
                after_ms: p.after_ms,
                p_visible: p.p_visible,
            })
        })
        .collect();
    table(VISIBILITY, &rows)
}

/// `writes.csv`.
pub fn writes_csv(writes: &[WriteTrace]) -> Result<Vec<u8>> {
    table(WRITES, writes)
}

/// `deliveries.csv`.
pub fn deliveries_csv(deliveries: &[DeliveryTrace]) -> Result<Vec<u8>> {
    table(DELIVERIES, deliveries)
}

/// `reads.csv`.
pub fn reads_csv(reads: &[ReadTrace]) -> Result<Vec<u8>> {
    table(READS, reads)
}

/// Every CSV file of a run, in the order they are listed in MODEL.md; the
/// three trace files only when a trace was kept.
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
        CsvFile {
            file_name: "visibility.csv",
            bytes: visibility_csv(&result.visibility)?,
        },
    ];
    if let Some(trace) = trace {
        files.push(CsvFile {
            file_name: "writes.csv",
            bytes: writes_csv(&trace.writes)?,
        });
        files.push(CsvFile {
            file_name: "reads.csv",
            bytes: reads_csv(&trace.reads)?,
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
                "write_id,table,key,region,kind,issue_ms,timestamp_ms,parent_id,outcome,cause,\
                 beaten_by",
            ),
            (
                "reads.csv",
                "read_id,table,key,region,at_ms,returned_id,stale,staleness_ms",
            ),
            ("deliveries.csv", "write_id,to,arrive_ms,applied"),
            ("visibility.csv", "from,to,after_ms,p_visible"),
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
        assert_eq!(format::ns_to_ms_exact(1_234_567_891), "1234.567891");
        assert_eq!(format::ns_to_ms_exact(0), "0.000000");
        assert_eq!(format::ns_to_ms_exact(-500), "-0.000500");
        assert_eq!(format::ns_to_ms_exact(-1_000_000_001), "-1000.000001");
        assert_eq!(
            format::ns_to_ms_exact(i128::from(u64::MAX)),
            "18446744073709.551615"
        );
        assert_eq!(
            format::ns_to_ms_exact(i128::from(i64::MIN)),
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
             12.3,0,0.000,0,true,0.000,"
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
            beaten_by: 4,
            ..WriteTrace::default()
        };
        let counter = WriteTrace {
            write_id: 2,
            kind: "increment",
            outcome: "survived",
            cause: "",
            beaten_by: 0,
            value: Some(42),
            ..w.clone()
        };
        let text = String::from_utf8(writes_csv(&[w, counter]).unwrap()).unwrap();
        let rows: Vec<&str> = text.lines().skip(1).collect();
        assert_eq!(
            rows,
            [
                "1,t,3,a,put,1234.567891,-0.000002,0,lost,overwritten,4,",
                "2,t,3,a,increment,1234.567891,-0.000002,0,survived,,,42"
            ]
        );
        let r = ReadTrace {
            read_id: 1,
            table: "t".into(),
            key: 3,
            region: "b".into(),
            at_ns: 2_000_000,
            returned_id: 1,
            stale: true,
            staleness_ns: Some(1_500),
        };
        let fresh = ReadTrace {
            read_id: 2,
            stale: false,
            staleness_ns: None,
            ..r.clone()
        };
        let text = String::from_utf8(reads_csv(&[r, fresh]).unwrap()).unwrap();
        let rows: Vec<&str> = text.lines().skip(1).collect();
        assert_eq!(
            rows,
            [
                "1,t,3,b,2.000000,1,true,0.001500",
                "2,t,3,b,2.000000,1,false,"
            ]
        );
        let d = DeliveryTrace {
            write_id: 1,
            to: "b".into(),
            arrive_ns: 5,
            applied: false,
            held_id: 0,
        };
        let text = String::from_utf8(deliveries_csv(&[d]).unwrap()).unwrap();
        assert_eq!(text.lines().nth(1).unwrap(), "1,b,0.000005,false");
    }
}
