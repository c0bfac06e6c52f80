//! From a series of periods to a delay distribution and its time scale.
//!
//! **Percentiles.** Each period's percentiles describe that period's
//! delays; the delays of the whole file are the mixture of the periods,
//! weighted by `SampleCount` where the file has it. Within a period, the
//! distribution is taken as lognormal between and beyond its known points:
//! ln(delay) is piecewise linear in the standard normal quantile Φ⁻¹(q)
//! through the points, continued past the ends with the end segments'
//! slopes. A lognormal is then fitted exactly, whatever its parameters, and
//! any other shape is followed through its points. The mixture's quantiles
//! are found by bisection on its distribution function.
//!
//! **Averages only.** With no percentiles, the file says nothing of the
//! spread within a period: the quantiles are those of the per-period
//! averages (how the delay moved over time), a lower bound on the spread.
//!
//! **Time scale.** The delay process of a scenario (`varies_over: τ`, see
//! `sim::varying`) has standard normal knots τ apart joined by
//! cos/sin weights. Its autocorrelation at lag h, averaged over where a
//! period starts between knots, is c(h/τ): cos(πu/2) while both ends lie
//! between the same knots, sin(πw/2)·cos(πw'/2) across one knot, 0 beyond.
//! The log of the per-period level (the median, else the average) is such
//! a process plus sampling noise, so its autocorrelation at k periods is
//! A·c(kΔ/τ) with A ≤ 1; τ is the value on a fine grid whose best A fits
//! the first lags most closely.

use super::read::{Period, Series, Stat};

/// What the fit found, in milliseconds.
#[derive(Clone, Debug, PartialEq)]
pub struct Fitted {
    pub p0: f64,
    pub p50: f64,
    pub p90: f64,
    pub p99: f64,
    pub max: f64,
    /// True when the quantiles are of per-period averages only.
    pub from_averages: bool,
    /// The statistics the fit used, in order.
    pub used: Vec<Stat>,
    pub time_scale: TimeScale,
    /// The typical spacing of the periods, in seconds.
    pub period_s: i64,
}

/// How fast the series moves.
#[derive(Clone, Debug, PartialEq)]
pub enum TimeScale {
    /// τ in seconds.
    Seconds(f64),
    /// Successive periods are as good as independent: the delay varies
    /// faster than the data's period shows.
    FasterThanPeriod,
    /// Too few periods to tell (the number there are).
    TooFew(usize),
    /// The level never moves.
    Flat,
}

/// Fewest periods for a time scale to mean anything.
const MIN_PERIODS_FOR_SCALE: usize = 20;

