//! Command-line arguments and dispatch.

/// Run the command line; returns the process exit code.
pub fn main() -> i32 {
    0
}
