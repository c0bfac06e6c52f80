//! Single-primary and strong mode against hand-worked stories and truths
//! that do not depend on their code: forwarding costs the sampled round
//! trip, a failover loses exactly the unreplicated suffix, strong writes
//! cost the round trip to the nearest region, and neither mode loses a
//! write it did not have to.

use crate::common::*;
use replisim::scenario::*;
use replisim::sim::time::Time;

fn single_primary(primary: usize, writes: SecondaryWrites) -> Mode {
    Mode::SinglePrimary(SinglePrimary {
        primary,
        secondary_writes: writes,
        failover: Failover {
            detect_ns: S,
            promote_ns: 2 * S,
            target: FailoverTarget::LeastLag,
        },
    })
}

fn outage(region: usize, at_ms: u64, for_ms: Option<u64>) -> Fault {
    Fault {
        kind: FaultKind::Outage {
            region,
            clients: OutageClients::Fail,
        },
        at: Time(at_ms * MS),
        length_ns: for_ms.map(|l| l * MS),
    }
}

fn set_link(s: &mut Scenario, a: usize, b: usize, ms: u64) {
    s.links[a][b] = Latency::Constant(ms * MS);
    s.links[b][a] = Latency::Constant(ms * MS);
}

/// r0 is the primary; r1 is 40 ms away, r2 100 ms (one way), r1–r2 50 ms.
/// - 10 ms: r1 forwards a write on k0: it reaches r0 at 50 ms (write 2,
///   since r0's own write at 30 ms is applied first), acknowledged at 90 ms:
///   latency 80 ms.
/// - 20 ms: r2 forwards a write on k1: applied at 120 ms (write 3),
///   acknowledged at 220 ms: 200 ms.
/// - 30 ms: r0 writes k2 locally (write 1): latency 0.
/// - 60 ms: r1 reads k0: the latest write (its own, applied at 50 ms) is
///   still on its way back (arrives 90 ms): stale, by 50 ms since its
///   client issued it at 10 ms. Forwarding does not give read-your-writes.
/// - 100 ms: r1 reads k0 again: fresh.
///
/// Nothing is lost, nothing conflicts, every region ends the same.
#[test]
fn forwarding_costs_the_round_trip() {
    let mut s = base(3, 50 * MS, 3, S);
    set_link(&mut s, 0, 1, 40);
    set_link(&mut s, 0, 2, 100);
    s.replication.mode = single_primary(0, SecondaryWrites::Forward);
    s.script = vec![
        op(10, 1, 0, true),
        op(20, 2, 1, true),
        op(30, 0, 2, true),
        op(60, 1, 0, false),
        op(100, 1, 0, false),
    ];
    let out = run_traced(&s);
    let m = &out.result.summary;
    assert_eq!(m.mode, "single_primary");
    assert_eq!((m.writes, m.lost_writes, m.conflicts), (3, 0, 0));
    assert_eq!(
        (
            m.mode_extras.forwarded_writes,
            m.mode_extras.rejected_writes
        ),
        (2, 0)
    );
    assert_eq!((m.stale_reads, m.staleness_p50_ms), (1, 50.0));
    let lat: Vec<(f64, u64)> = out
        .result
        .regions
        .iter()
        .map(|r| (r.write_latency_p50_ms, r.writes))
        .collect();
    assert_eq!(lat, vec![(0.0, 1), (80.0, 1), (200.0, 1)]);
    assert!(m.converged);
    let t = out.trace.unwrap();
    let w: Vec<(u64, &str, u64)> = t
        .writes
        .iter()
        .map(|w| (w.write_id, w.region.as_str(), w.issue_ns))
        .collect();
    assert_eq!(
        w,
        vec![(1, "r0", 30 * MS), (2, "r1", 10 * MS), (3, "r2", 20 * MS)]
    );
    let to_primary: Vec<(u64, u64)> = t
        .deliveries
        .iter()
        .filter(|d| d.to == "r0")
        .map(|d| (d.write_id, d.arrive_ns))
        .collect();
    assert_eq!(to_primary, vec![(2, 50 * MS), (3, 120 * MS)]);

    // Without forwarding, the secondaries' writes are refused.
    s.replication.mode = single_primary(0, SecondaryWrites::Reject);
    let m = run(&s).result.summary;
    assert_eq!(
        (
            m.writes,
            m.mode_extras.rejected_writes,
            m.mode_extras.forwarded_writes
        ),
        (1, 2, 0)
    );
}

