//! A replication mode written outside the crate, through the `Mode` trait
//! and the kernel's context alone: the proof that a mode is one file.
//!
//! `OneRegion` sends every write to region 0 and replicates nothing. What
//! it must give follows from that rule, not from running it: one chain of
//! versions per key (no conflict, nothing lost), no delivery anywhere,
//! region 0 always fresh, every other region stale once a key is written,
//! and no convergence.

use crate::common::*;
use replisim::model::kernel::{Kernel, Parent};
use replisim::model::mode::{Mode, Request};
use replisim::model::store::Held;
use replisim::model::{self, RunOptions};
use replisim::scenario::{Scenario, TableKind};

/// Every write is applied at region 0, built on the latest version;
/// nothing is ever sent to another region.
struct OneRegion;

impl Mode for OneRegion {
    type Timer = std::convert::Infallible;

    fn write(&mut self, k: &mut Kernel<'_, Self::Timer>, w: Request) {
        k.write(0, w.time, w, Parent::Latest, false);
    }

    fn applies(&self, _incoming: Held, _current: Held) -> bool {
        // Nothing is ever sent, so nothing arrives.
        false
    }
}

fn run_one_region(s: &Scenario) -> model::RunOutput {
    let options = RunOptions {
        trace: true,
        max_events: None,
    };
    model::run_mode(s, &options, OneRegion, &mut |_| true).expect("runs")
}

/// - 10 ms: r1 writes w1 on k0; it is applied at r0 (parent: the initial
///   version).
/// - 20 ms: r2 writes w2 on k0, built on w1 (the latest).
/// - 30 ms: r1 reads k0: it still holds the initial version, beaten by
///   w1, issued 20 ms before: stale, by 20 ms.
/// - 40 ms: r0 reads k0: w2, fresh.
#[test]
fn a_mode_of_ones_own_runs_on_the_kernel() {
    let mut s = base(3, 50 * MS, 1, S);
    s.script = vec![
        op(10, 1, 0, true),
        op(20, 2, 0, true),
        op(30, 1, 0, false),
        op(40, 0, 0, false),
    ];
    let out = run_one_region(&s);
    let m = &out.result.summary;
    assert_eq!((m.writes, m.reads), (2, 2));
    assert_eq!((m.lost_writes, m.conflicts, m.causal_inversions), (0, 0, 0));
    assert_eq!(m.stale_reads, 1);
    assert_eq!(m.staleness_p50_ms, 20.0);
    assert_eq!(m.undelivered, 0);
    assert!(out.result.links.iter().all(|l| l.deliveries == 0));
    assert!(!m.converged, "r1 and r2 never receive anything");
    // Counted at the clients' regions, as the kernel does for every mode.
    let writes: Vec<u64> = out.result.regions.iter().map(|r| r.writes).collect();
    assert_eq!(writes, vec![0, 1, 1]);
    let t = out.trace.unwrap();
    let chain: Vec<(u64, u64, &str)> = t
        .writes
        .iter()
        .map(|w| (w.write_id, w.parent_id, w.outcome))
        .collect();
    assert_eq!(chain, vec![(1, 0, "survived"), (2, 1, "survived")]);
    assert!(t.deliveries.is_empty());
}

/// Under load, on a counter table: every increment survives, region 0's
/// values add up to the increments issued, and only region 0 is fresh.
#[test]
fn a_mode_of_ones_own_keeps_the_kernels_identities() {
    let mut s = base(3, 50 * MS, 20, 20 * S);
    s.tables[0].kind = TableKind::Counter;
    s.workload = vec![clients(&[0, 1, 2], 50.0, 0.5)];
    let out = run_one_region(&s);
    let m = &out.result.summary;
    assert!(m.writes > 1000 && m.reads > 1000);
    assert_eq!(m.lost_writes, 0);
    assert_eq!(m.conflicts, 0);
    assert_eq!(m.increments, m.writes);
    assert_eq!(m.counter_total, m.writes);
    assert_eq!(m.lost_increments, 0);
    assert_eq!(out.result.regions[0].stale_reads, 0);
    // 20 keys written 75 times a second: after the first second nearly
    // every read elsewhere finds its key written.
    for r in &out.result.regions[1..] {
        assert!(r.stale_reads as f64 > 0.9 * r.reads as f64, "{r:?}");
    }
}
