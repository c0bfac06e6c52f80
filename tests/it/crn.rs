//! Common random numbers: variants of a scenario that change only the
//! network, the faults, the clocks or the timestamp policy send exactly the
//! same client operations, so their figures differ only by what changed.

use crate::common::*;
use replisim::scenario::*;

fn workload_scenario() -> Scenario {
    let mut s = base(3, 40 * MS, 50, 20 * S);
    s.replication.timestamps = Timestamps::Wall;
    s.replication.pipeline = Latency::Normal {
        mean: 200 * MS,
        stddev: 20 * MS,
    };
    s.tables.push(Table {
        name: "c".into(),
        kind: TableKind::Counter,
        keys: 10,
    });
    let mut counters = clients(&[0, 2], 15.0, 0.7);
    counters.table = 1;
    counters.access = Access::Zipf(1.2);
    let mut items = clients(&[0, 1, 2], 20.0, 0.5);
    items.arrival = Arrival::Constant;
    items.home_affinity = 0.6;
    s.workload = vec![counters, items];
    s
}

/// One write as the trace shows it: id, table, key, region, issue time, kind.
type WriteOp = (u64, String, u64, String, u64, &'static str);

/// The operations as the writes trace shows them (who, when, what), and
/// the number of reads.
fn operations(s: &Scenario) -> (Vec<WriteOp>, u64) {
    let out = run_traced(s);
    let writes = out
        .trace
        .unwrap()
        .writes
        .into_iter()
        .map(|w| (w.write_id, w.table, w.key, w.region, w.issue_ns, w.kind))
        .collect();
    (writes, out.result.summary.reads)
}

#[test]
fn variants_send_identical_operations() {
    let s = workload_scenario();
    let reference = operations(&s);
    assert!(reference.0.len() > 500, "the workload writes");

    let mut network = s.clone();
    for (a, row) in network.links.iter_mut().enumerate() {
        for (b, l) in row.iter_mut().enumerate() {
            if a != b {
                *l = Latency::LogNormal {
                    median: 90 * MS,
                    p99: 400 * MS,
                };
            }
        }
    }
    network.replication.pipeline = Latency::Exponential { mean: 500 * MS };
    network.replication.throughput_per_s = Some(50.0);

    let mut faults = s.clone();
    faults.faults = vec![partition(0, 1, 3 * S, 5 * S), isolate(2, 10 * S, 2 * S)];

    let mut clocks = s.clone();
    clocks.regions[1].clock = Clock {
        offset_ns: -300 * MS as i64,
        drift_ppm: 50.0,
    };
    clocks.faults = vec![clock_step(2, 7 * S, 2 * S as i64)];

    let mut hlc = clocks.clone();
    hlc.replication.timestamps = Timestamps::Hlc;

    for (name, variant) in [
        ("network", network),
        ("faults", faults),
        ("clocks", clocks),
        ("hlc", hlc),
    ] {
        let ops = operations(&variant);
        assert_eq!(ops.1, reference.1, "{name}: same number of reads");
        assert_eq!(ops.0, reference.0, "{name}: same writes at the same times");
    }

    // A different seed is a different workload.
    let mut other = s.clone();
    other.seed = 2;
    assert_ne!(operations(&other).0, reference.0);
}

/// The same scenario and seed give the same results and trace, twice.
#[test]
fn same_seed_same_results() {
    let s = workload_scenario();
    let a = run_traced(&s);
    let b = run_traced(&s);
    assert_eq!(a.result, b.result);
    assert_eq!(a.trace, b.trace);
}
