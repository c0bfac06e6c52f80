//! Invariants of the model over many random valid scenarios (`gen.rs`).
//!
//! Each scenario runs with a trace, and the trace is checked against the
//! scenario and the results: determinism, convergence, lag, FIFO streams,
//! no delivery across a down link, last-writer-wins decisions, lineage
//! outcomes, the counter identity, and the summary figures recomputed from
//! the trace. `REPLISIM_PROPERTY_CASES` sets how many scenarios (default
//! `DEFAULT_CASES`), `REPLISIM_PROPERTY_SEED` the first seed (default 0); a
//! failure prints the seed, the scenario as YAML and how to rerun it alone.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::time::Instant;

use replisim::metrics::result::{BucketRow, RegionRow, WriteTrace};
use replisim::model::modes;
use replisim::model::{self, RunOptions, RunOutput};
use replisim::report::csv_out;
use replisim::scenario::{
    self, FailoverTarget, FaultKind, Mode, OutageClients, Scenario, SecondaryWrites, TableKind,
    Timestamps,
};

use crate::gen;

/// Scenarios checked by default (a third per mode); about one second per
/// hundred on two cores in the test profile.
const DEFAULT_CASES: u64 = 1_000;

fn cases() -> u64 {
    env_u64("REPLISIM_PROPERTY_CASES").unwrap_or(DEFAULT_CASES)
}

fn first_seed() -> u64 {
    env_u64("REPLISIM_PROPERTY_SEED").unwrap_or(0)
}

fn env_u64(name: &str) -> Option<u64> {
    let v = std::env::var(name).ok()?;
    Some(
        v.trim()
            .parse()
            .unwrap_or_else(|_| panic!("{name}={v}: not a whole number")),
    )
}

/// Runs `check` on every seed of `seeds`, catching panics, and fails with
/// the seeds (and scenarios) that broke.
fn for_each_seed(what: &str, seeds: impl Iterator<Item = u64>, mut check: impl FnMut(u64)) {
    let start = Instant::now();
    let mut failures = Vec::new();
    let mut count = 0u64;
    for seed in seeds {
        count += 1;
        if let Err(panic) = catch_unwind(AssertUnwindSafe(|| check(seed))) {
            let message = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default();
            failures.push((seed, message));
            if failures.len() >= 5 {
                break;
            }
        }
    }
    eprintln!(
        "{what}: {count} scenarios in {:.1} s",
        start.elapsed().as_secs_f64()
    );
    if let Some((seed, _)) = failures.first() {
        let mut report = String::new();
        for (seed, message) in &failures {
            report.push_str(&format!("seed {seed}: {message}\n"));
        }
        panic!(
            "{} of {count} scenarios failed:\n{report}\nfirst failing scenario:\n{}\nrerun it alone: \
             REPLISIM_PROPERTY_SEED={seed} REPLISIM_PROPERTY_CASES=1 cargo test --test it properties",
            failures.len(),
            scenario::to_yaml(&gen::scenario(*seed)),
        );
    }
}

fn seeds() -> std::ops::Range<u64> {
    let first = first_seed();
    first..first + cases()
}

fn traced(s: &Scenario) -> RunOutput {
    let options = RunOptions {
        trace: true,
        max_events: None,
    };
    model::run(s, &options, &mut |_| true).unwrap_or_else(|e| panic!("run failed: {e}"))
}

/// What the checked scenarios covered, printed after a run so that a
/// generator that drifts into trivial scenarios shows.
#[derive(Default)]
struct Coverage {
    scenarios: u64,
    by_mode: BTreeMap<&'static str, u64>,
    by_policy: BTreeMap<&'static str, u64>,
    with_faults: u64,
    never_ending: u64,
    converged: u64,
    writes: u64,
    lost: u64,
    conflicts: u64,
    inversions: u64,
    stale_reads: u64,
    deliveries: u64,
    delayed_by_down_link: u64,
    rejected: u64,
    forwarded: u64,
    rpo_lost: u64,
    failovers: u64,
    conflict_errors: u64,
    unavailable: u64,
}

#[test]
fn invariants_hold_on_random_scenarios() {
    let mut cov = Coverage::default();
    for_each_seed("invariants", seeds(), |seed| {
        check_invariants(&gen::scenario(seed), &mut cov)
    });
    eprintln!(
        "coverage: {} scenarios ({:?}, {:?}), {} with faults, {} with a never-ending fault, {} converged; \
         {} writes, {} lost, {} conflicts, {} causal inversions, {} stale reads, {} deliveries \
         ({} held back by a down link); single primary: {} rejected, {} forwarded, {} runs with \
         downtime, {} RPO lost; strong: {} conflict errors, {} unavailable",
        cov.scenarios,
        cov.by_mode,
        cov.by_policy,
        cov.with_faults,
        cov.never_ending,
        cov.converged,
        cov.writes,
        cov.lost,
        cov.conflicts,
        cov.inversions,
        cov.stale_reads,
        cov.deliveries,
        cov.delayed_by_down_link,
        cov.rejected,
        cov.forwarded,
        cov.failovers,
        cov.rpo_lost,
        cov.conflict_errors,
        cov.unavailable
    );
}

/// Every generated scenario is valid, and its canonical YAML loads back as
/// an equal scenario.
#[test]
fn generated_scenarios_round_trip_through_yaml() {
    for_each_seed("yaml round trip", seeds(), |seed| {
        let s = gen::scenario(seed);
        let text = scenario::to_yaml(&s);
        match scenario::load_str(&text, "gen.yaml", &[]) {
            Ok(back) => assert!(back == s, "loads back different:\n{text}"),
            Err(e) => panic!("generated scenario is invalid: {e}\n{text}"),
        }
    });
}

/// The CSV bytes (the files `run` writes, trace included) are the same for
/// the same scenario and seed.
#[test]
fn same_seed_gives_same_csv_bytes() {
    let first = first_seed();
    for_each_seed("csv bytes", (first..first + cases()).step_by(20), |seed| {
        let s = gen::scenario(seed);
        let bytes = |out: &RunOutput| {
            csv_out::all_files(&out.result, out.trace.as_ref())
                .unwrap_or_else(|e| panic!("csv: {e}"))
        };
        let a = bytes(&traced(&s));
        let b = bytes(&traced(&s));
        assert_eq!(a.len(), 9);
        for (x, y) in a.iter().zip(&b) {
            assert!(x == y, "{} differs between two runs", x.file_name);
        }
    });
}

/// A write's timestamp and origin rank: the last-writer-wins order.
type Stamp = (i64, u16);

/// The stamp of a key's initial version: below every write's (see
/// `initial_version_loses_to_every_write`).
const ROOT: Stamp = (i64::MIN, 0);

