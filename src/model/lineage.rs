//! Write lineage: which writes survived and which were lost, decided in
//! memory bounded by keys plus writes in flight.
//!
//! Every version is a node whose parent is the version that was current at
//! its origin when it was issued; each key's versions form a tree. A node
//! counts its *holds* (regions whose current version it is, messages that
//! carry it, and the key's "latest write" marker) and its live
//! children. Three rules keep the tree small and decide outcomes as soon as
//! they are certain:
//!
//! - a node with no holds and no live children can never again be read,
//!   delivered or built upon: it is **lost** (with every write folded into
//!   it, below), and its parent loses a child;
//! - the root with no holds and exactly one live child is an ancestor of
//!   everything that can still happen to the key: it has **survived**, and
//!   the child becomes the root;
//! - any other node with no holds and exactly one live child shares that
//!   child's fate (it survives exactly when the child does), so it is
//!   **folded** into the child: removed from the tree, its write kept only
//!   as a count per (time bucket, origin) in the child's *weight*.
//!
//! So the tree holds only roots, versions that something still holds, and
//! forks between them; long runs of undecided writes (two regions that keep
//! overwriting each other's copies of a hot key) cost a few counters, not a
//! node per write.

use smallvec::SmallVec;

use super::fault_figures::IssueCells;
use crate::sim::memory::{prefetch, HugeVec};

/// Index of a node in the slab.
pub type NodeId = u32;

/// No node (the parent of a root), or no weight.
pub const NONE: NodeId = u32::MAX;

/// One version of one key: what it is, fixed when it is written and read
/// when its outcome is reported. Thirty-two bytes, aligned, so that it
/// never straddles two cache lines. (Write ids are kept apart, and only
/// with a trace: nothing else needs them.)
#[derive(Clone, Copy, Debug, Default)]
#[repr(align(32))]
pub struct Node {
    /// True time of issue, nanoseconds.
    pub issue_ns: u64,
    /// Last-writer-wins timestamp.
    pub ts: i64,
    /// The counter value it holds (counters only).
    pub value: u64,
    /// Writes folded into this node (index into the weights), or `NONE`.
    pub(super) weight: u32,
    /// Region that issued it (there are at most 64).
    pub origin: u8,
    /// Acknowledged but not installed at its own origin.
    pub inverted: bool,
    /// Written to a counter table.
    pub counter: bool,
    /// A key's initial version, which no write created.
    pub(super) initial: bool,
}

/// A node's place in its tree: what the event loop touches on nearly every
/// event, kept apart from the rest (`Node`) so that four fit in a cache
/// line and the busy part of the lineage is a quarter of its size.
#[derive(Clone, Copy, Debug, Default)]
#[repr(align(16))]
struct Links {
    parent: NodeId,
    /// Regions, messages and markers holding it.
    holds: u32,
    /// Live children, with `HAD_CHILD` set once any child was built on it
    /// (the next one is a conflict).
    children: u32,
    /// XOR of the live children's ids: with one child left, it is that child.
    child_xor: u32,
}

/// The flag in `Links::children`.
const HAD_CHILD: u32 = 1 << 31;

impl Links {
    #[inline]
    fn live_children(&self) -> u32 {
        self.children & !HAD_CHILD
    }
}

/// A count of writes that share a fate and the figures they are reported by.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Run {
    /// Cell of their issue time (`IssueCells`: a time bucket, cut at
    /// fault boundaries).
    pub bucket: u32,
    pub origin: u16,
    pub inverted: bool,
    pub counter: bool,
    pub count: u64,
}

impl Run {
    fn same_kind(&self, other: &Run) -> bool {
        (self.bucket, self.origin, self.inverted, self.counter)
            == (other.bucket, other.origin, other.inverted, other.counter)
    }
}

/// Runs of writes that share a fate: nearly always one or two, kept in
/// place so that reporting them reads no memory elsewhere.
type Runs = SmallVec<[Run; 2]>;

/// Writes folded into a node: counts, and (with a trace) their ids.
#[derive(Clone, Debug, Default)]
struct Weight {
    /// Sorted by kind, one run per kind.
    runs: Runs,
    /// (write id, causal inversion), kept only when tracing.
    ids: Vec<(u64, bool)>,
}

