//! The CI-gate options `run`, `compare` and `check` share: `--junit FILE`,
//! `--summary-md FILE` (and `$GITHUB_STEP_SUMMARY`, appended to when that
//! variable is set) and `--format json`.
//!
//! `start` checks the report paths before anything runs and, for JSON,
//! sends the human output (`out!`, `outln!`) to stderr; `finish` writes
//! the reports once every run is checked. The reports' contents are made
//! in `report::gate`.

use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use clap::{Args, ValueEnum};

use crate::error::{Error, Result};
use crate::report::expect::Checked;
use crate::report::gate as reports;

/// The gate's options.
#[derive(Debug, Args)]
pub struct GateArgs {
    /// Write a JUnit XML file: a test suite per scenario (per mode under
    /// compare), a test case per expectation.
    #[arg(long, value_name = "FILE")]
    pub junit: Option<PathBuf>,

    /// Write a Markdown summary of the expectations and main figures (it
    /// is also appended to $GITHUB_STEP_SUMMARY when that is set).
    #[arg(long = "summary-md", value_name = "FILE")]
    pub summary_md: Option<PathBuf>,

    /// `json`: every figure and expectation outcome as one JSON document
    /// on stdout, the human output on stderr.
    #[arg(long, value_enum, value_name = "FORMAT", default_value_t = Format::Text)]
    pub format: Format,
}

/// What goes to stdout.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// The tables people read.
    Text,
    /// One JSON document.
    Json,
}

/// Before any run: refuse report paths that cannot be files, and route the
/// human output.
pub fn start(args: &GateArgs) -> Result<()> {
    for (flag, path) in [("--junit", &args.junit), ("--summary-md", &args.summary_md)] {
        if let Some(p) = path {
            if p.is_dir() || p.as_os_str().is_empty() {
                return Err(Error::new(format!(
                    "{flag} {}: is a folder; give a file name, such as {}",
                    p.display(),
                    if flag == "--junit" {
                        "junit.xml"
                    } else {
                        "summary.md"
                    }
                )));
            }
        }
    }
    if args.format == Format::Json {
        super::stdout::human_to_stderr();
    }
    Ok(())
}

/// After every run: write the reports of `runs` and return `code`, the
/// exit code the runs gave; an error if a report cannot be written.
pub fn finish(args: &GateArgs, command: &str, code: i32, runs: &[Checked]) -> Result<i32> {
    if let Some(path) = &args.junit {
        write_whole(path, reports::junit(command, runs).as_bytes())?;
    }
    let step_summary = std::env::var_os("GITHUB_STEP_SUMMARY").filter(|v| !v.is_empty());
    if args.summary_md.is_some() || step_summary.is_some() {
        let md = reports::markdown(command, runs);
        if let Some(path) = &args.summary_md {
            write_whole(path, md.as_bytes())?;
        }
        if let Some(path) = step_summary {
            append(Path::new(&path), md.as_bytes())?;
        }
    }
    if args.format == Format::Json {
        super::stdout::write_document(&reports::json(command, code, runs));
    }
    Ok(code)
}

/// After a command whose reports are made elsewhere (`check`): write the
/// JUnit file, the Markdown summary (made only when wanted) and the JSON
/// document as the options ask.
pub fn finish_with(
    args: &GateArgs,
    junit: &str,
    markdown: &dyn Fn() -> String,
    json: &str,
) -> Result<()> {
    if let Some(path) = &args.junit {
        write_whole(path, junit.as_bytes())?;
    }
    let step_summary = std::env::var_os("GITHUB_STEP_SUMMARY").filter(|v| !v.is_empty());
    if args.summary_md.is_some() || step_summary.is_some() {
        let md = markdown();
        if let Some(path) = &args.summary_md {
            write_whole(path, md.as_bytes())?;
        }
        if let Some(path) = step_summary {
            append(Path::new(&path), md.as_bytes())?;
        }
    }
    if args.format == Format::Json {
        super::stdout::write_document(json);
    }
    Ok(())
}

/// Write `bytes` as `path`, whole or not at all: into a sibling temporary
/// file first, renamed into place.
fn write_whole(path: &Path, bytes: &[u8]) -> Result<()> {
    let fail = |e: std::io::Error| Error::new(format!("{}: cannot write: {e}", path.display()));
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        fs::create_dir_all(parent).map_err(fail)?;
    }
    let mut temp = path.as_os_str().to_os_string();
    temp.push(format!(".tmp-{}", std::process::id()));
    let temp = PathBuf::from(temp);
    let outcome = fs::write(&temp, bytes).and_then(|()| fs::rename(&temp, path));
    if outcome.is_err() {
        let _ = fs::remove_file(&temp);
    }
    outcome.map_err(fail)
}

/// Append `bytes` to `path` (GitHub collects a job's step summaries so).
fn append(path: &Path, bytes: &[u8]) -> Result<()> {
    fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .and_then(|mut f| f.write_all(bytes))
        .map_err(|e| {
            Error::new(format!(
                "GITHUB_STEP_SUMMARY {}: cannot append: {e}",
                path.display()
            ))
        })
}
