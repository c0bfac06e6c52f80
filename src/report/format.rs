//! Every number a person or a CSV file reads, formatted by one rule.
//!
//! The rule (docs/model.md, "Precision"):
//!
//! - Counts are exact, with thousands separators for people (`1,234,567`)
//!   and without in CSV.
//! - A percentile read from a histogram has about three significant digits
//!   (the histograms keep values to within 1%), so it is shown with
//!   [`HIST_DIGITS`] significant digits and no more: `483 ms`, not
//!   `483.393536`. A time column picks its unit once, from its largest
//!   value ([`TimeUnit::fit`]), so one column never mixes `6290 ms` and
//!   `11.6 s`. Exact times (a maximum, a convergence time) are shown the
//!   same way beside them, so a column reads evenly.
//! - A share is a percentage with three significant digits (`16.9%`,
//!   `0.0123%`); a share that is not all is never rounded up to `100%`,
//!   and one that is not zero never reads `0%`.
//! - CSV keeps full values in fixed units (milliseconds with three decimals,
//!   seconds and rates with six), except a histogram percentile, which
//!   keeps at most [`HIST_DIGITS`] significant digits: the CSV never claims
//!   more than the histogram resolved.
//!
//! The terminal summary, the HTML reports, the charts and the CSV writer
//! all format through this module.

use crate::metrics::figures::Value;

/// Significant digits a histogram percentile is given (see
/// `metrics::hist::DIGITS`).
pub const HIST_DIGITS: usize = crate::metrics::hist::DIGITS;

/// A count with thousands separators: `1,234,567`.
pub fn count(n: u64) -> String {
    group(&n.to_string())
}

/// A decimal number's integer part with thousands separators: `12345.5` →
/// `12,345.5`, `-1234` → `-1,234`.
pub fn group(s: &str) -> String {
    let (sign, rest) = match s.strip_prefix('-') {
        Some(r) => ("-", r),
        None => ("", s),
    };
    let (int, frac) = match rest.find('.') {
        Some(p) => (&rest[..p], &rest[p..]),
        None => (rest, ""),
    };
    if int.len() <= 3 {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len() + int.len() / 3);
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    format!("{sign}{out}{frac}")
}

/// Trailing zeros after the point removed, and the point if nothing
/// follows it; `-0` reads `0`.
fn trim(mut s: String) -> String {
    if s.contains('.') {
        while s.ends_with('0') {
            s.pop();
        }
        if s.ends_with('.') {
            s.pop();
        }
    }
    if s == "-0" {
        s = "0".to_string();
    }
    s
}

/// `x` rounded to `digits` significant digits and written with at most
/// `max_decimals` decimals, without an exponent, grouping or trailing
/// zeros: `sig(483.393536, 3, 6)` = `483`, `sig(6291.0, 3, 6)` = `6290`,
/// `sig(0.048339, 3, 6)` = `0.0483`.
pub fn sig(x: f64, digits: usize, max_decimals: usize) -> String {
    if !x.is_finite() {
        return String::new();
    }
    if x == 0.0 {
        return "0".to_string();
    }
    let digits = digits.max(1);
    let r: f64 = format!("{:.*e}", digits - 1, x).parse().unwrap_or(x);
    let magnitude = r.abs().log10().floor() as i64;
    let decimals = (digits as i64 - 1 - magnitude).max(0) as usize;
    trim(format!("{r:.*}", decimals.min(max_decimals)))
}

/// `x` with at most `decimals` decimals and no trailing zeros: `30`, `2.5`.
pub fn plain(x: f64, decimals: usize) -> String {
    if !x.is_finite() {
        return "—".to_string();
    }
    trim(format!("{x:.decimals$}"))
}

/// A fraction as a percentage with three significant digits: `16.9%`,
/// `0.0123%`, `0%`, `100%`. A fraction below 1 never reads `100%` (it is
/// cut to `99.9%`), and a fraction above 0 never reads `0%`.
pub fn percent(fraction: f64) -> String {
    if !fraction.is_finite() {
        return "—".to_string();
    }
    let p = fraction * 100.0;
    let text = sig(p, 3, 12);
    if fraction < 1.0 && text.parse::<f64>().is_ok_and(|v| v >= 100.0) {
        return "99.9%".to_string();
    }
    format!("{text}%")
}

/// The unit of a column of times: chosen once, from its largest value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TimeUnit {
    Ms,
    S,
}

impl TimeUnit {
    /// Seconds when the largest value is 10 s or more, else milliseconds.
    pub fn fit(values_ms: impl IntoIterator<Item = f64>) -> TimeUnit {
        let largest = values_ms
            .into_iter()
            .filter(|v| v.is_finite())
            .fold(0.0f64, |m, v| m.max(v.abs()));
        if largest >= 10_000.0 {
            TimeUnit::S
        } else {
            TimeUnit::Ms
        }
    }

