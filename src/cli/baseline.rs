//! `replisim baseline save DIR ...` and `replisim check --baseline DIR`.
//!
//! `save` keeps the figures of runs in a baseline folder: from result
//! folders an earlier `run` or `compare` wrote, or by running scenarios
//! here (under several seeds with `--seeds N`, for a statistical entry);
//! `run --bless DIR` does the same for the runs it makes.
//! Entries already in the folder are kept unless replaced; the folder is
//! written whole or not at all, like a result folder.
//!
//! `check` runs each entry's scenario again (the file it was saved from,
//! the scenarios named on the command line, or else the baseline's own
//! copy) under the baseline's seeds, compares, prints the verdicts and
//! writes the gate's reports; `--bless` then makes the new runs the
//! baseline. The bytes, comparisons and reports are made in
//! `report::baseline`.

use std::fs;
use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};

use super::gate::{self, GateArgs};
use super::stdout::{out, outln};
use super::{cancelled, folder_name, load, progress_bar, run_model};
use super::{EXIT_ERROR, EXIT_EXPECTATION_FAILED, EXIT_OK};
use crate::error::{Error, Result};
use crate::metrics::result::RunResult;
use crate::model::{self, RunOptions};
use crate::report::baseline::{
    self as bl, Baseline, Comparison, Entry, EntryCheck, Judgement, EXACT_FILES, MANIFEST,
    ROW_FILES, SEEDS_FILE,
};
use crate::report::csv_out;
use crate::report::output::Target;
use crate::report::terminal::shell_quote;
use crate::scenario::{self, Scenario};
use crate::sweep::plan as sweep_plan;
use crate::sweep::record::{self as sweep_record, PlanRecord, PLAN_FILE};
use crate::sweep::tables;

/// `replisim baseline ...`.
#[derive(Debug, Args)]
pub struct BaselineArgs {
    #[command(subcommand)]
    command: BaselineCommand,
}

#[derive(Debug, Subcommand)]
enum BaselineCommand {
    /// Keep the figures of runs in a baseline folder, for `replisim check`.
    Save(SaveArgs),
}

#[derive(Debug, Args)]
struct SaveArgs {
    /// The baseline folder: made, or added to (an entry of the same name
    /// is replaced).
    #[arg(value_name = "DIR")]
    dir: PathBuf,

    /// Result folders of earlier runs (a `compare` folder gives one entry
    /// per mode; folders of one scenario under different seeds give one
    /// statistical entry), or scenarios (files or bundled names) to run now.
    #[arg(value_name = "RESULT|SCENARIO", required = true)]
    sources: Vec<String>,

    /// Run each scenario under N seeds (its seed and the next N − 1): a
    /// statistical entry, judged against seed-to-seed noise.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=10_000))]
    seeds: Option<u32>,

    /// Use this seed (the first, with --seeds) instead of the scenario's.
    #[arg(long, value_name = "N", value_parser = super::parse_seed)]
    seed: Option<u64>,

    /// Override a scenario field by its path, as with `run`.
    #[arg(long = "set", value_name = "PATH=VALUE")]
    sets: Vec<String>,

    /// Refuse a scenario expected to take more simulator events than this
    /// [default: 1000000000].
    #[arg(long, value_name = "N", value_parser = super::parse_count)]
    max_events: Option<u64>,

    /// No progress bar.
    #[arg(long, short)]
    quiet: bool,
}

