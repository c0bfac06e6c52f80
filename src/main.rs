//! The `replisim` binary: parse arguments, run, print any error, exit.

fn main() {
    std::process::exit(replisim::cli::main());
}
