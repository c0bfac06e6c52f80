//! Where a scenario comes from, and `--quiet`.
//!
//! A name runs a local file when `NAME.yaml` or `scenarios/NAME.yaml` is in
//! the working folder, else the bundled copy, and the run says which;
//! errors in a bundled scenario name it `bundled:NAME`. With `--quiet`
//! every command that has it prints nothing when it succeeds, and what it
//! would have printed goes to stderr when it fails.

use std::fs;
use std::path::Path;
use std::process::Output;

use crate::common::{replisim, scratch_dir};

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn code(o: &Output) -> i32 {
    o.status.code().unwrap_or(-1)
}

fn bundled_text(name: &str) -> &'static str {
    replisim::scenario::bundled::find(name)
        .expect("bundled scenario")
        .text
}

/// The seed the run wrote into its summary.csv.
fn seed_in(out: &Path) -> String {
    let text = fs::read_to_string(out.join("summary.csv")).unwrap();
    let mut lines = text.lines();
    let head: Vec<&str> = lines.next().unwrap().split(',').collect();
    let row: Vec<&str> = lines.next().unwrap().split(',').collect();
    let i = head.iter().position(|h| *h == "seed").unwrap();
    row[i].to_string()
}

#[test]
fn a_name_runs_a_local_copy_before_the_bundled_one_and_says_which() {
    let dir = scratch_dir("source", "local");
    let args = [
        "run",
        "collaboration",
        "--set",
        "duration=3s",
        "--no-charts",
        "--out",
        "r",
    ];
    let bundled = bundled_text("collaboration");
    assert_eq!(bundled.matches("\nseed: 5\n").count(), 1);

    // No local copy: the bundled one (seed 5), said so.
    let o = replisim(&dir, &args);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(
        stdout(&o).starts_with("running bundled scenario collaboration (seed 5)\n"),
        "{}",
        stdout(&o)
    );
    assert_eq!(seed_in(&dir.join("r")), "5");

    // An edited copy in scenarios/ runs instead (its seed shows it).
    fs::create_dir(dir.join("scenarios")).unwrap();
    fs::write(
        dir.join("scenarios/collaboration.yaml"),
        bundled.replace("\nseed: 5\n", "\nseed: 41\n"),
    )
    .unwrap();
    let o = replisim(&dir, &args);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(
        stdout(&o)
            .starts_with("running collaboration from scenarios/collaboration.yaml (seed 41)\n"),
        "{}",
        stdout(&o)
    );
    assert_eq!(seed_in(&dir.join("r")), "41");

    // NAME.yaml in the folder itself comes first.
    fs::write(
        dir.join("collaboration.yaml"),
        bundled.replace("\nseed: 5\n", "\nseed: 42\n"),
    )
    .unwrap();
    let o = replisim(&dir, &args);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(
        stdout(&o).starts_with("running collaboration from collaboration.yaml (seed 42)\n"),
        "{}",
        stdout(&o)
    );
    assert_eq!(seed_in(&dir.join("r")), "42");

    // compare resolves the same way.
    let o = replisim(
        &dir,
        &[
            "compare",
            "collaboration",
            "--set",
            "duration=2s",
            "--no-charts",
            "--modes",
            "active_active",
        ],
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(
        stdout(&o).starts_with("comparing collaboration from collaboration.yaml (seed 42)"),
        "{}",
        stdout(&o)
    );

    // An error in the local copy names its path, line and column.
    fs::remove_file(dir.join("collaboration.yaml")).unwrap();
    fs::write(
        dir.join("scenarios/collaboration.yaml"),
        bundled.replace("\nseed: 5\n", "\nseed: five\n"),
    )
    .unwrap();
    let line = bundled
        .lines()
        .position(|l| l == "seed: 5")
        .expect("a seed line")
        + 1;
    let o = replisim(&dir, &["validate", "collaboration"]);
    assert_eq!(code(&o), 2);
    let want = format!("error: scenarios/collaboration.yaml:{line}:7: seed");
    assert!(stderr(&o).starts_with(&want), "{}", stderr(&o));
    fs::remove_dir_all(&dir).unwrap();
}

/// Dropping ap-southeast-1 from the regions leaves the bundled file's
/// links naming it: the error points into the bundled text, named
/// `bundled:global-leaderboard`, at the line and column where the name is.
#[test]
fn errors_in_a_bundled_scenario_name_it_as_bundled() {
    let dir = scratch_dir("source", "bundled-error");
    let o = replisim(
        &dir,
        &[
            "validate",
            "global-leaderboard",
            "--set",
            "regions=[{name: us-east-1}, {name: eu-west-1}]",
        ],
    );
    assert_eq!(code(&o), 2, "{}", stdout(&o));
    let err = stderr(&o);
    assert_eq!(err.lines().count(), 1, "{err}");
    let rest = err
        .strip_prefix("error: bundled:global-leaderboard:")
        .unwrap_or_else(|| panic!("{err}"));
    let mut parts = rest.splitn(3, ':');
    let line: usize = parts.next().unwrap().parse().unwrap();
    let col: usize = parts.next().unwrap().parse().unwrap();
    assert!(
        parts
            .next()
            .unwrap()
            .contains("unknown region 'ap-southeast-1'"),
        "{err}"
    );
    let text_line = bundled_text("global-leaderboard")
        .lines()
        .nth(line - 1)
        .unwrap();
    assert!(
        text_line[col - 1..].starts_with("ap-southeast-1"),
        "{line}:{col} is not at the name: {text_line}"
    );
    assert!(!err.contains("scenarios/global-leaderboard.yaml"), "{err}");
    fs::remove_dir_all(&dir).unwrap();
}

const TINY: &str = "\
name: tiny
description: Three regions writing one small table.
seed: 3
duration: 2s
regions:
  - name: us-east-1
  - name: eu-west-1
  - name: ap-southeast-1
network:
  default: 35ms
replication:
  mode: active_active
  timestamps: wall
  pipeline: 5ms
tables:
  - name: items
    kind: item
    keys: 20
workload:
  - regions: all
    table: items
    rate: 50/s
    writes: 0.5
";

#[test]
fn quiet_prints_nothing_on_success_for_every_command_that_has_it() {
    let dir = scratch_dir("quiet", "commands");
    fs::write(dir.join("tiny.yaml"), TINY).unwrap();
    let vary = "workload.0.home_affinity=0,0.5";
    let commands: &[&[&str]] = &[
        &["run", "tiny.yaml", "-q", "--out", "run"],
        &[
            "compare",
            "tiny.yaml",
            "--quiet",
            "--no-charts",
            "--out",
            "cmp",
        ],
        &[
            "sweep",
            "tiny.yaml",
            "--vary",
            vary,
            "--seeds",
            "2",
            "-q",
            "--out",
            "sw",
        ],
        &[
            "sweep",
            "tiny.yaml",
            "--vary",
            vary,
            "--shard",
            "1/2",
            "--out",
            "s1",
            "-q",
        ],
        &[
            "sweep",
            "tiny.yaml",
            "--vary",
            vary,
            "--shard",
            "2/2",
            "--out",
            "s2",
            "-q",
        ],
        &["merge", "s1", "s2", "--out", "m", "-q"],
        &["baseline", "save", "base", "tiny.yaml", "-q"],
        &["check", "--baseline", "base", "-q"],
        &["explain", "tiny.yaml", "-q", "--out", "e"],
    ];
    for args in commands {
        let o = replisim(&dir, args);
        assert_eq!(code(&o), 0, "{args:?}: {}", stderr(&o));
        assert_eq!(stdout(&o), "", "{args:?} printed on stdout");
        assert_eq!(stderr(&o), "", "{args:?} printed on stderr");
    }
    // The work was done: the files are there.
    for file in [
        "run/summary.csv",
        "run/report.html",
        "cmp/compare.csv",
        "sw/sweep.csv",
        "m/sweep.csv",
        "e/explain.txt",
    ] {
        assert!(dir.join(file).is_file(), "{file} missing");
    }
    // Without --quiet the same commands talk.
    let o = replisim(&dir, &["check", "--baseline", "base"]);
    assert_eq!(code(&o), 0);
    assert!(
        stdout(&o).contains("identical to the baseline"),
        "{}",
        stdout(&o)
    );

    // A failed expectation: exit 1, nothing on stdout, the reason on stderr.
    let o = replisim(
        &dir,
        &[
            "run",
            "tiny.yaml",
            "-q",
            "--no-charts",
            "--out",
            "run",
            "--set",
            "expect={writes: '< 1'}",
        ],
    );
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    assert_eq!(stdout(&o), "");
    assert!(
        stderr(&o).contains("expect writes < 1: FAILED"),
        "{}",
        stderr(&o)
    );
    // A changed figure in check: the same.
    let o = replisim(
        &dir,
        &[
            "check",
            "--baseline",
            "base",
            "-q",
            "--set",
            "workload.0.home_affinity=0.9",
        ],
    );
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    assert_eq!(stdout(&o), "");
    assert!(stderr(&o).contains("CHANGED"), "{}", stderr(&o));
    // An error: exit 2, one error line on stderr.
    let o = replisim(&dir, &["run", "missing.yaml", "-q"]);
    assert_eq!(code(&o), 2);
    assert_eq!(stdout(&o), "");
    assert!(
        stderr(&o).starts_with("error: missing.yaml"),
        "{}",
        stderr(&o)
    );
    fs::remove_dir_all(&dir).unwrap();
}
