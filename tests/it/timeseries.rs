//! `timeseries.csv` per bucket, against hand-worked runs: lag cells blank
//! where nothing arrived, failed writes only while a region is down and
//! adding up to the run's, write latency per bucket from the round trip a
//! forwarded write costs, blank where nothing was acknowledged.

use crate::common::*;
use replisim::metrics::result::RunResult;
use replisim::report::csv_out;
use replisim::scenario::*;

/// The rows of `timeseries.csv` as header → cell maps.
fn rows(r: &RunResult) -> Vec<std::collections::BTreeMap<String, String>> {
    let bytes = csv_out::timeseries_csv(&r.timeseries).unwrap();
    let text = String::from_utf8(bytes).unwrap();
    let mut lines = text.lines();
    let header: Vec<String> = lines.next().unwrap().split(',').map(String::from).collect();
    lines
        .map(|l| {
            header
                .iter()
                .cloned()
                .zip(l.split(',').map(String::from))
                .collect()
        })
        .collect()
}

/// Two regions 35 ms apart; r0 writes at 100 ms and at 2,500 ms. Each
/// write arrives at r1 35 ms later: in bucket 0 and in bucket 2. Bucket 1
/// has no delivery, so its lag cells are blank (not 0); the others show
/// 35 ms, and every bucket counts its deliveries.
#[test]
fn lag_cells_are_blank_where_nothing_arrived() {
    let mut s = base(2, 35 * MS, 4, 3 * S);
    s.script = vec![op(100, 0, 0, true), op(2_500, 0, 1, true)];
    let out = run(&s);
    let rows = rows(&out.result);
    assert!(rows.len() >= 3, "{rows:?}");
    let cell = |i: usize, c: &str| rows[i][c].clone();
    for (i, deliveries, lag) in [(0, "1", "35"), (1, "0", ""), (2, "1", "35")] {
        assert_eq!(cell(i, "deliveries"), deliveries, "bucket {i}");
        assert_eq!(cell(i, "lag_p50_ms"), lag, "bucket {i}");
        assert_eq!(cell(i, "lag_p99_ms"), lag, "bucket {i}");
    }
    assert_eq!(cell(0, "lag_max_ms"), "35.000");
    assert_eq!(cell(1, "lag_max_ms"), "");
    // Active-active acknowledges locally: no write latency anywhere.
    assert!(rows.iter().all(|r| r["write_latency_p50_ms"].is_empty()));
}

/// r1's clients write at 100/s and fail while r1 is down, from 2 s for
/// good: no failed write in buckets 0 and 1, some in every bucket after,
/// and the buckets add up to the run's `failed_writes`.
#[test]
fn failed_writes_fall_in_the_buckets_of_the_outage() {
    let mut s = base(2, 35 * MS, 100, 4 * S);
    s.workload = vec![clients(&[1], 100.0, 1.0)];
    s.faults = vec![outage_forever(1, 2 * S)];
    s.drain_limit_ns = S;
    let out = run(&s);
    let r = &out.result;
    assert!(r.summary.failed_writes > 100, "{}", r.summary.failed_writes);
    let per: Vec<u64> = r.timeseries.iter().map(|b| b.failed_writes).collect();
    assert_eq!(&per[..2], &[0, 0], "{per:?}");
    assert!(per[2] > 0 && per[3] > 0, "{per:?}");
    assert_eq!(per.iter().sum::<u64>(), r.summary.failed_writes);
    let rows = rows(r);
    assert_eq!(rows[2]["failed_writes"], per[2].to_string());
}

/// Single primary r0, r1 40 ms away, forwarding. r1 writes at 10 ms and at
/// 1,500 ms: each reaches r0 40 ms later and is acknowledged 40 ms after
/// that, a wait of 80 ms, in bucket 0 (at 90 ms) and bucket 1 (at
/// 1,580 ms). Bucket 2 acknowledges nothing: blank.
#[test]
fn write_latency_per_bucket_is_the_round_trip() {
    let mut s = base(2, 40 * MS, 4, 3 * S);
    s.replication.mode = Mode::SinglePrimary(SinglePrimary {
        primary: 0,
        secondary_writes: SecondaryWrites::Forward,
        failover: Failover {
            detect_ns: S,
            promote_ns: S,
            target: FailoverTarget::LeastLag,
        },
    });
    s.script = vec![op(10, 1, 0, true), op(1_500, 1, 1, true)];
    let out = run(&s);
    let rows = rows(&out.result);
    let cell = |i: usize, c: &str| rows[i][c].clone();
    assert_eq!(cell(0, "write_latency_p50_ms"), "80");
    assert_eq!(cell(1, "write_latency_p99_ms"), "80");
    assert_eq!(cell(2, "write_latency_p50_ms"), "");
    assert_eq!(out.result.timeseries[2].acknowledged, 0);
}

