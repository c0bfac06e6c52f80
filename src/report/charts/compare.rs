//! The charts of `replisim compare`: one scenario under several replication
//! modes, side by side, in the look of the run charts (same font, palette,
//! text sizes and legend panel).
//!
//! - `compare_outcomes`: small multiples, one panel per figure (lost writes,
//!   stale reads, write conflict errors, rejected and unavailable writes,
//!   write downtime), one bar per mode, each panel on its own scale.
//! - `compare_write_latency`: write latency p50 and p99 seen from each
//!   region, one pair of bars per mode.
//!
//! Each mode keeps one colour in both charts and in the compare report. A
//! mode that could not run is named in the legend and marked "not run" in
//! its place. Reads only finished results; same rows, same bytes.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::style::{
    draw_legend, font, font_colour, line, LegendEntry, LegendGroup, Swatch, AXIS_DESC_SIZE,
    CAPTION_SIZE, GRID, LEGEND_WIDTH, MUTED, NOTE_SIZE, PALETTE, TICK_SIZE, TITLE_SIZE,
};
use super::{encode_png, err, no_data, y_top, Area, Chart, ChartFormat, WIDTH};
use crate::metrics::result::RunResult;
use crate::report::compare::CompareRow;
use crate::report::format;
use crate::Error;

/// The comparison charts, in the order the compare report shows them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CompareChart {
    Outcomes,
    WriteLatency,
}

impl CompareChart {
    pub const ALL: [CompareChart; 2] = [CompareChart::Outcomes, CompareChart::WriteLatency];

    /// The file name without extension.
    pub fn file_stem(self) -> &'static str {
        match self {
            CompareChart::Outcomes => "compare_outcomes",
            CompareChart::WriteLatency => "compare_write_latency",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            CompareChart::Outcomes => "What each design lost, refused and failed",
            CompareChart::WriteLatency => "Write latency seen from each region, per design",
        }
    }

    /// One sentence on what to look for, for the report.
    pub fn caption(self) -> &'static str {
        match self {
            CompareChart::Outcomes => {
                "The same client operations under each mode: the writes each lost, \
                 refused and failed, its stale reads and its write downtime. Each panel \
                 has its own scale."
            }
            CompareChart::WriteLatency => {
                "How long a client waits for its write to be acknowledged, by the region \
                 it is in: nothing added in active-active, the round trip to the primary \
                 from a single-primary secondary, the round trip to the nearest other \
                 region in strong mode."
            }
        }
    }

    /// Width and height in pixels (of the PNG; the SVG's view box).
    pub fn size(self) -> (u32, u32) {
        match self {
            CompareChart::Outcomes => (WIDTH, 860),
            CompareChart::WriteLatency => (WIDTH, 600),
        }
    }
}

/// The colour of a mode, the same in every comparison chart and table.
pub fn mode_colour(mode: &str) -> RGBColor {
    match mode {
        "active_active" => PALETTE[0],
        "single_primary" => PALETTE[1],
        "strong" => PALETTE[2],
        other => PALETTE[3 + other.len() % (PALETTE.len() - 3)],
    }
}

/// A mode's colour as CSS `#rrggbb`.
pub fn mode_colour_hex(mode: &str) -> String {
    let RGBColor(r, g, b) = mode_colour(mode);
    format!("#{r:02x}{g:02x}{b:02x}")
}

/// Render both comparison charts into memory. `regions` are the scenario's
/// region names, in its order.
pub fn render_all(
    regions: &[&str],
    rows: &[CompareRow],
    format: ChartFormat,
) -> crate::Result<Vec<Chart>> {
    CompareChart::ALL
        .into_iter()
        .map(|which| render(which, regions, rows, format))
        .collect()
}

