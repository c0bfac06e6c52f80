//! `replisim explain` against stories worked out by hand: the bundled
//! `teach-lww` (its story is written out, time by time, in the comments of
//! `scenarios/teach-lww.yaml`, worked from the scenario's constant delays
//! before the scenario was ever run), and tiny scripts built here. The
//! narration's facts and the diagram's structure (the SVG, parsed) are
//! checked against those stories and against the trace; then a property
//! over random scenarios, the command line, and bad input.

use std::collections::BTreeSet;

use crate::common::*;
use replisim::explain::{self, narrate, svg, Cause, Request, Story};
use replisim::metrics::result::Trace;
use replisim::scenario::{self, bundled, FaultKind, Scenario, TableKind};

fn teach() -> Scenario {
    let b = bundled::find("teach-lww").expect("teach-lww is bundled");
    scenario::load_str(b.text, &b.origin(), &[]).expect("teach-lww loads")
}

fn story_of(s: &Scenario, request: &Request) -> (Story, Trace) {
    let trace = run_traced(s).trace.unwrap();
    let story = explain::story(s, &trace, request).unwrap_or_else(|e| panic!("{e}"));
    (story, trace)
}

/// The paragraph about write `id` (it starts with `w<id> (`).
fn paragraph(ps: &[String], id: u64) -> &str {
    let start = format!("w{id} (");
    ps.iter()
        .find(|p| p.starts_with(&start))
        .unwrap_or_else(|| panic!("no paragraph for w{id}:\n{}", ps.join("\n\n")))
}

fn has(text: &str, needle: &str) {
    assert!(text.contains(needle), "{needle:?} missing from:\n{text}");
}

#[test]
fn teach_lww_tells_the_hand_worked_story() {
    let s = teach();
    let (st, _) = story_of(&s, &Request::default());
    assert_eq!(
        (st.table.as_str(), st.key, st.writes.len()),
        ("orders", 0, 7)
    );
    let lost: Vec<(u64, Option<Cause>, u64)> = st
        .writes
        .iter()
        .filter(|w| w.lost)
        .map(|w| (w.id, w.cause, w.beaten_by))
        .collect();
    assert_eq!(
        lost,
        vec![
            (2, Some(Cause::Concurrent), 3),
            (5, Some(Cause::CausalInversion), 4),
            (6, Some(Cause::Partition), 7),
        ]
    );
    assert_eq!(st.final_id, Some(7));
    assert_eq!(st.final_held, vec![7, 7, 7]);

    let ps = narrate::paragraphs(&st);
    has(&ps[0], "7 writes shown, 3 lost (w2, w5, w6)");
    has(&ps[1], "singapore's clock is 800 ms behind");
    has(&ps[1], "partition boston ↔ dublin from 7.000 s to 10.000 s");
    let p1 = paragraph(&ps, 1);
    has(
        p1,
        "w1 (boston, issued 1.000 s, stamped 1.000 s) was built on the initial version.",
    );
    has(
        p1,
        "It reached dublin at 1.240 s (installed), singapore at 1.310 s (installed).",
    );
    has(p1, "It survived");
    let p2 = paragraph(&ps, 2);
    has(
        p2,
        "boston at 3.240 s (rejected: it held w3, stamped later)",
    );
    has(p2, "singapore at 3.290 s (installed)");
    has(
        p2,
        "w2 (dublin, issued 3.000 s, stamped 3.000 s) and w3 (boston, issued 3.100 s, stamped 3.100 s) \
         were both built on w1: neither region had yet seen the other's write (it takes about 240 ms to arrive). \
         Every region kept w3, whose timestamp is greater.",
    );
    has(p2, "w2 was acknowledged to its client and is gone: a lost write (concurrent write), no error, no log.");
    let p5 = paragraph(&ps, 5);
    has(
        p5,
        "w5 (singapore, issued 5.500 s, stamped 4.700 s) was built on w4.",
    );
    has(
        p5,
        "singapore did not install it: it held w4, stamped later.",
    );
    has(p5, "dublin at 5.790 s (rejected: it held w4, stamped later), boston at 5.810 s (rejected: it held w4, stamped later)");
    has(p5, "its clock is 800 ms behind");
    has(p5, "a causal inversion");
    let p6 = paragraph(&ps, 6);
    has(p6, "singapore at 7.810 s (installed), dublin at 10.040 s (rejected: it held w7, stamped later)");
    has(
        p6,
        "written on the two sides of the partition boston ↔ dublin (7.000 s to 10.000 s)",
    );
    has(p6, "a lost write (partition)");
    let p7 = paragraph(&ps, 7);
    has(
        p7,
        "singapore at 8.290 s (installed), boston at 10.040 s (installed)",
    );
    has(p7, "It is the final version: every region holds it.");
    let reads = ps.iter().find(|p| p.starts_with("Reads: ")).unwrap();
    has(reads, "dublin read at 3.200 s and got w2, stale by 100 ms");
    has(reads, "boston read at 8.500 s and got w6, stale by 500 ms");
    has(reads, "4 other reads were fresh.");
    assert_eq!(ps.last().unwrap(), "In the end every region holds w7.");
}

