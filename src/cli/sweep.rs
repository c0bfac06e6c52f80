//! `replisim sweep`: load every variant of the plan (so a bad value stops
//! the sweep before any run), run the (variant, replication) runs on
//! `--jobs` threads with one progress bar, then write `runs.csv` and
//! `sweep.csv` and print the table of means and intervals.

use std::path::{Path, PathBuf};

use clap::Args;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::stdout::{out, outln};
use super::{cancelled, folder_name, load, signals};
use crate::error::{Error, Result};
use crate::model::{self, RunOptions};
use crate::report::csv_out;
use crate::report::format::count;
use crate::report::output::{OutputFile, Target};
use crate::report::terminal::shell_quote;
use crate::scenario::Scenario;
use crate::sweep::plan::{self, Plan, Variant};
use crate::sweep::tables::{self, RunRow};
use crate::sweep::{pool, text};

#[derive(Debug, Args)]
pub(super) struct SweepArgs {
    /// A scenario file, or the name of a bundled scenario.
    #[arg(value_name = "SCENARIO")]
    scenario: String,

    /// A dimension: a `--set` path and its values, as a list (0.5,0.8,0.9),
    /// a range (0.5..1.0:0.1, 0ms..500ms:100ms) or both. Several make a
    /// cross product.
    #[arg(long = "vary", value_name = "PATH=VALUES")]
    vary: Vec<String>,

    /// Run every variant under each of these modes (a last dimension).
    #[arg(long, value_name = "MODES", value_delimiter = ',')]
    modes: Vec<String>,

    /// Replications of every variant; replication i runs with the same seed
    /// in every variant.
    #[arg(long, value_name = "N", default_value_t = 10,
          value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    seeds: u32,

    /// Runs at a time [default: the number of cores].
    #[arg(long, short, value_name = "N",
          value_parser = clap::value_parser!(u32).range(1..=4096))]
    jobs: Option<u32>,

    /// The figures of the terminal table, separated by commas (any numeric
    /// summary.csv column) [default: lost_write_rate, stale_read_rate,
    /// lag_p99_ms, and the modes' write latency and RPO].
    #[arg(long, value_name = "NAMES", value_delimiter = ',')]
    figures: Vec<String>,

    /// Derive the replications' seeds from this seed instead of the
    /// scenario's.
    #[arg(long, value_name = "N", value_parser = super::parse_seed)]
    seed: Option<u64>,

    /// Override a scenario field in every variant, as with `run`.
    #[arg(long = "set", value_name = "PATH=VALUE")]
    sets: Vec<String>,

    /// Output folder [default: output/<scenario name>-sweep].
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,

    /// No progress bar and no table.
    #[arg(long, short)]
    quiet: bool,

    /// Refuse a variant expected to take more simulator events than this
    /// [default: 1000000000].
    #[arg(long, value_name = "N", value_parser = super::parse_count)]
    max_events: Option<u64>,
}

/// A plan with every variant loaded and checked.
struct Loaded {
    plan: Plan,
    variants: Vec<Variant>,
    /// Per variant, the scenario it runs (seed still the base one).
    scenarios: Vec<Scenario>,
    base: Scenario,
}

