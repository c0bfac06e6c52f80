//! The trace's `beaten_by`, counter `value` and `reads.csv` against tiny
//! scenarios worked out by hand: each test tells the story first, and the
//! expected rows follow from it, not from running the code.

use crate::common::*;
use replisim::scenario::TableKind;

/// A read as checked here: id, region, time, returned write, stale,
/// staleness.
type ReadRow<'a> = (u64, &'a str, u64, u64, bool, Option<u64>);

/// r0 and r1, 100 ms apart, perfect clocks (the story of
/// `handworked::concurrent_writes_last_writer_wins`):
/// - 10 ms: r0 writes w1; 50 ms: r1 writes w2, both on the initial version.
/// - 60 ms: r0 reads w1; w2 (issued 50 ms) beats it: stale by 10 ms.
/// - 110 ms: w1 reaches r1, rejected against w2; 150 ms: w2 replaces w1
///   at r0. w1 is lost, beaten by w2; w2 survives (no `beaten_by`).
/// - 120 ms: r1 reads w2: fresh. 200 ms: r0 reads w2: fresh.
#[test]
fn concurrent_loser_names_its_winner_and_reads_say_what_they_saw() {
    let mut s = base(2, 100 * MS, 1, S);
    s.script = vec![
        op(10, 0, 0, true),
        op(50, 1, 0, true),
        op(60, 0, 0, false),
        op(120, 1, 0, false),
        op(200, 0, 0, false),
    ];
    let t = run_traced(&s).trace.unwrap();
    let beaten: Vec<(u64, &str, u64, Option<u64>)> = t
        .writes
        .iter()
        .map(|w| (w.write_id, w.outcome, w.beaten_by, w.value))
        .collect();
    assert_eq!(beaten, vec![(1, "lost", 2, None), (2, "survived", 0, None)]);
    let reads: Vec<ReadRow> = t
        .reads
        .iter()
        .map(|r| {
            (
                r.read_id,
                r.region.as_str(),
                r.at_ns,
                r.returned_id,
                r.stale,
                r.staleness_ns,
            )
        })
        .collect();
    assert_eq!(
        reads,
        vec![
            (1, "r0", 60 * MS, 1, true, Some(10 * MS)),
            (2, "r1", 120 * MS, 2, false, None),
            (3, "r0", 200 * MS, 2, false, None),
        ]
    );
    // What each region held when a version met it.
    let held: Vec<(u64, &str, bool, u64)> = t
        .deliveries
        .iter()
        .map(|d| (d.write_id, d.to.as_str(), d.applied, d.held_id))
        .collect();
    assert_eq!(held, vec![(1, "r1", false, 2), (2, "r0", true, 1)]);
}

/// A counter, r0 and r1 100 ms apart:
/// - 10 ms: r0 increments (0 + 1 = 1): w1, value 1.
/// - 20 ms: r1 increments, not having seen w1: w2, value 1. w2 is newer.
/// - 300 ms: both regions hold w2 (w1 was rejected at r1 at 110 ms, w2
///   replaced it at r0 at 120 ms); r0 increments: w3 on w2, value 2.
///
/// Final 2, three increments: one lost (w1, beaten by w2). Reads before
/// any write return the initial version (id 0), fresh.
#[test]
fn counter_values_are_the_counts_written() {
    let mut s = base(2, 100 * MS, 1, S);
    s.tables[0].kind = TableKind::Counter;
    s.script = vec![
        op(5, 1, 0, false),
        op(10, 0, 0, true),
        op(20, 1, 0, true),
        op(300, 0, 0, true),
    ];
    let out = run_traced(&s);
    assert_eq!(out.result.summary.lost_increments, 1);
    let t = out.trace.unwrap();
    let rows: Vec<(u64, u64, Option<u64>, &str, u64)> = t
        .writes
        .iter()
        .map(|w| (w.write_id, w.parent_id, w.value, w.outcome, w.beaten_by))
        .collect();
    assert_eq!(
        rows,
        vec![
            (1, 0, Some(1), "lost", 2),
            (2, 0, Some(1), "survived", 0),
            (3, 2, Some(2), "survived", 0),
        ]
    );
    assert_eq!(t.reads.len(), 1);
    assert_eq!(
        (t.reads[0].returned_id, t.reads[0].stale),
        (0, false),
        "nothing was written before 5 ms"
    );
}

