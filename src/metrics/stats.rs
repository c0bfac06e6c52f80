//! Two samples of one figure compared: Welch's two-sample t-test.
//!
//! A statistical baseline holds a figure's value under several seeds; a
//! check runs the scenario again under several seeds. Whether the figure
//! moved is judged against the seed-to-seed spread of both samples, not a
//! fixed margin: Welch's test does not assume the two spreads are equal
//! (a change to a scenario can change its noise as well as its level).
//! For figures that are normally distributed over seeds it is exact; for
//! others (counts of rare events), approximate, and better the more seeds.
//!
//! Pure arithmetic: nothing here runs a scenario or formats a figure.

use statrs::distribution::{ContinuousCDF, StudentsT};

/// The mean and the spread of one sample.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Sample {
    pub n: usize,
    pub mean: f64,
    /// The sample standard deviation (n − 1 in the denominator); 0 for a
    /// single value.
    pub sd: f64,
}

impl Sample {
    /// The mean and standard deviation of `values` (at least one).
    pub fn of(values: &[f64]) -> Sample {
        let n = values.len();
        assert!(n > 0, "a sample has at least one value");
        let mean = values.iter().sum::<f64>() / n as f64;
        let sd = if n < 2 {
            0.0
        } else {
            let ss: f64 = values.iter().map(|v| (v - mean) * (v - mean)).sum();
            (ss / (n - 1) as f64).sqrt()
        };
        Sample { n, mean, sd }
    }

    /// The squared standard error of the mean.
    fn var_of_mean(&self) -> f64 {
        self.sd * self.sd / self.n as f64
    }
}

/// Welch's test of `new` against `old`, two-sided.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Welch {
    /// `new.mean − old.mean`.
    pub difference: f64,
    /// The standard error of the difference.
    pub se: f64,
    /// The t statistic (infinite when both samples are constant and differ).
    pub t: f64,
    /// Welch–Satterthwaite degrees of freedom (infinite when both samples
    /// are constant).
    pub df: f64,
    /// The chance of a difference at least this large if the two came from
    /// one distribution.
    pub p: f64,
}

impl Welch {
    /// Compare two samples of at least two values each.
    pub fn test(old: &Sample, new: &Sample) -> Welch {
        let (a, b) = (old.var_of_mean(), new.var_of_mean());
        let difference = new.mean - old.mean;
        let se = (a + b).sqrt();
        if se == 0.0 {
            // Both constant: equal means are no difference at all, unequal
            // ones a certain one.
            let certain = difference != 0.0;
            return Welch {
                difference,
                se,
                t: if certain {
                    difference.signum() * f64::INFINITY
                } else {
                    0.0
                },
                df: f64::INFINITY,
                p: if certain { 0.0 } else { 1.0 },
            };
        }
        let df = (a + b) * (a + b)
            / (a * a / (old.n as f64 - 1.0).max(1.0) + b * b / (new.n as f64 - 1.0).max(1.0));
        let t = difference / se;
        let p = 2.0 * upper_tail(t.abs(), df);
        Welch {
            difference,
            se,
            t,
            df,
            p: p.clamp(0.0, 1.0),
        }
    }

    /// The interval that holds the true difference with chance
    /// `confidence` (from 0 to 1).
    pub fn interval(&self, confidence: f64) -> (f64, f64) {
        if self.se == 0.0 {
            return (self.difference, self.difference);
        }
        let half = t_quantile(0.5 + confidence / 2.0, self.df) * self.se;
        (self.difference - half, self.difference + half)
    }
}

/// P(T > t) for Student's t with `df` degrees of freedom.
fn upper_tail(t: f64, df: f64) -> f64 {
    match StudentsT::new(0.0, 1.0, df) {
        Ok(d) => d.sf(t),
        Err(_) => f64::NAN,
    }
}

