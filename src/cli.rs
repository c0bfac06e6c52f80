//! Command-line arguments and dispatch.
//!
//! `main` parses the arguments with clap, runs one subcommand and returns
//! the process exit code: 0 when everything worked, 1 when a run worked but
//! one of its `expect:` conditions failed, 2 for bad input or any other
//! error. Errors are printed as one `error: <message>` line on stderr; the
//! tables and results go to stdout, the progress bar to stderr.
//!
//! This is the only place that talks to the terminal and the wall clock;
//! the layers below take a scenario and return data.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::time::Instant;

use clap::{Args, Parser, Subcommand};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::error::{Error, Result};
use crate::model::{self, RunOptions, RunOutput};
use crate::report::charts::{self, ChartFormat};
use crate::report::html::{self, ReportInput};
use crate::report::output::{self, OutputFile};
use crate::report::{self, csv_out, terminal};
use crate::scenario::{self, bundled, Scenario};

/// Exit code: everything worked.
pub const EXIT_OK: i32 = 0;
/// Exit code: a run worked, but an `expect:` condition failed.
pub const EXIT_EXPECTATION_FAILED: i32 = 1;
/// Exit code: bad input, or any other error.
pub const EXIT_ERROR: i32 = 2;

#[derive(Debug, Parser)]
#[command(
    name = "replisim",
    version,
    about = "Deterministic simulator of multi-region database replication",
    long_about = "Deterministic discrete-event simulator of multi-region database \
                  replication: active-active last-writer-wins, single-primary and \
                  strong modes. The same scenario and seed always give the same files."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run scenarios and write their results (CSV, charts, HTML report).
    Run(RunArgs),
    /// Check scenario files without running them.
    Validate(ValidateArgs),
    /// List the bundled scenarios.
    List,
    /// Run one scenario under several replication modes on the same
    /// client operations and show the results side by side.
    Compare(CompareArgs),
    /// List the regions of a latency preset, or, given two or more
    /// regions, print their round-trip matrix.
    Regions(RegionsArgs),
    /// Measure the simulator's speed on a built-in write-only scenario.
    Bench(BenchArgs),
}

#[derive(Debug, Args)]
struct RegionsArgs {
    /// Regions to show the round trips between (two or more).
    #[arg(value_name = "REGION")]
    regions: Vec<String>,

    /// The latency preset.
    #[arg(long, value_name = "NAME", default_value = "aws-2025-07")]
    preset: String,
}

#[derive(Debug, Args)]
struct RunArgs {
    /// A scenario file, or the name of a bundled scenario (see `replisim list`).
    #[arg(value_name = "SCENARIO", required = true)]
    scenarios: Vec<String>,

    /// Use this seed instead of the scenario's.
    #[arg(long, value_name = "N", value_parser = parse_seed)]
    seed: Option<u64>,

    /// Output folder [default: output/<scenario name>]; with several
    /// scenarios, each goes to <DIR>/<scenario name>.
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,

    /// Override a scenario field by its path, e.g.
    /// `replication.timestamps=hlc` or `regions.eu-west-1.clock.offset=200ms`.
    #[arg(long = "set", value_name = "PATH=VALUE")]
    sets: Vec<String>,

    /// Also write every write and delivery (writes.csv, deliveries.csv).
    #[arg(long)]
    trace: bool,

    /// No progress bar and no summary table.
    #[arg(long, short)]
    quiet: bool,

    /// Draw charts as PNG instead of SVG.
    #[arg(long, conflicts_with = "no_charts")]
    png: bool,

    /// Draw no charts (the HTML report still has the tables).
    #[arg(long)]
    no_charts: bool,

    /// Refuse a scenario expected to take more simulator events than this
    /// [default: 1000000000].
    #[arg(long, value_name = "N", value_parser = parse_count)]
    max_events: Option<u64>,
}

