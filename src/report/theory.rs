//! Theory beside the measurement: where a run falls in a family with a
//! closed form, the formula's figure next to the measured one and the
//! measured one's 95% interval.
//!
//! The families:
//!
//! - **Two regions, last writer wins**: active-active, two regions,
//!   Poisson clients, a constant one-way delay d the same both ways (link
//!   plus pipeline), perfect clocks, no throughput limit, no faults, no
//!   script. Per key, with write rates a (region A) and b (region B): a
//!   write of A is lost when B's next write comes within d and itself
//!   survives, P = pA(1 − pB)/(1 − pA·pB) with pA = 1 − e^(−b·d),
//!   pB = 1 − e^(−a·d); a read at A is stale with probability
//!   b/(a + b)·(1 − e^(−(a + b)·d)). Key by key from the workload's own
//!   key distribution (uniform, zipf, hotspot, home affinity), then
//!   weighted by each key's writes or reads.
//! - **A throughput-limited stream (M/D/1)**: active-active, Poisson
//!   clients, constant pipeline and link, a throughput μ, no faults. The
//!   stream from a region is an M/D/1 queue with arrival rate λ (the
//!   region's write rate) and service time D = 1/μ: a message's lag is
//!   pipeline + wait + link, with P(W ≤ t) =
//!   (1 − ρ)·Σ_{k=0}^{⌊t/D⌋} (λ(kD − t))^k/k!·e^(−λ(kD − t)).
//! - **A partition's drain**: the same queue with one busy stream cut for
//!   P: about N = λP messages wait; they leave one per D from the heal
//!   (catch-up ≈ N/μ), and the sender works them off while new ones come
//!   (drain ≈ λP/(μ − λ), an M/D/1 busy period).
//!
//! Intervals: for a rate over the whole run, batch means over the
//! timeseries buckets (a ratio estimator, so correlation within a bucket
//! does not shrink it); for one region's rate, the Wilson interval of its
//! count; for lag percentiles, the order-statistic interval of the
//! theoretical distribution at the measured sample size (taken smaller by
//! the queue's correlation) and the histogram's 1%; for one fault's drain
//! and catch-up, the theory's own spread (a fault happens once). One
//! check in twenty falls outside a 95% interval by chance.

use std::fmt::Write as _;

use crate::metrics::result::RunResult;
use crate::report::format::{percent, TimeUnit};
use crate::report::html::esc;
use crate::report::terminal::{indent, table};
use crate::scenario::types::{Access, Arrival, FaultKind, Latency, Mode, Scenario, Timestamps};

/// One figure, predicted and measured.
#[derive(Clone, Debug, PartialEq)]
pub struct Check {
    pub figure: String,
    pub theory: f64,
    pub measured: f64,
    /// The 95% interval: around the measured figure for rates and lags,
    /// around the theory for a single fault's times.
    pub low: f64,
    pub high: f64,
    pub unit: Unit,
}

impl Check {
    /// Whether the figures agree: the interval holds the other figure.
    pub fn agrees(&self) -> bool {
        let other = if self.around_theory() {
            self.measured
        } else {
            self.theory
        };
        other >= self.low && other <= self.high
    }