pub fn fit(series: &Series, minus_ms: f64) -> Result<Fitted, String> {
    let periods = &series.periods;
    let mut percentiles: Vec<f64> = Vec::new();
    let has = |s: Stat| periods.iter().any(|p| p.get(s).is_some());
    let has_average = has(Stat::Average);
    let has_max = has(Stat::Maximum);
    let has_min = has(Stat::Minimum);
    for p in periods {
        for (s, _) in &p.values {
            if let Stat::Percentile(q) = s {
                if !percentiles.contains(q) {
                    percentiles.push(*q);
                }
            }
        }
    }
    percentiles.sort_by(f64::total_cmp);
    let shifted = |v: f64| (v - minus_ms).max(MIN_MS);
    let period_s = typical_spacing(periods);

    let (quantile, from_averages, used): (Quantile, bool, Vec<Stat>) = if percentiles.len() >= 2 {
        let mut parts = Vec::new();
        for p in periods {
            let mut points: Vec<(f64, f64)> = p
                .values
                .iter()
                .filter_map(|(s, v)| match s {
                    Stat::Percentile(q) => Some((*q, shifted(*v))),
                    _ => None,
                })
                .collect();
            points.sort_by(|a, b| a.0.total_cmp(&b.0));
            for w in points.windows(2) {
                if w[1].1 < w[0].1 {
                    return Err(format!(
                        "at {}: p{} is below p{}; percentiles never decrease",
                        super::read::show_time(p.at),
                        w[1].0 * 100.0,
                        w[0].0 * 100.0
                    ));
                }
            }
            if points.len() < 2 {
                continue; // a period with one percentile says nothing of spread
            }
            let weight = p.get(Stat::SampleCount).unwrap_or(1.0);
            if weight > 0.0 {
                parts.push(Part::new(&points, weight));
            }
        }
        if parts.is_empty() {
            return Err(
                "no period has two or more percentiles; give p50 and p99 (or more) \
                     for the same periods"
                    .to_string(),
            );
        }
        let mixture = Mixture { parts };
        let used = percentiles.iter().map(|q| Stat::Percentile(*q)).collect();
        (Box::new(move |q| mixture.quantile(q)), false, used)
    } else if has_average {
        let mut levels: Vec<(f64, f64)> = periods
            .iter()
            .filter_map(|p| {
                let w = p.get(Stat::SampleCount).unwrap_or(1.0);
                p.get(Stat::Average)
                    .filter(|_| w > 0.0)
                    .map(|v| (shifted(v), w))
            })
            .collect();
        levels.sort_by(|a, b| a.0.total_cmp(&b.0));
        (
            Box::new(move |q| weighted_quantile(&levels, q)),
            true,
            vec![Stat::Average],
        )
    } else {
        return Err(
            "needs percentiles (p50 and p99, say: ExtendedStatistics) or Average; \
                 Maximum, Minimum and SampleCount alone do not give a distribution"
                .to_string(),
        );
    };

    let p50 = quantile(0.5);
    let p90 = quantile(0.9).max(p50);
    let p99 = quantile(0.99).max(p90);
    let extreme = |stat: Stat, pick: fn(f64, f64) -> f64| {
        periods
            .iter()
            .filter_map(|p| p.get(stat))
            .map(shifted)
            .reduce(pick)
    };
    let mut max = if from_averages {
        quantile(1.0)
    } else {
        quantile(0.9999)
    };
    if let Some(m) = extreme(Stat::Maximum, f64::max) {
        max = if from_averages { m } else { max.min(m) };
    }
    let mut p0 = if from_averages {
        quantile(0.0)
    } else {
        quantile(0.0001)
    };
    if let Some(m) = extreme(Stat::Minimum, f64::min) {
        p0 = if from_averages { m } else { p0.max(m) };
    }
    let mut used = used;
    if has_max {
        used.push(Stat::Maximum);
    }
    if has_min {
        used.push(Stat::Minimum);
    }
    Ok(Fitted {
        p0: p0.min(p50),
        p50,
        p90,
        p99,
        max: max.max(p99),
        from_averages,
        used,
        time_scale: time_scale(periods, period_s, &percentiles),
        period_s,
    })
}

/// The quantile function the fit settles on, milliseconds.
type Quantile = Box<dyn Fn(f64) -> f64>;

/// Delays are kept above a microsecond so their logarithm exists.
const MIN_MS: f64 = 0.001;

/// One period's distribution: ln(delay) piecewise linear in z = Φ⁻¹(q).
struct Part {
    z: Vec<f64>,
    y: Vec<f64>,
    weight: f64,
}

impl Part {
    fn new(points: &[(f64, f64)], weight: f64) -> Part {
        Part {
            z: points.iter().map(|(q, _)| probit(*q)).collect(),
            y: points.iter().map(|(_, v)| v.ln()).collect(),
            weight,
        }
    }

    /// P(ln delay ≤ y).
    fn cdf(&self, y: f64) -> f64 {
        let (z, ys) = (&self.z, &self.y);
        let n = z.len();
        let along = |i: usize, j: usize| {
            let slope = (ys[j] - ys[i]) / (z[j] - z[i]);
            if slope <= 0.0 {
                // A flat end: all its mass sits at that value.
                return if y < ys[i] {
                    f64::NEG_INFINITY
                } else {
                    f64::INFINITY
                };
            }
            z[i] + (y - ys[i]) / slope
        };
        let zz = if y <= ys[0] {
            along(0, 1).min(z[0])
        } else if y >= ys[n - 1] {
            along(n - 2, n - 1).max(z[n - 1])
        } else {
            let j = ys.partition_point(|v| *v <= y).clamp(1, n - 1);
            let i = j - 1;
            if ys[j] == ys[i] {
                z[j]
            } else {
                z[i] + (y - ys[i]) / (ys[j] - ys[i]) * (z[j] - z[i])
            }
        };
        crate::sim::varying::phi(zz)
    }
}

