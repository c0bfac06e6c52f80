//! `faults.csv` against truths worked out by hand or read from the trace:
//! a partition under a throughput limit (its catch-up follows from the
//! messages held at the heal, its drain from the busy period of an M/D/1
//! queue), window counts against the trace and the time series, instant
//! faults without window figures, faults that never end or never catch up.

use crate::common::*;
use replisim::metrics::result::{FaultRow, RunResult, Trace};

/// Writes in the trace issued in `[from, to)` nanoseconds, and how many
/// of them were lost.
fn issued_in(trace: &Trace, from: u64, to: u64) -> (u64, u64) {
    let w: Vec<_> = trace
        .writes
        .iter()
        .filter(|w| w.issue_ns >= from && w.issue_ns < to)
        .collect();
    let lost = w.iter().filter(|w| w.outcome == "lost").count();
    (w.len() as u64, lost as u64)
}

fn only_fault(r: &RunResult) -> &FaultRow {
    assert_eq!(r.fault_rows.len(), 1, "{:?}", r.fault_rows);
    &r.fault_rows[0]
}

/// Two regions, writes from r0 only (Poisson, λ = 50/s), a throughput
/// limit μ = 100/s, links a constant 10 ms, no pipeline delay, and a
/// partition of P = 20 s from t = 20 s.
///
/// At the heal the stream r0 → r1 holds N messages (every write issued
/// before the heal that had not arrived: counted from the trace). They
/// leave one per 1/μ from the heal, so the last of them arrives
/// (N − 1)/μ + 10 ms after it: the catch-up, exactly (nothing else is in
/// flight: r1 writes nothing). The sender then works off N messages while
/// new ones come at λ: an M/D/1 busy period started by N/μ of work, whose
/// mean is N/(μ − λ) (about λP/(μ − λ) = 20 s) and whose standard
/// deviation is sqrt((N/μ)·λ·(1/μ)²/(1 − ρ)³), about 0.63 s here.
#[test]
fn partition_under_a_throughput_limit_catches_up_and_drains_as_the_queue_says() {
    let (lam, mu) = (50.0, 100.0);
    let (at, length) = (20 * S, 20 * S);
    let mut s = base(2, 10 * MS, 100_000, 120 * S);
    s.replication.throughput_per_s = Some(mu);
    s.workload = vec![clients(&[0], lam, 1.0)];
    s.faults = vec![partition(0, 1, at, length)];
    let out = run_traced(&s);
    let trace = out.trace.as_ref().unwrap();
    let f = only_fault(&out.result);
    let heal = at + length;

    let issue: std::collections::BTreeMap<u64, u64> = trace
        .writes
        .iter()
        .map(|w| (w.write_id, w.issue_ns))
        .collect();
    let held = trace
        .deliveries
        .iter()
        .filter(|d| d.to == "r1" && issue[&d.write_id] < heal && d.arrive_ns >= heal)
        .count() as f64;
    assert!(
        (held / (lam * length as f64 / S as f64) - 1.0).abs() < 0.15,
        "about λP held: {held}"
    );

    let catch_up = (held - 1.0) / mu * 1000.0 + 10.0;
    let got = f.catch_up_ms.expect("the partition ends");
    assert!(
        (got - catch_up).abs() < 0.01,
        "catch-up {got} ms, want {catch_up} ms"
    );
    assert!(!f.catch_up_censored);

    let drain = held / (mu - lam) * 1000.0;
    let sd = ((held / mu) * lam / (mu * mu) / 0.125).sqrt() * 1000.0;
    let got = f.drain_ms.expect("the partition touches streams");
    assert!(
        (got - drain).abs() < 4.0 * sd,
        "drain {got} ms, busy period {drain} ± {sd} ms"
    );
    assert!(!f.drain_censored);

    // The largest backlog of the run is the one the partition built: the
    // held messages, with at most a few on the wire.
    let peak = f.max_backlog.unwrap();
    assert_eq!(peak, out.result.links[0].max_backlog);
    assert!(
        peak as f64 >= held && peak as f64 <= held + 10.0,
        "{peak} vs {held}"
    );

    let (writes, lost) = issued_in(trace, at, heal);
    assert_eq!((f.writes, f.lost_writes), (Some(writes), Some(lost)));
    assert_eq!((f.start_s, f.end_s), (20.0, Some(40.0)));
    assert_eq!(
        (f.kind.as_str(), f.target.as_str()),
        ("partition", "r0 <-> r1")
    );
}

/// Without a throughput limit, under per-item order, nothing waits at the
/// sender once the link is back: every held message leaves at the heal,
/// so the drain is zero and the catch-up is one link delay (the held
/// messages all arrive 10 ms after the heal).
#[test]
fn without_a_throughput_limit_held_messages_leave_at_the_heal() {
    let mut s = base(2, 10 * MS, 100_000, 30 * S);
    s.workload = vec![clients(&[0, 1], 20.0, 1.0)];
    s.faults = vec![partition(0, 1, 10 * S, 5 * S)];
    let r = run(&s).result;
    let f = only_fault(&r);
    assert_eq!(f.drain_ms, Some(0.0));
    assert_eq!(f.catch_up_ms, Some(10.0));
}

