//! Single-primary replication (Aurora Global Database): one region applies
//! writes and ships its log to every secondary; secondaries reject or
//! forward their clients' writes; a primary outage ends in a failover that
//! loses what had not replicated; a planned switchover loses nothing.
//!
//! The primary's writes are issued by the kernel built on the latest
//! committed version (so a write always installs), and replication uses the
//! kernel's FIFO streams, of which only those leaving the current primary
//! carry traffic; a secondary applies the log in order, whatever the
//! timestamps. The mode's own events (a forwarded write reaching the
//! primary, outage start and end, failure detection, promotion,
//! switchover) are the kernel's timers, carrying `SpEvent`.
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

use super::kernel::{Kernel, Parent};
use super::mode::{Losses, Mode, Request};
use super::store::Held;
use crate::metrics::result::{ModeExtras, ModeStep};
use crate::scenario::{FailoverTarget, FaultKind, Scenario, SecondaryWrites, SinglePrimary};
use crate::sim::dist::Sampler;
use crate::sim::rng::{generator, SimRng};
use crate::sim::time::{ns_to_ms, Nanos, Time};

/// A forwarded write on its way to the primary.
#[derive(Clone, Copy, Debug)]
pub struct Forward {
    /// The client's request (its region and issue time).
    request: Request,
    /// The primary it was sent to.
    primary: usize,
    /// Transit of the acknowledgement back to the origin.
    back: Nanos,
}

/// The mode's own events.
#[derive(Clone, Copy, Debug)]
pub enum SpEvent {
    OutageStart(usize),
    OutageEnd(usize),
    /// The outage of `old` that began at `since` is noticed.
    Detect {
        old: usize,
        since: Time,
    },
    /// `to` takes over from `old`: planned (a switchover) or not (a
    /// failover).
    Promote {
        old: usize,
        to: usize,
        planned: bool,
    },
    /// A planned switchover to `to` begins.
    Switchover {
        to: usize,
    },
    Forward(Forward),
}

/// Single-primary rules and state.
#[derive(Debug)]
pub struct SinglePrimaryMode {
    /// The region that applies writes (the old one while a failover runs).
    primary: usize,
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
    rpo_window_ns: u64,
    rejected_writes: u64,
    forwarded_writes: u64,
    failovers: u64,
    switchovers: u64,
    /// Width of a time bucket, and per bucket of issue time the writes
    /// refused and forwarded (grown as writes come).
    bucket_ns: u64,
    bucket_rejected: Vec<u64>,
    bucket_forwarded: Vec<u64>,
    /// Detections, promotions and switchovers, in time order.
    steps: Vec<ModeStep>,
    /// `rt_rng[from * n + to]`: transit draws of forwarded writes and their
    /// acknowledgements, a random generator of their own per ordered pair.
    rt_rng: Vec<SimRng>,
    rt_delay: Vec<Sampler>,
    n: usize,
}

type Ctx<'k, 'a> = &'k mut Kernel<'a, SpEvent>;

impl SinglePrimaryMode {
    pub fn new(s: &Scenario, m: &SinglePrimary) -> SinglePrimaryMode {
        let n = s.regions.len();
        let mut rt_rng = Vec::with_capacity(n * n);
        let mut rt_delay = Vec::with_capacity(n * n);
        for from in 0..n {
            for to in 0..n {
                let purpose = format!("forward/{}/{}", s.regions[from].name, s.regions[to].name);
                rt_rng.push(generator(s.seed, &purpose));
                rt_delay.push(Sampler::new(&s.links[from][to]));
            }
        }
        SinglePrimaryMode {
            primary: m.primary,
            secondary_writes: m.secondary_writes,
            detect: m.failover.detect_ns,
            promote: m.failover.promote_ns,
            target: m.failover.target,
            promoting: false,
            down_since: None,
            downtime_ns: 0,
            rpo_window_ns: 0,
            rejected_writes: 0,
            forwarded_writes: 0,
            failovers: 0,
            switchovers: 0,
            bucket_ns: s.bucket_ns.max(1),
            bucket_rejected: Vec::new(),
            bucket_forwarded: Vec::new(),
            steps: Vec::new(),
            rt_rng,
            rt_delay,
            n,
        }
    }

    fn draw(&mut self, from: usize, to: usize) -> Nanos {
        let i = from * self.n + to;
        self.rt_delay[i].sample(&mut self.rt_rng[i])
    }

