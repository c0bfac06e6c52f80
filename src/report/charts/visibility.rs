//! The t-visibility chart of a run: per (writing region, reading region)
//! pair, the chance that a read there a given time after a write was
//! issued returns it or something newer, on a log time axis.
//!
//! Drawn from `RunResult::visibility` only, in the look of the other run
//! charts. Pairs where every write is visible at once (a region reading
//! its own writes under active-active) are left out of the drawing, not of
//! `visibility.csv`.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::style::{
    draw_legend, font, font_colour, line, stream_style, LegendEntry, LegendGroup, Swatch,
    AXIS_DESC_SIZE, GRID, GRID_LIGHT, LEGEND_WIDTH, MUTED, NOTE_SIZE, TICK_SIZE, TITLE_SIZE,
};
use super::{encode_png, err, no_data, Area, Chart, ChartFormat, WIDTH};
use crate::metrics::result::{RunResult, VisibilityCurve};
use crate::report::format;
use crate::Error;

/// The file name without extension.
pub const FILE_STEM: &str = "visibility";
pub const TITLE: &str = "Time until a read sees a write (t-visibility)";
/// One sentence on what to look for, for the report.
pub const CAPTION: &str = "For each pair of regions, the share of writes that a read in the \
     second region would already see (the write itself or a newer version) a given time after \
     the write was issued in the first. Where the curve reaches 100% is how long a reader \
     there may have to wait.";
const HEIGHT: u32 = 560;

/// The curves worth drawing: some write was not visible at once.
fn drawn(r: &RunResult) -> Vec<&VisibilityCurve> {
    r.visibility
        .iter()
        .filter(|c| c.points.first().is_some_and(|p| p.p_visible < 1.0))
        .collect()
}

/// Render the chart, or nothing when the run made no writes.
pub fn render(r: &RunResult, format: ChartFormat) -> crate::Result<Option<Chart>> {
    if r.visibility.is_empty() {
        return Ok(None);
    }
    super::style::register_font()?;
    let size = (WIDTH, HEIGHT);
    let file_name = format!("{FILE_STEM}.{}", format.extension());
    let fail = |e: String| Error::new(format!("chart {file_name}: {e}"));
    let bytes = match format {
        ChartFormat::Svg => {
            let mut svg = String::new();
            {
                let root = SVGBackend::with_string(&mut svg, size).into_drawing_area();
                paint(r, &root).map_err(fail)?;
                root.present().map_err(|e| fail(e.to_string()))?;
            }
            svg.into_bytes()
        }
        ChartFormat::Png => {
            let mut rgb = vec![0u8; size.0 as usize * size.1 as usize * 3];
            {
                let root = BitMapBackend::with_buffer(&mut rgb, size).into_drawing_area();
                paint(r, &root).map_err(fail)?;
                root.present().map_err(|e| fail(e.to_string()))?;
            }
            encode_png(&rgb, size).map_err(fail)?
        }
    };
    Ok(Some(Chart {
        file_name,
        title: TITLE.to_string(),
        bytes,
    }))
}

fn paint<DB: DrawingBackend>(r: &RunResult, root: &Area<DB>) -> Result<(), String> {
    root.fill(&WHITE).map_err(err)?;
    let (w, _) = root.dim_in_pixel();
    root.draw(&Text::new(TITLE, (20, 14), font(TITLE_SIZE)))
        .map_err(err)?;
    root.draw(&Text::new(
        "Share of writes a read would see, by time since the write's issue; \
         pairs that see every write at once are left out.",
        (20, 48),
        font_colour(NOTE_SIZE, MUTED),
    ))
    .map_err(err)?;
    let body = root.margin(76, 6, 6, 10);
    let (plot, legend) = body.split_horizontally(w as i32 - LEGEND_WIDTH as i32 - 16);
    let curves = drawn(r);
    // Points after the write's issue (the log axis has no 0; a curve
    // starts at its first grid point, which carries what was visible at
    // once).
    let lines: Vec<Vec<(f64, f64)>> = curves
        .iter()
        .map(|c| {
            c.points
                .iter()
                .filter(|p| p.after_ms > 0.0)
                .map(|p| (p.after_ms, p.p_visible * 100.0))
                .collect()
        })
        .collect();
    let (mut lo, mut hi) = (f64::INFINITY, 0.0f64);
    for l in &lines {
        // From where the curve starts to rise to where it ends.
        let start = l.iter().position(|p| p.1 > l[0].1).unwrap_or(0);
        if let Some(p) = l.get(start.saturating_sub(1)) {
            lo = lo.min(p.0);
        }
        if let Some(p) = l.last() {
            hi = hi.max(p.0);
        }
    }
    if !(lo.is_finite() && hi > 0.0) {
        lo = 1.0;
        hi = 1000.0;
    }
    let lo_dec = 10f64.powf(lo.log10().floor());
    let mut hi_dec = 10f64.powf(hi.log10().ceil());
    if hi_dec <= lo_dec {
        hi_dec = lo_dec * 10.0;
    }
    let mut chart = ChartBuilder::on(&plot)
        .margin_top(10)
        .margin_right(14)
        .x_label_area_size(60)
        .y_label_area_size(92)
        .build_cartesian_2d((lo_dec..hi_dec).log_scale(), 0.0..101.0)
        .map_err(err)?;
    chart
        .configure_mesh()
        .x_desc("time after the write's issue (ms, log scale)")
        .y_desc("writes a read would see (%)")
        .x_label_formatter(&|v| format::tick(*v))
        .y_label_formatter(&|v| format::tick(*v))
        .label_style(font(TICK_SIZE))
        .axis_desc_style(font(AXIS_DESC_SIZE))
        .bold_line_style(GRID)
        .light_line_style(GRID_LIGHT)
        .axis_style(MUTED)
        .x_labels(12)
        .y_labels(11)
        .draw()
        .map_err(err)?;
    let mut entries = Vec::new();
    for (i, (c, l)) in curves.iter().zip(&lines).enumerate() {
        let (colour, dash) = stream_style(i);
        entries.push(LegendEntry::new(
            format!("{} → {}", c.from, c.to),
            Swatch::Line(colour, dash),
        ));
        // Clipped to the axis: the last point holds to its end.
        let mut pts: Vec<(f64, f64)> = l
            .iter()
            .map(|&(x, y)| (x.clamp(lo_dec, hi_dec), y))
            .collect();
        if let Some(&(_, y)) = pts.last() {
            pts.push((hi_dec, y));
        }
        if let Some((on, off)) = dash.pattern() {
            chart
                .draw_series(DashedLineSeries::new(pts, on, off, line(colour, 2)))
                .map_err(err)?;
        } else {
            chart
                .draw_series(LineSeries::new(pts, line(colour, 2)))
                .map_err(err)?;
        }
    }
    if curves.is_empty() {
        no_data(
            chart.plotting_area().strip_coord_spec(),
            "every write was visible everywhere at once",
        )?;
    } else {
        chart
            .plotting_area()
            .draw(
                &(EmptyElement::at((lo_dec, 100.0))
                    + Text::new(
                        "100%",
                        (6, -3),
                        font_colour(NOTE_SIZE, MUTED).pos(Pos::new(HPos::Left, VPos::Bottom)),
                    )),
            )
            .map_err(err)?;
    }
    draw_legend(
        &legend,
        &[LegendGroup {
            heading: "writer → reader".to_string(),
            entries,
        }],
    )
}
