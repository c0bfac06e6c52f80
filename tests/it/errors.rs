//! Bad input through the command line, with the exact message each must
//! give (exit code 2, one `error:` line, nothing written), and the inputs
//! the fuzzer found, replayed: each must load to a scenario or an error,
//! and a scenario must run to results or an error, never a panic.
//!
//! The loader's own messages are tested file by file in
//! `scenario_errors.rs`; here are the ones only the CLI gives
//! (`--seed`, `--out`, `--max-events`, `--set`) and the loader's seen
//! through the binary.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use replisim::model::{self, RunOptions};
use replisim::scenario;

use crate::common::{names, replisim, scratch_dir, SMALL};

/// A fresh scratch folder holding `small.yaml`.
fn scratch(test: &str) -> PathBuf {
    let dir = scratch_dir("errors", test);
    fs::write(dir.join("small.yaml"), SMALL).unwrap();
    dir
}

/// Runs `args` in a scratch folder; asserts exit code 2, exactly `want`
/// as the one stderr line, and that nothing was written beside `before`.
fn assert_exact(test: &str, args: &[&str], setup: &dyn Fn(&Path), want: &str) {
    let dir = scratch(test);
    setup(&dir);
    let before = names(&dir);
    let o = replisim(&dir, args);
    let err = String::from_utf8_lossy(&o.stderr).into_owned();
    assert_eq!(o.status.code(), Some(2), "{args:?}: stderr {err}");
    assert_eq!(err, format!("error: {want}\n"), "{args:?}");
    assert_eq!(names(&dir), before, "{args:?} left files behind");
    fs::remove_dir_all(&dir).unwrap();
}

fn nothing(_: &Path) {}

#[test]
fn seed_that_is_not_a_number() {
    assert_exact(
        "seed-word",
        &["run", "small.yaml", "--seed", "seven"],
        &nothing,
        "invalid value 'seven' for '--seed <N>': not a whole number from 0 to 18446744073709551615; see 'replisim --help'",
    );
    assert_exact(
        "seed-negative",
        &["run", "small.yaml", "--seed=-1"],
        &nothing,
        "invalid value '-1' for '--seed <N>': not a whole number from 0 to 18446744073709551615; see 'replisim --help'",
    );
    assert_exact(
        "seed-too-large",
        &["run", "small.yaml", "--seed", "18446744073709551616"],
        &nothing,
        "invalid value '18446744073709551616' for '--seed <N>': not a whole number from 0 to 18446744073709551615; see 'replisim --help'",
    );
}

#[test]
fn max_events_that_is_not_a_number() {
    assert_exact(
        "max-events-word",
        &["run", "small.yaml", "--max-events", "lots"],
        &nothing,
        "invalid value 'lots' for '--max-events <N>': not a whole number from 1 to 1000000000000; see 'replisim --help'",
    );
}

/// The event queue numbers events in 44 bits; the limit keeps every run
/// far inside that.
#[test]
fn max_events_above_what_the_queue_can_number() {
    assert_exact(
        "max-events-huge",
        &["run", "small.yaml", "--max-events", "1000000000001"],
        &nothing,
        "invalid value '1000000000001' for '--max-events <N>': not a whole number from 1 to 1000000000000; see 'replisim --help'",
    );
}

#[test]
fn output_path_that_is_a_file() {
    assert_exact(
        "out-file",
        &["run", "small.yaml", "--out", "taken"],
        &|d| fs::write(d.join("taken"), "precious").unwrap(),
        "taken: output path exists and is not a folder; remove it or choose another --out",
    );
}

#[test]
fn output_path_that_cannot_be_written() {
    // Under a file: no folder can be made there, whoever runs the test.
    assert_exact(
        "out-under-file",
        &["run", "small.yaml", "--out", "taken/results"],
        &|d| fs::write(d.join("taken"), "precious").unwrap(),
        "taken/results: cannot create its parent folder taken: already exists",
    );
    assert_exact(
        "out-dot",
        &["run", "small.yaml", "--out", ".."],
        &nothing,
        "..: cannot be an output folder; give a folder name such as output/run1",
    );
}

#[test]
fn output_folder_of_other_files() {
    assert_exact(
        "out-foreign",
        &["run", "small.yaml", "--out", "mine"],
        &|d| {
            fs::create_dir(d.join("mine")).unwrap();
            fs::write(d.join("mine/notes.txt"), "keep").unwrap();
        },
        "mine: folder holds 'notes.txt' and has no .replisim marker, so it is not a replisim result; refusing to replace it; choose another --out or remove it",
    );
}