/// A down window `[start, end)` in nanoseconds; `None`: never ends.
type Window = (u64, Option<u64>);

/// A key: (table index, key within the table).
type Key = (usize, u64);

/// Down windows `[start, end)` of one ordered link, from the scenario's
/// faults (computed here, not by the engine's schedule).
fn down_windows(s: &Scenario) -> Vec<Vec<Vec<Window>>> {
    let n = s.regions.len();
    let mut down = vec![vec![Vec::new(); n]; n];
    for f in &s.faults {
        let w = (f.at.ns(), f.length_ns.map(|l| f.at.ns() + l));
        match &f.kind {
            FaultKind::Partition { links } => {
                for &(a, b) in links {
                    down[a][b].push(w);
                }
            }
            FaultKind::Isolate { region }
            | FaultKind::PauseReplication { region }
            | FaultKind::EndpointOutage {
                region,
                replication: replisim::scenario::EndpointReplication::Paused,
                ..
            } => {
                for o in (0..n).filter(|o| o != region) {
                    down[*region][o].push(w);
                    down[o][*region].push(w);
                }
            }
            // A region in an outage receives nothing; what it sent before
            // still lands (its own sends are not checked here).
            FaultKind::Outage { region, .. } => {
                for o in (0..n).filter(|o| o != region) {
                    down[o][*region].push(w);
                }
            }
            FaultKind::ClockStep { .. }
            | FaultKind::Switchover { .. }
            | FaultKind::Slowdown { .. }
            | FaultKind::EndpointOutage { .. } => {}
        }
    }
    down
}

fn close(exact_ms: f64, reported_ms: f64, rel: f64) -> bool {
    (exact_ms - reported_ms).abs() <= exact_ms.abs() * rel + 0.001
}

/// The mode of a scenario, as the checks need it.
#[derive(Clone, Copy, PartialEq, Eq)]
enum ModeIs {
    ActiveActive,
    /// Initial primary, whether secondaries forward, the named failover
    /// target (None: least_lag).
    SinglePrimary {
        primary: usize,
        forward: bool,
        target: Option<usize>,
    },
    /// The witness, if any.
    Strong {
        witness: Option<usize>,
    },
}

fn mode_is(s: &Scenario) -> ModeIs {
    match &s.replication.mode {
        Mode::ActiveActive => ModeIs::ActiveActive,
        Mode::SinglePrimary(sp) => ModeIs::SinglePrimary {
            primary: sp.primary,
            forward: sp.secondary_writes == SecondaryWrites::Forward,
            target: match sp.failover.target {
                FailoverTarget::Region(r) => Some(r),
                FailoverTarget::LeastLag => None,
            },
        },
        Mode::Strong(st) => ModeIs::Strong {
            witness: st.witness,
        },
    }
}

