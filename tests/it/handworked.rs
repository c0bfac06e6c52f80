//! Tiny scenarios worked out by hand, write by write. Each test states the
//! story; the expected figures follow from it, not from running the code.

use crate::common::*;
use replisim::scenario::{Fault, FaultKind, TableKind};
use replisim::sim::time::Time;

/// r0 and r1, 100 ms apart, perfect clocks.
/// - 10 ms: r0 writes w1 on k0 (parent: the initial version).
/// - 50 ms: r1 writes w2 on k0; it has not seen w1 (due at 110 ms), so its
///   parent is also the initial version: one conflict.
/// - 60 ms: r0 reads k0 and gets w1, but the latest write is w2 (50 ms):
///   stale by 10 ms.
/// - 110 ms: w1 reaches r1 and loses to w2 (timestamp 50 > 10): dropped.
/// - 120 ms: r1 reads w2, the latest: fresh.
/// - 150 ms: w2 reaches r0 and wins. Final everywhere: w2. w1 is lost.
#[test]
fn concurrent_writes_last_writer_wins() {
    let mut s = base(2, 100 * MS, 1, S);
    s.script = vec![
        op(10, 0, 0, true),
        op(50, 1, 0, true),
        op(60, 0, 0, false),
        op(120, 1, 0, false),
        op(200, 0, 0, false),
    ];
    let out = run_traced(&s);
    let m = &out.result.summary;
    assert_eq!((m.writes, m.reads), (2, 3));
    assert_eq!((m.lost_writes, m.conflicts, m.causal_inversions), (1, 1, 0));
    assert_eq!(m.stale_reads, 1);
    assert_eq!(m.staleness_p50_ms, 10.0);
    assert_eq!((m.lag_p50_ms, m.lag_max_ms), (100.0, 100.0));
    assert!(m.converged);
    assert_eq!(
        m.convergence_ms, 0.0,
        "the last change (150 ms) came before the workload ended"
    );
    let t = out.trace.unwrap();
    let outcomes: Vec<(u64, &str, u64)> = t
        .writes
        .iter()
        .map(|w| (w.write_id, w.outcome, w.parent_id))
        .collect();
    assert_eq!(outcomes, vec![(1, "lost", 0), (2, "survived", 0)]);
    let d: Vec<(u64, &str, u64, bool)> = t
        .deliveries
        .iter()
        .map(|d| (d.write_id, d.to.as_str(), d.arrive_ns, d.applied))
        .collect();
    assert_eq!(
        d,
        vec![(1, "r1", 110 * MS, false), (2, "r0", 150 * MS, true)]
    );
}

/// r1's clock runs 500 ms behind, `wall` timestamps.
/// - 10 ms: r0 writes w1 (timestamp 10 ms); it reaches r1 at 110 ms.
/// - 200 ms: r1, having seen w1, writes w2 on it. Its clock reads -300 ms,
///   so w2 (timestamp -300) loses to its own parent at r1: a causal
///   inversion. At r0 (300 ms) it loses again. w2 is lost although its
///   writer had seen everything.
///
/// With `hlc`, r1 stamps w2 just above the 10 ms it has seen: w2 wins
/// everywhere, and w1 survives as its ancestor.
#[test]
fn skew_inverts_causality_and_hlc_repairs_it() {
    let mut s = base(2, 100 * MS, 1, S);
    s.regions[1].clock.offset_ns = -500 * MS as i64;
    s.replication.timestamps = replisim::scenario::Timestamps::Wall;
    s.script = vec![op(10, 0, 0, true), op(200, 1, 0, true)];
    let out = run_traced(&s);
    let m = &out.result.summary;
    assert_eq!((m.lost_writes, m.conflicts, m.causal_inversions), (1, 0, 1));
    let t = out.trace.unwrap();
    assert_eq!(t.writes[1].timestamp_ns, -300 * MS as i64);
    assert_eq!(
        (t.writes[1].outcome, t.writes[1].cause),
        ("lost", "causal_inversion")
    );
    assert_eq!(t.writes[1].parent_id, 1);

    s.replication.timestamps = replisim::scenario::Timestamps::Hlc;
    let out = run_traced(&s);
    let m = &out.result.summary;
    assert_eq!((m.lost_writes, m.causal_inversions), (0, 0));
    let t = out.trace.unwrap();
    assert_eq!(t.writes[1].timestamp_ns, 10 * MS as i64 + 1);
}

