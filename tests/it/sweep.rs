//! `replisim sweep`: the plan's runs and their seeds, `runs.csv` against
//! plain runs, `sweep.csv` against hand arithmetic on `runs.csv`, the same
//! bytes for any `--jobs`, bad plans refused before any run, and the
//! intervals' coverage over repeated sweeps.

use std::fs;
use std::path::Path;

use crate::common::{names, replisim, scratch_dir, SMALL};
use replisim::model::{self, RunOptions};
use replisim::scenario;
use replisim::sweep::{plan, stats};

fn setup(test: &str) -> std::path::PathBuf {
    let dir = scratch_dir("sweep", test);
    fs::write(dir.join("small.yaml"), SMALL).unwrap();
    dir
}

/// A CSV file as a header and rows of cells.
fn read_csv(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let text = fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut lines = text.lines();
    let split = |l: &str| l.split(',').map(String::from).collect::<Vec<_>>();
    let head = split(lines.next().unwrap());
    (head, lines.map(split).collect())
}

fn col(head: &[String], name: &str) -> usize {
    head.iter()
        .position(|h| h == name)
        .unwrap_or_else(|| panic!("no column {name} in {head:?}"))
}

fn ok(o: &std::process::Output) {
    assert_eq!(
        o.status.code(),
        Some(0),
        "stdout: {}\nstderr: {}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
}

/// Exit 2, one `error:` line, and no output folder.
fn refused(dir: &Path, args: &[&str]) -> String {
    let o = replisim(dir, args);
    let err = String::from_utf8_lossy(&o.stderr).into_owned();
    assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
    assert!(err.starts_with("error: "), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        !dir.join("output").exists(),
        "{args:?} left {:?}",
        names(dir)
    );
    err
}

#[test]
fn runs_are_the_plain_runs_and_the_summary_is_their_arithmetic() {
    let dir = setup("plain");
    let o = replisim(
        &dir,
        &[
            "sweep",
            "small.yaml",
            "--vary",
            "workload.0.writes=0.2,0.8",
            "--vary",
            "network.default=10ms..30ms:20ms",
            "--seeds",
            "3",
            "--jobs",
            "2",
        ],
    );
    ok(&o);
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(
        stdout.contains("4 variants × 3 seeds = 12 runs"),
        "{stdout}"
    );
    let (head, rows) = read_csv(&dir.join("output/small-sweep/runs.csv"));
    assert_eq!(
        &head[..5],
        [
            "variant",
            "replication",
            "workload.0.writes",
            "network.default",
            "scenario"
        ]
    );
    assert_eq!(rows.len(), 12);
    // Plan order: the first dimension slowest, replications innermost.
    let key = |r: &Vec<String>| (r[0].clone(), r[1].clone(), r[2].clone(), r[3].clone());
    assert_eq!(
        key(&rows[0]),
        ("0".into(), "0".into(), "0.2".into(), "10ms".into())
    );
    assert_eq!(
        key(&rows[4]),
        ("1".into(), "1".into(), "0.2".into(), "30ms".into())
    );
    assert_eq!(
        key(&rows[11]),
        ("3".into(), "2".into(), "0.8".into(), "30ms".into())
    );

    // Replication i has one seed in every variant; the first is the
    // scenario's own (3), the others differ from it and each other.
    let seed = col(&head, "seed");
    for r in &rows {
        let i: usize = r[1].parse().unwrap();
        assert_eq!(r[seed], rows[i][seed]);
    }
    assert_eq!(rows[0][seed], "3");
    assert!(rows[1][seed] != "3" && rows[2][seed] != "3" && rows[1][seed] != rows[2][seed]);

    // Each row is what `replisim run` writes for that variant and seed.
    for r in [&rows[5], &rows[9]] {
        let out = format!("run-{}-{}", r[0], r[1]);
        let o = replisim(
            &dir,
            &[
                "run",
                "small.yaml",
                "--quiet",
                "--no-charts",
                "--seed",
                &r[seed],
                "--set",
                &format!("workload.0.writes={}", r[2]),
                "--set",
                &format!("network.default={}", r[3]),
                "--out",
                &out,
            ],
        );
        ok(&o);
        let summary = fs::read_to_string(dir.join(&out).join("summary.csv")).unwrap();
        let line = summary.lines().nth(1).unwrap();
        assert_eq!(r[4..].join(","), line);
    }

    // sweep.csv: mean, sd and the t interval of each variant's three
    // lost_write_rate cells, by hand (t(0.975, 2) = 4.303 from the table).
    let (shead, srows) = read_csv(&dir.join("output/small-sweep/sweep.csv"));
    assert_eq!(
        &shead[..5],
        [
            "variant",
            "workload.0.writes",
            "network.default",
            "mode",
            "n"
        ]
    );
    assert_eq!(srows.len(), 4);
    let rate = col(&head, "lost_write_rate");
    let at = col(&shead, "lost_write_rate_mean");
    for (v, s) in srows.iter().enumerate() {
        assert_eq!(s[4], "3");
        assert_eq!(&s[1..3], &rows[v * 3][2..4]);
        let xs: Vec<f64> = (0..3)
            .map(|i| rows[v * 3 + i][rate].parse().unwrap())
            .collect();
        let mean = (xs[0] + xs[1] + xs[2]) / 3.0;
        let sd = (xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / 2.0).sqrt();
        let half = 4.303 * sd / 3f64.sqrt();
        let got: Vec<f64> = s[at..at + 4].iter().map(|c| c.parse().unwrap()).collect();
        assert!((got[0] - mean).abs() < 1e-6, "{got:?} {mean}");
        assert!((got[1] - sd).abs() < 1e-6);
        assert!((got[2] - (mean - half)).abs() < 1e-4 * (1.0 + half));
        assert!((got[3] - (mean + half)).abs() < 1e-4 * (1.0 + half));
    }
    // More writes, more conflicts: the 0.8 variants lose more.
    assert!(srows[2][at].parse::<f64>().unwrap() > srows[0][at].parse::<f64>().unwrap());
}

#[test]
fn same_bytes_for_any_number_of_jobs() {
    let dir = setup("jobs");
    let mut outputs = Vec::new();
    for jobs in ["1", "2", "3"] {
        let out = format!("j{jobs}");
        let o = replisim(
            &dir,
            &[
                "sweep",
                "small.yaml",
                "--vary",
                "replication.timestamps=wall,hlc",
                "--vary",
                "workload.0.rate=20/s,60/s",
                "--seeds",
                "4",
                "--jobs",
                jobs,
                "--out",
                &out,
                "--quiet",
            ],
        );
        ok(&o);
        let runs = fs::read(dir.join(&out).join("runs.csv")).unwrap();
        let sweep = fs::read(dir.join(&out).join("sweep.csv")).unwrap();
        outputs.push((runs, sweep));
    }
    assert!(outputs.windows(2).all(|w| w[0] == w[1]));
    assert_eq!(String::from_utf8_lossy(&outputs[0].0).lines().count(), 17);
}

#[test]
fn modes_are_a_dimension() {
    let dir = setup("modes");
    let o = replisim(
        &dir,
        &[
            "sweep",
            "small.yaml",
            "--modes",
            "active_active,single_primary",
            "--seeds",
            "2",
            "--quiet",
        ],
    );
    ok(&o);
    let (head, rows) = read_csv(&dir.join("output/small-sweep/sweep.csv"));
    let mode = col(&head, "mode");
    let modes: Vec<&str> = rows.iter().map(|r| r[mode].as_str()).collect();
    assert_eq!(modes, ["active_active", "single_primary"]);
    // One writer: nothing lost to last writer wins without faults.
    let lost = col(&head, "conflicts_mean");
    assert_eq!(rows[1][lost], "0.000000");
    assert_ne!(rows[0][lost], "0.000000");
}

#[test]
fn bad_plans_are_refused_before_any_run() {
    let dir = setup("bad");
    let sweep = |extra: &[&str]| {
        let mut args = vec!["sweep", "small.yaml"];
        args.extend_from_slice(extra);
        refused(&dir, &args)
    };
    let e = sweep(&["--vary", "workload.0.home_afinity=0.5,0.9"]);
    assert!(
        e.contains("--vary workload.0.home_afinity = 0.5: ") && e.contains("home_affinity"),
        "{e}"
    );
    let e = sweep(&["--vary", "workload.0.home_affinity=0.5,1.5"]);
    assert!(e.contains("--vary workload.0.home_affinity = 1.5: "), "{e}");
    assert!(!e.contains("--set"), "{e}");
    let e = sweep(&["--vary", "workload.0.writes=0.5..0.1:0.1"]);
    assert!(
        e.contains("--vary workload.0.writes: the range 0.5..0.1:0.1 is empty"),
        "{e}"
    );
    let e = sweep(&["--seeds", "0"]);
    assert!(e.contains("--seeds"), "{e}");
    let e = sweep(&["--modes", "strong"]);
    assert!(
        e.contains("--modes strong: strong mode needs exactly 3 regions"),
        "{e}"
    );
    let e = sweep(&["--modes", "eventual"]);
    assert!(e.contains("unknown mode 'eventual'"), "{e}");
    let e = sweep(&["--vary", "duration=1s", "--vary", "duration=2s"]);
    assert!(e.contains("varied twice"), "{e}");
    let e = sweep(&["--figures", "lost_write_rat"]);
    assert!(e.contains("did you mean 'lost_write_rate'"), "{e}");
    let e = sweep(&["--vary", "workload.0.rate=1000000000/s", "--seeds", "1"]);
    assert!(
        e.contains("--vary workload.0.rate = 1000000000/s: ") && e.contains("events"),
        "{e}"
    );
}

/// The interval of a small sweep covers the mean of many more seeds about
/// 95% of the time: 200 sweeps of 8 seeds each against the mean of 800
/// other seeds. With 200 sweeps the binomial standard error of the share
/// is 1.5 points: 90.5% and 99.5% are three either side of 95% (an
/// interval that always covers fails too).
#[test]
fn intervals_cover_the_long_run_mean() {
    let s = scenario::load_str(SMALL, "small", &["duration=5s".into()]).unwrap();
    let rate = |seed: u64| {
        let mut v = s.clone();
        v.seed = seed;
        model::run(&v, &RunOptions::default(), &mut |_| true)
            .unwrap()
            .result
            .summary
            .stale_read_rate
    };
    let truth: f64 = (0..800u32)
        .map(|i| rate(plan::replication_seed(1, i)))
        .sum::<f64>()
        / 800.0;
    let sweeps = 200;
    let mut covered = 0;
    for k in 0..sweeps {
        let xs: Vec<f64> = (0..8)
            .map(|i| rate(plan::replication_seed(1000 + k, i)))
            .collect();
        let (lo, hi) = stats::estimate(&xs).ci.unwrap();
        if lo <= truth && truth <= hi {
            covered += 1;
        }
    }
    let share = f64::from(covered) / f64::from(sweeps as u32);
    eprintln!("coverage {share}");
    assert!((0.905..=0.995).contains(&share), "coverage {share}");
}
