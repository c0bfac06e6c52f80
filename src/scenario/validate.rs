//! Raw scenario in, typed `Scenario` out: names resolved to indices,
//! defaults applied, every rule that spans fields checked.
//!
//! Errors name the offending node by path and take its position from the
//! positioned tree, so a cross-reference error points at the same line and
//! column a serde error would (or at the `--set` argument that put the node
//! there). Nothing here reads files or panics on any input.

use std::collections::{BTreeMap, BTreeSet};

use super::de::{parse_float, unknown};
use super::node::{path, Node, Path, Pos};
use super::raw::*;
use super::types::*;
use crate::metrics::figures::{self, Figure};
use crate::sim::time::{format_span, Nanos, Time, NS_PER_MS, NS_PER_S};
use crate::{Error, Result};

/// Most regions a scenario may have; the link matrix grows with the square.
pub const MAX_REGIONS: usize = 64;
/// Most rows `timeseries.csv` may get from `duration / output.bucket`.
pub const MAX_BUCKETS: u64 = 10_000_000;

pub const DEFAULT_SEED: u64 = 1;
pub const DEFAULT_DRAIN_LIMIT: Nanos = 600 * NS_PER_S;
pub const DEFAULT_BUCKET: Nanos = NS_PER_S;
pub const DEFAULT_DETECT: Nanos = 30 * NS_PER_S;
pub const DEFAULT_PROMOTE: Nanos = 60 * NS_PER_S;

/// The default pipeline delay: lognormal, median 300ms, p99 450ms. Narrow
/// on purpose: streams are FIFO from the moment of issue, so every message
/// waits for the slowest draw ahead of it, and a wide pipeline would make
/// the lag of a busy stream the pipeline's far tail rather than "typically
/// within a second".
pub fn default_pipeline() -> Latency {
    Latency::LogNormal {
        median: 300 * NS_PER_MS,
        p99: 450 * NS_PER_MS,
    }
}

/// Where errors are reported: the file's name, the `--set` arguments and
/// the positioned tree.
pub struct Ctx<'a> {
    pub origin: &'a str,
    pub overrides: &'a [String],
    pub tree: &'a Node,
}

impl Ctx<'_> {
    /// `origin:line:col: path: message`, or `origin: --set arg: path: message`.
    pub fn error_at(&self, pos: Option<Pos>, path: &Path, message: &str) -> Error {
        let mut out = match pos {
            Some(Pos::File { line, col }) => format!("{}:{line}:{col}: ", self.origin),
            Some(Pos::Set(i)) => format!(
                "{}: --set {}: ",
                self.origin,
                self.overrides
                    .get(i)
                    .map_or("?".to_string(), |a| super::overrides::shown_arg(a))
            ),
            None => format!("{}: ", self.origin),
        };
        if !path.is_root() {
            out.push_str(&format!("{path}: "));
        }
        out.push_str(message);
        Error::new(out)
    }

    /// Of two list items clashing (`later` and `earlier`, paths ending in
    /// `[index].field`), the indices of the one to blame and the other: the
    /// later one, unless only the earlier one was put there by `--set`.
    fn culprit(&self, later: Path, earlier: Path) -> (usize, usize) {
        let index = |p: &Path| match p.0.get(p.0.len().wrapping_sub(2)) {
            Some(super::node::Seg::Index(i)) => *i,
            _ => 0,
        };
        let set = |p: &Path| matches!(self.tree.pos_at(p), Pos::Set(_));
        if set(&earlier) && !set(&later) {
            (index(&earlier), index(&later))
        } else {
            (index(&later), index(&earlier))
        }
    }

    /// An error about the node at `path` (or its closest existing ancestor).
    pub fn err(&self, path: Path, message: impl AsRef<str>) -> Error {
        self.error_at(Some(self.tree.pos_at(&path)), &path, message.as_ref())
    }

    /// An error about the key that ends `path`.
    fn key_err(&self, path: Path, message: impl AsRef<str>) -> Error {
        self.error_at(Some(self.tree.key_pos_at(&path)), &path, message.as_ref())
    }
}

struct Names<'a> {
    names: Vec<&'a str>,
}

impl Names<'_> {
    fn find(&self, name: &str) -> Option<usize> {
        self.names.iter().position(|n| *n == name)
    }

    fn list(&self) -> String {
        self.names.join(", ")
    }

    /// The region called `name`, or an error at `p` listing the regions.
    fn id(&self, cx: &Ctx, name: &str, p: Path) -> Result<RegionId> {
        self.find(name).ok_or_else(|| {
            cx.err(
                p,
                format!(
                    "unknown region '{}'; regions are {}",
                    super::node::shorten(name),
                    self.list()
                ),
            )
        })
    }
}

/// Turns a raw scenario into a typed one.
pub fn validate(raw: RawScenario, cx: &Ctx) -> Result<Scenario> {
    let (duration, drain_limit) = spans(&raw, cx)?;
    let regions = regions(&raw, cx)?;
    let names = Names {
        names: raw.regions.iter().map(|r| r.name.as_str()).collect(),
    };
    let region = |name: &str, p: Path| names.id(cx, name, p);
    let (matrix, link_varies_over_ns) = network(&raw, cx, &names)?;
    let replication = replication(cx, raw.replication.as_ref(), &names, &region)?;
    let witness = match &replication.mode {
        Mode::Strong(s) => s.witness,
        _ => None,
    };
    let tables = tables(&raw, cx)?;
    let workload = workload(&raw, cx, &names, &tables, witness)?;
    let script = script(&raw, cx, &names, &tables, witness, duration)?;
    let faults = faults(&raw, cx, &names, &replication, duration)?;
    let bucket = bucket(&raw, cx, duration)?;
    let expect = expectations(cx, &raw, &names, &faults, replication.mode.name())?;
    Ok(Scenario {
        name: raw.name,
        description: raw.description.unwrap_or_default(),
        seed: raw.seed.unwrap_or(DEFAULT_SEED),
        duration_ns: duration,
        drain_limit_ns: drain_limit,
        regions,
        links: matrix,
        link_varies_over_ns,
        replication,
        tables,
        workload,
        script,
        faults,
        bucket_ns: bucket,
        expect,
    })
}

