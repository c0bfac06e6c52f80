//! The time charts (lag, backlog, lost writes, stale reads) and the lag
//! distribution, drawn as panels under one axis: one panel per destination
//! region for the per-stream charts, so each shows at most a region's
//! incoming streams (and at most `MAX_LEGEND` legend entries; beyond that
//! the streams with the highest values are named and the rest drawn in
//! grey as one entry), colours fixed per source region across panels, a
//! log lag axis when lags span more than 1.5 decades, and the fault lane
//! above the panels.
//!
//! Reads a finished `RunResult` only; the height of a chart follows from
//! its regions and its faults (`height`), computed the same way when the
//! chart is sized and when it is drawn.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::downsample::{merge_buckets, minmax, segments};
use super::frame::{
    draw_entries, draw_lane, event_colour, events, kind_name, plan_lane, shade_events, Area, Axis,
    Canvas, Entry, Event, Frame, Mark, LANE_ROW, MAX_LEGEND,
};
use super::style::{
    font, font_colour, stream_style, Dash, AXIS_DESC_SIZE, CAPTION_SIZE, CONFLICT_COLOUR,
    LOST_COLOUR, MUTED, NOTE_SIZE, STALE_COLOUR, TITLE_SIZE,
};
use super::{bucket_phrase, bucket_phrase_merged, time_extent, ChartKind, WIDTH};
use crate::metrics::result::RunResult;
use crate::report::format;

/// Left edge of the plots (room for tick labels).
const X0: i32 = 96;
/// Right edge of the plots; the legends are to its right.
const X1: i32 = WIDTH as i32 - 290;
const LEGEND_X: i32 = X1 + 24;
/// Title and subtitle.
const TOP: i32 = 70;
/// Caption line above each panel's plot.
const CAPTION_H: i32 = 30;
/// Tick labels and the axis description under the last panel.
const BOTTOM: i32 = 62;

const P99_COLOUR: RGBColor = RGBColor(0, 114, 178);
const P50_COLOUR: RGBColor = RGBColor(86, 180, 233);
const OLDEST_COLOUR: RGBColor = RGBColor(0, 0, 0);
const OTHER_COLOUR: RGBColor = RGBColor(170, 170, 170);

/// Lines per stream kept for drawing.
const LINE_BINS: usize = 420;
const COUNT_BINS: usize = 150;
const RATE_BINS: usize = 300;

/// Whether this module draws `kind`.
pub(super) fn draws(kind: ChartKind) -> bool {
    kind != ChartKind::Regions
}

/// The regions in order, and per region the streams into it (indices in
/// `links`/`stream_series`) with the source region's index.
fn by_destination(r: &RunResult) -> Vec<(String, Vec<(usize, usize)>)> {
    let pairs: Vec<(&str, &str)> = if r.stream_series.is_empty() {
        r.links
            .iter()
            .map(|l| (l.from.as_str(), l.to.as_str()))
            .collect()
    } else {
        r.stream_series
            .iter()
            .map(|s| (s.from.as_str(), s.to.as_str()))
            .collect()
    };
    let mut names: Vec<String> = r.regions.iter().map(|g| g.region.clone()).collect();
    for (from, to) in &pairs {
        for n in [from, to] {
            if !names.iter().any(|x| x == n) {
                names.push(n.to_string());
            }
        }
    }
    let index = |n: &str| names.iter().position(|x| x == n).unwrap_or(0);
    names
        .iter()
        .map(|dest| {
            let streams: Vec<(usize, usize)> = pairs
                .iter()
                .enumerate()
                .filter(|(_, (_, to))| to == dest)
                .map(|(i, (from, _))| (i, index(from)))
                .collect();
            (dest.clone(), streams)
        })
        .filter(|(_, s)| !s.is_empty())
        .collect()
}

