//! The version store: every version of every key, who holds it, and when
//! its fate (lost or survived) is decided.
//!
//! It joins the two tables the event loop reads on nearly every event: the
//! rows of what each region holds (`cells`) and the write lineage
//! (`lineage`), and it is the one owner of the lineage's holds. A version
//! is held by each region whose current version it is, by each message
//! that carries it, and by its key's latest-write marker; callers say what
//! happened (a write was issued and installed, a message was delivered or
//! dropped, a copy was sent) and never count holds themselves.
//!
//! The tricks that keep the event loop from waiting on memory live here
//! too and nowhere else: the loads each coming event will need are
//! requested ahead (`warm_*`), and a delivery's release waits a few
//! deliveries so that the version is in the cache by then. Delaying a
//! release only delays when an outcome is decided, never what it is
//! (outcomes depend on the shape of the tree alone), and the delay is the
//! same on every run.

use smallvec::SmallVec;

use super::cells::{Cell, Cells};
use super::fault_figures::IssueCells;
use super::lineage::{Lineage, Node, NodeId, Outcomes, NONE};
use super::lww::{beats, Stamp};

/// A version's handle in the store.
pub type VersionId = NodeId;

/// How many deliveries a release waits.
const DEFERRED: usize = 8;

/// A region's current version of a key, with the stamp last writer wins
/// compares.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Held {
    pub version: VersionId,
    pub stamp: Stamp,
}

/// A write that beat every write to its key issued before it.
#[derive(Clone, Copy, Debug)]
struct Record {
    stamp: Stamp,
    issue_ns: u64,
}

/// Every key's versions, in every region.
#[derive(Debug)]
pub struct VersionStore {
    cells: Cells,
    /// Per key, the writes that beat everything issued before them, in
    /// issue order (so their stamps increase), from the first one that
    /// still beats what some region holds: the earliest write that beats a
    /// version is the first of these that does. Empty when the run has no
    /// reads: nothing asks.
    records: Vec<SmallVec<[Record; 2]>>,
    lineage: Lineage,
    /// Releases let go of in `delivered`, carried out a few deliveries
    /// later; `NONE` where empty.
    deferred: [NodeId; DEFERRED],
    deferred_next: usize,
    keys: usize,
    regions: usize,
}

impl VersionStore {
    /// `keys` keys in `regions` regions, each holding its key's initial
    /// version. Outcomes are reported per cell of issue time (`cells`),
    /// and per write with `trace`. With `reads`, the store keeps what it
    /// needs to tell whether a read is stale.
    pub fn new(
        keys: usize,
        regions: usize,
        cells: IssueCells,
        trace: bool,
        reads: bool,
    ) -> VersionStore {
        // Every key's initial version, and room for as many writes in flight.
        let mut lineage = Lineage::new(cells, trace, 2 * keys);
        let roots: Vec<NodeId> = (0..keys).map(|_| lineage.root(regions as u32)).collect();
        let cells = Cells::new(keys, regions, |k| Cell {
            ts: lineage.get(roots[k]).ts,
            node: roots[k],
            rank: 0,
        });
        VersionStore {
            cells,
            records: if reads {
                vec![SmallVec::new(); keys]
            } else {
                Vec::new()
            },
            lineage,
            deferred: [NONE; DEFERRED],
            deferred_next: 0,
            keys,
            regions,
        }
    }

    /// Bytes per key, for estimates made before a run (the cells' row and
    /// a version: its links, 16 bytes, and its record, 32).
    pub fn bytes_per_key(regions: usize) -> usize {
        48 + Cells::bytes_per_key(regions)
    }

    /// What `region` holds of `key`.
    #[inline]
    pub fn held(&self, key: u32, region: usize) -> Held {
        let c = self.cells.get(key, region);
        Held {
            version: c.node,
            stamp: c.stamp(),
        }
    }

    /// The latest write to `key` issued anywhere (causal inversions
    /// excluded), if any.
    #[inline]
    pub fn latest(&self, key: u32) -> Option<VersionId> {
        let l = self.cells.latest(key);
        (l != NONE).then_some(l)
    }

    /// A version's record.
    #[inline]
    pub fn version(&self, id: VersionId) -> &Node {
        self.lineage.get(id)
    }

    /// The write that created `id` (0 for an initial version; only known
    /// with a trace).
    pub fn write_id(&self, id: VersionId) -> u64 {
        self.lineage.write_id(id)
    }

