//! What the kernel counts while it runs: totals, per-region and per-bucket
//! counters, lag histograms, and write outcomes from the lineage.
//!
//! Time buckets close lazily: before an event at time t is handled, every
//! bucket that ends at or before t is closed, its lag percentiles and
//! backlog snapshot kept and its histograms reset. So memory holds one live
//! histogram per stream however long the run.

use super::fault_figures::FaultFigures;
use super::lineage::{Outcomes, Run};
use super::network::Stream;
use crate::metrics::hist::LatencyHist;
use crate::metrics::result::{BucketRow, WriteTrace};

/// Per-region counters.
#[derive(Clone, Debug, Default)]
pub struct RegionCounts {
    pub writes: u64,
    pub reads: u64,
    pub lost_writes: u64,
    pub stale_reads: u64,
    pub failed_ops: u64,
}

/// Per-stream lag and backlog, per closed bucket.
#[derive(Clone, Debug, Default)]
pub struct StreamBuckets {
    pub lag_p50_ms: Vec<Option<f64>>,
    pub lag_p99_ms: Vec<Option<f64>>,
    pub backlog: Vec<u64>,
    /// The largest age of the stream's oldest message in flight at a
    /// bucket's end, nanoseconds.
    pub oldest_max_ns: u64,
    pub live: LatencyHist,
    pub all: LatencyHist,
}

#[derive(Debug)]
pub struct Recorder {
    pub bucket_ns: u64,
    /// Per time bucket, its counters and lag figures; the times and the
    /// fault count are filled in when the results are built.
    pub buckets: Vec<BucketRow>,
    /// End of the bucket now open.
    open_end: u64,
    /// The earlier of `open_end` and the next fault mark.
    next_tick: u64,
    /// Per-fault figures (`faults.csv`).
    pub faults: FaultFigures,
    bucket_lag: LatencyHist,
    /// Write latency recorded in the open bucket.
    bucket_write_latency: LatencyHist,
    /// `failed_writes` when the last bucket closed.
    failed_before: u64,
    pub lag: LatencyHist,
    pub staleness: LatencyHist,
    pub streams: Vec<StreamBuckets>,
    pub regions: Vec<RegionCounts>,
    pub writes: u64,
    pub reads: u64,
    pub lost_writes: u64,
    pub survived_writes: u64,
    pub conflicts: u64,
    pub causal_inversions: u64,
    pub increments: u64,
    /// Lost writes on counter tables (checked against the counter identity).
    pub lost_counter_writes: u64,
    pub stale_reads: u64,
    pub failed_writes: u64,
    pub failed_reads: u64,
    pub rerouted_ops: u64,
    /// Per region: time from a client's write to its acknowledgement, as
    /// far as a mode records it (none where acknowledgement is local).
    pub write_latency: Vec<LatencyHist>,
    pub write_latency_all: LatencyHist,
    /// The cause of a lost write in `writes.csv` when it is neither a
    /// causal inversion nor stranded (the mode's `LOSS_CAUSE`).
    pub loss_cause: &'static str,
    /// Write records by id (trace only); outcome filled in when decided.
    pub trace_writes: Option<Vec<WriteTrace>>,
    /// Set at the end of a run, when every version still held by a region
    /// or a message counts as survived whatever order it is let go in.
    pub teardown: bool,
    /// Set at the end of a run while versions held only by regions in an
    /// outage are let go: those lost are stranded.
    pub stranding: bool,
    pub stranded_writes: u64,
}

impl Recorder {
    pub fn new(
        bucket_ns: u64,
        regions: usize,
        streams: usize,
        trace: bool,
        faults: FaultFigures,
    ) -> Recorder {
        Recorder {
            bucket_ns,
            buckets: vec![BucketRow::default()],
            open_end: bucket_ns,
            next_tick: bucket_ns.min(faults.next_due_ns),
            faults,
            bucket_lag: LatencyHist::new(),
            bucket_write_latency: LatencyHist::new(),
            failed_before: 0,
            lag: LatencyHist::new(),
            staleness: LatencyHist::new(),
            streams: vec![StreamBuckets::default(); streams],
            regions: vec![RegionCounts::default(); regions],
            writes: 0,
            reads: 0,
            lost_writes: 0,
            survived_writes: 0,
            conflicts: 0,
            causal_inversions: 0,
            increments: 0,
            lost_counter_writes: 0,
            stale_reads: 0,
            failed_writes: 0,
            failed_reads: 0,
            rerouted_ops: 0,
            write_latency: vec![LatencyHist::new(); regions],
            write_latency_all: LatencyHist::new(),
            loss_cause: "overwritten",
            trace_writes: trace.then(Vec::new),
            teardown: false,
            stranding: false,
            stranded_writes: 0,
        }
    }

