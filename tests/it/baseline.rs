//! Baselines end to end: `replisim baseline save` and `replisim check`.
//!
//! Exact tier: a baseline saved from a run passes against itself (the same
//! scenario and seed give the same bytes), from a scenario, a result
//! folder, several result folders or a compare folder; a worse setting
//! fails naming each changed figure with the values a separate `run`
//! gives; a figure edited in the baseline by hand is found and named.
//! Statistical tier: samples of different seeds of one scenario are called
//! "no change" at the stated false-alarm rate over repeated trials (a Monte
//! Carlo over the simulator itself), and a change that truly raises the
//! lost-write rate (checked on a large sample) is called "regressed".
//! Exit codes 0, 1, 2; `--bless`; JUnit against the schema, Markdown, JSON.

use std::fs;
use std::path::Path;
use std::process::Output;

use crate::common::{replisim, scratch_dir};
use replisim::model::{self, RunOptions};
use replisim::report::baseline::{judge, seeds_csv, Judgement, Verdict};
use replisim::scenario;

/// Three regions on a few hundred hot keys: lost writes in every run,
/// a few dozen, which seed-to-seed noise moves by about 10%.
const CARTS: &str = "\
name: carts
seed: 1
duration: 20s
regions:
  - name: us-east-1
  - name: eu-west-1
  - name: ap-southeast-1
network:
  default: { lognormal: { median: 70ms, p99: 180ms } }
replication:
  pipeline: { lognormal: { median: 300ms, p99: 600ms } }
tables:
  - name: carts
    kind: item
    keys: 300
workload:
  - regions: all
    table: carts
    rate: 100/s
    writes: 0.5
    home_affinity: 0.9
";

