//! The active-active engine: every region takes writes, replication streams
//! carry each write to every other region, last writer wins.
//!
//! The event loop pops the earliest head among the client sources and the
//! replication streams (see `sim::queue`). Client events issue writes and
//! serve reads; stream events deliver a version to a region, which
//! installs it if it beats the current one. Outcomes (lost, survived) are
//! decided by the lineage as soon as they are certain.
//!
//! The other two modes reuse this engine (its streams, lineage, recorder
//! and `finish`) and add their own rules in `single_primary.rs` and
//! `strong.rs`: who may write, what a write costs, and events of their own
//! (forwarded writes, failover and switchover steps). Two flags switch the
//! shared write and delivery paths to a single writer per key: versions
//! are built on the latest committed one, and (single-primary) secondaries
//! apply the primary's log in order.

use super::cells::{Cell, Cells};
use super::clock::RegionClock;
use super::faults::{self, Schedule};
use super::lineage::{Lineage, Node, NodeId, NONE};
use super::network::{Message, Stream};
use super::record::Recorder;
use super::single_primary::SpState;
use super::strong::StrongState;
use super::workload::{ClientSource, Op};
use super::{RunOptions, RunOutput};
use crate::error::{Error, Result};
use crate::metrics::result::*;
use crate::scenario::{Mode, OutageClients, Scenario, TableKind};
use crate::sim::dist::Sampler;
use crate::sim::queue::EventQueue;
use crate::sim::rng::{stream, SimRng};
use crate::sim::time::{ns_to_ms, Time};

/// A hint that `value` will be read soon; no effect on results.
#[inline(always)]
pub(crate) fn prefetch<T>(value: &T) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: a prefetch is a hint; it reads nothing and cannot fault.
    unsafe {
        use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
        _mm_prefetch::<_MM_HINT_T0>(value as *const T as *const i8);
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = value;
}

/// How many deliveries a region's release of its old version waits.
const DEFERRED: usize = 8;

/// How far ahead in a stream the rows of coming deliveries are requested.
/// Messages stuck behind a slow one arrive together and are delivered one
/// after another, so the next message alone is too close.
const STREAM_AHEAD: usize = 4;

/// How often (in events) progress is reported.
const PROGRESS_EVERY: u64 = 1 << 16;

pub struct Engine<'a> {
    pub(super) s: &'a Scenario,
    pub(super) n: usize,
    /// First global key of each table.
    pub(super) key_base: Vec<u32>,
    pub(super) total_keys: usize,
    /// Per key, the version each region holds and the latest write issued
    /// anywhere (causal inversions excluded), held so that stale reads can
    /// be judged against it.
    pub(super) cells: Cells,
    pub(super) lineage: Lineage,
    pub(super) clocks: Vec<RegionClock>,
    /// Rank of each region's name in alphabetical order.
    pub(super) rank: Vec<u16>,
    pub(super) schedule: Schedule,
    /// `stream_of[from * n + to]`, `usize::MAX` on the diagonal.
    pub(super) stream_of: Vec<usize>,
    pub(super) streams: Vec<Stream>,
    pub(super) link_rng: Vec<SimRng>,
    pub(super) link_delay: Vec<Sampler>,
    pub(super) pipeline_rng: Vec<SimRng>,
    pub(super) pipeline: Sampler,
    pub(super) clients: Vec<ClientSource>,
    /// Per region, the other regions nearest first (for rerouting).
    pub(super) nearest: Vec<Vec<usize>>,
    pub(super) queue: EventQueue,
    pub(super) rec: Recorder,
    pub(super) next_write_id: u64,
    pub(super) last_change: Time,
    pub(super) last_event: Time,
    pub(super) trace_deliveries: Option<Vec<DeliveryTrace>>,
    /// Holds let go of in `deliver`, released a few deliveries
    /// later (see `release_later`); `NONE` where empty.
    deferred: [NodeId; DEFERRED],
    deferred_next: usize,
    /// One writer per key at a time (single-primary and strong): a write
    /// is built on the latest committed version, gets a timestamp above
    /// it, and is always installed at its origin.
    pub(super) single_writer: bool,
    /// Deliveries apply in stream order whatever their timestamps (the
    /// single primary's log).
    pub(super) log_order: bool,
    /// Single-primary mode's state, when that is the mode.
    pub(super) sp: Option<SpState>,
    /// Strong mode's state, when that is the mode.
    pub(super) strong: Option<StrongState>,
}

