//! The figures of each scheduled fault (`faults.csv`): what was issued
//! during it (writes, lost writes, stale reads), the largest backlog of
//! the streams it touched, and how long replicas took to get back in step
//! after it ended (`catch_up_ms`, `drain_ms`).
//!
//! Window figures count operations issued in `[start, end)`. Lost writes
//! are decided long after they are issued, folded together by the lineage
//! into counts per time bucket; so the lineage counts them per *cell*
//! instead: the time buckets, cut once more at every fault's start and
//! end (`IssueCells`). A run without faults has no extra cuts, and a cell
//! is a bucket.
//!
//! The rest is measured at a few instants only: when a fault starts or
//! ends (the recorder's `advance` passes these marks as it passes bucket
//! ends, before any event at or after them), and at the end of the run.
//! The drain is seen by the stream itself (`network::Drain`): a sender
//! that serves in order has caught up when a message first leaves the
//! moment it is ready, and the idle time before it began when the one
//! before was done. Nothing here runs per event in a run without faults.
//! It touches no files and decides no outcome.

use smallvec::SmallVec;

use super::network::{Drain, Stream};
use crate::metrics::result::FaultRow;
use crate::scenario::{FaultKind, Scenario};
use crate::sim::time::{ns_to_ms, Time};

/// The time buckets, cut again at every fault boundary that falls inside
/// one: a write's cell says both its bucket and which fault windows it was
/// issued in.
#[derive(Clone, Debug, Default)]
pub struct IssueCells {
    bucket_ns: u64,
    /// Fault boundaries after time zero, sorted, without repeats.
    cuts: Vec<u64>,
    /// The first cell of each segment after the first (one per cut).
    seg_start: Vec<u32>,
    /// The cuts that are not also bucket boundaries.
    unaligned: Vec<u64>,
    /// The first cell after each of those.
    extra_start: Vec<u32>,
}

impl IssueCells {
    /// Buckets of `bucket_ns`, cut at the scenario's fault boundaries.
    pub fn new(s: &Scenario) -> IssueCells {
        Self::with_cuts(s.bucket_ns, boundaries(s))
    }

    /// Buckets of `bucket_ns` cut at `cuts` (any order, repeats allowed).
    pub fn with_cuts(bucket_ns: u64, mut cuts: Vec<u64>) -> IssueCells {
        let bucket_ns = bucket_ns.max(1);
        cuts.retain(|&c| c > 0);
        cuts.sort_unstable();
        cuts.dedup();
        let mut cells = IssueCells {
            bucket_ns,
            cuts,
            seg_start: Vec::new(),
            unaligned: Vec::new(),
            extra_start: Vec::new(),
        };
        cells.unaligned = cells
            .cuts
            .iter()
            .copied()
            .filter(|c| c % bucket_ns != 0)
            .collect();
        for i in 0..cells.cuts.len() {
            let c = cells.cuts[i];
            let cell = cells.cell(c);
            cells.seg_start.push(cell);
            if c % bucket_ns != 0 {
                cells.extra_start.push(cell);
            }
        }
        cells
    }

    /// The cell of issue time `t_ns`: its bucket, plus the cuts inside
    /// buckets at or before it.
    #[inline]
    pub fn cell(&self, t_ns: u64) -> u32 {
        let bucket = (t_ns / self.bucket_ns) as u32;
        if self.unaligned.is_empty() {
            return bucket;
        }
        bucket + self.unaligned.partition_point(|&c| c <= t_ns) as u32
    }

    /// The time bucket of a cell.
    #[inline]
    pub fn bucket(&self, cell: u32) -> usize {
        if self.extra_start.is_empty() {
            return cell as usize;
        }
        cell as usize - self.extra_start.partition_point(|&s| s <= cell)
    }

    /// Which segment between fault boundaries a cell lies in (0 before the
    /// first cut).
    #[inline]
    pub fn segment_of_cell(&self, cell: u32) -> usize {
        self.seg_start.partition_point(|&s| s <= cell)
    }

