//! The six charts of a run, drawn with plotters into memory as SVG text or
//! PNG bytes.
//!
//! Reads only a finished `RunResult`; writes no files (the output module
//! does) and never draws from a `HashMap`, so the same result gives the same
//! bytes. Text uses the bundled DejaVu Sans font through plotters'
//! `ab_glyph` feature, so no system font library is needed. Long runs are
//! thinned for drawing (see `downsample`), never cut short.

pub mod compare;
mod downsample;
mod frame;
mod panels;
mod style;
pub mod sweep;
pub mod visibility;

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::metrics::result::RunResult;
use crate::report::{format, words};
use crate::Error;
use style::{
    draw_legend, font, font_colour, LegendEntry, LegendGroup, Swatch, AXIS_DESC_SIZE, CAPTION_SIZE,
    GRID, LEGEND_WIDTH, LOST_COLOUR, MUTED, NOTE_SIZE, STALE_COLOUR, TICK_SIZE, TITLE_SIZE,
    WRITES_COLOUR,
};

/// The file format of the charts.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ChartFormat {
    /// Scalable vector text; the default, inlined as is in the HTML report.
    #[default]
    Svg,
    /// A bitmap, for pasting where SVG is not welcome (`--png`).
    Png,
}

impl ChartFormat {
    /// The file name extension, without the dot.
    pub fn extension(self) -> &'static str {
        match self {
            ChartFormat::Svg => "svg",
            ChartFormat::Png => "png",
        }
    }
}

/// One rendered chart.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Chart {
    /// The file name under `<out>/charts/`, e.g. `lag_over_time.svg`.
    pub file_name: String,
    pub title: String,
    /// SVG text (UTF-8) or PNG bytes.
    pub bytes: Vec<u8>,
}

impl Chart {
    /// The format, told by the file name.
    pub fn format(&self) -> ChartFormat {
        if self.file_name.ends_with(".png") {
            ChartFormat::Png
        } else {
            ChartFormat::Svg
        }
    }

    /// Which of the six charts this is, told by the file name.
    pub fn kind(&self) -> Option<ChartKind> {
        let stem = self
            .file_name
            .rsplit_once('.')
            .map_or(self.file_name.as_str(), |p| p.0);
        ChartKind::ALL.into_iter().find(|k| k.file_stem() == stem)
    }
}

/// The six charts, in the order the report shows them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChartKind {
    LagOverTime,
    LagCdf,
    LostWrites,
    StaleReads,
    Backlog,
    Regions,
}

impl ChartKind {
    pub const ALL: [ChartKind; 6] = [
        ChartKind::LagOverTime,
        ChartKind::LagCdf,
        ChartKind::LostWrites,
        ChartKind::StaleReads,
        ChartKind::Backlog,
        ChartKind::Regions,
    ];

    /// The file name without extension.
    pub fn file_stem(self) -> &'static str {
        match self {
            ChartKind::LagOverTime => "lag_over_time",
            ChartKind::LagCdf => "lag_cdf",
            ChartKind::LostWrites => "lost_writes",
            ChartKind::StaleReads => "stale_reads",
            ChartKind::Backlog => "backlog",
            ChartKind::Regions => "regions",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            ChartKind::LagOverTime => "Replication lag over time",
            ChartKind::LagCdf => "Replication lag distribution",
            ChartKind::LostWrites => "Lost writes and conflicts over time",
            ChartKind::StaleReads => "Stale-read rate over time",
            ChartKind::Backlog => "Replication backlog over time",
            ChartKind::Regions => "Writes, lost writes and stale reads per region",
        }
    }

    /// What to look for, for the report: computed from the run where it
    /// states a cause or a conclusion (`report::words`).
    pub fn caption(self, r: &RunResult) -> String {
        match self {
            ChartKind::LagOverTime => words::lag_caption(r),
            ChartKind::LagCdf => "The whole lag distribution of each stream on a log scale; \
                 the circle marks the median (p50), the triangle the 99th percentile."
                .to_string(),
            ChartKind::LostWrites => words::lost_writes_caption(r),
            ChartKind::StaleReads => words::stale_reads_caption(r),
            ChartKind::Backlog => words::backlog_caption(r),
            ChartKind::Regions => {
                "Per region, the writes issued there, how many of them were lost, \
                 and the reads that returned stale data."
                    .to_string()
            }
        }
    }

    /// Width and height in pixels (of the PNG; the SVG's view box): the
    /// per-stream charts grow with the regions, the time charts with the
    /// rows their fault lane needs.
    pub fn size(self, r: &RunResult) -> (u32, u32) {
        let height = if panels::draws(self) {
            panels::height(self, r)
        } else {
            760
        };
        (WIDTH, height)
    }
}

/// Width in pixels of every chart.
pub const WIDTH: u32 = 1100;

/// Render all six charts of a run into memory, in report order.
pub fn render_all(result: &RunResult, format: ChartFormat) -> crate::Result<Vec<Chart>> {
    ChartKind::ALL
        .into_iter()
        .map(|kind| render(kind, result, format))
        .collect()
}