    /// `ms` or `s`.
    pub fn name(self) -> &'static str {
        match self {
            TimeUnit::Ms => "ms",
            TimeUnit::S => "s",
        }
    }

    /// A time given in milliseconds, in this unit with [`HIST_DIGITS`]
    /// significant digits and thousands grouped: `483`, `6,290`, `11.6`.
    pub fn number(self, ms: f64) -> String {
        if !ms.is_finite() {
            return "—".to_string();
        }
        let (v, max_decimals) = match self {
            TimeUnit::Ms => (ms, 6),
            TimeUnit::S => (ms / 1000.0, 9),
        };
        group(&sig(v, HIST_DIGITS, max_decimals))
    }

    /// The number and the unit: `483 ms`, `11.6 s`.
    pub fn with_unit(self, ms: f64) -> String {
        format!("{} {}", self.number(ms), self.name())
    }
}

/// One time on its own, in the unit that fits it: `483 ms`, `11.6 s`.
pub fn duration(ms: f64) -> String {
    TimeUnit::fit([ms]).with_unit(ms)
}

/// A number for an axis tick: no needless zeros, thousands grouped. Ticks
/// are round numbers the axis chose, so they are written as they are.
pub fn tick(v: f64) -> String {
    if !v.is_finite() {
        return String::new();
    }
    if v == 0.0 {
        return "0".to_string();
    }
    let a = v.abs();
    let decimals = if a >= 100.0 {
        0
    } else if a >= 1.0 {
        2
    } else if a >= 0.01 {
        4
    } else {
        6
    };
    group(&trim(format!("{v:.decimals$}")))
}

/// A span of seconds for a label: `1 s`, `250 ms`, `2.5 s`.
pub fn span_s(s: f64) -> String {
    if s >= 1.0 {
        format!("{} s", tick(s))
    } else {
        format!("{} ms", tick(s * 1000.0))
    }
}

/// `x` with at least three significant digits (whole numbers kept whole:
/// 1234.56 reads 1235), and more where fewer would blur it against
/// `bound`: what an expectation's message needs to show which side of its
/// bound a value is on.
pub fn significant(x: f64, bound: Option<f64>) -> String {
    if !x.is_finite() {
        return x.to_string();
    }
    for digits in 3..=17 {
        let text = whole_or_sig(x, digits);
        let shown: f64 = text.parse().unwrap_or(x);
        let blurred = bound.is_some_and(|b| {
            (shown == b) != (x == b) || (shown < b) != (x < b) || (shown > b) != (x > b)
        });
        if !blurred {
            return text;
        }
    }
    x.to_string()
}

/// `x` to `digits` significant digits, but never fewer than its whole part.
fn whole_or_sig(x: f64, digits: i32) -> String {
    if x == 0.0 {
        return "0".into();
    }
    let magnitude = x.abs().log10().floor() as i32;
    let decimals = (digits - 1 - magnitude).max(0) as usize;
    trim(format!("{x:.decimals$}"))
}

/// Nanoseconds as milliseconds with exactly six decimals, by integer
/// arithmetic: `1234567891` → `1234.567891`, `-500` → `-0.000500`.
pub fn ns_to_ms_exact(ns: i128) -> String {
    let sign = if ns < 0 { "-" } else { "" };
    let abs = ns.unsigned_abs();
    format!("{sign}{}.{:06}", abs / 1_000_000, abs % 1_000_000)
}

/// A text cell a spreadsheet will not read as a formula, the OWASP way:
/// text that starts with `=`, `+`, `-`, `@`, a tab or a carriage return
/// gets a leading `'`, unless it is a number (`-1.5`). Every text cell of
/// every CSV file goes through here; other text is unchanged.
pub fn text_cell(s: &str) -> String {
    let risky = s.starts_with(['=', '+', '-', '@', '\t', '\r']);
    let number = s
        .bytes()
        .all(|b| b.is_ascii_digit() || matches!(b, b'+' | b'-' | b'.' | b'e' | b'E'))
        && s.parse::<f64>().is_ok();
    if risky && !number {
        format!("'{s}")
    } else {
        s.to_string()
    }
}

