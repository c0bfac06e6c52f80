//! t-visibility (probabilistically bounded staleness): for a write and a
//! region, the chance that a read there `d` after the write's issue
//! returns it or a version that beats it, as a function of `d`.
//!
//! A region holds a write "or newer" from the first moment its current
//! version of the key is that write or beats it by last writer wins (the
//! rule stale reads use: a read is stale exactly when some write issued
//! before it is not yet visible there in this sense). Under last writer
//! wins what a region holds only gets newer, so each write becomes visible
//! at each region once, and the time from its issue to that moment is
//! counted on a fixed grid of delays per (writing region, reading region).
//!
//! Memory does not grow with the run: per key, the writes not yet visible
//! at some region, sorted by stamp (so the ones a region has not reached
//! are a suffix, and an arrival settles a contiguous stretch); per pair,
//! one counter per grid point. A write stays listed only until every
//! region holds it or newer, which for a write that is replicated is when
//! its last message arrives. A write never visible somewhere by the end
//! (a link down for good, a write lost in a failover) is never counted
//! there: the chance stays below one.
//!
//! What it must not do: decide anything the run's other figures depend
//! on. It only watches.

use std::collections::VecDeque;

use super::lww::{beats, Stamp};
use crate::sim::memory::HugeVec;

/// The grid: 0, then m·10^e ns for m in 10..=99 and e from 3 to 17 (10 µs
/// to about 115 days; longer delays count at the last point).
const PER_DECADE: usize = 90;
const FIRST_EXP: u32 = 3;
const DECADES: usize = 15;
/// Grid points, the 0 included.
pub const GRID_POINTS: usize = 1 + PER_DECADE * DECADES;

/// No list.
const NONE: u32 = u32::MAX;

/// The grid point a delay of `ns` is counted at: the smallest one at or
/// above it (index into the grid).
pub fn grid_index(ns: u64) -> usize {
    if ns == 0 {
        return 0;
    }
    let x = ns.max(10u64.pow(FIRST_EXP + 1));
    let mut e = FIRST_EXP;
    let mut unit = 10u64.pow(e);
    // x lies in (9.9·unit, 99·unit] for the right e.
    while e < FIRST_EXP + DECADES as u32 - 1 && x > 99 * unit {
        e += 1;
        unit *= 10;
    }
    let m = x.div_ceil(unit).clamp(10, 99);
    1 + (e - FIRST_EXP) as usize * PER_DECADE + (m as usize - 10)
}

/// The delay of grid point `i`, in nanoseconds.
pub fn grid_ns(i: usize) -> u64 {
    if i == 0 {
        return 0;
    }
    let e = FIRST_EXP + ((i - 1) / PER_DECADE) as u32;
    let m = 10 + ((i - 1) % PER_DECADE) as u64;
    m * 10u64.pow(e)
}

/// A write not yet visible at every region. As a key's slot it is the
/// first of the key's list (empty when `waiting` is 0), with the rest in
/// `more`; 32 bytes, so a slot is half a cache line.
#[derive(Clone, Copy, Debug, Default)]
#[repr(C)]
struct Pending {
    ts: i64,
    issue_ns: u64,
    /// The regions it is not yet visible at, one bit each.
    waiting: u64,
    rank: u16,
    /// The region whose client wrote it.
    origin: u8,
    /// In a key's slot: the rest of its list in `lists`, or `NONE`.
    more: u32,
}

impl Pending {
    #[inline]
    fn stamp(&self) -> Stamp {
        Stamp {
            ts: self.ts,
            rank: self.rank,
        }
    }
}

/// One (writing region, reading region) pair's curve.
#[derive(Clone, Debug, PartialEq)]
pub struct Curve {
    pub from: usize,
    pub to: usize,
    /// Writes issued by `from`'s clients.
    pub writes: u64,
    /// (delay in ns, fraction of those writes visible at `to` within it),
    /// on the grid, from 0 up to the longest delay seen.
    pub points: Vec<(u64, f64)>,
}