fn check_invariants(s: &Scenario, cov: &mut Coverage) {
    let out = traced(s);
    let mode = mode_is(s);
    let sp = matches!(mode, ModeIs::SinglePrimary { .. });

    // Determinism: the same run again, and a run without the trace, give
    // the same results.
    let again = traced(s);
    assert!(again.result == out.result, "same seed, different results");
    assert!(again.trace == out.trace, "same seed, different trace");
    let untraced = model::run(s, &RunOptions::default(), &mut |_| true)
        .unwrap_or_else(|e| panic!("run failed: {e}"));
    assert!(
        untraced.result == out.result,
        "keeping a trace changed the results"
    );

    let r = &out.result;
    let trace = out.trace.as_ref().expect("trace kept");
    let m = &r.summary;
    let x = &m.mode_extras;
    let n = s.regions.len();
    assert_eq!(m.mode, s.replication.mode.name());
    let region_of: HashMap<&str, usize> = s
        .regions
        .iter()
        .enumerate()
        .map(|(i, reg)| (reg.name.as_str(), i))
        .collect();
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| s.regions[a].name.cmp(&s.regions[b].name));
    let mut rank = vec![0u16; n];
    for (i, &reg) in order.iter().enumerate() {
        rank[reg] = i as u16;
    }
    let table_of: HashMap<&str, usize> = s
        .tables
        .iter()
        .enumerate()
        .map(|(i, t)| (t.name.as_str(), i))
        .collect();

    // Writes: ids 1..=N in order, one outcome each, and only the outcomes
    // the mode can produce: last writer wins loses writes to overwrites and
    // inversions, a single primary only to a failover (RPO), strong mode
    // never.
    let writes = &trace.writes;
    assert_eq!(writes.len() as u64, m.writes, "writes.csv rows vs writes");
    let mut origin = Vec::with_capacity(writes.len());
    let mut keys = Vec::with_capacity(writes.len());
    for (i, w) in writes.iter().enumerate() {
        assert_eq!(w.write_id, i as u64 + 1, "write ids in order from 1");
        let allowed = matches!(
            (mode, w.outcome, w.cause),
            (_, "survived", "")
                | (
                    ModeIs::ActiveActive,
                    "lost",
                    "overwritten" | "causal_inversion"
                )
                | (ModeIs::SinglePrimary { .. }, "lost", "rpo")
                // Held at the end only by regions in an outage, in any mode.
                | (_, "lost", "stranded")
        );
        assert!(
            allowed,
            "write {}: outcome {:?} in {}",
            w.write_id,
            (w.outcome, w.cause),
            m.mode
        );
        let x = region_of[w.region.as_str()];
        origin.push(x);
        let t = table_of[w.table.as_str()];
        assert!(w.key < u64::from(s.tables[t].keys), "key out of range");
        let counter = s.tables[t].kind == TableKind::Counter;
        assert_eq!(w.kind, if counter { "increment" } else { "put" });
        assert!(
            w.issue_ns < s.duration_ns,
            "write issued after the workload"
        );
        keys.push((t, w.key));
        if w.parent_id != 0 {
            let p = &writes[w.parent_id as usize - 1];
            assert!(w.parent_id < w.write_id, "parent issued later");
            assert_eq!((p.table.as_str(), p.key), (w.table.as_str(), w.key));
        }
        if s.replication.timestamps == Timestamps::TrueTime {
            if mode == ModeIs::ActiveActive {
                assert_eq!(w.timestamp_ns, w.issue_ns as i64, "true_time stamp");
            } else {
                // Applied later (forwarded) or pushed above the parent.
                assert!(w.timestamp_ns >= w.issue_ns as i64, "true_time stamp");
            }
        }
        if let ModeIs::Strong { witness: Some(wit) } = mode {
            assert_ne!(x, wit, "write {} at the witness", w.write_id);
        }
    }
    let stamp = |id: u64| -> Stamp {
        if id == 0 {
            ROOT
        } else {
            let w = &writes[id as usize - 1];
            (w.timestamp_ns, rank[origin[id as usize - 1]])
        }
    };

    // Summary figures recomputed from the trace.
    let lost = writes.iter().filter(|w| w.outcome == "lost").count() as u64;
    assert_eq!(lost, m.lost_writes, "lost rows vs lost_writes");
    let mut had_child: HashSet<((usize, u64), u64)> = HashSet::new();
    let mut conflicts = 0u64;
    let mut inverted = vec![false; writes.len()];
    for (i, w) in writes.iter().enumerate() {
        if !had_child.insert((keys[i], w.parent_id)) {
            conflicts += 1;
        }
        inverted[i] = stamp(w.write_id) <= stamp(w.parent_id);
        if w.cause == "causal_inversion" {
            assert!(inverted[i], "write {} lost as an inversion", w.write_id);
        }
    }
    assert_eq!(conflicts, m.conflicts, "conflicts");
    let inversions = inverted.iter().filter(|&&v| v).count() as u64;
    assert_eq!(inversions, m.causal_inversions, "causal inversions");
    let increments = writes.iter().filter(|w| w.kind == "increment").count() as u64;
    assert_eq!(increments, m.increments, "increments");
    if s.replication.timestamps == Timestamps::Hlc || mode != ModeIs::ActiveActive {
        // One writer per key: each write's timestamp is above its parent's.
        assert_eq!(inversions, 0, "causal inversions");
    }
    assert!(m.lost_writes <= m.writes && m.stale_reads <= m.reads);
    assert!(m.lost_write_rate >= 0.0 && m.lost_write_rate <= 1.0);

    // Regions and time buckets add up to the summary, and to the trace.
    assert_eq!(r.regions.len(), n);
    let mut per_region = vec![(0u64, 0u64); n];
    for (i, w) in writes.iter().enumerate() {
        per_region[origin[i]].0 += 1;
        per_region[origin[i]].1 += u64::from(w.outcome == "lost");
    }
    for (i, row) in r.regions.iter().enumerate() {
        assert_eq!(row.region, s.regions[i].name);
        assert_eq!(
            (row.writes, row.lost_writes),
            per_region[i],
            "{}: (writes, lost_writes) vs the trace",
            row.region
        );
        for v in [row.write_latency_p50_ms, row.write_latency_p99_ms] {
            assert!(
                v.is_finite() && v >= 0.0,
                "{}: write latency {v}",
                row.region
            );
        }
        assert!(row.write_latency_p50_ms <= row.write_latency_p99_ms * 1.02 + 0.001);
        if let ModeIs::Strong { witness: Some(wit) } = mode {
            if i == wit {
                assert_eq!(
                    (row.writes, row.reads),
                    (0, 0),
                    "the witness served clients"
                );
            }
        }
    }
    let sum = |f: fn(&RegionRow) -> u64| r.regions.iter().map(f).sum::<u64>();
    assert_eq!(sum(|x| x.reads), m.reads);
    assert_eq!(sum(|x| x.stale_reads), m.stale_reads);
    let mut per_bucket: BTreeMap<u64, (u64, u64)> = BTreeMap::new();
    for w in writes {
        let e = per_bucket.entry(w.issue_ns / s.bucket_ns).or_default();
        e.0 += 1;
        e.1 += u64::from(w.outcome == "lost");
    }
    for (i, b) in r.timeseries.iter().enumerate() {
        let (w, l) = per_bucket.remove(&(i as u64)).unwrap_or_default();
        assert_eq!(
            (b.writes, b.lost_writes),
            (w, l),
            "bucket {i}: (writes, lost_writes) vs the trace's issue times"
        );
    }
    assert!(per_bucket.is_empty(), "writes beyond the last bucket");
    let bsum = |f: fn(&BucketRow) -> u64| r.timeseries.iter().map(f).sum::<u64>();
    assert_eq!(bsum(|b| b.conflicts), m.conflicts);
    assert_eq!(bsum(|b| b.reads), m.reads);
    assert_eq!(bsum(|b| b.stale_reads), m.stale_reads);

    // Lag and write latency figures.
    for v in [
        m.lag_p50_ms,
        m.lag_p99_ms,
        m.lag_max_ms,
        m.convergence_ms,
        x.write_latency_p50_ms,
        x.write_latency_p99_ms,
        x.failover_ms,
        x.rpo_window_ms,
    ] {
        assert!(
            v.is_finite() && v >= 0.0,
            "a lag, latency or convergence figure is {v}"
        );
    }
    assert!(m.lag_p50_ms <= m.lag_p99_ms * 1.02 + 0.001);
    assert!(m.lag_p99_ms <= m.lag_max_ms * 1.02 + 0.001);
    assert!(x.write_latency_p50_ms <= x.write_latency_p99_ms * 1.02 + 0.001);

    // Deliveries, in every mode: in arrival order, never before the write
    // was issued, never after the drain limit, and never into a region
    // while it is out.
    let end = s.duration_ns + s.drain_limit_ns;
    let mut outages: Vec<Vec<Window>> = vec![Vec::new(); n];
    for f in &s.faults {
        if let FaultKind::Outage { region, .. } = f.kind {
            outages[region].push((f.at.ns(), f.length_ns.map(|l| f.at.ns() + l)));
        }
    }
    let mut previous = 0u64;
    let mut trace_max_lag = 0u64;
    for d in &trace.deliveries {
        assert!(d.write_id <= writes.len() as u64);
        let y = region_of[d.to.as_str()];
        if d.write_id == 0 {
            // A failover resynchronising a region to a key's initial
            // version (single primary only; the trace does not say which
            // key).
            assert!(sp && x.failover_ms > 0.0, "initial version delivered");
            assert!(d.arrive_ns >= previous, "deliveries out of arrival order");
            previous = d.arrive_ns;
            trace_max_lag = trace_max_lag.max(d.arrive_ns);
            continue;
        }
        let w = &writes[d.write_id as usize - 1];
        assert!(d.arrive_ns >= previous, "deliveries out of arrival order");
        previous = d.arrive_ns;
        assert!(
            d.arrive_ns >= w.issue_ns,
            "write {} arrives before it was issued",
            d.write_id
        );
        assert!(d.arrive_ns <= end, "arrival after the drain limit");
        trace_max_lag = trace_max_lag.max(d.arrive_ns - w.issue_ns);
        for &(start, stop) in &outages[y] {
            let a = d.arrive_ns;
            assert!(
                !(start < a && stop.is_none_or(|e| a < e)),
                "write {} arrives at {} during its outage [{start}, {stop:?})",
                d.write_id,
                d.to
            );
        }
    }
    let exact_ms = |ns: u64| ns as f64 / 1e6;

    let down = down_windows(s);
    let mut arrival: HashMap<(u64, usize), u64> = HashMap::new();
    if sp {
        check_single_primary_deliveries(s, &out, &region_of, &keys, exact_ms(trace_max_lag));
    } else {
        // Active-active and strong: a write is applied at its origin and
        // shipped from there. Each (write, other region) at most once,
        // FIFO per stream, never while the link is down.
        let mut seen: HashSet<(u64, usize)> = HashSet::new();
        // FIFO per stream, or per item on a stream.
        let per_item = s.replication.ordering == replisim::scenario::Ordering::Item
            && !matches!(s.replication.mode, Mode::SinglePrimary(_));
        let mut last_on_stream: HashMap<(usize, usize, String, u64), u64> = HashMap::new();
        let mut per_stream: HashMap<(usize, usize), (u64, u64)> = HashMap::new();
        let mut max_lag = 0u64;
        for d in &trace.deliveries {
            let w = &writes[d.write_id as usize - 1];
            let x = origin[d.write_id as usize - 1];
            let y = region_of[d.to.as_str()];
            assert_ne!(x, y, "write {} delivered to its origin", d.write_id);
            assert!(
                seen.insert((d.write_id, y)),
                "write {} delivered twice to {}",
                d.write_id,
                d.to
            );
            let item = if per_item {
                (w.table.clone(), w.key)
            } else {
                (String::new(), 0)
            };
            let lane = (x, y, item.0, item.1);
            if let Some(&last) = last_on_stream.get(&lane) {
                assert!(
                    last < d.write_id,
                    "stream {x}->{y} not FIFO: {} after {last}",
                    d.write_id
                );
            }
            last_on_stream.insert(lane, d.write_id);
            arrival.insert((d.write_id, y), d.arrive_ns);
            // From when it was sent: its issue, or later for a strong write
            // that waited for its region's previous write to the item.
            let lag = d.arrive_ns - w.applied_ns;
            max_lag = max_lag.max(lag);
            let e = per_stream.entry((x, y)).or_default();
            e.0 += 1;
            e.1 = e.1.max(lag);
            for &(start, stop) in &down[x][y] {
                // A message crosses while the link is up: it never arrives
                // strictly inside a down window (arriving the instant the
                // link goes down is arriving in time), and one issued while
                // the link is down is not sent before it heals.
                let a = d.arrive_ns;
                assert!(
                    !(start < a && stop.is_none_or(|e| a < e)),
                    "write {} arrives at {} ns on {x}->{y}, down [{start}, {stop:?})",
                    d.write_id,
                    a
                );
                if w.issue_ns >= start && stop.is_none_or(|e| w.issue_ns < e) {
                    let stop = stop.unwrap_or_else(|| {
                        panic!("write {} crossed a link that never comes back", d.write_id)
                    });
                    assert!(
                        a >= stop,
                        "write {} sent before its link healed",
                        d.write_id
                    );
                    cov.delayed_by_down_link += 1;
                }
            }
        }
        // Writes that never arrived count as censored lags, at least the
        // run's end minus their issue: above any delivered one.
        assert!(
            close(exact_ms(max_lag), m.lag_max_ms, 0.0)
                || (m.undelivered > 0 && m.lag_max_ms >= exact_ms(max_lag) - 0.001),
            "lag_max_ms {} vs trace {}",
            m.lag_max_ms,
            exact_ms(max_lag)
        );
        for link in &r.links {
            let key = (region_of[link.from.as_str()], region_of[link.to.as_str()]);
            let (count, lag) = per_stream.get(&key).copied().unwrap_or_default();
            assert_eq!(
                link.deliveries, count,
                "{} -> {} deliveries",
                link.from, link.to
            );
            assert!(
                close(exact_ms(lag), link.lag_max_ms, 0.0)
                    || (link.undelivered > 0 && link.lag_max_ms >= exact_ms(lag) - 0.001),
                "{} -> {} lag max",
                link.from,
                link.to
            );
            for v in [link.lag_p50_ms, link.lag_p90_ms, link.lag_p99_ms] {
                assert!(v >= 0.0 && v <= link.lag_max_ms * 1.02 + 0.001);
            }
        }

        // Last writer wins, replayed per (region, key): an applied delivery
        // beats everything installed there before it; a dropped one does
        // not beat what was installed by then. Local writes at the same
        // instant as a delivery may have come before or after it, so each
        // check counts them on its lenient side.
        let mut local: HashMap<(usize, Key), Vec<(u64, Stamp)>> = HashMap::new();
        for (i, w) in writes.iter().enumerate() {
            if !inverted[i] {
                local
                    .entry((origin[i], keys[i]))
                    .or_default()
                    .push((w.issue_ns, stamp(w.write_id)));
            }
        }
        let mut applied_max: HashMap<(usize, Key), Stamp> = HashMap::new();
        for d in &trace.deliveries {
            let i = d.write_id as usize - 1;
            let y = region_of[d.to.as_str()];
            let cell = (y, keys[i]);
            let st = stamp(d.write_id);
            let delivered = applied_max.get(&cell).copied().unwrap_or(ROOT);
            let locals = local.get(&cell).map(Vec::as_slice).unwrap_or(&[]);
            let best_before = locals
                .iter()
                .filter(|(t, _)| *t < d.arrive_ns)
                .map(|l| l.1)
                .fold(delivered, Stamp::max);
            let best_until = locals
                .iter()
                .filter(|(t, _)| *t <= d.arrive_ns)
                .map(|l| l.1)
                .fold(delivered, Stamp::max);
            if d.applied {
                assert!(
                    st > best_before,
                    "write {} applied at {} but does not win",
                    d.write_id,
                    d.to
                );
                assert!(st > delivered);
                applied_max.insert(cell, st);
            } else {
                assert!(
                    st <= best_until,
                    "write {} dropped at {} but wins",
                    d.write_id,
                    d.to
                );
            }
        }
    }

    // Convergence.
    let all_healed = s.last_fault_end().is_some();
    // Counter identity, converged or not: increments minus the final
    // values equals the lost increment writes.
    let lost_increments = writes
        .iter()
        .filter(|w| w.kind == "increment" && w.outcome == "lost")
        .count() as u64;
    assert_eq!(m.lost_increments, lost_increments, "lost_increments");
    assert_eq!(
        m.increments - m.counter_total,
        lost_increments,
        "counter identity"
    );
    let stranded = writes.iter().filter(|w| w.cause == "stranded").count() as u64;
    assert_eq!(m.stranded_writes, stranded, "stranded_writes");
    if m.converged {
        assert_eq!(m.stranded_writes, 0);
        assert_eq!(m.undelivered, 0);
        if !sp {
            assert_eq!(
                trace.deliveries.len() as u64,
                m.writes * (n as u64 - 1),
                "converged, but not every write reached every region"
            );
        }
    }
    if all_healed {
        assert!(m.converged, "every fault healed, yet not converged");
    }
    // A never-ending down window on a link, with a write issued at its
    // origin after it began: that write never arrives, so no convergence.
    for (xr, row) in down.iter().enumerate().filter(|_| !sp) {
        for (y, windows) in row.iter().enumerate().filter(|(y, _)| *y != xr) {
            let Some(start) = windows.iter().filter(|w| w.1.is_none()).map(|w| w.0).min() else {
                continue;
            };
            if let Some((i, _)) = writes
                .iter()
                .enumerate()
                .find(|(i, w)| origin[*i] == xr && w.issue_ns >= start)
            {
                assert!(!arrival.contains_key(&(i as u64 + 1, y)));
                assert!(!m.converged, "a write can never reach {y}, yet converged");
                assert!(m.undelivered > 0);
            }
        }
    }

    // Lineage outcomes in a converged run.
    if m.converged {
        let mut winner: HashMap<Key, u64> = HashMap::new();
        if mode == ModeIs::ActiveActive {
            // The final version of a key is its greatest stamp (earlier
            // write first among equals, the initial version first of all).
            for (i, w) in writes.iter().enumerate() {
                let best = winner.entry(keys[i]).or_insert(0);
                if stamp(w.write_id) > stamp(*best) {
                    *best = w.write_id;
                }
            }
        } else {
            // One writer per key: the writes that were not lost form one
            // chain per key in the order they were applied (id order),
            // each built on the one before; the last is the final version.
            for (i, w) in writes.iter().enumerate() {
                if w.outcome == "lost" {
                    continue;
                }
                let prev = winner.insert(keys[i], w.write_id).unwrap_or(0);
                assert_eq!(
                    w.parent_id, prev,
                    "write {} not built on the key's previous surviving write",
                    w.write_id
                );
            }
        }
        let mut survived = vec![false; writes.len() + 1];
        for &id in winner.values() {
            let mut id = id;
            while id != 0 && !survived[id as usize] {
                survived[id as usize] = true;
                id = writes[id as usize - 1].parent_id;
            }
        }
        for w in writes {
            let want = if survived[w.write_id as usize] {
                "survived"
            } else {
                "lost"
            };
            assert_eq!(w.outcome, want, "write {} (converged run)", w.write_id);
        }
        for d in trace.deliveries.iter().filter(|_| !sp) {
            if winner.get(&keys[d.write_id as usize - 1]) == Some(&d.write_id) {
                assert!(
                    d.applied,
                    "final version {} not applied at {}",
                    d.write_id, d.to
                );
            }
        }
        let mut total = 0u64;
        for (&(t, _), &id) in &winner {
            if s.tables[t].kind == TableKind::Counter {
                let mut id = id;
                while id != 0 {
                    total += 1;
                    id = writes[id as usize - 1].parent_id;
                }
            }
        }
        assert_eq!(m.counter_total, total, "counter values vs chains");
    }

    // With true time (active-active), a write is lost only to a write on
    // the same key from another region that was issued before the lost one
    // reached it (so less than the largest lag after it), or, at the very
    // same instant from the same region, to one issued just before it.
    if s.replication.timestamps == Timestamps::TrueTime && mode == ModeIs::ActiveActive {
        let mut by_key: HashMap<Key, Vec<usize>> = HashMap::new();
        for (i, key) in keys.iter().enumerate() {
            by_key.entry(*key).or_default().push(i);
        }
        for (i, w) in writes.iter().enumerate() {
            // A stranded write lost no comparison: it never left a region
            // that stayed down (checked with the stranded figures above).
            if w.outcome != "lost" || w.cause == "stranded" {
                continue;
            }
            let partner = by_key[&keys[i]].iter().find(|&&j| {
                let v: &WriteTrace = &writes[j];
                let y = origin[j];
                if y == origin[i] {
                    return v.issue_ns == w.issue_ns && j < i;
                }
                let reached = arrival.get(&(w.write_id, y)).copied().unwrap_or(u64::MAX);
                v.issue_ns >= w.issue_ns && v.issue_ns <= reached
            });
            let Some(&j) = partner else {
                panic!(
                    "write {} lost under true_time with no concurrent write",
                    w.write_id
                );
            };
            if s.faults.is_empty() {
                let gap = exact_ms(writes[j].issue_ns - w.issue_ns);
                assert!(
                    gap <= m.lag_max_ms,
                    "lost write {} vs partner {} apart",
                    w.write_id,
                    gap
                );
            }
        }
    }

    // The mode's own promises.
    match mode {
        ModeIs::ActiveActive => {
            assert_eq!(
                (
                    x.rejected_writes,
                    x.forwarded_writes,
                    x.write_conflict_errors,
                    x.unavailable_writes,
                    x.rpo_lost_writes
                ),
                (0, 0, 0, 0, 0),
                "single-primary or strong figures in active-active"
            );
            assert_eq!((x.failover_ms, x.write_latency_p99_ms), (0.0, 0.0));
        }
        ModeIs::SinglePrimary { .. } => check_single_primary(s, &out, mode, &region_of),
        ModeIs::Strong { .. } => {
            // Only writes stranded in a region that never came back.
            assert_eq!(
                (m.lost_writes, m.conflicts),
                (m.stranded_writes, 0),
                "strong mode lost a write"
            );
            assert_eq!(
                (x.rejected_writes, x.forwarded_writes, x.rpo_lost_writes),
                (0, 0, 0)
            );
            assert_eq!(x.failover_ms, 0.0);
            // Each key's writes form one chain in the order they were
            // accepted, converged or not.
            let mut last: HashMap<Key, u64> = HashMap::new();
            for (i, w) in writes.iter().enumerate() {
                let prev = last.insert(keys[i], w.write_id).unwrap_or(0);
                assert_eq!(
                    w.parent_id, prev,
                    "strong write {} not built on the key's previous write",
                    w.write_id
                );
                assert!(w.outcome == "survived" || w.cause == "stranded");
            }
            // A write is accepted only when its region reaches another
            // (up, both links up) when it is sent (its issue, or later when
            // it waited for the region's previous write to the item).
            let up = |windows: &[Window], t: u64| {
                !windows
                    .iter()
                    .any(|&(a, b)| t >= a && b.is_none_or(|b| t < b))
            };
            for (i, w) in writes.iter().enumerate() {
                let xr = origin[i];
                let t = w.applied_ns;
                assert!(t >= w.issue_ns);
                assert!(
                    (0..n)
                        .filter(|&y| y != xr)
                        .any(|y| up(&outages[y], t) && up(&down[xr][y], t) && up(&down[y][xr], t)),
                    "strong write {} accepted at {} with no region reachable",
                    w.write_id,
                    w.region
                );
            }
        }
    }
    check_fault_rows(s, &out, mode);
    if mode == ModeIs::ActiveActive {
        check_visibility(s, &out);
    }
    if mode != ModeIs::ActiveActive {
        check_same_clients_as_active_active(s, &out);
    }

    cov.scenarios += 1;
    *cov.by_mode.entry(s.replication.mode.name()).or_default() += 1;
    *cov.by_policy
        .entry(s.replication.timestamps.name())
        .or_default() += 1;
    cov.with_faults += u64::from(!s.faults.is_empty());
    cov.never_ending += u64::from(!all_healed);
    cov.converged += u64::from(m.converged);
    cov.writes += m.writes;
    cov.lost += m.lost_writes;
    cov.conflicts += m.conflicts;
    cov.inversions += m.causal_inversions;
    cov.stale_reads += m.stale_reads;
    cov.deliveries += trace.deliveries.len() as u64;
    cov.rejected += x.rejected_writes;
    cov.forwarded += x.forwarded_writes;
    cov.rpo_lost += x.rpo_lost_writes;
    cov.failovers += u64::from(sp && x.failover_ms > 0.0);
    cov.conflict_errors += x.write_conflict_errors;
    cov.unavailable += x.unavailable_writes;
}

