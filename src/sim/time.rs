//! Simulated time: an integer count of nanoseconds since the scenario start.
//!
//! No floating point ever decides the order of events; conversions to
//! milliseconds or seconds happen only when figures are reported.

use std::fmt;

/// A span of simulated time in nanoseconds.
pub type Nanos = u64;

pub const NS_PER_US: u64 = 1_000;
pub const NS_PER_MS: u64 = 1_000_000;
pub const NS_PER_S: u64 = 1_000_000_000;

/// An instant of simulated time, in nanoseconds since the scenario start.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Time(pub u64);

impl Time {
    pub const ZERO: Time = Time(0);
    pub const MAX: Time = Time(u64::MAX);

    /// Nanoseconds since the start.
    #[inline]
    pub fn ns(self) -> u64 {
        self.0
    }

    /// This instant plus a span, saturating at the end of time.
    #[inline]
    pub fn after(self, span: Nanos) -> Time {
        Time(self.0.saturating_add(span))
    }

    /// The span from `earlier` to `self`, zero if `earlier` is later.
    #[inline]
    pub fn since(self, earlier: Time) -> Nanos {
        self.0.saturating_sub(earlier.0)
    }

    /// Milliseconds as a float, for reporting only.
    pub fn as_ms(self) -> f64 {
        ns_to_ms(self.0)
    }

    /// Seconds as a float, for reporting only.
    pub fn as_secs(self) -> f64 {
        self.0 as f64 / NS_PER_S as f64
    }
}

/// A float rounded to the nearest whole number of nanoseconds, halves
/// away from zero: exactly `x.round() as u64` (0 for negative numbers and
/// NaN, saturating past `u64::MAX`), without `round`'s library call and
/// without a branch on the fraction. It runs for every delay drawn.
#[inline]
pub fn round_to_u64(x: f64) -> u64 {
    // From 2^52 on every float is whole; below, the fraction is exact, and
    // the signed conversions (single instructions, unlike the unsigned
    // ones) cannot overflow.
    if x > 0.0 && x < 4_503_599_627_370_496.0 {
        let whole = x as i64;
        (whole + i64::from(x - whole as f64 >= 0.5)) as u64
    } else if x > 0.0 {
        x as u64
    } else {
        0
    }
}

/// Nanoseconds to milliseconds as a float, for reporting only.
pub fn ns_to_ms(ns: u64) -> f64 {
    ns as f64 / NS_PER_MS as f64
}

impl fmt::Display for Time {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", format_span(self.0))
    }
}

/// A human-readable span: `350ms`, `1.5s`, `2m30s`.
pub fn format_span(ns: Nanos) -> String {
    if ns == 0 {
        return "0s".to_string();
    }
    if ns < NS_PER_US {
        return format!("{ns}ns");
    }
    if ns < NS_PER_MS {
        return trim(ns as f64 / NS_PER_US as f64, "us");
    }
    if ns < NS_PER_S {
        return trim(ns as f64 / NS_PER_MS as f64, "ms");
    }
    if ns < 60 * NS_PER_S || ns % (60 * NS_PER_S) != 0 && ns < 600 * NS_PER_S {
        return trim(ns as f64 / NS_PER_S as f64, "s");
    }
    let secs = ns / NS_PER_S;
    let (h, m, s) = (secs / 3600, (secs / 60) % 60, secs % 60);
    let mut out = String::new();
    if h > 0 {
        out.push_str(&format!("{h}h"));
    }
    if m > 0 {
        out.push_str(&format!("{m}m"));
    }
    if s > 0 {
        out.push_str(&format!("{s}s"));
    }
    out
}

fn trim(v: f64, unit: &str) -> String {
    let s = format!("{v:.3}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    format!("{s}{unit}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_read_naturally() {
        assert_eq!(format_span(0), "0s");
        assert_eq!(format_span(350 * NS_PER_MS), "350ms");
        assert_eq!(format_span(1_500 * NS_PER_MS), "1.5s");
        assert_eq!(format_span(150 * NS_PER_S), "150s");
        assert_eq!(format_span(300 * NS_PER_S), "5m");
        assert_eq!(format_span(600 * NS_PER_S), "10m");
        assert_eq!(format_span(3_900 * NS_PER_S), "1h5m");
        assert_eq!(format_span(2_500), "2.5us");
    }

    #[test]
    fn rounding_matches_the_standard_library() {
        let cases = [
            0.0,
            0.49999999999999994,
            0.5,
            1.5,
            2.5,
            2.4999999,
            1e9 + 0.5,
            123_456_789.987_654_3,
            4_503_599_627_370_495.5,
            4_503_599_627_370_497.0,
            1e19,
            1e30,
            -3.2,
            f64::NAN,
            f64::INFINITY,
        ];
        for x in cases {
            let want = if x.is_nan() || x <= 0.0 {
                0
            } else {
                x.round() as u64
            };
            assert_eq!(round_to_u64(x), want, "{x}");
        }
        let mut x = 0.123_f64;
        for _ in 0..100_000 {
            assert_eq!(round_to_u64(x), x.round() as u64, "{x}");
            x = x * 1.000_37 + 0.25;
        }
    }

    #[test]
    fn time_arithmetic_saturates() {
        assert_eq!(Time(5).since(Time(9)), 0);
        assert_eq!(Time::MAX.after(1), Time::MAX);
    }
}
