//! The kernel every replication mode runs on: time, the event queue, the
//! client sources, the replication streams, the clocks, the fault
//! schedule, the version store and the recorder.
//!
//! The event loop pops the earliest event (a client operation, a script
//! step, a delivery on a stream, or one of the mode's own timers) and hands
//! it to whoever it belongs to. Client operations are routed around
//! outages here, then given to the mode; deliveries are applied here, with
//! the mode deciding whether the arriving version replaces the held one;
//! timers go to the mode. A mode acts only through the methods of
//! `Kernel` marked as its context, never through its fields, so the
//! kernel has no field, flag or branch named after a mode.
//!
//! What the kernel must not do: touch files or terminals (progress goes
//! through a callback), or decide a winner other than through the mode
//! (whose rule is `lww::beats` unless it orders by log).

use super::clock::RegionClock;
use super::fault_figures::{FaultFigures, IssueCells};
use super::faults::{self, Schedule};
use super::lineage::Node;
use super::lww::{self, Stamp};
use super::mode::{Losses, Mode, Request};
use super::network::{Message, Stream};
use super::record::Recorder;
use super::store::{Held, VersionId, VersionStore};
use super::visibility::Visibility;
use super::workload::{ClientSource, Op};
use super::{RunOptions, RunOutput};
use crate::error::{Error, Result};
use crate::metrics::result::*;
use crate::scenario::{Ordering, OutageClients, Scenario, TableKind};
use crate::sim::memory::HugeVec;
use crate::sim::queue::EventQueue;
use crate::sim::rng::{generator, SimRng};
use crate::sim::time::{ns_to_ms, Nanos, Time};
use crate::sim::varying::VaryingSampler;
use rustc_hash::FxHashMap;

/// How far ahead in a stream the rows of coming deliveries are requested.
/// Messages stuck behind a slow one arrive together and are delivered one
/// after another, so the next message alone is too close.
const STREAM_AHEAD: usize = 4;

/// How often (in events) progress is reported.
const PROGRESS_EVERY: u64 = 1 << 16;

/// What the event queue carries.
#[derive(Clone, Copy, Debug)]
pub enum Event<T> {
    /// The next operation of client source `c`.
    Client(u32),
    /// The next step of the scenario's script.
    Script,
    /// The message in slot `slot` of replication stream `stream` arrives.
    Delivery { stream: u32, slot: u64 },
    /// One of the mode's own events.
    Mode(T),
}

/// Which version a new write is built on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Parent {
    /// The version its region holds (many writers: last writer wins
    /// decides between concurrent ones).
    Local,
    /// The latest version issued anywhere, which the region may not have
    /// received yet; the write is stamped above it, so each key's writes
    /// form one chain (one writer per key at a time).
    Latest,
}

/// A write the kernel has issued.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Issued {
    pub write_id: u64,
    pub version: VersionId,
}

/// Per item and stream, the last arrival queued (`item` ordering): a
/// message never arrives before it.
enum ItemLast {
    /// Streams are FIFO as a whole: nothing per item.
    Unused,
    /// A row of streams per key, read beside the key's cells.
    Table { last: HugeVec<Time>, streams: usize },
    /// For key spaces too large for the table: only items with a message
    /// in flight, forgotten when their last one arrives. Only looked up,
    /// never iterated.
    Map(FxHashMap<(u32, u32), Time>),
}

/// The largest per-item table, in entries (256 MiB).
const ITEM_TABLE_MAX: usize = 1 << 25;

impl ItemLast {
    #[inline]
    fn get(&self, key: u32, si: usize) -> Time {
        match self {
            ItemLast::Unused => Time::ZERO,
            ItemLast::Table { last, streams } => last[key as usize * streams + si],
            ItemLast::Map(m) => m.get(&(key, si as u32)).copied().unwrap_or(Time::ZERO),
        }
    }

    #[inline]
    fn set(&mut self, key: u32, si: usize, t: Time) {
        match self {
            ItemLast::Unused => {}
            ItemLast::Table { last, streams } => last[key as usize * *streams + si] = t,
            ItemLast::Map(m) => {
                m.insert((key, si as u32), t);
            }
        }
    }

