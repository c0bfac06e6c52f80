//! The faults shaped like the real ones (`pause_replication`, `slowdown`,
//! `endpoint_outage`) against truths that do not come from the code: the
//! age of the oldest held write grows one second per second; a held
//! backlog drains as an M/D/1 busy period says; a single writer per key
//! loses nothing; a slowed delay is the configured one plus the addition
//! (or times the factor); clients turned away are exactly the operations
//! their region issued in the window, counted in a run without the fault
//! on the same workload.

use std::collections::{BTreeMap, BTreeSet};

use crate::common::*;
use replisim::scenario::bundled;
use replisim::scenario::*;
use replisim::sim::time::Time;

fn pause(region: usize, at: u64, length: u64) -> Fault {
    Fault {
        kind: FaultKind::PauseReplication { region },
        at: Time(at),
        length_ns: Some(length),
    }
}

fn slowdown(links: Vec<(usize, usize)>, at: u64, length: u64, by: Slowing) -> Fault {
    Fault {
        kind: FaultKind::Slowdown {
            links,
            region: None,
            by,
        },
        at: Time(at),
        length_ns: Some(length),
    }
}

fn endpoint(
    region: usize,
    at: u64,
    length: u64,
    clients: OutageClients,
    r: EndpointReplication,
) -> Fault {
    Fault {
        kind: FaultKind::EndpointOutage {
            region,
            clients,
            replication: r,
        },
        at: Time(at),
        length_ns: Some(length),
    }
}

/// Three regions writing, r0's replication paused over [20 s, 50 s).
/// Links 10 ms, no pipeline delay: the oldest write held is one issued
/// in the last 10 ms before the pause, and it stays the oldest until the
/// end, so at each bucket end its age is one second more than at the
/// last. The streams between r1 and r2 keep flowing (their oldest is a
/// few ms old); those to and from r0 reach the pause's length.
#[test]
fn a_paused_region_s_oldest_unreplicated_write_ages_one_second_per_second() {
    let mut s = base(3, 10 * MS, 10_000, 80 * S);
    s.workload = vec![clients(&[0, 1, 2], 100.0, 0.5)];
    s.faults = vec![pause(0, 20 * S, 30 * S)];
    let out = run(&s);
    let ages: Vec<f64> = out.result.timeseries[20..50]
        .iter()
        .map(|b| b.oldest_unreplicated_ms)
        .collect();
    for w in ages.windows(2) {
        assert!((w[1] - w[0] - 1000.0).abs() < 0.001, "{ages:?}");
    }
    // At 21 s (the end of bucket 20) the oldest was issued in [19.99 s, 20 s).
    assert!(ages[0] > 1000.0 && ages[0] <= 1010.0, "{ages:?}");
    for l in &out.result.links {
        let touches = l.from == "r0" || l.to == "r0";
        if touches {
            assert!(
                l.oldest_unreplicated_max_ms >= 29_000.0
                    && l.oldest_unreplicated_max_ms <= 30_010.0,
                "{l:?}"
            );
        } else {
            assert!(l.oldest_unreplicated_max_ms < 1_000.0, "{l:?}");
        }
    }
    // Nothing is lost by the pause itself: the run converges, every
    // write arrives.
    assert!(out.result.summary.converged);
    assert_eq!(out.result.summary.undelivered, 0);
    let f = &out.result.fault_rows[0];
    assert_eq!(
        (f.kind.as_str(), f.target.as_str()),
        ("pause_replication", "r0")
    );
}

/// Only r0 writes (Poisson λ = 50/s), throughput μ = 100/s per stream,
/// r0's replication paused for P = 20 s. At the end each stream out of r0
/// holds N ≈ λP messages; they leave one per 1/μ, so the catch-up is
/// (N − 1)/μ plus the 10 ms link, and the backlog is worked off in an
/// M/D/1 busy period of mean N/(μ − λ) ≈ λP/(μ − λ) = 20 s (standard
/// deviation about 0.63 s).
#[test]
fn after_a_pause_the_backlog_drains_in_lambda_p_over_mu_minus_lambda() {
    let (lam, mu) = (50.0, 100.0);
    let (at, length) = (20 * S, 20 * S);
    let mut s = base(3, 10 * MS, 100_000, 120 * S);
    s.replication.throughput_per_s = Some(mu);
    s.workload = vec![clients(&[0], lam, 1.0)];
    s.faults = vec![pause(0, at, length)];
    let out = run_traced(&s);
    let trace = out.trace.as_ref().unwrap();
    let end = at + length;
    let issue: BTreeMap<u64, u64> = trace
        .writes
        .iter()
        .map(|w| (w.write_id, w.issue_ns))
        .collect();
    let held = trace
        .deliveries
        .iter()
        .filter(|d| d.to == "r1" && issue[&d.write_id] < end && d.arrive_ns >= end)
        .count() as f64;
    let lam_p = lam * (length / S) as f64;
    assert!((held / lam_p - 1.0).abs() < 0.15, "about λP held: {held}");

    let f = &out.result.fault_rows[0];
    let catch_up = (held - 1.0) / mu * 1000.0 + 10.0;
    let got = f.catch_up_ms.unwrap();
    assert!(
        (got - catch_up).abs() < 0.01,
        "catch-up {got} ms, want {catch_up}"
    );

    let drain = held / (mu - lam) * 1000.0;
    let sd = ((held / mu) * lam / (mu * mu) / 0.125).sqrt() * 1000.0;
    let got = f.drain_ms.unwrap();
    assert!(
        (got - drain).abs() < 4.0 * sd,
        "drain {got} ms, busy period {drain} ± {sd} ms"
    );
    // And the closed form with λP in place of the count held.
    let closed = lam_p / (mu - lam) * 1000.0;
    assert!((got / closed - 1.0).abs() < 0.15, "{got} vs {closed}");
}