/// The plan from the arguments, every variant loaded and its limits
/// checked; the first problem is the error.
fn load_plan(args: &SweepArgs, options: &RunOptions) -> Result<Loaded> {
    let mut dims = Vec::with_capacity(args.vary.len());
    for arg in &args.vary {
        let d = plan::parse_vary(arg).map_err(Error::new)?;
        if dims.iter().any(|o: &plan::Dimension| o.path == d.path) {
            return Err(Error::new(format!(
                "--vary {}: the path is varied twice; list all its values in one --vary",
                d.path
            )));
        }
        dims.push(d);
    }
    let modes = plan::parse_modes(&args.modes, &model::modes::MODE_NAMES).map_err(Error::new)?;
    if !modes.is_empty() && dims.iter().any(|d| d.path == "replication.mode") {
        return Err(Error::new(
            "--vary replication.mode and --modes both vary the mode; use one of them",
        ));
    }
    let plan = Plan {
        dims,
        modes,
        seeds: args.seeds,
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
    let mut base = load(&args.scenario, &args.sets)?;
    if let Some(seed) = args.seed {
        base.seed = seed;
    }

    // Each value on its own first, so an error names the one value at fault.
    for d in &plan.dims {
        for v in &d.values {
            let set = format!("{}={v}", d.path);
            let mut sets = args.sets.clone();
            sets.push(set.clone());
            load(&args.scenario, &sets).map_err(|e| vary_error(&e, std::slice::from_ref(&set)))?;
        }
    }
    let variants = plan.variants();
    let mut scenarios = Vec::with_capacity(variants.len());
    for v in &variants {
        let vary = plan.sets(v);
        let mut sets = args.sets.clone();
        sets.extend(vary.iter().cloned());
        let mut s = load(&args.scenario, &sets).map_err(|e| vary_error(&e, &vary))?;
        s.seed = base.seed;
        if let Some(m) = v.mode {
            let mode = &plan.modes[m];
            s = model::modes::for_mode(&s, mode)
                .map_err(|why| Error::new(format!("--modes {mode}: {why}")))?;
        }
        model::check_limits(&s, options).map_err(|e| e.context(variant_context(&plan, v)))?;
        scenarios.push(s);
    }
    Ok(Loaded {
        plan,
        variants,
        scenarios,
        base,
    })
}

/// A loader error about a variant, said as the `--vary` values that made
/// it (not the `--set` arguments they became).
fn vary_error(e: &Error, vary: &[String]) -> Error {
    let mut message = e.message().to_string();
    for set in vary {
        message = message.replace(&format!(": --set {set}:"), ":");
    }
    let shown: Vec<String> = vary.iter().map(|s| s.replacen('=', " = ", 1)).collect();
    Error::new(format!("--vary {}: {message}", shown.join(", ")))
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
fn sweep_command(args: &SweepArgs, plan: &Plan, seed: u64) -> String {
    let mut cmd = format!("replisim sweep {}", shell_quote(&args.scenario));
    for d in &plan.dims {
        cmd.push_str(" --vary ");
        cmd.push_str(&shell_quote(&format!("{}={}", d.path, d.values.join(","))));
    }
    if !plan.modes.is_empty() {
        cmd.push_str(&format!(" --modes {}", shell_quote(&plan.modes.join(","))));
    }
    cmd.push_str(&format!(" --seeds {} --seed {seed}", plan.seeds));
    for s in &args.sets {
        cmd.push_str(" --set ");
        cmd.push_str(&shell_quote(s));
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

pub(super) fn sweep(args: &SweepArgs) -> Result<i32> {
    signals::install();
    let options = RunOptions {
        trace: false,
        max_events: args.max_events,
    };
    let loaded = load_plan(args, &options)?;
    let Loaded {
        plan,
        variants,
        scenarios,
        base,
    } = &loaded;
    let known = tables::figure_names();
    let variant_modes: Vec<String> = scenarios
        .iter()
        .map(|s| s.replication.mode.name().to_string())
        .collect();
    let shown: Vec<&str> = if args.figures.is_empty() {
        text::default_figures(&variant_modes)
    } else {
        let mut names = Vec::new();
        for f in &args.figures {
            let f = f.trim();
            match known.iter().find(|k| **k == f) {
                Some(k) => names.push(*k),
                None => {
                    return Err(Error::new(format!(
                        "--figures: {}",
                        crate::scenario::unknown_name("figure", f, &known, "figures are")
                    )))
                }
            }
        }
        names
    };
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| Path::new("output").join(format!("{}-sweep", folder_name(&base.name))));
    let target = Target::prepare(&out)?;

    let seeds = plan.seeds as usize;
    let runs = variants.len() * seeds;
    let jobs = args.jobs.map_or_else(pool::default_jobs, |j| j as usize);
    if !args.quiet {
        outln!(
            "sweeping {} (seed {}): {} × {} = {}, {} at a time",
            base.name,
            base.seed,
            plural(variants.len() as u64, "variant"),
            plural(u64::from(plan.seeds), "seed"),
            plural(runs as u64, "run"),
            jobs.min(runs)
        );
    }
    let bar = runs_bar(args.quiet, &base.name, runs as u64);
    let mut first_error: Option<(usize, Error)> = None;
    let results = pool::run_all(
        jobs,
        runs,
        |r| -> Result<Vec<String>> {
            let mut s = scenarios[r / seeds].clone();
            s.seed = plan::replication_seed(base.seed, (r % seeds) as u32);
            let output = super::run_model(&s, &options, &ProgressBar::hidden())?;
            Ok(csv_out::summary_cells(&output.result.summary))
        },
        |r, outcome| {
            bar.inc(1);
            if let Err(e) = outcome {
                if first_error.as_ref().is_none_or(|(at, _)| r < *at) {
                    first_error = Some((r, e.clone()));
                }
                return false;
            }
            !cancelled()
        },
    );
    bar.finish_and_clear();
    if let Some(signal) = signals::received() {
        return Err(Error::new(signals::message(signal)));
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
    let mut rows = Vec::with_capacity(runs);
    for (r, outcome) in results.into_iter().enumerate() {
        let cells = match outcome {
            Some(Ok(cells)) => cells,
            _ => return Err(Error::new(format!("run {r} of the sweep did not finish"))),
        };
        rows.push(RunRow {
            variant: r / seeds,
            replication: (r % seeds) as u32,
            cells,
        });
    }
    let figures = tables::variant_figures(&rows, &variant_modes)?;
    let files = vec![
        OutputFile::new("runs.csv", tables::runs_csv(plan, variants, &rows)?),
        OutputFile::new("sweep.csv", tables::sweep_csv(plan, variants, &figures)?),
    ];
    target.write(&files, &cancelled)?;

    if !args.quiet {
        outln!();
        out!("{}", text::table(plan, variants, &figures, &shown));
        outln!();
    }
    outln!("results in {}: runs.csv, sweep.csv", out.display());
    outln!("reproduce: {}", sweep_command(args, plan, base.seed));
    Ok(super::EXIT_OK)
}
