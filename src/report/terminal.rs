//! The summary a user reads in the terminal after a run.
//!
//! Plain text with aligned columns and no colours, so it reads the same in a
//! terminal, a CI log or a pasted issue. The seed is always shown, and
//! `reproduce_command` gives the one command line that repeats the run.
//! Only formatting happens here: no files, no I/O.

use std::fmt::Write as _;

use crate::metrics::result::{FaultRow, RunResult, Summary};
use crate::report::format::{count, duration, percent, plain, TimeUnit};
use crate::report::words;

/// The whole summary of one run, ending with a newline.
pub fn summary(result: &RunResult) -> String {
    let s = &result.summary;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} ({}, {} timestamps), seed {}, {} s of traffic",
        s.scenario,
        s.mode,
        s.timestamps,
        s.seed,
        plain(s.duration_s, 3)
    );
    out.push('\n');
    out.push_str(&indent(&table(&headline_rows(s), "LRL")));

    let causes = words::loss_causes(s);
    if !causes.is_empty() {
        out.push_str("\nlost writes by cause\n");
        let mut rows = vec![cells(&["cause", "lost", "share"])];
        for c in &causes {
            rows.push(vec![
                c.label.to_string(),
                count(c.count),
                percent(c.count as f64 / s.lost_writes as f64),
            ]);
        }
        out.push_str(&indent(&table(&rows, "L")));
    }

    if !result.links.is_empty() {
        out.push_str("\nreplication lag per stream\n");
        let links = &result.links;
        let unit =
            |get: fn(&crate::metrics::result::LinkRow) -> f64| TimeUnit::fit(links.iter().map(get));
        let units = [
            unit(|l| l.lag_p50_ms),
            unit(|l| l.lag_p90_ms),
            unit(|l| l.lag_p99_ms),
            unit(|l| l.lag_max_ms),
        ];
        let mut rows = vec![cells(&["from", "to", "deliveries"])];
        for (name, u) in ["p50", "p90", "p99", "max"].iter().zip(units) {
            rows[0].push(format!("{name} {}", u.name()));
        }
        rows[0].extend(cells(&["max backlog", "undelivered"]));
        for l in links {
            let lags = [l.lag_p50_ms, l.lag_p90_ms, l.lag_p99_ms, l.lag_max_ms];
            let mut row = vec![l.from.clone(), l.to.clone(), count(l.deliveries)];
            // A stream that delivered nothing has no lag to show.
            row.extend(lags.iter().zip(units).map(|(v, u)| {
                if l.deliveries == 0 && l.undelivered == 0 {
                    "-".to_string()
                } else {
                    lag(*v, l.censored_from_ms, u)
                }
            }));
            row.extend([count(l.max_backlog), count(l.undelivered)]);
            rows.push(row);
        }
        out.push_str(&indent(&table(&rows, "LL")));
    }

    if !result.regions.is_empty() {
        out.push_str("\nregions\n");
        let show_failed = result.regions.iter().any(|r| r.failed_ops > 0);
        let show_latency = result
            .regions
            .iter()
            .any(|r| r.write_latency_p50_ms > 0.0 || r.write_latency_p99_ms > 0.0);
        let mut header = cells(&["region", "writes", "reads", "lost writes", "stale reads"]);
        if show_failed {
            header.push("failed ops".into());
        }
        let p50 = TimeUnit::fit(result.regions.iter().map(|r| r.write_latency_p50_ms));
        let p99 = TimeUnit::fit(result.regions.iter().map(|r| r.write_latency_p99_ms));
        if show_latency {
            header.push(format!("write p50 {}", p50.name()));
            header.push(format!("write p99 {}", p99.name()));
        }
        let mut rows = vec![header];
        for r in &result.regions {
            let mut row = vec![
                r.region.clone(),
                count(r.writes),
                count(r.reads),
                count(r.lost_writes),
                count(r.stale_reads),
            ];
            if show_failed {
                row.push(count(r.failed_ops));
            }
            if show_latency {
                row.push(p50.number(r.write_latency_p50_ms));
                row.push(p99.number(r.write_latency_p99_ms));
            }
            rows.push(row);
        }
        out.push_str(&indent(&table(&rows, "L")));
    }

    if !result.fault_rows.is_empty() {
        out.push_str(&fault_block(&result.fault_rows));
    }
    out
}

