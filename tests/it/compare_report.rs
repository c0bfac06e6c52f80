//! The `compare` report and its charts: every section, every mode, the
//! figures of the terminal table, links to each mode's report, nothing
//! fetched from elsewhere, and the same bytes every time. Tests look at the
//! text of the HTML and SVG, never at image bytes.
//!
//! `REPLISIM_SAMPLE_COMPARE=<dir>` makes `write_sample_compare_report`
//! write the sample's report and charts there, to look at in a browser.

use crate::common::*;
use replisim::metrics::result::RunResult;
use replisim::model::modes;
use replisim::report::charts::compare::{self as compare_charts, CompareChart};
use replisim::report::charts::{Chart, ChartFormat};
use replisim::report::compare::{table_text, CompareRow};
use replisim::report::compare_html::{render_compare_report, CompareReportInput};
use replisim::scenario::*;

/// Every mode's run of one scenario: (mode, variant, result, note).
type Runs = Vec<(&'static str, Option<Scenario>, Option<RunResult>, String)>;

/// `n` regions with a counter and contention, and an outage of r0 in the
/// middle: every mode has something to show.
fn scenario(n: usize) -> Scenario {
    let mut s = base(n, 35 * MS, 200, 40 * S);
    s.name = "cmp <demo>".into();
    s.description = "Three designs & one workload.".into();
    s.replication.timestamps = Timestamps::Wall;
    s.replication.pipeline = Latency::Constant(150 * MS);
    let mut w = clients(&(0..n).collect::<Vec<_>>(), 20.0, 0.6);
    w.access = Access::Zipf(1.1);
    s.workload = vec![w];
    s.faults = vec![Fault {
        kind: FaultKind::Outage {
            region: 0,
            clients: OutageClients::Reroute,
        },
        at: replisim::sim::time::Time(10 * S),
        length_ns: Some(15 * S),
    }];
    s
}

fn run_all(s: &Scenario) -> Runs {
    modes::MODE_NAMES
        .iter()
        .map(|&mode| match modes::for_mode(s, mode) {
            Ok(v) => {
                let r = run(&v).result;
                (mode, Some(v), Some(r), String::new())
            }
            Err(note) => (mode, None, None, note),
        })
        .collect()
}

fn rows(runs: &Runs) -> Vec<CompareRow<'_>> {
    runs.iter()
        .map(|(mode, v, r, note)| CompareRow {
            mode,
            scenario: v.as_ref(),
            result: r.as_ref(),
            note,
        })
        .collect()
}

fn report(s: &Scenario, rows: &[CompareRow], charts: &[Chart]) -> String {
    render_compare_report(&CompareReportInput {
        scenario: s,
        rows,
        command: "replisim compare cmp.yaml --modes active_active,single_primary,strong --seed 1",
        charts,
    })
}

/// Nothing in the page points outside it, except the relative links to
/// each mode's report and to the page's own sections. An inline script
/// (the explain view's highlighting) is part of the page; a script with a
/// `src` is not, and the `src=` check below allows only data URIs.
fn assert_self_contained(html: &str) {
    let lower = html.to_lowercase();
    for bad in [
        "http://",
        "https://",
        "<script src",
        "<link",
        "@import",
        "url(",
        "<iframe",
        "//cdn",
    ] {
        assert!(!lower.contains(bad), "external reference: {bad}");
    }
    for (attr, rest) in [("src=\"", "data:image/png;base64,"), ("href=\"", "")] {
        for part in html.split(attr).skip(1) {
            let target = &part[..part.find('"').unwrap()];
            let ok = if attr == "href=\"" {
                target.starts_with('#')
                    || modes::MODE_NAMES
                        .iter()
                        .any(|m| target == format!("{m}/report.html"))
            } else {
                target.starts_with(rest)
            };
            assert!(ok, "{attr}{target}");
        }
    }
}

