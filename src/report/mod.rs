//! Results out: CSV files, charts, the HTML report and the terminal summary.
//!
//! Reads only `metrics::result` types and the typed scenario; never runs
//! the simulation itself.

pub mod baseline;
pub mod baseline_rows;
pub mod charts;
pub mod compare;
pub mod compare_html;
pub mod csv_out;
pub mod expect;
pub mod folder;
pub mod format;
pub mod gate;
pub mod html;
pub mod output;
pub mod terminal;
pub mod theory;
pub mod ticks;
pub mod words;
