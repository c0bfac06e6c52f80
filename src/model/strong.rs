//! Strong mode (DynamoDB multi-region strong consistency): a write is
//! acknowledged once one other region (or the witness) has it, and a write
//! that overlaps another region's write to the same item fails with an
//! error instead of vanishing.
//!
//! An accepted write is issued by the kernel built on the latest committed
//! version of its key (not on whatever its own region holds) and stamped
//! above it, so each key's writes form one chain and no write is ever
//! lost. Replication to the other regions still runs over the kernel's
//! streams (pipeline and link as in active-active), so a region's local
//! reads can be stale; an arriving version replaces the held one by last
//! writer wins, which along one chain means the later one.
//!
//! Rules chosen where the issue is silent (docs/designs.md repeats them):
//! - One write in flight per item and region: a client write to an item
//!   whose region already has one in flight waits, in order, until that
//!   one is acknowledged; its latency includes the wait, so one item takes
//!   at most one write per round trip from a region. Writes still waiting
//!   when the run ends (the drain limit) count as unavailable.
//! - Reachable: another region not in an outage whose links both ways are
//!   up when the write is sent. The acknowledgement takes the smallest
//!   round trip among them, each leg drawn from its link (a random generator
//!   of its own per ordered pair).
//! - Overlap: a write to a key fails when another region's accepted write
//!   to that key has not been acknowledged yet when it is sent.
//! - Failed writes (conflict or unavailable) are not writes: they count
//!   only in `write_conflict_errors` or `unavailable_writes`.

use std::collections::VecDeque;

use rustc_hash::FxHashMap;

use super::kernel::{Kernel, Parent};
use super::lww;
use super::mode::{Losses, Mode, Request};
use super::store::Held;
use crate::metrics::result::ModeExtras;
use crate::scenario::{Scenario, Strong};
use crate::sim::dist::Sampler;
use crate::sim::rng::{generator, SimRng};
use crate::sim::time::{Nanos, Time};

/// The mode's own event: the write in flight from `region` to `key` is
/// acknowledged.
#[derive(Clone, Copy, Debug)]
pub struct Acked {
    key: u32,
    region: u16,
}

/// Strong mode's rules and state.
#[derive(Debug)]
pub struct StrongMode {
    /// The region that stores and votes but serves no clients, if any.
    witness: Option<usize>,
    /// Per key: the region of the last accepted write and when it is (or
    /// was) acknowledged.
    last: Vec<(u16, Time)>,
    /// Per (key, region) with a write in flight, the writes waiting behind
    /// it, in order. Only looked up and summed, never iterated in order.
    waiting: FxHashMap<(u32, u16), VecDeque<Request>>,
    /// `ack_rng[from * n + to]`: transit draws of the synchronous round trips.
    ack_rng: Vec<SimRng>,
    ack_delay: Vec<Sampler>,
    n: usize,
    write_conflict_errors: u64,
    unavailable_writes: u64,
}

impl StrongMode {
    pub fn new(s: &Scenario, m: &Strong) -> StrongMode {
        let n = s.regions.len();
        let keys: usize = s.tables.iter().map(|t| t.keys as usize).sum();
        let mut ack_rng = Vec::with_capacity(n * n);
        let mut ack_delay = Vec::with_capacity(n * n);
        for from in 0..n {
            for to in 0..n {
                let purpose = format!("ack/{}/{}", s.regions[from].name, s.regions[to].name);
                ack_rng.push(generator(s.seed, &purpose));
                ack_delay.push(Sampler::new(&s.links[from][to]));
            }
        }
        StrongMode {
            witness: m.witness,
            last: vec![(u16::MAX, Time::ZERO); keys],
            waiting: FxHashMap::default(),
            ack_rng,
            ack_delay,
            n,
            write_conflict_errors: 0,
            unavailable_writes: 0,
        }
    }

    fn draw(&mut self, from: usize, to: usize) -> Nanos {
        let i = from * self.n + to;
        self.ack_delay[i].sample(&mut self.ack_rng[i])
    }

    /// Send the next waiting write from `region` to `key` at `t`, if any;
    /// one that fails leaves the way to the next at once.
    fn send_next(&mut self, k: &mut Kernel<'_, Acked>, key: u32, region: u16, t: Time) {
        loop {
            let Some(queue) = self.waiting.get_mut(&(key, region)) else {
                return;
            };
            let Some(w) = queue.pop_front() else {
                self.waiting.remove(&(key, region));
                return;
            };
            if let Some(ack) = self.send(k, w, t) {
                k.schedule(ack, Acked { key, region });
                return;
            }
        }
    }

    /// Send write `w` at `t`; returns when it is acknowledged, or `None`
    /// when it fails (no region reachable, or another region's write to the
    /// item is in flight).
    fn send(&mut self, k: &mut Kernel<'_, Acked>, w: Request, t: Time) -> Option<Time> {
        let x = w.region;
        let mut round_trip: Option<Nanos> = None;
        for y in (0..self.n).filter(|&y| y != x) {
            let reachable = !k.region_down(y, t) && !k.link_down(x, y, t) && !k.link_down(y, x, t);
            if reachable {
                let rtt = self.draw(x, y) + self.draw(y, x);
                round_trip = Some(round_trip.map_or(rtt, |r| r.min(rtt)));
            }
        }
        let Some(rtt) = round_trip else {
            self.unavailable_writes += 1;
            return None;
        };
        let (region, acked) = self.last[w.key as usize];
        if region as usize != x && t < acked {
            self.write_conflict_errors += 1;
            return None;
        }
        let ack = t.after(rtt);
        self.last[w.key as usize] = (x as u16, ack);
        k.write(x, t, w, Parent::Latest, true);
        k.write_latency(x, ack.since(w.time));
        Some(ack)
    }
}

impl Mode for StrongMode {
    type Timer = Acked;

    fn serves_clients(&self, region: usize) -> bool {
        Some(region) != self.witness
    }

    fn write(&mut self, k: &mut Kernel<'_, Self::Timer>, w: Request) {
        let lane = (w.key, w.region as u16);
        if let Some(queue) = self.waiting.get_mut(&lane) {
            queue.push_back(w);
            return;
        }
        self.waiting.insert(lane, VecDeque::from([w]));
        self.send_next(k, lane.0, lane.1, w.time);
    }

    fn timer(&mut self, k: &mut Kernel<'_, Self::Timer>, t: Time, a: Acked) {
        self.send_next(k, a.key, a.region, t);
    }

    #[inline]
    fn applies(&self, incoming: Held, current: Held) -> bool {
        lww::beats(incoming.stamp, current.stamp)
    }

    /// Writes still waiting at the end were never served.
    fn figures(&self, _losses: &Losses, extras: &mut ModeExtras, _until: Time) {
        let waiting: usize = self.waiting.values().map(VecDeque::len).sum();
        extras.write_conflict_errors = self.write_conflict_errors;
        extras.unavailable_writes = self.unavailable_writes + waiting as u64;
    }
}
