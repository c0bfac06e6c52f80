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
use crate::metrics::result::RunResult;
use crate::report::csv_out;
use crate::report::terminal::{count, indent, ms, percent, table};
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
                    cells.push(csv_out::format_ms(p50));
                    cells.push(csv_out::format_ms(p99));
                }
                cells
            }
            None => {
                // Identify the row; leave the figures empty.
                let mut cells = vec![String::new(); header.len() - 1];
                cells[0] = scenario.name.clone();
                cells[1] = scenario.seed.to_string();
                cells[2] = row.mode.to_string();
                cells
            }
        };
        record.push(row.note.to_string());
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

/// The side-by-side table, one column per mode, ending with a newline.
pub fn table_text(scenario: &Scenario, rows: &[CompareRow]) -> String {
    let mut lines: Vec<Vec<String>> = Vec::new();
    let mut header = vec![String::new()];
    header.extend(rows.iter().map(|r| r.mode.to_string()));
    lines.push(header);
    let mut add = |label: &str, cell: &dyn Fn(&Scenario, &RunResult) -> String| {
        let mut line = vec![label.to_string()];
        for r in rows {
            line.push(match (r.scenario, r.result) {
                (Some(s), Some(res)) => cell(s, res),
                _ => "-".into(),
            });
        }
        lines.push(line);
    };
    add("who can write", &|s, _| who_writes(s));
    add("concurrent writes", &|s, _| {
        on_conflict(&s.replication.mode).into()
    });
    add("writes accepted", &|_, r| count(r.summary.writes));
    add("write latency p50 / p99 ms", &|_, _| String::new());
    for name in scenario.region_names() {
        add(
            &format!("  from {name}"),
            &|_, r| match r.regions.iter().find(|x| x.region == name) {
                Some(x) if x.writes == 0 => "no writes".into(),
                Some(x) => format!(
                    "{} / {}",
                    ms(x.write_latency_p50_ms),
                    ms(x.write_latency_p99_ms)
                ),
                None => "-".into(),
            },
        );
    }
    add("lost writes", &|_, r| {
        format!(
            "{} ({})",
            count(r.summary.lost_writes),
            percent(r.summary.lost_write_rate)
        )
    });
    add("  silently (conflicts)", &|_, r| count(r.summary.conflicts));
    add("write conflict errors", &|_, r| {
        count(r.summary.mode_extras.write_conflict_errors)
    });
    add("rejected writes", &|_, r| {
        count(r.summary.mode_extras.rejected_writes)
    });
    add("forwarded writes", &|_, r| {
        count(r.summary.mode_extras.forwarded_writes)
    });
    add("unavailable writes", &|_, r| {
        count(r.summary.mode_extras.unavailable_writes)
    });
    add("failed writes (region down)", &|_, r| {
        count(r.summary.failed_writes)
    });
    add("stale reads", &|_, r| {
        format!(
            "{} ({})",
            count(r.summary.stale_reads),
            percent(r.summary.stale_read_rate)
        )
    });
    add("replication lag p99 ms", &|_, r| ms(r.summary.lag_p99_ms));
    add(
        "region outage: RPO lost",
        &|s, r| match s.replication.mode {
            Mode::SinglePrimary(_) => format!(
                "{} over {} ms",
                count(r.summary.mode_extras.rpo_lost_writes),
                ms(r.summary.mode_extras.rpo_window_ms)
            ),
            _ => "0 (nothing acknowledged is lost)".into(),
        },
    );
    add("  write downtime ms", &|s, r| match s.replication.mode {
        Mode::SinglePrimary(_) => ms(r.summary.mode_extras.failover_ms),
        _ => "0 (other regions write)".into(),
    });
    add("converged", &|_, r| {
        if r.summary.converged {
            "yes".into()
        } else {
            "NO".into()
        }
    });
    let mut out = format!(
        "{}: {} compared on the same operations, seed {}\n\n",
        scenario.name,
        rows.iter().map(|r| r.mode).collect::<Vec<_>>().join(", "),
        scenario.seed
    );
    out.push_str(&indent(&table(&lines, "L")));
    for r in rows.iter().filter(|r| !r.note.is_empty()) {
        out.push_str(&format!("\n  {}: not run: {}\n", r.mode, r.note));
    }
    out
}
