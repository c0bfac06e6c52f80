//! `replisim sweep`: load every variant of the plan (so a bad value stops
//! the sweep before any run), run the (variant, replication) runs of this
//! slice that are not done yet on `--jobs` threads with one progress bar,
//! appending each to a journal as it finishes, then write the folder
//! (`plan.json`, `runs.csv`, and for a whole plan `sweep.csv`, charts and
//! `report.html`), print the table and check the sweep's expectations.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use clap::Args;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::gate::{self, GateArgs};
use super::stdout::{out, outln};
use super::{cancelled, folder_name, load, signals};
use crate::error::{Error, Result};
use crate::model::{self, RunOptions};
use crate::report::csv_out;
use crate::report::format::count;
use crate::report::output::Target;
use crate::report::terminal::shell_quote;
use crate::scenario::{self, Scenario};
use crate::sweep::expect::{self, SweepExpect};
use crate::sweep::gate::SweepGate;
use crate::sweep::plan::{self, Dimension, Plan, Variant};
use crate::sweep::record::{self, ExpectRecord, PlanRecord, PLAN_FILE};
use crate::sweep::shard::{self, Shard};
use crate::sweep::tables::{self, RunRow};
use crate::sweep::{folder, planfile, pool, text};

#[derive(Debug, Args)]
pub(super) struct SweepArgs {
    /// A scenario file, the name of a bundled scenario, or a plan file (a
    /// YAML file with a `scenario:` field; see docs/sweeps.md).
    #[arg(value_name = "SCENARIO|PLAN")]
    scenario: String,

    /// A dimension: a `--set` path and its values, as a list (0.5,0.8,0.9),
    /// a range (0.5..1.0:0.1, 0ms..500ms:100ms) or both. Several make a
    /// cross product.
    #[arg(long = "vary", value_name = "PATH=VALUES")]
    vary: Vec<String>,

    /// Run every variant under each of these modes (a last dimension).
    #[arg(long, value_name = "MODES", value_delimiter = ',')]
    modes: Vec<String>,

    /// Replications of every variant [default: 10]; replication i runs with
    /// the same seed in every variant.
    #[arg(long, value_name = "N",
          value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    seeds: Option<u32>,

    /// Runs at a time [default: the number of cores].
    #[arg(long, short, value_name = "N",
          value_parser = clap::value_parser!(u32).range(1..=4096))]
    jobs: Option<u32>,

    /// The figures of the table and the charts, separated by commas (any
    /// numeric summary.csv column) [default: lost_write_rate,
    /// stale_read_rate, lag_p99_ms, and the modes' write latency and RPO].
    #[arg(long, value_name = "NAMES", value_delimiter = ',')]
    figures: Vec<String>,

    /// A condition every variant must meet, such as
    /// 'lost_write_rate.ci_high < 0.05' (a figure, optionally .mean, .sd,
    /// .ci_low or .ci_high); exit code 1 when one fails.
    #[arg(long = "expect", value_name = "CONDITION")]
    expects: Vec<String>,

    /// Derive the replications' seeds from this seed instead of the
    /// scenario's.
    #[arg(long, value_name = "N", value_parser = super::parse_seed)]
    seed: Option<u64>,

    /// Override a scenario field in every variant, as with `run`.
    #[arg(long = "set", value_name = "PATH=VALUE")]
    sets: Vec<String>,

    /// Run only slice I of N of the plan's runs (I from 1) and write a
    /// shard folder for `replisim merge` [default: from SLURM_ARRAY_TASK_ID
    /// or JOB_COMPLETION_INDEX when set].
    #[arg(long, value_name = "I/N")]
    shard: Option<String>,

    /// The number of shards beside JOB_COMPLETION_INDEX (Kubernetes
    /// Indexed Jobs) [default: $REPLISIM_SHARD_COUNT].
    #[arg(long, value_name = "N",
          value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    shard_count: Option<u32>,

    /// Skip the runs already done: those in the output folder, and those a
    /// killed sweep of the same plan recorded in its journal.
    #[arg(long)]
    resume: bool,

    /// Output folder [default: output/<scenario name>-sweep, or
    /// output/<scenario name>-sweep-shard-I-of-N].
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,

    /// Draw charts as PNG instead of SVG.
    #[arg(long, conflicts_with = "no_charts")]
    png: bool,

    /// Draw no charts.
    #[arg(long)]
    no_charts: bool,

    /// No progress bar and no table.
    #[arg(long, short)]
    quiet: bool,

    /// Refuse a variant expected to take more simulator events than this
    /// [default: 1000000000].
    #[arg(long, value_name = "N", value_parser = super::parse_count)]
    max_events: Option<u64>,

    #[command(flatten)]
    gate: GateArgs,
}

