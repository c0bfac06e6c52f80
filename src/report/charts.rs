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
mod style;
pub mod sweep;

use plotters::coord::types::RangedCoordf64;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::metrics::result::{FaultWindow, RunResult};
use crate::report::{format, words};
use crate::Error;
use downsample::{decimate, merge_buckets, minmax, segments};
use style::{
    draw_legend, font, font_colour, line, stream_style, Dash, LegendEntry, LegendGroup, Swatch,
    AXIS_DESC_SIZE, CAPTION_SIZE, CONFLICT_COLOUR, GRID, GRID_LIGHT, LEGEND_WIDTH, LOST_COLOUR,
    MUTED, NOTE_SIZE, STALE_COLOUR, TICK_SIZE, TITLE_SIZE, WRITES_COLOUR,
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

    /// Width and height in pixels (of the PNG; the SVG's view box).
    pub fn size(self) -> (u32, u32) {
        let height = match self {
            ChartKind::LagOverTime | ChartKind::Regions => 760,
            _ => 560,
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
    let size = kind.size();
    let file_name = format!("{}.{}", kind.file_stem(), format.extension());
    let fail = |e: String| Error::new(format!("chart {file_name}: {e}"));
    let bytes = match format {
        ChartFormat::Svg => {
            let mut svg = String::new();
            {
                let root = SVGBackend::with_string(&mut svg, size).into_drawing_area();
                paint(kind, result, &root).map_err(fail)?;
                root.present().map_err(|e| fail(e.to_string()))?;
            }
            svg.into_bytes()
        }
        ChartFormat::Png => {
            let mut rgb = vec![0u8; size.0 as usize * size.1 as usize * 3];
            {
                let root = BitMapBackend::with_buffer(&mut rgb, size).into_drawing_area();
                paint(kind, result, &root).map_err(fail)?;
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

/// Most points a line keeps per stream (about two per pixel column).
const LINE_BINS: usize = 420;
/// Most bars a count chart draws.
const COUNT_BINS: usize = 150;
/// Most buckets the stale-rate line draws.
const RATE_BINS: usize = 300;

type Ctx<'a, DB> = ChartContext<'a, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>;
type Area<DB> = DrawingArea<DB, Shift>;

/// What a chart body hands back: a line under the title and the legend.
struct Painted {
    subtitle: String,
    legend: Vec<LegendGroup>,
}

fn err<E: std::fmt::Display>(e: E) -> String {
    e.to_string()
}

fn paint<DB: DrawingBackend>(
    kind: ChartKind,
    r: &RunResult,
    root: &Area<DB>,
) -> Result<(), String> {
    root.fill(&WHITE).map_err(err)?;
    let (w, _) = root.dim_in_pixel();
    root.draw(&Text::new(kind.title(), (20, 14), font(TITLE_SIZE)))
        .map_err(err)?;
    let body = root.margin(76, 6, 6, 10);
    let (plot, legend) = body.split_horizontally(w as i32 - LEGEND_WIDTH as i32 - 16);
    let painted = match kind {
        ChartKind::LagOverTime => lag_over_time_body(r, &plot)?,
        ChartKind::LagCdf => lag_cdf_body(r, &plot)?,
        ChartKind::LostWrites => lost_writes_body(r, &plot)?,
        ChartKind::StaleReads => stale_reads_body(r, &plot)?,
        ChartKind::Backlog => backlog_body(r, &plot)?,
        ChartKind::Regions => regions_body(r, &plot)?,
    };
    root.draw(&Text::new(
        painted.subtitle,
        (20, 48),
        font_colour(NOTE_SIZE, MUTED),
    ))
    .map_err(err)?;
    draw_legend(&legend, &painted.legend)
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

fn stream_name(from: &str, to: &str) -> String {
    format!("{from} → {to}")
}

fn time_chart<'a, DB: DrawingBackend>(
    area: &'a Area<DB>,
    caption: Option<&str>,
    x_max: f64,
    y_max: f64,
    x_label_area: u32,
) -> Result<Ctx<'a, DB>, String> {
    let mut builder = ChartBuilder::on(area);
    builder
        .margin_top(6)
        .margin_right(14)
        .x_label_area_size(x_label_area)
        .y_label_area_size(92);
    if let Some(c) = caption {
        builder.caption(c, font_colour(CAPTION_SIZE, MUTED));
    }
    builder
        .build_cartesian_2d(0.0..x_max, 0.0..y_max)
        .map_err(err)
}

fn draw_mesh<DB: DrawingBackend>(
    chart: &mut Ctx<'_, DB>,
    x_desc: Option<&str>,
    y_desc: &str,
    integer_y: bool,
) -> Result<(), String> {
    let y_fmt = |v: &f64| {
        if integer_y && v.fract() != 0.0 {
            String::new()
        } else {
            format::tick(*v)
        }
    };
    let mut mesh = chart.configure_mesh();
    mesh.y_desc(y_desc)
        .x_label_formatter(&|v| format::tick(*v))
        .y_label_formatter(&y_fmt)
        .label_style(font(TICK_SIZE))
        .axis_desc_style(font(AXIS_DESC_SIZE))
        .bold_line_style(GRID)
        .light_line_style(GRID_LIGHT)
        .max_light_lines(1)
        .axis_style(MUTED)
        .x_labels(10)
        .y_labels(6);
    if let Some(x) = x_desc {
        mesh.x_desc(x);
    }
    mesh.draw().map_err(err)
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

fn is_instant(f: &FaultWindow) -> bool {
    f.end_s == Some(f.start_s)
}

fn fault_fill(kind: &str) -> RGBAColor {
    match kind {
        "outage" => RGBColor(40, 40, 40).mix(0.22),
        _ => RGBColor(110, 110, 110).mix(0.16),
    }
}

const MARK_COLOUR: RGBColor = RGBColor(70, 70, 70);

/// Shades every fault window (a dashed mark for instant ones) and, if
/// `labels`, writes each fault's label at the top of its window.
fn draw_faults<DB: DrawingBackend>(
    chart: &mut Ctx<'_, DB>,
    faults: &[FaultWindow],
    x_max: f64,
    y_max: f64,
    labels: bool,
) -> Result<(), String> {
    let plot_w = f64::from(chart.plotting_area().dim_in_pixel().0.max(1));
    let mut rows: Vec<Vec<(f64, f64)>> = Vec::new();
    for f in faults {
        let start = f.start_s.clamp(0.0, x_max);
        let end = f.end_s.unwrap_or(x_max).clamp(start, x_max);
        if is_instant(f) {
            chart
                .draw_series(DashedLineSeries::new(
                    vec![(start, 0.0), (start, y_max)],
                    7,
                    5,
                    line(MARK_COLOUR, 2),
                ))
                .map_err(err)?;
        } else {
            chart
                .draw_series(std::iter::once(Rectangle::new(
                    [(start, 0.0), (end, y_max)],
                    fault_fill(&f.kind).filled(),
                )))
                .map_err(err)?;
        }
        if labels {
            let mut text = if f.label.is_empty() {
                f.kind.replace('_', " ")
            } else {
                f.label.clone()
            };
            if f.end_s.is_none() {
                text.push_str(" (never ends)");
            }
            // Left-aligned from the start of the window when it fits in
            // the plot, else hanging left from its end; each label takes
            // the first row where it overlaps no earlier one.
            let px = |t: f64| t / x_max * plot_w;
            let width = label_width_px(&text);
            let (x, hpos, dx, span) = if px(start) + 6.0 + width <= plot_w {
                (start, HPos::Left, 6, (px(start), px(start) + 6.0 + width))
            } else {
                let anchor = if is_instant(f) { start } else { end };
                (
                    anchor,
                    HPos::Right,
                    -6,
                    (px(anchor) - 6.0 - width, px(anchor)),
                )
            };
            let row = match rows.iter().position(|r| {
                r.iter()
                    .all(|o: &(f64, f64)| span.1 + 8.0 < o.0 || span.0 > o.1 + 8.0)
            }) {
                Some(k) => k,
                None => {
                    rows.push(Vec::new());
                    rows.len() - 1
                }
            };
            rows[row].push(span);
            chart
                .plotting_area()
                .draw(
                    &(EmptyElement::at((x, y_max))
                        + Text::new(
                            text,
                            (dx, 6 + row as i32 * 21),
                            font_colour(NOTE_SIZE, MARK_COLOUR).pos(Pos::new(hpos, VPos::Top)),
                        )),
                )
                .map_err(err)?;
        }
    }
    Ok(())
}

/// About how wide a fault label is drawn, in pixels (DejaVu Sans averages
/// a little over half an em per character).
fn label_width_px(text: &str) -> f64 {
    text.chars().count() as f64 * NOTE_SIZE / 1.24 * 0.6
}

/// A legend group listing the kinds of fault shown, in order of first use.
fn fault_legend(faults: &[FaultWindow]) -> LegendGroup {
    let mut entries: Vec<LegendEntry> = Vec::new();
    let mut seen: Vec<(String, bool)> = Vec::new();
    for f in faults {
        let key = (f.kind.clone(), is_instant(f));
        if seen.contains(&key) {
            continue;
        }
        let name = f.kind.replace('_', " ");
        entries.push(if key.1 {
            LegendEntry::new(name, Swatch::Mark(MARK_COLOUR))
        } else {
            LegendEntry::new(name, Swatch::Shade(fault_fill(&f.kind)))
        });
        seen.push(key);
    }
    LegendGroup {
        heading: "faults".to_string(),
        entries,
    }
}

fn stream_legend(r: &RunResult) -> LegendGroup {
    let entries = if r.stream_series.is_empty() {
        r.links
            .iter()
            .enumerate()
            .map(|(i, l)| {
                let (c, dash) = stream_style(i);
                LegendEntry::new(stream_name(&l.from, &l.to), Swatch::Line(c, dash))
            })
            .collect()
    } else {
        r.stream_series
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let (c, dash) = stream_style(i);
                LegendEntry::new(stream_name(&s.from, &s.to), Swatch::Line(c, dash))
            })
            .collect()
    };
    LegendGroup {
        heading: "streams".to_string(),
        entries,
    }
}

/// Draws one stream's line runs in its colour; a lone point becomes a dot.
fn draw_stream<DB: DrawingBackend>(
    chart: &mut Ctx<'_, DB>,
    runs: Vec<Vec<(f64, f64)>>,
    i: usize,
) -> Result<(), String> {
    let (c, dash) = stream_style(i);
    for run in runs {
        if run.len() == 1 {
            chart
                .draw_series(std::iter::once(Circle::new(run[0], 3, c.filled())))
                .map_err(err)?;
        } else if let Some((on, off)) = dash.pattern() {
            chart
                .draw_series(DashedLineSeries::new(run, on, off, line(c, 2)))
                .map_err(err)?;
        } else {
            chart
                .draw_series(LineSeries::new(run, line(c, 2)))
                .map_err(err)?;
        }
    }
    Ok(())
}

fn bucket_phrase(r: &RunResult) -> String {
    match bucket_width_s(r) {
        Some(w) => format!("each {} bucket", format::span_s(w)),
        None => "each time bucket".to_string(),
    }
}

fn lag_over_time_body<DB: DrawingBackend>(
    r: &RunResult,
    plot: &Area<DB>,
) -> Result<Painted, String> {
    let x_max = time_extent(r);
    let mids: Vec<f64> = r
        .timeseries
        .iter()
        .map(|b| (b.t_start_s + b.t_end_s) / 2.0)
        .collect();
    let (_, h) = plot.dim_in_pixel();
    let (top, bottom) = plot.split_vertically(h as i32 * 47 / 100);
    for (panel, p99) in [(&top, true), (&bottom, false)] {
        let pick = |s: &crate::metrics::result::StreamSeries| -> Vec<Option<f64>> {
            if p99 {
                s.lag_p99_ms.clone()
            } else {
                s.lag_p50_ms.clone()
            }
        };
        let all: Vec<Vec<Option<f64>>> = r.stream_series.iter().map(pick).collect();
        let hi = all
            .iter()
            .flat_map(|v| v.iter().flatten())
            .fold(0.0f64, |a, b| a.max(*b));
        let y_max = y_top(hi, 1.0);
        let caption = if p99 {
            "99th percentile (p99)"
        } else {
            "median (p50)"
        };
        let mut chart = time_chart(
            panel,
            Some(caption),
            x_max,
            y_max,
            if p99 { 34 } else { 60 },
        )?;
        draw_mesh(
            &mut chart,
            if p99 { None } else { Some("time (s)") },
            if p99 { "p99 lag (ms)" } else { "p50 lag (ms)" },
            false,
        )?;
        draw_faults(&mut chart, &r.faults, x_max, y_max, p99)?;
        for (i, ys) in all.iter().enumerate() {
            let n = mids.len().min(ys.len());
            let runs = segments(&minmax(&mids[..n], &ys[..n], LINE_BINS));
            draw_stream(&mut chart, runs, i)?;
        }
        if all.iter().all(|v| v.iter().all(Option::is_none)) {
            no_data(
                chart.plotting_area().strip_coord_spec(),
                "no deliveries recorded",
            )?;
        }
    }
    Ok(Painted {
        subtitle: format!(
            "Lag of the deliveries that arrived in {} (arrival minus issue time); a gap means nothing arrived.",
            bucket_phrase(r)
        ),
        legend: vec![stream_legend(r), fault_legend(&r.faults)],
    })
}

fn lag_cdf_body<DB: DrawingBackend>(r: &RunResult, plot: &Area<DB>) -> Result<Painted, String> {
    let curves: Vec<Vec<(f64, f64)>> = r
        .lag_cdf
        .iter()
        .map(|pts| {
            let pos: Vec<(f64, f64)> = pts
                .iter()
                .filter(|p| p.value_ms > 0.0 && p.value_ms.is_finite())
                .map(|p| (p.value_ms, (p.fraction * 100.0).clamp(0.0, 100.0)))
                .collect();
            decimate(&pos, 600)
        })
        .collect();
    let mut lo = f64::INFINITY;
    let mut hi: f64 = 0.0;
    for c in &curves {
        for p in c {
            lo = lo.min(p.0);
            hi = hi.max(p.0);
        }
    }
    for l in &r.links {
        for v in [l.lag_p50_ms, l.lag_p99_ms] {
            if v > 0.0 && v.is_finite() {
                lo = lo.min(v);
                hi = hi.max(v);
            }
        }
    }
    if !(lo.is_finite() && hi > 0.0) {
        lo = 1.0;
        hi = 1000.0;
    }
    // Whole decades, so the log axis always has labelled ticks.
    let lo_dec = 10f64.powf(lo.log10().floor());
    let mut hi_dec = 10f64.powf(hi.log10().ceil());
    if hi_dec <= lo_dec {
        hi_dec = lo_dec * 10.0;
    }
    let mut chart = ChartBuilder::on(plot)
        .margin_top(10)
        .margin_right(14)
        .x_label_area_size(60)
        .y_label_area_size(92)
        .build_cartesian_2d((lo_dec..hi_dec).log_scale(), 0.0..101.0)
        .map_err(err)?;
    chart
        .configure_mesh()
        .x_desc("replication lag (ms, log scale)")
        .y_desc("deliveries with lag ≤ x (%)")
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
    for (level, name) in [(50.0, "p50"), (99.0, "p99")] {
        chart
            .draw_series(DashedLineSeries::new(
                vec![(lo_dec, level), (hi_dec, level)],
                6,
                5,
                line(MUTED, 1),
            ))
            .map_err(err)?;
        chart
            .plotting_area()
            .draw(
                &(EmptyElement::at((lo_dec, level))
                    + Text::new(
                        name,
                        (6, -3),
                        font_colour(NOTE_SIZE, MUTED).pos(Pos::new(HPos::Left, VPos::Bottom)),
                    )),
            )
            .map_err(err)?;
    }
    for (i, c) in curves.iter().enumerate() {
        if c.is_empty() {
            continue;
        }
        let (colour, dash) = stream_style(i);
        if let Some((on, off)) = dash.pattern() {
            chart
                .draw_series(DashedLineSeries::new(c.clone(), on, off, line(colour, 2)))
                .map_err(err)?;
        } else {
            chart
                .draw_series(LineSeries::new(c.clone(), line(colour, 2)))
                .map_err(err)?;
        }
    }
    for (i, l) in r.links.iter().enumerate() {
        let (colour, _) = stream_style(i);
        if l.lag_p50_ms > 0.0 {
            chart
                .draw_series(std::iter::once(Circle::new(
                    (l.lag_p50_ms, 50.0),
                    6,
                    colour.filled(),
                )))
                .map_err(err)?;
        }
        if l.lag_p99_ms > 0.0 {
            chart
                .draw_series(std::iter::once(TriangleMarker::new(
                    (l.lag_p99_ms, 99.0),
                    7,
                    colour.filled(),
                )))
                .map_err(err)?;
        }
    }
    if curves.iter().all(Vec::is_empty) {
        no_data(
            chart.plotting_area().strip_coord_spec(),
            "no deliveries recorded",
        )?;
    }
    Ok(Painted {
        subtitle:
            "Share of deliveries per stream that arrived within a given lag, over the whole run."
                .to_string(),
        legend: vec![
            stream_legend(r),
            LegendGroup {
                heading: "markers".to_string(),
                entries: vec![
                    LegendEntry::new("p50 of the stream", Swatch::Circle(MUTED)),
                    LegendEntry::new("p99 of the stream", Swatch::Triangle(MUTED)),
                ],
            },
        ],
    })
}

fn lost_writes_body<DB: DrawingBackend>(r: &RunResult, plot: &Area<DB>) -> Result<Painted, String> {
    let x_max = time_extent(r);
    let (bins, _) = merge_buckets(&r.timeseries, COUNT_BINS);
    let hi = bins
        .iter()
        .map(|b| b.lost_writes.max(b.conflicts))
        .max()
        .unwrap_or(0) as f64;
    let y_max = y_top(hi, 5.0);
    let width = bins.first().map(|b| b.t_end_s - b.t_start_s).unwrap_or(0.0);
    let mut chart = time_chart(plot, None, x_max, y_max, 60)?;
    let y_desc = if width > 0.0 {
        format!("count per {} bucket", format::span_s(width))
    } else {
        "count per bucket".to_string()
    };
    draw_mesh(&mut chart, Some("issue time (s)"), &y_desc, true)?;
    draw_faults(&mut chart, &r.faults, x_max, y_max, true)?;
    for b in &bins {
        let w = b.t_end_s - b.t_start_s;
        let (x0, xm, x1) = (
            b.t_start_s + 0.08 * w,
            b.t_start_s + 0.5 * w,
            b.t_end_s - 0.08 * w,
        );
        if b.lost_writes > 0 {
            chart
                .draw_series(std::iter::once(Rectangle::new(
                    [(x0, 0.0), (xm, b.lost_writes as f64)],
                    LOST_COLOUR.filled(),
                )))
                .map_err(err)?;
        }
        if b.conflicts > 0 {
            chart
                .draw_series(std::iter::once(Rectangle::new(
                    [(xm, 0.0), (x1, b.conflicts as f64)],
                    CONFLICT_COLOUR.filled(),
                )))
                .map_err(err)?;
        }
    }
    if r.timeseries.is_empty() {
        no_data(
            chart.plotting_area().strip_coord_spec(),
            "no time buckets recorded",
        )?;
    }
    let s = &r.summary;
    Ok(Painted {
        subtitle: format!(
            "Writes issued in {} that were lost, and conflicts (writes built on the same parent).",
            bucket_phrase_merged(r, width)
        ),
        legend: vec![
            LegendGroup {
                heading: "bars".to_string(),
                entries: vec![
                    LegendEntry::new(
                        format!("lost writes (total {})", format::count(s.lost_writes)),
                        Swatch::Bar(LOST_COLOUR),
                    ),
                    LegendEntry::new(
                        format!("conflicts (total {})", format::count(s.conflicts)),
                        Swatch::Bar(CONFLICT_COLOUR),
                    ),
                ],
            },
            fault_legend(&r.faults),
        ],
    })
}

/// `each 1 s bucket`, naming the merged width when buckets were merged.
fn bucket_phrase_merged(r: &RunResult, width: f64) -> String {
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

fn stale_reads_body<DB: DrawingBackend>(r: &RunResult, plot: &Area<DB>) -> Result<Painted, String> {
    let x_max = time_extent(r);
    let (bins, _) = merge_buckets(&r.timeseries, RATE_BINS);
    let width = bins.first().map(|b| b.t_end_s - b.t_start_s).unwrap_or(0.0);
    let points: Vec<Option<(f64, f64)>> = bins
        .iter()
        .map(|b| {
            (b.reads > 0).then(|| {
                (
                    (b.t_start_s + b.t_end_s) / 2.0,
                    b.stale_reads as f64 / b.reads as f64 * 100.0,
                )
            })
        })
        .collect();
    let average = r.summary.stale_read_rate * 100.0;
    let hi = points.iter().flatten().map(|p| p.1).fold(average, f64::max);
    let y_max = y_top(hi, 1.0).min(100.0).max(hi.min(100.0));
    let mut chart = time_chart(plot, None, x_max, y_max, 60)?;
    draw_mesh(
        &mut chart,
        Some("time (s)"),
        "stale reads (% of reads)",
        false,
    )?;
    draw_faults(&mut chart, &r.faults, x_max, y_max, true)?;
    for run in segments(&points) {
        let mut poly = run.clone();
        poly.push((run[run.len() - 1].0, 0.0));
        poly.push((run[0].0, 0.0));
        chart
            .draw_series(std::iter::once(Polygon::new(
                poly,
                STALE_COLOUR.mix(0.18).filled(),
            )))
            .map_err(err)?;
        if run.len() == 1 {
            chart
                .draw_series(std::iter::once(Circle::new(
                    run[0],
                    3,
                    STALE_COLOUR.filled(),
                )))
                .map_err(err)?;
        } else {
            chart
                .draw_series(LineSeries::new(run, line(STALE_COLOUR, 3)))
                .map_err(err)?;
        }
    }
    chart
        .draw_series(DashedLineSeries::new(
            vec![(0.0, average), (x_max, average)],
            9,
            6,
            line(MUTED, 2),
        ))
        .map_err(err)?;
    if r.timeseries.is_empty() {
        no_data(
            chart.plotting_area().strip_coord_spec(),
            "no time buckets recorded",
        )?;
    }
    Ok(Painted {
        subtitle: format!(
            "Share of reads in {} that returned a version older than the latest write issued anywhere before them.",
            bucket_phrase_merged(r, width)
        ),
        legend: vec![
            LegendGroup {
                heading: "lines".to_string(),
                entries: vec![
                    LegendEntry::new("stale-read rate", Swatch::Line(STALE_COLOUR, Dash::Solid)),
                    LegendEntry::new(
                        format!("run average ({})", format::percent(r.summary.stale_read_rate)),
                        Swatch::Line(MUTED, Dash::Dashed),
                    ),
                ],
            },
            fault_legend(&r.faults),
        ],
    })
}

fn backlog_body<DB: DrawingBackend>(r: &RunResult, plot: &Area<DB>) -> Result<Painted, String> {
    let x_max = time_extent(r);
    let ends: Vec<f64> = r.timeseries.iter().map(|b| b.t_end_s).collect();
    let hi = r
        .stream_series
        .iter()
        .flat_map(|s| s.backlog.iter())
        .copied()
        .max()
        .unwrap_or(0) as f64;
    let y_max = y_top(hi, 5.0);
    let mut chart = time_chart(plot, None, x_max, y_max, 60)?;
    draw_mesh(&mut chart, Some("time (s)"), "messages queued", true)?;
    draw_faults(&mut chart, &r.faults, x_max, y_max, true)?;
    for (i, s) in r.stream_series.iter().enumerate() {
        let n = ends.len().min(s.backlog.len());
        let ys: Vec<Option<f64>> = s.backlog[..n].iter().map(|v| Some(*v as f64)).collect();
        let runs = segments(&minmax(&ends[..n], &ys, LINE_BINS));
        draw_stream(&mut chart, runs, i)?;
    }
    if r.stream_series.is_empty() || r.timeseries.is_empty() {
        no_data(
            chart.plotting_area().strip_coord_spec(),
            "no streams recorded",
        )?;
    }
    Ok(Painted {
        subtitle: format!(
            "Messages waiting on each stream at the end of {}: queues build while a link is down and drain after it heals.",
            bucket_phrase(r)
        ),
        legend: vec![stream_legend(r), fault_legend(&r.faults)],
    })
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
