//! `replisim merge SHARD_DIR...`: the shard folders of one sweep put back
//! together into the folder the sweep makes in one process, byte for byte.

use std::path::{Path, PathBuf};

use clap::Args;

use super::stdout::{out, outln};
use super::{cancelled, folder_name, signals};
use crate::error::{Error, Result};
use crate::report::output::Target;
use crate::sweep::record::{self, PlanRecord, ShardFolder, PLAN_FILE};
use crate::sweep::{folder, text};

#[derive(Debug, Args)]
pub(super) struct MergeArgs {
    /// The folders `replisim sweep --shard` wrote, one per slice.
    #[arg(value_name = "SHARD_DIR", required = true)]
    shards: Vec<PathBuf>,

    /// Output folder [default: output/<scenario name>-sweep].
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,

    /// No table.
    #[arg(long, short)]
    quiet: bool,

    #[command(flatten)]
    gate: super::gate::GateArgs,
}

/// A shard folder's plan record and runs.
fn read_shard(dir: &Path) -> Result<ShardFolder> {
    let name = dir.display().to_string();
    let read = |file: &str| {
        let path = dir.join(file);
        std::fs::read(&path).map_err(|e| {
            Error::new(format!(
                "{}: cannot read: {e}; a shard folder holds {PLAN_FILE} and runs.csv",
                path.display()
            ))
        })
    };
    let plan_text = String::from_utf8(read(PLAN_FILE)?)
        .map_err(|_| Error::new(format!("{name}/{PLAN_FILE}: not UTF-8 text")))?;
    let record = PlanRecord::parse(&plan_text, &format!("{name}/{PLAN_FILE}"))?;
    let rows = record::read_runs(
        &read("runs.csv")?,
        &record.plan(),
        true,
        &format!("{name}/runs.csv"),
    )?;
    Ok(ShardFolder { name, record, rows })
}

pub(super) fn merge(args: &MergeArgs) -> Result<i32> {
    signals::install();
    super::gate::start(&args.gate)?;
    let shards = args
        .shards
        .iter()
        .map(|d| read_shard(d))
        .collect::<Result<Vec<_>>>()?;
    let (record, rows) = record::merge(&shards)?;
    let out = args.out.clone().unwrap_or_else(|| {
        Path::new("output").join(format!("{}-sweep", folder_name(&record.name)))
    });
    let target = Target::prepare(&out)?;
    let (files, whole) = folder::files(&record, &rows)?;
    target.write(&files, &cancelled)?;
    let plan = record.plan();
    if let (false, Some(w)) = (args.quiet, &whole) {
        outln!();
        out!(
            "{}",
            text::table(&plan, &plan.variants(), &w.figures, &w.shown)
        );
        outln!();
    }
    let listed: Vec<String> = files
        .iter()
        .filter(|f| f.path.parent() == Some(Path::new("")))
        .map(|f| f.path.display().to_string())
        .collect();
    outln!(
        "merged {} shards ({} runs) into {}: {}",
        shards.len(),
        rows.len(),
        out.display(),
        listed.join(", ")
    );
    let code = super::sweep::print_outcomes(&plan, &record.name, whole.as_ref());
    let reproduce = super::sweep::record_command(&record);
    super::sweep::write_reports(&args.gate, &record, whole.as_ref(), &reproduce, code)
}