/// With every client writing only keys homed in its own region there is
/// one writer per key, so a pause loses nothing. With writes anywhere,
/// it loses some, and every lost write is of a key written both in r0
/// and elsewhere during the pause (links 1 ms, no pipeline: ordinary
/// conflicts outside it are too rare to occur at this rate).
#[test]
fn a_pause_loses_only_keys_written_on_both_sides() {
    let (at, length) = (20 * S, 30 * S);
    let mut s = base(3, MS, 2_000, 60 * S);
    let mut w = clients(&[0, 1, 2], 10.0, 1.0);
    w.home_affinity = 1.0;
    s.workload = vec![w];
    s.faults = vec![pause(0, at, length)];
    let out = run(&s);
    assert!(out.result.summary.writes > 1_500);
    assert_eq!(out.result.summary.lost_writes, 0);
    assert_eq!(out.result.summary.conflicts, 0);
    assert!(out.result.summary.converged);

    s.workload[0].home_affinity = 0.0;
    let out = run_traced(&s);
    let trace = out.trace.as_ref().unwrap();
    let lost: Vec<_> = trace
        .writes
        .iter()
        .filter(|w| w.outcome == "lost")
        .collect();
    assert!(lost.len() > 20, "{}", lost.len());
    let mut in_r0 = BTreeSet::new();
    let mut elsewhere = BTreeSet::new();
    for w in &trace.writes {
        if w.issue_ns + MS >= at && w.issue_ns < at + length {
            if w.region == "r0" {
                in_r0.insert(w.key);
            } else {
                elsewhere.insert(w.key);
            }
        }
    }
    for w in lost {
        assert!(
            in_r0.contains(&w.key) && elsewhere.contains(&w.key),
            "lost write {} of key {} not written on both sides",
            w.write_id,
            w.key
        );
    }
    assert!(out.result.summary.converged);
}

/// Pipeline a constant 200 ms, links 50 ms: a write sent in the slowdown
/// arrives 250 ms + 1 s after its issue (or 250 ms × 3), one sent outside
/// it 250 ms after.
#[test]
fn a_slowdown_adds_to_or_multiplies_the_delay_of_what_is_sent_in_it() {
    for (by, slowed_ms) in [(Slowing::Add(S), 1250), (Slowing::Factor(3.0), 750)] {
        let mut s = base(2, 50 * MS, 1_000_000, 40 * S);
        s.replication.pipeline = Latency::Constant(200 * MS);
        s.workload = vec![clients(&[0], 100.0, 1.0)];
        s.faults = vec![slowdown(vec![(0, 1)], 10 * S, 10 * S, by)];
        let out = run_traced(&s);
        let trace = out.trace.as_ref().unwrap();
        let issue: BTreeMap<u64, u64> = trace
            .writes
            .iter()
            .map(|w| (w.write_id, w.issue_ns))
            .collect();
        let mut inside = 0;
        for d in &trace.deliveries {
            let t = issue[&d.write_id];
            let lag = d.arrive_ns - t;
            if (10 * S..20 * S).contains(&t) {
                inside += 1;
                assert_eq!(lag, slowed_ms * MS, "{by:?}");
            } else if !(20 * S..22 * S).contains(&t) {
                // (Just after the window an item could wait for a slowed
                // write to the same key; with a million keys none does.)
                assert_eq!(lag, 250 * MS, "{by:?}");
            }
        }
        assert!(inside > 900, "{inside}");
        // The bucket [13 s, 14 s) sees only slowed arrivals: its lag
        // percentiles are the slowed delay within the histogram's 1%.
        let b = &out.result.timeseries[13];
        for got in [b.lag_p50_ms, b.lag_p99_ms] {
            assert!(
                (got / slowed_ms as f64 - 1.0).abs() <= 0.01,
                "{by:?}: {got} vs {slowed_ms}"
            );
        }
    }
}

