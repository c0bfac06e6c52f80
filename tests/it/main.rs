//! Integration tests: one binary, one module per topic.

mod common;
mod handworked;
mod truths;