#[test]
fn too_many_events_is_refused_with_the_estimate() {
    // 2 regions × 50 operations/s × 2 s, each write also delivered once:
    // 200 operations + 100 deliveries.
    assert_exact(
        "max-events",
        &["run", "small.yaml", "--max-events", "299"],
        &nothing,
        "small: about 3.000e2 events expected, more than the limit of 299; shorten the duration, lower the rates, or raise the limit with --max-events",
    );
    assert_exact(
        "max-events-default",
        &["run", "small.yaml", "--set", "duration=1000h", "--set", "workload.0.rate=100000/s"],
        &nothing,
        "small: about 1.080e12 events expected, more than the limit of 1000000000; shorten the duration, lower the rates, or raise the limit with --max-events",
    );
}

#[test]
fn too_much_memory_is_refused_up_front() {
    // 4e9 keys × (a 48-byte version + a 64-byte row: two 16-byte cells,
    // the latest-write marker and padding + an 8-byte last arrival on each
    // of the 2 streams, for per-item order) is 5.12e11 bytes, 476.8 GiB;
    // 50 writes/s over the 1 s floor of replication delay are in flight;
    // the run spans 2 s + 600 s of drain: 603 buckets.
    assert_exact(
        "memory",
        &["run", "small.yaml", "--set", "tables.items.keys=4000000000"],
        &nothing,
        "small: needs about 596.0 GiB of memory (596.0 for 4000000000 keys in 2 regions, 0.0 for 5.000e1 writes in flight while links are down, 0.0 for the trace, 0.0 for 603 time buckets), more than the 8 GiB allowed; use fewer keys or regions, lower rates, shorter faults, no --trace or a wider output.bucket",
    );
}

/// Events carry their own type, so no packed field limits how many
/// client sources a run has: 70,000 (35,000 entries in two regions, more
/// than the 2^16 a 16-bit source field could tell apart) run, and every
/// one of their operations is counted.
#[test]
fn tens_of_thousands_of_clients_run() {
    use crate::common::{base, clients, run, S};
    let mut s = base(2, 35_000_000, 20, 2 * S);
    s.workload = vec![clients(&[0, 1], 1.0, 1.0); 35_000];
    let m = run(&s).result.summary;
    // Poisson at 1/s for 2 s from 70,000 sources: 140,000 writes, give or
    // take a few standard deviations (sqrt(140,000) = 374).
    assert!(
        (m.writes as f64 - 140_000.0).abs() < 2_000.0,
        "{}",
        m.writes
    );
    assert!(m.converged);
}

#[test]
fn set_with_a_bad_path_or_value() {
    assert_exact(
        "set-path",
        &["run", "small.yaml", "--set", "replication.timestamp=hlc"],
        &nothing,
        "small.yaml: --set replication.timestamp=hlc: replication.timestamp: unknown field 'timestamp'; did you mean 'timestamps'? fields here are preset, mode, timestamps, ordering, pipeline, throughput, primary, secondary_writes, failover, witness",
    );
    assert_exact(
        "set-missing-item",
        &["run", "small.yaml", "--set", "regions.eu-west-9.clock.offset=1ms"],
        &nothing,
        "small.yaml: --set regions.eu-west-9.clock.offset=1ms: no item 'eu-west-9' in 'regions'; 'regions' has 2 items: indices 0 to 1, names us-east-1, eu-west-1",
    );
    assert_exact(
        "set-type",
        &["run", "small.yaml", "--set", "tables.0.keys=many"],
        &nothing,
        "small.yaml: --set tables.0.keys=many: tables[0].keys: expected a whole number of keys from 1 to 4294967294, found 'many'",
    );
    assert_exact(
        "set-value",
        &["validate", "small.yaml", "--set", "workload.0.writes=1.5"],
        &nothing,
        "small.yaml: --set workload.0.writes=1.5: workload[0].writes: 1.5 is outside 0..1; a probability is from 0 to 1",
    );
    assert_exact(
        "set-no-equals",
        &["run", "small.yaml", "--set", "duration"],
        &nothing,
        "small.yaml: --set duration: no '='; write path=value, such as replication.timestamps=hlc or workload.0.rate=50/s",
    );
}

