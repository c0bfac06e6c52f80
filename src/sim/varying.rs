//! Delays that vary over time: a delay process whose value at any moment
//! follows the configured distribution exactly, and which drifts smoothly
//! with a time scale τ (`varies_over` in a scenario).
//!
//! Construction: independent standard normal knots Z_i at times i·τ, joined
//! by Z(t) = cos(πw/2)·Z_i + sin(πw/2)·Z_{i+1}, where w is the fraction of
//! the way from knot i to knot i+1. Since cos² + sin² = 1, Z(t) is standard
//! normal at every t; it is mapped to the delay through Φ and the
//! distribution's quantile function (directly, without Φ, for the normal
//! and lognormal forms). Within one knot interval the correlation of Z at
//! lag δ is cos(πδ/(2τ)); knots τ or more apart are independent.
//!
//! Knots are drawn lazily from the random stream in knot order as time
//! advances; a knot never looked at (a jump of more than one interval) is
//! not drawn, so a call costs O(1) whatever the gap. Per call: one
//! sin/cos pair, plus one erfc for the forms that need Φ, plus one ln or
//! pow (exponential, pareto). τ = 0 means independent draws, the very
//! draws of `Sampler::sample`.

use rand_distr::{Distribution, StandardNormal};

use super::dist::{interpolate, Latency, Sampler};
use super::rng::SimRng;
use super::time::{round_to_u64, Nanos, Time};

/// The quantile function of a delay distribution, applied to a standard
/// normal value.
#[derive(Clone, Debug)]
enum Quantile {
    Constant(Nanos),
    /// Whole nanoseconds min..=max, each equally likely.
    Uniform {
        min: Nanos,
        span: u64,
    },
    /// mean + stddev·z, cut at zero.
    Normal {
        mean: f64,
        stddev: f64,
    },
    /// exp(mu + sigma·z).
    LogNormal {
        mu: f64,
        sigma: f64,
    },
    /// −mean·ln(1 − Φ(z)).
    Exponential {
        mean: f64,
    },
    /// min·(1 − Φ(z))^(−1/alpha).
    Pareto {
        min: f64,
        inv_alpha: f64,
    },
    /// Piecewise linear in Φ(z).
    Percentiles(Vec<(f64, f64)>),
}

/// The 99th percentile of the standard normal distribution.
const Z_99: f64 = 2.326_347_874_040_841;

impl Quantile {
    /// Mirrors `Sampler::new`, degenerate cases included.
    fn new(latency: &Latency) -> Quantile {
        match latency {
            Latency::Constant(v) => Quantile::Constant(*v),
            Latency::Uniform { min, max } if min >= max => Quantile::Constant(*min),
            Latency::Uniform { min, max } => Quantile::Uniform {
                min: *min,
                span: max - min,
            },
            Latency::Normal { mean, stddev: 0 } => Quantile::Constant(*mean),
            Latency::Normal { mean, stddev } => Quantile::Normal {
                mean: *mean as f64,
                stddev: *stddev as f64,
            },
            Latency::LogNormal { median, p99 } => {
                if *p99 <= *median || *median == 0 {
                    return Quantile::Constant(*median);
                }
                let mu = (*median as f64).ln();
                let sigma = ((*p99 as f64).ln() - mu) / Z_99;
                Quantile::LogNormal { mu, sigma }
            }
            Latency::Exponential { mean: 0 } => Quantile::Constant(0),
            Latency::Exponential { mean } => Quantile::Exponential { mean: *mean as f64 },
            Latency::Pareto { min, alpha } => Quantile::Pareto {
                min: *min as f64,
                inv_alpha: 1.0 / alpha,
            },
            Latency::Percentiles(points) => {
                Quantile::Percentiles(points.iter().map(|&(q, v)| (q, v as f64)).collect())
            }
        }
    }