/// An element of a parsed XML tree.
#[derive(Debug, Default)]
struct El {
    name: String,
    attrs: Vec<(String, String)>,
    children: Vec<El>,
}

impl El {
    fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
    fn a(&self, name: &str) -> &str {
        self.attr(name)
            .unwrap_or_else(|| panic!("<{}> has no {name}", self.name))
    }
    fn classes(&self) -> Vec<&str> {
        self.attr("class")
            .map(|c| c.split_whitespace().collect())
            .unwrap_or_default()
    }
    /// Every descendant (self included) with `class` among its classes.
    fn all<'a>(&'a self, class: &str, out: &mut Vec<&'a El>) {
        if self.classes().contains(&class) {
            out.push(self);
        }
        for c in &self.children {
            c.all(class, out);
        }
    }
    fn find(&self, class: &str) -> Vec<&El> {
        let mut v = Vec::new();
        self.all(class, &mut v);
        v
    }
}

/// Parse `xml` into a tree; panics on malformed XML.
fn parse(xml: &str) -> El {
    use quick_xml::events::{BytesStart, Event};
    fn element(e: &BytesStart) -> El {
        El {
            name: String::from_utf8(e.name().as_ref().to_vec()).unwrap(),
            attrs: e
                .attributes()
                .map(|a| {
                    let a = a.expect("well-formed attribute");
                    (
                        String::from_utf8(a.key.as_ref().to_vec()).unwrap(),
                        a.normalized_value(quick_xml::XmlVersion::Explicit1_0)
                            .expect("escaped value")
                            .into_owned(),
                    )
                })
                .collect(),
            ..El::default()
        }
    }
    let mut reader = quick_xml::Reader::from_str(xml);
    reader.config_mut().check_end_names = true;
    let mut stack = vec![El::default()];
    loop {
        match reader.read_event().expect("well-formed XML") {
            Event::Start(e) => stack.push(element(&e)),
            Event::Empty(e) => {
                let el = element(&e);
                stack.last_mut().unwrap().children.push(el);
            }
            Event::End(_) => {
                let el = stack.pop().unwrap();
                stack.last_mut().unwrap().children.push(el);
            }
            Event::Text(t) => {
                t.xml10_content().expect("UTF-8 text");
            }
            Event::GeneralRef(r) => {
                let name = r.decode().expect("UTF-8 reference");
                quick_xml::escape::unescape(&format!("&{name};")).expect("a known entity");
            }
            Event::Eof => break,
            _ => {}
        }
    }
    assert_eq!(stack.len(), 1, "unclosed elements");
    let mut doc = stack.pop().unwrap();
    assert_eq!(doc.children.len(), 1, "one root element");
    doc.children.pop().unwrap()
}

fn ms(text: &str) -> f64 {
    text.parse()
        .unwrap_or_else(|_| panic!("not a number: {text}"))
}

