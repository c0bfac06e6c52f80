//! Region clocks and the three timestamp policies.
//!
//! A clock reads `t + offset + drift_ppm·1e-6·t + (sum of steps so far)`.
//! The timestamp a write gets is the clock reading (`wall`), a hybrid
//! logical clock over it (`hlc`), or true time (`true_time`).

use crate::scenario::{Clock, Timestamps};
use crate::sim::time::Time;

/// One region's clock, with the steps that will hit it.
#[derive(Clone, Debug)]
pub struct RegionClock {
    offset_ns: i64,
    drift_ppm: f64,
    /// (when, cumulative step from then on), sorted by time.
    steps: Vec<(Time, i64)>,
    policy: Timestamps,
    /// The largest timestamp this region issued or received (for `hlc`).
    hlc_last: i64,
}

impl RegionClock {
    /// `steps` are (when, by how much), in any order.
    pub fn new(clock: Clock, mut steps: Vec<(Time, i64)>, policy: Timestamps) -> RegionClock {
        steps.sort_by_key(|s| s.0);
        let mut sum = 0i64;
        let steps = steps
            .into_iter()
            .map(|(at, by)| {
                sum = sum.saturating_add(by);
                (at, sum)
            })
            .collect();
        RegionClock {
            offset_ns: clock.offset_ns,
            drift_ppm: clock.drift_ppm,
            steps,
            policy,
            hlc_last: i64::MIN,
        }
    }

    /// What the region's clock shows at true time `t`, in nanoseconds.
    pub fn reading(&self, t: Time) -> i64 {
        let t_ns = t.ns() as i64;
        let drift = if self.drift_ppm == 0.0 {
            0
        } else {
            (self.drift_ppm * 1e-6 * t.ns() as f64).round() as i64
        };
        let stepped = match self.steps.partition_point(|s| s.0 <= t) {
            0 => 0,
            n => self.steps[n - 1].1,
        };
        t_ns.saturating_add(self.offset_ns)
            .saturating_add(drift)
            .saturating_add(stepped)
    }

    /// The timestamp for a write issued now; advances the HLC.
    pub fn stamp(&mut self, t: Time) -> i64 {
        match self.policy {
            Timestamps::TrueTime => t.ns() as i64,
            Timestamps::Wall => self.reading(t),
            Timestamps::Hlc => {
                let ts = self.reading(t).max(self.hlc_last.saturating_add(1));
                self.hlc_last = ts;
                ts
            }
        }
    }

    /// A version with timestamp `ts` reached this region (for `hlc`).
    #[inline]
    pub fn observe(&mut self, ts: i64) {
        if ts > self.hlc_last {
            self.hlc_last = ts;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::time::{NS_PER_MS, NS_PER_S};

    fn clock(
        offset_ns: i64,
        drift_ppm: f64,
        steps: Vec<(Time, i64)>,
        p: Timestamps,
    ) -> RegionClock {
        RegionClock::new(
            Clock {
                offset_ns,
                drift_ppm,
            },
            steps,
            p,
        )
    }

    #[test]
    fn reading_adds_offset_drift_and_steps() {
        let c = clock(
            3 * NS_PER_MS as i64,
            15.0,
            vec![(Time(90 * NS_PER_S), -400 * NS_PER_MS as i64)],
            Timestamps::Wall,
        );
        // At 100 s: 100 s + 3 ms + 15 ppm of 100 s (1.5 ms) - 400 ms.
        let t = Time(100 * NS_PER_S);
        assert_eq!(
            c.reading(t),
            100_000_000_000 + 3_000_000 + 1_500_000 - 400_000_000
        );
        // Before the step it is not applied.
        assert_eq!(
            c.reading(Time(NS_PER_S)),
            1_000_000_000 + 3_000_000 + 15_000
        );
    }

    #[test]
    fn hlc_never_goes_backwards_and_exceeds_what_it_saw() {
        let mut c = clock(0, 0.0, vec![(Time(10), -1_000)], Timestamps::Hlc);
        let a = c.stamp(Time(5));
        let b = c.stamp(Time(20)); // the clock stepped back to -980
        assert!(b > a);
        c.observe(1_000_000);
        assert_eq!(c.stamp(Time(30)), 1_000_001);
    }

    #[test]
    fn true_time_ignores_the_clock() {
        let mut c = clock(5_000, 100.0, vec![], Timestamps::TrueTime);
        assert_eq!(c.stamp(Time(42)), 42);
    }
}
