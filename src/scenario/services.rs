//! Service presets: `replication: { preset: ... }` fills a replication
//! section with what the real service publishes.
//!
//! Each preset gives the mode, the timestamp policy, the ordering, a
//! pipeline delay (the service's published "typically" figure as a
//! lognormal with a stated median and p99, varying over 5 s) and, for the
//! single-primary service, the failover timings. Any field written beside
//! `preset:` wins over the preset's value. The figures and their sources
//! are listed in docs/presets.md; this module holds only the values.

use super::raw::{RawMode, RawOrdering, RawTimestamps};
use crate::sim::dist::Latency;
use crate::sim::time::{Nanos, NS_PER_MS, NS_PER_S};

/// What a service preset fills in.
#[derive(Clone, Debug)]
pub struct ServicePreset {
    pub name: &'static str,
    pub mode: RawMode,
    pub timestamps: RawTimestamps,
    pub ordering: RawOrdering,
    /// Median and p99 of the pipeline delay (lognormal).
    pub pipeline_median_ns: Nanos,
    pub pipeline_p99_ns: Nanos,
    pub pipeline_varies_over_ns: Nanos,
    /// Failover detect and promote (single-primary services only).
    pub failover: Option<(Nanos, Nanos)>,
}

impl ServicePreset {
    /// The pipeline delay the preset fills in.
    pub fn pipeline(&self) -> Latency {
        Latency::LogNormal {
            median: self.pipeline_median_ns,
            p99: self.pipeline_p99_ns,
        }
    }
}

/// The service presets, by name.
pub const SERVICE_PRESETS: &[ServicePreset] = &[
    // DynamoDB global tables, eventual mode: every replica takes writes,
    // last writer wins on the service's wall-clock timestamp, per-item
    // order. End to end "typically 0.5-2.5 s": median 1 s and p99 2.5 s
    // put about 97% of draws inside that range.
    ServicePreset {
        name: "dynamodb-global-tables",
        mode: RawMode::ActiveActive,
        timestamps: RawTimestamps::Wall,
        ordering: RawOrdering::Item,
        pipeline_median_ns: NS_PER_S,
        pipeline_p99_ns: 2_500 * NS_PER_MS,
        pipeline_varies_over_ns: 5 * NS_PER_S,
        failover: None,
    },
    // Aurora Global Database: one primary, the redo log shipped in order,
    // lag "typically under a second": median 300 ms, p99 900 ms. Failover
    // detect 30 s + promote 30 s: the published RTO of under a minute.
    ServicePreset {
        name: "aurora-global-database",
        mode: RawMode::SinglePrimary,
        timestamps: RawTimestamps::Wall,
        ordering: RawOrdering::Stream,
        pipeline_median_ns: 300 * NS_PER_MS,
        pipeline_p99_ns: 900 * NS_PER_MS,
        pipeline_varies_over_ns: 5 * NS_PER_S,
        failover: Some((30 * NS_PER_S, 30 * NS_PER_S)),
    },
];

pub fn service_preset_names() -> Vec<&'static str> {
    SERVICE_PRESETS.iter().map(|p| p.name).collect()
}

pub fn service_preset(name: &str) -> Option<&'static ServicePreset> {
    SERVICE_PRESETS.iter().find(|p| p.name == name)
}
