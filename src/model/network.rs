//! Replication streams: one per ordered region pair.
//!
//! A message becomes ready after the origin's pipeline delay, is dispatched
//! when the link is up (and, with a throughput, when the stream is free),
//! crosses in its drawn transit time, and never arrives before a message
//! queued earlier for the same item (`item` ordering) or before any
//! message queued earlier (`stream` ordering). A message in transit when its link goes down is sent
//! again when the link heals. Because the fault schedule is fixed up front,
//! the arrival time of a message is known the moment it is queued, and the
//! message is scheduled in the event queue then. The stream keeps its
//! messages in the order they were sent, each under a slot number, until
//! they and every message sent before them have arrived: what is still in
//! flight, and the oldest of it, can be read off the stream at any time.

use std::collections::VecDeque;

use super::faults::Window;
use super::lww::Stamp;
use crate::scenario::{Ordering, Slowing};
use crate::sim::time::{Nanos, Time};

/// A message on a stream: which version, and when it arrives. It carries
/// what the receiver compares, so a delivery that loses need not look the
/// version up. Forty bytes: the streams hold every write in flight, so
/// their size is much of the simulator's memory traffic.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Message {
    /// The lineage node of the version carried.
    pub node: u32,
    /// Global key index.
    pub key: u32,
    /// The version's last-writer-wins timestamp.
    pub ts: i64,
    /// True issue time, for the lag.
    pub issue: Time,
    /// When it reaches the destination; `Time::MAX` if never (the link
    /// stays down until the end).
    pub arrive: Time,
    /// The rank of the version's origin (timestamp ties).
    rank: u16,
}

impl Message {
    pub fn new(node: u32, key: u32, ts: i64, rank: u16, issue: Time, arrive: Time) -> Message {
        const _: () = assert!(std::mem::size_of::<Message>() == 40);
        Message {
            node,
            key,
            ts,
            issue,
            arrive,
            rank,
        }
    }

    /// Rank of the version's origin in alphabetical order.
    #[inline]
    pub fn rank(&self) -> u16 {
        self.rank
    }

    /// What last writer wins compares.
    #[inline]
    pub fn stamp(&self) -> Stamp {
        Stamp {
            ts: self.ts,
            rank: self.rank(),
        }
    }
}

/// When a stream that serves its messages in order first went idle at or
/// after a fault's end: the end of the busy period the fault caused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Drain {
    pub end: Time,
    /// When it went idle; `None` until seen.
    pub at: Option<Time>,
    /// The largest backlog since the last `take_peak` when it was seen.
    pub peak: u64,
}

/// Above this many messages of room (160 KiB), a stream whose deque is
/// three-quarters empty gives room back.
const SHRINK_ABOVE: usize = 4096;

/// A message that has arrived is marked by this node in its slot.
const ARRIVED: u32 = u32::MAX;

/// One direction of one region pair.
#[derive(Clone, Debug)]
pub struct Stream {
    pub from: usize,
    pub to: usize,
    /// Messages in the order sent, from the oldest one not yet arrived;
    /// those that arrived since are marked `ARRIVED`.
    sent: VecDeque<Message>,
    /// Slot number of `sent[0]`.
    base: u64,
    /// Messages sent and not yet arrived.
    in_flight: u64,
    /// Down windows of this link, merged and sorted.
    down: Vec<Window>,
    /// Windows in which the origin sends nothing new, merged and sorted.
    held: Vec<Window>,
    /// First window that may still matter (dispatch times only grow).
    cursor: usize,
    /// Slowdown windows of this link: a message sent inside one takes
    /// longer (`slowdown` faults).
    slow: Vec<(Window, Slowing)>,
    /// Time between dispatches; zero without a throughput limit.
    service: Nanos,
    /// Earliest time the next message may be dispatched (with a
    /// throughput limit).
    free_at: Time,
    ordering: Ordering,
    /// Arrival time of the last message queued (`stream` ordering).
    last_arrival: Time,

