//! The charts' layout, read back from their SVG: at most eight legend
//! entries per panel, fault-lane labels that overlap neither each other
//! nor any drawn line, and tick labels that are round numbers. Run on an
//! eight-region scenario with every kind of fault, a two-region one, and
//! the bundled failover and switchover drills (whose detection, promotion
//! and switchover steps must be in the lane).

use replisim::model::{self, RunOptions};
use replisim::report::charts::{self, ChartFormat};
use replisim::scenario::{self, bundled};

/// Eight regions, every kind of fault (also the screenshots' scenario).
const EIGHT: &str = include_str!("../charts/eight-regions.yaml");
/// One `<text>` element of an SVG.
#[derive(Debug)]
struct Text {
    x: f64,
    y: f64,
    anchor: String,
    dy: String,
    size: f64,
    class: String,
    panel: String,
    content: String,
}

fn attr(tag: &str, name: &str) -> String {
    let key = format!(" {name}=\"");
    tag.find(&key)
        .map(|i| {
            let rest = &tag[i + key.len()..];
            rest[..rest.find('"').unwrap()].to_string()
        })
        .unwrap_or_default()
}

fn texts(svg: &str) -> Vec<Text> {
    let mut out = Vec::new();
    let mut rest = svg;
    while let Some(i) = rest.find("<text ") {
        rest = &rest[i..];
        let gt = rest.find('>').unwrap();
        let tag = &rest[..gt];
        let close = rest.find("</text>").unwrap();
        out.push(Text {
            x: attr(tag, "x").parse().unwrap(),
            y: attr(tag, "y").parse().unwrap(),
            anchor: attr(tag, "text-anchor"),
            dy: attr(tag, "dy"),
            size: attr(tag, "font-size").parse().unwrap(),
            class: attr(tag, "class"),
            panel: attr(tag, "data-panel"),
            content: rest[gt + 1..close].trim().to_string(),
        });
        rest = &rest[close..];
    }
    out
}

/// The box a text takes, estimated: 0.6 em per character (DejaVu Sans
/// averages about 0.55), one em high, placed by its anchor and baseline.
fn bbox(t: &Text) -> (f64, f64, f64, f64) {
    let w = t.content.chars().count() as f64 * t.size * 0.6;
    let x0 = match t.anchor.as_str() {
        "middle" => t.x - w / 2.0,
        "end" => t.x - w,
        _ => t.x,
    };
    let y0 = match t.dy.as_str() {
        "0.76em" => t.y,
        "0.5ex" => t.y - t.size / 2.0,
        _ => t.y - t.size,
    };
    (x0, y0, x0 + w, y0 + t.size)
}

fn overlap(a: (f64, f64, f64, f64), b: (f64, f64, f64, f64)) -> bool {
    a.0 < b.2 && b.0 < a.2 && a.1 < b.3 && b.1 < a.3
}

/// Every point of every polyline, with points every 2 px along each segment.
fn line_points(svg: &str) -> Vec<(f64, f64)> {
    let mut out = Vec::new();
    for part in svg.split("<polyline ").skip(1) {
        let tag = &part[..part.find("/>").unwrap()];
        let pts: Vec<(f64, f64)> = attr(&format!(" {tag}"), "points")
            .split_whitespace()
            .map(|p| {
                let (x, y) = p.split_once(',').unwrap();
                (x.parse().unwrap(), y.parse().unwrap())
            })
            .collect();
        for w in pts.windows(2) {
            let (a, b) = (w[0], w[1]);
            let len = ((b.0 - a.0).powi(2) + (b.1 - a.1).powi(2)).sqrt();
            let n = (len / 2.0).ceil().max(1.0) as usize;
            for k in 0..=n {
                let f = k as f64 / n as f64;
                out.push((a.0 + (b.0 - a.0) * f, a.1 + (b.1 - a.1) * f));
            }
        }
    }
    out
}

fn run(name: &str, text: &str, sets: &[String]) -> replisim::metrics::result::RunResult {
    let s = scenario::load_str(text, name, sets).expect("scenario loads");
    model::run(&s, &RunOptions::default(), &mut |_| true)
        .expect("runs")
        .result
}

/// The results the layout tests draw: eight regions, two regions with a
/// partition and a clock step, and the failover and switchover drills.
fn results() -> Vec<(String, replisim::metrics::result::RunResult)> {
    let short = |d: &str| vec![format!("duration={d}")];
    let two = bundled::find("collaboration").unwrap().text;
    vec![
        ("eight-regions".into(), run("eight", EIGHT, &[])),
        (
            "collaboration".into(),
            run(
                "collaboration",
                two,
                &[
                    "duration=40s".to_string(),
                    "faults=[{partition: {between: [us-east-1, eu-west-1], at: 10s, for: 8s}}, {clock_step: {region: eu-west-1, at: 12s, by: 50ms}}]".to_string(),
                ],
            ),
        ),
        (
            "aurora-failover-drill".into(),
            run(
                "drill",
                bundled::find("aurora-failover-drill").unwrap().text,
                &["workload.0.rate=20/s".to_string()],
            ),
        ),
        (
            "aurora-switchover".into(),
            run(
                "switchover",
                bundled::find("aurora-switchover").unwrap().text,
                &short("4m"),
            ),
        ),
    ]
}

