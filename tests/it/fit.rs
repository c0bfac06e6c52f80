//! `replisim fit`: files in each format AWS gives a user, written here from
//! known distributions, fitted back.
//!
//! The truths: a lognormal level (median m·e^{s·Z}) with lognormal spread
//! σ_w within each period mixes to a lognormal of σ = √(s² + σ_w²), whose
//! percentiles are m·e^{σ·z_q}; the pooled raw samples give the empirical
//! percentiles the per-period statistics were cut from; the knot process
//! of `sim::varying` with time scale τ gives a series whose time scale the
//! fit must find again.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StandardNormal};

use crate::common::{replisim, scratch_dir};

const Z90: f64 = 1.281_551_565_544_600_4;
const Z99: f64 = 2.326_347_874_040_841;

/// One period: start (seconds after 2025-10-01T00:00:00Z) and its
/// statistics, milliseconds.
struct Period {
    at: i64,
    n: usize,
    p50: f64,
    p90: f64,
    p99: f64,
    avg: f64,
    max: f64,
    min: f64,
}

fn stamp(at: i64) -> String {
    let (h, m, s) = (at / 3600, (at / 60) % 60, at % 60);
    let (d, h) = (1 + h / 24, h % 24);
    format!("2025-10-{d:02}T{h:02}:{m:02}:{s:02}Z")
}

/// Periods of `n` raw lognormal samples each, level median `m·e^{s·Z_i}`
/// with Z_i independent, spread σ_w; also every raw sample.
fn raw_periods(count: usize, n: usize, m: f64, s: f64, sigma_w: f64) -> (Vec<Period>, Vec<f64>) {
    let mut rng = ChaCha8Rng::seed_from_u64(41);
    let mut all = Vec::with_capacity(count * n);
    let mut periods = Vec::with_capacity(count);
    for i in 0..count {
        let z: f64 = StandardNormal.sample(&mut rng);
        let median = m * (s * z).exp();
        let mut xs: Vec<f64> = (0..n)
            .map(|_| {
                let w: f64 = StandardNormal.sample(&mut rng);
                median * (sigma_w * w).exp()
            })
            .collect();
        all.extend_from_slice(&xs);
        xs.sort_by(f64::total_cmp);
        let rank = |q: f64| xs[((q * n as f64).ceil() as usize).clamp(1, n) - 1];
        periods.push(Period {
            at: 60 * i as i64,
            n,
            p50: rank(0.5),
            p90: rank(0.9),
            p99: rank(0.99),
            avg: xs.iter().sum::<f64>() / n as f64,
            max: xs[n - 1],
            min: xs[0],
        });
    }
    (periods, all)
}

fn statistics_json(periods: &[Period]) -> String {
    let points: Vec<String> = periods
        .iter()
        .map(|p| {
            format!(
                r#"    {{"Timestamp": "{}", "SampleCount": {}.0, "Average": {:.3}, "Maximum": {:.3}, "Minimum": {:.3}, "Unit": "Milliseconds", "ExtendedStatistics": {{"p50": {:.3}, "p90": {:.3}, "p99": {:.3}}}}}"#,
                stamp(p.at), p.n, p.avg, p.max, p.min, p.p50, p.p90, p.p99
            )
        })
        .collect();
    format!(
        "{{\n  \"Label\": \"ReplicationLatency\",\n  \"Datapoints\": [\n{}\n  ]\n}}\n",
        points.join(",\n")
    )
}

fn data_json(periods: &[Period]) -> String {
    let series = |id: &str, f: &dyn Fn(&Period) -> f64| {
        let stamps: Vec<String> = periods
            .iter()
            .rev()
            .map(|p| format!("\"{}\"", stamp(p.at)))
            .collect();
        let values: Vec<String> = periods
            .iter()
            .rev()
            .map(|p| format!("{:.3}", f(p)))
            .collect();
        format!(
            "    {{\"Id\": \"{id}\", \"Label\": \"ReplicationLatency\", \"Timestamps\": [{}], \"Values\": [{}], \"StatusCode\": \"Complete\"}}",
            stamps.join(", "),
            values.join(", ")
        )
    };
    let results = [
        series("p50", &|p| p.p50),
        series("p90", &|p| p.p90),
        series("p99", &|p| p.p99),
        series("max", &|p| p.max),
        series("min", &|p| p.min),
        series("samplecount", &|p| p.n as f64),
    ];
    format!(
        "{{\n  \"MetricDataResults\": [\n{}\n  ],\n  \"Messages\": []\n}}\n",
        results.join(",\n")
    )
}