/// A counter: r0 and r1 both increment at 10 ms and 50 ms, each reading 0
/// and writing 1; one increment vanishes. At 500 ms, after both arrived,
/// r0 increments again (2). Increments 3, final value 2, one lost.
#[test]
fn concurrent_increments_lose_one() {
    let mut s = base(2, 100 * MS, 1, S);
    s.tables[0].kind = TableKind::Counter;
    s.script = vec![op(10, 0, 0, true), op(50, 1, 0, true), op(500, 0, 0, true)];
    let m = run(&s).result.summary;
    assert_eq!(
        (
            m.increments,
            m.counter_total,
            m.lost_increments,
            m.lost_writes
        ),
        (3, 2, 1, 1)
    );
}

/// A partition of r0 ↔ r1 during [100 ms, 1100 ms).
/// - w1 at 50 ms is in transit when the link goes down (due at 150 ms): it
///   is sent again at the heal and arrives at 1100 + 100 = 1200 ms.
/// - w2 at 500 ms waits for the heal, leaves at 1100 ms, arrives at 1200 ms
///   behind w1 (FIFO). Both have lag measured from their issue.
#[test]
fn partition_holds_and_resends() {
    let mut s = base(2, 100 * MS, 2, 2 * S);
    s.faults = vec![partition(0, 1, 100 * MS, 1000 * MS)];
    s.script = vec![op(50, 0, 0, true), op(500, 0, 1, true)];
    let out = run_traced(&s);
    let d: Vec<(u64, u64)> = out
        .trace
        .unwrap()
        .deliveries
        .iter()
        .map(|d| (d.write_id, d.arrive_ns))
        .collect();
    assert_eq!(d, vec![(1, 1200 * MS), (2, 1200 * MS)]);
    let m = &out.result.summary;
    assert_eq!(m.lag_max_ms, 1150.0);
    assert!(m.converged);
    assert_eq!(out.result.links[0].max_backlog, 2);
}

/// Convergence is timed from the later of the workload's end (1 s) and the
/// last fault's end (1.5 s): a write at 600 ms waits for the heal at 1.5 s
/// and lands at 1.6 s, so convergence takes 100 ms.
#[test]
fn convergence_counts_from_the_last_heal() {
    let mut s = base(2, 100 * MS, 1, S);
    s.faults = vec![Fault {
        kind: FaultKind::Partition {
            links: vec![(0, 1)],
        },
        at: Time(500 * MS),
        length_ns: Some(1000 * MS),
    }];
    s.script = vec![op(600, 0, 0, true)];
    let m = run(&s).result.summary;
    assert!(m.converged);
    assert_eq!(m.convergence_ms, 100.0);
    assert_eq!(m.lag_max_ms, 1000.0);
}

/// An outage of r1 with `reroute`: its client's write goes to r0 instead.
/// With `fail` it is refused.
#[test]
fn outage_reroutes_or_fails_clients() {
    let mut s = base(3, 100 * MS, 1, S);
    s.links[1][2] = replisim::scenario::Latency::Constant(10 * MS); // r2 is nearest to r1
    s.links[1][0] = replisim::scenario::Latency::Constant(50 * MS);
    let outage = |clients| Fault {
        kind: FaultKind::Outage { region: 1, clients },
        at: Time(0),
        length_ns: Some(500 * MS),
    };
    s.faults = vec![outage(replisim::scenario::OutageClients::Reroute)];
    s.script = vec![op(100, 1, 0, true), op(600, 1, 0, true)];
    let out = run_traced(&s);
    let t = out.trace.unwrap();
    assert_eq!(
        t.writes[0].region, "r2",
        "rerouted to the nearest healthy region"
    );
    assert_eq!(t.writes[1].region, "r1", "back home after the outage");
    assert_eq!(out.result.summary.rerouted_ops, 1);

    s.faults = vec![outage(replisim::scenario::OutageClients::Fail)];
    let m = run(&s).result.summary;
    assert_eq!((m.writes, m.failed_writes), (1, 1));
    assert!(m.converged);
}

/// A clock that starts 50 ms behind stamps its first write below zero; it
/// must still beat the initial version (which predates every clock), so no
/// causal inversion, under `hlc` and `wall` alike.
#[test]
fn a_clock_behind_still_beats_the_initial_version() {
    for policy in [
        replisim::scenario::Timestamps::Hlc,
        replisim::scenario::Timestamps::Wall,
    ] {
        let mut s = base(2, 100 * MS, 1, S);
        s.regions[0].clock.offset_ns = -50 * MS as i64;
        s.replication.timestamps = policy;
        s.script = vec![op(10, 0, 0, true)];
        let out = run_traced(&s);
        let m = &out.result.summary;
        assert_eq!((m.causal_inversions, m.lost_writes), (0, 0), "{policy:?}");
        assert_eq!(out.trace.unwrap().writes[0].timestamp_ns, -40 * MS as i64);
    }
}
