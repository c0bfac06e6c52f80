//! A generator of random valid scenarios, for the property tests and the
//! fuzzer's seed corpus.
//!
//! `scenario(seed)` builds a typed `Scenario` directly (no YAML), drawing
//! every choice from one ChaCha stream, so a seed names a scenario for good.
//! It covers 2 to 8 regions with skewed, drifting and stepped clocks, every
//! latency distribution kind on links and in the pipeline (now and then
//! with a `varies_over` time scale), an optional
//! stream throughput, item and counter tables with few keys (contention),
//! Poisson and constant clients with uniform, zipf and hotspot access and
//! home affinity, scripted operations, every fault kind (finite or, now and
//! then, never ending) and all three timestamp policies. Scenarios stay
//! small (at most a few thousand writes) so hundreds run per second.
//!
//! Each of the three modes comes out about a third of the time (see
//! `ModeKind`): strong scenarios have exactly three regions, sometimes one
//! of them a witness that no workload entry or scripted operation names;
//! single-primary scenarios have a primary, reject or forward, random
//! detect and promote times, a failover target that is either least_lag or
//! the one region no outage ever hits (so the new primary of every failover
//! is known), an outage of the primary half the time and now and then a
//! planned switchover.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use replisim::scenario::*;
use replisim::sim::time::{Time, NS_PER_MS, NS_PER_S};

const MS: u64 = NS_PER_MS;
const S: u64 = NS_PER_S;

/// Upper bound on the expected number of client writes of one scenario.
pub const MAX_WRITES: f64 = 3_000.0;
/// Upper bound on the expected number of client operations (reads too).
pub const MAX_OPS: f64 = 8_000.0;

/// Region names, shuffled per scenario so that index order and the
/// alphabetical order used for timestamp ties differ.
const NAMES: &[&str] = &[
    "us-east-1",
    "eu-west-1",
    "ap-southeast-1",
    "sa-east-1",
    "af-south-1",
    "ca-central-1",
    "me-south-1",
    "ap-northeast-2",
    "b",
    "a",
];

