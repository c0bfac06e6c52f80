//! Integration tests of the `replisim` binary: exit codes, the files a run
//! writes and their contract headers (MODEL.md section 6), errors that
//! leave no half-written folder, `validate` and `list`.
//!
//! Each test works in its own scratch folder under the system temp folder
//! and runs the built binary there.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Output;

use crate::common::{names, replisim, scratch_dir};

/// A small two-region scenario that runs in well under a second.
const TINY: &str = "\
name: tiny
description: Two regions writing one small table.
seed: 3
duration: 2s
regions:
  - name: us-east-1
  - name: eu-west-1
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
  - name: counts
    kind: counter
    keys: 5
workload:
  - regions: all
    table: items
    rate: 50/s
    writes: 0.5
  - regions: all
    table: counts
    rate: 20/s
    writes: 0.8
output:
  bucket: 500ms
";

/// The contract columns of each file, in order (MODEL.md section 6).
const CONTRACT: &[(&str, &str)] = &[
    (
        "summary.csv",
        "scenario,seed,mode,timestamps,ordering,duration_s,writes,reads,lost_writes,lost_write_rate,\
         conflicts,causal_inversions,stranded_writes,increments,lost_increments,stale_reads,\
         stale_read_rate,lag_p50_ms,lag_p99_ms,lag_max_ms,undelivered,converged,convergence_ms",
    ),
    (
        "links.csv",
        "from,to,deliveries,lag_p50_ms,lag_p90_ms,lag_p99_ms,lag_max_ms,max_backlog",
    ),
    ("regions.csv", "region,writes,reads,lost_writes,stale_reads"),
    (
        "timeseries.csv",
        "t_start_s,t_end_s,writes,lost_writes,conflicts,reads,stale_reads,lag_p50_ms,\
         lag_p99_ms,lag_max_ms,backlog,faults_active",
    ),
];

const TRACE_CONTRACT: &[(&str, &str)] = &[
    (
        "writes.csv",
        "write_id,table,key,region,kind,issue_ms,timestamp_ms,parent_id,outcome,cause,beaten_by",
    ),
    (
        "reads.csv",
        "read_id,table,key,region,at_ms,returned_id,stale,staleness_ms",
    ),
    ("deliveries.csv", "write_id,to,arrive_ms,applied"),
];

