//! The charts of `replisim sweep`: one per chosen figure, its mean against
//! the first dimension with the 95% interval as a band, one line per value
//! of the other dimensions (the mode among them), in the look of the run
//! charts. A numeric first dimension (numbers or durations) is drawn to
//! scale; any other as evenly spaced categories. Reads plain numbers only;
//! same input, same bytes.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::style::{
    draw_legend, font, font_colour, line, stream_style, LegendEntry, LegendGroup, Swatch,
    AXIS_DESC_SIZE, GRID, LEGEND_WIDTH, MUTED, NOTE_SIZE, TICK_SIZE, TITLE_SIZE,
};
use super::{encode_png, err, Area, Chart, ChartFormat, WIDTH};
use crate::report::format::{percent as fmt_pct, tick as fmt_tick};
use crate::Error;

/// A point of a line: the index of its x value, the mean, and the
/// interval's ends (absent with one seed).
pub type Point = (usize, f64, Option<(f64, f64)>);

/// One line: its label and its points.
#[derive(Clone, Debug, PartialEq)]
pub struct Series {
    pub label: String,
    pub points: Vec<Point>,
}

/// What one sweep chart shows.
#[derive(Clone, Debug, PartialEq)]
pub struct SweepChart {
    /// The figure's name (`lost_write_rate`): the file is `<figure>.svg`.
    pub figure: String,
    /// The y axis: `fraction`, `ms`, `writes`.
    pub unit: String,
    /// Rates and shares are shown as percentages.
    pub percent: bool,
    /// The first dimension's path, the x axis.
    pub x_label: String,
    /// Its values as written, in plan order.
    pub x_values: Vec<String>,
    /// The same as numbers, when every one is (durations in ms).
    pub x_numbers: Option<Vec<f64>>,
    /// The heading of the legend (the other dimensions' paths).
    pub legend: String,
    pub series: Vec<Series>,
}

const SIZE: (u32, u32) = (WIDTH, 560);

/// Renders one sweep chart.
pub fn render(chart: &SweepChart, format: ChartFormat) -> crate::Result<Chart> {
    super::style::register_font()?;
    let file_name = format!("{}.{}", chart.figure, format.extension());
    let fail = |e: String| Error::new(format!("chart {file_name}: {e}"));
    let bytes = match format {
        ChartFormat::Svg => {
            let mut svg = String::new();
            {
                let root = SVGBackend::with_string(&mut svg, SIZE).into_drawing_area();
                paint(chart, &root).map_err(fail)?;
                root.present().map_err(|e| fail(e.to_string()))?;
            }
            svg.into_bytes()
        }
        ChartFormat::Png => {
            let mut rgb = vec![0u8; SIZE.0 as usize * SIZE.1 as usize * 3];
            {
                let root = BitMapBackend::with_buffer(&mut rgb, SIZE).into_drawing_area();
                paint(chart, &root).map_err(fail)?;
                root.present().map_err(|e| fail(e.to_string()))?;
            }
            encode_png(&rgb, SIZE).map_err(fail)?
        }
    };
    Ok(Chart {
        file_name,
        title: title(chart),
        bytes,
    })
}

fn title(chart: &SweepChart) -> String {
    format!("{} against {}", chart.figure, chart.x_label)
}

