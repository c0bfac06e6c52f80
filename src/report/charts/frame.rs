//! The pieces the time charts and the lag distribution are built from,
//! drawn in pixels on the chart's root area: axes with round ticks (linear
//! or log), panels stacked under one time axis, and the fault lane above
//! them, where every fault and every step a mode took is a coloured bar or
//! mark with its label, placed in rows so no two labels overlap and none
//! touches the data.
//!
//! Texts a reader (or a test) needs to find are remembered as marks and
//! tagged in the SVG afterwards (`class="fault-label"`, `class="legend-entry"
//! data-panel="N"`), see `tag_svg`. Nothing here reads a `HashMap`: the
//! same inputs draw the same bytes.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::style::{
    font, font_colour, Dash, GRID, GRID_LIGHT, LEGEND_SIZE, MUTED, NOTE_SIZE, TICK_SIZE,
};
use crate::metrics::result::{FaultWindow, ModeStep};
use crate::report::{format, ticks};

pub(crate) type Area<DB> = DrawingArea<DB, Shift>;

fn err<E: std::fmt::Display>(e: E) -> String {
    e.to_string()
}

/// A text to tag in the SVG: its content and the attributes to add.
#[derive(Clone, Debug)]
pub(crate) struct Mark {
    pub text: String,
    pub attrs: String,
}

/// The root area and the marks made on it.
pub(crate) struct Canvas<'a, DB: DrawingBackend> {
    pub root: &'a Area<DB>,
    pub marks: Vec<Mark>,
}

impl<'a, DB: DrawingBackend> Canvas<'a, DB> {
    pub fn new(root: &'a Area<DB>) -> Self {
        Canvas {
            root,
            marks: Vec::new(),
        }
    }

    pub fn text(
        &mut self,
        text: &str,
        at: (i32, i32),
        style: TextStyle<'static>,
        pos: Pos,
    ) -> Result<(), String> {
        self.root
            .draw(&Text::new(text.to_string(), at, style.pos(pos)))
            .map_err(err)
    }

    /// A text tagged in the SVG with `attrs`.
    pub fn tagged(
        &mut self,
        text: &str,
        at: (i32, i32),
        style: TextStyle<'static>,
        pos: Pos,
        attrs: String,
    ) -> Result<(), String> {
        self.marks.push(Mark {
            text: text.to_string(),
            attrs,
        });
        self.text(text, at, style, pos)
    }

    pub fn path(
        &self,
        points: &[(i32, i32)],
        colour: RGBAColor,
        width: u32,
        dash: Dash,
    ) -> Result<(), String> {
        if points.len() < 2 {
            return Ok(());
        }
        let style = ShapeStyle {
            color: colour,
            filled: false,
            stroke_width: width,
        };
        match dash.pattern() {
            None => self
                .root
                .draw(&PathElement::new(points.to_vec(), style))
                .map_err(err),
            Some((on, off)) => {
                for piece in dashes(points, f64::from(on), f64::from(off)) {
                    self.root
                        .draw(&PathElement::new(piece, style))
                        .map_err(err)?;
                }
                Ok(())
            }
        }
    }

    pub fn rect(&self, a: (i32, i32), b: (i32, i32), colour: RGBAColor) -> Result<(), String> {
        self.root
            .draw(&Rectangle::new([a, b], colour.filled()))
            .map_err(err)
    }
}

/// A polyline cut into dashes of `on` pixels with gaps of `off`.
fn dashes(points: &[(i32, i32)], on: f64, off: f64) -> Vec<Vec<(i32, i32)>> {
    let mut out = Vec::new();
    let mut cur: Vec<(i32, i32)> = Vec::new();
    // Where in the on/off cycle the walk is, and whether the pen is down.
    let mut left = on;
    let mut down = true;
    for w in points.windows(2) {
        let (a, b) = (w[0], w[1]);
        let (dx, dy) = (f64::from(b.0 - a.0), f64::from(b.1 - a.1));
        let len = (dx * dx + dy * dy).sqrt();
        let at = |d: f64| {
            let f = if len > 0.0 { d / len } else { 0.0 };
            (
                (f64::from(a.0) + dx * f).round() as i32,
                (f64::from(a.1) + dy * f).round() as i32,
            )
        };
        let mut d = 0.0;
        if down && cur.is_empty() {
            cur.push(a);
        }
        while len - d > left {
            d += left;
            if down {
                cur.push(at(d));
                out.push(std::mem::take(&mut cur));
                left = off;
            } else {
                cur.push(at(d));
                left = on;
            }
            down = !down;
        }
        left -= len - d;
        if down {
            cur.push(b);
        }
    }
    if cur.len() >= 2 {
        out.push(cur);
    }
    out
}

