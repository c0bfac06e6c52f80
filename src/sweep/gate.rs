//! A sweep's reports for CI: the JUnit XML file, the Markdown summary and
//! the JSON document of `sweep --junit`, `--summary-md` and `--format
//! json`, the same three `run` and `compare` write (see `report::gate`).
//!
//! - JUnit: a `<testsuite>` per variant, named `scenario/<variant>`
//!   (`user-profiles/workload.0.home_affinity=0.9`); its first test case
//!   `runs` is the variant's runs, then one per expectation, a
//!   `<failure>` where the variant does not meet it, whose message gives
//!   the condition, the actual value and the seeds. A sweep that could not
//!   run gives one suite whose `runs` case is an `<error>`. No wall-clock
//!   times: the same sweep gives the same bytes.
//! - Markdown: the expectations (each with the variants that failed it)
//!   and the table of means ± interval.
//! - JSON: every figure of every variant (mean, sd, interval) and each
//!   expectation's outcome per variant.
//!
//! Formatting only.

use std::fmt::Write as _;

use serde_json::{json, Map, Value as Json};

use super::expect::{SweepExpect, SweepOutcome};
use super::plan::{self, Plan, Variant};
use super::record::PlanRecord;
use super::stats::Estimate;
use super::tables::{figure_names, VariantFigures};
use super::text;
use crate::report::format::significant;
use crate::report::gate::xml;

/// What the reports are made of.
pub struct SweepGate<'a> {
    pub record: &'a PlanRecord,
    pub figures: &'a [VariantFigures],
    /// The figures of the Markdown table.
    pub shown: &'a [&'static str],
    pub outcomes: &'a [SweepOutcome],
    /// The command that repeats the sweep.
    pub reproduce: &'a str,
}

/// A value as people read it: three significant digits, more where needed.
fn num(x: f64) -> String {
    significant(x, None)
}

/// The part of an estimate a condition reads (as `expect` checks it).
fn part(e: &Estimate, x: &SweepExpect) -> f64 {
    match x.part {
        "sd" => e.sd.unwrap_or(0.0),
        "ci_low" => e.ci.map_or(e.mean, |c| c.0),
        "ci_high" => e.ci.map_or(e.mean, |c| c.1),
        _ => e.mean,
    }
}

/// The seeds of a variant's runs: `10 seeds (1, 8391..., ...)`.
fn seeds_text(record: &PlanRecord) -> String {
    let seeds: Vec<String> = (0..record.seeds.min(5))
        .map(|i| plan::replication_seed(record.seed, i).to_string())
        .collect();
    let more = if record.seeds > 5 { ", ..." } else { "" };
    format!(
        "{} seed{} ({}{more}; replication i's seed from seed {} and i)",
        record.seeds,
        if record.seeds == 1 { "" } else { "s" },
        seeds.join(", "),
        record.seed
    )
}

