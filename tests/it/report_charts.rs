//! Charts and the HTML report, drawn from hand-made results.
//!
//! The sample is a realistic three-region active-active run of two minutes
//! with a 30 s partition between us-east-1 and eu-west-1 and a clock step:
//! lag and backlog build on the cut streams and drain after the heal, and
//! the lost writes and stale reads cluster in the partition. Tests look at
//! the text of the SVG and HTML (titles, axis labels, series names), never
//! at image bytes.
//!
//! `REPLISIM_SAMPLE_REPORT=<dir>` makes `write_sample_report` write the
//! sample's report and charts there, to look at them in a browser.

use replisim::metrics::result::{
    BucketRow, CdfPoint, FaultWindow, LinkRow, RegionRow, RunResult, StreamSeries, Summary,
};
use replisim::report::charts::{self, Chart, ChartFormat, ChartKind};
use replisim::report::html::{render_report, ReportInput};
use replisim::scenario::{
    Access, Arrival, Clock, Fault, FaultKind, Latency, Mode, Region, Replication, Scenario, Table,
    TableKind, Timestamps, WorkloadEntry,
};
use replisim::sim::time::{Time, NS_PER_MS, NS_PER_S};

const REGIONS: [&str; 3] = ["us-east-1", "eu-west-1", "ap-southeast-1"];

/// One-way transit in ms between two regions.
fn one_way_ms(a: usize, b: usize) -> f64 {
    match (a.min(b), a.max(b)) {
        (0, 1) => 35.0,
        (0, 2) => 106.0,
        _ => 86.0,
    }
}

/// A deterministic jitter in [0, 1) from two integers.
fn jitter(a: u64, b: u64) -> f64 {
    let mut x = a
        .wrapping_mul(0x9E37_79B9_7F4A_7C15)
        .wrapping_add(b.wrapping_mul(0xBF58_476D_1CE4_E5B9));
    x ^= x >> 31;
    x = x.wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^= x >> 29;
    (x >> 11) as f64 / (1u64 << 53) as f64
}

