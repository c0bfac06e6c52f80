//! Heatmaps of a sweep over two numeric dimensions: for each chosen figure,
//! `charts/<figure>-heatmap.svg`, the first dimension across, the second
//! down, each cell coloured by the figure's mean over the seeds on one
//! colour scale (from the smallest mean to the largest, shown in a legend)
//! and holding the mean as text. Hand-written SVG from plain numbers, in
//! plan order: same input, same bytes.

use std::fmt::Write as _;

use super::plan::{Plan, Variant};
use super::tables::VariantFigures;
use super::text::shown;
use crate::report::charts::Chart;

/// The colour scale's stops (viridis at 0, ¼, ½, ¾ and 1): dark for the
/// smallest mean, light for the largest, readable in grey and by people
/// with the common colour blindnesses.
const STOPS: [(u8, u8, u8); 5] = [
    (68, 1, 84),
    (59, 82, 139),
    (33, 145, 140),
    (94, 201, 98),
    (253, 231, 37),
];

/// The colour of `t` from 0 to 1 on the scale, as `#rrggbb`.
pub fn colour(t: f64) -> String {
    let t = if t.is_finite() {
        t.clamp(0.0, 1.0)
    } else {
        0.0
    };
    let at = t * (STOPS.len() - 1) as f64;
    let i = (at.floor() as usize).min(STOPS.len() - 2);
    let f = at - i as f64;
    let mix = |a: u8, b: u8| (a as f64 + (b as f64 - a as f64) * f).round() as u8;
    let (a, b) = (STOPS[i], STOPS[i + 1]);
    format!(
        "#{:02x}{:02x}{:02x}",
        mix(a.0, b.0),
        mix(a.1, b.1),
        mix(a.2, b.2)
    )
}

/// Whether dark text reads better than white on the colour of `t`.
fn dark_text(t: f64) -> bool {
    t > 0.55
}

fn esc(s: &str) -> String {
    crate::report::gate::xml(s)
}

/// Whether a plan gets heatmaps: exactly two dimensions, both of numbers
/// or durations, and at most one mode.
pub fn applies(plan: &Plan, numbers: impl Fn(&[String]) -> bool) -> bool {
    plan.dims.len() == 2 && plan.modes.len() <= 1 && plan.dims.iter().all(|d| numbers(&d.values))
}

