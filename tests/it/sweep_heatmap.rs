//! The heatmap of a sweep over two numeric dimensions: a cell per variant
//! holding its mean (the same number as `sweep.csv`), coloured on one
//! scale from the smallest mean to the largest, a legend of that scale,
//! and the same bytes for any `--jobs`; none for one dimension.

use std::fs;

use crate::common::{replisim, scratch_dir, SMALL};
use crate::gate::parse_xml;

fn ok(o: &std::process::Output) {
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
}

#[test]
fn two_numeric_dimensions_draw_a_heatmap_of_the_means() {
    let dir = scratch_dir("sweep-heatmap", "cells");
    fs::write(dir.join("small.yaml"), SMALL).unwrap();
    let args = |jobs: &'static str, out: &'static str| {
        vec![
            "sweep",
            "small.yaml",
            "--vary",
            "workload.0.writes=0.2,0.5,0.8",
            "--vary",
            "network.default=10ms,40ms",
            "--seeds",
            "2",
            "--figures",
            "writes,lost_write_rate",
            "--jobs",
            jobs,
            "--out",
            out,
            "--quiet",
        ]
    };
    ok(&replisim(&dir, &args("1", "one")));
    ok(&replisim(&dir, &args("2", "two")));
    let svg = fs::read_to_string(dir.join("one/charts/writes-heatmap.svg")).unwrap();
    assert_eq!(
        svg.as_bytes(),
        fs::read(dir.join("two/charts/writes-heatmap.svg")).unwrap(),
        "--jobs 1 and 2 draw the same bytes"
    );
    assert!(dir.join("one/charts/lost_write_rate-heatmap.svg").is_file());

    // sweep.csv's writes_mean per variant (variant = writes index × 2 +
    // delay index: the first dimension varies slowest).
    let table = fs::read_to_string(dir.join("one/sweep.csv")).unwrap();
    let head: Vec<&str> = table.lines().next().unwrap().split(',').collect();
    let at = head.iter().position(|h| *h == "writes_mean").unwrap();
    let means: Vec<f64> = table
        .lines()
        .skip(1)
        .map(|l| l.split(',').nth(at).unwrap().parse().unwrap())
        .collect();
    assert_eq!(means.len(), 6);

    let root = parse_xml(&svg);
    assert_eq!(root.name, "svg");
    let cells: Vec<_> = root
        .children
        .iter()
        .filter(|c| c.name == "rect" && c.attr("class") == "cell")
        .collect();
    let values: Vec<_> = root
        .children
        .iter()
        .filter(|c| c.name == "text" && c.attr("class") == "value")
        .collect();
    assert_eq!(cells.len(), 6);
    assert_eq!(values.len(), 6);
    let (lo, hi) = means
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &m| {
            (a.min(m), b.max(m))
        });
    let writes = ["0.2", "0.5", "0.8"];
    let delays = ["10ms", "40ms"];
    for (c, v) in cells.iter().zip(&values) {
        let i = writes.iter().position(|w| *w == c.attr("data-x")).unwrap();
        let j = delays.iter().position(|d| *d == c.attr("data-y")).unwrap();
        let mean = means[i * 2 + j];
        let shown: f64 = c.attr("data-mean").parse().unwrap();
        assert!(
            (shown - mean).abs() <= 1e-6 * mean.max(1.0),
            "{shown} vs {mean}"
        );
        // The text in the cell: the mean to three significant digits.
        let text: f64 = v.text.trim().parse().unwrap();
        assert!((text - mean).abs() <= 0.005 * mean, "{text} vs {mean}");
        // The ends of the scale: its first and last stops.
        if mean == lo {
            assert_eq!(c.attr("fill"), "#440154");
        }
        if mean == hi {
            assert_eq!(c.attr("fill"), "#fde725");
        }
    }
    // More writes in the mix, more writes: the means rise across.
    assert!(means[0] < means[2] && means[2] < means[4], "{means:?}");
    // The legend: the gradient and five ticks from the smallest mean up.
    assert!(root.children.iter().any(|c| c.attr("class") == "legend"));
    let ticks: Vec<f64> = root
        .children
        .iter()
        .filter(|c| c.attr("class") == "tick")
        .map(|c| c.text.trim().parse().unwrap())
        .collect();
    assert_eq!(ticks.len(), 5);
    assert!((ticks[0] - lo).abs() <= 0.005 * lo && (ticks[4] - hi).abs() <= 0.005 * hi);
    // The report shows it.
    let html = fs::read_to_string(dir.join("one/report.html")).unwrap();
    assert!(html.contains("writes: mean over the seeds by workload.0.writes and network.default"));

    // One dimension: no heatmap.
    ok(&replisim(
        &dir,
        &[
            "sweep",
            "small.yaml",
            "--vary",
            "workload.0.writes=0.2,0.8",
            "--seeds",
            "2",
            "--out",
            "single",
            "--quiet",
        ],
    ));
    let charts: Vec<String> = fs::read_dir(dir.join("single/charts"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(!charts.iter().any(|c| c.contains("heatmap")), "{charts:?}");
}