/// The run's `duration` and `drain_limit`, after the name is checked.
fn spans(raw: &RawScenario, cx: &Ctx) -> Result<(Nanos, Nanos)> {
    if raw.name.trim().is_empty() {
        return Err(cx.err(path!["name"], "empty; a scenario needs a name"));
    }
    let duration = raw.duration.0;
    if duration == 0 {
        return Err(cx.err(path!["duration"], "0s; a run must last more than 0"));
    }
    let drain_limit = raw.drain_limit.map_or(DEFAULT_DRAIN_LIMIT, |d| d.0);
    if duration.checked_add(drain_limit).is_none() {
        return Err(cx.err(
            path!["drain_limit"],
            "duration plus drain_limit overflows 64-bit nanoseconds; use shorter spans",
        ));
    }

    Ok((duration, drain_limit))
}

/// The regions and their clocks.
fn regions(raw: &RawScenario, cx: &Ctx) -> Result<Vec<Region>> {
    // Regions.
    if raw.regions.len() < 2 {
        return Err(cx.err(
            path!["regions"],
            format!(
                "{} region{}; replication needs at least 2 regions",
                raw.regions.len(),
                if raw.regions.len() == 1 { "" } else { "s" }
            ),
        ));
    }
    if raw.regions.len() > MAX_REGIONS {
        return Err(cx.err(
            path!["regions"],
            format!("{} regions; at most {MAX_REGIONS}", raw.regions.len()),
        ));
    }
    let mut regions = Vec::new();
    for (i, r) in raw.regions.iter().enumerate() {
        if r.name.trim().is_empty() {
            return Err(cx.err(path!["regions", i, "name"], "empty; a region needs a name"));
        }
        if let Some(j) = raw.regions[..i].iter().position(|o| o.name == r.name) {
            let (at, also) = cx.culprit(path!["regions", i, "name"], path!["regions", j, "name"]);
            return Err(cx.err(
                path!["regions", at, "name"],
                format!(
                    "duplicate region name '{}' (also regions[{also}]); region names must be unique",
                    r.name
                ),
            ));
        }
        let mut clock = Clock::default();
        if let Some(c) = &r.clock {
            clock.offset_ns = c.offset.map_or(0, |o| o.0);
            let drift = c.drift_ppm.unwrap_or(0.0);
            if drift <= -1e6 || drift >= 1e6 {
                return Err(cx.err(
                    path!["regions", i, "clock", "drift_ppm"],
                    format!("{drift} would stop or reverse the clock; drift_ppm must be greater than -1000000 and less than 1000000"),
                ));
            }
            clock.drift_ppm = drift;
        }
        regions.push(Region {
            name: r.name.clone(),
            clock,
        });
    }
    Ok(regions)
}

/// One-way latency of every ordered pair: links, then the preset, then the
/// default.
/// A delay's distribution and the `varies_over` given beside it.
type Delay = (Latency, Option<Nanos>);

/// The matrix of `varies_over` per link, empty when no link gives one.
type VariesMatrix = Vec<Vec<Option<Nanos>>>;

fn network(
    raw: &RawScenario,
    cx: &Ctx,
    names: &Names,
) -> Result<(Vec<Vec<Latency>>, VariesMatrix)> {
    let n = names.names.len();
    let region = |name: &str, p: Path| names.id(cx, name, p);
    // Network.
    let mut given: Vec<Vec<Option<usize>>> = vec![vec![None; n]; n];
    let mut links: Vec<Vec<Option<Delay>>> = vec![vec![None; n]; n];
    let network = raw.network.as_ref();
    if let Some(raw_links) = network.and_then(|nw| nw.links.as_ref()) {
        for (i, link) in raw_links.iter().enumerate() {
            let base = path!["network", "links", i];
            let pairs: Vec<(RegionId, RegionId, Path)> = match (&link.between, &link.from, &link.to)
            {
                (Some(between), None, None) => {
                    let (a, b) = pair(cx, between, base.child("between"), &region)?;
                    vec![(a, b, base.child("between")), (b, a, base.child("between"))]
                }
                (None, Some(from), Some(to)) => {
                    let a = region(from, base.child("from"))?;
                    let b = region(to, base.child("to"))?;
                    if a == b {
                        return Err(cx.err(
                            base.child("to"),
                            format!("a link from '{from}' to itself; a link joins two different regions"),
                        ));
                    }
                    vec![(a, b, base.clone())]
                }
                _ => return Err(cx.err(
                    base,
                    "give either between: [a, b] (both directions) or from and to (one direction)",
                )),
            };
            let latency = delay(cx, &link.latency, base.child("latency"))?;
            for (a, b, p) in pairs {
                if let Some(j) = given[a][b] {
                    return Err(cx.err(
                        p,
                        format!(
                            "link {} -> {} is already given by network.links[{j}]; give each direction once",
                            names.names[a], names.names[b]
                        ),
                    ));
                }
                given[a][b] = Some(i);
                links[a][b] = Some(latency.clone());
            }
        }
    }
    let default = match network.and_then(|nw| nw.default.as_ref()) {
        Some(d) => Some(delay(cx, d, path!["network", "default"])?),
        None => None,
    };
    // A latency preset fills every pair no link gives; a region it does not
    // know is an error unless `default` covers it.
    let mut in_preset = vec![false; n];
    let preset = match network.and_then(|nw| nw.preset.as_ref()) {
        Some(name) => {
            let Some(p) = super::presets::latency_preset(name) else {
                return Err(cx.err(
                    path!["network", "preset"],
                    unknown(
                        "latency preset",
                        name,
                        &super::presets::latency_preset_names(),
                        "presets are",
                    ),
                ));
            };
            let known = p.regions();
            for (i, r) in raw.regions.iter().enumerate() {
                if known.contains(&r.name.as_str()) {
                    in_preset[i] = true;
                } else if default.is_none() {
                    let mut msg = format!(
                        "region '{}' is not in latency preset '{}'; ",
                        super::node::shorten(&r.name),
                        p.name
                    );
                    if let Some(close) = super::de::did_you_mean(&r.name, &known) {
                        msg.push_str(&format!("did you mean '{close}'? "));
                    }
                    msg.push_str("see `replisim regions`, or give network.default for regions outside the preset");
                    return Err(cx.err(path!["regions", i, "name"], msg));
                }
            }
            Some(p)
        }
        None => None,
    };
    let mut matrix = Vec::with_capacity(n);
    let mut link_varies_over_ns = Vec::with_capacity(n);
    for (a, row) in links.into_iter().enumerate() {
        let mut out = Vec::with_capacity(n);
        let mut varies = Vec::with_capacity(n);
        for (b, cell) in row.into_iter().enumerate() {
            let from_preset = match preset {
                Some(p) if in_preset[a] && in_preset[b] => {
                    p.one_way(names.names[a], names.names[b])
                }
                _ => None,
            };
            let cell = cell.or(from_preset.map(|l| (l, None)));
            let (l, v) = match (a == b, cell, &default) {
                (true, _, _) => (Latency::Constant(0), None),
                (false, Some(l), _) => l,
                (false, None, Some(d)) => d.clone(),
                (false, None, None) => {
                    return Err(cx.err(
                        path!["network"],
                        format!(
                            "no latency for {} -> {}; give network.default or a link for every pair of regions",
                            names.names[a], names.names[b]
                        ),
                    ))
                }
            };
            out.push(l);
            varies.push(v);
        }
        matrix.push(out);
        link_varies_over_ns.push(varies);
    }
    // No link gives varies_over: the canonical empty matrix.
    if link_varies_over_ns.iter().flatten().all(Option::is_none) {
        link_varies_over_ns.clear();
    }

    Ok((matrix, link_varies_over_ns))
}

