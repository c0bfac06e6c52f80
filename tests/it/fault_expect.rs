//! Expectations on a fault's figures (`faults.<n>.<figure>`) end to end:
//! the figure read is the fault's own (checked against writes counted in
//! the trace), a bound on the wrong side fails with exit code 1, a time
//! the run ended before is only a lower bound, and a figure that does not
//! apply fails rather than passing unread.

use std::fs;

use crate::common::{replisim, scratch_dir};

/// Three regions writing for 4 s; a partition from 1 s to 2 s; a clock
/// step at 3 s.
const FAULTED: &str = "\
name: faulted
seed: 11
duration: 4s
regions:
  - name: us-east-1
  - name: eu-west-1
  - name: ap-southeast-1
network:
  default: 40ms
tables:
  - name: items
    kind: item
    keys: 50
workload:
  - regions: all
    table: items
    rate: 60/s
    writes: 0.5
faults:
  - partition: { between: [us-east-1, eu-west-1], at: 1s, for: 1s }
  - clock_step: { region: eu-west-1, at: 3s, by: -50ms }
";

fn code(o: &std::process::Output) -> i32 {
    o.status.code().expect("exit code")
}

fn stdout(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// Writes issued in [1 s, 2 s), counted from `writes.csv` of a traced run.
fn writes_in_partition(dir: &std::path::Path) -> u64 {
    fs::write(dir.join("s.yaml"), FAULTED).unwrap();
    let o = replisim(
        dir,
        &["run", "s.yaml", "--no-charts", "--trace", "--out", "traced"],
    );
    assert_eq!(code(&o), 0, "{}", String::from_utf8_lossy(&o.stderr));
    let text = fs::read_to_string(dir.join("traced/writes.csv")).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let issue = header.iter().position(|h| *h == "issue_ms").unwrap();
    lines
        .filter(|l| {
            let ms: f64 = l.split(',').nth(issue).unwrap().parse().unwrap();
            (1000.0..2000.0).contains(&ms)
        })
        .count() as u64
}

#[test]
fn a_faults_figure_is_read_from_that_fault() {
    let dir = scratch_dir("fault-expect", "read");
    let n = writes_in_partition(&dir);
    assert!(n > 50, "about 90 writes in the second: {n}");
    let yaml = format!(
        "{FAULTED}expect:\n  faults.1.writes: {n}\n  faults.1.lost_writes: '<= {n}'\n  faults.1.end_s: 2\n  faults.2.start_s: 3\n"
    );
    fs::write(dir.join("s.yaml"), &yaml).unwrap();
    let o = replisim(&dir, &["run", "s.yaml", "--no-charts"]);
    assert_eq!(code(&o), 0, "{}", stdout(&o));
    let out = stdout(&o);
    assert!(
        out.contains(&format!("expect faults.1.writes == {n}: ok (actual {n})")),
        "{out}"
    );

    // One fewer is on the wrong side of the bound: exit 1, the figure named.
    let yaml = format!("{FAULTED}expect:\n  faults.1.writes: '< {n}'\n");
    fs::write(dir.join("s.yaml"), &yaml).unwrap();
    let o = replisim(&dir, &["run", "s.yaml", "--no-charts"]);
    assert_eq!(code(&o), 1);
    assert!(
        stdout(&o).contains(&format!(
            "expect faults.1.writes < {n}: FAILED (actual {n})"
        )),
        "{}",
        stdout(&o)
    );
}

#[test]
fn a_catch_up_cut_short_is_only_a_lower_bound() {
    // The partition ends with the traffic, and replication may run on for
    // only 10 ms: less than one 40 ms hop, so the catch-up is cut short.
    let yaml = FAULTED
        .replace("for: 1s", "for: 3s")
        .replace(
            "  - clock_step: { region: eu-west-1, at: 3s, by: -50ms }\n",
            "",
        )
        .replace("duration: 4s\n", "duration: 4s\ndrain_limit: 10ms\n");
    let dir = scratch_dir("fault-expect", "censored");
    let expect = "expect:\n  faults.1.catch_up_ms: '< 1000000'\n  active_active:\n    faults.1.catch_up_ms: '>= 5'\n";
    fs::write(dir.join("s.yaml"), format!("{yaml}{expect}")).unwrap();
    let o = replisim(&dir, &["run", "s.yaml", "--no-charts"]);
    let out = stdout(&o);
    assert_eq!(code(&o), 1, "{out}");
    let csv = fs::read_to_string(dir.join("output/faulted/faults.csv")).unwrap();
    let row: Vec<&str> = csv.lines().nth(1).unwrap().split(',').collect();
    assert_eq!((row[9], row[11]), ("10.000", "true"), "{csv}");
    // Any upper bound is unknown when only a lower bound is: failed.
    assert!(
        out.contains(
            "expect faults.1.catch_up_ms < 1000000: FAILED (actual ≥ 10 ms (the run ended first))"
        ),
        "{out}"
    );
    // A lower bound above the bound asked for settles `>=`.
    assert!(
        out.contains("expect active_active.faults.1.catch_up_ms >= 5: ok (actual ≥ 10 ms"),
        "{out}"
    );
}

#[test]
fn a_figure_that_does_not_apply_fails_unread() {
    // A partition that never ends has no catch-up.
    let yaml = FAULTED.replace(", for: 1s", "").replace(
        "  - clock_step: { region: eu-west-1, at: 3s, by: -50ms }\n",
        "",
    );
    let dir = scratch_dir("fault-expect", "absent");
    fs::write(
        dir.join("s.yaml"),
        format!("{yaml}expect:\n  faults.1.catch_up_ms: '< 1000'\n"),
    )
    .unwrap();
    let o = replisim(&dir, &["run", "s.yaml", "--no-charts"]);
    assert_eq!(code(&o), 1);
    assert!(
        stdout(&o).contains("expect faults.1.catch_up_ms < 1000: FAILED (actual fault 1 (partition us-east-1 ↔ eu-west-1) has no catch_up_ms: it does not apply)"),
        "{}",
        stdout(&o)
    );
}
