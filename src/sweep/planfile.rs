//! A sweep's plan written as a YAML file:
//!
//! ```yaml
//! scenario: user-profiles          # a bundled name, or a file beside this one
//! seeds: 20
//! seed: 7                          # optional: the replications' seeds come from it
//! set: { duration: 60s }           # optional: --set for every variant
//! vary:
//!   workload.0.home_affinity: [0.5, 0.8, 0.9, 0.95, 0.99]
//!   regions.eu-west-1.clock.offset: 0ms..500ms:100ms
//! modes: [active_active, strong]   # optional
//! figures: [lost_write_rate, lag_p99_ms]
//! expect:
//!   lost_write_rate.ci_high: "< 0.05"
//! ```
//!
//! Read from the same positioned YAML tree as scenarios, so every error is
//! one line `file:line:column: field: what is wrong; what is allowed`.

use std::path::Path;

use super::expect::{self, SweepExpect};
use super::plan::{self, Dimension};
use crate::scenario::node::{self, Kind, Node, Pos};

/// The top-level fields of a plan file.
pub const FIELDS: &[&str] = &[
    "scenario", "seeds", "seed", "set", "vary", "modes", "figures", "expect",
];

/// A plan file, read.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PlanFile {
    /// The scenario: a bundled name, or a path resolved beside the file.
    pub scenario: String,
    pub seeds: Option<u32>,
    pub seed: Option<u64>,
    /// As `--set` arguments.
    pub sets: Vec<String>,
    /// Each dimension, and where each of its values is written
    /// (`file:line:column: vary.<path>`), for errors about a value.
    pub vary: Vec<(Dimension, Vec<String>)>,
    pub modes: Vec<String>,
    pub figures: Vec<String>,
    pub expect: Vec<SweepExpect>,
}

/// Whether `text` is a plan file rather than a scenario: a mapping with a
/// top-level `scenario` field.
pub fn is_plan(text: &str) -> bool {
    matches!(node::parse(text), Ok(Some(tree)) if tree.get("scenario").is_some())
}

fn at(origin: &str, pos: Pos, path: &str, message: impl AsRef<str>) -> String {
    let place = match pos {
        Pos::File { line, col } => format!("{origin}:{line}:{col}"),
        Pos::Set(_) => origin.to_string(),
    };
    if path.is_empty() {
        format!("{place}: {}", message.as_ref())
    } else {
        format!("{place}: {path}: {}", message.as_ref())
    }
}

fn scalar<'a>(n: &'a Node, origin: &str, path: &str) -> Result<&'a str, String> {
    match &n.kind {
        Kind::Scalar { text, .. } if !n.is_null() => Ok(text.as_str()),
        _ => Err(at(
            origin,
            n.pos,
            path,
            format!("expected a single value, found {}", n.describe()),
        )),
    }
}

/// The items of a list, or of a single value as a list of one.
fn items(n: &Node) -> Vec<&Node> {
    match &n.kind {
        Kind::Seq(items) => items.iter().collect(),
        _ => vec![n],
    }
}

fn whole<T: std::str::FromStr>(
    n: &Node,
    origin: &str,
    path: &str,
    low: u64,
    high: u64,
) -> Result<T, String> {
    let text = scalar(n, origin, path)?;
    text.trim()
        .parse::<u64>()
        .ok()
        .filter(|v| (low..=high).contains(v))
        .and_then(|v| v.to_string().parse::<T>().ok())
        .ok_or_else(|| {
            at(
                origin,
                n.pos,
                path,
                format!(
                    "'{}' is not a whole number from {low} to {high}",
                    node::shorten(text)
                ),
            )
        })
}

