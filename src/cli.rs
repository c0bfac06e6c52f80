//! Command-line arguments and dispatch.
//!
//! `main` parses the arguments with clap, runs one subcommand and returns
//! the process exit code: 0 when everything worked, 1 when a run worked but
//! one of its `expect:` conditions failed, 2 for bad input or any other
//! error. Errors are printed as one `error: <message>` line on stderr; the
//! tables and results go to stdout, the progress bar to stderr.
//!
//! This is the only place that talks to the terminal, the wall clock and
//! signals; the layers below take a scenario and return data.

mod baseline;
mod budget;
mod explain;
mod fit;
mod gate;
mod merge;
mod signals;
mod stdout;
mod sweep;

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::time::Instant;

use clap::{Args, Parser, Subcommand};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::error::{Error, Result};
use crate::model::{self, RunOptions, RunOutput};
use crate::report::charts::ChartFormat;
use crate::report::expect::{self, Checked};
use crate::report::output::{OutputFile, Target};
use crate::report::{self, folder, format, terminal};
use crate::scenario::{self, bundled, Scenario};
use stdout::{out, outln};

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
    /// Run one scenario over a grid of parameter values, modes and seeds,
    /// with each figure's mean and 95% confidence interval per variant.
    Sweep(sweep::SweepArgs),
    /// Put the shard folders of a sweep (`sweep --shard`) back together
    /// into the folder the sweep writes in one process.
    Merge(merge::MergeArgs),
    /// List the regions of a latency preset, or, given two or more
    /// regions, print their round-trip matrix.
    Regions(RegionsArgs),
    /// Fit a pipeline delay (and its `varies_over`) to CloudWatch's
    /// ReplicationLatency or AuroraGlobalDBReplicationLag: JSON from the AWS
    /// CLI or a CSV download.
    Fit(fit::FitArgs),
    /// Measure the simulator's speed on a built-in write-only scenario.
    Bench(BenchArgs),
    /// Tell one key's story, write by write: a space-time diagram and a
    /// narration of why each lost write was lost.
    Explain(explain::ExplainArgs),
    /// Keep the figures of runs as a baseline (`baseline save DIR ...`).
    Baseline(baseline::BaselineArgs),
    /// Run a baseline's scenarios again and compare: exactly (one seed) or
    /// against seed-to-seed noise (several).
    Check(baseline::CheckArgs),
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

/// The options `run` and `compare` share.
#[derive(Debug, Args)]
struct CommonArgs {
    /// Use this seed instead of the scenario's.
    #[arg(long, value_name = "N", value_parser = parse_seed)]
    seed: Option<u64>,

    /// Override a scenario field by its path, e.g.
    /// `replication.timestamps=hlc` or `regions.eu-west-1.clock.offset=200ms`.
    #[arg(long = "set", value_name = "PATH=VALUE")]
    sets: Vec<String>,

    /// Also write every write, read and delivery (writes.csv, reads.csv,
    /// deliveries.csv).
    #[arg(long)]
    trace: bool,

    /// Print nothing when all goes well (the exit code tells); errors go
    /// to stderr, and so does the output when an expectation fails.
    #[arg(long, short)]
    quiet: bool,

    /// Draw charts as PNG instead of SVG.
    #[arg(long, conflicts_with = "no_charts")]
    png: bool,

    /// Draw no charts (the HTML reports still have the tables).
    #[arg(long)]
    no_charts: bool,

    /// Refuse a scenario expected to take more simulator events than this,
    /// in any mode [default: 1000000000].
    #[arg(long, value_name = "N", value_parser = parse_count)]
    max_events: Option<u64>,

    #[command(flatten)]
    gate: gate::GateArgs,
}

#[derive(Debug, Args)]
struct RunArgs {
    /// A scenario file, or the name of a bundled scenario (see `replisim list`).
    #[arg(value_name = "SCENARIO", required = true)]
    scenarios: Vec<String>,

    /// Output folder [default: output/<scenario name>]; with several
    /// scenarios, each goes to <DIR>/<scenario name>.
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,

