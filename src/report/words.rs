//! Sentences computed from a run: where the lost writes came from, what
//! the faults were, what caused write downtime, and the captions of the
//! charts. Nothing here is canned text about a cause or a conclusion: every
//! such phrase is chosen from the run's own figures, so it cannot be false
//! for some scenario. The terminal, the HTML report, the compare table and
//! the charts read these.

use crate::metrics::result::{FaultWindow, ModeExtras, RunResult, Summary};
use crate::report::format::{count, percent};

/// One cause of lost writes and how many it accounts for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cause {
    /// A stable key: `overwritten`, `failover_rpo`, `stranded`.
    pub key: &'static str,
    /// A few words for people.
    pub label: &'static str,
    pub count: u64,
}

/// Every cause a run can name, in the order tables show them.
pub const CAUSE_KEYS: [&str; 3] = ["overwritten", "failover_rpo", "stranded"];

/// The label of a cause under a mode.
pub fn cause_label(key: &str, mode: &str) -> &'static str {
    match (key, mode) {
        ("overwritten", "active_active") => {
            "a write with a larger timestamp won (last writer wins)"
        }
        ("overwritten", _) => "overwritten by another version",
        ("failover_rpo", _) => "failover: acknowledged, never reached the new primary (RPO)",
        _ => "stranded: held only by a region still down at the end",
    }
}

/// A cause in a few words, for a table row beside other modes.
pub fn cause_short_label(key: &str, mode: &str) -> &'static str {
    match (key, mode) {
        ("overwritten", "active_active") => "lost to a larger timestamp",
        ("overwritten", _) => "overwritten",
        ("failover_rpo", _) => "lost in a failover (RPO)",
        _ => "stranded in a region down at the end",
    }
}

/// Where a run's lost writes came from. The counts are disjoint and sum to
/// `lost_writes`; causes with none are left out. A write is named by the
/// first that applies: stranded (`stranded_writes`), then lost in a
/// failover (`rpo_lost_writes`, only where a failover happened), then
/// overwritten: what remains. Causal inversions are overwritten writes too
/// (a later-issued write with an earlier timestamp lost), so they are in
/// that row; `causal_inversions` counts them over all writes.
pub fn loss_causes(s: &Summary) -> Vec<Cause> {
    let stranded = s.stranded_writes.min(s.lost_writes);
    let m = &s.mode_extras;
    let rpo = if m.failovers > 0 {
        m.rpo_lost_writes.min(s.lost_writes - stranded)
    } else {
        0
    };
    let overwritten = s.lost_writes - stranded - rpo;
    [
        ("overwritten", overwritten),
        ("failover_rpo", rpo),
        ("stranded", stranded),
    ]
    .into_iter()
    .filter(|(_, n)| *n > 0)
    .map(|(key, count)| Cause {
        key,
        label: cause_label(key, &s.mode),
        count,
    })
    .collect()
}

/// The count of the cause `key` (0 when the run has none of it).
pub fn cause_count(s: &Summary, key: &str) -> u64 {
    loss_causes(s)
        .iter()
        .find(|c| c.key == key)
        .map_or(0, |c| c.count)
}

/// One sentence on where the lost writes came from: `No write was lost.`,
/// or `All 57 lost writes: failover: ...`, or the causes with their shares.
pub fn loss_sentence(s: &Summary) -> String {
    let causes = loss_causes(s);
    match causes.as_slice() {
        [] => "No write was lost.".to_string(),
        [one] if s.lost_writes == 1 => format!("The one lost write: {}.", one.label),
        [one] => format!("All {} lost writes: {}.", count(one.count), one.label),
        many => {
            let parts: Vec<String> = many
                .iter()
                .map(|c| {
                    format!(
                        "{} ({}) {}",
                        count(c.count),
                        percent(c.count as f64 / s.lost_writes as f64),
                        c.label
                    )
                })
                .collect();
            format!(
                "{} lost writes: {}.",
                count(s.lost_writes),
                parts.join("; ")
            )
        }
    }
}

/// Whether a single-primary run promoted a secondary after an outage.
pub fn had_failover(m: &ModeExtras) -> bool {
    m.failovers > 0
}

/// What caused a single-primary run's write downtime, in a word or two:
/// `failover`, `switchover`, `failover and switchover`, or `primary down`
/// (an outage that ended before a secondary was promoted). `None` when
/// writes were never refused for want of a primary.
pub fn downtime_cause(m: &ModeExtras) -> Option<&'static str> {
    if m.failover_ms <= 0.0 {
        return None;
    }
    Some(match (m.failovers > 0, m.switchovers > 0) {
        (true, true) => "failover and switchover",
        (true, false) => "failover",
        (false, true) => "switchover",
        (false, false) => "primary down",
    })
}

/// The fault kinds a run had, in words and in first-seen order:
/// `partition`, `isolation`, `outage`, `clock step`, `switchover`.
pub fn fault_kinds(faults: &[FaultWindow]) -> Vec<&'static str> {
    let mut kinds: Vec<&'static str> = Vec::new();
    for f in faults {
        let word = match f.kind.as_str() {
            "partition" => "partition",
            "isolate" => "isolation",
            "outage" => "outage",
            "clock_step" => "clock step",
            "switchover" => "switchover",
            "pause_replication" => "replication pause",
            "slowdown" => "slowdown",
            "endpoint_outage" => "endpoint outage",
            _ => "fault",
        };
        if !kinds.contains(&word) {
            kinds.push(word);
        }
    }
    kinds
}