    pub max_backlog: u64,
    /// The largest backlog since `take_peak` was last called.
    peak: u64,
    /// When the last message that could not leave when ready (held by a
    /// fault, or queued behind others) has left, service time included.
    pub waited_until: Time,
    /// Fault ends whose drain this stream reports (per-fault figures), in
    /// time order, and the next one not yet drained (`Time::MAX`: none).
    pub drains: Vec<Drain>,
    drain_next: usize,
    next_watch: Time,
    pub deliveries: u64,
}

impl Stream {
    pub fn new(
        from: usize,
        to: usize,
        down: Vec<Window>,
        held: Vec<Window>,
        throughput_per_s: Option<f64>,
        ordering: Ordering,
    ) -> Stream {
        let service = throughput_per_s
            .map(|r| (1e9 / r).round() as Nanos)
            .unwrap_or(0);
        Stream {
            from,
            to,
            sent: VecDeque::new(),
            base: 0,
            in_flight: 0,
            down,
            held,
            cursor: 0,
            slow: Vec::new(),
            service,
            free_at: Time::ZERO,
            ordering,
            last_arrival: Time::ZERO,
            max_backlog: 0,
            peak: 0,
            waited_until: Time::ZERO,
            drains: Vec::new(),
            drain_next: 0,
            next_watch: Time::MAX,
            deliveries: 0,
        }
    }

    /// When a message sent at `now` (sends come in time order), ready at
    /// `ready` with transit time `transit`, arrives: under `item` ordering
    /// no earlier than `item_last` (the item's last arrival queued on this
    /// stream), under `stream` ordering no earlier than any message before, given every message queued before it. Updates
    /// the stream's state.
    #[inline]
    pub fn arrival(&mut self, item_last: Time, now: Time, ready: Time, transit: Nanos) -> Time {
        let transit = if self.slow.is_empty() {
            transit
        } else {
            self.slowed(now, ready, transit)
        };
        let on_wire = self.on_wire(now, ready, transit);
        match self.ordering {
            Ordering::Stream => {
                let arrive = on_wire.max(self.last_arrival);
                self.last_arrival = arrive;
                arrive
            }
            Ordering::Item => on_wire.max(item_last),
        }
    }

    /// The stream with these slowdown windows (from the fault schedule).
    pub fn with_slowdowns(mut self, slow: Vec<(Window, Slowing)>) -> Stream {
        self.slow = slow;
        self
    }

    /// The transit time of a message sent at `now` and ready at `ready`,
    /// with what every slowdown active at `now` adds: a fixed addition, or
    /// the message's whole delay (pipeline and transit) times (factor − 1),
    /// so that the delay becomes factor times what it was. The extra time
    /// is spent on the wire, so a link that goes down meanwhile resends it.
    #[cold]
    fn slowed(&self, now: Time, ready: Time, transit: Nanos) -> Nanos {
        let delay = ready.ns().saturating_sub(now.ns()).saturating_add(transit);
        let mut extra: Nanos = 0;
        for (w, by) in &self.slow {
            if w.contains(now) {
                extra = extra.saturating_add(match *by {
                    Slowing::Add(d) => d,
                    Slowing::Factor(f) => ((f - 1.0) * delay as f64).round() as Nanos,
                });
            }
        }
        transit.saturating_add(extra)
    }

    /// Whether messages leave in the order sent. A log is shipped in order,
    /// and with a throughput limit messages are served one at a time in
    /// the order sent: then dispatch times only grow. Otherwise an item's
    /// message waits for nothing before it leaves.
    #[inline]
    pub fn in_order(&self) -> bool {
        self.service != 0 || self.ordering == Ordering::Stream
    }