/// The streams of a panel to name (at most `MAX_LEGEND - 1` when some
/// must be grouped): those with the highest `peak`, kept in source order.
fn named_streams(streams: &[(usize, usize)], peak: &dyn Fn(usize) -> f64) -> Vec<bool> {
    if streams.len() <= MAX_LEGEND {
        return vec![true; streams.len()];
    }
    let mut order: Vec<usize> = (0..streams.len()).collect();
    order.sort_by(|&a, &b| {
        peak(streams[b].0)
            .total_cmp(&peak(streams[a].0))
            .then(a.cmp(&b))
    });
    let mut named = vec![false; streams.len()];
    for &k in order.iter().take(MAX_LEGEND - 1) {
        named[k] = true;
    }
    named
}

fn panel_height(n: usize) -> i32 {
    match n {
        0..=3 => 200,
        4..=6 => 165,
        _ => 140,
    }
}

/// The panels a chart has and the height of each plot.
fn panels(kind: ChartKind, r: &RunResult) -> (usize, i32) {
    let dests = by_destination(r).len().max(1);
    match kind {
        ChartKind::LagOverTime => (dests + 1, panel_height(dests + 1)),
        ChartKind::Backlog | ChartKind::LagCdf => (dests, panel_height(dests)),
        _ => (1, 400),
    }
}

fn has_lane(kind: ChartKind) -> bool {
    kind != ChartKind::LagCdf
}

/// The lane's events and plan, for a time chart.
fn lane(r: &RunResult) -> (Vec<Event>, super::frame::LanePlan, Axis) {
    let x = Axis::time(time_extent(r));
    let ev = events(&r.faults, &r.summary.mode_extras.steps);
    let plan = plan_lane(&ev, &x, X0, X1);
    (ev, plan, x)
}

/// Height of the lane block (its key line and rows), 0 without events.
fn lane_height(rows: usize, events: usize) -> i32 {
    if events == 0 {
        0
    } else {
        24 + rows as i32 * LANE_ROW + 6
    }
}

/// The chart's height in pixels.
pub(super) fn height(kind: ChartKind, r: &RunResult) -> u32 {
    let (n, ph) = panels(kind, r);
    let lane = if has_lane(kind) {
        let (ev, plan, _) = lane(r);
        lane_height(plan.rows, ev.len())
    } else {
        0
    };
    (TOP + lane + n as i32 * (CAPTION_H + ph) + BOTTOM) as u32
}

/// Draws the chart; returns the texts to tag in the SVG.
pub(super) fn paint<DB: DrawingBackend>(
    kind: ChartKind,
    r: &RunResult,
    root: &Area<DB>,
) -> Result<Vec<Mark>, String> {
    let mut c = Canvas::new(root);
    root.fill(&WHITE).map_err(|e| e.to_string())?;
    c.text(
        kind.title(),
        (20, 14),
        font(TITLE_SIZE),
        Pos::new(HPos::Left, VPos::Top),
    )?;
    let (n, ph) = panels(kind, r);
    let mut top = TOP;
    let (ev, plan, x) = lane(r);
    if has_lane(kind) && !ev.is_empty() {
        draw_key(&mut c, &ev, top)?;
        draw_lane(&mut c, &ev, &plan, &x, (X0, X1), top + 26)?;
        top += lane_height(plan.rows, ev.len());
    }
    let frames: Vec<(i32, i32)> = (0..n)
        .map(|k| {
            let y0 = top + k as i32 * (CAPTION_H + ph) + CAPTION_H;
            (y0, y0 + ph)
        })
        .collect();
    let subtitle = match kind {
        ChartKind::LagOverTime => lag_over_time(&mut c, r, &frames, &x, &ev)?,
        ChartKind::Backlog => backlog(&mut c, r, &frames, &x, &ev)?,
        ChartKind::LagCdf => lag_cdf(&mut c, r, &frames)?,
        ChartKind::LostWrites => lost_writes(&mut c, r, frames[0], &x, &ev)?,
        _ => stale_reads(&mut c, r, frames[0], &x, &ev)?,
    };
    c.text(
        &subtitle,
        (20, 46),
        font_colour(NOTE_SIZE, MUTED),
        Pos::new(HPos::Left, VPos::Top),
    )?;
    Ok(c.marks)
}