/// The tables, each with its kind and key count.
fn tables(raw: &RawScenario, cx: &Ctx) -> Result<Vec<Table>> {
    // Tables.
    if raw.tables.is_empty() {
        return Err(cx.err(
            path!["tables"],
            "an empty list; a scenario needs at least one table",
        ));
    }
    let mut tables = Vec::new();
    let mut seen_tables: BTreeMap<&str, usize> = BTreeMap::new();
    for (i, t) in raw.tables.iter().enumerate() {
        if t.name.trim().is_empty() {
            return Err(cx.err(path!["tables", i, "name"], "empty; a table needs a name"));
        }
        if let Some(&j) = seen_tables.get(t.name.as_str()) {
            let (at, also) = cx.culprit(path!["tables", i, "name"], path!["tables", j, "name"]);
            return Err(cx.err(
                path!["tables", at, "name"],
                format!(
                    "duplicate table name '{}' (also tables[{also}]); table names must be unique",
                    t.name
                ),
            ));
        }
        // `KeyCount` holds 1 to MAX_KEYS, which fits.
        let keys = t.keys.0 as u32;
        seen_tables.insert(&t.name, i);
        tables.push(Table {
            name: t.name.clone(),
            kind: match t.kind {
                RawTableKind::Item => TableKind::Item,
                RawTableKind::Counter => TableKind::Counter,
            },
            keys,
        });
    }
    Ok(tables)
}

/// The workload entries; the witness of strong mode serves no clients.
fn workload(
    raw: &RawScenario,
    cx: &Ctx,
    names: &Names,
    tables: &[Table],
    witness: Option<RegionId>,
) -> Result<Vec<WorkloadEntry>> {
    let n = names.names.len();
    let region = |name: &str, p: Path| names.id(cx, name, p);
    let table_names = Names {
        names: tables.iter().map(|t| t.name.as_str()).collect(),
    };
    // Workload.
    let raw_workload = raw.workload.as_deref().unwrap_or_default();
    let raw_script = raw.script.as_deref().unwrap_or_default();
    if raw_workload.is_empty() && raw_script.is_empty() {
        return Err(cx.err(
            path!["workload"],
            if raw.workload.is_none() {
                "missing; a scenario needs at least one workload entry (or a script)"
            } else {
                "an empty list; a scenario needs at least one workload entry (or a script)"
            },
        ));
    }
    let mut workload = Vec::new();
    for (i, w) in raw_workload.iter().enumerate() {
        let base = path!["workload", i];
        let stream_regions = match &w.regions {
            None | Some(RawRegionSet::All) => (0..n).filter(|r| Some(*r) != witness).collect(),
            Some(RawRegionSet::List(list)) => {
                if list.is_empty() {
                    return Err(cx.err(
                        base.child("regions"),
                        "an empty list; name at least one region, or write all",
                    ));
                }
                let mut ids = Vec::new();
                for (k, name) in list.iter().enumerate() {
                    let p = base.child("regions").child(k);
                    let id = region(name, p.clone())?;
                    if Some(id) == witness {
                        return Err(cx.err(
                            p,
                            format!("'{name}' is the strong mode's witness, which serves no clients; name another region"),
                        ));
                    }
                    if ids.contains(&id) {
                        return Err(cx.err(
                            p,
                            format!("'{name}' is listed twice; name each region once"),
                        ));
                    }
                    ids.push(id);
                }
                ids
            }
        };
        let table = table_names.find(&w.table).ok_or_else(|| {
            cx.err(
                base.child("table"),
                format!(
                    "unknown table '{}'; tables are {}",
                    super::node::shorten(&w.table),
                    table_names.list()
                ),
            )
        })?;
        let access = match &w.access {
            None | Some(RawAccess::Uniform) => Access::Uniform,
            Some(RawAccess::Zipf(s)) => {
                if *s <= 0.0 {
                    return Err(cx.err(
                        base.child("access").child("zipf"),
                        format!("{s} is not greater than 0; the zipf exponent must be more than 0"),
                    ));
                }
                Access::Zipf(*s)
            }
            Some(RawAccess::Hotspot(h)) => {
                let p = base.child("access").child("hotspot");
                if !(h.keys > 0.0 && h.keys <= 1.0) {
                    return Err(cx.err(
                        p.child("keys"),
                        format!(
                            "{} is outside 0..1; the hot fraction of keys must be more than 0 and at most 1",
                            h.keys
                        ),
                    ));
                }
                if !(0.0..=1.0).contains(&h.share) {
                    return Err(cx.err(
                        p.child("share"),
                        format!(
                            "{} is outside 0..1; the hot share of operations is from 0 to 1",
                            h.share
                        ),
                    ));
                }
                Access::Hotspot {
                    keys: h.keys,
                    share: h.share,
                }
            }
        };
        workload.push(WorkloadEntry {
            regions: stream_regions,
            table,
            rate_per_s: w.rate.0,
            arrival: match w.arrival {
                None | Some(RawArrival::Poisson) => Arrival::Poisson,
                Some(RawArrival::Constant) => Arrival::Constant,
            },
            write_fraction: w.writes.0,
            access,
            home_affinity: w.home_affinity.map_or(0.0, |p| p.0),
        });
    }

    Ok(workload)
}