    /// True when the interval is the theory's spread (a one-off figure).
    pub fn around_theory(&self) -> bool {
        self.unit == Unit::OnceMs
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unit {
    /// A fraction, shown as a percentage.
    Fraction,
    /// Milliseconds, measured many times (a percentile).
    Ms,
    /// Milliseconds of a figure measured once (a fault's drain).
    OnceMs,
}

/// One family's checks and its formula in words.
#[derive(Clone, Debug, PartialEq)]
pub struct Family {
    pub name: &'static str,
    pub setting: String,
    pub formula: &'static str,
    pub checks: Vec<Check>,
}

/// What theory says of a run: the families it falls in, and for the
/// others, why not.
#[derive(Clone, Debug, PartialEq)]
pub struct Theory {
    pub families: Vec<Family>,
    pub outside: Vec<String>,
}

/// The two-sided 95% normal quantile.
const Z95: f64 = 1.959_963_984_540_054;

pub fn theory(s: &Scenario, r: &RunResult) -> Theory {
    let mut families = Vec::new();
    let mut outside = Vec::new();
    match two_regions(s, r) {
        Ok(f) => families.push(f),
        Err(why) => outside.push(format!("two-region last writer wins: {why}")),
    }
    match md1(s, r) {
        Ok(f) => families.push(f),
        Err(why) => outside.push(format!("M/D/1 stream: {why}")),
    }
    match drain(s, r) {
        Ok(f) => families.push(f),
        Err(why) => outside.push(format!("partition drain: {why}")),
    }
    Theory { families, outside }
}

fn constant(l: &Latency) -> Option<f64> {
    match l {
        Latency::Constant(ns) => Some(*ns as f64 / 1e9),
        _ => None,
    }
}

/// What every family needs of the clients and the mode.
fn common(s: &Scenario) -> Result<(), String> {
    if s.replication.mode != Mode::ActiveActive {
        return Err(format!(
            "needs active_active (this is {})",
            s.replication.mode.name()
        ));
    }
    if !s.script.is_empty() {
        return Err("needs Poisson clients only (this has a script)".into());
    }
    if s.workload.is_empty() {
        return Err("needs a workload".into());
    }
    if s.workload.iter().any(|w| w.arrival != Arrival::Poisson) {
        return Err("needs Poisson clients (this has constant arrivals)".into());
    }
    Ok(())
}

fn perfect_clocks(s: &Scenario) -> bool {
    s.replication.timestamps == Timestamps::TrueTime
        || s.regions
            .iter()
            .all(|r| r.clock.offset_ns == 0 && r.clock.drift_ppm == 0.0)
            && !s
                .faults
                .iter()
                .any(|f| matches!(f.kind, FaultKind::ClockStep { .. }))
}

/// The probability of each key of `table` under one workload entry's
/// access pattern, for a client in `region` (mirrors the workload's key
/// picker: uniform, zipf, hotspot, and home affinity).
fn key_weights(s: &Scenario, entry: usize, region: usize) -> Vec<f64> {
    let w = &s.workload[entry];
    let keys = s.tables[w.table].keys as usize;
    let regions = s.regions.len();
    let pattern = |n: usize| -> Vec<f64> {
        if n == 0 {
            return Vec::new();
        }
        match w.access {
            Access::Uniform => vec![1.0 / n as f64; n],
            Access::Zipf(e) if e >= 0.0 => {
                let raw: Vec<f64> = (1..=n).map(|k| (k as f64).powf(-e)).collect();
                let total: f64 = raw.iter().sum();
                raw.into_iter().map(|x| x / total).collect()
            }
            Access::Zipf(_) => vec![1.0 / n as f64; n],
            Access::Hotspot { keys: frac, share } => {
                let hot = ((frac * n as f64).ceil() as usize).clamp(1, n);
                if hot == n {
                    return vec![1.0 / n as f64; n];
                }
                (0..n)
                    .map(|k| {
                        if k < hot {
                            share / hot as f64
                        } else {
                            (1.0 - share) / (n - hot) as f64
                        }
                    })
                    .collect()
            }
        }
    };
    let all = pattern(keys);
    let homed_count = if region < keys {
        (keys - region).div_ceil(regions)
    } else {
        0
    };
    let homed = pattern(homed_count);
    let h = if homed_count == 0 {
        0.0
    } else {
        w.home_affinity
    };
    let mut p: Vec<f64> = all.iter().map(|x| (1.0 - h) * x).collect();
    for (i, x) in homed.iter().enumerate() {
        p[i * regions + region] += h * x;
    }
    p
}

/// Per table, per region, per key: write and read rates (per second).
fn rates(s: &Scenario) -> Vec<[Vec<Vec<f64>>; 2]> {
    let n = s.regions.len();
    let mut out: Vec<[Vec<Vec<f64>>; 2]> = s
        .tables
        .iter()
        .map(|t| {
            let zero = vec![vec![0.0; t.keys as usize]; n];
            [zero.clone(), zero]
        })
        .collect();
    for (e, w) in s.workload.iter().enumerate() {
        for &region in &w.regions {
            let p = key_weights(s, e, region);
            let [writes, reads] = &mut out[w.table];
            for (k, x) in p.iter().enumerate() {
                writes[region][k] += w.rate_per_s * w.write_fraction * x;
                reads[region][k] += w.rate_per_s * (1.0 - w.write_fraction) * x;
            }
        }
    }
    out
}

fn two_regions(s: &Scenario, r: &RunResult) -> Result<Family, String> {
    common(s)?;
    if s.regions.len() != 2 {
        return Err(format!("needs 2 regions (this has {})", s.regions.len()));
    }
    if s.replication.throughput_per_s.is_some() {
        return Err("needs no throughput limit".into());
    }
    if !s.faults.is_empty() {
        return Err("needs no faults".into());
    }
    if !perfect_clocks(s) {
        return Err("needs perfect clocks".into());
    }
    let pipeline = constant(&s.replication.pipeline).ok_or("needs a constant pipeline delay")?;
    let (ab, ba) = (constant(&s.links[0][1]), constant(&s.links[1][0]));
    let (Some(ab), Some(ba)) = (ab, ba) else {
        return Err("needs constant link delays".into());
    };
    if ab != ba {
        return Err("needs the same delay both ways".into());
    }
    let d = ab + pipeline;
    if d <= 0.0 {
        return Err("needs a delay above zero".into());
    }
    // Expected lost writes and stale reads per second, per region.
    let (mut lost, mut writes, mut stale, mut reads) = ([0.0; 2], [0.0; 2], [0.0; 2], [0.0; 2]);
    for [w, rd] in rates(s) {
        for k in 0..w[0].len() {
            let (a, b) = (w[0][k], w[1][k]);
            let pa = 1.0 - (-b * d).exp();
            let pb = 1.0 - (-a * d).exp();
            let chain = 1.0 - pa * pb;
            if chain > 0.0 {
                lost[0] += a * pa * (1.0 - pb) / chain;
                lost[1] += b * pb * (1.0 - pa) / chain;
            }
            writes[0] += a;
            writes[1] += b;
            if a + b > 0.0 {
                let settle = 1.0 - (-(a + b) * d).exp();
                stale[0] += rd[0][k] * b / (a + b) * settle;
                stale[1] += rd[1][k] * a / (a + b) * settle;
            }
            reads[0] += rd[0][k];
            reads[1] += rd[1][k];
        }
    }
    use crate::metrics::result::{BucketRow, RegionRow};
    type Count<T> = fn(&T) -> u64;
    let sum = &r.summary;
    let mut checks = Vec::new();
    /// A rate's expected events and trials per region, and how to count
    /// them in the summary, the buckets and the region rows.
    struct Rate {
        figure: &'static str,
        events: [f64; 2],
        trials: [f64; 2],
        totals: (u64, u64),
        bucket: [Count<BucketRow>; 2],
        region: [Count<RegionRow>; 2],
    }
    let figures = [
        Rate {
            figure: "lost write rate",
            events: lost,
            trials: writes,
            totals: (sum.lost_writes, sum.writes),
            bucket: [|b| b.lost_writes, |b| b.writes],
            region: [|r| r.lost_writes, |r| r.writes],
        },
        Rate {
            figure: "stale read rate",
            events: stale,
            trials: reads,
            totals: (sum.stale_reads, sum.reads),
            bucket: [|b| b.stale_reads, |b| b.reads],
            region: [|r| r.stale_reads, |r| r.reads],
        },
    ];
    for Rate {
        figure,
        events,
        trials,
        totals: (k, n),
        bucket: [bk, bn],
        region: [rk, rn],
    } in figures
    {
        if n == 0 {
            continue;
        }
        let batches = r
            .timeseries
            .iter()
            .filter(|b| bn(b) > 0)
            .map(|b| (bk(b) as f64, bn(b) as f64));
        let (low, high) = batch_interval(batches).unwrap_or_else(|| wilson(k, n));
        checks.push(Check {
            figure: figure.into(),
            theory: (events[0] + events[1]) / (trials[0] + trials[1]),
            measured: k as f64 / n as f64,
            low,
            high,
            unit: Unit::Fraction,
        });
        for (i, row) in r.regions.iter().enumerate().take(2) {
            if rn(row) > 0 && trials[i] > 0.0 {
                let (low, high) = wilson(rk(row), rn(row));
                checks.push(Check {
                    figure: format!("{figure}, {}", row.region),
                    theory: events[i] / trials[i],
                    measured: rk(row) as f64 / rn(row) as f64,
                    low,
                    high,
                    unit: Unit::Fraction,
                });
            }
        }
    }
    Ok(Family {
        name: "two regions, last writer wins",
        setting: format!(
            "Poisson clients, a constant delay of {} each way, perfect clocks",
            crate::report::format::duration(d * 1000.0)
        ),
        formula: "lost: pA(1 − pB)/(1 − pA·pB), pA = 1 − e^(−b·d), pB = 1 − e^(−a·d); \
                  stale: b/(a + b)·(1 − e^(−(a + b)·d)); per key, a and b its write rates",
        checks,
    })
}

/// Each region's write rate (all tables), messages per second on each of
/// its outgoing streams.
fn send_rates(s: &Scenario) -> Vec<f64> {
    let mut lam = vec![0.0; s.regions.len()];
    for w in &s.workload {
        for &region in &w.regions {
            lam[region] += w.rate_per_s * w.write_fraction;
        }
    }
    lam
}

/// The queue every stream family needs: a throughput and constant delays.
fn queue(s: &Scenario) -> Result<f64, String> {
    common(s)?;
    let mu = s
        .replication
        .throughput_per_s
        .ok_or("needs a throughput limit")?;
    constant(&s.replication.pipeline).ok_or("needs a constant pipeline delay")?;
    Ok(mu)
}

/// P(W ≤ t) of the M/D/1 queue's wait, or `None` where the alternating
/// series loses precision (λ·t above 8).
fn md1_wait_cdf(lam: f64, d: f64, t: f64) -> Option<f64> {
    let rho = lam * d;
    if t < 0.0 {
        return Some(0.0);
    }
    if lam * t > 8.0 {
        return None;
    }
    let mut sum = 0.0;
    let mut k = 0u32;
    while k as f64 * d <= t {
        let x = lam * (k as f64 * d - t);
        let mut term = (-x).exp();
        for j in 1..=k {
            term *= x / j as f64;
        }
        sum += term;
        k += 1;
    }
    Some(((1.0 - rho) * sum).clamp(0.0, 1.0))
}

/// The q-quantile of the M/D/1 wait, seconds, where the series holds.
fn md1_wait_quantile(lam: f64, d: f64, q: f64) -> Option<f64> {
    if md1_wait_cdf(lam, d, 0.0)? >= q {
        return Some(0.0);
    }
    let mut hi = d;
    while md1_wait_cdf(lam, d, hi)? < q {
        hi *= 2.0;
    }
    let mut lo = 0.0;
    for _ in 0..60 {
        let mid = 0.5 * (lo + hi);
        if md1_wait_cdf(lam, d, mid)? < q {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    Some(hi)
}

fn md1(s: &Scenario, r: &RunResult) -> Result<Family, String> {
    let mu = queue(s)?;
    if !s.faults.is_empty() {
        return Err("needs no faults".into());
    }
    let pipeline = constant(&s.replication.pipeline).unwrap_or(0.0);
    // The stream's service time as the simulator keeps it: whole ns.
    let d = (1e9 / mu).round() / 1e9;
    let lam = send_rates(s);
    let names = s.region_names();
    let mut checks = Vec::new();
    let mut outside = None;
    for row in &r.links {
        let (Some(i), Some(j)) = (
            names.iter().position(|n| *n == row.from),
            names.iter().position(|n| *n == row.to),
        ) else {
            continue;
        };
        let Some(link) = constant(&s.links[i][j]) else {
            outside.get_or_insert("needs constant link delays");
            continue;
        };
        let rho = lam[i] * d;
        if lam[i] <= 0.0 || row.deliveries == 0 {
            continue;
        }
        if rho >= 1.0 {
            outside.get_or_insert("needs each stream below its throughput");
            continue;
        }
        // Waits of successive messages are correlated; count the sample
        // as smaller by the queue's relaxation, (1 − ρ)²/(1 + ρ).
        let n_eff = (row.deliveries as f64 * (1.0 - rho).powi(2) / (1.0 + rho)).max(1.0);
        for (q, name, measured) in [
            (0.5, "p50", row.lag_p50_ms),
            (0.9, "p90", row.lag_p90_ms),
            (0.99, "p99", row.lag_p99_ms),
        ] {
            let at = |q: f64| {
                md1_wait_quantile(lam[i], d, q.clamp(0.0, 1.0))
                    .map(|w| (pipeline + link + w) * 1000.0)
            };
            let spread = Z95 * (q * (1.0 - q) / n_eff).sqrt();
            let (Some(theory), Some(lo), Some(hi)) =
                (at(q), at(q - spread), at((q + spread).min(0.999_999)))
            else {
                continue; // beyond where the series can be summed
            };
            // The measured figure's interval: the sample quantile falls
            // between the theory's quantiles at q ∓ its spread, so the
            // theory lies within that band mirrored around the measured
            // figure, widened by the 1% the histogram resolves.
            checks.push(Check {
                figure: format!("lag {name}, {} → {}", row.from, row.to),
                theory,
                measured,
                low: (measured - (hi - theory)) * 0.99,
                high: (measured + (theory - lo)) * 1.01,
                unit: Unit::Ms,
            });
        }
    }
    if checks.is_empty() {
        return Err(outside.unwrap_or("no stream with traffic").into());
    }
    Ok(Family {
        name: "a throughput-limited stream (M/D/1)",
        setting: format!(
            "Poisson writes, a throughput of {}/s per stream, constant delays",
            crate::report::format::sig(mu, 3, 3)
        ),
        formula: "lag = pipeline + wait + link; P(W ≤ t) = (1 − ρ)·Σ_{k ≤ t/D} \
                  (λ(kD − t))^k/k!·e^(−λ(kD − t)), D = 1/μ",
        checks,
    })
}

fn drain(s: &Scenario, r: &RunResult) -> Result<Family, String> {
    let mu = queue(s)?;
    if s.faults.is_empty() {
        return Err("needs a partition".into());
    }
    let lam = send_rates(s);
    let n = s.regions.len();
    let mut checks = Vec::new();
    let mut why = None;
    for (index, f) in s.faults.iter().enumerate() {
        let streams: Vec<(usize, usize)> = match &f.kind {
            FaultKind::Partition { links } => links.clone(),
            FaultKind::Isolate { region } => (0..n)
                .filter(|o| o != region)
                .flat_map(|o| [(*region, o), (o, *region)])
                .collect(),
            _ => {
                why.get_or_insert("needs partitions or isolations only");
                continue;
            }
        };
        let Some(p) = f.length_ns.map(|l| l as f64 / 1e9) else {
            why.get_or_insert("needs a partition that ends");
            continue;
        };
        let busy: Vec<usize> = streams
            .iter()
            .filter(|(a, _)| lam[*a] > 0.0)
            .map(|(a, _)| *a)
            .collect();
        if busy.len() != 1 {
            why.get_or_insert("needs exactly one stream with traffic under the partition");
            continue;
        }
        let l = lam[busy[0]];
        if l >= mu {
            why.get_or_insert("needs the stream below its throughput");
            continue;
        }
        let Some(row) = r
            .fault_rows
            .iter()
            .find(|row| row.fault == index as u64 + 1)
        else {
            continue;
        };
        let held = l * p;
        let rho = l / mu;
        // A fault happens once: the range is the theory's own spread.
        let mut once = |what: &str, measured: Option<f64>, theory: f64, sd: f64| {
            if let Some(m) = measured {
                checks.push(Check {
                    figure: format!("fault {} {what}", index + 1),
                    theory,
                    measured: m,
                    low: theory - Z95 * sd,
                    high: theory + Z95 * sd,
                    unit: Unit::OnceMs,
                });
            }
        };
        // Catch-up: N/μ with N ~ Poisson(λP).
        once(
            "catch-up",
            row.catch_up_ms.filter(|_| !row.catch_up_censored),
            held / mu * 1000.0,
            held.sqrt() / mu * 1000.0,
        );
        // Drain: a busy period started by N/μ of work, mean N/(μ − λ),
        // variance (N/μ)·λ/μ²/(1 − ρ)³, plus N's own Poisson spread.
        let var = (held / mu) * l / (mu * mu) / (1.0 - rho).powi(3) + held / (mu - l).powi(2);
        once(
            "drain",
            row.drain_ms.filter(|_| !row.drain_censored),
            held / (mu - l) * 1000.0,
            var.sqrt() * 1000.0,
        );
    }
    if checks.is_empty() {
        return Err(why.unwrap_or("no partition with a measured drain").into());
    }
    Ok(Family {
        name: "a partition's drain",
        setting: format!(
            "Poisson writes, a throughput of {}/s per stream, one busy stream cut",
            crate::report::format::sig(mu, 3, 3)
        ),
        formula: "catch-up ≈ λP/μ; drain ≈ λP/(μ − λ), an M/D/1 busy period",
        checks,
    })
}

impl Check {
    fn cells(&self, unit: TimeUnit) -> [String; 4] {
        let show = |v: f64| match self.unit {
            Unit::Fraction => percent(v),
            Unit::Ms | Unit::OnceMs => unit.with_unit(v),
        };
        let interval = format!("{} to {}", show(self.low.max(0.0)), show(self.high));
        [
            show(self.theory),
            show(self.measured),
            interval,
            self.verdict().into(),
        ]
    }

    fn verdict(&self) -> &'static str {
        if self.agrees() {
            "agrees"
        } else {
            "differs"
        }
    }
}

impl Family {
    fn unit(&self) -> TimeUnit {
        TimeUnit::fit(
            self.checks
                .iter()
                .filter(|c| c.unit != Unit::Fraction)
                .flat_map(|c| [c.theory, c.measured, c.high]),
        )
    }

    fn interval_header(&self) -> &'static str {
        if self.checks.iter().all(Check::around_theory) {
            "theory's 95% range"
        } else if self.checks.iter().any(Check::around_theory) {
            "95% interval / range"
        } else {
            "measured, 95% interval"
        }
    }
}

impl Theory {
    /// The terminal's section, ending with a newline.
    pub fn text(&self) -> String {
        let mut out = String::new();
        if self.families.is_empty() {
            let _ = writeln!(
                out,
                "theory: no closed form applies to this scenario ({})",
                self.outside.join("; ")
            );
            return out;
        }
        out.push_str("theory beside the measurement\n");
        for f in &self.families {
            let _ = writeln!(out, "  {}: {}", f.name, f.setting);
            let _ = writeln!(out, "  {}", f.formula);
            let unit = f.unit();
            let mut rows = vec![vec![
                "figure".to_string(),
                "theory".into(),
                "measured".into(),
                f.interval_header().into(),
                String::new(),
            ]];
            for c in &f.checks {
                let mut row = vec![c.figure.clone()];
                row.extend(c.cells(unit));
                rows.push(row);
            }
            out.push_str(&indent(&indent(&table(&rows, "LRRLL"))));
        }
        out
    }

    /// The report's section.
    pub fn html(&self, h: &mut String) {
        h.push_str("<section id=\"theory\">\n<h2>Theory beside the measurement</h2>\n");
        if self.families.is_empty() {
            let _ = writeln!(
                h,
                "<p>No closed form applies to this scenario: {}.</p>",
                esc(&self.outside.join("; "))
            );
            h.push_str("</section>\n");
            return;
        }
        h.push_str(
            "<p>Where a run falls in a family with a closed form, the formula's figure \
             stands beside the measured one. A rate's interval is the measured figure's 95% \
             confidence interval; a fault's drain happens once, so its range is the \
             theory's own 95% spread. One check in twenty falls outside by chance.</p>\n",
        );
        for f in &self.families {
            let _ = writeln!(
                h,
                "<h3>{}</h3>\n<p>{}. <code>{}</code></p>",
                esc(f.name),
                esc(&f.setting),
                esc(f.formula)
            );
            let unit = f.unit();
            let _ = writeln!(
                h,
                "<table class=\"theory\">\n<thead><tr><th>figure</th><th>theory</th>\
                 <th>measured</th><th>{}</th><th></th></tr></thead>\n<tbody>",
                esc(f.interval_header())
            );
            for c in &f.checks {
                let [theory, measured, interval, verdict] = c.cells(unit);
                let _ = writeln!(
                    h,
                    "<tr class=\"{verdict}\"><td>{}</td><td class=\"num\">{}</td>\
                     <td class=\"num\">{}</td><td>{}</td><td>{verdict}</td></tr>",
                    esc(&c.figure),
                    esc(&theory),
                    esc(&measured),
                    esc(&interval)
                );
            }
            h.push_str("</tbody>\n</table>\n");
        }
        h.push_str("</section>\n");
    }
}

/// The 95% interval of a ratio Σx/Σy from batches (x, y): the ratio
/// estimator's standard error over at least ten batches.
fn batch_interval(batches: impl Iterator<Item = (f64, f64)>) -> Option<(f64, f64)> {
    let b: Vec<(f64, f64)> = batches.collect();
    let k = b.len();
    if k < 10 {
        return None;
    }
    let (sx, sy): (f64, f64) = b.iter().fold((0.0, 0.0), |(a, c), (x, y)| (a + x, c + y));
    let ratio = sx / sy;
    let ybar = sy / k as f64;
    let ss: f64 = b.iter().map(|(x, y)| (x - ratio * y).powi(2)).sum();
    let se = (ss / (k as f64 * (k as f64 - 1.0))).sqrt() / ybar;
    Some(((ratio - Z95 * se).max(0.0), (ratio + Z95 * se).min(1.0)))
}

/// The Wilson 95% interval of `k` successes in `n` trials.
fn wilson(k: u64, n: u64) -> (f64, f64) {
    if n == 0 {
        return (0.0, 1.0);
    }
    let (k, n) = (k as f64, n as f64);
    let p = k / n;
    let z2 = Z95 * Z95;
    let centre = (p + z2 / (2.0 * n)) / (1.0 + z2 / n);
    let half = Z95 * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt() / (1.0 + z2 / n);
    ((centre - half).max(0.0), (centre + half).min(1.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn md1_wait_starts_at_one_minus_rho_and_has_the_known_mean() {
        let (lam, d) = (6.0, 0.1); // ρ = 0.6
        assert!((md1_wait_cdf(lam, d, 0.0).unwrap() - 0.4).abs() < 1e-12);
        // Mean wait ρD/(2(1 − ρ)) = 0.075 s, from the distribution.
        let mut mean = 0.0;
        let step = 1e-4;
        let mut t = 0.0;
        while t < 1.3 {
            mean += (1.0 - md1_wait_cdf(lam, d, t).unwrap()) * step;
            t += step;
        }
        assert!((mean - 0.075).abs() < 0.002, "{mean}");
        assert_eq!(md1_wait_quantile(lam, d, 0.3), Some(0.0));
        assert!(md1_wait_cdf(lam, d, 2.0).is_none(), "beyond λt = 8");
    }

    #[test]
    fn wilson_and_batches_hold_the_rate() {
        let (lo, hi) = wilson(50, 1000);
        assert!(lo < 0.05 && hi > 0.05 && lo > 0.035 && hi < 0.068);
        // Equal batches of the same ratio: no spread at all.
        let (lo, hi) = batch_interval((0..20).map(|_| (5.0, 100.0))).unwrap();
        assert!((lo - 0.05).abs() < 1e-12 && (hi - 0.05).abs() < 1e-12);
        assert!(batch_interval((0..5).map(|_| (5.0, 100.0))).is_none());
    }
}
