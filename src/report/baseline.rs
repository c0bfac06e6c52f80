//! Baselines: the figures of earlier runs kept in a folder, and a new run
//! compared with them.
//!
//! A baseline folder holds `baseline.json` (what each entry is: its
//! scenario, mode, seeds and where the scenario came from) and one folder
//! per entry with the scenario as run (`scenario.yaml`) and its figures:
//!
//! - an entry of one seed is compared exactly: its result files
//!   (`summary.csv`, `links.csv`, `regions.csv`, `timeseries.csv`,
//!   `faults.csv`) must come out byte for byte the same, since the same
//!   scenario and seed always give the same files. A difference lists
//!   every figure that changed, old → new, named as `expect:` names it.
//! - an entry of several seeds is compared statistically: `seeds.csv`
//!   holds the `summary.csv` row of each seed, and each figure of a new
//!   set of runs is judged against them with Welch's two-sample test
//!   (`metrics::stats`), as criterion judges benchmarks: regressed,
//!   improved, no change (not told apart from seed-to-seed noise), or
//!   within noise (told apart, but smaller than the noise threshold).
//!   The confidence is the gate's: it is split over the figures judged
//!   (Bonferroni), so a scenario whose figures did not change fails with
//!   at most that chance.
//!
//! This module makes and reads the bytes and judges; `cli` reads and
//! writes the folder and runs the scenarios.

use std::fmt::Write as _;

use serde_json::{json, Value as Json};

use crate::error::{Error, Result};
use crate::metrics::figures::{self, Better};
use crate::metrics::result::RunResult;
use crate::metrics::stats::{Sample, Welch};
use crate::report::baseline_rows as rows;
use crate::report::csv_out;
use crate::report::format::significant;
use crate::report::output::OutputFile;

pub use crate::report::baseline_rows::{seeds_rows, ROW_FILES};

/// The manifest's file name.
pub const MANIFEST: &str = "baseline.json";
/// The manifest's format number.
const FORMAT: u64 = 1;
/// The result files an exact entry keeps, in the order a run writes them.
pub const EXACT_FILES: &[&str] = &[
    "summary.csv",
    "links.csv",
    "regions.csv",
    "timeseries.csv",
    "faults.csv",
];
/// A statistical entry's file: the summary row of every seed.
pub const SEEDS_FILE: &str = "seeds.csv";

/// One entry of a baseline: a scenario in one mode, under one seed
/// (exact) or several (statistical).
#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    /// Its folder in the baseline, unique.
    pub id: String,
    pub scenario: String,
    pub mode: String,
    /// The scenario file or bundled name it was run from, if known (a
    /// baseline saved from a result folder does not know it).
    pub source: Option<String>,
    /// The `--set` overrides it was run with.
    pub sets: Vec<String>,
    /// In the order run; one for an exact entry.
    pub seeds: Vec<u64>,
    /// The scenario as run, with the first seed.
    pub scenario_yaml: String,
    /// The result files (exact) or `seeds.csv` (statistical), by name.
    pub files: Vec<(String, Vec<u8>)>,
}

impl Entry {
    /// Whether it is compared statistically (made from several seeds).
    pub fn statistical(&self) -> bool {
        self.seeds.len() > 1
    }

    /// The bytes of the entry's file `name`.
    pub fn file(&self, name: &str) -> Option<&[u8]> {
        self.files
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, b)| b.as_slice())
    }

    /// An exact entry from one run.
    pub fn exact(
        id: &str,
        source: Option<&str>,
        sets: &[String],
        scenario_yaml: String,
        result: &RunResult,
    ) -> Result<Entry> {
        Ok(Entry {
            id: id.to_string(),
            scenario: result.summary.scenario.clone(),
            mode: result.summary.mode.clone(),
            source: source.map(str::to_string),
            sets: sets.to_vec(),
            seeds: vec![result.summary.seed],
            scenario_yaml,
            files: exact_files(result)?,
        })
    }

    /// A statistical entry from runs of one scenario under different seeds.
    pub fn statistical_from(
        id: &str,
        source: Option<&str>,
        sets: &[String],
        scenario_yaml: String,
        results: &[RunResult],
    ) -> Result<Entry> {
        let first = &results[0].summary;
        Ok(Entry {
            id: id.to_string(),
            scenario: first.scenario.clone(),
            mode: first.mode.clone(),
            source: source.map(str::to_string),
            sets: sets.to_vec(),
            seeds: results.iter().map(|r| r.summary.seed).collect(),
            scenario_yaml,
            files: statistical_files(results)?,
        })
    }
}

/// A file of an entry: its name and bytes.
type NamedFile = (String, Vec<u8>);

/// A statistical entry's files from runs under several seeds: `seeds.csv`
/// and the per-seed rows of regions, streams and faults.
pub fn statistical_files(results: &[RunResult]) -> Result<Vec<(String, Vec<u8>)>> {
    let mut files = vec![(SEEDS_FILE.to_string(), seeds_csv(results)?)];
    let exact: Vec<(u64, Vec<NamedFile>)> = results
        .iter()
        .map(|r| Ok((r.summary.seed, exact_files(r)?)))
        .collect::<Result<_>>()?;
    for (rows_file, result_file) in ROW_FILES {
        let runs: Vec<(u64, &[u8])> = exact
            .iter()
            .map(|(seed, f)| (*seed, file_in(f, result_file).unwrap_or_default()))
            .collect();
        files.push((rows_file.to_string(), rows::seeds_rows(&runs)?));
    }
    Ok(files)
}

/// The result files of an exact entry, as a run writes them.
pub fn exact_files(result: &RunResult) -> Result<Vec<(String, Vec<u8>)>> {
    Ok(csv_out::all_files(result, None)?
        .into_iter()
        .filter(|f| EXACT_FILES.contains(&f.file_name))
        .map(|f| (f.file_name.to_string(), f.bytes))
        .collect())
}

/// `seeds.csv`: the `summary.csv` header, then each run's row.
pub fn seeds_csv(results: &[RunResult]) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    for (i, r) in results.iter().enumerate() {
        let bytes = csv_out::summary_csv(&r.summary)?;
        let text = String::from_utf8_lossy(&bytes);
        let mut lines = text.lines();
        let header = lines.next().unwrap_or_default();
        if i == 0 {
            out.extend_from_slice(header.as_bytes());
            out.push(b'\n');
        }
        for l in lines {
            out.extend_from_slice(l.as_bytes());
            out.push(b'\n');
        }
    }
    Ok(out)
}