fn csv(periods: &[Period]) -> String {
    let mut s = String::from(
        "ReplicationLatency us-east-1 to eu-west-1\n\
         Time,ReplicationLatency p50,ReplicationLatency p90,ReplicationLatency p99,Maximum,Minimum,SampleCount\n",
    );
    for p in periods {
        let t = stamp(p.at).replace('T', " ").replace('Z', "");
        s.push_str(&format!(
            "{t},{:.3},{:.3},{:.3},{:.3},{:.3},{}\n",
            p.p50, p.p90, p.p99, p.max, p.min, p.n
        ));
    }
    s
}

/// Runs `replisim fit` on `text` and returns stdout (asserting exit 0).
fn fit(test: &str, file: &str, text: &str, extra: &[&str]) -> String {
    let dir = scratch_dir("fit", test);
    std::fs::write(dir.join(file), text).unwrap();
    let mut args = vec!["fit", file];
    args.extend_from_slice(extra);
    let out = replisim(&dir, &args);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    String::from_utf8(out.stdout).unwrap()
}

fn refused(test: &str, file: &str, text: &str) -> String {
    let dir = scratch_dir("fit", test);
    std::fs::write(dir.join(file), text).unwrap();
    let out = replisim(&dir, &["fit", file]);
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.starts_with(&format!("error: {file}")), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    err
}

/// The `pipeline:` line's fields, in milliseconds (and the time scale
/// text, if any).
fn parsed(stdout: &str) -> (Vec<(String, f64)>, Option<String>) {
    let line = stdout
        .lines()
        .find(|l| l.starts_with("pipeline: "))
        .unwrap_or_else(|| panic!("no pipeline line in {stdout}"));
    let inner = line.split("percentiles: {").nth(1).unwrap();
    let (points, rest) = inner.split_once('}').unwrap();
    let fields = points
        .split(',')
        .map(|f| {
            let (k, v) = f.split_once(':').unwrap();
            let ns = replisim::scenario::units::parse_duration(v.trim()).unwrap();
            (k.trim().to_string(), ns as f64 / 1e6)
        })
        .collect();
    let tau = rest
        .split("varies_over:")
        .nth(1)
        .map(|v| v.trim().trim_end_matches('}').trim().to_string());
    (fields, tau)
}

fn field(fields: &[(String, f64)], name: &str) -> f64 {
    fields.iter().find(|(k, _)| k == name).unwrap().1
}

fn empirical(all: &mut [f64], q: f64) -> f64 {
    all.sort_by(f64::total_cmp);
    all[((q * all.len() as f64).ceil() as usize).clamp(1, all.len()) - 1]
}

#[test]
fn percentiles_come_back_from_every_format() {
    // 1,440 one-minute periods (a day, the most one call returns) of 400
    // writes each; median 500 ms moving with s = 0.3 around a spread of
    // σ_w = 0.5. The mixture is lognormal with σ = √(0.09 + 0.25).
    let (m, s, sigma_w) = (500.0, 0.3, 0.5);
    let (periods, mut all) = raw_periods(1440, 400, m, s, sigma_w);
    let sigma = (s * s + sigma_w * sigma_w).sqrt();
    let truth = [
        ("p50", m),
        ("p90", m * (Z90 * sigma).exp()),
        ("p99", m * (Z99 * sigma).exp()),
    ];
    let outputs = [
        fit(
            "every-format",
            "stats.json",
            &statistics_json(&periods),
            &[],
        ),
        fit("every-format", "data.json", &data_json(&periods), &[]),
        fit("every-format", "console.csv", &csv(&periods), &[]),
    ];
    let lines: Vec<_> = outputs.iter().map(|o| parsed(o)).collect();
    // The three shapes carry the same figures: the same line.
    assert_eq!(lines[0], lines[1]);
    assert_eq!(lines[0], lines[2]);
    let (fields, _) = &lines[0];
    for (name, want) in truth {
        let got = field(fields, name);
        // Three significant digits of rounding plus sampling over 1,440
        // levels: within 3% of the closed form.
        assert!((got / want - 1.0).abs() < 0.03, "{name}: {got} vs {want}");
        // And within 2% of the pooled raw samples, the resolution of what
        // the periods were cut from.
        let q = match name {
            "p50" => 0.5,
            "p90" => 0.9,
            _ => 0.99,
        };
        let raw = empirical(&mut all, q);
        assert!((got / raw - 1.0).abs() < 0.02, "{name}: {got} vs raw {raw}");
    }
    // p0 and max stay inside what was observed.
    let lowest = all.iter().copied().fold(f64::INFINITY, f64::min);
    let highest = all.iter().copied().fold(0.0, f64::max);
    assert!(field(fields, "p0") >= lowest * 0.99);
    assert!(field(fields, "max") <= highest * 1.01);
    assert!(field(fields, "max") >= field(fields, "p99"));
}