/// t-visibility against the trace, under active-active: what a region
/// holds at any moment is the greatest stamp (timestamp, then region name)
/// among the writes its own clients issued and the deliveries it received
/// so far, so a write becomes visible there at the first such moment, at
/// or after its issue, when that greatest stamp is at least its own. Each
/// point of each curve is the share of the writing region's writes
/// visible within the point's delay, exactly.
fn check_visibility(s: &Scenario, out: &RunOutput) {
    let r = &out.result;
    let trace = out.trace.as_ref().expect("trace kept");
    let n = s.regions.len();
    let region_of = |name: &str| s.regions.iter().position(|x| x.name == name).unwrap();
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| s.regions[a].name.cmp(&s.regions[b].name));
    let mut rank = vec![0usize; n];
    for (i, &x) in order.iter().enumerate() {
        rank[x] = i;
    }
    let stamp = |w: &WriteTrace| (w.timestamp_ns, rank[region_of(&w.region)]);
    // Per (key, region): (time, stamp) of everything it was offered.
    type Key<'a> = (&'a str, u64);
    /// A time and the stamp offered then.
    type Offer = (u64, (i64, usize));
    let mut offered: HashMap<(Key, usize), Vec<Offer>> = HashMap::new();
    for w in &trace.writes {
        let k = (w.table.as_str(), w.key);
        offered
            .entry((k, region_of(&w.region)))
            .or_default()
            .push((w.applied_ns, stamp(w)));
    }
    for d in &trace.deliveries {
        let w = &trace.writes[d.write_id as usize - 1];
        let k = (w.table.as_str(), w.key);
        offered
            .entry((k, region_of(&d.to)))
            .or_default()
            .push((d.arrive_ns, stamp(w)));
    }
    // Running maximum, in time order.
    for v in offered.values_mut() {
        v.sort();
        for i in 1..v.len() {
            v[i].1 = v[i].1.max(v[i - 1].1);
        }
    }
    let mut delays: Vec<Vec<Vec<u64>>> = vec![vec![Vec::new(); n]; n];
    let mut writes = vec![0u64; n];
    for w in &trace.writes {
        let a = region_of(&w.region);
        writes[a] += 1;
        let k = (w.table.as_str(), w.key);
        for (b, per_b) in delays[a].iter_mut().enumerate() {
            let Some(v) = offered.get(&(k, b)) else {
                continue;
            };
            // The first moment at or after the write's application when
            // the region holds it or better.
            let before = v.partition_point(|e| e.0 <= w.applied_ns);
            let seen = if before > 0 && v[before - 1].1 >= stamp(w) {
                Some(w.applied_ns)
            } else {
                v[before..].iter().find(|e| e.1 >= stamp(w)).map(|e| e.0)
            };
            if let Some(t) = seen {
                per_b.push(t - w.issue_ns);
            }
        }
    }
    let with_writes = writes.iter().filter(|&&w| w > 0).count();
    assert_eq!(r.visibility.len(), with_writes * n, "one curve per pair");
    for c in &r.visibility {
        let (a, b) = (region_of(&c.from), region_of(&c.to));
        assert_eq!(c.writes, writes[a]);
        let ds = &delays[a][b];
        for p in &c.points {
            let g = (p.after_ms * 1e6).round() as u64;
            let within = ds.iter().filter(|&&d| d <= g).count();
            assert_eq!(
                p.p_visible,
                within as f64 / writes[a] as f64,
                "{} → {} at {} ms",
                c.from,
                c.to,
                p.after_ms
            );
        }
        let last = c.points.last().unwrap();
        assert_eq!(last.p_visible, ds.len() as f64 / writes[a] as f64);
        if r.summary.converged {
            assert_eq!(
                ds.len() as u64,
                writes[a],
                "converged: every write seen everywhere"
            );
        }
    }
}

