//! Write lineage: which writes survived and which were lost, decided in
//! memory bounded by keys plus writes in flight.
//!
//! Every version is a node whose parent is the version that was current at
//! its origin when it was issued; each key's versions form a tree. A node
//! counts its *holds* (regions whose current version it is, messages that
//! carry it, and the engine's own "latest write" marker) and its live
//! children. Two rules decide outcomes as soon as they are certain:
//!
//! - a node with no holds and no live children can never again be read,
//!   delivered or built upon: it is **lost**, and its parent loses a child;
//! - the tree's root with no holds and exactly one live child is an
//!   ancestor of everything that can still happen to the key: it has
//!   **survived**, and the child becomes the root.
//!
//! So a node is forgotten the moment its fate is known, and only versions
//! that are still contested stay in memory.

/// Index of a node in the slab.
pub type NodeId = u32;

/// No node (the parent of a root).
pub const NONE: NodeId = u32::MAX;

/// One version of one key.
#[derive(Clone, Copy, Debug, Default)]
pub struct Node {
    /// The write that created it; 0 for a key's initial version.
    pub write_id: u64,
    /// True time of issue, nanoseconds.
    pub issue_ns: u64,
    /// Last-writer-wins timestamp.
    pub ts: i64,
    /// The counter value it holds (counters only).
    pub value: u64,
    pub parent: NodeId,
    /// Global key index.
    pub key: u32,
    /// Region that issued it.
    pub origin: u16,
    /// Rank of the origin's name in alphabetical order (timestamp ties).
    pub origin_rank: u16,
    /// Acknowledged but not installed at its own origin.
    pub inverted: bool,
    pub(super) holds: u32,
    pub(super) children: u32,
    /// XOR of the live children's ids: with one child left, it is that child.
    pub(super) child_xor: u32,
    /// Children ever built on this node (conflicts).
    pub children_ever: u32,
}

impl Node {
    /// The last-writer-wins order: timestamp, then region name.
    #[inline]
    pub fn beats(&self, other: &Node) -> bool {
        (self.ts, self.origin_rank) > (other.ts, other.origin_rank)
    }
}

/// Where decided outcomes go.
pub trait Outcomes {
    fn lost(&mut self, node: &Node);
    fn survived(&mut self, node: &Node);
}

/// The slab of live nodes.
#[derive(Debug, Default)]
pub struct Lineage {
    nodes: Vec<Node>,
    free: Vec<NodeId>,
    live: usize,
    peak_live: usize,
}

impl Lineage {
    pub fn new() -> Lineage {
        Lineage::default()
    }

    #[inline]
    pub fn get(&self, id: NodeId) -> &Node {
        &self.nodes[id as usize]
    }

    /// Number of nodes alive now, and the most ever alive at once.
    pub fn live(&self) -> (usize, usize) {
        (self.live, self.peak_live)
    }

    fn alloc(&mut self, node: Node) -> NodeId {
        self.live += 1;
        self.peak_live = self.peak_live.max(self.live);
        match self.free.pop() {
            Some(id) => {
                self.nodes[id as usize] = node;
                id
            }
            None => {
                self.nodes.push(node);
                (self.nodes.len() - 1) as NodeId
            }
        }
    }

    /// A key's initial version (write id 0), a root with `holds` holders.
    pub fn root(&mut self, key: u32, holds: u32) -> NodeId {
        self.alloc(Node {
            key,
            parent: NONE,
            holds,
            ..Node::default()
        })
    }

    /// A new version built on `parent`, with `holds` initial holders.
    /// Returns its id and whether it is a conflict (not the first child).
    pub fn child(&mut self, mut node: Node, holds: u32) -> (NodeId, bool) {
        node.holds = holds;
        node.children = 0;
        node.child_xor = 0;
        node.children_ever = 0;
        let parent = node.parent;
        let id = self.alloc(node);
        let p = &mut self.nodes[parent as usize];
        p.children += 1;
        p.child_xor ^= id;
        p.children_ever += 1;
        (id, p.children_ever > 1)
    }