/// A random valid scenario for `seed`.
pub fn scenario(seed: u64) -> Scenario {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let g = &mut rng;

    let kind = match g.random_range(0..3) {
        0 => ModeKind::ActiveActive,
        1 => ModeKind::SinglePrimary,
        _ => ModeKind::Strong,
    };
    let n = match kind {
        ModeKind::Strong => 3,
        _ => g.random_range(2..=8usize),
    };
    // The region no outage ever hits: some region is always up, and in
    // single-primary mode it is the named failover target.
    let survivor = g.random_range(0..n);
    let mut names: Vec<&str> = NAMES.to_vec();
    for i in (1..names.len()).rev() {
        let j = g.random_range(0..=i);
        names.swap(i, j);
    }
    let regions: Vec<Region> = names[..n]
        .iter()
        .map(|name| Region {
            name: name.to_string(),
            clock: clock(g),
        })
        .collect();

    // Links: one distribution per ordered pair, sometimes the same both ways.
    let symmetric = g.random_bool(0.5);
    let mut links = vec![vec![Latency::Constant(0); n]; n];
    let pairs = (0..n).flat_map(|a| (0..n).map(move |b| (a, b)));
    for (a, b) in pairs.filter(|(a, b)| a != b) {
        links[a][b] = if symmetric && b < a {
            links[b][a].clone()
        } else {
            latency(g, 200 * MS)
        };
    }

    let mode = mode(g, kind, n, survivor);
    // The strong mode's witness serves no clients.
    let witness = match &mode {
        Mode::Strong(st) => st.witness,
        _ => None,
    };
    let replication = Replication {
        mode,
        timestamps: match g.random_range(0..3) {
            0 => Timestamps::Wall,
            1 => Timestamps::Hlc,
            _ => Timestamps::TrueTime,
        },
        pipeline: if g.random_bool(0.2) {
            Latency::Constant(0)
        } else {
            latency(g, 500 * MS)
        },
        throughput_per_s: g
            .random_bool(0.3)
            .then(|| round3(g.random_range(20.0..2_000.0))),
        ordering: Ordering::Item,
        pipeline_varies_over_ns: None,
    };
    // Time scales of the delays, from a stream of their own so that the
    // rest of a seed's scenario stays what it was before they existed.
    let v = &mut ChaCha8Rng::seed_from_u64(seed ^ 0x7661_7269_6573);
    let tau = |v: &mut ChaCha8Rng| match v.random_range(0..4) {
        0 => 0,
        1 => v.random_range(1..=50) * MS,
        _ => v.random_range(1..=20) * S,
    };
    let mut replication = replication;
    replication.pipeline_varies_over_ns = v.random_bool(0.3).then(|| tau(v));
    let mut link_varies_over_ns = vec![vec![None; n]; n];
    if v.random_bool(0.3) {
        for (a, row) in link_varies_over_ns.iter_mut().enumerate() {
            for (b, cell) in row.iter_mut().enumerate() {
                if a != b && v.random_bool(0.5) {
                    *cell = Some(tau(v));
                }
            }
        }
    }
    // As validation gives it: no link with one, no matrix.
    if link_varies_over_ns.iter().flatten().all(Option::is_none) {
        link_varies_over_ns.clear();
    }
    replication.ordering = match replication.mode {
        Mode::SinglePrimary(_) => Ordering::Stream,
        _ if g.random_bool(0.5) => Ordering::Stream,
        _ => Ordering::Item,
    };

    let tables: Vec<Table> = (0..g.random_range(1..=3))
        .map(|i| Table {
            name: format!("t{i}"),
            kind: if g.random_bool(0.5) {
                TableKind::Item
            } else {
                TableKind::Counter
            },
            keys: if g.random_bool(0.3) {
                1
            } else {
                g.random_range(1..=50)
            },
        })
        .collect();

    // Between 100 ms and 30 s of clients, in whole milliseconds.
    let duration = if g.random_bool(0.5) {
        g.random_range(100..=3_000) * MS
    } else {
        g.random_range(3_000..=30_000) * MS
    };
    let secs = duration as f64 / S as f64;

    let mut workload: Vec<WorkloadEntry> = (0..g.random_range(1..=3))
        .map(|_| client_stream(g, n, tables.len(), witness))
        .collect();
    // Scale the rates so the expected writes and operations stay under
    // their budgets.
    let expected = |workload: &[WorkloadEntry], writes: bool| -> f64 {
        workload
            .iter()
            .map(|w| {
                let share = if writes { w.write_fraction } else { 1.0 };
                w.rate_per_s * secs * w.regions.len() as f64 * share
            })
            .sum()
    };
    let scale = g.random_range(0.05..1.0);
    let f = (MAX_WRITES * scale / expected(&workload, true))
        .min(MAX_OPS * scale / expected(&workload, false));
    if f < 1.0 {
        for w in &mut workload {
            w.rate_per_s = round3((w.rate_per_s * f).max(0.01));
        }
    }

    let script = if g.random_bool(0.2) {
        let mut ops: Vec<ScriptedOp> = (0..g.random_range(1..=10))
            .map(|_| {
                let table = g.random_range(0..tables.len());
                let mut region = g.random_range(0..n);
                if Some(region) == witness {
                    region = (region + 1) % n;
                }
                ScriptedOp {
                    at: Time(g.random_range(0..duration)),
                    region,
                    table,
                    key: g.random_range(0..tables[table].keys),
                    is_write: g.random_bool(0.7),
                }
            })
            .collect();
        ops.sort_by_key(|o| o.at);
        ops
    } else {
        Vec::new()
    };

    let mut faults = faults(g, n, duration, survivor);
    if let Mode::SinglePrimary(sp) = &replication.mode {
        single_primary_faults(g, n, duration, sp.primary, &mut faults);
    }

    let bucket = match g.random_range(0..3) {
        0 => S,
        1 => g.random_range(50..=2_000) * MS,
        _ => duration.div_ceil(g.random_range(1..=20)).max(1),
    };

    Scenario {
        name: format!("gen-{seed}"),
        description: format!("generated from seed {seed}"),
        seed: g.random(),
        duration_ns: duration,
        // Long enough for any backlog to drain once every fault has healed:
        // at most a few thousand writes per stream at 20 messages/s or more,
        // and latency tails that stay well under a minute.
        drain_limit_ns: 3_600 * S,
        regions,
        links,
        link_varies_over_ns,
        replication,
        tables,
        workload,
        script,
        faults,
        bucket_ns: bucket,
        expect: Vec::new(),
    }
}

