//! The scenario file as written: serde structures that mirror the YAML one
//! to one, with unknown fields refused.
//!
//! Nothing here resolves names or applies defaults; absent optional fields
//! are `None`. `validate.rs` turns these into the typed `Scenario`. The few
//! hand-written `Deserialize` impls read YAML's "one of several shapes"
//! fields: a latency that is a plain duration or a one-key mapping, an
//! access pattern, a list of one-key fault mappings, `regions: all`.

use std::fmt;

use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;

use super::de::{end_one_key, one_key};
use super::units::{Duration, Probability, Rate, SignedDuration};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawScenario {
    pub name: String,
    pub description: Option<String>,
    pub seed: Option<u64>,
    pub duration: Duration,
    pub drain_limit: Option<Duration>,
    pub regions: Vec<RawRegion>,
    pub network: Option<RawNetwork>,
    pub replication: Option<RawReplication>,
    pub tables: Vec<RawTable>,
    pub workload: Option<Vec<RawWorkload>>,
    pub script: Option<Vec<RawScriptOp>>,
    pub faults: Option<Vec<RawFault>>,
    pub output: Option<RawOutput>,
    pub expect: Option<RawExpect>,
}

/// Top-level field names, for messages about the whole file.
pub const TOP_FIELDS: &[&str] = &[
    "name",
    "description",
    "seed",
    "duration",
    "drain_limit",
    "regions",
    "network",
    "replication",
    "tables",
    "workload",
    "script",
    "faults",
    "output",
    "expect",
];

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRegion {
    pub name: String,
    pub clock: Option<RawClock>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawClock {
    pub offset: Option<SignedDuration>,
    pub drift_ppm: Option<f64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawNetwork {
    pub preset: Option<String>,
    pub default: Option<RawDelay>,
    pub links: Option<Vec<RawLink>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawLink {
    pub between: Option<Vec<String>>,
    pub from: Option<String>,
    pub to: Option<String>,
    pub latency: RawDelay,
}

/// A delay as written: a distribution, and beside it in the same mapping
/// an optional `varies_over` time scale
/// (`{ lognormal: { ... }, varies_over: 5s }`).
#[derive(Debug)]
pub struct RawDelay {
    pub dist: RawLatency,
    pub varies_over: Option<Duration>,
}

/// A key of a delay mapping: one of `LATENCY_KINDS`, or `varies_over`.
struct DelayKey;

impl<'de> de::DeserializeSeed<'de> for DelayKey {
    type Value = &'static str;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<&'static str, D::Error> {
        let given: String = Deserialize::deserialize(d)?;
        if given == "varies_over" {
            return Ok("varies_over");
        }
        if let Some(k) = LATENCY_KINDS.iter().find(|k| **k == given) {
            return Ok(k);
        }
        let msg = if super::de::did_you_mean(&given, &["varies_over"]).is_some() {
            format!(
                "unknown key '{}'; did you mean 'varies_over'? beside the latency kind only varies_over may be given",
                super::node::shorten(&given)
            )
        } else {
            super::de::unknown("latency kind", &given, LATENCY_KINDS, "kinds are")
        };
        Err(de::Error::custom(msg))
    }
}

impl<'de> Deserialize<'de> for RawDelay {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = RawDelay;

            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a duration such as 80ms or a distribution such as { normal: { mean: 35ms, stddev: 3ms } }, optionally with varies_over: 5s beside it")
            }

            fn visit_str<E: de::Error>(self, v: &str) -> Result<RawDelay, E> {
                super::units::parse_duration(v)
                    .map(|ns| RawDelay {
                        dist: RawLatency::Constant(Duration(ns)),
                        varies_over: None,
                    })
                    .map_err(E::custom)
            }

            fn visit_u64<E: de::Error>(self, v: u64) -> Result<RawDelay, E> {
                self.visit_str(&v.to_string())
            }

            fn visit_i64<E: de::Error>(self, v: i64) -> Result<RawDelay, E> {
                self.visit_str(&v.to_string())
            }

            fn visit_f64<E: de::Error>(self, v: f64) -> Result<RawDelay, E> {
                self.visit_str(&v.to_string())
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawDelay, A::Error> {
                let mut dist = None;
                let mut varies_over = None;
                while let Some(key) = map.next_key_seed(DelayKey)? {
                    if key == "varies_over" {
                        varies_over = Some(map.next_value::<Duration>()?);
                        continue;
                    }
                    if dist.is_some() {
                        return Err(de::Error::custom(
                            "more than one kind; a latency is a mapping with one key naming its kind, and optionally varies_over beside it",
                        ));
                    }
                    dist = Some(match key {
                        "constant" => RawLatency::Constant(map.next_value()?),
                        "uniform" => RawLatency::Uniform(map.next_value()?),
                        "normal" => RawLatency::Normal(map.next_value()?),
                        "lognormal" => RawLatency::LogNormal(map.next_value()?),
                        "exponential" => RawLatency::Exponential(map.next_value()?),
                        "pareto" => RawLatency::Pareto(map.next_value()?),
                        _ => RawLatency::Percentiles(map.next_value()?),
                    });
                }
                match dist {
                    Some(dist) => Ok(RawDelay { dist, varies_over }),
                    None => Err(de::Error::custom(format!(
                        "{}; expected one key naming the latency kind: {}",
                        if varies_over.is_some() {
                            "varies_over alone"
                        } else {
                            "empty mapping"
                        },
                        LATENCY_KINDS.join(", ")
                    ))),
                }
            }
        }
        d.deserialize_any(V)
    }
}

/// A latency distribution as written: `80ms` or `{ kind: {...} }`.
#[derive(Debug)]
pub enum RawLatency {
    Constant(Duration),
    Uniform(RawUniform),
    Normal(RawNormal),
    LogNormal(RawLogNormal),
    Exponential(RawExponential),
    Pareto(RawPareto),
    Percentiles(RawPercentiles),
}

pub const LATENCY_KINDS: &[&str] = &[
    "constant",
    "uniform",
    "normal",
    "lognormal",
    "exponential",
    "pareto",
    "percentiles",
];

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawUniform {
    pub min: Duration,
    pub max: Duration,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawNormal {
    pub mean: Duration,
    pub stddev: Duration,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawLogNormal {
    pub median: Duration,
    pub p99: Duration,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawExponential {
    pub mean: Duration,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPareto {
    pub min: Duration,
    pub alpha: f64,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPercentiles {
    pub p0: Option<Duration>,
    pub p50: Duration,
    pub p90: Option<Duration>,
    pub p99: Duration,
    pub max: Duration,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawReplication {
    /// A service preset (`dynamodb-global-tables`, `aurora-global-database`)
    /// that fills the fields not given beside it.
    pub preset: Option<String>,
    pub mode: Option<RawMode>,
    pub timestamps: Option<RawTimestamps>,
    pub ordering: Option<RawOrdering>,
    pub pipeline: Option<RawDelay>,
    pub throughput: Option<Rate>,
    pub primary: Option<String>,
    pub secondary_writes: Option<RawSecondaryWrites>,
    pub failover: Option<RawFailover>,
    pub witness: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RawMode {
    ActiveActive,
    SinglePrimary,
    Strong,
}

#[derive(Clone, Copy, Debug, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RawTimestamps {
    Wall,
    Hlc,
    TrueTime,
}

#[derive(Clone, Copy, Debug, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RawOrdering {
    Item,
    Stream,
}

#[derive(Clone, Copy, Debug, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RawSecondaryWrites {
    Reject,
    Forward,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawFailover {
    pub detect: Option<Duration>,
    pub promote: Option<Duration>,
    /// `least_lag` or a region name.
    pub target: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawTable {
    pub name: String,
    pub kind: RawTableKind,
    pub keys: KeyCount,
}

/// The most keys of one table, and of all tables together (key indices
/// are 32 bits, one value kept apart).
pub const MAX_KEYS: u64 = u32::MAX as u64 - 1;

/// A table's `keys`: a whole number from 1 to `MAX_KEYS`, with that range
/// in the message for any other number (negative or too large for 64 bits
/// included).
#[derive(Clone, Copy, Debug)]
pub struct KeyCount(pub u64);

impl<'de> Deserialize<'de> for KeyCount {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        fn out_of_range<E: de::Error>(shown: &str) -> E {
            E::custom(format!(
                "{shown} is out of range; a table has 1 to {MAX_KEYS} keys"
            ))
        }
        impl<'de> Visitor<'de> for V {
            type Value = KeyCount;

            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                write!(f, "a whole number of keys from 1 to {MAX_KEYS}")
            }

            fn visit_u64<E: de::Error>(self, v: u64) -> Result<KeyCount, E> {
                if (1..=MAX_KEYS).contains(&v) {
                    Ok(KeyCount(v))
                } else {
                    Err(out_of_range(&v.to_string()))
                }
            }

            fn visit_i64<E: de::Error>(self, v: i64) -> Result<KeyCount, E> {
                match u64::try_from(v) {
                    Ok(v) => self.visit_u64(v),
                    Err(_) => Err(out_of_range(&v.to_string())),
                }
            }

            fn visit_f64<E: de::Error>(self, v: f64) -> Result<KeyCount, E> {
                if v.fract() == 0.0 {
                    Err(out_of_range(&format!("{v:e}")))
                } else {
                    Err(E::custom(format!(
                        "{v} is not a whole number; a table has 1 to {MAX_KEYS} keys"
                    )))
                }
            }
        }
        d.deserialize_any(V)
    }
}

#[derive(Clone, Copy, Debug, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RawTableKind {
    Item,
    Counter,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawWorkload {
    pub regions: Option<RawRegionSet>,
    pub table: String,
    pub rate: Rate,
    pub arrival: Option<RawArrival>,
    pub writes: Probability,
    pub access: Option<RawAccess>,
    pub home_affinity: Option<Probability>,
}

/// One hand-placed operation of `script:`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawScriptOp {
    pub at: Duration,
    pub region: String,
    pub table: String,
    pub key: u64,
    pub op: RawOpKind,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RawOpKind {
    Write,
    Read,
}

/// `all`, or a list of region names.
#[derive(Debug)]
pub enum RawRegionSet {
    All,
    List(Vec<String>),
}

impl<'de> Deserialize<'de> for RawRegionSet {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = RawRegionSet;

            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("'all' or a list of region names")
            }

            fn visit_str<E: de::Error>(self, v: &str) -> Result<RawRegionSet, E> {
                if v == "all" {
                    Ok(RawRegionSet::All)
                } else {
                    Err(E::custom(format!(
                        "expected 'all' or a list of region names, found '{}'; write [{}] for one region",
                        super::node::shorten(v),
                        super::node::shorten(v)
                    )))
                }
            }

            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<RawRegionSet, A::Error> {
                let mut names = Vec::new();
                while let Some(name) = seq.next_element::<String>()? {
                    names.push(name);
                }
                Ok(RawRegionSet::List(names))
            }
        }
        d.deserialize_any(V)
    }
}

#[derive(Clone, Copy, Debug, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RawArrival {
    Poisson,
    Constant,
}

/// `uniform`, `{ zipf: s }` or `{ hotspot: { keys, share } }`.
#[derive(Debug)]
pub enum RawAccess {
    Uniform,
    Zipf(f64),
    Hotspot(RawHotspot),
}

pub const ACCESS_KINDS: &[&str] = &["uniform", "zipf", "hotspot"];

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawHotspot {
    pub keys: f64,
    pub share: f64,
}

impl<'de> Deserialize<'de> for RawAccess {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = RawAccess;

            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str(
                    "uniform, { zipf: s } or { hotspot: { keys: fraction, share: fraction } }",
                )
            }

            fn visit_str<E: de::Error>(self, v: &str) -> Result<RawAccess, E> {
                match v {
                    "uniform" => Ok(RawAccess::Uniform),
                    "zipf" | "hotspot" => Err(E::custom(format!(
                        "'{v}' needs parameters; write {{ zipf: 1.1 }} or {{ hotspot: {{ keys: 0.01, share: 0.5 }} }}"
                    ))),
                    other => Err(E::custom(super::de::unknown(
                        "access pattern",
                        other,
                        ACCESS_KINDS,
                        "patterns are",
                    ))),
                }
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawAccess, A::Error> {
                let kind = one_key(&mut map, "access pattern", ACCESS_KINDS)?;
                let v = match kind {
                    "uniform" => {
                        map.next_value::<de::IgnoredAny>()?;
                        RawAccess::Uniform
                    }
                    "zipf" => RawAccess::Zipf(map.next_value()?),
                    _ => RawAccess::Hotspot(map.next_value()?),
                };
                end_one_key(&mut map, "access pattern")?;
                Ok(v)
            }
        }
        d.deserialize_any(V)
    }
}