/// Window figures count operations issued in [start, end) in every
/// region: against the trace for a window that cuts time buckets in the
/// middle (lost writes are folded by the lineage, so this checks that the
/// folding keeps fault boundaries apart), and against the time series for
/// stale reads over whole buckets. A window over the whole run gives the
/// run's totals.
#[test]
fn window_figures_count_what_was_issued_during_the_fault() {
    let mut s = base(2, 40 * MS, 20, 60 * S);
    s.replication.pipeline = replisim::scenario::Latency::Exponential { mean: 200 * MS };
    s.workload = vec![clients(&[0, 1], 30.0, 0.6)];
    s.faults = vec![
        partition(0, 1, 20_500 * MS, 10_250 * MS),
        isolate(1, 40 * S, 5 * S),
    ];
    let out = run_traced(&s);
    let trace = out.trace.as_ref().unwrap();
    let r = &out.result;
    let (writes, lost) = issued_in(trace, 20_500 * MS, 30_750 * MS);
    let f = &r.fault_rows[0];
    assert!(lost > 0, "the scenario loses writes during the partition");
    assert_eq!((f.writes, f.lost_writes), (Some(writes), Some(lost)));

    let g = &r.fault_rows[1];
    let (writes, lost) = issued_in(trace, 40 * S, 45 * S);
    assert_eq!((g.writes, g.lost_writes), (Some(writes), Some(lost)));
    let stale: u64 = r.timeseries[40..45].iter().map(|b| b.stale_reads).sum();
    assert_eq!(g.stale_reads, Some(stale));
    assert!(stale > 0);
    let bucket_writes: u64 = r.timeseries[40..45].iter().map(|b| b.writes).sum();
    assert_eq!(g.writes, Some(bucket_writes));

    // The same run with one fault over all of it: the totals.
    let mut all = s.clone();
    all.faults = vec![partition(0, 1, 0, 60 * S)];
    let r = run(&all).result;
    let f = only_fault(&r);
    let t = &r.summary;
    assert_eq!(
        (f.writes, f.lost_writes, f.stale_reads),
        (Some(t.writes), Some(t.lost_writes), Some(t.stale_reads))
    );
    // The cuts at fault boundaries do not change what the buckets say.
    let mut none = s.clone();
    none.faults.clear();
    let plain = run(&none).result;
    let cut = run(&s).result;
    let lost_per_bucket = |r: &RunResult| {
        r.timeseries
            .iter()
            .map(|b| b.lost_writes)
            .collect::<Vec<_>>()
    };
    assert_eq!(cut.summary.writes, plain.summary.writes);
    assert!(lost_per_bucket(&cut).iter().sum::<u64>() == cut.summary.lost_writes);
    assert!(lost_per_bucket(&plain).iter().sum::<u64>() == plain.summary.lost_writes);
}

/// A clock step is an instant: its end is its start, and it has no window
/// figures, no backlog and no drain (it holds up no stream).
#[test]
fn a_clock_step_has_no_window_figures() {
    let mut s = base(2, 10 * MS, 1000, 20 * S);
    s.replication.timestamps = replisim::scenario::Timestamps::Wall;
    s.workload = vec![clients(&[0, 1], 20.0, 0.5)];
    s.faults = vec![clock_step(1, 5 * S, -200 * MS as i64)];
    let r = run(&s).result;
    let f = only_fault(&r);
    assert_eq!(f.end_s, Some(f.start_s));
    assert_eq!((f.writes, f.lost_writes, f.stale_reads), (None, None, None));
    assert_eq!((f.max_backlog, f.drain_ms), (None, None));
    // Catch-up is defined for any fault that ends: here, the messages in
    // flight at the step, one link delay at most.
    assert!(f.catch_up_ms.unwrap() <= 10.0);
}

/// A fault that never ends has no end to measure from; one that ends
/// while another region stays out for good never sees every write
/// arrive: its catch-up is a lower bound (the run's end minus its end),
/// marked censored, while its own streams drain.
#[test]
fn faults_that_never_end_or_never_catch_up() {
    let mut s = base(3, 10 * MS, 1000, 30 * S);
    s.drain_limit_ns = 60 * S;
    s.workload = vec![clients(&[0, 1], 20.0, 1.0)];
    s.faults = vec![partition(0, 1, 5 * S, 5 * S), outage_forever(2, 2 * S)];
    let r = run(&s).result;
    let (p, o) = (&r.fault_rows[0], &r.fault_rows[1]);
    assert_eq!((o.end_s, o.catch_up_ms, o.drain_ms), (None, None, None));
    assert!(o.writes.unwrap() > 0);
    assert!(p.catch_up_censored, "{p:?}");
    // The run stops at duration + drain limit = 90 s; the partition ended at 10 s.
    assert_eq!(p.catch_up_ms, Some(80_000.0));
    assert_eq!(p.drain_ms, Some(0.0));
    assert!(!p.drain_censored);
}

/// `faults.csv` is written for every run, with its header even when the
/// scenario has no faults, and holds one row per fault otherwise.
#[test]
fn faults_csv_is_always_written() {
    use replisim::report::csv_out;
    let mut s = base(2, 10 * MS, 100, 5 * S);
    s.workload = vec![clients(&[0], 10.0, 1.0)];
    let r = run(&s).result;
    let files = csv_out::all_files(&r, None).unwrap();
    let f = files.iter().find(|f| f.file_name == "faults.csv").unwrap();
    assert_eq!(
        String::from_utf8(f.bytes.clone()).unwrap(),
        format!("{}\n", csv_out::header("faults.csv").unwrap())
    );
    s.faults = vec![clock_step(0, S, 5 * MS as i64), partition(0, 1, 2 * S, S)];
    let r = run(&s).result;
    let files = csv_out::all_files(&r, None).unwrap();
    let text = String::from_utf8(
        files
            .iter()
            .find(|f| f.file_name == "faults.csv")
            .unwrap()
            .bytes
            .clone(),
    )
    .unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 3);
    assert!(
        lines[1].starts_with("1,clock_step,r0,1.000000,1.000000,,,,,"),
        "{}",
        lines[1]
    );
    assert!(
        lines[2].starts_with("2,partition,r0 <-> r1,2.000000,3.000000,"),
        "{}",
        lines[2]
    );
}