/// A value as the CSV files give it. Fixed formats, so a run's files are
/// byte-identical for the same scenario and seed: milliseconds with three
/// decimals; a histogram percentile with at most [`HIST_DIGITS`]
/// significant digits (and at most three decimals); seconds and rates with
/// six decimals; exact nanoseconds as milliseconds with six; booleans
/// `true`/`false`; no value as an empty cell.
pub fn csv(v: &Value) -> String {
    match v {
        Value::Text(s) => text_cell(s),
        Value::Count(n) => n.to_string(),
        Value::Ms(x) => format!("{x:.3}"),
        Value::Quantile(x) => sig(*x, HIST_DIGITS, 3),
        Value::Secs(x) | Value::Rate(x) => format!("{x:.6}"),
        Value::Bool(b) => b.to_string(),
        Value::Nanos(ns) => ns_to_ms_exact(*ns),
        Value::Empty => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_are_exact_and_grouped() {
        assert_eq!(count(0), "0");
        assert_eq!(count(999), "999");
        assert_eq!(count(1000), "1,000");
        assert_eq!(count(1_234_567), "1,234,567");
        assert_eq!(group("-12345.25"), "-12,345.25");
        assert_eq!(group("123.4567"), "123.4567");
    }

    #[test]
    fn significant_digits_round_half_away_and_carry() {
        assert_eq!(sig(483.393536, 3, 6), "483");
        assert_eq!(sig(6291.0, 3, 6), "6290");
        assert_eq!(sig(0.048339, 3, 6), "0.0483");
        assert_eq!(sig(899.678, 3, 6), "900");
        assert_eq!(sig(9.996, 3, 6), "10");
        assert_eq!(sig(1.5, 3, 6), "1.5");
        assert_eq!(sig(-12.345, 3, 6), "-12.3");
        assert_eq!(sig(0.0001234, 3, 3), "0");
        assert_eq!(sig(0.0, 3, 3), "0");
    }

    #[test]
    fn percent_has_three_digits_and_never_lies_at_the_ends() {
        assert_eq!(percent(0.16874), "16.9%");
        assert_eq!(percent(0.000123), "0.0123%");
        assert_eq!(percent(0.0), "0%");
        assert_eq!(percent(1.0), "100%");
        assert_eq!(percent(0.9996), "99.9%");
        assert_eq!(percent(1.0 / 3.0), "33.3%");
        assert_ne!(percent(1e-9), "0%");
    }

    #[test]
    fn a_column_keeps_one_unit() {
        let column = [483.4, 6291.0, 11_640.0];
        let unit = TimeUnit::fit(column);
        assert_eq!(unit, TimeUnit::S);
        let shown: Vec<String> = column.iter().map(|v| unit.number(*v)).collect();
        assert_eq!(shown, ["0.483", "6.29", "11.6"]);
        let unit = TimeUnit::fit([35.04, 612.4, 9_999.0]);
        assert_eq!(unit, TimeUnit::Ms);
        assert_eq!(unit.number(9_999.0), "10,000");
        assert_eq!(unit.number(35.04), "35");
        assert_eq!(duration(31_260.0), "31.3 s");
        assert_eq!(duration(612.4), "612 ms");
    }

    #[test]
    fn ticks_are_short_and_grouped() {
        assert_eq!(tick(0.0), "0");
        assert_eq!(tick(2.5), "2.5");
        assert_eq!(tick(10.0), "10");
        assert_eq!(tick(12000.0), "12,000");
        assert_eq!(tick(1234.0), "1,234");
        assert_eq!(tick(0.05), "0.05");
        assert_eq!(span_s(0.25), "250 ms");
        assert_eq!(span_s(5.0), "5 s");
        assert_eq!(plain(30.0, 3), "30");
        assert_eq!(plain(2.5, 3), "2.5");
    }

    #[test]
    fn csv_percentiles_keep_what_the_histogram_resolved() {
        assert_eq!(csv(&Value::Quantile(483.393536)), "483");
        assert_eq!(csv(&Value::Quantile(100.0)), "100");
        assert_eq!(csv(&Value::Quantile(0.048339)), "0.048");
        assert_eq!(csv(&Value::Ms(483.393536)), "483.394");
        assert_eq!(csv(&Value::Nanos(1_234_567_891)), "1234.567891");
        assert_eq!(csv(&Value::Nanos(-500)), "-0.000500");
        assert_eq!(csv(&Value::Empty), "");
    }

    #[test]
    fn three_significant_digits_for_expectations() {
        assert_eq!(significant(0.01510123631367082, None), "0.0151");
        assert_eq!(significant(1234.56, None), "1235");
        assert_eq!(significant(12.3456, None), "12.3");
        assert_eq!(significant(0.0, None), "0");
        assert_eq!(significant(100.0, None), "100");
        assert_eq!(significant(-0.000123456, None), "-0.000123");
    }

    #[test]
    fn more_digits_where_three_would_blur_the_bound() {
        // 0.015101 < 0.0151 is false; "0.0151" would look equal to the bound.
        assert_eq!(significant(0.015101, Some(0.0151)), "0.015101");
        // 0.01509 rounds to 0.0151, which would look not below 0.0151.
        assert_eq!(significant(0.01509, Some(0.0151)), "0.01509");
        assert_eq!(significant(0.0201, Some(0.0151)), "0.0201");
    }
}
