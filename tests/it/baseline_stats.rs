//! The statistical tier on every figure of a region, a stream and a fault,
//! not only the summary's: over independent seed sets of one scenario the
//! gate fails no more often than its stated rate allows, and a change that
//! raises the lost writes fails it; a baseline saved from a sweep folder
//! (one entry per variant) is checked by running the variants again.

use std::fs;

use replisim::model::{self, RunOptions};
use replisim::report::baseline::{judge_entry, level, statistical_files, Judgement, Verdict};
use replisim::scenario;

use crate::common::{replisim, scratch_dir, SMALL};

/// Three regions writing one table of carts, 8 s: a few dozen lost writes
/// a run, spread over the regions.
const CARTS: &str = "\
name: carts
seed: 1
duration: 8s
regions:
  - name: us-east-1
  - name: eu-west-1
  - name: ap-southeast-1
network:
  default: { lognormal: { median: 70ms, p99: 180ms } }
replication:
  mode: active_active
  timestamps: wall
  pipeline: { lognormal: { median: 300ms, p99: 600ms } }
tables:
  - name: carts
    kind: item
    keys: 300
workload:
  - regions: all
    table: carts
    rate: 60/s
    writes: 0.5
    home_affinity: 0.9
";

/// The statistical entry's files of `yaml` run under `seeds`.
fn sample(yaml: &str, seeds: std::ops::Range<u64>) -> Vec<(String, Vec<u8>)> {
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
    statistical_files(&results).unwrap()
}

#[test]
fn region_and_stream_figures_keep_the_stated_false_alarm_rate() {
    // 20 trials, each two independent samples of 8 seeds of one scenario.
    // At 95% confidence for the whole check (Bonferroni over every figure
    // judged, the regions' and streams' among them) a trial fails with
    // chance at most 5%: the number failing is at most Binomial(20, 0.05),
    // which is 5 or more with chance 0.0026.
    let how = Judgement::default();
    let (trials, n) = (20u64, 8u64);
    let mut failures = 0;
    for t in 0..trials {
        let from = 5000 + 2 * n * t;
        let a = sample(CARTS, from..from + n);
        let b = sample(CARTS, from + n..from + 2 * n);
        let judged = judge_entry(&a, &b, "active_active", how).unwrap();
        let names: Vec<&str> = judged.iter().map(|j| j.figure.as_str()).collect();
        assert!(
            names.contains(&"regions.eu-west-1.lost_writes"),
            "{names:?}"
        );
        assert!(
            names.contains(&"links.us-east-1>eu-west-1.lag_p99_ms"),
            "{names:?}"
        );
        let (k, alpha) = level(&judged, how);
        assert!(k > 40, "{k} figures judged");
        assert!((alpha * k as f64 - 0.05).abs() < 1e-12);
        let regressed: Vec<&str> = judged
            .iter()
            .filter(|j| j.verdict == Verdict::Regressed)
            .map(|j| j.figure.as_str())
            .collect();
        if !regressed.is_empty() {
            eprintln!("trial {t}: regressed {regressed:?}");
            failures += 1;
        }
    }
    eprintln!("{failures} of {trials} trials failed the gate");
    assert!(failures <= 4, "{failures} of {trials} trials failed");
}

#[test]
fn lower_home_affinity_regresses_each_regions_lost_writes() {
    // Home affinity 0.9 → 0.6: a write far more often lands on a key
    // another region writes too, so every region loses more writes to
    // last writer wins. Independent seeds on the two sides.
    let how = Judgement::default();
    let lower = CARTS.replace("home_affinity: 0.9", "home_affinity: 0.6");
    let a = sample(CARTS, 100..110);
    let b = sample(&lower, 200..210);
    let judged = judge_entry(&a, &b, "active_active", how).unwrap();
    for region in ["us-east-1", "eu-west-1", "ap-southeast-1"] {
        let name = format!("regions.{region}.lost_writes");
        let j = judged.iter().find(|j| j.figure == name).unwrap();
        assert_eq!(j.verdict, Verdict::Regressed, "{name}: {j:?}");
        assert!(j.new.mean > j.old.mean);
    }
}

fn code(o: &std::process::Output) -> i32 {
    o.status.code().expect("exit code")
}

#[test]
fn a_baseline_saved_from_a_sweep_folder_is_checked_per_variant() {
    let dir = scratch_dir("baseline-stats", "sweep");
    fs::write(dir.join("small.yaml"), SMALL).unwrap();
    let sweep = replisim(
        &dir,
        &[
            "sweep",
            "small.yaml",
            "--vary",
            "workload.0.writes=0.3,0.6",
            "--seeds",
            "6",
            "--no-charts",
        ],
    );
    assert_eq!(
        code(&sweep),
        0,
        "{}",
        String::from_utf8_lossy(&sweep.stderr)
    );
    let save = replisim(&dir, &["baseline", "save", "base", "output/small-sweep"]);
    let out = String::from_utf8_lossy(&save.stdout).into_owned();
    assert_eq!(
        code(&save),
        0,
        "{out}{}",
        String::from_utf8_lossy(&save.stderr)
    );
    assert!(out.contains("2 entries in all"), "{out}");
    // The entries' seeds are the sweep's: runs.csv's seed column.
    let manifest = fs::read_to_string(dir.join("base/baseline.json")).unwrap();
    let runs = fs::read_to_string(dir.join("output/small-sweep/runs.csv")).unwrap();
    let head: Vec<&str> = runs.lines().next().unwrap().split(',').collect();
    let seed_at = head.iter().position(|h| *h == "seed").unwrap();
    for line in runs.lines().skip(1) {
        let seed = line.split(',').nth(seed_at).unwrap();
        assert!(manifest.contains(seed), "seed {seed} not in {manifest}");
    }

    // Unchanged: the very same runs, exit 0.
    let check = replisim(&dir, &["check", "--baseline", "base"]);
    let out = String::from_utf8_lossy(&check.stdout).into_owned();
    assert_eq!(
        code(&check),
        0,
        "{out}{}",
        String::from_utf8_lossy(&check.stderr)
    );
    assert_eq!(
        out.matches("(the very same files as the baseline)").count(),
        2,
        "{out}"
    );

    // Four keys instead of twenty: many more writes meet on a key, and more
    // are lost, in both variants.
    let check = replisim(
        &dir,
        &["check", "--baseline", "base", "--set", "tables.0.keys=4"],
    );
    let out = String::from_utf8_lossy(&check.stdout).into_owned();
    assert_eq!(
        code(&check),
        1,
        "{out}{}",
        String::from_utf8_lossy(&check.stderr)
    );
    assert_eq!(out.matches("REGRESSED: ").count(), 2, "{out}");

    // The scenario file edited since the sweep: refused, exit 2.
    fs::write(
        dir.join("small.yaml"),
        SMALL.replace("keys: 20", "keys: 30"),
    )
    .unwrap();
    let save = replisim(&dir, &["baseline", "save", "again", "output/small-sweep"]);
    assert_eq!(code(&save), 2);
    assert!(
        String::from_utf8_lossy(&save.stderr).contains("plan hash differs"),
        "{}",
        String::from_utf8_lossy(&save.stderr)
    );
}
