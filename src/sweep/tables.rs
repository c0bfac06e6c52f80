//! A sweep's two tables: `runs.csv`, one row per (variant, replication) in
//! long format, and `sweep.csv`, one row per variant with each figure's
//! mean, standard deviation and 95% interval over the replications.
//!
//! `sweep.csv` is computed from the cells of `runs.csv` as written (read
//! back as numbers), never from values held elsewhere, so a sweep rebuilt
//! from its runs (after sharding or a resume) gives the same bytes. Text
//! cells (the varied values, the paths) go through the CSV files' one
//! guard against formula cells.

use crate::error::{Error, Result};
use crate::metrics::figures;
use crate::report::{csv_out, format};

use super::plan::{Plan, Variant};
use super::stats::{self, Estimate};

/// One finished run: its place in the plan and its `summary.csv` cells.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RunRow {
    pub variant: usize,
    pub replication: u32,
    pub cells: Vec<String>,
}

/// The figures `sweep.csv` gives for every variant: every numeric
/// `summary.csv` column but the seed.
pub fn figure_names() -> Vec<&'static str> {
    figures::numeric_names(figures::SUMMARY)
        .into_iter()
        .filter(|n| *n != "seed")
        .collect()
}

/// The `runs.csv` header: variant, replication, each dimension's path,
/// then every `summary.csv` column.
pub fn runs_header(plan: &Plan) -> Vec<String> {
    let mut h = vec!["variant".to_string(), "replication".to_string()];
    h.extend(plan.dims.iter().map(|d| format::text_cell(&d.path)));
    h.extend(csv_out::summary_columns().into_iter().map(String::from));
    h
}

/// `runs.csv`: `rows` in plan order.
pub fn runs_csv(plan: &Plan, variants: &[Variant], rows: &[RunRow]) -> Result<Vec<u8>> {
    let mut records = Vec::with_capacity(rows.len());
    for r in rows {
        let v = &variants[r.variant];
        let mut rec = vec![r.variant.to_string(), r.replication.to_string()];
        rec.extend(
            plan.dims
                .iter()
                .zip(&v.values)
                .map(|(d, &i)| format::text_cell(&d.values[i])),
        );
        rec.extend(r.cells.iter().cloned());
        records.push(rec);
    }
    write_csv(&runs_header(plan), &records)
}

/// One variant's figures over its replications.
#[derive(Clone, Debug, PartialEq)]
pub struct VariantFigures {
    pub variant: usize,
    pub mode: String,
    /// Per name of `figure_names()`, in that order.
    pub estimates: Vec<Estimate>,
}

impl VariantFigures {
    /// The estimate of figure `name`.
    pub fn get(&self, name: &str) -> Option<&Estimate> {
        figure_names()
            .iter()
            .position(|n| *n == name)
            .map(|i| &self.estimates[i])
    }
}

/// The figures of every variant, from the run rows (in plan order, every
/// variant's replications together). `modes` is each variant's mode name.
pub fn variant_figures(rows: &[RunRow], modes: &[String]) -> Result<Vec<VariantFigures>> {
    let columns = csv_out::summary_columns();
    let names = figure_names();
    let at: Vec<usize> = names
        .iter()
        .map(|n| columns.iter().position(|c| c == n).unwrap_or(0))
        .collect();
    let mut out = Vec::with_capacity(modes.len());
    for (variant, mode) in modes.iter().enumerate() {
        let runs: Vec<&RunRow> = rows.iter().filter(|r| r.variant == variant).collect();
        let mut estimates = Vec::with_capacity(names.len());
        for (k, &col) in at.iter().enumerate() {
            let mut values = Vec::with_capacity(runs.len());
            for r in &runs {
                let cell = r.cells.get(col).map_or("", String::as_str);
                values.push(number(cell).ok_or_else(|| {
                    Error::new(format!(
                        "variant {variant}, replication {}: {}: '{cell}' is not a number",
                        r.replication, names[k]
                    ))
                })?);
            }
            estimates.push(stats::estimate(&values));
        }
        out.push(VariantFigures {
            variant,
            mode: mode.clone(),
            estimates,
        });
    }
    Ok(out)
}

/// A `summary.csv` cell as a number: booleans read as 1 and 0.
fn number(cell: &str) -> Option<f64> {
    match cell {
        "true" => Some(1.0),
        "false" => Some(0.0),
        _ => cell.parse::<f64>().ok().filter(|v| v.is_finite()),
    }
}