/// The scripted operations, in time order, all before the run ends.
fn script(
    raw: &RawScenario,
    cx: &Ctx,
    names: &Names,
    tables: &[Table],
    witness: Option<RegionId>,
    duration: Nanos,
) -> Result<Vec<ScriptedOp>> {
    let raw_script = raw.script.as_deref().unwrap_or_default();
    let region = |name: &str, p: Path| names.id(cx, name, p);
    let table_names = Names {
        names: tables.iter().map(|t| t.name.as_str()).collect(),
    };
    // Script.
    let mut script: Vec<ScriptedOp> = Vec::new();
    for (i, op) in raw_script.iter().enumerate() {
        let base = path!["script", i];
        let region = region(&op.region, base.child("region"))?;
        if Some(region) == witness {
            return Err(cx.err(
                base.child("region"),
                format!(
                    "'{}' is the strong mode's witness, which serves no clients; name another region",
                    op.region
                ),
            ));
        }
        let table = table_names.find(&op.table).ok_or_else(|| {
            cx.err(
                base.child("table"),
                format!(
                    "unknown table '{}'; tables are {}",
                    super::node::shorten(&op.table),
                    table_names.list()
                ),
            )
        })?;
        let keys = tables[table].keys;
        let key = match u32::try_from(op.key) {
            Ok(k) if k < keys => k,
            _ => {
                return Err(cx.err(
                    base.child("key"),
                    format!(
                        "{} is not a key of table '{}'; keys are 0 to {}",
                        op.key,
                        op.table,
                        keys - 1
                    ),
                ))
            }
        };
        if op.at.0 >= duration {
            return Err(cx.err(
                base.child("at"),
                format!(
                    "{} is not before the end of the run (duration {}); scripted operations happen while clients run",
                    format_span(op.at.0),
                    format_span(duration)
                ),
            ));
        }
        if let Some(prev) = script.last() {
            if op.at.0 < prev.at.0 {
                return Err(cx.err(
                    base.child("at"),
                    format!(
                        "{} is earlier than script[{}] at {}; list scripted operations in time order",
                        format_span(op.at.0),
                        i - 1,
                        format_span(prev.at.0)
                    ),
                ));
            }
        }
        script.push(ScriptedOp {
            at: Time(op.at.0),
            region,
            table,
            key,
            is_write: op.op == RawOpKind::Write,
        });
    }

    Ok(script)
}

/// The fault schedule; outages of one region may not overlap.
fn faults(
    raw: &RawScenario,
    cx: &Ctx,
    names: &Names,
    replication: &Replication,
    duration: Nanos,
) -> Result<Vec<Fault>> {
    let n = names.names.len();
    let region = |name: &str, p: Path| names.id(cx, name, p);
    // Faults.
    let mut faults = Vec::new();
    for (i, f) in raw.faults.iter().flatten().enumerate() {
        let base = path!["faults", i, f.kind()];
        let (kind, at, length) = match f {
            RawFault::Partition(p) => {
                let links = match (&p.between, &p.from, &p.to) {
                    (Some(between), None, None) => {
                        let (a, b) = pair(cx, between, base.child("between"), &region)?;
                        vec![(a, b), (b, a)]
                    }
                    (None, Some(from), Some(to)) => {
                        let a = region(from, base.child("from"))?;
                        let b = region(to, base.child("to"))?;
                        if a == b {
                            return Err(cx.err(
                                base.child("to"),
                                format!("partitions '{from}' from itself; name two different regions"),
                            ));
                        }
                        vec![(a, b)]
                    }
                    _ => {
                        return Err(cx.err(
                            base,
                            "give either between: [a, b] (both directions) or from and to (one direction)",
                        ))
                    }
                };
                (FaultKind::Partition { links }, p.at, p.length)
            }
            RawFault::Isolate(x) => (
                FaultKind::Isolate {
                    region: region(&x.region, base.child("region"))?,
                },
                x.at,
                x.length,
            ),
            RawFault::Outage(x) => (
                FaultKind::Outage {
                    region: region(&x.region, base.child("region"))?,
                    clients: match x.clients {
                        None | Some(RawClients::Fail) => OutageClients::Fail,
                        Some(RawClients::Reroute) => OutageClients::Reroute,
                    },
                },
                x.at,
                x.length,
            ),
            RawFault::ClockStep(x) => (
                FaultKind::ClockStep {
                    region: region(&x.region, base.child("region"))?,
                    by_ns: x.by.0,
                },
                x.at,
                None,
            ),
            RawFault::Switchover(x) => {
                if !matches!(replication.mode, Mode::SinglePrimary(_)) {
                    return Err(cx.key_err(
                        path!["faults", i, "switchover"],
                        format!(
                            "belongs to mode single_primary; this scenario's mode is {}",
                            replication.mode.name()
                        ),
                    ));
                }
                (
                    FaultKind::Switchover {
                        to: region(&x.to, base.child("to"))?,
                    },
                    x.at,
                    None,
                )
            }
            RawFault::PauseReplication(x) => (
                FaultKind::PauseReplication {
                    region: region(&x.region, base.child("region"))?,
                },
                x.at,
                x.length,
            ),
            RawFault::Slowdown(x) => (slowdown(cx, x, &base, &region, n)?, x.at, x.length),
            RawFault::EndpointOutage(x) => (
                FaultKind::EndpointOutage {
                    region: region(&x.region, base.child("region"))?,
                    clients: match x.clients {
                        None | Some(RawClients::Fail) => OutageClients::Fail,
                        Some(RawClients::Reroute) => OutageClients::Reroute,
                    },
                    replication: match x.replication {
                        None | Some(RawEndpointReplication::Continue) => {
                            EndpointReplication::Continue
                        }
                        Some(RawEndpointReplication::Paused) => EndpointReplication::Paused,
                    },
                },
                x.at,
                x.length,
            ),
        };
        if at.0 >= duration {
            return Err(cx.err(
                base.child("at"),
                format!(
                    "starts at {}, not before the end of the run (duration {}); a fault must start before the run's duration ends",
                    format_span(at.0),
                    format_span(duration)
                ),
            ));
        }
        if length.is_some_and(|l| l.0 == 0) {
            return Err(cx.err(
                base.child("for"),
                "0s; a fault must last more than 0 (leave out 'for' for a fault that never ends)",
            ));
        }
        faults.push(Fault {
            kind,
            at: Time(at.0),
            length_ns: length.map(|l| l.0),
        });
    }
    check_outages(cx, &faults, raw, n)?;

    Ok(faults)
}