/// One line per fault: what was issued during it, and how long after its
/// end the replicas were back in step. `-` where a figure does not apply,
/// `≥` where the run ended first.
fn fault_block(faults: &[FaultRow]) -> String {
    let units = fault_units(faults);
    let mut rows = vec![cells(&[
        "fault",
        "",
        "start s",
        "end s",
        "writes",
        "lost",
        "stale reads",
        "max backlog",
    ])];
    rows[0].push(format!("catch-up {}", units.0.name()));
    rows[0].push(format!("drain {}", units.1.name()));
    for f in faults {
        rows.push(vec![
            f.fault.to_string(),
            f.label.clone(),
            plain(f.start_s, 3),
            f.end_s.map_or_else(|| "never".into(), |e| plain(e, 3)),
        ]);
        rows.last_mut()
            .expect("pushed")
            .extend(fault_cells(f, "-", units));
    }
    format!(
        "\nfaults (figures of operations issued during each; catch-up and drain from its end)\n{}",
        indent(&table(&rows, "RL"))
    )
}

/// The label/value rows of the top block: short values aligned right,
/// units and remarks in a third column.
fn headline_rows(s: &Summary) -> Vec<Vec<String>> {
    let none = String::new;
    let mut rows = vec![
        row("writes", count(s.writes), none()),
        row(
            "lost writes",
            count(s.lost_writes),
            percent(s.lost_write_rate),
        ),
        row("conflicts", count(s.conflicts), none()),
        row("causal inversions", count(s.causal_inversions), none()),
    ];
    if s.increments > 0 || s.lost_increments > 0 {
        rows.push(row("increments", count(s.increments), none()));
        let rate = if s.increments > 0 {
            percent(s.lost_increments as f64 / s.increments as f64)
        } else {
            none()
        };
        rows.push(row("lost increments", count(s.lost_increments), rate));
    }
    rows.push(row("reads", count(s.reads), none()));
    rows.push(row(
        "stale reads",
        count(s.stale_reads),
        percent(s.stale_read_rate),
    ));
    if s.stale_reads > 0 {
        rows.push(ms_row("staleness p50", s.staleness_p50_ms));
        rows.push(ms_row("staleness p99", s.staleness_p99_ms));
    }
    let censored = s.lag_censored_from_ms;
    for (label, v) in [
        ("lag p50", s.lag_p50_ms),
        ("lag p99", s.lag_p99_ms),
        ("lag max", s.lag_max_ms),
    ] {
        let unit = TimeUnit::fit([v]);
        rows.push(row(label, lag(v, censored, unit), unit.name().into()));
    }
    if s.undelivered > 0 {
        rows.push(row(
            "undelivered",
            count(s.undelivered),
            "writes never arrived: lags marked ≥ are lower bounds".into(),
        ));
    }
    rows.push(row("max backlog", count(s.max_backlog), "messages".into()));
    if s.converged {
        rows.push(row(
            "converged",
            "yes".into(),
            format!(
                "{} after the workload and faults ended",
                duration(s.convergence_ms)
            ),
        ));
    } else if s.undelivered > 0 {
        rows.push(row(
            "converged",
            "NO".into(),
            format!(
                "{} writes undelivered at the drain limit",
                count(s.undelivered)
            ),
        ));
    } else {
        rows.push(row("converged", "NO".into(), "regions disagree".into()));
    }
    if s.failed_writes > 0 || s.failed_reads > 0 {
        rows.push(row(
            "failed writes",
            count(s.failed_writes),
            "region down".into(),
        ));
        rows.push(row(
            "failed reads",
            count(s.failed_reads),
            "region down".into(),
        ));
    }
    if s.rerouted_ops > 0 {
        rows.push(row("rerouted ops", count(s.rerouted_ops), none()));
    }
    let m = &s.mode_extras;
    match s.mode.as_str() {
        "single_primary" => {
            rows.push(row("rejected writes", count(m.rejected_writes), none()));
            rows.push(row("forwarded writes", count(m.forwarded_writes), none()));
            rows.push(ms_row("write latency p50", m.write_latency_p50_ms));
            rows.push(ms_row("write latency p99", m.write_latency_p99_ms));
            if let Some(cause) = words::downtime_cause(m) {
                let unit = TimeUnit::fit([m.failover_ms]);
                rows.push(row(
                    "write downtime",
                    unit.number(m.failover_ms),
                    format!("{} ({cause}: no writable primary)", unit.name()),
                ));
            }
            if words::had_failover(m) {
                rows.push(row(
                    "RPO lost writes",
                    count(m.rpo_lost_writes),
                    format!("issued over {}", duration(m.rpo_window_ms)),
                ));
            }
        }
        "strong" => {
            rows.push(row(
                "write conflict errors",
                count(m.write_conflict_errors),
                none(),
            ));
            rows.push(row(
                "unavailable writes",
                count(m.unavailable_writes),
                none(),
            ));
            rows.push(ms_row("write latency p50", m.write_latency_p50_ms));
            rows.push(ms_row("write latency p99", m.write_latency_p99_ms));
        }
        _ => {}
    }
    rows
}