#[test]
fn the_line_is_a_pipeline_a_scenario_takes() {
    let (periods, _) = raw_periods(200, 100, 300.0, 0.2, 0.4);
    let out = fit(
        "pastes",
        "stats.json",
        &statistics_json(&periods),
        &["--minus", "35ms"],
    );
    let line = out.lines().find(|l| l.starts_with("pipeline: ")).unwrap();
    let scenario = format!(
        "name: fitted\nduration: 5s\nregions:\n  - name: a\n  - name: b\n\
         network:\n  default: 35ms\nreplication:\n  {line}\n\
         tables:\n  - {{ name: t, kind: item, keys: 10 }}\n\
         workload:\n  - {{ regions: all, table: t, rate: 10/s, writes: 0.5 }}\n"
    );
    let loaded = replisim::scenario::load_str(&scenario, "fitted.yaml", &[]);
    let s = loaded.unwrap_or_else(|e| panic!("{e}\n{scenario}"));
    match &s.replication.pipeline {
        replisim::scenario::types::Latency::Percentiles(points) => {
            assert_eq!(points.len(), 5, "{points:?}")
        }
        other => panic!("not a percentiles pipeline: {other:?}"),
    }
}

#[test]
fn minus_takes_the_link_off_every_figure() {
    // Identity: fitting values less 35 ms is fitting the file with 35 ms
    // already taken off (per-period points shift; the mixture follows).
    let (periods, _) = raw_periods(300, 100, 400.0, 0.2, 0.4);
    let shifted: Vec<Period> = periods
        .iter()
        .map(|p| Period {
            p50: p.p50 - 35.0,
            p90: p.p90 - 35.0,
            p99: p.p99 - 35.0,
            avg: p.avg - 35.0,
            max: p.max - 35.0,
            min: p.min - 35.0,
            ..*p
        })
        .collect();
    let a = fit(
        "minus",
        "a.json",
        &statistics_json(&periods),
        &["--minus", "35ms"],
    );
    let b = fit("minus", "b.json", &statistics_json(&shifted), &[]);
    assert_eq!(parsed(&a), parsed(&b));
    assert!(a.contains("less 35ms for the link"), "{a}");
}

/// Per-period p50 / p99 of a level following the knot process with time
/// scale `tau_s` (0: independent periods), one-minute periods.
fn knot_series(count: usize, tau_s: f64, seed: u64) -> Vec<Period> {
    use std::f64::consts::FRAC_PI_2;
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let knots: Vec<f64> = (0..=(count as f64 * 60.0 / tau_s.max(1.0)) as usize + 2)
        .map(|_| StandardNormal.sample(&mut rng))
        .collect();
    let offset: f64 = rng.random();
    (0..count)
        .map(|i| {
            let t = 60.0 * i as f64;
            let z = if tau_s == 0.0 {
                StandardNormal.sample(&mut rng)
            } else {
                let x = t / tau_s + offset;
                let k = x.floor() as usize;
                let w = x - k as f64;
                (FRAC_PI_2 * w).cos() * knots[k] + (FRAC_PI_2 * w).sin() * knots[k + 1]
            };
            let p50 = 500.0 * (0.4 * z).exp();
            Period {
                at: 60 * i as i64,
                n: 1000,
                p50,
                p90: p50 * (Z90 * 0.3f64).exp(),
                p99: p50 * (Z99 * 0.3f64).exp(),
                avg: p50 * 1.05,
                max: p50 * 3.0,
                min: p50 * 0.4,
            }
        })
        .collect()
}

fn seconds(text: &str) -> f64 {
    replisim::scenario::units::parse_duration(text).unwrap() as f64 / 1e9
}