    /// When a message sent at `now` and ready at `ready` would arrive with
    /// no earlier message to wait for, given the link's down windows and
    /// the stream's throughput.
    fn on_wire(&mut self, now: Time, ready: Time, transit: Nanos) -> Time {
        let in_order = self.in_order();
        let idle_from = self.free_at;
        let mut dispatch = if in_order {
            ready.max(self.free_at)
        } else {
            ready
        };
        let mut i = self.cursor;
        loop {
            // An origin that sends nothing new holds the message until it
            // returns (windows are few: a plain scan).
            if let Some(w) = self.held.iter().find(|w| w.contains(dispatch)) {
                match w.end {
                    Some(e) => dispatch = e,
                    None => {
                        self.free_at = Time::MAX;
                        self.waited_until = Time::MAX;
                        return Time::MAX;
                    }
                }
                continue;
            }
            while i < self.down.len() && self.down[i].end.is_some_and(|e| e <= dispatch) {
                i += 1;
            }
            let Some(w) = self.down.get(i) else {
                break;
            };
            // Down now, or goes down while the message is crossing: it is
            // (re)sent when the link heals.
            if w.start <= dispatch || w.start < dispatch.after(transit) {
                match w.end {
                    Some(e) => dispatch = e,
                    None => {
                        self.free_at = Time::MAX;
                        self.waited_until = Time::MAX;
                        return Time::MAX;
                    }
                }
            } else {
                break;
            }
        }
        // Windows over before the earliest time a later message can leave
        // never matter again.
        if in_order {
            self.cursor = i;
        } else {
            while self
                .down
                .get(self.cursor)
                .is_some_and(|w| w.end.is_some_and(|e| e <= now))
            {
                self.cursor += 1;
            }
        }
        self.free_at = dispatch.after(self.service);
        if dispatch > ready {
            self.waited_until = self.waited_until.max(self.free_at);
        } else if ready >= self.next_watch && in_order {
            // It left when ready: the sender was idle from `idle_from`.
            self.went_idle(idle_from, ready);
        }
        dispatch.after(transit)
    }

    /// Report the drain after each of `ends` (fault ends, any order).
    pub fn watch_drains(&mut self, mut ends: Vec<Time>) {
        ends.sort_unstable();
        ends.dedup();
        self.drains = ends
            .into_iter()
            .map(|end| Drain {
                end,
                at: None,
                peak: 0,
            })
            .collect();
        self.drain_next = 0;
        self.next_watch = self.drains.first().map_or(Time::MAX, |d| d.end);
    }

    /// The sender was idle over `[from, until]`: every watched end at or
    /// before `until` has drained, at the later of `from` and the end.
    #[cold]
    fn went_idle(&mut self, from: Time, until: Time) {
        while let Some(d) = self.drains.get_mut(self.drain_next) {
            if d.end > until {
                break;
            }
            d.at = Some(from.max(d.end));
            d.peak = self.peak;
            self.drain_next += 1;
        }
        self.next_watch = self
            .drains
            .get(self.drain_next)
            .map_or(Time::MAX, |d| d.end);
    }

    /// When the sender will have sent everything queued so far
    /// (`Time::MAX` if never).
    pub fn free_at(&self) -> Time {
        self.free_at
    }

    /// Queue a message (its arrival already computed by `arrival`);
    /// returns its slot.
    #[inline]
    pub fn push(&mut self, message: Message) -> u64 {
        debug_assert!(message.node != ARRIVED);
        self.sent.push_back(message);
        self.in_flight += 1;
        if self.in_flight > self.max_backlog {
            self.max_backlog = self.in_flight;
        }
        self.peak = self.peak.max(self.in_flight);
        self.base + self.sent.len() as u64 - 1
    }

    /// The message in `slot` arrives: taken out, unless it was discarded.
    #[inline]
    pub fn take(&mut self, slot: u64) -> Option<Message> {
        let i = slot.checked_sub(self.base)? as usize;
        let m = self.sent.get_mut(i)?;
        if m.node == ARRIVED {
            return None;
        }
        let msg = *m;
        m.node = ARRIVED;
        self.in_flight -= 1;
        self.deliveries += 1;
        while self.sent.front().is_some_and(|m| m.node == ARRIVED) {
            self.sent.pop_front();
            self.base += 1;
        }
        if self.sent.capacity() > SHRINK_ABOVE && self.sent.len() < self.sent.capacity() / 4 {
            self.shrink();
        }
        Some(msg)
    }