/// The diagram of teach-lww, read back as data: every write's lane,
/// colour and outcome, every arrow's end time and glyph, against the
/// hand-worked story and against the trace; time to scale.
#[test]
fn teach_lww_diagram_is_the_story() {
    let s = teach();
    let (st, trace) = story_of(&s, &Request::default());
    let svg_text = svg::render(&st);
    let root = parse(&svg_text);
    assert_eq!(root.name, "svg");

    let lanes = root.find("lane");
    let lane: Vec<(&str, f64, &str)> = lanes
        .iter()
        .map(|l| {
            (
                l.a("data-region"),
                ms(l.a("data-y")),
                l.a("data-clock-offset-ms"),
            )
        })
        .collect();
    let names: Vec<&str> = lane.iter().map(|l| l.0).collect();
    assert_eq!(names, ["boston", "dublin", "singapore"]);
    assert_eq!(lane[2].2, "-800.000000");
    assert_eq!((lane[0].2, lane[1].2), ("0.000000", "0.000000"));
    let y_of = |region: &str| lane.iter().find(|l| l.0 == region).unwrap().1;

    // Writes: lane, outcome, colour, the final one marked.
    let writes = root.find("write");
    assert_eq!(writes.len(), 7);
    for g in &writes {
        let id: u64 = g.a("data-id").parse().unwrap();
        let t = &trace.writes[id as usize - 1];
        assert_eq!(g.a("data-region"), t.region);
        assert_eq!(ms(g.a("data-issue-ms")), t.issue_ns as f64 / 1e6);
        assert_eq!(g.a("data-outcome"), t.outcome);
        let lost = [2, 5, 6].contains(&id);
        assert_eq!(g.a("data-outcome"), if lost { "lost" } else { "survived" });
        assert_eq!(
            g.a("data-colour"),
            if lost { svg::LOST } else { svg::SURVIVED }
        );
        assert_eq!(g.classes().contains(&"final"), id == 7, "w{id}");
        let dot = g.children.iter().rfind(|c| c.name == "circle").unwrap();
        assert_eq!(dot.a("fill"), g.a("data-colour"));
        assert_eq!(
            ms(dot.a("cy")),
            y_of(&t.region),
            "w{id} on its region's lane"
        );
    }

    // Arrows: the hand-worked table (write, to, arrival ms, glyph).
    let mut arrows: Vec<(u64, String, String, String)> = root
        .find("arrow")
        .iter()
        .map(|g| {
            (
                g.a("data-write").parse().unwrap(),
                g.a("data-to").to_string(),
                g.a("data-arrive-ms").to_string(),
                g.a("data-glyph").to_string(),
            )
        })
        .collect();
    arrows.sort();
    let want = [
        (1, "dublin", "1240", "installed"),
        (1, "singapore", "1310", "installed"),
        (2, "boston", "3240", "rejected"),
        (2, "singapore", "3290", "installed"),
        (3, "dublin", "3340", "installed"),
        (3, "singapore", "3410", "installed"),
        (4, "dublin", "5240", "installed"),
        (4, "singapore", "5310", "installed"),
        (5, "boston", "5810", "rejected"),
        (5, "dublin", "5790", "rejected"),
        (6, "dublin", "10040", "rejected"),
        (6, "singapore", "7810", "installed"),
        (7, "boston", "10040", "installed"),
        (7, "singapore", "8290", "installed"),
    ];
    let want: Vec<(u64, String, String, String)> = want
        .iter()
        .map(|&(w, to, at, g)| (w, to.to_string(), format!("{at}.000000"), g.to_string()))
        .collect();
    assert_eq!(arrows, want);
    // ... and the trace: one arrow per delivery, installed exactly when applied.
    assert_eq!(trace.deliveries.len(), arrows.len());
    for d in &trace.deliveries {
        let at = format!("{}.{:06}", d.arrive_ns / 1_000_000, d.arrive_ns % 1_000_000);
        let a = arrows
            .iter()
            .find(|a| a.0 == d.write_id && a.1 == d.to && a.2 == at)
            .unwrap_or_else(|| panic!("no arrow for {d:?}"));
        assert_eq!(a.3 == "installed", d.applied, "{d:?}");
    }

    // Time to scale: every mark's x is one affine function of its time.
    let mut points: Vec<(f64, f64)> = Vec::new();
    for g in root.find("arrow") {
        let line = g.children.iter().find(|c| c.name == "line").unwrap();
        points.push((ms(g.a("data-arrive-ms")), ms(line.a("x2"))));
        assert_eq!(
            ms(line.a("y2")),
            y_of(g.a("data-to")),
            "arrow ends on its lane"
        );
        points.push((ms(g.a("data-send-ms")), ms(line.a("x1"))));
    }
    for g in &writes {
        let dot = g.children.iter().rfind(|c| c.name == "circle").unwrap();
        points.push((ms(g.a("data-issue-ms")), ms(dot.a("cx"))));
    }
    let (t0, x0) = points[0];
    let (t1, x1) = *points
        .iter()
        .max_by(|a, b| (a.0 - t0).abs().total_cmp(&(b.0 - t0).abs()))
        .unwrap();
    let scale = (x1 - x0) / (t1 - t0);
    assert!(scale > 0.0);
    for &(t, x) in &points {
        assert!(
            (x0 + (t - t0) * scale - x).abs() < 0.11,
            "x {x} of time {t} ms is off the scale"
        );
    }

    // Reads: six ticks, the first two stale.
    let reads: Vec<(String, String)> = root
        .find("read")
        .iter()
        .map(|r| (r.a("data-read").to_string(), r.a("data-stale").to_string()))
        .collect();
    assert_eq!(reads.len(), 6);
    let stale: Vec<&str> = reads
        .iter()
        .filter(|r| r.1 == "true")
        .map(|r| r.0.as_str())
        .collect();
    assert_eq!(stale, ["1", "2"]);

    // The partition shades the boston and dublin lanes, 7 s to 10 s.
    let faults: BTreeSet<(String, String, String, String)> = root
        .find("fault")
        .iter()
        .map(|f| {
            (
                f.a("data-kind").to_string(),
                f.a("data-region").to_string(),
                f.a("data-start-ms").to_string(),
                f.a("data-end-ms").to_string(),
            )
        })
        .collect();
    let p = |r: &str| {
        (
            "partition".to_string(),
            r.to_string(),
            "7000.000000".to_string(),
            "10000.000000".to_string(),
        )
    };
    assert_eq!(faults, [p("boston"), p("dublin")].into_iter().collect());
}

