//! Reading what CloudWatch gives a user into one series of periods.
//!
//! Three shapes are read, told apart by their first non-blank character
//! and their top-level fields:
//!
//! - `aws cloudwatch get-metric-statistics` JSON: `Datapoints`, each with a
//!   `Timestamp`, any of `Average`, `Maximum`, `Minimum`, `SampleCount`,
//!   an `ExtendedStatistics` map (`p50`, `p99`, ...) and a `Unit`;
//! - `aws cloudwatch get-metric-data` JSON: `MetricDataResults`, each a
//!   series of `Timestamps` and `Values` whose statistic is told by its `Id`
//!   or `Label` (`p99`, `avg`, `Maximum`, ...);
//! - a CSV such as the console's download: a header row, the time in the
//!   first column and one statistic per further column, told by its header.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::error::{Error, Result};

/// A statistic CloudWatch reports for a period.
#[derive(Clone, Copy, Debug, PartialEq, PartialOrd)]
pub enum Stat {
    /// `pNN`: the quantile, as a fraction (p99 is 0.99).
    Percentile(f64),
    Average,
    Maximum,
    Minimum,
    SampleCount,
}

impl Stat {
    /// The name CloudWatch uses.
    pub fn name(self) -> String {
        match self {
            Stat::Percentile(q) => format!("p{}", crate::report::format::plain(q * 100.0, 3)),
            Stat::Average => "Average".into(),
            Stat::Maximum => "Maximum".into(),
            Stat::Minimum => "Minimum".into(),
            Stat::SampleCount => "SampleCount".into(),
        }
    }

    /// The statistic a label names: a `pNN` word, or average / maximum /
    /// minimum / sample count in any case and common short forms.
    pub fn from_label(label: &str) -> Option<Stat> {
        let lower = label.to_ascii_lowercase();
        let words: Vec<&str> = lower
            .split(|c: char| !(c.is_ascii_alphanumeric() || c == '.'))
            .filter(|w| !w.is_empty())
            .collect();
        for w in &words {
            if let Some(digits) = w.strip_prefix('p') {
                if let Ok(p) = digits.parse::<f64>() {
                    if p > 0.0
                        && p < 100.0
                        && digits.chars().all(|c| c.is_ascii_digit() || c == '.')
                    {
                        // Whole thousandths of a percent, so p99.9 is 0.999.
                        return Some(Stat::Percentile((p * 1000.0).round() / 100_000.0));
                    }
                }
            }
        }
        for w in &words {
            match *w {
                "average" | "avg" | "mean" => return Some(Stat::Average),
                "maximum" | "max" => return Some(Stat::Maximum),
                "minimum" | "min" => return Some(Stat::Minimum),
                "samplecount" | "count" | "n" => return Some(Stat::SampleCount),
                _ => {}
            }
        }
        None
    }
}

/// One period of the metric: when it starts and what CloudWatch said of it,
/// values in milliseconds (a `SampleCount` stays a count).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Period {
    /// Seconds since the Unix epoch.
    pub at: i64,
    pub values: Vec<(Stat, f64)>,
}

impl Period {
    pub fn get(&self, stat: Stat) -> Option<f64> {
        self.values
            .iter()
            .find(|(s, _)| *s == stat)
            .map(|(_, v)| *v)
    }

    fn set(&mut self, stat: Stat, value: f64) {
        match self.values.iter_mut().find(|(s, _)| *s == stat) {
            Some(slot) => slot.1 = value,
            None => self.values.push((stat, value)),
        }
    }
}

/// What the file holds: periods in time order, and where it came from.
#[derive(Clone, Debug, PartialEq)]
pub struct Series {
    /// `get-metric-statistics JSON`, `get-metric-data JSON` or `CSV`.
    pub format: &'static str,
    /// The metric's label, when the file names one.
    pub label: Option<String>,
    pub periods: Vec<Period>,
}

