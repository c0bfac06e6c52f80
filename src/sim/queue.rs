//! The event queue: typed events ordered by (time, sequence number), with
//! every message in flight in it at once.
//!
//! The caller's event type is carried in the entry itself, so handling an
//! event needs no decoding of packed fields and no side table of payloads.
//! Sequence numbers are handed out when an event is scheduled and are
//! unique; events at the same instant run in the order they were
//! scheduled, and the payload never decides the order.
//!
//! A run keeps hundreds of thousands of events pending (every replication
//! message in flight), so one binary heap would make each event a walk of
//! twenty cache-missing levels. This is a calendar queue instead: time is
//! cut into buckets of `WIDTH_NS`; the next `BUCKETS` buckets are unsorted
//! lists (pushing is an append), and anything further is in an overflow
//! heap. The bucket now being served is its list sorted once (popping is
//! taking the last entry), beside a small heap for what is scheduled into
//! it while it is served (a client's next operation, mostly). When both
//! run empty, the next bucket's list is sorted and served, and the
//! overflow entries that now fall in range move into the lists. The order popped is exactly (time, sequence),
//! whatever the bucket sizes: the buckets only decide where an entry waits.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

use super::time::Time;

/// Width of a bucket: about a millisecond.
const WIDTH_NS: u64 = 1 << 20;

/// Buckets ahead of the current one: about 4.4 s.
const BUCKETS: usize = 4096;

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

/// Bits of a packed key that hold the sequence number; the rest hold the
/// time's offset within its bucket (`WIDTH_NS` is `2^OFFSET_BITS`).
const SEQ_BITS: u32 = 44;
const OFFSET_BITS: u32 = 64 - SEQ_BITS;
const _: () = assert!(WIDTH_NS == 1 << OFFSET_BITS);

/// The largest sequence number a bucket list can hold: about 17.6 trillion
/// events, weeks of simulation at full speed.
pub const MAX_SEQ: u64 = (1 << SEQ_BITS) - 1;

/// An entry of a bucket list: its time's offset from the bucket's start
/// and its sequence number packed into one integer, so the lists are a
/// quarter smaller and sorting compares one word. Ascending keys are
/// ascending (time, sequence) within the bucket.
#[derive(Clone, Copy, Debug)]
struct Packed<E> {
    key: u64,
    event: E,
}

impl<E> Packed<E> {
    #[inline]
    fn new(e: Entry<E>) -> Packed<E> {
        debug_assert!(e.seq <= MAX_SEQ);
        Packed {
            key: (e.time.ns() % WIDTH_NS) << SEQ_BITS | e.seq,
            event: e.event,
        }
    }

    #[inline]
    fn unpack(self, bucket_start: u64) -> Entry<E> {
        Entry {
            time: Time(bucket_start + (self.key >> SEQ_BITS)),
            seq: self.key & MAX_SEQ,
            event: self.event,
        }
    }
}

/// Sequence numbers and the pending events.
#[derive(Debug)]
pub struct EventQueue<E> {
    /// The current bucket's entries, latest first (served from the end).
    current: Vec<Packed<E>>,
    /// Entries scheduled into the current bucket while it is served.
    late: BinaryHeap<Entry<E>>,
    /// End of the current bucket; bucket `k` of `ahead` (counted from
    /// `first`) holds entries in `[current_end + k·W, current_end + (k+1)·W)`.
    current_end: u64,
    ahead: Vec<Vec<Packed<E>>>,
    first: usize,
    in_ahead: usize,
    /// Entries at or after `current_end + BUCKETS·W`.
    far: BinaryHeap<Entry<E>>,
    next_seq: u64,
}

impl<E> Default for EventQueue<E> {
    fn default() -> Self {
        EventQueue {
            current: Vec::new(),
            late: BinaryHeap::new(),
            current_end: WIDTH_NS,
            ahead: (0..BUCKETS).map(|_| Vec::new()).collect(),
            first: 0,
            in_ahead: 0,
            far: BinaryHeap::new(),
            next_seq: 0,
        }
    }
}

impl<E: Copy> EventQueue<E> {
    pub fn new() -> EventQueue<E> {
        EventQueue::default()
    }