/// Forwarding over a link whose transit is uniform in [20, 60] ms, back
/// over a constant 40 ms: the trace shows each trip to the primary, every
/// one inside the link's range, and the region's write latency is that trip
/// plus 40 ms (the median of the uniform is 40, so p50 is about 80 ms).
#[test]
fn forwarding_latency_follows_the_link_distribution() {
    let mut s = base(2, 40 * MS, 1000, 200 * S);
    s.links[1][0] = Latency::Uniform {
        min: 20 * MS,
        max: 60 * MS,
    };
    s.replication.mode = single_primary(0, SecondaryWrites::Forward);
    s.workload = vec![clients(&[1], 20.0, 1.0)];
    let out = run_traced(&s);
    let t = out.trace.unwrap();
    let mut legs: Vec<u64> = Vec::new();
    for w in t.writes.iter().filter(|w| w.region == "r1") {
        let d = t
            .deliveries
            .iter()
            .find(|d| d.write_id == w.write_id && d.to == "r0")
            .expect("a trip to the primary");
        legs.push(d.arrive_ns - w.issue_ns);
    }
    assert!(legs.len() > 3000);
    assert!(legs.iter().all(|&l| (20 * MS..=60 * MS).contains(&l)));
    legs.sort_unstable();
    let median_leg = legs[legs.len() / 2] as f64 / MS as f64;
    let r1 = &out.result.regions[1];
    assert!(
        (r1.write_latency_p50_ms - (median_leg + 40.0)).abs()
            <= 0.01 * r1.write_latency_p50_ms + 0.1,
        "p50 {} vs {}",
        r1.write_latency_p50_ms,
        median_leg + 40.0
    );
    assert!((median_leg - 40.0).abs() < 1.5, "median trip {median_leg}");
    assert!(r1.write_latency_p99_ms <= 100.0 && r1.write_latency_p99_ms > 95.0);
    assert_eq!(out.result.summary.mode_extras.forwarded_writes, r1.writes);
}

/// A busy single-primary run with partitions, an isolated secondary, skewed
/// and stepped clocks and a hot counter: without a failover nothing is
/// lost, nothing conflicts, and the counters add up exactly.
#[test]
fn single_primary_without_failover_loses_nothing() {
    let mut s = base(3, 30 * MS, 20, 30 * S);
    s.replication.mode = single_primary(1, SecondaryWrites::Forward);
    s.replication.timestamps = Timestamps::Wall;
    s.replication.pipeline = Latency::LogNormal {
        median: 100 * MS,
        p99: 400 * MS,
    };
    s.tables[0].kind = TableKind::Counter;
    s.regions[0].clock = Clock {
        offset_ns: -400 * MS as i64,
        drift_ppm: 200.0,
    };
    let mut hot = clients(&[0, 1, 2], 40.0, 0.7);
    hot.access = Access::Zipf(1.3);
    s.workload = vec![hot];
    s.faults = vec![
        partition(0, 1, 5 * S, 4 * S),
        isolate(2, 12 * S, 3 * S),
        clock_step(1, 20 * S, -2 * S as i64),
    ];
    let m = run(&s).result.summary;
    assert!(m.writes > 1000);
    assert!(
        m.mode_extras.rejected_writes > 0,
        "cut-off secondaries cannot forward"
    );
    assert_eq!(
        (
            m.lost_writes,
            m.conflicts,
            m.causal_inversions,
            m.lost_increments
        ),
        (0, 0, 0, 0)
    );
    assert_eq!(m.counter_total, m.increments);
    assert!(m.converged);
    assert!(m.stale_reads > 0);
}