/// Which replication mode a scenario gets (drawn first: strong mode fixes
/// the number of regions).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ModeKind {
    ActiveActive,
    SinglePrimary,
    Strong,
}

/// A duration in whole milliseconds: short (a few ms) or up to a few
/// seconds, never 0.
fn short_span(g: &mut ChaCha8Rng) -> u64 {
    if g.random_bool(0.3) {
        g.random_range(1..=20) * MS
    } else {
        g.random_range(20..=3_000) * MS
    }
}

/// The replication mode of `kind`. Single-primary: the primary is never
/// the survivor (outages never hit the survivor, and it is the named
/// failover target when there is one). Strong: a witness now and then.
fn mode(g: &mut ChaCha8Rng, kind: ModeKind, n: usize, survivor: usize) -> Mode {
    match kind {
        ModeKind::ActiveActive => Mode::ActiveActive,
        ModeKind::SinglePrimary => Mode::SinglePrimary(SinglePrimary {
            primary: (survivor + g.random_range(1..n)) % n,
            secondary_writes: if g.random_bool(0.7) {
                SecondaryWrites::Forward
            } else {
                SecondaryWrites::Reject
            },
            failover: Failover {
                detect_ns: short_span(g),
                promote_ns: short_span(g),
                target: if g.random_bool(0.6) {
                    FailoverTarget::Region(survivor)
                } else {
                    FailoverTarget::LeastLag
                },
            },
        }),
        ModeKind::Strong => Mode::Strong(Strong {
            witness: g.random_bool(0.3).then(|| g.random_range(0..n)),
        }),
    }
}

/// Single-primary extras: half the time an outage of the primary (what
/// makes a failover), and now and then one or two planned switchovers.
fn single_primary_faults(
    g: &mut ChaCha8Rng,
    n: usize,
    duration: u64,
    primary: usize,
    out: &mut Vec<Fault>,
) {
    if g.random_bool(0.5) {
        let at = g.random_range(0..duration);
        out.push(Fault {
            kind: FaultKind::Outage {
                region: primary,
                clients: if g.random_bool(0.5) {
                    OutageClients::Fail
                } else {
                    OutageClients::Reroute
                },
            },
            at: Time(at),
            length_ns: if g.random_bool(0.1) {
                None
            } else {
                Some(g.random_range(1..=duration.max(2)))
            },
        });
    }
    if g.random_bool(0.25) {
        for _ in 0..g.random_range(1..=2) {
            out.push(Fault {
                kind: FaultKind::Switchover {
                    to: g.random_range(0..n),
                },
                at: Time(g.random_range(0..duration)),
                length_ns: None,
            });
        }
    }
}

/// A number rounded to three decimals, so YAML renderings stay short.
fn round3(x: f64) -> f64 {
    (x * 1_000.0).round() / 1_000.0
}

fn clock(g: &mut ChaCha8Rng) -> Clock {
    let offset_ns = match g.random_range(0..4) {
        0 | 1 => 0,
        2 => g.random_range(-200 * MS as i64..=200 * MS as i64),
        // Tiny offsets: timestamps that nearly tie.
        _ => g.random_range(-1_000i64..=1_000),
    };
    let drift_ppm = match g.random_range(0..4) {
        0 | 1 => 0.0,
        2 => round3(g.random_range(-100.0..100.0)),
        _ => round3(g.random_range(-20_000.0..20_000.0)),
    };
    Clock {
        offset_ns,
        drift_ppm,
    }
}

/// A latency of any kind with a typical size around `scale`; tails are
/// kept light enough that every message arrives within the drain limit.
fn latency(g: &mut ChaCha8Rng, scale: u64) -> Latency {
    let v = |g: &mut ChaCha8Rng| g.random_range(0..=scale);
    let pos = |g: &mut ChaCha8Rng| g.random_range(1..=scale.max(1));
    match g.random_range(0..7) {
        0 => Latency::Constant(v(g)),
        1 => {
            let a = v(g);
            let b = v(g);
            Latency::Uniform {
                min: a.min(b),
                max: a.max(b),
            }
        }
        2 => {
            let mean = v(g);
            Latency::Normal {
                mean,
                stddev: g.random_range(0..=mean.max(1)),
            }
        }
        3 => {
            let median = pos(g);
            Latency::LogNormal {
                median,
                p99: median + g.random_range(0..=median * 10),
            }
        }
        4 => Latency::Exponential { mean: pos(g) },
        5 => Latency::Pareto {
            min: pos(g),
            alpha: round3(g.random_range(1.5..5.0)),
        },
        _ => {
            let mut vals: Vec<u64> = (0..5).map(|_| v(g)).collect();
            vals.sort_unstable();
            let mut points = vec![(0.0, vals[0]), (0.5, vals[1])];
            if g.random_bool(0.5) {
                points.push((0.9, vals[2]));
            }
            points.push((0.99, vals[3]));
            points.push((1.0, vals[4]));
            if g.random_bool(0.5) {
                // Leave p0 at its default, 0.
                points[0].1 = 0;
            }
            Latency::Percentiles(points)
        }
    }
}

