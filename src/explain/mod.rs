//! `replisim explain`: one key's story, write by write, from a run's trace.
//!
//! `story` picks a key (the one given, or the most instructive) and a time
//! window, and gathers what happened to that key there: every write with
//! its parent, timestamp and outcome, every arrival with what the region
//! did with it, every read, the faults and the clocks. `narrate` turns a
//! story into text (one paragraph per decision), `svg` into a space-time
//! diagram, `page` into a self-contained HTML page or a section of the
//! run's report. All of it is data in and bytes out: nothing here runs a
//! simulation, touches a file or reads the wall clock, and a story lists
//! everything in id or time order, so the same trace gives the same bytes.

pub mod narrate;
pub mod page;
pub mod svg;

use std::collections::BTreeMap;

use crate::error::{Error, Result};
use crate::metrics::result::{Trace, WriteTrace};
use crate::model::clock::RegionClock;
use crate::model::faults::Schedule;
use crate::scenario::{FaultKind, Scenario, TableKind};
use crate::sim::time::Time;

/// What to explain; everything optional.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Request {
    /// `table/key`, or a key number when there is one table.
    pub key: Option<String>,
    /// The window, in true time (nanoseconds).
    pub from_ns: Option<u64>,
    pub to_ns: Option<u64>,
    /// The story of one write: its key, and a window around it.
    pub write: Option<u64>,
}

/// Above this many writes of the chosen key in the window, the default
/// window is narrowed around one lost write.
pub const WHOLE_KEY_WRITES: usize = 40;
/// The most writes a diagram shows; a longer window is cut short.
pub const MAX_WRITES: usize = 200;

/// What a region did with an arriving version.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Glyph {
    /// It replaced what the region held.
    Installed,
    /// The region held a write it does not descend from that beats it
    /// (greater timestamp): rejected as older.
    Rejected,
    /// The region already held a write built on it: it arrived after a
    /// newer one.
    Superseded,
}

impl Glyph {
    pub fn name(self) -> &'static str {
        match self {
            Glyph::Installed => "installed",
            Glyph::Rejected => "rejected",
            Glyph::Superseded => "superseded",
        }
    }
}

/// Why a write was lost, in the words a teacher uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cause {
    /// Written at the same time as the winner, neither having seen the
    /// other.
    Concurrent,
    /// Written on the two sides of a partition (or while one side was cut
    /// off): neither could see the other until the heal.
    Partition,
    /// The winner was issued earlier in true time but stamped later: the
    /// loser's clock was behind.
    ClockBehind,
    /// Its own region held what it was built on with a later timestamp: it
    /// was never visible anywhere (causal inversion).
    CausalInversion,
    /// Committed at a primary that failed before shipping it (RPO).
    Failover,
    /// Held only by regions that were down when the run ended.
    Stranded,
    /// The winner beat a write built on this one (stamped below it), not
    /// this one itself: lost with that write.
    WithDescendant,
    /// Lost for a reason the trace does not name.
    Other,
}

impl Cause {
    pub fn words(self) -> &'static str {
        match self {
            Cause::Concurrent => "concurrent write",
            Cause::Partition => "partition",
            Cause::ClockBehind => "clock behind",
            Cause::CausalInversion => "clock behind (causal inversion)",
            Cause::Failover => "failover (RPO)",
            Cause::Stranded => "stranded in a failed region",
            Cause::WithDescendant => "lost with a write built on it",
            Cause::Other => "lost",
        }
    }
}

/// One arrival of a write at a region.
#[derive(Clone, Debug, PartialEq)]
pub struct Arrival {
    pub to: usize,
    pub at_ns: u64,
    pub glyph: Glyph,
    /// The write the region held when it arrived.
    pub held: u64,
}