/// The t-visibility counters of a run.
#[derive(Debug)]
pub struct Visibility {
    n: usize,
    /// Per key, the first write of its list, sorted by stamp, with the
    /// rest (nearly always none: a write is listed only until it has
    /// reached every region) in `lists`.
    slots: HugeVec<Pending>,
    lists: Vec<VecDeque<Pending>>,
    free: Vec<u32>,
    /// `counts[(from * n + to) * GRID_POINTS + i]`: writes first visible
    /// at grid point `i` (delay in (grid(i − 1), grid(i)]).
    counts: Vec<u64>,
    /// Per writing region, writes issued.
    writes: Vec<u64>,
}

impl Visibility {
    pub fn new(keys: usize, regions: usize) -> Visibility {
        assert!(regions <= 64, "one bit per region");
        const _: () = assert!(std::mem::size_of::<Pending>() == 32);
        Visibility {
            n: regions,
            slots: {
                // Read beside each key's row on nearly every event: on
                // huge pages, so that requesting it ahead works.
                let mut v = HugeVec::with_capacity(keys);
                for _ in 0..keys {
                    v.push(Pending {
                        more: NONE,
                        ..Pending::default()
                    });
                }
                v
            },
            lists: Vec::new(),
            free: Vec::new(),
            counts: vec![0; regions * regions * GRID_POINTS],
            writes: vec![0; regions],
        }
    }

    /// Bytes per key.
    pub fn bytes_per_key() -> usize {
        std::mem::size_of::<Pending>()
    }

    #[inline]
    fn count(&mut self, from: usize, to: usize, delay_ns: u64) {
        self.counts[(from * self.n + to) * GRID_POINTS + grid_index(delay_ns)] += 1;
    }

    /// Request `key`'s slot, which a coming write or delivery reads.
    #[inline]
    pub fn warm(&self, key: u32) {
        if let Some(h) = self.slots.get(key as usize) {
            crate::sim::memory::prefetch(h);
        }
    }

    /// A write to `key` from a client at `origin`, issued at `issue_ns` and
    /// stamped `stamp`, was handled at `now_ns`; `held(r)` is what region
    /// `r` holds of the key after it (the write's own region may now hold
    /// it). Call `installed` first for the region that installed it.
    #[inline]
    pub fn wrote(
        &mut self,
        key: u32,
        origin: usize,
        stamp: Stamp,
        issue_ns: u64,
        now_ns: u64,
        held: impl Fn(usize) -> Stamp,
    ) {
        self.writes[origin] += 1;
        let mut waiting = 0u64;
        for r in 0..self.n {
            if beats(stamp, held(r)) {
                waiting |= 1 << r;
            } else {
                self.count(origin, r, now_ns.saturating_sub(issue_ns));
            }
        }
        if waiting == 0 {
            return;
        }
        let mut p = Pending {
            ts: stamp.ts,
            issue_ns,
            waiting,
            rank: stamp.rank,
            origin: origin as u8,
            more: NONE,
        };
        let slot = &mut self.slots[key as usize];
        if slot.waiting == 0 {
            *slot = p;
            return;
        }
        let more = slot.more;
        // Sorted by stamp: one below the first takes its place, and the
        // first moves to the front of the rest.
        if !beats(stamp, slot.stamp()) {
            p.more = more;
            let first = std::mem::replace(slot, p);
            self.rest(key).push_front(first);
            return;
        }
        let list = self.rest(key);
        // A new write nearly always goes last.
        let at = if list.back().is_none_or(|b| beats(stamp, b.stamp())) {
            list.len()
        } else {
            list.partition_point(|q| !beats(q.stamp(), stamp))
        };
        list.insert(at, p);
    }

    /// The rest of `key`'s list, made if it has none.
    fn rest(&mut self, key: u32) -> &mut VecDeque<Pending> {
        let slot = &mut self.slots[key as usize];
        if slot.more == NONE {
            slot.more = match self.free.pop() {
                Some(i) => i,
                None => {
                    self.lists.push(VecDeque::new());
                    (self.lists.len() - 1) as u32
                }
            };
        }
        &mut self.lists[slot.more as usize]
    }

