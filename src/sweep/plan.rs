//! A sweep's plan: the dimensions varied, the modes, the replications, and
//! the order of its variants and runs.
//!
//! A dimension is a `--set` path and the values it takes, written as a
//! list (`0.5,0.8,0.9`), a range of numbers (`0.5..1.0:0.1`, both ends
//! included) or of durations (`0ms..500ms:100ms`), or a mix of these. The
//! variants are the cross product of the dimensions, the first dimension
//! varying slowest, then the modes (if `--modes` was given) fastest. Run
//! `r` is variant `r / seeds`, replication `r % seeds`; replication `i`
//! runs with the same seed in every variant (common random numbers).
//! Text in, plan out: nothing is loaded or run here.

use crate::scenario::units::{parse_signed_duration, UNITS};
use crate::sim::rng;

/// The most values one dimension may take (a typo such as `0..1:0.0001`
/// should not start ten thousand variants unnoticed).
pub const MAX_VALUES: usize = 10_000;
/// The most runs one sweep may have.
pub const MAX_RUNS: u64 = 10_000_000;

/// One varied field: its `--set` path and its values, as `--set` text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Dimension {
    pub path: String,
    pub values: Vec<String>,
}

/// What a sweep runs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Plan {
    pub dims: Vec<Dimension>,
    /// The modes, as a last dimension; empty: the scenario's own mode only.
    pub modes: Vec<String>,
    /// Replications of every variant.
    pub seeds: u32,
}

/// One variant: the index of its value in each dimension, and its mode's
/// index in `Plan::modes` (`None` without `--modes`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Variant {
    pub values: Vec<usize>,
    pub mode: Option<usize>,
}

impl Plan {
    /// The variants in plan order: the cross product, first dimension
    /// slowest, the mode fastest.
    pub fn variants(&self) -> Vec<Variant> {
        let mut out = vec![Variant {
            values: Vec::new(),
            mode: None,
        }];
        for d in &self.dims {
            out = out
                .into_iter()
                .flat_map(|v| {
                    (0..d.values.len()).map(move |i| {
                        let mut values = v.values.clone();
                        values.push(i);
                        Variant { values, mode: None }
                    })
                })
                .collect();
        }
        if !self.modes.is_empty() {
            out = out
                .into_iter()
                .flat_map(|v| {
                    (0..self.modes.len()).map(move |m| Variant {
                        values: v.values.clone(),
                        mode: Some(m),
                    })
                })
                .collect();
        }
        out
    }

    /// How many variants the cross product has.
    pub fn variant_count(&self) -> u64 {
        let dims: u64 = self
            .dims
            .iter()
            .map(|d| d.values.len() as u64)
            .try_fold(1u64, u64::checked_mul)
            .unwrap_or(u64::MAX);
        dims.saturating_mul(self.modes.len().max(1) as u64)
    }

    /// The `--set` arguments that make `variant` (after the user's own).
    pub fn sets(&self, variant: &Variant) -> Vec<String> {
        self.dims
            .iter()
            .zip(&variant.values)
            .map(|(d, &i)| format!("{}={}", d.path, d.values[i]))
            .collect()
    }

    /// The variant as people read it: `path=value, path=value, mode`.
    pub fn label(&self, variant: &Variant) -> String {
        let mut parts = self.sets(variant);
        if let Some(m) = variant.mode {
            parts.push(self.modes[m].clone());
        }
        if parts.is_empty() {
            "the scenario as it is".to_string()
        } else {
            parts.join(", ")
        }
    }

    /// The plan as canonical text: what its hash covers.
    pub fn canonical(&self) -> String {
        let mut text = String::new();
        for d in &self.dims {
            text.push_str(&format!("vary {} = {}\n", d.path, d.values.join(",")));
        }
        if !self.modes.is_empty() {
            text.push_str(&format!("modes {}\n", self.modes.join(",")));
        }
        text.push_str(&format!("seeds {}\n", self.seeds));
        text
    }
}

/// The seed of replication `i` under the scenario's seed `base`: the
/// scenario's own seed for the first (so one replication is the plain
/// run), a number drawn from a random stream of `base` for the others.
/// It depends on nothing else, so every variant's replication `i` runs
/// on the same random numbers.
pub fn replication_seed(base: u64, i: u32) -> u64 {
    use rand::RngCore;
    if i == 0 {
        base
    } else {
        rng::generator(base, &format!("sweep/replication/{i}")).next_u64()
    }
}