/// A slowdown's links (a region's, `between` or `from`/`to`) and how much
/// it adds (`add` or `factor`, exactly one).
fn slowdown(
    cx: &Ctx,
    x: &RawSlowdown,
    base: &Path,
    region: &dyn Fn(&str, Path) -> Result<RegionId>,
    n: usize,
) -> Result<FaultKind> {
    let (links, named) = match (&x.region, &x.between, &x.from, &x.to) {
        (Some(r), None, None, None) => {
            let r = region(r, base.child("region"))?;
            let links = (0..n)
                .filter(|&o| o != r)
                .flat_map(|o| [(r, o), (o, r)])
                .collect();
            (links, Some(r))
        }
        (None, Some(between), None, None) => {
            let (a, b) = pair(cx, between, base.child("between"), region)?;
            (vec![(a, b), (b, a)], None)
        }
        (None, None, Some(from), Some(to)) => {
            let a = region(from, base.child("from"))?;
            let b = region(to, base.child("to"))?;
            if a == b {
                return Err(cx.err(
                    base.child("to"),
                    format!("slows '{from}' to itself; name two different regions"),
                ));
            }
            (vec![(a, b)], None)
        }
        _ => {
            return Err(cx.err(
                base.clone(),
                "give one of region (every link to and from it), between: [a, b] (both directions) or from and to (one direction)",
            ))
        }
    };
    let by = match (x.add, x.factor) {
        (Some(add), None) => {
            if add.0 == 0 {
                return Err(cx.err(
                    base.child("add"),
                    "0s; a slowdown adds more than 0 (or give factor)",
                ));
            }
            Slowing::Add(add.0)
        }
        (None, Some(f)) => {
            if !f.is_finite() {
                return Err(cx.err(
                    base.child("factor"),
                    format!("'{f}' is not a finite number; NaN and infinity are not allowed"),
                ));
            }
            if !(f > 1.0 && f <= 1000.0) {
                return Err(cx.err(
                    base.child("factor"),
                    format!("{f} is not a slowdown; factor must be more than 1 and at most 1000"),
                ));
            }
            Slowing::Factor(f)
        }
        _ => {
            return Err(cx.err(
                base.clone(),
                "give exactly one of add: DURATION (added to each message's delay) or factor: F (the delay times F)",
            ))
        }
    };
    Ok(FaultKind::Slowdown {
        links,
        region: named,
        by,
    })
}

/// The width of a `timeseries.csv` row.
fn bucket(raw: &RawScenario, cx: &Ctx, duration: Nanos) -> Result<Nanos> {
    // Output.
    let bucket = raw
        .output
        .as_ref()
        .and_then(|o| o.bucket)
        .map_or(DEFAULT_BUCKET, |b| b.0);
    if bucket == 0 {
        return Err(cx.err(
            path!["output", "bucket"],
            "0s; a time bucket must be longer than 0",
        ));
    }
    let rows = duration / bucket;
    if rows > MAX_BUCKETS {
        return Err(cx.err(
            path!["output", "bucket"],
            format!(
                "{} cuts the run's duration {} into {rows} rows; at most {MAX_BUCKETS} rows, so use a longer bucket",
                format_span(bucket),
                format_span(duration)
            ),
        ));
    }

    Ok(bucket)
}

/// Two different regions from `between: [a, b]`.
fn pair(
    cx: &Ctx,
    between: &[String],
    p: Path,
    region: &dyn Fn(&str, Path) -> Result<RegionId>,
) -> Result<(RegionId, RegionId)> {
    if between.len() != 2 {
        return Err(cx.err(
            p,
            format!(
                "{} region{}; between names exactly 2 regions",
                between.len(),
                if between.len() == 1 { "" } else { "s" }
            ),
        ));
    }
    let a = region(&between[0], p.child(0))?;
    let b = region(&between[1], p.child(1))?;
    if a == b {
        return Err(cx.err(
            p.child(1),
            format!(
                "'{}' is named twice; between names two different regions",
                between[1]
            ),
        ));
    }
    Ok((a, b))
}

/// A latency distribution, its parameters checked.
/// A delay: its distribution and the `varies_over` given beside it.
fn delay(cx: &Ctx, raw: &RawDelay, p: Path) -> Result<(Latency, Option<Nanos>)> {
    Ok((latency(cx, &raw.dist, p)?, raw.varies_over.map(|d| d.0)))
}