    /// Region `region`, which held `old` of `key`, now holds `new` (from
    /// `now_ns` on): the writes listed in between are visible there now.
    #[inline]
    pub fn installed(&mut self, key: u32, region: usize, old: Stamp, new: Stamp, now_ns: u64) {
        let slot = &mut self.slots[key as usize];
        if slot.waiting == 0 || !beats(new, old) {
            return;
        }
        let bit = 1u64 << region;
        let n = self.n;
        let settle = |q: &mut Pending, counts: &mut [u64]| {
            // Listed in between: past what the region had reached (`old`),
            // up to what it holds now.
            if q.waiting & bit != 0 && beats(q.stamp(), old) {
                q.waiting &= !bit;
                let cell = (q.origin as usize * n + region) * GRID_POINTS
                    + grid_index(now_ns.saturating_sub(q.issue_ns));
                counts[cell] += 1;
            }
        };
        if beats(slot.stamp(), new) {
            return;
        }
        settle(slot, &mut self.counts);
        if slot.more != NONE {
            let h = slot.more;
            let list = &mut self.lists[h as usize];
            let mut i = list.partition_point(|q| !beats(q.stamp(), old));
            while let Some(q) = list.get_mut(i) {
                if beats(q.stamp(), new) {
                    break;
                }
                settle(q, &mut self.counts);
                i += 1;
            }
        }
        // Forget what every region has reached.
        while slot.waiting == 0 {
            if slot.more == NONE {
                return;
            }
            let h = slot.more;
            let list = &mut self.lists[h as usize];
            match list.pop_front() {
                Some(next) => {
                    *slot = Pending { more: h, ..next };
                }
                None => {
                    // A list grown for a burst goes back small.
                    if list.capacity() > 16 {
                        *list = VecDeque::new();
                    }
                    self.free.push(h);
                    slot.more = NONE;
                    return;
                }
            }
        }
        if slot.more != NONE && self.lists[slot.more as usize].is_empty() {
            let h = slot.more;
            let list = &mut self.lists[h as usize];
            if list.capacity() > 16 {
                *list = VecDeque::new();
            }
            self.free.push(h);
            slot.more = NONE;
        }
    }

    /// The curves of every pair whose writing region wrote anything, to a
    /// reading region `reads(r)` allows, in (from, to) order.
    pub fn curves(&self, reads: impl Fn(usize) -> bool) -> Vec<Curve> {
        let mut out = Vec::new();
        for from in 0..self.n {
            let writes = self.writes[from];
            if writes == 0 {
                continue;
            }
            for to in (0..self.n).filter(|&r| reads(r)) {
                let c = &self.counts[(from * self.n + to) * GRID_POINTS..][..GRID_POINTS];
                out.push(Curve {
                    from,
                    to,
                    writes,
                    points: points(c, writes),
                });
            }
        }
        out
    }
}