/// Where decided outcomes go.
pub trait Outcomes {
    /// `run.count` writes were decided: lost or survived.
    fn decided(&mut self, run: &Run, lost: bool);
    /// One write's outcome, reported only when tracing.
    fn decided_write(&mut self, write_id: u64, lost: bool, inverted: bool);
    /// From now on every version let go of counts as survived, whatever
    /// order it is let go in (the end of a run: what regions and messages
    /// still hold has not been overwritten everywhere).
    fn end_of_run(&mut self) {}
    /// From now on a lost version is stranded: held only by regions in an
    /// outage at the end of the run.
    fn stranding(&mut self) {}
}

/// The slab of live nodes.
#[derive(Debug)]
pub struct Lineage {
    /// Per node id, its links and its record, in two arrays.
    links: HugeVec<Links>,
    nodes: HugeVec<Node>,
    /// Per node id, the write that created it (0 for an initial version);
    /// kept only with a trace.
    write_ids: Vec<u64>,
    free: Vec<NodeId>,
    weights: Vec<Weight>,
    free_weights: Vec<u32>,
    cells: IssueCells,
    trace: bool,
}

impl Lineage {
    /// Outcomes are reported per cell of issue time (`cells`: time
    /// buckets, cut at fault boundaries); with `trace`, every write's own
    /// outcome is reported too. Room is made for `expected` nodes to begin
    /// with.
    pub fn new(cells: IssueCells, trace: bool, expected: usize) -> Lineage {
        let links = HugeVec::with_capacity(expected);
        let nodes = HugeVec::with_capacity(expected);
        Lineage {
            links,
            nodes,
            write_ids: Vec::new(),
            free: Vec::new(),
            weights: Vec::new(),
            free_weights: Vec::new(),
            cells,
            trace,
        }
    }

    #[inline]
    pub fn get(&self, id: NodeId) -> &Node {
        const _: () = assert!(std::mem::size_of::<Node>() == 32);
        &self.nodes[id as usize]
    }

    /// The write that created `id` (0 for an initial version). Only known
    /// with a trace; 0 without.
    pub fn write_id(&self, id: NodeId) -> u64 {
        self.write_ids.get(id as usize).copied().unwrap_or(0)
    }

    /// The version `id` was built on (`NONE` for a root).
    #[cfg(test)]
    fn parent(&self, id: NodeId) -> NodeId {
        self.links[id as usize].parent
    }

    /// Start loading a node's links, which the next hold, release or
    /// write on it will need.
    #[inline]
    pub fn prefetch(&self, id: NodeId) {
        const _: () = assert!(std::mem::size_of::<Links>() == 16);
        if let Some(l) = self.links.get(id as usize) {
            prefetch(l);
        }
    }

    /// If letting go of a hold or two may decide `id` (another may go
    /// first), start loading what deciding it reads: its record (the
    /// outcome is reported from it), and its one child (which becomes a
    /// root or takes the fold) or, with no child, its parent (which loses
    /// a child and may be decided in turn). Its own links should be loaded
    /// already.
    #[inline]
    pub fn prefetch_if_last(&self, id: NodeId) {
        if let Some(l) = self.links.get(id as usize) {
            if l.holds <= 2 {
                prefetch(&self.nodes[id as usize]);
                match l.live_children() {
                    // Lost: its parent loses a child, and may be decided
                    // in turn.
                    0 if l.parent != NONE => {
                        self.prefetch(l.parent);
                        prefetch(&self.nodes[l.parent as usize]);
                    }
                    1 => {
                        self.prefetch(l.child_xor);
                        if l.parent != NONE {
                            // Folded: the child's record takes its weight.
                            prefetch(&self.nodes[l.child_xor as usize]);
                        }
                    }
                    _ => {}
                }
            }
        }
    }

    /// Number of nodes alive now.
    #[cfg(test)]
    fn live(&self) -> usize {
        self.nodes.len() - self.free.len()
    }

    fn alloc(&mut self, node: Node, links: Links, write_id: u64) -> NodeId {
        let id = match self.free.pop() {
            Some(id) => {
                self.nodes[id as usize] = node;
                self.links[id as usize] = links;
                id
            }
            None => {
                self.nodes.push(node);
                self.links.push(links);
                (self.nodes.len() - 1) as NodeId
            }
        };
        if self.trace {
            if self.write_ids.len() <= id as usize {
                self.write_ids.resize(id as usize + 1, 0);
            }
            self.write_ids[id as usize] = write_id;
        }
        id
    }