fn latency(cx: &Ctx, raw: &RawLatency, p: Path) -> Result<Latency> {
    let positive = |v: Nanos, q: Path, what: &str| -> Result<()> {
        if v == 0 {
            Err(cx.err(q, format!("0s; {what} must be greater than 0")))
        } else {
            Ok(())
        }
    };
    Ok(match raw {
        RawLatency::Constant(d) => Latency::Constant(d.0),
        RawLatency::Uniform(u) => {
            if u.max.0 < u.min.0 {
                return Err(cx.err(
                    p.child("uniform").child("max"),
                    format!(
                        "{} is below min {}; max must be at least min",
                        format_span(u.max.0),
                        format_span(u.min.0)
                    ),
                ));
            }
            Latency::Uniform {
                min: u.min.0,
                max: u.max.0,
            }
        }
        RawLatency::Normal(x) => Latency::Normal {
            mean: x.mean.0,
            stddev: x.stddev.0,
        },
        RawLatency::LogNormal(x) => {
            positive(
                x.median.0,
                p.child("lognormal").child("median"),
                "a lognormal median",
            )?;
            if x.p99.0 < x.median.0 {
                return Err(cx.err(
                    p.child("lognormal").child("p99"),
                    format!(
                        "{} is below the median {}; p99 must be at least the median",
                        format_span(x.p99.0),
                        format_span(x.median.0)
                    ),
                ));
            }
            Latency::LogNormal {
                median: x.median.0,
                p99: x.p99.0,
            }
        }
        RawLatency::Exponential(x) => {
            positive(
                x.mean.0,
                p.child("exponential").child("mean"),
                "an exponential mean",
            )?;
            Latency::Exponential { mean: x.mean.0 }
        }
        RawLatency::Pareto(x) => {
            positive(x.min.0, p.child("pareto").child("min"), "a pareto min")?;
            if x.alpha <= 0.0 {
                return Err(cx.err(
                    p.child("pareto").child("alpha"),
                    format!(
                        "{} is not greater than 0; alpha must be more than 0",
                        x.alpha
                    ),
                ));
            }
            Latency::Pareto {
                min: x.min.0,
                alpha: x.alpha,
            }
        }
        RawLatency::Percentiles(x) => {
            let mut points: Vec<(&str, f64, Nanos)> = vec![("p0", 0.0, x.p0.map_or(0, |d| d.0))];
            points.push(("p50", 0.5, x.p50.0));
            if let Some(p90) = x.p90 {
                points.push(("p90", 0.9, p90.0));
            }
            points.push(("p99", 0.99, x.p99.0));
            points.push(("max", 1.0, x.max.0));
            for w in points.windows(2) {
                let ((n0, _, v0), (n1, _, v1)) = (w[0], w[1]);
                if v1 < v0 {
                    return Err(cx.err(
                        p.child("percentiles").child(n1),
                        format!(
                            "{} is below {n0} {}; percentiles must not decrease (p0 <= p50 <= p90 <= p99 <= max)",
                            format_span(v1),
                            format_span(v0)
                        ),
                    ));
                }
            }
            Latency::Percentiles(points.into_iter().map(|(_, q, v)| (q, v)).collect())
        }
    })
}

fn replication(
    cx: &Ctx,
    raw: Option<&RawReplication>,
    names: &Names,
    region: &dyn Fn(&str, Path) -> Result<RegionId>,
) -> Result<Replication> {
    let Some(raw) = raw else {
        return Ok(Replication {
            mode: Mode::ActiveActive,
            timestamps: Timestamps::Wall,
            ordering: Ordering::Item,
            pipeline: default_pipeline(),
            pipeline_varies_over_ns: None,
            throughput_per_s: None,
        });
    };
    let preset = match &raw.preset {
        Some(name) => Some(super::services::service_preset(name).ok_or_else(|| {
            cx.err(
                path!["replication", "preset"],
                unknown(
                    "service preset",
                    name,
                    &super::services::service_preset_names(),
                    "presets are",
                ),
            )
        })?),
        None => None,
    };
    let mode_kind = raw
        .mode
        .or(preset.map(|p| p.mode))
        .unwrap_or(RawMode::ActiveActive);
    let mode_name = match mode_kind {
        RawMode::ActiveActive => "active_active",
        RawMode::SinglePrimary => "single_primary",
        RawMode::Strong => "strong",
    };
    let foreign = |field: &str, owner: &str| -> Error {
        cx.key_err(
            path!["replication", field],
            format!("belongs to mode {owner}; this scenario's mode is {mode_name}"),
        )
    };
    if mode_kind != RawMode::SinglePrimary {
        for (field, given) in [
            ("primary", raw.primary.is_some()),
            ("secondary_writes", raw.secondary_writes.is_some()),
            ("failover", raw.failover.is_some()),
        ] {
            if given {
                return Err(foreign(field, "single_primary"));
            }
        }
    }
    if mode_kind != RawMode::Strong && raw.witness.is_some() {
        return Err(foreign("witness", "strong"));
    }
    let mode = match mode_kind {
        RawMode::ActiveActive => Mode::ActiveActive,
        RawMode::SinglePrimary => {
            // A preset names no region: its primary is the first listed.
            let first = preset.and_then(|_| names.names.first().copied());
            let Some(primary) = raw.primary.as_deref().or(first) else {
                return Err(cx.err(
                    path!["replication", "primary"],
                    format!(
                        "missing; single_primary mode needs a primary region, one of {}",
                        names.list()
                    ),
                ));
            };
            let primary = region(primary, path!["replication", "primary"])?;
            let f = raw.failover.as_ref();
            let target = match f.and_then(|f| f.target.as_deref()) {
                None | Some("least_lag") => FailoverTarget::LeastLag,
                Some(name) => {
                    let p = path!["replication", "failover", "target"];
                    let id = names.find(name).ok_or_else(|| {
                        cx.err(
                            p.clone(),
                            format!(
                                "unknown region '{}'; the target is least_lag or one of {}",
                                super::node::shorten(name),
                                names.list()
                            ),
                        )
                    })?;
                    if id == primary {
                        return Err(cx.err(
                            p,
                            format!("'{name}' is the primary itself; fail over to another region or least_lag"),
                        ));
                    }
                    FailoverTarget::Region(id)
                }
            };
            Mode::SinglePrimary(SinglePrimary {
                primary,
                secondary_writes: match raw.secondary_writes {
                    Some(RawSecondaryWrites::Reject) => SecondaryWrites::Reject,
                    None | Some(RawSecondaryWrites::Forward) => SecondaryWrites::Forward,
                },
                failover: Failover {
                    detect_ns: f
                        .and_then(|f| f.detect)
                        .map(|d| d.0)
                        .or(preset.and_then(|p| p.failover).map(|f| f.0))
                        .unwrap_or(DEFAULT_DETECT),
                    promote_ns: f
                        .and_then(|f| f.promote)
                        .map(|d| d.0)
                        .or(preset.and_then(|p| p.failover).map(|f| f.1))
                        .unwrap_or(DEFAULT_PROMOTE),
                    target,
                },
            })
        }
        RawMode::Strong => {
            if names.names.len() != 3 {
                return Err(cx.err(
                    path!["replication", "mode"],
                    format!(
                        "strong mode needs exactly 3 regions (one may be the witness); this scenario has {}",
                        names.names.len()
                    ),
                ));
            }
            let witness = match &raw.witness {
                Some(w) => Some(region(w, path!["replication", "witness"])?),
                None => None,
            };
            Mode::Strong(Strong { witness })
        }
    };
    let (pipeline, pipeline_varies_over_ns) = match (&raw.pipeline, preset) {
        (Some(p), _) => delay(cx, p, path!["replication", "pipeline"])?,
        (None, Some(p)) => (p.pipeline(), Some(p.pipeline_varies_over_ns)),
        (None, None) => (default_pipeline(), None),
    };
    // A preset's ordering goes with its mode; with the mode overridden,
    // the new mode's default.
    let preset_ordering = preset.filter(|p| p.mode == mode_kind).map(|p| p.ordering);
    let ordering = match raw.ordering.or(preset_ordering) {
        None => Ordering::default_for(&mode),
        Some(RawOrdering::Stream) => Ordering::Stream,
        Some(RawOrdering::Item) => {
            if matches!(mode, Mode::SinglePrimary(_)) {
                return Err(cx.err(
                    path!["replication", "ordering"],
                    "single_primary ships its log in order, so a secondary always holds a prefix of it; ordering must be stream",
                ));
            }
            Ordering::Item
        }
    };
    Ok(Replication {
        mode,
        ordering,
        timestamps: match raw.timestamps.or(preset.map(|p| p.timestamps)) {
            None | Some(RawTimestamps::Wall) => Timestamps::Wall,
            Some(RawTimestamps::Hlc) => Timestamps::Hlc,
            Some(RawTimestamps::TrueTime) => Timestamps::TrueTime,
        },
        pipeline,
        pipeline_varies_over_ns,
        throughput_per_s: raw.throughput.map(|r| r.0),
    })
}

