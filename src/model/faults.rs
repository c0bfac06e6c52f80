//! The fault schedule, resolved into what each part of the model needs:
//! down windows per ordered link, outage windows per region, clock steps
//! per region, and windows for reporting.
//!
//! Faults are fixed up front by the scenario, so everything here is a pure
//! function of the scenario: no event is needed to start or end a fault.

use crate::metrics::result::FaultWindow;
use crate::scenario::{EndpointReplication, FaultKind, OutageClients, Scenario, Slowing};
use crate::sim::time::Time;

/// A half-open window `[start, end)`; `end == None` never ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Window {
    pub start: Time,
    pub end: Option<Time>,
}

impl Window {
    pub fn contains(&self, t: Time) -> bool {
        t >= self.start && self.end.is_none_or(|e| t < e)
    }
}

/// Resolved fault schedule.
#[derive(Clone, Debug, Default)]
pub struct Schedule {
    /// `link_down[from][to]`: merged, sorted, non-overlapping down windows.
    /// A message crossing when one begins is sent again when it ends.
    pub link_down: Vec<Vec<Vec<Window>>>,
    /// Per region: windows in which it sends nothing new (its outages),
    /// merged and sorted. What it sent before still lands.
    pub sends_held: Vec<Vec<Window>>,
    /// Per region: outage windows with what happens to the clients.
    pub outages: Vec<Vec<(Window, OutageClients)>>,
    /// Per region: clock steps (when, by).
    pub clock_steps: Vec<Vec<(Time, i64)>>,
    /// Per region: windows in which its clients cannot reach it (its
    /// outages and endpoint outages), sorted by start.
    pub clients_blocked: Vec<Vec<(Window, OutageClients)>>,
    /// `slowdowns[from][to]`: windows in which messages sent on the link
    /// take longer, and by how much.
    pub slowdowns: Vec<Vec<Vec<(Window, Slowing)>>>,
}

impl Schedule {
    pub fn new(s: &Scenario) -> Schedule {
        let n = s.regions.len();
        let mut raw: Vec<Vec<Vec<Window>>> = vec![vec![Vec::new(); n]; n];
        let mut outages = vec![Vec::new(); n];
        let mut held = vec![Vec::new(); n];
        let mut clock_steps = vec![Vec::new(); n];
        let mut blocked = vec![Vec::new(); n];
        let mut slowdowns = vec![vec![Vec::new(); n]; n];
        for f in &s.faults {
            let w = Window {
                start: f.at,
                end: f.end(),
            };
            match &f.kind {
                FaultKind::Partition { links } => {
                    for &(a, b) in links {
                        raw[a][b].push(w);
                    }
                }
                FaultKind::Isolate { region } => cut_region(&mut raw, *region, w),
                FaultKind::Outage { region, clients } => {
                    // It receives nothing; it sends nothing new, but what
                    // is on the wire already still lands.
                    for other in (0..n).filter(|o| o != region) {
                        raw[other][*region].push(w);
                    }
                    held[*region].push(w);
                    outages[*region].push((w, *clients));
                }
                FaultKind::ClockStep { region, by_ns } => clock_steps[*region].push((f.at, *by_ns)),
                FaultKind::Switchover { .. } => {}
                FaultKind::PauseReplication { region } => cut_region(&mut raw, *region, w),
                FaultKind::Slowdown { links, by, .. } => {
                    for &(a, b) in links {
                        slowdowns[a][b].push((w, *by));
                    }
                }
                FaultKind::EndpointOutage {
                    region,
                    replication,
                    ..
                } => {
                    if *replication == EndpointReplication::Paused {
                        cut_region(&mut raw, *region, w);
                    }
                }
            }
            if let Some((region, clients)) = f.kind.clients_blocked() {
                blocked[region].push((w, clients));
            }
        }
        let link_down = raw
            .into_iter()
            .map(|row| row.into_iter().map(merge).collect())
            .collect();
        for o in outages.iter_mut().chain(blocked.iter_mut()) {
            o.sort_by_key(|(w, _)| w.start);
        }
        Schedule {
            link_down,
            sends_held: held.into_iter().map(merge).collect(),
            outages,
            clock_steps,
            clients_blocked: blocked,
            slowdowns,
        }
    }

    /// Whether `region`'s clients are turned away at `t` (an outage or an
    /// endpoint outage), and what they do.
    #[inline]
    pub fn clients_blocked_at(&self, region: usize, t: Time) -> Option<OutageClients> {
        self.clients_blocked[region]
            .iter()
            .find(|(w, _)| w.contains(t))
            .map(|(_, c)| *c)
    }