/// Reads `text` (from the file `name`, for messages). `ms_per_unit`
/// converts values whose unit the file does not state (get-metric-data and
/// CSV); a get-metric-statistics `Unit` wins over it.
pub fn read(text: &str, name: &str, ms_per_unit: f64) -> Result<Series> {
    let text = text.trim_start_matches('\u{feff}');
    let trimmed = text.trim_start();
    if trimmed.is_empty() {
        return Err(Error::new(format!(
            "{name}: empty file; give the JSON of `aws cloudwatch get-metric-statistics` \
             or `get-metric-data`, or a CSV download"
        )));
    }
    let series = if trimmed.starts_with('{') {
        let json: Value = serde_json::from_str(text).map_err(|e| {
            let what = e.to_string();
            let what = what.split(" at line ").next().unwrap_or(&what).to_string();
            Error::new(format!(
                "{name}:{}:{}: not valid JSON: {what}",
                e.line(),
                e.column()
            ))
        })?;
        if json.get("Datapoints").is_some() {
            statistics_json(&json, name)?
        } else if json.get("MetricDataResults").is_some() {
            data_json(&json, name, ms_per_unit)?
        } else {
            return Err(Error::new(format!(
                "{name}: JSON without `Datapoints` or `MetricDataResults`; give the output of \
                 `aws cloudwatch get-metric-statistics` or `get-metric-data`"
            )));
        }
    } else {
        csv_file(text, name, ms_per_unit)?
    };
    if series.periods.is_empty() {
        return Err(Error::new(format!("{name}: no data points")));
    }
    Ok(series)
}

fn ms_per(unit: &str) -> Option<f64> {
    match unit {
        "Milliseconds" => Some(1.0),
        "Seconds" => Some(1000.0),
        "Microseconds" => Some(0.001),
        _ => None,
    }
}

fn number(v: &Value, at: &str) -> Result<f64> {
    match v.as_f64() {
        Some(x) if x.is_finite() && x >= 0.0 => Ok(x),
        _ => Err(Error::new(format!(
            "{at}: {v} is not a number of 0 or more"
        ))),
    }
}

fn statistics_json(json: &Value, name: &str) -> Result<Series> {
    let Some(points) = json["Datapoints"].as_array() else {
        return Err(Error::new(format!(
            "{name}: Datapoints: not a list of data points"
        )));
    };
    let mut periods = Vec::with_capacity(points.len());
    for (i, p) in points.iter().enumerate() {
        let at = format!("{name}: Datapoints[{i}]");
        let Some(stamp) = p.get("Timestamp").and_then(Value::as_str) else {
            return Err(Error::new(format!("{at}: no Timestamp")));
        };
        let scale = match p.get("Unit").and_then(Value::as_str) {
            None => 1.0,
            Some(unit) => ms_per(unit).ok_or_else(|| {
                Error::new(format!(
                    "{at}: Unit: '{unit}' is not a time; a latency metric is in \
                     Milliseconds, Seconds or Microseconds"
                ))
            })?,
        };
        let mut period = Period {
            at: parse_time(stamp).map_err(|e| Error::new(format!("{at}: Timestamp: {e}")))?,
            values: Vec::new(),
        };
        for (key, stat) in [
            ("Average", Stat::Average),
            ("Maximum", Stat::Maximum),
            ("Minimum", Stat::Minimum),
        ] {
            if let Some(v) = p.get(key) {
                period.set(stat, number(v, &format!("{at}: {key}"))? * scale);
            }
        }
        if let Some(v) = p.get("SampleCount") {
            period.set(Stat::SampleCount, number(v, &format!("{at}: SampleCount"))?);
        }
        if let Some(ext) = p.get("ExtendedStatistics") {
            let Some(map) = ext.as_object() else {
                return Err(Error::new(format!(
                    "{at}: ExtendedStatistics: not a map of pNN to values"
                )));
            };
            for (key, v) in map {
                let Some(stat @ Stat::Percentile(_)) = Stat::from_label(key) else {
                    return Err(Error::new(format!(
                        "{at}: ExtendedStatistics: '{key}' is not a percentile; \
                         the ones read are pNN (p50, p90, p99, p99.9)"
                    )));
                };
                period.set(
                    stat,
                    number(v, &format!("{at}: ExtendedStatistics.{key}"))? * scale,
                );
            }
        }
        periods.push(period);
    }
    periods.sort_by_key(|p| p.at);
    check_distinct(&periods, name)?;
    Ok(Series {
        format: "get-metric-statistics JSON",
        label: json
            .get("Label")
            .and_then(Value::as_str)
            .map(str::to_string),
        periods,
    })
}