/// Parses one `--vary PATH=VALUES` argument.
pub fn parse_vary(arg: &str) -> Result<Dimension, String> {
    let Some((path, spec)) = arg.split_once('=') else {
        return Err(format!(
            "--vary {arg}: no '='; write path=values, such as workload.0.home_affinity=0.5,0.9 \
             or regions.eu-west-1.clock.offset=0ms..500ms:100ms"
        ));
    };
    let path = path.trim().to_string();
    let fail = |m: String| format!("--vary {path}: {m}");
    if path.is_empty() || path.split('.').any(str::is_empty) {
        return Err(fail(
            "not a path; write dotted names and list indices, such as workload.0.home_affinity"
                .to_string(),
        ));
    }
    if path == "seed" {
        return Err(fail(
            "the seed is not a dimension; --seeds N runs N replications of every variant"
                .to_string(),
        ));
    }
    let mut values: Vec<String> = Vec::new();
    for item in split_top_level(spec) {
        let item = item.trim();
        if item.is_empty() {
            return Err(fail(format!(
                "an empty value in '{spec}'; separate values with single commas"
            )));
        }
        let expanded = match as_range(item) {
            Some((lo, hi, step)) => expand_range(lo, hi, step).map_err(|m| fail(m.clone()))?,
            None => vec![item.to_string()],
        };
        for v in expanded {
            if values.contains(&v) {
                return Err(fail(format!("the value {v} is listed twice")));
            }
            values.push(v);
            if values.len() > MAX_VALUES {
                return Err(fail(format!("more than {MAX_VALUES} values")));
            }
        }
    }
    if values.is_empty() {
        return Err(fail("no values; give at least one".to_string()));
    }
    Ok(Dimension { path, values })
}