    #[inline]
    fn at(&self, z: f64) -> Nanos {
        match self {
            Quantile::Constant(v) => *v,
            Quantile::Uniform { min, span } => {
                let k = (phi(z) * (*span as f64 + 1.0)) as u64;
                min + k.min(*span)
            }
            Quantile::Normal { mean, stddev } => round_to_u64(mean + stddev * z),
            Quantile::LogNormal { mu, sigma } => round_to_u64((mu + sigma * z).exp()),
            Quantile::Exponential { mean } => round_to_u64(-mean * phi(-z).ln()),
            Quantile::Pareto { min, inv_alpha } => round_to_u64(min * phi(-z).powf(-inv_alpha)),
            Quantile::Percentiles(points) => round_to_u64(interpolate(points, phi(z))),
        }
    }
}

/// Φ, the standard normal distribution function.
#[inline]
pub fn phi(z: f64) -> f64 {
    0.5 * libm::erfc(-z * std::f64::consts::FRAC_1_SQRT_2)
}

/// A delay process: at every moment its value follows the configured
/// distribution, and it varies smoothly over the time scale `tau_ns`.
#[derive(Clone, Debug)]
pub struct VaryingSampler {
    sampler: Sampler,
    quantile: Quantile,
    tau: Nanos,
    /// Index of the knot `z0` sits at; `None` before the first draw.
    knot: Option<u64>,
    z0: f64,
    z1: f64,
}

impl VaryingSampler {
    /// Prepare the process for `latency` with time scale `tau_ns`
    /// (0: independent draws, exactly `Sampler::sample`).
    pub fn new(latency: &Latency, tau_ns: Nanos) -> VaryingSampler {
        let sampler = Sampler::new(latency);
        // A constant needs no process: one test per draw decides both.
        let tau = if sampler.is_constant() { 0 } else { tau_ns };
        VaryingSampler {
            sampler,
            quantile: Quantile::new(latency),
            tau,
            knot: None,
            z0: 0.0,
            z1: 0.0,
        }
    }

    /// Whether every draw is the same value (and so consumes no randomness).
    pub fn is_constant(&self) -> bool {
        self.sampler.is_constant()
    }

    /// The delay at time `t`. `t` must not decrease between calls.
    #[inline]
    pub fn sample_at(&mut self, t: Time, rng: &mut SimRng) -> Nanos {
        if self.tau == 0 {
            return self.sampler.sample(rng);
        }
        self.varying_at(t, rng)
    }

    #[inline(never)]
    fn varying_at(&mut self, t: Time, rng: &mut SimRng) -> Nanos {
        let z = self.z_at(t, rng);
        self.quantile.at(z)
    }

