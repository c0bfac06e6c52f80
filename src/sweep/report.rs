//! A sweep's charts and `report.html`: the plan, the table of means and
//! intervals, and one chart per chosen figure against the first dimension.
//! Made from the plan record and the variants' figures only, so a merged
//! sweep draws the same bytes as one run in a single process.

use crate::metrics::figures::{self, Value};
use crate::metrics::result::Summary;
use crate::report::charts::sweep::{self as chart, Series, SweepChart};
use crate::report::charts::{Chart, ChartFormat};
use crate::scenario::units::parse_signed_duration;
use crate::Result;

use super::plan::{Plan, Variant};
use super::record::PlanRecord;
use super::tables::VariantFigures;
use super::{heatmap, text};

/// The unit of a figure's axis, and whether it is shown as a percentage.
fn unit(name: &str) -> (&'static str, bool) {
    match figures::find(figures::SUMMARY, name).map(|f| (f.get)(&Summary::default())) {
        Some(Value::Rate(_)) => ("fraction", true),
        Some(Value::Bool(_)) => ("share of runs", true),
        Some(Value::Ms(_) | Value::Quantile(_)) => ("ms", false),
        Some(Value::Secs(_)) => ("s", false),
        _ => ("count", false),
    }
}

/// A dimension's values as numbers (durations in milliseconds), when
/// every one is one.
fn numbers(values: &[String]) -> Option<Vec<f64>> {
    values
        .iter()
        .map(|v| {
            v.parse::<f64>()
                .ok()
                .filter(|x| x.is_finite())
                .or_else(|| parse_signed_duration(v).ok().map(|ns| ns as f64 / 1e6))
        })
        .collect()
}

/// The charts' inputs: per figure, the mean against the first dimension,
/// one line per combination of the other dimensions and the mode.
pub fn chart_inputs(
    plan: &Plan,
    variants: &[Variant],
    figures: &[VariantFigures],
    names: &[&str],
) -> Vec<SweepChart> {
    let (x_label, x_values) = match plan.dims.first() {
        Some(d) => (d.path.clone(), d.values.clone()),
        None => (
            "mode".to_string(),
            if plan.modes.is_empty() {
                figures.iter().map(|f| f.mode.clone()).take(1).collect()
            } else {
                plan.modes.clone()
            },
        ),
    };
    let x_numbers = if plan.dims.is_empty() {
        None
    } else {
        numbers(&x_values)
    };
    // A variant's x position and the label of its line.
    let place = |v: &Variant| -> (usize, String) {
        if plan.dims.is_empty() {
            return (v.mode.unwrap_or(0), "all".to_string());
        }
        let mut parts: Vec<String> = plan.dims[1..]
            .iter()
            .zip(&v.values[1..])
            .map(|(d, &i)| format!("{}={}", d.path, d.values[i]))
            .collect();
        if let Some(m) = v.mode {
            parts.push(plan.modes[m].clone());
        }
        let label = if parts.is_empty() {
            "mean".to_string()
        } else {
            parts.join(", ")
        };
        (v.values[0], label)
    };
    let mut legend: Vec<String> = plan.dims.iter().skip(1).map(|d| d.path.clone()).collect();
    if !plan.modes.is_empty() && !plan.dims.is_empty() {
        legend.push("mode".into());
    }
    names
        .iter()
        .map(|&name| {
            let mut series: Vec<Series> = Vec::new();
            for f in figures {
                let (x, label) = place(&variants[f.variant]);
                let Some(e) = f.get(name) else { continue };
                let point = (x, e.mean, e.ci);
                match series.iter_mut().find(|s| s.label == label) {
                    Some(s) => s.points.push(point),
                    None => series.push(Series {
                        label,
                        points: vec![point],
                    }),
                }
            }
            let (unit, percent) = unit(name);
            SweepChart {
                figure: name.to_string(),
                unit: unit.to_string(),
                percent,
                x_label: x_label.clone(),
                x_values: x_values.clone(),
                x_numbers: x_numbers.clone(),
                legend: if legend.is_empty() {
                    "lines".to_string()
                } else {
                    legend.join(", ")
                },
                series,
            }
        })
        .collect()
}

/// The charts, one per figure.
pub fn charts(
    plan: &Plan,
    variants: &[Variant],
    figures: &[VariantFigures],
    names: &[&str],
    format: ChartFormat,
) -> Result<Vec<Chart>> {
    let mut out = chart_inputs(plan, variants, figures, names)
        .iter()
        .map(|c| chart::render(c, format))
        .collect::<Result<Vec<_>>>()?;
    if format == ChartFormat::Svg && heatmap::applies(plan, |v| numbers(v).is_some()) {
        for &name in names {
            let (unit, percent) = unit(name);
            let unit = if percent { "percent" } else { unit };
            out.push(heatmap::render(plan, variants, figures, name, unit));
        }
    }
    Ok(out)
}

fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// `report.html`: self-contained (SVG charts inline; PNG charts linked).
pub fn html(
    record: &PlanRecord,
    figures: &[VariantFigures],
    names: &[&str],
    charts: &[Chart],
    expectations: &[String],
) -> String {
    let plan = record.plan();
    let variants = plan.variants();
    let mut h = String::new();
    h.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    h.push_str(&format!("<title>{} sweep</title>\n", esc(&record.name)));
    h.push_str(
        "<style>\nbody { font-family: sans-serif; margin: 2em auto; max-width: 1150px; color: #222; }\n\
         table { border-collapse: collapse; margin: 1em 0; }\n\
         th, td { padding: 0.25em 0.8em; border-bottom: 1px solid #ddd; text-align: right; }\n\
         th.l, td.l { text-align: left; }\ncode { background: #f4f4f4; padding: 0 0.2em; }\n\
         figure { margin: 2em 0; } svg { max-width: 100%; height: auto; }\n</style>\n</head>\n<body>\n",
    );
    h.push_str(&format!("<h1>{} sweep</h1>\n", esc(&record.name)));
    h.push_str(&format!(
        "<p>Scenario <code>{}</code>, seed {}: {} variant{} × {} seed{} = {} runs. \
         Replication i runs with the same seed in every variant.</p>\n",
        esc(&record.scenario),
        record.seed,
        record.variants,
        if record.variants == 1 { "" } else { "s" },
        record.seeds,
        if record.seeds == 1 { "" } else { "s" },
        record.runs
    ));
    h.push_str("<h2>Plan</h2>\n<ul>\n");
    for d in &record.vary {
        h.push_str(&format!(
            "<li><code>{}</code>: {}</li>\n",
            esc(&d.path),
            esc(&d.values.join(", "))
        ));
    }
    if !record.modes.is_empty() {
        h.push_str(&format!(
            "<li>modes: {}</li>\n",
            esc(&record.modes.join(", "))
        ));
    }
    for s in &record.sets {
        h.push_str(&format!(
            "<li>every variant: <code>--set {}</code></li>\n",
            esc(s)
        ));
    }
    h.push_str("</ul>\n");
    h.push_str("<h2>Figures</h2>\n<p>Mean ± half the 95% confidence interval (Student t over the seeds). \
                Every figure of every variant is in <a href=\"sweep.csv\">sweep.csv</a>, every run in \
                <a href=\"runs.csv\">runs.csv</a>.</p>\n<table>\n<tr>");
    let label_columns = plan.dims.len() + 1;
    for (row, line) in text::cells(&plan, &variants, figures, names)
        .iter()
        .enumerate()
    {
        if row > 0 {
            h.push_str("<tr>");
        }
        for (c, cell) in line.iter().enumerate() {
            let tag = if row == 0 { "th" } else { "td" };
            let class = if c < label_columns {
                " class=\"l\""
            } else {
                ""
            };
            h.push_str(&format!("<{tag}{class}>{}</{tag}>", esc(cell)));
        }
        h.push_str("</tr>\n");
    }
    h.push_str("</table>\n");
    if !expectations.is_empty() {
        h.push_str("<h2>Expectations</h2>\n<ul>\n");
        for e in expectations {
            h.push_str(&format!("<li>{}</li>\n", esc(e)));
        }
        h.push_str("</ul>\n");
    }
    if !charts.is_empty() {
        h.push_str("<h2>Charts</h2>\n");
    }
    for c in charts {
        h.push_str(&format!(
            "<figure>\n<figcaption>{}</figcaption>\n",
            esc(&c.title)
        ));
        match c.format() {
            ChartFormat::Svg => {
                let svg = String::from_utf8_lossy(&c.bytes);
                let body = svg.find("<svg").map_or(&svg[..], |at| &svg[at..]);
                h.push_str(body);
                h.push('\n');
            }
            ChartFormat::Png => h.push_str(&format!(
                "<img src=\"charts/{}\" alt=\"{}\">\n",
                esc(&c.file_name),
                esc(&c.title)
            )),
        }
        h.push_str("</figure>\n");
    }
    h.push_str("</body>\n</html>\n");
    h
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sweep::plan::parse_vary;
    use crate::sweep::stats::estimate;
    use crate::sweep::tables::figure_names;

    #[test]
    fn one_line_per_other_value_against_the_first_dimension() {
        let plan = Plan {
            dims: vec![
                parse_vary("regions.a.clock.offset=0ms,50ms,200ms").unwrap(),
                parse_vary("replication.timestamps=wall,hlc").unwrap(),
            ],
            modes: vec![],
            seeds: 2,
        };
        let variants = plan.variants();
        let names = figure_names();
        let figures: Vec<VariantFigures> = (0..variants.len())
            .map(|variant| VariantFigures {
                variant,
                mode: "active_active".into(),
                estimates: names
                    .iter()
                    .map(|_| estimate(&[variant as f64, 1.0]))
                    .collect(),
            })
            .collect();
        let inputs = chart_inputs(&plan, &variants, &figures, &["lost_write_rate"]);
        assert_eq!(inputs.len(), 1);
        let c = &inputs[0];
        assert_eq!(c.x_numbers, Some(vec![0.0, 50.0, 200.0]));
        assert!(c.percent);
        assert_eq!(c.series.len(), 2);
        assert_eq!(c.series[0].label, "replication.timestamps=wall");
        // Variants 0, 2, 4 are wall at offsets 0, 50, 200 ms.
        let xs: Vec<usize> = c.series[0].points.iter().map(|p| p.0).collect();
        assert_eq!(xs, [0, 1, 2]);
        assert_eq!(c.series[0].points[1].1, (2.0 + 1.0) / 2.0);
    }
}
