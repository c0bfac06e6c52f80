//! What a user reads agrees with the run: over every bundled scenario, no
//! sentence or caption in the terminal summary, the report's summary or the
//! charts contradicts the run's own figures, the causes of loss add up to
//! the lost writes, the failover rows appear only with a failover, and no
//! time or share in the terminal has more significant digits than a
//! histogram resolves.

use std::sync::OnceLock;

use replisim::metrics::result::RunResult;
use replisim::model::{self, RunOptions};
use replisim::report::html::{render_report, ReportInput};
use replisim::report::{terminal, words};
use replisim::scenario::{self, bundled, Scenario};

/// Every bundled scenario, run once and shared by the tests here.
fn runs() -> &'static [(Scenario, RunResult)] {
    static RUNS: OnceLock<Vec<(Scenario, RunResult)>> = OnceLock::new();
    RUNS.get_or_init(|| {
        bundled::all()
            .iter()
            .map(|b| {
                let s = scenario::load_str(b.text, &b.origin(), &[]).expect("bundled loads");
                let options = RunOptions {
                    trace: false,
                    max_events: None,
                };
                let out = model::run(&s, &options, &mut |_| true).expect("bundled runs");
                (s, out.result)
            })
            .collect()
    })
}

fn has_kind(r: &RunResult, kinds: &[&str]) -> bool {
    r.faults.iter().any(|f| kinds.contains(&f.kind.as_str()))
}

/// The report's summary section: its cards, metric table and causes.
fn report_summary(s: &Scenario, r: &RunResult) -> String {
    let html = render_report(&ReportInput {
        scenario: s,
        result: r,
        resolved_yaml: "",
        command: "replisim run x",
        charts: &[],
    });
    let start = html.find("<section id=\"summary\">").expect("a summary");
    let end = start + html[start..].find("</section>").expect("closed");
    // Column names (`failover_ms`) are names, not statements.
    let mut text = String::new();
    for (i, part) in html[start..end].split("<code>").enumerate() {
        text.push_str(if i == 0 {
            part
        } else {
            part.split_once("</code>").map_or(part, |p| p.1)
        });
    }
    text
}

/// The sentences of a run a reader takes as statements about it.
fn sentences(s: &Scenario, r: &RunResult) -> Vec<(&'static str, String)> {
    vec![
        ("terminal", terminal::summary(r)),
        ("report summary", report_summary(s, r)),
        ("lost writes caption", words::lost_writes_caption(r)),
        ("lag caption", words::lag_caption(r)),
        ("backlog caption", words::backlog_caption(r)),
        ("stale reads caption", words::stale_reads_caption(r)),
    ]
}

#[test]
fn no_sentence_contradicts_its_run() {
    assert!(runs().len() >= 10, "every bundled scenario runs");
    for (s, r) in runs() {
        let sum = &r.summary;
        let m = &sum.mode_extras;
        let name = &s.name;
        // The causes of loss add up, and name a failover only with one.
        let causes = words::loss_causes(sum);
        assert_eq!(
            causes.iter().map(|c| c.count).sum::<u64>(),
            sum.lost_writes,
            "{name}: causes must sum to the lost writes"
        );
        if !words::had_failover(m) {
            assert!(causes.iter().all(|c| c.key != "failover_rpo"), "{name}");
        }
        for (what, text) in sentences(s, r) {
            let lower = text.to_lowercase();
            let says = |w: &str| lower.contains(w);
            assert!(!says("silently"), "{name} {what}: 'silently'\n{text}");
            assert!(
                !says("partition") || has_kind(r, &["partition"]),
                "{name} {what}: a partition without one\n{text}"
            );
            assert!(
                !says("isolat") || has_kind(r, &["isolate"]),
                "{name} {what}: an isolation without one\n{text}"
            );
            assert!(
                !says("switchover") || has_kind(r, &["switchover"]),
                "{name} {what}: a switchover without one\n{text}"
            );
            assert!(
                !says("failover") || words::had_failover(m),
                "{name} {what}: a failover without one\n{text}"
            );
            assert!(
                !says("rpo") || words::had_failover(m),
                "{name} {what}: RPO without a failover\n{text}"
            );
            assert!(
                !says("last writer wins") || sum.mode == "active_active",
                "{name} {what}: last writer wins under {}\n{text}",
                sum.mode
            );
            assert!(
                !says("no faults") || r.faults.is_empty(),
                "{name} {what}: 'no faults' with faults\n{text}"
            );
            assert!(
                !says("no write was lost") || sum.lost_writes == 0,
                "{name} {what}\n{text}"
            );
        }
        // Where a failover lost writes, the terminal says how many.
        let text = terminal::summary(r);
        if words::had_failover(m) && m.rpo_lost_writes > 0 {
            assert!(text.contains("RPO lost writes"), "{name}\n{text}");
        }
        // Every cause with writes has its row.
        for c in &causes {
            assert!(
                text.contains(c.label),
                "{name}: no row for {}\n{text}",
                c.key
            );
        }
    }
    // The bundled library has both kinds of single-primary promotion, so
    // both sides of the failover rule above were exercised.
    let sp: Vec<_> = runs()
        .iter()
        .map(|(_, r)| &r.summary.mode_extras)
        .filter(|m| m.failover_ms > 0.0)
        .collect();
    assert!(sp.iter().any(|m| m.failovers > 0));
    assert!(sp.iter().any(|m| m.failovers == 0 && m.switchovers > 0));
}