#[derive(Debug, Args)]
struct CompareArgs {
    /// A scenario file, or the name of a bundled scenario.
    #[arg(value_name = "SCENARIO")]
    scenario: String,

    /// The modes to compare, separated by commas.
    #[arg(
        long,
        value_name = "MODES",
        value_delimiter = ',',
        default_value = "active_active,single_primary,strong"
    )]
    modes: Vec<String>,

    /// Use this seed instead of the scenario's.
    #[arg(long, value_name = "N", value_parser = parse_seed)]
    seed: Option<u64>,

    /// Output folder [default: output/<scenario name>-compare]: compare.csv
    /// and one result folder per mode.
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,

    /// Override a scenario field by its path, as with `run`.
    #[arg(long = "set", value_name = "PATH=VALUE")]
    sets: Vec<String>,

    /// Also write every write and delivery of each mode.
    #[arg(long)]
    trace: bool,

    /// No progress bar.
    #[arg(long, short)]
    quiet: bool,

    /// Draw no charts in the mode folders.
    #[arg(long)]
    no_charts: bool,
}

#[derive(Debug, Args)]
struct ValidateArgs {
    /// Scenario files or bundled scenario names.
    #[arg(value_name = "SCENARIO", required = true)]
    scenarios: Vec<String>,

    /// Override a field before validating, as with `run`.
    #[arg(long = "set", value_name = "PATH=VALUE")]
    sets: Vec<String>,
}

#[derive(Debug, Args)]
struct BenchArgs {
    /// About how many writes to simulate.
    #[arg(long, value_name = "N", default_value_t = 10_000_000)]
    writes: u64,

    /// How many keys the writes spread over (uniformly).
    #[arg(long, value_name = "N", default_value_t = 100_000, value_parser = clap::value_parser!(u32).range(1..=100_000_000))]
    keys: u32,
}

/// Parse `--seed`: a whole number that fits in 64 bits.
fn parse_seed(text: &str) -> std::result::Result<u64, String> {
    text.trim()
        .parse::<u64>()
        .map_err(|_| format!("not a whole number from 0 to {}", u64::MAX))
}

fn parse_count(text: &str) -> std::result::Result<u64, String> {
    text.trim()
        .parse::<u64>()
        .ok()
        .filter(|&n| n > 0)
        .ok_or_else(|| format!("not a whole number from 1 to {}", u64::MAX))
}

/// Run the command line; returns the process exit code.
pub fn main() -> i32 {
    main_with(std::env::args_os())
}

/// Run a command line given as arguments (the first is the program name).
pub fn main_with<I, T>(args: I) -> i32
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => return clap_error(&e),
    };
    let outcome = match cli.command {
        Command::Run(args) => run(&args),
        Command::Compare(args) => compare(&args),
        Command::Validate(args) => Ok(validate(&args)),
        Command::List => Ok(list()),
        Command::Regions(args) => regions(&args),
        Command::Bench(args) => bench(&args),
    };
    match outcome {
        Ok(code) => code,
        Err(e) => {
            print_error(&e);
            EXIT_ERROR
        }
    }
}

/// Help and version go to stdout with code 0; usage errors become one
/// `error:` line with code 2.
fn clap_error(e: &clap::Error) -> i32 {
    use clap::error::ErrorKind;
    match e.kind() {
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => {
            print!("{e}");
            EXIT_OK
        }
        ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            eprint!("{e}");
            EXIT_ERROR
        }
        _ => {
            // clap's first paragraph, folded onto one line (it lists
            // missing arguments on lines of their own).
            let text = e.to_string();
            let paragraph: Vec<&str> = text
                .lines()
                .take_while(|l| !l.trim().is_empty())
                .map(str::trim)
                .collect();
            let joined = paragraph.join(" ");
            let message = joined.strip_prefix("error: ").unwrap_or(&joined);
            let message = if message.is_empty() {
                "invalid arguments"
            } else {
                message
            };
            eprintln!("error: {message}; see 'replisim --help'");
            EXIT_ERROR
        }
    }
}

