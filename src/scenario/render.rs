//! A validated scenario written back as canonical YAML.
//!
//! Every value is spelled out (defaults included, every link listed as
//! `from`/`to`), durations use the largest unit that keeps them exact, and
//! numbers use Rust's shortest round-trip form, so loading the text again
//! gives an equal `Scenario`. Used for the report's "resolved parameters"
//! and written next to results.

use std::fmt::Write;

use super::types::*;
use crate::sim::time::Nanos;

/// Renders `s` as YAML that `load_str` accepts and that yields `s` again.
pub fn to_yaml(s: &Scenario) -> String {
    let mut o = String::new();
    let name = |id: usize| quote(s.regions.get(id).map_or("?", |r| r.name.as_str()));
    let _ = writeln!(o, "name: {}", quote(&s.name));
    let _ = writeln!(o, "description: {}", quote(&s.description));
    let _ = writeln!(o, "seed: {}", s.seed);
    let _ = writeln!(o, "duration: {}", duration(s.duration_ns));
    let _ = writeln!(o, "drain_limit: {}", duration(s.drain_limit_ns));

    o.push_str("\nregions:\n");
    for r in &s.regions {
        let _ = writeln!(o, "  - name: {}", quote(&r.name));
        let _ = writeln!(
            o,
            "    clock: {{ offset: {}, drift_ppm: {} }}",
            signed(r.clock.offset_ns),
            number(r.clock.drift_ppm)
        );
    }

    o.push_str("\nnetwork:\n  links:\n");
    for (a, row) in s.links.iter().enumerate() {
        for (b, l) in row.iter().enumerate() {
            if a != b {
                let _ = writeln!(
                    o,
                    "    - {{ from: {}, to: {}, latency: {} }}",
                    name(a),
                    name(b),
                    delay(l, s.link_varies_over(a, b))
                );
            }
        }
    }

    let r = &s.replication;
    o.push_str("\nreplication:\n");
    let _ = writeln!(o, "  mode: {}", r.mode.name());
    let _ = writeln!(o, "  timestamps: {}", r.timestamps.name());
    let _ = writeln!(o, "  ordering: {}", r.ordering.name());
    let _ = writeln!(
        o,
        "  pipeline: {}",
        delay(&r.pipeline, r.pipeline_varies_over_ns)
    );
    if let Some(t) = r.throughput_per_s {
        let _ = writeln!(o, "  throughput: {}/s", number(t));
    }
    match &r.mode {
        Mode::ActiveActive => {}
        Mode::SinglePrimary(p) => {
            let _ = writeln!(o, "  primary: {}", name(p.primary));
            let _ = writeln!(
                o,
                "  secondary_writes: {}",
                match p.secondary_writes {
                    SecondaryWrites::Reject => "reject",
                    SecondaryWrites::Forward => "forward",
                }
            );
            let target = match p.failover.target {
                FailoverTarget::LeastLag => "least_lag".to_string(),
                FailoverTarget::Region(id) => name(id),
            };
            let _ = writeln!(
                o,
                "  failover: {{ detect: {}, promote: {}, target: {target} }}",
                duration(p.failover.detect_ns),
                duration(p.failover.promote_ns)
            );
        }
        Mode::Strong(st) => {
            if let Some(w) = st.witness {
                let _ = writeln!(o, "  witness: {}", name(w));
            }
        }
    }

    o.push_str("\ntables:\n");
    for t in &s.tables {
        let _ = writeln!(
            o,
            "  - {{ name: {}, kind: {}, keys: {} }}",
            quote(&t.name),
            t.kind.name(),
            t.keys
        );
    }

    if !s.workload.is_empty() {
        o.push_str("\nworkload:\n");
    }
    for w in &s.workload {
        let regions: Vec<String> = w.regions.iter().map(|&id| name(id)).collect();
        let _ = writeln!(o, "  - regions: [{}]", regions.join(", "));
        let table = s.tables.get(w.table).map_or("?", |t| t.name.as_str());
        let _ = writeln!(o, "    table: {}", quote(table));
        let _ = writeln!(o, "    rate: {}/s", number(w.rate_per_s));
        let _ = writeln!(
            o,
            "    arrival: {}",
            match w.arrival {
                Arrival::Poisson => "poisson",
                Arrival::Constant => "constant",
            }
        );
        let _ = writeln!(o, "    writes: {}", number(w.write_fraction));
        let access = match w.access {
            Access::Uniform => "uniform".to_string(),
            Access::Zipf(x) => format!("{{ zipf: {} }}", number(x)),
            Access::Hotspot { keys, share } => format!(
                "{{ hotspot: {{ keys: {}, share: {} }} }}",
                number(keys),
                number(share)
            ),
        };
        let _ = writeln!(o, "    access: {access}");
        let _ = writeln!(o, "    home_affinity: {}", number(w.home_affinity));
    }

    if !s.script.is_empty() {
        o.push_str("\nscript:\n");
    }
    for op in &s.script {
        let table = s.tables.get(op.table).map_or("?", |t| t.name.as_str());
        let _ = writeln!(
            o,
            "  - {{ at: {}, region: {}, table: {}, key: {}, op: {} }}",
            duration(op.at.ns()),
            name(op.region),
            quote(table),
            op.key,
            if op.is_write { "write" } else { "read" }
        );
    }

    if !s.faults.is_empty() {
        o.push_str("\nfaults:\n");
    }
    for f in &s.faults {
        let at = duration(f.at.ns());
        let length = f
            .length_ns
            .map(|l| format!(", for: {}", duration(l)))
            .unwrap_or_default();
        let line = match &f.kind {
            FaultKind::Partition { links } => {
                let between = links.len() == 2 && links[0] == (links[1].1, links[1].0);
                match links.first() {
                    Some(&(a, b)) if between => format!(
                        "partition: {{ between: [{}, {}], at: {at}{length} }}",
                        name(a),
                        name(b)
                    ),
                    Some(&(a, b)) => format!(
                        "partition: {{ from: {}, to: {}, at: {at}{length} }}",
                        name(a),
                        name(b)
                    ),
                    None => continue,
                }
            }
            FaultKind::Isolate { region } => {
                format!("isolate: {{ region: {}, at: {at}{length} }}", name(*region))
            }
            FaultKind::Outage { region, clients } => format!(
                "outage: {{ region: {}, at: {at}{length}, clients: {} }}",
                name(*region),
                match clients {
                    OutageClients::Fail => "fail",
                    OutageClients::Reroute => "reroute",
                }
            ),
            FaultKind::ClockStep { region, by_ns } => format!(
                "clock_step: {{ region: {}, at: {at}, by: {} }}",
                name(*region),
                signed(*by_ns)
            ),
            FaultKind::Switchover { to } => {
                format!("switchover: {{ to: {}, at: {at} }}", name(*to))
            }
            FaultKind::PauseReplication { region } => format!(
                "pause_replication: {{ region: {}, at: {at}{length} }}",
                name(*region)
            ),
            FaultKind::Slowdown { links, region, by } => {
                let target = match (region, links.first()) {
                    (Some(r), _) => format!("region: {}", name(*r)),
                    (None, Some(&(a, b)))
                        if links.len() == 2 && links[0] == (links[1].1, links[1].0) =>
                    {
                        format!("between: [{}, {}]", name(a), name(b))
                    }
                    (None, Some(&(a, b))) => format!("from: {}, to: {}", name(a), name(b)),
                    (None, None) => continue,
                };
                let by = match by {
                    Slowing::Add(d) => format!("add: {}", duration(*d)),
                    Slowing::Factor(f) => format!("factor: {}", number(*f)),
                };
                format!("slowdown: {{ {target}, at: {at}{length}, {by} }}")
            }
            FaultKind::EndpointOutage {
                region,
                clients,
                replication,
            } => format!(
                "endpoint_outage: {{ region: {}, at: {at}{length}, clients: {}, replication: {} }}",
                name(*region),
                clients.name(),
                replication.name()
            ),
        };
        let _ = writeln!(o, "  - {line}");
    }

    o.push_str("\noutput:\n");
    let _ = writeln!(o, "  bucket: {}", duration(s.bucket_ns));

    if !s.expect.is_empty() {
        o.push_str("\nexpect:\n");
        let line = |o: &mut String, indent: &str, e: &Expectation| {
            let _ = writeln!(
                o,
                "{indent}{}: \"{} {}\"",
                e.metric,
                e.op.symbol(),
                number(e.value)
            );
        };
        for e in s.expect.iter().filter(|e| e.mode.is_none()) {
            line(&mut o, "  ", e);
        }
        let mut modes: Vec<&str> = s.expect.iter().filter_map(|e| e.mode.as_deref()).collect();
        modes.dedup();
        for mode in modes {
            let _ = writeln!(o, "  {mode}:");
            for e in s.expect.iter().filter(|e| e.mode.as_deref() == Some(mode)) {
                line(&mut o, "    ", e);
            }
        }
    }
    o
}

