//! `expect:` conditions checked against a finished run.
//!
//! `check` reads each expectation's figure from the run's result through
//! the one table of figures (`metrics::figures`), compares the exact value
//! and returns an outcome per expectation; `line` prints one as the
//! terminal shows it, with the value at the precision it has (`readable`).
//! The outcomes feed the terminal, the JUnit file, the Markdown summary and
//! the JSON document alike, for `run`, `compare` and anything else that
//! checks a result (a sweep's variant passes its own figures).
//! Formatting only: nothing runs, nothing is written.

use crate::metrics::figures::{self, Figure, Value};
use crate::metrics::result::RunResult;
use crate::report::format::{count, significant};
use crate::scenario::{CompareOp, Expectation, Target};

/// One run's place in a gate: a scenario under `run`, one mode under
/// `compare` (a sweep's variant would be one too), with its expectations'
/// outcomes, or the reason it could not run. The JUnit file, the Markdown
/// summary and the JSON document are made from a list of these.
#[derive(Clone, Debug)]
pub struct Checked {
    pub scenario: String,
    /// The mode it ran in (or would have).
    pub mode: String,
    /// `compare` runs one scenario under several modes: each is then named
    /// `scenario/mode`.
    pub per_mode: bool,
    pub seed: u64,
    /// The figures, when it ran.
    pub result: Option<RunResult>,
    /// Why it could not run, when it did not.
    pub error: Option<String>,
    /// Why it was left out on purpose (`compare --skip-unrunnable`).
    pub left_out: Option<String>,
    pub outcomes: Vec<Outcome>,
    /// The command that reruns it.
    pub reproduce: String,
}

impl Checked {
    /// `scenario`, or `scenario/mode` under `compare`.
    pub fn name(&self) -> String {
        if self.per_mode {
            format!("{}/{}", self.scenario, self.mode)
        } else {
            self.scenario.clone()
        }
    }

    pub fn failed(&self) -> bool {
        any_failed(&self.outcomes)
    }
}

/// How an expectation came out.
#[derive(Clone, Debug, PartialEq)]
pub enum Status {
    Held,
    Failed,
    /// Not checked, and why: the mode does not produce the figure, or the
    /// run has no such stream. Not a failure.
    Skipped(String),
}

/// One expectation's outcome.
#[derive(Clone, Debug, PartialEq)]
pub struct Outcome {
    /// The name with its mode, as written: `strong.lost_writes`.
    pub name: String,
    /// The condition: `< 0.01`.
    pub condition: String,
    /// The condition's number.
    pub bound: f64,
    /// The exact value the condition was checked on, if it was read.
    pub actual: Option<Value>,
    /// Why the figure could not be read (a stream absent from the run).
    pub missing: Option<String>,
    pub status: Status,
}

impl Outcome {
    pub fn failed(&self) -> bool {
        self.status == Status::Failed
    }

    /// The actual value for people (see `readable`), or what was missing
    /// (or, for a lower bound, what it is at least).
    pub fn actual_text(&self) -> String {
        match (&self.actual, &self.missing) {
            (Some(v), _) => readable(v, Some(self.bound)),
            (None, Some(why)) => why.clone(),
            (None, None) => "-".into(),
        }
    }
}

/// Check the expectations that apply to a run of `mode`. `shared` says the
/// run is one of several modes of one scenario (`compare`): a top-level
/// expectation whose figure the mode lacks is then skipped, not failed.
pub fn check(expect: &[Expectation], mode: &str, result: &RunResult, shared: bool) -> Vec<Outcome> {
    expect
        .iter()
        .filter(|e| e.mode.as_deref().is_none_or(|m| m == mode))
        .map(|e| check_one(e, mode, result, shared))
        .collect()
}

fn check_one(e: &Expectation, mode: &str, result: &RunResult, shared: bool) -> Outcome {
    let mut out = Outcome {
        name: e.full_name(),
        condition: e.condition(),
        bound: e.value,
        actual: None,
        missing: None,
        status: Status::Failed,
    };
    let read = read(&e.target, mode, result);
    match read {
        Read::Value(v) => {
            // `converged: true` reads `converged == true`, not `== 1`.
            if let (Value::Bool(_), CompareOp::Eq, 0.0 | 1.0) = (&v, e.op, e.value) {
                out.condition = format!("== {}", e.value == 1.0);
            }
            let holds = v.number().is_some_and(|x| e.op.holds(x, e.value));
            out.status = if holds { Status::Held } else { Status::Failed };
            out.actual = Some(v);
        }
        Read::AtLeast(v) => {
            // A time the run ended before: only a lower bound. A condition
            // is known to hold only if it holds for every value above it.
            let holds = v.number().is_some_and(|x| {
                matches!(e.op, CompareOp::Gt | CompareOp::Ge) && e.op.holds(x, e.value)
            });
            out.status = if holds { Status::Held } else { Status::Failed };
            out.missing = Some(format!(
                "≥ {} (the run ended first)",
                readable(&v, Some(e.value))
            ));
        }
        Read::NotInMode(why) => out.status = Status::Skipped(why),
        Read::Missing(why) if shared => out.status = Status::Skipped(why),
        Read::Missing(why) => out.missing = Some(why),
    }
    out
}