/// Significant digits of a number as printed: `0.0716` has 3, `6,290` has
/// 3, `11.6` has 3, `100` has 1 (trailing zeros of a whole number carry no
/// claim).
fn significant_digits(token: &str) -> usize {
    let digits: String = token.chars().filter(char::is_ascii_digit).collect();
    let digits = digits.trim_start_matches('0');
    if token.contains('.') {
        digits.len()
    } else {
        digits.trim_end_matches('0').len()
    }
}

/// The numbers in `line` followed by a time unit or a percent sign.
fn times_and_shares(line: &str) -> Vec<String> {
    let words: Vec<&str> = line.split_whitespace().collect();
    let mut out = Vec::new();
    for (i, w) in words.iter().enumerate() {
        let w = w.trim_start_matches('≥').trim_start_matches('(');
        if let Some(p) = w.strip_suffix('%') {
            out.push(p.to_string());
        } else if matches!(words.get(i + 1), Some(&"ms") | Some(&"s"))
            && w.chars().next().is_some_and(|c| c.is_ascii_digit())
        {
            out.push(w.to_string());
        }
    }
    out
}

/// Which cells of a table row hold times, by the table's title line and
/// header: `Some((first, last))` token indexes, negative from the right.
fn time_columns(title: &str, header: &str) -> Option<(isize, isize)> {
    if title.starts_with("replication lag per stream") {
        Some((3, 6))
    } else if title.starts_with("faults")
        || (title.starts_with("regions") && header.contains("write p50"))
    {
        Some((-2, -1))
    } else {
        None
    }
}

#[test]
fn no_figure_claims_more_digits_than_its_source() {
    let limit = replisim::metrics::hist::DIGITS;
    for (s, r) in runs() {
        let text = terminal::summary(r);
        let lines: Vec<&str> = text.lines().collect();
        let mut checked = 0;
        let mut title = "";
        let mut columns = None;
        let mut header_next = false;
        // The first line names the run's length, a setting, not a figure.
        for line in lines.iter().skip(1) {
            let mut cells = times_and_shares(line);
            if !line.starts_with(' ') {
                title = line;
                header_next = !line.is_empty();
                columns = None;
            } else if header_next {
                columns = time_columns(title, line);
                header_next = false;
            } else if let Some((a, b)) = columns {
                let words: Vec<&str> = line.split_whitespace().collect();
                let n = words.len() as isize;
                let at = |k: isize| if k < 0 { n + k } else { k };
                for k in at(a)..=at(b) {
                    if let Some(w) = words.get(k as usize) {
                        cells.push(w.to_string());
                    }
                }
            }
            for c in cells {
                let c = c.trim_start_matches('≥');
                if c == "-" || c == "—" {
                    continue;
                }
                checked += 1;
                assert!(
                    significant_digits(c) <= limit,
                    "{}: '{c}' has more than {limit} significant digits in\n{line}",
                    s.name
                );
            }
        }
        assert!(checked > 5, "{}: only {checked} figures checked", s.name);
    }
}

#[test]
fn significant_digits_are_counted_as_printed() {
    assert_eq!(significant_digits("0.0716"), 3);
    assert_eq!(significant_digits("6,290"), 3);
    assert_eq!(significant_digits("11.6"), 3);
    assert_eq!(significant_digits("100"), 1);
    assert_eq!(significant_digits("483.394"), 6);
    assert_eq!(significant_digits("9,999"), 4);
}