/// Render one comparison chart.
pub fn render(
    which: CompareChart,
    regions: &[&str],
    rows: &[CompareRow],
    format: ChartFormat,
) -> crate::Result<Chart> {
    super::style::register_font()?;
    let size = which.size();
    let file_name = format!("{}.{}", which.file_stem(), format.extension());
    let fail = |e: String| Error::new(format!("chart {file_name}: {e}"));
    let bytes = match format {
        ChartFormat::Svg => {
            let mut svg = String::new();
            {
                let root = SVGBackend::with_string(&mut svg, size).into_drawing_area();
                paint(which, regions, rows, &root).map_err(fail)?;
                root.present().map_err(|e| fail(e.to_string()))?;
            }
            svg.into_bytes()
        }
        ChartFormat::Png => {
            let mut rgb = vec![0u8; size.0 as usize * size.1 as usize * 3];
            {
                let root = BitMapBackend::with_buffer(&mut rgb, size).into_drawing_area();
                paint(which, regions, rows, &root).map_err(fail)?;
                root.present().map_err(|e| fail(e.to_string()))?;
            }
            encode_png(&rgb, size).map_err(fail)?
        }
    };
    Ok(Chart {
        file_name,
        title: which.title().to_string(),
        bytes,
    })
}

fn paint<DB: DrawingBackend>(
    which: CompareChart,
    regions: &[&str],
    rows: &[CompareRow],
    root: &Area<DB>,
) -> Result<(), String> {
    root.fill(&WHITE).map_err(err)?;
    let (w, _) = root.dim_in_pixel();
    root.draw(&Text::new(which.title(), (20, 14), font(TITLE_SIZE)))
        .map_err(err)?;
    let body = root.margin(76, 6, 6, 10);
    let (plot, legend) = body.split_horizontally(w as i32 - LEGEND_WIDTH as i32 - 16);
    let (subtitle, groups) = match which {
        CompareChart::Outcomes => outcomes_body(rows, &plot)?,
        CompareChart::WriteLatency => latency_body(regions, rows, &plot)?,
    };
    root.draw(&Text::new(
        subtitle,
        (20, 48),
        font_colour(NOTE_SIZE, MUTED),
    ))
    .map_err(err)?;
    draw_legend(&legend, &groups)
}

/// The legend group naming each mode in its colour; a mode that did not
/// run says so.
fn mode_legend(rows: &[CompareRow]) -> LegendGroup {
    LegendGroup {
        heading: "modes".to_string(),
        entries: rows
            .iter()
            .map(|r| {
                let label = if r.result.is_some() {
                    r.mode.to_string()
                } else {
                    format!("{} (not run)", r.mode)
                };
                LegendEntry::new(label, Swatch::Bar(mode_colour(r.mode)))
            })
            .collect(),
    }
}

/// One panel of the outcomes chart: its title, its y axis, and the value
/// (and bar label) of a run.
struct Figure {
    name: &'static str,
    unit: &'static str,
    value: fn(&RunResult) -> f64,
    label: fn(&RunResult) -> String,
}

const FIGURES: [Figure; 6] = [
    Figure {
        name: "lost writes",
        unit: "writes",
        value: |r| r.summary.lost_writes as f64,
        label: |r| format::count(r.summary.lost_writes),
    },
    Figure {
        name: "stale reads",
        unit: "reads",
        value: |r| r.summary.stale_reads as f64,
        label: |r| format::count(r.summary.stale_reads),
    },
    Figure {
        name: "write conflict errors",
        unit: "writes",
        value: |r| r.summary.mode_extras.write_conflict_errors as f64,
        label: |r| format::count(r.summary.mode_extras.write_conflict_errors),
    },
    Figure {
        name: "rejected writes",
        unit: "writes",
        value: |r| r.summary.mode_extras.rejected_writes as f64,
        label: |r| format::count(r.summary.mode_extras.rejected_writes),
    },
    Figure {
        name: "unavailable writes",
        unit: "writes",
        value: |r| r.summary.mode_extras.unavailable_writes as f64,
        label: |r| format::count(r.summary.mode_extras.unavailable_writes),
    },
    Figure {
        name: "write downtime (no primary)",
        unit: "seconds",
        value: |r| r.summary.mode_extras.failover_ms / 1000.0,
        label: |r| {
            format!(
                "{} s",
                format::tick(r.summary.mode_extras.failover_ms / 1000.0)
            )
        },
    },
];

