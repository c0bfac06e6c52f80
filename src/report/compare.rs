//! `replisim compare`: one scenario under several replication modes, as
//! `compare.csv` and a side-by-side table that reads like the textbook
//! comparison of the designs, with measured figures in its cells.
//!
//! `compare.csv` has one row per mode: every `summary.csv` column (in the
//! same order and format, so the mode extras are there too), then write
//! latency p50 and p99 per region (`write_latency_p50_ms.<region>`), then
//! `note`, which says why a mode could not run (its other cells empty).
//! Formatting only: no files written, nothing run.

use crate::error::{Error, Result};
use crate::metrics::figures::{self, Better, Figure, Value};
use crate::metrics::result::{RunResult, Summary};
use crate::report::csv_out;
use crate::report::format::{self, count, duration, percent};
use crate::report::terminal::{indent, table};
use crate::report::words;
use crate::scenario::{Mode, Scenario, SecondaryWrites};

/// One mode's outcome.
#[derive(Clone, Copy, Debug)]
pub struct CompareRow<'a> {
    /// The mode's name (`active_active`, ...).
    pub mode: &'a str,
    /// The scenario as run under this mode, if it could be.
    pub scenario: Option<&'a Scenario>,
    pub result: Option<&'a RunResult>,
    /// Why the mode did not run (empty when it did).
    pub note: &'a str,
}

/// `compare.csv`. `regions` are the scenario's region names.
pub fn compare_csv(scenario: &Scenario, rows: &[CompareRow]) -> Result<Vec<u8>> {
    let regions = scenario.region_names();
    let mut header: Vec<String> = csv_out::summary_columns()
        .into_iter()
        .map(String::from)
        .collect();
    for r in &regions {
        header.push(format!("write_latency_p50_ms.{r}"));
        header.push(format!("write_latency_p99_ms.{r}"));
    }
    header.push("note".into());
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    let fail = |e: csv::Error| Error::new(format!("cannot format CSV: {e}"));
    w.write_record(&header).map_err(fail)?;
    for row in rows {
        let mut record = match row.result {
            Some(result) => {
                let mut cells = csv_out::summary_cells(&result.summary);
                for name in &regions {
                    let region = result.regions.iter().find(|x| x.region == *name);
                    let (p50, p99) = region.map_or((0.0, 0.0), |x| {
                        (x.write_latency_p50_ms, x.write_latency_p99_ms)
                    });
                    cells.push(format::csv(&Value::Quantile(p50)));
                    cells.push(format::csv(&Value::Quantile(p99)));
                }
                cells
            }
            None => {
                // Identify the row; leave the figures empty.
                let mut cells = vec![String::new(); header.len() - 1];
                cells[0] = format::text_cell(&scenario.name);
                cells[1] = scenario.seed.to_string();
                cells[2] = row.mode.to_string();
                cells
            }
        };
        record.push(format::text_cell(row.note));
        w.write_record(&record).map_err(fail)?;
    }
    w.into_inner()
        .map_err(|e| Error::new(format!("cannot format CSV: {}", e.error())))
}

/// Who accepts writes under a mode, in a few words.
fn who_writes(s: &Scenario) -> String {
    match &s.replication.mode {
        Mode::ActiveActive => "every region".into(),
        Mode::SinglePrimary(m) => format!(
            "{} only; others {}",
            s.regions[m.primary].name,
            match m.secondary_writes {
                SecondaryWrites::Forward => "forward",
                SecondaryWrites::Reject => "reject",
            }
        ),
        Mode::Strong(_) => "every region, in turn".into(),
    }
}

/// How concurrent writes to one item end.
fn on_conflict(mode: &Mode) -> &'static str {
    match mode {
        Mode::ActiveActive => "last writer wins, loser lost",
        Mode::SinglePrimary(_) => "none (one writer)",
        Mode::Strong(_) => "later write fails (error)",
    }
}

/// One cell of the side-by-side table: its text, and whether it is a
/// cost worth the eye (shaded in the HTML report).
pub struct Cell {
    pub text: String,
    pub alert: bool,
}

fn plain(text: String) -> Cell {
    Cell { text, alert: false }
}

/// One row of the side-by-side table.
pub struct Line {
    pub label: String,
    /// Indented under the row above.
    pub sub: bool,
    /// Words rather than figures.
    pub words: bool,
    /// `None` for a mode that did not run.
    pub cells: Vec<Option<Cell>>,
}

type CellFn<'f> = &'f dyn Fn(&Scenario, &RunResult) -> Cell;

