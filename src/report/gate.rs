//! The gate's reports for CI: a JUnit XML file, a Markdown summary and a
//! JSON document, all made from the same list of checked runs
//! (`expect::Checked`: one per scenario under `run`, one per mode under
//! `compare`).
//!
//! - JUnit: a `<testsuite>` per checked run, named `scenario` or
//!   `scenario/mode`; its first `<testcase>` is the run itself (an
//!   `<error>` when it could not run, with the reason), then one per
//!   expectation (a `<failure>` whose message gives the condition, the
//!   actual value and the seed; `<skipped>` when the mode lacks the
//!   figure). No wall-clock times: the same runs give the same bytes.
//! - Markdown: per run, a table of the expectations and one of the main
//!   figures, for `$GITHUB_STEP_SUMMARY` or a merge request comment.
//! - JSON: every figure of every run (summary, regions, streams, faults) at its
//!   exact value, and the expectations' outcomes.
//!
//! Formatting only: nothing is run or written here.

use std::fmt::Write as _;

use serde_json::{json, Map, Value as Json};

use crate::metrics::figures::{self, Figure, Value};
use crate::report::expect::{readable, Checked, Outcome, Status};
use crate::report::format;

/// How a checked run came out as a whole.
fn verdict(c: &Checked) -> &'static str {
    if c.error.is_some() {
        "error"
    } else if c.left_out.is_some() {
        "left out"
    } else if c.failed() {
        "failed"
    } else {
        "passed"
    }
}

/// Text made safe for XML 1.0: the five special characters escaped, and
/// control characters XML cannot hold dropped.
pub(crate) fn xml(text: &str) -> String {
    let kept: String = text
        .chars()
        .filter(|&c| c >= ' ' || c == '\t' || c == '\n' || c == '\r')
        .collect();
    quick_xml::escape::escape(kept.as_str()).into_owned()
}

/// The failure message of a failed expectation: condition, actual value
/// and seed.
pub fn failure_message(c: &Checked, o: &Outcome) -> String {
    format!(
        "{} {}: actual {} (seed {})",
        o.name,
        o.condition,
        o.actual_text(),
        c.seed
    )
}

/// The JUnit XML file of `runs`; `command` names the whole (`replisim run`).
pub fn junit(command: &str, runs: &[Checked]) -> String {
    struct Counts {
        tests: usize,
        failures: usize,
        errors: usize,
        skipped: usize,
    }
    let counts = |c: &Checked| Counts {
        tests: 1 + c.outcomes.len(),
        failures: c.outcomes.iter().filter(|o| o.failed()).count(),
        errors: usize::from(c.error.is_some()),
        skipped: usize::from(c.left_out.is_some())
            + c.outcomes
                .iter()
                .filter(|o| matches!(o.status, Status::Skipped(_)))
                .count(),
    };
    let all: Vec<Counts> = runs.iter().map(counts).collect();
    let sum = |f: fn(&Counts) -> usize| all.iter().map(f).sum::<usize>();

    let mut o = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        o,
        "<testsuites name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\">",
        xml(command),
        sum(|c| c.tests),
        sum(|c| c.failures),
        sum(|c| c.errors),
        sum(|c| c.skipped)
    );
    for (c, n) in runs.iter().zip(&all) {
        let suite = c.name();
        let _ = writeln!(
            o,
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\">",
            xml(&suite),
            n.tests,
            n.failures,
            n.errors,
            n.skipped
        );
        o.push_str("    <properties>\n");
        for (name, value) in [
            ("scenario", c.scenario.clone()),
            ("mode", c.mode.clone()),
            ("seed", c.seed.to_string()),
            ("reproduce", c.reproduce.clone()),
        ] {
            let _ = writeln!(
                o,
                "      <property name=\"{name}\" value=\"{}\"/>",
                xml(&value)
            );
        }
        o.push_str("    </properties>\n");

        let case = |o: &mut String, name: &str| {
            let _ = write!(
                o,
                "    <testcase classname=\"replisim.{}\" name=\"{}\"",
                xml(&suite),
                xml(name)
            );
        };
        case(&mut o, "runs");
        match (&c.error, &c.left_out) {
            (None, None) => o.push_str("/>\n"),
            (None, Some(why)) => {
                let _ = writeln!(
                    o,
                    ">\n      <skipped message=\"{}\"/>\n    </testcase>",
                    xml(&format!("left out: {why}"))
                );
            }
            (Some(why), _) => {
                let _ = writeln!(
                    o,
                    ">\n      <error type=\"not run\" message=\"{}\">{}\nreproduce: {}</error>\n    </testcase>",
                    xml(&format!("could not run (seed {}): {why}", c.seed)),
                    xml(why),
                    xml(&c.reproduce)
                );
            }
        }
        for out in &c.outcomes {
            case(&mut o, &format!("{} {}", out.name, out.condition));
            match &out.status {
                Status::Held => o.push_str("/>\n"),
                Status::Failed => {
                    let _ = writeln!(
                        o,
                        ">\n      <failure type=\"expectation\" message=\"{}\">{}\nreproduce: {}</failure>\n    </testcase>",
                        xml(&failure_message(c, out)),
                        xml(&crate::report::expect::line(out)),
                        xml(&c.reproduce)
                    );
                }
                Status::Skipped(why) => {
                    let _ = writeln!(
                        o,
                        ">\n      <skipped message=\"{}\"/>\n    </testcase>",
                        xml(why)
                    );
                }
            }
        }
        o.push_str("  </testsuite>\n");
    }
    o.push_str("</testsuites>\n");
    o
}

