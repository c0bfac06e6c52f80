//! t-visibility (`visibility.csv`) against truths that do not depend on
//! the code: a step at a constant delay, the exponential distribution, a
//! two-region closed form with contention, a Monte Carlo model written
//! here, the share of writes a link down for good never delivers, and the
//! file and chart end to end from the command line.

use crate::common::*;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use replisim::metrics::result::{RunResult, VisibilityCurve};
use replisim::scenario::Latency;

fn curve<'a>(r: &'a RunResult, from: &str, to: &str) -> &'a VisibilityCurve {
    r.visibility
        .iter()
        .find(|c| c.from == from && c.to == to)
        .unwrap_or_else(|| panic!("no curve {from} → {to}"))
}

/// The curve's value at `d_ms`, which must be a grid point.
fn at(c: &VisibilityCurve, d_ms: f64) -> f64 {
    let p = c
        .points
        .iter()
        .find(|p| (p.after_ms - d_ms).abs() < 1e-9)
        .unwrap_or_else(|| panic!("{d_ms} ms is not a point of {} → {}", c.from, c.to));
    p.p_visible
}

/// Every curve starts at 0, increases along the grid and never passes 1.
fn check_shape(r: &RunResult) {
    for c in &r.visibility {
        assert_eq!(c.points[0].after_ms, 0.0);
        for w in c.points.windows(2) {
            assert!(w[1].after_ms > w[0].after_ms, "{c:?}");
            assert!(w[1].p_visible >= w[0].p_visible, "{c:?}");
        }
        assert!(c.points.iter().all(|p| (0.0..=1.0).contains(&p.p_visible)));
    }
}

/// Within `k` standard errors of a fraction `p` over `n` trials.
fn close(got: f64, p: f64, n: u64, k: f64) -> bool {
    let se = (p * (1.0 - p) / n as f64).sqrt().max(1.0 / n as f64);
    (got - p).abs() <= k * se
}

/// One writing region, constant pipeline and link: every write becomes
/// visible at the other region exactly pipeline + link after its issue
/// (there is no other writer to beat it), so the curve is a step there.
#[test]
fn constant_delay_is_a_step() {
    let mut s = base(2, 50 * MS, 10_000, 60 * S);
    s.replication.pipeline = Latency::Constant(450 * MS);
    s.workload = vec![clients(&[0], 100.0, 1.0)];
    let r = run(&s).result;
    check_shape(&r);
    let c = curve(&r, "r0", "r1");
    assert_eq!(c.writes, r.summary.writes);
    assert_eq!(at(c, 0.0), 0.0);
    assert_eq!(at(c, 490.0), 0.0);
    assert_eq!(at(c, 500.0), 1.0);
    assert_eq!(c.points.last().unwrap().after_ms, 500.0);
    // A region reads its own writes at once.
    assert_eq!(at(curve(&r, "r0", "r0"), 0.0), 1.0);
    // A region that wrote nothing has no curve.
    assert!(r.visibility.iter().all(|c| c.from == "r0"));
}

/// One writing region, no pipeline, an exponential link of mean m, many
/// keys (per-item order almost never binds): P(d) = 1 − e^(−d/m).
#[test]
fn exponential_delay_follows_its_distribution() {
    let mean_ms: f64 = 100.0;
    let mut s = base(2, 0, 100_000, 100 * S);
    s.links[0][1] = Latency::Exponential {
        mean: (mean_ms * 1e6) as u64,
    };
    s.workload = vec![clients(&[0], 200.0, 1.0)];
    let r = run(&s).result;
    check_shape(&r);
    let c = curve(&r, "r0", "r1");
    for d in [10.0, 20.0, 50.0, 100.0, 150.0, 200.0, 300.0, 500.0] {
        let truth = 1.0 - (-d / mean_ms).exp();
        let got = at(c, d);
        assert!(
            close(got, truth, c.writes, 4.5),
            "d = {d} ms: {got:.4} against {truth:.4}"
        );
    }
}

/// Two regions, one key, Poisson writes at rate λ in each, perfect clocks,
/// a constant delay D. A write of r0 issued at t is visible at r1 once r1
/// itself writes (its write is stamped later, so beats it) or once it
/// arrives at t + D; nothing else r1 receives before then beats it. So
/// P(d) = 1 − e^(−λd) for d < D and 1 from D on.
#[test]
fn contention_closed_form() {
    let (lambda, d_ms) = (2.0, 500.0);
    let mut s = base(2, 500 * MS, 1, 2_000 * S);
    s.workload = vec![clients(&[0], lambda, 1.0), clients(&[1], lambda, 1.0)];
    let r = run(&s).result;
    check_shape(&r);
    for (from, to) in [("r0", "r1"), ("r1", "r0")] {
        let c = curve(&r, from, to);
        for d in [10.0, 50.0, 100.0, 250.0, 400.0, 490.0] {
            let truth = 1.0 - (-lambda * d / 1000.0).exp();
            let got = at(c, d);
            assert!(
                close(got, truth, c.writes, 4.5),
                "{from} → {to}, d = {d} ms: {got:.4} against {truth:.4}"
            );
        }
        assert_eq!(at(c, d_ms), 1.0, "{from} → {to}");
    }
}

/// Exponential inverse-CDF draw.
fn exp_draw(rng: &mut ChaCha8Rng, mean: f64) -> f64 {
    -mean * (1.0 - rng.random::<f64>()).ln()
}

