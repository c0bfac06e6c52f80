//! Strong mode (DynamoDB multi-region strong consistency): a write is
//! acknowledged once one other region (or the witness) has it, and a write
//! that overlaps another region's write to the same item fails with an
//! error instead of vanishing.
//!
//! This file adds the mode's rules to the shared `Engine` (see engine.rs).
//! An accepted write goes through the same `write` path as active-active
//! with the single-writer flag set: it is built on the latest committed
//! version of its key (not on whatever its own region holds) and gets a
//! timestamp above it, so each key's writes form one chain and no write is
//! ever lost. Replication to the other regions still runs over the shared
//! FIFO streams (pipeline and link as in active-active), so a region's
//! local reads can be stale.
//!
//! Rules chosen where the issue is silent (docs/designs.md repeats them):
//! - Reachable: another region not in an outage whose links both ways are
//!   up at the write's issue. The acknowledgement takes the smallest round
//!   trip among them, each leg drawn from its link (a random stream of its
//!   own per ordered pair).
//! - Overlap: a write to a key fails when another region's accepted write
//!   to that key has not been acknowledged yet at its issue; writes from
//!   one region to one key are queued by that region, never a conflict.
//! - Failed writes (conflict or unavailable) are not writes: they count
//!   only in `write_conflict_errors` or `unavailable_writes`.

use super::engine::Engine;
use crate::scenario::Scenario;
use crate::sim::dist::Sampler;
use crate::sim::rng::{stream, SimRng};
use crate::sim::time::Time;

/// Strong-mode state beside the shared engine.
#[derive(Debug)]
pub struct StrongState {
    /// Per key: the region of the last accepted write and when it is (or
    /// was) acknowledged.
    last: Vec<(u16, Time)>,
    /// `ack_rng[from * n + to]`: transit draws of the synchronous round trips.
    ack_rng: Vec<SimRng>,
    ack_delay: Vec<Sampler>,
    n: usize,
}

impl StrongState {
    pub(super) fn new(s: &Scenario, keys: usize) -> StrongState {
        let n = s.regions.len();
        let mut ack_rng = Vec::with_capacity(n * n);
        let mut ack_delay = Vec::with_capacity(n * n);
        for from in 0..n {
            for to in 0..n {
                let purpose = format!("ack/{}/{}", s.regions[from].name, s.regions[to].name);
                ack_rng.push(stream(s.seed, &purpose));
                ack_delay.push(Sampler::new(&s.links[from][to]));
            }
        }
        StrongState {
            last: vec![(u16::MAX, Time::ZERO); keys],
            ack_rng,
            ack_delay,
            n,
        }
    }

    fn draw(&mut self, from: usize, to: usize) -> u64 {
        let i = from * self.n + to;
        self.ack_delay[i].sample(&mut self.ack_rng[i])
    }
}

impl Engine<'_> {
    /// A client write at region `x`.
    pub(super) fn strong_write(&mut self, x: usize, table: usize, key: u32, t: Time) {
        let n = self.n;
        let mut round_trip: Option<u64> = None;
        for y in (0..n).filter(|&y| y != x) {
            let reachable = self.schedule.outage_at(y, t).is_none()
                && !self.schedule.link_down_at(x, y, t)
                && !self.schedule.link_down_at(y, x, t);
            if reachable {
                let st = self.strong.as_mut().expect("strong mode");
                let rtt = st.draw(x, y) + st.draw(y, x);
                round_trip = Some(round_trip.map_or(rtt, |r| r.min(rtt)));
            }
        }
        let Some(rtt) = round_trip else {
            self.rec.unavailable_writes += 1;
            return;
        };
        let st = self.strong.as_mut().expect("strong mode");
        let (region, acked) = st.last[key as usize];
        if region as usize != x && t < acked {
            self.rec.write_conflict_errors += 1;
            return;
        }
        let ack = t.after(rtt);
        st.last[key as usize] = (
            x as u16,
            if region as usize == x {
                ack.max(acked)
            } else {
                ack
            },
        );
        self.write(x, table, key, t, None);
        self.rec.write_latency(x, rtt);
    }
}