/// One write of the story.
#[derive(Clone, Debug, PartialEq)]
pub struct Write {
    pub id: u64,
    /// The region whose client issued it.
    pub region: usize,
    /// The region that applied it and replicated it (the primary, for a
    /// forwarded write).
    pub writer: usize,
    pub issue_ns: u64,
    pub applied_ns: u64,
    pub ts_ns: i64,
    pub parent: u64,
    pub lost: bool,
    /// The trace's cause word (`overwritten`, ...), empty when survived.
    pub trace_cause: &'static str,
    /// Why it was lost (`None` when it survived).
    pub cause: Option<Cause>,
    pub beaten_by: u64,
    pub value: Option<u64>,
    pub installed: bool,
    /// What its writer held when it was written.
    pub held: u64,
    /// Every other region it reached (the primary too, for a forwarded
    /// write), in arrival order.
    pub arrivals: Vec<Arrival>,
}

/// One read of the story.
#[derive(Clone, Debug, PartialEq)]
pub struct Read {
    pub id: u64,
    pub region: usize,
    pub at_ns: u64,
    pub returned: u64,
    pub stale: bool,
    pub staleness_ns: Option<u64>,
}

/// A fault drawn on the diagram and named in the story.
#[derive(Clone, Debug, PartialEq)]
pub struct Fault {
    /// `partition`, `isolate` or `outage`.
    pub kind: &'static str,
    pub label: String,
    /// The lanes it cuts.
    pub regions: Vec<usize>,
    pub start_ns: u64,
    /// `None`: never ends.
    pub end_ns: Option<u64>,
}

/// A region's clock against true time over the window.
#[derive(Clone, Debug, PartialEq)]
pub struct ClockLine {
    /// Reading minus true time at the window's start.
    pub offset_ns: i64,
    /// At the window's end (differs with drift or steps).
    pub end_offset_ns: i64,
    /// Steps inside the window: when, and the offset from then on.
    pub steps: Vec<(u64, i64)>,
}

/// One key's story over a window.
#[derive(Clone, Debug, PartialEq)]
pub struct Story {
    pub scenario: String,
    pub seed: u64,
    pub mode: String,
    pub timestamps: String,
    pub regions: Vec<String>,
    pub table: String,
    pub key: u64,
    pub counter: bool,
    pub from_ns: u64,
    pub to_ns: u64,
    /// The writes issued in the window, in id order.
    pub writes: Vec<Write>,
    /// The key's writes in the whole run, and how many were lost.
    pub key_writes: usize,
    pub key_lost: usize,
    pub reads: Vec<Read>,
    pub faults: Vec<Fault>,
    pub clocks: Vec<ClockLine>,
    /// The key's final version (the survived write nothing survived on).
    pub final_id: Option<u64>,
    /// What each region held at the end of the run.
    pub final_held: Vec<u64>,
    /// The window was cut to `MAX_WRITES` writes.
    pub cut: bool,
}

impl Story {
    /// The story's write `id`, if it is in the window.
    pub fn write(&self, id: u64) -> Option<&Write> {
        self.writes
            .binary_search_by_key(&id, |w| w.id)
            .ok()
            .map(|i| &self.writes[i])
    }
}

/// Above this estimated trace size a run does not keep a trace just for
/// the explain view of its report (64 MiB: about 100,000 writes).
pub const REPORT_TRACE_BYTES: u64 = 64 << 20;

/// Whether a run of `s` keeps a trace for its report's explain view even
/// without `--trace`.
pub fn trace_for_report(s: &Scenario) -> bool {
    crate::model::estimate_memory_parts(s, true).trace <= REPORT_TRACE_BYTES
}

/// A key: table index and key within the table.
type KeyId = (usize, u64);