    /// Which segment between fault boundaries time `t_ns` lies in.
    #[inline]
    pub fn segment(&self, t_ns: u64) -> usize {
        self.cuts.partition_point(|&c| c <= t_ns)
    }

    /// How many segments there are.
    pub fn segments(&self) -> usize {
        self.cuts.len() + 1
    }
}

/// Every fault's start and end (an instant fault has none: it has no
/// window).
fn boundaries(s: &Scenario) -> Vec<u64> {
    let mut cuts = Vec::new();
    for f in &s.faults {
        if f.end() == Some(f.at) {
            continue;
        }
        cuts.push(f.at.ns());
        if let Some(e) = f.end() {
            cuts.push(e.ns());
        }
    }
    cuts
}

/// A catch-up or drain time: measured, or a lower bound when the run
/// stopped first.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Span {
    Done(u64),
    /// At least this long: still not done at the run's end.
    Censored(u64),
}

/// One fault as it is followed through the run.
#[derive(Clone, Debug)]
struct Tracked {
    start: u64,
    end: Option<u64>,
    /// A clock step or switchover: an instant, no window.
    instant: bool,
    /// The streams it holds up (its links, or all of a region's).
    streams: Vec<usize>,
    ended: bool,
    peak: u64,
    /// Streams it touched that have not yet emptied since its end.
    undrained: usize,
    last_drained: u64,
    /// Some stream it touched never drained before the run's end.
    never_drained: bool,
    catch_up: Option<Span>,
    drain: Option<Span>,
}

/// A fault's start or end, in time order.
#[derive(Clone, Copy, Debug)]
struct Mark {
    at: u64,
    fault: usize,
    end: bool,
}

/// Per fault: window counts, backlog, catch-up and drain.
#[derive(Debug, Default)]
pub struct FaultFigures {
    pub cells: IssueCells,
    faults: Vec<Tracked>,
    /// Per segment between fault boundaries: writes issued, lost writes
    /// issued, stale reads.
    seg_writes: Vec<u64>,
    seg_lost: Vec<u64>,
    seg_stale: Vec<u64>,
    marks: Vec<Mark>,
    next: usize,
    /// When the next mark is due; `u64::MAX` when none is left.
    pub next_due_ns: u64,
    /// Per stream: the faults that started, touch it and have not seen it
    /// drain since they ended.
    open: Vec<SmallVec<[u32; 2]>>,
}

impl FaultFigures {
    /// The faults of `s`, over the run's `streams`.
    pub fn new(s: &Scenario, streams: &mut [Stream]) -> FaultFigures {
        let n = s.regions.len();
        let stream_of =
            |from: usize, to: usize| streams.iter().position(|st| st.from == from && st.to == to);
        let faults: Vec<Tracked> = s
            .faults
            .iter()
            .map(|f| {
                let mut touched: Vec<usize> = match &f.kind {
                    FaultKind::Partition { links } | FaultKind::Slowdown { links, .. } => {
                        links.iter().filter_map(|&(a, b)| stream_of(a, b)).collect()
                    }
                    FaultKind::Isolate { region }
                    | FaultKind::Outage { region, .. }
                    | FaultKind::PauseReplication { region }
                    | FaultKind::EndpointOutage { region, .. } => (0..n)
                        .filter(|o| o != region)
                        .flat_map(|o| [stream_of(*region, o), stream_of(o, *region)])
                        .flatten()
                        .collect(),
                    FaultKind::ClockStep { .. } | FaultKind::Switchover { .. } => Vec::new(),
                };
                touched.sort_unstable();
                touched.dedup();
                Tracked {
                    start: f.at.ns(),
                    end: f.end().map(Time::ns),
                    instant: f.end() == Some(f.at),
                    streams: touched,
                    ended: false,
                    peak: 0,
                    undrained: 0,
                    last_drained: 0,
                    never_drained: false,
                    catch_up: None,
                    drain: None,
                }
            })
            .collect();
        for (si, st) in streams.iter_mut().enumerate() {
            let ends = faults
                .iter()
                .filter(|f| !f.instant && f.streams.contains(&si))
                .filter_map(|f| f.end.map(Time))
                .collect();
            st.watch_drains(ends);
        }
        let mut marks = Vec::new();
        for (i, f) in faults.iter().enumerate() {
            marks.push(Mark {
                at: f.start,
                fault: i,
                end: false,
            });
            if let Some(e) = f.end {
                marks.push(Mark {
                    at: e,
                    fault: i,
                    end: true,
                });
            }
        }
        // Starts before ends at the same instant, so an instant fault
        // opens before it closes.
        marks.sort_by_key(|m| (m.at, m.end, m.fault));
        let cells = IssueCells::new(s);
        let segs = cells.segments();
        FaultFigures {
            cells,
            faults,
            seg_writes: vec![0; segs],
            seg_lost: vec![0; segs],
            seg_stale: vec![0; segs],
            next_due_ns: marks.first().map_or(u64::MAX, |m| m.at),
            marks,
            next: 0,
            open: vec![SmallVec::new(); streams.len()],
        }
    }