#[test]
fn varies_over_is_found_from_how_fast_the_series_moves() {
    for (tau, seed) in [(600.0, 1), (1800.0, 2), (300.0, 3)] {
        // Five days of minutes: enough knots for the correlation to settle.
        let out = fit(
            "varies",
            "series.json",
            &statistics_json(&knot_series(7200, tau, seed)),
            &[],
        );
        let (_, got) = parsed(&out);
        let got = seconds(&got.unwrap_or_else(|| panic!("no varies_over for τ = {tau}: {out}")));
        assert!(
            got > tau / 1.4 && got < tau * 1.4,
            "τ = {tau} s: fitted {got} s\n{out}"
        );
    }
    // Independent periods: no time scale to find.
    let out = fit(
        "varies",
        "white.json",
        &statistics_json(&knot_series(1440, 0.0, 4)),
        &[],
    );
    assert_eq!(parsed(&out).1, None, "{out}");
    assert!(out.contains("faster than the data's period"), "{out}");
}

#[test]
fn averages_alone_give_the_quantiles_of_the_averages() {
    // No percentiles: the fit can speak only of how the averages moved.
    let mut rng = ChaCha8Rng::seed_from_u64(5);
    let avgs: Vec<f64> = (0..1001)
        .map(|_| 200.0 + 600.0 * rng.random::<f64>())
        .collect();
    let mut s = String::from("Time,ReplicationLatency (Average)\n");
    for (i, a) in avgs.iter().enumerate() {
        s.push_str(&format!(
            "{},{a:.3}\n",
            stamp(60 * i as i64).replace('T', " ").replace('Z', "")
        ));
    }
    let out = fit("averages", "avg.csv", &s, &[]);
    assert!(
        out.contains("quantiles of the per-period averages"),
        "{out}"
    );
    let (fields, _) = parsed(&out);
    let mut sorted = avgs.clone();
    sorted.sort_by(f64::total_cmp);
    // 1,001 values: the median is the 501st, exactly.
    let median = sorted[500];
    assert!((field(&fields, "p50") / median - 1.0).abs() < 0.005);
    assert!((field(&fields, "max") / sorted[1000] - 1.0).abs() < 0.005);
    assert!((field(&fields, "p0") / sorted[0] - 1.0).abs() < 0.005);
}

#[test]
fn malformed_files_get_one_clear_line_and_exit_2() {
    let err = refused(
        "bad",
        "broken.json",
        "{\n  \"Datapoints\": [\n    {\"Timestamp\": 3,]\n}",
    );
    assert!(err.contains("broken.json:3:"), "{err}");
    let err = refused(
        "bad",
        "nostat.csv",
        "Time,ReplicationLatency\n2025-10-01 00:00:00,5\n",
    );
    assert!(err.contains("nostat.csv:2: data before a header"), "{err}");
    let err = refused(
        "bad",
        "number.csv",
        "Time,p50,p99\n2025-10-01 00:00:00,5,9\n2025-10-01 00:01:00,five,9\n",
    );
    assert!(
        err.contains("number.csv:3: column 2: 'five' is not a number"),
        "{err}"
    );
    let err = refused(
        "bad",
        "order.json",
        r#"{"Datapoints": [{"Timestamp": "2025-10-01T00:00:00Z", "ExtendedStatistics": {"p50": 9, "p99": 5}}]}"#,
    );
    assert!(err.contains("p99 is below p50"), "{err}");
    let err = refused(
        "bad",
        "unit.json",
        r#"{"Datapoints": [{"Timestamp": "2025-10-01T00:00:00Z", "Average": 5, "Unit": "Bytes"}]}"#,
    );
    assert!(err.contains("Unit: 'Bytes' is not a time"), "{err}");
    let err = refused(
        "bad",
        "maxonly.json",
        r#"{"Datapoints": [{"Timestamp": "2025-10-01T00:00:00Z", "Maximum": 5}]}"#,
    );
    assert!(err.contains("needs percentiles"), "{err}");
    let err = refused("bad", "other.json", r#"{"Items": []}"#);
    assert!(
        err.contains("without `Datapoints` or `MetricDataResults`"),
        "{err}"
    );
    let err = refused("bad", "empty.csv", "");
    assert!(err.contains("empty file"), "{err}");
    let err = refused(
        "bad",
        "twice.json",
        r#"{"MetricDataResults": [{"Id": "p99", "Timestamps": [], "Values": []}, {"Id": "p99b", "Label": "x p99", "Timestamps": [], "Values": []}]}"#,
    );
    assert!(err.contains("a second p99 series"), "{err}");
}
