//! The simulation engine: integer time, the event queue, seeded random
//! streams and delay distributions.
//!
//! It knows nothing about databases, files, terminals or the wall clock.

pub mod dist;
pub mod memory;
pub mod queue;
pub mod rng;
pub mod time;
pub mod varying;