/// Splits at commas outside `{}`, `[]` and quotes, so a YAML value such as
/// `{ lognormal: { median: 1s, p99: 2s } }` stays one value.
fn split_top_level(spec: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let (mut depth, mut quote, mut start) = (0i32, None::<char>, 0);
    for (i, c) in spec.char_indices() {
        match (quote, c) {
            (Some(q), _) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, '{' | '[') => depth += 1,
            (None, '}' | ']') => depth -= 1,
            (None, ',') if depth == 0 => {
                parts.push(&spec[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&spec[start..]);
    parts
}

/// `lo..hi:step`, if the item is written as a range.
fn as_range(item: &str) -> Option<(&str, &str, &str)> {
    if item.contains(['{', '[', ' ', '"', '\'']) {
        return None;
    }
    let at = item.find("..")?;
    let (lo, rest) = (&item[..at], &item[at + 2..]);
    let (hi, step) = rest.rsplit_once(':')?;
    Some((lo, hi, step))
}

/// The values of a range, both ends included: numbers or durations.
fn expand_range(lo: &str, hi: &str, step: &str) -> Result<Vec<String>, String> {
    let shown = format!("{lo}..{hi}:{step}");
    let numbers = (lo.parse::<f64>(), hi.parse::<f64>(), step.parse::<f64>());
    if let (Ok(a), Ok(b), Ok(s)) = numbers {
        if !(a.is_finite() && b.is_finite() && s.is_finite()) {
            return Err(format!("the range {shown} is not finite"));
        }
        if s <= 0.0 {
            return Err(format!(
                "the range {shown} has a step of {step}; it must be above 0"
            ));
        }
        if b < a {
            return Err(format!(
                "the range {shown} is empty: it ends below its start"
            ));
        }
        let count = count_steps((b - a) / s)?;
        let decimals = [lo, hi, step]
            .iter()
            .map(|t| decimals(t))
            .max()
            .unwrap_or(0);
        return Ok((0..count)
            .map(|k| {
                let v = a + k as f64 * s;
                let text = format!("{v:.decimals$}");
                // -0.0 and 0.0 print alike.
                if text
                    .trim_start_matches('-')
                    .chars()
                    .all(|c| c == '0' || c == '.')
                {
                    text.trim_start_matches('-').to_string()
                } else {
                    text
                }
            })
            .collect());
    }
    let durations = (
        parse_signed_duration(lo),
        parse_signed_duration(hi),
        parse_signed_duration(step),
    );
    let (a, b, s) = match durations {
        (Ok(a), Ok(b), Ok(s)) => (a, b, s),
        _ => {
            return Err(format!(
                "'{shown}' is not a range of numbers or of durations; write one such as \
                 0.5..1.0:0.1 or 0ms..500ms:100ms"
            ))
        }
    };
    if s <= 0 {
        return Err(format!(
            "the range {shown} has a step of {step}; it must be above 0"
        ));
    }
    if b < a {
        return Err(format!(
            "the range {shown} is empty: it ends below its start"
        ));
    }
    let count = (b as i128 - a as i128) / s as i128 + 1;
    if count > MAX_VALUES as i128 {
        return Err(format!(
            "the range {shown} has more than {MAX_VALUES} values"
        ));
    }
    let values: Vec<i64> = (0..count as i64).map(|k| a + k * s).collect();
    // The largest unit every value is a whole number of.
    let &(unit, unit_ns) = UNITS
        .iter()
        .rev()
        .find(|(_, ns)| values.iter().all(|v| v % *ns as i64 == 0))
        .unwrap_or(&UNITS[0]);
    Ok(values
        .iter()
        .map(|v| format!("{}{unit}", v / unit_ns as i64))
        .collect())
}

/// How many values `0..=steps` a numeric range has, allowing for the
/// rounding of decimal steps (`(1.0 - 0.5) / 0.1` is 4.999999…).
fn count_steps(steps: f64) -> Result<usize, String> {
    let n = (steps + 1e-9).floor() + 1.0;
    if n > MAX_VALUES as f64 {
        return Err(format!("the range has more than {MAX_VALUES} values"));
    }
    Ok(n as usize)
}

/// Digits after the decimal point in a number as written.
fn decimals(text: &str) -> usize {
    match text.split_once('.') {
        Some((_, frac)) if !frac.contains(['e', 'E']) => frac.len(),
        _ => 0,
    }
}

/// Parses `--modes`: known names, none twice.
pub fn parse_modes(modes: &[String], known: &[&str]) -> Result<Vec<String>, String> {
    let mut out: Vec<String> = Vec::new();
    for m in modes {
        let m = m.trim();
        if !known.contains(&m) {
            return Err(format!(
                "--modes: unknown mode '{m}'; modes are {}",
                known.join(", ")
            ));
        }
        if out.iter().any(|o| o == m) {
            return Err(format!("--modes: '{m}' is listed twice"));
        }
        out.push(m.to_string());
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(arg: &str) -> Vec<String> {
        parse_vary(arg).unwrap().values
    }

    #[test]
    fn lists_and_ranges() {
        assert_eq!(values("a.b=0.5,0.8,0.9"), ["0.5", "0.8", "0.9"]);
        assert_eq!(
            values("a=0.5..1.0:0.1"),
            ["0.5", "0.6", "0.7", "0.8", "0.9", "1.0"]
        );
        assert_eq!(values("a=1..4:1"), ["1", "2", "3", "4"]);
        assert_eq!(values("a=1..4:2"), ["1", "3"]);
        assert_eq!(
            values("a=0ms..500ms:100ms"),
            ["0ms", "100ms", "200ms", "300ms", "400ms", "500ms"]
        );
        assert_eq!(values("a=-1s..1s:1s"), ["-1s", "0s", "1s"]);
        assert_eq!(
            values("a=0s..1s:250ms"),
            ["0ms", "250ms", "500ms", "750ms", "1000ms"]
        );
        assert_eq!(values("a=wall,hlc"), ["wall", "hlc"]);
        assert_eq!(values("a=0.1,0.5..0.7:0.1"), ["0.1", "0.5", "0.6", "0.7"]);
        assert_eq!(
            values("p={ lognormal: { median: 1s, p99: 2s } },80ms"),
            ["{ lognormal: { median: 1s, p99: 2s } }", "80ms"]
        );
        assert_eq!(values("a=-0.2..0.2:0.2"), ["-0.2", "0.0", "0.2"]);
    }

    #[test]
    fn bad_dimensions() {
        let e = |arg: &str| parse_vary(arg).unwrap_err();
        assert_eq!(
            e("a=1..0:0.1"),
            "--vary a: the range 1..0:0.1 is empty: it ends below its start"
        );
        assert_eq!(
            e("a=0..1:0"),
            "--vary a: the range 0..1:0 has a step of 0; it must be above 0"
        );
        assert_eq!(e("a=1,1"), "--vary a: the value 1 is listed twice");
        assert_eq!(
            e("a="),
            "--vary a: an empty value in ''; separate values with single commas"
        );
        assert!(e("a").contains("no '='"));
        assert!(e("seed=1,2").contains("--seeds"));
        assert!(e("a..b=1").contains("not a path"));
        assert!(e("a=x..y:z").contains("not a range of numbers or of durations"));
        assert!(e("a=0..1:0.00001").contains("more than 10000 values"));
    }

    #[test]
    fn cross_product_in_plan_order() {
        let plan = Plan {
            dims: vec![parse_vary("a=1,2").unwrap(), parse_vary("b=x,y,z").unwrap()],
            modes: vec!["m1".into(), "m2".into()],
            seeds: 3,
        };
        let v = plan.variants();
        assert_eq!(v.len(), 12);
        assert_eq!(plan.variant_count(), 12);
        assert_eq!(plan.label(&v[0]), "a=1, b=x, m1");
        assert_eq!(plan.label(&v[1]), "a=1, b=x, m2");
        assert_eq!(plan.label(&v[2]), "a=1, b=y, m1");
        assert_eq!(plan.label(&v[11]), "a=2, b=z, m2");
        assert_eq!(plan.sets(&v[11]), ["a=2", "b=z"]);
    }

    #[test]
    fn replication_seeds_depend_on_the_base_and_index_only() {
        assert_eq!(replication_seed(7, 0), 7);
        assert_eq!(replication_seed(7, 3), replication_seed(7, 3));
        assert_ne!(replication_seed(7, 1), replication_seed(7, 2));
        assert_ne!(replication_seed(7, 1), replication_seed(8, 1));
    }

    #[test]
    fn modes_are_checked() {
        let known = ["a", "b"];
        assert_eq!(
            parse_modes(&["b".into(), " a".into()], &known).unwrap(),
            ["b", "a"]
        );
        assert!(parse_modes(&["c".into()], &known)
            .unwrap_err()
            .contains("unknown mode 'c'"));
        assert!(parse_modes(&["a".into(), "a".into()], &known)
            .unwrap_err()
            .contains("twice"));
    }
}