    /// A fresh sequence number: call it when an event is scheduled.
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
        let t = time.ns();
        if t < self.current_end {
            self.late.push(entry);
            return;
        }
        let k = ((t - self.current_end) / WIDTH_NS) as usize;
        if k < BUCKETS {
            let i = (self.first + k) % BUCKETS;
            self.ahead[i].push(Packed::new(entry));
            self.in_ahead += 1;
        } else {
            self.far.push(entry);
        }
    }

    /// Schedule `event` at `time` with a fresh sequence number.
    #[inline]
    pub fn schedule(&mut self, time: Time, event: E) {
        let seq = self.next_seq();
        self.push(time, seq, event);
    }

    /// The event `k` places after the next one, as far as the bucket now
    /// served knows (events scheduled into it meanwhile are not seen): a
    /// hint for what to request from memory ahead of time, never for order.
    #[inline]
    pub fn peek_ahead(&self, k: usize) -> Option<&E> {
        let i = self.current.len().checked_sub(k + 1)?;
        Some(&self.current[i].event)
    }

    /// How many events are pending.
    pub fn len(&self) -> usize {
        self.current.len() + self.late.len() + self.in_ahead + self.far.len()
    }

    /// Whether no event is pending.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The earliest pending event, removed: its time, sequence number and
    /// payload.
    #[inline]
    pub fn pop(&mut self) -> Option<(Time, u64, E)> {
        loop {
            let start = self.current_end - WIDTH_NS;
            // The greater entry in the heap order is the earlier one.
            let e = match (self.current.last(), self.late.peek()) {
                (Some(&c), Some(l)) if *l > c.unpack(start) => self.late.pop(),
                (Some(_), _) => self.current.pop().map(|c| c.unpack(start)),
                (None, Some(_)) => self.late.pop(),
                (None, None) => {
                    if !self.advance() {
                        return None;
                    }
                    continue;
                }
            };
            let e = e.expect("checked");
            return Some((e.time, e.seq, e.event));
        }
    }

    /// Make the next bucket current; `false` when nothing is pending.
    #[cold]
    fn advance(&mut self) -> bool {
        if self.in_ahead == 0 {
            // Nothing in the next buckets: jump to the overflow's earliest.
            let Some(min) = self.far.peek().map(|e| e.time.ns()) else {
                return false;
            };
            if min >= self.current_end {
                self.current_end += (min - self.current_end) / WIDTH_NS * WIDTH_NS;
            }
            self.pull_far();
        }
        // The emptied list keeps its room for a later bucket.
        std::mem::swap(&mut self.current, &mut self.ahead[self.first]);
        self.in_ahead -= self.current.len();
        // Latest first: served from the end.
        self.current
            .sort_unstable_by_key(|p| std::cmp::Reverse(p.key));
        self.first = (self.first + 1) % BUCKETS;
        self.current_end += WIDTH_NS;
        self.pull_far();
        true
    }

    /// Move overflow entries that now fall within the buckets ahead.
    fn pull_far(&mut self) {
        let horizon = self.current_end + BUCKETS as u64 * WIDTH_NS;
        while self.far.peek().is_some_and(|e| e.time.ns() < horizon) {
            let e = self.far.pop().expect("peeked");
            let t = e.time.ns();
            if t < self.current_end {
                self.late.push(e);
            } else {
                let k = ((t - self.current_end) / WIDTH_NS) as usize;
                let i = (self.first + k) % BUCKETS;
                self.ahead[i].push(Packed::new(e));
                self.in_ahead += 1;
            }
        }
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

    /// Against a plain sorted list, as a simulation uses it (nothing is
    /// scheduled before the last event popped), with delays from a
    /// nanosecond to far beyond the buckets, gaps the queue must jump,
    /// and many ties.
    #[test]
    fn agrees_with_a_sorted_list() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(3);
        let mut q = EventQueue::new();
        let mut model: Vec<(Time, u64, u32)> = Vec::new();
        let mut now = 0u64;
        for step in 0..200_000u32 {
            if rng.random::<f64>() < 0.52 {
                let seq = q.next_seq();
                let delay = match rng.random_range(0..5) {
                    0 => 0,
                    1 => rng.random_range(0..1_000u64),
                    2 => rng.random_range(0..5 * WIDTH_NS),
                    3 => rng.random_range(0..2 * BUCKETS as u64 * WIDTH_NS),
                    _ => rng.random_range(0..50 * BUCKETS as u64 * WIDTH_NS),
                };
                let t = Time(now + delay);
                q.push(t, seq, step);
                model.push((t, seq, step));
            } else {
                model.sort();
                let expected = (!model.is_empty()).then(|| model.remove(0));
                let got = q.pop();
                assert_eq!(got, expected);
                if let Some((t, _, _)) = got {
                    now = t.ns();
                }
            }
            assert_eq!(q.len(), model.len());
        }
        model.sort();
        for e in model {
            assert_eq!(q.pop(), Some(e));
        }
        assert_eq!(q.pop(), None);
        assert!(q.is_empty());
    }
}
