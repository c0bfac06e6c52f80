//! The look shared by every chart: the bundled font, the colour-blind-safe
//! palette, text sizes, number formatting and the legend panel.
//!
//! Nothing here reads a run's figures; it only draws what it is given.

use std::sync::OnceLock;

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::Error;

/// The family name the bundled font is registered under. Plotters' own
/// defaults use this name too, and SVG viewers map it to their sans-serif.
pub(crate) const FONT_FAMILY: &str = "sans-serif";

/// DejaVu Sans (Bitstream Vera licence; see assets/fonts/DejaVuSans-LICENSE.txt).
/// Embedded so that PNG text needs no system font, fontconfig or freetype.
static FONT_TTF: &[u8] = include_bytes!("../../../assets/fonts/DejaVuSans.ttf");

/// Registers the bundled font with plotters, once per process.
pub(crate) fn register_font() -> crate::Result<()> {
    static REGISTERED: OnceLock<bool> = OnceLock::new();
    let ok = *REGISTERED.get_or_init(|| {
        plotters::style::register_font(FONT_FAMILY, FontStyle::Normal, FONT_TTF).is_ok()
    });
    if ok {
        Ok(())
    } else {
        Err(Error::new(
            "charts: the bundled font (DejaVu Sans) could not be read",
        ))
    }
}

/// Text sizes in plotters units (an SVG font size is this divided by 1.24).
pub(crate) const TITLE_SIZE: f64 = 28.0;
pub(crate) const CAPTION_SIZE: f64 = 19.0;
pub(crate) const AXIS_DESC_SIZE: f64 = 19.0;
pub(crate) const TICK_SIZE: f64 = 16.0;
pub(crate) const LEGEND_SIZE: f64 = 16.0;
pub(crate) const NOTE_SIZE: f64 = 15.0;

/// Width in pixels of the legend panel at the right of every chart.
pub(crate) const LEGEND_WIDTH: u32 = 260;

pub(crate) const TEXT: RGBColor = RGBColor(34, 34, 34);
pub(crate) const MUTED: RGBColor = RGBColor(96, 96, 96);
pub(crate) const GRID: RGBColor = RGBColor(222, 222, 222);
pub(crate) const GRID_LIGHT: RGBColor = RGBColor(242, 242, 242);

/// The Okabe–Ito palette without its yellow, which is too pale on white.
/// Distinguishable with the common forms of colour blindness.
pub(crate) const PALETTE: [RGBColor; 7] = [
    RGBColor(0, 114, 178),   // blue
    RGBColor(230, 159, 0),   // orange
    RGBColor(0, 158, 115),   // bluish green
    RGBColor(213, 94, 0),    // vermillion
    RGBColor(204, 121, 167), // reddish purple
    RGBColor(86, 180, 233),  // sky blue
    RGBColor(0, 0, 0),       // black
];

/// Colours with a fixed meaning across charts (all from Okabe–Ito).
pub(crate) const WRITES_COLOUR: RGBColor = RGBColor(0, 114, 178);
pub(crate) const LOST_COLOUR: RGBColor = RGBColor(213, 94, 0);
pub(crate) const CONFLICT_COLOUR: RGBColor = RGBColor(86, 180, 233);
pub(crate) const STALE_COLOUR: RGBColor = RGBColor(204, 121, 167);

/// How a line is stroked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Dash {
    Solid,
    Dashed,
    Dotted,
}

impl Dash {
    /// Dash length and gap in pixels, `None` for a solid line.
    pub fn pattern(self) -> Option<(u32, u32)> {
        match self {
            Dash::Solid => None,
            Dash::Dashed => Some((9, 5)),
            Dash::Dotted => Some((3, 4)),
        }
    }
}

/// How stream number `i` is drawn: a palette colour, solid for the first
/// seven streams, then dashed, then dotted, so 21 streams stay apart.
pub(crate) fn stream_style(i: usize) -> (RGBColor, Dash) {
    let dash = match (i / PALETTE.len()) % 3 {
        0 => Dash::Solid,
        1 => Dash::Dashed,
        _ => Dash::Dotted,
    };
    (PALETTE[i % PALETTE.len()], dash)
}

pub(crate) fn font(size: f64) -> TextStyle<'static> {
    font_colour(size, TEXT)
}

pub(crate) fn font_colour(size: f64, colour: RGBColor) -> TextStyle<'static> {
    let mut style = TextStyle::from((FONT_FAMILY, size).into_font());
    style.color = colour.to_backend_color();
    style
}

/// A line style of the given colour and width.
pub(crate) fn line(colour: RGBColor, width: u32) -> ShapeStyle {
    ShapeStyle {
        color: colour.to_rgba(),
        filled: false,
        stroke_width: width,
    }
}

/// What a legend entry shows beside its label.
#[derive(Clone, Debug)]
pub(crate) enum Swatch {
    /// A line, solid, dashed or dotted.
    Line(RGBColor, Dash),
    /// A filled box (bars).
    Bar(RGBColor),
    /// A translucent box (shaded windows).
    Shade(RGBAColor),
}