    /// A write stamped `stamp` was issued to `key` at `issue_ns` (whatever
    /// became of it): remember it if it beats every earlier one.
    #[inline]
    pub fn note_write(&mut self, key: u32, stamp: Stamp, issue_ns: u64) {
        if self.records.is_empty() {
            return;
        }
        self.prune(key);
        let r = &mut self.records[key as usize];
        if r.last().is_none_or(|last| beats(stamp, last.stamp)) {
            r.push(Record { stamp, issue_ns });
        }
    }

    /// When the earliest write to `key` that beats a version stamped
    /// `stamp` was issued, if any write does.
    #[inline]
    pub fn beaten_since(&mut self, key: u32, stamp: Stamp) -> Option<u64> {
        if self.records.is_empty() {
            return None;
        }
        self.prune(key);
        self.records[key as usize]
            .iter()
            .find(|r| beats(r.stamp, stamp))
            .map(|r| r.issue_ns)
    }

    /// Forget the records that beat nothing any region holds: no read can
    /// be stale because of them (under last writer wins what a region
    /// holds only gets newer).
    #[inline]
    fn prune(&mut self, key: u32) {
        let r = &mut self.records[key as usize];
        if r.is_empty() {
            return;
        }
        let row = self.cells.row(key);
        let oldest =
            row.iter()
                .map(|c| c.stamp())
                .fold(row[0].stamp(), |a, b| if beats(a, b) { b } else { a });
        let stale = r.iter().take_while(|rec| !beats(rec.stamp, oldest)).count();
        if stale > 0 {
            r.drain(..stale);
            // Back in place once few are left: no pointer to follow.
            if r.spilled() && r.len() <= 2 {
                r.shrink_to_fit();
            }
        }
    }

    /// Whether every region holds the same version of `key`.
    pub fn same_everywhere(&self, key: u32) -> bool {
        let row = self.cells.row(key);
        row.iter().all(|c| c.node == row[0].node)
    }

    /// A new version of `key`, built on `parent`, written by write
    /// `write_id` and stamped `stamp`. With `install`, region `at` holds it
    /// from now on (letting go of what it held) and it becomes the key's
    /// latest write; `copies` messages will carry it. Returns its id and
    /// whether it is a conflict (not the first version built on `parent`).
    #[allow(clippy::too_many_arguments)]
    #[inline]
    pub fn issue(
        &mut self,
        key: u32,
        at: usize,
        parent: VersionId,
        node: Node,
        stamp: Stamp,
        install: bool,
        copies: u32,
        write_id: u64,
        out: &mut impl Outcomes,
    ) -> (VersionId, bool) {
        // Holders: the messages, and if installed its region and the
        // latest-write marker.
        let holds = copies + 2 * u32::from(install);
        let (id, conflict) = self.lineage.child(parent, node, holds.max(1), write_id);
        if install {
            let old = self.cells.get(key, at);
            let cell = Cell {
                ts: stamp.ts,
                node: id,
                rank: stamp.rank,
            };
            self.cells.set(key, at, cell);
            let old_latest = self.cells.replace_latest(key, id);
            self.lineage.release(old.node, out);
            if old_latest != NONE {
                self.lineage.release(old_latest, out);
            }
        } else if holds == 0 {
            // Held by nothing at all: decided at once.
            self.lineage.release(id, out);
        }
        (id, conflict)
    }

    /// A message carrying `incoming` reached `region`, which held
    /// `current`; with `applied` the region holds it from now on. Either
    /// way the message's hold ends: it passes to the region, or the
    /// version is dropped.
    #[inline]
    pub fn delivered(
        &mut self,
        key: u32,
        region: usize,
        incoming: Held,
        current: Held,
        applied: bool,
        out: &mut impl Outcomes,
    ) {
        if applied {
            let cell = Cell {
                ts: incoming.stamp.ts,
                node: incoming.version,
                rank: incoming.stamp.rank,
            };
            self.cells.set(key, region, cell);
            self.release_later(current.version, out);
        } else {
            self.release_later(incoming.version, out);
        }
    }

    /// One more message carries `version`.
    #[inline]
    pub fn copy_sent(&mut self, version: VersionId) {
        self.lineage.hold(version);
    }

    /// A message carrying `version` was discarded before it arrived.
    #[inline]
    pub fn copy_dropped(&mut self, version: VersionId, out: &mut impl Outcomes) {
        self.lineage.release(version, out);
    }

    /// Make `version` the latest write to `key` (a new primary's state
    /// becomes the truth).
    pub fn make_latest(&mut self, key: u32, version: VersionId, out: &mut impl Outcomes) {
        // Nothing beats the truth: what was issued before no longer counts.
        if let Some(r) = self.records.get_mut(key as usize) {
            r.clear();
        }
        if self.cells.latest(key) != version {
            self.lineage.hold(version);
            let old = self.cells.replace_latest(key, version);
            if old != NONE {
                self.lineage.release(old, out);
            }
        }
    }