/// Three regions: r0 → r1 and r1 → r2 are 10 ms, r0 → r2 is 500 ms.
/// - 10 ms: r0 writes w1; r1 installs it at 20 ms.
/// - 50 ms: r1 writes w2 on w1; r2 installs it at 60 ms, r0 at 60 ms.
/// - 510 ms: w1 reaches r2, which holds w2, built on w1: it arrived after
///   a newer one (not rejected as older: nothing was lost).
#[test]
fn arrival_after_a_newer_one() {
    let mut s = base(3, 10 * MS, 1, S);
    s.links[0][2] = replisim::scenario::Latency::Constant(500 * MS);
    s.links[2][0] = replisim::scenario::Latency::Constant(500 * MS);
    s.script = vec![op(10, 0, 0, true), op(50, 1, 0, true)];
    let (st, _) = story_of(&s, &Request::default());
    let w1 = st.write(1).unwrap();
    let glyphs: Vec<(usize, u64, explain::Glyph)> = w1
        .arrivals
        .iter()
        .map(|a| (a.to, a.at_ns, a.glyph))
        .collect();
    assert_eq!(
        glyphs,
        vec![
            (1, 20 * MS, explain::Glyph::Installed),
            (2, 510 * MS, explain::Glyph::Superseded)
        ]
    );
    let ps = narrate::paragraphs(&st);
    has(
        paragraph(&ps, 1),
        "r2 at 0.510 s (already held w2, built on it)",
    );
    let root = parse(&svg::render(&st));
    let glyph: Vec<&str> = root
        .find("arrow")
        .iter()
        .filter(|a| a.a("data-write") == "1" && a.a("data-to") == "r2")
        .map(|a| a.a("data-glyph"))
        .collect();
    assert_eq!(glyph, ["superseded"]);
}