    /// Whether the scenario has any fault.
    #[inline]
    pub fn any(&self) -> bool {
        !self.faults.is_empty()
    }

    /// `count` writes issued in `cell` were decided, `lost` or not.
    #[inline]
    pub fn decided(&mut self, cell: u32, count: u64, lost: bool) {
        let seg = self.cells.segment_of_cell(cell);
        self.seg_writes[seg] += count;
        if lost {
            self.seg_lost[seg] += count;
        }
    }

    /// A stale read at `t_ns`.
    #[inline]
    pub fn stale_read(&mut self, t_ns: u64) {
        if self.any() {
            let seg = self.cells.segment(t_ns);
            self.seg_stale[seg] += 1;
        }
    }

    /// Pass every mark (a fault's start or end) at or before `t_ns`, with
    /// the streams as they are just before it.
    pub fn tick(&mut self, t_ns: u64, streams: &mut [Stream]) {
        while self.marks.get(self.next).is_some_and(|m| m.at <= t_ns) {
            self.mark(streams);
        }
        self.next_due_ns = self.marks.get(self.next).map_or(u64::MAX, |m| m.at);
    }

    /// Pass the next mark, with the streams as they are just before it.
    fn mark(&mut self, streams: &mut [Stream]) {
        let m = self.marks[self.next];
        self.next += 1;
        let fi = m.fault;
        if !m.end {
            for i in 0..self.faults[fi].streams.len() {
                let si = self.faults[fi].streams[i];
                self.settle(si, &streams[si]);
                self.fold_peak(si, &mut streams[si]);
                let f = &mut self.faults[fi];
                f.peak = f.peak.max(streams[si].in_flight());
                self.open[si].push(fi as u32);
            }
            return;
        }
        // Catch-up: every message in flight now carries a write issued
        // before the end; the last of them to arrive ends it.
        let last = streams
            .iter()
            .flat_map(|st| st.undelivered())
            .map(|msg| msg.arrive)
            .max();
        let f = &mut self.faults[fi];
        f.ended = true;
        f.catch_up = Some(match last {
            None => Span::Done(0),
            Some(a) if a == Time::MAX => Span::Censored(0),
            Some(a) => Span::Done(a.since(Time(m.at))),
        });
        if f.instant || f.streams.is_empty() {
            return;
        }
        f.undrained = f.streams.len();
        f.last_drained = m.at;
        // A stream that does not serve in order holds nothing back once
        // its windows are over: it drains when the last message held has
        // left.
        for i in 0..self.faults[fi].streams.len() {
            let si = self.faults[fi].streams[i];
            if !streams[si].in_order() {
                self.fold_peak(si, &mut streams[si]);
                let until = streams[si].waited_until;
                let at = (until != Time::MAX).then(|| until.ns().max(m.at));
                self.stream_drained(si, fi, at);
            }
        }
    }