/// A fresh, empty scratch folder for one test.
fn scratch(test: &str) -> PathBuf {
    scratch_dir("cli", test)
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn code(o: &Output) -> i32 {
    o.status.code().expect("exit code")
}

/// Assert exit code 2 with one `error: ` line on stderr, and return it.
fn assert_error(o: &Output) -> String {
    let err = stderr(o);
    assert_eq!(code(o), 2, "stdout: {}\nstderr: {err}", stdout(o));
    assert!(err.starts_with("error: "), "stderr: {err}");
    assert_eq!(err.lines().count(), 1, "one line expected: {err}");
    assert!(!err.contains("panicked"), "{err}");
    err
}

fn header(path: &Path) -> String {
    let text = fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    text.lines().next().unwrap_or("").to_string()
}

/// The header holds exactly the contract columns first, in order.
fn assert_contract_header(path: &Path, contract: &str) {
    let h = header(path);
    assert!(
        h == contract || h.starts_with(&format!("{contract},")),
        "{}: header\n  {h}\ndoes not start with the contract columns\n  {contract}",
        path.display()
    );
}

/// One column of a one-row CSV file, by name.
fn csv_field(path: &Path, column: &str) -> String {
    let text = fs::read_to_string(path).unwrap();
    let mut lines = text.lines();
    let head: Vec<&str> = lines.next().unwrap().split(',').collect();
    let row: Vec<&str> = lines.next().unwrap().split(',').collect();
    let i = head.iter().position(|h| *h == column).unwrap();
    row[i].to_string()
}

fn write_tiny(dir: &Path, extra: &str) -> PathBuf {
    let path = dir.join("tiny.yaml");
    fs::write(&path, format!("{TINY}{extra}")).unwrap();
    path
}

mod run {
    use super::*;

    #[test]
    fn writes_every_file_with_contract_headers() {
        let dir = scratch("files");
        write_tiny(&dir, "");
        let o = replisim(&dir, &["run", "tiny.yaml", "--quiet"]);
        assert_eq!(code(&o), 0, "{}", stderr(&o));
        let out = dir.join("output/tiny");
        for (file, contract) in CONTRACT {
            assert_contract_header(&out.join(file), contract);
        }
        for file in ["scenario.yaml", "report.html"] {
            assert!(out.join(file).is_file(), "{file} missing");
        }
        assert!(
            !out.join("writes.csv").exists(),
            "trace written without --trace"
        );
        let charts = names(&out.join("charts"));
        assert!(!charts.is_empty());
        assert!(charts.iter().all(|c| c.ends_with(".svg")), "{charts:?}");
        // No temporary or old folders beside the result.
        assert_eq!(names(&dir.join("output")), vec!["tiny"]);
        assert_eq!(csv_field(&out.join("summary.csv"), "seed"), "3");
        assert_eq!(csv_field(&out.join("summary.csv"), "scenario"), "tiny");
        // --quiet: the files, and nothing printed.
        assert_eq!(stdout(&o), "");
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn summary_and_reproduce_line_are_printed() {
        let dir = scratch("summary");
        write_tiny(&dir, "");
        let o = replisim(&dir, &["run", "tiny.yaml", "--seed", "11"]);
        assert_eq!(code(&o), 0, "{}", stderr(&o));
        let text = stdout(&o);
        for needle in [
            "seed 11",
            "lost writes",
            "conflicts",
            "causal inversions",
            "stale reads",
            "converged",
            "us-east-1",
            "replisim run tiny.yaml --seed 11",
            "output/tiny",
        ] {
            assert!(text.contains(needle), "{needle:?} missing from:\n{text}");
        }
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn trace_files_have_contract_headers_and_exact_times() {
        let dir = scratch("trace");
        write_tiny(&dir, "");
        let o = replisim(
            &dir,
            &["run", "tiny.yaml", "--trace", "--no-charts", "--out", "t"],
        );
        assert_eq!(code(&o), 0, "{}", stderr(&o));
        let out = dir.join("t");
        for (file, contract) in TRACE_CONTRACT {
            assert_contract_header(&out.join(file), contract);
        }
        assert!(!out.join("charts").exists(), "--no-charts drew charts");
        let writes = fs::read_to_string(out.join("writes.csv")).unwrap();
        let first = writes.lines().nth(1).expect("some writes");
        let fields: Vec<&str> = first.split(',').collect();
        assert_eq!(fields[0], "1", "the first write has id 1");
        let issue = fields[5];
        let decimals = issue.split('.').nth(1).unwrap_or("");
        assert_eq!(decimals.len(), 6, "issue_ms {issue} must have six decimals");
        let writes_total: usize = writes.lines().count() - 1;
        let summary_writes: usize = csv_field(&out.join("summary.csv"), "writes")
            .parse()
            .unwrap();
        assert_eq!(writes_total, summary_writes);
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn same_seed_gives_same_bytes() {
        let dir = scratch("determinism");
        write_tiny(&dir, "");
        for out in ["a", "b"] {
            let o = replisim(
                &dir,
                &["run", "tiny.yaml", "--trace", "--quiet", "--out", out],
            );
            assert_eq!(code(&o), 0, "{}", stderr(&o));
        }
        let files = names(&dir.join("a"));
        assert_eq!(files, names(&dir.join("b")));
        for f in files
            .iter()
            .filter(|f| f.ends_with(".csv") || f.ends_with(".yaml"))
        {
            let a = fs::read(dir.join("a").join(f)).unwrap();
            let b = fs::read(dir.join("b").join(f)).unwrap();
            assert!(a == b, "{f} differs between two runs");
        }
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn seed_flag_overrides_the_scenario() {
        let dir = scratch("seed");
        write_tiny(&dir, "");
        let o = replisim(
            &dir,
            &["run", "tiny.yaml", "--seed", "99", "--quiet", "--no-charts"],
        );
        assert_eq!(code(&o), 0, "{}", stderr(&o));
        let summary = dir.join("output/tiny/summary.csv");
        assert_eq!(csv_field(&summary, "seed"), "99");
        assert!(fs::read_to_string(dir.join("output/tiny/scenario.yaml"))
            .unwrap()
            .contains("99"));
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn several_scenarios_go_to_their_own_folders() {
        let dir = scratch("several");
        write_tiny(&dir, "");
        fs::write(
            dir.join("other.yaml"),
            TINY.replace("name: tiny", "name: other"),
        )
        .unwrap();
        let o = replisim(
            &dir,
            &[
                "run",
                "tiny.yaml",
                "other.yaml",
                "--out",
                "res",
                "--quiet",
                "--no-charts",
            ],
        );
        assert_eq!(code(&o), 0, "{}", stderr(&o));
        assert_eq!(names(&dir.join("res")), vec!["other", "tiny"]);
        assert_eq!(
            csv_field(&dir.join("res/other/summary.csv"), "scenario"),
            "other"
        );
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn rerun_replaces_the_previous_results() {
        let dir = scratch("rerun");
        write_tiny(&dir, "");
        let o = replisim(
            &dir,
            &["run", "tiny.yaml", "--quiet", "--trace", "--out", "r"],
        );
        assert_eq!(code(&o), 0, "{}", stderr(&o));
        assert!(dir.join("r/writes.csv").is_file());
        let o = replisim(&dir, &["run", "tiny.yaml", "--quiet", "--out", "r"]);
        assert_eq!(code(&o), 0, "{}", stderr(&o));
        assert!(
            !dir.join("r/writes.csv").exists(),
            "stale trace left behind"
        );
        assert_eq!(names(&dir), vec!["r", "tiny.yaml"]);
        fs::remove_dir_all(&dir).unwrap();
    }
}

mod expectations {
    use super::*;

    #[test]
    fn met_expectations_exit_0() {
        let dir = scratch("expect-ok");
        write_tiny(
            &dir,
            "expect:\n  writes: '> 0'\n  lost_write_rate: '<= 1'\n",
        );
        let o = replisim(&dir, &["run", "tiny.yaml", "--no-charts"]);
        assert_eq!(code(&o), 0, "{}\n{}", stdout(&o), stderr(&o));
        assert!(stdout(&o).contains("ok"), "{}", stdout(&o));
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn compare_exits_2_when_a_mode_cannot_run_unless_skipped() {
        let dir = scratch("compare-unrunnable");
        write_tiny(&dir, "");
        // Strong mode needs three regions; tiny has two.
        let o = replisim(&dir, &["compare", "tiny.yaml", "--no-charts"]);
        assert_eq!(code(&o), 2, "{}\n{}", stdout(&o), stderr(&o));
        assert!(
            stderr(&o).contains("strong could not run tiny"),
            "{}",
            stderr(&o)
        );
        let o = replisim(
            &dir,
            &["compare", "tiny.yaml", "--no-charts", "--skip-unrunnable"],
        );
        assert_eq!(code(&o), 0, "{}\n{}", stdout(&o), stderr(&o));
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn compare_checks_expectations_per_mode() {
        let dir = scratch("compare-expect");
        // Nothing is lost under a single primary that forwards; under
        // active-active, last writer wins on 20 keys loses some writes.
        write_tiny(
            &dir,
            "expect:\n  writes: '> 0'\n  single_primary:\n    lost_writes: 0\n",
        );
        let args = [
            "compare",
            "tiny.yaml",
            "--no-charts",
            "--modes",
            "active_active,single_primary",
        ];
        let o = replisim(&dir, &args);
        let text = stdout(&o);
        assert_eq!(code(&o), 0, "{text}\n{}", stderr(&o));
        assert_eq!(text.matches("expect writes > 0: ok").count(), 2, "{text}");
        assert!(
            text.contains("expect single_primary.lost_writes == 0: ok"),
            "{text}"
        );
        write_tiny(&dir, "expect:\n  active_active:\n    lost_writes: 0\n");
        let o = replisim(&dir, &args);
        let text = stdout(&o);
        assert_eq!(code(&o), 1, "{text}\n{}", stderr(&o));
        assert!(
            text.contains("expect active_active.lost_writes == 0: FAILED (actual "),
            "{text}"
        );
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn bad_expectation_fails_before_any_run() {
        let dir = scratch("expect-bad");
        write_tiny(&dir, "expect:\n  regions.mars-1.writes: '> 0'\n");
        for command in ["run", "compare"] {
            let o = replisim(&dir, &[command, "tiny.yaml"]);
            let err = assert_error(&o);
            assert!(
                err.starts_with(
                    "error: tiny.yaml:33:3: expect.regions.mars-1.writes: unknown region 'mars-1'"
                ),
                "{err}"
            );
            assert!(!dir.join("output").exists());
        }
        fs::remove_dir_all(&dir).unwrap();
    }

    /// The first data row of a CSV file as (column, cell) pairs.
    fn first_row(path: &Path) -> Vec<(String, String)> {
        let text = fs::read_to_string(path).unwrap();
        let mut lines = text.lines();
        let head = lines.next().unwrap().split(',');
        let row = lines.next().unwrap().split(',');
        head.zip(row)
            .map(|(h, c)| (h.to_string(), c.to_string()))
            .collect()
    }

    const TEXT_COLUMNS: &[&str] = &["scenario", "mode", "timestamps", "ordering"];

    /// Every numeric column of `summary.csv`, `regions.csv` and
    /// `links.csv` as a run writes them can be named in `expect:` (under a
    /// mode that produces it), and no text column can.
    #[test]
    fn every_result_column_is_nameable() {
        let dir = scratch("expect-every-column");
        write_tiny(&dir, "");
        let o = replisim(&dir, &["run", "tiny.yaml", "--no-charts"]);
        assert_eq!(code(&o), 0, "{}", stderr(&o));
        let out = dir.join("output/tiny");
        let names = |file: &str, prefix: &str| -> Vec<String> {
            first_row(&out.join(file))
                .into_iter()
                .filter(|(c, _)| !["region", "from", "to"].contains(&c.as_str()))
                .map(|(c, _)| format!("{prefix}{c}"))
                .collect()
        };
        let mut all = names("summary.csv", "");
        all.extend(names("regions.csv", "regions.eu-west-1."));
        all.extend(names("links.csv", "links.us-east-1>eu-west-1."));
        assert!(all.len() > 40, "{all:?}");
        for name in all {
            let accepted = ["active_active", "single_primary", "strong"]
                .iter()
                .filter(|mode| {
                    let text = format!("{TINY}expect:\n  {mode}:\n    {name}: '>= 0'\n");
                    replisim::scenario::load_str(&text, "tiny.yaml", &[]).is_ok()
                })
                .count();
            if TEXT_COLUMNS.contains(&name.as_str()) {
                assert_eq!(accepted, 0, "{name} is text");
            } else {
                assert!(accepted > 0, "{name} cannot be named in expect:");
            }
        }
        fs::remove_dir_all(&dir).unwrap();
    }

    /// An expectation reads the very figure the CSV cell shows: every
    /// numeric summary column of an active-active run, bounded by its cell
    /// (rounded to the CSV's decimals) from below and from above, holds.
    #[test]
    fn expectations_read_the_csv_figures() {
        let dir = scratch("expect-csv-figures");
        write_tiny(&dir, "");
        let o = replisim(&dir, &["run", "tiny.yaml", "--no-charts"]);
        assert_eq!(code(&o), 0, "{}", stderr(&o));
        let row = first_row(&dir.join("output/tiny/summary.csv"));
        let mut numeric = 0;
        for (op, sign) in [(">=", -1.0), ("<=", 1.0)] {
            let mut expect = String::from("expect:\n");
            for (column, cell) in &row {
                let value = match cell.as_str() {
                    "true" => 1.0,
                    "false" => 0.0,
                    c => match c.parse::<f64>() {
                        Ok(v) => v,
                        Err(_) => continue,
                    },
                };
                if TEXT_COLUMNS.contains(&column.as_str()) || column == "seed" {
                    continue;
                }
                // A mode's own figures are refused at the top of an
                // active-active scenario; they are 0 here anyway.
                let probe = format!("{TINY}expect:\n  {column}: '>= 0'\n");
                if replisim::scenario::load_str(&probe, "t", &[]).is_err() {
                    continue;
                }
                let bound = value + sign * 0.0006;
                expect.push_str(&format!("  {column}: '{op} {bound}'\n"));
            }
            fs::write(dir.join("tiny.yaml"), format!("{TINY}{expect}")).unwrap();
            let o = replisim(&dir, &["run", "tiny.yaml", "--no-charts"]);
            let text = stdout(&o);
            assert_eq!(code(&o), 0, "{expect}\n{text}");
            numeric = text
                .lines()
                .filter(|l| l.ends_with(')') && l.contains(": ok ("))
                .count();
            assert_eq!(numeric, expect.lines().count() - 1, "{text}");
        }
        assert!(numeric > 20, "{numeric}");
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn failed_expectation_exits_1_and_still_writes() {
        let dir = scratch("expect-fail");
        write_tiny(&dir, "expect:\n  writes: '< 1'\n");
        let o = replisim(&dir, &["run", "tiny.yaml", "--no-charts"]);
        assert_eq!(code(&o), 1, "{}\n{}", stdout(&o), stderr(&o));
        assert!(stdout(&o).contains("FAILED"), "{}", stdout(&o));
        assert!(dir.join("output/tiny/summary.csv").is_file());
        fs::remove_dir_all(&dir).unwrap();
    }
}

mod bad_input {
    use super::*;

    #[test]
    fn seed_that_is_not_a_number() {
        let dir = scratch("bad-seed");
        write_tiny(&dir, "");
        let o = replisim(&dir, &["run", "tiny.yaml", "--seed", "seven"]);
        let err = assert_error(&o);
        assert!(err.contains("--seed") && err.contains("seven"), "{err}");
        assert!(!dir.join("output").exists());
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn missing_file() {
        let dir = scratch("missing");
        let o = replisim(&dir, &["run", "nope.yaml"]);
        let err = assert_error(&o);
        assert!(err.contains("nope.yaml"), "{err}");
        assert!(!dir.join("output").exists());
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn unknown_bundled_name() {
        let dir = scratch("unknown-name");
        let o = replisim(&dir, &["run", "no-such-scenario"]);
        let err = assert_error(&o);
        assert!(err.contains("no-such-scenario"), "{err}");
        assert!(err.contains("bundled"), "{err}");
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn not_yaml() {
        let dir = scratch("not-yaml");
        fs::write(dir.join("bad.yaml"), "name: [unclosed\n").unwrap();
        let o = replisim(&dir, &["run", "bad.yaml"]);
        let err = assert_error(&o);
        assert!(err.contains("bad.yaml"), "{err}");
        assert!(!dir.join("output").exists());
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn output_path_that_is_a_file() {
        let dir = scratch("out-file");
        write_tiny(&dir, "");
        fs::write(dir.join("taken"), "precious").unwrap();
        let o = replisim(&dir, &["run", "tiny.yaml", "--out", "taken"]);
        let err = assert_error(&o);
        assert!(err.contains("taken"), "{err}");
        assert_eq!(fs::read_to_string(dir.join("taken")).unwrap(), "precious");
        assert_eq!(
            names(&dir),
            vec!["taken", "tiny.yaml"],
            "temp folder left behind"
        );
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn output_folder_of_other_files_is_not_replaced() {
        let dir = scratch("out-foreign");
        write_tiny(&dir, "");
        fs::create_dir(dir.join("mine")).unwrap();
        fs::write(dir.join("mine/notes.txt"), "keep").unwrap();
        let o = replisim(&dir, &["run", "tiny.yaml", "--out", "mine"]);
        assert_error(&o);
        assert_eq!(names(&dir.join("mine")), vec!["notes.txt"]);
        assert_eq!(names(&dir), vec!["mine", "tiny.yaml"]);
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn refused_run_leaves_no_folder() {
        let dir = scratch("max-events");
        write_tiny(&dir, "");
        let o = replisim(&dir, &["run", "tiny.yaml", "--max-events", "10"]);
        let err = assert_error(&o);
        assert!(err.contains("--max-events"), "{err}");
        assert_eq!(names(&dir), vec!["tiny.yaml"], "a folder was left behind");
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn previous_results_survive_a_failed_run() {
        let dir = scratch("keep-previous");
        write_tiny(&dir, "");
        let o = replisim(
            &dir,
            &["run", "tiny.yaml", "--quiet", "--no-charts", "--out", "r"],
        );
        assert_eq!(code(&o), 0, "{}", stderr(&o));
        let before = fs::read(dir.join("r/summary.csv")).unwrap();
        let o = replisim(
            &dir,
            &["run", "tiny.yaml", "--out", "r", "--max-events", "10"],
        );
        assert_error(&o);
        assert_eq!(fs::read(dir.join("r/summary.csv")).unwrap(), before);
        assert_eq!(names(&dir), vec!["r", "tiny.yaml"]);
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn unknown_flag_is_one_line() {
        let dir = scratch("flag");
        let o = replisim(&dir, &["run", "x.yaml", "--frobnicate"]);
        assert_error(&o);
        fs::remove_dir_all(&dir).unwrap();
    }
}

mod validate {
    use super::*;

    #[test]
    fn ok_and_errors() {
        let dir = scratch("validate");
        write_tiny(&dir, "");
        let o = replisim(&dir, &["validate", "tiny.yaml"]);
        assert_eq!(code(&o), 0, "{}", stderr(&o));
        assert_eq!(stdout(&o), "ok tiny.yaml\n");

        fs::write(
            dir.join("bad.yaml"),
            TINY.replace("keys: 20", "keys: 20\n    colour: red"),
        )
        .unwrap();
        let o = replisim(&dir, &["validate", "tiny.yaml", "bad.yaml", "gone.yaml"]);
        assert_eq!(code(&o), 2);
        assert_eq!(stdout(&o), "ok tiny.yaml\n");
        let err = stderr(&o);
        let lines: Vec<&str> = err.lines().collect();
        assert_eq!(lines.len(), 2, "{err}");
        assert!(
            lines[0].starts_with("error: ") && lines[0].contains("bad.yaml"),
            "{err}"
        );
        assert!(lines[0].contains("colour"), "{err}");
        assert!(
            lines[1].starts_with("error: ") && lines[1].contains("gone.yaml"),
            "{err}"
        );
        assert!(!dir.join("output").exists(), "validate wrote output");
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn every_bundled_scenario_is_valid() {
        let dir = scratch("validate-bundled");
        let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
        let Ok(entries) = fs::read_dir(&repo) else {
            return;
        };
        let mut stems: Vec<String> = entries
            .filter_map(|e| e.ok())
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
            .map(|p| p.file_stem().unwrap().to_string_lossy().into_owned())
            .collect();
        stems.sort();
        if stems.is_empty() {
            return;
        }
        // By bundled name, from a folder without the files.
        let mut args = vec!["validate"];
        args.extend(stems.iter().map(String::as_str));
        let o = replisim(&dir, &args);
        assert_eq!(code(&o), 0, "{}", stderr(&o));
        assert_eq!(stdout(&o).lines().count(), stems.len());
        fs::remove_dir_all(&dir).unwrap();
    }
}

mod list {
    use super::*;

    #[test]
    fn lists_every_bundled_scenario() {
        let dir = scratch("list");
        let o = replisim(&dir, &["list"]);
        assert_eq!(code(&o), 0, "{}", stderr(&o));
        let text = stdout(&o);
        let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
        if let Ok(entries) = fs::read_dir(repo) {
            for e in entries.filter_map(|e| e.ok()) {
                let p = e.path();
                if p.extension().is_some_and(|x| x == "yaml") {
                    let stem = p.file_stem().unwrap().to_string_lossy().into_owned();
                    assert!(
                        text.lines()
                            .any(|l| l.split_whitespace().next() == Some(&stem)),
                        "{stem} not listed:\n{text}"
                    );
                }
            }
        }
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn help_exits_0() {
        let dir = scratch("help");
        let o = replisim(&dir, &["--help"]);
        assert_eq!(code(&o), 0);
        for cmd in ["run", "validate", "list", "bench"] {
            assert!(stdout(&o).contains(cmd), "{cmd} missing from help");
        }
        fs::remove_dir_all(&dir).unwrap();
    }
}
