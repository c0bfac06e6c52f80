//! The space-time diagram of a story, as SVG.
//!
//! One lane per region, true time along the axis to scale. Each write is a
//! mark at its origin, labelled with its id and timestamp, coloured lost or
//! survived (the final version ringed); an arrow from where it was applied
//! to every region it reached, ending in a glyph for what that region did
//! (installed: a dot; rejected as older: a cross; arrived after a newer
//! one: an open square). Reads are ticks on their lane (stale ones
//! coloured), partitions and outages shaded on the lanes they cut, and
//! each lane says how far its clock is from true time, with a mark where
//! it steps. Every mark carries its facts as `data-` attributes, so tests
//! (and the report's script) read the diagram as data. Names are escaped.

use std::fmt::Write as _;

use super::narrate::{offset_words, secs};
use super::{Glyph, Story};

/// Colours: lost, survived, stale read, fresh read, partition, outage.
pub const LOST: &str = "#c92a2a";
pub const SURVIVED: &str = "#1971c2";
const STALE: &str = "#e8590c";
const FRESH: &str = "#868e96";
const PARTITION: &str = "#ffe8cc";
const OUTAGE: &str = "#dee2e6";

const WIDTH: f64 = 1000.0;
const LEFT: f64 = 170.0;
const RIGHT: f64 = 30.0;
const TOP: f64 = 46.0;
const LANE: f64 = 92.0;
const BOTTOM: f64 = 84.0;

/// Escape text for XML content and attribute values.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if (c as u32) < 0x20 && c != '\t' && c != '\n' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// Milliseconds with six decimals, exact from nanoseconds (as the trace).
fn ms6(ns: u64) -> String {
    format!("{}.{:06}", ns / 1_000_000, ns % 1_000_000)
}

fn ms6_signed(ns: i64) -> String {
    let sign = if ns < 0 { "-" } else { "" };
    format!("{sign}{}", ms6(ns.unsigned_abs()))
}

