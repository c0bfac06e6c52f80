//! `compare`: every mode runs the same client operations, and the command
//! writes one row per mode (or a note saying why a mode could not run).

use crate::common::*;
use replisim::metrics::result::RunResult;
use replisim::model::modes;
use replisim::report::compare::{compare_csv, table_text, CompareRow};
use replisim::scenario::*;

fn workload() -> Scenario {
    let mut s = base(3, 40 * MS, 100_000, 20 * S);
    s.replication.timestamps = Timestamps::Wall;
    s.replication.pipeline = Latency::LogNormal {
        median: 200 * MS,
        p99: 600 * MS,
    };
    s.links[0][2] = Latency::Normal {
        mean: 90 * MS,
        stddev: 5 * MS,
    };
    s.tables.push(Table {
        name: "c".into(),
        kind: TableKind::Counter,
        keys: 50_000,
    });
    let mut counters = clients(&[0, 2], 15.0, 0.6);
    counters.table = 1;
    let mut items = clients(&[0, 1, 2], 25.0, 0.4);
    items.arrival = Arrival::Constant;
    items.home_affinity = 0.7;
    s.workload = vec![counters, items];
    s
}

/// A write as a client sent it: issue time, region, table, key, kind.
type Issued = (u64, String, String, u64, &'static str);

/// The writes every mode issued, as (issue time, region, table, key, kind),
/// sorted (ids differ: a forwarded write gets its id when the primary
/// applies it), and the number of reads.
fn operations(s: &Scenario) -> (Vec<Issued>, u64) {
    let out = run_traced(s);
    let m = &out.result.summary.mode_extras;
    // Nothing refused, so the trace holds every write a client sent.
    assert_eq!(
        (
            m.rejected_writes,
            m.write_conflict_errors,
            m.unavailable_writes
        ),
        (0, 0, 0),
        "{}",
        s.replication.mode.name()
    );
    let mut w: Vec<_> = out
        .trace
        .unwrap()
        .writes
        .into_iter()
        .map(|w| (w.issue_ns, w.region, w.table, w.key, w.kind))
        .collect();
    w.sort();
    (w, out.result.summary.reads)
}

#[test]
fn every_mode_sends_the_same_operations() {
    let s = workload();
    let reference = operations(&modes::for_mode(&s, "active_active").unwrap());
    assert!(reference.0.len() > 800);
    for mode in ["single_primary", "strong"] {
        let v = modes::for_mode(&s, mode).unwrap();
        assert_eq!(v.replication.mode.name(), mode);
        assert!(operations(&v) == reference, "{mode} sends other operations");
    }
}

/// Four regions: strong mode cannot run, and its row says why; the others
/// have their figures and a write latency per region.
#[test]
fn a_mode_that_cannot_run_is_a_row_with_a_note() {
    let mut s = base(4, 30 * MS, 100, 5 * S);
    s.workload = vec![clients(&[0, 1, 2, 3], 10.0, 0.5)];
    let mut runs: Vec<(&str, Option<Scenario>, Option<RunResult>, String)> = Vec::new();
    for mode in modes::MODE_NAMES {
        match modes::for_mode(&s, mode) {
            Ok(v) => {
                let r = run(&v).result;
                runs.push((mode, Some(v), Some(r), String::new()));
            }
            Err(note) => runs.push((mode, None, None, note)),
        }
    }
    let rows: Vec<CompareRow> = runs
        .iter()
        .map(|(mode, v, r, note)| CompareRow {
            mode,
            scenario: v.as_ref(),
            result: r.as_ref(),
            note,
        })
        .collect();
    let text = String::from_utf8(compare_csv(&s, &rows).unwrap()).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 4);
    let header: Vec<&str> = lines[0].split(',').collect();
    assert!(lines[0]
        .starts_with("scenario,seed,mode,timestamps,ordering,duration_s,writes,reads,lost_writes"));
    assert!(header.contains(&"write_latency_p99_ms.r3") && header.contains(&"rpo_lost_writes"));
    assert_eq!(*header.last().unwrap(), "note");
    assert!(lines[1].starts_with("test,1,active_active,"));
    assert!(lines[2].starts_with("test,1,single_primary,"));
    assert!(lines[3].starts_with("test,1,strong,,"));
    assert!(lines[3].ends_with(",strong mode needs exactly 3 regions; this scenario has 4"));
    assert!(lines.iter().all(|l| l.split(',').count() == header.len()));
    // Single-primary: r1..r3 forward to r0 (30 ms each way).
    let sp = runs[1].2.as_ref().unwrap();
    assert_eq!(sp.regions[1].write_latency_p50_ms, 60.0);
    let table = table_text(&s, &rows);
    assert!(table.contains("strong: not run: strong mode needs exactly 3 regions"));
    assert!(table.contains("r0 only; others forward"));
}

/// The command end to end: compare.csv and one folder per mode.
#[test]
fn compare_command_writes_one_folder_per_mode() {
    let dir = std::env::temp_dir().join(format!("replisim-compare-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let out = dir.join("cmp");
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/scenarios/forwarding-latency.yaml"
    );
    for _ in 0..2 {
        // The second time replaces the first folder.
        let code = replisim::cli::main_with([
            "replisim",
            "compare",
            path,
            "--out",
            out.to_str().unwrap(),
            "--no-charts",
            "-q",
            "--set",
            "duration=10s",
        ]);
        assert_eq!(code, 0);
    }
    let csv = std::fs::read_to_string(out.join("compare.csv")).unwrap();
    assert_eq!(csv.lines().count(), 4);
    for mode in modes::MODE_NAMES {
        assert!(out.join(mode).join("summary.csv").is_file(), "{mode}");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}
