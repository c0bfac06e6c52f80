//! Single-primary replication (Aurora Global Database): one region applies
//! writes and ships its log to every secondary; secondaries reject or
//! forward their clients' writes; a primary outage ends in a failover that
//! loses what had not replicated; a planned switchover loses nothing.
//!
//! This file adds the mode's rules to the shared `Engine` (see engine.rs):
//! the primary's writes go through the same `write` path as active-active
//! (with the single-writer flags set, so a write always installs and every
//! secondary applies the log in order), and replication uses the same FIFO
//! streams, of which only those leaving the current primary carry traffic.
//! The mode's own events (a forwarded write reaching the primary, outage
//! start and end, failure detection, promotion, switchover) go through the
//! engine's queue as one more event source; their payloads wait here,
//! keyed by their sequence number.
//!
//! Rules chosen where the issue is silent (docs/designs.md repeats them):
//! - A forwarded write is refused (`rejected_writes`) when at its issue
//!   there is no writable primary or the link to it is down, and when it
//!   reaches the primary and the primary is no longer writable there (it
//!   failed, or a switchover began). Its acknowledgement's way back is
//!   drawn from the return link and not held by faults.
//! - Writes are refused while the primary is down, from the outage's start
//!   until the outage ends (if that comes before detection) or until a
//!   secondary is promoted. Once a failure has been detected the promotion
//!   goes ahead even if the old primary returns meanwhile.
//! - The new primary (`least_lag`) is the healthy secondary with the fewest
//!   of the old primary's messages still undelivered, ties to the nearest.
//!   A named target that is itself down is replaced by the least-lag one.
//! - At a promotion the old primary's undelivered log is discarded; what
//!   the new primary never received is the RPO loss. Every other region
//!   (the old primary included, once it is back) is brought to the new
//!   primary's state by resynchronisation messages on the new primary's
//!   streams, one per key where it differs, sent at the promotion.
//! - `failover_ms` sums every stretch of refused writes caused by the
//!   primary being down or being replaced.

use std::collections::BTreeMap;

use super::engine::Engine;
use super::lineage::NONE;
use crate::metrics::result::{DeliveryTrace, ModeExtras};
use crate::scenario::{FailoverTarget, FaultKind, Scenario, SecondaryWrites, SinglePrimary};
use crate::sim::dist::Sampler;
use crate::sim::rng::{stream, SimRng};
use crate::sim::time::{ns_to_ms, Nanos, Time};

/// A forwarded write on its way to the primary.
#[derive(Clone, Copy, Debug)]
pub(super) struct Forward {
    /// The region whose client sent it.
    origin: usize,
    /// The primary it was sent to.
    primary: usize,
    table: usize,
    /// Global key index.
    key: u32,
    /// When the client issued it.
    issue: Time,
    /// Transit of the acknowledgement back to the origin.
    back: Nanos,
}

/// The mode's own events.
#[derive(Clone, Copy, Debug)]
pub(super) enum SpEvent {
    OutageStart(usize),
    OutageEnd(usize),
    /// The outage of `old` that began at `since` is noticed.
    Detect {
        old: usize,
        since: Time,
    },
    /// `to` takes over from `old`.
    Promote {
        old: usize,
        to: usize,
    },
    /// A planned switchover to `to` begins.
    Switchover {
        to: usize,
    },
    Forward(Forward),
}

/// Single-primary state beside the shared engine.
#[derive(Debug)]
pub struct SpState {
    /// The region that applies writes (the old one while a failover runs).
    pub(super) primary: usize,
    secondary_writes: SecondaryWrites,
    detect: Nanos,
    promote: Nanos,
    target: FailoverTarget,
    /// A promotion is under way (failover detected, or switchover begun):
    /// no writes until it completes.
    promoting: bool,
    /// Since when writes have been refused, if they are.
    down_since: Option<Time>,
    downtime_ns: u64,
    rpo_lost: u64,
    rpo_window_ns: u64,
    /// Payloads of scheduled events, by sequence number.
    pending: BTreeMap<u64, SpEvent>,
    /// `rt_rng[from * n + to]`: transit draws of forwarded writes and their
    /// acknowledgements, a random stream of their own per ordered pair.
    rt_rng: Vec<SimRng>,
    rt_delay: Vec<Sampler>,
    n: usize,
}

impl SpState {
    pub(super) fn new(s: &Scenario, m: &SinglePrimary) -> SpState {
        let n = s.regions.len();
        let mut rt_rng = Vec::with_capacity(n * n);
        let mut rt_delay = Vec::with_capacity(n * n);
        for from in 0..n {
            for to in 0..n {
                let purpose = format!("forward/{}/{}", s.regions[from].name, s.regions[to].name);
                rt_rng.push(stream(s.seed, &purpose));
                rt_delay.push(Sampler::new(&s.links[from][to]));
            }
        }
        SpState {
            primary: m.primary,
            secondary_writes: m.secondary_writes,
            detect: m.failover.detect,
            promote: m.failover.promote,
            target: m.failover.target,
            promoting: false,
            down_since: None,
            downtime_ns: 0,
            rpo_lost: 0,
            rpo_window_ns: 0,
            pending: BTreeMap::new(),
            rt_rng,
            rt_delay,
            n,
        }
    }