/// Refuses a moment when every region is out while some outage's clients
/// are to be rerouted: there is nowhere to send them.
fn check_outages(cx: &Ctx, faults: &[Fault], raw: &RawScenario, n: usize) -> Result<()> {
    // (time, 0 = end / 1 = start, fault index); ends sort first so that
    // back-to-back outages do not overlap.
    let mut events = Vec::new();
    for (i, f) in faults.iter().enumerate() {
        if f.kind.clients_blocked().is_some() {
            events.push((f.at.0, 1u8, i));
            if let Some(end) = f.end() {
                events.push((end.0, 0u8, i));
            }
        }
    }
    events.sort_unstable();
    let mut down = vec![0usize; n];
    let mut regions_down = 0;
    let mut rerouting: BTreeSet<(u64, usize)> = BTreeSet::new();
    let mut k = 0;
    while k < events.len() {
        let t = events[k].0;
        while k < events.len() && events[k].0 == t {
            let (_, start, i) = events[k];
            if let Some((region, clients)) = faults[i].kind.clients_blocked() {
                if start == 1 {
                    down[region] += 1;
                    if down[region] == 1 {
                        regions_down += 1;
                    }
                    if clients == OutageClients::Reroute {
                        rerouting.insert((faults[i].at.0, i));
                    }
                } else {
                    down[region] -= 1;
                    if down[region] == 0 {
                        regions_down -= 1;
                    }
                    rerouting.remove(&(faults[i].at.0, i));
                }
            }
            k += 1;
        }
        if regions_down == n {
            if let Some(&(_, i)) = rerouting.iter().next_back() {
                let kind = raw
                    .faults
                    .as_ref()
                    .and_then(|f| f.get(i))
                    .map_or("outage", RawFault::kind);
                return Err(cx.err(
                    path!["faults", i, kind, "clients"],
                    format!(
                        "every region is out at {}, so rerouted clients have nowhere to go; use clients: fail, or keep one region up",
                        format_span(t)
                    ),
                ));
            }
        }
    }
    Ok(())
}

/// The `expect:` section: figures of the summary, of a region
/// (`regions.<region>.<figure>`), of a stream (`links.<from>><to>.<figure>`)
/// or of a fault (`faults.<n>.<figure>`),
/// at the top for every run or under a mode's name for that mode's runs.
/// A figure only some modes produce must be under such a mode, or the
/// scenario's own mode must produce it.
fn expectations(
    cx: &Ctx,
    raw: &RawScenario,
    names: &Names,
    faults: &[Fault],
    own_mode: &str,
) -> Result<Vec<Expectation>> {
    let mut out = Vec::new();
    for (key, cond) in raw.expect.iter().flat_map(|e| e.0.iter()) {
        match cond {
            RawCondition::Nested(entries) => {
                if !Mode::NAMES.contains(&key.as_str()) {
                    let p = path!["expect", key];
                    return Err(cx.key_err(
                        p,
                        format!(
                            "a mapping of conditions goes under a mode's name ({}); \
                             '{key}' is not one",
                            Mode::NAMES.join(", ")
                        ),
                    ));
                }
                for (metric, cond) in entries {
                    let p = path!["expect", key, metric];
                    out.push(expectation(cx, p, names, faults, metric, cond, Some(key))?);
                }
            }
            _ => {
                let p = path!["expect", key];
                let e = expectation(cx, p.clone(), names, faults, key, cond, None)?;
                if let Target::Summary { figure } = &e.target {
                    let f = figures::find(figures::SUMMARY, figure).expect("checked");
                    if !f.in_mode(own_mode) {
                        return Err(cx.key_err(
                            p,
                            format!(
                                "only {} mode has this figure and this scenario runs {own_mode}; \
                                 for `compare`, put it under the mode's name \
                                 ({}: {{ {key}: ... }})",
                                f.modes.join(" and "),
                                f.modes[0]
                            ),
                        ));
                    }
                }
                out.push(e);
            }
        }
    }
    Ok(out)
}

