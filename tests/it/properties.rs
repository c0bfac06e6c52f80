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
use replisim::model::{self, RunOptions, RunOutput};
use replisim::report::csv_out;
use replisim::scenario::{self, FaultKind, Scenario, TableKind, Timestamps};

use crate::gen;

/// Scenarios checked by default; about two seconds per hundred on two cores
/// in the test profile.
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
}

#[test]
fn invariants_hold_on_random_scenarios() {
    let mut cov = Coverage::default();
    for_each_seed("invariants", seeds(), |seed| {
        check_invariants(&gen::scenario(seed), &mut cov)
    });
    eprintln!(
        "coverage: {} scenarios ({:?}), {} with faults, {} with a never-ending fault, {} converged; \
         {} writes, {} lost, {} conflicts, {} causal inversions, {} stale reads, {} deliveries \
         ({} held back by a down link)",
        cov.scenarios,
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
        cov.delayed_by_down_link
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
        assert_eq!(a.len(), 6);
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
        let w = (f.at.ns(), f.length.map(|l| f.at.ns() + l));
        match &f.kind {
            FaultKind::Partition { links } => {
                for &(a, b) in links {
                    down[a][b].push(w);
                }
            }
            FaultKind::Isolate { region } | FaultKind::Outage { region, .. } => {
                for o in (0..n).filter(|o| o != region) {
                    down[*region][o].push(w);
                    down[o][*region].push(w);
                }
            }
            FaultKind::ClockStep { .. } | FaultKind::Switchover { .. } => {}
        }
    }
    down
}

fn close(exact_ms: f64, reported_ms: f64, rel: f64) -> bool {
    (exact_ms - reported_ms).abs() <= exact_ms.abs() * rel + 0.001
}

