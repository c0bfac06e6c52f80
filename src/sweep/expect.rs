//! Conditions on a sweep's figures, checked for every variant:
//! `lost_write_rate.ci_high: "< 0.05"` holds when the upper end of every
//! variant's 95% interval of the lost-write rate is below 0.05. A name is
//! a numeric `summary.csv` figure and one of `mean`, `sd`, `ci_low`,
//! `ci_high` (a bare figure means its mean). With one seed there is no sd
//! or interval: such a condition is checked on the mean, and says so.

use super::plan::Plan;
use super::stats::Estimate;
use super::tables::{self, figure_names, VariantFigures};
use crate::scenario::CompareOp;

/// The parts of an estimate a condition can name.
pub const PARTS: &[&str] = &["mean", "sd", "ci_low", "ci_high"];

/// One condition.
#[derive(Clone, Debug, PartialEq)]
pub struct SweepExpect {
    /// As written: `lost_write_rate.ci_high`.
    pub name: String,
    pub figure: &'static str,
    pub part: &'static str,
    pub op: CompareOp,
    pub bound: f64,
    /// The condition as written: `< 0.05`.
    pub condition: String,
}

/// How a condition came out over the variants.
#[derive(Clone, Debug, PartialEq)]
pub struct SweepOutcome {
    pub expect: SweepExpect,
    /// (variant, value) of each variant where it failed.
    pub failed: Vec<(usize, f64)>,
    pub variants: usize,
}

/// Parses a name and a condition (`< 0.05`, `>= 3`, `== 0`, a number).
pub fn parse(name: &str, condition: &str) -> Result<SweepExpect, String> {
    let known = figure_names();
    let (figure, part) = match name.rsplit_once('.') {
        Some((f, p)) if PARTS.contains(&p) => (f, p),
        _ => (name, "mean"),
    };
    let Some(&figure) = known.iter().find(|k| **k == figure) else {
        return Err(crate::scenario::unknown_name(
            "sweep figure",
            figure,
            &known,
            "a sweep's figures are any numeric summary.csv column, with .mean, .sd, .ci_low or \
             .ci_high after it; figures are",
        ));
    };
    let part = PARTS
        .iter()
        .find(|p| **p == part)
        .copied()
        .unwrap_or("mean");
    let text = condition.trim();
    let (op, rest) = [
        ("<=", CompareOp::Le),
        (">=", CompareOp::Ge),
        ("==", CompareOp::Eq),
        ("<", CompareOp::Lt),
        (">", CompareOp::Gt),
    ]
    .iter()
    .find_map(|(sym, op)| text.strip_prefix(sym).map(|r| (*op, r.trim())))
    .unwrap_or((CompareOp::Eq, text));
    let bound: f64 = rest
        .parse()
        .ok()
        .filter(|v: &f64| v.is_finite())
        .ok_or_else(|| {
            format!(
                "'{text}' is not a condition; write one such as '< 0.01', '<= 5', '> 0', '>= 3', \
             '== 0' or a number"
            )
        })?;
    Ok(SweepExpect {
        name: name.to_string(),
        figure,
        part,
        op,
        bound,
        condition: format!("{} {rest}", op.symbol()),
    })
}

/// Parses `NAME OP VALUE` as given to `--expect` (`lost_write_rate.ci_high<0.05`).
pub fn parse_arg(arg: &str) -> Result<SweepExpect, String> {
    let at = arg.find(['<', '>', '=']).ok_or_else(|| {
        format!("--expect {arg}: write NAME OP VALUE, such as 'lost_write_rate.ci_high < 0.05'")
    })?;
    parse(arg[..at].trim(), &arg[at..]).map_err(|e| format!("--expect {arg}: {e}"))
}

/// The part of an estimate a condition reads; the mean when there is no
/// spread to measure (one seed).
fn value(e: &Estimate, part: &str) -> f64 {
    match part {
        "sd" => e.sd.unwrap_or(0.0),
        "ci_low" => e.ci.map_or(e.mean, |c| c.0),
        "ci_high" => e.ci.map_or(e.mean, |c| c.1),
        _ => e.mean,
    }
}

/// Checks every condition against every variant.
pub fn check(expects: &[SweepExpect], figures: &[VariantFigures]) -> Vec<SweepOutcome> {
    expects
        .iter()
        .map(|x| {
            let failed = figures
                .iter()
                .filter_map(|f| {
                    let v = value(f.get(x.figure)?, x.part);
                    (!x.op.holds(v, x.bound)).then_some((f.variant, v))
                })
                .collect();
            SweepOutcome {
                expect: x.clone(),
                failed,
                variants: figures.len(),
            }
        })
        .collect()
}

/// `expect lost_write_rate.ci_high < 0.05: ok (every one of 5 variants)`,
/// or the variants where it failed with their values.
pub fn line(plan: &Plan, o: &SweepOutcome) -> String {
    let head = format!("expect {} {}", o.expect.name, o.expect.condition);
    if o.failed.is_empty() {
        return format!("{head}: ok (all {} variants)", o.variants);
    }
    let variants = plan.variants();
    let shown: Vec<String> = o
        .failed
        .iter()
        .take(5)
        .map(|(v, value)| {
            let label = plan.label(&variants[*v]);
            format!("{label} ({})", tables::format_stat(Some(*value)))
        })
        .collect();
    let more = if o.failed.len() > 5 {
        format!(" and {} more", o.failed.len() - 5)
    } else {
        String::new()
    };
    format!(
        "{head}: FAILED for {} of {} variants: {}{more}",
        o.failed.len(),
        o.variants,
        shown.join("; ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sweep::stats::estimate;

    fn figures(rates: &[[f64; 3]]) -> Vec<VariantFigures> {
        let names = figure_names();
        rates
            .iter()
            .enumerate()
            .map(|(variant, r)| VariantFigures {
                variant,
                mode: "active_active".into(),
                estimates: names
                    .iter()
                    .map(|n| {
                        estimate(if *n == "lost_write_rate" {
                            r
                        } else {
                            &[0.0; 3]
                        })
                    })
                    .collect(),
            })
            .collect()
    }

    #[test]
    fn the_upper_end_of_every_variant() {
        // 0.01, 0.02, 0.03: mean 0.02, s = 0.01, upper end 0.02 + 4.303 · 0.01
        // / √3 = 0.04484; 0.04, 0.05, 0.06: upper end 0.07484.
        let f = figures(&[[0.01, 0.02, 0.03], [0.04, 0.05, 0.06]]);
        let x = parse("lost_write_rate.ci_high", "< 0.05").unwrap();
        let out = check(&[x], &f);
        assert_eq!(out[0].failed.len(), 1);
        assert_eq!(out[0].failed[0].0, 1);
        assert!((out[0].failed[0].1 - 0.074_84).abs() < 1e-4);
        let mean = parse("lost_write_rate", "<= 0.05").unwrap();
        assert_eq!(mean.part, "mean");
        assert!(check(&[mean], &f)[0].failed.is_empty());
        let arg = parse_arg("lost_write_rate.ci_low>0.03").unwrap();
        assert_eq!(
            (arg.figure, arg.part, arg.bound),
            ("lost_write_rate", "ci_low", 0.03)
        );
    }

    #[test]
    fn bad_names_and_conditions() {
        assert!(parse("lost_write_rat.ci_high", "< 1")
            .unwrap_err()
            .contains("did you mean 'lost_write_rate'"));
        assert!(parse("lost_write_rate", "below 1")
            .unwrap_err()
            .contains("not a condition"));
        assert!(parse_arg("lost_write_rate")
            .unwrap_err()
            .contains("NAME OP VALUE"));
    }
}