    /// A message for `key` on `si` that was due at `t` arrived.
    #[inline]
    fn arrived(&mut self, key: u32, si: usize, t: Time) {
        if let ItemLast::Map(m) = self {
            if m.get(&(key, si as u32)) == Some(&t) {
                m.remove(&(key, si as u32));
            }
        }
    }

    /// Request the entries of `key`'s streams from `first` on.
    #[inline]
    fn warm(&self, key: u32, first: usize) {
        if let ItemLast::Table { last, streams } = self {
            if let Some(e) = last.get(key as usize * streams + first) {
                crate::sim::memory::prefetch(e);
            }
        }
    }
}

/// The kernel: everything but the mode's rules.
pub struct Kernel<'a, T> {
    s: &'a Scenario,
    n: usize,
    /// First global key of each table.
    key_base: Vec<u32>,
    total_keys: usize,
    store: VersionStore,
    visibility: Visibility,
    clocks: Vec<RegionClock>,
    /// Each region's last-writer-wins rank.
    rank: Vec<u16>,
    schedule: Schedule,
    /// `stream_of[from * n + to]`, `usize::MAX` on the diagonal.
    stream_of: Vec<usize>,
    streams: Vec<Stream>,
    item_last: ItemLast,
    link_rng: Vec<SimRng>,
    link_delay: Vec<VaryingSampler>,
    pipeline_rng: Vec<SimRng>,
    /// Per origin region, its pipeline delay process.
    pipeline: Vec<VaryingSampler>,
    clients: Vec<ClientSource>,
    script_next: usize,
    /// Per region, the other regions that serve clients, nearest first
    /// (for rerouting).
    nearest: Vec<Vec<usize>>,
    queue: EventQueue<Event<T>>,
    rec: Recorder,
    ordering: Ordering,
    next_write_id: u64,
    last_change: Time,
    last_event: Time,
    trace_deliveries: Option<Vec<DeliveryTrace>>,
    trace_reads: Option<Vec<ReadTrace>>,
}

impl<'a, T: Copy + std::fmt::Debug> Kernel<'a, T> {
    pub fn new<M: Mode<Timer = T>>(
        s: &'a Scenario,
        options: &RunOptions,
        mode: &M,
    ) -> Result<Kernel<'a, T>> {
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
            .checked_mul(VersionStore::bytes_per_key(n))
            .filter(|c| *c <= 1 << 38)
            .ok_or_else(|| Error::new("tables: too many keys times regions to hold in memory"))?;
        let reads = s.script.iter().any(|op| !op.is_write)
            || s.workload.iter().any(|w| w.write_fraction < 1.0);
        let store = VersionStore::new(total_keys, n, IssueCells::new(s), options.trace, reads);

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
        let rank = lww::ranks(s.regions.iter().map(|r| r.name.as_str()));