enum Read {
    Value(Value),
    /// A lower bound of the figure: the run ended before it was measured.
    AtLeast(Value),
    NotInMode(String),
    Missing(String),
}

fn read(target: &Target, mode: &str, result: &RunResult) -> Read {
    fn get<T>(table: &[Figure<T>], name: &str, row: &T, mode: &str) -> Read {
        match figures::find(table, name) {
            Some(f) if !f.in_mode(mode) => Read::NotInMode(format!("{mode} mode has no {name}")),
            Some(f) => Read::Value((f.get)(row)),
            None => Read::Missing(format!("no figure {name}")),
        }
    }
    match target {
        Target::Summary { figure } => get(figures::SUMMARY, figure, &result.summary, mode),
        Target::Region { region, figure } => {
            match result.regions.iter().find(|r| r.region == *region) {
                Some(row) => get(figures::REGIONS, figure, row, mode),
                None => Read::Missing(format!("no region {region} in this run")),
            }
        }
        Target::Link { from, to, figure } => {
            match result.links.iter().find(|l| l.from == *from && l.to == *to) {
                Some(row) => get(figures::LINKS, figure, row, mode),
                None => Read::Missing(format!(
                    "no stream {from}>{to} in this run (it carried no replication traffic)"
                )),
            }
        }
        Target::Fault { fault, figure } => {
            let row = result.fault_rows.iter().find(|f| f.fault == *fault);
            let column = figures::FAULTS.iter().find(|f| f.name == figure);
            match (row, column) {
                (Some(row), Some(column)) => match (column.get)(row) {
                    Some(v) if figures::fault_lower_bound(row, figure) => Read::AtLeast(v),
                    Some(v) => Read::Value(v),
                    None => Read::Missing(format!(
                        "fault {fault} ({}) has no {figure}: it does not apply",
                        row.label
                    )),
                },
                (None, _) => Read::Missing(format!("no fault {fault} in this run")),
                (_, None) => Read::Missing(format!("no figure {figure}")),
            }
        }
    }
}

/// The terminal line of one outcome:
/// `expect lost_write_rate < 0.01: ok (actual 0.00151 = 0.151%)`.
pub fn line(o: &Outcome) -> String {
    match &o.status {
        Status::Held => format!(
            "expect {} {}: ok (actual {})",
            o.name,
            o.condition,
            o.actual_text()
        ),
        Status::Failed => format!(
            "expect {} {}: FAILED (actual {})",
            o.name,
            o.condition,
            o.actual_text()
        ),
        Status::Skipped(why) => format!("expect {} {}: skipped ({why})", o.name, o.condition),
    }
}

/// A value at the precision it has: counts exact (with thousands
/// separators), times and rates to three significant digits, with more
/// digits when three would make the value look equal to `bound` or on the
/// other side of it. Rates also as a percentage.
pub fn readable(v: &Value, bound: Option<f64>) -> String {
    match v {
        Value::Text(s) => s.clone(),
        Value::Count(n) => count(*n),
        Value::Bool(b) => b.to_string(),
        Value::Ms(x) | Value::Quantile(x) => format!("{} ms", significant(*x, bound)),
        Value::Nanos(ns) => format!("{} ms", significant(*ns as f64 / 1e6, bound)),
        Value::Empty => "none".to_string(),
        Value::Secs(x) => format!("{} s", significant(*x, bound)),
        Value::Rate(x) => {
            let pct = significant(x * 100.0, bound.map(|b| b * 100.0));
            format!("{} = {pct}%", significant(*x, bound))
        }
    }
}

/// Whether any outcome failed.
pub fn any_failed(outcomes: &[Outcome]) -> bool {
    outcomes.iter().any(Outcome::failed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn readable_kinds() {
        assert_eq!(readable(&Value::Count(1_234_567), None), "1,234,567");
        assert_eq!(readable(&Value::Ms(1500.25), None), "1500 ms");
        assert_eq!(
            readable(&Value::Rate(0.01510123631367082), None),
            "0.0151 = 1.51%"
        );
        assert_eq!(readable(&Value::Bool(true), None), "true");
    }
}