/// A realistic 3-region result with `buckets` buckets of `bucket_s`
/// seconds and a partition between us-east-1 and eu-west-1 in the second
/// quarter of the run.
fn sample_result_with(buckets: usize, bucket_s: f64) -> RunResult {
    let duration_s = buckets as f64 * bucket_s;
    let (cut_start, cut_end) = (duration_s * 0.25, duration_s * 0.5);
    let step_at = duration_s * 2.0 / 3.0;
    let writes_per_s_per_region = 100.0;
    let drain_per_s = [400.0, 300.0];
    let pipeline_ms = 600.0;

    let mut timeseries = Vec::with_capacity(buckets);
    let mut stream_series = Vec::new();
    let mut links = Vec::new();
    let mut lag_cdf = Vec::new();
    let mut total_backlog = vec![0u64; buckets];

    let mut stream_no = 0u64;
    for (from, from_name) in REGIONS.iter().enumerate() {
        for (to, to_name) in REGIONS.iter().enumerate() {
            if from == to {
                continue;
            }
            stream_no += 1;
            let cut = (from, to) == (0, 1) || (from, to) == (1, 0);
            let base = pipeline_ms + one_way_ms(from, to);
            let mut p50 = Vec::with_capacity(buckets);
            let mut p99 = Vec::with_capacity(buckets);
            let mut backlog = Vec::with_capacity(buckets);
            let mut queued = 0.0f64;
            for (i, total) in total_backlog.iter_mut().enumerate() {
                let t0 = i as f64 * bucket_s;
                let t1 = t0 + bucket_s;
                let j = jitter(stream_no, i as u64);
                let down = cut && t1 > cut_start && t0 < cut_end;
                if down {
                    queued += writes_per_s_per_region * bucket_s;
                    p50.push(None);
                    p99.push(None);
                } else if cut && queued > 0.5 {
                    // Draining after the heal: the oldest writes arrive first.
                    let speed = drain_per_s[from.min(1)] / (drain_per_s[from.min(1)] - 100.0);
                    let age_ms = (cut_end - cut_start) * 1000.0 - (t0 - cut_end) * 1000.0 * speed;
                    queued = (queued
                        - (drain_per_s[from.min(1)] - writes_per_s_per_region) * bucket_s)
                        .max(0.0);
                    p50.push(Some(age_ms.max(base) * 0.55 + base));
                    p99.push(Some(age_ms.max(base) + base));
                } else {
                    p50.push(Some(base + 40.0 * j));
                    p99.push(Some(base * 1.6 + 180.0 * j));
                }
                let b = queued.round() as u64 + (3.0 * j) as u64;
                *total += b;
                backlog.push(b);
            }
            let deliveries = (writes_per_s_per_region * duration_s) as u64;
            // A CDF: most deliveries near the base lag, a long tail for the
            // streams that were cut.
            let tail_ms = (cut_end - cut_start) * 1000.0 * if from == 0 { 1.0 } else { 0.8 };
            let mut cdf = Vec::new();
            for k in 0..=200 {
                let q = k as f64 / 200.0;
                let v = if cut && q > 0.75 {
                    base * 1.05 + 180.0 + ((q - 0.75) / 0.25).powf(1.5) * tail_ms
                } else {
                    let qq = if cut { q / 0.75 } else { q };
                    base * (0.97 + 0.08 * qq) + 180.0 * qq.powi(8)
                };
                cdf.push(CdfPoint {
                    value_ms: v,
                    fraction: q,
                });
            }
            let quantile = |q: f64| {
                cdf.iter()
                    .find(|p| p.fraction >= q)
                    .map_or(0.0, |p| p.value_ms)
            };
            links.push(LinkRow {
                from: from_name.to_string(),
                to: to_name.to_string(),
                deliveries,
                lag_p50_ms: quantile(0.5),
                lag_p90_ms: quantile(0.9),
                lag_p99_ms: quantile(0.99),
                lag_max_ms: quantile(1.0),
                max_backlog: backlog.iter().copied().max().unwrap_or(0),
                ..LinkRow::default()
            });
            lag_cdf.push(cdf);
            stream_series.push(StreamSeries {
                from: from_name.to_string(),
                to: to_name.to_string(),
                lag_p50_ms: p50,
                lag_p99_ms: p99,
                backlog,
            });
        }
    }

    let mut totals = Summary::default();
    for (i, backlog) in total_backlog.iter().enumerate() {
        let t0 = i as f64 * bucket_s;
        let t1 = t0 + bucket_s;
        let j = jitter(99, i as u64);
        let in_cut = t1 > cut_start && t0 < cut_end;
        let writes = (3.0 * writes_per_s_per_region * bucket_s * (0.95 + 0.1 * j)) as u64;
        let reads = writes * 3;
        let lost = if in_cut {
            (writes as f64 * (0.06 + 0.02 * j)) as u64
        } else {
            (j * 2.2) as u64
        };
        let conflicts = lost + (j * 2.0) as u64;
        let stale = if in_cut {
            (reads as f64 * (0.11 + 0.03 * j)) as u64
        } else {
            (reads as f64 * 0.006 * j) as u64
        };
        totals.writes += writes;
        totals.reads += reads;
        totals.lost_writes += lost;
        totals.conflicts += conflicts;
        totals.stale_reads += stale;
        timeseries.push(BucketRow {
            t_start_s: t0,
            t_end_s: t1,
            writes,
            lost_writes: lost,
            conflicts,
            reads,
            stale_reads: stale,
            lag_p50_ms: 650.0 + 30.0 * j,
            lag_p99_ms: 1100.0 + 200.0 * j,
            lag_max_ms: 1400.0 + 300.0 * j,
            backlog: *backlog,
            faults_active: u32::from(in_cut) + u32::from(t0 <= step_at && step_at < t1),
            ..BucketRow::default()
        });
    }

    let regions = REGIONS
        .iter()
        .enumerate()
        .map(|(k, name)| {
            let share = [0.36, 0.34, 0.30][k];
            let lost_share = [0.45, 0.45, 0.10][k];
            RegionRow {
                region: name.to_string(),
                writes: (totals.writes as f64 * share) as u64,
                reads: (totals.reads as f64 * share) as u64,
                lost_writes: (totals.lost_writes as f64 * lost_share) as u64,
                stale_reads: (totals.stale_reads as f64 * lost_share) as u64,
                failed_ops: 0,
                write_latency_p50_ms: 0.0,
                write_latency_p99_ms: 0.0,
            }
        })
        .collect();

    let summary = Summary {
        scenario: "partition-us-eu".to_string(),
        seed: 42,
        mode: "active_active".to_string(),
        timestamps: "wall".to_string(),
        duration_s,
        lost_write_rate: totals.lost_writes as f64 / totals.writes as f64,
        causal_inversions: 3,
        stale_read_rate: totals.stale_reads as f64 / totals.reads as f64,
        lag_p50_ms: 672.4,
        lag_p99_ms: 29_400.0,
        lag_max_ms: 30_635.0,
        converged: true,
        convergence_ms: 10_412.5,
        staleness_p50_ms: 310.0,
        staleness_p99_ms: 24_800.0,
        max_backlog: links.iter().map(|l| l.max_backlog).max().unwrap_or(0),
        ..totals
    };

    RunResult {
        summary,
        links,
        regions,
        timeseries,
        stream_series,
        lag_cdf,
        faults: vec![
            FaultWindow {
                kind: "partition".to_string(),
                label: "partition us-east-1 ↔ eu-west-1".to_string(),
                start_s: cut_start,
                end_s: Some(cut_end),
            },
            FaultWindow {
                kind: "clock_step".to_string(),
                label: "clock step ap-southeast-1 −250ms".to_string(),
                start_s: step_at,
                end_s: Some(step_at),
            },
        ],
        fault_rows: Vec::new(),
        visibility: Vec::new(),
        events: 1_234_567,
    }
}

