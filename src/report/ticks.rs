//! Tick positions for axes that people read: round numbers only.
//!
//! Time axes step in whole seconds or minutes where the span allows
//! (0, 60, 120, ... rather than 0, 75.25, 150.5); value axes step by 1, 2
//! or 5 times a power of ten; log axes mark whole decades (and 2 and 5
//! between them when there are few). Pure arithmetic: the same span always
//! gives the same ticks.

/// Steps a time axis in seconds may take, smallest first.
const TIME_STEPS_S: [f64; 22] = [
    0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0, 15.0, 20.0, 30.0,
    60.0, 120.0, 300.0, 600.0, 900.0, 1800.0,
];

/// Multiples of `step` from 0 up to `hi` (inclusive, allowing for rounding).
fn multiples(hi: f64, step: f64) -> Vec<f64> {
    if !(hi.is_finite() && step > 0.0) || hi < 0.0 {
        return vec![0.0];
    }
    let n = (hi / step + 1e-9).floor() as u64;
    (0..=n.min(10_000))
        .map(|k| clean(k as f64 * step))
        .collect()
}

/// The step for a time axis of `span_s` seconds with about `target`
/// ticks: the smallest whole step giving at most `target + 1` of them.
pub fn time_step(span_s: f64, target: usize) -> f64 {
    let target = target.max(2) as f64;
    for step in TIME_STEPS_S {
        if span_s / step <= target {
            return step;
        }
    }
    // Beyond half an hour a step: whole hours.
    let hours = (span_s / target / 3600.0).ceil().max(1.0);
    hours * 3600.0
}

/// Ticks of a time axis from 0 to `span_s` seconds.
pub fn time_ticks(span_s: f64, target: usize) -> Vec<f64> {
    multiples(span_s, time_step(span_s, target))
}

/// A 1, 2 or 5 times a power of ten step giving at most about `target`
/// intervals over `0..hi`.
pub fn value_step(hi: f64, target: usize) -> f64 {
    if !(hi.is_finite() && hi > 0.0) {
        return 1.0;
    }
    let raw = hi / target.max(1) as f64;
    let mag = 10f64.powf(raw.log10().floor());
    for m in [1.0, 2.0, 5.0, 10.0] {
        if m * mag >= raw {
            return m * mag;
        }
    }
    10.0 * mag
}

/// Ticks of a linear value axis from 0 to `hi`; with `whole`, the step is
/// at least 1 (counts).
pub fn value_ticks(hi: f64, target: usize, whole: bool) -> Vec<f64> {
    let mut step = value_step(hi, target);
    if whole {
        step = step.max(1.0);
    }
    multiples(hi, step)
}

/// Ticks of a log axis over `lo..hi` (both > 0): every decade, and 2 and
/// 5 times each when the range spans at most two decades.
pub fn log_ticks(lo: f64, hi: f64) -> Vec<f64> {
    if !(lo > 0.0 && hi > lo && hi.is_finite()) {
        return Vec::new();
    }
    let first = lo.log10().floor() as i32;
    let last = hi.log10().ceil() as i32;
    let fine = last - first <= 2;
    let mut out = Vec::new();
    for d in first..=last {
        let base = 10f64.powi(d);
        let ms: &[f64] = if fine { &[1.0, 2.0, 5.0] } else { &[1.0] };
        for m in ms {
            let v = clean(m * base);
            if v >= lo * 0.999_999 && v <= hi * 1.000_001 {
                out.push(v);
            }
        }
    }
    out
}

/// `x` rounded to 12 significant digits, so `0.1 * 3` reads `0.3`.
fn clean(x: f64) -> f64 {
    format!("{x:.11e}").parse().unwrap_or(x)
}

/// Whether `v` is 1, 2 or 5 times a power of ten (or 0).
pub fn is_one_two_five(v: f64) -> bool {
    if v == 0.0 {
        return true;
    }
    let mag = 10f64.powf(v.abs().log10().floor());
    let m = v.abs() / mag;
    [1.0, 2.0, 5.0, 10.0].iter().any(|x| (m - x).abs() < 1e-6)
}

/// Whether `step` is a step a time axis may take.
pub fn is_time_step(step: f64) -> bool {
    TIME_STEPS_S
        .iter()
        .any(|s| (s - step).abs() < 1e-9 * s.max(1.0))
        || (step >= 3600.0 && (step / 3600.0).fract() == 0.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_axes_step_in_whole_seconds_and_minutes() {
        assert_eq!(
            time_ticks(301.0, 6),
            [0.0, 60.0, 120.0, 180.0, 240.0, 300.0]
        );
        assert_eq!(
            time_ticks(300.0, 10),
            [0.0, 30.0, 60.0, 90.0, 120.0, 150.0, 180.0, 210.0, 240.0, 270.0, 300.0]
        );
        assert_eq!(
            time_ticks(20.0, 10),
            [0.0, 2.0, 4.0, 6.0, 8.0, 10.0, 12.0, 14.0, 16.0, 18.0, 20.0]
        );
        assert_eq!(time_ticks(3.0, 6), [0.0, 0.5, 1.0, 1.5, 2.0, 2.5, 3.0]);
        assert_eq!(time_step(7200.0, 6), 1800.0);
        assert_eq!(time_step(36_000.0, 6), 7200.0);
        for span in [0.37, 2.0, 45.0, 301.0, 1000.0, 5000.0, 86_400.0] {
            let t = time_ticks(span, 8);
            assert!(t.len() >= 2 && t.len() <= 10, "{span}: {t:?}");
            assert!(is_time_step(t[1] - t[0]), "{span}: {t:?}");
        }
    }

    #[test]
    fn value_axes_step_by_one_two_five() {
        assert_eq!(
            value_ticks(8_000.0, 5, true),
            [0.0, 2000.0, 4000.0, 6000.0, 8000.0]
        );
        assert_eq!(value_ticks(3.0, 6, true), [0.0, 1.0, 2.0, 3.0]);
        assert_eq!(value_step(0.7, 5), 0.2);
        for hi in [0.3, 7.0, 42.0, 999.0, 123_456.0] {
            let t = value_ticks(hi, 6, false);
            assert!(is_one_two_five(t[1] - t[0]), "{hi}: {t:?}");
        }
    }

    #[test]
    fn log_axes_mark_decades() {
        assert_eq!(
            log_ticks(100.0, 100_000.0),
            [100.0, 1000.0, 10_000.0, 100_000.0]
        );
        assert_eq!(log_ticks(100.0, 1000.0), [100.0, 200.0, 500.0, 1000.0]);
        assert!(log_ticks(0.0, 10.0).is_empty());
        assert!(log_ticks(1.0, 1e9).iter().all(|v| is_one_two_five(*v)));
    }
}
