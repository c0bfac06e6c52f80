//! The event queue: a min-heap of typed events ordered by (time, sequence
//! number).
//!
//! The caller's event type is carried in the entry itself, so handling an
//! event needs no decoding of packed fields and no side table of payloads.
//! Sequence numbers are handed out when an event is scheduled and are
//! unique; events at the same instant run in the order they were
//! scheduled, and the payload never decides the order.
//!
//! Most events come from a few sources whose own events are already in
//! time order (each replication stream is FIFO, each client's arrivals are
//! increasing), so the caller keeps only the next event of each source
//! here and the heap stays tiny.
//!
//! Handling an event nearly always schedules the next one of its source,
//! so `pop` leaves the event it returns at the top of the heap, and the
//! next `push` puts its event in that place: one sift down the heap instead
//! of a removal and an insertion. Until then the stale top is the smallest
//! entry, so nothing pushed in between can rise above it.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

use super::time::Time;

/// A scheduled event. Ordered so that the heap's greatest entry is the
/// earliest one (smallest time, then smallest sequence number).
#[derive(Clone, Copy, Debug)]
struct Entry<E> {
    time: Time,
    seq: u64,
    event: E,
}

impl<E> PartialEq for Entry<E> {
    fn eq(&self, other: &Self) -> bool {
        (self.time, self.seq) == (other.time, other.seq)
    }
}

impl<E> Eq for Entry<E> {}

impl<E> PartialOrd for Entry<E> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl<E> Ord for Entry<E> {
    #[inline]
    fn cmp(&self, other: &Self) -> Ordering {
        (other.time, other.seq).cmp(&(self.time, self.seq))
    }
}

/// Sequence numbers and the heap of pending events.
#[derive(Debug)]
pub struct EventQueue<E> {
    heap: BinaryHeap<Entry<E>>,
    /// The top of the heap was returned by `pop` and is no longer pending.
    popped: bool,
    next_seq: u64,
}

impl<E> Default for EventQueue<E> {
    fn default() -> Self {
        EventQueue {
            heap: BinaryHeap::new(),
            popped: false,
            next_seq: 0,
        }
    }
}

impl<E: Copy> EventQueue<E> {
    pub fn new() -> EventQueue<E> {
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

    /// Schedule `event` at `time` with the sequence number `seq`.
    #[inline]
    pub fn push(&mut self, time: Time, seq: u64, event: E) {
        let entry = Entry { time, seq, event };
        if self.popped {
            self.popped = false;
            if let Some(mut top) = self.heap.peek_mut() {
                *top = entry;
                return;
            }
        }
        self.heap.push(entry);
    }

    /// Schedule `event` at `time` with a fresh sequence number.
    #[inline]
    pub fn schedule(&mut self, time: Time, event: E) {
        let seq = self.next_seq();
        self.push(time, seq, event);
    }

    /// The earliest pending event, removed: its time, sequence number and
    /// payload.
    #[inline]
    pub fn pop(&mut self) -> Option<(Time, u64, E)> {
        if std::mem::take(&mut self.popped) {
            self.heap.pop();
        }
        let e = self.heap.peek()?;
        let out = (e.time, e.seq, e.event);
        self.popped = true;
        Some(out)
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
        q.push(Time(10), c, 'c');
        q.push(Time(10), a, 'a');
        q.push(Time(5), b, 'b');
        assert_eq!(q.pop(), Some((Time(5), b, 'b')));
        assert_eq!(q.pop(), Some((Time(10), a, 'a')));
        assert_eq!(q.pop(), Some((Time(10), c, 'c')));
        assert_eq!(q.pop(), None);
    }

    /// Against a plain sorted list, with sources that often schedule
    /// several events at once and that grow the tree.
    #[test]
    fn agrees_with_a_sorted_list() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(3);
        let mut q = EventQueue::new();
        let mut model: Vec<(Time, u64, u32)> = Vec::new();
        for step in 0..20_000 {
            if rng.random::<f64>() < 0.55 {
                let seq = q.next_seq();
                let t = Time(rng.random_range(0..200u64) + step / 10);
                let payload = rng.random_range(0..(1 + step as u32 / 1000).min(40));
                q.push(t, seq, payload);
                model.push((t, seq, payload));
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