/// A baseline: every entry, and the program that made it.
#[derive(Clone, Debug, PartialEq)]
pub struct Baseline {
    /// `replisim 0.1.0`.
    pub made_by: String,
    /// Sorted by id.
    pub entries: Vec<Entry>,
}

/// This program, as a baseline names its maker.
pub fn this_program() -> String {
    format!("replisim {}", env!("CARGO_PKG_VERSION"))
}

impl Baseline {
    /// Add `entry`, replacing one of the same id.
    pub fn put(&mut self, entry: Entry) {
        self.entries.retain(|e| e.id != entry.id);
        self.entries.push(entry);
        self.entries.sort_by(|a, b| a.id.cmp(&b.id));
    }

    /// The manifest's text.
    pub fn manifest(&self) -> String {
        let entries: Vec<Json> = self
            .entries
            .iter()
            .map(|e| {
                json!({
                    "id": e.id,
                    "scenario": e.scenario,
                    "mode": e.mode,
                    "tier": if e.statistical() { "statistical" } else { "exact" },
                    "source": e.source,
                    "sets": e.sets,
                    "seeds": e.seeds,
                    "files": e.files.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>(),
                })
            })
            .collect();
        let doc = json!({
            "replisim_baseline": FORMAT,
            "made_by": self.made_by,
            "entries": entries,
        });
        let mut text = serde_json::to_string_pretty(&doc).expect("JSON values always serialize");
        text.push('\n');
        text
    }

    /// Every file of the baseline folder.
    pub fn files(&self) -> Vec<OutputFile> {
        let mut out = vec![OutputFile::new(MANIFEST, self.manifest())];
        for e in &self.entries {
            out.push(OutputFile::new(
                format!("{}/scenario.yaml", e.id),
                e.scenario_yaml.as_bytes(),
            ));
            for (name, bytes) in &e.files {
                out.push(OutputFile::new(format!("{}/{name}", e.id), bytes.clone()));
            }
        }
        out
    }
}

/// What the manifest says of one entry; its files are read after.
#[derive(Clone, Debug, PartialEq)]
pub struct ManifestEntry {
    pub id: String,
    pub scenario: String,
    pub mode: String,
    pub source: Option<String>,
    pub sets: Vec<String>,
    pub seeds: Vec<u64>,
    pub files: Vec<String>,
}

/// Read a manifest's text (`origin` names it in errors): who made it and
/// its entries.
pub fn parse_manifest(text: &str, origin: &str) -> Result<(String, Vec<ManifestEntry>)> {
    let bad = |what: &str| {
        Error::new(format!(
            "{origin}: {what}; a baseline folder is made by replisim baseline save"
        ))
    };
    let doc: Json = serde_json::from_str(text).map_err(|e| bad(&format!("not JSON ({e})")))?;
    match doc.get("replisim_baseline").and_then(Json::as_u64) {
        Some(FORMAT) => {}
        Some(n) => {
            return Err(bad(&format!(
                "baseline format {n}; this replisim reads format {FORMAT}"
            )))
        }
        None => return Err(bad("no replisim_baseline format number")),
    }
    let made_by = doc
        .get("made_by")
        .and_then(Json::as_str)
        .unwrap_or("an unknown replisim")
        .to_string();
    let list = doc
        .get("entries")
        .and_then(Json::as_array)
        .ok_or_else(|| bad("no list of entries"))?;
    let mut entries = Vec::with_capacity(list.len());
    for (i, e) in list.iter().enumerate() {
        let text = |k: &str| -> Result<String> {
            e.get(k)
                .and_then(Json::as_str)
                .map(str::to_string)
                .ok_or_else(|| bad(&format!("entries[{i}].{k}: missing or not text")))
        };
        let id = text("id")?;
        let safe = !id.is_empty()
            && id != "."
            && id != ".."
            && id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c));
        if !safe {
            return Err(bad(&format!(
                "entries[{i}].id: '{id}' is not a folder name"
            )));
        }
        let strings = |k: &str| -> Vec<String> {
            e.get(k)
                .and_then(Json::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(Json::as_str)
                        .map(str::to_string)
                        .collect()
                })
                .unwrap_or_default()
        };
        let seeds: Vec<u64> = e
            .get("seeds")
            .and_then(Json::as_array)
            .map(|a| a.iter().filter_map(Json::as_u64).collect())
            .unwrap_or_default();
        if seeds.is_empty() {
            return Err(bad(&format!("entries[{i}].seeds: missing or empty")));
        }
        let files = strings("files");
        for f in &files {
            if !EXACT_FILES.contains(&f.as_str())
                && f != SEEDS_FILE
                && !ROW_FILES.iter().any(|(r, _)| r == f)
            {
                return Err(bad(&format!("entries[{i}].files: unknown file '{f}'")));
            }
        }
        entries.push(ManifestEntry {
            id,
            scenario: text("scenario")?,
            mode: text("mode")?,
            source: e.get("source").and_then(Json::as_str).map(str::to_string),
            sets: strings("sets"),
            seeds,
            files,
        });
    }
    Ok((made_by, entries))
}

/// How a statistical check judges.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Judgement {
    /// The chance, from 0 to 1, that a scenario whose figures did not
    /// change passes: the gate's confidence, split over the figures judged.
    pub confidence: f64,
    /// A relative change smaller than this (0.01 = 1%) is "within noise"
    /// even when it is told apart from seed-to-seed noise.
    pub noise: f64,
}

impl Default for Judgement {
    fn default() -> Judgement {
        Judgement {
            confidence: 0.95,
            noise: 0.01,
        }
    }
}

/// A figure's verdict.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Not told apart from seed-to-seed noise.
    NoChange,
    /// Told apart, but smaller than the noise threshold.
    WithinNoise,
    Improved,
    Regressed,
    /// Told apart, for a figure neither way of which is better (writes).
    Changed,
}

impl Verdict {
    pub fn word(self) -> &'static str {
        match self {
            Verdict::NoChange => "no change",
            Verdict::WithinNoise => "within noise",
            Verdict::Improved => "improved",
            Verdict::Regressed => "regressed",
            Verdict::Changed => "changed",
        }
    }
}

/// One figure judged statistically.
#[derive(Clone, Debug, PartialEq)]
pub struct Judged {
    /// As `expect:` names it: `lost_writes`, `regions.eu-west-1.lost_writes`.
    pub figure: String,
    pub better: Better,
    pub old: Sample,
    pub new: Sample,
    pub welch: Welch,
    /// The interval of the difference (new − old) at the per-figure level.
    pub interval: (f64, f64),
    /// The change relative to the old mean; `None` when that is 0.
    pub relative: Option<f64>,
    pub verdict: Verdict,
}

