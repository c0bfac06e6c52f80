//! The model against truths that do not depend on its code: closed-form
//! results, identities and hand-worked scenarios.

use crate::common::*;

/// Two regions, constant one-way delay d, one key, Poisson writers at rates
/// a (region 0) and b (region 1), perfect clocks. A write of region 0 is
/// lost exactly when region 1's next write comes less than d later and that
/// write itself survives; the chances chain:
/// P(lost) = pA(1 − pB) / (1 − pA·pB), pA = 1 − e^(−b·d), pB = 1 − e^(−a·d).
#[test]
fn lost_write_fraction_matches_closed_form() {
    let (a, b, d) = (20.0, 30.0, 0.02);
    let mut s = base(2, (d * 1e9) as u64, 1, 2_000 * S);
    s.workload = vec![clients(&[0], a, 1.0), clients(&[1], b, 1.0)];
    let out = run(&s);
    let pa = 1.0 - (-b * d).exp();
    let pb = 1.0 - (-a * d).exp();
    let expected = pa * (1.0 - pb) / (1.0 - pa * pb);
    let r0 = &out.result.regions[0];
    let got = r0.lost_writes as f64 / r0.writes as f64;
    // About 40,000 writes at region 0: the standard error is about 0.002.
    eprintln!("lost {got:.4} vs {expected:.4}");
    assert!((got - expected).abs() < 0.01, "lost fraction {got:.4}, closed form {expected:.4}");
    assert!(out.result.summary.converged);
}

/// The same setting with reads at region 0: a read is stale when the latest
/// write is region 1's and has not arrived yet:
/// P(stale) = b/(a+b) · (1 − e^(−(a+b)·d)).
#[test]
fn stale_read_fraction_matches_closed_form() {
    let (a, b, d) = (20.0, 30.0, 0.02);
    let mut s = base(2, (d * 1e9) as u64, 1, 2_000 * S);
    // Region 0: writes at rate a plus reads at rate 100 (a separate stream).
    s.workload = vec![clients(&[0], a, 1.0), clients(&[1], b, 1.0), clients(&[0], 100.0, 0.0)];
    let out = run(&s);
    let expected = b / (a + b) * (1.0 - (-(a + b) * d).exp());
    let r0 = &out.result.regions[0];
    let got = r0.stale_reads as f64 / r0.reads as f64;
    eprintln!("stale {got:.4} vs {expected:.4}");
    assert!((got - expected).abs() < 0.01, "stale fraction {got:.4}, closed form {expected:.4}");
}