#[test]
fn the_report_has_every_section_mode_and_figure() {
    let s = scenario(3);
    let runs = run_all(&s);
    let rows = rows(&runs);
    let charts = compare_charts::render_all(&s.region_names(), &rows, ChartFormat::Svg).unwrap();
    let html = report(&s, &rows, &charts);
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.trim_end().ends_with("</html>"));
    // Name and description, escaped.
    assert!(html.contains("<h1>cmp &lt;demo&gt;</h1>"));
    assert!(html.contains("Three designs &amp; one workload."));
    for id in ["reproduce", "side-by-side", "charts", "modes"] {
        assert!(html.contains(&format!("<section id=\"{id}\"")), "{id}");
        assert!(html.contains(&format!("href=\"#{id}\"")), "{id}");
    }
    assert!(html.contains(
        "replisim compare cmp.yaml --modes active_active,single_primary,strong --seed 1"
    ));
    for mode in modes::MODE_NAMES {
        assert!(
            html.contains(&format!("href=\"{mode}/report.html\"")),
            "{mode}"
        );
        assert!(html.matches(mode).count() >= 3, "{mode}");
    }
    // Every row label of the terminal table is a row of the page.
    let text = table_text(&s, &rows);
    for line in text.lines().skip(3) {
        let label = line.trim_start();
        let label = label.split("  ").next().unwrap().trim();
        if label.is_empty() {
            continue;
        }
        assert!(
            html.contains(&format!(">{label}</td>")),
            "row '{label}' is missing"
        );
    }
    // The figures are those of the terminal table.
    for (_, _, r, _) in &runs {
        let r = r.as_ref().unwrap();
        let lost = replisim::report::format::count(r.summary.lost_writes);
        assert!(text.contains(&lost) && html.contains(&lost), "{lost}");
        let writes = replisim::report::format::count(r.summary.writes);
        assert!(html.contains(&format!(">{writes}</td>")), "{writes}");
    }
    // Both charts, inlined without namespace or fixed size.
    for c in CompareChart::ALL {
        assert!(html.contains(&format!("id=\"chart-{}\"", c.file_stem())));
        assert!(html.contains(&format!("charts/{}.svg", c.file_stem())));
        assert!(html.contains(c.caption()));
    }
    assert_eq!(html.matches("<svg viewBox=").count(), 2);
    assert!(!html.contains("<?xml"));
    assert_self_contained(&html);
}

#[test]
fn a_mode_that_cannot_run_is_a_note_row_without_a_link() {
    let s = scenario(4);
    let runs = run_all(&s);
    assert!(runs[2].2.is_none(), "strong cannot run with four regions");
    let rows = rows(&runs);
    let charts = compare_charts::render_all(&s.region_names(), &rows, ChartFormat::Svg).unwrap();
    let html = report(&s, &rows, &charts);
    assert!(html.contains("<tr class=\"notrun\"><td>note</td>"));
    assert!(html.contains("not run: strong mode needs exactly 3 regions; this scenario has 4"));
    assert!(!html.contains("href=\"strong/report.html\""));
    assert!(html.contains("href=\"single_primary/report.html\""));
    for c in &charts {
        let svg = String::from_utf8(c.bytes.clone()).unwrap();
        assert!(svg.contains("strong (not run)"), "{}", c.file_name);
        assert!(svg.contains("not run"), "{}", c.file_name);
    }
    assert_self_contained(&html);
}

#[test]
fn without_charts_the_report_says_so() {
    let s = scenario(3);
    let runs = run_all(&s);
    let rows = rows(&runs);
    let html = report(&s, &rows, &[]);
    assert!(html.contains("<section id=\"charts\""));
    assert!(html.contains("--no-charts"));
    assert!(!html.contains("<svg"));
    assert_self_contained(&html);
}