struct Mixture {
    parts: Vec<Part>,
}

impl Mixture {
    fn cdf(&self, y: f64) -> f64 {
        let total: f64 = self.parts.iter().map(|p| p.weight).sum();
        self.parts.iter().map(|p| p.weight * p.cdf(y)).sum::<f64>() / total
    }

    /// The delay (ms) below which a share `q` of the mixture lies.
    fn quantile(&self, q: f64) -> f64 {
        let lows = self.parts.iter().map(|p| p.y[0]);
        let highs = self.parts.iter().map(|p| p.y[p.y.len() - 1]);
        let mut lo = lows.fold(f64::INFINITY, f64::min) - 20.0;
        let mut hi = highs.fold(f64::NEG_INFINITY, f64::max) + 20.0;
        for _ in 0..200 {
            let mid = 0.5 * (lo + hi);
            if self.cdf(mid) < q {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        (0.5 * (lo + hi)).exp()
    }
}

/// The standard normal quantile function.
fn probit(q: f64) -> f64 {
    use statrs::distribution::{ContinuousCDF, Normal};
    Normal::standard().inverse_cdf(q)
}

/// The value below which a share `q` of the weight lies (values sorted),
/// interpolating between neighbours' midpoints of weight.
fn weighted_quantile(values: &[(f64, f64)], q: f64) -> f64 {
    let total: f64 = values.iter().map(|(_, w)| w).sum();
    let mut below = 0.0;
    let mut last: Option<(f64, f64)> = None;
    for &(v, w) in values {
        let at = (below + w / 2.0) / total;
        if at >= q {
            return match last {
                Some((at0, v0)) if at > at0 => v0 + (q - at0) / (at - at0) * (v - v0),
                _ => v,
            };
        }
        last = Some((at, v));
        below += w;
    }
    values[values.len() - 1].0
}

/// The most common gap between successive periods, in seconds.
fn typical_spacing(periods: &[Period]) -> i64 {
    let mut gaps: Vec<i64> = periods.windows(2).map(|w| w[1].at - w[0].at).collect();
    if gaps.is_empty() {
        return 0;
    }
    gaps.sort_unstable();
    gaps[gaps.len() / 2]
}

/// The process's autocorrelation at lag u = h/τ, averaged over the phase.
pub fn knot_correlation(u: f64) -> f64 {
    use std::f64::consts::FRAC_PI_2;
    if u >= 2.0 {
        return 0.0;
    }
    const STEPS: usize = 400;
    let mut sum = 0.0;
    for k in 0..STEPS {
        let w = (k as f64 + 0.5) / STEPS as f64;
        let w2 = w + u;
        sum += if w2 < 1.0 {
            (FRAC_PI_2 * u).cos()
        } else if w2 < 2.0 {
            (FRAC_PI_2 * w).sin() * (FRAC_PI_2 * (w2 - 1.0)).cos()
        } else {
            0.0
        };
    }
    sum / STEPS as f64
}

fn time_scale(periods: &[Period], spacing: i64, percentiles: &[f64]) -> TimeScale {
    // The level: the percentile nearest the median, else the average.
    let level_stat = percentiles
        .iter()
        .min_by(|a, b| (**a - 0.5).abs().total_cmp(&(**b - 0.5).abs()))
        .map(|q| Stat::Percentile(*q))
        .unwrap_or(Stat::Average);
    let points: Vec<(i64, f64)> = periods
        .iter()
        .filter_map(|p| p.get(level_stat).map(|v| (p.at, v.max(MIN_MS).ln())))
        .collect();
    if points.len() < MIN_PERIODS_FOR_SCALE || spacing <= 0 {
        return TimeScale::TooFew(points.len());
    }
    let n = points.len() as f64;
    let mean = points.iter().map(|p| p.1).sum::<f64>() / n;
    let var = points.iter().map(|p| (p.1 - mean).powi(2)).sum::<f64>() / n;
    if var < 1e-12 {
        return TimeScale::Flat;
    }
    // Pairs exactly k periods apart, wherever periods are missing.
    let index: std::collections::BTreeMap<i64, f64> = points.iter().copied().collect();
    let max_lag = (points.len() / 4).clamp(1, 60);
    let rho: Vec<(f64, f64)> = (1..=max_lag)
        .filter_map(|k| {
            let h = k as i64 * spacing;
            let (mut sum, mut pairs) = (0.0, 0usize);
            for (t, x) in &points {
                if let Some(y) = index.get(&(t + h)) {
                    sum += (x - mean) * (y - mean);
                    pairs += 1;
                }
            }
            (pairs >= 10).then(|| (h as f64, sum / pairs as f64 / var))
        })
        .collect();
    if rho.is_empty() {
        return TimeScale::TooFew(points.len());
    }
    let dt = spacing as f64;
    let span = (points[points.len() - 1].0 - points[0].0) as f64;
    let (lo, hi) = (dt / 4.0, (span / 2.0).max(dt));
    let mut best = (f64::INFINITY, dt);
    const GRID: usize = 400;
    for g in 0..=GRID {
        let tau = lo * (hi / lo).powf(g as f64 / GRID as f64);
        let c: Vec<f64> = rho.iter().map(|(h, _)| knot_correlation(h / tau)).collect();
        let cc: f64 = c.iter().map(|c| c * c).sum();
        let a = if cc > 0.0 {
            (rho.iter().zip(&c).map(|((_, r), c)| r * c).sum::<f64>() / cc).clamp(0.0, 1.0)
        } else {
            0.0
        };
        let err: f64 = rho
            .iter()
            .zip(&c)
            .map(|((_, r), c)| (r - a * c).powi(2))
            .sum();
        if err < best.0 {
            best = (err, tau);
        }
    }
    // At τ ≤ Δ/2 successive periods are independent in the model: the data
    // cannot place τ below its own period.
    if best.1 <= dt / 2.0 || rho[0].1 < 0.1 {
        TimeScale::FasterThanPeriod
    } else {
        TimeScale::Seconds(best.1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn knot_correlation_starts_at_one_and_ends_at_two_knots() {
        assert!((knot_correlation(0.0) - 1.0).abs() < 1e-9);
        assert_eq!(knot_correlation(2.0), 0.0);
        // Beyond one knot interval only the cross-knot term is left, and it
        // falls monotonically.
        let mut last = 1.0;
        for k in 1..20 {
            let c = knot_correlation(k as f64 * 0.1);
            assert!(c < last && c >= 0.0, "{k}: {c}");
            last = c;
        }
    }

    #[test]
    fn a_lognormal_period_is_followed_exactly() {
        // Median 100, p99 = 100·e^(2.326σ) with σ = 0.5: its p90 and any
        // quantile follow from the two points.
        let sigma = 0.5;
        let p99 = 100.0 * (probit(0.99) * sigma).exp();
        let m = Mixture {
            parts: vec![Part::new(&[(0.5, 100.0), (0.99, p99)], 1.0)],
        };
        let p90 = 100.0 * (probit(0.9) * sigma).exp();
        assert!((m.quantile(0.9) / p90 - 1.0).abs() < 1e-9);
        assert!((m.quantile(0.5) / 100.0 - 1.0).abs() < 1e-9);
        let p01 = 100.0 * (probit(0.01) * sigma).exp();
        assert!((m.quantile(0.01) / p01 - 1.0).abs() < 1e-9);
    }

    #[test]
    fn weighted_quantiles_of_levels() {
        let v = [(1.0, 1.0), (2.0, 1.0), (3.0, 1.0), (4.0, 1.0)];
        assert_eq!(weighted_quantile(&v, 0.5), 2.5);
        assert_eq!(weighted_quantile(&v, 0.0), 1.0);
        assert_eq!(weighted_quantile(&v, 1.0), 4.0);
        // Weight moves the median.
        let w = [(1.0, 3.0), (2.0, 1.0)];
        assert!(weighted_quantile(&w, 0.5) < 1.5);
    }
}
