//! Delay distributions, prepared once and sampled into integer nanoseconds.
//!
//! The parameters arrive already validated (see `scenario::validate`); this
//! module only turns them into samplers. Floating point is used to draw a
//! value, which is then rounded to whole nanoseconds: it never decides the
//! order of events by itself. `Latency` is the plain description a
//! scenario gives; `Sampler` is its prepared form.

use rand::Rng;
use rand_distr::{Distribution, Exp, LogNormal, Normal, Pareto};

use super::rng::SimRng;
use super::time::Nanos;

/// A distribution of delays (transit or pipeline).
#[derive(Clone, Debug, PartialEq)]
pub enum Latency {
    Constant(Nanos),
    Uniform {
        min: Nanos,
        max: Nanos,
    },
    /// Cut at zero.
    Normal {
        mean: Nanos,
        stddev: Nanos,
    },
    /// Given by its median and 99th percentile.
    LogNormal {
        median: Nanos,
        p99: Nanos,
    },
    Exponential {
        mean: Nanos,
    },
    Pareto {
        min: Nanos,
        alpha: f64,
    },
    /// Piecewise linear between the given (quantile, value) points; the
    /// first point has quantile 0 and the last quantile 1, both strictly
    /// increasing in quantile and non-decreasing in value.
    Percentiles(Vec<(f64, Nanos)>),
}

impl Latency {
    /// The median, used to rank regions by distance (nearest healthy region).
    pub fn median_ns(&self) -> f64 {
        match self {
            Latency::Constant(v) => *v as f64,
            Latency::Uniform { min, max } => (*min as f64 + *max as f64) / 2.0,
            Latency::Normal { mean, .. } => *mean as f64,
            Latency::LogNormal { median, .. } => *median as f64,
            Latency::Exponential { mean } => *mean as f64 * std::f64::consts::LN_2,
            Latency::Pareto { min, alpha } => *min as f64 * 2f64.powf(1.0 / alpha),
            Latency::Percentiles(points) => {
                for w in points.windows(2) {
                    let ((q0, v0), (q1, v1)) = (w[0], w[1]);
                    if q1 >= 0.5 {
                        let f = if q1 > q0 { (0.5 - q0) / (q1 - q0) } else { 0.0 };
                        return v0 as f64 + f * (v1 as f64 - v0 as f64);
                    }
                }
                points.last().map(|p| p.1 as f64).unwrap_or(0.0)
            }
        }
    }
}

/// The 99th percentile of the standard normal distribution.
const Z_99: f64 = 2.326_347_874_040_841;

/// A ready-to-sample delay distribution.
#[derive(Clone, Debug)]
pub enum Sampler {
    Constant(Nanos),
    Uniform(Nanos, Nanos),
    Normal(Normal<f64>),
    LogNormal(LogNormal<f64>),
    Exponential(Exp<f64>),
    Pareto(Pareto<f64>),
    /// (quantile, value) points, piecewise linear.
    Percentiles(Vec<(f64, f64)>),
}

impl Sampler {
    /// Prepare a sampler. Parameters are assumed valid; degenerate ones
    /// (zero spread) become constants.
    pub fn new(latency: &Latency) -> Sampler {
        match latency {
            Latency::Constant(v) => Sampler::Constant(*v),
            Latency::Uniform { min, max } if min >= max => Sampler::Constant(*min),
            Latency::Uniform { min, max } => Sampler::Uniform(*min, *max),
            Latency::Normal { mean, stddev: 0 } => Sampler::Constant(*mean),
            Latency::Normal { mean, stddev } => Normal::new(*mean as f64, *stddev as f64)
                .map(Sampler::Normal)
                .unwrap_or(Sampler::Constant(*mean)),
            Latency::LogNormal { median, p99 } => {
                if *p99 <= *median || *median == 0 {
                    return Sampler::Constant(*median);
                }
                let mu = (*median as f64).ln();
                let sigma = ((*p99 as f64).ln() - mu) / Z_99;
                LogNormal::new(mu, sigma)
                    .map(Sampler::LogNormal)
                    .unwrap_or(Sampler::Constant(*median))
            }
            Latency::Exponential { mean } => {
                if *mean == 0 {
                    return Sampler::Constant(0);
                }
                Exp::new(1.0 / *mean as f64)
                    .map(Sampler::Exponential)
                    .unwrap_or(Sampler::Constant(*mean))
            }
            Latency::Pareto { min, alpha } => Pareto::new(*min as f64, *alpha)
                .map(Sampler::Pareto)
                .unwrap_or(Sampler::Constant(*min)),
            Latency::Percentiles(points) => {
                Sampler::Percentiles(points.iter().map(|&(q, v)| (q, v as f64)).collect())
            }
        }
    }

