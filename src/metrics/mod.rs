//! Recording and aggregation: histograms, time buckets, and the plain
//! result types the report layer reads.

pub mod figures;
pub mod hist;
pub mod result;
pub mod stats;