/// The rows of the side-by-side table, one cell per mode: the terminal
/// and the HTML report both draw these. The rows of figures are
/// `metrics::figures::COMPARE`, read through the figure table.
pub fn lines(scenario: &Scenario, rows: &[CompareRow]) -> Vec<Line> {
    let mut out: Vec<Line> = Vec::new();
    let mut add = |label: &str, words: bool, cell: CellFn| {
        let sub = label.starts_with("  ");
        out.push(Line {
            label: label.trim_start().to_string(),
            sub,
            words,
            cells: rows
                .iter()
                .map(|r| match (r.scenario, r.result) {
                    (Some(s), Some(res)) => Some(cell(s, res)),
                    _ => None,
                })
                .collect(),
        });
    };
    add("who can write", true, &|s, _| plain(who_writes(s)));
    add("concurrent writes", true, &|s, _| {
        plain(on_conflict(&s.replication.mode).into())
    });
    let mut figure_rows = figures::COMPARE.iter();
    // "writes accepted" first, then the write latency seen from each region.
    if let Some(first) = figure_rows.next() {
        add(&label(first), false, &|s, r| figure_cell(first, s, r));
    }
    add("write latency p50 / p99", false, &|_, _| {
        plain(String::new())
    });
    let latency = |name| figures::find(figures::REGIONS, name).expect("a region figure");
    let (p50, p99) = (
        latency("write_latency_p50_ms"),
        latency("write_latency_p99_ms"),
    );
    for name in scenario.region_names() {
        add(&format!("  from {name}"), false, &|_, r| match r
            .regions
            .iter()
            .find(|x| x.region == name)
        {
            Some(x) if x.writes == 0 => plain("no writes".into()),
            Some(x) => plain(format!(
                "{} / {}",
                shown(&(p50.get)(x)),
                shown(&(p99.get)(x))
            )),
            None => plain("-".into()),
        });
    }
    let results: Vec<&RunResult> = rows.iter().filter_map(|r| r.result).collect();
    let failover = results
        .iter()
        .any(|r| words::had_failover(&r.summary.mode_extras));
    let mut downtime: Vec<&str> = Vec::new();
    for r in &results {
        if let Some(c) = words::downtime_cause(&r.summary.mode_extras) {
            if !downtime.contains(&c) {
                downtime.push(c);
            }
        }
    }
    for row in figure_rows {
        // Failover rows only where some mode had a failover; downtime with
        // its cause only where writes were refused for want of a primary.
        let text = match row.figure {
            "rpo_lost_writes" if !failover => continue,
            "failover_ms" if downtime.is_empty() => continue,
            "failover_ms" => format!("  write downtime ({})", words::and_list(&downtime)),
            _ => label(row),
        };
        add(&text, false, &|s, r| figure_cell(row, s, r));
        if row.figure == "lost_writes" {
            for key in words::CAUSE_KEYS {
                let modes: Vec<&str> = results
                    .iter()
                    .filter(|r| words::cause_count(&r.summary, key) > 0)
                    .map(|r| r.summary.mode.as_str())
                    .collect();
                let Some(first) = modes.first() else {
                    continue;
                };
                let mode = if modes.iter().all(|m| m == first) {
                    first
                } else {
                    "any"
                };
                add(
                    &format!("  {}", words::cause_short_label(key, mode)),
                    false,
                    &|_, r| {
                        let n = words::cause_count(&r.summary, key);
                        let lost = r.summary.lost_writes;
                        plain(if lost == 0 {
                            count(n)
                        } else {
                            format!("{} ({})", count(n), percent(n as f64 / lost as f64))
                        })
                    },
                );
            }
        }
    }
    out
}

/// A compare row's label from its figure's, indented when it is a sub-row.
/// Times say their unit in their cells.
fn label(row: &figures::CompareRow) -> String {
    let f = summary_figure(row.figure);
    let indent = if row.sub { "  " } else { "" };
    format!("{indent}{}", f.label)
}

fn summary_figure(name: &str) -> &'static Figure<Summary> {
    figures::find(figures::SUMMARY, name).expect("compare rows name summary figures")
}

/// A value as the compare table shows it.
fn shown(v: &Value) -> String {
    match v {
        Value::Text(t) => t.clone(),
        Value::Count(n) => count(*n),
        Value::Ms(x) | Value::Quantile(x) => duration(*x),
        Value::Secs(x) => duration(x * 1000.0),
        Value::Nanos(ns) => duration(*ns as f64 / 1e6),
        Value::Rate(x) => percent(*x),
        Value::Bool(b) => if *b { "yes" } else { "NO" }.into(),
        Value::Empty => "-".into(),
    }
}

/// One figure row's cell for a mode's run: the figure's value (with its
/// companion figure), shaded when the figure is a cost away from its good
/// end; the row's own words under a mode that lacks the figure.
fn figure_cell(row: &figures::CompareRow, s: &Scenario, r: &RunResult) -> Cell {
    let f = summary_figure(row.figure);
    if let Some(words) = row
        .elsewhere
        .filter(|_| !f.in_mode(s.replication.mode.name()))
    {
        return plain(words.into());
    }
    let value = (f.get)(&r.summary);
    let mut text = shown(&value);
    if let Some(with) = row.with {
        let w = (summary_figure(with).get)(&r.summary);
        match w {
            Value::Ms(_) | Value::Quantile(_) | Value::Secs(_) => {
                text.push_str(&format!(" over {}", shown(&w)));
            }
            _ => text.push_str(&format!(" ({})", shown(&w))),
        }
    }
    let x = value.number().unwrap_or(0.0);
    let alert = f.cost
        && match f.better {
            Better::Lower => x > 0.0,
            Better::Higher => x == 0.0,
            Better::Neither => false,
        };
    Cell { text, alert }
}

/// The side-by-side table, one column per mode, ending with a newline.
pub fn table_text(scenario: &Scenario, rows: &[CompareRow]) -> String {
    let mut header = vec![String::new()];
    header.extend(rows.iter().map(|r| r.mode.to_string()));
    let mut table_lines = vec![header];
    for line in lines(scenario, rows) {
        let mut cells = vec![if line.sub {
            format!("  {}", line.label)
        } else {
            line.label
        }];
        cells.extend(
            line.cells
                .into_iter()
                .map(|c| c.map_or_else(|| "-".to_string(), |c| c.text)),
        );
        table_lines.push(cells);
    }
    let mut out = format!(
        "{}: {} compared on the same operations, seed {}\n\n",
        scenario.name,
        rows.iter().map(|r| r.mode).collect::<Vec<_>>().join(", "),
        scenario.seed
    );
    out.push_str(&indent(&table(&table_lines, "L")));
    for r in rows.iter().filter(|r| !r.note.is_empty()) {
        out.push_str(&format!("\n  {}: not run: {}\n", r.mode, r.note));
    }
    out
}
