//! Integration tests: one binary, one module per topic.

mod common;
mod compare;
mod crn;
mod errors;
mod gen;
mod handworked;
mod modes;
mod properties;
mod truths;