/// One line naming the kinds of fault and step in the lane, in their
/// colours.
fn draw_key<DB: DrawingBackend>(
    c: &mut Canvas<'_, DB>,
    ev: &[Event],
    top: i32,
) -> Result<(), String> {
    let mut kinds: Vec<(String, bool)> = Vec::new();
    for e in ev {
        let name = kind_name(&e.kind);
        if !kinds.iter().any(|(k, _)| *k == name) {
            kinds.push((name, e.is_instant()));
        }
    }
    let mut x = X0;
    c.text(
        "faults:",
        (x - 8, top + 8),
        font_colour(NOTE_SIZE, MUTED),
        Pos::new(HPos::Right, VPos::Center),
    )?;
    for (name, instant) in &kinds {
        let kind = ev
            .iter()
            .find(|e| kind_name(&e.kind) == *name)
            .map_or("", |e| e.kind.as_str());
        let colour = event_colour(kind);
        if *instant {
            c.root
                .draw(&Polygon::new(
                    vec![(x, top + 3), (x + 10, top + 3), (x + 5, top + 12)],
                    colour.filled(),
                ))
                .map_err(|e| e.to_string())?;
        } else {
            c.rect((x, top + 4), (x + 18, top + 12), colour.to_rgba())?;
        }
        let tx = x + if *instant { 14 } else { 22 };
        c.tagged(
            name,
            (tx, top + 8),
            font_colour(NOTE_SIZE, colour),
            Pos::new(HPos::Left, VPos::Center),
            "class=\"legend-entry\" data-panel=\"faults\"".to_string(),
        )?;
        x = tx + super::frame::text_width_px(name, NOTE_SIZE).ceil() as i32 + 18;
    }
    Ok(())
}

/// A panel's caption at the left, its y unit at the right.
fn caption<DB: DrawingBackend>(
    c: &mut Canvas<'_, DB>,
    y0: i32,
    text: &str,
    unit: &str,
) -> Result<(), String> {
    c.text(
        text,
        (X0, y0 - 6),
        font_colour(CAPTION_SIZE, MUTED),
        Pos::new(HPos::Left, VPos::Bottom),
    )?;
    c.text(
        unit,
        (X1, y0 - 6),
        font_colour(NOTE_SIZE, MUTED),
        Pos::new(HPos::Right, VPos::Bottom),
    )
}

fn x_desc<DB: DrawingBackend>(c: &mut Canvas<'_, DB>, y1: i32, text: &str) -> Result<(), String> {
    c.text(
        text,
        ((X0 + X1) / 2, y1 + 30),
        font(AXIS_DESC_SIZE),
        Pos::new(HPos::Center, VPos::Top),
    )
}

fn no_data<DB: DrawingBackend>(
    c: &mut Canvas<'_, DB>,
    f: &Frame,
    text: &str,
) -> Result<(), String> {
    c.text(
        text,
        ((f.x0 + f.x1) / 2, (f.y0 + f.y1) / 2),
        font_colour(CAPTION_SIZE, MUTED),
        Pos::new(HPos::Center, VPos::Center),
    )
}

fn unit(y: &Axis, unit: &str) -> String {
    if y.log {
        format!("{unit}, log scale")
    } else {
        unit.to_string()
    }
}

fn mids(r: &RunResult) -> Vec<f64> {
    r.timeseries
        .iter()
        .map(|b| (b.t_start_s + b.t_end_s) / 2.0)
        .collect()
}

/// Whether bucket `i` lies in a fault or in the catch-up after it.
fn in_incident(r: &RunResult, t0: f64, t1: f64) -> bool {
    let end_of_run = time_extent(r);
    r.fault_rows.iter().any(|f| {
        if f.end_s == Some(f.start_s) {
            return false;
        }
        let end = f.end_s.unwrap_or(end_of_run) + f.catch_up_ms.unwrap_or(0.0) / 1000.0;
        t1 > f.start_s && t0 < end
    }) || r
        .faults
        .iter()
        .any(|f| f.end_s != Some(f.start_s) && t1 > f.start_s && t0 < f.end_s.unwrap_or(end_of_run))
}