/// Render one chart.
pub fn render(kind: ChartKind, result: &RunResult, format: ChartFormat) -> crate::Result<Chart> {
    style::register_font()?;
    let size = kind.size(result);
    let file_name = format!("{}.{}", kind.file_stem(), format.extension());
    let fail = |e: String| Error::new(format!("chart {file_name}: {e}"));
    let bytes = match format {
        ChartFormat::Svg => {
            let mut svg = String::new();
            let marks;
            {
                let root = SVGBackend::with_string(&mut svg, size).into_drawing_area();
                marks = paint(kind, result, &root).map_err(fail)?;
                root.present().map_err(|e| fail(e.to_string()))?;
            }
            frame::tag_svg(&svg, &marks).into_bytes()
        }
        ChartFormat::Png => {
            let mut rgb = vec![0u8; size.0 as usize * size.1 as usize * 3];
            {
                let root = BitMapBackend::with_buffer(&mut rgb, size).into_drawing_area();
                let _ = paint(kind, result, &root).map_err(fail)?;
                root.present().map_err(|e| fail(e.to_string()))?;
            }
            encode_png(&rgb, size).map_err(fail)?
        }
    };
    Ok(Chart {
        file_name,
        title: kind.title().to_string(),
        bytes,
    })
}

/// Chart 1: lag per stream over time, p99 above and p50 below, faults shaded.
pub fn lag_over_time(result: &RunResult, format: ChartFormat) -> crate::Result<Chart> {
    render(ChartKind::LagOverTime, result, format)
}

/// Chart 2: the lag distribution (CDF) per stream on a log time axis.
pub fn lag_cdf(result: &RunResult, format: ChartFormat) -> crate::Result<Chart> {
    render(ChartKind::LagCdf, result, format)
}

/// Chart 3: lost writes and conflicts per time bucket, faults shaded.
pub fn lost_writes(result: &RunResult, format: ChartFormat) -> crate::Result<Chart> {
    render(ChartKind::LostWrites, result, format)
}

/// Chart 4: the stale-read rate over time.
pub fn stale_reads(result: &RunResult, format: ChartFormat) -> crate::Result<Chart> {
    render(ChartKind::StaleReads, result, format)
}

/// Chart 5: messages queued per stream over time.
pub fn backlog(result: &RunResult, format: ChartFormat) -> crate::Result<Chart> {
    render(ChartKind::Backlog, result, format)
}

/// Chart 6: writes, lost writes and stale reads per region.
pub fn regions(result: &RunResult, format: ChartFormat) -> crate::Result<Chart> {
    render(ChartKind::Regions, result, format)
}

fn encode_png(rgb: &[u8], (w, h): (u32, u32)) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    {
        let mut encoder = png::Encoder::new(&mut out, w, h);
        encoder.set_color(png::ColorType::Rgb);
        encoder.set_depth(png::BitDepth::Eight);
        let mut writer = encoder.write_header().map_err(|e| e.to_string())?;
        writer.write_image_data(rgb).map_err(|e| e.to_string())?;
        writer.finish().map_err(|e| e.to_string())?;
    }
    Ok(out)
}

type Area<DB> = DrawingArea<DB, Shift>;

/// What a chart body hands back: a line under the title and the legend.
struct Painted {
    subtitle: String,
    legend: Vec<LegendGroup>,
}

fn err<E: std::fmt::Display>(e: E) -> String {
    e.to_string()
}

/// Draws a chart; returns the texts to tag in its SVG.
fn paint<DB: DrawingBackend>(
    kind: ChartKind,
    r: &RunResult,
    root: &Area<DB>,
) -> Result<Vec<frame::Mark>, String> {
    if panels::draws(kind) {
        return panels::paint(kind, r, root);
    }
    root.fill(&WHITE).map_err(err)?;
    let (w, _) = root.dim_in_pixel();
    root.draw(&Text::new(kind.title(), (20, 14), font(TITLE_SIZE)))
        .map_err(err)?;
    let body = root.margin(76, 6, 6, 10);
    let (plot, legend) = body.split_horizontally(w as i32 - LEGEND_WIDTH as i32 - 16);
    let painted = regions_body(r, &plot)?;
    root.draw(&Text::new(
        painted.subtitle,
        (20, 48),
        font_colour(NOTE_SIZE, MUTED),
    ))
    .map_err(err)?;
    draw_legend(&legend, &painted.legend)?;
    Ok(Vec::new())
}

/// The end of the time axis: the run, its buckets and its faults.
pub(crate) fn time_extent(r: &RunResult) -> f64 {
    let mut t = r.summary.duration_s;
    for b in &r.timeseries {
        t = t.max(b.t_end_s);
    }
    for f in &r.faults {
        t = t.max(f.start_s).max(f.end_s.unwrap_or(0.0));
    }
    if t.is_finite() && t > 0.0 {
        t
    } else {
        1.0
    }
}

/// The width of one time bucket in seconds, if there are any.
fn bucket_width_s(r: &RunResult) -> Option<f64> {
    r.timeseries
        .first()
        .map(|b| b.t_end_s - b.t_start_s)
        .filter(|w| *w > 0.0)
}