impl<'a> Engine<'a> {
    pub fn new(s: &'a Scenario, options: &RunOptions) -> Result<Engine<'a>> {
        let n = s.regions.len();
        let mut key_base = Vec::with_capacity(s.tables.len());
        let mut total: u64 = 0;
        for t in &s.tables {
            key_base.push(total as u32);
            total += t.keys as u64;
        }
        if total >= u32::MAX as u64 {
            return Err(Error::new(format!(
                "tables: {total} keys in all; at most {} are supported",
                u32::MAX - 1
            )));
        }
        let total_keys = total as usize;
        total_keys
            .checked_mul(Cells::bytes_per_key(n))
            .filter(|c| *c <= 1 << 38)
            .ok_or_else(|| Error::new("tables: too many keys times regions to hold in memory"))?;

        // Every key's initial version, and as many writes in flight.
        let mut lineage = Lineage::new(s.bucket, options.trace, 2 * total_keys);
        let roots: Vec<NodeId> = (0..total_keys as u32)
            .map(|_| lineage.root(n as u32))
            .collect();
        let cells = Cells::new(total_keys, n, |k| Cell {
            ts: lineage.get(roots[k]).ts,
            node: roots[k],
            rank: 0,
        });

        let schedule = Schedule::new(s);
        let clocks = (0..n)
            .map(|r| {
                RegionClock::new(
                    s.regions[r].clock,
                    schedule.clock_steps[r].clone(),
                    s.replication.timestamps,
                )
            })
            .collect();
        let mut order: Vec<usize> = (0..n).collect();
        order.sort_by(|&a, &b| s.regions[a].name.cmp(&s.regions[b].name));
        let mut rank = vec![0u16; n];
        for (i, &r) in order.iter().enumerate() {
            rank[r] = i as u16;
        }

        let mut stream_of = vec![usize::MAX; n * n];
        let mut streams = Vec::new();
        let mut link_rng = Vec::new();
        let mut link_delay = Vec::new();
        for from in 0..n {
            for to in 0..n {
                if from == to {
                    continue;
                }
                stream_of[from * n + to] = streams.len();
                streams.push(Stream::new(
                    from,
                    to,
                    schedule.link_down[from][to].clone(),
                    s.replication.throughput_per_s,
                ));
                let purpose = format!("link/{}/{}", s.regions[from].name, s.regions[to].name);
                link_rng.push(stream(s.seed, &purpose));
                link_delay.push(Sampler::new(&s.links[from][to]));
            }
        }
        let pipeline_rng = s
            .regions
            .iter()
            .map(|r| stream(s.seed, &format!("pipeline/{}", r.name)))
            .collect();

        // Event sources (clients, the script, streams, the mode's timers)
        // are told apart by 16 bits in the event queue.
        let client_count: usize = s.workload.iter().map(|w| w.regions.len()).sum();
        let most = (1 << 16) - 2 - streams.len();
        if client_count > most {
            return Err(Error::new(format!(
                "{}: {client_count} clients (workload entries times their regions); at most {most} with {n} regions",
                s.name
            )));
        }
        let mut clients = Vec::new();
        for (i, w) in s.workload.iter().enumerate() {
            for &r in &w.regions {
                clients.push(ClientSource::new(s, i, w, r));
            }
        }

        // A strong-mode witness serves no clients, so none are sent to it.
        let witness = match &s.replication.mode {
            crate::scenario::Mode::Strong(st) => st.witness,
            _ => None,
        };
        let nearest = (0..n)
            .map(|r| {
                let mut others: Vec<usize> =
                    (0..n).filter(|&o| o != r && Some(o) != witness).collect();
                others.sort_by(|&a, &b| {
                    s.links[r][a]
                        .median_ns()
                        .total_cmp(&s.links[r][b].median_ns())
                        .then(a.cmp(&b))
                });
                others
            })
            .collect();

        let rec = Recorder::new(s.bucket, n, streams.len(), options.trace);
        let sp = match &s.replication.mode {
            Mode::SinglePrimary(m) => Some(SpState::new(s, m)),
            _ => None,
        };
        let strong = match &s.replication.mode {
            Mode::Strong(_) => Some(StrongState::new(s, total_keys)),
            _ => None,
        };
        Ok(Engine {
            s,
            n,
            key_base,
            total_keys,
            cells,
            lineage,
            clocks,
            rank,
            schedule,
            stream_of,
            streams,
            link_rng,
            link_delay,
            pipeline_rng,
            pipeline: Sampler::new(&s.replication.pipeline),
            clients,
            nearest,
            queue: EventQueue::new(),
            rec,
            next_write_id: 1,
            last_change: Time::ZERO,
            last_event: Time::ZERO,
            trace_deliveries: options.trace.then(Vec::new),
            deferred: [NONE; DEFERRED],
            deferred_next: 0,
            single_writer: sp.is_some() || strong.is_some(),
            log_order: sp.is_some(),
            sp,
            strong,
        })
    }

    /// Run to the end and gather the results.
    pub fn run(mut self, progress: &mut dyn FnMut(f64) -> bool) -> Result<RunOutput> {
        let end = Time(self.s.duration).after(self.s.drain_limit);
        for c in 0..self.clients.len() {
            if let Some(t) = self.clients[c].next_time() {
                let seq = self.queue.next_seq();
                self.queue.push(t, seq, c as u32);
            }
        }
        // The script is one more source, right after the clients.
        let script_source = self.clients.len() as u32;
        if let Some(op) = self.s.script.first() {
            let seq = self.queue.next_seq();
            self.queue.push(op.at, seq, script_source);
        }
        let mut script_next = 0;
        let first_stream = self.first_stream_source();
        let mode_source = self.mode_source();
        self.sp_start();
        let mut events: u64 = 0;
        while let Some((t, seq, source)) = self.queue.pop() {
            if t > end {
                break;
            }
            self.rec.advance(t.ns(), &self.streams);
            self.last_event = t;
            if source == mode_source {
                self.sp_event(t, seq);
            } else if source >= first_stream {
                self.deliver((source - first_stream) as usize, t, seq);
            } else if source == script_source {
                let op = self.s.script[script_next];
                script_next += 1;
                self.client_op(Op {
                    time: op.at,
                    region: op.region,
                    table: op.table,
                    key: op.key,
                    is_write: op.is_write,
                });
                if let Some(next) = self.s.script.get(script_next) {
                    let seq = self.queue.next_seq();
                    self.queue.push(next.at, seq, script_source);
                }
            } else {
                let c = source as usize;
                let op = self.clients[c].take();
                self.client_op(op);
                if let Some(next) = self.clients[c].next_time() {
                    let seq = self.queue.next_seq();
                    self.queue.push(next, seq, source);
                    self.warm_client(c);
                }
            }
            events += 1;
            if events % PROGRESS_EVERY == 0 && !progress(t.ns() as f64 / end.ns().max(1) as f64) {
                return Err(Error::new("interrupted; no results written"));
            }
        }
        progress(1.0);
        Ok(self.finish(events))
    }

    /// Warm what client `c`'s coming operations will touch, in two steps
    /// an operation apart: request the row of the operation after next,
    /// and, the row of the next one having arrived since it was requested
    /// here last time, the version that row names. Each operation comes a
    /// round of the other sources after the previous one: time enough for
    /// both loads. Most of the simulator's time is spent waiting for loads
    /// like these.
    #[inline]
    fn warm_client(&self, c: usize) {
        let client = &self.clients[c];
        if let Some(op) = client.peek_second() {
            self.cells.prefetch(self.key_base[op.table] + op.key);
        }
        if let Some(op) = client.peek() {
            let key = self.key_base[op.table] + op.key;
            let cell = self.cells.get(key, op.region);
            self.lineage.prefetch(cell.node);
            // A write also lets go of the key's latest version, which is
            // usually the same one.
            let latest = self.cells.latest(key);
            if latest != cell.node && latest != NONE {
                self.lineage.prefetch(latest);
            }
        }
    }

    /// Event sources are numbered: clients, then the script, then streams.
    #[inline]
    pub(super) fn first_stream_source(&self) -> u32 {
        self.clients.len() as u32 + 1
    }

    /// The source of the modes' own events, after the streams.
    #[inline]
    pub(super) fn mode_source(&self) -> u32 {
        self.first_stream_source() + self.streams.len() as u32
    }

    fn client_op(&mut self, op: Op) {
        let mut region = op.region;
        if let Some(clients) = self.schedule.outage_at(region, op.time) {
            let healthy = match clients {
                OutageClients::Fail => None,
                OutageClients::Reroute => self.nearest[region]
                    .iter()
                    .copied()
                    .find(|&r| self.schedule.outage_at(r, op.time).is_none()),
            };
            match healthy {
                Some(r) => {
                    region = r;
                    self.rec.rerouted_ops += 1;
                }
                None => {
                    if op.is_write {
                        self.rec.failed_writes += 1;
                    } else {
                        self.rec.failed_reads += 1;
                    }
                    self.rec.regions[region].failed_ops += 1;
                    return;
                }
            }
        }
        let key = self.key_base[op.table] + op.key;
        if op.is_write {
            if self.sp.is_some() {
                self.sp_write(region, op.table, key, op.time);
            } else if self.strong.is_some() {
                self.strong_write(region, op.table, key, op.time);
            } else {
                self.write(region, op.table, key, op.time, None);
            }
        } else {
            self.read(region, key, op.time);
        }
    }

    /// Issue a write at region `x` at `t` and queue it on every stream
    /// leaving `x`. Returns its write id.
    /// Apply a write at region `x` at time `t`. `client` is the region and
    /// time its client issued it, when that differs (a write forwarded to
    /// the primary): figures and the trace count it there and then, while
    /// the version is stamped and replicated from `x` at `t`.
    pub(super) fn write(
        &mut self,
        x: usize,
        table: usize,
        key: u32,
        t: Time,
        client: Option<(usize, Time)>,
    ) -> u64 {
        let (origin, issued) = client.unwrap_or((x, t));
        let cur = self.cells.get(key, x);
        let mut ts = self.clocks[x].stamp(t);
        // With a single writer per key, the write follows the latest
        // committed version, which the origin may not have received yet.
        let parent_id = match self.cells.latest(key) {
            l if self.single_writer && l != NONE => l,
            _ => cur.node,
        };
        if self.single_writer {
            ts = ts.max(self.lineage.get(parent_id).ts.saturating_add(1));
        }
        let counter = self.s.tables[table].kind == TableKind::Counter;
        let write_id = self.next_write_id;
        self.next_write_id += 1;
        let installed = self.single_writer || (ts, self.rank[x]) > (cur.ts, cur.rank);
        let node = Node {
            issue_ns: issued.ns(),
            ts,
            value: if counter {
                self.lineage.get(parent_id).value + 1
            } else {
                0
            },
            origin: origin as u8,
            inverted: !installed,
            counter,
            ..Node::default()
        };
        // Holders: one message per other region, the origin if it installed
        // it, and the latest-write marker unless it is a causal inversion.
        let holds = (self.n as u32 - 1) + 2 * installed as u32;
        let (id, conflict) = self.lineage.child(parent_id, node, holds, write_id);

        self.rec.writes += 1;
        self.rec.regions[origin].writes += 1;
        if counter {
            self.rec.increments += 1;
        }
        let bucket = self.rec.bucket_of(issued.ns());
        bucket.writes += 1;
        if conflict {
            bucket.conflicts += 1;
            self.rec.conflicts += 1;
        }
        if let Some(tw) = &mut self.rec.trace_writes {
            tw.push(WriteTrace {
                write_id,
                table: self.s.tables[table].name.clone(),
                key: u64::from(key - self.key_base[table]),
                region: self.s.regions[origin].name.clone(),
                kind: if counter { "increment" } else { "put" },
                issue_ns: issued.ns(),
                timestamp_ns: ts,
                parent_id: self.lineage.write_id(parent_id),
                outcome: "survived",
                cause: "",
            });
        }

        if installed {
            let cell = Cell {
                ts,
                node: id,
                rank: self.rank[x],
            };
            self.cells.set(key, x, cell);
            let old_latest = self.cells.replace_latest(key, id);
            self.lineage.release(cur.node, &mut self.rec);
            if old_latest != NONE {
                self.lineage.release(old_latest, &mut self.rec);
            }
        } else {
            self.rec.causal_inversions += 1;
        }

        let ready = t.after(self.pipeline.sample(&mut self.pipeline_rng[x]));
        for y in 0..self.n {
            if y == x {
                continue;
            }
            let si = self.stream_of[x * self.n + y];
            self.send(si, id, key, ts, self.rank[x], t, ready);
        }
        write_id
    }

    /// Queue a message carrying version `node` on stream `si`, ready to
    /// leave at `ready`; its transit is drawn from the stream's link.
    #[inline(always)]
    #[allow(clippy::too_many_arguments)]
    pub(super) fn send(
        &mut self,
        si: usize,
        node: NodeId,
        key: u32,
        ts: i64,
        rank: u16,
        issue: Time,
        ready: Time,
    ) {
        let first_stream = self.first_stream_source();
        let transit = self.link_delay[si].sample(&mut self.link_rng[si]);
        let st = &mut self.streams[si];
        let arrive = st.arrival(ready, transit);
        let seq = self.queue.next_seq();
        let was_empty = st.queue.is_empty();
        st.push(Message::new(node, key, ts, rank, issue, arrive, seq));
        if was_empty && arrive != Time::MAX {
            self.queue.push(arrive, seq, first_stream + si as u32);
        }
    }

    fn read(&mut self, x: usize, key: u32, t: Time) {
        self.rec.reads += 1;
        self.rec.regions[x].reads += 1;
        self.rec.bucket_of(t.ns()).reads += 1;
        let latest = self.cells.latest(key);
        if latest == NONE {
            return;
        }
        let v = self.cells.get(key, x).node;
        // Only with many writers are versions issued in the order they are
        // built on each other; a forwarded write is issued before its parent.
        let ordered = !self.single_writer;
        if v != latest && !self.lineage.descends_from(v, latest, ordered) {
            self.rec.stale_reads += 1;
            self.rec.regions[x].stale_reads += 1;
            self.rec.bucket_of(t.ns()).stale_reads += 1;
            let issued = self.lineage.get(latest).issue_ns;
            self.rec.staleness.record(t.ns().saturating_sub(issued));
        }
    }

    fn deliver(&mut self, si: usize, t: Time, seq: u64) {
        let first_stream = self.first_stream_source();
        let st = &mut self.streams[si];
        // A head whose messages were withdrawn (a failover discards the
        // old primary's log) may still be scheduled: skip it.
        if st.queue.front().is_none_or(|m| m.seq() != seq) {
            return;
        }
        let Some(msg) = st.queue.pop_front() else {
            return;
        };
        st.deliveries += 1;
        let y = st.to;
        if let Some(next) = st.queue.front() {
            if next.arrive != Time::MAX {
                self.queue
                    .push(next.arrive, next.seq(), first_stream + si as u32);
            }
        }
        // A message is requested once, when it becomes the one at that
        // distance, or the last one if fewer are queued.
        if let Some(ahead) = st.queue.get(STREAM_AHEAD - 1).or(st.queue.back()) {
            self.cells.prefetch(ahead.key);
        }
        self.rec.delivery(si, t.since(msg.issue));
        self.clocks[y].observe(msg.ts);
        let cur = self.cells.get(msg.key, y);
        let applied = if self.log_order {
            msg.node != cur.node
        } else {
            (msg.ts, msg.rank()) > (cur.ts, cur.rank)
        };
        if applied {
            let cell = Cell {
                ts: msg.ts,
                node: msg.node,
                rank: msg.rank(),
            };
            self.cells.set(msg.key, y, cell);
            self.last_change = t;
        }
        if let Some(td) = &mut self.trace_deliveries {
            td.push(DeliveryTrace {
                write_id: self.lineage.write_id(msg.node),
                to: self.s.regions[y].name.clone(),
                arrive_ns: t.ns(),
                applied,
            });
        }
        if applied {
            // The message's hold on its version passes to the region.
            self.release_later(cur.node);
        } else {
            self.release_later(msg.node);
        }
    }

    /// Let go of a hold on `id` (a region's, or a losing message's), but
    /// only a few deliveries from now: the node is requested from memory
    /// here and is there by then.
    /// Delaying a release only delays when an outcome is decided, never
    /// what it is (outcomes depend on the shape of the tree alone), and
    /// the delay is the same on every run.
    #[inline]
    fn release_later(&mut self, id: NodeId) {
        self.lineage.prefetch(id);
        // Halfway along, the links have arrived and tell whether the
        // release will decide the node: then what that reads is requested.
        let halfway = self.deferred[(self.deferred_next + DEFERRED / 2) % DEFERRED];
        if halfway != NONE {
            self.lineage.prefetch_if_last(halfway);
        }
        let slot = &mut self.deferred[self.deferred_next];
        let due = std::mem::replace(slot, id);
        self.deferred_next = (self.deferred_next + 1) % DEFERRED;
        if due != NONE {
            self.lineage.release(due, &mut self.rec);
        }
    }

    /// Carry out every delayed release, oldest first.
    fn release_deferred(&mut self) {
        for i in 0..DEFERRED {
            let slot = (self.deferred_next + i) % DEFERRED;
            let id = std::mem::replace(&mut self.deferred[slot], NONE);
            if id != NONE {
                self.lineage.release(id, &mut self.rec);
            }
        }
    }

    /// Settle what is left and build the results.
    fn finish(mut self, events: u64) -> RunOutput {
        self.release_deferred();
        let s = self.s;
        let duration = Time(s.duration);
        // Buckets up to the later of the workload's end and the last event.
        let until = self.last_event.max(duration);
        while self.rec.buckets.len() as u64 * s.bucket < until.ns() {
            self.rec
                .advance(self.rec.buckets.len() as u64 * s.bucket, &self.streams);
        }
        self.rec.finish(&self.streams);

        let undelivered: u64 = self.streams.iter().map(|st| st.queue.len() as u64).sum();
        let k = self.total_keys;
        let same_everywhere = (0..k as u32).all(|key| {
            let row = self.cells.row(key);
            row.iter().all(|c| c.node == row[0].node)
        });
        let converged = undelivered == 0 && same_everywhere;
        let reference = match s.last_fault_end() {
            Some(f) => f.max(duration),
            None => duration,
        };
        let convergence_ms = ns_to_ms(self.last_change.since(reference));

        // Counter values as region 0 holds them (all agree when converged).
        let mut counter_total = 0u64;
        for (ti, t) in s.tables.iter().enumerate() {
            if t.kind == TableKind::Counter {
                let base = self.key_base[ti] as usize;
                for key in base..base + t.keys as usize {
                    let held = self.cells.get(key as u32, 0).node;
                    counter_total += self.lineage.get(held).value;
                }
            }
        }

        // The latest-write markers are not real holders: letting go of them
        // still decides losses. After that, whatever a region or a message
        // still holds counts as survived (it has not been overwritten
        // everywhere; only a run that did not converge has such versions
        // besides the final ones).
        for key in 0..k as u32 {
            let l = self.cells.latest(key);
            if l != NONE {
                self.lineage.release(l, &mut self.rec);
            }
        }
        self.rec.teardown = true;
        for si in 0..self.streams.len() {
            while let Some(m) = self.streams[si].queue.pop_front() {
                self.lineage.release(m.node, &mut self.rec);
            }
        }
        for key in 0..k as u32 {
            for region in 0..self.n {
                let held = self.cells.get(key, region).node;
                self.lineage.release(held, &mut self.rec);
            }
        }

        let rec = &self.rec;
        let name = |r: usize| s.regions[r].name.clone();
        let links: Vec<LinkRow> = self
            .streams
            .iter()
            .zip(&rec.streams)
            .map(|(st, sb)| LinkRow {
                from: name(st.from),
                to: name(st.to),
                deliveries: st.deliveries,
                lag_p50_ms: sb.all.quantile_ms(0.5),
                lag_p90_ms: sb.all.quantile_ms(0.9),
                lag_p99_ms: sb.all.quantile_ms(0.99),
                lag_max_ms: sb.all.max_ms(),
                max_backlog: st.max_backlog,
            })
            .collect();
        let stream_series = self
            .streams
            .iter()
            .zip(&rec.streams)
            .map(|(st, sb)| StreamSeries {
                from: name(st.from),
                to: name(st.to),
                lag_p50_ms: sb.lag_p50_ms.clone(),
                lag_p99_ms: sb.lag_p99_ms.clone(),
                backlog: sb.backlog.clone(),
            })
            .collect();
        let lag_cdf = rec.streams.iter().map(|sb| sb.all.cdf()).collect();
        let regions = rec
            .regions
            .iter()
            .enumerate()
            .map(|(r, c)| RegionRow {
                region: name(r),
                writes: c.writes,
                reads: c.reads,
                lost_writes: c.lost_writes,
                stale_reads: c.stale_reads,
                failed_ops: c.failed_ops,
                write_latency_p50_ms: rec.write_latency[r].quantile_ms(0.5),
                write_latency_p99_ms: rec.write_latency[r].quantile_ms(0.99),
            })
            .collect();
        let fault_windows = faults::windows_for_report(s);
        let timeseries = rec
            .buckets
            .iter()
            .enumerate()
            .map(|(i, b)| {
                let t0 = i as u64 * s.bucket;
                let t1 = t0 + s.bucket;
                BucketRow {
                    t_start_s: Time(t0).as_secs(),
                    t_end_s: Time(t1).as_secs(),
                    faults_active: active_faults(s, Time(t0), Time(t1)),
                    ..b.clone()
                }
            })
            .collect();
        let ratio = |a: u64, b: u64| if b == 0 { 0.0 } else { a as f64 / b as f64 };
        let summary = Summary {
            scenario: s.name.clone(),
            seed: s.seed,
            mode: s.replication.mode.name().to_string(),
            timestamps: s.replication.timestamps.name().to_string(),
            duration_s: duration.as_secs(),
            writes: rec.writes,
            reads: rec.reads,
            lost_writes: rec.lost_writes,
            lost_write_rate: ratio(rec.lost_writes, rec.writes),
            conflicts: rec.conflicts,
            causal_inversions: rec.causal_inversions,
            increments: rec.increments,
            lost_increments: rec.increments.saturating_sub(counter_total),
            stale_reads: rec.stale_reads,
            stale_read_rate: ratio(rec.stale_reads, rec.reads),
            lag_p50_ms: rec.lag.quantile_ms(0.5),
            lag_p99_ms: rec.lag.quantile_ms(0.99),
            lag_max_ms: rec.lag.max_ms(),
            converged,
            convergence_ms,
            failed_writes: rec.failed_writes,
            failed_reads: rec.failed_reads,
            rerouted_ops: rec.rerouted_ops,
            staleness_p50_ms: rec.staleness.quantile_ms(0.5),
            staleness_p99_ms: rec.staleness.quantile_ms(0.99),
            max_backlog: self
                .streams
                .iter()
                .map(|st| st.max_backlog)
                .max()
                .unwrap_or(0),
            counter_total,
            undelivered,
            mode_extras: ModeExtras {
                rejected_writes: rec.rejected_writes,
                forwarded_writes: rec.forwarded_writes,
                write_latency_p50_ms: rec.write_latency_all.quantile_ms(0.5),
                write_latency_p99_ms: rec.write_latency_all.quantile_ms(0.99),
                write_conflict_errors: rec.write_conflict_errors,
                unavailable_writes: rec.unavailable_writes,
                ..ModeExtras::default()
            },
        };
        let mut summary = summary;
        if let Some(sp) = &self.sp {
            sp.fill_extras(&mut summary.mode_extras, until);
        }
        debug_assert_eq!(rec.lost_writes + rec.survived_writes, rec.writes);
        let trace = self.trace_deliveries.take().map(|deliveries| Trace {
            writes: self.rec.trace_writes.take().unwrap_or_default(),
            deliveries,
        });
        RunOutput {
            result: RunResult {
                summary,
                links,
                regions,
                timeseries,
                stream_series,
                lag_cdf,
                faults: fault_windows,
                events,
            },
            trace,
        }
    }
}

/// How many faults are active at some time in `[t0, t1)`.
fn active_faults(s: &Scenario, t0: Time, t1: Time) -> u32 {
    s.faults
        .iter()
        .filter(|f| {
            let end = f.end();
            if end == Some(f.at) {
                f.at >= t0 && f.at < t1
            } else {
                f.at < t1 && end.is_none_or(|e| e > t0)
            }
        })
        .count() as u32
}