/// Build the story `request` asks for from a run of `s` and its trace.
/// Bad requests (an unknown key, a write that does not exist, a window
/// outside the run) are one-line errors.
pub fn story(s: &Scenario, trace: &Trace, request: &Request) -> Result<Story> {
    let table_of: BTreeMap<&str, usize> = s
        .tables
        .iter()
        .enumerate()
        .map(|(i, t)| (t.name.as_str(), i))
        .collect();
    let region_of: BTreeMap<&str, usize> = s
        .regions
        .iter()
        .enumerate()
        .map(|(i, r)| (r.name.as_str(), i))
        .collect();
    let key_of = |w: &WriteTrace| -> KeyId { (table_of[w.table.as_str()], w.key) };
    let by_id = |id: u64| -> Option<&WriteTrace> {
        id.checked_sub(1).and_then(|i| trace.writes.get(i as usize))
    };
    let run_end = trace
        .deliveries
        .iter()
        .map(|d| d.arrive_ns)
        .chain(trace.writes.iter().map(|w| w.applied_ns))
        .chain(trace.reads.iter().map(|r| r.at_ns))
        .max()
        .unwrap_or(0)
        .max(s.duration_ns);

    let anchor = match request.write {
        Some(id) => Some(by_id(id).ok_or_else(|| {
            Error::new(format!(
                "--write {id}: no such write; this run has writes 1 to {}",
                trace.writes.len()
            ))
        })?),
        None => None,
    };
    let key: KeyId = match (&request.key, anchor) {
        (Some(k), _) => {
            let key = parse_key(s, k)?;
            if let Some(a) = anchor {
                if key_of(a) != key {
                    return Err(Error::new(format!(
                        "--write {}: it is a write of {}/{}, not of {k}",
                        a.write_id, a.table, a.key
                    )));
                }
            }
            key
        }
        (None, Some(a)) => key_of(a),
        (None, None) => most_instructive(s, trace, &key_of).ok_or_else(|| {
            Error::new(format!(
                "{}: the run made no writes, so there is nothing to explain",
                s.name
            ))
        })?,
    };
    let (ti, k) = key;
    let table = &s.tables[ti];

    // The key's writes and their arrivals.
    let key_writes: Vec<&WriteTrace> = trace.writes.iter().filter(|w| key_of(w) == key).collect();
    if key_writes.is_empty() && request.key.is_some() {
        return Err(Error::new(format!(
            "--key {}/{k}: no write to this key in the run; try another key, or none to let explain pick",
            table.name
        )));
    }
    let mut arrivals: BTreeMap<u64, Vec<(usize, u64, bool, u64)>> = BTreeMap::new();
    let key_ids: std::collections::BTreeSet<u64> = key_writes.iter().map(|w| w.write_id).collect();
    for d in &trace.deliveries {
        if key_ids.contains(&d.write_id) {
            arrivals.entry(d.write_id).or_default().push((
                region_of[d.to.as_str()],
                d.arrive_ns,
                d.applied,
                d.held_id,
            ));
        }
    }
    // a descends from b (a's chain of parents reaches b; ids fall along it).
    let descends = |a: u64, b: u64| -> bool {
        let mut at = a;
        loop {
            if at == b {
                return true;
            }
            if at < b || at == 0 {
                return false;
            }
            at = by_id(at).map_or(0, |w| w.parent_id);
        }
    };

    // A forwarded write first arrives at the primary, when it is applied.
    let writer_of = |w: &WriteTrace, region: usize| -> usize {
        arrivals
            .get(&w.write_id)
            .and_then(|a| {
                a.iter()
                    .find(|a| a.1 == w.applied_ns && a.2 && a.0 != region)
            })
            .map_or(region, |a| a.0)
    };

    // The window.
    let last_read = trace
        .reads
        .iter()
        .filter(|r| r.key == k && table_of.get(r.table.as_str()) == Some(&ti))
        .map(|r| r.at_ns)
        .max();
    let (from_ns, to_ns) = window(request, &key_writes, &arrivals, last_read, run_end, s)?;
    let in_window = |t: u64| t >= from_ns && t <= to_ns;
    let mut shown: Vec<&WriteTrace> = key_writes
        .iter()
        .copied()
        .filter(|w| in_window(w.issue_ns))
        .collect();
    let cut = shown.len() > MAX_WRITES;
    let to_ns = if cut {
        shown.truncate(MAX_WRITES);
        shown.last().map_or(to_ns, |w| w.issue_ns.max(from_ns + 1))
    } else {
        to_ns
    };

    let n = s.regions.len();
    let schedule = Schedule::new(s);
    let mut writes = Vec::with_capacity(shown.len());
    for w in &shown {
        let region = region_of[w.region.as_str()];
        let mine = arrivals.get(&w.write_id).cloned().unwrap_or_default();
        let writer = writer_of(w, region);
        let arrivals = mine
            .iter()
            .map(|&(to, at_ns, applied, held)| Arrival {
                to,
                at_ns,
                held,
                glyph: if applied {
                    Glyph::Installed
                } else if descends(held, w.write_id) {
                    Glyph::Superseded
                } else {
                    Glyph::Rejected
                },
            })
            .collect();
        let lost = w.outcome == "lost";
        let mut sw = Write {
            id: w.write_id,
            region,
            writer,
            issue_ns: w.issue_ns,
            applied_ns: w.applied_ns,
            ts_ns: w.timestamp_ns,
            parent: w.parent_id,
            lost,
            trace_cause: w.cause,
            cause: None,
            beaten_by: w.beaten_by,
            value: w.value,
            installed: w.installed,
            held: w.held_id,
            arrivals,
        };
        if lost {
            sw.cause = Some(cause_of(s, &schedule, &sw, &by_id, &descends, &region_of));
        }
        writes.push(sw);
    }

    // The final version, and what each region held at the end.
    let survived: Vec<&WriteTrace> = key_writes
        .iter()
        .copied()
        .filter(|w| w.outcome == "survived")
        .collect();
    let final_id = survived
        .iter()
        .filter(|w| !survived.iter().any(|c| c.parent_id == w.write_id))
        .map(|w| w.write_id)
        .max();
    // Replay the key's installs in (time, trace order): the last one in
    // each region is what it holds at the end.
    let mut installs: Vec<(u64, usize, usize, u64)> = Vec::new();
    for (order, w) in key_writes.iter().enumerate() {
        if w.installed {
            let region = region_of[w.region.as_str()];
            installs.push((w.applied_ns, order, writer_of(w, region), w.write_id));
        }
    }
    let mut order = key_writes.len();
    for (id, list) in &arrivals {
        for &(to, at, applied, _) in list {
            if applied {
                installs.push((at, order, to, *id));
            }
            order += 1;
        }
    }
    installs.sort_unstable();
    let mut held = vec![(0u64, 0usize, 0usize, 0u64); n];
    for i in installs {
        held[i.2] = i;
    }
    let final_held = held.iter().map(|h| h.3).collect();

    let reads = trace
        .reads
        .iter()
        .filter(|r| table_of.get(r.table.as_str()) == Some(&ti) && r.key == k && in_window(r.at_ns))
        .map(|r| Read {
            id: r.read_id,
            region: region_of[r.region.as_str()],
            at_ns: r.at_ns,
            returned: r.returned_id,
            stale: r.stale,
            staleness_ns: r.staleness_ns,
        })
        .collect();

    let faults = faults_in(s, from_ns, to_ns);
    let clocks = (0..n)
        .map(|r| {
            let clock = RegionClock::new(
                s.regions[r].clock,
                schedule.clock_steps[r].clone(),
                s.replication.timestamps,
            );
            let offset = |t: u64| clock.reading(Time(t)) - t as i64;
            let mut steps: Vec<(u64, i64)> = schedule.clock_steps[r]
                .iter()
                .filter(|(at, _)| in_window(at.ns()))
                .map(|(at, _)| (at.ns(), offset(at.ns())))
                .collect();
            steps.sort();
            ClockLine {
                offset_ns: offset(from_ns),
                end_offset_ns: offset(to_ns),
                steps,
            }
        })
        .collect();

    Ok(Story {
        scenario: s.name.clone(),
        seed: s.seed,
        mode: s.replication.mode.name().to_string(),
        timestamps: s.replication.timestamps.name().to_string(),
        regions: s.regions.iter().map(|r| r.name.clone()).collect(),
        table: table.name.clone(),
        key: k,
        counter: table.kind == TableKind::Counter,
        from_ns,
        to_ns,
        writes,
        key_writes: key_writes.len(),
        key_lost: key_writes.iter().filter(|w| w.outcome == "lost").count(),
        reads,
        faults,
        clocks,
        final_id,
        final_held,
        cut,
    })
}