/// r0 is the primary; r0→r1 takes 10 ms, r0→r2 100 ms, every other link
/// 50 ms; shipping (the pipeline) takes 100 ms; detect 1 s, promote 2 s;
/// r0 is down from 1 s to 11 s.
/// - 100 ms: r0 commits w1 (k0): shipped at 200 ms, at r1 210 ms, r2 300 ms.
/// - 850 ms: r0 commits w2 (k1): shipped at 950 ms, so it is on the wire
///   when r0 fails and still lands: r1 960 ms, r2 1050 ms.
/// - 950 ms: w3 (k2) and 990 ms: w4 (k0, built on w1) are not shipped
///   before 1 s: r0 sends nothing new from then on.
/// - 1 s: outage; writes refused. 2 s: detected; r1 and r2 each miss two
///   messages: the nearer, r1, is chosen. 2.5 s: r1's write is refused.
/// - 4 s (2 s + 2 s promote): r1 is primary. w3 and w4 are the RPO loss
///   (two writes, committed 40 ms apart); downtime 1 s → 4 s = 3000 ms.
///   r2 already agrees with r1; r0 (w4 on k0, w3 on k2) is sent k0 (w1)
///   and k2 (the initial version), held until r0 returns: 11,050 ms.
/// - 3 s: r2 reads k2: the latest is w3, r2 has the initial version:
///   stale. 4.1 s: r2 reads k2: the new primary's state (the initial
///   version) is the truth now: fresh.
/// - 5 s: r1 writes k2 (w5), built on the initial version, which w3 was
///   also built on: one conflict. It reaches r2 at 5,150 ms and r0 when it
///   returns (11,050 ms, after the resynchronisation). All agree.
#[test]
fn failover_loses_the_unreplicated_suffix() {
    let mut s = base(3, 50 * MS, 3, 6 * S);
    s.links[0][1] = Latency::Constant(10 * MS);
    s.links[0][2] = Latency::Constant(100 * MS);
    s.replication.pipeline = Latency::Constant(100 * MS);
    s.replication.mode = single_primary(0, SecondaryWrites::Forward);
    s.faults = vec![outage(0, 1000, Some(10_000))];
    s.script = vec![
        op(100, 0, 0, true),
        op(850, 0, 1, true),
        op(950, 0, 2, true),
        op(990, 0, 0, true),
        op(2500, 1, 0, true),
        op(3000, 2, 2, false),
        op(4100, 2, 2, false),
        op(5000, 1, 2, true),
    ];
    let out = run_traced(&s);
    let m = &out.result.summary;
    let x = &m.mode_extras;
    assert_eq!((m.writes, m.lost_writes, m.conflicts), (5, 2, 1));
    assert_eq!(
        (
            x.rpo_lost_writes,
            x.rpo_window_ms,
            x.failover_ms,
            x.rejected_writes
        ),
        (2, 40.0, 3000.0, 1)
    );
    assert_eq!(m.stale_reads, 1);
    assert!(m.converged);
    let t = out.trace.unwrap();
    let w: Vec<(u64, &str, u64, &str, &str)> = t
        .writes
        .iter()
        .map(|w| {
            (
                w.write_id,
                w.region.as_str(),
                w.parent_id,
                w.outcome,
                w.cause,
            )
        })
        .collect();
    assert_eq!(
        w,
        vec![
            (1, "r0", 0, "survived", ""),
            (2, "r0", 0, "survived", ""),
            (3, "r0", 0, "lost", "rpo"),
            (4, "r0", 1, "lost", "rpo"),
            (5, "r1", 0, "survived", "")
        ]
    );
    let to_r0: Vec<(u64, u64)> = t
        .deliveries
        .iter()
        .filter(|d| d.to == "r0")
        .map(|d| (d.write_id, d.arrive_ns))
        .collect();
    assert_eq!(
        to_r0,
        vec![(1, 11_050 * MS), (0, 11_050 * MS), (5, 11_050 * MS)]
    );
    let to_r2: Vec<(u64, u64)> = t
        .deliveries
        .iter()
        .filter(|d| d.to == "r2")
        .map(|d| (d.write_id, d.arrive_ns))
        .collect();
    assert_eq!(to_r2, vec![(1, 300 * MS), (2, 1_050 * MS), (5, 5_150 * MS)]);
}