/// `faults.csv` against the trace: one row per fault; window counts are
/// the writes (and lost writes) whose issue time falls in [start, end);
/// instants have none. Under active-active (where every message is a
/// write's own, sent when it was applied) a catch-up that was not cut off
/// is the last arrival, at or after the end, of a write applied before it.
fn check_fault_rows(s: &Scenario, out: &RunOutput, mode: ModeIs) {
    let r = &out.result;
    let trace = out.trace.as_ref().expect("trace kept");
    assert_eq!(
        r.fault_rows.len(),
        s.faults.len(),
        "one faults.csv row per fault"
    );
    for (f, row) in s.faults.iter().zip(&r.fault_rows) {
        let start = f.at.ns();
        let end = f.end().map(|e| e.ns());
        if end == Some(start) {
            assert_eq!(
                (row.writes, row.lost_writes, row.stale_reads),
                (None, None, None)
            );
            continue;
        }
        let inside = |t: u64| t >= start && end.is_none_or(|e| t < e);
        let w = trace.writes.iter().filter(|w| inside(w.issue_ns));
        let lost = w.clone().filter(|w| w.outcome == "lost").count() as u64;
        assert_eq!(
            row.writes,
            Some(w.count() as u64),
            "writes during fault {}",
            row.fault
        );
        assert_eq!(
            row.lost_writes,
            Some(lost),
            "lost writes during fault {}",
            row.fault
        );
        assert!(row.stale_reads.unwrap() <= r.summary.stale_reads);
        assert!(row.max_backlog.unwrap_or(0) <= r.summary.max_backlog);
        let (Some(e), ModeIs::ActiveActive) = (end, mode) else {
            continue;
        };
        if row.catch_up_censored {
            continue;
        }
        let last = trace
            .deliveries
            .iter()
            .filter(|d| trace.writes[d.write_id as usize - 1].applied_ns < e && d.arrive_ns >= e)
            .map(|d| d.arrive_ns - e)
            .max()
            .unwrap_or(0);
        let want = replisim::sim::time::ns_to_ms(last);
        assert_eq!(
            row.catch_up_ms,
            Some(want),
            "catch-up of fault {}",
            row.fault
        );
    }
}

