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
    assert!(
        (got - expected).abs() < 0.01,
        "lost fraction {got:.4}, closed form {expected:.4}"
    );
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
    s.workload = vec![
        clients(&[0], a, 1.0),
        clients(&[1], b, 1.0),
        clients(&[0], 100.0, 0.0),
    ];
    let out = run(&s);
    let expected = b / (a + b) * (1.0 - (-(a + b) * d).exp());
    let r0 = &out.result.regions[0];
    let got = r0.stale_reads as f64 / r0.reads as f64;
    eprintln!("stale {got:.4} vs {expected:.4}");
    assert!(
        (got - expected).abs() < 0.01,
        "stale fraction {got:.4}, closed form {expected:.4}"
    );
}

/// With perfect clocks a write can only be lost to a write that another
/// region issued after it but before it arrived there: nothing else can
/// overwrite it without having seen it. So lost writes happen only among
/// writes issued less than one lag apart, and a partition widens that lag
/// to its own length. Checked write by write against the trace.
#[test]
fn true_time_losses_need_a_write_issued_within_one_lag() {
    let mut s = base(3, 30 * MS, 3, 20 * S);
    s.faults = vec![partition(0, 1, 5 * S, 3 * S)];
    s.workload = vec![clients(&[0, 1, 2], 4.0, 1.0)];
    let out = run_traced(&s);
    let trace = out.trace.unwrap();
    let lost: Vec<_> = trace
        .writes
        .iter()
        .filter(|w| w.outcome == "lost")
        .collect();
    assert!(
        lost.len() > 20,
        "the scenario must lose writes to test anything"
    );
    let lag_max_ns = (out.result.summary.lag_max_ms * 1e6).round() as u64;
    assert!(lag_max_ns >= 2 * S, "the partition shows in the lag");
    let mut arrive = std::collections::HashMap::new();
    for d in &trace.deliveries {
        arrive.insert((d.write_id, d.to.clone()), d.arrive_ns);
    }
    for w in lost {
        let rival = trace.writes.iter().find(|o| {
            o.key == w.key
                && o.region != w.region
                && o.issue_ns > w.issue_ns
                && arrive
                    .get(&(w.write_id, o.region.clone()))
                    .is_none_or(|&a| o.issue_ns < a)
        });
        let rival = rival.unwrap_or_else(|| {
            panic!(
                "write {} was lost with no rival issued before it arrived",
                w.write_id
            )
        });
        assert!(rival.issue_ns - w.issue_ns < lag_max_ns);
    }
}