/// A lognormal pipeline (median 400 ms, p99 1.2 s, drawn per message)
/// and a constant 50 ms link, slowed over the whole run: the lag's median
/// is the median of pipeline + 50 ms + 1 s = 1450 ms, or of
/// 3 × (pipeline + 50 ms) = 1350 ms. Tolerance: the histogram's 1% plus
/// four standard errors of a sample median of 6,000 draws (about 3 ms,
/// times 3 for the factor).
#[test]
fn a_slowed_distribution_keeps_its_shape_shifted_or_scaled() {
    for (by, want) in [(Slowing::Add(S), 1450.0), (Slowing::Factor(3.0), 1350.0)] {
        let mut s = base(2, 50 * MS, 1_000_000, 60 * S);
        s.replication.pipeline = Latency::LogNormal {
            median: 400 * MS,
            p99: 1200 * MS,
        };
        s.workload = vec![clients(&[0], 100.0, 1.0)];
        s.faults = vec![slowdown(vec![(0, 1)], 0, 120 * S, by)];
        let out = run(&s);
        let got = out.result.links[0].lag_p50_ms;
        let sd = if matches!(by, Slowing::Factor(_)) {
            9.2
        } else {
            3.1
        };
        assert!(
            (got - want).abs() <= 0.01 * want + 4.0 * sd,
            "{by:?}: {got} vs {want}"
        );
        // The reverse direction was not slowed (nothing flows on it).
        assert_eq!(out.result.links[1].deliveries, 0);
    }
}

/// Clients of r2 turned away over [10 s, 30 s): with `fail` the failed
/// operations, with `reroute` the rerouted ones, are exactly the
/// operations r2's clients issue in that window in the same run without
/// the fault (the workload's random streams do not depend on faults).
/// Its replica keeps receiving (replication: continue) or receives
/// nothing new sent in the window (paused).
#[test]
fn an_endpoint_outage_turns_away_exactly_its_region_s_operations() {
    let (at, length) = (10 * S, 20 * S);
    let mut s = base(3, 20 * MS, 10_000, 40 * S);
    s.workload = vec![clients(&[0, 1, 2], 50.0, 0.5)];
    let plain = run_traced(&s);
    let t = plain.trace.as_ref().unwrap();
    let inside = |ns: u64| (at..at + length).contains(&ns);
    let writes = t
        .writes
        .iter()
        .filter(|w| w.region == "r2" && inside(w.issue_ns))
        .count() as u64;
    let reads = t
        .reads
        .iter()
        .filter(|r| r.region == "r2" && inside(r.at_ns))
        .count() as u64;
    assert!(writes > 300 && reads > 300, "{writes} {reads}");
    let total = plain.result.summary.writes;

    s.faults = vec![endpoint(
        2,
        at,
        length,
        OutageClients::Fail,
        EndpointReplication::Continue,
    )];
    let out = run_traced(&s);
    let m = &out.result.summary;
    assert_eq!(
        (m.failed_writes, m.failed_reads, m.rerouted_ops),
        (writes, reads, 0)
    );
    assert_eq!(m.writes, total - writes);
    // Replication to r2 goes on: it receives writes sent in the window.
    let tr = out.trace.as_ref().unwrap();
    let into_r2 = tr
        .deliveries
        .iter()
        .filter(|d| d.to == "r2" && inside(d.arrive_ns))
        .count();
    assert!(into_r2 > 500, "{into_r2}");
    assert!(m.converged);

    s.faults = vec![endpoint(
        2,
        at,
        length,
        OutageClients::Reroute,
        EndpointReplication::Continue,
    )];
    let out = run(&s);
    let m = &out.result.summary;
    assert_eq!((m.failed_writes, m.failed_reads), (0, 0));
    assert_eq!(m.rerouted_ops, writes + reads);
    assert_eq!(m.writes, total);
    assert_eq!(
        out.result.regions[2].writes,
        plain.result.regions[2].writes - writes
    );

    s.faults = vec![endpoint(
        2,
        at,
        length,
        OutageClients::Fail,
        EndpointReplication::Paused,
    )];
    let out = run_traced(&s);
    let tr = out.trace.as_ref().unwrap();
    // Only what was on the wire at 10 s lands in the window.
    let into_r2 = tr
        .deliveries
        .iter()
        .filter(|d| d.to == "r2" && (at + 20 * MS..at + length).contains(&d.arrive_ns))
        .count();
    assert_eq!(into_r2, 0);
    assert!(out.result.summary.converged);
}