/// `a`, `a and b`, `a, b and c`.
pub fn and_list(words: &[&str]) -> String {
    match words {
        [] => String::new(),
        [one] => one.to_string(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// Whether any fault holds up replication traffic (a partition, an
/// isolation or an outage), as opposed to instant ones.
fn holds_traffic(faults: &[FaultWindow]) -> bool {
    faults.iter().any(|f| {
        matches!(
            f.kind.as_str(),
            "partition" | "isolate" | "outage" | "pause_replication" | "slowdown"
        )
    })
}

/// The sentence on the shaded windows of a time chart.
fn faults_phrase(faults: &[FaultWindow]) -> String {
    let kinds = fault_kinds(faults);
    match kinds.len() {
        0 => "No faults in this run.".to_string(),
        _ => format!(
            "Shaded windows and marks are the faults ({}).",
            and_list(&kinds)
        ),
    }
}

/// Lost writes issued in buckets with a fault active, out of all lost.
fn lost_during_faults(r: &RunResult) -> u64 {
    r.timeseries
        .iter()
        .filter(|b| b.faults_active > 0)
        .map(|b| b.lost_writes)
        .sum()
}

/// The caption of the lost-writes chart, from the run.
pub fn lost_writes_caption(r: &RunResult) -> String {
    let s = &r.summary;
    let mut out = format!(
        "Lost writes counted at their issue time, and conflicts. {}",
        loss_sentence(s)
    );
    if s.lost_writes > 0 && !r.faults.is_empty() {
        let during = lost_during_faults(r);
        out.push_str(&format!(
            " {} of them ({}) were issued in a time bucket with a fault active.",
            count(during),
            percent(during as f64 / s.lost_writes as f64)
        ));
    } else if r.faults.is_empty() {
        out.push_str(" No faults in this run.");
    }
    out
}

/// The caption of the lag-over-time chart, from the run.
pub fn lag_caption(r: &RunResult) -> String {
    let mut out = "How long writes took to reach each other region, per stream.".to_string();
    out.push(' ');
    out.push_str(&faults_phrase(&r.faults));
    if holds_traffic(&r.faults) {
        out.push_str(
            " Writes held up by a fault arrive late once it ends, so their lag \
             is counted then.",
        );
    }
    out
}

/// The caption of the backlog chart, from the run.
pub fn backlog_caption(r: &RunResult) -> String {
    let mut out = "Messages waiting on each stream.".to_string();
    if holds_traffic(&r.faults) {
        out.push_str(
            " A queue builds while a stream is held up by a fault; the slope \
             after its end shows how fast it drains.",
        );
    } else {
        out.push(' ');
        out.push_str(&faults_phrase(&r.faults));
    }
    out
}

/// The caption of the stale-reads chart, from the run.
pub fn stale_reads_caption(r: &RunResult) -> String {
    let s = &r.summary;
    if s.reads == 0 {
        return "The run issued no reads.".to_string();
    }
    format!(
        "The share of reads that returned an out-of-date version per bucket, \
         against the run's average ({} of {} reads).",
        percent(s.stale_read_rate),
        count(s.reads)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn summary(mode: &str, lost: u64, stranded: u64, rpo: u64, failovers: u64) -> Summary {
        let mut s = Summary {
            mode: mode.into(),
            lost_writes: lost,
            stranded_writes: stranded,
            ..Summary::default()
        };
        s.mode_extras.rpo_lost_writes = rpo;
        s.mode_extras.failovers = failovers;
        s
    }

    #[test]
    fn causes_are_disjoint_and_sum_to_the_lost_writes() {
        for (lost, stranded, rpo, failovers) in [
            (100, 0, 0, 0),
            (57, 0, 57, 1),
            (10, 3, 5, 1),
            (5, 5, 5, 1),
            (9, 2, 4, 0),
        ] {
            let s = summary("single_primary", lost, stranded, rpo, failovers);
            let causes = loss_causes(&s);
            assert_eq!(causes.iter().map(|c| c.count).sum::<u64>(), lost);
            assert!(causes.iter().all(|c| c.count > 0));
        }
        let s = summary("single_primary", 57, 0, 57, 1);
        assert_eq!(
            loss_sentence(&s),
            "All 57 lost writes: failover: acknowledged, never reached the new primary (RPO)."
        );
        // No failover, no RPO row, whatever the counter says.
        let s = summary("single_primary", 9, 2, 4, 0);
        assert_eq!(cause_count(&s, "failover_rpo"), 0);
        assert_eq!(cause_count(&s, "overwritten"), 7);
        assert_eq!(
            loss_sentence(&summary("strong", 0, 0, 0, 0)),
            "No write was lost."
        );
    }

    #[test]
    fn downtime_names_its_cause() {
        let mut m = ModeExtras::default();
        assert_eq!(downtime_cause(&m), None);
        m.failover_ms = 60_000.0;
        m.switchovers = 1;
        assert_eq!(downtime_cause(&m), Some("switchover"));
        m.failovers = 1;
        assert_eq!(downtime_cause(&m), Some("failover and switchover"));
        m.switchovers = 0;
        assert_eq!(downtime_cause(&m), Some("failover"));
        m.failovers = 0;
        assert_eq!(downtime_cause(&m), Some("primary down"));
    }

    #[test]
    fn lists_read_as_prose() {
        assert_eq!(and_list(&[]), "");
        assert_eq!(and_list(&["a"]), "a");
        assert_eq!(and_list(&["a", "b"]), "a and b");
        assert_eq!(and_list(&["a", "b", "c"]), "a, b and c");
    }
}