    /// Close every ended fault on in-order stream `si` whose drain the
    /// stream has seen, with the backlog peak it saw until then.
    fn settle(&mut self, si: usize, stream: &Stream) {
        if !stream.in_order() || self.open[si].is_empty() {
            return;
        }
        for fi in self.open[si].clone() {
            let f = &self.faults[fi as usize];
            let Some(e) = f.end.filter(|_| f.ended) else {
                continue;
            };
            let d = stream.drains.iter().find(|d| d.end.ns() == e);
            if let Some(&Drain {
                at: Some(at), peak, ..
            }) = d
            {
                let f = &mut self.faults[fi as usize];
                f.peak = f.peak.max(peak);
                self.stream_drained(si, fi as usize, Some(at.ns()));
            }
        }
    }

    /// Fault `fi` is done with stream `si`: it drained at `at_ns`, or
    /// never (`None`).
    fn stream_drained(&mut self, si: usize, fi: usize, at_ns: Option<u64>) {
        if let Some(pos) = self.open[si].iter().position(|&x| x as usize == fi) {
            self.open[si].remove(pos);
        }
        let f = &mut self.faults[fi];
        f.undrained -= 1;
        match at_ns {
            Some(at) => f.last_drained = f.last_drained.max(at),
            None => f.never_drained = true,
        }
        if f.undrained == 0 {
            let end = f.end.expect("an ended fault has an end");
            f.drain = Some(if f.never_drained {
                Span::Censored(0)
            } else {
                Span::Done(f.last_drained - end)
            });
        }
    }

    /// Pass everything left (the end of a run, at `run_end_ns`), with the
    /// streams as they are at the end: a sender still busy drains when it
    /// has sent what is queued, if that is before the run's end.
    pub fn finish(&mut self, run_end_ns: u64, streams: &mut [Stream]) {
        while self.next < self.marks.len() {
            self.mark(streams);
        }
        for (si, stream) in streams.iter_mut().enumerate() {
            self.settle(si, stream);
            self.fold_peak(si, stream);
            for fi in self.open[si].clone() {
                let f = &self.faults[fi as usize];
                if !f.ended {
                    continue;
                }
                let e = f.end.expect("an ended fault has an end");
                let free = stream.free_at().ns();
                let at = (free <= run_end_ns).then(|| free.max(e));
                self.stream_drained(si, fi as usize, at);
            }
        }
    }

    /// Fold the stream's backlog peak since the last fold into every open
    /// fault on it, and start a new one.
    fn fold_peak(&mut self, si: usize, stream: &mut Stream) {
        let peak = stream.take_peak();
        for &fi in &self.open[si] {
            let f = &mut self.faults[fi as usize];
            f.peak = f.peak.max(peak);
        }
    }