    /// A burst (a partition, or a slow message holding up the front)
    /// grew the deque, and three quarters of it now stand empty: give
    /// half back, so that the room kept follows the backlog down.
    #[cold]
    fn shrink(&mut self) {
        self.sent.shrink_to(self.sent.capacity() / 2);
    }

    /// The message in `slot`, if it is still kept (a hint: it may have
    /// arrived).
    #[inline]
    pub fn peek(&self, slot: u64) -> Option<&Message> {
        self.sent.get(slot.checked_sub(self.base)? as usize)
    }

    /// The message sent `k` after the one in `slot`, or the last one sent
    /// if fewer were, if not yet arrived.
    #[inline]
    pub fn after(&self, slot: u64, k: usize) -> Option<&Message> {
        let i = slot.saturating_sub(self.base) as usize + k;
        self.sent
            .get(i)
            .or(self.sent.back())
            .filter(|m| m.node != ARRIVED)
    }

    /// When the oldest message in flight was sent, if any is.
    #[inline]
    pub fn oldest_sent(&self) -> Option<Time> {
        // Arrived messages are dropped from the front, so the front is in
        // flight.
        self.sent.front().map(|m| m.issue)
    }

    /// The largest backlog since the last call (or the start), and start
    /// again from the backlog now (per-fault figures).
    pub fn take_peak(&mut self) -> u64 {
        std::mem::replace(&mut self.peak, self.in_flight)
    }

    /// How many messages are in flight.
    #[inline]
    pub fn in_flight(&self) -> u64 {
        self.in_flight
    }