/// The YAML forms load, render back to the same scenario, and show in
/// faults.csv's kind and target.
#[test]
fn the_new_faults_load_render_and_round_trip() {
    let text = "name: f\nduration: 1m\nregions:\n  - name: a\n  - name: b\n  - name: c\n\
        network: { default: 20ms }\ntables:\n  - { name: t, kind: item, keys: 10 }\n\
        workload:\n  - { regions: all, table: t, rate: 10/s, writes: 0.5 }\n\
        faults:\n\
        \x20 - pause_replication: { region: a, at: 5s, for: 10s }\n\
        \x20 - slowdown: { region: b, at: 10s, for: 5s, add: 2s }\n\
        \x20 - slowdown: { from: b, to: c, at: 10s, factor: 2.5 }\n\
        \x20 - slowdown: { between: [a, c], at: 20s, for: 1s, add: 100ms }\n\
        \x20 - endpoint_outage: { region: c, at: 30s, for: 10s }\n\
        \x20 - endpoint_outage: { region: a, at: 40s, for: 5s, clients: reroute, replication: paused }\n";
    let s = load_str(text, "f.yaml", &[]).unwrap();
    assert_eq!(s.faults[0].kind, FaultKind::PauseReplication { region: 0 });
    assert_eq!(
        s.faults[1].kind,
        FaultKind::Slowdown {
            links: vec![(1, 0), (0, 1), (1, 2), (2, 1)],
            region: Some(1),
            by: Slowing::Add(2 * S)
        }
    );
    assert_eq!(s.faults[2].length_ns, None);
    assert_eq!(
        s.faults[4].kind,
        FaultKind::EndpointOutage {
            region: 2,
            clients: OutageClients::Fail,
            replication: EndpointReplication::Continue
        }
    );
    let again = load_str(&render::to_yaml(&s), "again.yaml", &[]).unwrap();
    assert_eq!(again, s);
    let out = run(&s);
    let rows: Vec<(&str, &str)> = out
        .result
        .fault_rows
        .iter()
        .map(|f| (f.kind.as_str(), f.target.as_str()))
        .collect();
    assert_eq!(
        rows,
        vec![
            ("pause_replication", "a"),
            ("slowdown", "b"),
            ("slowdown", "b -> c"),
            ("slowdown", "a <-> c"),
            ("endpoint_outage", "c"),
            ("endpoint_outage", "a"),
        ]
    );
}

fn bundled(name: &str) -> Scenario {
    let b = bundled::find(name).expect("bundled");
    load_str(b.text, &b.origin(), &[]).expect("loads")
}

/// The incident replay: writes held for the whole window (172 min) to and
/// from us-east-1, and a catch-up of the held messages at the throughput
/// limit: about N/μ with N the largest backlog and μ = 25/s.
#[test]
fn the_us_east_1_replay_holds_for_the_window_and_catches_up_at_n_over_mu() {
    let s = bundled("us-east-1-2025-10");
    let out = run(&s);
    let window_ms = 172.0 * 60_000.0;
    for l in &out.result.links {
        if l.from == "us-east-1" || l.to == "us-east-1" {
            assert!(l.lag_max_ms >= window_ms, "{l:?}");
        } else {
            assert!(l.lag_max_ms < 60_000.0, "{l:?}");
        }
    }
    let f = &out.result.fault_rows[0];
    let n = f.max_backlog.unwrap() as f64;
    let catch_up = f.catch_up_ms.unwrap();
    assert!(
        (catch_up / (n / 25.0 * 1000.0) - 1.0).abs() < 0.01,
        "{catch_up} vs N = {n}"
    );
    assert_eq!(out.result.summary.failed_writes, 0, "clients are rerouted");
    assert!(out.result.summary.converged);
}

/// The FIS drills: with one writer per item nothing is lost; with shared
/// items last writer wins drops some; both drain in about
/// λP/(μ − λ) = 50 × 600 / 150 = 200 s.
#[test]
fn the_fis_drills_lose_nothing_with_one_writer_per_item_and_drain_in_lambda_p_over_mu_minus_lambda()
{
    for (name, shared) in [
        ("fis-pause-replication-home", false),
        ("fis-pause-replication", true),
    ] {
        let s = bundled(name);
        let out = run(&s);
        let m = &out.result.summary;
        assert!(m.converged, "{name}");
        if shared {
            assert!(m.lost_writes > 0, "{name}");
        } else {
            assert_eq!((m.lost_writes, m.conflicts), (0, 0), "{name}");
        }
        let drain = out.result.fault_rows[0].drain_ms.unwrap();
        assert!((drain / 200_000.0 - 1.0).abs() < 0.1, "{name}: {drain}");
    }
}
