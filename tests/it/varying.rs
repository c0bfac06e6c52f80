//! Delays that vary over time (`varies_over`): the configured distribution
//! is what every message gets, successive messages' delays are close when
//! they are close in time, and under stream order with the default time
//! scale the lag a user sees is pipeline ⊛ link at any write rate.
//!
//! Truths come from the distributions' definitions (distribution functions
//! written out here, a numeric convolution), from the construction MODEL.md
//! states (knots τ apart are independent; the path's slope is at most
//! π/(2τ)·√(Z₁² + Z₂²)), and from identities (same seed, same bytes; the
//! clients draw from streams of their own).
//!
//! The heavy sweep (1,000 writes/s for 10,000 s, several seeds) runs only
//! with `REPLISIM_HEAVY=1`.

use crate::common::*;
use replisim::model::RunOutput;
use replisim::report::csv_out;
use replisim::scenario::{self, Arrival, Latency, Ordering, Scenario};
use replisim::sim::rng::generator;
use replisim::sim::time::Time;
use replisim::sim::varying::VaryingSampler;

/// Φ, from the complementary error function.
fn phi(z: f64) -> f64 {
    0.5 * libm::erfc(-z / std::f64::consts::SQRT_2)
}

/// The 99th percentile of the standard normal distribution.
const Z99: f64 = 2.326_347_874_040_841;

/// (μ, σ) of the lognormal with this median and p99.
fn lognormal_params(median_ms: f64, p99_ms: f64) -> (f64, f64) {
    (median_ms.ln(), (p99_ms / median_ms).ln() / Z99)
}