    /// Let go of a hold on `id`, but only a few deliveries from now: the
    /// node is requested from memory here and is there by then.
    #[inline]
    fn release_later(&mut self, id: NodeId, out: &mut impl Outcomes) {
        self.lineage.prefetch(id);
        // Halfway along, the links have arrived and tell whether the
        // release will decide the node: then what that reads is requested.
        let halfway = self.deferred[(self.deferred_next + DEFERRED / 2) % DEFERRED];
        if halfway != NONE {
            self.lineage.prefetch_if_last(halfway);
        }
        let slot = &mut self.deferred[self.deferred_next];
        let due = std::mem::replace(slot, id);
        self.deferred_next = (self.deferred_next + 1) % DEFERRED;
        if due != NONE {
            self.lineage.release(due, out);
        }
    }

    /// Carry out every delayed release, oldest first.
    pub fn flush(&mut self, out: &mut impl Outcomes) {
        for i in 0..DEFERRED {
            let slot = (self.deferred_next + i) % DEFERRED;
            let id = std::mem::replace(&mut self.deferred[slot], NONE);
            if id != NONE {
                self.lineage.release(id, out);
            }
        }
    }

    /// The end of a run: decide every version still undecided, and return
    /// each key's final version.
    ///
    /// A key's final version is the one the live regions (`live[r]`: not
    /// in an outage at the end) would settle on: the winner by last writer
    /// wins among what they hold and what is in flight to them
    /// (`messages`: key, destination, version; a destination past the
    /// regions for a message that never arrives). Its ancestors survive;
    /// everything else is lost: first what live regions and messages to
    /// them hold (overwritten, or about to be), then what only regions in
    /// an outage hold (`Outcomes::stranding` is called between the two:
    /// those writes are lost to the rest of the system). Call `flush` first.
    pub fn close(
        &mut self,
        messages: &[(u32, usize, Held)],
        live: &[bool],
        out: &mut impl Outcomes,
    ) -> Vec<VersionId> {
        // The latest-write markers are not real holders: letting go of
        // them decides losses.
        for key in 0..self.keys as u32 {
            let l = self.cells.latest(key);
            if l != NONE {
                self.lineage.release(l, out);
            }
        }
        let none_live = !live.iter().any(|&l| l);
        let counts = |r: usize| none_live || live.get(r) == Some(&true);
        let mut finals: Vec<Option<Held>> = (0..self.keys as u32)
            .map(|key| {
                let mut best: Option<Held> = None;
                for region in (0..self.regions).filter(|&r| counts(r)) {
                    let h = self.held(key, region);
                    if best.is_none_or(|b| beats(h.stamp, b.stamp)) {
                        best = Some(h);
                    }
                }
                best
            })
            .collect();
        for &(key, to, h) in messages {
            let best = &mut finals[key as usize];
            if counts(to) && best.is_none_or(|b| beats(h.stamp, b.stamp)) {
                *best = Some(h);
            }
        }
        let finals: Vec<VersionId> = finals
            .into_iter()
            .map(|f| f.expect("a key is held somewhere").version)
            .collect();
        for &f in &finals {
            self.lineage.hold(f);
        }
        for stranded in [false, true] {
            if stranded {
                out.stranding();
            }
            for &(_, to, h) in messages {
                if counts(to) != stranded {
                    self.lineage.release(h.version, out);
                }
            }
            for key in 0..self.keys as u32 {
                for region in (0..self.regions).filter(|&r| counts(r) != stranded) {
                    let held = self.cells.get(key, region).node;
                    self.lineage.release(held, out);
                }
            }
        }
        out.end_of_run();
        for &f in &finals {
            self.lineage.release(f, out);
        }
        finals
    }

    /// Request the row of `key`, which a coming event will read.
    #[inline]
    pub fn warm_row(&self, key: u32) {
        self.cells.prefetch(key);
    }

    /// Request the records of `key`, which a coming write or read reads.
    #[inline]
    pub fn warm_records(&self, key: u32) {
        if let Some(r) = self.records.get(key as usize) {
            crate::sim::memory::prefetch(r);
        }
    }

    /// Request, for an operation on `key` at `region` whose row was
    /// requested earlier, the versions it will touch: the one the region
    /// holds and the key's latest write (a write lets go of both).
    #[inline]
    pub fn warm_versions(&self, key: u32, region: usize) {
        let cell = self.cells.get(key, region);
        self.lineage.prefetch(cell.node);
        let latest = self.cells.latest(key);
        if latest != cell.node && latest != NONE {
            self.lineage.prefetch(latest);
        }
    }
}