/// Everything the sweep runs, checked.
struct Loaded {
    /// The scenario argument the variants load (the plan file's scenario).
    scenario_arg: String,
    sets: Vec<String>,
    plan: Plan,
    variants: Vec<Variant>,
    /// Per variant, the scenario it runs (seed still the base one).
    scenarios: Vec<Scenario>,
    base: Scenario,
    figures: Vec<&'static str>,
    expects: Vec<SweepExpect>,
}

/// The plan file named by the argument, if it is one.
fn plan_file(arg: &str) -> Result<Option<planfile::PlanFile>> {
    let path = Path::new(arg);
    if !path.is_file() {
        return Ok(None);
    }
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(_) => return Ok(None),
    };
    if !planfile::is_plan(&text) {
        return Ok(None);
    }
    let dir = path.parent().unwrap_or(Path::new(""));
    planfile::parse(&text, &path.display().to_string(), dir)
        .map(Some)
        .map_err(Error::new)
}

/// The plan from the plan file and the arguments, every variant loaded
/// and its limits checked; the first problem is the error.
fn load_plan(args: &SweepArgs, options: &RunOptions) -> Result<Loaded> {
    let file = plan_file(&args.scenario)?.unwrap_or_default();
    let from_file = !file.scenario.is_empty();
    let scenario_arg = if from_file {
        file.scenario.clone()
    } else {
        args.scenario.clone()
    };
    let mut sets = file.sets.clone();
    sets.extend(args.sets.iter().cloned());

    // Each dimension with where each value was written, for errors.
    let mut dims: Vec<(Dimension, Vec<String>)> = file.vary.clone();
    for arg in &args.vary {
        let d = plan::parse_vary(arg).map_err(Error::new)?;
        if dims.iter().any(|(o, _)| o.path == d.path) {
            return Err(Error::new(format!(
                "--vary {}: the path is varied twice; list all its values in one --vary",
                d.path
            )));
        }
        let origins = d
            .values
            .iter()
            .map(|_| format!("--vary {}", d.path))
            .collect();
        dims.push((d, origins));
    }
    let mode_args = if args.modes.is_empty() {
        &file.modes
    } else {
        &args.modes
    };
    let modes = plan::parse_modes(mode_args, &model::modes::MODE_NAMES).map_err(Error::new)?;
    if !modes.is_empty() && dims.iter().any(|(d, _)| d.path == "replication.mode") {
        return Err(Error::new(
            "--vary replication.mode and --modes both vary the mode; use one of them",
        ));
    }
    let origins: Vec<Vec<String>> = dims.iter().map(|(_, o)| o.clone()).collect();
    let plan = Plan {
        dims: dims.into_iter().map(|(d, _)| d).collect(),
        modes,
        seeds: args.seeds.or(file.seeds).unwrap_or(10),
    };
    let runs = plan.variant_count().saturating_mul(u64::from(plan.seeds));
    if runs > plan::MAX_RUNS {
        return Err(Error::new(format!(
            "the plan has {} runs ({} variants × {} seeds); at most {} are allowed",
            count(runs),
            count(plan.variant_count()),
            plan.seeds,
            count(plan::MAX_RUNS)
        )));
    }
    let mut base = load(&scenario_arg, &sets)?;
    if let Some(seed) = args.seed.or(file.seed) {
        base.seed = seed;
    }

    // Each value on its own first, so an error names the one value at fault.
    for (k, d) in plan.dims.iter().enumerate() {
        for (i, v) in d.values.iter().enumerate() {
            let set = format!("{}={v}", d.path);
            let mut with = sets.clone();
            with.push(set.clone());
            load(&scenario_arg, &with).map_err(|e| value_error(&e, &set, &origins[k][i], v))?;
        }
    }
    let variants = plan.variants();
    let mut scenarios = Vec::with_capacity(variants.len());
    for v in &variants {
        let vary = plan.sets(v);
        let mut with = sets.clone();
        with.extend(vary.iter().cloned());
        let mut s = load(&scenario_arg, &with).map_err(|e| {
            let mut message = e.message().to_string();
            for set in &vary {
                message = message.replace(&format!(": --set {set}:"), ":");
            }
            Error::new(message).context(variant_context(&plan, v))
        })?;
        s.seed = base.seed;
        if let Some(m) = v.mode {
            let mode = &plan.modes[m];
            s = model::modes::for_mode(&s, mode)
                .map_err(|why| Error::new(format!("--modes {mode}: {why}")))?;
        }
        model::check_limits(&s, options).map_err(|e| e.context(variant_context(&plan, v)))?;
        scenarios.push(s);
    }

    let variant_modes: Vec<String> = scenarios
        .iter()
        .map(|s| s.replication.mode.name().to_string())
        .collect();
    let known = tables::figure_names();
    let chosen = if args.figures.is_empty() {
        &file.figures
    } else {
        &args.figures
    };
    let figures: Vec<&'static str> = if chosen.is_empty() {
        text::default_figures(&variant_modes)
    } else {
        let mut names = Vec::new();
        for f in chosen {
            let f = f.trim();
            match known.iter().find(|k| **k == f) {
                Some(k) if !names.contains(k) => names.push(*k),
                Some(_) => {}
                None => {
                    return Err(Error::new(format!(
                        "--figures: {}",
                        scenario::unknown_name("figure", f, &known, "figures are")
                    )))
                }
            }
        }
        names
    };
    let mut expects = file.expect.clone();
    for e in &args.expects {
        expects.push(expect::parse_arg(e).map_err(Error::new)?);
    }
    Ok(Loaded {
        scenario_arg,
        sets,
        plan,
        variants,
        scenarios,
        base,
        figures,
        expects,
    })
}