fn code(o: &Output) -> i32 {
    o.status.code().expect("exit code")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn setup(test: &str, yaml: &str) -> std::path::PathBuf {
    let dir = scratch_dir("baseline", test);
    fs::write(dir.join("carts.yaml"), yaml).unwrap();
    dir
}

/// Run `replisim` and insist on exit code `want`.
fn ok(dir: &Path, args: &[&str], want: i32) -> String {
    let o = replisim(dir, args);
    assert_eq!(
        code(&o),
        want,
        "{args:?}\nstdout:\n{}\nstderr:\n{}",
        stdout(&o),
        stderr(&o)
    );
    stdout(&o)
}

/// A column of a one-row CSV file.
fn cell(csv: &str, column: &str) -> String {
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let i = header.iter().position(|h| *h == column).unwrap();
    lines.next().unwrap().split(',').nth(i).unwrap().to_string()
}

#[test]
fn a_baseline_saved_from_a_run_passes_against_itself() {
    let dir = setup("itself", CARTS);
    let out = ok(&dir, &["baseline", "save", "base", "carts.yaml"], 0);
    assert!(
        out.contains("saved carts (exact, active_active, seed 1); 1 entry in all"),
        "{out}"
    );
    let out = ok(&dir, &["check", "--baseline", "base"], 0);
    assert!(
        out.contains("carts (active_active, seed 1): identical to the baseline"),
        "{out}"
    );

    // From the result folder of a run with another seed: an entry of the
    // same name replaces the first. The check runs the baseline's copy of
    // the scenario (the folder does not say where it came from), or the
    // file named on the command line.
    ok(
        &dir,
        &["run", "carts.yaml", "--no-charts", "--seed", "4"],
        0,
    );
    let out = ok(&dir, &["baseline", "save", "base", "output/carts"], 0);
    assert!(
        out.contains("saved carts (exact, active_active, seed 4); 1 entry in all"),
        "{out}"
    );
    let out = ok(&dir, &["check", "--baseline", "base"], 0);
    assert!(out.contains("seed 4): identical"), "{out}");
    let out = ok(&dir, &["check", "--baseline", "base", "carts.yaml"], 0);
    assert!(out.contains("seed 4): identical"), "{out}");

    // A compare folder: one entry per mode, each passes.
    ok(
        &dir,
        &["compare", "carts.yaml", "--no-charts", "--out", "cmp"],
        0,
    );
    let out = ok(&dir, &["baseline", "save", "base", "cmp"], 0);
    assert!(out.contains("4 entries in all"), "{out}");
    let out = ok(&dir, &["check", "--baseline", "base"], 0);
    for mode in ["active_active", "single_primary", "strong"] {
        assert!(
            out.contains(&format!(
                "carts-{mode} ({mode}, seed 1): identical to the baseline"
            )),
            "{out}"
        );
    }
}

#[test]
fn a_worse_setting_fails_naming_each_figure_as_a_run_gives_it() {
    let dir = setup("worse", CARTS);
    ok(&dir, &["baseline", "save", "base", "carts.yaml"], 0);
    let worse = "workload.0.home_affinity=0.5";
    let out = ok(&dir, &["check", "--baseline", "base", "--set", worse], 1);

    // The old and new figures, as `run` writes them in summary.csv.
    ok(
        &dir,
        &["run", "carts.yaml", "--no-charts", "--out", "old"],
        0,
    );
    let run = [
        "run",
        "carts.yaml",
        "--no-charts",
        "--out",
        "new",
        "--set",
        worse,
    ];
    ok(&dir, &run, 0);
    let old = fs::read_to_string(dir.join("old/summary.csv")).unwrap();
    let new = fs::read_to_string(dir.join("new/summary.csv")).unwrap();
    for figure in ["lost_writes", "lost_write_rate", "conflicts"] {
        let (a, b) = (cell(&old, figure), cell(&new, figure));
        let (x, y): (f64, f64) = (a.parse().unwrap(), b.parse().unwrap());
        assert!(y > x, "less home affinity, more losses: {figure} {a} → {b}");
        let line = out
            .lines()
            .find(|l| l.trim_start().starts_with(&format!("{figure} ")))
            .unwrap_or_else(|| panic!("{figure} named\n{out}"));
        assert!(line.ends_with(&format!("{a} → {b}  worse")), "{line}");
    }
    assert!(out.contains("CHANGED from the baseline"), "{out}");
    assert!(
        out.contains("- home_affinity: 0.9\n    + home_affinity: 0.5"),
        "{out}"
    );
    assert!(out.contains("regions.eu-west-1.lost_writes"), "{out}");
}

#[test]
fn a_figure_edited_in_the_baseline_is_found() {
    // A baseline whose summary.csv says 3 lost writes fewer than the run
    // gives, as if an older build had computed it: the check names it.
    let dir = setup("edited", CARTS);
    ok(&dir, &["baseline", "save", "base", "carts.yaml"], 0);
    let path = dir.join("base/carts/summary.csv");
    let text = fs::read_to_string(&path).unwrap();
    let lost: u64 = cell(&text, "lost_writes").parse().unwrap();
    let header: Vec<&str> = text.lines().next().unwrap().split(',').collect();
    let i = header.iter().position(|h| *h == "lost_writes").unwrap();
    let mut row: Vec<String> = text
        .lines()
        .nth(1)
        .unwrap()
        .split(',')
        .map(String::from)
        .collect();
    row[i] = (lost - 3).to_string();
    fs::write(&path, format!("{}\n{}\n", header.join(","), row.join(","))).unwrap();
    let out = ok(&dir, &["check", "--baseline", "base"], 1);
    let changed: Vec<&str> = out.lines().filter(|l| l.contains(" → ")).collect();
    assert_eq!(changed.len(), 1, "{out}");
    assert!(
        changed[0].trim() == format!("lost_writes  {} → {lost}  worse", lost - 3),
        "{out}"
    );
}

/// Runs `yaml` in process under `seeds`, as `seeds.csv` bytes.
fn sample(yaml: &str, seeds: std::ops::Range<u64>) -> Vec<u8> {
    let base = scenario::load_str(yaml, "<test>", &[]).unwrap();
    let results: Vec<_> = seeds
        .map(|seed| {
            let mut s = base.clone();
            s.seed = seed;
            model::run(&s, &RunOptions::default(), &mut |_| true)
                .unwrap()
                .result
        })
        .collect();
    seeds_csv(&results).unwrap()
}

/// A small, quick scenario for many trials: two dozen lost writes a run.
fn quick() -> String {
    CARTS.replace("duration: 20s", "duration: 8s")
}

#[test]
fn no_change_between_seed_sets_at_the_stated_false_alarm_rate() {
    // 60 trials, each two samples of 8 seeds of the same scenario, no seed
    // used twice. Judged at 95% confidence for the whole check, the chance
    // that any figure is called regressed is at most 5%: about 3 of 60 at
    // most; 8 or more would happen with chance 0.003 at 5%.
    // Each figure alone is tested at 5% / k: its p-values under no change
    // are uniform, so p < 0.25 in about 15 trials (binomial sd 3.35).
    let yaml = quick();
    let how = Judgement::default();
    let (trials, n) = (60u64, 8u64);
    let mut gate_failures = 0;
    let mut below_quarter = 0;
    let mut no_change = 0;
    for t in 0..trials {
        let a = sample(&yaml, 1000 + 2 * n * t..1000 + 2 * n * t + n);
        let b = sample(&yaml, 1000 + 2 * n * t + n..1000 + 2 * n * (t + 1));
        let judged = judge(&a, &b, "active_active", how).unwrap();
        if judged.iter().any(|j| j.verdict == Verdict::Regressed) {
            gate_failures += 1;
        }
        let lost = judged
            .iter()
            .find(|j| j.figure == "lost_write_rate")
            .unwrap();
        below_quarter += usize::from(lost.welch.p < 0.25);
        no_change += usize::from(lost.verdict == Verdict::NoChange);
    }
    eprintln!(
        "{trials} trials: gate failed {gate_failures}; lost_write_rate p < 0.25 in \
         {below_quarter}, no change in {no_change}"
    );
    assert!(
        gate_failures < 8,
        "{gate_failures} of {trials} trials failed the gate"
    );
    assert!(
        (below_quarter as f64 - 15.0).abs() < 4.0 * 3.35,
        "p < 0.25 in {below_quarter} of {trials}"
    );
    assert!(
        no_change >= 55,
        "lost_write_rate: no change in {no_change} of {trials}"
    );
}

#[test]
fn a_true_rise_in_the_lost_write_rate_is_called_regressed() {
    // Home affinity 0.9 → 0.88: each write a little more often on a key
    // another region writes too. A large sample (60 seeds each, seeds the
    // check does not use) shows the rise is real: more than 4.5 standard
    // errors, and a few tenths of a percentage point (about 15%).
    let lower = CARTS.replace("home_affinity: 0.9", "home_affinity: 0.88");
    let mean_sd = |csv: &[u8]| {
        let text = String::from_utf8_lossy(csv).into_owned();
        let v: Vec<f64> = text
            .lines()
            .skip(1)
            .map(|l| {
                cell(
                    &format!("{}\n{l}", text.lines().next().unwrap()),
                    "lost_write_rate",
                )
                .parse()
                .unwrap()
            })
            .collect();
        let m = v.iter().sum::<f64>() / v.len() as f64;
        let var = v.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / (v.len() - 1) as f64;
        (m, var / v.len() as f64)
    };
    let (m0, v0) = mean_sd(&sample(CARTS, 500..560));
    let (m1, v1) = mean_sd(&sample(&lower, 600..660));
    let z = (m1 - m0) / (v0 + v1).sqrt();
    eprintln!("lost_write_rate {m0} → {m1} over 60 seeds each, z = {z}");
    assert!(z > 4.5 && m1 - m0 > 0.002, "rise {m0} → {m1}, z = {z}");

    // The gate: a baseline of 10 seeds, checked with the lower affinity.
    let dir = setup("rise", CARTS);
    ok(
        &dir,
        &["baseline", "save", "stat", "carts.yaml", "--seeds", "10"],
        0,
    );
    let set = ["--set", "workload.0.home_affinity=0.88"];
    let out = ok(
        &dir,
        &[&["check", "--baseline", "stat"][..], &set].concat(),
        1,
    );
    assert!(
        out.contains("REGRESSED: lost_writes, lost_write_rate"),
        "{out}"
    );
    let line = out
        .lines()
        .find(|l| l.trim_start().starts_with("lost_write_rate "))
        .unwrap();
    assert!(line.ends_with("regressed"), "{line}");

    // Unchanged, under other seeds: no change, exit 0.
    let out = ok(
        &dir,
        &["check", "--baseline", "stat", "--first-seed", "77"],
        0,
    );
    assert!(
        out.contains("10 seeds 77..86 against the baseline's 10 seeds 1..10): no figure regressed"),
        "{out}"
    );
    // Unchanged, same seeds: the very same files.
    let out = ok(&dir, &["check", "--baseline", "stat"], 0);
    assert!(
        out.contains("(the very same files as the baseline)"),
        "{out}"
    );
}

#[test]
fn result_folders_of_several_seeds_make_a_statistical_entry() {
    let yaml = quick();
    let dir = setup("folders", &yaml);
    for seed in ["1", "2", "3"] {
        let out = format!("r{seed}");
        ok(
            &dir,
            &[
                "run",
                "carts.yaml",
                "--no-charts",
                "--seed",
                seed,
                "--out",
                &out,
            ],
            0,
        );
    }
    let out = ok(&dir, &["baseline", "save", "b", "r1", "r2", "r3"], 0);
    assert!(
        out.contains("carts (statistical, active_active, 3 seeds 1..3)"),
        "{out}"
    );
    let seeds = fs::read_to_string(dir.join("b/carts/seeds.csv")).unwrap();
    assert_eq!(seeds.lines().count(), 4, "{seeds}");
    for (i, seed) in ["1", "2", "3"].iter().enumerate() {
        let summary = fs::read_to_string(dir.join(format!("r{seed}/summary.csv"))).unwrap();
        assert_eq!(seeds.lines().nth(i + 1), summary.lines().nth(1));
    }
    let out = ok(&dir, &["check", "--baseline", "b", "carts.yaml"], 0);
    assert!(
        out.contains("(the very same files as the baseline)"),
        "{out}"
    );
    // The same seed twice is refused.
    let o = replisim(&dir, &["baseline", "save", "c", "r1", "r1"]);
    assert_eq!(code(&o), 2);
    assert!(
        stderr(&o).contains("are the same run (seed 1)"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn bless_accepts_a_change() {
    let dir = setup("bless", &quick());
    ok(&dir, &["baseline", "save", "base", "carts.yaml"], 0);
    // The scenario file is edited: the check fails until the change is
    // blessed, and then passes.
    let edited = quick().replace("home_affinity: 0.9", "home_affinity: 0.5");
    fs::write(dir.join("carts.yaml"), &edited).unwrap();
    ok(&dir, &["check", "--baseline", "base"], 1);
    let out = ok(&dir, &["check", "--baseline", "base", "--bless"], 0);
    assert!(out.contains("CHANGED from the baseline"), "{out}");
    assert!(
        out.contains("blessed: base now holds these runs (1 entry)"),
        "{out}"
    );
    let out = ok(&dir, &["check", "--baseline", "base"], 0);
    assert!(out.contains("identical to the baseline"), "{out}");
    // The old setting is now the change.
    fs::write(dir.join("carts.yaml"), quick()).unwrap();
    ok(&dir, &["check", "--baseline", "base"], 1);
}

#[test]
fn bad_baselines_and_unrunnable_entries_exit_2() {
    let dir = setup("bad", &quick());
    let o = replisim(&dir, &["check", "--baseline", "nowhere"]);
    assert_eq!(code(&o), 2);
    assert_eq!(
        stderr(&o),
        "error: nowhere: no baseline here (baseline.json is missing); make one with replisim baseline save nowhere <scenario>\n"
    );
    ok(&dir, &["baseline", "save", "base", "carts.yaml"], 0);
    fs::write(
        dir.join("other.yaml"),
        quick().replacen("name: carts", "name: other", 1),
    )
    .unwrap();
    let o = replisim(&dir, &["check", "--baseline", "base", "other.yaml"]);
    assert_eq!(code(&o), 2);
    assert!(
        stderr(&o).contains(
            "other.yaml: the baseline has no entry of scenario 'other'; its scenarios are carts"
        ),
        "{}",
        stderr(&o)
    );
    // Strong mode cannot run two regions: the entry could not run.
    let two = quick().replace("  - name: ap-southeast-1\n", "");
    fs::write(dir.join("two.yaml"), &two).unwrap();
    ok(&dir, &["baseline", "save", "base2", "two.yaml"], 0);
    let o = replisim(
        &dir,
        &[
            "check",
            "--baseline",
            "base2",
            "--set",
            "replication.mode=strong",
        ],
    );
    assert_eq!(code(&o), 2, "{}", stdout(&o));
    let o = replisim(&dir, &["check", "--baseline", "base", "--max-events", "10"]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("carts"), "{}", stderr(&o));
    let o = replisim(
        &dir,
        &["check", "--baseline", "base", "--confidence", "100%"],
    );
    assert_eq!(code(&o), 2);
}

#[test]
fn check_writes_junit_markdown_and_json() {
    let dir = setup("reports", &quick());
    ok(&dir, &["baseline", "save", "exact", "carts.yaml"], 0);
    ok(
        &dir,
        &["baseline", "save", "stat", "carts.yaml", "--seeds", "4"],
        0,
    );
    let worse = ["--set", "workload.0.home_affinity=0.5"];
    for (base, tier) in [
        ("exact", "summary.csv identical"),
        ("stat", "lost_write_rate not regressed"),
    ] {
        let args = [
            &[
                "check",
                "--baseline",
                base,
                "--junit",
                "j.xml",
                "--summary-md",
                "s.md",
            ][..],
            &worse,
        ]
        .concat();
        let out = ok(&dir, &args, 1);
        let xml = fs::read_to_string(dir.join("j.xml")).unwrap();
        let root = crate::gate::valid_junit(&xml);
        assert_ne!(root.attr("failures"), "0", "{xml}");
        assert!(xml.contains(&format!("name=\"{tier}")), "{xml}");
        assert!(xml.contains("<failure type=\"baseline\""), "{xml}");
        let md = fs::read_to_string(dir.join("s.md")).unwrap();
        assert!(
            md.starts_with("## replisim check\n\n1 baseline entry, 1 failed.\n"),
            "{md}"
        );
        assert!(md.contains("lost_write_rate"), "{md}\n{out}");
    }
    let o = replisim(&dir, &["check", "--baseline", "stat", "--format", "json"]);
    assert_eq!(code(&o), 0);
    let doc: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON on stdout");
    assert_eq!(doc["exit_code"], 0);
    let entry = &doc["entries"][0];
    assert_eq!(entry["status"], "passed");
    assert_eq!(entry["comparison"]["tier"], "statistical");
    assert_eq!(entry["comparison"]["identical"], true);
    let lost = entry["comparison"]["figures"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["figure"] == "lost_writes")
        .unwrap();
    assert_eq!(lost["baseline"]["n"], 4);
    assert_eq!(lost["verdict"], "no change");
}

#[test]
fn run_bless_keeps_each_run_as_an_exact_entry() {
    let dir = setup("run-bless", &quick());
    fs::write(
        dir.join("other.yaml"),
        quick().replacen("name: carts", "name: other", 1),
    )
    .unwrap();
    let args = [
        "run",
        "carts.yaml",
        "other.yaml",
        "--no-charts",
        "--out",
        "out",
        "--bless",
        "base",
    ];
    let out = ok(&dir, &args, 0);
    assert!(
        out.contains("blessed: baseline base saved carts (exact, active_active, seed 1), other (exact, active_active, seed 1); 2 entries in all"),
        "{out}"
    );
    // The entry holds the run's own files, and it checks against itself.
    for f in ["summary.csv", "regions.csv", "faults.csv"] {
        assert_eq!(
            fs::read(dir.join("base/carts").join(f)).unwrap(),
            fs::read(dir.join("out/carts").join(f)).unwrap(),
            "{f}"
        );
    }
    let out = ok(&dir, &["check", "--baseline", "base"], 0);
    assert_eq!(out.matches("identical to the baseline").count(), 2, "{out}");
    // A scenario that does not load blesses nothing.
    let o = replisim(
        &dir,
        &["run", "carts.yaml", "missing.yaml", "--bless", "none"],
    );
    assert_eq!(code(&o), 2);
    assert!(!dir.join("none/baseline.json").exists());
}