fn lag_over_time<DB: DrawingBackend>(
    c: &mut Canvas<'_, DB>,
    r: &RunResult,
    frames: &[(i32, i32)],
    x: &Axis,
    ev: &[Event],
) -> Result<String, String> {
    let xs = mids(r);
    let all_p99: Vec<Option<f64>> = r
        .timeseries
        .iter()
        .map(|b| (b.deliveries > 0).then_some(b.lag_p99_ms))
        .collect();
    let all_p50: Vec<Option<f64>> = r
        .timeseries
        .iter()
        .map(|b| (b.deliveries > 0).then_some(b.lag_p50_ms))
        .collect();
    let oldest: Vec<Option<f64>> = r
        .timeseries
        .iter()
        .map(|b| {
            (in_incident(r, b.t_start_s, b.t_end_s) && b.oldest_unreplicated_ms > 0.0)
                .then_some(b.oldest_unreplicated_ms)
        })
        .collect();
    let values = r
        .stream_series
        .iter()
        .flat_map(|s| s.lag_p99_ms.iter().flatten().copied())
        .chain(all_p99.iter().flatten().copied())
        .chain(all_p50.iter().flatten().copied())
        .chain(oldest.iter().flatten().copied());
    let y = Axis::for_lags(values);
    let last = frames.len() - 1;
    for (k, &(y0, y1)) in frames.iter().enumerate() {
        let f = Frame {
            x0: X0,
            x1: X1,
            y0,
            y1,
            x: x.clone(),
            y: y.clone(),
        };
        shade_events(c, ev, &f)?;
        f.draw_axes(c, k == last)?;
    }
    // The overview: every stream together.
    let f0 = frame(frames[0], x, &y);
    caption(c, f0.y0, "all streams", &unit(&y, "lag, ms"))?;
    let line = |ys: &[Option<f64>]| segments(&minmax(&xs, ys, LINE_BINS));
    f0.draw_runs(c, &line(&all_p50), P50_COLOUR.to_rgba(), 2, Dash::Solid)?;
    f0.draw_runs(c, &line(&all_p99), P99_COLOUR.to_rgba(), 2, Dash::Solid)?;
    let mut entries = vec![
        Entry::line("p99 of all deliveries", P99_COLOUR.to_rgba(), Dash::Solid),
        Entry::line("p50 of all deliveries", P50_COLOUR.to_rgba(), Dash::Solid),
    ];
    if oldest.iter().any(Option::is_some) {
        f0.draw_runs(c, &line(&oldest), OLDEST_COLOUR.to_rgba(), 2, Dash::Dashed)?;
        entries.push(Entry::line(
            "oldest unreplicated write",
            OLDEST_COLOUR.to_rgba(),
            Dash::Dashed,
        ));
    }
    draw_entries(c, &entries, (LEGEND_X, f0.y0), f0.y1 - f0.y0, 0)?;
    if all_p99.iter().all(Option::is_none) {
        no_data(c, &f0, "no deliveries recorded")?;
    }
    for (k, (dest, streams)) in by_destination(r).iter().enumerate() {
        let Some(&fr) = frames.get(k + 1) else { break };
        let f = frame(fr, x, &y);
        caption(
            c,
            f.y0,
            &format!("into {dest}: p99 lag per stream"),
            &unit(&y, "ms"),
        )?;
        let peak = |i: usize| {
            r.stream_series.get(i).map_or(0.0, |s| {
                s.lag_p99_ms.iter().flatten().fold(0.0f64, |a, b| a.max(*b))
            })
        };
        let named = named_streams(streams, &peak);
        let mut entries = Vec::new();
        let others = named.iter().filter(|n| !**n).count();
        for pass in [false, true] {
            for (&(i, src), &is_named) in streams.iter().zip(&named) {
                if is_named != pass {
                    continue;
                }
                let Some(s) = r.stream_series.get(i) else {
                    continue;
                };
                let (colour, dash) = if is_named {
                    stream_style(src)
                } else {
                    (OTHER_COLOUR, Dash::Solid)
                };
                let width = if is_named { 2 } else { 1 };
                f.draw_runs(c, &line(&s.lag_p99_ms), colour.to_rgba(), width, dash)?;
                if is_named {
                    entries.push(Entry::line(
                        format!("from {}", s.from),
                        colour.to_rgba(),
                        dash,
                    ));
                }
            }
        }
        if others > 0 {
            entries.push(Entry::line(
                format!("{others} other streams"),
                OTHER_COLOUR.to_rgba(),
                Dash::Solid,
            ));
        }
        draw_entries(c, &entries, (LEGEND_X, f.y0), f.y1 - f.y0, k + 1)?;
    }
    x_desc(c, frames[last].1, "time (s)")?;
    Ok(format!(
        "Lag of the deliveries that arrived in {} (arrival minus issue time), overall and into each region; a gap means nothing arrived.",
        bucket_phrase(r)
    ))
}