/// The diagram as a standalone SVG document.
pub fn render(st: &Story) -> String {
    let n = st.regions.len();
    let height = TOP + LANE * n as f64 + BOTTOM;
    let span = (st.to_ns - st.from_ns).max(1) as f64;
    let x = |t: u64| -> f64 {
        let t = t.clamp(st.from_ns, st.to_ns);
        LEFT + (t - st.from_ns) as f64 / span * (WIDTH - LEFT - RIGHT)
    };
    let lane_y = |r: usize| TOP + LANE * r as f64 + LANE / 2.0;
    let mut s = String::with_capacity(16 * 1024);
    let _ = writeln!(
        s,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"explain\" width=\"{WIDTH}\" height=\"{height}\" \
         viewBox=\"0 0 {WIDTH} {height}\" font-family=\"Helvetica, Arial, sans-serif\" font-size=\"12\" \
         data-scenario=\"{}\" data-table=\"{}\" data-key=\"{}\" data-from-ms=\"{}\" data-to-ms=\"{}\">",
        esc(&st.scenario),
        esc(&st.table),
        st.key,
        ms6(st.from_ns),
        ms6(st.to_ns)
    );
    let _ = writeln!(
        s,
        "<title>{} key {} of {}: {} writes from {} to {}</title>",
        esc(&st.scenario),
        st.key,
        esc(&st.table),
        st.writes.len(),
        secs(st.from_ns),
        secs(st.to_ns)
    );
    s.push_str("<rect x=\"0\" y=\"0\" width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n");

    // Faults, under everything else.
    s.push_str("<g class=\"faults\">\n");
    for f in &st.faults {
        let fill = if f.kind == "outage" {
            OUTAGE
        } else {
            PARTITION
        };
        let end = f.end_ns.unwrap_or(st.to_ns);
        for &r in &f.regions {
            let (x0, x1) = (x(f.start_ns), x(end));
            let _ = writeln!(
                s,
                "<rect class=\"fault {kind}\" data-kind=\"{kind}\" data-region=\"{}\" data-start-ms=\"{}\" data-end-ms=\"{}\" \
                 x=\"{x0:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\" fill=\"{fill}\"><title>{}</title></rect>",
                esc(&st.regions[r]),
                ms6(f.start_ns),
                f.end_ns.map_or(String::new(), ms6),
                lane_y(r) - LANE / 2.0 + 4.0,
                (x1 - x0).max(1.0),
                LANE - 8.0,
                esc(&format!(
                    "{} from {} to {}",
                    f.label,
                    secs(f.start_ns),
                    f.end_ns.map_or("the end".to_string(), secs)
                )),
                kind = f.kind,
            );
        }
    }
    s.push_str("</g>\n");

    // Lanes, with each clock against true time.
    s.push_str("<g class=\"lanes\">\n");
    for (r, name) in st.regions.iter().enumerate() {
        let y = lane_y(r);
        let c = &st.clocks[r];
        let _ = writeln!(
            s,
            "<g class=\"lane\" data-region=\"{}\" data-y=\"{y:.1}\" data-clock-offset-ms=\"{}\">\
             <line x1=\"{LEFT}\" y1=\"{y:.1}\" x2=\"{:.1}\" y2=\"{y:.1}\" stroke=\"#495057\" stroke-width=\"1.5\"/>\
             <text x=\"12\" y=\"{:.1}\" font-weight=\"bold\">{}</text>\
             <text class=\"clock\" x=\"12\" y=\"{:.1}\" fill=\"#495057\">clock {}</text>",
            esc(name),
            ms6_signed(c.offset_ns),
            WIDTH - RIGHT,
            y - 4.0,
            esc(name),
            y + 12.0,
            esc(&offset_words(c.offset_ns)),
        );
        if c.steps.is_empty() && c.end_offset_ns != c.offset_ns {
            let _ = write!(
                s,
                "<text class=\"clock\" x=\"12\" y=\"{:.1}\" fill=\"#495057\">to {}</text>",
                y + 26.0,
                esc(&offset_words(c.end_offset_ns))
            );
        }
        for &(at, off) in &c.steps {
            let sx = x(at);
            let _ = write!(
                s,
                "<g class=\"clock-step\" data-at-ms=\"{}\" data-offset-ms=\"{}\">\
                 <line x1=\"{sx:.1}\" y1=\"{:.1}\" x2=\"{sx:.1}\" y2=\"{:.1}\" stroke=\"#495057\" stroke-dasharray=\"2,2\"/>\
                 <text x=\"{:.1}\" y=\"{:.1}\" fill=\"#495057\" font-size=\"10\">clock {}</text></g>",
                ms6(at),
                ms6_signed(off),
                y - LANE / 2.0 + 6.0,
                y + LANE / 2.0 - 6.0,
                sx + 3.0,
                y + LANE / 2.0 - 8.0,
                esc(&offset_words(off))
            );
        }
        s.push_str("</g>\n");
    }
    s.push_str("</g>\n");

    // Time axis.
    let axis_y = TOP + LANE * n as f64 + 8.0;
    s.push_str("<g class=\"axis\">\n");
    let step = tick_step(st.to_ns - st.from_ns);
    let mut t = st.from_ns.div_ceil(step) * step;
    while t <= st.to_ns {
        let tx = x(t);
        let _ = writeln!(
            s,
            "<line x1=\"{tx:.1}\" y1=\"{TOP}\" x2=\"{tx:.1}\" y2=\"{axis_y:.1}\" stroke=\"#e9ecef\"/>\
             <text x=\"{tx:.1}\" y=\"{:.1}\" text-anchor=\"middle\" fill=\"#495057\">{}</text>",
            axis_y + 14.0,
            tick_label(t, step)
        );
        t += step;
    }
    let _ = writeln!(
        s,
        "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\" fill=\"#495057\">true time (s)</text>",
        (LEFT + WIDTH - RIGHT) / 2.0,
        axis_y + 30.0
    );
    s.push_str("</g>\n");

    // Arrows, then the writes over them.
    let region_index = |r: usize| r;
    s.push_str("<g class=\"arrows\">\n");
    for w in &st.writes {
        let colour = if w.lost { LOST } else { SURVIVED };
        let (x0, y0) = (x(w.applied_ns), lane_y(region_index(w.writer)));
        if w.writer != w.region {
            // The trip to the primary.
            let _ = writeln!(
                s,
                "<line class=\"forward\" data-write=\"{}\" x1=\"{:.1}\" y1=\"{:.1}\" x2=\"{x0:.1}\" y2=\"{y0:.1}\" stroke=\"{colour}\" stroke-dasharray=\"5,3\"/>",
                w.id,
                x(w.issue_ns),
                lane_y(w.region)
            );
        }
        for a in &w.arrivals {
            if a.to == w.writer {
                continue;
            }
            let clipped = a.at_ns > st.to_ns;
            let (x1, y1) = (x(a.at_ns), lane_y(a.to));
            let _ = write!(
                s,
                "<g class=\"arrow {glyph}\" data-write=\"{}\" data-from=\"{}\" data-to=\"{}\" data-send-ms=\"{}\" \
                 data-arrive-ms=\"{}\" data-glyph=\"{glyph}\" data-held=\"{}\"{}>\
                 <line x1=\"{x0:.1}\" y1=\"{y0:.1}\" x2=\"{x1:.1}\" y2=\"{y1:.1}\" stroke=\"{colour}\" stroke-width=\"1.2\" opacity=\"0.75\"{}/>",
                w.id,
                esc(&st.regions[w.writer]),
                esc(&st.regions[a.to]),
                ms6(w.applied_ns),
                ms6(a.at_ns),
                a.held,
                if clipped { " data-clipped=\"true\"" } else { "" },
                if clipped { " stroke-dasharray=\"4,3\"" } else { "" },
                glyph = a.glyph.name(),
            );
            if !clipped {
                s.push_str(&glyph_svg(a.glyph, x1, y1, colour));
            }
            let _ = writeln!(
                s,
                "<title>w{} reached {} at {}: {}</title></g>",
                w.id,
                esc(&st.regions[a.to]),
                secs(a.at_ns),
                match a.glyph {
                    Glyph::Installed => "installed".to_string(),
                    Glyph::Rejected => format!("rejected as older (held w{})", a.held),
                    Glyph::Superseded => format!("arrived after w{}, built on it", a.held),
                }
            );
        }
    }
    s.push_str("</g>\n");

    let labels = st.writes.len() <= 60;
    s.push_str("<g class=\"writes\">\n");
    for w in &st.writes {
        let colour = if w.lost { LOST } else { SURVIVED };
        let is_final = st.final_id == Some(w.id);
        let (cx, cy) = (x(w.issue_ns), lane_y(w.region));
        let class = if w.lost {
            "lost"
        } else if is_final {
            "survived final"
        } else {
            "survived"
        };
        let _ = write!(
            s,
            "<g class=\"write {class}\" data-id=\"{}\" data-region=\"{}\" data-issue-ms=\"{}\" data-timestamp-ms=\"{}\" \
             data-parent=\"{}\" data-outcome=\"{}\" data-beaten-by=\"{}\" data-colour=\"{colour}\" tabindex=\"0\">",
            w.id,
            esc(&st.regions[w.region]),
            ms6(w.issue_ns),
            ms6_signed(w.ts_ns),
            w.parent,
            if w.lost { "lost" } else { "survived" },
            w.beaten_by,
        );
        if is_final {
            let _ = write!(
                s,
                "<circle cx=\"{cx:.1}\" cy=\"{cy:.1}\" r=\"10\" fill=\"none\" stroke=\"{colour}\" stroke-width=\"2\"/>"
            );
        }
        let _ = write!(
            s,
            "<circle cx=\"{cx:.1}\" cy=\"{cy:.1}\" r=\"6\" fill=\"{colour}\" stroke=\"#ffffff\" stroke-width=\"1.5\"/>"
        );
        if labels {
            let above = w.id % 2 == 1;
            let ly = if above { cy - 14.0 } else { cy + 22.0 };
            let _ = write!(
                s,
                "<text x=\"{cx:.1}\" y=\"{ly:.1}\" text-anchor=\"middle\" fill=\"{colour}\" font-weight=\"bold\">w{}{}</text>\
                 <text x=\"{cx:.1}\" y=\"{:.1}\" text-anchor=\"middle\" fill=\"#495057\" font-size=\"10\">ts {}</text>",
                w.id,
                if is_final { " final" } else { "" },
                if above { ly - 12.0 } else { ly + 11.0 },
                esc(super::narrate::stamp(w.ts_ns).trim_end_matches(" s")),
            );
        }
        let _ = writeln!(
            s,
            "<title>w{} from {}, issued {}, stamped {}, built on {}: {}</title></g>",
            w.id,
            esc(&st.regions[w.region]),
            secs(w.issue_ns),
            super::narrate::stamp(w.ts_ns),
            if w.parent == 0 {
                "the initial version".to_string()
            } else {
                format!("w{}", w.parent)
            },
            if w.lost {
                format!("lost ({})", w.cause.map_or("lost", |c| c.words()))
            } else if is_final {
                "survived, the final version".to_string()
            } else {
                "survived".to_string()
            }
        );
    }
    s.push_str("</g>\n");

    s.push_str("<g class=\"reads\">\n");
    for r in &st.reads {
        let (rx, ry) = (x(r.at_ns), lane_y(r.region));
        let colour = if r.stale { STALE } else { FRESH };
        let _ = writeln!(
            s,
            "<g class=\"read {}\" data-read=\"{}\" data-region=\"{}\" data-at-ms=\"{}\" data-returned=\"{}\" data-stale=\"{}\">\
             <line x1=\"{rx:.1}\" y1=\"{:.1}\" x2=\"{rx:.1}\" y2=\"{:.1}\" stroke=\"{colour}\" stroke-width=\"2.5\"/>\
             <title>read at {} returned {}{}</title></g>",
            if r.stale { "stale" } else { "fresh" },
            r.id,
            esc(&st.regions[r.region]),
            ms6(r.at_ns),
            r.returned,
            r.stale,
            ry - 16.0,
            ry + 16.0,
            secs(r.at_ns),
            if r.returned == 0 {
                "the initial version".to_string()
            } else {
                format!("w{}", r.returned)
            },
            match r.staleness_ns {
                Some(ns) => format!(", stale by {}", super::narrate::span_ms(ns)),
                None => ", fresh".to_string(),
            }
        );
    }
    s.push_str("</g>\n");

    legend(&mut s, axis_y + 48.0);
    s.push_str("</svg>\n");
    s
}

