//! `replisim fit FILE`: a `pipeline:` line from CloudWatch's replication
//! latency (see `crate::fit`), printed to stdout.

use std::io::Read;
use std::path::PathBuf;

use clap::{Args, ValueEnum};

use super::stdout::out;
use super::EXIT_OK;
use crate::error::{Error, Result};
use crate::fit::{self, Options};
use crate::scenario::units::parse_duration;

#[derive(Debug, Args)]
pub struct FitArgs {
    /// The JSON of `aws cloudwatch get-metric-statistics` or
    /// `get-metric-data`, or a CSV with a time column and one column per
    /// statistic (the console's download); `-` reads stdin.
    #[arg(value_name = "FILE")]
    file: PathBuf,

    /// Take this off every figure: the link's one-way delay, since
    /// `ReplicationLatency` runs from the write to its arrival (e.g. 35ms).
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    minus: Option<u64>,

    /// The unit of values in files that do not say (get-metric-data, CSV).
    #[arg(long, value_enum, default_value = "ms")]
    unit: Unit,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum Unit {
    Us,
    Ms,
    S,
}

pub fn fit(args: &FitArgs) -> Result<i32> {
    let name = args.file.display().to_string();
    let mut bytes = Vec::new();
    let read = if name == "-" {
        std::io::stdin().read_to_end(&mut bytes).map(|_| ())
    } else {
        std::fs::File::open(&args.file).and_then(|mut f| f.read_to_end(&mut bytes).map(|_| ()))
    };
    read.map_err(|e| Error::new(format!("{name}: cannot read: {e}")))?;
    let text = String::from_utf8(bytes)
        .map_err(|_| Error::new(format!("{name}: not UTF-8 text; give JSON or CSV")))?;
    let options = Options {
        minus_ms: args.minus.map_or(0.0, |ns| ns as f64 / 1e6),
        ms_per_unit: match args.unit {
            Unit::Us => 0.001,
            Unit::Ms => 1.0,
            Unit::S => 1000.0,
        },
    };
    let fitted = fit::fit(&text, &name, options)?;
    out!("{}", fitted.text(&name));
    Ok(EXIT_OK)
}