impl SweepGate<'_> {
    fn plan(&self) -> Plan {
        self.record.plan()
    }

    /// A variant's suite name.
    fn suite(&self, plan: &Plan, v: &Variant) -> String {
        if plan.dims.is_empty() && plan.modes.is_empty() {
            self.record.name.clone()
        } else {
            format!("{}/{}", self.record.name, plan.label(v))
        }
    }

    /// Whether `o` failed for variant `v`, and the value it read there.
    fn outcome_at(&self, o: &SweepOutcome, f: &VariantFigures) -> Option<(bool, f64)> {
        let e = f.get(o.expect.figure)?;
        let failed = o.failed.iter().any(|(v, _)| *v == f.variant);
        Some((failed, part(e, &o.expect)))
    }

    /// The JUnit XML file.
    pub fn junit(&self) -> String {
        let plan = self.plan();
        let variants = plan.variants();
        let suites: Vec<(String, Vec<Case>)> = self
            .figures
            .iter()
            .map(|f| {
                let label = plan.label(&variants[f.variant]);
                let mut cases = vec![Case {
                    name: "runs".into(),
                    failure: None,
                    error: None,
                }];
                for o in self.outcomes {
                    let Some((failed, actual)) = self.outcome_at(o, f) else {
                        continue;
                    };
                    let failure = failed.then(|| {
                        (
                            format!(
                                "{} {}: actual {} ({label}; {})",
                                o.expect.name,
                                o.expect.condition,
                                num(actual),
                                seeds_text(self.record)
                            ),
                            format!(
                                "expect {} {}: FAILED: actual {}\nvariant: {label}\nseeds: {}",
                                o.expect.name,
                                o.expect.condition,
                                num(actual),
                                seeds_text(self.record)
                            ),
                        )
                    });
                    cases.push(Case {
                        name: format!("{} {}", o.expect.name, o.expect.condition),
                        failure,
                        error: None,
                    });
                }
                (self.suite(&plan, &variants[f.variant]), cases)
            })
            .collect();
        junit_xml(
            "replisim sweep",
            &suites,
            &[
                ("scenario", self.record.name.clone()),
                ("seeds", seeds_text(self.record)),
                ("plan_hash", self.record.plan_hash.clone()),
                ("reproduce", self.reproduce.to_string()),
            ],
            self.reproduce,
        )
    }

    /// The Markdown summary.
    pub fn markdown(&self) -> String {
        let plan = self.plan();
        let variants = plan.variants();
        let failed: usize = self.outcomes.iter().map(|o| o.failed.len()).sum();
        let checks: usize = self.outcomes.iter().map(|o| o.variants).sum();
        let mut o = String::from("## replisim sweep\n\n");
        let _ = writeln!(
            o,
            "{} {}: {} variant{} × {}; {} of {checks} expectation check{} held, {failed} failed.",
            if failed == 0 { "✅" } else { "❌" },
            cell(&self.record.name),
            self.record.variants,
            if self.record.variants == 1 { "" } else { "s" },
            seeds_text(self.record),
            checks - failed,
            if checks == 1 { "" } else { "s" },
        );
        if !self.outcomes.is_empty() {
            o.push_str("\n| expectation | variants | result |\n|---|---|---|\n");
            for out in self.outcomes {
                let result = if out.failed.is_empty() {
                    "✅ held".to_string()
                } else {
                    let shown: Vec<String> = out
                        .failed
                        .iter()
                        .take(5)
                        .map(|(v, x)| format!("{} ({})", plan.label(&variants[*v]), num(*x)))
                        .collect();
                    let more = if out.failed.len() > 5 {
                        format!(" and {} more", out.failed.len() - 5)
                    } else {
                        String::new()
                    };
                    format!("❌ failed for {}{more}", shown.join("; "))
                };
                let _ = writeln!(
                    o,
                    "| `{} {}` | {} | {} |",
                    cell(&out.expect.name),
                    cell(&out.expect.condition),
                    out.variants,
                    cell(&result)
                );
            }
        }
        let rows = text::cells(&plan, &variants, self.figures, self.shown);
        let _ = writeln!(o, "\nMean ± half the 95% interval over the seeds:\n");
        for (i, r) in rows.iter().enumerate() {
            let _ = writeln!(
                o,
                "| {} |",
                r.iter().map(|c| cell(c)).collect::<Vec<_>>().join(" | ")
            );
            if i == 0 {
                let _ = writeln!(o, "|{}", "---|".repeat(r.len()));
            }
        }
        let _ = writeln!(o, "\nReproduce: `{}`", self.reproduce);
        o
    }

    /// The JSON document.
    pub fn json(&self, exit_code: i32) -> String {
        let plan = self.plan();
        let variants = plan.variants();
        let names = figure_names();
        let list: Vec<Json> = self
            .figures
            .iter()
            .map(|f| {
                let v = &variants[f.variant];
                let mut values = Map::new();
                for (d, &i) in plan.dims.iter().zip(&v.values) {
                    values.insert(d.path.clone(), Json::String(d.values[i].clone()));
                }
                let mut figs = Map::new();
                for (n, e) in names.iter().zip(&f.estimates) {
                    figs.insert(
                        n.to_string(),
                        json!({
                            "n": e.n,
                            "mean": number(e.mean),
                            "sd": e.sd.map(number),
                            "ci_low": e.ci.map(|c| number(c.0)),
                            "ci_high": e.ci.map(|c| number(c.1)),
                        }),
                    );
                }
                let expectations: Vec<Json> = self
                    .outcomes
                    .iter()
                    .filter_map(|o| {
                        let (failed, actual) = self.outcome_at(o, f)?;
                        Some(json!({
                            "name": o.expect.name,
                            "condition": o.expect.condition,
                            "actual": number(actual),
                            "status": if failed { "failed" } else { "held" },
                        }))
                    })
                    .collect();
                json!({
                    "variant": f.variant,
                    "label": plan.label(v),
                    "values": Json::Object(values),
                    "mode": f.mode,
                    "figures": Json::Object(figs),
                    "expectations": expectations,
                })
            })
            .collect();
        let expectations: Vec<Json> = self
            .outcomes
            .iter()
            .map(|o| {
                json!({
                    "name": o.expect.name,
                    "condition": o.expect.condition,
                    "status": if o.failed.is_empty() { "held" } else { "failed" },
                    "failed_variants": o.failed.iter().map(|(v, _)| *v).collect::<Vec<_>>(),
                })
            })
            .collect();
        let seeds: Vec<u64> = (0..self.record.seeds)
            .map(|i| plan::replication_seed(self.record.seed, i))
            .collect();
        let doc = json!({
            "command": "replisim sweep",
            "exit_code": exit_code,
            "scenario": self.record.name,
            "plan_hash": self.record.plan_hash,
            "seeds": seeds,
            "reproduce": self.reproduce,
            "expectations": expectations,
            "variants": list,
        });
        let mut text = serde_json::to_string_pretty(&doc).expect("JSON values always serialize");
        text.push('\n');
        text
    }
}