/// The figures a statistical entry judges: the numeric summary figures of
/// its mode, but the seed and the length of the run (settings, not
/// outcomes).
pub fn judged_figures(
    mode: &str,
) -> Vec<&'static figures::Figure<crate::metrics::result::Summary>> {
    figures::SUMMARY
        .iter()
        .filter(|f| f.in_mode(mode) && !matches!(f.name, "seed" | "duration_s"))
        .filter(|f| {
            (f.get)(&crate::metrics::result::Summary::default())
                .number()
                .is_some()
        })
        .collect()
}

/// Each judged figure's values, read from the text of `seeds.csv` (or of
/// new runs' summary rows made the same way, so both sides have the same
/// precision).
fn columns(seeds_csv: &[u8], names: &[&str]) -> Result<Vec<Vec<f64>>> {
    let fail = |m: String| Error::new(format!("{SEEDS_FILE}: {m}"));
    let mut r = csv::ReaderBuilder::new().from_reader(seeds_csv);
    let header: Vec<String> = r
        .headers()
        .map_err(|e| fail(e.to_string()))?
        .iter()
        .map(str::to_string)
        .collect();
    let index: Vec<Option<usize>> = names
        .iter()
        .map(|n| header.iter().position(|h| h == n))
        .collect();
    let mut out = vec![Vec::new(); names.len()];
    for rec in r.records() {
        let rec = rec.map_err(|e| fail(e.to_string()))?;
        for (k, i) in index.iter().enumerate() {
            let Some(i) = i else { continue };
            let cell = rec.get(*i).unwrap_or("");
            let v = match cell {
                "true" => 1.0,
                "false" => 0.0,
                _ => cell.parse::<f64>().map_err(|_| {
                    fail(format!("'{cell}' in column {} is not a number", names[k]))
                })?,
            };
            out[k].push(v);
        }
    }
    Ok(out)
}

/// One figure's two samples, to be judged.
struct Candidate {
    name: String,
    better: Better,
    old: Vec<f64>,
    new: Vec<f64>,
}

/// The summary figures of `mode` in two `seeds.csv` texts.
fn summary_candidates(old_csv: &[u8], new_csv: &[u8], mode: &str) -> Result<Vec<Candidate>> {
    let figs = judged_figures(mode);
    let names: Vec<&str> = figs.iter().map(|f| f.name).collect();
    let old = columns(old_csv, &names)?;
    let new = columns(new_csv, &names)?;
    Ok(figs
        .iter()
        .zip(old.into_iter().zip(new))
        .map(|(f, (old, new))| Candidate {
            name: f.name.to_string(),
            better: f.better,
            old,
            new,
        })
        .collect())
}

/// Judge the candidates with at least two values on each side, the level
/// split evenly over those of them that can regress.
fn judge_candidates(candidates: Vec<Candidate>, how: Judgement) -> Vec<Judged> {
    let candidates: Vec<Candidate> = candidates
        .into_iter()
        .filter(|c| c.old.len() >= 2 && c.new.len() >= 2)
        .collect();
    let directional = candidates
        .iter()
        .filter(|c| c.better != Better::Neither)
        .count();
    let alpha = (1.0 - how.confidence) / directional.max(1) as f64;
    let mut out = Vec::with_capacity(candidates.len());
    for c in candidates {
        let (a, b) = (Sample::of(&c.old), Sample::of(&c.new));
        let welch = Welch::test(&a, &b);
        let relative = (a.mean != 0.0).then(|| welch.difference / a.mean.abs());
        let verdict = if welch.p >= alpha {
            Verdict::NoChange
        } else if relative.is_some_and(|r| r.abs() < how.noise) {
            Verdict::WithinNoise
        } else {
            match (c.better, welch.difference > 0.0) {
                (Better::Neither, _) => Verdict::Changed,
                (Better::Lower, true) | (Better::Higher, false) => Verdict::Regressed,
                _ => Verdict::Improved,
            }
        };
        out.push(Judged {
            figure: c.name,
            better: c.better,
            old: a,
            new: b,
            welch,
            interval: welch.interval(1.0 - alpha),
            relative,
            verdict,
        });
    }
    out
}

/// Judge every summary figure of `mode` in the new runs' `seeds.csv`
/// against the baseline's.
pub fn judge(old_csv: &[u8], new_csv: &[u8], mode: &str, how: Judgement) -> Result<Vec<Judged>> {
    Ok(judge_candidates(
        summary_candidates(old_csv, new_csv, mode)?,
        how,
    ))
}

/// The bytes of file `name` among `files`.
fn file_in<'a>(files: &'a [(String, Vec<u8>)], name: &str) -> Option<&'a [u8]> {
    files
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, b)| b.as_slice())
}

/// Judge a statistical entry's every figure: the summary's, and each
/// region's, stream's and fault's where both sides kept them, the level
/// split over all of them.
pub fn judge_entry(
    old: &[(String, Vec<u8>)],
    new: &[(String, Vec<u8>)],
    mode: &str,
    how: Judgement,
) -> Result<Vec<Judged>> {
    let mut candidates = summary_candidates(
        file_in(old, SEEDS_FILE).unwrap_or_default(),
        file_in(new, SEEDS_FILE).unwrap_or_default(),
        mode,
    )?;
    for (rows_file, result_file) in ROW_FILES {
        let (Some(o), Some(n)) = (file_in(old, rows_file), file_in(new, rows_file)) else {
            continue;
        };
        let new_samples = rows::samples(result_file, n)?;
        for s in rows::samples(result_file, o)? {
            if let Some(t) = new_samples.iter().find(|t| t.name == s.name) {
                candidates.push(Candidate {
                    name: s.name,
                    better: s.better,
                    old: s.values,
                    new: t.values.clone(),
                });
            }
        }
    }
    Ok(judge_candidates(candidates, how))
}

/// The number of judged figures that can regress and the level each is
/// tested at.
pub fn level(figures: &[Judged], how: Judgement) -> (usize, f64) {
    let k = figures
        .iter()
        .filter(|j| j.better != Better::Neither)
        .count()
        .max(1);
    (k, (1.0 - how.confidence) / k as f64)
}

/// Whether a judged figure is a region's, a stream's or a fault's (those
/// are listed only when they changed).
fn per_row(j: &Judged) -> bool {
    j.figure.contains('.')
}

/// Whether a judged figure gets a line of its own in the text and the
/// Markdown table.
fn listed(j: &Judged) -> bool {
    j.verdict != Verdict::NoChange || (!per_row(j) && j.old.mean != j.new.mean)
}