fn sample_result() -> RunResult {
    sample_result_with(120, 1.0)
}

fn sample_scenario() -> Scenario {
    let lat = |a: usize, b: usize| {
        if a == b {
            Latency::Constant(0)
        } else {
            Latency::Constant((one_way_ms(a, b) * NS_PER_MS as f64) as u64)
        }
    };
    Scenario {
        name: "partition-us-eu".to_string(),
        description: "Three regions, active-active with last-writer-wins. The link between \
                      us-east-1 and eu-west-1 is cut for 30 seconds: which writes vanish?"
            .to_string(),
        seed: 42,
        duration_ns: 120 * NS_PER_S,
        drain_limit_ns: 60 * NS_PER_S,
        regions: REGIONS
            .iter()
            .map(|n| Region {
                name: n.to_string(),
                clock: Clock::default(),
            })
            .collect(),
        links: (0..3)
            .map(|a| (0..3).map(|b| lat(a, b)).collect())
            .collect(),
        link_varies_over_ns: vec![],
        replication: Replication {
            mode: Mode::ActiveActive,
            timestamps: Timestamps::Wall,
            ordering: replisim::scenario::Ordering::Item,
            pipeline: Latency::LogNormal {
                median: 600 * NS_PER_MS,
                p99: 900 * NS_PER_MS,
            },
            pipeline_varies_over_ns: None,
            throughput_per_s: Some(400.0),
        },
        tables: vec![Table {
            name: "orders".to_string(),
            kind: TableKind::Item,
            keys: 10_000,
        }],
        workload: vec![WorkloadEntry {
            regions: vec![0, 1, 2],
            table: 0,
            rate_per_s: 400.0,
            arrival: Arrival::Poisson,
            write_fraction: 0.25,
            access: Access::Zipf(1.1),
            home_affinity: 0.5,
        }],
        script: vec![],
        faults: vec![
            Fault {
                kind: FaultKind::Partition {
                    links: vec![(0, 1), (1, 0)],
                },
                at: Time(30 * NS_PER_S),
                length_ns: Some(30 * NS_PER_S),
            },
            Fault {
                kind: FaultKind::ClockStep {
                    region: 2,
                    by_ns: -250 * NS_PER_MS as i64,
                },
                at: Time(80 * NS_PER_S),
                length_ns: None,
            },
        ],
        bucket_ns: NS_PER_S,
        expect: vec![],
    }
}

