//! `beaten_by` in the trace: for each lost write, the write that overwrote
//! it or won against it.
//!
//! Read from the trace alone, after the run: every place a version met
//! another (a write installed over what its region held, a write its own
//! region did not install, an arrival installed or rejected) names the
//! winner and the loser. Such a meeting beats the loser and every ancestor
//! of it the winner does not descend from (a write replaced by its own
//! descendant lives on; a write whose descendant is overwritten is lost
//! with it). A lost write's `beaten_by` is the winner of the first
//! meeting, in true time, that beat it; 0 when none did (a write stranded
//! in a failed region, or lost with a primary's log). Survived writes keep
//! 0. Nothing here changes a figure: it fills one column of `writes.csv`.

use crate::metrics::result::Trace;

/// Fill `beaten_by` of every lost write in `trace`.
pub fn fill(trace: &mut Trace) {
    let n = trace.writes.len();
    if n == 0 {
        return;
    }
    let parent: Vec<u64> = std::iter::once(0)
        .chain(trace.writes.iter().map(|w| w.parent_id))
        .collect();
    let tree = Tree::new(parent[1..].iter().copied());
    // Every meeting as (time, order, winner, loser).
    let mut meetings: Vec<(u64, usize, u64, u64)> = Vec::new();
    for (i, w) in trace.writes.iter().enumerate() {
        if !w.installed {
            meetings.push((w.applied_ns, i, w.held_id, w.write_id));
        } else {
            meetings.push((w.applied_ns, i, w.write_id, w.held_id));
        }
    }
    for (i, d) in trace.deliveries.iter().enumerate() {
        let m = if d.applied {
            (d.write_id, d.held_id)
        } else {
            (d.held_id, d.write_id)
        };
        meetings.push((d.arrive_ns, n + i, m.0, m.1));
    }
    meetings.sort_unstable();
    let mut first = vec![0u64; n + 1];
    for &(_, _, winner, loser) in &meetings {
        if winner as usize > n || loser as usize > n {
            continue;
        }
        // Up from the loser to the first ancestor the winner descends from.
        let mut at = loser;
        while at != 0 && !tree.descends(winner, at) {
            if first[at as usize] == 0 {
                first[at as usize] = winner;
            }
            at = parent[at as usize];
        }
    }
    for w in &mut trace.writes {
        w.beaten_by = if w.outcome == "lost" {
            first[w.write_id as usize]
        } else {
            0
        };
    }
}

/// The write tree (parent ids; 0 the initial version of every key) laid
/// out in depth-first order, so that "descends from" is two comparisons.
pub struct Tree {
    /// Per write id (0 included), its place in depth-first order and the
    /// place after its last descendant.
    enter: Vec<u32>,
    leave: Vec<u32>,
}

impl Tree {
    /// The tree of writes 1, 2, ... whose parents are `parents` in id
    /// order (a parent's id is always smaller than its child's).
    pub fn new(parents: impl Iterator<Item = u64>) -> Tree {
        let parents: Vec<u32> = parents.map(|p| p as u32).collect();
        let n = parents.len() + 1;
        // Children of each id, packed: start[p]..start[p + 1].
        let mut start = vec![0u32; n + 1];
        for &p in &parents {
            start[p as usize + 1] += 1;
        }
        for i in 0..n {
            start[i + 1] += start[i];
        }
        let mut fill = start.clone();
        let mut children = vec![0u32; parents.len()];
        for (i, &p) in parents.iter().enumerate() {
            children[fill[p as usize] as usize] = i as u32 + 1;
            fill[p as usize] += 1;
        }
        let mut enter = vec![0u32; n];
        let mut leave = vec![0u32; n];
        let mut clock = 0u32;
        // (node, index of its next child to visit)
        let mut stack: Vec<(u32, u32)> = vec![(0, start[0])];
        enter[0] = clock;
        clock += 1;
        while let Some(top) = stack.last_mut() {
            let node = top.0;
            if top.1 < start[node as usize + 1] {
                let child = children[top.1 as usize];
                top.1 += 1;
                enter[child as usize] = clock;
                clock += 1;
                stack.push((child, start[child as usize]));
            } else {
                leave[node as usize] = clock;
                stack.pop();
            }
        }
        Tree { enter, leave }
    }

