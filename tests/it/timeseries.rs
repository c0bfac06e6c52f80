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