/// One `expect:` entry at `p`, named `metric`, for `mode` if given.
fn expectation(
    cx: &Ctx,
    p: Path,
    names: &Names,
    faults: &[Fault],
    metric: &str,
    cond: &RawCondition,
    mode: Option<&String>,
) -> Result<Expectation> {
    fn figure<T: Default>(
        cx: &Ctx,
        p: &Path,
        table: &[Figure<T>],
        name: &str,
        what: &str,
        mode: Option<&String>,
    ) -> Result<String> {
        let allowed = figures::numeric_names(table);
        if !allowed.contains(&name) {
            return Err(cx.key_err(p.clone(), unknown(what, name, &allowed, "figures are")));
        }
        if let Some(mode) = mode {
            let f = figures::find(table, name).expect("checked");
            if !f.in_mode(mode) {
                return Err(cx.key_err(
                    p.clone(),
                    format!(
                        "{mode} mode has no figure '{name}'; only {} has",
                        f.modes.join(" and ")
                    ),
                ));
            }
        }
        Ok(name.to_string())
    }
    let region = |name: &str| -> Result<String> {
        match names.find(name) {
            Some(_) => Ok(name.to_string()),
            None => Err(cx.key_err(
                p.clone(),
                unknown("region", name, &names.names, "regions are"),
            )),
        }
    };
    let target = if let Some(rest) = metric.strip_prefix("regions.") {
        let Some((r, f)) = rest.rsplit_once('.') else {
            return Err(cx.key_err(
                p,
                "write a region's figure as regions.<region>.<figure>, such as regions.eu-west-1.lost_writes",
            ));
        };
        Target::Region {
            region: region(r)?,
            figure: figure(cx, &p, figures::REGIONS, f, "region figure", mode)?,
        }
    } else if let Some(rest) = metric.strip_prefix("links.") {
        let parsed = rest
            .rsplit_once('.')
            .and_then(|(pair, f)| pair.split_once('>').map(|(a, b)| (a, b, f)));
        let Some((a, b, f)) = parsed else {
            return Err(cx.key_err(
                p,
                "write a stream's figure as links.<from>><to>.<figure>, such as links.us-east-1>eu-west-1.lag_p99_ms",
            ));
        };
        let (from, to) = (region(a)?, region(b)?);
        if from == to {
            return Err(cx.key_err(
                p,
                format!("a stream joins two different regions, not {from} to itself"),
            ));
        }
        Target::Link {
            from,
            to,
            figure: figure(cx, &p, figures::LINKS, f, "stream figure", mode)?,
        }
    } else if let Some(rest) = metric.strip_prefix("faults.") {
        fault_target(cx, &p, faults, rest)?
    } else {
        Target::Summary {
            figure: figure(cx, &p, figures::SUMMARY, metric, "figure", mode)?,
        }
    };
    let (op, value) = condition(cond).map_err(|m| cx.err(p, m))?;
    Ok(Expectation {
        metric: metric.to_string(),
        target,
        mode: mode.cloned(),
        op,
        value,
    })
}

/// `faults.<n>.<figure>` (given without `faults.`): the fault numbered
/// `n` from 1 in the scenario's list, and one of its `faults.csv` figures.
fn fault_target(cx: &Ctx, p: &Path, faults: &[Fault], rest: &str) -> Result<Target> {
    let Some((n, f)) = rest.split_once('.') else {
        return Err(cx.key_err(
            p.clone(),
            "write a fault's figure as faults.<n>.<figure>, n from 1 in the order listed, \
             such as faults.1.lost_writes",
        ));
    };
    let fault = match n.parse::<u64>() {
        Ok(k) if k >= 1 && k <= faults.len() as u64 => k,
        _ if faults.is_empty() => {
            return Err(cx.key_err(
                p.clone(),
                format!("there is no fault '{n}': this scenario has no faults"),
            ))
        }
        _ => {
            return Err(cx.key_err(
                p.clone(),
                format!(
                    "there is no fault '{}'; the scenario's faults are numbered 1 to {}, in the order listed",
                    super::node::shorten(n),
                    faults.len()
                ),
            ))
        }
    };
    let allowed = figures::fault_numeric_names();
    if !allowed.contains(&f) {
        return Err(cx.key_err(
            p.clone(),
            unknown("fault figure", f, &allowed, "figures are"),
        ));
    }
    let row = figures::FAULTS
        .iter()
        .find(|x| x.name == f)
        .expect("checked");
    let kind = &faults[fault as usize - 1].kind;
    if row.windowed
        && matches!(
            kind,
            FaultKind::ClockStep { .. } | FaultKind::Switchover { .. }
        )
    {
        return Err(cx.key_err(
            p.clone(),
            format!(
                "fault {fault} ({}) is an instant: it has no window to count {f} in",
                kind.name()
            ),
        ));
    }
    Ok(Target::Fault {
        fault,
        figure: f.to_string(),
    })
}

/// `"< 0.01"`, `">= 3"`, a number (==) or a bool (true = 1, false = 0).
fn condition(raw: &RawCondition) -> std::result::Result<(CompareOp, f64), String> {
    let bad = |t: &str| {
        format!(
            "'{}' is not a condition; write one such as '< 0.01', '<= 5', '> 0', '>= 3', '== 0', a number or true/false",
            super::node::shorten(t)
        )
    };
    match raw {
        RawCondition::Nested(_) => Err(
            "expected a condition such as '< 0.01', found a mapping (only a mode's name takes a mapping)"
                .to_string(),
        ),
        RawCondition::Bool(b) => Ok((CompareOp::Eq, if *b { 1.0 } else { 0.0 })),
        RawCondition::Number(v) => Ok((CompareOp::Eq, *v)),
        RawCondition::Text(t) => {
            let s = t.trim();
            let (op, rest) = [
                ("<=", CompareOp::Le),
                (">=", CompareOp::Ge),
                ("==", CompareOp::Eq),
                ("<", CompareOp::Lt),
                (">", CompareOp::Gt),
            ]
            .iter()
            .find_map(|(sym, op)| s.strip_prefix(sym).map(|r| (*op, r.trim())))
            .unwrap_or((CompareOp::Eq, s));
            let value = match rest {
                "true" => 1.0,
                "false" => 0.0,
                _ => {
                    parse_float(rest).map_err(|e| if e.contains("finite") { e } else { bad(t) })?
                }
            };
            Ok((op, value))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conditions() {
        let t = |s: &str| condition(&RawCondition::Text(s.to_string()));
        assert_eq!(t("< 0.01"), Ok((CompareOp::Lt, 0.01)));
        assert_eq!(t("<=5"), Ok((CompareOp::Le, 5.0)));
        assert_eq!(t(">= 3"), Ok((CompareOp::Ge, 3.0)));
        assert_eq!(t("== true"), Ok((CompareOp::Eq, 1.0)));
        assert_eq!(t("7"), Ok((CompareOp::Eq, 7.0)));
        assert!(t("about 3").is_err());
        assert!(t("< nan").unwrap_err().contains("finite"));
        assert_eq!(
            condition(&RawCondition::Bool(false)),
            Ok((CompareOp::Eq, 0.0))
        );
    }
}