    /// A key's initial version (write id 0), a root with `holds` holders.
    /// Its timestamp is the beginning of time: every write beats it, even
    /// one stamped by a clock that starts behind (a negative reading).
    pub fn root(&mut self, holds: u32) -> NodeId {
        let node = Node {
            ts: i64::MIN,
            weight: NONE,
            initial: true,
            ..Node::default()
        };
        let links = Links {
            parent: NONE,
            holds,
            ..Links::default()
        };
        self.alloc(node, links, 0)
    }

    /// A new version, written by write `write_id`, built on `parent`, with
    /// `holds` initial holders. Returns its id and whether it is a conflict
    /// (not the first child).
    pub fn child(
        &mut self,
        parent: NodeId,
        mut node: Node,
        holds: u32,
        write_id: u64,
    ) -> (NodeId, bool) {
        node.weight = NONE;
        node.initial = false;
        let links = Links {
            parent,
            holds,
            ..Links::default()
        };
        let id = self.alloc(node, links, write_id);
        let p = &mut self.links[parent as usize];
        let conflict = p.children & HAD_CHILD != 0;
        p.children = (p.children + 1) | HAD_CHILD;
        p.child_xor ^= id;
        (id, conflict)
    }

    /// One more holder of `id`.
    #[inline]
    pub fn hold(&mut self, id: NodeId) {
        self.links[id as usize].holds += 1;
    }

    /// One holder of `id` lets go; decide whatever became certain.
    #[inline]
    pub fn release(&mut self, id: NodeId, out: &mut impl Outcomes) {
        let l = &mut self.links[id as usize];
        debug_assert!(l.holds > 0, "release of an unheld node");
        l.holds -= 1;
        if l.holds == 0 {
            self.settle(id, out);
        }
    }

    fn settle(&mut self, mut id: NodeId, out: &mut impl Outcomes) {
        loop {
            let l = self.links[id as usize];
            if l.holds != 0 {
                return;
            }
            let root = l.parent == NONE;
            match l.live_children() {
                0 => {
                    // Lost; or, for a root nobody holds (only at teardown),
                    // survived.
                    self.report(id, !root, out);
                    self.forget(id);
                    if root {
                        return;
                    }
                    let p = &mut self.links[l.parent as usize];
                    p.children -= 1;
                    p.child_xor ^= id;
                    id = l.parent;
                }
                1 if root => {
                    self.report(id, false, out);
                    let child = l.child_xor;
                    self.forget(id);
                    self.links[child as usize].parent = NONE;
                    id = child;
                }
                1 => {
                    self.fold(id, l);
                    return;
                }
                _ => return,
            }
        }
    }

    /// Fold `id` (no holds, one child, not a root) into its child.
    fn fold(&mut self, id: NodeId, l: Links) {
        let n = self.nodes[id as usize];
        let child = l.child_xor;
        let mut w = if n.weight == NONE {
            Weight::default()
        } else {
            std::mem::take(&mut self.weights[n.weight as usize])
        };
        if n.weight != NONE {
            self.free_weights.push(n.weight);
        }
        add_run(&mut w.runs, self.own_run(&n));
        if self.trace {
            w.ids.push((self.write_ids[id as usize], n.inverted));
        }
        let cw = self.nodes[child as usize].weight;
        if cw == NONE {
            let slot = match self.free_weights.pop() {
                Some(slot) => {
                    self.weights[slot as usize] = w;
                    slot
                }
                None => {
                    self.weights.push(w);
                    (self.weights.len() - 1) as u32
                }
            };
            self.nodes[child as usize].weight = slot;
        } else {
            let target = &mut self.weights[cw as usize];
            for r in w.runs {
                add_run(&mut target.runs, r);
            }
            target.ids.extend(w.ids);
        }
        self.links[child as usize].parent = l.parent;
        let p = &mut self.links[l.parent as usize];
        p.child_xor ^= id ^ child;
        self.forget(id);
    }

    fn own_run(&self, n: &Node) -> Run {
        Run {
            bucket: self.cells.cell(n.issue_ns),
            origin: u16::from(n.origin),
            inverted: n.inverted,
            counter: n.counter,
            count: 1,
        }
    }