fn check_invariants(s: &Scenario, cov: &mut Coverage) {
    let out = traced(s);

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
    let n = s.regions.len();
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

    // Writes: ids 1..=N in order, one outcome each.
    let writes = &trace.writes;
    assert_eq!(writes.len() as u64, m.writes, "writes.csv rows vs writes");
    let mut origin = Vec::with_capacity(writes.len());
    let mut keys = Vec::with_capacity(writes.len());
    for (i, w) in writes.iter().enumerate() {
        assert_eq!(w.write_id, i as u64 + 1, "write ids in order from 1");
        match (w.outcome, w.cause) {
            ("survived", "") | ("lost", "overwritten") | ("lost", "causal_inversion") => {}
            other => panic!("write {}: outcome {other:?}", w.write_id),
        }
        let x = region_of[w.region.as_str()];
        origin.push(x);
        let t = table_of[w.table.as_str()];
        assert!(w.key < u64::from(s.tables[t].keys), "key out of range");
        let counter = s.tables[t].kind == TableKind::Counter;
        assert_eq!(w.kind, if counter { "increment" } else { "put" });
        assert!(w.issue_ns < s.duration, "write issued after the workload");
        keys.push((t, w.key));
        if w.parent_id != 0 {
            let p = &writes[w.parent_id as usize - 1];
            assert!(w.parent_id < w.write_id, "parent issued later");
            assert_eq!((p.table.as_str(), p.key), (w.table.as_str(), w.key));
        }
        if s.replication.timestamps == Timestamps::TrueTime {
            assert_eq!(w.timestamp_ns, w.issue_ns as i64, "true_time stamp");
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
    if s.replication.timestamps == Timestamps::Hlc {
        assert_eq!(inversions, 0, "causal inversions under hlc");
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
            "{}",
            row.region
        );
    }
    let sum = |f: fn(&RegionRow) -> u64| r.regions.iter().map(f).sum::<u64>();
    assert_eq!(sum(|x| x.reads), m.reads);
    assert_eq!(sum(|x| x.stale_reads), m.stale_reads);
    let mut per_bucket: BTreeMap<u64, (u64, u64)> = BTreeMap::new();
    for w in writes {
        let e = per_bucket.entry(w.issue_ns / s.bucket).or_default();
        e.0 += 1;
        e.1 += u64::from(w.outcome == "lost");
    }
    for (i, b) in r.timeseries.iter().enumerate() {
        let (w, l) = per_bucket.remove(&(i as u64)).unwrap_or_default();
        assert_eq!((b.writes, b.lost_writes), (w, l), "bucket {i}");
    }
    assert!(per_bucket.is_empty(), "writes beyond the last bucket");
    let bsum = |f: fn(&BucketRow) -> u64| r.timeseries.iter().map(f).sum::<u64>();
    assert_eq!(bsum(|b| b.conflicts), m.conflicts);
    assert_eq!(bsum(|b| b.reads), m.reads);
    assert_eq!(bsum(|b| b.stale_reads), m.stale_reads);

    // Lag figures.
    for v in [m.lag_p50_ms, m.lag_p99_ms, m.lag_max_ms, m.convergence_ms] {
        assert!(
            v.is_finite() && v >= 0.0,
            "a lag or convergence figure is {v}"
        );
    }
    assert!(m.lag_p50_ms <= m.lag_p99_ms * 1.02 + 0.001);
    assert!(m.lag_p99_ms <= m.lag_max_ms * 1.02 + 0.001);

    // Deliveries: each (write, other region) at most once, in arrival
    // order, FIFO per stream, never before the write was issued, never
    // while the link is down.
    let down = down_windows(s);
    let end = s.duration + s.drain_limit;
    let mut seen: HashSet<(u64, usize)> = HashSet::new();
    let mut arrival: HashMap<(u64, usize), u64> = HashMap::new();
    let mut last_on_stream: HashMap<(usize, usize), u64> = HashMap::new();
    let mut per_stream: HashMap<(usize, usize), (u64, u64)> = HashMap::new();
    let mut max_lag = 0u64;
    let mut previous = 0u64;
    for d in &trace.deliveries {
        assert!(d.write_id >= 1 && d.write_id <= writes.len() as u64);
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
        assert!(d.arrive_ns >= previous, "deliveries out of arrival order");
        previous = d.arrive_ns;
        assert!(
            d.arrive_ns >= w.issue_ns,
            "write {} arrives before it was issued",
            d.write_id
        );
        assert!(d.arrive_ns <= end, "arrival after the drain limit");
        if let Some(&last) = last_on_stream.get(&(x, y)) {
            assert!(
                last < d.write_id,
                "stream {x}->{y} not FIFO: {} after {last}",
                d.write_id
            );
        }
        last_on_stream.insert((x, y), d.write_id);
        arrival.insert((d.write_id, y), d.arrive_ns);
        let lag = d.arrive_ns - w.issue_ns;
        max_lag = max_lag.max(lag);
        let e = per_stream.entry((x, y)).or_default();
        e.0 += 1;
        e.1 = e.1.max(lag);
        for &(start, stop) in &down[x][y] {
            // A message crosses while the link is up: it never arrives
            // strictly inside a down window (arriving the instant the link
            // goes down is arriving in time), and one issued while the
            // link is down is not sent before it heals.
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
    let exact_ms = |ns: u64| ns as f64 / 1e6;
    assert!(
        close(exact_ms(max_lag), m.lag_max_ms, 0.0),
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
            close(exact_ms(lag), link.lag_max_ms, 0.0),
            "{} -> {} lag max",
            link.from,
            link.to
        );
        for v in [link.lag_p50_ms, link.lag_p90_ms, link.lag_p99_ms] {
            assert!(v >= 0.0 && v <= link.lag_max_ms * 1.02 + 0.001);
        }
    }

    // Last writer wins, replayed per (region, key): an applied delivery
    // beats everything installed there before it; a dropped one does not
    // beat what was installed by then. Local writes at the same instant as
    // a delivery may have come before or after it, so each check counts
    // them on its lenient side.
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

    // Convergence.
    let all_healed = s.last_fault_end().is_some();
    if m.converged {
        assert_eq!(m.undelivered, 0);
        assert_eq!(
            trace.deliveries.len() as u64,
            m.writes * (n as u64 - 1),
            "converged, but not every write reached every region"
        );
    }
    if all_healed {
        assert!(m.converged, "every fault healed, yet not converged");
    }
    // A never-ending down window on a link, with a write issued at its
    // origin after it began: that write never arrives, so no convergence.
    for (x, row) in down.iter().enumerate() {
        for (y, windows) in row.iter().enumerate().filter(|(y, _)| *y != x) {
            let Some(start) = windows.iter().filter(|w| w.1.is_none()).map(|w| w.0).min() else {
                continue;
            };
            if let Some((i, _)) = writes
                .iter()
                .enumerate()
                .find(|(i, w)| origin[*i] == x && w.issue_ns >= start)
            {
                assert!(!arrival.contains_key(&(i as u64 + 1, y)));
                assert!(!m.converged, "a write can never reach {y}, yet converged");
                assert!(m.undelivered > 0);
            }
        }
    }

    // Lineage outcomes in a converged run: the final version of a key is
    // its greatest stamp (earlier write first among equals, the initial
    // version first of all); it and its ancestors survived, every other
    // write was lost.
    if m.converged {
        let mut winner: HashMap<Key, u64> = HashMap::new();
        for (i, w) in writes.iter().enumerate() {
            let best = winner.entry(keys[i]).or_insert(0);
            if stamp(w.write_id) > stamp(*best) {
                *best = w.write_id;
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
        for d in &trace.deliveries {
            if winner.get(&keys[d.write_id as usize - 1]) == Some(&d.write_id) {
                assert!(
                    d.applied,
                    "final version {} not applied at {}",
                    d.write_id, d.to
                );
            }
        }
        // Counter identity: increments minus the final values equals the
        // lost increment writes.
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

    // With true time, a write is lost only to a write on the same key from
    // another region that was issued before the lost one reached it (so
    // less than the largest lag after it), or, at the very same instant
    // from the same region, to one issued just before it.
    if s.replication.timestamps == Timestamps::TrueTime {
        let mut by_key: HashMap<Key, Vec<usize>> = HashMap::new();
        for (i, key) in keys.iter().enumerate() {
            by_key.entry(*key).or_default().push(i);
        }
        for (i, w) in writes.iter().enumerate() {
            if w.outcome != "lost" {
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

    cov.scenarios += 1;
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
