//! What a replication mode is: a state machine over the kernel.
//!
//! The kernel (see `kernel.rs`) owns time, the event queue, the clients,
//! the replication streams, the clocks, the fault schedule, the version
//! store and the recorder. A mode owns only its rules and its own state:
//! who may write and what a write costs, whether an arriving version
//! replaces the one a region holds, and events of its own (a forwarded
//! write reaching the primary, a failover step). Its hooks get the kernel
//! as the context through which they act (issue and replicate a write,
//! schedule a timer, ask whether a region or link is up, record a write's
//! latency) and never reach into the kernel's fields.
//!
//! A new mode is one file implementing `Mode`, its scenario fields, and
//! one line in `model::run` that builds it.

use super::kernel::Kernel;
use super::store::Held;
use crate::metrics::result::ModeExtras;
use crate::sim::time::Time;

/// A client's request to write or read a key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Request {
    /// The region whose client sent it (after any rerouting).
    pub region: usize,
    pub table: usize,
    /// The key's index over all tables (see `Kernel::key_in_table`).
    pub key: u32,
    /// When the client sent it.
    pub time: Time,
}

/// A replication mode. The kernel calls its hooks; generic dispatch keeps
/// them inlined in the event loop.
pub trait Mode: Sized {
    /// The payload of the mode's own events (`std::convert::Infallible` for
    /// a mode that has none).
    type Timer: Copy + std::fmt::Debug;

    /// Whether the mode ships a log that must arrive in order: its streams
    /// are then FIFO whatever `replication.ordering` says.
    const SHIPS_LOG: bool = false;

    /// Why a write this mode loses is lost (the trace's `cause`), when it
    /// is neither a causal inversion nor stranded: under last writer wins,
    /// overwritten by a concurrent write.
    const LOSS_CAUSE: &'static str = "overwritten";

    /// Whether clients may be sent to `region` (a witness serves none).
    fn serves_clients(&self, _region: usize) -> bool {
        true
    }

    /// Before the first event: schedule the mode's own events.
    fn start(&mut self, _k: &mut Kernel<'_, Self::Timer>) {}

    /// A client write.
    fn write(&mut self, k: &mut Kernel<'_, Self::Timer>, w: Request);

    /// A client read; by default the region's own copy, checked for
    /// staleness.
    fn read(&mut self, k: &mut Kernel<'_, Self::Timer>, r: Request) {
        k.read_local(r);
    }

    /// Whether a region that holds `current` applies an arriving `incoming`.
    fn applies(&self, incoming: Held, current: Held) -> bool;

    /// One of the mode's own events, due now at `t`.
    fn timer(&mut self, _k: &mut Kernel<'_, Self::Timer>, _t: Time, _timer: Self::Timer) {}

    /// The mode's figures, at the end of the run (`until`: the last event
    /// or the workload's end, whichever is later).
    fn figures(&self, _losses: &Losses, _extras: &mut ModeExtras, _until: Time) {}
}

/// The run's lost writes, for a mode's figures.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Losses {
    /// Writes decided lost, stranded ones included.
    pub lost_writes: u64,
}
