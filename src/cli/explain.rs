//! `replisim explain`: run a scenario with a trace and tell one key's
//! story (see `crate::explain`): `explain.txt` (also printed),
//! `explain.svg` and `explain.html` in `output/<name>-explain/` or `--out`.

use std::path::{Path, PathBuf};

use clap::Args;

use super::stdout::{out, outln};
use super::{cancelled, folder_name, load, progress_bar, run_model, signals, EXIT_OK};
use crate::error::{Error, Result};
use crate::explain::{self, narrate, page, svg};
use crate::model::{self, RunOptions, RunOutput};
use crate::report::output::{OutputFile, Target};
use crate::scenario::units::parse_duration;

#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// A scenario file, or the name of a bundled scenario (see `replisim list`).
    #[arg(value_name = "SCENARIO")]
    scenario: String,

    /// The key to explain, as table/key (or a key number when there is
    /// one table) [default: the most instructive key].
    #[arg(long, value_name = "TABLE/KEY")]
    key: Option<String>,

    /// Start of the window, in true time (e.g. 61s, 1500ms).
    #[arg(long, value_name = "TIME", value_parser = parse_time)]
    from: Option<u64>,

    /// End of the window, in true time.
    #[arg(long, value_name = "TIME", value_parser = parse_time)]
    to: Option<u64>,

    /// Tell the story of this write (its key, and a window around it).
    #[arg(long, value_name = "ID")]
    write: Option<u64>,

    /// Output folder [default: output/<scenario name>-explain].
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,

    /// Use this seed instead of the scenario's.
    #[arg(long, value_name = "N", value_parser = super::parse_seed)]
    seed: Option<u64>,

    /// Override a scenario field by its path, e.g. `replication.timestamps=hlc`.
    #[arg(long = "set", value_name = "PATH=VALUE")]
    sets: Vec<String>,

    /// No progress bar, and the narration is not printed.
    #[arg(long, short)]
    quiet: bool,

    /// Refuse a scenario expected to take more simulator events than this
    /// [default: 1000000000].
    #[arg(long, value_name = "N", value_parser = super::parse_count)]
    max_events: Option<u64>,
}

fn parse_time(text: &str) -> std::result::Result<u64, String> {
    parse_duration(text)
}

pub fn explain(args: &ExplainArgs) -> Result<i32> {
    signals::install();
    let mut scenario = load(&args.scenario, &args.sets)?;
    if let Some(seed) = args.seed {
        scenario.seed = seed;
    }
    let options = RunOptions {
        trace: true,
        max_events: args.max_events,
    };
    model::check_limits(&scenario, &options)?;
    if let (Some(from), Some(to)) = (args.from, args.to) {
        if from >= to {
            return Err(Error::new(format!(
                "--from {:.3}s --to {:.3}s: the window must end after it starts",
                from as f64 / 1e9,
                to as f64 / 1e9
            )));
        }
    }
    let end = scenario.duration_ns.saturating_add(scenario.drain_limit_ns);
    if let Some(from) = args.from {
        if from >= end {
            return Err(Error::new(format!(
                "--from {:.3}s: after the run's end; {} runs {:.3} s and drains for at most {:.3} s more",
                from as f64 / 1e9,
                scenario.name,
                scenario.duration_ns as f64 / 1e9,
                scenario.drain_limit_ns as f64 / 1e9
            )));
        }
    }
    let out = match &args.out {
        Some(out) => out.clone(),
        None => Path::new("output").join(format!("{}-explain", folder_name(&scenario.name))),
    };
    let target = Target::prepare(&out)?;

    let bar = progress_bar(args.quiet, &scenario.name);
    let output = run_model(&scenario, &options, &bar);
    bar.finish_and_clear();
    let RunOutput { trace, .. } = output?;
    let trace = trace.ok_or_else(|| Error::new("internal error: the run kept no trace"))?;

    let request = explain::Request {
        key: args.key.clone(),
        from_ns: args.from,
        to_ns: args.to,
        write: args.write,
    };
    let story = explain::story(&scenario, &trace, &request)?;
    let text = narrate::narrate(&story);
    let files = vec![
        OutputFile::new("explain.txt", text.as_bytes()),
        OutputFile::new("explain.svg", svg::render(&story)),
        OutputFile::new("explain.html", page::document(&story)),
    ];
    target.write(&files, &cancelled)?;
    if !args.quiet {
        out!("{text}");
        outln!();
    }
    outln!(
        "explained {}/{} of {}: results in {}: explain.txt, explain.svg, explain.html",
        story.table,
        story.key,
        scenario.name,
        out.display()
    );
    Ok(EXIT_OK)
}