/// `table/key`, or a bare key number when the scenario has one table.
fn parse_key(s: &Scenario, text: &str) -> Result<KeyId> {
    let tables: Vec<&str> = s.tables.iter().map(|t| t.name.as_str()).collect();
    let (table, key) = match text.rsplit_once('/') {
        Some((t, k)) => (t, k),
        None if s.tables.len() == 1 => (tables[0], text),
        None => {
            return Err(Error::new(format!(
                "--key {text}: give it as table/key; tables are {}",
                tables.join(", ")
            )))
        }
    };
    let ti = tables.iter().position(|&t| t == table).ok_or_else(|| {
        Error::new(format!(
            "--key {text}: unknown table '{table}'; tables are {}",
            tables.join(", ")
        ))
    })?;
    let keys = u64::from(s.tables[ti].keys);
    match key.parse::<u64>() {
        Ok(k) if k < keys => Ok((ti, k)),
        _ => Err(Error::new(format!(
            "--key {text}: key must be a whole number from 0 to {} in table {table}",
            keys - 1
        ))),
    }
}

/// The key whose story teaches most: the most kinds of loss (by the
/// trace's cause), then some lost writes (up to three), then a stale read,
/// then the fewest writes (a short story), then the first key.
fn most_instructive(
    s: &Scenario,
    trace: &Trace,
    key_of: &dyn Fn(&WriteTrace) -> KeyId,
) -> Option<KeyId> {
    #[derive(Default)]
    struct Tally {
        writes: usize,
        lost: usize,
        causes: std::collections::BTreeSet<&'static str>,
        stale: bool,
    }
    let mut tally: BTreeMap<KeyId, Tally> = BTreeMap::new();
    for w in &trace.writes {
        let t = tally.entry(key_of(w)).or_default();
        t.writes += 1;
        if w.outcome == "lost" {
            t.lost += 1;
            t.causes.insert(w.cause);
        }
    }
    for r in &trace.reads {
        if !r.stale {
            continue;
        }
        if let Some(ti) = s.tables.iter().position(|t| t.name == r.table) {
            if let Some(t) = tally.get_mut(&(ti, r.key)) {
                t.stale = true;
            }
        }
    }
    tally
        .iter()
        .max_by_key(|(k, t)| {
            (
                t.causes.len(),
                t.lost.min(3),
                t.stale,
                std::cmp::Reverse(t.writes),
                std::cmp::Reverse(**k),
            )
        })
        .map(|(k, _)| *k)
}