    /// A write issued at `issued` is refused.
    fn reject(&mut self, issued: Time) {
        self.rejected_writes += 1;
        bump(&mut self.bucket_rejected, issued.ns() / self.bucket_ns);
    }

    fn step(&mut self, t: Time, kind: &'static str, label: String) {
        self.steps.push(ModeStep {
            at_s: t.as_secs(),
            kind,
            label,
        });
    }

    fn writes_refused_since(&mut self, t: Time) {
        self.down_since.get_or_insert(t);
    }

    fn writes_resume(&mut self, t: Time) {
        if let Some(since) = self.down_since.take() {
            self.downtime_ns += t.since(since);
        }
    }

    /// Whether the primary applies writes at `t`.
    fn writable(&self, k: &Kernel<'_, SpEvent>, t: Time) -> bool {
        !self.promoting && !k.region_down(self.primary, t)
    }

    /// A forwarded write reaches the primary it was sent to.
    fn forward_arrives(&mut self, k: Ctx, t: Time, f: Forward) {
        if self.primary != f.primary || !self.writable(k, t) {
            self.reject(f.request.time);
            return;
        }
        let p = f.primary;
        // Counted and traced as the origin's write, issued by its client;
        // the trip to the primary shows as a delivery.
        let issued = k.write(p, t, f.request, Parent::Latest, true);
        k.trace_arrival(issued.write_id, p, t, true);
        self.forwarded_writes += 1;
        bump(
            &mut self.bucket_forwarded,
            f.request.time.ns() / self.bucket_ns,
        );
        k.write_latency(f.request.region, t.since(f.request.time) + f.back);
    }

    /// The secondary that takes over from `old`, if any is healthy.
    fn failover_target(&self, k: &Kernel<'_, SpEvent>, old: usize, t: Time) -> Option<usize> {
        let healthy = |r: usize| r != old && !k.region_down(r, t);
        if let FailoverTarget::Region(r) = self.target {
            if healthy(r) {
                return Some(r);
            }
        }
        // Fewest undelivered messages from the old primary; `nearest` is in
        // distance order, so the first of equals is the nearest.
        k.nearest(old)
            .iter()
            .copied()
            .filter(|&r| healthy(r))
            .min_by_key(|&r| k.backlog(old, r))
    }

    /// `to` becomes the primary in place of `old`.
    fn promote(&mut self, k: Ctx, t: Time, old: usize, to: usize, planned: bool) {
        let n = self.n;
        let name = &k.scenario().regions[to].name;
        if planned {
            self.switchovers += 1;
            self.step(t, "switchover_done", format!("{name} is primary"));
        } else {
            self.failovers += 1;
            self.step(t, "promote", format!("{name} promoted"));
        }
        // What `old` applied and `to` never received is lost. Its count
        // comes from the lineage at the end (the writes `to` lacks may go
        // back past what `old` still had to send it, when `to` was cut off
        // under an earlier primary); the span of their commit
        // times at the old primary (a forwarded write was issued by its
        // client earlier) is taken here, from what was still on its way.
        let (mut first, mut last) = (Time::MAX, Time::ZERO);
        for (_, committed) in k.in_flight(old, to) {
            first = first.min(committed);
            last = last.max(committed);
        }
        if first <= last {
            self.rpo_window_ns += last.since(first);
        }
        // The old primary's log that has not arrived anywhere is discarded.
        for z in (0..n).filter(|&z| z != old) {
            k.discard(old, z);
        }
        // The new primary's state is the truth from now on.
        k.resync_from(to, t);
        self.primary = to;
        self.promoting = false;
        self.writes_resume(t);
    }
}

impl Mode for SinglePrimaryMode {
    type Timer = SpEvent;

    const SHIPS_LOG: bool = true;

    /// One primary at a time builds every key's chain, so nothing is
    /// overwritten by a concurrent write: a lost write is one the region
    /// promoted to primary never received.
    const LOSS_CAUSE: &'static str = "rpo";

    /// Schedule the fault-driven events (outages, switchovers).
    fn start(&mut self, k: Ctx) {
        for f in &k.scenario().faults {
            match f.kind {
                FaultKind::Outage { region, .. } => {
                    k.schedule(f.at, SpEvent::OutageStart(region));
                    if let Some(end) = f.end() {
                        k.schedule(end, SpEvent::OutageEnd(region));
                    }
                }
                FaultKind::Switchover { to } => k.schedule(f.at, SpEvent::Switchover { to }),
                _ => {}
            }
        }
    }

