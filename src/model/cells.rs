//! What every region holds of every key, one row per key.
//!
//! A row is the key's cell in each region (the version it holds, with the
//! timestamp beside it so that comparisons need not visit the version)
//! followed by the key's latest-write marker. Rows are a whole number of
//! 64-byte cache lines and start on a line: with up to three regions a
//! key is exactly one line, so a write and each of its deliveries load one
//! line for the key instead of two or three.

use std::ops::Deref;

use super::lineage::{NodeId, NONE};
use super::lww::Stamp;
use crate::sim::memory::{prefetch, HugeVec};

/// A region's current version of a key.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[repr(align(16))]
pub(super) struct Cell {
    pub(super) ts: i64,
    pub(super) node: NodeId,
    pub(super) rank: u16,
}

impl Cell {
    /// What last writer wins compares.
    #[inline]
    pub(super) fn stamp(&self) -> Stamp {
        Stamp {
            ts: self.ts,
            rank: self.rank,
        }
    }
}

/// Cells per cache line.
const PER_LINE: usize = 64 / std::mem::size_of::<Cell>();

/// The rows of all keys.
#[derive(Debug)]
pub(super) struct Cells {
    /// Rows of `stride` slots: slots `0..n` are the regions' cells, slot
    /// `n` holds the latest-write marker in its `node` (its other fields
    /// are unused), the rest is padding. Row 0 starts a line.
    slots: HugeVec<Cell>,
    stride: usize,
    n: usize,
}

impl Cells {
    /// `keys` rows for `n` regions, every cell holding `initial(key)` and
    /// no latest write yet.
    pub(super) fn new(keys: usize, n: usize, initial: impl Fn(usize) -> Cell) -> Cells {
        const _: () = assert!(std::mem::size_of::<Cell>() == 16);
        let stride = (n + 1).div_ceil(PER_LINE) * PER_LINE;
        let marker = Cell {
            ts: 0,
            node: NONE,
            rank: 0,
        };
        let mut slots = HugeVec::with_capacity(keys * stride);
        for key in 0..keys {
            let cell = initial(key);
            for region in 0..stride {
                slots.push(if region < n { cell } else { marker });
            }
        }
        Cells { slots, stride, n }
    }

    #[inline]
    fn slot(&self, key: u32, region: usize) -> usize {
        debug_assert!(region <= self.n);
        key as usize * self.stride + region
    }

    /// The cell of `key` in `region`.
    #[inline]
    pub(super) fn get(&self, key: u32, region: usize) -> Cell {
        self.slots[self.slot(key, region)]
    }

    #[inline]
    pub(super) fn set(&mut self, key: u32, region: usize, cell: Cell) {
        let i = self.slot(key, region);
        self.slots[i] = cell;
    }

    /// The latest write to `key` issued anywhere (`NONE` before the first).
    #[inline]
    pub(super) fn latest(&self, key: u32) -> NodeId {
        self.slots[self.slot(key, self.n)].node
    }

    /// Make `id` the latest write to `key`; returns the one it replaces.
    #[inline]
    pub(super) fn replace_latest(&mut self, key: u32, id: NodeId) -> NodeId {
        let i = self.slot(key, self.n);
        std::mem::replace(&mut self.slots[i].node, id)
    }

    /// Start loading the row of `key`.
    #[inline]
    pub(super) fn prefetch(&self, key: u32) {
        if let Some(c) = self.slots.get(self.slot(key, 0)) {
            prefetch(c);
        }
    }

    /// The cells of `key` in every region.
    #[inline]
    pub(super) fn row(&self, key: u32) -> &[Cell] {
        let start = self.slot(key, 0);
        &self.slots.deref()[start..start + self.n]
    }

    /// How many keys there are.
    #[cfg(test)]
    fn keys(&self) -> usize {
        self.slots.len() / self.stride
    }

    /// Bytes per key, for estimates made before a run.
    pub(super) fn bytes_per_key(n: usize) -> usize {
        (n + 1).div_ceil(PER_LINE) * 64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cell(node: NodeId) -> Cell {
        Cell {
            ts: 1,
            node,
            rank: 0,
        }
    }

    #[test]
    fn rows_start_on_a_line_and_keep_their_cells() {
        for n in 1..=9 {
            let mut c = Cells::new(50, n, |k| cell(k as NodeId));
            assert_eq!(c.keys(), 50);
            for key in 0..50u32 {
                assert_eq!(&c.slots[c.slot(key, 0)] as *const Cell as usize % 64, 0);
                assert!(c.row(key).iter().all(|x| x.node == key));
                assert_eq!(c.latest(key), NONE);
            }
            c.set(7, n - 1, cell(99));
            assert_eq!(c.replace_latest(7, 5), NONE);
            assert_eq!(c.replace_latest(7, 6), 5);
            assert_eq!(c.get(7, n - 1).node, 99);
            assert_eq!(c.latest(7), 6);
            assert!(c.row(6).iter().chain(c.row(8)).all(|x| x.node != 99));
            assert_eq!(c.latest(8), NONE);
        }
        assert_eq!(Cells::bytes_per_key(3), 64);
        assert_eq!(Cells::bytes_per_key(4), 128);
    }
}