/// The window: as asked, or a default. A key with few writes is shown
/// whole (its writes, their arrivals and its reads); otherwise a stretch around the write asked for (or the first
/// lost one): three writes before it, eight after, and until it has
/// arrived everywhere.
fn window(
    request: &Request,
    key_writes: &[&WriteTrace],
    arrivals: &BTreeMap<u64, Vec<(usize, u64, bool, u64)>>,
    last_read: Option<u64>,
    run_end: u64,
    s: &Scenario,
) -> Result<(u64, u64)> {
    let last_arrival = |w: &WriteTrace| {
        arrivals
            .get(&w.write_id)
            .and_then(|a| a.iter().map(|a| a.1).max())
            .unwrap_or(w.applied_ns)
            .max(w.applied_ns)
    };
    let (lo, hi) = if key_writes.len() <= WHOLE_KEY_WRITES && request.write.is_none() {
        let lo = key_writes.iter().map(|w| w.issue_ns).min().unwrap_or(0);
        let hi = key_writes
            .iter()
            .map(|w| last_arrival(w))
            .chain(last_read)
            .max()
            .unwrap_or(run_end);
        (lo, hi)
    } else {
        let at = request
            .write
            .and_then(|id| key_writes.iter().position(|w| w.write_id == id))
            .or_else(|| key_writes.iter().position(|w| w.outcome == "lost"))
            .unwrap_or(0);
        let first = at.saturating_sub(3);
        let last = (at + 8).min(key_writes.len() - 1);
        let lo = key_writes[first].issue_ns;
        let hi = key_writes[first..=last]
            .iter()
            .map(|w| w.issue_ns)
            .max()
            .unwrap_or(lo)
            .max(last_arrival(key_writes[at]));
        (lo, hi)
    };
    let pad = ((hi - lo) / 20).max(10_000_000);
    let mut from = request.from_ns.unwrap_or(lo.saturating_sub(pad));
    let mut to = request.to_ns.unwrap_or(hi.saturating_add(pad));
    if request.from_ns.is_some() && request.to_ns.is_none() && to <= from {
        to = from + (hi - lo).max(1_000_000_000);
    }
    if request.to_ns.is_some() && request.from_ns.is_none() && from >= to {
        from = to.saturating_sub((hi - lo).max(1_000_000_000));
    }
    let secs = |ns: u64| crate::sim::time::Time(ns).as_secs();
    if let Some(f) = request.from_ns {
        if f >= run_end {
            return Err(Error::new(format!(
                "--from {:.3}s: after the run's end ({:.3} s); {} ran from 0 s",
                secs(f),
                secs(run_end),
                s.name
            )));
        }
    }
    if from >= to {
        return Err(Error::new(format!(
            "--from {:.3}s --to {:.3}s: the window must end after it starts",
            secs(from),
            secs(to)
        )));
    }
    Ok((from, to))
}

