//! Theory beside the measurement: the figures the report puts beside the
//! measured ones are the closed forms (recomputed here from the formulas,
//! not from the code), the measured figures fall in their intervals, and
//! a scenario outside every family says so instead of printing a number.

use replisim::report::theory::{theory, Check, Theory, Unit};
use replisim::scenario::types::{Access, Latency};

use rand::SeedableRng;

use crate::common::*;

fn check<'a>(t: &'a Theory, figure: &str) -> &'a Check {
    t.families
        .iter()
        .flat_map(|f| &f.checks)
        .find(|c| c.figure == figure)
        .unwrap_or_else(|| panic!("no check {figure} in {t:?}"))
}

/// The two-region closed forms for one key.
fn lost_a(a: f64, b: f64, d: f64) -> f64 {
    let pa = 1.0 - (-b * d).exp();
    let pb = 1.0 - (-a * d).exp();
    pa * (1.0 - pb) / (1.0 - pa * pb)
}

fn stale_a(a: f64, b: f64, d: f64) -> f64 {
    b / (a + b) * (1.0 - (-(a + b) * d).exp())
}

#[test]
fn two_regions_one_key_is_the_closed_form_and_the_run_agrees() {
    let (a, b, d) = (20.0, 30.0, 0.02);
    let mut s = base(2, (d * 1e9) as u64, 1, 600 * S);
    s.workload = vec![
        clients(&[0], a, 1.0),
        clients(&[1], b, 1.0),
        clients(&[0], 100.0, 0.0),
    ];
    let out = run(&s);
    let t = theory(&s, &out.result);
    assert!(
        t.outside.iter().all(|w| !w.starts_with("two-region")),
        "{t:?}"
    );
    let r0 = check(&t, "lost write rate, r0");
    assert!((r0.theory - lost_a(a, b, d)).abs() < 1e-12);
    let r1 = check(&t, "lost write rate, r1");
    assert!((r1.theory - lost_a(b, a, d)).abs() < 1e-12);
    let total = check(&t, "lost write rate");
    let want = (a * lost_a(a, b, d) + b * lost_a(b, a, d)) / (a + b);
    assert!((total.theory - want).abs() < 1e-12);
    let stale = check(&t, "stale read rate, r0");
    assert!((stale.theory - stale_a(a, b, d)).abs() < 1e-12);
    // About 12,000 writes at r0 and 60,000 reads: every figure agrees.
    for c in t.families.iter().flat_map(|f| &f.checks) {
        assert_eq!(c.unit, Unit::Fraction);
        assert!(c.low <= c.measured && c.measured <= c.high, "{c:?}");
        assert!(c.agrees(), "{c:?}");
    }
}

#[test]
fn many_keys_under_zipf_and_home_affinity_sum_key_by_key() {
    // Per-key rates differ, so the closed form is summed over the keys
    // with the access pattern's weights; if those weights were wrong the
    // measured rate would miss the theory.
    let (rate, d) = (400.0, 0.05);
    let mut s = base(2, (d * 1e9) as u64, 40, 300 * S);
    let mut w = clients(&[0, 1], rate, 0.8);
    w.access = Access::Zipf(1.1);
    w.home_affinity = 0.5;
    s.workload = vec![w];
    let out = run(&s);
    let t = theory(&s, &out.result);
    // Independently: zipf weights over 40 keys, half the picks from the
    // client's own keys (k ≡ region mod 2, zipf over those 20).
    let zipf = |n: usize| {
        let raw: Vec<f64> = (1..=n).map(|k| (k as f64).powf(-1.1)).collect();
        let sum: f64 = raw.iter().sum();
        raw.into_iter().map(|x| x / sum).collect::<Vec<f64>>()
    };
    let (all, homed) = (zipf(40), zipf(20));
    let weight = |region: usize, k: usize| {
        let mut p = 0.5 * all[k];
        if k % 2 == region {
            p += 0.5 * homed[k / 2];
        }
        p
    };
    let (mut lost, mut stale, mut reads) = (0.0, 0.0, 0.0);
    for k in 0..40 {
        let a = rate * 0.8 * weight(0, k);
        let b = rate * 0.8 * weight(1, k);
        lost += a * lost_a(a, b, d) + b * lost_a(b, a, d);
        let (ra, rb) = (rate * 0.2 * weight(0, k), rate * 0.2 * weight(1, k));
        stale += ra * stale_a(a, b, d) + rb * stale_a(b, a, d);
        reads += ra + rb;
    }
    let total = check(&t, "lost write rate");
    assert!(
        (total.theory - lost / (2.0 * rate * 0.8)).abs() < 1e-9,
        "{total:?}"
    );
    let st = check(&t, "stale read rate");
    assert!((st.theory - stale / reads).abs() < 1e-9, "{st:?}");
    // The measured rates, pooled over four seeds, within three standard
    // errors (each run's interval gives its own).
    for figure in ["lost write rate", "stale read rate"] {
        let (mut sum, mut var, mut theory_rate) = (0.0, 0.0, 0.0);
        for seed in 1..=4 {
            s.seed = seed;
            let out = run(&s);
            let t = theory(&s, &out.result);
            let c = check(&t, figure);
            sum += c.measured;
            var += ((c.high - c.low) / (2.0 * 1.96)).powi(2);
            theory_rate = c.theory;
        }
        let (mean, se) = (sum / 4.0, var.sqrt() / 4.0);
        assert!(
            (mean - theory_rate).abs() < 3.0 * se,
            "{figure}: {mean} ± {se} vs {theory_rate}"
        );
    }
}