/// A loader error about one value: where the value was written, then the
/// loader's reason without the `--set` it became.
fn value_error(e: &Error, set: &str, origin: &str, value: &str) -> Error {
    let message = e.message().replace(&format!(": --set {set}:"), ":");
    if origin.starts_with("--vary ") {
        Error::new(format!("{origin} = {value}: {message}"))
    } else {
        Error::new(format!("{origin}: {value}: {message}"))
    }
}

/// A variant named as the plan makes it: `--vary a = 1, b = x, --modes m`.
fn variant_context(plan: &Plan, v: &Variant) -> String {
    let mut parts: Vec<String> = plan
        .sets(v)
        .iter()
        .map(|s| s.replacen('=', " = ", 1))
        .collect();
    if let Some(m) = v.mode {
        parts.push(format!("--modes {}", plan.modes[m]));
    }
    if plan.dims.is_empty() {
        parts.join(", ")
    } else {
        format!("--vary {}", parts.join(", "))
    }
}

/// The command line that repeats the sweep.
fn sweep_command(loaded: &Loaded, shard: Option<&Shard>) -> String {
    let plan = &loaded.plan;
    let mut cmd = format!("replisim sweep {}", shell_quote(&loaded.scenario_arg));
    for d in &plan.dims {
        cmd.push_str(" --vary ");
        cmd.push_str(&shell_quote(&format!("{}={}", d.path, d.values.join(","))));
    }
    if !plan.modes.is_empty() {
        cmd.push_str(&format!(" --modes {}", shell_quote(&plan.modes.join(","))));
    }
    cmd.push_str(&format!(
        " --seeds {} --seed {}",
        plan.seeds, loaded.base.seed
    ));
    for s in &loaded.sets {
        cmd.push_str(" --set ");
        cmd.push_str(&shell_quote(s));
    }
    if let Some(s) = shard {
        cmd.push_str(&format!(" --shard {}", s.fraction()));
    }
    cmd
}

/// `1 variant`, `4 variants`.
fn plural(n: u64, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{} {word}s", count(n))
    }
}

/// One bar over the runs, with an ETA; hidden when stderr is not a
/// terminal or with `--quiet`.
fn runs_bar(quiet: bool, name: &str, runs: u64) -> ProgressBar {
    use std::io::IsTerminal;
    if quiet || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(runs), ProgressDrawTarget::stderr());
    if let Ok(style) =
        ProgressStyle::with_template("{prefix} [{bar:40}] {pos}/{len} runs {elapsed} (eta {eta})")
    {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.set_prefix(name.to_string());
    bar
}