fn print_error(e: &Error) {
    eprintln!("error: {}", e.message());
}

/// Load a scenario given as a file path or a bundled scenario's name.
fn load(arg: &str, sets: &[String]) -> Result<Scenario> {
    let path = Path::new(arg);
    if path.exists() {
        return scenario::load_file(path, sets);
    }
    let looks_like_path =
        arg.contains('/') || arg.contains(std::path::MAIN_SEPARATOR) || arg.ends_with(".yml");
    if !looks_like_path {
        if let Some(b) = bundled::find(arg) {
            return scenario::load_str(b.text, &b.origin(), sets);
        }
        if !arg.ends_with(".yaml") {
            let names: Vec<&str> = bundled::all().iter().map(|b| b.name).collect();
            let known = if names.is_empty() {
                "there are no bundled scenarios".to_string()
            } else {
                format!("bundled scenarios are {}", names.join(", "))
            };
            return Err(Error::new(format!(
                "{arg}: no such file, and no bundled scenario of that name; {known}"
            )));
        }
    }
    // Let the loader say what is wrong with the path (missing, a folder, ...).
    scenario::load_file(path, sets)
}

/// A scenario name made safe as one folder name.
fn folder_name(name: &str) -> String {
    let safe: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "-_.".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    if safe.is_empty() || safe.chars().all(|c| c == '.') {
        "scenario".to_string()
    } else {
        safe
    }
}

/// One scenario of a `run`, loaded and placed.
struct Job {
    /// As the user gave it (for the reproduce command).
    arg: String,
    scenario: Scenario,
    out: PathBuf,
}

fn run(args: &RunArgs) -> Result<i32> {
    output::install_interrupt_handler();

    // Load and check everything first, so a typo in the tenth file does not
    // surface after nine long runs.
    let mut jobs = Vec::with_capacity(args.scenarios.len());
    for arg in &args.scenarios {
        let mut scenario = load(arg, &args.sets)?;
        if let Some(seed) = args.seed {
            scenario.seed = seed;
        }
        let folder = folder_name(&scenario.name);
        let out = match (&args.out, args.scenarios.len()) {
            (Some(out), 1) => out.clone(),
            (Some(out), _) => out.join(&folder),
            (None, _) => Path::new("output").join(&folder),
        };
        if let Some(other) = jobs.iter().find(|j: &&Job| j.out == out) {
            return Err(Error::new(format!(
                "{arg} and {} would both write to {}; give the scenarios different names \
                 or run them separately",
                other.arg,
                out.display()
            )));
        }
        output::check_target(&out)?;
        jobs.push(Job {
            arg: arg.clone(),
            scenario,
            out,
        });
    }

    let mut code = EXIT_OK;
    for (i, job) in jobs.iter().enumerate() {
        if i > 0 && !args.quiet {
            println!();
        }
        match run_one(job, args) {
            Ok(true) => {}
            Ok(false) => code = code.max(EXIT_EXPECTATION_FAILED),
            Err(e) => {
                print_error(&e);
                if output::interrupted() {
                    return Ok(EXIT_ERROR);
                }
                code = EXIT_ERROR;
            }
        }
    }
    Ok(code)
}