/// A counter in two regions 100 ms apart:
/// - 10 ms: r0 adds 1 (w1: 0 to 1); r1 installs it at 110 ms.
/// - 300 ms: r0 adds 1 (w2, on w1: 1 to 2); 320 ms: r1 adds 1 (w3, on
///   w1: 1 to 2), not having seen w2 (due at 400 ms). w3 is newer: w2 is
///   lost. The count is 2 after three increments.
#[test]
fn counter_story_says_the_count() {
    let mut s = base(2, 100 * MS, 1, S);
    s.tables[0].kind = TableKind::Counter;
    s.script = vec![op(10, 0, 0, true), op(300, 0, 0, true), op(320, 1, 0, true)];
    let (st, _) = story_of(&s, &Request::default());
    let ps = narrate::paragraphs(&st);
    let p2 = paragraph(&ps, 2);
    has(p2, "w2 (r0, issued 0.300 s, stamped 0.300 s) was built on w1 and added 1 to the count: 1 to 2.");
    has(p2, "were both built on w1: neither region had yet seen the other's write (it takes about 100 ms to arrive)");
    has(
        p2,
        "The count was 1 in both regions; both added 1; it is 2, not 3.",
    );
    has(
        ps.last().unwrap(),
        "The count is 2; 3 increments were made to this key in the whole run, so 1 was lost.",
    );
}

/// Region and table names that need escaping give a well-formed SVG and
/// HTML page, and the names read back intact.
#[test]
fn names_are_escaped() {
    let mut s = base(2, 100 * MS, 1, S);
    s.regions[0].name = "a<b&\"c'".into();
    s.regions[1].name = "x>y]]>".into();
    s.tables[0].name = "t&<t>".into();
    s.name = "n<&>".into();
    s.script = vec![op(10, 0, 0, true), op(50, 1, 0, true), op(60, 0, 0, false)];
    let (st, _) = story_of(&s, &Request::default());
    let root = parse(&svg::render(&st));
    let lanes: Vec<&str> = root
        .find("lane")
        .iter()
        .map(|l| l.a("data-region"))
        .collect();
    assert_eq!(lanes, ["a<b&\"c'", "x>y]]>"]);
    assert_eq!(root.a("data-table"), "t&<t>");
    let html = explain::page::document(&st);
    assert!(!html.contains("a<b&"), "unescaped name in the page");
    assert!(html.contains("a&lt;b&amp;&quot;c&#39;"));
}

