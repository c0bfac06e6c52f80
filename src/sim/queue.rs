//! The event queue: a min-heap over event *sources*, ordered by
//! (time, sequence number).
//!
//! Most events come from a few sources whose own events are already in time
//! order (each replication stream is FIFO, each client's arrivals are
//! increasing), so the heap holds only the next event of each source and
//! stays tiny. Sequence numbers are handed out when an event is scheduled
//! and are unique; events at the same instant run in the order they were
//! scheduled.
//!
//! Handling an event nearly always schedules the next one of its source,
//! so `pop` leaves the event it returns at the top of the heap, and the
//! next `push` puts its event in that place: one sift down the heap instead
//! of a removal and an insertion. Until then the stale top is the smallest
//! entry, so nothing pushed in between can rise above it.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use super::time::Time;

/// Identifies an event source; its meaning belongs to the caller.
pub type SourceId = u32;

/// An event: its time, and its sequence number above its source (48 and 16
/// bits), so that an entry is two words with no padding. Sequence numbers
/// are unique, so the source never decides the order.
type Entry = Reverse<(Time, u64)>;

#[inline]
fn entry(time: Time, seq: u64, source: SourceId) -> Entry {
    // 2^48 events would take years to simulate; sources are clients,
    // streams and a few more, far fewer than 2^16.
    debug_assert!(seq < 1 << 48 && source < 1 << 16);
    Reverse((time, seq << 16 | u64::from(source)))
}

#[inline]
fn unentry(e: &Entry) -> (Time, u64, SourceId) {
    let Reverse((time, tag)) = *e;
    (time, tag >> 16, (tag & 0xffff) as SourceId)
}

/// Sequence numbers and the heap of source heads.
#[derive(Debug, Default)]
pub struct EventQueue {
    heap: BinaryHeap<Entry>,
    /// The top of the heap was returned by `pop` and is no longer pending.
    popped: bool,
    next_seq: u64,
}

impl EventQueue {
    pub fn new() -> EventQueue {
        EventQueue::default()
    }

    /// A fresh sequence number: call it when an event is scheduled, even if
    /// the event waits behind others of its source and is not pushed yet.
    #[inline]
    pub fn next_seq(&mut self) -> u64 {
        let s = self.next_seq;
        self.next_seq += 1;
        s
    }

    /// Schedule `(time, seq)` for `source`.
    #[inline]
    pub fn push(&mut self, time: Time, seq: u64, source: SourceId) {
        let entry = entry(time, seq, source);
        if self.popped {
            self.popped = false;
            if let Some(mut top) = self.heap.peek_mut() {
                *top = entry;
                return;
            }
        }
        self.heap.push(entry);
    }

    /// The earliest pending event, removed.
    #[inline]
    pub fn pop(&mut self) -> Option<(Time, u64, SourceId)> {
        if std::mem::take(&mut self.popped) {
            self.heap.pop();
        }
        let e = unentry(self.heap.peek()?);
        self.popped = true;
        Some(e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};

    #[test]
    fn orders_by_time_then_scheduling_order() {
        let mut q = EventQueue::new();
        let a = q.next_seq();
        let b = q.next_seq();
        let c = q.next_seq();
        q.push(Time(10), c, 3);
        q.push(Time(10), a, 1);
        q.push(Time(5), b, 2);
        assert_eq!(q.pop(), Some((Time(5), b, 2)));
        assert_eq!(q.pop(), Some((Time(10), a, 1)));
        assert_eq!(q.pop(), Some((Time(10), c, 3)));
        assert_eq!(q.pop(), None);
    }

    /// Against a plain sorted list, with sources that often schedule
    /// several events at once (the extra heap) and that grow the tree.
    #[test]
    fn agrees_with_a_sorted_list() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(3);
        let mut q = EventQueue::new();
        let mut model: Vec<(Time, u64, SourceId)> = Vec::new();
        for step in 0..20_000 {
            if rng.random::<f64>() < 0.55 {
                let seq = q.next_seq();
                let t = Time(rng.random_range(0..200u64) + step / 10);
                let source = rng.random_range(0..(1 + step as u32 / 1000).min(40));
                q.push(t, seq, source);
                model.push((t, seq, source));
            } else {
                model.sort();
                let expected = (!model.is_empty()).then(|| model.remove(0));
                assert_eq!(q.pop(), expected);
            }
        }
        model.sort();
        for e in model {
            assert_eq!(q.pop(), Some(e));
        }
        assert_eq!(q.pop(), None);
    }
}
