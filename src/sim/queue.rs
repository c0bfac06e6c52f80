//! The event queue: a min-heap over event *sources*, ordered by
//! (time, sequence number).
//!
//! Most events come from a few sources whose own events are already in time
//! order (each replication stream is FIFO, each client's arrivals are
//! increasing), so the heap holds only the next event of each source and
//! stays tiny. Sequence numbers are handed out when an event is scheduled;
//! events at the same instant run in the order they were scheduled.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use super::time::Time;

/// Identifies an event source; its meaning belongs to the caller.
pub type SourceId = u32;

/// Sequence numbers and the heap of source heads.
#[derive(Debug, Default)]
pub struct EventQueue {
    heap: BinaryHeap<Reverse<(Time, u64, SourceId)>>,
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

    /// Make `(time, seq)` the pending head of `source`.
    #[inline]
    pub fn push(&mut self, time: Time, seq: u64, source: SourceId) {
        self.heap.push(Reverse((time, seq, source)));
    }

    /// The earliest pending head, removed.
    #[inline]
    pub fn pop(&mut self) -> Option<(Time, u64, SourceId)> {
        self.heap.pop().map(|Reverse(e)| e)
    }

    /// The source of the earliest pending head, if any.
    #[inline]
    pub fn peek_source(&self) -> Option<SourceId> {
        self.heap.peek().map(|Reverse((_, _, s))| *s)
    }

    /// The earliest pending head's time, if any.
    pub fn peek_time(&self) -> Option<Time> {
        self.heap.peek().map(|Reverse((t, _, _))| *t)
    }

    pub fn is_empty(&self) -> bool {
        self.heap.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
