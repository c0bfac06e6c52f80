//! Active-active replication (DynamoDB global tables, eventual mode):
//! every region takes writes locally and replicates them to every other
//! region; last writer wins, and the loser vanishes silently.
//!
//! - A write is built on what its region holds, stamped by the region's
//!   clock, and installed there if it beats the held version (otherwise
//!   it is a causal inversion: acknowledged, never visible).
//! - It is queued on every stream leaving its region.
//! - An arriving version replaces the held one when it beats it.
//! - Reads are local and acknowledged at once.

use super::kernel::{Kernel, Parent};
use super::lww;
use super::mode::{Mode, Request};
use super::store::Held;

/// The mode has no state of its own: the kernel holds everything.
#[derive(Debug, Default)]
pub struct ActiveActive;

impl Mode for ActiveActive {
    type Timer = std::convert::Infallible;

    #[inline]
    fn write(&mut self, k: &mut Kernel<'_, Self::Timer>, w: Request) {
        k.write(w.region, w.time, w, Parent::Local, true);
    }

    #[inline]
    fn applies(&self, incoming: Held, current: Held) -> bool {
        lww::beats(incoming.stamp, current.stamp)
    }
}