fn frame((y0, y1): (i32, i32), x: &Axis, y: &Axis) -> Frame {
    Frame {
        x0: X0,
        x1: X1,
        y0,
        y1,
        x: x.clone(),
        y: y.clone(),
    }
}

fn backlog<DB: DrawingBackend>(
    c: &mut Canvas<'_, DB>,
    r: &RunResult,
    frames: &[(i32, i32)],
    x: &Axis,
    ev: &[Event],
) -> Result<String, String> {
    let ends: Vec<f64> = r.timeseries.iter().map(|b| b.t_end_s).collect();
    let hi = r
        .stream_series
        .iter()
        .flat_map(|s| s.backlog.iter())
        .copied()
        .max()
        .unwrap_or(0) as f64;
    let y = Axis::linear(hi, 5.0, true);
    let dests = by_destination(r);
    let last = frames.len() - 1;
    for (k, &fr) in frames.iter().enumerate() {
        let f = frame(fr, x, &y);
        shade_events(c, ev, &f)?;
        f.draw_axes(c, k == last)?;
    }
    for (k, (dest, streams)) in dests.iter().enumerate() {
        let Some(&fr) = frames.get(k) else { break };
        let f = frame(fr, x, &y);
        caption(c, f.y0, &format!("into {dest}"), "messages queued")?;
        let peak = |i: usize| {
            r.stream_series
                .get(i)
                .map_or(0.0, |s| s.backlog.iter().copied().max().unwrap_or(0) as f64)
        };
        let named = named_streams(streams, &peak);
        let others = named.iter().filter(|n| !**n).count();
        let mut entries = Vec::new();
        for pass in [false, true] {
            for (&(i, src), &is_named) in streams.iter().zip(&named) {
                if is_named != pass {
                    continue;
                }
                let Some(s) = r.stream_series.get(i) else {
                    continue;
                };
                let n = ends.len().min(s.backlog.len());
                let ys: Vec<Option<f64>> = s.backlog[..n].iter().map(|v| Some(*v as f64)).collect();
                let runs = segments(&minmax(&ends[..n], &ys, LINE_BINS));
                let (colour, dash) = if is_named {
                    stream_style(src)
                } else {
                    (OTHER_COLOUR, Dash::Solid)
                };
                f.draw_runs(
                    c,
                    &runs,
                    colour.to_rgba(),
                    if is_named { 2 } else { 1 },
                    dash,
                )?;
                if is_named {
                    entries.push(Entry::line(
                        format!("from {}", s.from),
                        colour.to_rgba(),
                        dash,
                    ));
                }
            }
        }
        if others > 0 {
            entries.push(Entry::line(
                format!("{others} other streams"),
                OTHER_COLOUR.to_rgba(),
                Dash::Solid,
            ));
        }
        draw_entries(c, &entries, (LEGEND_X, f.y0), f.y1 - f.y0, k)?;
    }
    if dests.is_empty() || r.timeseries.is_empty() {
        let f = frame(frames[0], x, &y);
        no_data(c, &f, "no streams recorded")?;
    }
    x_desc(c, frames[last].1, "time (s)")?;
    Ok(format!(
        "Messages waiting on each stream at the end of {}, by destination region: queues build while a link is down and drain after it heals.",
        bucket_phrase(r)
    ))
}