/// The seven forms, each with its distribution function P(X ≤ x) in
/// nanoseconds, for a value rounded to whole nanoseconds (≤ x when the
/// continuous value is below x + 0.5).
/// A form's name, its distribution and its quantile function.
type Form = (&'static str, Latency, Box<dyn Fn(f64) -> f64>);

fn forms() -> Vec<Form> {
    let (mu, sigma) = lognormal_params(400e6, 1200e6);
    vec![
        (
            "constant",
            Latency::Constant(80 * MS),
            Box::new(|x| if x >= 80e6 { 1.0 } else { 0.0 }),
        ),
        (
            "uniform",
            Latency::Uniform {
                min: 100 * MS,
                max: 300 * MS,
            },
            Box::new(|x: f64| ((x.floor() - 100e6 + 1.0) / (200e6 + 1.0)).clamp(0.0, 1.0)),
        ),
        (
            "normal",
            Latency::Normal {
                mean: 200 * MS,
                stddev: 150 * MS,
            },
            Box::new(|x| {
                if x < 0.0 {
                    0.0
                } else {
                    phi((x + 0.5 - 200e6) / 150e6)
                }
            }),
        ),
        (
            "lognormal",
            Latency::LogNormal {
                median: 400 * MS,
                p99: 1200 * MS,
            },
            Box::new(move |x| phi(((x + 0.5).ln() - mu) / sigma)),
        ),
        (
            "exponential",
            Latency::Exponential { mean: 300 * MS },
            Box::new(|x| 1.0 - (-(x + 0.5) / 300e6).exp()),
        ),
        (
            "pareto",
            Latency::Pareto {
                min: 100 * MS,
                alpha: 2.5,
            },
            Box::new(|x| (1.0 - (100e6 / (x + 0.5)).powf(2.5)).max(0.0)),
        ),
        (
            "percentiles",
            Latency::Percentiles(vec![
                (0.0, 50 * MS),
                (0.5, 200 * MS),
                (0.99, 900 * MS),
                (1.0, 2000 * MS),
            ]),
            Box::new(|x: f64| {
                let x = x + 0.5;
                let pts = [(0.0, 50e6), (0.5, 200e6), (0.99, 900e6), (1.0, 2000e6)];
                if x < pts[0].1 {
                    return 0.0;
                }
                for w in pts.windows(2) {
                    let ((q0, v0), (q1, v1)) = (w[0], w[1]);
                    if x <= v1 {
                        return q0 + (x - v0) / (v1 - v0) * (q1 - q0);
                    }
                }
                1.0
            }),
        ),
    ]
}

/// Kolmogorov–Smirnov distance between samples and a distribution
/// function on whole numbers (both sides of every jump compared).
fn ks(mut v: Vec<u64>, cdf: &dyn Fn(f64) -> f64) -> f64 {
    v.sort_unstable();
    let n = v.len() as f64;
    let mut d: f64 = 0.0;
    let mut i = 0;
    while i < v.len() {
        let x = v[i];
        let mut j = i;
        while j < v.len() && v[j] == x {
            j += 1;
        }
        d = d.max((j as f64 / n - cdf(x as f64)).abs());
        d = d.max((i as f64 / n - cdf(x as f64 - 1.0)).abs());
        i = j;
    }
    d
}

/// Per delivery in the trace, in issue order on stream r0 → r1: (time the
/// write began replicating, its lag).
fn lags(out: &RunOutput) -> Vec<(u64, u64)> {
    let t = out.trace.as_ref().unwrap();
    let applied: std::collections::BTreeMap<u64, u64> = t
        .writes
        .iter()
        .map(|w| (w.write_id, w.applied_ns))
        .collect();
    let mut v: Vec<(u64, u64)> = t
        .deliveries
        .iter()
        .filter(|d| d.to == "r1")
        .map(|d| {
            let at = applied[&d.write_id];
            (at, d.arrive_ns - at)
        })
        .collect();
    v.sort_unstable();
    v
}

/// Two regions, writes from r0 only, arriving every `gap_ns` exactly, on a
/// million keys under item order (so no write waits for another), for
/// `writes` writes; the pipeline and the link as given.
fn sparse(gap_ns: u64, writes: u64, pipeline: Latency, link: Latency) -> Scenario {
    let mut s = base(2, 0, 1_000_000, gap_ns * writes);
    s.replication.pipeline = pipeline;
    s.links[0][1] = link;
    s.replication.ordering = Ordering::Item;
    let mut c = clients(&[0], 1e9 / gap_ns as f64, 1.0);
    c.arrival = Arrival::Constant;
    s.workload = vec![c];
    s
}

/// End to end, each form on the link and then in the pipeline, with
/// τ = 1 s: writes 2 s apart share no knot, so their delays are
/// independent draws of the process, and their distribution must be the
/// configured one (KS at the 1% level: 1.63/√n).
#[test]
fn every_form_keeps_its_distribution_end_to_end() {
    let n = 3_000u64;
    let limit = 1.63 / (n as f64).sqrt();
    for (name, latency, cdf) in forms() {
        for on_link in [true, false] {
            let (pipeline, link) = if on_link {
                (Latency::Constant(0), latency.clone())
            } else {
                (latency.clone(), Latency::Constant(0))
            };
            let mut s = sparse(2 * S, n, pipeline, link);
            if on_link {
                s.link_varies_over_ns = vec![vec![None, Some(S)], vec![None, None]];
            } else {
                s.replication.pipeline_varies_over_ns = Some(S);
            }
            let v: Vec<u64> = lags(&run_traced(&s)).into_iter().map(|(_, l)| l).collect();
            assert!(v.len() as u64 >= n - 2, "{name}: {} deliveries", v.len());
            let d = ks(v, &*cdf);
            let place = if on_link { "link" } else { "pipeline" };
            assert!(d < limit, "{name} on the {place}: KS {d} ≥ {limit}");
        }
    }
}

/// One long path of each form sampled densely (every τ/10 for 200,000 τ):
/// the share of draws at or below each of the distribution's deciles, its
/// p99 and p99.9 is the configured one. The samples are correlated over
/// about τ, so there are some 200,000 independent intervals: the shares'
/// standard errors are under 0.0012, and 0.005 is allowed.
#[test]
fn a_dense_path_spends_the_configured_share_of_time_below_each_quantile() {
    for (name, latency, cdf) in forms() {
        let mut s = VaryingSampler::new(&latency, S);
        let mut rng = generator(11, "dense");
        let v: Vec<u64> = (0..2_000_000u64)
            .map(|k| s.sample_at(Time(k * S / 10), &mut rng))
            .collect();
        let n = v.len() as f64;
        // Points where the distribution function is p, found by bisection
        // on whole nanoseconds.
        for p in [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.99, 0.999] {
            let (mut lo, mut hi) = (0u64, 100 * S);
            while lo < hi {
                let mid = lo + (hi - lo) / 2;
                if cdf(mid as f64) >= p {
                    hi = mid;
                } else {
                    lo = mid + 1;
                }
            }
            let want = cdf(lo as f64);
            let got = v.iter().filter(|&&x| x <= lo).count() as f64 / n;
            assert!(
                (got - want).abs() < 0.005,
                "{name}: {got} of the draws ≤ {lo} ns, where the distribution has {want}"
            );
        }
    }
}

/// The standard normal value behind a lognormal pipeline delay.
fn z_of(lag_ns: u64, mu: f64, sigma: f64) -> f64 {
    ((lag_ns as f64).ln() - mu) / sigma
}

/// Writes 10 ms apart, pipeline lognormal (median 500 ms, p99 2 s) with
/// τ = 5 s, no link delay. The process behind the delays,
/// z = (ln d − μ)/σ, is smooth: between knots Z₁ and Z₂ its slope is at
/// most π/(2τ)·√(Z₁² + Z₂²) ≤ π/(2τ)·√2·max|z|, so successive writes'
/// z differ by at most that times 10 ms (a rough process such as
/// Ornstein–Uhlenbeck steps by about √(2δ/τ) ≈ 0.06 here, ten times more).
/// With independent draws (τ = 0) successive values differ by about 1.1
/// on average (E|X − Y| = 2/√π for independent standard normals).
#[test]
fn successive_delays_close_in_time_differ_little() {
    let (mu, sigma) = lognormal_params(500e6, 2000e6);
    let pipeline = Latency::LogNormal {
        median: 500 * MS,
        p99: 2000 * MS,
    };
    let gap = 10 * MS;
    let tau = 5 * S;
    let steps = |tau_ns: u64| {
        let mut s = sparse(gap, 30_000, pipeline.clone(), Latency::Constant(0));
        s.replication.pipeline_varies_over_ns = Some(tau_ns);
        let z: Vec<f64> = lags(&run_traced(&s))
            .into_iter()
            .map(|(_, l)| z_of(l, mu, sigma))
            .collect();
        assert!(z.len() > 29_000);
        let zmax = z.iter().fold(0.0f64, |m, v| m.max(v.abs()));
        let d: Vec<f64> = z.windows(2).map(|w| (w[1] - w[0]).abs()).collect();
        let max = d.iter().fold(0.0f64, |m, v| m.max(*v));
        let mean = d.iter().sum::<f64>() / d.len() as f64;
        (max, mean, zmax)
    };
    let (max, mean, zmax) = steps(tau);
    let bound = std::f64::consts::FRAC_PI_2 / tau as f64 * gap as f64 * 2f64.sqrt() * zmax;
    // Rounding a delay to whole nanoseconds moves z by under 1e-8.
    assert!(max <= bound + 1e-6, "largest step {max} > {bound}");
    assert!(mean < 0.01, "mean step {mean}");
    let (_, mean0, _) = steps(0);
    assert!(
        (mean0 - 2.0 / std::f64::consts::PI.sqrt()).abs() < 0.05,
        "independent draws: mean step {mean0}"
    );
}

/// Sample correlation of successive values.
fn lag1_correlation(z: &[f64]) -> f64 {
    let n = z.len() as f64;
    let m = z.iter().sum::<f64>() / n;
    let (mut sxy, mut sxx) = (0.0, 0.0);
    for w in z.windows(2) {
        sxy += (w[0] - m) * (w[1] - m);
    }
    for x in z {
        sxx += (x - m) * (x - m);
    }
    sxy / sxx
}

/// Correlation of successive pipeline delays (as z): writes 3 s apart with
/// τ = 1 s share no knot, so their correlation is 0 (within 4/√n); writes
/// 10 ms apart with τ = 5 s are nearly the same draw: within one knot
/// interval the correlation is cos(π·10 ms/(2·5 s)) = 0.99999, and across
/// a knot it is still above 0.99.
#[test]
fn delays_far_apart_in_time_are_independent_and_close_ones_are_not() {
    let (mu, sigma) = lognormal_params(500e6, 2000e6);
    let pipeline = Latency::LogNormal {
        median: 500 * MS,
        p99: 2000 * MS,
    };
    let z = |gap: u64, writes: u64, tau: u64| -> Vec<f64> {
        let mut s = sparse(gap, writes, pipeline.clone(), Latency::Constant(0));
        s.replication.pipeline_varies_over_ns = Some(tau);
        lags(&run_traced(&s))
            .into_iter()
            .map(|(_, l)| z_of(l, mu, sigma))
            .collect()
    };
    let far = z(3 * S, 5_000, S);
    let r = lag1_correlation(&far);
    assert!(r.abs() < 4.0 / (far.len() as f64).sqrt(), "gap 3τ: r = {r}");
    let near = z(10 * MS, 20_000, 5 * S);
    let r = lag1_correlation(&near);
    assert!(r > 0.999, "gap τ/500: r = {r}");
}

/// P(pipeline + link ≤ x) for independent lognormals (values in ms), by
/// integrating the pipeline's distribution function against the link's
/// density (trapezoid rule over the link's standard normal, ±8σ).
fn convolution_cdf(x: f64, pipeline: (f64, f64), link: (f64, f64)) -> f64 {
    let (steps, a, b) = (4_000, -8.0, 8.0);
    let h = (b - a) / steps as f64;
    let mut sum = 0.0;
    for i in 0..=steps {
        let z = a + i as f64 * h;
        let l = (link.0 + link.1 * z).exp();
        if l >= x {
            continue;
        }
        let w = if i == 0 || i == steps { 0.5 } else { 1.0 };
        let density = (-z * z / 2.0).exp() / (2.0 * std::f64::consts::PI).sqrt();
        sum += w * density * phi(((x - l).ln() - pipeline.0) / pipeline.1);
    }
    sum * h
}

/// The p-quantile of pipeline + link, in ms, by bisection.
fn convolution_quantile(p: f64, pipeline: (f64, f64), link: (f64, f64)) -> f64 {
    let (mut lo, mut hi) = (0.0, 100_000.0);
    for _ in 0..80 {
        let mid = (lo + hi) / 2.0;
        if convolution_cdf(mid, pipeline, link) < p {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    lo
}

/// Two regions both writing at `rate` per second each, stream order (so
/// the default τ = 5 s applies), pipeline lognormal (median 500 ms, p99
/// 2 s), links lognormal (median 60 ms, p99 150 ms), a million keys, no
/// throughput limit, for `seconds`.
fn stream_order(rate: f64, seconds: u64, seed: u64) -> Scenario {
    let mut s = base(2, 0, 1_000_000, seconds * S);
    s.seed = seed;
    s.replication.ordering = Ordering::Stream;
    s.replication.pipeline = Latency::LogNormal {
        median: 500 * MS,
        p99: 2000 * MS,
    };
    let link = Latency::LogNormal {
        median: 60 * MS,
        p99: 150 * MS,
    };
    s.links[0][1] = link.clone();
    s.links[1][0] = link;
    s.workload = vec![clients(&[0, 1], rate, 1.0)];
    s
}

/// (p50, p99) of pipeline ⊛ link for `stream_order`: 565.5 and 2065.7 ms.
fn truth() -> (f64, f64) {
    let pipeline = lognormal_params(500.0, 2000.0);
    let link = lognormal_params(60.0, 150.0);
    (
        convolution_quantile(0.5, pipeline, link),
        convolution_quantile(0.99, pipeline, link),
    )
}

fn assert_lag_is_the_truth(rate: f64, seconds: u64, seed: u64) {
    let (p50, p99) = truth();
    let m = run(&stream_order(rate, seconds, seed)).result.summary;
    eprintln!(
        "{rate}/s, {seconds} s, seed {seed}: lag p50 {:.1} ms (truth {p50:.1}), p99 {:.1} ms (truth {p99:.1})",
        m.lag_p50_ms, m.lag_p99_ms
    );
    for (what, got, want, tol) in [
        ("p50", m.lag_p50_ms, p50, 0.05),
        ("p99", m.lag_p99_ms, p99, 0.10),
    ] {
        assert!(
            (got / want - 1.0).abs() < tol,
            "{rate}/s, seed {seed}: lag {what} {got} ms where pipeline ⊛ link gives {want} ms"
        );
    }
}

/// The convolution itself, against a Monte Carlo of independent draws
/// from the two lognormals (400,000 pairs: p50 within 0.5%, p99 within
/// 1.5%): the truth is computed right.
#[test]
fn the_convolution_matches_a_monte_carlo() {
    use rand::Rng;
    let (p50, p99) = truth();
    let mut rng = generator(5, "convolution");
    let (mp, sp) = lognormal_params(500.0, 2000.0);
    let (ml, sl) = lognormal_params(60.0, 150.0);
    let mut normal = || {
        // Box–Muller.
        let (u, v): (f64, f64) = (rng.random(), rng.random());
        (-2.0 * (1.0 - u).ln()).sqrt() * (std::f64::consts::TAU * v).cos()
    };
    let mut sums: Vec<f64> = (0..400_000)
        .map(|_| (mp + sp * normal()).exp() + (ml + sl * normal()).exp())
        .collect();
    sums.sort_by(f64::total_cmp);
    let q = |p: f64| sums[(p * sums.len() as f64) as usize];
    assert!((q(0.5) / p50 - 1.0).abs() < 0.005, "{} vs {p50}", q(0.5));
    assert!((q(0.99) / p99 - 1.0).abs() < 0.015, "{} vs {p99}", q(0.99));
    assert!((p50 - 565.5).abs() < 0.5 && (p99 - 2065.7).abs() < 0.5);
}

/// Stream order, default τ, 100 writes/s per region for 10,000 s: the lag
/// is pipeline ⊛ link (p50 within 5%, p99 within 10%). The delays are
/// correlated over τ, so 10,000 s holds about 4,000 independent stretches
/// over the two streams: the standard errors are about 1.5% (p50) and 2%
/// (p99).
#[test]
fn stream_order_lag_is_pipeline_plus_link_at_100_per_s() {
    assert_lag_is_the_truth(100.0, 10_000, 1);
}

/// At 1,000 writes/s the delays follow the very same paths as at 100/s
/// (each process is a function of time drawn from its own stream), so
/// any difference in lag is the stream's order binding: a message
/// overtaking the one ahead only where the delay falls faster than time
/// passes. Over 1,000 s it moves p50 by under 1% and p99 by under 3%
/// (with independent draws p50 would be several times larger: see
/// `fidelity`).
#[test]
fn stream_order_lag_at_1000_per_s_is_the_lag_at_100_per_s() {
    let slow = run(&stream_order(100.0, 1_000, 2)).result.summary;
    let fast = run(&stream_order(1000.0, 1_000, 2)).result.summary;
    assert!(
        (fast.lag_p50_ms / slow.lag_p50_ms - 1.0).abs() < 0.01,
        "p50 {} at 1,000/s, {} at 100/s",
        fast.lag_p50_ms,
        slow.lag_p50_ms
    );
    assert!(
        (fast.lag_p99_ms / slow.lag_p99_ms - 1.0).abs() < 0.03,
        "p99 {} at 1,000/s, {} at 100/s",
        fast.lag_p99_ms,
        slow.lag_p99_ms
    );
}

/// The full sweep: 100 and 1,000 writes/s for 10,000 s, three seeds each,
/// against pipeline ⊛ link. About a minute; `REPLISIM_HEAVY=1` runs it.
#[test]
fn heavy_stream_order_lag_is_pipeline_plus_link_at_every_rate() {
    if std::env::var_os("REPLISIM_HEAVY").is_none() {
        return;
    }
    for rate in [100.0, 1000.0] {
        for seed in 3..6 {
            assert_lag_is_the_truth(rate, 10_000, seed);
        }
    }
}

/// A scenario with every kind of traffic, for the identities below.
fn busy(tau: Option<u64>) -> Scenario {
    let mut s = stream_order(50.0, 60, 9);
    s.tables[0].keys = 200;
    s.workload[0].write_fraction = 0.6;
    s.replication.pipeline_varies_over_ns = tau;
    s.link_varies_over_ns = vec![vec![None, tau], vec![tau, None]];
    s
}

fn csv_bytes(s: &Scenario) -> Vec<Vec<u8>> {
    let out = run_traced(s);
    csv_out::all_files(&out.result, out.trace.as_ref())
        .unwrap()
        .into_iter()
        .map(|f| f.bytes)
        .collect()
}

/// The same scenario and seed give the same bytes with delays that vary.
#[test]
fn varying_delays_are_deterministic() {
    let s = busy(Some(2 * S));
    assert_eq!(csv_bytes(&s), csv_bytes(&s));
}

/// Changing varies_over changes the delays only: every variant sends the
/// same client operations (who, when, which key) and reads.
#[test]
fn varies_over_leaves_client_operations_unchanged() {
    let ops = |s: &Scenario| {
        let out = run_traced(s);
        let writes: Vec<(u64, u64, String, u64)> = out
            .trace
            .unwrap()
            .writes
            .into_iter()
            .map(|w| (w.write_id, w.key, w.region, w.issue_ns))
            .collect();
        (writes, out.result.summary.reads)
    };
    let reference = ops(&busy(None));
    assert!(reference.0.len() > 3_000);
    let mut lags = Vec::new();
    for tau in [Some(0), Some(20 * MS), Some(5 * S), Some(600 * S)] {
        let s = busy(tau);
        assert_eq!(ops(&s), reference, "varies_over {tau:?}");
        lags.push(run(&s).result.summary.lag_p50_ms);
    }
    // And the delays did change.
    assert!(lags.windows(2).any(|w| w[0] != w[1]), "{lags:?}");
}

/// Under item order, leaving varies_over out and writing `varies_over: 0s`
/// give the same bytes: the default there is independent draws. Under
/// stream order the default is 5 s, the same as writing it.
#[test]
fn defaults_follow_the_ordering() {
    let mut item = busy(None);
    item.replication.ordering = Ordering::Item;
    let mut item0 = busy(Some(0));
    item0.replication.ordering = Ordering::Item;
    assert_eq!(csv_bytes(&item), csv_bytes(&item0));
    assert_eq!(csv_bytes(&busy(None)), csv_bytes(&busy(Some(5 * S))));
    assert_ne!(csv_bytes(&busy(None)), csv_bytes(&busy(Some(0))));
}

const YAML: &str = "\
name: v
duration: 10s
regions: [{ name: a }, { name: b }, { name: c }]
network:
  default: { lognormal: { median: 40ms, p99: 90ms }, varies_over: 2s }
  links:
    - { from: a, to: b, latency: { varies_over: 750ms, uniform: { min: 10ms, max: 20ms } } }
    - { from: b, to: a, latency: 30ms }
replication:
  pipeline: PIPELINE
tables: [{ name: t, kind: item, keys: 10 }]
workload: [{ table: t, rate: 10/s, writes: 1 }]
";

fn load(pipeline: &str) -> replisim::Result<Scenario> {
    scenario::load_str(&YAML.replace("PIPELINE", pipeline), "v.yaml", &[])
}

/// Every form takes varies_over beside it (in either order of keys), a
/// plain duration stays a constant, the typed fields are nanoseconds, and
/// the canonical YAML carries them and loads back equal.
#[test]
fn every_form_accepts_varies_over_and_renders_it() {
    let forms = [
        "{ constant: 80ms, varies_over: 5s }",
        "{ uniform: { min: 1ms, max: 2ms }, varies_over: 5s }",
        "{ normal: { mean: 100ms, stddev: 10ms }, varies_over: 5s }",
        "{ varies_over: 5s, lognormal: { median: 400ms, p99: 1200ms } }",
        "{ exponential: { mean: 100ms }, varies_over: 5s }",
        "{ pareto: { min: 100ms, alpha: 2 }, varies_over: 5s }",
        "{ percentiles: { p50: 100ms, p99: 300ms, max: 1s }, varies_over: 5s }",
    ];
    for f in forms {
        let s = load(f).unwrap_or_else(|e| panic!("{f}: {e}"));
        assert_eq!(s.replication.pipeline_varies_over_ns, Some(5 * S), "{f}");
        let text = scenario::to_yaml(&s);
        assert!(text.contains("varies_over: 5s }"), "{text}");
        assert_eq!(scenario::load_str(&text, "back.yaml", &[]).unwrap(), s);
    }
    let s = load("250ms").unwrap();
    assert_eq!(s.replication.pipeline, Latency::Constant(250 * MS));
    assert_eq!(s.replication.pipeline_varies_over_ns, None);
    // Links: given, from the default, and a plain duration.
    assert_eq!(s.link_varies_over(0, 1), Some(750 * MS));
    assert_eq!(s.link_varies_over(1, 0), None);
    assert_eq!(s.link_varies_over(0, 2), Some(2 * S));
    assert_eq!(s.link_varies_over(2, 1), Some(2 * S));
    let text = scenario::to_yaml(&s);
    assert!(
        text.contains("latency: { uniform: { min: 10ms, max: 20ms }, varies_over: 750ms }"),
        "{text}"
    );
    assert_eq!(scenario::load_str(&text, "back.yaml", &[]).unwrap(), s);
    // A scenario that never says varies_over has no link matrix for it.
    let plain = YAML
        .replace(", varies_over: 2s", "")
        .replace("varies_over: 750ms, ", "")
        .replace("PIPELINE", "1s");
    let p = scenario::load_str(&plain, "p.yaml", &[]).unwrap();
    assert!(p.link_varies_over_ns.is_empty());
    assert!(!scenario::to_yaml(&p).contains("varies_over"));
}

/// Bad values: one line with file, line and column, the field, and what
/// is allowed.
#[test]
fn bad_varies_over_is_a_located_error() {
    let cases = [
        (
            "{ lognormal: { median: 1s, p99: 2s }, varies_over: -5s }",
            "v.yaml:10:64: replication.pipeline.varies_over: '-5s' is negative; a duration is 0 or more",
        ),
        (
            "{ lognormal: { median: 1s, p99: 2s }, varies_over: often }",
            "v.yaml:10:64: replication.pipeline.varies_over:",
        ),
        (
            "{ varies_over: 5s }",
            "v.yaml:10:13: replication.pipeline: varies_over alone; expected one key naming the latency kind: constant, uniform, normal, lognormal, exponential, pareto, percentiles",
        ),
        (
            "{ lognormal: { median: 1s, p99: 2s }, varies_ovr: 5s }",
            "v.yaml:10:51: replication.pipeline.varies_ovr: unknown key 'varies_ovr'; did you mean 'varies_over'? beside the latency kind only varies_over may be given",
        ),
        (
            "{ constant: 1s, normal: { mean: 1s, stddev: 0s }, varies_over: 1s }",
            "v.yaml:10:13: replication.pipeline: more than one kind; a latency is a mapping with one key naming its kind, and optionally varies_over beside it",
        ),
    ];
    for (pipeline, want) in cases {
        let e = load(pipeline).expect_err(pipeline).message().to_string();
        assert!(
            e.starts_with(want),
            "{pipeline}:\n  got  {e}\n  want {want}"
        );
        assert_eq!(e.lines().count(), 1);
    }
}

/// Through the command line: a bad varies_over exits 2 with one line.
#[test]
fn bad_varies_over_exits_2() {
    let dir = scratch_dir("varying", "exit");
    std::fs::write(
        dir.join("v.yaml"),
        YAML.replace(
            "PIPELINE",
            "{ exponential: { mean: 1s }, varies_over: soon }",
        ),
    )
    .unwrap();
    let o = replisim(&dir, &["validate", "v.yaml"]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.starts_with("error: v.yaml:10:55: replication.pipeline.varies_over: "),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1);
    std::fs::write(
        dir.join("ok.yaml"),
        YAML.replace("PIPELINE", "{ exponential: { mean: 1s }, varies_over: 3s }"),
    )
    .unwrap();
    let o = replisim(
        &dir,
        &["run", "--quiet", "--no-charts", "--out", "out", "ok.yaml"],
    );
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let echoed = std::fs::read_to_string(dir.join("out").join("scenario.yaml")).unwrap();
    assert!(echoed.contains("varies_over: 3s"), "{echoed}");
    std::fs::remove_dir_all(&dir).unwrap();
}