    /// Whether write `a` is `b` or one of its descendants (every write
    /// descends from 0). Unknown ids descend from nothing.
    pub fn descends(&self, a: u64, b: u64) -> bool {
        let (a, b) = (a as usize, b as usize);
        if a >= self.enter.len() || b >= self.enter.len() {
            return false;
        }
        self.enter[b] <= self.enter[a] && self.leave[a] <= self.leave[b]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::result::{DeliveryTrace, WriteTrace};

    /// 1 and 2 on the initial version, 3 on 1, 4 on 3.
    #[test]
    fn descends_follows_parents() {
        let t = Tree::new([0, 0, 1, 3].into_iter());
        assert!(t.descends(4, 1) && t.descends(4, 3) && t.descends(3, 1));
        assert!(t.descends(2, 0) && t.descends(4, 0) && t.descends(1, 1));
        assert!(!t.descends(1, 4) && !t.descends(2, 1) && !t.descends(4, 2));
        assert!(!t.descends(9, 1));
    }

    fn write(id: u64, parent: u64, t: u64, held: u64, outcome: &'static str) -> WriteTrace {
        WriteTrace {
            write_id: id,
            parent_id: parent,
            applied_ns: t,
            issue_ns: t,
            installed: true,
            held_id: held,
            outcome,
            ..WriteTrace::default()
        }
    }

    fn arrival(id: u64, t: u64, applied: bool, held: u64) -> DeliveryTrace {
        DeliveryTrace {
            write_id: id,
            arrive_ns: t,
            applied,
            held_id: held,
            ..DeliveryTrace::default()
        }
    }

    /// Two regions write on the initial version at once; 2 is newer. At
    /// region b, 1 arrives after 2 and is rejected; at region a, 2
    /// replaces 1. Then a writes 3 on 2: 3 replacing 2 is 2 living on,
    /// so 2 (survived) and 3 have nobody beating them.
    #[test]
    fn concurrent_loser_is_beaten_by_the_winner() {
        let mut trace = Trace {
            writes: vec![
                write(1, 0, 10, 0, "lost"),
                write(2, 0, 11, 0, "survived"),
                write(3, 2, 50, 2, "survived"),
            ],
            deliveries: vec![
                arrival(1, 20, false, 2),
                arrival(2, 21, true, 1),
                arrival(3, 60, true, 2),
            ],
            reads: Vec::new(),
        };
        fill(&mut trace);
        let beaten: Vec<u64> = trace.writes.iter().map(|w| w.beaten_by).collect();
        assert_eq!(beaten, vec![2, 0, 0]);
    }

    /// Region a writes 1 and then 3 on it; region b writes 2, newer than
    /// both, before either arrives. 2 replaces 3 at a (3 had replaced 1
    /// there: 1 living on) and keeps both out of b: 1 is lost with its
    /// descendant, beaten by 2.
    #[test]
    fn write_lost_with_its_descendant_is_beaten_by_the_winner() {
        let mut trace = Trace {
            writes: vec![
                write(1, 0, 10, 0, "lost"),
                write(2, 0, 12, 0, "survived"),
                write(3, 1, 15, 1, "lost"),
            ],
            deliveries: vec![
                arrival(1, 110, false, 2),
                arrival(2, 112, true, 3),
                arrival(3, 115, false, 2),
            ],
            reads: Vec::new(),
        };
        fill(&mut trace);
        let beaten: Vec<u64> = trace.writes.iter().map(|w| w.beaten_by).collect();
        assert_eq!(beaten, vec![2, 0, 2]);
    }

    /// A write its own region did not install (its clock was behind what
    /// the region held, its parent) is beaten by that parent.
    #[test]
    fn causal_inversion_is_beaten_by_what_its_region_held() {
        let mut w2 = write(2, 1, 30, 1, "lost");
        w2.installed = false;
        let mut trace = Trace {
            writes: vec![write(1, 0, 10, 0, "survived"), w2],
            deliveries: vec![arrival(1, 20, true, 0), arrival(2, 40, false, 1)],
            reads: Vec::new(),
        };
        fill(&mut trace);
        assert_eq!(trace.writes[1].beaten_by, 1);
        assert_eq!(trace.writes[0].beaten_by, 0);
    }
}