    /// The messages in flight, in the order sent.
    pub fn undelivered(&self) -> impl Iterator<Item = &Message> + '_ {
        self.sent.iter().filter(|m| m.node != ARRIVED)
    }

    /// Withdraw every message in flight (they never arrive); returns them.
    pub fn discard(&mut self) -> Vec<Message> {
        let gone: Vec<Message> = self.undelivered().copied().collect();

        self.base += self.sent.len() as u64;
        self.sent = VecDeque::new();
        self.in_flight = 0;
        gone
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn down(windows: &[(u64, Option<u64>)]) -> Vec<Window> {
        windows
            .iter()
            .map(|&(s, e)| Window {
                start: Time(s),
                end: e.map(Time),
            })
            .collect()
    }

    #[test]
    fn fifo_never_overtakes() {
        let mut s = Stream::new(0, 1, vec![], vec![], None, Ordering::Stream);
        assert_eq!(s.arrival(Time(0), Time(0), Time(0), 100), Time(100));
        // Ready later but faster: waits for the one ahead.
        assert_eq!(s.arrival(Time(0), Time(0), Time(10), 20), Time(100));
        assert_eq!(s.arrival(Time(0), Time(0), Time(200), 5), Time(205));
    }

    #[test]
    fn item_order_keeps_each_item_in_order_only() {
        let mut s = Stream::new(0, 1, vec![], vec![], None, Ordering::Item);
        // Nothing earlier for the item: it leaves when ready.
        assert_eq!(s.arrival(Time(0), Time(0), Time(0), 100), Time(100));
        // Another item overtakes the slow message.
        assert_eq!(s.arrival(Time(0), Time(0), Time(10), 20), Time(30));
        // The same item waits for it.
        assert_eq!(s.arrival(Time(100), Time(0), Time(20), 5), Time(100));
    }

    #[test]
    fn partition_holds_and_resends() {
        // Link down during [50, 80).
        let mut s = Stream::new(
            0,
            1,
            down(&[(50, Some(80))]),
            vec![],
            None,
            Ordering::Stream,
        );
        // Arrives at 40: before the partition, untouched.
        assert_eq!(s.arrival(Time(0), Time(0), Time(0), 40), Time(40));
        // In transit at 50: sent again at 80, arrives 80 + 30.
        assert_eq!(s.arrival(Time(0), Time(0), Time(30), 30), Time(110));
        // Ready during the partition: leaves at the heal.
        assert_eq!(s.arrival(Time(0), Time(0), Time(60), 10), Time(110));
        assert_eq!(s.arrival(Time(0), Time(0), Time(100), 10), Time(110));
        assert_eq!(s.arrival(Time(0), Time(0), Time(200), 10), Time(210));
    }

    #[test]
    fn item_order_holds_every_message_that_meets_a_partition() {
        // Link down during [100, 1100): in transit at 100, then ready
        // inside the window, both leave at the heal.
        let mut s = Stream::new(
            0,
            1,
            down(&[(100, Some(1100))]),
            vec![],
            None,
            Ordering::Item,
        );
        assert_eq!(s.arrival(Time(0), Time(50), Time(50), 100), Time(1200));
        assert_eq!(s.arrival(Time(0), Time(500), Time(500), 100), Time(1200));
        assert_eq!(s.arrival(Time(0), Time(1500), Time(1500), 100), Time(1600));
    }

    #[test]
    fn an_origin_in_an_outage_holds_new_messages_only() {
        // The origin is out during [100, 1100): a message on the wire at
        // 100 still lands; one ready inside waits for the end.
        let mut s = Stream::new(
            0,
            1,
            vec![],
            down(&[(100, Some(1100))]),
            None,
            Ordering::Item,
        );
        assert_eq!(s.arrival(Time(0), Time(50), Time(50), 100), Time(150));
        assert_eq!(s.arrival(Time(0), Time(90), Time(500), 100), Time(1200));
    }

    #[test]
    fn endless_partition_never_delivers() {
        let mut s = Stream::new(0, 1, down(&[(50, None)]), vec![], None, Ordering::Stream);
        assert_eq!(s.arrival(Time(0), Time(0), Time(0), 10), Time(10));
        assert_eq!(s.arrival(Time(0), Time(0), Time(45), 10), Time::MAX);
        assert_eq!(s.arrival(Time(0), Time(0), Time(0), 1), Time::MAX);
    }

    #[test]
    fn slowdown_adds_or_multiplies_the_whole_delay_of_messages_sent_inside() {
        let slow = |by| {
            Stream::new(0, 1, vec![], vec![], None, Ordering::Item).with_slowdowns(vec![(
                Window {
                    start: Time(100),
                    end: Some(Time(200)),
                },
                by,
            )])
        };
        let mut s = slow(Slowing::Add(1000));
        // Sent before the window: as usual.
        assert_eq!(s.arrival(Time(0), Time(99), Time(109), 10), Time(119));
        // Sent inside: 10 + 10 of delay, plus 1000.
        assert_eq!(s.arrival(Time(0), Time(100), Time(110), 10), Time(1120));
        assert_eq!(s.arrival(Time(0), Time(200), Time(210), 10), Time(220));
        let mut s = slow(Slowing::Factor(3.0));
        // Delay 40 (pipeline 30, transit 10) becomes 120.
        assert_eq!(s.arrival(Time(0), Time(150), Time(180), 10), Time(270));
    }

    #[test]
    fn throughput_spaces_dispatches() {
        // 1000 messages/s: one dispatch per millisecond.
        let mut s = Stream::new(0, 1, vec![], vec![], Some(1000.0), Ordering::Stream);
        let a: Vec<Time> = (0..3)
            .map(|_| s.arrival(Time(0), Time(0), Time(0), 5))
            .collect();
        assert_eq!(a, vec![Time(5), Time(1_000_005), Time(2_000_005)]);
    }
}
