//! Client operations: when they come, whether they write, which key.
//!
//! Each (workload entry, region) pair is one client source with its own
//! random generator, named by the entry's index and the region's name. Every
//! operation draws the same numbers in the same order whatever happens to
//! it later, so a scenario's variants (other network, faults, clocks,
//! modes) see exactly the same operations.

use rand::Rng;
use rand_distr::{Distribution, Exp, Zipf};

use crate::scenario::{Access, Arrival, Scenario, WorkloadEntry};
use crate::sim::rng::{generator, SimRng};
use crate::sim::time::{round_to_u64, Time, NS_PER_S};

/// One operation a client sends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Op {
    pub time: Time,
    /// The region whose clients send it.
    pub region: usize,
    pub table: usize,
    /// Key index within the table.
    pub key: u32,
    pub is_write: bool,
}

/// Picks key ranks `0..n` by the access pattern.
#[derive(Clone, Debug)]
enum Picker {
    Empty,
    Uniform(u32),
    Zipf(Zipf<f64>, u32),
    Hotspot { hot: u32, n: u32, share: f64 },
}

impl Picker {
    fn new(access: Access, n: u32) -> Picker {
        if n == 0 {
            return Picker::Empty;
        }
        match access {
            Access::Uniform => Picker::Uniform(n),
            Access::Zipf(s) => match Zipf::new(n as f64, s) {
                Ok(z) => Picker::Zipf(z, n),
                Err(_) => Picker::Uniform(n),
            },
            Access::Hotspot { keys, share } => {
                let hot = ((keys * n as f64).ceil() as u32).clamp(1, n);
                Picker::Hotspot { hot, n, share }
            }
        }
    }

    #[inline]
    fn pick(&self, rng: &mut SimRng) -> u32 {
        match self {
            Picker::Empty => 0,
            Picker::Uniform(n) => rng.random_range(0..*n),
            // Zipf draws 1..=n, rank 1 the most popular.
            Picker::Zipf(z, n) => ((z.sample(rng) as u32).saturating_sub(1)).min(n - 1),
            Picker::Hotspot { hot, n, share } => {
                let in_hot = rng.random::<f64>() < *share;
                if in_hot || hot == n {
                    rng.random_range(0..*hot)
                } else {
                    rng.random_range(*hot..*n)
                }
            }
        }
    }
}

/// The clients of one workload entry in one region.
#[derive(Clone, Debug)]
pub struct ClientSource {
    pub region: usize,
    table: usize,
    write_fraction: f64,
    home_affinity: f64,
    rng: SimRng,
    arrival: Arrival,
    exp: Option<Exp<f64>>,
    /// Nanoseconds between operations for `constant` arrivals.
    interval_ns: f64,
    /// Exact time of the next operation, before rounding.
    next_ns: f64,
    count: u64,
    phase_ns: f64,
    end: Time,
    /// Keys homed in this region are `home + k·regions`.
    home: u32,
    regions: u32,
    all: Picker,
    homed: Picker,
    /// The next two operations, drawn ahead (the second one at `next_ns`),
    /// each with whether it comes before the workload ends.
    ahead: [(Op, bool); 2],
}

impl ClientSource {
    pub fn new(s: &Scenario, entry: usize, w: &WorkloadEntry, region: usize) -> ClientSource {
        let purpose = format!("client/{entry}/{}", s.regions[region].name);
        let mut rng = generator(s.seed, &purpose);
        let keys = s.tables[w.table].keys;
        let regions = s.regions.len() as u32;
        let home = region as u32;
        let homed_count = if home < keys {
            (keys - home).div_ceil(regions)
        } else {
            0
        };
        let interval_ns = NS_PER_S as f64 / w.rate_per_s;
        let exp = Exp::new(w.rate_per_s / NS_PER_S as f64).ok();
        // Constant clients start at a random phase so regions do not fire
        // in lockstep; Poisson clients start with one exponential gap.
        let phase_ns = match w.arrival {
            Arrival::Constant => rng.random::<f64>() * interval_ns,
            Arrival::Poisson => 0.0,
        };
        let mut src = ClientSource {
            region,
            table: w.table,
            write_fraction: w.write_fraction,
            home_affinity: w.home_affinity,
            rng,
            arrival: w.arrival,
            exp,
            interval_ns,
            next_ns: phase_ns,
            count: 0,
            phase_ns,
            end: Time(s.duration_ns),
            home,
            regions,
            all: Picker::new(w.access, keys),
            homed: Picker::new(w.access, homed_count),
            ahead: [(
                Op {
                    time: Time::ZERO,
                    region,
                    table: w.table,
                    key: 0,
                    is_write: false,
                },
                false,
            ); 2],
        };
        if src.arrival == Arrival::Poisson {
            src.next_ns = src.gap();
        }
        src.ahead[1] = src.draw();
        src.advance();
        src
    }

    fn gap(&mut self) -> f64 {
        match &self.exp {
            Some(e) => e.sample(&mut self.rng),
            None => self.interval_ns,
        }
    }

    /// When the next operation comes, or `None` once the workload is over.
    #[inline]
    pub fn next_time(&self) -> Option<Time> {
        self.peek().map(|op| op.time)
    }

    /// The operation due next (drawn ahead, so its key is known early and
    /// the kernel can warm its cache line); `None` once the workload is over.
    #[inline]
    pub fn peek(&self) -> Option<&Op> {
        let (op, live) = &self.ahead[0];
        live.then_some(op)
    }

    /// The operation after the next one, if any.
    #[inline]
    pub fn peek_second(&self) -> Option<&Op> {
        let (op, live) = &self.ahead[1];
        (live & self.ahead[0].1).then_some(op)
    }

    /// Take the operation due now and draw another. The draws happen in the
    /// same order as if each operation were drawn when due.
    #[inline]
    pub fn take(&mut self) -> Op {
        let op = self.ahead[0].0;
        self.advance();
        op
    }

    /// Move the second operation up and draw the one after it.
    fn advance(&mut self) {
        self.ahead[0] = self.ahead[1];
        self.count += 1;
        self.next_ns = match self.arrival {
            Arrival::Constant => self.phase_ns + self.count as f64 * self.interval_ns,
            Arrival::Poisson => self.next_ns + self.gap(),
        };
        self.ahead[1] = self.draw();
    }

    /// Draw what the operation at `next_ns` does, and whether it comes
    /// before the workload ends.
    fn draw(&mut self) -> (Op, bool) {
        let time = Time(round_to_u64(self.next_ns));
        let is_write = self.rng.random::<f64>() < self.write_fraction;
        let at_home = self.rng.random::<f64>() < self.home_affinity;
        let key = if at_home && !matches!(self.homed, Picker::Empty) {
            self.homed.pick(&mut self.rng) * self.regions + self.home
        } else {
            self.all.pick(&mut self.rng)
        };
        let op = Op {
            time,
            region: self.region,
            table: self.table,
            key,
            is_write,
        };
        (op, time < self.end && self.next_ns.is_finite())
    }
}