const RESOLVED_YAML: &str = "name: partition-us-eu
description: >-
  Three regions, active-active with last-writer-wins. The link between
  us-east-1 and eu-west-1 is cut for 30 seconds: which writes vanish?
seed: 42
duration: 120s
drain_limit: 60s
bucket: 1s
regions:
  - name: us-east-1
  - name: eu-west-1
  - name: ap-southeast-1
links:
  us-east-1 <-> eu-west-1: 35ms
  us-east-1 <-> ap-southeast-1: 106ms
  eu-west-1 <-> ap-southeast-1: 86ms
replication:
  mode: active_active
  timestamps: wall
  pipeline: { lognormal: { median: 600ms, p99: 900ms } }
  throughput: 400/s
tables:
  - { name: orders, kind: item, keys: 10000 }
workload:
  - { regions: all, table: orders, rate: 400/s, arrival: poisson, writes: 0.25, access: { zipf: 1.1 }, home_affinity: 0.5 }
faults:
  - { partition: { between: [us-east-1, eu-west-1] }, at: 30s, for: 30s }
  - { clock_step: { region: ap-southeast-1, by: -250ms }, at: 80s }
";

const COMMAND: &str = "replisim run scenarios/partition-us-eu.yaml --seed 42";

fn svg_text(chart: &Chart) -> String {
    assert!(chart.file_name.ends_with(".svg"), "{}", chart.file_name);
    String::from_utf8(chart.bytes.clone()).expect("SVG is UTF-8")
}

/// Whether the SVG has a text element holding exactly `text`.
fn has_text(svg: &str, text: &str) -> bool {
    svg.contains(&format!(">\n{text}\n</text>"))
}

fn assert_contains_all(text: &str, what: &str, needles: &[&str]) {
    for n in needles {
        assert!(text.contains(n), "{what} lacks {n:?}");
    }
}

/// Every stream as the per-region panels show it: a panel caption per
/// destination and a legend entry per source.
fn stream_names() -> Vec<String> {
    let mut v = Vec::new();
    for a in REGIONS {
        v.push(format!("into {a}"));
        v.push(format!("from {a}"));
    }
    v
}

#[test]
fn render_all_gives_six_charts_in_order() {
    let r = sample_result();
    let all = charts::render_all(&r, ChartFormat::Svg).unwrap();
    let names: Vec<&str> = all.iter().map(|c| c.file_name.as_str()).collect();
    assert_eq!(
        names,
        [
            "lag_over_time.svg",
            "lag_cdf.svg",
            "lost_writes.svg",
            "stale_reads.svg",
            "backlog.svg",
            "regions.svg"
        ]
    );
    for c in &all {
        let svg = svg_text(c);
        assert!(svg.starts_with("<svg"), "{}", c.file_name);
        assert!(svg.trim_end().ends_with("</svg>"), "{}", c.file_name);
        assert!(svg.contains(&c.title), "{} lacks its title", c.file_name);
        assert_eq!(c.kind().map(|k| k.title()), Some(c.title.as_str()));
    }
}