/// The journal beside an output folder: `.<name>.replisim-sweep-journal`.
fn journal_path(out: &Path) -> PathBuf {
    let name = out
        .file_name()
        .map_or_else(|| "sweep".into(), |n| n.to_string_lossy().into_owned());
    let parent = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    parent.join(format!(".{name}.replisim-sweep-journal"))
}

/// The runs already done for `record`'s plan: those of a finished folder
/// at `out` of the same plan, then those in the journal.
fn done_runs(out: &Path, record: &PlanRecord) -> Result<Vec<RunRow>> {
    let plan = record.plan();
    let mut rows = Vec::new();
    let folder_plan = std::fs::read_to_string(out.join(PLAN_FILE)).ok();
    if let Some(text) = folder_plan {
        let origin = out.join(PLAN_FILE).display().to_string();
        let same = PlanRecord::parse(&text, &origin).is_ok_and(|r| r.plan_hash == record.plan_hash);
        if same {
            if let Ok(bytes) = std::fs::read(out.join("runs.csv")) {
                let origin = out.join("runs.csv").display().to_string();
                rows.extend(record::read_runs(&bytes, &plan, true, &origin)?);
            }
        }
    }
    let journal = journal_path(out);
    if let Ok(bytes) = std::fs::read(&journal) {
        let origin = journal.display().to_string();
        if let Some(more) = record::read_journal(&bytes, record, &origin)? {
            rows.extend(more);
        }
    }
    Ok(rows)
}

pub(super) fn sweep(args: &SweepArgs) -> Result<i32> {
    signals::install();
    gate::start(&args.gate)?;
    match sweep_reported(args) {
        Err(e) if !cancelled() => {
            // The reports say the sweep could not run, so CI shows why.
            let reproduce = args_command(args);
            let (junit, md, json) =
                crate::sweep::gate::error_reports(&args.scenario, e.message(), &reproduce);
            gate::finish_with(&args.gate, &junit, &|| md.clone(), &json)?;
            Err(e)
        }
        other => other,
    }
}

/// The command line of `args`, for a sweep that could not run.
fn args_command(args: &SweepArgs) -> String {
    let mut cmd = format!("replisim sweep {}", shell_quote(&args.scenario));
    for v in &args.vary {
        cmd.push_str(" --vary ");
        cmd.push_str(&shell_quote(v));
    }
    if !args.modes.is_empty() {
        cmd.push_str(&format!(" --modes {}", shell_quote(&args.modes.join(","))));
    }
    if let Some(n) = args.seeds {
        cmd.push_str(&format!(" --seeds {n}"));
    }
    if let Some(n) = args.seed {
        cmd.push_str(&format!(" --seed {n}"));
    }
    for s in &args.sets {
        cmd.push_str(" --set ");
        cmd.push_str(&shell_quote(s));
    }
    cmd
}

/// The command that repeats the sweep a plan record describes.
pub(super) fn record_command(record: &PlanRecord) -> String {
    let mut cmd = format!("replisim sweep {}", shell_quote(&record.scenario));
    for d in &record.vary {
        cmd.push_str(" --vary ");
        cmd.push_str(&shell_quote(&format!("{}={}", d.path, d.values.join(","))));
    }
    if !record.modes.is_empty() {
        cmd.push_str(&format!(
            " --modes {}",
            shell_quote(&record.modes.join(","))
        ));
    }
    cmd.push_str(&format!(" --seeds {} --seed {}", record.seeds, record.seed));
    for s in &record.sets {
        cmd.push_str(" --set ");
        cmd.push_str(&shell_quote(s));
    }
    cmd
}

/// Write the gate's reports of a finished whole sweep (nothing for a
/// shard: its variants are incomplete) and return `code`.
pub(super) fn write_reports(
    args: &GateArgs,
    record: &PlanRecord,
    whole: Option<&folder::Whole>,
    reproduce: &str,
    code: i32,
) -> Result<i32> {
    let Some(w) = whole else {
        return Ok(code);
    };
    let g = SweepGate {
        record,
        figures: &w.figures,
        shown: &w.shown,
        outcomes: &w.outcomes,
        reproduce,
    };
    gate::finish_with(args, &g.junit(), &|| g.markdown(), &g.json(code))?;
    Ok(code)
}