fn outcomes_body<DB: DrawingBackend>(
    rows: &[CompareRow],
    plot: &Area<DB>,
) -> Result<(String, Vec<LegendGroup>), String> {
    let slots = rows.len().max(1) as f64;
    let panels = plot.split_evenly((3, 2));
    for (figure, panel) in FIGURES.iter().zip(panels.iter()) {
        let values: Vec<Option<f64>> = rows
            .iter()
            .map(|r| r.result.map(|x| (figure.value)(x)))
            .collect();
        let hi = values.iter().flatten().fold(0.0f64, |a, b| a.max(*b));
        let y_max = y_top(hi * 1.12, 5.0);
        let mut chart = ChartBuilder::on(panel)
            .margin_top(4)
            .margin_right(18)
            .margin_bottom(6)
            .caption(figure.name, font_colour(CAPTION_SIZE, MUTED))
            .x_label_area_size(34)
            .y_label_area_size(84)
            .build_cartesian_2d(0.0..slots, 0.0..y_max)
            .map_err(err)?;
        let integer = figure.unit != "seconds";
        let y_fmt = |v: &f64| {
            if integer && v.fract() != 0.0 {
                String::new()
            } else {
                format::tick(*v)
            }
        };
        chart
            .configure_mesh()
            .disable_x_mesh()
            .y_desc(figure.unit)
            .x_labels(0)
            .y_label_formatter(&y_fmt)
            .label_style(font(TICK_SIZE))
            .axis_desc_style(font(AXIS_DESC_SIZE))
            .bold_line_style(GRID)
            .max_light_lines(0)
            .axis_style(MUTED)
            .y_labels(4)
            .draw()
            .map_err(err)?;
        let area = chart.plotting_area();
        for (i, (v, row)) in values.iter().zip(rows).enumerate() {
            let x = i as f64;
            let colour = mode_colour(row.mode);
            let (top, label) = match (v, row.result) {
                (Some(v), Some(result)) => {
                    area.draw(&Rectangle::new(
                        [(x + 0.22, 0.0), (x + 0.78, *v)],
                        colour.filled(),
                    ))
                    .map_err(err)?;
                    (*v, (figure.label)(result))
                }
                _ => (0.0, "not run".to_string()),
            };
            area.draw(
                &(EmptyElement::at((x + 0.5, top))
                    + Text::new(
                        label,
                        (0, -5),
                        font(NOTE_SIZE).pos(Pos::new(HPos::Center, VPos::Bottom)),
                    )),
            )
            .map_err(err)?;
            area.draw(
                &(EmptyElement::at((x + 0.5, 0.0))
                    + Text::new(
                        row.mode.to_string(),
                        (0, 8),
                        font_colour(NOTE_SIZE, MUTED).pos(Pos::new(HPos::Center, VPos::Top)),
                    )),
            )
            .map_err(err)?;
        }
        if rows.is_empty() {
            no_data(area.strip_coord_spec(), "no modes compared")?;
        }
    }
    Ok((
        "The same client operations under each mode; every panel has its own scale.".to_string(),
        vec![mode_legend(rows)],
    ))
}

/// A latency for a bar label, in milliseconds to the histogram's digits.
fn short_ms(v: f64) -> String {
    format::TimeUnit::Ms.number(v)
}

