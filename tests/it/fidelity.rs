//! The revised model's figures against truths that do not depend on the
//! code: what the configured delays imply, closed forms, identities.

use crate::common::*;
use replisim::scenario::{Latency, Ordering};

/// The lognormal with median 500 ms and p99 2 s: its p-quantile is
/// 500 ms · (4)^(z_p / z_0.99).
fn lognormal_quantile_ms(z: f64) -> f64 {
    const Z99: f64 = 2.326_347_874;
    500.0 * 4f64.powf(z / Z99)
}

/// Two regions, writes from r0 only at `rate` per second, pipeline
/// lognormal (median 500 ms, p99 2 s) drawn independently per write
/// (`varies_over: 0`), link a constant 50 ms, no throughput limit, a
/// million keys: about `n` writes.
fn pipeline_then_link(rate: f64, n: f64, ordering: Ordering) -> replisim::metrics::result::LinkRow {
    let mut s = base(2, 50 * MS, 1_000_000, (n / rate * S as f64) as u64);
    s.replication.pipeline = Latency::LogNormal {
        median: 500 * MS,
        p99: 2000 * MS,
    };
    s.replication.ordering = ordering;
    // Independent draws per message, whatever the order.
    s.replication.pipeline_varies_over_ns = Some(0);
    s.workload = vec![clients(&[0], rate, 1.0)];
    run(&s).result.links[0].clone()
}

/// Under `item` order the lag of each delivery is its own pipeline delay
/// plus the link, whatever the write rate: its percentiles are the
/// lognormal's shifted by 50 ms (p50 550 ms, p99 2050 ms). With 40,000
/// samples the p50's standard error is 0.3% and the p99's 1%; the
/// histogram adds at most 1%.
#[test]
fn item_order_lag_is_pipeline_plus_link_at_every_rate() {
    for rate in [1.0, 10.0, 100.0, 1000.0] {
        let l = pipeline_then_link(rate, 40_000.0, Ordering::Item);
        let p50 = lognormal_quantile_ms(0.0) + 50.0;
        let p90 = lognormal_quantile_ms(1.281_551_566) + 50.0;
        let p99 = lognormal_quantile_ms(2.326_347_874) + 50.0;
        for (got, want, tol) in [
            (l.lag_p50_ms, p50, 0.02),
            (l.lag_p90_ms, p90, 0.025),
            (l.lag_p99_ms, p99, 0.045),
        ] {
            assert!(
                (got / want - 1.0).abs() < tol,
                "{rate}/s: {got} ms where the delays give {want} ms ({l:?})"
            );
        }
    }
}

/// Under `stream` order with independent draws, a message waits for the
/// slowest draw ahead of it: at 1,000 writes/s the median lag is several
/// times the configured one (the effect `item` order removes).
#[test]
fn stream_order_with_independent_draws_inflates_lag() {
    let l = pipeline_then_link(1000.0, 40_000.0, Ordering::Stream);
    assert!(l.lag_p50_ms > 2.0 * 550.0, "{l:?}");
}

/// Two regions both writing, the same rate per key (0.25 writes/s per
/// region and key): 20 keys at 5 writes/s per region, and 2,000 keys at
/// 500/s, pipeline delays drawn independently per write. With per-item
/// order a key's fate depends only on its own writes, so the lost-write
/// rates agree within sampling error (about
/// 0.4% each at 40,000 writes; losses come in pairs and runs, so the
/// allowance is wider). Under stream order the busy stream makes every
/// write wait for the slowest draw ahead of it on any key, and the 2,000
/// key case loses about twice as much.
#[test]
fn lost_write_rate_depends_on_the_key_not_on_the_stream() {
    let lost = |keys: u32, rate: f64, ordering: Ordering| {
        let writes = 40_000.0;
        let mut s = base(2, 50 * MS, keys, (writes / (2.0 * rate) * S as f64) as u64);
        s.replication.pipeline = Latency::LogNormal {
            median: 500 * MS,
            p99: 2000 * MS,
        };
        s.replication.ordering = ordering;
        s.replication.pipeline_varies_over_ns = Some(0);
        s.workload = vec![clients(&[0, 1], rate, 1.0)];
        run(&s).result.summary.lost_write_rate
    };
    let few = lost(20, 5.0, Ordering::Item);
    let many = lost(2_000, 500.0, Ordering::Item);
    assert!(
        (few - many).abs() < 0.02,
        "20 keys: {few}, 2,000 keys: {many}"
    );
    let many_fifo = lost(2_000, 500.0, Ordering::Stream);
    assert!(
        many_fifo > many + 0.05,
        "stream order: {many_fifo}, item order: {many}"
    );
}