/// r1's clock 500 ms behind, `wall` (the story of
/// `handworked::skew_inverts_causality_and_hlc_repairs_it`): w2 at r1 is
/// built on w1 but stamped -300 ms, below w1's 10 ms, so r1 keeps w1:
/// w2 is lost, beaten by w1, its own parent. A read at r1 at 250 ms
/// returns w1, and is fresh: nothing issued beats w1 (w2 is older by
/// timestamp).
#[test]
fn causal_inversion_is_beaten_by_its_parent() {
    let mut s = base(2, 100 * MS, 1, S);
    s.regions[1].clock.offset_ns = -500 * MS as i64;
    s.replication.timestamps = replisim::scenario::Timestamps::Wall;
    s.script = vec![
        op(10, 0, 0, true),
        op(200, 1, 0, true),
        op(250, 1, 0, false),
    ];
    let t = run_traced(&s).trace.unwrap();
    assert_eq!(
        (
            t.writes[1].cause,
            t.writes[1].beaten_by,
            t.writes[1].installed
        ),
        ("causal_inversion", 1, false)
    );
    assert_eq!((t.reads[0].returned_id, t.reads[0].stale), (1, false));
}

/// Without `--trace` nothing is kept; with it, every read is listed
/// (reads counted by the summary equal the rows).
#[test]
fn every_read_is_listed() {
    let mut s = base(3, 40 * MS, 5, 5 * S);
    s.workload = vec![clients(&[0, 1, 2], 40.0, 0.5)];
    let out = run_traced(&s);
    let t = out.trace.unwrap();
    assert_eq!(t.reads.len() as u64, out.result.summary.reads);
    let stale = t.reads.iter().filter(|r| r.stale).count() as u64;
    assert_eq!(stale, out.result.summary.stale_reads);
    assert!(t.reads.windows(2).all(|w| w[0].at_ns <= w[1].at_ns));
    assert!(run(&s).trace.is_none());
}

/// Over random scenarios (`gen.rs`, every mode): a lost write's
/// `beaten_by` is another write, never one of its own descendants, and
/// (outside a primary's log, which applies in order) it beats, by
/// timestamp and then region name, the write itself or one of its
/// descendants; a survived write names nobody. In a converged
/// active-active run with no region down at the end, every write lost to
/// last writer wins names its winner. `REPLISIM_PROPERTY_CASES` sets how
/// many scenarios (default 300).
#[test]
fn beaten_by_agrees_with_lineage_and_timestamps() {
    use replisim::scenario::Mode;
    let cases: u64 = std::env::var("REPLISIM_PROPERTY_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(300);
    let mut named = 0u64;
    for seed in 0..cases {
        let s = crate::gen::scenario(seed);
        let out = run_traced(&s);
        let t = out.trace.as_ref().unwrap();
        let names: Vec<&str> = s.regions.iter().map(|r| r.name.as_str()).collect();
        let rank = |name: &str| names.iter().filter(|&&n| n < name).count();
        let stamp = |id: u64| {
            let w = &t.writes[id as usize - 1];
            (w.timestamp_ns, rank(&w.region))
        };
        let descends = |mut a: u64, b: u64| loop {
            if a == b {
                return true;
            }
            if a == 0 {
                return false;
            }
            a = t.writes[a as usize - 1].parent_id;
        };
        // The lowest stamp in each write's subtree (a child's id is
        // greater than its parent's, so one pass from the last write up).
        let mut lowest: Vec<(i64, usize)> = std::iter::once((i64::MIN, 0))
            .chain((1..=t.writes.len() as u64).map(stamp))
            .collect();
        for w in t.writes.iter().rev() {
            let p = w.parent_id as usize;
            if p != 0 {
                lowest[p] = lowest[p].min(lowest[w.write_id as usize]);
            }
        }
        let everywhere_up = out.result.summary.converged && out.result.summary.stranded_writes == 0;
        let lww = matches!(s.replication.mode, Mode::ActiveActive);
        for w in &t.writes {
            let b = w.beaten_by;
            if w.outcome != "lost" {
                assert_eq!(b, 0, "seed {seed}: survived write {} names {b}", w.write_id);
                continue;
            }
            if b == 0 {
                assert!(
                    !(lww && everywhere_up && w.cause == "overwritten"),
                    "seed {seed}: write {} lost to last writer wins names nobody",
                    w.write_id
                );
                continue;
            }
            named += 1;
            assert!(
                b as usize <= t.writes.len() && b != w.write_id,
                "seed {seed}"
            );
            assert!(
                !descends(b, w.write_id),
                "seed {seed}: write {} beaten by its descendant {b}",
                w.write_id
            );
            if lww {
                let beats_line = stamp(b) > lowest[w.write_id as usize];
                assert!(
                    beats_line,
                    "seed {seed}: write {b} beats neither write {} nor a descendant",
                    w.write_id
                );
            }
        }
    }
    assert!(named > 100, "only {named} lost writes named a winner");
}
