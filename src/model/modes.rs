//! One scenario under another replication mode, for `replisim compare`.
//!
//! Only the mode changes (and what belongs to a mode: a switchover is a
//! single-primary fault). Regions, network, workload, clocks and the other
//! faults stay as they are, and the client sources draw by workload entry
//! and region name, so every variant sends exactly the same operations.
//! Pure functions of the scenario: no I/O.

use crate::scenario::{
    Failover, FailoverTarget, FaultKind, Mode, Ordering, Scenario, SecondaryWrites, SinglePrimary,
    Strong,
};
use crate::sim::time::NS_PER_S;

/// The mode names `compare` accepts, in their usual order.
pub const MODE_NAMES: [&str; 3] = ["active_active", "single_primary", "strong"];

/// Failure detection of the default single-primary variant.
pub const DEFAULT_DETECT_NS: u64 = 30 * NS_PER_S;
/// Promotion time of the default single-primary variant.
pub const DEFAULT_PROMOTE_NS: u64 = 60 * NS_PER_S;

/// `s` under the mode named `mode`. When `s` is already in that mode it is
/// kept as it is; otherwise the mode's defaults apply (single-primary: the
/// first region is the primary, secondaries forward, detect 30 s, promote
/// 60 s, least-lag target; strong: no witness). `Err` says why the mode
/// cannot run this scenario (strong needs exactly three regions).
pub fn for_mode(s: &Scenario, mode: &str) -> Result<Scenario, String> {
    let mut v = s.clone();
    if v.replication.mode.name() == mode {
        return Ok(v);
    }
    v.replication.mode = match mode {
        "active_active" => Mode::ActiveActive,
        "single_primary" => Mode::SinglePrimary(SinglePrimary {
            primary: 0,
            secondary_writes: SecondaryWrites::Forward,
            failover: Failover {
                detect_ns: DEFAULT_DETECT_NS,
                promote_ns: DEFAULT_PROMOTE_NS,
                target: FailoverTarget::LeastLag,
            },
        }),
        "strong" => {
            if s.regions.len() != 3 {
                return Err(format!(
                    "strong mode needs exactly 3 regions; this scenario has {}",
                    s.regions.len()
                ));
            }
            Mode::Strong(Strong { witness: None })
        }
        other => {
            return Err(format!(
                "unknown mode '{other}'; modes are {}",
                MODE_NAMES.join(", ")
            ))
        }
    };
    // A shipped log is in order; leaving it, items are again the default.
    if matches!(v.replication.mode, Mode::SinglePrimary(_)) {
        v.replication.ordering = Ordering::Stream;
    } else if matches!(s.replication.mode, Mode::SinglePrimary(_)) {
        v.replication.ordering = Ordering::Item;
    }
    if mode != "single_primary" {
        v.faults
            .retain(|f| !matches!(f.kind, FaultKind::Switchover { .. }));
    }
    Ok(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_modes_are_named() {
        let s = crate::scenario::load_str(
            "name: x\nduration: 1s\nregions: [{name: a}, {name: b}]\nnetwork: {default: 10ms}\n\
             tables: [{name: t, kind: item, keys: 1}]\nworkload: [{table: t, rate: 1/s, writes: 1}]\n",
            "x.yaml",
            &[],
        )
        .unwrap();
        assert!(for_mode(&s, "strong")
            .unwrap_err()
            .contains("exactly 3 regions; this scenario has 2"));
        assert!(for_mode(&s, "paxos").unwrap_err().contains("unknown mode"));
        let sp = for_mode(&s, "single_primary").unwrap();
        assert_eq!(sp.replication.mode.name(), "single_primary");
        assert_eq!(sp.workload, s.workload);
    }
}