fn glyph_svg(g: Glyph, x: f64, y: f64, colour: &str) -> String {
    match g {
        Glyph::Installed => format!(
            "<circle class=\"glyph\" cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"4\" fill=\"{colour}\"/>"
        ),
        Glyph::Rejected => format!(
            "<path class=\"glyph\" d=\"M{:.1},{:.1}L{:.1},{:.1}M{:.1},{:.1}L{:.1},{:.1}\" stroke=\"#212529\" stroke-width=\"2\"/>",
            x - 5.0,
            y - 5.0,
            x + 5.0,
            y + 5.0,
            x - 5.0,
            y + 5.0,
            x + 5.0,
            y - 5.0
        ),
        Glyph::Superseded => format!(
            "<rect class=\"glyph\" x=\"{:.1}\" y=\"{:.1}\" width=\"8\" height=\"8\" fill=\"#ffffff\" stroke=\"{colour}\" stroke-width=\"1.5\"/>",
            x - 4.0,
            y - 4.0
        ),
    }
}

fn legend(s: &mut String, y: f64) {
    let items: [(&str, String); 8] = [
        ("lost write", format!("<circle cx=\"6\" cy=\"-4\" r=\"6\" fill=\"{LOST}\"/>")),
        ("survived", format!("<circle cx=\"6\" cy=\"-4\" r=\"6\" fill=\"{SURVIVED}\"/>")),
        ("final version", format!("<circle cx=\"6\" cy=\"-4\" r=\"9\" fill=\"none\" stroke=\"{SURVIVED}\" stroke-width=\"2\"/>")),
        ("installed", glyph_svg(Glyph::Installed, 6.0, -4.0, "#495057")),
        ("rejected as older", glyph_svg(Glyph::Rejected, 6.0, -4.0, "#495057")),
        ("arrived after a newer one", glyph_svg(Glyph::Superseded, 6.0, -4.0, "#495057")),
        ("stale read", format!("<line x1=\"6\" y1=\"-12\" x2=\"6\" y2=\"4\" stroke=\"{STALE}\" stroke-width=\"2.5\"/>")),
        ("partition / outage", format!("<rect x=\"0\" y=\"-10\" width=\"12\" height=\"12\" fill=\"{PARTITION}\" stroke=\"#adb5bd\"/>")),
    ];
    s.push_str("<g class=\"legend\">\n");
    let mut lx = 12.0;
    for (label, mark) in items {
        let _ = writeln!(
            s,
            "<g transform=\"translate({lx:.1},{y:.1})\">{mark}<text x=\"18\" y=\"0\" fill=\"#495057\">{label}</text></g>"
        );
        lx += 24.0 + label.len() as f64 * 6.2;
    }
    s.push_str("</g>\n");
}

/// A round tick spacing giving about eight ticks over `span` nanoseconds.
fn tick_step(span: u64) -> u64 {
    let target = (span / 8).max(1);
    let mut step = 1u64;
    loop {
        for m in [1, 2, 5] {
            if step * m >= target {
                return step * m;
            }
        }
        step *= 10;
    }
}

fn tick_label(t: u64, step: u64) -> String {
    let decimals = match step {
        s if s >= 1_000_000_000 => 0,
        s if s >= 100_000_000 => 1,
        s if s >= 10_000_000 => 2,
        s if s >= 1_000_000 => 3,
        _ => 6,
    };
    format!("{:.*}", decimals, t as f64 / 1e9)
}