/// Common random numbers: the scenario under active-active sends exactly
/// the same client operations, so every write attempt of this mode shows
/// there: as a write there, the same region, instant, table and key for
/// each write made here, and in the counts, `writes + failed_writes`
/// there equals this mode's writes plus those it refused (rejected,
/// conflict errors, unavailable) plus its failed ones. Reads are local in
/// every mode: the same count.
fn check_same_clients_as_active_active(s: &Scenario, out: &RunOutput) {
    let aa_s = modes::for_mode(s, "active_active").expect("active-active runs anything");
    let aa = traced(&aa_s);
    let (m, a) = (&out.result.summary, &aa.result.summary);
    let x = &m.mode_extras;
    // A strong-mode witness takes no clients, so clients rerouted from an
    // outage may go elsewhere than under active-active (where the witness
    // is an ordinary region), or find no region and fail: then only the
    // operations themselves (when, which key) are the same.
    let witness_reroutes = matches!(&s.replication.mode, Mode::Strong(st) if st.witness.is_some())
        && s.faults.iter().any(|f| {
            matches!(
                f.kind,
                FaultKind::Outage {
                    clients: OutageClients::Reroute,
                    ..
                }
            )
        });
    if witness_reroutes {
        assert_eq!(
            m.reads + m.failed_reads,
            a.reads + a.failed_reads,
            "read attempts differ from active-active's"
        );
    } else {
        assert_eq!(
            (m.reads, m.failed_reads, m.failed_writes, m.rerouted_ops),
            (a.reads, a.failed_reads, a.failed_writes, a.rerouted_ops),
            "(reads, failed reads, failed writes, rerouted ops) differ from active-active's"
        );
    }
    let refused = x.rejected_writes + x.write_conflict_errors + x.unavailable_writes;
    assert_eq!(
        m.writes + refused + m.failed_writes,
        a.writes + a.failed_writes,
        "write attempts: {} writes + {} refused + {} failed here, {} writes + {} failed in active-active",
        m.writes,
        refused,
        m.failed_writes,
        a.writes,
        a.failed_writes
    );
    let op = |w: &WriteTrace| {
        let region = if witness_reroutes {
            String::new()
        } else {
            w.region.clone()
        };
        (region, w.issue_ns, w.table.clone(), w.key)
    };
    let mut attempts: HashMap<(String, u64, String, u64), u64> = HashMap::new();
    for w in &aa.trace.as_ref().expect("trace kept").writes {
        *attempts.entry(op(w)).or_default() += 1;
    }
    for w in &out.trace.as_ref().expect("trace kept").writes {
        let left = attempts.get_mut(&op(w));
        match left {
            Some(c) if *c > 0 => *c -= 1,
            _ => panic!(
                "write {} ({} at {} ns on {} key {}) is no client write of the active-active run",
                w.write_id, w.region, w.issue_ns, w.table, w.key
            ),
        }
    }
}