/// The per-figure significance level of a statistical check of `mode`.
pub fn per_figure_level(mode: &str, how: Judgement) -> (usize, f64) {
    let k = judged_figures(mode)
        .iter()
        .filter(|f| f.better != Better::Neither)
        .count()
        .max(1);
    (k, (1.0 - how.confidence) / k as f64)
}

/// Which way a changed figure went.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    Better,
    Worse,
    /// Neither way is better, or not a number.
    Neither,
}

/// One figure that changed between two exact runs.
#[derive(Clone, Debug, PartialEq)]
pub struct Change {
    /// As `expect:` names it: `lost_writes`, `regions.eu-west-1.lost_writes`.
    pub name: String,
    /// The CSV cells, empty for a row that is gone or new.
    pub old: String,
    pub new: String,
    pub direction: Direction,
}

/// One result file compared exactly.
#[derive(Clone, Debug, PartialEq)]
pub struct FileDiff {
    pub file: String,
    pub identical: bool,
    /// Every figure that changed (for `timeseries.csv`, see `note`).
    pub changes: Vec<Change>,
    /// A summary where the changes are too many to list one by one.
    pub note: Option<String>,
}

/// The `better` of a figure named `column` in result file `file`.
pub(crate) fn better_of(file: &str, column: &str) -> Better {
    fn find<T>(t: &[figures::Figure<T>], c: &str) -> Better {
        figures::find(t, c).map_or(Better::Neither, |f| f.better)
    }
    match file {
        "summary.csv" => find(figures::SUMMARY, column),
        "regions.csv" => find(figures::REGIONS, column),
        "links.csv" => find(figures::LINKS, column),
        "faults.csv" => figures::FAULTS
            .iter()
            .find(|f| f.name == column)
            .map_or(Better::Neither, |f| f.better),
        _ => Better::Neither,
    }
}

fn direction(better: Better, old: &str, new: &str) -> Direction {
    let num = |s: &str| match s {
        "true" => Some(1.0),
        "false" => Some(0.0),
        _ => s.parse::<f64>().ok(),
    };
    match (better, num(old), num(new)) {
        (Better::Neither, _, _) | (_, None, _) | (_, _, None) => Direction::Neither,
        (Better::Lower, Some(a), Some(b)) if b < a => Direction::Better,
        (Better::Higher, Some(a), Some(b)) if b > a => Direction::Better,
        _ => Direction::Worse,
    }
}

/// A CSV file's header and rows.
fn read_csv(bytes: &[u8]) -> (Vec<String>, Vec<Vec<String>>) {
    let mut r = csv::ReaderBuilder::new().flexible(true).from_reader(bytes);
    let header = r
        .headers()
        .map(|h| h.iter().map(str::to_string).collect())
        .unwrap_or_default();
    let rows = r
        .records()
        .filter_map(std::result::Result::ok)
        .map(|rec| rec.iter().map(str::to_string).collect())
        .collect();
    (header, rows)
}

/// A row's name, as a prefix of its figures' names: `regions.eu-west-1.`.
pub(crate) fn row_prefix(file: &str, header: &[String], row: &[String], index: usize) -> String {
    let cell = |name: &str| {
        header
            .iter()
            .position(|h| h == name)
            .and_then(|i| row.get(i))
            .cloned()
            .unwrap_or_default()
    };
    match file {
        "summary.csv" => String::new(),
        "regions.csv" => format!("regions.{}.", cell("region")),
        "links.csv" => format!("links.{}>{}.", cell("from"), cell("to")),
        "faults.csv" => format!("faults.{}.", cell("fault")),
        _ => format!("{file}[{index}]."),
    }
}

/// Compare one result file with the baseline's copy.
pub fn diff_file(file: &str, old: &[u8], new: &[u8]) -> FileDiff {
    let mut d = FileDiff {
        file: file.to_string(),
        identical: old == new,
        changes: Vec::new(),
        note: None,
    };
    if d.identical {
        return d;
    }
    let (oh, orows) = read_csv(old);
    let (nh, nrows) = read_csv(new);
    for c in nh.iter().filter(|c| !oh.contains(c)) {
        d.changes.push(Change {
            name: format!("{file} column {c}"),
            old: String::new(),
            new: "new column".into(),
            direction: Direction::Neither,
        });
    }
    for c in oh.iter().filter(|c| !nh.contains(c)) {
        d.changes.push(Change {
            name: format!("{file} column {c}"),
            old: "column".into(),
            new: "gone".into(),
            direction: Direction::Neither,
        });
    }
    let keyed = |h: &[String], rows: &[Vec<String>]| -> Vec<(String, Vec<String>)> {
        rows.iter()
            .enumerate()
            .map(|(i, r)| (row_prefix(file, h, r, i), r.clone()))
            .collect()
    };
    let (old_rows, new_rows) = (keyed(&oh, &orows), keyed(&nh, &nrows));
    let mut cells = 0usize;
    let mut rows_changed = 0usize;
    for (prefix, nr) in &new_rows {
        let Some((_, or)) = old_rows.iter().find(|(p, _)| p == prefix) else {
            d.changes.push(Change {
                name: prefix.trim_end_matches('.').to_string(),
                old: String::new(),
                new: "new row".into(),
                direction: Direction::Neither,
            });
            continue;
        };
        let before = d.changes.len();
        for (i, c) in nh.iter().enumerate() {
            let Some(j) = oh.iter().position(|h| h == c) else {
                continue;
            };
            let (a, b) = (
                or.get(j).cloned().unwrap_or_default(),
                nr.get(i).cloned().unwrap_or_default(),
            );
            if a != b {
                cells += 1;
                d.changes.push(Change {
                    name: format!("{prefix}{c}"),
                    direction: direction(better_of(file, c), &a, &b),
                    old: a,
                    new: b,
                });
            }
        }
        rows_changed += usize::from(d.changes.len() > before);
    }
    for (prefix, _) in &old_rows {
        if !new_rows.iter().any(|(p, _)| p == prefix) {
            d.changes.push(Change {
                name: prefix.trim_end_matches('.').to_string(),
                old: "row".into(),
                new: "gone".into(),
                direction: Direction::Neither,
            });
        }
    }
    if file == "timeseries.csv" {
        // Per-bucket figures follow from the summary's; one line of counts.
        d.note = Some(format!(
            "{cells} cells in {rows_changed} of {} buckets differ{}",
            new_rows.len(),
            if orows.len() == nrows.len() {
                String::new()
            } else {
                format!(" ({} buckets before, {} now)", orows.len(), nrows.len())
            }
        ));
        d.changes.clear();
    }
    d
}

