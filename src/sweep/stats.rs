//! The figures of a variant over its replications: mean, standard
//! deviation and a 95% confidence interval for the mean.
//!
//! The interval is Student's t: mean ± t(0.975, n − 1) · s / √n, with s the
//! sample standard deviation (divisor n − 1). It assumes the replications
//! are independent draws of one figure, which they are: each has its own
//! seed. With one replication there is no spread to measure, so the
//! standard deviation and the interval are absent. Values are summed in
//! replication order, so the same values always give the same bits.

use statrs::distribution::{ContinuousCDF, StudentsT};

/// The confidence level of every interval.
pub const LEVEL: f64 = 0.95;

/// A figure over the replications of one variant.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Estimate {
    pub n: usize,
    pub mean: f64,
    /// Absent with fewer than two values.
    pub sd: Option<f64>,
    /// The interval's ends; absent with fewer than two values.
    pub ci: Option<(f64, f64)>,
}

/// The two-sided 95% quantile of Student's t with `df` degrees of freedom.
pub fn t_quantile(df: usize) -> f64 {
    match StudentsT::new(0.0, 1.0, df as f64) {
        Ok(t) => t.inverse_cdf(1.0 - (1.0 - LEVEL) / 2.0),
        // df = 0 is never asked for (n ≥ 2 here); the normal quantile is
        // the limit either way.
        Err(_) => 1.959_963_984_540_054,
    }
}

/// Mean, standard deviation and interval of `values` (none empty).
pub fn estimate(values: &[f64]) -> Estimate {
    let n = values.len();
    let mean = values.iter().sum::<f64>() / n.max(1) as f64;
    if n < 2 {
        return Estimate {
            n,
            mean,
            sd: None,
            ci: None,
        };
    }
    let ss: f64 = values.iter().map(|v| (v - mean) * (v - mean)).sum();
    let sd = (ss / (n - 1) as f64).sqrt();
    let half = t_quantile(n - 1) * sd / (n as f64).sqrt();
    Estimate {
        n,
        mean,
        sd: Some(sd),
        ci: Some((mean - half, mean + half)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::Rng;

    #[test]
    fn t_quantiles_match_the_printed_table() {
        // Two-sided 95% critical values as printed in t tables.
        for (df, t) in [
            (1, 12.706),
            (2, 4.303),
            (4, 2.776),
            (9, 2.262),
            (19, 2.093),
            (29, 2.045),
            (120, 1.980),
        ] {
            assert!(
                (t_quantile(df) - t).abs() < 5e-4,
                "df {df}: {}",
                t_quantile(df)
            );
        }
    }

    #[test]
    fn interval_by_hand() {
        // 1, 2, 3, 4, 5: mean 3, s² = 10 / 4 = 2.5, s = 1.5811388,
        // t(0.975, 4) = 2.7764451, half width = 2.7764451 · 1.5811388 / √5
        // = 1.9632432.
        let e = estimate(&[1.0, 2.0, 3.0, 4.0, 5.0]);
        assert_eq!(e.n, 5);
        assert_eq!(e.mean, 3.0);
        assert!((e.sd.unwrap() - 1.581_138_8).abs() < 1e-6);
        let (lo, hi) = e.ci.unwrap();
        assert!((lo - 1.036_756_8).abs() < 1e-6, "{lo}");
        assert!((hi - 4.963_243_2).abs() < 1e-6, "{hi}");
        // Two values 0 and 1: s = 0.7071068, t(0.975, 1) = 12.7062047,
        // half width 12.7062047 · 0.7071068 / √2 = 6.3531024.
        let (lo, hi) = estimate(&[0.0, 1.0]).ci.unwrap();
        assert!((hi - 0.5 - 6.353_102_4).abs() < 1e-6 && (0.5 - lo - 6.353_102_4).abs() < 1e-6);
        // Equal values: no spread, an interval of one point.
        assert_eq!(estimate(&[2.0, 2.0, 2.0]).ci, Some((2.0, 2.0)));
        let one = estimate(&[4.0]);
        assert_eq!((one.mean, one.sd, one.ci), (4.0, None, None));
    }

    #[test]
    fn intervals_cover_the_mean_95_percent_of_the_time() {
        // Samples of 5 from a normal distribution with mean 10: the interval
        // must hold 10 in 95% of 4,000 samples; the binomial standard error
        // is 0.34 points, so 94–96% is about three of them.
        let mut rng = crate::sim::rng::generator(1, "coverage");
        let normal = rand_distr::Normal::new(10.0, 3.0).unwrap();
        let trials = 4000;
        let mut covered = 0;
        for _ in 0..trials {
            let xs: Vec<f64> = (0..5).map(|_| rng.sample(normal)).collect();
            let (lo, hi) = estimate(&xs).ci.unwrap();
            if lo <= 10.0 && 10.0 <= hi {
                covered += 1;
            }
        }
        let share = f64::from(covered) / f64::from(trials);
        assert!((0.94..=0.96).contains(&share), "{share}");
    }
}