/// The figures a Markdown summary shows for every run, then the run's
/// mode's own (those `figures::SUMMARY` marks with its mode).
const MAIN_FIGURES: &[&str] = &[
    "writes",
    "lost_writes",
    "lost_write_rate",
    "conflicts",
    "stale_reads",
    "stale_read_rate",
    "lag_p50_ms",
    "lag_p99_ms",
    "converged",
];

/// Text made safe for one Markdown table cell.
fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

/// The Markdown summary of `runs`, for `$GITHUB_STEP_SUMMARY`.
pub fn markdown(command: &str, runs: &[Checked]) -> String {
    let outcomes: Vec<&Outcome> = runs.iter().flat_map(|c| &c.outcomes).collect();
    let held = outcomes.iter().filter(|o| o.status == Status::Held).count();
    let failed = outcomes.iter().filter(|o| o.failed()).count();
    let not_run = runs.iter().filter(|c| c.error.is_some()).count();
    let mut o = format!("## {command}\n\n");
    let _ = write!(
        o,
        "{} run{}, {held} expectation{} held, {failed} failed",
        runs.len(),
        if runs.len() == 1 { "" } else { "s" },
        if held == 1 { "" } else { "s" },
    );
    if not_run > 0 {
        let _ = write!(o, ", {not_run} could not run");
    }
    o.push_str(".\n");

    for c in runs {
        let mark = match verdict(c) {
            "passed" => "✅",
            "failed" => "❌",
            "left out" => "➖",
            _ => "⚠️",
        };
        let _ = write!(
            o,
            "\n### {mark} {} ({}, seed {})\n\n",
            cell(&c.name()),
            c.mode,
            c.seed
        );
        if let Some(why) = &c.error {
            let _ = writeln!(o, "Could not run: {}\n", cell(why));
        }
        if let Some(why) = &c.left_out {
            let _ = writeln!(o, "Left out: {}\n", cell(why));
        }
        if !c.outcomes.is_empty() {
            o.push_str("| expectation | actual | result |\n|---|---|---|\n");
            for out in &c.outcomes {
                let result = match &out.status {
                    Status::Held => "✅ held".to_string(),
                    Status::Failed => "❌ failed".to_string(),
                    Status::Skipped(why) => format!("skipped: {why}"),
                };
                let _ = writeln!(
                    o,
                    "| `{} {}` | {} | {} |",
                    cell(&out.name),
                    cell(&out.condition),
                    cell(&out.actual_text()),
                    cell(&result)
                );
            }
            o.push('\n');
        }
        if let Some(result) = &c.result {
            o.push_str("| figure | value |\n|---|---|\n");
            let shown = figures::SUMMARY.iter().filter(|f| {
                MAIN_FIGURES.contains(&f.name) || (!f.modes.is_empty() && f.in_mode(&c.mode))
            });
            for f in shown {
                let _ = writeln!(
                    o,
                    "| {} | {} |",
                    cell(f.label),
                    cell(&readable(&(f.get)(&result.summary), None))
                );
            }
            o.push('\n');
        }
        let _ = writeln!(o, "Reproduce: `{}`", c.reproduce);
    }
    o
}