/// `replisim check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// The baseline folder, made by `replisim baseline save`.
    #[arg(long, value_name = "DIR", required = true)]
    baseline: PathBuf,

    /// Check these scenarios (files or bundled names), each against the
    /// entries of its name, instead of the scenarios the baseline was
    /// saved from.
    #[arg(value_name = "SCENARIO")]
    scenarios: Vec<String>,

    /// Override a field of every scenario checked, as with `run`.
    #[arg(long = "set", value_name = "PATH=VALUE")]
    sets: Vec<String>,

    /// Statistical entries: the chance that a scenario whose figures did
    /// not change passes (split over the figures judged).
    #[arg(long, value_name = "LEVEL", default_value = "95%", value_parser = parse_fraction)]
    confidence: f64,

    /// Statistical entries: a change smaller than this, relative to the
    /// baseline's mean, is "within noise", never a regression.
    #[arg(long, value_name = "FRACTION", default_value = "1%", value_parser = parse_fraction)]
    noise: f64,

    /// Statistical entries: run under seeds N, N+1, ... instead of the
    /// baseline's seeds (an independent sample).
    #[arg(long, value_name = "N", value_parser = super::parse_seed)]
    first_seed: Option<u64>,

    /// Make the new runs the baseline (after showing what changed).
    #[arg(long)]
    bless: bool,

    /// Refuse a scenario expected to take more simulator events than this
    /// [default: 1000000000].
    #[arg(long, value_name = "N", value_parser = super::parse_count)]
    max_events: Option<u64>,

    /// No progress bar.
    #[arg(long, short)]
    quiet: bool,

    #[command(flatten)]
    gate: GateArgs,
}

/// `95%`, `0.95`: a fraction from 0 to 1 (the confidence below 1).
fn parse_fraction(text: &str) -> std::result::Result<f64, String> {
    let t = text.trim();
    let value = match t.strip_suffix('%') {
        Some(p) => p.trim().parse::<f64>().map(|v| v / 100.0),
        None => t.parse::<f64>(),
    };
    match value {
        Ok(v) if (0.0..1.0).contains(&v) => Ok(v),
        _ => Err("not a fraction from 0 to 1, such as 95% or 0.95 (below 100%)".to_string()),
    }
}

pub fn baseline(args: &BaselineArgs) -> Result<i32> {
    match &args.command {
        BaselineCommand::Save(a) => save(a),
    }
}

/// Whether `dir` is a result folder of one run.
fn is_run_folder(dir: &Path) -> bool {
    dir.join("summary.csv").is_file() && dir.join("scenario.yaml").is_file()
}

fn read(path: &Path) -> Result<Vec<u8>> {
    fs::read(path).map_err(|e| Error::new(format!("{}: cannot read: {e}", path.display())))
}

fn read_text(path: &Path) -> Result<String> {
    String::from_utf8(read(path)?)
        .map_err(|_| Error::new(format!("{}: not UTF-8 text", path.display())))
}

/// The baseline in `dir`, with every file of its entries; `None` when
/// `dir` holds no baseline yet.
fn read_baseline(dir: &Path) -> Result<Option<Baseline>> {
    let manifest = dir.join(MANIFEST);
    if !manifest.is_file() {
        return Ok(None);
    }
    let (made_by, listed) =
        bl::parse_manifest(&read_text(&manifest)?, &manifest.display().to_string())?;
    let mut entries = Vec::with_capacity(listed.len());
    for m in listed {
        let folder = dir.join(&m.id);
        let mut files = Vec::new();
        for f in &m.files {
            files.push((f.clone(), read(&folder.join(f))?));
        }
        entries.push(Entry {
            scenario_yaml: read_text(&folder.join("scenario.yaml"))?,
            id: m.id,
            scenario: m.scenario,
            mode: m.mode,
            source: m.source,
            sets: m.sets,
            seeds: m.seeds,
            files,
        });
    }
    Ok(Some(Baseline { made_by, entries }))
}

/// A run read back from its result folder.
struct SavedRun {
    folder: PathBuf,
    scenario: Scenario,
    yaml: String,
    files: Vec<(String, Vec<u8>)>,
}

fn read_run_folder(dir: &Path) -> Result<SavedRun> {
    let yaml_path = dir.join("scenario.yaml");
    let yaml = read_text(&yaml_path)?;
    let scenario = scenario::load_str(&yaml, &yaml_path.display().to_string(), &[])?;
    let mut files = Vec::new();
    for name in EXACT_FILES {
        let p = dir.join(name);
        if !p.is_file() {
            return Err(Error::new(format!(
                "{}: missing; a result folder of replisim run holds {}",
                p.display(),
                EXACT_FILES.join(", ")
            )));
        }
        files.push((name.to_string(), read(&p)?));
    }
    Ok(SavedRun {
        folder: dir.to_path_buf(),
        scenario,
        yaml,
        files,
    })
}