fn paint<DB: DrawingBackend>(chart: &SweepChart, root: &Area<DB>) -> Result<(), String> {
    root.fill(&WHITE).map_err(err)?;
    let (w, _) = root.dim_in_pixel();
    root.draw(&Text::new(title(chart), (20, 14), font(TITLE_SIZE)))
        .map_err(err)?;
    root.draw(&Text::new(
        "Mean over the seeds; the band is the 95% confidence interval (Student t).",
        (20, 48),
        font_colour(NOTE_SIZE, MUTED),
    ))
    .map_err(err)?;
    let body = root.margin(76, 6, 6, 10);
    let (plot, legend) = body.split_horizontally(w as i32 - LEGEND_WIDTH as i32 - 16);

    let n = chart.x_values.len();
    let x_of = |i: usize| -> f64 {
        match &chart.x_numbers {
            Some(xs) => xs[i],
            None => i as f64,
        }
    };
    let (x_lo, x_hi) = match &chart.x_numbers {
        Some(xs) if n > 1 => {
            let lo = xs.iter().cloned().fold(f64::INFINITY, f64::min);
            let hi = xs.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
            let pad = (hi - lo) * 0.04;
            (lo - pad, hi + pad)
        }
        Some(xs) => (xs[0] - 1.0, xs[0] + 1.0),
        None => (-0.5, n.max(1) as f64 - 0.5),
    };
    let mut y_lo = f64::INFINITY;
    let mut y_hi = f64::NEG_INFINITY;
    for s in &chart.series {
        for &(_, mean, ci) in &s.points {
            let (lo, hi) = ci.unwrap_or((mean, mean));
            y_lo = y_lo.min(lo.min(mean));
            y_hi = y_hi.max(hi.max(mean));
        }
    }
    if !y_lo.is_finite() || !y_hi.is_finite() {
        (y_lo, y_hi) = (0.0, 1.0);
    }
    // From zero when every value is at or above it, as counts and rates are.
    let y_lo = if y_lo >= 0.0 { 0.0 } else { y_lo * 1.1 };
    let y_hi = if y_hi > y_lo {
        y_hi + (y_hi - y_lo) * 0.1
    } else {
        y_lo + 1.0
    };

    let percent = chart.percent;
    let y_fmt = |v: &f64| if percent { fmt_pct(*v) } else { fmt_tick(*v) };
    let categorical = chart.x_numbers.is_none();
    let x_fmt = |v: &f64| {
        if categorical {
            let i = v.round();
            if (v - i).abs() < 1e-9 && i >= 0.0 && (i as usize) < n {
                chart.x_values[i as usize].clone()
            } else {
                String::new()
            }
        } else {
            fmt_tick(*v)
        }
    };
    let mut ctx = ChartBuilder::on(&plot)
        .margin_top(8)
        .margin_right(24)
        .x_label_area_size(64)
        .y_label_area_size(96)
        .build_cartesian_2d(x_lo..x_hi, y_lo..y_hi)
        .map_err(err)?;
    let y_desc = if percent {
        "%".to_string()
    } else {
        chart.unit.clone()
    };
    {
        let mut mesh = ctx.configure_mesh();
        mesh.x_desc(chart.x_label.as_str())
            .y_desc(y_desc)
            .x_label_formatter(&x_fmt)
            .y_label_formatter(&y_fmt)
            .label_style(font(TICK_SIZE))
            .axis_desc_style(font(AXIS_DESC_SIZE))
            .bold_line_style(GRID)
            .max_light_lines(0)
            .axis_style(MUTED)
            .y_labels(6);
        if categorical {
            mesh.x_labels(n.max(1) * 2 + 1).disable_x_mesh();
        } else {
            mesh.x_labels(8);
        }
        mesh.draw().map_err(err)?;
    }

    let mut entries = Vec::new();
    for (k, s) in chart.series.iter().enumerate() {
        let (colour, dash) = stream_style(k);
        let band: Vec<(f64, f64, f64)> = s
            .points
            .iter()
            .filter_map(|&(i, _, ci)| ci.map(|(lo, hi)| (x_of(i), lo, hi)))
            .collect();
        if band.len() >= 2 {
            let mut outline: Vec<(f64, f64)> = band.iter().map(|&(x, _, hi)| (x, hi)).collect();
            outline.extend(band.iter().rev().map(|&(x, lo, _)| (x, lo)));
            ctx.draw_series(std::iter::once(Polygon::new(
                outline,
                colour.mix(0.18).filled(),
            )))
            .map_err(err)?;
        }
        for &(x, lo, hi) in &band {
            ctx.draw_series(std::iter::once(PathElement::new(
                vec![(x, lo), (x, hi)],
                line(colour, 2),
            )))
            .map_err(err)?;
        }
        let points: Vec<(f64, f64)> = s.points.iter().map(|&(i, m, _)| (x_of(i), m)).collect();
        ctx.draw_series(std::iter::once(PathElement::new(
            points.clone(),
            line(colour, 3),
        )))
        .map_err(err)?;
        ctx.draw_series(points.iter().map(|&p| Circle::new(p, 5, colour.filled())))
            .map_err(err)?;
        entries.push(LegendEntry::new(
            s.label.clone(),
            Swatch::Line(colour, dash),
        ));
    }
    if chart.series.iter().all(|s| s.points.is_empty()) {
        plot.draw(&Text::new(
            "no variants",
            (40, 40),
            font_colour(NOTE_SIZE, MUTED).pos(Pos::new(HPos::Left, VPos::Top)),
        ))
        .map_err(err)?;
    }
    draw_legend(
        &legend,
        &[LegendGroup {
            heading: chart.legend.clone(),
            entries,
        }],
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chart(numbers: bool) -> SweepChart {
        SweepChart {
            figure: "lost_write_rate".into(),
            unit: "fraction".into(),
            percent: true,
            x_label: "workload.0.home_affinity".into(),
            x_values: vec!["0.5".into(), "0.9".into()],
            x_numbers: numbers.then(|| vec![0.5, 0.9]),
            legend: "replication.timestamps".into(),
            series: vec![
                Series {
                    label: "wall".into(),
                    points: vec![(0, 0.1, Some((0.08, 0.12))), (1, 0.02, Some((0.01, 0.03)))],
                },
                Series {
                    label: "hlc".into(),
                    points: vec![(0, 0.09, None), (1, 0.01, None)],
                },
            ],
        }
    }

    #[test]
    fn draws_the_same_bytes_every_time() {
        for numbers in [true, false] {
            let a = render(&chart(numbers), ChartFormat::Svg).unwrap();
            let b = render(&chart(numbers), ChartFormat::Svg).unwrap();
            assert_eq!(a, b);
            assert_eq!(a.file_name, "lost_write_rate.svg");
            let svg = String::from_utf8(a.bytes).unwrap();
            assert!(svg.contains("wall") && svg.contains("hlc"));
            assert!(svg.contains("<polygon"), "the band is drawn");
        }
        let png = render(&chart(true), ChartFormat::Png).unwrap();
        assert!(png.bytes.starts_with(b"\x89PNG"));
    }
}
