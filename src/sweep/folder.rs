//! What goes into a sweep folder: `plan.json`, `runs.csv` and, for a whole
//! plan, `sweep.csv`, the charts and `report.html`, with the plan's
//! expectations checked. The same function makes the folder of a sweep
//! run in one process, resumed, or merged from shards, from the plan
//! record and the runs alone, so all give the same bytes.

use std::path::Path;

use crate::error::{Error, Result};
use crate::report::charts::ChartFormat;
use crate::report::csv_out;
use crate::report::output::OutputFile;

use super::expect::{self, SweepOutcome};
use super::record::{PlanRecord, PLAN_FILE};
use super::tables::{self, RunRow, VariantFigures};
use super::{report, text};

/// What a whole plan's folder adds to its runs.
pub struct Whole {
    pub figures: Vec<VariantFigures>,
    /// The figures of the table and the charts.
    pub shown: Vec<&'static str>,
    pub outcomes: Vec<SweepOutcome>,
    pub charts: usize,
}

/// Each variant's mode, read from its runs' `mode` cells (every variant
/// has at least one run in a whole plan).
pub fn variant_modes(record: &PlanRecord, rows: &[RunRow]) -> Result<Vec<String>> {
    let at = csv_out::summary_columns()
        .iter()
        .position(|c| *c == "mode")
        .unwrap_or(0);
    let mut modes: Vec<Option<String>> = vec![None; record.variants as usize];
    for r in rows {
        if modes[r.variant].is_none() {
            modes[r.variant] = r.cells.get(at).cloned();
        }
    }
    modes
        .into_iter()
        .enumerate()
        .map(|(v, m)| m.ok_or_else(|| Error::new(format!("variant {v} has no runs"))))
        .collect()
}

/// The record's figure names, checked; the defaults for the modes when
/// it names none.
pub fn shown_figures(names: &[String], modes: &[String]) -> Result<Vec<&'static str>> {
    if names.is_empty() {
        return Ok(text::default_figures(modes));
    }
    let known = tables::figure_names();
    let mut out = Vec::new();
    for n in names {
        let n = n.trim();
        match known.iter().find(|k| **k == n) {
            Some(k) if !out.contains(k) => out.push(*k),
            Some(_) => {}
            None => {
                return Err(Error::new(format!(
                    "--figures: {}",
                    crate::scenario::unknown_name("figure", n, &known, "figures are")
                )))
            }
        }
    }
    Ok(out)
}

/// The chart format a record names.
fn chart_format(name: &str) -> Result<Option<ChartFormat>> {
    match name {
        "svg" => Ok(Some(ChartFormat::Svg)),
        "png" => Ok(Some(ChartFormat::Png)),
        "none" => Ok(None),
        other => Err(Error::new(format!(
            "{PLAN_FILE}: charts: '{other}' is not svg, png or none"
        ))),
    }
}

/// The files of a sweep folder. `rows` are in plan order: every run of
/// the plan, or with a shard in `record`, every run of its slice (then
/// there is no `sweep.csv`, chart or report: a slice's variants are
/// incomplete).
pub fn files(record: &PlanRecord, rows: &[RunRow]) -> Result<(Vec<OutputFile>, Option<Whole>)> {
    let plan = record.plan();
    let variants = plan.variants();
    let mut files = vec![
        OutputFile::new(PLAN_FILE, record.to_bytes()),
        OutputFile::new("runs.csv", tables::runs_csv(&plan, &variants, rows)?),
    ];
    if record.shard.is_some() {
        return Ok((files, None));
    }
    let modes = variant_modes(record, rows)?;
    let figures = tables::variant_figures(rows, &modes)?;
    files.push(OutputFile::new(
        "sweep.csv",
        tables::sweep_csv(&plan, &variants, &figures)?,
    ));
    let shown = shown_figures(&record.figures, &modes)?;
    let expects = record
        .expect
        .iter()
        .map(|e| {
            expect::parse(&e.name, &e.condition).map_err(|m| Error::new(format!("{}: {m}", e.name)))
        })
        .collect::<Result<Vec<_>>>()?;
    let outcomes = expect::check(&expects, &figures);
    let lines: Vec<String> = outcomes.iter().map(|o| expect::line(&plan, o)).collect();
    let charts = match chart_format(&record.charts)? {
        Some(f) => report::charts(&plan, &variants, &figures, &shown, f)?,
        None => Vec::new(),
    };
    let html = report::html(record, &figures, &shown, &charts, &lines);
    files.push(OutputFile::new("report.html", html.into_bytes()));
    let count = charts.len();
    for c in charts {
        files.push(OutputFile::new(
            Path::new("charts").join(&c.file_name),
            c.bytes,
        ));
    }
    Ok((
        files,
        Some(Whole {
            figures,
            shown,
            outcomes,
            charts: count,
        }),
    ))
}