/// One entry of `faults:`, a one-key mapping naming the kind.
#[derive(Debug)]
pub enum RawFault {
    Partition(RawPartition),
    Isolate(RawIsolate),
    Outage(RawOutage),
    ClockStep(RawClockStep),
    Switchover(RawSwitchover),
    PauseReplication(RawPauseReplication),
    Slowdown(RawSlowdown),
    EndpointOutage(RawEndpointOutage),
}

pub const FAULT_KINDS: &[&str] = &[
    "partition",
    "isolate",
    "outage",
    "clock_step",
    "switchover",
    "pause_replication",
    "slowdown",
    "endpoint_outage",
];

impl RawFault {
    pub fn kind(&self) -> &'static str {
        match self {
            RawFault::Partition(_) => "partition",
            RawFault::Isolate(_) => "isolate",
            RawFault::Outage(_) => "outage",
            RawFault::ClockStep(_) => "clock_step",
            RawFault::Switchover(_) => "switchover",
            RawFault::PauseReplication(_) => "pause_replication",
            RawFault::Slowdown(_) => "slowdown",
            RawFault::EndpointOutage(_) => "endpoint_outage",
        }
    }
}

impl<'de> Deserialize<'de> for RawFault {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = RawFault;

            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a fault such as partition: { between: [a, b], at: 2m, for: 30s }")
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawFault, A::Error> {
                let kind = one_key(&mut map, "fault kind", FAULT_KINDS)?;
                let v = match kind {
                    "partition" => RawFault::Partition(map.next_value()?),
                    "isolate" => RawFault::Isolate(map.next_value()?),
                    "outage" => RawFault::Outage(map.next_value()?),
                    "clock_step" => RawFault::ClockStep(map.next_value()?),
                    "switchover" => RawFault::Switchover(map.next_value()?),
                    "pause_replication" => RawFault::PauseReplication(map.next_value()?),
                    "slowdown" => RawFault::Slowdown(map.next_value()?),
                    _ => RawFault::EndpointOutage(map.next_value()?),
                };
                end_one_key(&mut map, "fault")?;
                Ok(v)
            }
        }
        d.deserialize_map(V)
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPartition {
    pub between: Option<Vec<String>>,
    pub from: Option<String>,
    pub to: Option<String>,
    pub at: Duration,
    #[serde(rename = "for")]
    pub length: Option<Duration>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawIsolate {
    pub region: String,
    pub at: Duration,
    #[serde(rename = "for")]
    pub length: Option<Duration>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawOutage {
    pub region: String,
    pub at: Duration,
    #[serde(rename = "for")]
    pub length: Option<Duration>,
    pub clients: Option<RawClients>,
}

#[derive(Clone, Copy, Debug, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RawClients {
    Fail,
    Reroute,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawClockStep {
    pub region: String,
    pub at: Duration,
    pub by: SignedDuration,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSwitchover {
    pub to: String,
    pub at: Duration,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPauseReplication {
    pub region: String,
    pub at: Duration,
    #[serde(rename = "for")]
    pub length: Option<Duration>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSlowdown {
    pub region: Option<String>,
    pub between: Option<Vec<String>>,
    pub from: Option<String>,
    pub to: Option<String>,
    pub at: Duration,
    #[serde(rename = "for")]
    pub length: Option<Duration>,
    pub add: Option<Duration>,
    pub factor: Option<f64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawEndpointOutage {
    pub region: String,
    pub at: Duration,
    #[serde(rename = "for")]
    pub length: Option<Duration>,
    pub clients: Option<RawClients>,
    pub replication: Option<RawEndpointReplication>,
}

#[derive(Clone, Copy, Debug, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RawEndpointReplication {
    Continue,
    Paused,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawOutput {
    pub bucket: Option<Duration>,
}

/// `expect:` entries in file order: figure name (or mode name) and condition.
#[derive(Debug, Default)]
pub struct RawExpect(pub Vec<(String, RawCondition)>);

/// `"< 0.01"`, a bare number, a bool, or (under a mode's name) a mapping
/// of that mode's own entries.
#[derive(Debug, Clone, PartialEq)]
pub enum RawCondition {
    Text(String),
    Number(f64),
    Bool(bool),
    Nested(Vec<(String, RawCondition)>),
}

impl<'de> Deserialize<'de> for RawCondition {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = RawCondition;

            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a condition such as '< 0.01', '>= 3', a number or true/false")
            }

            fn visit_str<E: de::Error>(self, v: &str) -> Result<RawCondition, E> {
                Ok(RawCondition::Text(v.to_string()))
            }

            fn visit_bool<E: de::Error>(self, v: bool) -> Result<RawCondition, E> {
                Ok(RawCondition::Bool(v))
            }

            fn visit_u64<E: de::Error>(self, v: u64) -> Result<RawCondition, E> {
                Ok(RawCondition::Number(v as f64))
            }

            fn visit_i64<E: de::Error>(self, v: i64) -> Result<RawCondition, E> {
                Ok(RawCondition::Number(v as f64))
            }

            fn visit_f64<E: de::Error>(self, v: f64) -> Result<RawCondition, E> {
                Ok(RawCondition::Number(v))
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawCondition, A::Error> {
                let mut out = Vec::new();
                while let Some(key) = map.next_key::<String>()? {
                    out.push((key, map.next_value()?));
                }
                Ok(RawCondition::Nested(out))
            }
        }
        d.deserialize_any(V)
    }
}

impl<'de> Deserialize<'de> for RawExpect {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = RawExpect;

            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a mapping from figure to condition, such as lost_write_rate: '< 0.01'")
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawExpect, A::Error> {
                let mut out = Vec::new();
                while let Some(key) = map.next_key::<String>()? {
                    out.push((key, map.next_value()?));
                }
                Ok(RawExpect(out))
            }
        }
        d.deserialize_map(V)
    }
}