#[test]
fn charts_have_titles_axes_and_every_mode() {
    let s = scenario(3);
    let runs = run_all(&s);
    let rows = rows(&runs);
    let charts = compare_charts::render_all(&s.region_names(), &rows, ChartFormat::Svg).unwrap();
    let names: Vec<&str> = charts.iter().map(|c| c.file_name.as_str()).collect();
    assert_eq!(names, ["compare_outcomes.svg", "compare_write_latency.svg"]);
    for (c, kind) in charts.iter().zip(CompareChart::ALL) {
        let svg = String::from_utf8(c.bytes.clone()).unwrap();
        assert_eq!(c.title, kind.title());
        assert!(svg.contains(kind.title()), "{}", c.file_name);
        for mode in modes::MODE_NAMES {
            assert!(svg.contains(mode), "{} lacks {mode}", c.file_name);
        }
    }
    let outcomes = String::from_utf8(charts[0].bytes.clone()).unwrap();
    for label in [
        "lost writes",
        "stale reads",
        "write conflict errors",
        "rejected writes",
        "unavailable writes",
        "write downtime (no primary)",
        "seconds",
    ] {
        assert!(outcomes.contains(label), "{label}");
    }
    // The bars are labelled with the figures.
    let aa = runs[0].2.as_ref().unwrap();
    let lost = replisim::report::format::count(aa.summary.lost_writes);
    assert!(outcomes.contains(&format!(">\n{lost}\n</text>")), "{lost}");
    let latency = String::from_utf8(charts[1].bytes.clone()).unwrap();
    for label in [
        "write latency (ms)",
        "region the client writes from",
        "r0",
        "r1",
        "r2",
    ] {
        assert!(latency.contains(label), "{label}");
    }
    // PNG draws too.
    let png = compare_charts::render_all(&s.region_names(), &rows, ChartFormat::Png).unwrap();
    assert!(png.iter().all(|c| c.bytes.starts_with(b"\x89PNG")));
    assert_eq!(png[0].file_name, "compare_outcomes.png");
}

#[test]
fn same_inputs_give_the_same_bytes() {
    let s = scenario(3);
    let a = run_all(&s);
    let b = run_all(&s);
    let (ra, rb) = (rows(&a), rows(&b));
    let ca = compare_charts::render_all(&s.region_names(), &ra, ChartFormat::Svg).unwrap();
    let cb = compare_charts::render_all(&s.region_names(), &rb, ChartFormat::Svg).unwrap();
    assert_eq!(ca, cb);
    assert_eq!(report(&s, &ra, &ca), report(&s, &rb, &cb));
}

/// The command writes the report and the charts beside compare.csv, the
/// same bytes on a second run.
#[test]
fn compare_command_writes_report_and_charts() {
    let dir = std::env::temp_dir().join(format!("replisim-compare-report-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/three-designs.yaml");
    let mut reports = Vec::new();
    for name in ["a", "b"] {
        let out = dir.join(name);
        let code = replisim::cli::main_with([
            "replisim",
            "compare",
            path,
            "--out",
            out.to_str().unwrap(),
            "-q",
            "--set",
            "duration=20s",
            "--set",
            "faults=[]",
        ]);
        assert_eq!(code, 0);
        for file in [
            "compare.csv",
            "report.html",
            "charts/compare_outcomes.svg",
            "charts/compare_write_latency.svg",
            "active_active/report.html",
            "single_primary/report.html",
            "strong/report.html",
        ] {
            assert!(out.join(file).is_file(), "{file}");
        }
        reports.push(std::fs::read(out.join("report.html")).unwrap());
        let svg = std::fs::read(out.join("charts/compare_outcomes.svg")).unwrap();
        reports.push(svg);
    }
    assert_eq!(reports[0], reports[2], "report.html differs between runs");
    assert_eq!(reports[1], reports[3], "chart differs between runs");
    let html = String::from_utf8(reports[0].clone()).unwrap();
    assert!(html.contains("--set duration=20s --set &#39;faults=[]&#39;"));
    assert_self_contained(&html);
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Writes the sample compare report to `$REPLISIM_SAMPLE_COMPARE`, if set.
#[test]
fn write_sample_compare_report() {
    let Some(dir) = std::env::var_os("REPLISIM_SAMPLE_COMPARE") else {
        return;
    };
    let dir = std::path::PathBuf::from(dir);
    let s = scenario(3);
    let runs = run_all(&s);
    let rows = rows(&runs);
    let charts = compare_charts::render_all(&s.region_names(), &rows, ChartFormat::Svg).unwrap();
    std::fs::create_dir_all(dir.join("charts")).unwrap();
    for c in &charts {
        std::fs::write(dir.join("charts").join(&c.file_name), &c.bytes).unwrap();
    }
    std::fs::write(dir.join("report.html"), report(&s, &rows, &charts)).unwrap();
}