/// The points of one pair's curve: 0, then every grid point from the
/// decade before the first positive delay seen up to the longest one.
fn points(c: &[u64], writes: u64) -> Vec<(u64, f64)> {
    let p = |cum: u64| cum as f64 / writes as f64;
    let mut out = vec![(0, p(c[0]))];
    let Some(first) = (1..c.len()).find(|&i| c[i] > 0) else {
        return out;
    };
    let last = (1..c.len()).rev().find(|&i| c[i] > 0).unwrap_or(first);
    // Start a point before the first delay, at the start of its decade.
    let start = 1 + (first.saturating_sub(2) / PER_DECADE) * PER_DECADE;
    let mut cum: u64 = c[..start].iter().sum();
    for (i, &k) in c.iter().enumerate().take(last + 1).skip(start) {
        cum += k;
        out.push((grid_ns(i), p(cum)));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grid_points_by_hand() {
        assert_eq!(grid_ns(0), 0);
        assert_eq!(grid_ns(1), 10_000); // 10 µs
        assert_eq!(grid_ns(2), 11_000);
        assert_eq!(grid_ns(90), 99_000);
        assert_eq!(grid_ns(91), 100_000);
        assert_eq!(grid_ns(92), 110_000);
        assert_eq!(grid_ns(GRID_POINTS - 1), 99 * 10u64.pow(17));
        // Each delay is counted at the smallest grid point at or above it.
        let cases = [
            (0, 0),
            (1, 10_000),
            (10_000, 10_000),
            (10_001, 11_000),
            (99_000, 99_000),
            (99_001, 100_000),
            (100_000, 100_000),
            (100_001, 110_000),
            (500_000_000, 500_000_000),
            (500_000_001, 510_000_000),
            (989_999_999, 990_000_000),
            (990_000_001, 1_000_000_000),
            (u64::MAX, 99 * 10u64.pow(17)),
        ];
        for (ns, point) in cases {
            assert_eq!(
                grid_ns(grid_index(ns)),
                point.min(99 * 10u64.pow(17)),
                "{ns}"
            );
        }
        // The grid increases, and every point maps to itself.
        for i in 1..GRID_POINTS {
            assert!(grid_ns(i) > grid_ns(i - 1));
            assert_eq!(grid_index(grid_ns(i)), i);
        }
    }

    fn s(ts: i64) -> Stamp {
        Stamp { ts, rank: 0 }
    }

    /// Two regions by hand: a write from 0 at 0 reaches 1 at 50 µs; a
    /// second write from 0 at 10 µs is overtaken at region 1 by a write of
    /// region 1 at 20 µs that beats it, so it is visible there at 20 µs
    /// (10 µs after its issue) although its own message comes later.
    #[test]
    fn hand_worked_two_regions() {
        let mut v = Visibility::new(1, 2);
        let mut held = [s(0), s(0)];
        // Write A (stamp 1) at region 0, t = 0.
        v.installed(0, 0, held[0], s(1), 0);
        held[0] = s(1);
        v.wrote(0, 0, s(1), 0, 0, |r| held[r]);
        // Write B (stamp 10_000) at region 0, t = 10 µs.
        v.installed(0, 0, held[0], s(10_000), 10_000);
        held[0] = s(10_000);
        v.wrote(0, 0, s(10_000), 10_000, 10_000, |r| held[r]);
        // Write C (stamp 20_000) at region 1, t = 20 µs: beats A and B.
        v.installed(0, 1, held[1], s(20_000), 20_000);
        held[1] = s(20_000);
        v.wrote(0, 1, s(20_000), 20_000, 20_000, |r| held[r]);
        // A and B arrive at 1 later and are dropped: nothing changes.
        // C arrives at 0 at 70 µs.
        v.installed(0, 0, held[0], s(20_000), 70_000);
        assert_eq!(v.slots[0].waiting, 0, "everything visible everywhere");
        assert_eq!(v.slots[0].more, NONE);
        let curves = v.curves(|_| true);
        let at = |from: usize, to: usize, d: u64| {
            let c = curves
                .iter()
                .find(|c| c.from == from && c.to == to)
                .unwrap();
            c.points
                .iter()
                .rev()
                .find(|p| p.0 <= d)
                .map_or(0.0, |p| p.1)
        };
        // From 0: at 0 itself at once; at 1, A after 20 µs, B after 10 µs.
        assert_eq!(at(0, 0, 0), 1.0);
        assert_eq!(at(0, 1, 0), 0.0);
        assert_eq!(at(0, 1, 10_000), 0.5);
        assert_eq!(at(0, 1, 19_000), 0.5);
        assert_eq!(at(0, 1, 20_000), 1.0);
        // From 1: C at 0 after 50 µs.
        assert_eq!(at(1, 0, 49_000), 0.0);
        assert_eq!(at(1, 0, 50_000), 1.0);
        assert_eq!(at(1, 1, 0), 1.0);
    }
}