/// Room above the highest value, and never a zero-height axis.
fn y_top(max: f64, at_least: f64) -> f64 {
    if max.is_finite() && max * 1.12 > at_least {
        max * 1.12
    } else {
        at_least
    }
}

/// Writes a message in the middle of an empty plot.
fn no_data<DB: DrawingBackend>(area: Area<DB>, message: &str) -> Result<(), String> {
    let (w, h) = area.dim_in_pixel();
    area.draw(&Text::new(
        message.to_string(),
        (w as i32 / 2, h as i32 / 2),
        font_colour(CAPTION_SIZE, MUTED).pos(Pos::new(HPos::Center, VPos::Center)),
    ))
    .map_err(err)
}

pub(crate) fn bucket_phrase(r: &RunResult) -> String {
    match bucket_width_s(r) {
        Some(w) => format!("each {} bucket", format::span_s(w)),
        None => "each time bucket".to_string(),
    }
}

fn regions_body<DB: DrawingBackend>(r: &RunResult, plot: &Area<DB>) -> Result<Painted, String> {
    let n = r.regions.len();
    let slots = n.max(1) as f64;
    let panels = plot.split_evenly((3, 1));
    let metrics: [(&str, RGBColor); 3] = [
        ("writes", WRITES_COLOUR),
        ("lost writes", LOST_COLOUR),
        ("stale reads", STALE_COLOUR),
    ];
    for (k, ((name, colour), panel)) in metrics.iter().zip(panels.iter()).enumerate() {
        let values: Vec<u64> = r
            .regions
            .iter()
            .map(|g| match k {
                0 => g.writes,
                1 => g.lost_writes,
                _ => g.stale_reads,
            })
            .collect();
        let hi = values.iter().copied().max().unwrap_or(0) as f64;
        let y_max = y_top(hi * 1.1, 5.0);
        let last = k == 2;
        // Region i occupies [i, i + 1] on the x axis; names are drawn by hand
        // under the middle of each slot.
        let mut chart = ChartBuilder::on(panel)
            .margin_top(4)
            .margin_right(14)
            .caption(*name, font_colour(CAPTION_SIZE, MUTED))
            .x_label_area_size(if last { 62 } else { 30 })
            .y_label_area_size(92)
            .build_cartesian_2d(0.0..slots, 0.0..y_max)
            .map_err(err)?;
        let y_fmt = |v: &f64| {
            if v.fract() != 0.0 {
                String::new()
            } else {
                format::tick(*v)
            }
        };
        let mut mesh = chart.configure_mesh();
        mesh.disable_x_mesh()
            .y_desc("count")
            .x_labels(0)
            .y_label_formatter(&y_fmt)
            .label_style(font(TICK_SIZE))
            .axis_desc_style(font(AXIS_DESC_SIZE))
            .bold_line_style(GRID)
            .max_light_lines(0)
            .axis_style(MUTED)
            .y_labels(4);
        if last {
            mesh.x_desc("region");
        }
        mesh.draw().map_err(err)?;
        for (i, (v, g)) in values.iter().zip(&r.regions).enumerate() {
            let x = i as f64;
            chart
                .draw_series(std::iter::once(Rectangle::new(
                    [(x + 0.3, 0.0), (x + 0.7, *v as f64)],
                    colour.filled(),
                )))
                .map_err(err)?;
            let label = match k {
                1 if g.writes > 0 => format!(
                    "{} ({} of writes)",
                    format::count(*v),
                    format::percent(*v as f64 / g.writes as f64)
                ),
                2 if g.reads > 0 => format!(
                    "{} ({} of reads)",
                    format::count(*v),
                    format::percent(*v as f64 / g.reads as f64)
                ),
                _ => format::count(*v),
            };
            let area = chart.plotting_area();
            area.draw(
                &(EmptyElement::at((x + 0.5, *v as f64))
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
                        g.region.clone(),
                        (0, 8),
                        font(TICK_SIZE).pos(Pos::new(HPos::Center, VPos::Top)),
                    )),
            )
            .map_err(err)?;
        }
        if n == 0 {
            no_data(
                chart.plotting_area().strip_coord_spec(),
                "no regions recorded",
            )?;
        }
    }
    Ok(Painted {
        subtitle: "Writes issued in each region, how many of them were lost, and reads there that returned stale data."
            .to_string(),
        legend: vec![LegendGroup {
            heading: "bars".to_string(),
            entries: metrics
                .iter()
                .map(|(name, c)| LegendEntry::new(*name, Swatch::Bar(*c)))
                .collect(),
        }],
    })
}

/// `each 1 s bucket`, naming the merged width when buckets were merged.
pub(crate) fn bucket_phrase_merged(r: &RunResult, width: f64) -> String {
    match bucket_width_s(r) {
        Some(w) if width > w * 1.0001 => {
            format!(
                "each {} (buckets merged for drawing)",
                format::span_s(width)
            )
        }
        _ => bucket_phrase(r),
    }
}