/// Lines of `old` and `new` scenario text that differ (the seed line left
/// out), `-` for a line only the old has and `+` for one only the new has.
pub fn scenario_diff(old: &str, new: &str) -> Vec<String> {
    let keep = |l: &&str| !l.starts_with("seed:") && !l.trim().is_empty();
    let a: Vec<&str> = old.lines().filter(keep).collect();
    let b: Vec<&str> = new.lines().filter(keep).collect();
    let mut out = Vec::new();
    let mut unmatched = b.clone();
    for l in &a {
        match unmatched.iter().position(|m| m == l) {
            Some(i) => {
                unmatched.remove(i);
            }
            None => out.push(format!("- {}", l.trim())),
        }
    }
    let mut pool = a.clone();
    for l in &b {
        match pool.iter().position(|m| m == l) {
            Some(i) => {
                pool.remove(i);
            }
            None => out.push(format!("+ {}", l.trim())),
        }
    }
    out
}

/// How one entry compared.
#[derive(Clone, Debug, PartialEq)]
pub enum Comparison {
    Exact(Vec<FileDiff>),
    Statistical {
        figures: Vec<Judged>,
        /// The new runs gave the very bytes of the baseline's (same seeds,
        /// same scenario, same build).
        identical: bool,
    },
}

/// One baseline entry checked.
#[derive(Clone, Debug, PartialEq)]
pub struct EntryCheck {
    pub id: String,
    pub scenario: String,
    pub mode: String,
    pub baseline_seeds: Vec<u64>,
    /// The seeds of the new runs.
    pub seeds: Vec<u64>,
    /// What made the baseline, when it is not this program.
    pub made_by_other: Option<String>,
    /// The scenario lines that differ from the baseline's copy.
    pub scenario_changes: Vec<String>,
    /// Where the scenario came from in this check.
    pub from: String,
    /// Why it could not run, when it did not.
    pub error: Option<String>,
    pub comparison: Option<Comparison>,
    pub judgement: Judgement,
    /// The command that reruns this check of this entry.
    pub reproduce: String,
}

impl EntryCheck {
    /// Whether it fails the gate: an exact entry that changed, or a
    /// figure that regressed.
    pub fn failed(&self) -> bool {
        match &self.comparison {
            Some(Comparison::Exact(files)) => files.iter().any(|f| !f.identical),
            Some(Comparison::Statistical { figures, .. }) => {
                figures.iter().any(|j| j.verdict == Verdict::Regressed)
            }
            None => false,
        }
    }

    /// One word for the whole: `error`, `changed`, `regressed`, `passed`.
    pub fn status(&self) -> &'static str {
        match (&self.error, &self.comparison) {
            (Some(_), _) | (None, None) => "error",
            (None, Some(Comparison::Exact(_))) if self.failed() => "changed",
            (None, Some(_)) if self.failed() => "regressed",
            _ => "passed",
        }
    }

    fn seeds_text(seeds: &[u64]) -> String {
        match seeds {
            [one] => format!("seed {one}"),
            [first, .., last] if (*last - *first) as usize + 1 == seeds.len() => {
                format!("{} seeds {first}..{last}", seeds.len())
            }
            _ => format!(
                "{} seeds {}",
                seeds.len(),
                seeds
                    .iter()
                    .map(u64::to_string)
                    .collect::<Vec<_>>()
                    .join(",")
            ),
        }
    }

    /// The heading line: what was compared with what.
    pub fn heading(&self) -> String {
        let what = match &self.comparison {
            Some(Comparison::Statistical { .. }) => format!(
                "{} against the baseline's {}",
                Self::seeds_text(&self.seeds),
                Self::seeds_text(&self.baseline_seeds)
            ),
            _ => Self::seeds_text(&self.seeds),
        };
        format!("{} ({}, {what})", self.id, self.mode)
    }
}

/// A number for people: three significant digits, or more where needed.
fn num(x: f64) -> String {
    significant(x, None)
}

/// A relative change as a signed percentage.
fn percent(r: f64) -> String {
    let p = r * 100.0;
    if p > 0.0 {
        format!("+{}%", num(p))
    } else {
        format!("{}%", num(p))
    }
}

/// The change column of a judged figure: relative, with its interval.
fn change_text(j: &Judged) -> String {
    match j.relative {
        Some(r) if j.old.mean != 0.0 => {
            let (lo, hi) = j.interval;
            let m = j.old.mean.abs();
            format!(
                "{} ({} to {})",
                percent(r),
                percent(lo / m),
                percent(hi / m)
            )
        }
        _ => {
            let (lo, hi) = j.interval;
            format!("{:+} ({} to {})", j.welch.difference, num(lo), num(hi))
        }
    }
}

/// A figure's baseline or new value: mean ± sd.
fn spread(s: &Sample) -> String {
    if s.sd == 0.0 {
        num(s.mean)
    } else {
        format!("{} ± {}", num(s.mean), num(s.sd))
    }
}

