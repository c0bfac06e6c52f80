//! Integration tests: one binary, one module per topic.

mod baseline;
mod ci_docs;
mod cli;
mod common;
mod compare;
mod compare_report;
mod crn;
mod errors;
mod fault_expect;
mod fault_figures;
mod fidelity;
mod gate;
mod gen;
mod golden;
mod handworked;
mod hostile;
mod modes;
mod presets;
mod properties;
mod report_charts;
mod safety;
mod scenario_errors;
mod sweep;
mod toy_mode;
mod truths;
mod varying;