/// The `sweep.csv` header.
pub fn sweep_header(plan: &Plan) -> Vec<String> {
    let mut h = vec!["variant".to_string()];
    h.extend(plan.dims.iter().map(|d| format::text_cell(&d.path)));
    h.push("mode".to_string());
    h.push("n".to_string());
    for f in figure_names() {
        for part in ["mean", "sd", "ci_low", "ci_high"] {
            h.push(format!("{f}_{part}"));
        }
    }
    h
}

/// A statistic as `sweep.csv` writes it: six decimals, empty when absent.
pub fn format_stat(v: Option<f64>) -> String {
    match v {
        Some(v) => {
            let text = format!("{v:.6}");
            if text == "-0.000000" {
                "0.000000".to_string()
            } else {
                text
            }
        }
        None => String::new(),
    }
}

/// `sweep.csv`: one row per variant, in plan order.
pub fn sweep_csv(plan: &Plan, variants: &[Variant], figures: &[VariantFigures]) -> Result<Vec<u8>> {
    let mut records = Vec::with_capacity(figures.len());
    for f in figures {
        let v = &variants[f.variant];
        let mut rec = vec![f.variant.to_string()];
        rec.extend(
            plan.dims
                .iter()
                .zip(&v.values)
                .map(|(d, &i)| format::text_cell(&d.values[i])),
        );
        rec.push(format::text_cell(&f.mode));
        rec.push(f.estimates.first().map_or(0, |e| e.n).to_string());
        for e in &f.estimates {
            rec.push(format_stat(Some(e.mean)));
            rec.push(format_stat(e.sd));
            rec.push(format_stat(e.ci.map(|c| c.0)));
            rec.push(format_stat(e.ci.map(|c| c.1)));
        }
        records.push(rec);
    }
    write_csv(&sweep_header(plan), &records)
}

fn write_csv(header: &[String], records: &[Vec<String>]) -> Result<Vec<u8>> {
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    let fail = |e: csv::Error| Error::new(format!("cannot format CSV: {e}"));
    w.write_record(header).map_err(fail)?;
    for r in records {
        w.write_record(r).map_err(fail)?;
    }
    w.into_inner()
        .map_err(|e| Error::new(format!("cannot format CSV: {}", e.error())))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sweep::plan::parse_vary;

    #[test]
    fn stats_come_from_the_written_cells() {
        let plan = Plan {
            dims: vec![parse_vary("a=1,2").unwrap()],
            modes: vec![],
            seeds: 2,
        };
        let variants = plan.variants();
        let columns = csv_out::summary_columns();
        let cells = |rate: &str| -> Vec<String> {
            columns
                .iter()
                .map(|c| match *c {
                    "scenario" | "mode" | "timestamps" | "ordering" => "x".to_string(),
                    "lost_write_rate" => rate.to_string(),
                    "converged" => "true".to_string(),
                    _ => "0".to_string(),
                })
                .collect()
        };
        let rows = vec![
            RunRow {
                variant: 0,
                replication: 0,
                cells: cells("0.100000"),
            },
            RunRow {
                variant: 0,
                replication: 1,
                cells: cells("0.300000"),
            },
            RunRow {
                variant: 1,
                replication: 0,
                cells: cells("0.500000"),
            },
            RunRow {
                variant: 1,
                replication: 1,
                cells: cells("0.500000"),
            },
        ];
        let modes = vec!["active_active".to_string(); 2];
        let figures = variant_figures(&rows, &modes).unwrap();
        let e = figures[0].get("lost_write_rate").unwrap();
        // Mean 0.2, s = 0.1414214, half width 12.7062047 · 0.1 = 1.2706205.
        assert!((e.mean - 0.2).abs() < 1e-12);
        assert!((e.ci.unwrap().1 - 1.470_620_5).abs() < 1e-6);
        assert_eq!(figures[0].get("converged").unwrap().mean, 1.0);
        let text = String::from_utf8(sweep_csv(&plan, &variants, &figures).unwrap()).unwrap();
        let mut lines = text.lines();
        let head: Vec<&str> = lines.next().unwrap().split(',').collect();
        assert_eq!(&head[..4], ["variant", "a", "mode", "n"]);
        let row: Vec<&str> = lines.nth(1).unwrap().split(',').collect();
        let at = head
            .iter()
            .position(|h| *h == "lost_write_rate_mean")
            .unwrap();
        assert_eq!(&row[..4], ["1", "2", "active_active", "2"]);
        assert_eq!(
            &row[at..at + 4],
            ["0.500000", "0.000000", "0.500000", "0.500000"]
        );
        let runs = String::from_utf8(runs_csv(&plan, &variants, &rows).unwrap()).unwrap();
        assert!(runs.starts_with("variant,replication,a,scenario,seed,mode,"));
        assert!(runs.lines().nth(3).unwrap().starts_with("1,0,2,x,0,x,"));
    }
}