fn data_json(json: &Value, name: &str, ms_per_unit: f64) -> Result<Series> {
    let Some(results) = json["MetricDataResults"].as_array() else {
        return Err(Error::new(format!(
            "{name}: MetricDataResults: not a list of results"
        )));
    };
    let mut by_time: BTreeMap<i64, Period> = BTreeMap::new();
    let mut seen: Vec<(Stat, String)> = Vec::new();
    let mut label = None;
    for (i, r) in results.iter().enumerate() {
        let at = format!("{name}: MetricDataResults[{i}]");
        let id = r.get("Id").and_then(Value::as_str).unwrap_or("");
        let this_label = r.get("Label").and_then(Value::as_str).unwrap_or("");
        let Some(stat) = Stat::from_label(id).or_else(|| Stat::from_label(this_label)) else {
            return Err(Error::new(format!(
                "{at}: cannot tell the statistic from Id '{id}' or Label '{this_label}'; \
                 name the query p50, p90, p99, avg, max or min (its Id or Label)"
            )));
        };
        if let Some((_, other)) = seen.iter().find(|(s, _)| *s == stat) {
            return Err(Error::new(format!(
                "{at}: a second {} series ('{id}' after '{other}'); \
                 fit one metric (one region pair) at a time",
                stat.name()
            )));
        }
        seen.push((stat, id.to_string()));
        if label.is_none() && !this_label.is_empty() {
            label = Some(this_label.to_string());
        }
        let stamps = r.get("Timestamps").and_then(Value::as_array);
        let values = r.get("Values").and_then(Value::as_array);
        let (Some(stamps), Some(values)) = (stamps, values) else {
            return Err(Error::new(format!(
                "{at}: needs Timestamps and Values lists"
            )));
        };
        if stamps.len() != values.len() {
            return Err(Error::new(format!(
                "{at}: {} Timestamps but {} Values; they pair up one to one",
                stamps.len(),
                values.len()
            )));
        }
        let scale = if stat == Stat::SampleCount {
            1.0
        } else {
            ms_per_unit
        };
        for (j, (t, v)) in stamps.iter().zip(values).enumerate() {
            let Some(t) = t.as_str() else {
                return Err(Error::new(format!(
                    "{at}: Timestamps[{j}]: not a time stamp"
                )));
            };
            let t = parse_time(t).map_err(|e| Error::new(format!("{at}: Timestamps[{j}]: {e}")))?;
            let v = number(v, &format!("{at}: Values[{j}]"))?;
            let period = by_time.entry(t).or_insert_with(|| Period {
                at: t,
                values: Vec::new(),
            });
            if period.get(stat).is_some() {
                return Err(Error::new(format!(
                    "{at}: Timestamps[{j}]: the same time stamp twice"
                )));
            }
            period.set(stat, v * scale);
        }
    }
    Ok(Series {
        format: "get-metric-data JSON",
        label,
        periods: by_time.into_values().collect(),
    })
}

fn csv_file(text: &str, name: &str, ms_per_unit: f64) -> Result<Series> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let mut header: Option<(Vec<Stat>, Option<String>)> = None;
    let mut periods = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| {
            let line = e.position().map_or(0, |p| p.line());
            Error::new(format!("{name}:{line}: not CSV: {e}"))
        })?;
        let line = record.position().map_or(0, |p| p.line());
        if record.iter().all(str::is_empty) {
            continue;
        }
        let Some((stats, _)) = &header else {
            // Lines before the header (a title, the metric's name) are
            // skipped; the header is the first line whose every column after
            // the first names a statistic.
            let names: Vec<&str> = record.iter().skip(1).collect();
            if names.is_empty() {
                continue;
            }
            let stats: Option<Vec<Stat>> = names.iter().map(|n| Stat::from_label(n)).collect();
            match stats {
                Some(stats) => {
                    for (k, s) in stats.iter().enumerate() {
                        if stats[..k].contains(s) {
                            return Err(Error::new(format!(
                                "{name}:{line}: column {}: a second {} column; \
                                 fit one metric (one region pair) at a time",
                                k + 2,
                                s.name()
                            )));
                        }
                    }
                    header = Some((stats, names.first().and_then(|s| metric_name(s))));
                }
                None if parse_time(&record[0]).is_ok() => {
                    let bad = names
                        .iter()
                        .position(|n| Stat::from_label(n).is_none())
                        .unwrap_or(0);
                    return Err(Error::new(format!(
                        "{name}:{line}: data before a header naming the statistics; \
                         the first line's columns after the time say which statistic \
                         each holds (p50, p90, p99, Average, Maximum, Minimum), \
                         and column {} does not",
                        bad + 2
                    )));
                }
                None => {}
            }
            continue;
        };
        let t = parse_time(&record[0])
            .map_err(|e| Error::new(format!("{name}:{line}: column 1: {e}")))?;
        let mut period = Period {
            at: t,
            values: Vec::new(),
        };
        for (k, stat) in stats.iter().enumerate() {
            let cell = record.get(k + 1).unwrap_or("");
            if cell.is_empty() {
                continue; // no value for this period
            }
            let v: f64 = cell
                .parse()
                .ok()
                .filter(|v: &f64| v.is_finite() && *v >= 0.0)
                .ok_or_else(|| {
                    Error::new(format!(
                        "{name}:{line}: column {}: '{cell}' is not a number of 0 or more",
                        k + 2
                    ))
                })?;
            let scale = if *stat == Stat::SampleCount {
                1.0
            } else {
                ms_per_unit
            };
            period.set(*stat, v * scale);
        }
        if !period.values.is_empty() {
            periods.push(period);
        }
    }
    let Some((_, label)) = header else {
        return Err(Error::new(format!(
            "{name}: no header line naming the statistics (p50, p90, p99, Average, \
             Maximum, Minimum) after a time column"
        )));
    };
    periods.sort_by_key(|p| p.at);
    check_distinct(&periods, name)?;
    Ok(Series {
        format: "CSV",
        label,
        periods,
    })
}