/// Single primary r0 commits Poisson writes at λ = 200/s and ships each
/// after a constant d = 250 ms; r0's region fails at 10 s for good; detect
/// 1 s, promote 2 s. What was on the wire at 10 s still arrives, so the
/// loss is exactly the commits of [10 s − d, 10 s): Poisson with mean
/// λ·d = 50. Over 20 seeds the mean has a standard error of
/// √(50 / 20) ≈ 1.6. (Were the wire cut too, the 100 ms links would add
/// λ·100 ms: 70.) The downtime is detect + promote exactly.
#[test]
fn failover_loses_commit_rate_times_shipping_delay() {
    use replisim::scenario::{Failover, FailoverTarget, Mode, SecondaryWrites, SinglePrimary};
    let mut total = 0u64;
    let seeds = 20;
    for seed in 0..seeds {
        let mut s = base(3, 100 * MS, 100_000, 15 * S);
        s.seed = seed;
        s.replication.pipeline = Latency::Constant(250 * MS);
        s.replication.mode = Mode::SinglePrimary(SinglePrimary {
            primary: 0,
            secondary_writes: SecondaryWrites::Reject,
            failover: Failover {
                detect_ns: S,
                promote_ns: 2 * S,
                target: FailoverTarget::LeastLag,
            },
        });
        s.faults = vec![outage_forever(0, 10 * S)];
        s.workload = vec![clients(&[0], 200.0, 1.0)];
        let m = run(&s).result.summary;
        assert_eq!(m.mode_extras.failover_ms, 3000.0);
        assert!(m.mode_extras.rpo_window_ms <= 250.0);
        total += m.mode_extras.rpo_lost_writes;
    }
    let mean = total as f64 / seeds as f64;
    assert!((mean - 50.0).abs() < 5.0, "mean RPO loss {mean}, λ·d = 50");
}