/// One heatmap: the mean of `figure` of each variant.
pub fn render(
    plan: &Plan,
    variants: &[Variant],
    figures: &[VariantFigures],
    figure: &str,
    unit: &str,
) -> Chart {
    let (xd, yd) = (&plan.dims[0], &plan.dims[1]);
    let (nx, ny) = (xd.values.len(), yd.values.len());
    let mut grid: Vec<Vec<Option<f64>>> = vec![vec![None; nx]; ny];
    for f in figures {
        let v = &variants[f.variant];
        if let Some(e) = f.get(figure) {
            grid[v.values[1]][v.values[0]] = Some(e.mean);
        }
    }
    let values: Vec<f64> = grid.iter().flatten().flatten().copied().collect();
    let lo = values.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let scale = |x: f64| {
        if hi > lo {
            (x - lo) / (hi - lo)
        } else {
            0.5
        }
    };

    let (left, top, legend_w) = (230.0, 90.0, 170.0);
    let width = 1100.0;
    let cell_w = ((width - left - legend_w - 30.0) / nx as f64).min(160.0);
    let cell_h = (420.0 / ny as f64).clamp(28.0, 60.0);
    let plot_w = cell_w * nx as f64;
    let plot_h = cell_h * ny as f64;
    let height = top + plot_h + 90.0;
    let title = format!(
        "{figure}: mean over the seeds by {} and {}",
        xd.path, yd.path
    );

    let mut o = String::new();
    let _ = writeln!(
        o,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" \
         viewBox=\"0 0 {width} {height}\" font-family=\"sans-serif\">"
    );
    let _ = writeln!(
        o,
        "<rect x=\"0\" y=\"0\" width=\"{width}\" height=\"{height}\" fill=\"#ffffff\"/>"
    );
    let _ = writeln!(
        o,
        "<text x=\"{}\" y=\"40\" font-size=\"24\" text-anchor=\"middle\" fill=\"#222222\">{}</text>",
        width / 2.0,
        esc(&title)
    );
    for (j, row) in grid.iter().enumerate() {
        let y = top + j as f64 * cell_h;
        let _ = writeln!(
            o,
            "<text x=\"{}\" y=\"{}\" font-size=\"15\" text-anchor=\"end\" \
             dominant-baseline=\"middle\" fill=\"#222222\">{}</text>",
            left - 10.0,
            y + cell_h / 2.0,
            esc(&yd.values[j])
        );
        for (i, cell) in row.iter().enumerate() {
            let x = left + i as f64 * cell_w;
            match cell {
                Some(v) => {
                    let t = scale(*v);
                    let _ = writeln!(
                        o,
                        "<rect class=\"cell\" x=\"{x}\" y=\"{y}\" width=\"{cell_w}\" height=\"{cell_h}\" \
                         fill=\"{}\" stroke=\"#ffffff\" data-x=\"{}\" data-y=\"{}\" data-mean=\"{v}\"/>",
                        colour(t),
                        esc(&xd.values[i]),
                        esc(&yd.values[j]),
                    );
                    let _ = writeln!(
                        o,
                        "<text class=\"value\" x=\"{}\" y=\"{}\" font-size=\"14\" text-anchor=\"middle\" \
                         dominant-baseline=\"middle\" fill=\"{}\">{}</text>",
                        x + cell_w / 2.0,
                        y + cell_h / 2.0,
                        if dark_text(t) { "#222222" } else { "#ffffff" },
                        esc(&shown(figure, *v))
                    );
                }
                None => {
                    let _ = writeln!(
                        o,
                        "<rect class=\"cell\" x=\"{x}\" y=\"{y}\" width=\"{cell_w}\" height=\"{cell_h}\" \
                         fill=\"#f2f2f2\" stroke=\"#ffffff\"/>"
                    );
                }
            }
        }
    }
    for (i, v) in xd.values.iter().enumerate() {
        let _ = writeln!(
            o,
            "<text x=\"{}\" y=\"{}\" font-size=\"15\" text-anchor=\"middle\" fill=\"#222222\">{}</text>",
            left + (i as f64 + 0.5) * cell_w,
            top + plot_h + 22.0,
            esc(v)
        );
    }
    let _ = writeln!(
        o,
        "<text x=\"{}\" y=\"{}\" font-size=\"17\" text-anchor=\"middle\" fill=\"#222222\">{}</text>",
        left + plot_w / 2.0,
        top + plot_h + 55.0,
        esc(&xd.path)
    );
    let _ = writeln!(
        o,
        "<text x=\"20\" y=\"{}\" font-size=\"17\" fill=\"#222222\">{}</text>",
        top - 15.0,
        esc(&format!("↓ {}", yd.path))
    );

    // The legend: the scale from the smallest mean (bottom) to the largest.
    let lx = left + plot_w + 40.0;
    let lh = plot_h.max(120.0);
    let _ = writeln!(
        o,
        "<defs><linearGradient id=\"scale\" x1=\"0\" y1=\"1\" x2=\"0\" y2=\"0\">"
    );
    for (k, _) in STOPS.iter().enumerate() {
        let t = k as f64 / (STOPS.len() - 1) as f64;
        let _ = writeln!(o, "<stop offset=\"{t}\" stop-color=\"{}\"/>", colour(t));
    }
    o.push_str("</linearGradient></defs>\n");
    let _ = writeln!(
        o,
        "<rect class=\"legend\" x=\"{lx}\" y=\"{top}\" width=\"24\" height=\"{lh}\" fill=\"url(#scale)\"/>"
    );
    let _ = writeln!(
        o,
        "<text x=\"{lx}\" y=\"{}\" font-size=\"14\" fill=\"#606060\">{}</text>",
        top - 15.0,
        esc(&format!("mean ({unit})"))
    );
    if values.is_empty() {
        o.push_str("</svg>\n");
    } else {
        for k in 0..5 {
            let t = k as f64 / 4.0;
            let value = lo + (hi - lo) * t;
            let y = top + lh * (1.0 - t);
            let _ = writeln!(
                o,
                "<text class=\"tick\" x=\"{}\" y=\"{y}\" font-size=\"14\" dominant-baseline=\"middle\" \
                 fill=\"#222222\">{}</text>",
                lx + 32.0,
                esc(&shown(figure, value))
            );
        }
        o.push_str("</svg>\n");
    }
    Chart {
        file_name: format!("{figure}-heatmap.svg"),
        title,
        bytes: o.into_bytes(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_scale_runs_from_its_first_stop_to_its_last() {
        assert_eq!(colour(0.0), "#440154");
        assert_eq!(colour(1.0), "#fde725");
        assert_eq!(colour(0.5), "#21918c");
        // Halfway between the first two stops.
        assert_eq!(colour(0.125), "#402a70");
        assert_eq!(colour(f64::NAN), "#440154");
    }
}