/// Run one scenario, write its folder and print its summary. `Ok(false)`
/// when an expectation failed.
fn run_one(job: &Job, args: &RunArgs) -> Result<bool> {
    let scenario = &job.scenario;
    let command = terminal::reproduce_command(&job.arg, scenario.seed, &args.sets);
    if !args.quiet {
        println!("running {} (seed {})", scenario.name, scenario.seed);
    }

    let options = RunOptions {
        trace: args.trace,
        max_events: args.max_events,
    };
    let bar = progress_bar(args.quiet, &scenario.name);
    let output = run_model(scenario, &options, &bar);
    bar.finish_and_clear();
    let RunOutput { result, trace } = output?;

    let charts = if args.no_charts {
        None
    } else if args.png {
        Some(ChartFormat::Png)
    } else {
        Some(ChartFormat::Svg)
    };
    let (files, chart_count) = result_files(scenario, &result, trace.as_ref(), &command, charts)?;
    output::write_folder(&job.out, &files)?;

    if args.quiet {
        println!("{}: seed {}", scenario.name, scenario.seed);
    } else {
        println!();
        print!("{}", terminal::summary(&result));
        println!();
    }
    let listed: Vec<String> = files
        .iter()
        .filter(|f| f.path.parent() == Some(Path::new("")))
        .map(|f| f.path.display().to_string())
        .collect();
    let charts_note = if chart_count == 0 {
        String::new()
    } else {
        format!(", charts/ ({chart_count} charts)")
    };
    println!(
        "results in {}: {}{charts_note}",
        job.out.display(),
        listed.join(", ")
    );
    println!("reproduce: {command}");

    Ok(check_expectations(scenario, &result.summary))
}

/// The files of one run's result folder (CSV files, the resolved
/// scenario, the HTML report and the charts in `charts`' format, if any),
/// and how many charts there are.
fn result_files(
    scenario: &Scenario,
    result: &crate::metrics::result::RunResult,
    trace: Option<&crate::metrics::result::Trace>,
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
        Some(format) => charts::render_all(result, format)?,
        None => Vec::new(),
    };
    let report = html::render_report(&ReportInput {
        scenario,
        result,
        resolved_yaml: &resolved_yaml,
        command,
        charts: &chart_list,
    });
    files.push(OutputFile::new("report.html", report.into_bytes()));
    for chart in &chart_list {
        files.push(OutputFile::new(
            Path::new("charts").join(&chart.file_name),
            chart.bytes.clone(),
        ));
    }
    Ok((files, chart_list.len()))
}

