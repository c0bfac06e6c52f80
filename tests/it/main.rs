//! Integration tests: one binary, one module per topic.

mod common;
mod crn;
mod handworked;
mod truths;