/// A random workload at the primary and a long outage: the writes lost are
/// exactly those the trace shows applied at the old primary and never
/// delivered to the new one, and they are all of the lost writes. What was
/// on the wire when the outage began (8 s) still lands, so "delivered"
/// counts arrivals up to the promotion (8 s + detect 2 s + promote 3 s).
#[test]
fn rpo_loss_equals_what_the_trace_says_never_arrived() {
    for target in [FailoverTarget::Region(2), FailoverTarget::LeastLag] {
        let mut s = base(3, 40 * MS, 200, 20 * S);
        s.links[0][2] = Latency::LogNormal {
            median: 80 * MS,
            p99: 300 * MS,
        };
        s.replication.pipeline = Latency::LogNormal {
            median: 300 * MS,
            p99: 1500 * MS,
        };
        s.replication.mode = Mode::SinglePrimary(SinglePrimary {
            primary: 0,
            secondary_writes: SecondaryWrites::Forward,
            failover: Failover {
                detect_ns: 2 * S,
                promote_ns: 3 * S,
                target,
            },
        });
        s.workload = vec![clients(&[0], 50.0, 1.0), clients(&[1, 2], 20.0, 0.0)];
        s.faults = vec![outage(0, 8000, Some(30_000))];
        let out = run_traced(&s);
        let m = &out.result.summary;
        let t = out.trace.unwrap();
        // The new primary is the region whose deliveries include writes
        // issued after the promotion (13 s) by nobody: find it by its
        // resync traffic instead, from the figures: it is r2 when named.
        let new_primary = match target {
            FailoverTarget::Region(r) => format!("r{r}"),
            FailoverTarget::LeastLag => {
                // The one that received more of r0's writes.
                let got = |r: &str| {
                    t.deliveries
                        .iter()
                        .filter(|d| d.to == r && d.arrive_ns < 13_000 * MS)
                        .count()
                };
                if got("r1") >= got("r2") {
                    "r1".into()
                } else {
                    "r2".into()
                }
            }
        };
        let received: std::collections::BTreeSet<u64> = t
            .deliveries
            .iter()
            .filter(|d| d.to == new_primary && d.arrive_ns < 13_000 * MS)
            .map(|d| d.write_id)
            .collect();
        let expected: Vec<u64> = t
            .writes
            .iter()
            .filter(|w| w.issue_ns < 8000 * MS && !received.contains(&w.write_id))
            .map(|w| w.write_id)
            .collect();
        let lost: Vec<u64> = t
            .writes
            .iter()
            .filter(|w| w.outcome == "lost")
            .map(|w| w.write_id)
            .collect();
        assert!(!expected.is_empty(), "the pipeline leaves a suffix to lose");
        assert_eq!(lost, expected);
        assert!(t
            .writes
            .iter()
            .filter(|w| w.outcome == "lost")
            .all(|w| w.cause == "rpo"));
        assert_eq!(m.mode_extras.rpo_lost_writes, expected.len() as u64);
        assert_eq!(m.lost_writes, expected.len() as u64);
        let issues: Vec<u64> = t
            .writes
            .iter()
            .filter(|w| w.outcome == "lost")
            .map(|w| w.issue_ns)
            .collect();
        let window =
            (issues.iter().max().unwrap() - issues.iter().min().unwrap()) as f64 / MS as f64;
        assert!((m.mode_extras.rpo_window_ms - window).abs() < 1e-6);
        assert_eq!(m.mode_extras.failover_ms, 5000.0);
        assert!(m.converged);
    }
}