/// Strong mode, one item written from one region by Poisson clients at
/// λ = 10/s, every round trip a constant D = 60 ms (ρ = 0.6): one write in
/// flight at a time makes the item an M/D/1 queue, and the write latency
/// is its sojourn time D + W. Erlang's waiting-time distribution,
/// P(W ≤ t) = (1 − ρ) Σ_{k=0}^{⌊t/D⌋} (λ(kD − t))^k / k! · e^{−λ(kD − t)},
/// gives the median and p99 the simulation must show (20,000 writes: the
/// median's sampling error is about 1%, the p99's about 3%; the histogram
/// adds 1%).
#[test]
fn strong_mode_writes_to_one_item_queue_as_m_d_1() {
    use replisim::scenario::{Mode, Strong};
    let (lambda, d) = (10.0, 0.060);
    let rho = lambda * d;
    let wait_cdf = |t: f64| -> f64 {
        let mut sum = 0.0;
        let mut fact = 1.0;
        for k in 0..=(t / d).floor() as i32 {
            if k > 0 {
                fact *= k as f64;
            }
            let x = lambda * (k as f64 * d - t);
            sum += x.powi(k) / fact * (-x).exp();
        }
        (1.0 - rho) * sum
    };
    let sojourn_quantile = |p: f64| -> f64 {
        // The alternating sum loses precision for t of many D: stay under 1 s.
        let (mut lo, mut hi) = (0.0, 1.0);
        for _ in 0..100 {
            let mid = (lo + hi) / 2.0;
            if wait_cdf(mid) < p {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        (d + lo) * 1000.0
    };
    let mut s = base(3, 30 * MS, 1, 2000 * S);
    s.replication.mode = Mode::Strong(Strong { witness: None });
    s.workload = vec![clients(&[0], lambda, 1.0)];
    let out = run(&s);
    let m = &out.result.summary;
    assert_eq!(m.mode_extras.write_conflict_errors, 0);
    assert!(m.writes > 19_000, "{}", m.writes);
    let r0 = &out.result.regions[0];
    for (got, want, tol) in [
        (r0.write_latency_p50_ms, sojourn_quantile(0.5), 0.03),
        (r0.write_latency_p99_ms, sojourn_quantile(0.99), 0.06),
    ] {
        assert!(
            (got / want - 1.0).abs() < tol,
            "write latency {got} ms, M/D/1 sojourn {want} ms"
        );
    }
}

/// The same item at λ = 30/s (ρ = 1.8, more than it can take): writes
/// from one region are sent one round trip apart at the least (their true
/// timestamps show when each was sent), so at most 1/D per second get
/// through; the rest wait and are served during the drain.
#[test]
fn strong_mode_takes_at_most_one_write_per_round_trip_per_item() {
    use replisim::scenario::{Mode, Strong, Timestamps};
    let mut s = base(3, 30 * MS, 1, 20 * S);
    s.replication.mode = Mode::Strong(Strong { witness: None });
    s.replication.timestamps = Timestamps::TrueTime;
    s.workload = vec![clients(&[0], 30.0, 1.0)];
    let out = run_traced(&s);
    let m = &out.result.summary;
    let sent: Vec<i64> = out
        .trace
        .unwrap()
        .writes
        .iter()
        .map(|w| w.timestamp_ns)
        .collect();
    assert!(sent.windows(2).all(|w| w[1] - w[0] >= 60 * MS as i64));
    // About 600 requested; all are served (the drain allows 600 s).
    assert!(m.writes > 500, "{}", m.writes);
    assert_eq!(m.mode_extras.unavailable_writes, 0);
    let last = *sent.last().unwrap() as f64 / 1e9;
    assert!(
        last > 20.0 * 30.0 * 0.060 * 0.9,
        "the last was sent at {last} s"
    );
}

/// r0 → r1 goes down at 10 s for good (links 50 ms, no pipeline); r0
/// writes 10 times a second for 20 s. Every write issued from 9.95 s on
/// never arrives: its lag is censored at the run's end (20 s + the 600 s
/// drain limit) minus its issue, so more than 600 s. More than half the
/// stream is undelivered, so its median is such a value: never a small
/// lag. The oldest unreplicated write ages one second per second.
#[test]
fn a_link_down_for_good_never_reports_a_small_lag() {
    let mut s = base(2, 50 * MS, 1000, 20 * S);
    s.faults = vec![replisim::scenario::Fault {
        kind: replisim::scenario::FaultKind::Partition {
            links: vec![(0, 1)],
        },
        at: replisim::sim::time::Time(10 * S),
        length_ns: None,
    }];
    s.workload = vec![clients(&[0], 10.0, 1.0)];
    let out = run_traced(&s);
    let never = out
        .trace
        .as_ref()
        .unwrap()
        .writes
        .iter()
        .filter(|w| w.issue_ns >= 9_950 * MS)
        .count() as u64;
    let l = &out.result.links[0];
    let m = &out.result.summary;
    assert_eq!((l.undelivered, m.undelivered), (never, never));
    assert!(never > 80, "{never}");
    assert!(!m.converged);
    // 1% histogram error below the 600 s bound.
    assert!(l.lag_p50_ms > 594_000.0, "{l:?}");
    let bound = l.censored_from_ms.expect("censored");
    assert!(bound >= 600_000.0 && bound <= l.lag_p50_ms * 1.01);
    assert!(m.lag_censored_from_ms.is_some());
    // Buckets ending at 11 s .. 19 s: the oldest write in flight was
    // issued just after 9.95 s.
    let ages: Vec<f64> = out.result.timeseries[10..19]
        .iter()
        .map(|b| b.oldest_unreplicated_ms)
        .collect();
    for w in ages.windows(2) {
        assert!((w[1] - w[0] - 1000.0).abs() < 0.001, "{ages:?}");
    }
    assert!(ages[0] > 1000.0 && ages[0] <= 1050.0, "{ages:?}");
    assert!(out.result.links[0].oldest_unreplicated_max_ms >= ages[8]);
}

/// r0 and r1, 50 ms apart, shipping 10 ms, a counter table. r1 fails at
/// 105 ms and never returns.
/// - 20 ms: r0 increments k0 (w1): at r1 at 80 ms.
/// - 100 ms: r1 increments k0 (w2, built on w1): ready at 110 ms, after
///   r1 failed: it never leaves r1. Held only by a region that is out at
///   the end, it is lost to the rest of the system: stranded.
///
/// Increments 2, final value (r0's w1) 1: one lost increment, the
/// stranded write, and the counter identity holds without convergence.
#[test]
fn a_write_held_only_by_a_region_that_never_returns_is_stranded() {
    use replisim::scenario::TableKind;
    let mut s = base(2, 50 * MS, 1, S);
    s.tables[0].kind = TableKind::Counter;
    s.replication.pipeline = Latency::Constant(10 * MS);
    s.faults = vec![outage_forever(1, 105 * MS)];
    s.script = vec![op(20, 0, 0, true), op(100, 1, 0, true)];
    let out = run_traced(&s);
    let m = &out.result.summary;
    assert!(!m.converged);
    assert_eq!((m.writes, m.lost_writes, m.stranded_writes), (2, 1, 1));
    assert_eq!(
        (m.increments, m.counter_total, m.lost_increments),
        (2, 1, 1)
    );
    let w: Vec<(&str, &str)> = out
        .trace
        .as_ref()
        .unwrap()
        .writes
        .iter()
        .map(|w| (w.outcome, w.cause))
        .collect();
    assert_eq!(w, vec![("survived", ""), ("lost", "stranded")]);
}

/// r0's clock runs 1 s ahead (wall timestamps); r0 and r1 are 100 ms apart.
/// - 10 ms: r0 writes w1, stamped 1,010 ms.
/// - 50 ms: r1 writes w2, stamped 50 ms: it loses everywhere (w1 reaches
///   r1 at 110 ms and beats it; w2 reaches r0 at 150 ms and is dropped).
/// - 100 ms: r1 reads w2, beaten by w1 (issued at 10 ms): stale by 90 ms.
/// - 200 ms: r0 reads w1, the eventual winner: fresh, although w2 was
///   issued later (a losing write does not make the winner stale).
/// - 300 ms: r1 reads w1: fresh. Every region holds the winner: fresh from
///   then on, however skewed the clocks.
#[test]
fn reads_of_the_eventual_winner_are_fresh() {
    use replisim::scenario::Timestamps;
    let mut s = base(2, 100 * MS, 1, S);
    s.replication.timestamps = Timestamps::Wall;
    s.regions[0].clock.offset_ns = 1_000 * MS as i64;
    s.script = vec![
        op(10, 0, 0, true),
        op(50, 1, 0, true),
        op(100, 1, 0, false),
        op(200, 0, 0, false),
        op(300, 1, 0, false),
        op(400, 0, 0, false),
    ];
    let m = run(&s).result.summary;
    assert_eq!((m.writes, m.lost_writes, m.reads), (2, 1, 4));
    assert_eq!(m.stale_reads, 1);
    assert_eq!(m.staleness_p50_ms, 90.0);
    assert!(m.converged);
}
