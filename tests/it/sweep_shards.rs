//! `replisim sweep` beyond one process: slices run the way Slurm and
//! Kubernetes run them (N processes, each with only its environment
//! variable set) and merged are the same bytes as one process; `--resume`
//! after a kill; plan files; expectations on a sweep's figures; the
//! report and charts.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crate::common::{replisim, scratch_dir, tree, SMALL};

fn setup(test: &str) -> PathBuf {
    let dir = scratch_dir("sweep-shards", test);
    fs::write(dir.join("small.yaml"), SMALL).unwrap();
    dir
}

const PLAN: &[&str] = &[
    "small.yaml",
    "--vary",
    "workload.0.writes=0.2,0.8",
    "--vary",
    "replication.timestamps=wall,hlc",
    "--seeds",
    "3",
];

fn sweep(dir: &Path, extra: &[&str], env: &[(&str, String)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_replisim"));
    cmd.arg("sweep").args(PLAN).args(extra).current_dir(dir);
    for var in [
        "SLURM_ARRAY_TASK_ID",
        "SLURM_ARRAY_TASK_COUNT",
        "SLURM_ARRAY_TASK_MIN",
        "JOB_COMPLETION_INDEX",
        "REPLISIM_SHARD_COUNT",
    ] {
        cmd.env_remove(var);
    }
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("run replisim")
}

fn ok(o: &Output) -> String {
    let stdout = String::from_utf8_lossy(&o.stdout).into_owned();
    assert_eq!(
        o.status.code(),
        Some(0),
        "stdout: {stdout}\nstderr: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    stdout
}

fn error(o: &Output, code: i32) -> String {
    let err = String::from_utf8_lossy(&o.stderr).into_owned();
    assert_eq!(o.status.code(), Some(code), "{err}");
    assert!(
        err.starts_with("error: ") && err.lines().count() == 1,
        "{err}"
    );
    err
}

fn assert_same_tree(a: &Path, b: &Path) {
    let (ta, tb) = (tree(a), tree(b));
    let names = |t: &[(String, Vec<u8>)]| t.iter().map(|f| f.0.clone()).collect::<Vec<_>>();
    assert_eq!(names(&ta), names(&tb));
    for (fa, fb) in ta.iter().zip(&tb) {
        assert!(fa.1 == fb.1, "{} differs", fa.0);
    }
}

/// Runs `count` processes at once, each with the variables `env(i)` gives.
fn shards(dir: &Path, count: usize, env: impl Fn(usize) -> Vec<(&'static str, String)>) {
    let children: Vec<_> = (0..count)
        .map(|i| {
            let mut cmd = Command::new(env!("CARGO_BIN_EXE_replisim"));
            cmd.arg("sweep")
                .args(PLAN)
                .args(["--quiet", "--jobs", "1"])
                .current_dir(dir);
            for (k, v) in env(i) {
                cmd.env(k, v);
            }
            cmd.stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for c in children {
        let o = c.wait_with_output().unwrap();
        ok(&o);
    }
}

#[test]
fn slurm_array_shards_merge_to_the_same_bytes() {
    let dir = setup("slurm");
    ok(&sweep(&dir, &["--quiet", "--out", "whole"], &[]));
    // An array --array=1-3: ids 1, 2, 3, minimum 1, count 3.
    shards(&dir, 3, |i| {
        vec![
            ("SLURM_ARRAY_TASK_ID", (i + 1).to_string()),
            ("SLURM_ARRAY_TASK_MIN", "1".to_string()),
            ("SLURM_ARRAY_TASK_COUNT", "3".to_string()),
        ]
    });
    let names: Vec<String> = (1..=3)
        .map(|i| format!("output/small-sweep-shard-{i}-of-3"))
        .collect();
    let plan = fs::read_to_string(dir.join(&names[1]).join("plan.json")).unwrap();
    assert!(
        plan.contains(
            "\"from\": \"SLURM_ARRAY_TASK_ID=2, SLURM_ARRAY_TASK_MIN=1, SLURM_ARRAY_TASK_COUNT=3\""
        ),
        "{plan}"
    );
    // Each slice holds its own runs: 12 in all, 4 each.
    for n in &names {
        let runs = fs::read_to_string(dir.join(n).join("runs.csv")).unwrap();
        assert_eq!(runs.lines().count(), 5, "{n}");
        assert!(!dir.join(n).join("sweep.csv").exists());
    }
    let mut args = vec!["merge"];
    args.extend(names.iter().map(String::as_str));
    args.extend(["--out", "merged"]);
    ok(&replisim(&dir, &args));
    assert_same_tree(&dir.join("whole"), &dir.join("merged"));
}

#[test]
fn kubernetes_indexed_job_shards_merge_to_the_same_bytes() {
    let dir = setup("k8s");
    ok(&sweep(&dir, &["--quiet", "--out", "whole"], &[]));
    shards(&dir, 2, |i| {
        vec![
            ("JOB_COMPLETION_INDEX", i.to_string()),
            ("REPLISIM_SHARD_COUNT", "2".to_string()),
        ]
    });
    let o = replisim(
        &dir,
        &[
            "merge",
            "output/small-sweep-shard-2-of-2",
            "output/small-sweep-shard-1-of-2",
        ],
    );
    let stdout = ok(&o);
    assert!(stdout.contains("merged 2 shards (12 runs)"), "{stdout}");
    assert_same_tree(&dir.join("whole"), &dir.join("output/small-sweep"));
}

#[test]
fn merge_refuses_mixed_missing_and_repeated_slices() {
    let dir = setup("merge-bad");
    for i in 1..=2 {
        ok(&sweep(
            &dir,
            &["--quiet", "--shard", &format!("{i}/2")],
            &[],
        ));
    }
    ok(&sweep(
        &dir,
        &["--quiet", "--shard", "2/2", "--seed", "9", "--out", "other"],
        &[],
    ));
    let a = "output/small-sweep-shard-1-of-2";
    let b = "output/small-sweep-shard-2-of-2";
    let e = error(&replisim(&dir, &["merge", a, "other"]), 2);
    assert!(e.contains("other: from another plan than"), "{e}");
    let e = error(&replisim(&dir, &["merge", a]), 2);
    assert!(e.contains("slice 2/2 is missing"), "{e}");
    let e = error(&replisim(&dir, &["merge", a, b, a]), 2);
    assert!(e.contains("slice 1/2 is given twice"), "{e}");
    let e = error(&replisim(&dir, &["merge", "small.yaml"]), 2);
    assert!(e.contains("plan.json"), "{e}");
    assert!(!dir.join("output/small-sweep").exists());
}

#[test]
fn resume_runs_only_what_is_missing() {
    let dir = setup("resume");
    ok(&sweep(&dir, &["--quiet", "--out", "whole"], &[]));
    let whole = fs::read_to_string(dir.join("whole/runs.csv")).unwrap();
    let plan: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(dir.join("whole/plan.json")).unwrap()).unwrap();
    // A journal as a killed sweep leaves it: five runs done, in the order
    // they finished, and a sixth cut off mid-line. One figure is marked,
    // to tell a run taken from the journal from one run again.
    let lines: Vec<&str> = whole.lines().collect();
    let marked = lines[3].replacen(",small,", ",marked,", 1);
    let mut journal = format!(
        "replisim-sweep-journal {}\n",
        plan["plan_hash"].as_str().unwrap()
    );
    for l in [lines[2], lines[1], &marked, lines[5], lines[4]] {
        journal.push_str(l);
        journal.push('\n');
    }
    journal.push_str(&lines[6][..20]);
    fs::write(dir.join(".again.replisim-sweep-journal"), journal).unwrap();
    let stdout = ok(&sweep(&dir, &["--resume", "--out", "again"], &[]));
    assert!(
        stdout.contains("resuming: 5 of 12 runs already done, 7 to run"),
        "{stdout}"
    );
    let again = fs::read_to_string(dir.join("again/runs.csv")).unwrap();
    assert_eq!(again, whole.replacen(lines[3], &marked, 1));
    assert!(!dir.join(".again.replisim-sweep-journal").exists());
    // A finished folder resumes to itself without a run.
    let stdout = ok(&sweep(&dir, &["--resume", "--out", "whole"], &[]));
    assert!(
        stdout.contains("12 of 12 runs already done, 0 to run"),
        "{stdout}"
    );
    assert_eq!(
        fs::read_to_string(dir.join("whole/runs.csv")).unwrap(),
        whole
    );
}

#[cfg(unix)]
#[test]
fn resume_after_sigterm_gives_the_uninterrupted_bytes() {
    let dir = setup("sigterm");
    let plan = [
        "small.yaml",
        "--vary",
        "workload.0.writes=0.2,0.4,0.6,0.8",
        "--seeds",
        "10",
        "--set",
        "duration=600s",
        "--jobs",
        "1",
        "--quiet",
    ];
    let full = replisim(
        &dir,
        &[&["sweep"][..], &plan[..], &["--out", "whole"][..]].concat(),
    );
    ok(&full);
    let child = Command::new(env!("CARGO_BIN_EXE_replisim"))
        .arg("sweep")
        .args(plan)
        .args(["--out", "cut"])
        .current_dir(&dir)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let journal = dir.join(".cut.replisim-sweep-journal");
    let start = std::time::Instant::now();
    while fs::read_to_string(&journal).map_or(0, |t| t.lines().count()) < 4 {
        assert!(start.elapsed().as_secs() < 60, "no runs recorded");
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    // SAFETY: a signal to the child this test started.
    unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
    let o = child.wait_with_output().unwrap();
    if o.status.code() == Some(0) {
        return; // it finished before the signal landed; nothing to resume
    }
    assert_eq!(
        o.status.code(),
        Some(143),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(!dir.join("cut").exists());
    assert!(fs::read_to_string(&journal).unwrap().lines().count() >= 4);
    ok(&replisim(
        &dir,
        &[&["sweep"][..], &plan[..], &["--out", "cut", "--resume"][..]].concat(),
    ));
    assert_same_tree(&dir.join("whole"), &dir.join("cut"));
}

#[test]
fn a_plan_file_is_the_same_sweep() {
    let dir = setup("planfile");
    fs::write(
        dir.join("plan.yaml"),
        "scenario: small.yaml\nseeds: 3\nvary:\n  workload.0.writes: [0.2, 0.8]\n  replication.timestamps: wall,hlc\n",
    )
    .unwrap();
    ok(&sweep(&dir, &["--quiet", "--out", "flags"], &[]));
    ok(&replisim(
        &dir,
        &["sweep", "plan.yaml", "--quiet", "--out", "file"],
    ));
    assert_same_tree(&dir.join("flags"), &dir.join("file"));

    fs::write(
        dir.join("bad.yaml"),
        "scenario: small.yaml\nvary:\n  workload.0.writes: [0.2, 1.5]\n",
    )
    .unwrap();
    let e = error(&replisim(&dir, &["sweep", "bad.yaml"]), 2);
    assert!(
        e.starts_with("error: bad.yaml:3:28: vary.workload.0.writes: 1.5: "),
        "{e}"
    );
    fs::write(dir.join("bad2.yaml"), "scenario: small.yaml\nseeds: 0\n").unwrap();
    let e = error(&replisim(&dir, &["sweep", "bad2.yaml"]), 2);
    assert!(e.starts_with("error: bad2.yaml:2:8: seeds: "), "{e}");
}

#[test]
fn expectations_on_every_variants_interval() {
    let dir = setup("expect");
    let o = sweep(&dir, &["--expect", "lost_write_rate.ci_high <= 1"], &[]);
    let stdout = ok(&o);
    assert!(
        stdout.contains("expect lost_write_rate.ci_high <= 1: ok (all 4 variants)"),
        "{stdout}"
    );
    let o = sweep(
        &dir,
        &[
            "--expect",
            "lost_write_rate.ci_low > 0.5",
            "--expect",
            "converged == 1",
        ],
        &[],
    );
    assert_eq!(o.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(stdout.contains("expect lost_write_rate.ci_low > 0.5: FAILED for 4 of 4 variants: workload.0.writes=0.2, replication.timestamps=wall ("), "{stdout}");
    assert!(stdout.contains("expect converged == 1: ok"), "{stdout}");
    // The results are written all the same.
    assert!(dir.join("output/small-sweep/sweep.csv").exists());
    let e = error(
        &sweep(&dir, &["--expect", "lost_write_rat.ci_high < 1"], &[]),
        2,
    );
    assert!(e.contains("did you mean 'lost_write_rate'"), "{e}");
}

#[test]
fn the_report_has_the_table_and_a_chart_per_figure() {
    let dir = setup("report");
    let stdout = ok(&sweep(
        &dir,
        &["--figures", "lost_write_rate,conflicts"],
        &[],
    ));
    assert!(stdout.contains("charts/ (2 charts)"), "{stdout}");
    let out = dir.join("output/small-sweep");
    let html = fs::read_to_string(out.join("report.html")).unwrap();
    assert!(html.contains("<svg") && html.contains("lost_write_rate against workload.0.writes"));
    assert!(
        html.contains("<td class=\"l\">0.8</td><td class=\"l\">hlc</td>"),
        "{html}"
    );
    let svg = fs::read_to_string(out.join("charts/conflicts.svg")).unwrap();
    assert!(svg.contains("replication.timestamps=hlc"));
    ok(&sweep(&dir, &["--no-charts", "--out", "bare"], &[]));
    assert!(!dir.join("bare/charts").exists());
}

#[test]
fn compare_runs_its_modes_in_parallel_to_the_same_bytes() {
    let dir = setup("compare-jobs");
    for jobs in ["1", "2"] {
        let out = format!("c{jobs}");
        ok(&replisim(
            &dir,
            &[
                "compare",
                "small.yaml",
                "--modes",
                "active_active,single_primary",
                "--jobs",
                jobs,
                "--out",
                &out,
                "--quiet",
            ],
        ));
    }
    assert_same_tree(&dir.join("c1"), &dir.join("c2"));
    assert!(dir.join("c2/single_primary/summary.csv").exists());
}