/// Planned switchover from r0 to r2 at 2 s (r0→r2 takes 100 ms, promote
/// 1 s). r0's write at 1950 ms reaches r2 at 2050 ms: caught up; r2 is
/// primary at 3050 ms, downtime 1050 ms. r0's write at 2.5 s is refused;
/// r2's at 3.1 s is local; r0's at 3.2 s is forwarded to r2 (100 ms there,
/// 100 ms back). Nothing is lost.
#[test]
fn switchover_waits_for_catch_up_and_loses_nothing() {
    let mut s = base(3, 100 * MS, 2, 5 * S);
    s.replication.mode = Mode::SinglePrimary(SinglePrimary {
        primary: 0,
        secondary_writes: SecondaryWrites::Forward,
        failover: Failover {
            detect_ns: S,
            promote_ns: S,
            target: FailoverTarget::LeastLag,
        },
    });
    s.faults = vec![Fault {
        kind: FaultKind::Switchover { to: 2 },
        at: Time(2 * S),
        length_ns: None,
    }];
    s.script = vec![
        op(1950, 0, 0, true),
        op(2500, 0, 0, true),
        op(3100, 2, 1, true),
        op(3200, 0, 1, true),
    ];
    let out = run(&s);
    let m = &out.result.summary;
    let x = &m.mode_extras;
    assert_eq!(
        (
            m.writes,
            m.lost_writes,
            x.rpo_lost_writes,
            x.rejected_writes,
            x.forwarded_writes
        ),
        (3, 0, 0, 1, 1)
    );
    assert_eq!(x.failover_ms, 1050.0);
    // p99 of r0's two writes (0 and 200 ms), within the histogram's 1%.
    let lat: Vec<f64> = out
        .result
        .regions
        .iter()
        .map(|r| r.write_latency_p99_ms)
        .collect();
    assert!(
        (lat[0] - 200.0).abs() < 2.0 && lat[1..] == [0.0, 0.0],
        "{lat:?}"
    );
    assert!(m.converged);
}

fn strong(witness: Option<usize>) -> Mode {
    Mode::Strong(Strong { witness })
}

/// r0–r1 20 ms, r0–r2 80 ms, r1–r2 70 ms (one way). A write at r0 costs
/// 40 ms (r1 is nearest), at r2 140 ms (r1). With r0–r1 cut from 1 s, r0's
/// write costs 160 ms (r2); with r0 isolated from 2 s, its write is refused
/// while its read is served.
#[test]
fn strong_write_costs_the_round_trip_to_the_nearest_region() {
    let mut s = base(3, 0, 5, 4 * S);
    set_link(&mut s, 0, 1, 20);
    set_link(&mut s, 0, 2, 80);
    set_link(&mut s, 1, 2, 70);
    s.replication.mode = strong(None);
    s.faults = vec![partition(0, 1, S, 500 * MS), isolate(0, 2 * S, 500 * MS)];
    s.script = vec![
        op(10, 0, 0, true),
        op(20, 2, 1, true),
        op(1100, 0, 2, true),
        op(2100, 0, 3, true),
        op(2200, 0, 3, false),
    ];
    let out = run(&s);
    let m = &out.result.summary;
    assert_eq!(
        (
            m.writes,
            m.reads,
            m.mode_extras.unavailable_writes,
            m.lost_writes
        ),
        (3, 1, 1, 0)
    );
    let r = &out.result.regions;
    // p99 of r0's two writes (40 and 160 ms), within the histogram's 1%.
    assert_eq!(r[0].write_latency_p50_ms, 40.0);
    assert!((r[0].write_latency_p99_ms - 160.0).abs() < 1.6);
    assert_eq!(r[2].write_latency_p50_ms, 140.0);
    assert!(m.converged);

    // Two regions and a witness: the witness counts as the nearest.
    let mut w = s.clone();
    w.replication.mode = strong(Some(1));
    w.script = vec![op(10, 0, 0, true), op(20, 2, 1, true)];
    w.faults.clear();
    let out = run(&w);
    let r = &out.result.regions;
    assert_eq!(
        (r[0].write_latency_p50_ms, r[2].write_latency_p50_ms),
        (40.0, 140.0)
    );
}

