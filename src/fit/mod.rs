//! `replisim fit`: a pipeline delay from what CloudWatch measured.
//!
//! DynamoDB's `ReplicationLatency` and Aurora's
//! `AuroraGlobalDBReplicationLag` come to a user as per-period statistics
//! (percentiles, averages, maxima). This module reads them (`read`), turns
//! them into one delay distribution and a time scale (`estimate`), and
//! writes both as a `pipeline:` line a scenario takes as it is.

pub mod estimate;
pub mod read;

use crate::error::{Error, Result};
use estimate::{Fitted, TimeScale};
use read::{show_time, Series};

/// What the user asked for besides the file.
#[derive(Clone, Copy, Debug)]
pub struct Options {
    /// Milliseconds taken off every figure (the link's one-way delay, since
    /// CloudWatch measures from the write to its arrival).
    pub minus_ms: f64,
    /// Milliseconds per unit for files that do not say their unit.
    pub ms_per_unit: f64,
}

/// The fit of one file: what was read and what came of it.
#[derive(Clone, Debug)]
pub struct Fit {
    pub series: Series,
    pub fitted: Fitted,
    pub options: Options,
}

/// Reads and fits `text`, the contents of the file `name`.
pub fn fit(text: &str, name: &str, options: Options) -> Result<Fit> {
    let series = read::read(text, name, options.ms_per_unit)?;
    let fitted =
        estimate::fit(&series, options.minus_ms).map_err(|e| Error::new(format!("{name}: {e}")))?;
    Ok(Fit {
        series,
        fitted,
        options,
    })
}

impl Fit {
    /// The `pipeline:` value, ready to paste.
    pub fn pipeline(&self) -> String {
        let f = &self.fitted;
        let mut line = format!(
            "{{ percentiles: {{ p0: {}, p50: {}, p90: {}, p99: {}, max: {} }}",
            duration_ms(f.p0),
            duration_ms(f.p50),
            duration_ms(f.p90),
            duration_ms(f.p99),
            duration_ms(f.max)
        );
        if let TimeScale::Seconds(tau) = f.time_scale {
            line.push_str(&format!(", varies_over: {}", time_scale(tau)));
        }
        line.push_str(" }");
        line
    }

    /// Comment lines saying where the figures came from, then the line.
    pub fn text(&self, name: &str) -> String {
        let f = &self.fitted;
        let s = &self.series;
        let first = s.periods[0].at;
        let last = s.periods[s.periods.len() - 1].at;
        let mut out = format!("# fitted from {name} ({}", s.format);
        if let Some(label) = &s.label {
            out.push_str(&format!(", label {label}"));
        }
        out.push_str("):\n");
        let spacing = if f.period_s > 0 {
            format!(" of {}", time_scale(f.period_s as f64))
        } else {
            String::new()
        };
        let used: Vec<String> = f.used.iter().map(|s| s.name()).collect();
        out.push_str(&format!(
            "#   {} periods{spacing}, {} to {}; statistics {}\n",
            s.periods.len(),
            show_time(first),
            show_time(last),
            used.join(", ")
        ));
        if f.from_averages {
            out.push_str(
                "#   no percentiles in the file: these are quantiles of the per-period \
                 averages,\n#   how the delay moved over time; the spread within a \
                 period is wider\n",
            );
        } else {
            out.push_str(
                "#   p0 and max are the 0.01% and 99.99% points of the fitted \
                 distribution,\n#   within the file's Minimum and Maximum where it has them\n",
            );
        }
        if self.options.minus_ms > 0.0 {
            out.push_str(&format!(
                "#   every figure less {} for the link (the metric runs from the write to \
                 its arrival)\n",
                duration_ms(self.options.minus_ms)
            ));
        } else {
            out.push_str(
                "#   end to end, link included: give --minus with the link's one-way \
                 delay for the pipeline alone\n",
            );
        }
        let level = if f.from_averages { "average" } else { "median" };
        match f.time_scale {
            TimeScale::Seconds(tau) => out.push_str(&format!(
                "#   the per-period {level} moves over about {} (its autocorrelation)\n",
                time_scale(tau)
            )),
            TimeScale::FasterThanPeriod => out.push_str(&format!(
                "#   the per-period {level} moves faster than the data's period shows: \
                 varies_over\n#   cannot be told from it (the scenario's default applies)\n"
            )),
            TimeScale::TooFew(n) => out.push_str(&format!(
                "#   {n} periods are too few to tell how fast the delay moves: \
                 no varies_over\n"
            )),
            TimeScale::Flat => out.push_str(&format!(
                "#   the per-period {level} never moves: no varies_over\n"
            )),
        }
        out.push_str(&format!("pipeline: {}\n", self.pipeline()));
        out
    }
}

fn significant(x: f64, digits: usize) -> String {
    crate::report::format::sig(x, digits, 12)
}

/// A delay in scenario units, three significant digits.
pub fn duration_ms(ms: f64) -> String {
    if ms >= 1000.0 {
        format!("{}s", significant(ms / 1000.0, 3))
    } else if ms >= 1.0 {
        format!("{}ms", significant(ms, 3))
    } else {
        format!("{}us", significant((ms * 1000.0).max(1.0), 3))
    }
}

/// A time scale in scenario units, two significant digits.
fn time_scale(seconds: f64) -> String {
    if seconds < 120.0 {
        format!("{}s", significant(seconds, 2))
    } else if seconds < 7200.0 {
        format!("{}m", significant(seconds / 60.0, 2))
    } else {
        format!("{}h", significant(seconds / 3600.0, 2))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_keep_three_significant_digits() {
        assert_eq!(duration_ms(480.4), "480ms");
        assert_eq!(duration_ms(2345.0), "2.35s");
        assert_eq!(duration_ms(1000.0), "1s");
        assert_eq!(duration_ms(4.567), "4.57ms");
        assert_eq!(duration_ms(0.25), "250us");
        assert_eq!(time_scale(612.0), "10m");
        assert_eq!(time_scale(45.0), "45s");
        assert_eq!(time_scale(9000.0), "2.5h");
    }
}