    fn draw(&mut self, from: usize, to: usize) -> Nanos {
        let i = from * self.n + to;
        self.rt_delay[i].sample(&mut self.rt_rng[i])
    }

    fn writes_refused_since(&mut self, t: Time) {
        self.down_since.get_or_insert(t);
    }

    fn writes_resume(&mut self, t: Time) {
        if let Some(since) = self.down_since.take() {
            self.downtime_ns += t.since(since);
        }
    }

    /// Fill in the single-primary figures; `until` closes a downtime that
    /// never ended.
    pub(super) fn fill_extras(&self, extras: &mut ModeExtras, until: Time) {
        let open = self.down_since.map_or(0, |since| until.since(since));
        extras.failover_ms = ns_to_ms(self.downtime_ns + open);
        extras.rpo_lost_writes = self.rpo_lost;
        extras.rpo_window_ms = ns_to_ms(self.rpo_window_ns);
    }
}

impl Engine<'_> {
    fn sp(&mut self) -> &mut SpState {
        self.sp.as_mut().expect("single-primary mode")
    }

    /// Schedule one of the mode's events.
    fn sp_schedule(&mut self, t: Time, event: SpEvent) {
        let seq = self.queue.next_seq();
        let source = self.mode_source();
        self.sp().pending.insert(seq, event);
        self.queue.push(t, seq, source);
    }

    /// Schedule the fault-driven events (outages, switchovers) before the
    /// run starts; nothing in the other modes.
    pub(super) fn sp_start(&mut self) {
        if self.sp.is_none() {
            return;
        }
        for f in &self.s.faults {
            match f.kind {
                FaultKind::Outage { region, .. } => {
                    self.sp_schedule(f.at, SpEvent::OutageStart(region));
                    if let Some(end) = f.end() {
                        self.sp_schedule(end, SpEvent::OutageEnd(region));
                    }
                }
                FaultKind::Switchover { to } => self.sp_schedule(f.at, SpEvent::Switchover { to }),
                _ => {}
            }
        }
    }

    /// Whether the primary applies writes at `t`.
    fn sp_writable(&self, t: Time) -> bool {
        let sp = self.sp.as_ref().expect("single-primary mode");
        !sp.promoting && self.schedule.outage_at(sp.primary, t).is_none()
    }

    /// A client write at region `x`.
    pub(super) fn sp_write(&mut self, x: usize, table: usize, key: u32, t: Time) {
        let writable = self.sp_writable(t);
        let sp = self.sp.as_ref().expect("single-primary mode");
        let p = sp.primary;
        if x == p {
            if writable {
                self.write(p, table, key, t, None);
                self.rec.write_latency(p, 0);
            } else {
                self.rec.rejected_writes += 1;
            }
            return;
        }
        if sp.secondary_writes == SecondaryWrites::Reject
            || !writable
            || self.schedule.link_down_at(x, p, t)
        {
            self.rec.rejected_writes += 1;
            return;
        }
        let sp = self.sp();
        let there = sp.draw(x, p);
        let back = sp.draw(p, x);
        let forward = Forward {
            origin: x,
            primary: p,
            table,
            key,
            issue: t,
            back,
        };
        self.sp_schedule(t.after(there), SpEvent::Forward(forward));
    }

    /// Handle the mode event scheduled with sequence number `seq`.
    pub(super) fn sp_event(&mut self, t: Time, seq: u64) {
        let Some(event) = self.sp().pending.remove(&seq) else {
            return;
        };
        match event {
            SpEvent::Forward(f) => self.sp_forward_arrives(t, f),
            SpEvent::OutageStart(r) => {
                let sp = self.sp();
                if r == sp.primary && !sp.promoting {
                    sp.writes_refused_since(t);
                    let detect = sp.detect;
                    self.sp_schedule(t.after(detect), SpEvent::Detect { old: r, since: t });
                }
            }
            SpEvent::OutageEnd(r) => {
                let sp = self.sp();
                if r == sp.primary && !sp.promoting {
                    sp.writes_resume(t);
                }
            }
            SpEvent::Detect { old, since } => {
                let sp = self.sp.as_ref().expect("single-primary mode");
                let still_down = self.schedule.outages[old]
                    .iter()
                    .any(|(w, _)| w.start == since && w.contains(t));
                if sp.primary != old || sp.promoting || !still_down {
                    return;
                }
                if let Some(to) = self.failover_target(old, t) {
                    let sp = self.sp();
                    sp.promoting = true;
                    let promote = sp.promote;
                    self.sp_schedule(t.after(promote), SpEvent::Promote { old, to });
                }
            }
            SpEvent::Promote { old, to } => self.promote(t, old, to),
            SpEvent::Switchover { to } => {
                let writable = self.sp_writable(t);
                let p = self.sp().primary;
                if to == p || !writable {
                    return;
                }
                // The target has caught up when the last message queued
                // to it arrives (streams are FIFO).
                let si = self.stream_of[p * self.n + to];
                let caught_up = self.streams[si].queue.back().map_or(t, |m| m.arrive).max(t);
                if caught_up == Time::MAX {
                    // The target is cut off for good: the switchover is abandoned.
                    return;
                }
                let sp = self.sp();
                sp.promoting = true;
                sp.writes_refused_since(t);
                let promote = sp.promote;
                self.sp_schedule(caught_up.after(promote), SpEvent::Promote { old: p, to });
            }
        }
    }

    /// A forwarded write reaches the primary it was sent to.
    fn sp_forward_arrives(&mut self, t: Time, f: Forward) {
        if self.sp().primary != f.primary || !self.sp_writable(t) {
            self.rec.rejected_writes += 1;
            return;
        }
        let p = f.primary;
        // Counted and traced as the origin's write, issued by its client;
        // the trip to the primary shows as a delivery.
        let write_id = self.write(p, f.table, f.key, t, Some((f.origin, f.issue)));
        if let Some(td) = &mut self.trace_deliveries {
            td.push(DeliveryTrace {
                write_id,
                to: self.s.regions[p].name.clone(),
                arrive_ns: t.ns(),
                applied: true,
            });
        }
        self.rec.forwarded_writes += 1;
        self.rec.write_latency(f.origin, t.since(f.issue) + f.back);
    }

    /// The secondary that takes over from `old`, if any is healthy.
    fn failover_target(&self, old: usize, t: Time) -> Option<usize> {
        let sp = self.sp.as_ref().expect("single-primary mode");
        let healthy = |r: usize| r != old && self.schedule.outage_at(r, t).is_none();
        if let FailoverTarget::Region(r) = sp.target {
            if healthy(r) {
                return Some(r);
            }
        }
        // Fewest undelivered messages from the old primary; `nearest` is in
        // distance order, so the first of equals is the nearest.
        self.nearest[old]
            .iter()
            .copied()
            .filter(|&r| healthy(r))
            .min_by_key(|&r| self.streams[self.stream_of[old * self.n + r]].queue.len())
    }

    /// `to` becomes the primary in place of `old`.
    fn promote(&mut self, t: Time, old: usize, to: usize) {
        let n = self.n;
        // What `old` applied and `to` never received is lost.
        let si = self.stream_of[old * n + to];
        let tracing = self.rec.trace_writes.is_some();
        let (mut count, mut first, mut last) = (0u64, Time::MAX, Time::ZERO);
        for m in &self.streams[si].queue {
            // The span of the lost writes' issue times, as their clients
            // issued them (a forwarded write reached the primary later).
            let lost = self.lineage.get(m.node);
            let issued = Time(lost.issue_ns);
            count += 1;
            first = first.min(issued);
            last = last.max(issued);
            if tracing {
                self.rec.rpo_ids.insert(self.lineage.write_id(m.node));
            }
        }
        {
            let sp = self.sp();
            sp.rpo_lost += count;
            if count > 0 {
                sp.rpo_window_ns += last.since(first);
            }
        }
        // The old primary's log that has not arrived anywhere is discarded.
        for z in (0..n).filter(|&z| z != old) {
            let si = self.stream_of[old * n + z];
            while let Some(m) = self.streams[si].queue.pop_front() {
                self.lineage.release(m.node, &mut self.rec);
            }
        }
        // The new primary's state is the truth from now on: it is the
        // latest version of every key, and every region that differs is
        // sent it.
        for key in 0..self.total_keys as u32 {
            let pc = self.cells.get(key, to);
            if self.cells.latest(key) != pc.node {
                self.lineage.hold(pc.node);
                let l = self.cells.replace_latest(key, pc.node);
                if l != NONE {
                    self.lineage.release(l, &mut self.rec);
                }
            }
            for z in (0..n).filter(|&z| z != to) {
                if self.cells.get(key, z).node != pc.node {
                    self.lineage.hold(pc.node);
                    let si = self.stream_of[to * n + z];
                    self.send(si, pc.node, key, pc.ts, pc.rank, t, t);
                }
            }
        }
        let sp = self.sp();
        sp.primary = to;
        sp.promoting = false;
        sp.writes_resume(t);
    }
}