/// The terminal text of one checked entry.
pub fn text(c: &EntryCheck) -> String {
    let mut o = String::new();
    let head = c.heading();
    if let Some(why) = &c.error {
        let _ = writeln!(o, "{head}: could not run: {why}");
        return o;
    }
    if let Some(other) = &c.made_by_other {
        let _ = writeln!(
            o,
            "note: the baseline was made by {other}, this is {}",
            this_program()
        );
    }
    let scenario_note = |o: &mut String| {
        if !c.scenario_changes.is_empty() {
            let _ = writeln!(o, "  the scenario differs from the baseline's copy:");
            for l in c.scenario_changes.iter().take(12) {
                let _ = writeln!(o, "    {l}");
            }
            if c.scenario_changes.len() > 12 {
                let _ = writeln!(o, "    ... {} more lines", c.scenario_changes.len() - 12);
            }
        }
    };
    match &c.comparison {
        None => {}
        Some(Comparison::Exact(files)) => {
            if !c.failed() {
                let _ = writeln!(
                    o,
                    "{head}: identical to the baseline ({})",
                    files
                        .iter()
                        .map(|f| f.file.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                );
                return o;
            }
            let n: usize = files.iter().map(|f| f.changes.len()).sum();
            let _ = writeln!(
                o,
                "{head}: CHANGED from the baseline ({n} figure{} changed)",
                if n == 1 { "" } else { "s" }
            );
            scenario_note(&mut o);
            for f in files.iter().filter(|f| !f.identical) {
                match &f.note {
                    Some(note) => {
                        let _ = writeln!(o, "  {}: {note}", f.file);
                    }
                    None => {
                        let _ = writeln!(o, "  {}", f.file);
                    }
                }
                let width = f
                    .changes
                    .iter()
                    .map(|c| c.name.chars().count())
                    .max()
                    .unwrap_or(0);
                let old_width = f
                    .changes
                    .iter()
                    .map(|c| c.old.chars().count())
                    .max()
                    .unwrap_or(0);
                for ch in &f.changes {
                    let dir = match ch.direction {
                        Direction::Better => "  better",
                        Direction::Worse => "  worse",
                        Direction::Neither => "",
                    };
                    let _ = writeln!(
                        o,
                        "    {:width$}  {:>old_width$} → {}{dir}",
                        ch.name, ch.old, ch.new
                    );
                }
            }
        }
        Some(Comparison::Statistical { figures, identical }) => {
            let regressed: Vec<&str> = figures
                .iter()
                .filter(|j| j.verdict == Verdict::Regressed)
                .map(|j| j.figure.as_str())
                .collect();
            let verdict = if regressed.is_empty() {
                "no figure regressed".to_string()
            } else {
                format!("REGRESSED: {}", regressed.join(", "))
            };
            let same = if *identical {
                " (the very same files as the baseline)"
            } else {
                ""
            };
            let _ = writeln!(o, "{head}: {verdict}{same}");
            let (k, alpha) = level(figures, c.judgement);
            let _ = writeln!(
                o,
                "  {}% confidence over {k} figures (Welch's t-test at p < {} each), noise threshold {}%",
                num(c.judgement.confidence * 100.0),
                num(alpha),
                num(c.judgement.noise * 100.0)
            );
            scenario_note(&mut o);
            let rows: Vec<[String; 5]> = figures
                .iter()
                .filter(|j| listed(j))
                .map(|j| {
                    [
                        j.figure.clone(),
                        spread(&j.old),
                        spread(&j.new),
                        change_text(j),
                        j.verdict.word().to_string(),
                    ]
                })
                .collect();
            let hidden_rows = figures.iter().filter(|j| per_row(j) && !listed(j)).count();
            let unchanged = figures.len() - rows.len() - hidden_rows;
            if !rows.is_empty() {
                let head = ["figure", "baseline", "now", "change (interval)", "verdict"];
                let w: Vec<usize> = (0..5)
                    .map(|i| {
                        rows.iter()
                            .map(|r| r[i].chars().count())
                            .chain([head[i].len()])
                            .max()
                            .unwrap_or(0)
                    })
                    .collect();
                let line = |o: &mut String, r: [&str; 5]| {
                    let _ = writeln!(
                        o,
                        "  {:w0$}  {:>w1$}  {:>w2$}  {:>w3$}  {}",
                        r[0],
                        r[1],
                        r[2],
                        r[3],
                        r[4],
                        w0 = w[0],
                        w1 = w[1],
                        w2 = w[2],
                        w3 = w[3]
                    );
                };
                line(&mut o, head);
                for r in &rows {
                    line(&mut o, [&r[0], &r[1], &r[2], &r[3], &r[4]]);
                }
            }
            if unchanged > 0 {
                let _ = writeln!(
                    o,
                    "  {unchanged} more figures with the same mean before and now: no change"
                );
            }
            if hidden_rows > 0 {
                let _ = writeln!(
                    o,
                    "  {hidden_rows} figures of regions, streams and faults: no change"
                );
            }
        }
    }
    o
}

/// Text made safe for XML 1.0 (see `gate`).
fn xml(text: &str) -> String {
    crate::report::gate::xml(text)
}

/// The JUnit XML of a check: a test suite per entry, its first test case
/// the runs themselves, then one per result file (exact) or per figure
/// judged (statistical).
pub fn junit(command: &str, checks: &[EntryCheck]) -> String {
    struct Case {
        name: String,
        failure: Option<(String, String)>,
        error: Option<String>,
    }
    let cases_of = |c: &EntryCheck| -> Vec<Case> {
        let mut v = vec![Case {
            name: "runs".into(),
            failure: None,
            error: c.error.clone().or_else(|| {
                c.comparison
                    .is_none()
                    .then(|| "no comparison was made".to_string())
            }),
        }];
        match &c.comparison {
            None => {}
            Some(Comparison::Exact(files)) => {
                for f in files {
                    let failure = (!f.identical).then(|| {
                        let lines: Vec<String> = f
                            .changes
                            .iter()
                            .map(|ch| format!("{}: {} → {}", ch.name, ch.old, ch.new))
                            .chain(f.note.clone())
                            .collect();
                        (
                            format!(
                                "{} differs from the baseline (seed {}): {}",
                                f.file,
                                c.seeds[0],
                                lines.first().cloned().unwrap_or_default()
                            ),
                            lines.join("\n"),
                        )
                    });
                    v.push(Case {
                        name: format!("{} identical", f.file),
                        failure,
                        error: None,
                    });
                }
            }
            Some(Comparison::Statistical { figures, .. }) => {
                for j in figures {
                    let failure = (j.verdict == Verdict::Regressed).then(|| {
                        (
                            format!(
                                "{} regressed: {} → {}, {} (p = {}, seeds {})",
                                j.figure,
                                spread(&j.old),
                                spread(&j.new),
                                change_text(j),
                                num(j.welch.p),
                                EntryCheck::seeds_text(&c.seeds)
                            ),
                            String::new(),
                        )
                    });
                    v.push(Case {
                        name: format!("{} not regressed ({})", j.figure, j.verdict.word()),
                        failure,
                        error: None,
                    });
                }
            }
        }
        v
    };
    let all: Vec<Vec<Case>> = checks.iter().map(cases_of).collect();
    let count = |cs: &[Case], f: fn(&Case) -> bool| cs.iter().filter(|c| f(c)).count();
    let total = |f: fn(&Case) -> bool| all.iter().map(|cs| count(cs, f)).sum::<usize>();
    let mut o = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        o,
        "<testsuites name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"0\">",
        xml(command),
        total(|_| true),
        total(|c| c.failure.is_some()),
        total(|c| c.error.is_some()),
    );
    for (c, cases) in checks.iter().zip(&all) {
        let suite = format!("baseline/{}", c.id);
        let _ = writeln!(
            o,
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"0\">",
            xml(&suite),
            cases.len(),
            count(cases, |c| c.failure.is_some()),
            count(cases, |c| c.error.is_some()),
        );
        o.push_str("    <properties>\n");
        for (name, value) in [
            ("scenario", c.scenario.clone()),
            ("mode", c.mode.clone()),
            ("seeds", EntryCheck::seeds_text(&c.seeds)),
            ("baseline seeds", EntryCheck::seeds_text(&c.baseline_seeds)),
            ("reproduce", c.reproduce.clone()),
        ] {
            let _ = writeln!(
                o,
                "      <property name=\"{name}\" value=\"{}\"/>",
                xml(&value)
            );
        }
        o.push_str("    </properties>\n");
        for case in cases {
            let _ = write!(
                o,
                "    <testcase classname=\"replisim.{}\" name=\"{}\"",
                xml(&suite),
                xml(&case.name)
            );
            match (&case.failure, &case.error) {
                (None, None) => o.push_str("/>\n"),
                (_, Some(why)) => {
                    let _ = writeln!(
                        o,
                        ">\n      <error type=\"not run\" message=\"{}\">{}\nreproduce: {}</error>\n    </testcase>",
                        xml(&format!("could not run: {why}")),
                        xml(why),
                        xml(&c.reproduce)
                    );
                }
                (Some((message, body)), None) => {
                    let _ = writeln!(
                        o,
                        ">\n      <failure type=\"baseline\" message=\"{}\">{}\nreproduce: {}</failure>\n    </testcase>",
                        xml(message),
                        xml(body),
                        xml(&c.reproduce)
                    );
                }
            }
        }
        o.push_str("  </testsuite>\n");
    }
    o.push_str("</testsuites>\n");
    o
}