/// Over random scenarios: every lost write in the story has a cause that
/// agrees with the lineage and the timestamps, and the narration names
/// the cause and the winner; the diagram parses and shows every write of
/// the story. `REPLISIM_PROPERTY_CASES` sets how many (default 150).
#[test]
fn causes_agree_with_lineage_and_timestamps() {
    let cases: u64 = std::env::var("REPLISIM_PROPERTY_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(150);
    let mut checked = 0;
    let mut seen = BTreeSet::new();
    for seed in 0..cases {
        let s = crate::gen::scenario(seed);
        let trace = run_traced(&s).trace.unwrap();
        if trace.writes.is_empty() {
            continue;
        }
        let st = explain::story(&s, &trace, &Request::default())
            .unwrap_or_else(|e| panic!("seed {seed}: {e}"));
        let by = |id: u64| &trace.writes[id as usize - 1];
        let descends = |mut a: u64, b: u64| loop {
            if a == b {
                return true;
            }
            if a == 0 {
                return false;
            }
            a = by(a).parent_id;
        };
        let name = |r: &str| s.regions.iter().position(|x| x.name == r).unwrap();
        let stamp = |id: u64| (by(id).timestamp_ns, by(id).region.clone());
        let ps = narrate::paragraphs(&st);
        for w in st.writes.iter().filter(|w| w.lost) {
            let cause = w.cause.unwrap();
            seen.insert(format!("{cause:?}"));
            checked += 1;
            let p = paragraph(&ps, w.id);
            has(p, cause.words());
            let b = w.beaten_by;
            let trace_cause = by(w.id).cause;
            match cause {
                Cause::Stranded => assert_eq!(trace_cause, "stranded", "seed {seed}"),
                Cause::Failover => assert_eq!(trace_cause, "rpo", "seed {seed}"),
                Cause::CausalInversion => assert!(
                    trace_cause == "causal_inversion"
                        && stamp(w.held) > stamp(w.id)
                        && descends(w.id, w.held)
                        || b != 0 && descends(w.id, b),
                    "seed {seed}: w{} is no causal inversion",
                    w.id
                ),
                Cause::ClockBehind => assert!(
                    b != 0 && by(b).issue_ns < w.issue_ns && by(b).timestamp_ns > w.ts_ns,
                    "seed {seed}: w{} beaten by w{b}: not an earlier write stamped later",
                    w.id
                ),
                Cause::Concurrent | Cause::Partition => {
                    assert!(b != 0, "seed {seed}");
                    assert!(
                        !descends(w.id, b) && !descends(b, w.id),
                        "seed {seed}: w{} and w{b} are not concurrent",
                        w.id
                    );
                    assert!(
                        stamp(b) > stamp(w.id),
                        "seed {seed}: w{b} does not beat w{}",
                        w.id
                    );
                    if cause == Cause::Partition {
                        let (x, y) = (name(&by(w.id).region), name(&by(b).region));
                        let cut = s.faults.iter().any(|f| {
                            let hits = match &f.kind {
                                FaultKind::Partition { links } => links
                                    .iter()
                                    .any(|&(a, c)| (a, c) == (x, y) || (a, c) == (y, x)),
                                FaultKind::Isolate { region } => *region == x || *region == y,
                                FaultKind::Outage { region, .. } => *region == x || *region == y,
                                _ => false,
                            };
                            hits && [by(w.id).applied_ns, by(b).applied_ns]
                                .iter()
                                .any(|&t| t >= f.at.ns() && f.end().is_none_or(|e| t < e.ns()))
                        });
                        assert!(
                            cut,
                            "seed {seed}: no fault between the regions of w{} and w{b}",
                            w.id
                        );
                    }
                }
                Cause::WithDescendant => {
                    assert!(b != 0 && stamp(b) <= stamp(w.id), "seed {seed}")
                }
                Cause::Other => {}
            }
            if b != 0 && !matches!(cause, Cause::Stranded | Cause::Failover) {
                has(p, &format!("w{b}"));
            }
        }
        let root = parse(&svg::render(&st));
        assert_eq!(root.find("write").len(), st.writes.len(), "seed {seed}");
    }
    assert!(checked > 50, "only {checked} lost writes checked");
    assert!(seen.len() >= 3, "causes seen: {seen:?}");
}

fn assert_one_error_line(o: &std::process::Output, needle: &str) {
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "stderr: {err}");
    assert!(err.starts_with("error: "), "stderr: {err}");
    assert_eq!(err.lines().count(), 1, "one line expected: {err}");
    assert!(err.contains(needle), "{needle:?} missing from: {err}");
}