/// r0 and r1 20 ms apart, r2 far (200 ms). On k0:
/// - 10 ms: r0 writes (w1), acknowledged at 50 ms.
/// - 15 ms: r0 writes again (w2): one write per item is in flight from a
///   region, so it waits for w1 and is sent at 50 ms, no conflict;
///   acknowledged at 90 ms, 75 ms after its client sent it.
/// - 30 ms: r1 writes: r0's w1 is not acknowledged yet: conflict error.
/// - 100 ms: r1 writes (w3), built on w2 (the latest committed version);
///   acknowledged at 140 ms.
/// - 110 ms: r0 writes: r1's write is unacknowledged: conflict error.
/// - 160 ms: r2 writes (w4) on w3 although w3 reaches r2 only at 300 ms:
///   strong writes are built on the committed chain, not the local copy.
///
/// Four writes, two errors, no lost write, no conflict in the lineage.
#[test]
fn strong_overlapping_writes_fail_instead_of_vanishing() {
    let mut s = base(3, 200 * MS, 1, S);
    set_link(&mut s, 0, 1, 20);
    s.replication.mode = strong(None);
    s.script = vec![
        op(10, 0, 0, true),
        op(15, 0, 0, true),
        op(30, 1, 0, true),
        op(100, 1, 0, true),
        op(110, 0, 0, true),
        op(160, 2, 0, true),
    ];
    let out = run_traced(&s);
    let m = &out.result.summary;
    assert_eq!(
        (
            m.writes,
            m.mode_extras.write_conflict_errors,
            m.lost_writes,
            m.conflicts
        ),
        (4, 2, 0, 0)
    );
    let t = out.trace.unwrap();
    let parents: Vec<(u64, &str, u64)> = t
        .writes
        .iter()
        .map(|w| (w.write_id, w.region.as_str(), w.parent_id))
        .collect();
    assert_eq!(
        parents,
        vec![(1, "r0", 0), (2, "r0", 1), (3, "r1", 2), (4, "r2", 3)]
    );
    assert!(t.writes.iter().all(|w| w.outcome == "survived"));
    assert!(m.converged);
    // r0's two writes took 40 and 75 ms: the median of two is the lower.
    assert_eq!(out.result.regions[0].write_latency_p50_ms, 40.0);
    assert!((out.result.regions[0].write_latency_p99_ms - 75.0).abs() < 0.75);
}

/// Strong mode under partitions, an isolated region, skewed and stepped
/// wall clocks and a hot counter: errors instead of losses, always.
#[test]
fn strong_mode_never_loses_a_write() {
    for seed in 1..=3 {
        let mut s = base(3, 30 * MS, 10, 30 * S);
        s.seed = seed;
        s.replication.mode = strong(None);
        s.replication.timestamps = Timestamps::Wall;
        s.replication.pipeline = Latency::LogNormal {
            median: 200 * MS,
            p99: 800 * MS,
        };
        s.tables[0].kind = TableKind::Counter;
        s.regions[1].clock = Clock {
            offset_ns: 700 * MS as i64,
            drift_ppm: -300.0,
        };
        let mut hot = clients(&[0, 1, 2], 30.0, 0.8);
        hot.access = Access::Zipf(1.5);
        s.workload = vec![hot];
        s.faults = vec![
            partition(0, 1, 4 * S, 5 * S),
            isolate(2, 12 * S, 3 * S),
            clock_step(0, 18 * S, -3 * S as i64),
        ];
        let m = run(&s).result.summary;
        let x = &m.mode_extras;
        assert!(
            m.writes > 500 && x.write_conflict_errors > 50 && x.unavailable_writes > 10,
            "{m:?}"
        );
        assert_eq!(
            (
                m.lost_writes,
                m.conflicts,
                m.causal_inversions,
                m.lost_increments
            ),
            (0, 0, 0, 0)
        );
        assert_eq!(m.counter_total, m.increments);
        assert!(m.converged);
    }
}