    /// Whether every draw is the same value (and so consumes no randomness).
    pub fn is_constant(&self) -> bool {
        matches!(self, Sampler::Constant(_))
    }

    /// Draw one delay.
    #[inline]
    pub fn sample(&self, rng: &mut SimRng) -> Nanos {
        match self {
            Sampler::Constant(v) => *v,
            Sampler::Uniform(min, max) => rng.random_range(*min..=*max),
            Sampler::Normal(d) => to_nanos(d.sample(rng)),
            Sampler::LogNormal(d) => to_nanos(d.sample(rng)),
            Sampler::Exponential(d) => to_nanos(d.sample(rng)),
            Sampler::Pareto(d) => to_nanos(d.sample(rng)),
            Sampler::Percentiles(points) => to_nanos(interpolate(points, rng.random::<f64>())),
        }
    }
}

/// Round to whole nanoseconds, cutting below zero and saturating above.
#[inline]
fn to_nanos(x: f64) -> Nanos {
    super::time::round_to_u64(x)
}

/// The value at quantile `u` of a piecewise-linear quantile function.
pub(crate) fn interpolate(points: &[(f64, f64)], u: f64) -> f64 {
    for w in points.windows(2) {
        let ((q0, v0), (q1, v1)) = (w[0], w[1]);
        if u <= q1 {
            if q1 <= q0 {
                return v1;
            }
            return v0 + (u - q0) / (q1 - q0) * (v1 - v0);
        }
    }
    points.last().map(|p| p.1).unwrap_or(0.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::rng::generator;

    fn draws(l: &Latency, n: usize) -> Vec<u64> {
        let s = Sampler::new(l);
        let mut rng = generator(1, "test");
        let mut v: Vec<u64> = (0..n).map(|_| s.sample(&mut rng)).collect();
        v.sort_unstable();
        v
    }

    fn quantile(sorted: &[u64], q: f64) -> f64 {
        sorted[((sorted.len() - 1) as f64 * q).round() as usize] as f64
    }

    #[test]
    fn lognormal_hits_its_median_and_p99() {
        let v = draws(
            &Latency::LogNormal {
                median: 400_000_000,
                p99: 1_200_000_000,
            },
            200_000,
        );
        assert!((quantile(&v, 0.5) / 400e6 - 1.0).abs() < 0.01);
        assert!((quantile(&v, 0.99) / 1200e6 - 1.0).abs() < 0.03);
    }

    #[test]
    fn exponential_mean_and_uniform_bounds() {
        let v = draws(&Latency::Exponential { mean: 1_000_000 }, 200_000);
        let mean = v.iter().sum::<u64>() as f64 / v.len() as f64;
        assert!((mean / 1e6 - 1.0).abs() < 0.01, "{mean}");
        let u = draws(&Latency::Uniform { min: 10, max: 20 }, 10_000);
        assert_eq!((u[0], u[u.len() - 1]), (10, 20));
    }

    #[test]
    fn normal_is_cut_at_zero() {
        let v = draws(
            &Latency::Normal {
                mean: 1_000,
                stddev: 2_000,
            },
            10_000,
        );
        assert_eq!(v[0], 0);
        // About 31% of N(1, 2) lies below zero: Φ(-0.5) = 0.3085.
        let zeros = v.iter().filter(|&&x| x == 0).count() as f64 / v.len() as f64;
        assert!((zeros - 0.3085).abs() < 0.02, "{zeros}");
    }

    #[test]
    fn pareto_median_is_min_times_two_to_one_over_alpha() {
        let v = draws(
            &Latency::Pareto {
                min: 1_000_000,
                alpha: 2.0,
            },
            100_000,
        );
        assert!((quantile(&v, 0.5) / (1e6 * 2f64.sqrt()) - 1.0).abs() < 0.02);
        assert!(v[0] >= 1_000_000);
    }

    #[test]
    fn percentiles_interpolate_between_points() {
        let l = Latency::Percentiles(vec![(0.0, 0), (0.5, 100), (0.99, 1_000), (1.0, 2_000)]);
        let v = draws(&l, 100_000);
        assert!((quantile(&v, 0.25) - 50.0).abs() <= 2.0);
        assert!((quantile(&v, 0.5) - 100.0).abs() <= 3.0);
        assert!(v[v.len() - 1] <= 2_000);
        assert_eq!(
            interpolate(&[(0.0, 0.0), (0.5, 100.0), (1.0, 300.0)], 0.75),
            200.0
        );
    }
}
