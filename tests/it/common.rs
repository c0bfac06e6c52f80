//! Scenarios built in code, so model tests do not depend on the YAML loader,
//! and the scratch folders and binary runs the command-line tests share.

use replisim::model::{self, RunOptions, RunOutput};
use replisim::scenario::*;
use replisim::sim::time::{NS_PER_MS, NS_PER_S};

pub const MS: u64 = NS_PER_MS;
pub const S: u64 = NS_PER_S;

/// Two regions, one table, a short run: the YAML the command-line tests
/// start from.
pub const SMALL: &str = "\
name: small
seed: 3
duration: 2s
regions:
  - name: us-east-1
  - name: eu-west-1
network:
  default: 35ms
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

/// `n` regions named r0, r1, ... with perfect clocks, every link a constant
/// `delay_ns`, no pipeline delay, one item table of `keys` keys, and no
/// workload yet.
pub fn base(n: usize, delay_ns: u64, keys: u32, duration_ns: u64) -> Scenario {
    Scenario {
        name: "test".into(),
        description: String::new(),
        seed: 1,
        duration_ns,
        drain_limit_ns: 600 * S,
        regions: (0..n)
            .map(|i| Region {
                name: format!("r{i}"),
                clock: Clock::default(),
            })
            .collect(),
        links: (0..n)
            .map(|a| {
                (0..n)
                    .map(|b| Latency::Constant(if a == b { 0 } else { delay_ns }))
                    .collect()
            })
            .collect(),
        link_varies_over_ns: vec![],
        replication: Replication {
            mode: Mode::ActiveActive,
            timestamps: Timestamps::TrueTime,
            ordering: Ordering::Item,
            pipeline: Latency::Constant(0),
            pipeline_varies_over_ns: None,
            throughput_per_s: None,
        },
        tables: vec![Table {
            name: "t".into(),
            kind: TableKind::Item,
            keys,
        }],
        workload: vec![],
        script: vec![],
        faults: vec![],
        bucket_ns: S,
        expect: vec![],
    }
}

/// A workload entry in the given regions on table 0.
pub fn clients(regions: &[usize], rate_per_s: f64, writes: f64) -> WorkloadEntry {
    WorkloadEntry {
        regions: regions.to_vec(),
        table: 0,
        rate_per_s,
        arrival: Arrival::Poisson,
        write_fraction: writes,
        access: Access::Uniform,
        home_affinity: 0.0,
    }
}

pub fn run(s: &Scenario) -> RunOutput {
    model::run(s, &RunOptions::default(), &mut |_| true).expect("scenario runs")
}

pub fn run_traced(s: &Scenario) -> RunOutput {
    let opts = RunOptions {
        trace: true,
        max_events: None,
    };
    model::run(s, &opts, &mut |_| true).expect("scenario runs")
}

/// A scripted operation at `at_ms` milliseconds.
pub fn op(at_ms: u64, region: usize, key: u32, is_write: bool) -> ScriptedOp {
    ScriptedOp {
        at: replisim::sim::time::Time(at_ms * MS),
        region,
        table: 0,
        key,
        is_write,
    }
}

/// A partition of `a` ↔ `b` (both directions) from `at` for `length` ns.
pub fn partition(a: usize, b: usize, at: u64, length: u64) -> Fault {
    Fault {
        kind: FaultKind::Partition {
            links: vec![(a, b), (b, a)],
        },
        at: replisim::sim::time::Time(at),
        length_ns: Some(length),
    }
}

/// `region` cut off from every other region from `at` for `length` ns.
pub fn isolate(region: usize, at: u64, length: u64) -> Fault {
    Fault {
        kind: FaultKind::Isolate { region },
        at: replisim::sim::time::Time(at),
        length_ns: Some(length),
    }
}

/// `region` fails at `at` for good; its clients fail.
pub fn outage_forever(region: usize, at: u64) -> Fault {
    Fault {
        kind: FaultKind::Outage {
            region,
            clients: OutageClients::Fail,
        },
        at: replisim::sim::time::Time(at),
        length_ns: None,
    }
}

/// `region`'s clock jumps by `by_ns` at `at`.
pub fn clock_step(region: usize, at: u64, by_ns: i64) -> Fault {
    Fault {
        kind: FaultKind::ClockStep { region, by_ns },
        at: replisim::sim::time::Time(at),
        length_ns: None,
    }
}

/// A fresh, empty scratch folder for one test (`kind` keeps test modules apart).
pub fn scratch_dir(kind: &str, test: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("replisim-{kind}-{}-{test}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Run the built binary in `dir` with `args`.
pub fn replisim(dir: &std::path::Path, args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_replisim"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run replisim")
}

/// The names in a folder, sorted.
pub fn names(dir: &std::path::Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

/// Every file under `dir`, by relative path, with its bytes.
pub fn tree(dir: &std::path::Path) -> Vec<(String, Vec<u8>)> {
    fn walk(base: &std::path::Path, dir: &std::path::Path, out: &mut Vec<(String, Vec<u8>)>) {
        let mut entries: Vec<_> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        entries.sort();
        for p in entries {
            if p.is_dir() {
                walk(base, &p, out);
            } else {
                let rel = p.strip_prefix(base).unwrap().display().to_string();
                out.push((rel, std::fs::read(&p).unwrap()));
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out);
    out
}