/// `replisim compare`: the scenario once per mode, same operations.
fn compare(args: &CompareArgs) -> Result<i32> {
    output::install_interrupt_handler();
    let mut base = load(&args.scenario, &args.sets)?;
    if let Some(seed) = args.seed {
        base.seed = seed;
    }
    let mut modes: Vec<&str> = Vec::new();
    for m in &args.modes {
        let m = m.trim();
        if !model::modes::MODE_NAMES.contains(&m) {
            return Err(Error::new(format!(
                "--modes: unknown mode '{m}'; modes are {}",
                model::modes::MODE_NAMES.join(", ")
            )));
        }
        if modes.contains(&m) {
            return Err(Error::new(format!("--modes: '{m}' is listed twice")));
        }
        modes.push(m);
    }
    let out = args.out.clone().unwrap_or_else(|| {
        Path::new("output").join(format!("{}-compare", folder_name(&base.name)))
    });
    let previous = out.join("compare.csv").is_file() && !out.join("summary.csv").exists();
    if !previous {
        output::check_target(&out)?;
    }
    if !args.quiet {
        println!(
            "comparing {} (seed {}): {}",
            base.name,
            base.seed,
            modes.join(", ")
        );
    }

    let options = RunOptions {
        trace: args.trace,
        max_events: None,
    };
    let charts = (!args.no_charts).then_some(ChartFormat::Svg);
    let mut variants = Vec::with_capacity(modes.len());
    let mut outputs = Vec::with_capacity(modes.len());
    let mut notes = Vec::with_capacity(modes.len());
    let mut files: Vec<OutputFile> = Vec::new();
    for &mode in &modes {
        let variant = model::modes::for_mode(&base, mode);
        let (variant, note) = match variant {
            Ok(v) => (Some(v), String::new()),
            Err(why) => (None, why),
        };
        let mut note = note;
        let mut run_output = None;
        if let Some(v) = &variant {
            let bar = progress_bar(args.quiet, &format!("{} {mode}", v.name));
            let outcome = run_model(v, &options, &bar);
            bar.finish_and_clear();
            match outcome {
                Ok(o) => {
                    let mut command = format!(
                        "replisim compare {} --modes {mode} --seed {}",
                        args.scenario, v.seed
                    );
                    for s in &args.sets {
                        command.push_str(&format!(" --set {s}"));
                    }
                    let (mode_files, _) =
                        result_files(v, &o.result, o.trace.as_ref(), &command, charts)?;
                    files.extend(
                        mode_files
                            .into_iter()
                            .map(|f| OutputFile::new(Path::new(mode).join(f.path), f.bytes)),
                    );
                    run_output = Some(o);
                }
                Err(e) if output::interrupted() => return Err(e),
                Err(e) => note = e.message().to_string(),
            }
        }
        variants.push(variant);
        outputs.push(run_output);
        notes.push(note);
    }
    let rows: Vec<report::compare::CompareRow> = modes
        .iter()
        .enumerate()
        .map(|(i, &mode)| report::compare::CompareRow {
            mode,
            scenario: variants[i].as_ref(),
            result: outputs[i].as_ref().map(|o| &o.result),
            note: &notes[i],
        })
        .collect();
    files.insert(
        0,
        OutputFile::new("compare.csv", report::compare::compare_csv(&base, &rows)?),
    );
    let mut reproduce = format!(
        "replisim compare {} --modes {} --seed {}",
        args.scenario,
        modes.join(","),
        base.seed
    );
    for s in &args.sets {
        reproduce.push_str(&format!(" --set {s}"));
    }
    let compare_charts = match charts {
        Some(format) => charts::compare::render_all(&base.region_names(), &rows, format)?,
        None => Vec::new(),
    };
    let compare_report =
        report::compare_html::render_compare_report(&report::compare_html::CompareReportInput {
            scenario: &base,
            rows: &rows,
            command: &reproduce,
            charts: &compare_charts,
        });
    files.insert(
        1,
        OutputFile::new(report::compare_html::FILE_NAME, compare_report),
    );
    for chart in compare_charts {
        files.push(OutputFile::new(
            Path::new("charts").join(&chart.file_name),
            chart.bytes,
        ));
    }
    if previous {
        // A previous compare folder is replaced whole; any other folder is
        // left alone (the writer refuses it).
        std::fs::remove_dir_all(&out).map_err(|e| {
            Error::new(format!(
                "{}: cannot replace previous results: {e}",
                out.display()
            ))
        })?;
    }
    output::write_folder(&out, &files)?;
    println!();
    print!("{}", report::compare::table_text(&base, &rows));
    println!();
    println!(
        "results in {}: compare.csv, report.html, {}",
        out.display(),
        modes
            .iter()
            .zip(&outputs)
            .filter(|(_, o)| o.is_some())
            .map(|(m, _)| format!("{m}/"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    println!("reproduce: {reproduce}");
    Ok(EXIT_OK)
}

/// Run the model with the progress bar and Ctrl-C check in its callback.
fn run_model(scenario: &Scenario, options: &RunOptions, bar: &ProgressBar) -> Result<RunOutput> {
    let mut progress = |fraction: f64| {
        bar.set_position((fraction.clamp(0.0, 1.0) * 1000.0) as u64);
        !output::interrupted()
    };
    let outcome = model::run(scenario, options, &mut progress);
    if output::interrupted() {
        return Err(Error::new(output::INTERRUPTED));
    }
    outcome
}

/// A bar on stderr, hidden when stderr is not a terminal or with `--quiet`.
fn progress_bar(quiet: bool, name: &str) -> ProgressBar {
    if quiet || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(1000), ProgressDrawTarget::stderr());
    if let Ok(style) =
        ProgressStyle::with_template("{prefix} [{bar:40}] {percent:>3}% {elapsed} (eta {eta})")
    {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.set_prefix(name.to_string());
    bar
}

/// Print each `expect:` condition's outcome; `true` when all hold.
fn check_expectations(scenario: &Scenario, summary: &crate::metrics::result::Summary) -> bool {
    let mut all_hold = true;
    for e in &scenario.expect {
        let condition = format!("{} {} {}", e.metric, e.op.symbol(), e.value);
        match csv_out::summary_value(summary, &e.metric) {
            Some(actual) if e.op.holds(actual, e.value) => {
                println!("expect {condition}: ok (actual {actual})");
            }
            Some(actual) => {
                all_hold = false;
                println!("expect {condition}: FAILED (actual {actual})");
            }
            None => {
                all_hold = false;
                println!(
                    "expect {condition}: FAILED ({} is not a numeric summary.csv column; \
                     columns are {})",
                    e.metric,
                    csv_out::summary_numeric_columns().join(", ")
                );
            }
        }
    }
    if !all_hold {
        println!("{}: an expectation failed", scenario.name);
    }
    all_hold
}

fn validate(args: &ValidateArgs) -> i32 {
    let mut code = EXIT_OK;
    for arg in &args.scenarios {
        match load(arg, &args.sets) {
            Ok(_) => println!("ok {arg}"),
            Err(e) => {
                print_error(&e);
                code = EXIT_ERROR;
            }
        }
    }
    code
}

fn list() -> i32 {
    let all = bundled::all();
    if all.is_empty() {
        println!("no bundled scenarios");
        return EXIT_OK;
    }
    let width = all.iter().map(|b| b.name.len()).max().unwrap_or(0);
    for b in all {
        let line = format!("{:width$}  {}", b.name, b.description());
        println!("{}", line.trim_end());
    }
    EXIT_OK
}

fn regions(args: &RegionsArgs) -> Result<i32> {
    use crate::scenario::presets::{latency_preset, latency_preset_names};
    let usage = |msg: String| {
        eprintln!("error: {msg}");
        Ok(EXIT_ERROR)
    };
    let Some(p) = latency_preset(&args.preset) else {
        return usage(crate::scenario::unknown_name(
            "latency preset",
            &args.preset,
            &latency_preset_names(),
            "presets are",
        ));
    };
    let known = p.regions();
    for r in &args.regions {
        if !known.contains(&r.as_str()) {
            return usage(crate::scenario::unknown_name(
                "region",
                r,
                &known,
                "regions are",
            ));
        }
    }
    match args.regions.len() {
        0 => {
            println!("{} ({} regions; {})", p.name, known.len(), p.source);
            for r in known {
                println!("{r}");
            }
        }
        1 => {
            return usage("give two or more regions for a matrix, or none for the list".to_string())
        }
        _ => {
            println!(
                "{}: round trip p50 / p90 in ms, row = from, column = to; one-way is half",
                p.name
            );
            let width = args.regions.iter().map(|r| r.len()).max().unwrap_or(0);
            let cell = |ns: u64| format!("{:.1}", ns as f64 / 1e6);
            let cells: Vec<Vec<String>> = args
                .regions
                .iter()
                .map(|a| {
                    args.regions
                        .iter()
                        .map(|b| {
                            let rtt = p
                                .rtt(a, b)
                                .unwrap_or(crate::scenario::presets::Rtt { p50: 0, p90: 0 });
                            format!("{} / {}", cell(rtt.p50), cell(rtt.p90))
                        })
                        .collect()
                })
                .collect();
            let col = cells
                .iter()
                .flatten()
                .map(String::len)
                .chain(args.regions.iter().map(String::len))
                .max()
                .unwrap_or(0);
            let mut header = format!("{:width$}", "");
            for r in &args.regions {
                header.push_str(&format!("  {r:>col$}"));
            }
            println!("{}", header.trim_end());
            for (r, row) in args.regions.iter().zip(&cells) {
                let mut line = format!("{r:width$}");
                for c in row {
                    line.push_str(&format!("  {c:>col$}"));
                }
                println!("{line}");
            }
        }
    }
    Ok(EXIT_OK)
}

/// Simulated seconds of the bench scenario; the rate is chosen from it.
const BENCH_DURATION_S: u64 = 100;
const BENCH_REGIONS: u64 = 3;

/// The built-in bench scenario: three regions, `keys` keys, writes only,
/// with a rate that gives about `writes` writes in all.
fn bench_yaml(writes: u64, keys: u32) -> String {
    let rate = (writes / (BENCH_REGIONS * BENCH_DURATION_S)).max(1);
    format!(
        "name: bench
description: Built-in benchmark; three regions, writes only.
seed: 1
duration: {BENCH_DURATION_S}s
regions:
  - name: us-east-1
  - name: eu-west-1
  - name: ap-southeast-1
network:
  default: {{ lognormal: {{ median: 60ms, p99: 150ms }} }}
replication:
  mode: active_active
  timestamps: wall
  pipeline: {{ lognormal: {{ median: 300ms, p99: 450ms }} }}
tables:
  - name: items
    kind: item
    keys: {keys}
workload:
  - regions: all
    table: items
    rate: {rate}/s
    writes: 1.0
    access: uniform
"
    )
}

fn bench(args: &BenchArgs) -> Result<i32> {
    output::install_interrupt_handler();
    let scenario = scenario::load_str(&bench_yaml(args.writes, args.keys), "<bench>", &[])?;
    println!(
        "bench: {} regions, {} keys, about {} writes, seed {}",
        scenario.regions.len(),
        terminal::count(u64::from(args.keys)),
        terminal::count(args.writes),
        scenario.seed
    );
    if cfg!(debug_assertions) {
        println!("note: this is a debug build; measure with `cargo run --release -- bench`");
    }
    let options = RunOptions {
        trace: false,
        max_events: Some(u64::MAX),
    };
    let bar = progress_bar(false, "bench");
    let start = Instant::now();
    let outcome = run_model(&scenario, &options, &bar);
    let wall = start.elapsed().as_secs_f64();
    bar.finish_and_clear();
    let result = outcome?.result;
    let per_s = |n: u64| {
        if wall > 0.0 {
            terminal::count((n as f64 / wall).round() as u64)
        } else {
            "-".to_string()
        }
    };
    let events = result.events;
    let writes = result.summary.writes;
    println!("wall time  {wall:.3} s");
    println!(
        "events     {}  ({}/s)",
        terminal::count(events),
        per_s(events)
    );
    println!(
        "writes     {}  ({}/s)",
        terminal::count(writes),
        per_s(writes)
    );
    Ok(EXIT_OK)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arguments_parse() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
        let cli = Cli::try_parse_from([
            "replisim", "run", "a.yaml", "b", "--seed", "7", "--set", "x=1", "--set", "y=2",
            "--trace",
        ])
        .unwrap();
        let Command::Run(args) = cli.command else {
            panic!("not run")
        };
        assert_eq!(args.scenarios, vec!["a.yaml", "b"]);
        assert_eq!(args.seed, Some(7));
        assert_eq!(args.sets, vec!["x=1", "y=2"]);
        assert!(args.trace);
        assert!(Cli::try_parse_from(["replisim", "run", "a", "--seed", "x"]).is_err());
        assert!(Cli::try_parse_from(["replisim", "run", "a", "--png", "--no-charts"]).is_err());
    }

    #[test]
    fn folder_names_are_safe() {
        assert_eq!(folder_name("global-leaderboard"), "global-leaderboard");
        assert_eq!(folder_name("a/b c"), "a_b_c");
        assert_eq!(folder_name(".."), "scenario");
        assert_eq!(folder_name(""), "scenario");
    }

    #[test]
    fn bench_rate_gives_about_n_writes() {
        let text = bench_yaml(10_000_000, 100_000);
        assert!(text.contains("rate: 33333/s"));
        assert!(text.contains("keys: 100000"));
        assert!(bench_yaml(1, 10).contains("rate: 1/s"));
    }
}