    /// A client write at region `x`: applied at the primary, forwarded
    /// there, or refused.
    fn write(&mut self, k: Ctx, w: Request) {
        let (x, t) = (w.region, w.time);
        let writable = self.writable(k, t);
        let p = self.primary;
        if x == p {
            if writable {
                k.write(p, t, w, Parent::Latest, true);
                k.write_latency(p, 0);
            } else {
                self.reject(t);
            }
            return;
        }
        if self.secondary_writes == SecondaryWrites::Reject || !writable || k.link_down(x, p, t) {
            self.reject(t);
            return;
        }
        let there = self.draw(x, p);
        let back = self.draw(p, x);
        let forward = Forward {
            request: w,
            primary: p,
            back,
        };
        k.schedule(t.after(there), SpEvent::Forward(forward));
    }

    /// Secondaries apply the primary's log in order, whatever the
    /// timestamps: anything that differs from what they hold.
    #[inline]
    fn applies(&self, incoming: Held, current: Held) -> bool {
        incoming.version != current.version
    }

    fn timer(&mut self, k: Ctx, t: Time, event: SpEvent) {
        match event {
            SpEvent::Forward(f) => self.forward_arrives(k, t, f),
            SpEvent::OutageStart(r) => {
                if r == self.primary && !self.promoting {
                    self.writes_refused_since(t);
                    k.schedule(t.after(self.detect), SpEvent::Detect { old: r, since: t });
                }
            }
            SpEvent::OutageEnd(r) => {
                if r == self.primary && !self.promoting {
                    self.writes_resume(t);
                }
            }
            SpEvent::Detect { old, since } => {
                let still_down = k.faults().outages[old]
                    .iter()
                    .any(|(w, _)| w.start == since && w.contains(t));
                if self.primary != old || self.promoting || !still_down {
                    return;
                }
                if let Some(to) = self.failover_target(k, old, t) {
                    let name = &k.scenario().regions[old].name;
                    self.step(t, "detect", format!("{name} failure detected"));
                    self.promoting = true;
                    let promote = SpEvent::Promote {
                        old,
                        to,
                        planned: false,
                    };
                    k.schedule(t.after(self.promote), promote);
                }
            }
            SpEvent::Promote { old, to, planned } => self.promote(k, t, old, to, planned),
            SpEvent::Switchover { to } => {
                let p = self.primary;
                if to == p || !self.writable(k, t) {
                    return;
                }
                // The target has caught up when the last message queued
                // to it arrives (streams are FIFO).
                let caught_up = k.last_arrival(p, to).map_or(t, |a| a).max(t);
                if caught_up == Time::MAX {
                    // The target is cut off for good: the switchover is abandoned.
                    return;
                }
                self.promoting = true;
                self.writes_refused_since(t);
                let name = &k.scenario().regions[to].name;
                self.step(t, "switchover_start", format!("switchover to {name}"));
                k.schedule(
                    caught_up.after(self.promote),
                    SpEvent::Promote {
                        old: p,
                        to,
                        planned: true,
                    },
                );
            }
        }
    }

    /// `until` closes a downtime that never ended.
    fn figures(&self, losses: &Losses, extras: &mut ModeExtras, until: Time) {
        let open = self.down_since.map_or(0, |since| until.since(since));
        extras.failover_ms = ns_to_ms(self.downtime_ns + open);
        // Every write this mode loses never reached a region promoted in
        // its place, or is held only by a primary that never came back
        // (stranded): either way the primary had committed it.
        extras.rpo_lost_writes = losses.lost_writes;
        // A run stopped at the drain limit may end before what a promotion
        // cut off is overwritten anywhere: those writes are still held, so
        // not lost, and span no window.
        extras.rpo_window_ms = if losses.lost_writes == 0 {
            0.0
        } else {
            ns_to_ms(self.rpo_window_ns)
        };
        extras.rejected_writes = self.rejected_writes;
        extras.forwarded_writes = self.forwarded_writes;
        extras.failovers = self.failovers;
        extras.switchovers = self.switchovers;
        extras.steps = self.steps.clone();
        extras.bucket_rejected = self.bucket_rejected.clone();
        extras.bucket_forwarded = self.bucket_forwarded.clone();
    }
}

/// Adds one to `counts[i]`, growing it with zeros as needed.
fn bump(counts: &mut Vec<u64>, i: u64) {
    let i = i as usize;
    if counts.len() <= i {
        counts.resize(i + 1, 0);
    }
    counts[i] += 1;
}
