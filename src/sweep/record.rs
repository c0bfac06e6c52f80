//! What a sweep folder says about itself, and how folders are put back
//! together.
//!
//! `plan.json` holds the plan (dimensions, modes, seeds), the scenario it
//! was made from and a hash of the plan and of every variant's resolved
//! scenario, so two folders can be told to come from the same plan; a
//! shard's also names its slice and where the slice came from. `merge`
//! checks a set of shards and returns their runs in plan order; the same
//! files as an unsharded sweep are then made from them. The journal is the
//! list of runs finished so far, appended as they finish, that `--resume`
//! reads after a killed job. Bytes and checks only: `cli` reads and writes
//! the files.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::report::format;

use super::plan::{Dimension, Plan};
use super::shard::Shard;
use super::tables::{self, RunRow};

/// The file name of the plan record.
pub const PLAN_FILE: &str = "plan.json";
/// The first word of a journal's first line.
const JOURNAL_MAGIC: &str = "replisim-sweep-journal";

/// `plan.json`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlanRecord {
    /// The format of this file.
    pub replisim_sweep: u32,
    /// FNV-1a 64 of the plan and every variant's scenario, in hex.
    pub plan_hash: String,
    /// The scenario as given (a file or a bundled name).
    pub scenario: String,
    /// Its name.
    pub name: String,
    /// The seed the replications' seeds come from.
    pub seed: u64,
    /// `--set` arguments applied to every variant.
    pub sets: Vec<String>,
    pub vary: Vec<DimensionRecord>,
    pub modes: Vec<String>,
    pub seeds: u32,
    pub variants: u64,
    pub runs: u64,
    /// The figures of the table and the charts.
    pub figures: Vec<String>,
    /// The charts' format: `svg`, `png` or `none`.
    pub charts: String,
    /// Conditions on every variant.
    pub expect: Vec<ExpectRecord>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shard: Option<ShardRecord>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExpectRecord {
    /// `lost_write_rate.ci_high`.
    pub name: String,
    /// `< 0.05`.
    pub condition: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DimensionRecord {
    pub path: String,
    pub values: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ShardRecord {
    pub index: u32,
    pub count: u32,
    /// `--shard 2/4`, or the environment variables that gave it.
    pub from: String,
}

impl PlanRecord {
    /// The record of a plan; `scenarios` are the variants' resolved
    /// scenarios as YAML, in plan order.
    pub fn new(
        plan: &Plan,
        scenario: &str,
        name: &str,
        seed: u64,
        sets: &[String],
        scenarios: &[String],
    ) -> PlanRecord {
        let mut hash = Fnv::new();
        hash.add(plan.canonical().as_bytes());
        hash.add(&seed.to_le_bytes());
        for s in scenarios {
            hash.add(&(s.len() as u64).to_le_bytes());
            hash.add(s.as_bytes());
        }
        PlanRecord {
            replisim_sweep: 1,
            plan_hash: format!("{:016x}", hash.0),
            scenario: scenario.to_string(),
            name: name.to_string(),
            seed,
            sets: sets.to_vec(),
            vary: plan
                .dims
                .iter()
                .map(|d| DimensionRecord {
                    path: d.path.clone(),
                    values: d.values.clone(),
                })
                .collect(),
            modes: plan.modes.clone(),
            seeds: plan.seeds,
            variants: plan.variant_count(),
            runs: plan.variant_count() * u64::from(plan.seeds),
            figures: Vec::new(),
            charts: "svg".to_string(),
            expect: Vec::new(),
            shard: None,
        }
    }

    /// The same record for one slice.
    pub fn for_shard(&self, shard: &Shard) -> PlanRecord {
        PlanRecord {
            shard: Some(ShardRecord {
                index: shard.index,
                count: shard.count,
                from: shard.source.clone(),
            }),
            ..self.clone()
        }
    }

    /// The plan it records.
    pub fn plan(&self) -> Plan {
        Plan {
            dims: self
                .vary
                .iter()
                .map(|d| Dimension {
                    path: d.path.clone(),
                    values: d.values.clone(),
                })
                .collect(),
            modes: self.modes.clone(),
            seeds: self.seeds,
        }
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        let mut text = serde_json::to_string_pretty(self).unwrap_or_default();
        text.push('\n');
        text.into_bytes()
    }

    /// Reads a `plan.json`; `origin` names it in errors.
    pub fn parse(text: &str, origin: &str) -> Result<PlanRecord> {
        let record: PlanRecord = serde_json::from_str(text).map_err(|e| {
            Error::new(format!(
                "{origin}:{}:{}: not a sweep's plan record: {e}",
                e.line(),
                e.column()
            ))
        })?;
        if record.replisim_sweep != 1 {
            return Err(Error::new(format!(
                "{origin}: replisim_sweep: format {} is not known to this version (1)",
                record.replisim_sweep
            )));
        }
        let plan = record.plan();
        if plan.seeds == 0
            || record.runs != plan.variant_count().saturating_mul(u64::from(plan.seeds))
        {
            return Err(Error::new(format!(
                "{origin}: runs: {} does not match the plan's variants and seeds",
                record.runs
            )));
        }
        Ok(record)
    }
}

/// 64-bit FNV-1a.
struct Fnv(u64);

impl Fnv {
    fn new() -> Fnv {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
    fn add(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 ^= u64::from(b);
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
    }
}

/// The runs of a `runs.csv` (`header`: its header first) or of a
/// journal's records (no header), checked against `plan`. In a
/// `runs.csv` a record with the wrong number of fields is an error; in a
/// journal it ends the runs read (its last line may have been cut by a
/// kill).
pub fn read_runs(bytes: &[u8], plan: &Plan, header: bool, origin: &str) -> Result<Vec<RunRow>> {
    let expected = tables::runs_header(plan);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes);
    let mut rows = Vec::new();
    let dims = plan.dims.len();
    let variants = plan.variants();
    for (line, record) in reader.records().enumerate() {
        let at = |m: String| Error::new(format!("{origin}:{}: {m}", line + 1));
        let record = match record {
            Ok(r) => r,
            Err(_) if !header => break,
            Err(e) => return Err(at(format!("not CSV: {e}"))),
        };
        let cells: Vec<String> = record.iter().map(String::from).collect();
        if header && line == 0 {
            if cells != expected {
                return Err(at(
                    "the header is not the plan's runs.csv header; the file comes from \
                     another plan or another version"
                        .to_string(),
                ));
            }
            continue;
        }
        if cells.len() != expected.len() {
            if header {
                return Err(at(format!(
                    "{} fields, not {}",
                    cells.len(),
                    expected.len()
                )));
            }
            // A journal line cut short by a kill: the runs after it were
            // never recorded either.
            break;
        }
        let variant: usize = cells[0]
            .parse()
            .ok()
            .filter(|&v| v < variants.len())
            .ok_or_else(|| at(format!("variant '{}' is not in the plan", cells[0])))?;
        let replication: u32 = cells[1]
            .parse()
            .ok()
            .filter(|&r| r < plan.seeds)
            .ok_or_else(|| at(format!("replication '{}' is not in the plan", cells[1])))?;
        let values = &variants[variant].values;
        for (k, d) in plan.dims.iter().enumerate() {
            if cells[2 + k] != format::text_cell(&d.values[values[k]]) {
                return Err(at(format!(
                    "{}: '{}' is not variant {variant}'s value",
                    d.path,
                    cells[2 + k]
                )));
            }
        }
        rows.push(RunRow {
            variant,
            replication,
            cells: cells[2 + dims..].to_vec(),
        });
    }
    Ok(rows)
}

/// The index of a run in plan order.
pub fn run_index(plan: &Plan, row: &RunRow) -> usize {
    row.variant * plan.seeds as usize + row.replication as usize
}

/// The first line of a journal.
pub fn journal_header(record: &PlanRecord) -> String {
    format!("{JOURNAL_MAGIC} {}\n", record.plan_hash)
}

/// The runs a journal holds, if it belongs to `record`'s plan (`None` when
/// it is another plan's or not a journal).
pub fn read_journal(
    bytes: &[u8],
    record: &PlanRecord,
    origin: &str,
) -> Result<Option<Vec<RunRow>>> {
    let header = journal_header(record);
    let Some(rest) = bytes.strip_prefix(header.as_bytes()) else {
        return Ok(None);
    };
    read_runs(rest, &record.plan(), false, origin).map(Some)
}

/// One journal line: a run's `runs.csv` record.
pub fn journal_line(plan: &Plan, row: &RunRow) -> Result<Vec<u8>> {
    let variants = plan.variants();
    let bytes = tables::runs_csv(plan, &variants, std::slice::from_ref(row))?;
    let text = String::from_utf8_lossy(&bytes);
    let body = text.split_once('\n').map_or("", |(_, b)| b);
    Ok(body.as_bytes().to_vec())
}

/// One shard's folder, read: its name, plan record and runs.
pub struct ShardFolder {
    pub name: String,
    pub record: PlanRecord,
    pub rows: Vec<RunRow>,
}

/// Checks that `shards` are the slices of one plan, each once and none
/// missing, that each holds exactly its slice's runs, and returns the
/// plan's record (without a shard) and every run in plan order.
pub fn merge(shards: &[ShardFolder]) -> Result<(PlanRecord, Vec<RunRow>)> {
    let Some(first) = shards.first() else {
        return Err(Error::new("merge: give the shard folders to merge"));
    };
    let Some(first_shard) = &first.record.shard else {
        return Err(Error::new(format!(
            "{}: not a shard (its plan.json names no slice); only the folders of --shard runs are merged",
            first.name
        )));
    };
    let count = first_shard.count;
    let mut seen: Vec<Option<&str>> = vec![None; count as usize];
    for s in shards {
        let Some(shard) = &s.record.shard else {
            return Err(Error::new(format!(
                "{}: not a shard (its plan.json names no slice)",
                s.name
            )));
        };
        if s.record.plan_hash != first.record.plan_hash {
            return Err(Error::new(format!(
                "{}: from another plan than {} (plan hash {} against {}); merge only the shards of one sweep",
                s.name, first.name, s.record.plan_hash, first.record.plan_hash
            )));
        }
        let unsharded = |r: &PlanRecord| PlanRecord {
            shard: None,
            ..r.clone()
        };
        if unsharded(&s.record) != unsharded(&first.record) {
            return Err(Error::new(format!(
                "{}: its plan.json differs from {}'s beyond the slice; merge only the shards of one sweep",
                s.name, first.name
            )));
        }
        if shard.count != count {
            return Err(Error::new(format!(
                "{}: slice {}/{} of a plan cut in {}, but {} is one of {count}",
                s.name, shard.index, shard.count, shard.count, first.name
            )));
        }
        let slot = &mut seen[(shard.index - 1) as usize];
        if let Some(other) = slot {
            return Err(Error::new(format!(
                "{}: slice {}/{count} is given twice (also {other})",
                s.name, shard.index
            )));
        }
        *slot = Some(&s.name);
    }
    let missing: Vec<String> = seen
        .iter()
        .enumerate()
        .filter(|(_, s)| s.is_none())
        .map(|(i, _)| format!("{}/{count}", i + 1))
        .collect();
    if !missing.is_empty() {
        return Err(Error::new(format!(
            "slice{} {} {} missing; merge needs all {count}",
            if missing.len() == 1 { "" } else { "s" },
            missing.join(", "),
            if missing.len() == 1 { "is" } else { "are" }
        )));
    }
    let plan = first.record.plan();
    let runs = first.record.runs as usize;
    let mut all: Vec<Option<RunRow>> = vec![None; runs];
    for s in shards {
        let shard = s.record.shard.as_ref().map_or(1, |x| x.index);
        let slice = Shard {
            index: shard,
            count,
            source: String::new(),
        };
        let mut held = 0;
        for row in &s.rows {
            let r = run_index(&plan, row);
            if !slice.includes(r) || all[r].is_some() {
                return Err(Error::new(format!(
                    "{}: runs.csv holds variant {}, replication {}, which is not slice {}/{count}'s or is there twice",
                    s.name, row.variant, row.replication, shard
                )));
            }
            all[r] = Some(row.clone());
            held += 1;
        }
        let expected = (0..runs).filter(|&r| slice.includes(r)).count();
        if held != expected {
            return Err(Error::new(format!(
                "{}: holds {held} of slice {shard}/{count}'s {expected} runs; run it again (with --resume)",
                s.name
            )));
        }
    }
    let rows = all.into_iter().flatten().collect();
    Ok((
        PlanRecord {
            shard: None,
            ..first.record.clone()
        },
        rows,
    ))
}