#[test]
fn a_throughput_limited_stream_is_md1() {
    // λ = 60/s, μ = 100/s (ρ = 0.6), link 10 ms: P(W = 0) = 0.4, so the
    // median lag already includes a wait; the p90 and p99 come from the
    // series.
    let mut s = base(2, 10 * MS, 100_000, 300 * S);
    s.replication.throughput_per_s = Some(100.0);
    s.workload = vec![clients(&[0], 60.0, 1.0)];
    let out = run(&s);
    let t = theory(&s, &out.result);
    let p90 = check(&t, "lag p90, r0 → r1");
    let p99 = check(&t, "lag p99, r0 → r1");
    // An independent check of the theory: a Lindley recursion of the same
    // queue, W' = max(0, W + D − A) with A exponential, two million
    // customers.
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(9);
    let (lam, dd) = (60.0, 0.01);
    let mut w = 0.0f64;
    let mut waits: Vec<f64> = (0..2_000_000)
        .map(|_| {
            let gap: f64 = rand_distr::Distribution::sample(&rand_distr::Exp1, &mut rng);
            w = (w + dd - gap / lam).max(0.0);
            w
        })
        .collect();
    waits.sort_by(f64::total_cmp);
    let q = |p: f64| 10.0 + 1000.0 * waits[(p * waits.len() as f64) as usize];
    assert!(
        (p90.theory / q(0.9) - 1.0).abs() < 0.02,
        "{p90:?} vs {}",
        q(0.9)
    );
    assert!(
        (p99.theory / q(0.99) - 1.0).abs() < 0.02,
        "{p99:?} vs {}",
        q(0.99)
    );
    assert!(p99.theory > p90.theory);
    for c in [p90, p99] {
        assert_eq!(c.unit, Unit::Ms);
        assert!(c.agrees(), "{c:?}");
    }
    // A lognormal link takes the stream out of the family, with the reason.
    s.links[0][1] = Latency::LogNormal {
        median: 10 * MS,
        p99: 30 * MS,
    };
    let out = run(&s);
    let t = theory(&s, &out.result);
    assert!(t.families.is_empty(), "{t:?}");
    assert!(
        t.outside
            .iter()
            .any(|w| w == "M/D/1 stream: needs constant link delays"),
        "{t:?}"
    );
}

#[test]
fn a_partition_drains_as_the_busy_period_says() {
    let (lam, mu, p) = (50.0, 100.0, 20.0);
    let mut s = base(2, 10 * MS, 100_000, 120 * S);
    s.replication.throughput_per_s = Some(mu);
    s.workload = vec![clients(&[0], lam, 1.0)];
    s.faults = vec![partition(0, 1, 20 * S, 20 * S)];
    let out = run(&s);
    let t = theory(&s, &out.result);
    let drain = check(&t, "fault 1 drain");
    assert!((drain.theory - lam * p / (mu - lam) * 1000.0).abs() < 1e-9);
    assert_eq!(drain.unit, Unit::OnceMs);
    assert!(drain.agrees(), "{drain:?}");
    let catch_up = check(&t, "fault 1 catch-up");
    assert!((catch_up.theory - lam * p / mu * 1000.0).abs() < 1e-9);
    assert!(catch_up.agrees(), "{catch_up:?}");
}

#[test]
fn the_intervals_hold_about_as_often_as_they_say() {
    // Twenty seeds of a short two-region run: each figure's 95% interval
    // should hold the theory in about 19 of 20; fewer than 15 would mean
    // the intervals are too narrow (binomial(20, 0.95) gives fewer than 15
    // with probability under 0.1%).
    let mut held = [0usize; 2];
    for seed in 0..20 {
        let mut s = base(2, 30 * MS, 5, 60 * S);
        s.seed = seed;
        s.workload = vec![clients(&[0, 1], 40.0, 0.5)];
        let out = run(&s);
        let t = theory(&s, &out.result);
        for (i, name) in ["lost write rate", "stale read rate"].iter().enumerate() {
            held[i] += usize::from(check(&t, name).agrees());
        }
    }
    assert!(held.iter().all(|h| *h >= 15), "{held:?} of 20");
}

#[test]
fn outside_every_family_the_run_says_why() {
    // Three regions and lognormal delays: no closed form.
    let mut s = base(3, 50 * MS, 10, 5 * S);
    s.links[0][1] = Latency::LogNormal {
        median: 50 * MS,
        p99: 200 * MS,
    };
    s.workload = vec![clients(&[0, 1, 2], 20.0, 0.5)];
    let out = run(&s);
    let t = theory(&s, &out.result);
    assert!(t.families.is_empty());
    let text = t.text();
    assert!(
        text.starts_with("theory: no closed form applies to this scenario (two-region last writer wins: needs 2 regions (this has 3)"),
        "{text}"
    );
    assert!(
        text.contains("M/D/1 stream: needs a throughput limit"),
        "{text}"
    );
}

#[test]
fn every_bundled_scenario_prints_a_theory_line_or_section() {
    let dir = scratch_dir("theory", "bundled");
    for name in ["collaboration", "teach-lww", "three-designs"] {
        let out = replisim(&dir, &["run", name, "--no-charts", "--out", name]);
        assert_eq!(out.status.code(), Some(0));
        let stdout = String::from_utf8(out.stdout).unwrap();
        assert!(
            stdout.contains("\ntheory: no closed form applies")
                || stdout.contains("\ntheory beside the measurement\n"),
            "{name}: {stdout}"
        );
        let html = std::fs::read_to_string(dir.join(name).join("report.html")).unwrap();
        assert!(html.contains("<section id=\"theory\">"), "{name}");
    }
}