/// The scenario text with its seed line left out: runs of one scenario
/// under different seeds have the same.
fn without_seed(yaml: &str) -> String {
    yaml.lines()
        .filter(|l| !l.starts_with("seed:"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// One entry from result folders of one scenario (one folder: exact;
/// several, under different seeds: statistical).
fn entry_from_folders(id: &str, runs: &[SavedRun]) -> Result<Entry> {
    let first = &runs[0];
    for r in &runs[1..] {
        if without_seed(&r.yaml) != without_seed(&first.yaml) {
            return Err(Error::new(format!(
                "{} and {} hold different scenarios named '{}' (not only another seed); \
                 save them to different baselines",
                first.folder.display(),
                r.folder.display(),
                first.scenario.name
            )));
        }
        if let Some(twin) = runs
            .iter()
            .take_while(|x| !std::ptr::eq(*x, r))
            .find(|x| x.scenario.seed == r.scenario.seed)
        {
            return Err(Error::new(format!(
                "{} and {} are the same run (seed {}); give each seed once",
                twin.folder.display(),
                r.folder.display(),
                r.scenario.seed
            )));
        }
    }
    let mode = first.scenario.replication.mode.name().to_string();
    if runs.len() == 1 {
        return Ok(Entry {
            id: id.to_string(),
            scenario: first.scenario.name.clone(),
            mode,
            source: None,
            sets: Vec::new(),
            seeds: vec![first.scenario.seed],
            scenario_yaml: first.yaml.clone(),
            files: first.files.clone(),
        });
    }
    // seeds.csv: the summary rows of every folder under one header.
    let mut seeds_csv = Vec::new();
    for (i, r) in runs.iter().enumerate() {
        let summary = &r.files[0].1;
        let text = String::from_utf8_lossy(summary);
        let mut lines = text.lines();
        let header = lines.next().unwrap_or_default();
        if i == 0 {
            seeds_csv.extend_from_slice(header.as_bytes());
            seeds_csv.push(b'\n');
        }
        for l in lines {
            seeds_csv.extend_from_slice(l.as_bytes());
            seeds_csv.push(b'\n');
        }
    }
    Ok(Entry {
        id: id.to_string(),
        scenario: first.scenario.name.clone(),
        mode,
        source: None,
        sets: Vec::new(),
        seeds: runs.iter().map(|r| r.scenario.seed).collect(),
        scenario_yaml: first.yaml.clone(),
        files: {
            let mut files = vec![(SEEDS_FILE.to_string(), seeds_csv)];
            for (rows_file, result_file) in ROW_FILES {
                let per_seed: Vec<(u64, &[u8])> = runs
                    .iter()
                    .map(|r| {
                        let bytes = r
                            .files
                            .iter()
                            .find(|(n, _)| n == result_file)
                            .map_or(&[][..], |(_, b)| b.as_slice());
                        (r.scenario.seed, bytes)
                    })
                    .collect();
                files.push((rows_file.to_string(), bl::seeds_rows(&per_seed)?));
            }
            files
        },
    })
}

/// One statistical entry per variant of the sweep folder `dir`: its runs'
/// summary rows as `seeds.csv`, checked later by running the sweep's
/// scenario with the variant's values (and mode) under the same seeds.
fn sweep_entries(dir: &Path) -> Result<Vec<Entry>> {
    let plan_path = dir.join(PLAN_FILE);
    let record = PlanRecord::parse(&read_text(&plan_path)?, &plan_path.display().to_string())?;
    if let Some(s) = &record.shard {
        return Err(Error::new(format!(
            "{}: a shard folder (slice {}/{}); put the slices together with replisim merge \
             and save the merged folder",
            dir.display(),
            s.index,
            s.count
        )));
    }
    if record.seeds < 2 {
        return Err(Error::new(format!(
            "{}: a sweep of one seed; a baseline from a sweep is statistical and needs \
             --seeds 2 or more (for an exact entry, save a run's folder)",
            dir.display()
        )));
    }
    let plan = record.plan();
    let runs_path = dir.join("runs.csv");
    let rows = sweep_record::read_runs(
        &read(&runs_path)?,
        &plan,
        true,
        &runs_path.display().to_string(),
    )?;
    // Every variant's scenario as the sweep ran it; the plan's hash tells
    // whether the scenario file is still the one the sweep ran.
    let mut scenarios = Vec::new();
    let mut yaml = Vec::new();
    let variants = plan.variants();
    for v in &variants {
        let mut sets = record.sets.clone();
        sets.extend(plan.sets(v));
        let mut s = load(&record.scenario, &sets)?;
        s.seed = record.seed;
        if let Some(m) = v.mode {
            s = model::modes::for_mode(&s, &plan.modes[m])
                .map_err(|why| Error::new(format!("--modes {}: {why}", plan.modes[m])))?;
        }
        yaml.push(scenario::to_yaml(&s));
        scenarios.push((sets, s));
    }
    let again = PlanRecord::new(
        &plan,
        &record.scenario,
        &record.name,
        record.seed,
        &record.sets,
        &yaml,
    );
    if again.plan_hash != record.plan_hash {
        return Err(Error::new(format!(
            "{}: {} is not the scenario this sweep ran (its plan hash differs); \
             run the sweep again, or save the baseline from the scenario with --seeds",
            dir.display(),
            record.scenario
        )));
    }
    let header = csv_out::summary_columns();
    let mode_at = header.iter().position(|c| *c == "mode").unwrap_or(0);
    let mut entries = Vec::with_capacity(variants.len());
    for (k, ((sets, s), v)) in scenarios.into_iter().zip(&variants).enumerate() {
        let mine: Vec<&tables::RunRow> = rows.iter().filter(|r| r.variant == k).collect();
        let mut w = csv::WriterBuilder::new().from_writer(Vec::new());
        let fail = |e: csv::Error| Error::new(format!("{}: {e}", runs_path.display()));
        w.write_record(&header).map_err(fail)?;
        for r in &mine {
            w.write_record(&r.cells).map_err(fail)?;
        }
        let seeds_csv = w
            .into_inner()
            .map_err(|e| Error::new(format!("{}: {e}", runs_path.display())))?;
        let mode = mine
            .first()
            .and_then(|r| r.cells.get(mode_at).cloned())
            .unwrap_or_else(|| s.replication.mode.name().to_string());
        let seeds: Vec<u64> = mine
            .iter()
            .map(|r| sweep_plan::replication_seed(record.seed, r.replication))
            .collect();
        let mut first = s.clone();
        first.seed = seeds.first().copied().unwrap_or(s.seed);
        let label = if plan.dims.is_empty() && plan.modes.is_empty() {
            String::new()
        } else {
            format!("-{}", plan.label(v))
        };
        entries.push(Entry {
            id: folder_name(&format!("{}{label}", record.name)),
            scenario: s.name.clone(),
            mode,
            source: Some(record.scenario.clone()),
            sets,
            seeds,
            scenario_yaml: scenario::to_yaml(&first),
            files: vec![(SEEDS_FILE.to_string(), seeds_csv)],
        });
    }
    Ok(entries)
}

/// Run `scenario` under `seeds`, one after another.
fn run_seeds(
    scenario: &Scenario,
    seeds: &[u64],
    options: &RunOptions,
    quiet: bool,
) -> Result<Vec<RunResult>> {
    let mut results = Vec::with_capacity(seeds.len());
    for &seed in seeds {
        let mut s = scenario.clone();
        s.seed = seed;
        let bar = progress_bar(quiet, &format!("{} seed {seed}", s.name));
        let outcome = run_model(&s, options, &bar);
        bar.finish_and_clear();
        results.push(outcome?.result);
    }
    Ok(results)
}

/// `n` seeds from `first`.
fn seed_range(first: u64, n: u64) -> Result<Vec<u64>> {
    if first.checked_add(n - 1).is_none() {
        return Err(Error::new(format!(
            "--seeds {n} from seed {first} goes past {}",
            u64::MAX
        )));
    }
    Ok((0..n).map(|i| first + i).collect())
}

/// An entry made by running `scenario` under `seeds`.
fn entry_from_runs(
    id: &str,
    source: Option<&str>,
    sets: &[String],
    scenario: &Scenario,
    results: &[RunResult],
) -> Result<Entry> {
    let mut first = scenario.clone();
    first.seed = results[0].summary.seed;
    let yaml = scenario::to_yaml(&first);
    if results.len() == 1 {
        Entry::exact(id, source, sets, yaml, &results[0])
    } else {
        Entry::statistical_from(id, source, sets, yaml, results)
    }
}

/// A short account of an entry: `gate (exact, seed 7)`.
fn describe(e: &Entry) -> String {
    match e.seeds.as_slice() {
        [one] => format!("{} (exact, {}, seed {one})", e.id, e.mode),
        [first, .., last] => format!(
            "{} (statistical, {}, {} seeds {first}..{last})",
            e.id,
            e.mode,
            e.seeds.len()
        ),
        [] => e.id.clone(),
    }
}

fn save(args: &SaveArgs) -> Result<i32> {
    super::signals::install();
    let options = RunOptions {
        trace: false,
        max_events: args.max_events,
    };
    // Read and check every source before anything runs.
    enum Source {
        Folders(Vec<SavedRun>),
        Scenario(String, Box<Scenario>),
        Entry(Box<Entry>),
    }
    let mut groups: Vec<(String, Source)> = Vec::new();
    for arg in &args.sources {
        let path = Path::new(arg);
        let mut found: Vec<(String, SavedRun)> = Vec::new();
        if path.is_dir() && path.join(PLAN_FILE).is_file() {
            if args.seeds.is_some() || args.seed.is_some() || !args.sets.is_empty() {
                return Err(Error::new(format!(
                    "{arg}: a sweep folder; --seeds, --seed and --set apply to scenarios run now"
                )));
            }
            for entry in sweep_entries(path)? {
                if groups.iter().any(|(g, _)| *g == entry.id) {
                    return Err(Error::new(format!(
                        "{arg}: a second source of entry '{}'; give each scenario once",
                        entry.id
                    )));
                }
                groups.push((entry.id.clone(), Source::Entry(Box::new(entry))));
            }
            continue;
        }
        if path.is_dir() && path.join("compare.csv").is_file() {
            for mode in model::modes::MODE_NAMES {
                let sub = path.join(mode);
                if is_run_folder(&sub) {
                    let run = read_run_folder(&sub)?;
                    let id = format!("{}-{mode}", folder_name(&run.scenario.name));
                    found.push((id, run));
                }
            }
            if found.is_empty() {
                return Err(Error::new(format!(
                    "{arg}: a compare folder without any mode's result folder"
                )));
            }
        } else if path.is_dir() {
            if !is_run_folder(path) {
                return Err(Error::new(format!(
                    "{arg}: a folder, but not a result folder of replisim run or compare \
                     (no summary.csv and scenario.yaml)"
                )));
            }
            let run = read_run_folder(path)?;
            found.push((folder_name(&run.scenario.name), run));
        } else {
            let mut s = load(arg, &args.sets)?;
            if let Some(seed) = args.seed {
                s.seed = seed;
            }
            model::check_limits(&s, &options)?;
            let id = folder_name(&s.name);
            if groups.iter().any(|(g, _)| *g == id) {
                return Err(Error::new(format!(
                    "{arg}: a second source of entry '{id}'; give each scenario once"
                )));
            }
            groups.push((id, Source::Scenario(arg.clone(), Box::new(s))));
            continue;
        }
        if args.seeds.is_some() || args.seed.is_some() || !args.sets.is_empty() {
            return Err(Error::new(format!(
                "{arg}: a result folder; --seeds, --seed and --set apply to scenarios run now"
            )));
        }
        for (id, run) in found {
            match groups.iter_mut().find(|(g, _)| *g == id) {
                Some((_, Source::Folders(runs))) => runs.push(run),
                Some(_) => {
                    return Err(Error::new(format!(
                        "{arg}: a second source of entry '{id}'; give each scenario once"
                    )))
                }
                None => groups.push((id, Source::Folders(vec![run]))),
            }
        }
    }
    let mut baseline = read_baseline(&args.dir)?.unwrap_or(Baseline {
        made_by: bl::this_program(),
        entries: Vec::new(),
    });
    baseline.made_by = bl::this_program();
    let target = Target::prepare(&args.dir)?;

    let mut added = Vec::new();
    for (id, source) in &groups {
        let entry = match source {
            Source::Folders(runs) => entry_from_folders(id, runs)?,
            Source::Entry(e) => (**e).clone(),
            Source::Scenario(arg, s) => {
                let seeds = seed_range(s.seed, u64::from(args.seeds.unwrap_or(1)))?;
                if !args.quiet {
                    outln!(
                        "running {} ({})",
                        s.name,
                        if seeds.len() == 1 {
                            format!("seed {}", seeds[0])
                        } else {
                            format!("{} seeds from {}", seeds.len(), seeds[0])
                        }
                    );
                }
                let results = run_seeds(s, &seeds, &options, args.quiet)?;
                entry_from_runs(id, Some(arg), &args.sets, s, &results)?
            }
        };
        added.push(describe(&entry));
        baseline.put(entry);
    }
    target.write(&baseline.files(), &cancelled)?;
    outln!(
        "baseline {}: saved {}; {} entr{} in all",
        args.dir.display(),
        added.join(", "),
        baseline.entries.len(),
        if baseline.entries.len() == 1 {
            "y"
        } else {
            "ies"
        }
    );
    Ok(EXIT_OK)
}

/// `run --bless DIR`: the baseline folder, read and locked before the runs,
/// and the runs to add to it.
pub struct Blessing {
    dir: PathBuf,
    baseline: Baseline,
    target: Target,
    added: Vec<String>,
}

impl Blessing {
    pub fn prepare(dir: &Path) -> Result<Blessing> {
        let mut baseline = read_baseline(dir)?.unwrap_or(Baseline {
            made_by: bl::this_program(),
            entries: Vec::new(),
        });
        baseline.made_by = bl::this_program();
        Ok(Blessing {
            dir: dir.to_path_buf(),
            baseline,
            target: Target::prepare(dir)?,
            added: Vec::new(),
        })
    }

    /// Keep the run of `scenario` (given as `arg`, with `sets`) as an
    /// exact entry.
    pub fn add(
        &mut self,
        arg: &str,
        sets: &[String],
        scenario: &Scenario,
        result: &RunResult,
    ) -> Result<()> {
        let id = folder_name(&scenario.name);
        let entry = entry_from_runs(&id, Some(arg), sets, scenario, std::slice::from_ref(result))?;
        self.added.push(describe(&entry));
        self.baseline.put(entry);
        Ok(())
    }

    /// Write the baseline folder with the runs added.
    pub fn finish(self) -> Result<()> {
        self.target.write(&self.baseline.files(), &cancelled)?;
        outln!(
            "blessed: baseline {} saved {}; {} entr{} in all",
            self.dir.display(),
            self.added.join(", "),
            self.baseline.entries.len(),
            if self.baseline.entries.len() == 1 {
                "y"
            } else {
                "ies"
            }
        );
        Ok(())
    }
}

/// What one entry is checked with: the scenario and where it came from.
struct Plan {
    entry: Entry,
    scenario: std::result::Result<Scenario, String>,
    /// The source recorded for a bless: the scenario argument or file.
    source: Option<String>,
    sets: Vec<String>,
    from: String,
}

/// The command that reruns the check of one entry.
fn reproduce(args: &CheckArgs, plan: &Plan) -> String {
    let mut cmd = format!(
        "replisim check --baseline {}",
        shell_quote(&args.baseline.display().to_string())
    );
    if !args.scenarios.is_empty() {
        if let Some(s) = &plan.source {
            cmd.push(' ');
            cmd.push_str(&shell_quote(s));
        }
    }
    for s in &args.sets {
        cmd.push_str(" --set ");
        cmd.push_str(&shell_quote(s));
    }
    if let Some(seed) = args.first_seed {
        cmd.push_str(&format!(" --first-seed {seed}"));
    }
    cmd
}

pub fn check(args: &CheckArgs) -> Result<i32> {
    super::signals::install();
    gate::start(&args.gate)?;
    let Some(baseline) = read_baseline(&args.baseline)? else {
        return Err(Error::new(format!(
            "{}: no baseline here ({MANIFEST} is missing); make one with \
             replisim baseline save {} <scenario>",
            args.baseline.display(),
            args.baseline.display()
        )));
    };
    let options = RunOptions {
        trace: false,
        max_events: args.max_events,
    };
    let variant = |s: Scenario, e: &Entry| -> std::result::Result<Scenario, String> {
        if s.replication.mode.name() == e.mode {
            Ok(s)
        } else {
            model::modes::for_mode(&s, &e.mode)
        }
    };

    // Which scenario each entry is checked with, loaded before anything runs.
    let mut plans: Vec<Plan> = Vec::new();
    if args.scenarios.is_empty() {
        for e in &baseline.entries {
            let (s, from, source, sets) = match &e.source {
                Some(src) => {
                    let mut sets = e.sets.clone();
                    sets.extend(args.sets.iter().cloned());
                    (load(src, &sets)?, src.clone(), Some(src.clone()), sets)
                }
                None => {
                    let copy = args.baseline.join(&e.id).join("scenario.yaml");
                    let origin = copy.display().to_string();
                    let s = scenario::load_str(&e.scenario_yaml, &origin, &args.sets)?;
                    (
                        s,
                        format!("{origin} (the baseline's copy)"),
                        None,
                        args.sets.clone(),
                    )
                }
            };
            plans.push(Plan {
                scenario: variant(s, e),
                entry: e.clone(),
                source,
                sets,
                from,
            });
        }
    } else {
        for arg in &args.scenarios {
            let s = load(arg, &args.sets)?;
            let matching: Vec<&Entry> = baseline
                .entries
                .iter()
                .filter(|e| e.scenario == s.name)
                .collect();
            if matching.is_empty() {
                let names: Vec<&str> = baseline
                    .entries
                    .iter()
                    .map(|e| e.scenario.as_str())
                    .collect();
                return Err(Error::new(format!(
                    "{arg}: the baseline has no entry of scenario '{}'; its scenarios are {}",
                    s.name,
                    if names.is_empty() {
                        "none".to_string()
                    } else {
                        names.join(", ")
                    }
                )));
            }
            for e in matching {
                plans.push(Plan {
                    scenario: variant(s.clone(), e),
                    entry: e.clone(),
                    source: Some(arg.clone()),
                    sets: args.sets.clone(),
                    from: arg.clone(),
                });
            }
        }
    }
    for p in &plans {
        if let Ok(s) = &p.scenario {
            model::check_limits(s, &options).map_err(|e| e.context(&p.entry.id))?;
        }
    }
    let bless_target = if args.bless {
        Some(Target::prepare(&args.baseline)?)
    } else {
        None
    };

    let how = Judgement {
        confidence: args.confidence,
        noise: args.noise,
    };
    let mut checks = Vec::with_capacity(plans.len());
    let mut blessed = baseline.clone();
    blessed.made_by = bl::this_program();
    for (i, plan) in plans.iter().enumerate() {
        let e = &plan.entry;
        let seeds = match args.first_seed {
            Some(first) if e.statistical() => seed_range(first, e.seeds.len() as u64)?,
            _ => e.seeds.clone(),
        };
        let mut c = EntryCheck {
            id: e.id.clone(),
            scenario: e.scenario.clone(),
            mode: e.mode.clone(),
            baseline_seeds: e.seeds.clone(),
            seeds: seeds.clone(),
            made_by_other: (baseline.made_by != bl::this_program())
                .then(|| baseline.made_by.clone()),
            scenario_changes: Vec::new(),
            from: plan.from.clone(),
            error: None,
            comparison: None,
            judgement: how,
            reproduce: reproduce(args, plan),
        };
        let outcome = plan
            .scenario
            .clone()
            .map_err(Error::new)
            .and_then(|s| run_seeds(&s, &seeds, &options, args.quiet).map(|r| (s, r)));
        match outcome {
            Err(err) if cancelled() => return Err(err),
            Err(err) => c.error = Some(err.message().to_string()),
            Ok((s, results)) => {
                let mut first = s.clone();
                first.seed = seeds[0];
                c.scenario_changes =
                    bl::scenario_diff(&e.scenario_yaml, &scenario::to_yaml(&first));
                if e.statistical() {
                    let new_files = bl::statistical_files(&results)?;
                    let same = e.files.iter().all(|(name, old)| {
                        new_files.iter().any(|(n, new)| n == name && new == old)
                    });
                    c.comparison = Some(Comparison::Statistical {
                        figures: bl::judge_entry(&e.files, &new_files, &e.mode, how)
                            .map_err(|err| err.context(&e.id))?,
                        identical: same && c.scenario_changes.is_empty(),
                    });
                } else {
                    let new_files = bl::exact_files(&results[0])?;
                    let diffs = e
                        .files
                        .iter()
                        .map(|(name, old)| {
                            let new = new_files
                                .iter()
                                .find(|(n, _)| n == name)
                                .map_or(&[][..], |(_, b)| b.as_slice());
                            bl::diff_file(name, old, new)
                        })
                        .collect();
                    c.comparison = Some(Comparison::Exact(diffs));
                }
                if args.bless {
                    blessed.put(entry_from_runs(
                        &e.id,
                        plan.source.as_deref(),
                        &plan.sets,
                        &s,
                        &results,
                    )?);
                }
            }
        }
        if i > 0 {
            outln!();
        }
        out!("{}", bl::text(&c));
        checks.push(c);
    }

    let errors = checks.iter().filter(|c| c.error.is_some()).count();
    let failed = checks.iter().filter(|c| c.failed()).count();
    let mut code = if errors > 0 {
        EXIT_ERROR
    } else if failed > 0 {
        EXIT_EXPECTATION_FAILED
    } else {
        EXIT_OK
    };
    if let Some(target) = bless_target {
        if errors > 0 {
            eprintln!(
                "error: not blessed: {errors} entr{} could not run",
                if errors == 1 { "y" } else { "ies" }
            );
        } else {
            target.write(&blessed.files(), &cancelled)?;
            outln!();
            outln!(
                "blessed: {} now holds these runs ({} entr{})",
                args.baseline.display(),
                checks.len(),
                if checks.len() == 1 { "y" } else { "ies" }
            );
            code = EXIT_OK;
        }
    }
    if failed > 0 && !args.bless {
        outln!();
        outln!(
            "{failed} of {} baseline entr{} failed; if the change is meant, accept it with \
             replisim check --baseline {} --bless",
            checks.len(),
            if checks.len() == 1 { "y" } else { "ies" },
            shell_quote(&args.baseline.display().to_string())
        );
    }
    gate::finish_with(
        &args.gate,
        &bl::junit("replisim check", &checks),
        &|| bl::markdown("replisim check", &checks),
        &bl::json_document("replisim check", code, &checks),
    )?;
    Ok(code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fractions() {
        assert_eq!(parse_fraction("95%"), Ok(0.95));
        assert_eq!(parse_fraction("0.9"), Ok(0.9));
        assert_eq!(parse_fraction(" 1 % "), Ok(0.01));
        assert!(parse_fraction("100%").is_err());
        assert!(parse_fraction("-1%").is_err());
        assert!(parse_fraction("x").is_err());
    }

    #[test]
    fn seed_ranges_stop_at_the_top() {
        assert_eq!(seed_range(5, 3).unwrap(), [5, 6, 7]);
        assert_eq!(seed_range(u64::MAX, 1).unwrap(), [u64::MAX]);
        assert!(seed_range(u64::MAX, 2).is_err());
    }
}