/// Single primary r0, r1 40 ms away, forwarding; r0 fails at 1 s for good,
/// detection takes 1 s and promotion 1 s, so r1 is primary from 3 s. r1
/// writes at 500 ms (forwarded to r0 and applied), at 1,500 ms (no
/// writable primary: refused) and at 3,500 ms (r1 is the primary: applied
/// locally, neither forwarded nor refused). So bucket 0 has one forwarded
/// write, bucket 1 one refused, bucket 3 neither; the buckets add up to
/// the run's figures, and the mode's steps are the detection at 2 s and
/// the promotion at 3 s.
#[test]
fn rejected_and_forwarded_writes_per_bucket() {
    let mut s = base(2, 40 * MS, 4, 5 * S);
    s.replication.mode = Mode::SinglePrimary(SinglePrimary {
        primary: 0,
        secondary_writes: SecondaryWrites::Forward,
        failover: Failover {
            detect_ns: S,
            promote_ns: S,
            target: FailoverTarget::LeastLag,
        },
    });
    s.faults = vec![outage_forever(0, S)];
    s.drain_limit_ns = S;
    s.script = vec![
        op(500, 1, 0, true),
        op(1_500, 1, 1, true),
        op(3_500, 1, 2, true),
    ];
    let out = run(&s);
    let r = &out.result;
    let rej: Vec<u64> = r.timeseries.iter().map(|b| b.rejected_writes).collect();
    let fwd: Vec<u64> = r.timeseries.iter().map(|b| b.forwarded_writes).collect();
    assert_eq!(&rej[..5], &[0, 1, 0, 0, 0], "{rej:?}");
    assert_eq!(&fwd[..5], &[1, 0, 0, 0, 0], "{fwd:?}");
    let x = &r.summary.mode_extras;
    assert_eq!(rej.iter().sum::<u64>(), x.rejected_writes);
    assert_eq!(fwd.iter().sum::<u64>(), x.forwarded_writes);
    assert!(x.bucket_rejected.is_empty() && x.bucket_forwarded.is_empty());
    let rows = rows(r);
    assert_eq!(rows[1]["rejected_writes"], "1");
    assert_eq!(rows[0]["forwarded_writes"], "1");
    assert_eq!(rows[3]["rejected_writes"], "0");
    let steps: Vec<(f64, &str, &str)> = x
        .steps
        .iter()
        .map(|p| (p.at_s, p.kind, p.label.as_str()))
        .collect();
    assert_eq!(
        steps,
        [
            (2.0, "detect", "r0 failure detected"),
            (3.0, "promote", "r1 promoted")
        ]
    );
}

/// A secondary without forwarding refuses every write: with r1 writing at
/// 50/s for 3 s, each bucket's refused writes are that bucket's writes by
/// r1, and none is forwarded.
#[test]
fn refused_writes_per_bucket_match_the_secondary_writes() {
    let mut s = base(2, 40 * MS, 100, 3 * S);
    s.replication.mode = Mode::SinglePrimary(SinglePrimary {
        primary: 0,
        secondary_writes: SecondaryWrites::Reject,
        failover: Failover {
            detect_ns: S,
            promote_ns: S,
            target: FailoverTarget::LeastLag,
        },
    });
    s.workload = vec![clients(&[1], 50.0, 1.0)];
    let r = run(&s).result;
    let x = &r.summary.mode_extras;
    assert!(x.rejected_writes > 100, "{}", x.rejected_writes);
    let rej: Vec<u64> = r.timeseries.iter().map(|b| b.rejected_writes).collect();
    assert!(rej[..3].iter().all(|&n| n > 20), "{rej:?}");
    assert_eq!(rej.iter().sum::<u64>(), x.rejected_writes);
    assert!(r.timeseries.iter().all(|b| b.forwarded_writes == 0));
}