    /// Close every bucket that ends at or before `t`, and pass every
    /// fault mark (a start or an end) at or before it.
    #[inline]
    pub fn advance(&mut self, t: u64, streams: &mut [Stream]) {
        while t >= self.next_tick {
            if self.faults.next_due_ns <= self.open_end {
                self.faults.tick(self.faults.next_due_ns, streams);
            } else {
                self.close_bucket(streams);
            }
            self.next_tick = self.open_end.min(self.faults.next_due_ns);
        }
    }

    fn close_bucket(&mut self, streams: &[Stream]) {
        let mut backlog = 0;
        let mut oldest = 0;
        for (sb, st) in self.streams.iter_mut().zip(streams) {
            let empty = sb.live.is_empty();
            self.bucket_lag.add(&sb.live);
            self.lag.add(&sb.live);
            sb.all.add(&sb.live);
            sb.lag_p50_ms
                .push((!empty).then(|| sb.live.quantile_ms(0.5)));
            sb.lag_p99_ms
                .push((!empty).then(|| sb.live.quantile_ms(0.99)));
            sb.backlog.push(st.in_flight());
            backlog += st.in_flight();
            if let Some(sent) = st.oldest_sent() {
                let age = self.open_end.saturating_sub(sent.ns());
                sb.oldest_max_ns = sb.oldest_max_ns.max(age);
                oldest = oldest.max(age);
            }
            sb.live.reset();
        }
        let row = self.buckets.last_mut().expect("a bucket is always open");
        row.lag_p50_ms = self.bucket_lag.quantile_ms(0.5);
        row.lag_p99_ms = self.bucket_lag.quantile_ms(0.99);
        row.lag_max_ms = self.bucket_lag.max_ms();
        row.backlog = backlog;
        row.oldest_unreplicated_ms = crate::sim::time::ns_to_ms(oldest);
        row.deliveries = self.bucket_lag.count();
        // Failed writes are counted as they are issued, and every event
        // before this bucket's end has been handled: the difference is the
        // bucket's.
        row.failed_writes = self.failed_writes - self.failed_before;
        self.failed_before = self.failed_writes;
        let wl = &self.bucket_write_latency;
        row.acknowledged = wl.count();
        row.write_latency_p50_ms = wl.quantile_ms(0.5);
        row.write_latency_p99_ms = wl.quantile_ms(0.99);
        self.bucket_write_latency.reset();
        self.bucket_lag.reset();
        self.buckets.push(BucketRow::default());
        self.open_end += self.bucket_ns;
    }

    /// Close the open bucket for good (end of run).
    pub fn finish(&mut self, streams: &mut [Stream]) {
        self.close_bucket(streams);
        self.buckets.pop();
    }

    /// The bucket an issue time falls in.
    #[inline]
    pub fn bucket_of(&mut self, t_ns: u64) -> &mut BucketRow {
        let i = (t_ns / self.bucket_ns) as usize;
        &mut self.buckets[i]
    }

    /// Record one delivery's lag on stream `stream`. Only the stream's
    /// bucket histogram is touched here; the others are sums of it, formed
    /// when the bucket closes.
    #[inline]
    pub fn delivery(&mut self, stream: usize, lag_ns: u64) {
        self.streams[stream].live.record(lag_ns);
    }

    /// Record how long a write at `region` took to be acknowledged.
    pub fn write_latency(&mut self, region: usize, ns: u64) {
        self.write_latency[region].record(ns);
        self.write_latency_all.record(ns);
        self.bucket_write_latency.record(ns);
    }
}

impl Outcomes for Recorder {
    fn decided(&mut self, run: &Run, lost: bool) {
        let lost = lost && !self.teardown;
        if self.faults.any() {
            self.faults.decided(run.bucket, run.count, lost);
        }
        if !lost {
            self.survived_writes += run.count;
            return;
        }
        self.lost_writes += run.count;
        if self.stranding {
            self.stranded_writes += run.count;
        }
        self.regions[run.origin as usize].lost_writes += run.count;
        self.buckets[self.faults.cells.bucket(run.bucket)].lost_writes += run.count;
        if run.counter {
            self.lost_counter_writes += run.count;
        }
    }

    fn end_of_run(&mut self) {
        self.teardown = true;
    }

    fn stranding(&mut self) {
        self.stranding = true;
    }

    fn decided_write(&mut self, write_id: u64, lost: bool, inverted: bool) {
        let lost = lost && !self.teardown;
        if let Some(w) = self
            .trace_writes
            .as_mut()
            .and_then(|tw| tw.get_mut(write_id as usize - 1))
        {
            (w.outcome, w.cause) = match (lost, inverted) {
                (false, _) => ("survived", ""),
                (true, _) if self.stranding => ("lost", "stranded"),
                (true, true) => ("lost", "causal_inversion"),
                (true, false) => ("lost", self.loss_cause),
            };
        }
    }
}
