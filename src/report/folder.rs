//! What goes into a result folder, and where: the files of one run and the
//! layout of a `compare` folder. Bytes only; `output.rs` writes them.

use std::path::Path;

use crate::error::Result;
use crate::metrics::result::{RunResult, Trace};
use crate::report::charts::{self, ChartFormat};
use crate::report::compare::{self, CompareRow};
use crate::report::html::{self, ReportInput};
use crate::report::output::OutputFile;
use crate::report::{compare_html, csv_out};
use crate::scenario::{self, Scenario};

/// The files of one run's result folder (CSV files, the resolved
/// scenario, the HTML report and the charts in `charts`' format, if any),
/// and how many charts there are. The report's explain view is drawn from
/// `trace` when there is one.
pub fn run_files(
    scenario: &Scenario,
    result: &RunResult,
    trace: Option<&Trace>,
    command: &str,
    charts: Option<ChartFormat>,
) -> Result<(Vec<OutputFile>, usize)> {
    run_files_with_view(scenario, result, trace, trace, command, charts)
}

/// `run_files`, with the trace files written from `trace` and the
/// report's explain view drawn from `view_trace` (a run kept for the
/// report only writes no trace files).
pub fn run_files_with_view(
    scenario: &Scenario,
    result: &RunResult,
    trace: Option<&Trace>,
    view_trace: Option<&Trace>,
    command: &str,
    charts: Option<ChartFormat>,
) -> Result<(Vec<OutputFile>, usize)> {
    let mut files: Vec<OutputFile> = csv_out::all_files(result, trace)?
        .into_iter()
        .map(|f| OutputFile::new(f.file_name, f.bytes))
        .collect();
    let resolved_yaml = scenario::to_yaml(scenario);
    files.push(OutputFile::new("scenario.yaml", resolved_yaml.as_bytes()));
    let chart_list = match charts {
        Some(format) => {
            let mut all = charts::render_all(result, format)?;
            all.extend(charts::visibility::render(result, format)?);
            all
        }
        None => Vec::new(),
    };
    let report = html::render_report(&ReportInput {
        scenario,
        result,
        resolved_yaml: &resolved_yaml,
        command,
        charts: &chart_list,
    });
    let view = crate::explain::page::report_section(scenario, view_trace);
    let report = crate::explain::page::insert_into_report(report, &view);
    files.push(OutputFile::new("report.html", report.into_bytes()));
    for chart in &chart_list {
        files.push(OutputFile::new(
            Path::new("charts").join(&chart.file_name),
            chart.bytes.clone(),
        ));
    }
    Ok((files, chart_list.len()))
}

/// The files of a `compare` folder: `compare.csv`, `report.html`, the
/// comparison charts under `charts/`, and each mode's run folder (given in
/// `modes`, as `run_files` made them) under `<mode>/`.
pub fn compare_files(
    base: &Scenario,
    rows: &[CompareRow<'_>],
    modes: Vec<(&str, Vec<OutputFile>)>,
    command: &str,
    charts: Option<ChartFormat>,
) -> Result<Vec<OutputFile>> {
    let mut files = vec![OutputFile::new(
        "compare.csv",
        compare::compare_csv(base, rows)?,
    )];
    let compare_charts = match charts {
        Some(format) => charts::compare::render_all(&base.region_names(), rows, format)?,
        None => Vec::new(),
    };
    let report = compare_html::render_compare_report(&compare_html::CompareReportInput {
        scenario: base,
        rows,
        command,
        charts: &compare_charts,
    });
    files.push(OutputFile::new(compare_html::FILE_NAME, report));
    for (mode, mode_files) in modes {
        files.extend(
            mode_files
                .into_iter()
                .map(|f| OutputFile::new(Path::new(mode).join(f.path), f.bytes)),
        );
    }
    for chart in compare_charts {
        files.push(OutputFile::new(
            Path::new("charts").join(&chart.file_name),
            chart.bytes,
        ));
    }
    Ok(files)
}