/// A lag percentile in `unit`, marked `≥` when it rests on censored values
/// (writes that never arrived, counted at the run's end minus their issue).
fn lag(v: f64, censored_from_ms: Option<f64>, unit: TimeUnit) -> String {
    match censored_from_ms {
        Some(c) if v >= c => format!("≥{}", unit.number(v)),
        _ => unit.number(v),
    }
}

/// A time on a row of its own: the value in the unit that fits it, the
/// unit beside it.
fn ms_row(label: &str, v: f64) -> Vec<String> {
    let unit = TimeUnit::fit([v]);
    row(label, unit.number(v), unit.name().into())
}

fn row(label: &str, value: String, note: String) -> Vec<String> {
    vec![label.to_string(), value, note]
}

fn cells(names: &[&str]) -> Vec<String> {
    names.iter().map(|s| s.to_string()).collect()
}

/// Lay out rows as columns separated by two spaces. Column `i` is aligned
/// left where `align`'s `i`th character is `L`, else right; trailing spaces
/// are trimmed.
pub(crate) fn table(rows: &[Vec<String>], align: &str) -> String {
    let left: Vec<bool> = align.chars().map(|c| c == 'L').collect();
    let ncols = rows.iter().map(Vec::len).max().unwrap_or(0);
    let mut widths = vec![0; ncols];
    for r in rows {
        for (i, c) in r.iter().enumerate() {
            widths[i] = widths[i].max(c.chars().count());
        }
    }
    let mut out = String::new();
    for r in rows {
        let mut line = String::new();
        for (i, c) in r.iter().enumerate() {
            if i > 0 {
                line.push_str("  ");
            }
            let w = widths[i];
            if left.get(i).copied().unwrap_or(false) {
                let _ = write!(line, "{c:<w$}");
            } else {
                let _ = write!(line, "{c:>w$}");
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

pub(crate) fn indent(text: &str) -> String {
    text.lines().map(|l| format!("  {l}\n")).collect()
}

/// The units of the catch-up and drain columns of a fault table, each
/// chosen once from its column.
pub(crate) fn fault_units(faults: &[FaultRow]) -> (TimeUnit, TimeUnit) {
    (
        TimeUnit::fit(faults.iter().filter_map(|f| f.catch_up_ms)),
        TimeUnit::fit(faults.iter().filter_map(|f| f.drain_ms)),
    )
}

/// A fault's figures as cells, for the terminal and the report alike:
/// window counts, max backlog, catch-up and drain (in the columns' units,
/// from `fault_units`), with `none` where a figure does not apply and `≥`
/// before a bound the run's end cut short.
pub(crate) fn fault_cells(f: &FaultRow, none: &str, units: (TimeUnit, TimeUnit)) -> Vec<String> {
    let n = |v: Option<u64>| v.map_or_else(|| none.to_string(), count);
    let span = |v: Option<f64>, censored: bool, unit: TimeUnit| match v {
        None => none.to_string(),
        Some(v) if censored => format!("≥{}", unit.number(v)),
        Some(v) => unit.number(v),
    };
    vec![
        n(f.writes),
        n(f.lost_writes),
        n(f.stale_reads),
        n(f.max_backlog),
        span(f.catch_up_ms, f.catch_up_censored, units.0),
        span(f.drain_ms, f.drain_censored, units.1),
    ]
}

/// The command that repeats a run exactly:
/// `replisim run <file> --seed N [--set PATH=VALUE]...`.
pub fn reproduce_command(scenario: &str, seed: u64, sets: &[String]) -> String {
    let mut cmd = format!("replisim run {} --seed {seed}", shell_quote(scenario));
    for s in sets {
        cmd.push_str(" --set ");
        cmd.push_str(&shell_quote(s));
    }
    cmd
}

/// The command line that repeats a `compare`, every word shell-quoted.
pub fn compare_command(scenario: &str, modes: &[&str], seed: u64, sets: &[String]) -> String {
    let mut cmd = format!(
        "replisim compare {} --modes {} --seed {seed}",
        shell_quote(scenario),
        shell_quote(&modes.join(","))
    );
    for s in sets {
        cmd.push_str(" --set ");
        cmd.push_str(&shell_quote(s));
    }
    cmd
}

/// Quote a word for a POSIX shell when it needs it.
pub fn shell_quote(word: &str) -> String {
    let plain = !word.is_empty()
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./=:,+@%".contains(c));
    if plain {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::result::{LinkRow, RegionRow};

    #[test]
    fn reproduce_quotes_when_needed() {
        assert_eq!(
            reproduce_command(
                "scenarios/a.yaml",
                7,
                &["replication.timestamps=hlc".into()]
            ),
            "replisim run scenarios/a.yaml --seed 7 --set replication.timestamps=hlc"
        );
        assert_eq!(
            reproduce_command("my file.yaml", 1, &["a=it's".into()]),
            r"replisim run 'my file.yaml' --seed 1 --set 'a=it'\''s'"
        );
    }

    #[test]
    fn summary_shows_seed_and_rows() {
        let mut r = RunResult::default();
        r.summary.scenario = "demo".into();
        r.summary.mode = "active_active".into();
        r.summary.timestamps = "wall".into();
        r.summary.seed = 42;
        r.summary.duration_s = 60.0;
        r.summary.writes = 1000;
        r.summary.lost_writes = 10;
        r.summary.lost_write_rate = 0.01;
        r.summary.converged = true;
        r.links.push(LinkRow {
            from: "us-east-1".into(),
            to: "eu-west-1".into(),
            deliveries: 1000,
            lag_p50_ms: 35.0,
            ..LinkRow::default()
        });
        r.regions.push(RegionRow {
            region: "us-east-1".into(),
            writes: 1000,
            ..RegionRow::default()
        });
        let text = summary(&r);
        assert!(text.starts_with("demo (active_active, wall timestamps), seed 42, 60 s"));
        assert!(text.contains("lost writes"));
        assert!(text.contains("1%"));
        assert!(text.contains("us-east-1  eu-west-1"));
        assert!(text.lines().all(|l| l == l.trim_end()));
    }
}