/// One axis: its range, whether it is logarithmic, and its ticks.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Axis {
    pub lo: f64,
    pub hi: f64,
    pub log: bool,
    pub ticks: Vec<f64>,
}

/// A log axis is used when the values span more than this many decades.
pub(crate) const LOG_SPAN_DECADES: f64 = 1.5;

impl Axis {
    /// Time from 0 to `span_s` seconds, in whole seconds or minutes.
    pub fn time(span_s: f64) -> Axis {
        Axis {
            lo: 0.0,
            hi: span_s,
            log: false,
            ticks: ticks::time_ticks(span_s, 10),
        }
    }

    /// From 0 to a little above `max` (at least `at_least`).
    pub fn linear(max: f64, at_least: f64, whole: bool) -> Axis {
        let hi = if max.is_finite() && max * 1.12 > at_least {
            max * 1.12
        } else {
            at_least
        };
        Axis {
            lo: 0.0,
            hi,
            log: false,
            ticks: ticks::value_ticks(hi, 5, whole),
        }
    }

    /// Whole decades around the positive `values`.
    pub fn log(lo: f64, hi: f64) -> Axis {
        let lo_dec = 10f64.powf(lo.log10().floor());
        let mut hi_dec = 10f64.powf(hi.log10().ceil());
        if hi_dec <= lo_dec {
            hi_dec = lo_dec * 10.0;
        }
        Axis {
            lo: lo_dec,
            hi: hi_dec,
            log: true,
            ticks: ticks::log_ticks(lo_dec, hi_dec),
        }
    }

    /// A log axis when the positive values span more than
    /// `LOG_SPAN_DECADES`, else linear from 0.
    pub fn for_lags(values: impl IntoIterator<Item = f64>) -> Axis {
        let (mut lo, mut hi) = (f64::INFINITY, 0.0f64);
        for v in values {
            if v > 0.0 && v.is_finite() {
                lo = lo.min(v);
                hi = hi.max(v);
            }
        }
        if hi <= 0.0 {
            return Axis::linear(0.0, 1.0, false);
        }
        if (hi / lo).log10() > LOG_SPAN_DECADES {
            Axis::log(lo, hi)
        } else {
            Axis::linear(hi, 1.0, false)
        }
    }

    /// Where `v` falls, from 0 (lo) to 1 (hi), clamped.
    pub fn frac(&self, v: f64) -> f64 {
        let f = if self.log {
            let v = v.max(self.lo);
            (v.log10() - self.lo.log10()) / (self.hi.log10() - self.lo.log10())
        } else {
            (v - self.lo) / (self.hi - self.lo)
        };
        if f.is_finite() {
            f.clamp(0.0, 1.0)
        } else {
            0.0
        }
    }
}

/// A plot rectangle in pixels with its two axes.
#[derive(Clone, Debug)]
pub(crate) struct Frame {
    pub x0: i32,
    pub x1: i32,
    /// Top.
    pub y0: i32,
    /// Bottom.
    pub y1: i32,
    pub x: Axis,
    pub y: Axis,
}

impl Frame {
    pub fn px(&self, v: f64) -> i32 {
        self.x0 + (self.x.frac(v) * f64::from(self.x1 - self.x0)).round() as i32
    }

    pub fn py(&self, v: f64) -> i32 {
        self.y1 - (self.y.frac(v) * f64::from(self.y1 - self.y0)).round() as i32
    }

    pub fn at(&self, (x, y): (f64, f64)) -> (i32, i32) {
        (self.px(x), self.py(y))
    }

    /// Grid, axis lines and tick labels (the x labels only if `x_labels`).
    pub fn draw_axes<DB: DrawingBackend>(
        &self,
        c: &mut Canvas<'_, DB>,
        x_labels: bool,
    ) -> Result<(), String> {
        for &t in &self.x.ticks {
            let x = self.px(t);
            c.path(
                &[(x, self.y0), (x, self.y1)],
                GRID_LIGHT.to_rgba(),
                1,
                Dash::Solid,
            )?;
            if x_labels {
                c.text(
                    &format::tick(t),
                    (x, self.y1 + 6),
                    font(TICK_SIZE),
                    Pos::new(HPos::Center, VPos::Top),
                )?;
            }
        }
        for &t in &self.y.ticks {
            let y = self.py(t);
            c.path(
                &[(self.x0, y), (self.x1, y)],
                GRID.to_rgba(),
                1,
                Dash::Solid,
            )?;
            c.text(
                &format::tick(t),
                (self.x0 - 6, y),
                font(TICK_SIZE),
                Pos::new(HPos::Right, VPos::Center),
            )?;
        }
        let axis = MUTED.to_rgba();
        c.path(
            &[(self.x0, self.y0), (self.x0, self.y1)],
            axis,
            1,
            Dash::Solid,
        )?;
        c.path(
            &[(self.x0, self.y1), (self.x1, self.y1)],
            axis,
            1,
            Dash::Solid,
        )
    }