fn sweep_reported(args: &SweepArgs) -> Result<i32> {
    let options = RunOptions {
        trace: false,
        max_events: args.max_events,
    };
    let loaded = load_plan(args, &options)?;
    let shard = match &args.shard {
        Some(text) => Some(shard::parse(text).map_err(Error::new)?),
        None => shard::from_env(|k| std::env::var(k).ok(), args.shard_count).map_err(Error::new)?,
    };
    let Loaded {
        plan,
        variants,
        scenarios,
        base,
        ..
    } = &loaded;
    let yaml: Vec<String> = scenarios.iter().map(scenario::to_yaml).collect();
    let whole = PlanRecord::new(
        plan,
        &loaded.scenario_arg,
        &base.name,
        base.seed,
        &loaded.sets,
        &yaml,
    );
    let whole = PlanRecord {
        figures: loaded.figures.iter().map(|f| f.to_string()).collect(),
        charts: if args.no_charts {
            "none"
        } else if args.png {
            "png"
        } else {
            "svg"
        }
        .to_string(),
        expect: loaded
            .expects
            .iter()
            .map(|e| ExpectRecord {
                name: e.name.clone(),
                condition: e.condition.clone(),
            })
            .collect(),
        ..whole
    };
    let record = match &shard {
        Some(s) => whole.for_shard(s),
        None => whole.clone(),
    };
    if shard.is_some() && (args.gate.junit.is_some() || args.gate.summary_md.is_some()) {
        return Err(Error::new(
            "--junit and --summary-md report on the whole plan; a shard has only some of its \
             runs, so give them to replisim merge",
        ));
    }
    let out = args.out.clone().unwrap_or_else(|| {
        let name = folder_name(&base.name);
        Path::new("output").join(match &shard {
            Some(s) => format!("{name}-sweep-shard-{}-of-{}", s.index, s.count),
            None => format!("{name}-sweep"),
        })
    });
    let target = Target::prepare(&out)?;

    let seeds = plan.seeds as usize;
    let runs = variants.len() * seeds;
    let in_slice = |r: usize| shard.as_ref().is_none_or(|s| s.includes(r));
    let mut done: Vec<Option<RunRow>> = vec![None; runs];
    if args.resume {
        for row in done_runs(&out, &record)? {
            let r = record::run_index(plan, &row);
            if in_slice(r) {
                done[r] = Some(row);
            }
        }
    }
    let todo: Vec<usize> = (0..runs)
        .filter(|&r| in_slice(r) && done[r].is_none())
        .collect();
    let slice_runs = (0..runs).filter(|&r| in_slice(r)).count();

    let jobs = args.jobs.map_or_else(pool::default_jobs, |j| j as usize);
    if !args.quiet {
        outln!(
            "sweeping {} (seed {}): {} × {} = {}, {} at a time",
            base.name,
            base.seed,
            plural(variants.len() as u64, "variant"),
            plural(u64::from(plan.seeds), "seed"),
            plural(runs as u64, "run"),
            jobs.min(todo.len().max(1))
        );
        if let Some(s) = &shard {
            outln!(
                "shard {} ({}): {} of the plan's runs",
                s.fraction(),
                s.source,
                count(slice_runs as u64)
            );
        }
        if args.resume {
            outln!(
                "resuming: {} of {} runs already done, {} to run",
                count((slice_runs - todo.len()) as u64),
                count(slice_runs as u64),
                count(todo.len() as u64)
            );
        }
    }

    // The journal: the runs done so far, so a killed sweep can resume.
    let journal_file = journal_path(&out);
    let mut journal = {
        let mut text = record::journal_header(&record).into_bytes();
        for row in done.iter().flatten() {
            text.extend(record::journal_line(plan, row)?);
        }
        std::fs::write(&journal_file, &text).map_err(|e| {
            Error::new(format!(
                "{}: cannot write the journal: {e}",
                journal_file.display()
            ))
        })?;
        std::fs::OpenOptions::new()
            .append(true)
            .open(&journal_file)
            .map_err(|e| {
                Error::new(format!(
                    "{}: cannot write the journal: {e}",
                    journal_file.display()
                ))
            })?
    };

    let bar = runs_bar(args.quiet, &base.name, todo.len() as u64);
    let mut first_error: Option<(usize, Error)> = None;
    let mut journal_error: Option<Error> = None;
    let results = pool::run_all(
        jobs,
        todo.len(),
        |k| -> Result<Vec<String>> {
            let r = todo[k];
            let mut s = scenarios[r / seeds].clone();
            s.seed = plan::replication_seed(base.seed, (r % seeds) as u32);
            let output = super::run_model(&s, &options, &ProgressBar::hidden())?;
            Ok(csv_out::summary_cells(&output.result.summary))
        },
        |k, outcome| {
            bar.inc(1);
            let r = todo[k];
            match outcome {
                Err(e) => {
                    if first_error.as_ref().is_none_or(|(at, _)| r < *at) {
                        first_error = Some((r, e.clone()));
                    }
                    false
                }
                Ok(cells) => {
                    let row = RunRow {
                        variant: r / seeds,
                        replication: (r % seeds) as u32,
                        cells: cells.clone(),
                    };
                    let line = record::journal_line(plan, &row);
                    let written = line.and_then(|l| {
                        journal
                            .write_all(&l)
                            .map_err(|e| Error::new(format!("{}: {e}", journal_file.display())))
                    });
                    if let Err(e) = written {
                        journal_error.get_or_insert(e);
                    }
                    !cancelled()
                }
            }
        },
    );
    bar.finish_and_clear();
    if let Some(signal) = signals::received() {
        return Err(Error::new(format!(
            "{}; the runs done so far are kept for --resume",
            signals::message(signal)
        )));
    }
    if let Some((r, e)) = first_error {
        let v = &variants[r / seeds];
        let seed = plan::replication_seed(base.seed, (r % seeds) as u32);
        let at = variant_context(plan, v);
        let at = if at.is_empty() {
            String::new()
        } else {
            format!("{at}, ")
        };
        return Err(e.context(format!("{at}seed {seed}")));
    }
    if let Some(e) = journal_error {
        return Err(e.context("cannot record the runs for --resume"));
    }
    for (k, outcome) in results.into_iter().enumerate() {
        let r = todo[k];
        match outcome {
            Some(Ok(cells)) => {
                done[r] = Some(RunRow {
                    variant: r / seeds,
                    replication: (r % seeds) as u32,
                    cells,
                })
            }
            _ => return Err(Error::new(format!("run {r} of the sweep did not finish"))),
        }
    }
    let rows: Vec<RunRow> = done.into_iter().flatten().collect();

    let (files, whole) = folder::files(&record, &rows)?;
    target.write(&files, &cancelled)?;
    let _ = std::fs::remove_file(&journal_file);

    if let (false, Some(w)) = (args.quiet, &whole) {
        outln!();
        out!("{}", text::table(plan, variants, &w.figures, &w.shown));
        outln!();
    }
    let listed: Vec<String> = files
        .iter()
        .filter(|f| f.path.parent() == Some(Path::new("")))
        .map(|f| f.path.display().to_string())
        .collect();
    let charts = files.len() - listed.len();
    let charts = if charts > 0 {
        format!(", charts/ ({charts} charts)")
    } else {
        String::new()
    };
    outln!(
        "results in {}: {}{charts}",
        out.display(),
        listed.join(", ")
    );
    if let Some(s) = &shard {
        outln!(
            "this is slice {} of the plan; put the slices together with replisim merge",
            s.fraction()
        );
    }
    let reproduce = sweep_command(&loaded, shard.as_ref());
    outln!("reproduce: {reproduce}");
    let code = print_outcomes(plan, &base.name, whole.as_ref());
    write_reports(&args.gate, &record, whole.as_ref(), &reproduce, code)
}

/// Print each expectation's line; the exit code they make.
pub(super) fn print_outcomes(plan: &Plan, name: &str, whole: Option<&folder::Whole>) -> i32 {
    let mut code = super::EXIT_OK;
    for o in whole.map_or(&[][..], |w| &w.outcomes[..]) {
        outln!("{}", expect::line(plan, o));
        if !o.failed.is_empty() {
            code = super::EXIT_EXPECTATION_FAILED;
        }
    }
    if code != super::EXIT_OK {
        outln!("{name}: an expectation failed");
    }
    code
}