    /// The underlying standard normal process Z(t).
    fn z_at(&mut self, t: Time, rng: &mut SimRng) -> f64 {
        let i = t.ns() / self.tau;
        match self.knot {
            Some(k) if k == i => {}
            Some(k) if k + 1 == i => {
                self.z0 = self.z1;
                self.z1 = StandardNormal.sample(rng);
            }
            _ => {
                self.z0 = StandardNormal.sample(rng);
                self.z1 = StandardNormal.sample(rng);
            }
        }
        self.knot = Some(i);
        let w = (t.ns() - i * self.tau) as f64 / self.tau as f64;
        let (s, c) = (std::f64::consts::FRAC_PI_2 * w).sin_cos();
        c * self.z0 + s * self.z1
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::rng::generator;

    const TAU: u64 = 1_000_000_000;

    /// The seven forms, each with P(delay ≤ x) for whole x, worked from
    /// the distribution's definition (a continuous value rounded to the
    /// nearest nanosecond is ≤ x when it is below x + 0.5).
    /// A distribution and its quantile function, written out here.
    type Form = (Latency, Box<dyn Fn(f64) -> f64>);

    fn forms() -> Vec<Form> {
        let phi = |z: f64| 0.5 * libm::erfc(-z / std::f64::consts::SQRT_2);
        let ln_sigma = (1.2e9f64 / 4e8).ln() / Z_99;
        vec![
            (
                Latency::Constant(5_000),
                Box::new(|x| if x >= 5_000.0 { 1.0 } else { 0.0 }),
            ),
            (
                Latency::Uniform { min: 10, max: 20 },
                Box::new(|x: f64| ((x.floor() - 9.0) / 11.0).clamp(0.0, 1.0)),
            ),
            (
                Latency::Normal {
                    mean: 1_000_000,
                    stddev: 2_000_000,
                },
                Box::new(move |x| {
                    if x < 0.0 {
                        0.0
                    } else {
                        phi((x + 0.5 - 1e6) / 2e6)
                    }
                }),
            ),
            (
                Latency::LogNormal {
                    median: 400_000_000,
                    p99: 1_200_000_000,
                },
                Box::new(move |x| phi(((x + 0.5).ln() - 4e8f64.ln()) / ln_sigma)),
            ),
            (
                Latency::Exponential { mean: 1_000_000 },
                Box::new(|x| 1.0 - (-(x + 0.5) / 1e6).exp()),
            ),
            (
                Latency::Pareto {
                    min: 1_000_000,
                    alpha: 2.0,
                },
                Box::new(|x| (1.0 - (1e6 / (x + 0.5)).powi(2)).max(0.0)),
            ),
            (
                Latency::Percentiles(vec![
                    (0.0, 0),
                    (0.5, 100_000),
                    (0.99, 1_000_000),
                    (1.0, 2_000_000),
                ]),
                Box::new(|x: f64| {
                    let x = x + 0.5;
                    let pts = [(0.0, 0.0), (0.5, 1e5), (0.99, 1e6), (1.0, 2e6)];
                    for w in pts.windows(2) {
                        let ((q0, v0), (q1, v1)) = (w[0], w[1]);
                        if x <= v1 {
                            return (q0 + (x - v0) / (v1 - v0) * (q1 - q0)).max(0.0);
                        }
                    }
                    1.0
                }),
            ),
        ]
    }

    /// Kolmogorov–Smirnov distance between sorted samples and a
    /// distribution function on whole numbers (ties handled: both sides of
    /// every jump are compared).
    fn ks(sorted: &[u64], cdf: &dyn Fn(f64) -> f64) -> f64 {
        let n = sorted.len() as f64;
        let mut d: f64 = 0.0;
        let mut i = 0;
        while i < sorted.len() {
            let x = sorted[i];
            let mut j = i;
            while j < sorted.len() && sorted[j] == x {
                j += 1;
            }
            d = d.max((j as f64 / n - cdf(x as f64)).abs());
            d = d.max((i as f64 / n - cdf(x as f64 - 1.0)).abs());
            i = j;
        }
        d
    }

    #[test]
    fn marginal_is_the_configured_distribution_at_any_time() {
        let n = 20_000;
        // 1.63/√n is the KS critical value at the 1% level.
        let limit = 1.63 / (n as f64).sqrt();
        for (latency, cdf) in forms() {
            let mut v: Vec<u64> = (0..n)
                .map(|k| {
                    let mut s = VaryingSampler::new(&latency, TAU);
                    let mut rng = generator(3, &format!("p{k}"));
                    // Times all over a knot interval, and past many.
                    let t = Time(k as u64 * 7_919_111 % (50 * TAU));
                    s.sample_at(t, &mut rng)
                })
                .collect();
            v.sort_unstable();
            let d = ks(&v, &*cdf);
            assert!(d < limit, "{latency:?}: KS {d} ≥ {limit}");
        }
    }

    #[test]
    fn marginal_holds_along_one_long_path() {
        // One process sampled once per knot interval, at varying offsets:
        // the samples are independent (knots τ apart are), so the KS bound
        // applies too.
        for (latency, cdf) in forms() {
            let mut s = VaryingSampler::new(&latency, TAU);
            let mut rng = generator(4, "path");
            let n = 20_000u64;
            let mut v: Vec<u64> = (0..n)
                .map(|k| s.sample_at(Time(2 * k * TAU + (k * 104_729_003) % TAU), &mut rng))
                .collect();
            v.sort_unstable();
            let d = ks(&v, &*cdf);
            assert!(d < 1.63 / (n as f64).sqrt(), "{latency:?}: KS {d}");
        }
    }

    /// Z(t) read back from a normal form far from its cut.
    fn z_path(times: &[u64], seed: u64, purpose: &str) -> Vec<f64> {
        let latency = Latency::Normal {
            mean: 1_000_000_000_000,
            stddev: 1_000_000_000,
        };
        let mut s = VaryingSampler::new(&latency, TAU);
        let mut rng = generator(seed, purpose);
        times
            .iter()
            .map(|&t| (s.sample_at(Time(t), &mut rng) as f64 - 1e12) / 1e9)
            .collect()
    }

    #[test]
    fn correlation_at_a_small_lag_is_cos_pi_delta_over_two_tau() {
        // Both times in one knot interval: Z(t) = cos a·Z0 + sin a·Z1 and
        // Z(t+δ) = cos b·Z0 + sin b·Z1, so corr = cos(b − a) = cos(πδ/2τ).
        for (frac, t0) in [(0.05, 0.1), (0.2, 0.3), (0.5, 0.25)] {
            let delta = (frac * TAU as f64) as u64;
            let t = (t0 * TAU as f64) as u64;
            let n = 40_000;
            let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
            for k in 0..n {
                let z = z_path(&[t, t + delta], 5, &format!("c{k}"));
                sxy += z[0] * z[1];
                sxx += z[0] * z[0];
                syy += z[1] * z[1];
            }
            let r = sxy / (sxx * syy).sqrt();
            let want = (std::f64::consts::FRAC_PI_2 * frac).cos();
            // Standard error of r is about (1 − ρ²)/√n.
            let se = (1.0 - want * want) / (n as f64).sqrt();
            assert!(
                (r - want).abs() < 4.0 * se + 1e-4,
                "lag {frac}τ: r {r}, want {want}"
            );
        }
    }

    #[test]
    fn path_is_smooth_steps_shrink_linearly() {
        // A differentiable path: the largest step at lag δ halves when δ
        // halves (for a rough path like Ornstein–Uhlenbeck it would shrink
        // by √2 only). And |dZ/dt| ≤ (π/2τ)·√(Z0² + Z1²) bounds every step.
        let step = TAU / 1000;
        let times: Vec<u64> = (0..200_000).map(|k| k * step / 2).collect();
        let z = z_path(&times, 6, "smooth");
        let max_step = |every: usize| {
            (every..z.len())
                .step_by(every)
                .map(|i| (z[i] - z[i - every]).abs())
                .fold(0.0, f64::max)
        };
        let (fine, coarse) = (max_step(1), max_step(2));
        let ratio = coarse / fine;
        assert!((1.8..2.2).contains(&ratio), "ratio {ratio}");
        let zmax = z.iter().fold(0.0f64, |m, v| m.max(v.abs()));
        // √(Z0² + Z1²) ≤ √2·max|knot| ≤ √2·max|Z| (knots are path values).
        let bound = std::f64::consts::FRAC_PI_2 / 2000.0 * 2f64.sqrt() * zmax + 2e-9;
        assert!(fine <= bound, "step {fine} > {bound}");
    }

    #[test]
    fn tau_zero_is_sampler_sample_draw_for_draw() {
        for (latency, _) in forms() {
            let plain = Sampler::new(&latency);
            let mut varying = VaryingSampler::new(&latency, 0);
            let mut a = generator(7, "x");
            let mut b = generator(7, "x");
            for k in 0..1_000u64 {
                assert_eq!(
                    plain.sample(&mut a),
                    varying.sample_at(Time(k * 1_000), &mut b),
                    "{latency:?}"
                );
            }
        }
    }

    #[test]
    fn deterministic_and_varies_within_a_knot_interval() {
        let latency = Latency::LogNormal {
            median: 400_000_000,
            p99: 1_200_000_000,
        };
        let times: Vec<u64> = (0..5_000).map(|k| k * 3_333_333).collect();
        let run = || {
            let mut s = VaryingSampler::new(&latency, TAU);
            let mut rng = generator(8, "d");
            times
                .iter()
                .map(|&t| s.sample_at(Time(t), &mut rng))
                .collect::<Vec<_>>()
        };
        assert_eq!(run(), run());
        // Samples at one time repeat; the process varies within a knot.
        let mut s = VaryingSampler::new(&latency, TAU);
        let mut rng = generator(8, "d");
        let a = s.sample_at(Time(TAU / 3), &mut rng);
        assert_eq!(a, s.sample_at(Time(TAU / 3), &mut rng));
        assert_ne!(a, s.sample_at(Time(TAU / 2), &mut rng));
    }
}