/// A figure's value as JSON: counts as integers, times and rates as the
/// floating-point value itself, a histogram percentile to the digits the
/// histogram resolved (as in the CSV files).
fn json_value(v: Value) -> Json {
    match v {
        Value::Text(s) => Json::String(s),
        Value::Count(n) => json!(n),
        Value::Quantile(_) => json!(format::csv(&v).parse::<f64>().unwrap_or(0.0)),
        Value::Ms(x) | Value::Secs(x) | Value::Rate(x) => json!(x),
        Value::Nanos(ns) => json!(ns as f64 / 1e6),
        Value::Bool(b) => Json::Bool(b),
        Value::Empty => Json::Null,
    }
}

/// One result row as a JSON object, its columns in CSV order.
fn row<T>(table: &[Figure<T>], r: &T) -> Json {
    let mut m = Map::new();
    for f in table {
        m.insert(f.name.to_string(), json_value((f.get)(r)));
    }
    Json::Object(m)
}

/// One `faults.csv` row as a JSON object: a figure that does not apply is
/// `null`.
fn fault_row(r: &crate::metrics::result::FaultRow) -> Json {
    let mut m = Map::new();
    for f in figures::FAULTS {
        m.insert(
            f.name.to_string(),
            (f.get)(r).map_or(Json::Null, json_value),
        );
    }
    Json::Object(m)
}

/// The JSON document of `runs`: one object, for scripts.
pub fn json(command: &str, exit_code: i32, runs: &[Checked]) -> String {
    let runs: Vec<Json> = runs
        .iter()
        .map(|c| {
            let expectations: Vec<Json> = c
                .outcomes
                .iter()
                .map(|o| {
                    let (status, reason) = match &o.status {
                        Status::Held => ("held", o.missing.clone()),
                        Status::Failed => ("failed", o.missing.clone()),
                        Status::Skipped(why) => ("skipped", Some(why.clone())),
                    };
                    json!({
                        "name": o.name,
                        "condition": o.condition,
                        "actual": o.actual.clone().map(json_value),
                        "actual_text": o.actual_text(),
                        "status": status,
                        "reason": reason,
                    })
                })
                .collect();
            let (summary, regions, links, faults) = match &c.result {
                Some(r) => (
                    row(figures::SUMMARY, &r.summary),
                    Json::Array(r.regions.iter().map(|x| row(figures::REGIONS, x)).collect()),
                    Json::Array(r.links.iter().map(|x| row(figures::LINKS, x)).collect()),
                    Json::Array(r.fault_rows.iter().map(fault_row).collect()),
                ),
                None => (Json::Null, Json::Null, Json::Null, Json::Null),
            };
            json!({
                "name": c.name(),
                "scenario": c.scenario,
                "mode": c.mode,
                "seed": c.seed,
                "status": verdict(c),
                "error": c.error,
                "left_out": c.left_out,
                "reproduce": c.reproduce,
                "expectations": expectations,
                "summary": summary,
                "regions": regions,
                "links": links,
                "faults": faults,
            })
        })
        .collect();
    let doc = json!({
        "command": command,
        "exit_code": exit_code,
        "runs": runs,
    });
    let mut text = serde_json::to_string_pretty(&doc).expect("JSON values always serialize");
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xml_text_is_escaped_and_cleaned() {
        assert_eq!(
            xml("a<b & \"c\" 'd'>\u{1}\n"),
            "a&lt;b &amp; &quot;c&quot; &apos;d&apos;&gt;\n"
        );
    }

    #[test]
    fn markdown_cells_cannot_break_the_table() {
        assert_eq!(cell("a|b\nc"), "a\\|b c");
    }
}