/// The `q` quantile of Student's t with `df` degrees of freedom.
pub fn t_quantile(q: f64, df: f64) -> f64 {
    match StudentsT::new(0.0, 1.0, df) {
        Ok(d) => d.inverse_cdf(q),
        Err(_) => f64::NAN,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_distr::{Distribution, Normal};

    #[test]
    fn quantiles_match_the_printed_tables() {
        // Two-sided 95% and 99% critical values of Student's t, as printed
        // in any table (Fisher and Yates): df 5, 10, 20, 30.
        for (q, df, want) in [
            (0.975, 5.0, 2.571),
            (0.975, 10.0, 2.228),
            (0.975, 20.0, 2.086),
            (0.975, 30.0, 2.042),
            (0.995, 10.0, 3.169),
            (0.995, 20.0, 2.845),
        ] {
            let got = t_quantile(q, df);
            assert!(
                (got - want).abs() < 0.0006,
                "t({q}, {df}) = {got}, table {want}"
            );
        }
    }

    #[test]
    fn a_hand_worked_welch_test() {
        // old: 1, 2, 3, 4 (mean 2.5, s² = 5/3); new: 3, 5, 7 (mean 5,
        // s² = 4). Var of means 5/12 and 4/3; se = sqrt(7/4) = 1.3229;
        // t = 2.5 / 1.3229 = 1.8898; df = (7/4)² / ((5/12)²/3 + (4/3)²/2)
        // = 3.0625 / 0.94676 = 3.2347. Two-sided p, the regularized incomplete
        // beta I(df / (df + t²); df/2, 1/2) worked with mpmath: 0.148471.
        let old = Sample::of(&[1.0, 2.0, 3.0, 4.0]);
        let new = Sample::of(&[3.0, 5.0, 7.0]);
        assert_eq!(old.mean, 2.5);
        assert!((old.sd * old.sd - 5.0 / 3.0).abs() < 1e-12);
        let w = Welch::test(&old, &new);
        assert!((w.se - 1.75f64.sqrt()).abs() < 1e-12);
        assert!((w.t - 1.889_822).abs() < 1e-6, "{}", w.t);
        assert!((w.df - 3.234_719).abs() < 1e-5, "{}", w.df);
        assert!((w.p - 0.148_471).abs() < 1e-5, "{}", w.p);
        let (lo, hi) = w.interval(0.95);
        assert!(lo < 0.0 && hi > 0.0, "p > 0.05: the interval holds 0");
        assert!(((lo + hi) / 2.0 - 2.5).abs() < 1e-12);
    }

    #[test]
    fn constant_samples() {
        let a = Sample::of(&[3.0, 3.0, 3.0]);
        let b = Sample::of(&[4.0, 4.0]);
        assert_eq!(Welch::test(&a, &a).p, 1.0);
        let w = Welch::test(&a, &b);
        assert_eq!((w.p, w.difference), (0.0, 1.0));
        assert_eq!(w.interval(0.95), (1.0, 1.0));
    }

    /// Draws `trials` pairs of normal samples of one mean and counts how
    /// often the test calls them different at level `alpha`.
    fn false_alarms(n: (usize, usize), sd: (f64, f64), alpha: f64, trials: usize) -> usize {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(42);
        let a = Normal::new(10.0, sd.0).unwrap();
        let b = Normal::new(10.0, sd.1).unwrap();
        (0..trials)
            .filter(|_| {
                let x: Vec<f64> = (0..n.0).map(|_| a.sample(&mut rng)).collect();
                let y: Vec<f64> = (0..n.1).map(|_| b.sample(&mut rng)).collect();
                Welch::test(&Sample::of(&x), &Sample::of(&y)).p < alpha
            })
            .count()
    }

    #[test]
    fn the_false_alarm_rate_is_the_level_asked_for() {
        // Monte Carlo: 4,000 trials at α = 0.05 give 200 false alarms on
        // average, binomial sd sqrt(4000 · 0.05 · 0.95) = 13.8; within 4 sd.
        // Equal spreads, and unequal spreads with unequal sizes (where a
        // pooled-variance test would be wrong and Welch's is not).
        for (n, sd) in [((10, 10), (1.0, 1.0)), ((6, 15), (3.0, 1.0))] {
            let k = false_alarms(n, sd, 0.05, 4000) as f64;
            assert!((k - 200.0).abs() < 4.0 * 13.8, "{n:?} {sd:?}: {k} of 4000");
        }
    }

    #[test]
    fn the_interval_covers_the_true_difference_as_often_as_it_says() {
        // Samples of means 10 and 11: the 90% interval of the difference
        // holds 1 in 90% of 2,000 trials (sd of the count 13.4).
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
        let a = Normal::new(10.0, 1.0).unwrap();
        let b = Normal::new(11.0, 2.0).unwrap();
        let covered = (0..2000)
            .filter(|_| {
                let x: Vec<f64> = (0..8).map(|_| a.sample(&mut rng)).collect();
                let y: Vec<f64> = (0..12).map(|_| b.sample(&mut rng)).collect();
                let (lo, hi) = Welch::test(&Sample::of(&x), &Sample::of(&y)).interval(0.9);
                lo <= 1.0 && 1.0 <= hi
            })
            .count() as f64;
        assert!((covered - 1800.0).abs() < 4.0 * 13.4, "{covered} of 2000");
    }
}