/// Single-primary deliveries. The sender of a delivery is not in the
/// trace (the primary at the time, or a new primary resynchronising), so
/// these checks need no sender: the streams carry what the links say,
/// each region receives the primary's log in apply order (write ids are
/// given in apply order, so ids rise), and only a promotion (a stretch of
/// refused writes, `failover_ms > 0`) may resend a version or send an
/// older one, and an older one only to replace a version the failover
/// lost.
fn check_single_primary_deliveries(
    s: &Scenario,
    out: &RunOutput,
    region_of: &HashMap<&str, usize>,
    keys: &[Key],
    trace_max_lag_ms: f64,
) {
    let r = &out.result;
    let m = &r.summary;
    let x = &m.mode_extras;
    let trace = out.trace.as_ref().expect("trace kept");
    let writes = &trace.writes;
    // Forwarded writes' trips to the primary show as deliveries; they
    // cross no replication stream.
    let on_streams: u64 = r.links.iter().map(|l| l.deliveries).sum();
    assert_eq!(
        on_streams + x.forwarded_writes,
        trace.deliveries.len() as u64,
        "stream deliveries + forwarded writes vs deliveries.csv"
    );
    // Replication lag counts from the write's application at the primary
    // (or a resynchronisation), not before the client issued it.
    assert!(
        m.lag_max_ms <= trace_max_lag_ms + 0.001 || m.undelivered > 0,
        "lag_max_ms {} above the trace's largest arrival - issue {}",
        m.lag_max_ms,
        trace_max_lag_ms
    );
    let promoted = x.failover_ms > 0.0;
    let mut lost_above: HashMap<Key, u64> = HashMap::new();
    for (i, w) in writes.iter().enumerate() {
        if w.outcome == "lost" {
            let e = lost_above.entry(keys[i]).or_default();
            *e = (*e).max(w.write_id);
        }
    }
    let mut seen: HashSet<(u64, usize)> = HashSet::new();
    let mut last_to: Vec<u64> = vec![0; s.regions.len()];
    let mut last_cell: HashMap<(usize, Key), u64> = HashMap::new();
    for d in trace.deliveries.iter().filter(|d| d.write_id != 0) {
        let y = region_of[d.to.as_str()];
        let key = keys[d.write_id as usize - 1];
        if !seen.insert((d.write_id, y)) {
            assert!(
                x.rpo_lost_writes > 0,
                "write {} delivered twice to {} without a failover loss",
                d.write_id,
                d.to
            );
        }
        if !promoted {
            assert!(
                d.write_id > last_to[y],
                "{} receives write {} after {}: not the primary's apply order",
                d.to,
                d.write_id,
                last_to[y]
            );
            assert!(d.applied, "write {} not applied at {}", d.write_id, d.to);
        }
        last_to[y] = last_to[y].max(d.write_id);
        if d.applied {
            let prev = last_cell.insert((y, key), d.write_id).unwrap_or(0);
            if d.write_id <= prev && m.converged {
                // Going back on a key: only to replace a lost version.
                assert!(
                    lost_above.get(&key).is_some_and(|&l| l > d.write_id),
                    "{} goes back from write {prev} to {} on a key with no loss",
                    d.to,
                    d.write_id
                );
            }
        }
    }
}

