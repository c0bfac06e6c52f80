//! Build script: embed the scenario library.
//!
//! Scans `scenarios/*.yaml` (sorted by file name) and writes
//! `$OUT_DIR/bundled_scenarios.rs`, a slice of `Bundled` entries whose text
//! comes from `include_str!`, so `replisim list` and `replisim run <name>`
//! work from any folder. Reads only the repository; no network.

use std::env;
use std::fs;
use std::path::PathBuf;

fn main() {
    println!("cargo:rerun-if-changed=scenarios");
    println!("cargo:rerun-if-changed=build.rs");
    let root = PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").expect("CARGO_MANIFEST_DIR"));
    let dir = root.join("scenarios");
    let mut files: Vec<(String, PathBuf)> = match fs::read_dir(&dir) {
        Ok(entries) => entries
            .filter_map(|e| e.ok())
            .map(|e| e.path())
            .filter(|p| p.is_file() && p.extension().is_some_and(|x| x == "yaml"))
            .filter_map(|p| {
                let stem = p.file_stem()?.to_str()?.to_string();
                Some((stem, p))
            })
            .collect(),
        Err(_) => Vec::new(),
    };
    files.sort();

    let mut code = String::from("&[\n");
    for (name, path) in &files {
        let path = path.to_str().expect("scenario paths are UTF-8");
        code.push_str(&format!(
            "    Bundled {{ name: {name:?}, text: include_str!({path:?}) }},\n"
        ));
    }
    code.push(']');

    let out = PathBuf::from(env::var_os("OUT_DIR").expect("OUT_DIR")).join("bundled_scenarios.rs");
    fs::write(out, code).expect("write bundled_scenarios.rs");
}