    /// Also keep each run in the baseline folder DIR, as `replisim baseline
    /// save DIR <scenario>` would (an exact entry, for `replisim check`).
    #[arg(long, value_name = "DIR")]
    bless: Option<PathBuf>,

    /// Scenarios run at a time [default: the number of cores]; the
    /// results are the same bytes for any number.
    #[arg(long, short, value_name = "N",
          value_parser = clap::value_parser!(u32).range(1..=4096))]
    jobs: Option<u32>,

    #[command(flatten)]
    common: CommonArgs,
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

    /// Leave out a mode that cannot run this scenario (strong needs three
    /// regions) instead of exiting with code 2.
    #[arg(long)]
    skip_unrunnable: bool,

    /// Modes run at a time [default: the number of cores]; the results are
    /// the same bytes for any number.
    #[arg(long, short, value_name = "N",
          value_parser = clap::value_parser!(u32).range(1..=4096))]
    jobs: Option<u32>,

    /// Output folder [default: output/<scenario name>-compare]: compare.csv
    /// and one result folder per mode.
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,

    #[command(flatten)]
    common: CommonArgs,
}

#[derive(Debug, Args)]
struct ValidateArgs {
    /// Scenario files or bundled scenario names.
    #[arg(value_name = "SCENARIO", required = true)]
    scenarios: Vec<String>,

    /// Override a field before validating, as with `run`.
    #[arg(long = "set", value_name = "PATH=VALUE")]
    sets: Vec<String>,

    /// Refuse a scenario expected to take more simulator events than
    /// this, as `run --max-events` does [default: 1000000000].
    #[arg(long, value_name = "N", value_parser = parse_count)]
    max_events: Option<u64>,
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
    let max = crate::model::MAX_EVENTS_LIMIT;
    text.trim()
        .parse::<u64>()
        .ok()
        .filter(|&n| (1..=max).contains(&n))
        .ok_or_else(|| format!("not a whole number from 1 to {max}"))
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
    use clap::{CommandFactory, FromArgMatches};
    let cli = match Cli::command()
        .try_get_matches_from(args)
        .and_then(|m| Cli::from_arg_matches(&m).map(|cli| (cli, quiet_requested(&m))))
    {
        Ok((cli, quiet)) => {
            if quiet {
                stdout::hold();
            }
            cli
        }
        Err(e) => return clap_error(&e),
    };
    let outcome = match cli.command {
        Command::Run(args) => run(&args),
        Command::Compare(args) => compare(&args),
        Command::Sweep(args) => sweep::sweep(&args),
        Command::Merge(args) => merge::merge(&args),
        Command::Validate(args) => Ok(validate(&args)),
        Command::List => Ok(list()),
        Command::Regions(args) => regions(&args),
        Command::Fit(args) => fit::fit(&args),
        Command::Bench(args) => bench(&args),
        Command::Explain(args) => explain::explain(&args),
        Command::Baseline(args) => baseline::baseline(&args),
        Command::Check(args) => baseline::check(&args),
    };
    let code = match outcome {
        Ok(code) => code,
        Err(e) => {
            print_error(&e);
            EXIT_ERROR
        }
    };
    let code = match signals::received() {
        Some(signal) => signals::exit_code(signal),
        None => code,
    };
    // A failed expectation or check tells why; an error's one line says
    // it all.
    stdout::release(code == EXIT_EXPECTATION_FAILED);
    match stdout::finish() {
        Some(message) => {
            eprintln!("error: {message}");
            code.max(EXIT_ERROR)
        }
        None => code,
    }
}

/// Whether the (sub)command given has `--quiet` set: it then prints
/// nothing when it succeeds.
fn quiet_requested(matches: &clap::ArgMatches) -> bool {
    let mut at = matches;
    while let Some((_, sub)) = at.subcommand() {
        if let Ok(Some(true)) = sub.try_get_one::<bool>("quiet") {
            return true;
        }
        at = sub;
    }
    false
}

