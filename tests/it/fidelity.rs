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
/// lognormal (median 500 ms, p99 2 s), link a constant 50 ms, no
/// throughput limit, a million keys: about `n` writes.
fn pipeline_then_link(rate: f64, n: f64, ordering: Ordering) -> replisim::metrics::result::LinkRow {
    let mut s = base(2, 50 * MS, 1_000_000, (n / rate * S as f64) as u64);
    s.replication.pipeline = Latency::LogNormal {
        median: 500 * MS,
        p99: 2000 * MS,
    };
    s.replication.ordering = ordering;
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
/// 500/s. With per-item order a key's fate depends only on its own
/// writes, so the lost-write rates agree within sampling error (about
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
    use replisim::scenario::{
        Failover, FailoverTarget, Fault, FaultKind, Mode, OutageClients, SecondaryWrites,
        SinglePrimary,
    };
    use replisim::sim::time::Time;
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
                detect: S,
                promote: 2 * S,
                target: FailoverTarget::LeastLag,
            },
        });
        s.faults = vec![Fault {
            kind: FaultKind::Outage {
                region: 0,
                clients: OutageClients::Fail,
            },
            at: Time(10 * S),
            length: None,
        }];
        s.workload = vec![clients(&[0], 200.0, 1.0)];
        let m = run(&s).result.summary;
        assert_eq!(m.mode_extras.failover_ms, 3000.0);
        assert!(m.mode_extras.rpo_window_ms <= 250.0);
        total += m.mode_extras.rpo_lost_writes;
    }
    let mean = total as f64 / seeds as f64;
    assert!((mean - 50.0).abs() < 5.0, "mean RPO loss {mean}, λ·d = 50");
}
