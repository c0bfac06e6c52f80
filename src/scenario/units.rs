//! Field types that parse themselves: durations (`150ms`), signed durations
//! (`-2ms`), rates (`200/s`) and probabilities (`0.8`).
//!
//! Each rejects what can never be right for its kind (no unit, negative,
//! NaN, overflow) while serde still knows which node it is reading, so the
//! error carries that node's line and column. Checks that depend on other
//! fields (greater than zero where zero makes no sense, before the run
//! ends) belong to `validate.rs`.

use std::fmt;

use serde::de::{self, Deserialize, Deserializer, Visitor};

use super::node::shorten;
use crate::sim::time::Nanos;

/// Units a duration may carry, with their length in nanoseconds.
pub const UNITS: &[(&str, u64)] = &[
    ("ns", 1),
    ("us", 1_000),
    ("ms", 1_000_000),
    ("s", 1_000_000_000),
    ("m", 60_000_000_000),
    ("h", 3_600_000_000_000),
];

const UNIT_LIST: &str = "units are ns, us, ms, s, m, h";

/// A non-negative span of time, in nanoseconds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Duration(pub Nanos);

/// A span of time that may be negative (clock offsets and steps).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SignedDuration(pub i64);

/// Events per second; finite and greater than zero.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Rate(pub f64);

/// A number from 0 to 1.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Probability(pub f64);

/// Parses `150ms`, `1.5s`, `2m`: a non-negative decimal and a unit.
pub fn parse_duration(text: &str) -> Result<Nanos, String> {
    let t = text.trim();
    if t.is_empty() {
        return Err("empty duration; write one such as 150ms".to_string());
    }
    let shown = shorten(t);
    if t.starts_with('-') {
        return Err(format!("'{shown}' is negative; a duration is 0 or more"));
    }
    let t2 = t.strip_prefix('+').unwrap_or(t);
    let split = t2
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t2.len());
    let (number, unit) = t2.split_at(split);
    let unit = unit.trim_start();
    let (int_part, frac_part) = match number.split_once('.') {
        Some((i, f)) => (i, f),
        None => (number, ""),
    };
    if (int_part.is_empty() && frac_part.is_empty()) || frac_part.contains('.') {
        return Err(format!(
            "'{shown}' is not a duration; write a number and a unit such as 150ms or 1.5s ({UNIT_LIST})"
        ));
    }
    if unit.is_empty() {
        return Err(format!(
            "'{shown}' has no unit; write a duration such as 150ms ({UNIT_LIST})"
        ));
    }
    let Some(&(_, unit_ns)) = UNITS.iter().find(|(u, _)| *u == unit) else {
        return Err(format!(
            "'{shown}' has an unknown unit '{}'; {UNIT_LIST}",
            shorten(unit)
        ));
    };
    let too_large = || {
        format!(
            "'{shown}' is too large; at most {}h (nanoseconds must fit in 64 bits)",
            u64::MAX / 3_600_000_000_000
        )
    };
    let int_digits = int_part.trim_start_matches('0');
    if int_digits.len() > 20 {
        return Err(too_large());
    }
    let int: u128 = if int_digits.is_empty() {
        0
    } else {
        int_digits.parse().map_err(|_| too_large())?
    };
    // Digits beyond the 19th after the point are finer than a nanosecond
    // for every unit; they are dropped.
    let frac_digits: String = frac_part.chars().take(19).collect();
    let frac_ns: u128 = if frac_digits.is_empty() {
        0
    } else {
        let f: u128 = frac_digits.parse().map_err(|_| too_large())?;
        f * u128::from(unit_ns) / 10u128.pow(frac_digits.len() as u32)
    };
    let total = int * u128::from(unit_ns) + frac_ns;
    u64::try_from(total).map_err(|_| too_large())
}

/// Parses `-2ms`, `+3ms`, `400ms`.
pub fn parse_signed_duration(text: &str) -> Result<i64, String> {
    let t = text.trim();
    let (negative, rest) = match t.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, t.strip_prefix('+').unwrap_or(t)),
    };
    if rest.starts_with(['-', '+']) {
        return Err(format!("'{}' is not a duration", shorten(t)));
    }
    let ns = parse_duration(rest).map_err(|e| e.replacen(&shorten(rest), &shorten(t), 1))?;
    let too_large = || {
        format!(
            "'{}' is too large; at most {}h either way",
            shorten(t),
            i64::MAX as u64 / 3_600_000_000_000
        )
    };
    if negative {
        if ns > i64::MAX as u64 + 1 {
            return Err(too_large());
        }
        Ok((ns as i128).wrapping_neg() as i64)
    } else {
        i64::try_from(ns).map_err(|_| too_large())
    }
}