    /// Report a node's own write and everything folded into it.
    fn report(&mut self, id: NodeId, lost: bool, out: &mut impl Outcomes) {
        let n = self.nodes[id as usize];
        if !n.initial {
            out.decided(&self.own_run(&n), lost);
            if self.trace {
                out.decided_write(self.write_ids[id as usize], lost, n.inverted);
            }
        }
        if n.weight != NONE {
            let w = std::mem::take(&mut self.weights[n.weight as usize]);
            for r in &w.runs {
                out.decided(r, lost);
            }
            for &(id, inverted) in &w.ids {
                out.decided_write(id, lost, inverted);
            }
            self.free_weights.push(n.weight);
        }
    }

    fn forget(&mut self, id: NodeId) {
        self.free.push(id);
    }
}

/// Add a run to a sorted list, merging it with a run of the same kind.
fn add_run(runs: &mut Runs, run: Run) {
    // Writes mostly fold in issue order: try the end first.
    let kind = |r: &Run| (r.bucket, r.origin, r.inverted, r.counter);
    if let Some(last) = runs.last_mut() {
        if last.same_kind(&run) {
            last.count += run.count;
            return;
        }
        if kind(last) < kind(&run) {
            runs.push(run);
            return;
        }
    } else {
        runs.push(run);
        return;
    }
    match runs.binary_search_by(|r| {
        (r.bucket, r.origin, r.inverted, r.counter).cmp(&(
            run.bucket,
            run.origin,
            run.inverted,
            run.counter,
        ))
    }) {
        Ok(i) => runs[i].count += run.count,
        Err(i) => runs.insert(i, run),
    }
    debug_assert!(runs.windows(2).all(|w| !w[0].same_kind(&w[1])));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Default)]
    struct Seen {
        lost: Vec<u64>,
        survived: Vec<u64>,
    }

    impl Outcomes for Seen {
        fn decided(&mut self, _run: &Run, _lost: bool) {}
        fn decided_write(&mut self, id: u64, lost: bool, _inverted: bool) {
            if lost {
                self.lost.push(id);
            } else {
                self.survived.push(id);
            }
        }
    }

    fn write(l: &mut Lineage, id: u64, parent: NodeId, holds: u32) -> (NodeId, bool) {
        l.child(
            parent,
            Node {
                issue_ns: id,
                ..Node::default()
            },
            holds,
            id,
        )
    }

    #[test]
    fn a_chain_survives_and_is_forgotten() {
        // One region holding the key; writes 1, 2, 3 in turn.
        let mut l = Lineage::new(IssueCells::with_cuts(1, vec![]), true, 0);
        let mut seen = Seen::default();
        let mut cur = l.root(1);
        for id in 1..=3 {
            let (w, conflict) = write(&mut l, id, cur, 1);
            assert!(!conflict);
            l.release(cur, &mut seen);
            cur = w;
        }
        assert_eq!(seen.survived, vec![1, 2]);
        assert!(seen.lost.is_empty());
        assert_eq!(l.live(), 1);
    }

    #[test]
    fn two_writers_on_one_parent_one_is_lost() {
        // Two regions A and B both hold v0. Each writes (w1 at A, w2 at B);
        // each write has one message to the other region.
        let mut l = Lineage::new(IssueCells::with_cuts(1, vec![]), true, 0);
        let mut seen = Seen::default();
        let v0 = l.root(2);
        let (w1, c1) = write(&mut l, 1, v0, 2); // held by A, carried to B
        l.release(v0, &mut seen);
        let (w2, c2) = write(&mut l, 2, v0, 2); // held by B, carried to A
        l.release(v0, &mut seen);
        assert!(!c1 && c2, "the second write on v0 is the conflict");
        // w2 reaches A and wins there: A drops w1.
        l.hold(w2);
        l.release(w2, &mut seen); // the message is consumed
        l.release(w1, &mut seen); // A no longer holds w1
        assert!(seen.lost.is_empty(), "w1 is still on its way to B");
        // w1 reaches B and loses: dropped.
        l.release(w1, &mut seen);
        assert_eq!(seen.lost, vec![1]);
        // v0 now has one child (w2) and no holders: it survived (write id 0
        // is not reported), and w2 is the new root.
        assert!(seen.survived.is_empty());
        assert_eq!(l.parent(w2), NONE);
        assert_eq!(l.live(), 1);
    }
}