    /// A series with gaps (`None`), in data coordinates.
    pub fn draw_runs<DB: DrawingBackend>(
        &self,
        c: &Canvas<'_, DB>,
        runs: &[Vec<(f64, f64)>],
        colour: RGBAColor,
        width: u32,
        dash: Dash,
    ) -> Result<(), String> {
        for run in runs {
            let pts: Vec<(i32, i32)> = run.iter().map(|p| self.at(*p)).collect();
            if pts.len() == 1 {
                c.root
                    .draw(&Circle::new(pts[0], 3, colour.filled()))
                    .map_err(err)?;
            } else {
                c.path(&pts, colour, width, dash)?;
            }
        }
        Ok(())
    }
}

/// A fault or a mode's step on the time axis.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Event {
    /// `partition`, `isolate`, `outage`, `clock_step`, `switchover`, or a
    /// step: `detect`, `promote`, `switchover_done`.
    pub kind: String,
    pub label: String,
    pub start_s: f64,
    /// `None`: never ends; equal to the start: an instant.
    pub end_s: Option<f64>,
}

impl Event {
    pub fn is_instant(&self) -> bool {
        self.end_s == Some(self.start_s)
    }
}

/// The faults and the mode's steps, in time order (ties: faults first, in
/// scenario order). A switchover's start is the fault itself, so only its
/// completion is added.
pub(crate) fn events(faults: &[FaultWindow], steps: &[ModeStep]) -> Vec<Event> {
    let mut out: Vec<Event> = faults
        .iter()
        .map(|f| Event {
            kind: f.kind.clone(),
            label: if f.label.is_empty() {
                f.kind.replace('_', " ")
            } else {
                f.label.clone()
            },
            start_s: f.start_s,
            end_s: f.end_s,
        })
        .collect();
    for s in steps {
        let duplicate = s.kind == "switchover_start"
            && faults
                .iter()
                .any(|f| f.kind == "switchover" && f.start_s == s.at_s);
        if !duplicate {
            out.push(Event {
                kind: s.kind.to_string(),
                label: s.label.clone(),
                start_s: s.at_s,
                end_s: Some(s.at_s),
            });
        }
    }
    // A stable sort keeps the scenario's order among equal starts.
    out.sort_by(|a, b| a.start_s.total_cmp(&b.start_s));
    out
}

/// The colour of each kind of fault or step (Okabe–Ito hues where they
/// do not clash with the data colours, darker ones otherwise).
pub(crate) fn event_colour(kind: &str) -> RGBColor {
    match kind {
        "partition" => RGBColor(117, 112, 179), // purple
        "isolate" => RGBColor(231, 41, 138),    // magenta
        "outage" => RGBColor(165, 15, 21),      // dark red
        "clock_step" => RGBColor(27, 158, 119), // teal
        "switchover" | "switchover_start" | "switchover_done" => RGBColor(166, 118, 29), // brown
        "detect" => RGBColor(230, 159, 0),      // orange
        "promote" => RGBColor(0, 0, 0),         // black
        _ => RGBColor(102, 102, 102),
    }
}

/// How a kind is named in the key.
pub(crate) fn kind_name(kind: &str) -> String {
    match kind {
        "detect" => "failure detected".to_string(),
        "promote" => "promotion".to_string(),
        "switchover_done" | "switchover_start" => "switchover step".to_string(),
        k => k.replace('_', " "),
    }
}

/// The font size of lane labels in pixels, and about how wide a text of
/// it is: DejaVu Sans averages a little over half an em per character;
/// 0.62 em leaves room for wider sans-serif fonts in browsers.
pub(crate) const LANE_FONT: f64 = NOTE_SIZE;
pub(crate) fn text_width_px(text: &str, size: f64) -> f64 {
    text.chars().count() as f64 * size / 1.24 * 0.62
}

/// Height of one row of the lane in pixels: a bar and its label.
pub(crate) const LANE_ROW: i32 = 30;

/// Each event's row in the lane, and the horizontal span of its label.
#[derive(Clone, Debug)]
pub(crate) struct LanePlan {
    pub rows: usize,
    /// Per event: (row, label x, label anchored at its left?).
    pub place: Vec<(usize, i32, bool)>,
}