/// Help and version go to stdout with code 0; usage errors become one
/// `error:` line with code 2.
fn clap_error(e: &clap::Error) -> i32 {
    use clap::error::ErrorKind;
    match e.kind() {
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => {
            out!("{e}");
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
    match signals::received() {
        Some(signal) => eprintln!("error: {}", signals::message(signal)),
        None => eprintln!("error: {}", e.message()),
    }
}

/// Whether a signal asked the command to stop.
fn cancelled() -> bool {
    signals::received().is_some()
}

/// Where a scenario came from.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Source {
    /// A file, as the path it was read from.
    File(PathBuf),
    /// The copy compiled into the program, by name.
    Bundled(&'static str),
}

impl Source {
    /// How the terminal names it: the path, or `bundled scenario NAME`.
    fn describe(&self) -> String {
        match self {
            Source::File(path) => path.display().to_string(),
            Source::Bundled(name) => format!("bundled scenario {name}"),
        }
    }
}

/// Load a scenario given as a file path or a bundled scenario's name.
fn load(arg: &str, sets: &[String]) -> Result<Scenario> {
    load_from(arg, sets).map(|(s, _)| s)
}

/// Which file or bundled scenario `arg` names. A path that exists is that
/// file. A name (no folder in it) is a local file when `NAME.yaml` or
/// `scenarios/NAME.yaml` exists in the working folder, so an edited copy
/// is run rather than the bundled one, and the bundled scenario of that
/// name otherwise.
fn resolve(arg: &str) -> Result<Source> {
    let path = Path::new(arg);
    if path.exists() {
        return Ok(Source::File(path.to_path_buf()));
    }
    let looks_like_path =
        arg.contains('/') || arg.contains(std::path::MAIN_SEPARATOR) || arg.ends_with(".yml");
    if looks_like_path {
        return Ok(Source::File(path.to_path_buf()));
    }
    let stem = arg.strip_suffix(".yaml").unwrap_or(arg);
    if !stem.is_empty() {
        for local in [
            PathBuf::from(format!("{stem}.yaml")),
            Path::new("scenarios").join(format!("{stem}.yaml")),
        ] {
            if local.is_file() {
                return Ok(Source::File(local));
            }
        }
    }
    if let Some(b) = bundled::find(arg) {
        return Ok(Source::Bundled(b.name));
    }
    if arg.ends_with(".yaml") {
        // Let the loader say what is wrong with the path (missing, a folder, ...).
        return Ok(Source::File(path.to_path_buf()));
    }
    let names: Vec<&str> = bundled::all().iter().map(|b| b.name).collect();
    let known = if names.is_empty() {
        "there are no bundled scenarios".to_string()
    } else {
        format!("bundled scenarios are {}", names.join(", "))
    };
    Err(Error::new(format!(
        "{arg}: no such file, and no bundled scenario of that name; {known}"
    )))
}

/// `load`, also saying where the scenario came from.
fn load_from(arg: &str, sets: &[String]) -> Result<(Scenario, Source)> {
    let source = resolve(arg)?;
    let scenario = match &source {
        Source::File(path) => scenario::load_file(path, sets)?,
        Source::Bundled(name) => {
            let b = bundled::find(name).expect("a bundled scenario found by name");
            scenario::load_str(b.text, &b.origin(), sets)?
        }
    };
    Ok((scenario, source))
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
    } else if let Some(rest) = safe.strip_prefix('.') {
        // Not a hidden folder.
        format!("_{rest}")
    } else {
        safe
    }
}

/// One scenario of a `run`, loaded and placed.
struct Job {
    /// As the user gave it (for the reproduce command).
    arg: String,
    /// The file or bundled scenario it was loaded from.
    source: Source,
    scenario: Scenario,
    out: PathBuf,
    /// The output folder, checked and locked before any run starts.
    target: Target,
}

fn run(args: &RunArgs) -> Result<i32> {
    signals::install();
    gate::start(&args.common.gate)?;

    // Load and check everything first, so a typo in the tenth file does not
    // surface after nine long runs.
    let mut jobs = Vec::with_capacity(args.scenarios.len());
    for arg in &args.scenarios {
        let (mut scenario, source) = load_from(arg, &args.common.sets)?;
        if let Some(seed) = args.common.seed {
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
        model::check_limits(
            &scenario,
            &RunOptions {
                trace: args.common.trace,
                max_events: args.common.max_events,
            },
        )?;
        let target = Target::prepare(&out)?;
        jobs.push(Job {
            arg: arg.clone(),
            source,
            scenario,
            out,
            target,
        });
    }
    let mut bless = match &args.bless {
        Some(dir) => Some(baseline::Blessing::prepare(dir)?),
        None => None,
    };

    // The scenarios are independent runs: on --jobs threads, one bar over
    // all. Each folder is written as its run finishes; the terminal output
    // follows in the order given, so it is the same for any --jobs.
    let threads = args
        .jobs
        .map_or_else(crate::sweep::pool::default_jobs, |j| j as usize);
    let label = match jobs.as_slice() {
        [one] => one.scenario.name.clone(),
        all => format!("{} scenarios", all.len()),
    };
    // Each scenario's "running" line once its folder is locked, before
    // any run starts.
    for job in &jobs {
        outln!(
            "running {} (seed {})",
            running_what(&job.scenario.name, &job.source),
            job.scenario.seed
        );
    }
    let bar = progress_bar(args.common.quiet, &label);
    bar.set_length(jobs.len() as u64 * 1000);
    let mut written: Vec<Option<Result<()>>> = (0..jobs.len()).map(|_| None).collect();
    let runs: Vec<(&str, &Scenario)> = jobs.iter().map(|j| (j.arg.as_str(), &j.scenario)).collect();
    let finished = crate::sweep::pool::run_all(
        threads,
        jobs.len(),
        |k| {
            let mut shown = 0u64;
            let mut advance = |fraction: f64| {
                let at = (fraction.clamp(0.0, 1.0) * 1000.0) as u64;
                if at > shown {
                    bar.inc(at - shown);
                    shown = at;
                }
            };
            let made = make_run(runs[k].0, runs[k].1, args, &mut advance);
            advance(1.0);
            made
        },
        |k, outcome| {
            if let Ok(made) = outcome {
                let files = made.files.lock().map(|mut f| f.take()).ok().flatten();
                let files = files.unwrap_or_default();
                written[k] = Some(jobs[k].target.write(&files, &cancelled));
            }
            !cancelled()
        },
    );
    bar.finish_and_clear();

    let mut code = EXIT_OK;
    let mut gate = Vec::with_capacity(jobs.len());
    for (i, (job, outcome)) in jobs.iter().zip(finished).enumerate() {
        let outcome = outcome.unwrap_or_else(|| Err(Error::new(signals_message())));
        let outcome = match (outcome, written[i].take()) {
            (Ok(made), Some(Ok(()))) => Ok(report_run(job, args, made)),
            (Ok(_), Some(Err(e))) | (Err(e), _) => Err(e),
            (Ok(_), None) => Err(Error::new(signals_message())),
        };
        match outcome {
            Ok(checked) => {
                if let (Some(b), Some(result)) = (&mut bless, &checked.result) {
                    b.add(&job.arg, &args.common.sets, &job.scenario, result)?;
                }
                if checked.failed() {
                    code = code.max(EXIT_EXPECTATION_FAILED);
                }
                gate.push(checked);
            }
            Err(e) if cancelled() => return Err(e),
            Err(e) => {
                print_error(&e);
                code = EXIT_ERROR;
                gate.push(Checked {
                    scenario: job.scenario.name.clone(),
                    mode: job.scenario.replication.mode.name().to_string(),
                    per_mode: false,
                    seed: job.scenario.seed,
                    result: None,
                    error: Some(e.message().to_string()),
                    left_out: None,
                    outcomes: Vec::new(),
                    reproduce: terminal::reproduce_command(
                        &job.arg,
                        job.scenario.seed,
                        &args.common.sets,
                    ),
                });
            }
        }
    }
    if let Some(b) = bless {
        if code == EXIT_ERROR {
            eprintln!("error: not blessed: a run did not work; the baseline is unchanged");
        } else {
            b.finish()?;
        }
    }
    gate::finish(&args.common.gate, "replisim run", code, &gate)
}

/// One scenario run, its folder's files made (and taken when written).
struct MadeRun {
    result: Box<crate::metrics::result::RunResult>,
    files: std::sync::Mutex<Option<Vec<OutputFile>>>,
    /// The files at the top of the folder, and the number of charts.
    listed: Vec<String>,
    chart_count: usize,
}

/// Run one scenario and make its folder's files (on a worker thread;
/// `show` gets the fraction done).
fn make_run(
    arg: &str,
    scenario: &Scenario,
    args: &RunArgs,
    show: &mut dyn FnMut(f64),
) -> Result<MadeRun> {
    let command = terminal::reproduce_command(arg, scenario.seed, &args.common.sets);
    // A small run keeps a trace for its report's explain view anyway; the
    // trace files are written only with --trace.
    let options = RunOptions {
        trace: args.common.trace || crate::explain::trace_for_report(scenario),
        max_events: args.common.max_events,
    };
    let RunOutput { result, trace } = run_model_with(scenario, &options, show)?;
    let charts = chart_format(&args.common);
    let files_trace = trace.as_ref().filter(|_| args.common.trace);
    let (files, chart_count) = folder::run_files_with_view(
        scenario,
        &result,
        files_trace,
        trace.as_ref(),
        &command,
        charts,
    )?;
    let listed = files
        .iter()
        .filter(|f| f.path.parent() == Some(Path::new("")))
        .map(|f| f.path.display().to_string())
        .collect();
    Ok(MadeRun {
        result: Box::new(result),
        files: std::sync::Mutex::new(Some(files)),
        listed,
        chart_count,
    })
}

/// Print a written run's summary and check its expectations.
fn report_run(job: &Job, args: &RunArgs, made: MadeRun) -> Checked {
    let scenario = &job.scenario;
    let command = terminal::reproduce_command(&job.arg, scenario.seed, &args.common.sets);
    let result = *made.result;
    outln!();
    out!("{}", terminal::summary(&result));
    outln!();
    out!("{}", report::theory::theory(scenario, &result).text());
    outln!();
    let charts_note = if made.chart_count == 0 {
        String::new()
    } else {
        format!(", charts/ ({} charts)", made.chart_count)
    };
    outln!(
        "results in {}: {}{charts_note}",
        job.out.display(),
        made.listed.join(", ")
    );
    outln!("reproduce: {command}");

    let mode = scenario.replication.mode.name();
    let outcomes = expect::check(&scenario.expect, mode, &result, false);
    print_outcomes(&scenario.name, &outcomes);
    Checked {
        scenario: scenario.name.clone(),
        mode: mode.to_string(),
        per_mode: false,
        seed: scenario.seed,
        result: Some(result),
        error: None,
        left_out: None,
        outcomes,
        reproduce: command,
    }
}

/// `bundled scenario global-leaderboard`, `collaboration from
/// scenarios/collaboration.yaml`: the scenario's name and where it came from.
fn running_what(name: &str, source: &Source) -> String {
    match source {
        Source::Bundled(b) if *b == name => format!("bundled scenario {name}"),
        other => format!("{name} from {}", other.describe()),
    }
}

/// The charts' format, or `None` for no charts.
fn chart_format(common: &CommonArgs) -> Option<ChartFormat> {
    if common.no_charts {
        None
    } else if common.png {
        Some(ChartFormat::Png)
    } else {
        Some(ChartFormat::Svg)
    }
}

/// `replisim compare`: the scenario once per mode, same operations.
fn compare(args: &CompareArgs) -> Result<i32> {
    signals::install();
    gate::start(&args.common.gate)?;
    let (mut base, source) = load_from(&args.scenario, &args.common.sets)?;
    if let Some(seed) = args.common.seed {
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
    // A small run keeps a trace for the report's side-by-side story of one
    // key under each mode, as `run` does for its explain view.
    let options = RunOptions {
        trace: args.common.trace || crate::explain::trace_for_report(&base),
        max_events: args.common.max_events,
    };
    for &mode in &modes {
        if let Ok(variant) = model::modes::for_mode(&base, mode) {
            model::check_limits(&variant, &options).map_err(|e| e.context(mode))?;
        }
    }
    let target = Target::prepare(&out)?;
    outln!(
        "comparing {} (seed {}): {}",
        running_what(&base.name, &source),
        base.seed,
        modes.join(", ")
    );

    let charts = chart_format(&args.common);
    let mut variants = Vec::with_capacity(modes.len());
    let mut notes = Vec::with_capacity(modes.len());
    for &mode in &modes {
        match model::modes::for_mode(&base, mode) {
            Ok(v) => {
                variants.push(Some(v));
                notes.push(String::new());
            }
            Err(why) => {
                variants.push(None);
                notes.push(why);
            }
        }
    }
    // The modes are independent runs: on --jobs threads, one bar over all.
    let runnable: Vec<usize> = (0..modes.len())
        .filter(|&i| variants[i].is_some())
        .collect();
    let jobs = args
        .jobs
        .map_or_else(crate::sweep::pool::default_jobs, |j| j as usize);
    let bar = progress_bar(args.common.quiet, &base.name);
    bar.set_length(runnable.len() as u64 * 1000);
    let finished = crate::sweep::pool::run_all(
        jobs,
        runnable.len(),
        |k| {
            let v = variants[runnable[k]].as_ref().expect("a runnable mode");
            let mut shown = 0u64;
            let mut advance = |fraction: f64| {
                let at = (fraction.clamp(0.0, 1.0) * 1000.0) as u64;
                if at > shown {
                    bar.inc(at - shown);
                    shown = at;
                }
            };
            let outcome = run_model_with(v, &options, &mut advance);
            advance(1.0);
            outcome
        },
        |_, _| !cancelled(),
    );
    bar.finish_and_clear();
    let mut finished: Vec<Option<Result<RunOutput>>> = finished;
    let mut outputs = Vec::with_capacity(modes.len());
    let mut mode_folders: Vec<(&str, Vec<OutputFile>)> = Vec::new();
    for (i, &mode) in modes.iter().enumerate() {
        let note = &mut notes[i];
        let mut run_output = None;
        if let Some(v) = &variants[i] {
            let k = runnable
                .iter()
                .position(|&r| r == i)
                .expect("a runnable mode");
            let outcome = finished[k]
                .take()
                .unwrap_or_else(|| Err(Error::new(signals_message())));
            match outcome {
                Ok(o) => {
                    let command = terminal::compare_command(
                        &args.scenario,
                        &[mode],
                        v.seed,
                        &args.common.sets,
                    );
                    let files_trace = o.trace.as_ref().filter(|_| args.common.trace);
                    let (mode_files, _) = folder::run_files_with_view(
                        v,
                        &o.result,
                        files_trace,
                        o.trace.as_ref(),
                        &command,
                        charts,
                    )?;
                    mode_folders.push((mode, mode_files));
                    run_output = Some(o);
                }
                Err(e) if cancelled() => return Err(e),
                Err(e) => *note = e.message().to_string(),
            }
        }
        outputs.push(run_output);
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
    if outputs.iter().all(Option::is_none) {
        let why: Vec<String> = modes
            .iter()
            .zip(&notes)
            .map(|(mode, note)| format!("{mode}: {note}"))
            .collect();
        return Err(Error::new(format!(
            "{}: no mode could run; nothing written ({})",
            base.name,
            why.join("; ")
        )));
    }
    let reproduce = terminal::compare_command(&args.scenario, &modes, base.seed, &args.common.sets);
    let mut files = folder::compare_files(&base, &rows, mode_folders, &reproduce, charts)?;
    let traced: Vec<(&str, &Scenario, &crate::metrics::result::Trace)> = modes
        .iter()
        .enumerate()
        .filter_map(|(i, &mode)| {
            let v = variants[i].as_ref()?;
            let t = outputs[i].as_ref()?.trace.as_ref()?;
            Some((mode, v, t))
        })
        .collect();
    if !traced.is_empty() {
        if let Some(report) = files
            .iter_mut()
            .find(|f| f.path == Path::new("report.html"))
        {
            let html = String::from_utf8_lossy(&report.bytes).into_owned();
            let view = crate::explain::page::modes_section(&traced);
            report.bytes = crate::explain::page::insert_into_report(html, &view).into_bytes();
        }
    }
    target.write(&files, &cancelled)?;
    outln!();
    out!("{}", report::compare::table_text(&base, &rows));
    outln!();
    outln!(
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
    outln!("reproduce: {reproduce}");

    // Expectations per mode: the scenario's top-level ones for every mode
    // (skipped where a mode lacks the figure), a mode's own for that mode.
    let mut code = EXIT_OK;
    let mut gate = Vec::with_capacity(modes.len());
    for (i, &mode) in modes.iter().enumerate() {
        let seed = variants[i].as_ref().map_or(base.seed, |v| v.seed);
        let reproduce = terminal::compare_command(&args.scenario, &[mode], seed, &args.common.sets);
        let checked = match (&variants[i], &outputs[i]) {
            (Some(v), Some(o)) => {
                let outcomes = expect::check(&base.expect, mode, &o.result, true);
                if !outcomes.is_empty() {
                    outln!();
                    outln!("{mode}:");
                }
                print_outcomes(&format!("{} under {mode}", base.name), &outcomes);
                Checked {
                    scenario: v.name.clone(),
                    mode: mode.to_string(),
                    per_mode: true,
                    seed: v.seed,
                    result: Some(o.result.clone()),
                    error: None,
                    left_out: None,
                    outcomes,
                    reproduce,
                }
            }
            _ => Checked {
                scenario: base.name.clone(),
                mode: mode.to_string(),
                per_mode: true,
                seed: base.seed,
                result: None,
                error: (!args.skip_unrunnable).then(|| notes[i].clone()),
                left_out: args.skip_unrunnable.then(|| notes[i].clone()),
                outcomes: Vec::new(),
                reproduce,
            },
        };
        if checked.failed() {
            code = code.max(EXIT_EXPECTATION_FAILED);
        }
        gate.push(checked);
    }
    let unrun: Vec<&str> = gate
        .iter()
        .filter(|c| c.error.is_some())
        .map(|c| c.mode.as_str())
        .collect();
    if !unrun.is_empty() {
        eprintln!(
            "error: {} could not run {}; pass --skip-unrunnable to leave such modes out",
            unrun.join(", "),
            base.name
        );
        code = EXIT_ERROR;
    }
    gate::finish(&args.common.gate, "replisim compare", code, &gate)
}

/// Run the model with the progress bar, the signal check and the memory
/// budget in its callback.
fn run_model(scenario: &Scenario, options: &RunOptions, bar: &ProgressBar) -> Result<RunOutput> {
    run_model_with(scenario, options, &mut |fraction: f64| {
        bar.set_position((fraction.clamp(0.0, 1.0) * 1000.0) as u64);
    })
}

/// What a stopped run says when a signal stopped it.
fn signals_message() -> String {
    signals::received().map_or_else(|| "interrupted".to_string(), signals::message)
}

/// `run_model` with the progress shown by `show` (the fraction done).
fn run_model_with(
    scenario: &Scenario,
    options: &RunOptions,
    show: &mut dyn FnMut(f64),
) -> Result<RunOutput> {
    let limit = budget::limit().map_err(Error::new)?;
    let mut over = None;
    let mut progress = |fraction: f64| {
        show(fraction);
        if let Some(held) = budget::resident().filter(|&held| held > limit) {
            over = Some(held);
            return false;
        }
        !cancelled()
    };
    let outcome = model::run(scenario, options, &mut progress);
    if let Some(signal) = signals::received() {
        return Err(Error::new(signals::message(signal)));
    }
    if let Some(held) = over {
        let estimate = model::estimate_memory_parts(scenario, options.trace).total();
        return Err(Error::new(format!(
            "{}: stopped after taking {} of memory, more than the budget of {} ({} sets it; the estimate was {}); no results written; use fewer keys or regions, lower rates, shorter faults or no --trace",
            scenario.name,
            budget::shown(held),
            budget::shown(limit),
            budget::VARIABLE,
            budget::shown(estimate),
        )));
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

/// Print each expectation's outcome, and a line naming `name` if one failed.
fn print_outcomes(name: &str, outcomes: &[expect::Outcome]) {
    for o in outcomes {
        outln!("{}", expect::line(o));
    }
    if expect::any_failed(outcomes) {
        outln!("{name}: an expectation failed");
    }
}

fn validate(args: &ValidateArgs) -> i32 {
    let mut code = EXIT_OK;
    for arg in &args.scenarios {
        let options = RunOptions {
            trace: false,
            max_events: args.max_events,
        };
        match load(arg, &args.sets).and_then(|s| model::check_limits(&s, &options)) {
            Ok(()) => outln!("ok {arg}"),
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
        outln!("no bundled scenarios");
        return EXIT_OK;
    }
    let width = all.iter().map(|b| b.name.len()).max().unwrap_or(0);
    for b in all {
        let line = format!("{:width$}  {}", b.name, b.description());
        outln!("{}", line.trim_end());
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
            outln!("{} ({} regions; {})", p.name, known.len(), p.source);
            for r in known {
                outln!("{r}");
            }
        }
        1 => {
            return usage("give two or more regions for a matrix, or none for the list".to_string())
        }
        _ => {
            outln!(
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
            outln!("{}", header.trim_end());
            for (r, row) in args.regions.iter().zip(&cells) {
                let mut line = format!("{r:width$}");
                for c in row {
                    line.push_str(&format!("  {c:>col$}"));
                }
                outln!("{line}");
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
    signals::install();
    let scenario = scenario::load_str(&bench_yaml(args.writes, args.keys), "<bench>", &[])?;
    outln!(
        "bench: {} regions, {} keys, about {} writes, seed {}",
        scenario.regions.len(),
        format::count(u64::from(args.keys)),
        format::count(args.writes),
        scenario.seed
    );
    if cfg!(debug_assertions) {
        outln!("note: this is a debug build; measure with `cargo run --release -- bench`");
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
            format::count((n as f64 / wall).round() as u64)
        } else {
            "-".to_string()
        }
    };
    let events = result.events;
    let writes = result.summary.writes;
    outln!("wall time  {wall:.3} s");
    outln!(
        "events     {}  ({}/s)",
        format::count(events),
        per_s(events)
    );
    outln!(
        "writes     {}  ({}/s)",
        format::count(writes),
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
        assert_eq!(args.common.seed, Some(7));
        assert_eq!(args.common.sets, vec!["x=1", "y=2"]);
        assert!(args.common.trace);
        assert!(Cli::try_parse_from(["replisim", "run", "a", "--seed", "x"]).is_err());
        assert!(Cli::try_parse_from(["replisim", "run", "a", "--png", "--no-charts"]).is_err());
    }

    #[test]
    fn folder_names_are_safe() {
        assert_eq!(folder_name("global-leaderboard"), "global-leaderboard");
        assert_eq!(folder_name("a/b c"), "a_b_c");
        assert_eq!(folder_name(".."), "scenario");
        assert_eq!(folder_name(""), "scenario");
        assert_eq!(folder_name(".hidden"), "_hidden");
    }

    #[test]
    fn bench_rate_gives_about_n_writes() {
        let text = bench_yaml(10_000_000, 100_000);
        assert!(text.contains("rate: 33333/s"));
        assert!(text.contains("keys: 100000"));
        assert!(bench_yaml(1, 10).contains("rate: 1/s"));
    }
}