#[test]
fn legends_stay_small_and_fault_labels_overlap_nothing() {
    for (name, r) in results() {
        let events = r.faults.len()
            + r.summary
                .mode_extras
                .steps
                .iter()
                .filter(|s| s.kind != "switchover_start")
                .count();
        for chart in charts::render_all(&r, ChartFormat::Svg).unwrap() {
            let svg = String::from_utf8(chart.bytes.clone()).unwrap();
            let what = format!("{name}/{}", chart.file_name);
            let all = texts(&svg);
            // Legend entries per panel.
            let mut per_panel: std::collections::BTreeMap<&str, usize> = Default::default();
            for t in all.iter().filter(|t| t.class == "legend-entry") {
                *per_panel.entry(t.panel.as_str()).or_default() += 1;
            }
            for (panel, n) in &per_panel {
                assert!(*n <= 8, "{what}: {n} legend entries in panel {panel}");
            }
            // The fault lane: one label per fault and step in the time
            // charts, apart from each other and from every line.
            let labels: Vec<&Text> = all.iter().filter(|t| t.class == "fault-label").collect();
            if chart.file_name.starts_with("lag_cdf") || chart.file_name.starts_with("regions") {
                assert!(labels.is_empty(), "{what}");
                continue;
            }
            assert_eq!(labels.len(), events, "{what}: {labels:?}");
            for (i, a) in labels.iter().enumerate() {
                for b in &labels[..i] {
                    assert!(
                        !overlap(bbox(a), bbox(b)),
                        "{what}: '{}' overlaps '{}'",
                        a.content,
                        b.content
                    );
                }
            }
            let points = line_points(&svg);
            for l in &labels {
                let (x0, y0, x1, y1) = bbox(l);
                let hit = points
                    .iter()
                    .find(|p| p.0 >= x0 && p.0 <= x1 && p.1 >= y0 && p.1 <= y1);
                assert!(
                    hit.is_none(),
                    "{what}: a line crosses '{}' at {hit:?}",
                    l.content
                );
            }
        }
    }
}

#[test]
fn the_lane_marks_failover_and_switchover_steps() {
    let rs = results();
    let labels = |name: &str| -> Vec<String> {
        let r = &rs.iter().find(|(n, _)| n == name).unwrap().1;
        let c = charts::lag_over_time(r, ChartFormat::Svg).unwrap();
        texts(&String::from_utf8(c.bytes).unwrap())
            .into_iter()
            .filter(|t| t.class == "fault-label")
            .map(|t| t.content)
            .collect()
    };
    let drill = labels("aurora-failover-drill");
    assert!(
        drill.contains(&"us-east-1 failure detected".to_string()),
        "{drill:?}"
    );
    assert!(drill.iter().any(|l| l.ends_with(" promoted")), "{drill:?}");
    let switchover = labels("aurora-switchover");
    assert!(
        switchover.iter().any(|l| l.ends_with(" is primary")),
        "{switchover:?}"
    );
    let eight = labels("eight-regions");
    for kind in ["partition", "isolate", "outage", "clock step"] {
        assert!(
            eight.iter().any(|l| l.starts_with(kind)),
            "{kind}: {eight:?}"
        );
    }
}

/// A step a reader takes in at a glance: 1, 2 or 5 times a power of ten,
/// or (seconds) a quarter, half or whole minute and its multiples, or
/// whole hours.
fn nice_step(step: f64, time: bool) -> bool {
    let mag = 10f64.powf(step.log10().floor());
    let m = step / mag;
    let one_two_five = [1.0, 2.0, 5.0, 10.0].iter().any(|x| (m - x).abs() < 1e-6);
    let minutes = [15.0, 30.0, 60.0, 120.0, 300.0, 600.0, 900.0, 1800.0]
        .iter()
        .any(|x| (step - x).abs() < 1e-9)
        || (step >= 3600.0 && (step / 3600.0).fract() == 0.0);
    one_two_five || (time && minutes)
}

fn number(text: &str) -> Option<f64> {
    let t = text.replace(',', "");
    (!t.is_empty() && t.chars().all(|c| c.is_ascii_digit() || c == '.'))
        .then(|| t.parse().ok())
        .flatten()
}