/// Reads a plan file's text; `origin` names it in errors, `dir` is its
/// folder (a scenario path is taken beside it).
pub fn parse(text: &str, origin: &str, dir: &Path) -> Result<PlanFile, String> {
    let tree = match node::parse(text) {
        Ok(Some(tree)) => tree,
        Ok(None) => {
            return Err(format!(
                "{origin}: empty file; a plan needs at least scenario"
            ))
        }
        Err(e) => {
            return Err(match e.pos {
                Some(Pos::File { line, col }) => format!("{origin}:{line}:{col}: {}", e.message),
                _ => format!("{origin}: {}", e.message),
            })
        }
    };
    let Kind::Map(entries) = &tree.kind else {
        return Err(at(
            origin,
            tree.pos,
            "",
            "a plan is a mapping of fields: scenario, seeds, vary, ...",
        ));
    };
    let mut plan = PlanFile::default();
    let mut saw_scenario = false;
    for e in entries {
        let v = &e.value;
        let key = e.key.as_str();
        match key {
            "scenario" => {
                let s = scalar(v, origin, key)?;
                let beside = dir.join(s);
                plan.scenario = if Path::new(s).is_relative() && beside.exists() {
                    beside.display().to_string()
                } else {
                    s.to_string()
                };
                saw_scenario = true;
            }
            "seeds" => plan.seeds = Some(whole(v, origin, key, 1, 1_000_000)?),
            "seed" => plan.seed = Some(whole(v, origin, key, 0, u64::MAX)?),
            "set" => {
                let Kind::Map(sets) = &v.kind else {
                    return Err(at(
                        origin,
                        v.pos,
                        key,
                        "expected a mapping of paths to values, such as { duration: 60s }",
                    ));
                };
                for s in sets {
                    let path = format!("set.{}", s.key);
                    plan.sets
                        .push(format!("{}={}", s.key, scalar(&s.value, origin, &path)?));
                }
            }
            "vary" => {
                let Kind::Map(dims) = &v.kind else {
                    return Err(at(
                        origin,
                        v.pos,
                        key,
                        "expected a mapping of paths to values, such as { workload.0.home_affinity: [0.5, 0.9] }",
                    ));
                };
                for d in dims {
                    let path = format!("vary.{}", d.key);
                    let mut values = Vec::new();
                    let mut origins = Vec::new();
                    for item in items(&d.value) {
                        let text = scalar(item, origin, &path)?;
                        let one = plan::parse_vary(&format!("{}={text}", d.key)).map_err(|m| {
                            at(
                                origin,
                                item.pos,
                                &path,
                                m.split_once(": ").map_or(m.as_str(), |x| x.1),
                            )
                        })?;
                        for value in one.values {
                            if values.contains(&value) {
                                return Err(at(
                                    origin,
                                    item.pos,
                                    &path,
                                    format!("the value {value} is listed twice"),
                                ));
                            }
                            origins.push(
                                at(origin, item.pos, &path, "")
                                    .trim_end_matches(": ")
                                    .to_string(),
                            );
                            values.push(value);
                        }
                    }
                    if values.is_empty() {
                        return Err(at(
                            origin,
                            d.value.pos,
                            &path,
                            "no values; give at least one",
                        ));
                    }
                    if plan.vary.iter().any(|(x, _)| x.path == d.key) {
                        return Err(at(origin, d.key_pos, &path, "the path is varied twice"));
                    }
                    plan.vary.push((
                        Dimension {
                            path: d.key.clone(),
                            values,
                        },
                        origins,
                    ));
                }
            }
            "modes" | "figures" => {
                let mut list = Vec::new();
                for item in items(v) {
                    list.push(scalar(item, origin, key)?.to_string());
                }
                if key == "modes" {
                    plan.modes = list;
                } else {
                    plan.figures = list;
                }
            }
            "expect" => {
                let Kind::Map(conds) = &v.kind else {
                    return Err(at(origin, v.pos, key, "expected a mapping of figures to conditions, such as { lost_write_rate.ci_high: \"< 0.05\" }"));
                };
                for c in conds {
                    let path = format!("expect.{}", c.key);
                    let text = scalar(&c.value, origin, &path)?;
                    plan.expect.push(
                        expect::parse(&c.key, text)
                            .map_err(|m| at(origin, c.value.pos, &path, m))?,
                    );
                }
            }
            other => {
                return Err(at(
                    origin,
                    e.key_pos,
                    "",
                    crate::scenario::unknown_name("field", other, FIELDS, "a plan's fields are"),
                ))
            }
        }
    }
    if !saw_scenario {
        return Err(format!(
            "{origin}: scenario: missing; name the scenario the plan varies"
        ));
    }
    Ok(plan)
}

#[cfg(test)]
mod tests {
    use super::*;

    const PLAN: &str = "\
scenario: user-profiles
seeds: 4
set: { duration: 20s }
vary:
  workload.0.home_affinity: [0.5, 0.9]
  replication.timestamps: wall,hlc
  regions.eu-west-1.clock.offset: 0ms..100ms:50ms
modes: [active_active]
figures: [lost_write_rate]
expect:
  lost_write_rate.ci_high: \"< 0.05\"
";

    #[test]
    fn reads_every_field() {
        assert!(is_plan(PLAN));
        assert!(!is_plan("name: x\nregions: []\n"));
        let p = parse(PLAN, "a.yaml", Path::new(".")).unwrap();
        assert_eq!(p.scenario, "user-profiles");
        assert_eq!(p.seeds, Some(4));
        assert_eq!(p.sets, ["duration=20s"]);
        assert_eq!(p.vary.len(), 3);
        assert_eq!(p.vary[0].0.values, ["0.5", "0.9"]);
        assert_eq!(p.vary[0].1[1], "a.yaml:5:35: vary.workload.0.home_affinity");
        assert_eq!(p.vary[1].0.values, ["wall", "hlc"]);
        assert_eq!(p.vary[2].0.values, ["0ms", "50ms", "100ms"]);
        assert_eq!(p.modes, ["active_active"]);
        assert_eq!(p.expect[0].part, "ci_high");
    }

    #[test]
    fn errors_have_line_and_column() {
        let e = |text: &str| parse(text, "a.yaml", Path::new(".")).unwrap_err();
        assert_eq!(
            e("scenario: x\nvary:\n  a: 1..0:1\n"),
            "a.yaml:3:6: vary.a: the range 1..0:1 is empty: it ends below its start"
        );
        assert_eq!(
            e("scenario: x\nseeds: 0\n"),
            "a.yaml:2:8: seeds: '0' is not a whole number from 1 to 1000000"
        );
        assert!(e("scenario: x\nvari: {}\n")
            .starts_with("a.yaml:2:1: unknown field 'vari'; did you mean 'vary'?"));
        assert!(e("seeds: 3\n").contains("scenario: missing"));
        assert!(
            e("scenario: x\nexpect: { lost_write_rat.ci_high: '< 1' }\n")
                .starts_with("a.yaml:2:35: expect.lost_write_rat.ci_high: unknown sweep figure")
        );
        assert_eq!(
            e("scenario: x\nvary:\n  a: [1, 1]\n"),
            "a.yaml:3:10: vary.a: the value 1 is listed twice"
        );
    }
}