/// A latency as a flow mapping.
/// A distribution, with `varies_over` beside it when the scenario gave
/// one (left out, it follows the run's ordering).
fn delay(l: &Latency, varies_over: Option<Nanos>) -> String {
    let text = latency(l);
    match varies_over {
        Some(v) => format!(
            "{}, varies_over: {} }}",
            text.strip_suffix(" }").unwrap_or(&text),
            duration(v)
        ),
        None => text,
    }
}

fn latency(l: &Latency) -> String {
    match l {
        Latency::Constant(v) => format!("{{ constant: {} }}", duration(*v)),
        Latency::Uniform { min, max } => format!(
            "{{ uniform: {{ min: {}, max: {} }} }}",
            duration(*min),
            duration(*max)
        ),
        Latency::Normal { mean, stddev } => format!(
            "{{ normal: {{ mean: {}, stddev: {} }} }}",
            duration(*mean),
            duration(*stddev)
        ),
        Latency::LogNormal { median, p99 } => format!(
            "{{ lognormal: {{ median: {}, p99: {} }} }}",
            duration(*median),
            duration(*p99)
        ),
        Latency::Exponential { mean } => {
            format!("{{ exponential: {{ mean: {} }} }}", duration(*mean))
        }
        Latency::Pareto { min, alpha } => format!(
            "{{ pareto: {{ min: {}, alpha: {} }} }}",
            duration(*min),
            number(*alpha)
        ),
        Latency::Percentiles(points) => {
            let names = [
                (0.0, "p0"),
                (0.5, "p50"),
                (0.9, "p90"),
                (0.99, "p99"),
                (1.0, "max"),
            ];
            let fields: Vec<String> = points
                .iter()
                .filter_map(|(q, v)| {
                    names
                        .iter()
                        .find(|(nq, _)| nq == q)
                        .map(|(_, n)| format!("{n}: {}", duration(*v)))
                })
                .collect();
            format!("{{ percentiles: {{ {} }} }}", fields.join(", "))
        }
    }
}