fn latency_body<DB: DrawingBackend>(
    regions: &[&str],
    rows: &[CompareRow],
    plot: &Area<DB>,
) -> Result<(String, Vec<LegendGroup>), String> {
    let slots = regions.len().max(1) as f64;
    let modes = rows.len().max(1) as f64;
    let region_row = |r: &RunResult, name: &str| {
        r.regions
            .iter()
            .find(|g| g.region == name)
            .filter(|g| g.writes > 0)
            .map(|g| (g.write_latency_p50_ms, g.write_latency_p99_ms))
    };
    let hi = rows
        .iter()
        .filter_map(|r| r.result)
        .flat_map(|r| regions.iter().filter_map(move |n| region_row(r, n)))
        .fold(0.0f64, |a, (p50, p99)| a.max(p50).max(p99));
    let y_max = y_top(hi * 1.1, 10.0);
    let mut chart = ChartBuilder::on(plot)
        .margin_top(10)
        .margin_right(14)
        .x_label_area_size(58)
        .y_label_area_size(92)
        .build_cartesian_2d(0.0..slots, 0.0..y_max)
        .map_err(err)?;
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_desc("region the client writes from")
        .y_desc("write latency (ms)")
        .x_labels(0)
        .y_label_formatter(&|v| format::tick(*v))
        .label_style(font(TICK_SIZE))
        .axis_desc_style(font(AXIS_DESC_SIZE))
        .bold_line_style(GRID)
        .max_light_lines(0)
        .axis_style(MUTED)
        .y_labels(8)
        .draw()
        .map_err(err)?;
    let area = chart.plotting_area();
    // Pixels per mode within a region, to drop labels that would not fit.
    let plot_px = f64::from(area.dim_in_pixel().0.max(1));
    let mode_px = plot_px / slots * 0.9 / modes;
    let label_size = NOTE_SIZE - 1.0;
    let fits = |text: &str| text.chars().count() as f64 * label_size / 1.24 * 0.6 <= mode_px;
    for (i, name) in regions.iter().enumerate() {
        let x0 = i as f64 + 0.05;
        let w = 0.9 / modes;
        for (m, row) in rows.iter().enumerate() {
            let a = x0 + m as f64 * w;
            let colour = mode_colour(row.mode);
            let (top, label) = match row.result.map(|r| region_row(r, name)) {
                Some(Some((p50, p99))) => {
                    area.draw(&Rectangle::new(
                        [(a + 0.1 * w, 0.0), (a + 0.5 * w, p50)],
                        colour.filled(),
                    ))
                    .map_err(err)?;
                    let pale = [(a + 0.5 * w, 0.0), (a + 0.9 * w, p99)];
                    area.draw(&Rectangle::new(pale, colour.mix(0.35).filled()))
                        .map_err(err)?;
                    area.draw(&Rectangle::new(pale, line(colour, 1)))
                        .map_err(err)?;
                    (
                        p50.max(p99),
                        format!("{} / {}", short_ms(p50), short_ms(p99)),
                    )
                }
                Some(None) => (0.0, "no writes".to_string()),
                None => (0.0, "not run".to_string()),
            };
            if fits(&label) {
                area.draw(
                    &(EmptyElement::at((a + 0.5 * w, top))
                        + Text::new(
                            label,
                            (0, -5),
                            font(label_size).pos(Pos::new(HPos::Center, VPos::Bottom)),
                        )),
                )
                .map_err(err)?;
            }
        }
        area.draw(
            &(EmptyElement::at((i as f64 + 0.5, 0.0))
                + Text::new(
                    name.to_string(),
                    (0, 10),
                    font(TICK_SIZE).pos(Pos::new(HPos::Center, VPos::Top)),
                )),
        )
        .map_err(err)?;
    }
    if regions.is_empty() || rows.is_empty() {
        no_data(area.strip_coord_spec(), "no regions or modes to compare")?;
    }
    let grey = RGBColor(96, 96, 96);
    Ok((
        "Time from a client's write to its acknowledgement, p50 / p99 in ms above each pair of bars."
            .to_string(),
        vec![
            mode_legend(rows),
            LegendGroup {
                heading: "bars of a mode".to_string(),
                entries: vec![
                    LegendEntry::new("left, solid: p50", Swatch::Bar(grey)),
                    LegendEntry::new("right, pale: p99", Swatch::Shade(grey.mix(0.35))),
                ],
            },
        ],
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modes_keep_their_colours() {
        assert_eq!(mode_colour_hex("active_active"), "#0072b2");
        assert_eq!(mode_colour_hex("single_primary"), "#e69f00");
        assert_eq!(mode_colour_hex("strong"), "#009e73");
        assert_eq!(short_ms(113.508), "114");
        assert_eq!(short_ms(0.0), "0");
        assert_eq!(short_ms(2.54), "2.54");
    }
}