/// Single-primary promises: one writer, so nothing is lost or conflicts
/// unless a failover cut the primary's log; what a failover loses is
/// exactly the RPO figure, marked `rpo`, and never reached the new primary.
fn check_single_primary(
    s: &Scenario,
    out: &RunOutput,
    mode: ModeIs,
    region_of: &HashMap<&str, usize>,
) {
    let ModeIs::SinglePrimary {
        primary,
        forward,
        target,
    } = mode
    else {
        unreachable!()
    };
    let m = &out.result.summary;
    let x = &m.mode_extras;
    let trace = out.trace.as_ref().expect("trace kept");
    let writes = &trace.writes;
    assert_eq!((x.write_conflict_errors, x.unavailable_writes), (0, 0));
    assert!(x.forwarded_writes <= m.writes);
    let switchover_targets: Vec<usize> = s
        .faults
        .iter()
        .filter_map(|f| match f.kind {
            FaultKind::Switchover { to } => Some(to),
            _ => None,
        })
        .collect();
    let outage_of = |r: usize| {
        s.faults
            .iter()
            .any(|f| matches!(f.kind, FaultKind::Outage { region, .. } if region == r))
    };
    let any_outage = (0..s.regions.len()).any(outage_of);
    if !forward {
        assert_eq!(x.forwarded_writes, 0, "forwarded writes under reject");
        assert_eq!(x.write_latency_p99_ms, 0.0, "write latency under reject");
        // Every write was made by a region that was primary at the time.
        for w in writes {
            let reg = region_of[w.region.as_str()];
            assert!(
                reg == primary
                    || switchover_targets.contains(&reg)
                    || target.is_none_or(|t| t == reg),
                "write {} made by {}, never a primary",
                w.write_id,
                w.region
            );
        }
    }
    if !any_outage || (!outage_of(primary) && switchover_targets.is_empty()) {
        assert_eq!(
            (m.lost_writes, m.conflicts, x.rpo_lost_writes),
            (0, 0, 0),
            "single primary without a primary outage: (lost, conflicts, rpo lost)"
        );
        assert_eq!(x.rpo_window_ms, 0.0);
    }
    if !outage_of(primary) && switchover_targets.is_empty() {
        assert_eq!(x.failover_ms, 0.0, "downtime without a primary outage");
    }
    // What a failover loses: `rpo` (or `stranded`, held only by an old
    // primary that never came back), every lost write counted by
    // rpo_lost_writes, converged or not.
    assert_eq!(m.lost_writes, x.rpo_lost_writes, "lost vs rpo_lost_writes");
    for w in writes.iter().filter(|w| w.outcome == "lost") {
        assert!(
            w.cause == "rpo" || w.cause == "stranded",
            "write {}: lost as {:?} in single primary",
            w.write_id,
            w.cause
        );
    }
    if x.rpo_lost_writes == 0 {
        assert_eq!(x.rpo_window_ms, 0.0);
    }
    if let Some(t) = target {
        // The named target is never out, so it is the new primary of every
        // failover: a lost write never reached it.
        let never: HashSet<u64> = writes
            .iter()
            .filter(|w| w.outcome == "lost")
            .map(|w| w.write_id)
            .collect();
        for d in &trace.deliveries {
            assert!(
                !(never.contains(&d.write_id) && region_of[d.to.as_str()] == t),
                "lost write {} was delivered to the new primary {}",
                d.write_id,
                d.to
            );
        }
        // With no switchover there is at most one failover: the RPO
        // window is the span of the lost writes' commit times at the old
        // primary (the initial one): when a forwarded write reached it,
        // else when its own client issued it.
        if switchover_targets.is_empty() && m.converged && m.lost_writes > 0 {
            let old = &s.regions[primary].name;
            let forwarded_at: HashMap<u64, u64> = trace
                .deliveries
                .iter()
                .filter(|d| &d.to == old)
                .map(|d| (d.write_id, d.arrive_ns))
                .collect();
            let commits = writes.iter().filter(|w| w.outcome == "lost").map(|w| {
                if &w.region == old {
                    w.issue_ns
                } else {
                    forwarded_at[&w.write_id]
                }
            });
            let span = commits.clone().max().unwrap() - commits.min().unwrap();
            assert!(
                close(span as f64 / 1e6, x.rpo_window_ms, 0.0),
                "rpo_window_ms {} vs the lost writes' commit span {} ms",
                x.rpo_window_ms,
                span as f64 / 1e6
            );
        }
    }
}

/// Writes generated scenarios as YAML into the folder named by
/// `REPLISIM_WRITE_CORPUS` (the fuzzers' seed corpus, see fuzz/README.md);
/// `REPLISIM_PROPERTY_CASES` sets how many.
#[test]
#[ignore = "writes files; run by hand to seed the fuzzers"]
fn write_fuzz_corpus() {
    let dir = std::env::var("REPLISIM_WRITE_CORPUS").expect("REPLISIM_WRITE_CORPUS=<folder>");
    std::fs::create_dir_all(&dir).unwrap();
    for seed in seeds() {
        let path = std::path::Path::new(&dir).join(format!("gen-{seed}.yaml"));
        std::fs::write(path, scenario::to_yaml(&gen::scenario(seed))).unwrap();
    }
}

/// A lone write is never lost, whatever its timestamp: the initial version
/// ranks below every write. (Found by these properties: with the initial
/// version at timestamp 0 from rank 0, a write stamped below 0, by a clock
/// behind true time early in the run, or exactly 0 from the alphabetically
/// first region, was a causal inversion and lost, even under `hlc` and
/// `true_time`.)
#[test]
fn initial_version_loses_to_every_write() {
    use crate::common::*;
    use replisim::scenario::Timestamps;
    for (policy, offset_ns, at_ms) in [
        (Timestamps::Hlc, -100 * MS as i64, 50),
        (Timestamps::Wall, -100 * MS as i64, 50),
        (Timestamps::TrueTime, 0, 0),
    ] {
        let mut s = base(2, 10 * MS, 1, S);
        s.replication.timestamps = policy;
        s.regions[0].clock.offset_ns = offset_ns;
        s.script = vec![op(at_ms, 0, 0, true)];
        let m = run(&s).result.summary;
        assert_eq!(
            (m.writes, m.lost_writes, m.causal_inversions),
            (1, 0, 0),
            "{policy:?}: a lone write is lost"
        );
    }
}