    /// Whether `region` is in an outage at `t`, and what its clients do.
    #[inline]
    pub fn outage_at(&self, region: usize, t: Time) -> Option<OutageClients> {
        self.outages[region]
            .iter()
            .find(|(w, _)| w.contains(t))
            .map(|(_, c)| *c)
    }

    /// Whether the link `from → to` is down at `t`.
    pub fn link_down_at(&self, from: usize, to: usize, t: Time) -> bool {
        self.link_down[from][to].iter().any(|w| w.contains(t))
    }
}

fn cut_region(raw: &mut [Vec<Vec<Window>>], region: usize, w: Window) {
    for other in (0..raw.len()).filter(|&o| o != region) {
        raw[region][other].push(w);
        raw[other][region].push(w);
    }
}

/// Sort and merge overlapping or touching windows.
fn merge(mut windows: Vec<Window>) -> Vec<Window> {
    windows.sort_by_key(|w| w.start);
    let mut out: Vec<Window> = Vec::with_capacity(windows.len());
    for w in windows {
        if let Some(last) = out.last_mut() {
            match last.end {
                None => continue,
                Some(e) if w.start <= e => {
                    last.end = w.end.map(|we| we.max(e));
                    continue;
                }
                Some(_) => {}
            }
        }
        out.push(w);
    }
    out
}

/// Every fault as a labelled window, for charts and the report.
pub fn windows_for_report(s: &Scenario) -> Vec<FaultWindow> {
    let name = |r: usize| s.regions[r].name.as_str();
    s.faults
        .iter()
        .map(|f| {
            let label = match &f.kind {
                FaultKind::Partition { links } => format!("partition {}", link_words(links, &name)),
                FaultKind::Isolate { region } => format!("isolate {}", name(*region)),
                FaultKind::Outage { region, clients } => format!(
                    "outage {} (clients {})",
                    name(*region),
                    match clients {
                        OutageClients::Fail => "fail",
                        OutageClients::Reroute => "reroute",
                    }
                ),
                FaultKind::ClockStep { region, by_ns } => format!(
                    "clock step {} {}{}",
                    name(*region),
                    if *by_ns < 0 { "-" } else { "+" },
                    crate::sim::time::format_span(by_ns.unsigned_abs())
                ),
                FaultKind::Switchover { to } => format!("switchover to {}", name(*to)),
                FaultKind::PauseReplication { region } => {
                    format!("replication paused {}", name(*region))
                }
                FaultKind::Slowdown { links, region, by } => {
                    let how = match by {
                        Slowing::Add(d) => format!("+{}", crate::sim::time::format_span(*d)),
                        Slowing::Factor(f) => format!("×{f}"),
                    };
                    let what = match region {
                        Some(r) => name(*r).to_string(),
                        None => link_words(links, &name),
                    };
                    format!("slowdown {what} {how}")
                }
                FaultKind::EndpointOutage {
                    region,
                    clients,
                    replication,
                } => format!(
                    "endpoint outage {} (clients {}, replication {})",
                    name(*region),
                    clients.name(),
                    match replication {
                        EndpointReplication::Continue => "continues",
                        EndpointReplication::Paused => "paused",
                    }
                ),
            };
            FaultWindow {
                kind: f.kind.name().to_string(),
                label,
                start_s: f.at.as_secs(),
                end_s: f.end().map(|e| e.as_secs()),
            }
        })
        .collect()
}

/// One-way links in words: `a ↔ b` for both directions of one pair,
/// else `a → b, c → d`.
fn link_words<'a>(links: &[(usize, usize)], name: &dyn Fn(usize) -> &'a str) -> String {
    let Some(&(a, b)) = links.first() else {
        return String::new();
    };
    if links.len() == 2 && links[1] == (b, a) {
        format!("{} ↔ {}", name(a), name(b))
    } else {
        let parts: Vec<String> = links
            .iter()
            .map(|&(x, y)| format!("{} → {}", name(x), name(y)))
            .collect();
        parts.join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(s: u64, e: Option<u64>) -> Window {
        Window {
            start: Time(s),
            end: e.map(Time),
        }
    }

    #[test]
    fn merge_joins_overlaps_and_keeps_gaps() {
        let m = merge(vec![
            w(10, Some(20)),
            w(0, Some(5)),
            w(15, Some(30)),
            w(30, Some(31)),
            w(40, None),
            w(50, Some(60)),
        ]);
        assert_eq!(m, vec![w(0, Some(5)), w(10, Some(31)), w(40, None)]);
    }

    #[test]
    fn windows_are_half_open() {
        let x = w(10, Some(20));
        assert!(!x.contains(Time(9)));
        assert!(x.contains(Time(10)));
        assert!(!x.contains(Time(20)));
        assert!(w(10, None).contains(Time(u64::MAX)));
    }
}