/// A duration in the largest unit that keeps it exact.
pub fn duration(ns: Nanos) -> String {
    for (unit, len) in super::units::UNITS.iter().rev() {
        if ns % len == 0 && (ns > 0 || *unit == "s") {
            return format!("{}{unit}", ns / len);
        }
    }
    format!("{ns}ns")
}

fn signed(ns: i64) -> String {
    if ns < 0 {
        format!("-{}", duration(ns.unsigned_abs()))
    } else {
        duration(ns as u64)
    }
}

/// The shortest text that parses back to the same number.
fn number(v: f64) -> String {
    format!("{v:?}")
}

/// A YAML double-quoted string.
fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if (c as u32) < 0x20 || c == '\u{7f}' => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            c if c.is_control() || matches!(c, '\u{2028}' | '\u{2029}' | '\u{feff}' | '\u{85}') => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_are_exact_and_readable() {
        assert_eq!(duration(0), "0s");
        assert_eq!(duration(300_000_000_000), "5m");
        assert_eq!(duration(1_500_000_000), "1500ms");
        assert_eq!(duration(7), "7ns");
        assert_eq!(signed(-2_000_000), "-2ms");
        assert_eq!(quote("a\"b\\c\n"), "\"a\\\"b\\\\c\\n\"");
    }
}