#[derive(Clone, Debug)]
pub(crate) struct LegendEntry {
    pub label: String,
    pub swatch: Swatch,
}

impl LegendEntry {
    pub fn new(label: impl Into<String>, swatch: Swatch) -> LegendEntry {
        LegendEntry {
            label: label.into(),
            swatch,
        }
    }
}

/// One legend group: a heading and its entries.
pub(crate) struct LegendGroup {
    pub heading: String,
    pub entries: Vec<LegendEntry>,
}

/// Draws legend groups top-down into `area` (the panel right of the plot).
pub(crate) fn draw_legend<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    groups: &[LegendGroup],
) -> Result<(), String> {
    let (width, height) = area.dim_in_pixel();
    // Rows shrink (down to a minimum) when many streams must fit.
    let lines: usize = groups
        .iter()
        .filter(|g| !g.entries.is_empty())
        .map(|g| g.entries.len() + 2)
        .sum();
    let room = (height as i32 - 30).max(1) / lines.max(1) as i32;
    let row = room.clamp(15, (LEGEND_SIZE * 1.45) as i32);
    let x_swatch = 8;
    let x_text = 50;
    // Roughly how many characters fit beside the swatch; labels wrap there.
    let max_chars = ((width as f64 - x_text as f64 - 6.0) / (LEGEND_SIZE * 0.47)) as usize;
    let mut y = 24;
    for group in groups {
        if group.entries.is_empty() {
            continue;
        }
        area.draw(&Text::new(
            group.heading.clone(),
            (x_swatch, y),
            font_colour(LEGEND_SIZE, MUTED).pos(Pos::new(HPos::Left, VPos::Center)),
        ))
        .map_err(|e| e.to_string())?;
        y += row;
        for entry in &group.entries {
            draw_swatch(area, &entry.swatch, (x_swatch, y))?;
            for (k, part) in wrap(&entry.label, max_chars.max(8)).iter().enumerate() {
                if k > 0 {
                    y += row - 4;
                }
                area.draw(&Text::new(
                    part.clone(),
                    (x_text, y),
                    font(LEGEND_SIZE).pos(Pos::new(HPos::Left, VPos::Center)),
                ))
                .map_err(|e| e.to_string())?;
            }
            y += row;
        }
        y += row / 2;
    }
    Ok(())
}

fn draw_swatch<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    swatch: &Swatch,
    (x, y): (i32, i32),
) -> Result<(), String> {
    let w = 34;
    let r = match swatch {
        Swatch::Line(c, dash) => match dash.pattern() {
            None => area.draw(&PathElement::new(vec![(x, y), (x + w, y)], line(*c, 3))),
            Some((on, off)) => {
                let (on, off) = (on as i32, off as i32);
                let mut x0 = x;
                while x0 < x + w {
                    let x1 = (x0 + on).min(x + w);
                    area.draw(&PathElement::new(vec![(x0, y), (x1, y)], line(*c, 3)))
                        .map_err(|e| e.to_string())?;
                    x0 = x1 + off;
                }
                Ok(())
            }
        },
        Swatch::Bar(c) => area.draw(&Rectangle::new(
            [(x + 6, y - 7), (x + w - 6, y + 7)],
            c.filled(),
        )),
        Swatch::Shade(c) => {
            area.draw(&Rectangle::new([(x, y - 9), (x + w, y + 9)], c.filled()))
                .map_err(|e| e.to_string())?;
            area.draw(&Rectangle::new([(x, y - 9), (x + w, y + 9)], line(GRID, 1)))
        }
    };
    r.map_err(|e| e.to_string())
}

/// Splits `text` at spaces into lines of at most `max` characters (longer
/// words stay whole).
pub(crate) fn wrap(text: &str, max: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut cur = String::new();
    for word in text.split(' ') {
        let len = cur.chars().count() + word.chars().count() + usize::from(!cur.is_empty());
        if !cur.is_empty() && len > max {
            lines.push(std::mem::take(&mut cur));
        }
        if !cur.is_empty() {
            cur.push(' ');
        }
        cur.push_str(word);
    }
    if !cur.is_empty() || lines.is_empty() {
        lines.push(cur);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrap_keeps_words() {
        assert_eq!(wrap("a bb ccc", 4), vec!["a bb", "ccc"]);
        assert_eq!(wrap("longword", 3), vec!["longword"]);
        assert_eq!(wrap("", 3), vec![""]);
    }

    #[test]
    fn streams_beyond_the_palette_are_dashed_then_dotted() {
        assert_eq!(stream_style(0).1, Dash::Solid);
        assert_eq!(stream_style(7).1, Dash::Dashed);
        assert_eq!(stream_style(14).1, Dash::Dotted);
        assert_eq!(stream_style(0).0, stream_style(7).0);
        let all: Vec<_> = (0..21).map(stream_style).collect();
        for (i, a) in all.iter().enumerate() {
            assert!(
                !all[..i].contains(a),
                "stream {i} looks like an earlier one"
            );
        }
    }
}