#[test]
fn tick_labels_are_round_numbers() {
    for (name, r) in results() {
        for chart in charts::render_all(&r, ChartFormat::Svg).unwrap() {
            if chart.file_name.starts_with("regions") {
                continue;
            }
            let what = format!("{name}/{}", chart.file_name);
            let svg = String::from_utf8(chart.bytes.clone()).unwrap();
            let all = texts(&svg);
            // x tick labels: centred numbers on one line, under the last panel.
            let mut xs: Vec<f64> = all
                .iter()
                .filter(|t| t.anchor == "middle" && t.class.is_empty())
                .filter_map(|t| number(&t.content))
                .collect();
            xs.dedup();
            assert!(xs.len() >= 3, "{what}: {xs:?}");
            let log_x = chart.file_name.starts_with("lag_cdf");
            if log_x {
                for v in &xs {
                    assert!(nice_step(*v, false), "{what}: x tick {v}");
                }
            } else {
                assert_eq!(xs[0], 0.0, "{what}: {xs:?}");
                let step = xs[1] - xs[0];
                assert!(nice_step(step, true), "{what}: x step {step} in {xs:?}");
                for w in xs.windows(2) {
                    assert!((w[1] - w[0] - step).abs() < 1e-9, "{what}: {xs:?}");
                }
            }
            // y tick labels: right-aligned numbers; each panel's run goes
            // down the page from its largest value.
            let ys: Vec<f64> = all
                .iter()
                .filter(|t| t.anchor == "end" && t.class.is_empty())
                .filter_map(|t| number(&t.content))
                .collect();
            let mut groups: Vec<Vec<f64>> = Vec::new();
            for v in ys {
                match groups.last_mut() {
                    Some(g) if *g.last().unwrap() < v => g.push(v),
                    _ => groups.push(vec![v]),
                }
            }
            assert!(!groups.is_empty(), "{what}");
            for g in &groups {
                let ratios = g.len() >= 3 && g[0] > 0.0 && (g[2] / g[1] - g[1] / g[0]).abs() < 1e-9;
                if ratios || (g[0] > 0.0 && g.iter().all(|v| nice_step(*v, false))) {
                    for v in g {
                        assert!(nice_step(*v, false), "{what}: log tick {v} in {g:?}");
                    }
                } else {
                    assert_eq!(g[0], 0.0, "{what}: {g:?}");
                    if g.len() > 1 {
                        let step = g[1] - g[0];
                        assert!(nice_step(step, false), "{what}: y step {step} in {g:?}");
                        for w in g.windows(2) {
                            assert!(
                                (w[1] - w[0] - step).abs() < 1e-6 * step.max(1.0),
                                "{what}: {g:?}"
                            );
                        }
                    }
                }
            }
        }
    }
}

#[test]
fn charts_are_the_same_bytes_twice() {
    let (_, r) = results().remove(0);
    let a = charts::render_all(&r, ChartFormat::Svg).unwrap();
    let b = charts::render_all(&r, ChartFormat::Svg).unwrap();
    assert_eq!(a, b);
}

/// The report's fault timeline: round ticks from 0, one row per fault and
/// per step of the mode, each kind in its colour.
#[test]
fn the_report_timeline_has_round_ticks_and_the_failover_steps() {
    let text = bundled::find("aurora-failover-drill").unwrap().text;
    let s = scenario::load_str(text, "drill", &["workload.0.rate=20/s".to_string()]).unwrap();
    let r = model::run(&s, &RunOptions::default(), &mut |_| true)
        .unwrap()
        .result;
    let html = replisim::report::html::render_report(&replisim::report::html::ReportInput {
        scenario: &s,
        result: &r,
        resolved_yaml: "",
        command: "replisim run aurora-failover-drill",
        charts: &[],
    });
    let ticks: Vec<f64> = html
        .split("<span class=\"tl-tick\"")
        .skip(1)
        .map(|part| {
            let v = &part[part.find('>').unwrap() + 1..part.find("</span>").unwrap()];
            number(v).unwrap_or_else(|| panic!("tick {v}"))
        })
        .collect();
    assert!(ticks.len() >= 3, "{ticks:?}");
    assert_eq!(ticks[0], 0.0);
    let step = ticks[1] - ticks[0];
    assert!(nice_step(step, true), "{ticks:?}");
    assert!(
        ticks.windows(2).all(|w| (w[1] - w[0] - step).abs() < 1e-9),
        "{ticks:?}"
    );
    assert!(html.contains("tl-mark k-detect"), "no detection mark");
    assert!(html.contains("tl-mark k-promote"), "no promotion mark");
    assert!(html.contains("tl-bar k-outage"), "no outage bar");
    assert!(html.contains(">us-east-1 failure detected<"));
}