/// Parses `200/s`, `20/m` or a bare number per second.
pub fn parse_rate(text: &str) -> Result<f64, String> {
    let t = text.trim();
    let shown = shorten(t);
    let (number, per_s) = match t.split_once('/') {
        Some((n, unit)) => match unit.trim() {
            "s" => (n.trim(), 1.0),
            "m" => (n.trim(), 1.0 / 60.0),
            other => {
                return Err(format!(
                "'{shown}' has an unknown unit '/{}'; write N/s, N/m or a bare number per second",
                shorten(other)
            ))
            }
        },
        None => (t, 1.0),
    };
    let n = super::de::parse_float(number).map_err(|_| {
        format!(
            "'{shown}' is not a rate; write N/s, N/m or a bare number per second, such as 200/s"
        )
    })?;
    let rate = n * per_s;
    if rate <= 0.0 {
        return Err(format!(
            "rate '{shown}' is not greater than 0; a rate must be more than 0"
        ));
    }
    if !rate.is_finite() {
        return Err(format!("rate '{shown}' is not a finite number"));
    }
    Ok(rate)
}

struct TextVisitor<F>(&'static str, F);

impl<'de, T, F: FnOnce(&str) -> Result<T, String>> Visitor<'de> for TextVisitor<F> {
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(self.0)
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<T, E> {
        (self.1)(v).map_err(E::custom)
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<T, E> {
        self.visit_str(&v.to_string())
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<T, E> {
        self.visit_str(&v.to_string())
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<T, E> {
        self.visit_str(&v.to_string())
    }
}

impl<'de> Deserialize<'de> for Duration {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_str(TextVisitor("a duration such as 150ms", |s: &str| {
            parse_duration(s).map(Duration)
        }))
    }
}

impl<'de> Deserialize<'de> for SignedDuration {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_str(TextVisitor("a duration such as -2ms", |s: &str| {
            parse_signed_duration(s).map(SignedDuration)
        }))
    }
}

impl<'de> Deserialize<'de> for Rate {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_str(TextVisitor("a rate such as 200/s", |s: &str| {
            parse_rate(s).map(Rate)
        }))
    }
}

impl<'de> Deserialize<'de> for Probability {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = f64::deserialize(d)?;
        if (0.0..=1.0).contains(&v) {
            Ok(Probability(v))
        } else {
            Err(de::Error::custom(format!(
                "{v} is outside 0..1; a probability is from 0 to 1"
            )))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_parse_exactly() {
        assert_eq!(parse_duration("150ms"), Ok(150_000_000));
        assert_eq!(parse_duration("1.5s"), Ok(1_500_000_000));
        assert_eq!(parse_duration("5m"), Ok(300_000_000_000));
        assert_eq!(parse_duration("2h"), Ok(7_200_000_000_000));
        assert_eq!(parse_duration("0.000000001s"), Ok(1));
        assert_eq!(parse_duration("0s"), Ok(0));
        assert_eq!(parse_duration("7 us"), Ok(7_000));
        assert_eq!(parse_duration(".5ms"), Ok(500_000));
        assert_eq!(parse_duration("18446744073709551615ns"), Ok(u64::MAX));
    }

    #[test]
    fn bad_durations_say_why() {
        assert!(parse_duration("5").unwrap_err().contains("has no unit"));
        assert!(parse_duration("5d")
            .unwrap_err()
            .contains("unknown unit 'd'"));
        assert!(parse_duration("-5s").unwrap_err().contains("negative"));
        assert!(parse_duration("18446744073709551616ns")
            .unwrap_err()
            .contains("too large"));
        assert!(parse_duration("99999999999999999999999999h")
            .unwrap_err()
            .contains("too large"));
        assert!(parse_duration("nan")
            .unwrap_err()
            .contains("not a duration"));
        assert!(parse_duration("1.2.3s")
            .unwrap_err()
            .contains("not a duration"));
        assert!(parse_duration("").is_err());
    }

    #[test]
    fn signed_durations() {
        assert_eq!(parse_signed_duration("-2ms"), Ok(-2_000_000));
        assert_eq!(parse_signed_duration("+3ms"), Ok(3_000_000));
        assert_eq!(
            parse_signed_duration("-9223372036854775808ns"),
            Ok(i64::MIN)
        );
        assert!(parse_signed_duration("9223372036854775808ns").is_err());
        assert!(parse_signed_duration("--1s").is_err());
        assert_eq!(
            parse_signed_duration("-5").unwrap_err(),
            "'-5' has no unit; write a duration such as 150ms (units are ns, us, ms, s, m, h)"
        );
    }

    #[test]
    fn rates() {
        assert_eq!(parse_rate("200/s"), Ok(200.0));
        assert_eq!(parse_rate("30/m"), Ok(0.5));
        assert_eq!(parse_rate("12.5"), Ok(12.5));
        assert!(parse_rate("0/s").is_err());
        assert!(parse_rate("-3").is_err());
        assert!(parse_rate("nan/s").is_err());
        assert!(parse_rate("5/h").unwrap_err().contains("unknown unit"));
        assert!(parse_rate("1e308/m").is_ok());
    }
}