fn lag_cdf<DB: DrawingBackend>(
    c: &mut Canvas<'_, DB>,
    r: &RunResult,
    frames: &[(i32, i32)],
) -> Result<String, String> {
    let curves: Vec<Vec<(f64, f64)>> = r
        .lag_cdf
        .iter()
        .map(|pts| {
            let pos: Vec<(f64, f64)> = pts
                .iter()
                .filter(|p| p.value_ms > 0.0 && p.value_ms.is_finite())
                .map(|p| (p.value_ms, (p.fraction * 100.0).clamp(0.0, 100.0)))
                .collect();
            super::downsample::decimate(&pos, 600)
        })
        .collect();
    let (mut lo, mut hi) = (f64::INFINITY, 0.0f64);
    for p in curves.iter().flatten() {
        lo = lo.min(p.0);
        hi = hi.max(p.0);
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
    let x = Axis::log(lo, hi);
    let y = Axis {
        lo: 0.0,
        hi: 100.0,
        log: false,
        ticks: vec![0.0, 20.0, 40.0, 60.0, 80.0, 100.0],
    };
    let last = frames.len() - 1;
    for (k, &fr) in frames.iter().enumerate() {
        let f = frame(fr, &x, &y);
        f.draw_axes(c, k == last)?;
        for level in [50.0, 99.0] {
            let yy = f.py(level);
            c.path(&[(f.x0, yy), (f.x1, yy)], MUTED.mix(0.6), 1, Dash::Dashed)?;
        }
    }
    let dests = by_destination(r);
    for (k, (dest, streams)) in dests.iter().enumerate() {
        let Some(&fr) = frames.get(k) else { break };
        let f = frame(fr, &x, &y);
        caption(
            c,
            f.y0,
            &format!("into {dest}"),
            "deliveries with lag ≤ x, %",
        )?;
        let peak = |i: usize| r.links.get(i).map_or(0.0, |l| l.lag_p99_ms);
        let named = named_streams(streams, &peak);
        let others = named.iter().filter(|n| !**n).count();
        let mut entries = Vec::new();
        for pass in [false, true] {
            for (&(i, src), &is_named) in streams.iter().zip(&named) {
                if is_named != pass {
                    continue;
                }
                let (colour, dash) = if is_named {
                    stream_style(src)
                } else {
                    (OTHER_COLOUR, Dash::Solid)
                };
                if let Some(curve) = curves.get(i) {
                    f.draw_runs(c, std::slice::from_ref(curve), colour.to_rgba(), 2, dash)?;
                }
                if let Some(l) = r.links.get(i) {
                    if l.lag_p50_ms > 0.0 {
                        c.root
                            .draw(&Circle::new(f.at((l.lag_p50_ms, 50.0)), 5, colour.filled()))
                            .map_err(|e| e.to_string())?;
                    }
                    if l.lag_p99_ms > 0.0 {
                        c.root
                            .draw(&TriangleMarker::new(
                                f.at((l.lag_p99_ms, 99.0)),
                                6,
                                colour.filled(),
                            ))
                            .map_err(|e| e.to_string())?;
                    }
                    if is_named {
                        entries.push(Entry::line(
                            format!("from {}", l.from),
                            colour.to_rgba(),
                            dash,
                        ));
                    }
                }
            }
        }
        if others > 0 {
            entries.push(Entry::line(
                format!("{others} other streams"),
                OTHER_COLOUR.to_rgba(),
                Dash::Solid,
            ));
        }
        draw_entries(c, &entries, (LEGEND_X, f.y0), f.y1 - f.y0, k)?;
    }
    if curves.iter().all(Vec::is_empty) {
        let f = frame(frames[0], &x, &y);
        no_data(c, &f, "no deliveries recorded")?;
    }
    x_desc(c, frames[last].1, "replication lag (ms, log scale)")?;
    Ok(
        "Share of deliveries per stream that arrived within a given lag, over the whole run, by destination region; circle = a stream's p50, triangle = its p99."
            .to_string(),
    )
}

fn lost_writes<DB: DrawingBackend>(
    c: &mut Canvas<'_, DB>,
    r: &RunResult,
    fr: (i32, i32),
    x: &Axis,
    ev: &[Event],
) -> Result<String, String> {
    let (bins, _) = merge_buckets(&r.timeseries, COUNT_BINS);
    let hi = bins
        .iter()
        .map(|b| b.lost_writes.max(b.conflicts))
        .max()
        .unwrap_or(0) as f64;
    let y = Axis::linear(hi, 5.0, true);
    let f = frame(fr, x, &y);
    shade_events(c, ev, &f)?;
    f.draw_axes(c, true)?;
    let width = bins.first().map(|b| b.t_end_s - b.t_start_s).unwrap_or(0.0);
    let unit_text = if width > 0.0 {
        format!("count per {} bucket", format::span_s(width))
    } else {
        "count per bucket".to_string()
    };
    caption(c, f.y0, "by issue time", &unit_text)?;
    for b in &bins {
        let w = b.t_end_s - b.t_start_s;
        let (x0, xm, x1) = (
            b.t_start_s + 0.08 * w,
            b.t_start_s + 0.5 * w,
            b.t_end_s - 0.08 * w,
        );
        if b.lost_writes > 0 {
            c.rect(
                f.at((x0, b.lost_writes as f64)),
                f.at((xm, 0.0)),
                LOST_COLOUR.to_rgba(),
            )?;
        }
        if b.conflicts > 0 {
            c.rect(
                f.at((xm, b.conflicts as f64)),
                f.at((x1, 0.0)),
                CONFLICT_COLOUR.to_rgba(),
            )?;
        }
    }
    if r.timeseries.is_empty() {
        no_data(c, &f, "no time buckets recorded")?;
    }
    let s = &r.summary;
    let entries = [
        Entry::boxed(
            format!("lost writes ({})", format::count(s.lost_writes)),
            LOST_COLOUR.to_rgba(),
        ),
        Entry::boxed(
            format!("conflicts ({})", format::count(s.conflicts)),
            CONFLICT_COLOUR.to_rgba(),
        ),
    ];
    draw_entries(c, &entries, (LEGEND_X, f.y0), 60, 0)?;
    x_desc(c, f.y1, "issue time (s)")?;
    Ok(format!(
        "Writes issued in {} that were lost, and conflicts (writes built on the same parent).",
        bucket_phrase_merged(r, width)
    ))
}

fn stale_reads<DB: DrawingBackend>(
    c: &mut Canvas<'_, DB>,
    r: &RunResult,
    fr: (i32, i32),
    x: &Axis,
    ev: &[Event],
) -> Result<String, String> {
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
    let mut y = Axis::linear(hi.min(100.0), 1.0, false);
    if y.hi > 100.0 {
        y = Axis {
            hi: 100.0,
            ticks: crate::report::ticks::value_ticks(100.0, 5, false),
            ..y
        };
    }
    let f = frame(fr, x, &y);
    shade_events(c, ev, &f)?;
    f.draw_axes(c, true)?;
    caption(c, f.y0, "by read time", "stale reads, % of reads")?;
    for run in segments(&points) {
        let mut poly: Vec<(i32, i32)> = run.iter().map(|p| f.at(*p)).collect();
        poly.push(f.at((run[run.len() - 1].0, 0.0)));
        poly.push(f.at((run[0].0, 0.0)));
        c.root
            .draw(&Polygon::new(poly, STALE_COLOUR.mix(0.18).filled()))
            .map_err(|e| e.to_string())?;
        f.draw_runs(c, &[run], STALE_COLOUR.to_rgba(), 3, Dash::Solid)?;
    }
    c.path(
        &[f.at((0.0, average)), f.at((x.hi, average))],
        MUTED.to_rgba(),
        2,
        Dash::Dashed,
    )?;
    if r.timeseries.is_empty() {
        no_data(c, &f, "no time buckets recorded")?;
    }
    let entries = [
        Entry::line("stale-read rate", STALE_COLOUR.to_rgba(), Dash::Solid),
        Entry::line(
            format!(
                "run average ({})",
                format::percent(r.summary.stale_read_rate)
            ),
            MUTED.to_rgba(),
            Dash::Dashed,
        ),
    ];
    draw_entries(c, &entries, (LEGEND_X, f.y0), 60, 0)?;
    x_desc(c, f.y1, "time (s)")?;
    Ok(format!(
        "Share of reads in {} that returned a version older than the latest write issued anywhere before them.",
        bucket_phrase_merged(r, width)
    ))
}