/// Puts each event in the first row where its bar and label overlap
/// nothing already there (8 px apart).
pub(crate) fn plan_lane(events: &[Event], x: &Axis, x0: i32, x1: i32) -> LanePlan {
    let px = |t: f64| x0 + (x.frac(t) * f64::from(x1 - x0)).round() as i32;
    let mut taken: Vec<Vec<(i32, i32)>> = Vec::new();
    let mut place = Vec::with_capacity(events.len());
    for e in events {
        let start = px(e.start_s);
        let end = e.end_s.map_or(x1, px).max(start);
        let width = text_width_px(&e.label, LANE_FONT).ceil() as i32;
        // Left-aligned from the start when it fits, else ending at the end.
        let (lx, left) = if start + 4 + width <= x1 {
            (start + 4, true)
        } else {
            ((end - 4).max(x0 + width), false)
        };
        let span = if left {
            (start - 6, (lx + width).max(end))
        } else {
            ((lx - width).min(start - 6), end.max(lx))
        };
        let row = taken
            .iter()
            .position(|r| r.iter().all(|o| span.1 + 8 < o.0 || span.0 > o.1 + 8))
            .unwrap_or_else(|| {
                taken.push(Vec::new());
                taken.len() - 1
            });
        taken[row].push(span);
        place.push((row, lx, left));
    }
    LanePlan {
        rows: taken.len(),
        place,
    }
}

/// Draws the lane from `top`: a bar (or, for an instant, a mark) per
/// event in its colour, its label under it.
pub(crate) fn draw_lane<DB: DrawingBackend>(
    c: &mut Canvas<'_, DB>,
    events: &[Event],
    plan: &LanePlan,
    x: &Axis,
    (x0, x1): (i32, i32),
    top: i32,
) -> Result<(), String> {
    let px = |t: f64| x0 + (x.frac(t) * f64::from(x1 - x0)).round() as i32;
    for (e, &(row, lx, left)) in events.iter().zip(&plan.place) {
        let y = top + row as i32 * LANE_ROW;
        let colour = event_colour(&e.kind);
        let start = px(e.start_s);
        if e.is_instant() {
            c.root
                .draw(&Polygon::new(
                    vec![(start - 5, y), (start + 5, y), (start, y + 9)],
                    colour.filled(),
                ))
                .map_err(err)?;
        } else {
            let end = e.end_s.map_or(x1, px).max(start + 2);
            c.rect((start, y + 1), (end, y + 8), colour.to_rgba())?;
            if e.end_s.is_none() {
                c.root
                    .draw(&Polygon::new(
                        vec![(x1, y - 2), (x1 + 7, y + 4), (x1, y + 11)],
                        colour.filled(),
                    ))
                    .map_err(err)?;
            }
        }
        let hpos = if left { HPos::Left } else { HPos::Right };
        c.tagged(
            &e.label,
            (lx, y + 11),
            font_colour(LANE_FONT, colour),
            Pos::new(hpos, VPos::Top),
            "class=\"fault-label\"".to_string(),
        )?;
    }
    Ok(())
}

/// Shades each window in `frame` in its kind's colour (a dashed line for
/// an instant), behind the data.
pub(crate) fn shade_events<DB: DrawingBackend>(
    c: &Canvas<'_, DB>,
    events: &[Event],
    frame: &Frame,
) -> Result<(), String> {
    for e in events {
        let colour = event_colour(&e.kind);
        let start = frame.px(e.start_s);
        if e.is_instant() {
            c.path(
                &[(start, frame.y0), (start, frame.y1)],
                colour.mix(0.7),
                1,
                Dash::Dashed,
            )?;
        } else {
            let end = e.end_s.map_or(frame.x1, |t| frame.px(t)).max(start + 1);
            let alpha = if e.kind == "outage" { 0.13 } else { 0.10 };
            c.rect((start, frame.y0), (end, frame.y1), colour.mix(alpha))?;
        }
    }
    Ok(())
}

/// One legend entry: a swatch (line colour and dash, or a box) and a label.
#[derive(Clone, Debug)]
pub(crate) struct Entry {
    pub label: String,
    pub colour: RGBAColor,
    pub dash: Dash,
    /// A filled box instead of a line.
    pub boxed: bool,
}

impl Entry {
    pub fn line(label: impl Into<String>, colour: RGBAColor, dash: Dash) -> Entry {
        Entry {
            label: label.into(),
            colour,
            dash,
            boxed: false,
        }
    }

    pub fn boxed(label: impl Into<String>, colour: RGBAColor) -> Entry {
        Entry {
            label: label.into(),
            colour,
            dash: Dash::Solid,
            boxed: true,
        }
    }
}