/// A column header less its statistic word: `ReplicationLatency p99` names
/// the metric `ReplicationLatency`.
fn metric_name(header: &str) -> Option<String> {
    let kept: Vec<&str> = header
        .split_whitespace()
        .filter(|w| {
            Stat::from_label(w.trim_matches(|c: char| !c.is_ascii_alphanumeric())).is_none()
        })
        .collect();
    let name = kept.join(" ");
    let name = name.trim_matches(|c: char| c == '(' || c == ')' || c.is_whitespace());
    (!name.is_empty()).then(|| name.to_string())
}

fn check_distinct(periods: &[Period], name: &str) -> Result<()> {
    for w in periods.windows(2) {
        if w[0].at == w[1].at {
            return Err(Error::new(format!(
                "{name}: two data points at {}; fit one metric (one region pair) at a time",
                show_time(w[0].at)
            )));
        }
    }
    Ok(())
}

/// Seconds since the epoch of an ISO 8601 / RFC 3339 time stamp
/// (`2025-10-20T07:00:00Z`, `...+00:00`), or of `2025-10-20 07:00:00` or
/// `2025/10/20 07:00` taken as UTC.
pub fn parse_time(text: &str) -> std::result::Result<i64, String> {
    let t = text.trim();
    if let Ok(dt) = chrono::DateTime::parse_from_rfc3339(t) {
        return Ok(dt.timestamp());
    }
    for format in [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%d %H:%M",
        "%Y/%m/%d %H:%M:%S",
        "%Y/%m/%d %H:%M",
    ] {
        if let Ok(dt) = chrono::NaiveDateTime::parse_from_str(t, format) {
            return Ok(dt.and_utc().timestamp());
        }
    }
    Err(format!(
        "'{t}' is not a time stamp; write 2025-10-20T07:00:00Z or 2025-10-20 07:00:00 (UTC)"
    ))
}

/// The RFC 3339 form of seconds since the epoch.
pub fn show_time(at: i64) -> String {
    chrono::DateTime::from_timestamp(at, 0)
        .map(|t| t.format("%Y-%m-%dT%H:%M:%SZ").to_string())
        .unwrap_or_else(|| at.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_name_their_statistic() {
        assert_eq!(Stat::from_label("p99"), Some(Stat::Percentile(0.99)));
        assert_eq!(
            Stat::from_label("ReplicationLatency p99.9"),
            Some(Stat::Percentile(0.999))
        );
        assert_eq!(
            Stat::from_label("ReplicationLatency (Average)"),
            Some(Stat::Average)
        );
        assert_eq!(Stat::from_label("max"), Some(Stat::Maximum));
        assert_eq!(Stat::from_label("ReplicationLatency"), None);
        assert_eq!(Stat::from_label("p100"), None);
        assert_eq!(Stat::Percentile(0.999).name(), "p99.9");
    }

    #[test]
    fn time_stamps_in_the_forms_aws_writes() {
        assert_eq!(parse_time("1970-01-01T00:01:00Z"), Ok(60));
        assert_eq!(parse_time("1970-01-01T01:00:00+01:00"), Ok(0));
        assert_eq!(parse_time("1970-01-02 00:00:00"), Ok(86_400));
        assert_eq!(parse_time("1970/01/01 00:02"), Ok(120));
        assert!(parse_time("yesterday").is_err());
        assert_eq!(show_time(86_400), "1970-01-02T00:00:00Z");
    }
}