#[test]
fn lag_over_time_has_axes_streams_and_fault_labels() {
    let svg = svg_text(&charts::lag_over_time(&sample_result(), ChartFormat::Svg).unwrap());
    assert_contains_all(
        &svg,
        "lag_over_time",
        &[
            "Replication lag over time",
            "time (s)",
            "p99 of all deliveries",
            "p50 of all deliveries",
            "partition us-east-1 ↔ eu-west-1",
            "clock step ap-southeast-1",
            "faults:",
        ],
    );
    for s in stream_names() {
        assert!(svg.contains(&s), "lag_over_time lacks stream {s}");
    }
    // One line per stream per panel at least.
    assert!(svg.matches("<polyline").count() >= 12);
}

#[test]
fn lag_cdf_has_log_axis_markers_and_streams() {
    let svg = svg_text(&charts::lag_cdf(&sample_result(), ChartFormat::Svg).unwrap());
    assert_contains_all(
        &svg,
        "lag_cdf",
        &[
            "Replication lag distribution",
            "replication lag (ms, log scale)",
            "deliveries with lag ≤ x, %",
            "circle = a stream&apos;s p50, triangle = its p99",
        ],
    );
    assert!(has_text(&svg, "1,000") && has_text(&svg, "10,000"));
    for s in stream_names() {
        assert!(svg.contains(&s), "lag_cdf lacks stream {s}");
    }
}

#[test]
fn lost_writes_chart_has_both_series_and_fault_shading() {
    let r = sample_result();
    let svg = svg_text(&charts::lost_writes(&r, ChartFormat::Svg).unwrap());
    assert_contains_all(
        &svg,
        "lost_writes",
        &[
            "Lost writes and conflicts over time",
            "issue time (s)",
            "count per 1 s bucket",
            "lost writes (",
            "conflicts (",
            "partition us-east-1 ↔ eu-west-1",
        ],
    );
    // Fault shading is a translucent rectangle.
    assert!(svg.contains("opacity=\"0.1\""));
}

#[test]
fn stale_read_chart_has_rate_and_average() {
    let svg = svg_text(&charts::stale_reads(&sample_result(), ChartFormat::Svg).unwrap());
    assert_contains_all(
        &svg,
        "stale_reads",
        &[
            "Stale-read rate over time",
            "time (s)",
            "stale reads, % of reads",
            "stale-read rate",
            "run average (",
        ],
    );
}

#[test]
fn backlog_chart_has_streams() {
    let svg = svg_text(&charts::backlog(&sample_result(), ChartFormat::Svg).unwrap());
    assert_contains_all(
        &svg,
        "backlog",
        &[
            "Replication backlog over time",
            "time (s)",
            "messages queued",
            "partition",
        ],
    );
    for s in stream_names() {
        assert!(svg.contains(&s), "backlog lacks stream {s}");
    }
}

#[test]
fn region_chart_has_three_metrics_for_every_region() {
    let svg = svg_text(&charts::regions(&sample_result(), ChartFormat::Svg).unwrap());
    assert_contains_all(
        &svg,
        "regions",
        &[
            "Writes, lost writes and stale reads per region",
            "region",
            "count",
            "writes",
            "lost writes",
            "stale reads",
        ],
    );
    for r in REGIONS {
        assert!(has_text(&svg, r), "regions lacks {r}");
    }
}

#[test]
fn png_charts_decode_with_the_expected_size() {
    let r = sample_result();
    let all = charts::render_all(&r, ChartFormat::Png).unwrap();
    assert_eq!(all.len(), 6);
    for (c, kind) in all.iter().zip(ChartKind::ALL) {
        assert!(c.file_name.ends_with(".png"));
        assert_eq!(c.format(), ChartFormat::Png);
        let decoder = png::Decoder::new(std::io::Cursor::new(&c.bytes));
        let reader = decoder.read_info().expect("valid PNG");
        let info = reader.info();
        assert_eq!((info.width, info.height), kind.size(&r), "{}", c.file_name);
        // Not a blank canvas: some pixels are dark (text and lines).
        let mut reader = reader;
        let mut buf = vec![0; reader.output_buffer_size()];
        let frame = reader.next_frame(&mut buf).unwrap();
        let pixels = &buf[..frame.buffer_size()];
        let dark = pixels
            .chunks(3)
            .filter(|p| p.iter().all(|v| *v < 80))
            .count();
        assert!(
            dark > 1000,
            "{} looks empty ({dark} dark pixels)",
            c.file_name
        );
    }
}

