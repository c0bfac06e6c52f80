//! A latency histogram: HdrHistogram with two significant figures (at most
//! 1% relative error), plus the exact count, minimum and maximum.
//!
//! Percentiles are clamped to the exact extremes, so a constant delay is
//! reported exactly rather than as its histogram bucket's edge.

use hdrhistogram::Histogram;

use crate::metrics::result::CdfPoint;
use crate::sim::time::ns_to_ms;

/// Significant digits a percentile read from a [`LatencyHist`] is given:
/// two significant figures of HdrHistogram keep values to within 1%, which
/// three digits show without claiming more.
pub const DIGITS: usize = 3;

/// `v` rounded to [`DIGITS`] significant digits: a percentile at the
/// precision the histogram has. `483.393536` → `483`, `899.678` → `900`.
pub fn resolved(v: f64) -> f64 {
    if v == 0.0 || !v.is_finite() {
        return v;
    }
    format!("{:.*e}", DIGITS - 1, v).parse().unwrap_or(v)
}

#[derive(Clone, Debug)]
pub struct LatencyHist {
    h: Histogram<u64>,
    min: u64,
    max: u64,
}

impl Default for LatencyHist {
    fn default() -> Self {
        LatencyHist::new()
    }
}

impl LatencyHist {
    pub fn new() -> LatencyHist {
        let mut h = Histogram::new(2).expect("two significant figures is a valid precision");
        h.auto(true);
        LatencyHist {
            h,
            min: u64::MAX,
            max: 0,
        }
    }

    /// Record one value in nanoseconds.
    #[inline]
    pub fn record(&mut self, ns: u64) {
        // Auto-resizing histograms accept any u64 value.
        let _ = self.h.record(ns);
        self.min = self.min.min(ns);
        self.max = self.max.max(ns);
    }

    pub fn count(&self) -> u64 {
        self.h.len()
    }

    pub fn is_empty(&self) -> bool {
        self.h.is_empty()
    }

    /// The value at quantile `q` (0..=1) in nanoseconds; 0 when empty.
    pub fn quantile_ns(&self, q: f64) -> u64 {
        if self.h.is_empty() {
            return 0;
        }
        if q >= 1.0 {
            return self.max;
        }
        let v = self.h.median_equivalent(self.h.value_at_quantile(q));
        v.clamp(self.min, self.max)
    }

    /// The value at quantile `q` in milliseconds; 0 when empty.
    pub fn quantile_ms(&self, q: f64) -> f64 {
        ns_to_ms(self.quantile_ns(q))
    }

    pub fn max_ms(&self) -> f64 {
        if self.h.is_empty() {
            0.0
        } else {
            ns_to_ms(self.max)
        }
    }

    pub fn reset(&mut self) {
        self.h.reset();
        self.min = u64::MAX;
        self.max = 0;
    }

    pub fn add(&mut self, other: &LatencyHist) {
        if other.is_empty() {
            return;
        }
        let _ = self.h.add(&other.h);
        self.min = self.min.min(other.min);
        self.max = self.max.max(other.max);
    }

    /// Points of the cumulative distribution, for charts.
    pub fn cdf(&self) -> Vec<CdfPoint> {
        if self.h.is_empty() {
            return Vec::new();
        }
        let mut qs: Vec<f64> = (0..=98).map(|i| i as f64 / 100.0).collect();
        qs.extend([0.99, 0.995, 0.999, 0.9999, 1.0]);
        qs.into_iter()
            .map(|q| CdfPoint {
                value_ms: self.quantile_ms(q),
                fraction: q,
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constant_values_are_exact() {
        let mut h = LatencyHist::new();
        for _ in 0..1000 {
            h.record(35_000_000);
        }
        assert_eq!(h.quantile_ns(0.5), 35_000_000);
        assert_eq!(h.quantile_ns(0.99), 35_000_000);
        assert_eq!(h.max_ms(), 35.0);
    }

    #[test]
    fn resolved_keeps_three_significant_digits() {
        assert_eq!(resolved(483.393536), 483.0);
        assert_eq!(resolved(899.678), 900.0);
        assert_eq!(resolved(6291.0), 6290.0);
        assert_eq!(resolved(0.048339), 0.0483);
        assert_eq!(resolved(0.0), 0.0);
    }

    #[test]
    fn percentiles_within_one_percent() {
        let mut h = LatencyHist::new();
        for v in 1..=100_000u64 {
            h.record(v * 1_000);
        }
        for (q, exact) in [
            (0.5, 50_000_000f64),
            (0.9, 90_000_000.0),
            (0.99, 99_000_000.0),
        ] {
            let got = h.quantile_ns(q) as f64;
            assert!((got / exact - 1.0).abs() <= 0.01, "q={q}: {got} vs {exact}");
        }
    }
}