/// Two regions, one key, Poisson writes at rates a (r0) and b (r1), an
/// exponential link r0 → r1 of mean m, per-item order, perfect clocks.
/// A model written here: r0's writes arrive at r1 in order (each no
/// earlier than the one before), and a write of r0 is visible at r1 at the
/// earlier of its arrival and r1's next write. Its curve and the
/// simulator's agree within sampling error.
#[test]
fn monte_carlo_model_with_per_item_order() {
    let (a, b, mean_s) = (3.0, 1.0, 0.3);
    let mut s = base(2, 0, 1, 2_000 * S);
    s.links[0][1] = Latency::Exponential {
        mean: (mean_s * 1e9) as u64,
    };
    s.workload = vec![clients(&[0], a, 1.0), clients(&[1], b, 1.0)];
    let r = run(&s).result;
    check_shape(&r);
    let c = curve(&r, "r0", "r1");

    let mut rng = ChaCha8Rng::seed_from_u64(99);
    let n = 400_000;
    let mut delays = Vec::with_capacity(n);
    let (mut t, mut last_arrival, mut next_b) = (0.0f64, 0.0f64, exp_draw(&mut rng, 1.0 / b));
    for _ in 0..n {
        t += exp_draw(&mut rng, 1.0 / a);
        let arrival = (t + exp_draw(&mut rng, mean_s)).max(last_arrival);
        last_arrival = arrival;
        while next_b < t {
            next_b += exp_draw(&mut rng, 1.0 / b);
        }
        delays.push(arrival.min(next_b) - t);
    }
    for d_ms in [20.0, 50.0, 100.0, 200.0, 300.0, 500.0, 800.0, 1200.0] {
        let truth = delays.iter().filter(|&&x| x * 1000.0 <= d_ms).count() as f64 / n as f64;
        let got = at(c, d_ms);
        assert!(
            close(got, truth, c.writes, 4.5),
            "d = {d_ms} ms: {got:.4} against the model's {truth:.4}"
        );
    }
}

/// A link down for good from halfway through: the writes issued after it
/// went down are never visible across it, so the curve ends at the share
/// that was delivered (one writer: every delivery applies), below 1.
#[test]
fn a_link_down_for_good_keeps_the_curve_below_one() {
    let mut s = base(2, 20 * MS, 1_000, 100 * S);
    s.workload = vec![clients(&[0], 50.0, 1.0)];
    s.faults = vec![replisim::scenario::Fault {
        kind: replisim::scenario::FaultKind::Partition {
            links: vec![(0, 1)],
        },
        at: replisim::sim::time::Time(50 * S),
        length_ns: None,
    }];
    s.drain_limit_ns = 10 * S;
    let r = run(&s).result;
    check_shape(&r);
    let c = curve(&r, "r0", "r1");
    let last = c.points.last().unwrap().p_visible;
    let delivered = r.links[0].deliveries as f64 / c.writes as f64;
    assert!((last - delivered).abs() < 1e-12, "{last} vs {delivered}");
    assert!((last - 0.5).abs() < 0.03, "{last}");
    // Every delivered write took the link's 20 ms.
    assert_eq!(at(c, 19.0), 0.0);
    assert_eq!(at(c, 20.0), last);
}

/// `replisim run` writes `visibility.csv` with its header, one curve per
/// pair, and the chart, which the report shows.
#[test]
fn cli_writes_the_file_and_the_chart() {
    let dir = scratch_dir("visibility", "cli");
    std::fs::write(dir.join("small.yaml"), SMALL).unwrap();
    let o = replisim(&dir, &["run", "small.yaml", "--out", "out", "--quiet"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let text = std::fs::read_to_string(dir.join("out/visibility.csv")).unwrap();
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("from,to,after_ms,p_visible,writes"));
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    let pairs: std::collections::BTreeSet<(&str, &str)> =
        rows.iter().map(|r| (r[0], r[1])).collect();
    assert_eq!(pairs.len(), 4, "{pairs:?}");
    // Per pair the delays increase and the share never falls; every write
    // arrives (the run converges), so each curve ends at 1, and a region
    // sees its own writes at once.
    for (from, to) in &pairs {
        let pts: Vec<(f64, f64)> = rows
            .iter()
            .filter(|r| (r[0], r[1]) == (*from, *to))
            .map(|r| (r[2].parse().unwrap(), r[3].parse().unwrap()))
            .collect();
        assert!(pts.windows(2).all(|w| w[1].0 > w[0].0 && w[1].1 >= w[0].1));
        assert_eq!(pts.last().unwrap().1, 1.0, "{from} → {to}");
        if from == to {
            assert_eq!(pts[0], (0.0, 1.0));
        }
    }
    let summary = std::fs::read_to_string(dir.join("out/summary.csv")).unwrap();
    let writes_col = summary
        .lines()
        .next()
        .unwrap()
        .split(',')
        .position(|c| c == "writes")
        .unwrap();
    let total: u64 = summary
        .lines()
        .nth(1)
        .unwrap()
        .split(',')
        .collect::<Vec<_>>()[writes_col]
        .parse()
        .unwrap();
    let per_region: u64 = rows
        .iter()
        .filter(|r| r[0] == r[1] && r[2] == "0.000")
        .map(|r| r[4].parse::<u64>().unwrap())
        .sum();
    assert_eq!(per_region, total);
    assert!(dir.join("out/charts/visibility.svg").is_file());
    let html = std::fs::read_to_string(dir.join("out/report.html")).unwrap();
    assert!(html.contains("id=\"chart-visibility\""));
    let svg = std::fs::read_to_string(dir.join("out/charts/visibility.svg")).unwrap();
    assert!(svg.contains("us-east-1 → eu-west-1"));
}
