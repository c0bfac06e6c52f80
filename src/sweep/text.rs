//! The terminal table of a sweep: one line per variant in plan order, its
//! values, its mode, n, and each chosen figure as mean ± the interval's
//! half width. Formatting only.

use crate::metrics::figures::{self, Value};
use crate::metrics::result::Summary;
use crate::report::format;

use super::plan::{Plan, Variant};
use super::tables::VariantFigures;

/// The figures the table shows when none are chosen: the costs of the
/// modes in the plan.
pub fn default_figures(modes: &[String]) -> Vec<&'static str> {
    let mut names = vec!["lost_write_rate", "stale_read_rate", "lag_p99_ms"];
    if modes.iter().any(|m| m == "single_primary" || m == "strong") {
        names.push("write_latency_p99_ms");
    }
    if modes.iter().any(|m| m == "single_primary") {
        names.push("rpo_lost_writes");
    }
    names
}

/// A figure's mean or half width as people read it, by the one precision
/// rule (`report::format`): rates and booleans as percentages, others to
/// three significant digits (a mean of counts is not a count).
pub(crate) fn shown(name: &str, v: f64) -> String {
    let kind = figures::find(figures::SUMMARY, name).map(|f| (f.get)(&Summary::default()));
    match kind {
        Some(Value::Rate(_) | Value::Bool(_)) => format::percent(v),
        _ => format::sig(v, 3, 6),
    }
}

/// The cell of one estimate: `mean ± half` (just the mean with n = 1).
fn cell(name: &str, f: &VariantFigures) -> String {
    match f.get(name) {
        Some(e) => match e.ci {
            Some((lo, hi)) => format!("{} ± {}", shown(name, e.mean), shown(name, (hi - lo) / 2.0)),
            None => shown(name, e.mean),
        },
        None => "-".to_string(),
    }
}

/// The table as cells: a header row, then one row per variant in plan
/// order (the report's table has the same cells).
pub fn cells(
    plan: &Plan,
    variants: &[Variant],
    figures: &[VariantFigures],
    names: &[&str],
) -> Vec<Vec<String>> {
    let mut header: Vec<String> = plan.dims.iter().map(|d| d.path.clone()).collect();
    header.push("mode".into());
    header.push("n".into());
    header.extend(names.iter().map(|n| n.to_string()));
    let mut rows = vec![header];
    for f in figures {
        let v = &variants[f.variant];
        let mut row: Vec<String> = plan
            .dims
            .iter()
            .zip(&v.values)
            .map(|(d, &i)| d.values[i].clone())
            .collect();
        row.push(f.mode.clone());
        row.push(f.estimates.first().map_or(0, |e| e.n).to_string());
        row.extend(names.iter().map(|n| cell(n, f)));
        rows.push(row);
    }
    rows
}

/// The table, with a header line; `names` are the figures to show.
pub fn table(
    plan: &Plan,
    variants: &[Variant],
    figures: &[VariantFigures],
    names: &[&str],
) -> String {
    let rows = cells(plan, variants, figures, names);
    let columns = rows[0].len();
    let widths: Vec<usize> = (0..columns)
        .map(|c| rows.iter().map(|r| r[c].chars().count()).max().unwrap_or(0))
        .collect();
    let label_columns = plan.dims.len() + 1;
    let mut out = String::new();
    for row in &rows {
        let mut line = String::new();
        for (c, text) in row.iter().enumerate() {
            let pad = widths[c] - text.chars().count();
            line.push_str("  ");
            if c < label_columns {
                line.push_str(text);
                line.push_str(&" ".repeat(pad));
            } else {
                line.push_str(&" ".repeat(pad));
                line.push_str(text);
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sweep::plan::parse_vary;
    use crate::sweep::stats::estimate;
    use crate::sweep::tables::figure_names;

    #[test]
    fn rows_in_plan_order_with_mean_and_half_width() {
        let plan = Plan {
            dims: vec![parse_vary("workload.0.home_affinity=0.5,0.9").unwrap()],
            modes: vec![],
            seeds: 2,
        };
        let variants = plan.variants();
        let names = figure_names();
        let make = |variant: usize, rate: [f64; 2]| VariantFigures {
            variant,
            mode: "active_active".into(),
            estimates: names
                .iter()
                .map(|n| {
                    if *n == "lost_write_rate" {
                        estimate(&rate)
                    } else {
                        estimate(&[1.0, 1.0])
                    }
                })
                .collect(),
        };
        let figures = vec![make(0, [0.1, 0.1]), make(1, [0.0, 0.02])];
        let text = table(&plan, &variants, &figures, &["lost_write_rate"]);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 3);
        assert!(lines[0].starts_with("  workload.0.home_affinity  mode"));
        assert!(lines[1].starts_with("  0.5  "), "{}", lines[1]);
        assert!(lines[1].ends_with("10% ± 0%"), "{}", lines[1]);
        // 0 and 0.02: mean 1%, half width 12.706 · 0.01414 / √2 = 12.7%.
        assert!(lines[2].ends_with("1% ± 12.7%"), "{}", lines[2]);
    }
}