    /// One row per fault, in scenario order. `run_end_ns` is when the run
    /// stopped: what was not done by then is a lower bound.
    pub fn rows(&self, s: &Scenario, run_end_ns: u64) -> Vec<FaultRow> {
        let windows = super::faults::windows_for_report(s);
        self.faults
            .iter()
            .zip(&s.faults)
            .zip(windows)
            .enumerate()
            .map(|(i, ((f, sf), w))| {
                let bound = |span: Option<Span>| -> (Option<f64>, bool) {
                    match (span, f.end) {
                        (_, None) => (None, false),
                        (Some(Span::Done(ns)), Some(e)) if e + ns <= run_end_ns => {
                            (Some(ns_to_ms(ns)), false)
                        }
                        (_, Some(e)) => (Some(ns_to_ms(run_end_ns.saturating_sub(e))), true),
                    }
                };
                let (catch_up_ms, catch_up_censored) = bound(f.catch_up);
                let (drain_ms, drain_censored) = if f.streams.is_empty() {
                    (None, false)
                } else {
                    bound(f.drain)
                };
                let window = (!f.instant).then(|| {
                    let first = self.cells.segment(f.start);
                    let last = f
                        .end
                        .map_or(self.cells.segments(), |e| self.cells.segment(e));
                    let sum = |v: &[u64]| v[first..last].iter().sum::<u64>();
                    (
                        sum(&self.seg_writes),
                        sum(&self.seg_lost),
                        sum(&self.seg_stale),
                    )
                });
                FaultRow {
                    fault: i as u64 + 1,
                    kind: w.kind,
                    target: target(s, &sf.kind),
                    label: w.label,
                    start_s: w.start_s,
                    end_s: w.end_s,
                    writes: window.map(|w| w.0),
                    lost_writes: window.map(|w| w.1),
                    stale_reads: window.map(|w| w.2),
                    max_backlog: (!f.streams.is_empty()).then_some(f.peak),
                    catch_up_ms,
                    drain_ms,
                    catch_up_censored,
                    drain_censored,
                }
            })
            .collect()
    }
}

/// What a fault acts on, in words: `us-east-1`, `us-east-1 <-> eu-west-1`.
fn target(s: &Scenario, kind: &FaultKind) -> String {
    let name = |r: usize| s.regions[r].name.as_str();
    match kind {
        FaultKind::Slowdown {
            region: Some(region),
            ..
        } => name(*region).to_string(),
        FaultKind::Partition { links } | FaultKind::Slowdown { links, .. } => {
            let (a, b) = links[0];
            if links.len() == 2 && links[1] == (b, a) {
                format!("{} <-> {}", name(a), name(b))
            } else {
                links
                    .iter()
                    .map(|&(x, y)| format!("{} -> {}", name(x), name(y)))
                    .collect::<Vec<_>>()
                    .join(" ")
            }
        }
        FaultKind::Isolate { region }
        | FaultKind::Outage { region, .. }
        | FaultKind::PauseReplication { region }
        | FaultKind::EndpointOutage { region, .. }
        | FaultKind::ClockStep { region, .. } => name(*region).to_string(),
        FaultKind::Switchover { to } => name(*to).to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Cells are the buckets cut at fault boundaries: counted by hand for
    /// buckets of 10 cut at 15, 20 (a bucket edge) and 27.
    #[test]
    fn cells_cut_buckets_at_fault_boundaries() {
        let c = IssueCells::with_cuts(10, vec![27, 15, 20, 0, 15]);
        // Cells: [0,10) [10,15) [15,20) [20,27) [27,30) [30,40) ...
        let cases = [
            (0, 0, 0, 0),
            (9, 0, 0, 0),
            (10, 1, 1, 0),
            (14, 1, 1, 0),
            (15, 2, 1, 1),
            (19, 2, 1, 1),
            (20, 3, 2, 2),
            (26, 3, 2, 2),
            (27, 4, 2, 3),
            (30, 5, 3, 3),
            (45, 6, 4, 3),
        ];
        for (t, cell, bucket, seg) in cases {
            assert_eq!(c.cell(t), cell, "cell of {t}");
            assert_eq!(c.bucket(cell), bucket, "bucket of {t}");
            assert_eq!(c.segment(t), seg, "segment of {t}");
            assert_eq!(c.segment_of_cell(cell), seg, "segment of cell of {t}");
        }
    }

    #[test]
    fn without_cuts_a_cell_is_a_bucket() {
        let c = IssueCells::with_cuts(10, vec![]);
        for t in [0, 9, 10, 99, 1234] {
            assert_eq!(c.cell(t) as u64, t / 10);
            assert_eq!(c.bucket(c.cell(t)) as u64, t / 10);
            assert_eq!(c.segment(t), 0);
        }
    }
}