/// The partitions, isolations and outages that overlap `[from, to]`, each
/// with the lanes it cuts.
fn faults_in(s: &Scenario, from: u64, to: u64) -> Vec<Fault> {
    let labels = crate::model::faults::windows_for_report(s);
    let mut out = Vec::new();
    for (f, w) in s.faults.iter().zip(labels) {
        let (kind, regions) = match &f.kind {
            FaultKind::Partition { links } => {
                let mut r: Vec<usize> = links.iter().flat_map(|&(a, b)| [a, b]).collect();
                r.sort();
                r.dedup();
                ("partition", r)
            }
            FaultKind::Isolate { region } => ("isolate", vec![*region]),
            FaultKind::PauseReplication { region } => ("pause_replication", vec![*region]),
            FaultKind::Outage { region, .. } => ("outage", vec![*region]),
            _ => continue,
        };
        let start = f.at.ns();
        let end = f.end().map(|e| e.ns());
        if start > to || end.is_some_and(|e| e < from) {
            continue;
        }
        out.push(Fault {
            kind,
            label: w.label,
            regions,
            start_ns: start,
            end_ns: end,
        });
    }
    out
}

/// Why a lost write was lost.
fn cause_of<'t>(
    s: &Scenario,
    schedule: &Schedule,
    w: &Write,
    by_id: &dyn Fn(u64) -> Option<&'t WriteTrace>,
    descends: &dyn Fn(u64, u64) -> bool,
    region_of: &BTreeMap<&str, usize>,
) -> Cause {
    match w.trace_cause {
        "stranded" => return Cause::Stranded,
        "rpo" => return Cause::Failover,
        "causal_inversion" => return Cause::CausalInversion,
        _ => {}
    }
    let Some(b) = by_id(w.beaten_by) else {
        return Cause::Other;
    };
    let br = region_of[b.region.as_str()];
    let stamp = |ts: i64, r: usize| (ts, s.regions[r].name.as_str());
    // The winner beat a write built on this one, not this one itself.
    if stamp(b.timestamp_ns, br) <= stamp(w.ts_ns, w.region) {
        return Cause::WithDescendant;
    }
    if b.issue_ns < w.issue_ns && b.timestamp_ns > w.ts_ns && !descends(w.id, b.write_id) {
        return Cause::ClockBehind;
    }
    // A link between the two regions down while either was written.
    let (a, c) = (w.writer, br);
    let cut = |t: u64| schedule.link_down_at(a, c, Time(t)) || schedule.link_down_at(c, a, Time(t));
    if a != c && (cut(w.applied_ns) || cut(b.applied_ns)) {
        return Cause::Partition;
    }
    Cause::Concurrent
}