/// `replisim explain teach-lww` writes the three files, prints the
/// narration, and gives the same bytes twice; bad input is one line and
/// exit 2, leaving nothing behind.
#[test]
fn command_line() {
    let dir = scratch_dir("explain", "cli");
    let o = replisim(&dir, &["explain", "teach-lww", "--out", "e"]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let printed = String::from_utf8_lossy(&o.stdout);
    assert!(printed.contains("Every region kept w3, whose timestamp is greater."));
    assert_eq!(
        names(&dir.join("e")),
        [".replisim", "explain.html", "explain.svg", "explain.txt"]
    );
    let txt = std::fs::read_to_string(dir.join("e/explain.txt")).unwrap();
    assert!(printed.starts_with(&txt), "explain.txt is what was printed");
    let html = std::fs::read_to_string(dir.join("e/explain.html")).unwrap();
    assert!(html.contains("<svg") && html.contains("<script>"));
    for banned in ["http://", "https://", "src=\"", "@import"] {
        let offending: Vec<&str> = html
            .lines()
            .filter(|l| l.contains(banned) && !l.contains("xmlns=\"http://www.w3.org/2000/svg\""))
            .collect();
        assert!(
            offending.is_empty(),
            "{banned} in explain.html: {offending:?}"
        );
    }
    let o = replisim(&dir, &["explain", "teach-lww", "--out", "f", "--quiet"]);
    assert_eq!(o.status.code(), Some(0));
    for f in ["explain.txt", "explain.svg", "explain.html"] {
        assert_eq!(
            std::fs::read(dir.join("e").join(f)).unwrap(),
            std::fs::read(dir.join("f").join(f)).unwrap(),
            "{f} differs between two runs"
        );
    }
    // A window and a write.
    let o = replisim(
        &dir,
        &[
            "explain",
            "teach-lww",
            "--write",
            "6",
            "--from",
            "7s",
            "--to",
            "11s",
            "--out",
            "g",
            "-q",
        ],
    );
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let g = std::fs::read_to_string(dir.join("g/explain.txt")).unwrap();
    assert!(g.contains("from 7.000 s to 11.000 s") && g.contains("w6 (boston"));
    assert!(!g.contains("w1 (boston"), "w1 is outside the window");

    let bad: &[(&[&str], &str)] = &[
        (
            &["--key", "orders/5"],
            "--key orders/5: key must be a whole number from 0 to 0",
        ),
        (
            &["--key", "menu/0"],
            "unknown table 'menu'; tables are orders",
        ),
        (
            &["--write", "99"],
            "--write 99: no such write; this run has writes 1 to 7",
        ),
        (&["--from", "1h"], "--from 3600.000s: after the run's end"),
        (
            &["--from", "5s", "--to", "4s"],
            "the window must end after it starts",
        ),
        (&["--from", "soon"], "--from"),
    ];
    for (extra, needle) in bad {
        let mut args = vec!["explain", "teach-lww", "--out", "bad"];
        args.extend_from_slice(extra);
        let o = replisim(&dir, &args);
        assert_one_error_line(&o, needle);
        assert!(!dir.join("bad").exists(), "{extra:?} left a folder behind");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// `replisim run teach-lww` (no `--trace`): the report ends with the
/// explain view of the order book (diagram, narration, script), still
/// self-contained, and no trace file is written; a run with no trace gets
/// a note instead.
#[test]
fn report_carries_the_view() {
    let dir = scratch_dir("explain", "report");
    let o = replisim(
        &dir,
        &["run", "teach-lww", "--out", "r", "-q", "--no-charts"],
    );
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let html = std::fs::read_to_string(dir.join("r/report.html")).unwrap();
    let at = html.find("id=\"explain\"").expect("the explain section");
    assert!(at < html.rfind("</main>").unwrap());
    let view = &html[at..];
    assert!(view.contains("<svg class=\"explain\""));
    assert!(view.contains("Every region kept w3, whose timestamp is greater."));
    assert!(view.contains("<script>"));
    for banned in ["http://", "https://", "src=\"", "@import", "url("] {
        assert!(!html.contains(banned), "{banned} in report.html");
    }
    // The view's diagram is the same as explain's own.
    let svg_part = &view[view.find("<svg").unwrap()..view.find("</svg>").unwrap() + 6];
    let root = parse(svg_part);
    assert_eq!(root.find("write").len(), 7);
    assert_eq!(root.find("arrow").len(), 14);
    for f in ["writes.csv", "reads.csv", "deliveries.csv"] {
        assert!(
            !dir.join("r").join(f).exists(),
            "{f} written without --trace"
        );
    }
    let note = explain::page::report_section(&teach(), None);
    assert!(note.contains("--trace") && note.contains("replisim explain teach-lww"));
    let _ = std::fs::remove_dir_all(&dir);
}

/// In headless Chromium, when one is installed (`chromium`,
/// `chromium-browser` or `google-chrome` on the PATH; skipped otherwise):
/// `explain.html` and a run's `report.html` load without a script error,
/// and hovering w6 of teach-lww highlights its chain of parents (w4, w3,
/// w1, worked out from the scenario's story) and their eight arrows.
#[test]
fn view_works_in_headless_chromium() {
    let Some(browser) = ["chromium", "chromium-browser", "google-chrome"]
        .into_iter()
        .find(|b| {
            std::process::Command::new(b)
                .arg("--version")
                .output()
                .is_ok_and(|o| o.status.success())
        })
    else {
        eprintln!("no headless Chromium installed: skipped");
        return;
    };
    let dir = scratch_dir("explain", "chromium");
    let o = replisim(&dir, &["explain", "teach-lww", "--out", "e", "-q"]);
    assert_eq!(o.status.code(), Some(0));
    let o = replisim(
        &dir,
        &["run", "teach-lww", "--out", "r", "-q", "--no-charts"],
    );
    assert_eq!(o.status.code(), Some(0));
    let probe = "<script>\n\
        var g=document.querySelector('.explain-view .write[data-id=\"6\"]');\n\
        g.dispatchEvent(new MouseEvent('mouseenter'));\n\
        var hl=[].map.call(document.querySelectorAll('.explain-view .write.hl'),function(e){return e.getAttribute('data-id');});\n\
        var n=document.querySelectorAll('.explain-view .arrow.hl').length;\n\
        console.log('probe hl='+hl.join(',')+' arrows='+n);\n\
        </script>";
    for page in ["e/explain.html", "r/report.html"] {
        let html = std::fs::read_to_string(dir.join(page)).unwrap();
        let probed = dir.join(format!("{}.probe.html", page.replace('/', "-")));
        std::fs::write(&probed, html.replace("</body>", &format!("{probe}</body>"))).unwrap();
        let mut child = std::process::Command::new(browser)
            .args([
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--enable-logging=stderr",
                "--v=0",
                "--dump-dom",
            ])
            .arg(format!("file://{}", probed.display()))
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("start the browser");
        let start = std::time::Instant::now();
        while child.try_wait().unwrap().is_none() {
            if start.elapsed() > std::time::Duration::from_secs(90) {
                let _ = child.kill();
                panic!("{browser} did not finish on {page}");
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        let out = child.wait_with_output().unwrap();
        let log = String::from_utf8_lossy(&out.stderr);
        let console: Vec<&str> = log.lines().filter(|l| l.contains("CONSOLE")).collect();
        assert!(
            console
                .iter()
                .any(|l| l.contains("probe hl=1,3,4,6 arrows=8")),
            "{page}: {console:?}"
        );
        assert!(
            !console
                .iter()
                .any(|l| l.contains("Uncaught") || l.contains("Error")),
            "{page}: {console:?}"
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// `compare teach-lww` puts the same key's story under each mode side by
/// side in its report, one column per mode, and each mode's own report
/// carries its explain view. Each column's count of lost writes is that
/// mode's `lost_writes` in its `summary.csv` (teach-lww has one item).
#[test]
fn compare_shows_the_key_under_each_mode() {
    let dir = scratch_dir("explain", "modes");
    let o = replisim(
        &dir,
        &["compare", "teach-lww", "--no-charts", "--out", "cmp"],
    );
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let html = std::fs::read_to_string(dir.join("cmp/report.html")).unwrap();
    let at = html
        .find("<section class=\"explain-view\" id=\"explain-modes\">")
        .expect("the side-by-side section");
    let section = &html[at..];
    for mode in ["active_active", "single_primary", "strong"] {
        let head = format!("<h3>{mode}</h3>");
        let col = section
            .find(&head)
            .unwrap_or_else(|| panic!("no column for {mode}"));
        let column = &section[col..];
        let column = &column[..column[head.len()..]
            .find("<h3>")
            .map_or(column.len(), |e| e + head.len())];
        assert_eq!(column.matches("<svg").count(), 1, "{mode}: one diagram");
        let summary = std::fs::read_to_string(dir.join(format!("cmp/{mode}/summary.csv"))).unwrap();
        let mut lines = summary.lines();
        let header: Vec<&str> = lines.next().unwrap().split(',').collect();
        let row: Vec<&str> = lines.next().unwrap().split(',').collect();
        let lost = row[header.iter().position(|h| *h == "lost_writes").unwrap()];
        assert!(
            column.contains(&format!("in the whole run, {lost} lost.")),
            "{mode}: {lost} lost, column says otherwise"
        );
        assert!(
            column.contains(&format!("teach-lww ({mode}, wall timestamps)")),
            "{mode}"
        );
        let own = std::fs::read_to_string(dir.join(format!("cmp/{mode}/report.html"))).unwrap();
        assert!(
            own.contains("id=\"explain\""),
            "{mode}: its report has the view"
        );
        assert!(
            !dir.join(format!("cmp/{mode}/writes.csv")).exists(),
            "no trace files without --trace"
        );
    }
    // The hand-worked story: last writer wins loses three of the seven
    // writes; the other two designs lose none.
    assert!(section.contains("in the whole run, 3 lost."));
}