        let ordering = if M::SHIPS_LOG {
            Ordering::Stream
        } else {
            s.replication.ordering
        };
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
                streams.push(
                    Stream::new(
                        from,
                        to,
                        schedule.link_down[from][to].clone(),
                        schedule.sends_held[from].clone(),
                        s.replication.throughput_per_s,
                        ordering,
                    )
                    .with_slowdowns(schedule.slowdowns[from][to].clone()),
                );
                let purpose = format!("link/{}/{}", s.regions[from].name, s.regions[to].name);
                link_rng.push(generator(s.seed, &purpose));
                let tau = s.link_varies_over(from, to);
                link_delay.push(VaryingSampler::new(
                    &s.links[from][to],
                    tau.unwrap_or(ordering.default_varies_over_ns()),
                ));
            }
        }
        let item_last = match ordering {
            Ordering::Stream => ItemLast::Unused,
            Ordering::Item if total_keys.saturating_mul(streams.len()) <= ITEM_TABLE_MAX => {
                let mut last = HugeVec::with_capacity(total_keys * streams.len());
                for _ in 0..total_keys * streams.len() {
                    last.push(Time::ZERO);
                }
                ItemLast::Table {
                    last,
                    streams: streams.len(),
                }
            }
            Ordering::Item => ItemLast::Map(FxHashMap::default()),
        };
        let pipeline_rng = s
            .regions
            .iter()
            .map(|r| generator(s.seed, &format!("pipeline/{}", r.name)))
            .collect();

        let mut clients = Vec::new();
        for (i, w) in s.workload.iter().enumerate() {
            for &r in &w.regions {
                clients.push(ClientSource::new(s, i, w, r));
            }
        }
        let nearest = (0..n)
            .map(|r| {
                let mut others: Vec<usize> = (0..n)
                    .filter(|&o| o != r && mode.serves_clients(o))
                    .collect();
                others.sort_by(|&a, &b| {
                    s.links[r][a]
                        .median_ns()
                        .total_cmp(&s.links[r][b].median_ns())
                        .then(a.cmp(&b))
                });
                others
            })
            .collect();

        let faults = FaultFigures::new(s, &mut streams);
        let rec = Recorder::new(s.bucket_ns, n, streams.len(), options.trace, faults);
        Ok(Kernel {
            s,
            n,
            key_base,
            total_keys,
            store,
            visibility: Visibility::new(total_keys, n),
            clocks,
            rank,
            schedule,
            stream_of,
            streams,
            item_last,
            link_rng,
            link_delay,
            pipeline_rng,
            pipeline: (0..n)
                .map(|_| {
                    let tau = s.replication.pipeline_varies_over_ns;
                    VaryingSampler::new(
                        &s.replication.pipeline,
                        tau.unwrap_or(ordering.default_varies_over_ns()),
                    )
                })
                .collect(),
            clients,
            script_next: 0,
            nearest,
            queue: EventQueue::new(),
            rec,
            ordering,
            next_write_id: 1,
            last_change: Time::ZERO,
            last_event: Time::ZERO,
            trace_deliveries: options.trace.then(Vec::new),
            trace_reads: options.trace.then(Vec::new),
        })
    }

    /// Run `mode` to the end and gather the results.
    pub fn run<M: Mode<Timer = T>>(
        mut self,
        mut mode: M,
        progress: &mut dyn FnMut(f64) -> bool,
    ) -> Result<RunOutput> {
        let end = Time(self.s.duration_ns).after(self.s.drain_limit_ns);
        self.rec.loss_cause = M::LOSS_CAUSE;
        for c in 0..self.clients.len() {
            if let Some(t) = self.clients[c].next_time() {
                self.queue.schedule(t, Event::Client(c as u32));
            }
        }
        if let Some(op) = self.s.script.first() {
            self.queue.schedule(op.at, Event::Script);
        }
        mode.start(&mut self);
        let mut events: u64 = 0;
        while let Some((t, _seq, event)) = self.queue.pop() {
            if t > end {
                break;
            }
            self.rec.advance(t.ns(), &mut self.streams);
            self.last_event = t;
            self.warm_deliveries();
            match event {
                Event::Client(c) => {
                    let c = c as usize;
                    let op = self.clients[c].take();
                    self.client_op(&mut mode, op);
                    if let Some(next) = self.clients[c].next_time() {
                        self.queue.schedule(next, event);
                        self.warm_client(c);
                    }
                }
                Event::Delivery { stream, slot } => self.deliver(&mode, stream as usize, slot, t),
                Event::Script => {
                    let op = self.s.script[self.script_next];
                    self.script_next += 1;
                    self.client_op(
                        &mut mode,
                        Op {
                            time: op.at,
                            region: op.region,
                            table: op.table,
                            key: op.key,
                            is_write: op.is_write,
                        },
                    );
                    if let Some(next) = self.s.script.get(self.script_next) {
                        self.queue.schedule(next.at, Event::Script);
                    }
                }
                Event::Mode(timer) => mode.timer(&mut self, t, timer),
            }
            events += 1;
            if events % PROGRESS_EVERY == 0 && !progress(t.ns() as f64 / end.ns().max(1) as f64) {
                return Err(Error::new("interrupted; no results written"));
            }
        }
        progress(1.0);
        self.finish(&mode, events, end)
    }

    /// Warm what client `c`'s coming operations will touch, in two steps
    /// an operation apart: request the row of the operation after next,
    /// and, the row of the next one having arrived since it was requested
    /// here last time, the versions that row names. Each operation comes a
    /// round of the other sources after the previous one: time enough for
    /// both loads. Most of the simulator's time is spent waiting for loads
    /// like these.
    #[inline]
    fn warm_client(&self, c: usize) {
        let client = &self.clients[c];
        if let Some(op) = client.peek_second() {
            let key = self.key_base[op.table] + op.key;
            self.store.warm_row(key);
            self.store.warm_records(key);
            self.visibility.warm(key);
            if op.is_write {
                self.item_last.warm(key, op.region * (self.n - 1));
            }
        }
        if let Some(op) = client.peek() {
            self.store
                .warm_versions(self.key_base[op.table] + op.key, op.region);
        }
    }

    /// Warm what the coming deliveries will touch, in two steps: request
    /// the message of the delivery `FAR` events ahead, and the key's row of
    /// the one `NEAR` ahead, whose message was requested before. Under
    /// per-item order messages arrive in no particular order of their
    /// stream, so only the event queue knows which comes next.
    #[inline]
    fn warm_deliveries(&self) {
        const FAR: usize = 8;
        const NEAR: usize = 4;
        if let Some(Event::Delivery { stream, slot }) = self.queue.peek_ahead(FAR) {
            if let Some(m) = self.streams[*stream as usize].peek(*slot) {
                crate::sim::memory::prefetch(m);
            }
        }
        if let Some(Event::Delivery { stream, slot }) = self.queue.peek_ahead(NEAR) {
            if let Some(m) = self.streams[*stream as usize].peek(*slot) {
                self.store.warm_row(m.key);
                self.visibility.warm(m.key);
            }
        }
    }

    /// A client operation: routed around an outage (or failed), then given
    /// to the mode.
    fn client_op<M: Mode<Timer = T>>(&mut self, mode: &mut M, op: Op) {
        let mut region = op.region;
        if let Some(clients) = self.schedule.clients_blocked_at(region, op.time) {
            let healthy = match clients {
                OutageClients::Fail => None,
                OutageClients::Reroute => self.nearest[region]
                    .iter()
                    .copied()
                    .find(|&r| self.schedule.clients_blocked_at(r, op.time).is_none()),
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
        let request = Request {
            region,
            table: op.table,
            key: self.key_base[op.table] + op.key,
            time: op.time,
        };
        if op.is_write {
            mode.write(self, request);
        } else {
            mode.read(self, request);
        }
    }

    /// The message in `slot` of stream `si` arrives at `t`, unless it was
    /// withdrawn (`discard`).
    fn deliver<M: Mode<Timer = T>>(&mut self, mode: &M, si: usize, slot: u64, t: Time) {
        let st = &mut self.streams[si];
        let Some(msg) = st.take(slot) else {
            return;
        };
        let y = st.to;
        // A message is requested once, when it becomes the one at that
        // distance, or the last one if fewer are queued.
        // Only a stream served in order says which message comes next.
        if st.in_order() {
            if let Some(ahead) = st.after(slot, STREAM_AHEAD) {
                self.store.warm_row(ahead.key);
            }
        }
        self.item_last.arrived(msg.key, si, msg.arrive);
        self.rec.delivery(si, t.since(msg.issue));
        self.clocks[y].observe(msg.ts);
        let current = self.store.held(msg.key, y);
        let incoming = Held {
            version: msg.node,
            stamp: msg.stamp(),
        };
        let applied = mode.applies(incoming, current);
        self.store
            .delivered(msg.key, y, incoming, current, applied, &mut self.rec);
        if applied {
            self.last_change = t;
            self.visibility
                .installed(msg.key, y, current.stamp, incoming.stamp, t.ns());
        }
        if let Some(td) = &mut self.trace_deliveries {
            td.push(DeliveryTrace {
                write_id: self.store.write_id(msg.node),
                to: self.s.regions[y].name.clone(),
                arrive_ns: t.ns(),
                applied,
                held_id: self.store.write_id(current.version),
            });
        }
    }

    /// Queue a message carrying `version` of `key` on stream `si`, ready to
    /// leave at `ready`; its transit is drawn from the stream's link. The
    /// caller has accounted for the message's hold on the version.
    #[inline(always)]
    fn send(
        &mut self,
        si: usize,
        version: VersionId,
        key: u32,
        stamp: Stamp,
        issue: Time,
        ready: Time,
    ) {
        let transit = self.link_delay[si].sample_at(issue, &mut self.link_rng[si]);
        let st = &mut self.streams[si];
        let prior = self.item_last.get(key, si);
        let arrive = st.arrival(prior, issue, ready, transit);
        self.item_last.set(key, si, arrive);
        let seq = self.queue.next_seq();
        let slot = st.push(Message::new(
            version, key, stamp.ts, stamp.rank, issue, arrive,
        ));
        if arrive != Time::MAX {
            let event = Event::Delivery {
                stream: si as u32,
                slot,
            };
            self.queue.push(arrive, seq, event);
        }
    }

    /// Settle what is left and build the results.
    fn finish<M: Mode<Timer = T>>(mut self, mode: &M, events: u64, end: Time) -> Result<RunOutput> {
        self.store.flush(&mut self.rec);
        let s = self.s;
        let duration = Time(s.duration_ns);
        // Buckets up to the later of the workload's end and the last event.
        let until = self.last_event.max(duration);
        while self.rec.buckets.len() as u64 * s.bucket_ns < until.ns() {
            self.rec.advance(
                self.rec.buckets.len() as u64 * s.bucket_ns,
                &mut self.streams,
            );
        }
        self.rec.finish(&mut self.streams);

        let undelivered: u64 = self.streams.iter().map(|st| st.in_flight()).sum();
        let converged = undelivered == 0
            && (0..self.total_keys as u32).all(|key| self.store.same_everywhere(key));
        let reference = match s.last_fault_end() {
            Some(f) => f.max(duration),
            None => duration,
        };
        let convergence_ms = ns_to_ms(self.last_change.since(reference));

        // A write that never arrived still has a lag there, of at least the
        // run's end minus its issue: a censored value. A run with messages
        // still in flight stopped at the drain limit.
        let run_end = if undelivered > 0 {
            end
        } else {
            self.last_event
        };
        self.rec.faults.finish(run_end.ns(), &mut self.streams);
        let undelivered_of: Vec<u64> = self.streams.iter().map(|st| st.in_flight()).collect();
        let mut in_flight: Vec<(u32, usize, Held)> = Vec::new();
        let mut censored_from = vec![None; self.streams.len()];
        for (si, st) in self.streams.iter_mut().enumerate() {
            let to = st.to;
            for m in st.discard() {
                let lag = run_end.since(m.issue);
                self.rec.streams[si].all.record(lag);
                self.rec.lag.record(lag);
                let c: &mut Option<u64> = &mut censored_from[si];
                *c = Some(c.map_or(lag, |v| v.min(lag)));
                let h = Held {
                    version: m.node,
                    stamp: m.stamp(),
                };
                // One that never arrives keeps nothing alive.
                let to = if m.arrive == Time::MAX {
                    usize::MAX
                } else {
                    to
                };
                in_flight.push((m.key, to, h));
            }
        }
        let live: Vec<bool> = (0..self.n)
            .map(|r| self.schedule.outage_at(r, run_end).is_none())
            .collect();
        let finals = self.store.close(&in_flight, &live, &mut self.rec);

        // Counter values of the final versions: increments minus their sum
        // is the lost increments, converged or not.
        let mut counter_total = 0u64;
        for (ti, t) in s.tables.iter().enumerate() {
            if t.kind == TableKind::Counter {
                let base = self.key_base[ti] as usize;
                for &f in &finals[base..base + t.keys as usize] {
                    counter_total += self.store.version(f).value;
                }
            }
        }

        let rec = &self.rec;
        if rec.lost_writes + rec.survived_writes != rec.writes {
            return Err(Error::new(format!(
                "{}: internal error: {} writes, but {} lost and {} survived; please report this scenario",
                s.name, rec.writes, rec.lost_writes, rec.survived_writes
            )));
        }
        let name = |r: usize| s.regions[r].name.clone();
        let links: Vec<LinkRow> = self
            .streams
            .iter()
            .zip(&rec.streams)
            .zip(censored_from.iter().zip(&undelivered_of))
            .map(|((st, sb), (censored, &undelivered))| LinkRow {
                from: name(st.from),
                to: name(st.to),
                deliveries: st.deliveries,
                lag_p50_ms: sb.all.quantile_ms(0.5),
                lag_p90_ms: sb.all.quantile_ms(0.9),
                lag_p99_ms: sb.all.quantile_ms(0.99),
                lag_max_ms: sb.all.max_ms(),
                max_backlog: st.max_backlog,
                undelivered,
                censored_from_ms: censored.map(ns_to_ms),
                oldest_unreplicated_max_ms: ns_to_ms(sb.oldest_max_ns),
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
                let t0 = i as u64 * s.bucket_ns;
                let t1 = t0 + s.bucket_ns;
                BucketRow {
                    t_start_s: Time(t0).as_secs(),
                    t_end_s: Time(t1).as_secs(),
                    faults_active: active_faults(s, Time(t0), Time(t1)),
                    ..b.clone()
                }
            })
            .collect();
        let ratio = |a: u64, b: u64| if b == 0 { 0.0 } else { a as f64 / b as f64 };
        let mut mode_extras = ModeExtras {
            write_latency_p50_ms: rec.write_latency_all.quantile_ms(0.5),
            write_latency_p99_ms: rec.write_latency_all.quantile_ms(0.99),
            ..ModeExtras::default()
        };
        let losses = Losses {
            lost_writes: rec.lost_writes,
        };
        mode.figures(&losses, &mut mode_extras, until);
        let summary = Summary {
            scenario: s.name.clone(),
            seed: s.seed,
            mode: s.replication.mode.name().to_string(),
            timestamps: s.replication.timestamps.name().to_string(),
            ordering: self.ordering.name().to_string(),
            duration_s: duration.as_secs(),
            writes: rec.writes,
            reads: rec.reads,
            lost_writes: rec.lost_writes,
            lost_write_rate: ratio(rec.lost_writes, rec.writes),
            conflicts: rec.conflicts,
            causal_inversions: rec.causal_inversions,
            stranded_writes: rec.stranded_writes,
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
            lag_censored_from_ms: censored_from.iter().flatten().min().map(|&ns| ns_to_ms(ns)),
            mode_extras,
        };
        let trace = self.trace_deliveries.take().map(|deliveries| Trace {
            writes: self.rec.trace_writes.take().unwrap_or_default(),
            deliveries,
            reads: self.trace_reads.take().unwrap_or_default(),
        });
        Ok(RunOutput {
            result: RunResult {
                summary,
                links,
                regions,
                timeseries,
                stream_series,
                lag_cdf,
                faults: fault_windows,
                fault_rows: self.rec.faults.rows(s, run_end.ns()),
                visibility: self
                    .visibility
                    .curves(|r| mode.serves_clients(r))
                    .into_iter()
                    .map(|c| VisibilityCurve {
                        from: name(c.from),
                        to: name(c.to),
                        writes: c.writes,
                        points: c
                            .points
                            .iter()
                            .map(|&(ns, p)| VisibilityPoint {
                                after_ms: ns_to_ms(ns),
                                p_visible: p,
                            })
                            .collect(),
                    })
                    .collect(),
                events,
            },
            trace,
        })
    }
}

/// The context a mode acts through.
impl<'a, T: Copy + std::fmt::Debug> Kernel<'a, T> {
    /// The scenario being run.
    pub fn scenario(&self) -> &'a Scenario {
        self.s
    }

    /// How many regions there are.
    pub fn regions(&self) -> usize {
        self.n
    }

    /// The fault schedule (fixed up front).
    pub fn faults(&self) -> &Schedule {
        &self.schedule
    }

    /// Whether `region` is in an outage at `t`.
    pub fn region_down(&self, region: usize, t: Time) -> bool {
        self.schedule.outage_at(region, t).is_some()
    }

    /// Whether the link `from` → `to` is down at `t`.
    pub fn link_down(&self, from: usize, to: usize, t: Time) -> bool {
        self.schedule.link_down_at(from, to, t)
    }

    /// The other regions that serve clients, nearest to `region` first.
    pub fn nearest(&self, region: usize) -> &[usize] {
        &self.nearest[region]
    }

    /// Schedule one of the mode's own events at `t`.
    pub fn schedule(&mut self, t: Time, timer: T) {
        self.queue.schedule(t, Event::Mode(timer));
    }

    /// Issue a write at region `at` at time `t`, for the client request
    /// `client` (figures and the trace count it at the client's region and
    /// time, which differ for a write forwarded to a primary; the version
    /// is stamped by `at`'s clock at `t`). It is built on `parent`; it is
    /// installed at `at` if it beats what `at` holds (a `Latest` write is
    /// stamped above everything and always is), and otherwise acknowledged
    /// but not visible there (a causal inversion). With `replicate` it is
    /// queued on every stream leaving `at`, after `at`'s pipeline delay.
    pub fn write(
        &mut self,
        at: usize,
        t: Time,
        client: Request,
        parent: Parent,
        replicate: bool,
    ) -> Issued {
        let (origin, issued, key, table) = (client.region, client.time, client.key, client.table);
        let cur = self.store.held(key, at);
        let mut ts = self.clocks[at].stamp(t);
        let parent_id = match parent {
            Parent::Latest => self.store.latest(key).unwrap_or(cur.version),
            Parent::Local => cur.version,
        };
        if parent == Parent::Latest {
            ts = ts.max(self.store.version(parent_id).ts.saturating_add(1));
        }
        let stamp = Stamp {
            ts,
            rank: self.rank[at],
        };
        let installed = parent == Parent::Latest || lww::beats(stamp, cur.stamp);
        let counter = self.s.tables[table].kind == TableKind::Counter;
        let write_id = self.next_write_id;
        self.next_write_id += 1;
        let node = Node {
            issue_ns: issued.ns(),
            ts,
            value: if counter {
                self.store.version(parent_id).value + 1
            } else {
                0
            },
            origin: origin as u8,
            inverted: !installed,
            counter,
            ..Node::default()
        };
        if let Some(tw) = &mut self.rec.trace_writes {
            tw.push(WriteTrace {
                write_id,
                table: self.s.tables[table].name.clone(),
                key: u64::from(key - self.key_base[table]),
                region: self.s.regions[origin].name.clone(),
                kind: if counter { "increment" } else { "put" },
                issue_ns: issued.ns(),
                applied_ns: t.ns(),
                timestamp_ns: ts,
                parent_id: self.store.write_id(parent_id),
                outcome: "survived",
                cause: "",
                beaten_by: 0,
                value: counter.then_some(node.value),
                installed,
                held_id: self.store.write_id(cur.version),
            });
        }
        self.store.note_write(key, stamp, issued.ns());
        let copies = if replicate { self.n as u32 - 1 } else { 0 };
        let (version, conflict) = self.store.issue(
            key,
            at,
            parent_id,
            node,
            stamp,
            installed,
            copies,
            write_id,
            &mut self.rec,
        );
        if installed {
            self.visibility.installed(key, at, cur.stamp, stamp, t.ns());
        }
        let store = &self.store;
        self.visibility
            .wrote(key, origin, stamp, issued.ns(), t.ns(), |r| {
                store.held(key, r).stamp
            });

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
        if !installed {
            self.rec.causal_inversions += 1;
        }

        if replicate {
            let ready = t.after(self.pipeline[at].sample_at(t, &mut self.pipeline_rng[at]));
            for y in 0..self.n {
                if y == at {
                    continue;
                }
                let si = self.stream_of[at * self.n + y];
                self.send(si, version, key, stamp, t, ready);
            }
        }
        Issued { write_id, version }
    }

    /// Serve a read from the region's own copy, and judge it stale when
    /// some write to the key issued before it beats the version returned
    /// (by last writer wins, which along a primary's log is its order);
    /// its staleness is how long ago the earliest such write was issued.
    /// A read of the final winner is never stale because of a write that
    /// lost.
    pub fn read_local(&mut self, r: Request) {
        let (x, key, t) = (r.region, r.key, r.time);
        self.rec.reads += 1;
        self.rec.regions[x].reads += 1;
        self.rec.bucket_of(t.ns()).reads += 1;
        let held = self.store.held(key, x);
        let since = self.store.beaten_since(key, held.stamp);
        if let Some(since) = since {
            self.rec.stale_reads += 1;
            self.rec.regions[x].stale_reads += 1;
            self.rec.bucket_of(t.ns()).stale_reads += 1;
            self.rec.faults.stale_read(t.ns());
            self.rec.staleness.record(t.ns().saturating_sub(since));
        }
        if let Some(tr) = &mut self.trace_reads {
            tr.push(ReadTrace {
                read_id: tr.len() as u64 + 1,
                table: self.s.tables[r.table].name.clone(),
                key: u64::from(key - self.key_base[r.table]),
                region: self.s.regions[x].name.clone(),
                at_ns: t.ns(),
                returned_id: self.store.write_id(held.version),
                stale: since.is_some(),
                staleness_ns: since.map(|s| t.ns().saturating_sub(s)),
            });
        }
    }

    /// A write at `region` was acknowledged to its client `ns` after it
    /// was sent.
    pub fn write_latency(&mut self, region: usize, ns: Nanos) {
        self.rec.write_latency(region, ns);
    }

    /// Record in the trace that write `write_id` reached `region` at `t`
    /// other than by a replication stream (a write forwarded to the
    /// primary).
    pub fn trace_arrival(&mut self, write_id: u64, region: usize, t: Time, applied: bool) {
        let held_id = self
            .rec
            .trace_writes
            .as_ref()
            .and_then(|tw| tw.get(write_id as usize - 1))
            .map_or(0, |w| w.held_id);
        if let Some(td) = &mut self.trace_deliveries {
            td.push(DeliveryTrace {
                write_id,
                to: self.s.regions[region].name.clone(),
                arrive_ns: t.ns(),
                applied,
                held_id,
            });
        }
    }

    /// Messages queued on the stream `from` → `to` and not yet arrived.
    pub fn backlog(&self, from: usize, to: usize) -> u64 {
        self.streams[self.stream_of[from * self.n + to]].in_flight()
    }

    /// When every message queued on `from` → `to` has arrived, if any is
    /// in flight; `Time::MAX` if one never does.
    pub fn last_arrival(&self, from: usize, to: usize) -> Option<Time> {
        self.streams[self.stream_of[from * self.n + to]]
            .undelivered()
            .map(|m| m.arrive)
            .max()
    }

    /// The versions queued on `from` → `to` and not yet arrived, in the
    /// order sent, each with the time it was sent (for a primary's log:
    /// its commit time).
    pub fn in_flight(
        &self,
        from: usize,
        to: usize,
    ) -> impl Iterator<Item = (VersionId, Time)> + '_ {
        self.streams[self.stream_of[from * self.n + to]]
            .undelivered()
            .map(|m| (m.node, m.issue))
    }

    /// A version's record (issue time, timestamp, value).
    pub fn version(&self, id: VersionId) -> &Node {
        self.store.version(id)
    }

    /// The write that created a version (with a trace; 0 without).
    pub fn write_id(&self, id: VersionId) -> u64 {
        self.store.write_id(id)
    }

    /// Whether per-write records are kept.
    pub fn tracing(&self) -> bool {
        self.rec.trace_writes.is_some()
    }

    /// Withdraw every message queued on `from` → `to`: they never arrive.
    pub fn discard(&mut self, from: usize, to: usize) {
        let si = self.stream_of[from * self.n + to];
        for m in self.streams[si].discard() {
            self.store.copy_dropped(m.node, &mut self.rec);
        }
    }

    /// Make what `region` holds the truth from now on: it becomes the
    /// latest version of every key, and every region that differs is sent
    /// it at `t` (with no pipeline delay) on `region`'s streams.
    pub fn resync_from(&mut self, region: usize, t: Time) {
        for key in 0..self.total_keys as u32 {
            let held = self.store.held(key, region);
            self.store.make_latest(key, held.version, &mut self.rec);
            for z in (0..self.n).filter(|&z| z != region) {
                if self.store.held(key, z).version != held.version {
                    self.store.copy_sent(held.version);
                    let si = self.stream_of[region * self.n + z];
                    self.send(si, held.version, key, held.stamp, t, t);
                }
            }
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The map used for large key spaces answers as the table does: the
    /// last arrival set, and nothing once it has arrived (a later message
    /// would arrive no earlier anyway).
    #[test]
    fn item_map_and_table_agree() {
        let mut table = ItemLast::Table {
            last: {
                let mut v = HugeVec::with_capacity(8);
                for _ in 0..8 {
                    v.push(Time::ZERO);
                }
                v
            },
            streams: 2,
        };
        let mut map = ItemLast::Map(FxHashMap::default());
        for il in [&mut table, &mut map] {
            assert_eq!(il.get(3, 1), Time::ZERO);
            il.set(3, 1, Time(50));
            il.set(3, 0, Time(70));
            assert_eq!(
                (il.get(3, 1), il.get(3, 0), il.get(2, 1)),
                (Time(50), Time(70), Time::ZERO)
            );
            il.arrived(3, 1, Time(50));
            // The table keeps a past arrival; either way it binds nothing
            // from now on, since later messages arrive after now.
            assert!(il.get(3, 1) <= Time(50));
        }
        assert_eq!(map.get(3, 1), Time::ZERO);
    }
}