    /// One more holder of `id`.
    #[inline]
    pub fn hold(&mut self, id: NodeId) {
        self.nodes[id as usize].holds += 1;
    }

    /// One holder of `id` lets go; decide whatever became certain.
    #[inline]
    pub fn release(&mut self, id: NodeId, out: &mut impl Outcomes) {
        let n = &mut self.nodes[id as usize];
        debug_assert!(n.holds > 0, "release of an unheld node");
        n.holds -= 1;
        if n.holds == 0 {
            self.settle(id, out);
        }
    }

    fn settle(&mut self, mut id: NodeId, out: &mut impl Outcomes) {
        loop {
            let n = self.nodes[id as usize];
            if n.holds != 0 {
                return;
            }
            if n.children == 0 {
                if n.parent == NONE {
                    // A root nobody holds: only at teardown.
                    if n.write_id != 0 {
                        out.survived(&n);
                    }
                    self.forget(id);
                    return;
                }
                out.lost(&n);
                self.forget(id);
                let p = &mut self.nodes[n.parent as usize];
                p.children -= 1;
                p.child_xor ^= id;
                id = n.parent;
            } else if n.parent == NONE && n.children == 1 {
                if n.write_id != 0 {
                    out.survived(&n);
                }
                let child = n.child_xor;
                self.forget(id);
                self.nodes[child as usize].parent = NONE;
                id = child;
            } else {
                return;
            }
        }
    }

    fn forget(&mut self, id: NodeId) {
        self.free.push(id);
        self.live -= 1;
    }

    /// Whether `candidate` is `ancestor` or descends from it. Walks up from
    /// the candidate; ancestors are never issued after their descendants,
    /// so the walk stops as soon as it passes `ancestor`'s issue time.
    pub fn descends_from(&self, candidate: NodeId, ancestor: NodeId) -> bool {
        let floor = self.nodes[ancestor as usize].issue_ns;
        let mut id = candidate;
        while id != NONE {
            if id == ancestor {
                return true;
            }
            let n = &self.nodes[id as usize];
            if n.issue_ns < floor {
                return false;
            }
            id = n.parent;
        }
        false
    }
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
        fn lost(&mut self, n: &Node) {
            self.lost.push(n.write_id);
        }
        fn survived(&mut self, n: &Node) {
            self.survived.push(n.write_id);
        }
    }

    fn write(l: &mut Lineage, id: u64, parent: NodeId, holds: u32) -> (NodeId, bool) {
        l.child(
            Node {
                write_id: id,
                issue_ns: id,
                parent,
                ..Node::default()
            },
            holds,
        )
    }

    #[test]
    fn a_chain_survives_and_is_forgotten() {
        // One region holding the key; writes 1, 2, 3 in turn.
        let mut l = Lineage::new();
        let mut seen = Seen::default();
        let mut cur = l.root(0, 1);
        for id in 1..=3 {
            let (w, conflict) = write(&mut l, id, cur, 1);
            assert!(!conflict);
            l.release(cur, &mut seen);
            cur = w;
        }
        assert_eq!(seen.survived, vec![1, 2]);
        assert!(seen.lost.is_empty());
        assert_eq!(l.live().0, 1);
    }

    #[test]
    fn two_writers_on_one_parent_one_is_lost() {
        // Two regions A and B both hold v0. Each writes (w1 at A, w2 at B);
        // each write has one message to the other region.
        let mut l = Lineage::new();
        let mut seen = Seen::default();
        let v0 = l.root(0, 2);
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
        assert_eq!(l.get(w2).parent, NONE);
        assert_eq!(l.live().0, 1);
    }

    #[test]
    fn descent_walks_up_the_tree() {
        let mut l = Lineage::new();
        let v0 = l.root(0, 3);
        let (a, _) = write(&mut l, 1, v0, 1);
        let (b, _) = write(&mut l, 2, a, 1);
        let (c, _) = write(&mut l, 3, v0, 1);
        assert!(l.descends_from(b, a));
        assert!(l.descends_from(b, b));
        assert!(!l.descends_from(c, a));
        assert!(!l.descends_from(a, b));
    }
}
