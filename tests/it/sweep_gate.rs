//! `sweep --junit`, `--summary-md` and `--format json`: a test suite per
//! variant and a test case per expectation, checked against the JUnit
//! schema with the counts CI servers show; exit codes 0, 1 and 2; the same
//! reports from `merge` of shards as from one process.

use std::fs;

use crate::common::{replisim, scratch_dir, SMALL};
use crate::gate::valid_junit;

fn setup(test: &str) -> std::path::PathBuf {
    let dir = scratch_dir("sweep-gate", test);
    fs::write(dir.join("small.yaml"), SMALL).unwrap();
    dir
}

fn code(o: &std::process::Output) -> i32 {
    o.status.code().expect("exit code")
}

/// `writes` of small.yaml: 2 regions × 50/s × 2 s = 200 operations, each a
/// write with chance `writes`: about 40 ± 6 at 0.2 and 160 ± 6 at 0.8, so
/// `writes < 100` holds for the first variant and fails for the second
/// whatever the seeds; a rate is never above 1.
const PLAN: &[&str] = &[
    "sweep",
    "small.yaml",
    "--vary",
    "workload.0.writes=0.2,0.8",
    "--seeds",
    "3",
    "--no-charts",
    "--quiet",
    "--expect",
    "writes < 100",
    "--expect",
    "lost_write_rate.ci_high <= 1",
];

#[test]
fn junit_has_a_suite_per_variant_and_a_failure_where_a_variant_misses() {
    let dir = setup("junit");
    let mut args = PLAN.to_vec();
    args.extend([
        "--junit",
        "results/sweep.xml",
        "--summary-md",
        "results/sweep.md",
    ]);
    let o = replisim(&dir, &args);
    assert_eq!(code(&o), 1, "{}", String::from_utf8_lossy(&o.stderr));
    let xml = fs::read_to_string(dir.join("results/sweep.xml")).unwrap();
    let root = valid_junit(&xml);
    assert_eq!(root.attr("tests"), "6", "{xml}");
    assert_eq!(root.attr("failures"), "1", "{xml}");
    assert_eq!(root.attr("errors"), "0");
    let suites: Vec<&str> = root.children.iter().map(|s| s.attr("name")).collect();
    assert_eq!(
        suites,
        ["small/workload.0.writes=0.2", "small/workload.0.writes=0.8"]
    );
    assert_eq!(root.children[0].attr("failures"), "0");
    assert_eq!(root.children[1].attr("failures"), "1");
    // The failure gives the condition, the actual value and the seeds.
    let failed = root.children[1]
        .children
        .iter()
        .find(|c| c.count("failure") == 1)
        .unwrap();
    assert_eq!(failed.attr("name"), "writes < 100");
    let message = failed.children[0].attr("message");
    assert!(message.starts_with("writes < 100: actual 1"), "{message}");
    assert!(message.contains("3 seeds (3, "), "{message}");
    let md = fs::read_to_string(dir.join("results/sweep.md")).unwrap();
    assert!(md.contains("| `writes < 100` | 2 | ❌ failed for workload.0.writes=0.8 ("));
    assert!(md.contains("| `lost_write_rate.ci_high <= 1` | 2 | ✅ held |"));
    assert!(
        md.contains("3 of 4 expectation checks held, 1 failed"),
        "{md}"
    );
}

#[test]
fn json_on_stdout_and_exit_zero_when_all_hold() {
    let dir = setup("json");
    let args = [
        "sweep",
        "small.yaml",
        "--vary",
        "workload.0.writes=0.2,0.8",
        "--seeds",
        "2",
        "--no-charts",
        "--expect",
        "writes < 1000",
        "--format",
        "json",
    ];
    let o = replisim(&dir, &args);
    assert_eq!(code(&o), 0, "{}", String::from_utf8_lossy(&o.stderr));
    let doc: serde_json::Value = serde_json::from_slice(&o.stdout).expect("one JSON document");
    assert_eq!(doc["exit_code"], 0);
    assert_eq!(doc["variants"].as_array().unwrap().len(), 2);
    assert_eq!(doc["seeds"].as_array().unwrap().len(), 2);
    let v1 = &doc["variants"][1];
    assert_eq!(v1["values"]["workload.0.writes"], "0.8");
    assert_eq!(v1["expectations"][0]["status"], "held");
    // The mean of the runs' writes, against sweep.csv's own column.
    let mean = v1["figures"]["writes"]["mean"].as_f64().unwrap();
    let sweep = fs::read_to_string(dir.join("output/small-sweep/sweep.csv")).unwrap();
    let head: Vec<&str> = sweep.lines().next().unwrap().split(',').collect();
    let at = head.iter().position(|h| *h == "writes_mean").unwrap();
    let cell: f64 = sweep
        .lines()
        .nth(2)
        .unwrap()
        .split(',')
        .nth(at)
        .unwrap()
        .parse()
        .unwrap();
    assert!((mean - cell).abs() < 1e-6, "{mean} vs {cell}");
    // The human output went to stderr.
    assert!(String::from_utf8_lossy(&o.stderr).contains("results in output/small-sweep"));
}

#[test]
fn a_sweep_that_cannot_run_is_an_error_case_and_exit_two() {
    let dir = setup("error");
    let o = replisim(
        &dir,
        &[
            "sweep",
            "small.yaml",
            "--vary",
            "workload.0.home_affinity=0.5,1.5",
            "--junit",
            "sweep.xml",
        ],
    );
    assert_eq!(code(&o), 2);
    let xml = fs::read_to_string(dir.join("sweep.xml")).unwrap();
    let root = valid_junit(&xml);
    assert_eq!(
        (
            root.attr("tests"),
            root.attr("errors"),
            root.attr("failures")
        ),
        ("1", "1", "0")
    );
    assert!(xml.contains("1.5 is outside 0..1"), "{xml}");
    assert!(!dir.join("output").exists());
}

#[test]
fn merged_shards_give_the_same_reports_as_one_process() {
    let dir = setup("merge");
    let mut one = PLAN.to_vec();
    one.extend(["--out", "whole", "--junit", "whole.xml", "--format", "json"]);
    let whole = replisim(&dir, &one);
    assert_eq!(code(&whole), 1);
    for i in ["1/2", "2/2"] {
        let mut args = PLAN.to_vec();
        let out = format!("shard-{}", &i[..1]);
        args.extend(["--shard", i, "--out", &out]);
        let o = replisim(&dir, &args);
        assert_eq!(code(&o), 0, "{}", String::from_utf8_lossy(&o.stderr));
    }
    let merged = replisim(
        &dir,
        &[
            "merge",
            "shard-1",
            "shard-2",
            "--out",
            "merged",
            "--junit",
            "merged.xml",
            "--format",
            "json",
        ],
    );
    assert_eq!(
        code(&merged),
        1,
        "{}",
        String::from_utf8_lossy(&merged.stderr)
    );
    assert_eq!(
        fs::read(dir.join("whole.xml")).unwrap(),
        fs::read(dir.join("merged.xml")).unwrap()
    );
    assert_eq!(whole.stdout, merged.stdout);
    // A shard alone cannot report on the plan.
    let mut args = PLAN.to_vec();
    args.extend(["--shard", "1/2", "--out", "s", "--junit", "s.xml"]);
    let o = replisim(&dir, &args);
    assert_eq!(code(&o), 2);
    assert!(String::from_utf8_lossy(&o.stderr).contains("give them to replisim merge"));
}
