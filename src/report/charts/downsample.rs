//! Thinning long series for drawing, without hiding what matters.
//!
//! A chart is a few hundred pixels wide; a long run has tens of thousands
//! of time buckets. Levels (lag, backlog) keep each bin's lowest and highest
//! point, so spikes survive; counts are summed over merged buckets, so
//! totals survive. Nothing is cut off at the end.

use crate::metrics::result::BucketRow;

/// Reduces `(x, y)` points (`None` where there is no value) to at most about
/// `2 * bins` points: the index range is split into `bins` equal bins and
/// each keeps its lowest and highest value in x order. A bin without any
/// value becomes one `None`, a gap in the drawn line.
pub(crate) fn minmax(xs: &[f64], ys: &[Option<f64>], bins: usize) -> Vec<Option<(f64, f64)>> {
    let n = xs.len().min(ys.len());
    let bins = bins.max(1);
    if n <= 2 * bins {
        return (0..n).map(|i| ys[i].map(|y| (xs[i], y))).collect();
    }
    let mut out = Vec::with_capacity(2 * bins);
    for b in 0..bins {
        let lo = b * n / bins;
        let hi = (b + 1) * n / bins;
        // (index, value) of the lowest and highest value in the bin.
        let mut min: Option<(usize, f64)> = None;
        let mut max: Option<(usize, f64)> = None;
        for (i, y) in ys.iter().enumerate().take(hi).skip(lo) {
            let Some(y) = *y else { continue };
            match min {
                Some((_, m)) if m <= y => {}
                _ => min = Some((i, y)),
            }
            match max {
                Some((_, m)) if m >= y => {}
                _ => max = Some((i, y)),
            }
        }
        match (min, max) {
            (Some(a), Some(b)) => {
                let (first, second) = if a.0 <= b.0 { (a, b) } else { (b, a) };
                out.push(Some((xs[first.0], first.1)));
                if second.0 != first.0 {
                    out.push(Some((xs[second.0], second.1)));
                }
            }
            _ => out.push(None),
        }
    }
    out
}

/// Splits points at the gaps into runs that are each drawn as one line.
pub(crate) fn segments(points: &[Option<(f64, f64)>]) -> Vec<Vec<(f64, f64)>> {
    let mut out = Vec::new();
    let mut cur = Vec::new();
    for p in points {
        match p {
            Some(p) => cur.push(*p),
            None => {
                if !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                }
            }
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// Time buckets summed into wider ones for drawing counts.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct Merged {
    pub t_start_s: f64,
    pub t_end_s: f64,
    pub writes: u64,
    pub lost_writes: u64,
    pub conflicts: u64,
    pub reads: u64,
    pub stale_reads: u64,
}

/// Sums consecutive buckets so that at most `max_bins` remain. Returns the
/// merged buckets and how many original buckets each holds.
pub(crate) fn merge_buckets(rows: &[BucketRow], max_bins: usize) -> (Vec<Merged>, usize) {
    let group = rows.len().div_ceil(max_bins.max(1)).max(1);
    let merged = rows
        .chunks(group)
        .map(|chunk| {
            let mut m = Merged {
                t_start_s: chunk[0].t_start_s,
                t_end_s: chunk[chunk.len() - 1].t_end_s,
                ..Merged::default()
            };
            for r in chunk {
                m.writes += r.writes;
                m.lost_writes += r.lost_writes;
                m.conflicts += r.conflicts;
                m.reads += r.reads;
                m.stale_reads += r.stale_reads;
            }
            m
        })
        .collect();
    (merged, group)
}

/// Keeps at most `max` points of a monotone curve (a CDF): evenly spaced
/// by index, always with the first and the last.
pub(crate) fn decimate<T: Copy>(points: &[T], max: usize) -> Vec<T> {
    let max = max.max(2);
    if points.len() <= max {
        return points.to_vec();
    }
    let n = points.len();
    let mut out: Vec<T> = (0..max - 1)
        .map(|k| points[k * (n - 1) / (max - 1)])
        .collect();
    out.push(points[n - 1]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_series_pass_through() {
        let xs = [0.0, 1.0, 2.0];
        let ys = [Some(1.0), None, Some(3.0)];
        assert_eq!(
            minmax(&xs, &ys, 10),
            vec![Some((0.0, 1.0)), None, Some((2.0, 3.0))]
        );
    }

    #[test]
    fn long_series_keep_spikes_and_span() {
        let n = 100_000;
        let xs: Vec<f64> = (0..n).map(|i| i as f64).collect();
        let mut ys: Vec<Option<f64>> = (0..n).map(|i| Some((i % 7) as f64)).collect();
        ys[54_321] = Some(9_999.0);
        ys[77_777] = Some(-5.0);
        let out = minmax(&xs, &ys, 500);
        assert!(out.len() <= 1000);
        let pts: Vec<(f64, f64)> = out.iter().flatten().copied().collect();
        assert!(pts.contains(&(54_321.0, 9_999.0)));
        assert!(pts.contains(&(77_777.0, -5.0)));
        // Not truncated: the last bin reaches the end of the run.
        assert!(pts.last().unwrap().0 >= (n - 200) as f64);
        // x stays in order.
        assert!(pts.windows(2).all(|w| w[0].0 < w[1].0));
    }

    #[test]
    fn empty_bins_become_gaps() {
        let n = 1000;
        let xs: Vec<f64> = (0..n).map(|i| i as f64).collect();
        let ys: Vec<Option<f64>> = (0..n)
            .map(|i| {
                if (400..600).contains(&i) {
                    None
                } else {
                    Some(1.0)
                }
            })
            .collect();
        let segs = segments(&minmax(&xs, &ys, 100));
        assert_eq!(segs.len(), 2);
    }

    #[test]
    fn merging_keeps_totals() {
        let rows: Vec<BucketRow> = (0..1001)
            .map(|i| BucketRow {
                t_start_s: i as f64,
                t_end_s: i as f64 + 1.0,
                lost_writes: i % 3,
                conflicts: 1,
                ..BucketRow::default()
            })
            .collect();
        let (m, group) = merge_buckets(&rows, 150);
        assert_eq!(group, 7);
        assert!(m.len() <= 150);
        assert_eq!(
            m.iter().map(|b| b.lost_writes).sum::<u64>(),
            rows.iter().map(|r| r.lost_writes).sum::<u64>()
        );
        assert_eq!(m.iter().map(|b| b.conflicts).sum::<u64>(), 1001);
        assert_eq!(m.last().unwrap().t_end_s, 1001.0);
    }

    #[test]
    fn decimate_keeps_ends() {
        let v: Vec<u32> = (0..1000).collect();
        let d = decimate(&v, 10);
        assert_eq!(d.len(), 10);
        assert_eq!(d[0], 0);
        assert_eq!(d[9], 999);
    }
}
