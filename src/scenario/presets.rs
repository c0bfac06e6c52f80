//! Latency presets: bundled, dated matrices of inter-region round trips.
//!
//! A preset row gives the p50 and p90 round trip from one region to another.
//! A link's one-way delay is half the round trip: a lognormal whose median
//! is p50/2 and whose 90th percentile is p90/2 (its p99 follows from those
//! two).

use crate::sim::dist::Latency;
use crate::sim::time::Nanos;

/// The 90th percentile of the standard normal distribution.
const Z_90: f64 = 1.281_551_565_544_600_4;
/// The 99th percentile of the standard normal distribution.
const Z_99: f64 = 2.326_347_874_040_841;

/// A bundled matrix of round trips.
pub struct LatencyPreset {
    pub name: &'static str,
    pub source: &'static str,
    csv: &'static str,
}

/// The latency presets, by name.
pub const LATENCY_PRESETS: &[LatencyPreset] = &[LatencyPreset {
    name: "aws-2025-07",
    source: "cloudping.co one-year p50/p90 to July 2025 (data/README.md)",
    csv: include_str!("../../data/aws-region-rtt-2025-07.csv"),
}];

pub fn latency_preset_names() -> Vec<&'static str> {
    LATENCY_PRESETS.iter().map(|p| p.name).collect()
}

pub fn latency_preset(name: &str) -> Option<&'static LatencyPreset> {
    LATENCY_PRESETS.iter().find(|p| p.name == name)
}

/// One ordered pair's round trip, in nanoseconds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rtt {
    pub p50: Nanos,
    pub p90: Nanos,
}

/// Milliseconds with one decimal, as the file writes them, to nanoseconds
/// (exactly, with no float rounding).
fn ms_to_nanos(s: &str) -> Nanos {
    let (int, frac) = s.split_once('.').unwrap_or((s, "0"));
    let int: u64 = int.parse().expect("bundled preset: integer milliseconds");
    let mut frac_ns: u64 = 0;
    let mut scale = 100_000;
    for c in frac.chars().take(6) {
        frac_ns += u64::from(c.to_digit(10).expect("bundled preset: digit")) * scale;
        scale /= 10;
    }
    int * 1_000_000 + frac_ns
}

impl LatencyPreset {
    /// Every row: (from, to, round trip), in file order.
    pub fn rows(&self) -> impl Iterator<Item = (&'static str, &'static str, Rtt)> {
        self.csv
            .lines()
            .skip(1)
            .filter(|l| !l.is_empty())
            .map(|line| {
                let mut f = line.split(',');
                let from = f.next().unwrap_or("");
                let to = f.next().unwrap_or("");
                let p50 = ms_to_nanos(f.next().unwrap_or("0"));
                let p90 = ms_to_nanos(f.next().unwrap_or("0"));
                (from, to, Rtt { p50, p90 })
            })
    }

    /// The regions, sorted by name.
    pub fn regions(&self) -> Vec<&'static str> {
        let mut out: Vec<&'static str> = self.rows().map(|(from, _, _)| from).collect();
        out.sort_unstable();
        out.dedup();
        out
    }

    /// The round trip from `from` to `to`.
    pub fn rtt(&self, from: &str, to: &str) -> Option<Rtt> {
        self.rows()
            .find(|(f, t, _)| *f == from && *t == to)
            .map(|(_, _, r)| r)
    }

    /// The one-way delay from `from` to `to`.
    pub fn one_way(&self, from: &str, to: &str) -> Option<Latency> {
        self.rtt(from, to).map(one_way)
    }
}

/// Half the round trip as a lognormal with median p50/2 and 90th
/// percentile p90/2.
pub fn one_way(rtt: Rtt) -> Latency {
    let median = rtt.p50 / 2;
    let p90 = rtt.p90 / 2;
    if p90 <= median || median == 0 {
        return Latency::Constant(median);
    }
    let sigma = (p90 as f64 / median as f64).ln() / Z_90;
    let p99 = (median as f64 * (sigma * Z_99).exp()).round() as Nanos;
    Latency::LogNormal { median, p99 }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::time::NS_PER_MS;

    fn aws() -> &'static LatencyPreset {
        latency_preset("aws-2025-07").unwrap()
    }

    #[test]
    fn the_matrix_has_every_ordered_pair_of_33_regions() {
        let p = aws();
        let regions = p.regions();
        assert_eq!(regions.len(), 33);
        assert_eq!(p.rows().count(), 33 * 33);
        for a in &regions {
            for b in &regions {
                let r = p.rtt(a, b).unwrap();
                assert!(r.p90 >= r.p50, "{a} -> {b}");
            }
        }
    }

    #[test]
    fn entries_match_the_published_figures() {
        // FACTS.md: us-east-1 -> us-west-2 is 64.4 ms p50, 69.3 ms p90 in the
        // cloudping one-year data (the AWS probe feed gave 62.4 ms in 2022).
        let r = aws().rtt("us-east-1", "us-west-2").unwrap();
        assert_eq!(r.p50, 64_400_000);
        assert_eq!(r.p90, 69_300_000);
        // The first data row of the file.
        let r = aws().rtt("af-south-1", "ap-east-1").unwrap();
        assert_eq!((r.p50, r.p90), (347_600_000, 376_100_000));
        // Sanity: transatlantic and transpacific round trips are in the
        // ranges every published measurement gives.
        let r = aws().rtt("us-east-1", "eu-west-1").unwrap();
        assert!((60 * NS_PER_MS..=90 * NS_PER_MS).contains(&r.p50), "{r:?}");
        let r = aws().rtt("us-west-2", "ap-northeast-1").unwrap();
        assert!((90 * NS_PER_MS..=130 * NS_PER_MS).contains(&r.p50), "{r:?}");
    }

    #[test]
    fn one_way_p50_and_p90_are_half_the_round_trip() {
        use crate::sim::dist::Sampler;
        use crate::sim::rng::generator;
        let rtt = aws().rtt("us-east-1", "eu-west-1").unwrap();
        let l = one_way(rtt);
        let s = Sampler::new(&l);
        let mut rng = generator(7, "preset test");
        let mut draws: Vec<Nanos> = (0..200_000).map(|_| s.sample(&mut rng)).collect();
        draws.sort_unstable();
        let q = |p: f64| draws[(p * draws.len() as f64) as usize] as f64;
        let half50 = rtt.p50 as f64 / 2.0;
        let half90 = rtt.p90 as f64 / 2.0;
        assert!(
            (q(0.5) - half50).abs() / half50 < 0.005,
            "{} vs {half50}",
            q(0.5)
        );
        assert!(
            (q(0.9) - half90).abs() / half90 < 0.005,
            "{} vs {half90}",
            q(0.9)
        );
    }

    #[test]
    fn no_spread_is_a_constant_half() {
        let l = one_way(Rtt { p50: 10, p90: 10 });
        assert!(matches!(l, Latency::Constant(5)));
    }
}