#[test]
fn files_that_are_not_scenarios() {
    assert_exact(
        "missing",
        &["run", "nope.yaml"],
        &nothing,
        "nope.yaml: cannot read the scenario file: No such file or directory (os error 2)",
    );
    assert_exact(
        "directory",
        &["run", "folder.yaml"],
        &|d| fs::create_dir(d.join("folder.yaml")).unwrap(),
        "folder.yaml: cannot read the scenario file: Is a directory (os error 21)",
    );
    assert_exact(
        "empty",
        &["validate", "empty.yaml"],
        &|d| fs::write(d.join("empty.yaml"), "").unwrap(),
        "empty.yaml: empty file; a scenario is a mapping with at least name, duration, regions, tables and workload",
    );
    assert_exact(
        "list",
        &["run", "list.yaml"],
        &|d| fs::write(d.join("list.yaml"), "- a\n- b\n").unwrap(),
        "list.yaml:1:1: the file holds a list, not a scenario; a scenario is a mapping of fields: name, description, seed, duration, drain_limit, regions, network, replication, tables, workload, script, faults, output, expect",
    );
}

/// SIGINT, SIGTERM or SIGHUP during a run: exit code 128 + the signal, one
/// clear line, no folder (and no temporary folder) left behind, and
/// earlier results kept as they were.
#[cfg(unix)]
#[test]
fn interrupted_run_writes_nothing() {
    let dir = scratch("interrupted");
    // Earlier results that must survive.
    let o = replisim(
        &dir,
        &["run", "small.yaml", "--quiet", "--no-charts", "--out", "r"],
    );
    assert_eq!(o.status.code(), Some(0));
    let before = fs::read(dir.join("r/summary.csv")).unwrap();
    // About 80 million operations: far longer than the second we wait.
    let long = SMALL
        .replace("duration: 2s", "duration: 2000s")
        .replace("rate: 50/s", "rate: 20000/s");
    fs::write(dir.join("long.yaml"), long).unwrap();
    for (out, signal, exit) in [
        ("r", "INT", 130),
        ("fresh", "INT", 130),
        ("r", "TERM", 143),
        ("fresh", "TERM", 143),
        ("r", "HUP", 129),
        ("fresh", "HUP", 129),
    ] {
        let child = Command::new(env!("CARGO_BIN_EXE_replisim"))
            .args(["run", "long.yaml", "--quiet", "--out", out])
            .current_dir(&dir)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("start replisim");
        std::thread::sleep(std::time::Duration::from_secs(1));
        let kill = Command::new("kill")
            .args([&format!("-{signal}"), &child.id().to_string()])
            .status()
            .expect("kill");
        assert!(kill.success());
        let o = child.wait_with_output().unwrap();
        assert_eq!(o.status.code(), Some(exit), "{out} {signal}");
        assert_eq!(
            String::from_utf8_lossy(&o.stderr),
            format!("error: interrupted by SIG{signal}; no results written; any previous results are unchanged\n")
        );
    }
    assert_eq!(fs::read(dir.join("r/summary.csv")).unwrap(), before);
    assert_eq!(names(&dir), vec!["long.yaml", "r", "small.yaml"]);
    fs::remove_dir_all(&dir).unwrap();
}

/// Every input the fuzzer found (tests/fuzz_regressions/), replayed: it
/// loads to a scenario or an error, and a scenario runs (with a small
/// event cap, as in the fuzzer) to results or an error.
#[test]
fn fuzz_regressions_replay() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz_regressions");
    let Ok(entries) = fs::read_dir(&dir) else {
        return;
    };
    let mut files: Vec<PathBuf> = entries
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.is_file() && p.extension().is_none_or(|x| x != "md"))
        .collect();
    files.sort();
    for path in files {
        let bytes = fs::read(&path).unwrap();
        let Ok(text) = String::from_utf8(bytes) else {
            continue;
        };
        let mut parts = text.split('\u{1}');
        let body = parts.next().unwrap_or("");
        let sets: Vec<String> = parts.map(str::to_string).collect();
        let name = path.display().to_string();
        let outcome = std::panic::catch_unwind(|| {
            if let Ok(s) = scenario::load_str(body, "fuzz.yaml", &sets) {
                let back = scenario::load_str(&scenario::to_yaml(&s), "rendered.yaml", &[]);
                assert!(back.as_ref() == Ok(&s), "to_yaml does not round-trip");
                let options = RunOptions {
                    trace: false,
                    max_events: Some(200_000),
                };
                let _ = model::run(&s, &options, &mut |_| true);
            }
        });
        assert!(outcome.is_ok(), "{name} panics");
    }
}