/// The reports of a sweep that could not run: one suite whose `runs` case
/// is an error giving the reason.
pub fn error_reports(name: &str, why: &str, reproduce: &str) -> (String, String, String) {
    let junit = junit_xml(
        "replisim sweep",
        &[(
            name.to_string(),
            vec![Case {
                name: "runs".into(),
                failure: None,
                error: Some(why.to_string()),
            }],
        )],
        &[
            ("scenario", name.to_string()),
            ("reproduce", reproduce.to_string()),
        ],
        reproduce,
    );
    let md = format!(
        "## replisim sweep\n\n⚠️ {}: could not run: {}\n\nReproduce: `{reproduce}`\n",
        cell(name),
        cell(why)
    );
    let doc = json!({
        "command": "replisim sweep",
        "exit_code": crate::cli::EXIT_ERROR,
        "scenario": name,
        "error": why,
        "reproduce": reproduce,
    });
    let mut json = serde_json::to_string_pretty(&doc).expect("JSON values always serialize");
    json.push('\n');
    (junit, md, json)
}

/// A test case: its name, and a failure (message, text) or an error.
struct Case {
    name: String,
    failure: Option<(String, String)>,
    error: Option<String>,
}

/// The XML of suites of cases; every suite carries `properties`.
fn junit_xml(
    command: &str,
    suites: &[(String, Vec<Case>)],
    properties: &[(&str, String)],
    reproduce: &str,
) -> String {
    let count = |cs: &[Case], f: fn(&Case) -> bool| cs.iter().filter(|c| f(c)).count();
    let total = |f: fn(&Case) -> bool| suites.iter().map(|(_, cs)| count(cs, f)).sum::<usize>();
    let mut o = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        o,
        "<testsuites name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"0\">",
        xml(command),
        total(|_| true),
        total(|c| c.failure.is_some()),
        total(|c| c.error.is_some()),
    );
    for (suite, cases) in suites {
        let _ = writeln!(
            o,
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"0\">",
            xml(suite),
            cases.len(),
            count(cases, |c| c.failure.is_some()),
            count(cases, |c| c.error.is_some()),
        );
        o.push_str("    <properties>\n");
        for (name, value) in properties {
            let _ = writeln!(
                o,
                "      <property name=\"{name}\" value=\"{}\"/>",
                xml(value)
            );
        }
        o.push_str("    </properties>\n");
        for case in cases {
            let _ = write!(
                o,
                "    <testcase classname=\"replisim.{}\" name=\"{}\"",
                xml(suite),
                xml(&case.name)
            );
            match (&case.failure, &case.error) {
                (None, None) => o.push_str("/>\n"),
                (_, Some(why)) => {
                    let _ = writeln!(
                        o,
                        ">\n      <error type=\"not run\" message=\"{}\">{}\nreproduce: {}</error>\n    </testcase>",
                        xml(&format!("could not run: {why}")),
                        xml(why),
                        xml(reproduce)
                    );
                }
                (Some((message, body)), None) => {
                    let _ = writeln!(
                        o,
                        ">\n      <failure type=\"expectation\" message=\"{}\">{}\nreproduce: {}</failure>\n    </testcase>",
                        xml(message),
                        xml(body),
                        xml(reproduce)
                    );
                }
            }
        }
        o.push_str("  </testsuite>\n");
    }
    o.push_str("</testsuites>\n");
    o
}

/// A finite number as JSON, else null.
fn number(x: f64) -> Json {
    if x.is_finite() {
        json!(x)
    } else {
        Json::Null
    }
}

/// Text made safe for one Markdown table cell.
fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}