#[test]
fn charts_are_deterministic() {
    let r = sample_result();
    for format in [ChartFormat::Svg, ChartFormat::Png] {
        let a = charts::render_all(&r, format).unwrap();
        let b = charts::render_all(&r.clone(), format).unwrap();
        assert_eq!(a, b);
    }
}

#[test]
fn long_runs_are_downsampled_not_truncated() {
    // Ten hours in 1 s buckets: 36,000 buckets per stream.
    let r = sample_result_with(36_000, 1.0);
    let all = charts::render_all(&r, ChartFormat::Svg).unwrap();
    for c in &all {
        assert!(
            c.bytes.len() < 600_000,
            "{} is {} bytes: not thinned for drawing",
            c.file_name,
            c.bytes.len()
        );
    }
    let svg = svg_text(&all[0]);
    // The time axis reaches the end of the run.
    assert!(
        has_text(&svg, "36,000"),
        "time axis does not reach the end of the run"
    );
    // Merged buckets are named as such.
    assert!(svg_text(&all[2]).contains("buckets merged for drawing"));
}

/// Five regions give twenty streams: one panel per destination, each
/// naming its four sources.
fn many_streams_result() -> RunResult {
    let mut r = sample_result();
    let names = [
        "us-east-1",
        "eu-west-1",
        "ap-southeast-1",
        "sa-east-1",
        "eu-central-1",
    ];
    let (series, links, cdf) = (r.stream_series.clone(), r.links.clone(), r.lag_cdf.clone());
    r.stream_series.clear();
    r.links.clear();
    r.lag_cdf.clear();
    let mut k = 0;
    for a in names {
        for b in names {
            if a == b {
                continue;
            }
            let mut s = series[k % series.len()].clone();
            let mut l = links[k % links.len()].clone();
            s.from = a.to_string();
            s.to = b.to_string();
            l.from = a.to_string();
            l.to = b.to_string();
            r.stream_series.push(s);
            r.links.push(l);
            r.lag_cdf.push(cdf[k % cdf.len()].clone());
            k += 1;
        }
    }
    r
}

#[test]
fn many_streams_are_all_in_the_legend() {
    let r = many_streams_result();
    for chart in [
        charts::lag_over_time(&r, ChartFormat::Svg).unwrap(),
        charts::lag_cdf(&r, ChartFormat::Svg).unwrap(),
        charts::backlog(&r, ChartFormat::Svg).unwrap(),
    ] {
        let svg = svg_text(&chart);
        assert!(
            svg.contains("into sa-east-1") && has_text(&svg, "from eu-central-1"),
            "{}",
            chart.file_name
        );
    }
}

#[test]
fn an_empty_result_still_draws() {
    let r = RunResult::default();
    for format in [ChartFormat::Svg, ChartFormat::Png] {
        let all = charts::render_all(&r, format).unwrap();
        assert_eq!(all.len(), 6);
    }
    let svg = svg_text(&charts::lag_over_time(&r, ChartFormat::Svg).unwrap());
    assert!(svg.contains("no deliveries recorded"));
}

fn report(charts: &[Chart]) -> String {
    let scenario = sample_scenario();
    let result = sample_result();
    render_report(&ReportInput {
        scenario: &scenario,
        result: &result,
        resolved_yaml: RESOLVED_YAML,
        command: COMMAND,
        charts,
    })
}

fn assert_self_contained(html: &str) {
    for bad in [
        "http://",
        "https://",
        "<link",
        "src=\"http",
        "<script",
        "@import",
        "url(",
    ] {
        assert!(!html.contains(bad), "report contains {bad:?}");
    }
}