/// At most this many entries in one panel's legend.
pub(crate) const MAX_LEGEND: usize = 8;

/// A panel's legend, top-down from (`x`, `y`), each label tagged with the
/// panel's number. Rows shrink to fit `height`.
pub(crate) fn draw_entries<DB: DrawingBackend>(
    c: &mut Canvas<'_, DB>,
    entries: &[Entry],
    (x, y): (i32, i32),
    height: i32,
    panel: usize,
) -> Result<(), String> {
    let n = entries.len().max(1) as i32;
    let row = (height / n).clamp(14, (LEGEND_SIZE * 1.3) as i32);
    let max_chars = 26;
    for (k, e) in entries.iter().enumerate() {
        let yy = y + k as i32 * row + row / 2;
        if e.boxed {
            c.rect((x + 6, yy - 6), (x + 26, yy + 6), e.colour)?;
        } else {
            c.path(&[(x, yy), (x + 32, yy)], e.colour, 3, e.dash)?;
        }
        let mut label = e.label.clone();
        if label.chars().count() > max_chars {
            label = label.chars().take(max_chars - 1).collect::<String>() + "…";
        }
        c.tagged(
            &label,
            (x + 40, yy),
            font(LEGEND_SIZE),
            Pos::new(HPos::Left, VPos::Center),
            format!("class=\"legend-entry\" data-panel=\"{panel}\""),
        )?;
    }
    Ok(())
}

/// Adds each mark's attributes to the SVG `<text>` element that holds its
/// text, matching in drawing order.
pub(crate) fn tag_svg(svg: &str, marks: &[Mark]) -> String {
    let mut out = String::with_capacity(svg.len() + marks.len() * 40);
    let mut rest = svg;
    for m in marks {
        let want = escape(&m.text);
        // Find the next <text ...>content</text> whose content is `want`.
        let mut scanned = 0;
        let found = loop {
            let Some(open) = rest[scanned..].find("<text ") else {
                break None;
            };
            let open = scanned + open;
            let Some(gt) = rest[open..].find('>') else {
                break None;
            };
            let gt = open + gt;
            let Some(close) = rest[gt..].find("</text>") else {
                break None;
            };
            let content = rest[gt + 1..gt + close].trim();
            if content == want {
                break Some(open);
            }
            scanned = gt + close;
        };
        if let Some(open) = found {
            out.push_str(&rest[..open + 6]);
            out.push_str(&m.attrs);
            out.push(' ');
            rest = &rest[open + 6..];
        }
    }
    out.push_str(rest);
    out
}

/// Text as plotters writes it into SVG.
fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&apos;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dashes_alternate_along_the_path() {
        let d = dashes(&[(0, 0), (100, 0)], 10.0, 5.0);
        assert_eq!(d.len(), 7);
        assert_eq!(d[0], vec![(0, 0), (10, 0)]);
        assert_eq!(d[1], vec![(15, 0), (25, 0)]);
    }

    #[test]
    fn lags_over_decades_get_a_log_axis() {
        let a = Axis::for_lags([430.0, 450.0, 30_000.0]);
        assert!(a.log);
        assert_eq!((a.lo, a.hi), (100.0, 100_000.0));
        let b = Axis::for_lags([430.0, 900.0, 2_000.0]);
        assert!(!b.log);
        assert_eq!(b.lo, 0.0);
    }

    #[test]
    fn lane_rows_keep_labels_apart() {
        let x = Axis::time(300.0);
        let ev = |s: f64, e: f64, l: &str| Event {
            kind: "partition".into(),
            label: l.into(),
            start_s: s,
            end_s: Some(e),
        };
        let events = [
            ev(120.0, 150.0, "partition us-east-1 ↔ eu-west-1"),
            ev(150.0, 160.0, "partition ap-southeast-1 → us-east-1"),
            ev(250.0, 255.0, "isolate x"),
        ];
        let plan = plan_lane(&events, &x, 100, 800);
        assert_eq!(plan.place[0].0, 0);
        assert_eq!(plan.place[1].0, 1, "touching windows share no row");
        assert_eq!(plan.place[2].0, 0, "far apart: the first row");
    }

    #[test]
    fn marks_tag_their_text_elements() {
        let svg = "<text x=\"1\">\na &amp; b\n</text><text x=\"2\">\nc\n</text>";
        let tagged = tag_svg(
            svg,
            &[Mark {
                text: "c".into(),
                attrs: "class=\"k\"".into(),
            }],
        );
        assert_eq!(
            tagged,
            "<text x=\"1\">\na &amp; b\n</text><text class=\"k\" x=\"2\">\nc\n</text>"
        );
    }
}