/// Text made safe for one Markdown table cell.
fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

/// The Markdown summary of a check, for `$GITHUB_STEP_SUMMARY`.
pub fn markdown(command: &str, checks: &[EntryCheck]) -> String {
    let failed = checks.iter().filter(|c| c.failed()).count();
    let errors = checks.iter().filter(|c| c.status() == "error").count();
    let mut o = format!("## {command}\n\n");
    let _ = write!(
        o,
        "{} baseline entr{}, {failed} failed",
        checks.len(),
        if checks.len() == 1 { "y" } else { "ies" }
    );
    if errors > 0 {
        let _ = write!(o, ", {errors} could not run");
    }
    o.push_str(".\n");
    for c in checks {
        let mark = match c.status() {
            "passed" => "✅",
            "error" => "⚠️",
            _ => "❌",
        };
        let _ = write!(o, "\n### {mark} {}\n\n", cell(&c.heading()));
        if let Some(why) = &c.error {
            let _ = writeln!(o, "Could not run: {}\n", cell(why));
        }
        if !c.scenario_changes.is_empty() {
            let _ = writeln!(
                o,
                "The scenario differs from the baseline's copy: {}\n",
                c.scenario_changes
                    .iter()
                    .take(12)
                    .map(|l| format!("`{}`", cell(l)))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        }
        match &c.comparison {
            None => {}
            Some(Comparison::Exact(files)) => {
                if !c.failed() {
                    o.push_str("Identical to the baseline.\n\n");
                } else {
                    o.push_str("| figure | baseline | now | |\n|---|---|---|---|\n");
                    for f in files.iter().filter(|f| !f.identical) {
                        for ch in &f.changes {
                            let dir = match ch.direction {
                                Direction::Better => "better",
                                Direction::Worse => "worse",
                                Direction::Neither => "",
                            };
                            let _ = writeln!(
                                o,
                                "| `{}` | {} | {} | {dir} |",
                                cell(&ch.name),
                                cell(&ch.old),
                                cell(&ch.new)
                            );
                        }
                        if let Some(note) = &f.note {
                            let _ = writeln!(o, "| {} | | {} | |", cell(&f.file), cell(note));
                        }
                    }
                    o.push('\n');
                }
            }
            Some(Comparison::Statistical { figures, .. }) => {
                let (k, alpha) = level(figures, c.judgement);
                let _ = writeln!(
                    o,
                    "{}% confidence over {k} figures (p < {} each), noise threshold {}%.\n",
                    num(c.judgement.confidence * 100.0),
                    num(alpha),
                    num(c.judgement.noise * 100.0)
                );
                o.push_str("| figure | baseline | now | change (interval) | verdict |\n|---|---|---|---|---|\n");
                for j in figures.iter().filter(|j| listed(j)) {
                    let mark = if j.verdict == Verdict::Regressed {
                        "❌ "
                    } else {
                        ""
                    };
                    let _ = writeln!(
                        o,
                        "| `{}` | {} | {} | {} | {mark}{} |",
                        j.figure,
                        cell(&spread(&j.old)),
                        cell(&spread(&j.new)),
                        cell(&change_text(j)),
                        j.verdict.word()
                    );
                }
                o.push('\n');
            }
        }
        let _ = writeln!(o, "Reproduce: `{}`", c.reproduce);
    }
    o
}

/// A finite number as JSON; infinity and NaN (a certain difference) as
/// null.
fn number(x: f64) -> Json {
    if x.is_finite() {
        json!(x)
    } else {
        Json::Null
    }
}

/// The JSON document of a check, for scripts.
pub fn json_document(command: &str, exit_code: i32, checks: &[EntryCheck]) -> String {
    let entries: Vec<Json> = checks
        .iter()
        .map(|c| {
            let comparison = match &c.comparison {
                None => Json::Null,
                Some(Comparison::Exact(files)) => json!({
                    "tier": "exact",
                    "files": files.iter().map(|f| json!({
                        "file": f.file,
                        "identical": f.identical,
                        "note": f.note,
                        "changes": f.changes.iter().map(|ch| json!({
                            "name": ch.name,
                            "old": ch.old,
                            "new": ch.new,
                            "direction": match ch.direction {
                                Direction::Better => "better",
                                Direction::Worse => "worse",
                                Direction::Neither => "neither",
                            },
                        })).collect::<Vec<_>>(),
                    })).collect::<Vec<_>>(),
                }),
                Some(Comparison::Statistical { figures, identical }) => {
                    let (k, alpha) = level(figures, c.judgement);
                    json!({
                        "tier": "statistical",
                        "identical": identical,
                        "confidence": c.judgement.confidence,
                        "noise": c.judgement.noise,
                        "figures_judged": k,
                        "per_figure_level": alpha,
                        "figures": figures.iter().map(|j| json!({
                            "figure": j.figure,
                            "baseline": { "n": j.old.n, "mean": j.old.mean, "sd": j.old.sd },
                            "now": { "n": j.new.n, "mean": j.new.mean, "sd": j.new.sd },
                            "difference": j.welch.difference,
                            "interval": [j.interval.0, j.interval.1],
                            "relative": j.relative.map(number),
                            "t": number(j.welch.t),
                            "df": number(j.welch.df),
                            "p": j.welch.p,
                            "verdict": j.verdict.word(),
                        })).collect::<Vec<_>>(),
                    })
                }
            };
            json!({
                "id": c.id,
                "scenario": c.scenario,
                "mode": c.mode,
                "status": c.status(),
                "seeds": c.seeds,
                "baseline_seeds": c.baseline_seeds,
                "from": c.from,
                "error": c.error,
                "scenario_changes": c.scenario_changes,
                "reproduce": c.reproduce,
                "comparison": comparison,
            })
        })
        .collect();
    let doc = json!({
        "command": command,
        "exit_code": exit_code,
        "entries": entries,
    });
    let mut text = serde_json::to_string_pretty(&doc).expect("JSON values always serialize");
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_exact_diff_names_each_changed_figure() {
        let old = b"region,writes,lost_writes\nus-east-1,10,2\neu-west-1,12,3\n";
        let new = b"region,writes,lost_writes\nus-east-1,10,1\neu-west-1,13,5\n";
        let d = diff_file("regions.csv", old, new);
        assert!(!d.identical);
        let got: Vec<(&str, &str, &str, Direction)> = d
            .changes
            .iter()
            .map(|c| (c.name.as_str(), c.old.as_str(), c.new.as_str(), c.direction))
            .collect();
        assert_eq!(
            got,
            [
                ("regions.us-east-1.lost_writes", "2", "1", Direction::Better),
                ("regions.eu-west-1.writes", "12", "13", Direction::Neither),
                ("regions.eu-west-1.lost_writes", "3", "5", Direction::Worse),
            ]
        );
        assert!(diff_file("regions.csv", old, old).identical);
    }

    #[test]
    fn an_exact_diff_sees_rows_come_and_go() {
        let old = b"from,to,lag_p99_ms\na,b,1.000\nb,a,2.000\n";
        let new = b"from,to,lag_p99_ms\na,b,1.000\nb,c,2.000\n";
        let d = diff_file("links.csv", old, new);
        let names: Vec<&str> = d.changes.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["links.b>c", "links.b>a"]);
        assert_eq!(
            (d.changes[0].new.as_str(), d.changes[1].new.as_str()),
            ("new row", "gone")
        );
    }

    #[test]
    fn scenario_lines_that_differ() {
        let old = "name: a\nseed: 1\nhome_affinity: 0.9\nrate: 5\n";
        let new = "name: a\nseed: 2\nhome_affinity: 0.8\nrate: 5\n";
        assert_eq!(
            scenario_diff(old, new),
            ["- home_affinity: 0.9", "+ home_affinity: 0.8"]
        );
        assert!(scenario_diff(old, &old.replace("seed: 1", "seed: 9")).is_empty());
    }

    fn seeds(col: &str, values: &[f64]) -> Vec<u8> {
        let mut s = format!("seed,{col}\n");
        for (i, v) in values.iter().enumerate() {
            s.push_str(&format!("{i},{v}\n"));
        }
        s.into_bytes()
    }

    #[test]
    fn verdicts_follow_the_better_way_and_the_noise_threshold() {
        let how = Judgement {
            confidence: 0.95,
            noise: 0.05,
        };
        let base = seeds("lost_write_rate", &[0.10, 0.11, 0.09, 0.10, 0.105, 0.095]);
        let verdict = |values: &[f64]| {
            let j = judge(
                &base,
                &seeds("lost_write_rate", values),
                "active_active",
                how,
            )
            .unwrap();
            let f = j.iter().find(|j| j.figure == "lost_write_rate").unwrap();
            f.verdict
        };
        assert_eq!(
            verdict(&[0.10, 0.11, 0.09, 0.10, 0.105, 0.095]),
            Verdict::NoChange
        );
        assert_eq!(
            verdict(&[0.20, 0.21, 0.19, 0.20, 0.205, 0.195]),
            Verdict::Regressed
        );
        assert_eq!(
            verdict(&[0.05, 0.06, 0.04, 0.05, 0.055, 0.045]),
            Verdict::Improved
        );
        // Told apart (the spread is tiny) but 2% < 5%.
        let tight = seeds("lost_write_rate", &[0.1000, 0.1001, 0.0999, 0.1000]);
        let j = judge(
            &tight,
            &seeds("lost_write_rate", &[0.1020, 0.1021, 0.1019, 0.1020]),
            "active_active",
            how,
        )
        .unwrap();
        let f = j.iter().find(|j| j.figure == "lost_write_rate").unwrap();
        assert!(f.welch.p < 1e-6);
        assert_eq!(f.verdict, Verdict::WithinNoise);
    }

    #[test]
    fn the_level_is_split_over_the_figures_that_can_fail() {
        let (k, alpha) = per_figure_level("active_active", Judgement::default());
        let directional = judged_figures("active_active")
            .iter()
            .filter(|f| f.better != Better::Neither)
            .count();
        assert_eq!(k, directional);
        assert!((alpha * k as f64 - 0.05).abs() < 1e-12);
        // Strong mode judges its own figures too.
        assert!(judged_figures("strong")
            .iter()
            .any(|f| f.name == "write_conflict_errors"));
        assert!(!judged_figures("active_active")
            .iter()
            .any(|f| f.name == "write_conflict_errors" || f.name == "seed"));
    }

    #[test]
    fn a_manifest_reads_back() {
        let mut b = Baseline {
            made_by: this_program(),
            entries: Vec::new(),
        };
        b.put(Entry {
            id: "x".into(),
            scenario: "x".into(),
            mode: "strong".into(),
            source: Some("ci/x.yaml".into()),
            sets: vec!["seed=3".into()],
            seeds: vec![1, 2, 3],
            scenario_yaml: "name: x\n".into(),
            files: vec![(SEEDS_FILE.into(), b"seed\n1\n2\n3\n".to_vec())],
        });
        let (made_by, entries) = parse_manifest(&b.manifest(), "m").unwrap();
        assert_eq!(made_by, this_program());
        assert_eq!(entries[0].seeds, [1, 2, 3]);
        assert_eq!(entries[0].source.as_deref(), Some("ci/x.yaml"));
        assert_eq!(entries[0].files, [SEEDS_FILE]);
        let bad = b.manifest().replace("\"id\": \"x\"", "\"id\": \"../x\"");
        assert!(parse_manifest(&bad, "m")
            .unwrap_err()
            .message()
            .contains("is not a folder name"));
    }
}