#[test]
fn report_holds_every_section() {
    let charts = charts::render_all(&sample_result(), ChartFormat::Svg).unwrap();
    let html = report(&charts);
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert_contains_all(
        &html,
        "report",
        &[
            "<h1>partition-us-eu</h1>",
            "which writes vanish?",
            "id=\"reproduce\"",
            COMMAND,
            "id=\"summary\"",
            "id=\"faults\"",
            "Fault timeline",
            "partition us-east-1 ↔ eu-west-1",
            "id=\"charts\"",
            "id=\"streams\"",
            "id=\"regions\"",
            "id=\"parameters\"",
            "throughput: 400/s",
            "Seed: <strong>42</strong>",
            // Summary metrics with their explanations.
            "<code>lost_writes</code>",
            "<code>conflicts</code>",
            "<code>stale_reads</code>",
            "<code>converged</code>",
            "<code>convergence_ms</code>",
            "a write with a larger timestamp won (last writer wins)",
            "arrival time minus issue time",
            // Tables.
            "ap-southeast-1",
            "max backlog",
        ],
    );
    for c in &charts {
        assert!(html.contains(&format!("id=\"chart-{}\"", c.kind().unwrap().file_stem())));
        assert!(html.contains(&format!("aria-label=\"{}\"", c.title)));
    }
    assert_eq!(html.matches("<svg").count(), 6);
    assert_self_contained(&html);
}

#[test]
fn report_embeds_png_charts_as_data_uris() {
    let charts = charts::render_all(&sample_result(), ChartFormat::Png).unwrap();
    let html = report(&charts);
    assert_eq!(html.matches("src=\"data:image/png;base64,").count(), 6);
    assert_eq!(html.matches("<svg").count(), 0);
    assert_self_contained(&html);
}

#[test]
fn report_without_charts_says_so() {
    let html = report(&[]);
    assert!(html.contains("--no-charts"));
    assert_self_contained(&html);
}

#[test]
fn report_is_deterministic() {
    let charts = charts::render_all(&sample_result(), ChartFormat::Svg).unwrap();
    assert_eq!(report(&charts), report(&charts));
    let again = charts::render_all(&sample_result(), ChartFormat::Svg).unwrap();
    assert_eq!(report(&charts), report(&again));
}

#[test]
fn report_escapes_user_text() {
    let mut scenario = sample_scenario();
    scenario.name = "<b>x</b>".to_string();
    scenario.description = "a & b <script>".to_string();
    let result = sample_result();
    let html = render_report(&ReportInput {
        scenario: &scenario,
        result: &result,
        resolved_yaml: "k: <v>",
        command: "replisim run 'a b.yaml'",
        charts: &[],
    });
    assert!(html.contains("&lt;b&gt;x&lt;/b&gt;"));
    assert!(html.contains("a &amp; b &lt;script&gt;"));
    assert!(!html.contains("<script"));
}

/// Writes the sample's report and charts to `$REPLISIM_SAMPLE_REPORT`, if set.
#[test]
fn write_sample_report() {
    let Ok(dir) = std::env::var("REPLISIM_SAMPLE_REPORT") else {
        return;
    };
    let dir = std::path::PathBuf::from(dir);
    let format = if std::env::var("REPLISIM_SAMPLE_PNG").is_ok() {
        ChartFormat::Png
    } else {
        ChartFormat::Svg
    };
    std::fs::create_dir_all(dir.join("charts")).unwrap();
    let result = if std::env::var("REPLISIM_SAMPLE_MANY").is_ok() {
        many_streams_result()
    } else {
        sample_result()
    };
    let charts = charts::render_all(&result, format).unwrap();
    for c in &charts {
        std::fs::write(dir.join("charts").join(&c.file_name), &c.bytes).unwrap();
    }
    std::fs::write(dir.join("report.html"), report(&charts)).unwrap();
}