fn client_stream(
    g: &mut ChaCha8Rng,
    n: usize,
    tables: usize,
    witness: Option<usize>,
) -> WorkloadEntry {
    let serves = |r: &usize| Some(*r) != witness;
    let regions: Vec<usize> = if g.random_bool(0.5) {
        (0..n).filter(serves).collect()
    } else {
        let mut r: Vec<usize> = (0..n)
            .filter(|_| g.random_bool(0.5))
            .filter(serves)
            .collect();
        if r.is_empty() {
            let serving: Vec<usize> = (0..n).filter(serves).collect();
            r.push(serving[g.random_range(0..serving.len())]);
        }
        r
    };
    WorkloadEntry {
        regions,
        table: g.random_range(0..tables),
        rate_per_s: round3(g.random_range(0.5..500.0)),
        arrival: if g.random_bool(0.5) {
            Arrival::Poisson
        } else {
            Arrival::Constant
        },
        write_fraction: match g.random_range(0..4) {
            0 => 1.0,
            1 => 0.0,
            _ => round3(g.random_range(0.0..1.0)),
        },
        access: match g.random_range(0..3) {
            0 => Access::Uniform,
            1 => Access::Zipf(round3(g.random_range(0.2..3.0))),
            _ => Access::Hotspot {
                keys: round3(g.random_range(0.01..1.0)).max(0.001),
                share: round3(g.random_range(0.0..1.0)),
            },
        },
        home_affinity: if g.random_bool(0.5) {
            0.0
        } else {
            round3(g.random_range(0.0..1.0))
        },
    }
}

/// Up to five faults. Outages never hit `survivor`, so at least one
/// region is always up (a scenario where every region is out with
/// `reroute` is invalid). One fault in ten never ends.
fn faults(g: &mut ChaCha8Rng, n: usize, duration: u64, survivor: usize) -> Vec<Fault> {
    let count = match g.random_range(0..4) {
        0 => 0,
        _ => g.random_range(1..=5),
    };
    let mut out = Vec::new();
    for _ in 0..count {
        let at = Time(if g.random_bool(0.1) {
            0
        } else {
            g.random_range(0..duration)
        });
        let length = if g.random_bool(0.1) {
            None
        } else {
            Some(g.random_range(1..=duration.max(2)))
        };
        let two = |g: &mut ChaCha8Rng| {
            let a = g.random_range(0..n);
            let b = (a + g.random_range(1..n)) % n;
            (a, b)
        };
        let kind = match g.random_range(0..5) {
            0 => {
                let (a, b) = two(g);
                FaultKind::Partition {
                    links: vec![(a, b), (b, a)],
                }
            }
            1 => {
                let (a, b) = two(g);
                FaultKind::Partition {
                    links: vec![(a, b)],
                }
            }
            2 => FaultKind::Isolate {
                region: g.random_range(0..n),
            },
            3 => {
                let region = (survivor + g.random_range(1..n)) % n;
                FaultKind::Outage {
                    region,
                    clients: if g.random_bool(0.5) {
                        OutageClients::Fail
                    } else {
                        OutageClients::Reroute
                    },
                }
            }
            _ => {
                let by_ns = if g.random_bool(0.5) {
                    g.random_range(-500 * MS as i64..=500 * MS as i64)
                } else {
                    g.random_range(-2_000i64..=2_000)
                };
                out.push(Fault {
                    kind: FaultKind::ClockStep {
                        region: g.random_range(0..n),
                        by_ns,
                    },
                    at,
                    length_ns: None,
                });
                continue;
            }
        };
        out.push(Fault {
            kind,
            at,
            length_ns: length,
        });
    }
    out
}
