//! The swarm: random valid scenarios (`gen.rs`) run from the command line
//! as a user runs them, charts and report included, in all three modes and
//! with every fault kind. Each run must end with exit code 0 within a time
//! limit (no panic, no hang); every CSV cell must be free of NaN and
//! infinities; every SVG chart and the report must be well-formed XML
//! (the report's inline SVGs too); and a second run must write the same
//! bytes. A quarter of the scenarios get region names full of characters
//! that markup and shells treat specially, so escaping is tried too.
//!
//! `REPLISIM_SWARM_CASES` sets how many scenarios (default `DEFAULT_CASES`,
//! kept small for CI), `REPLISIM_SWARM_SEED` the first seed.

use std::fs;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use replisim::scenario;

use crate::common::{scratch_dir, tree};
use crate::gen;

const DEFAULT_CASES: u64 = 12;

/// Far above what any generated scenario takes (well under a second).
const LIMIT: Duration = Duration::from_secs(120);

/// Names a careless writer of HTML, SVG, CSV or shell lines would break
/// on (control characters are refused at validation, so none here).
const HOSTILE: &[&str] = &[
    "a<b>&c",
    "\"quoted\" 'single'",
    "]]><!--",
    "$(touch x)`y`",
    "=1+1",
    "région-ü-東京",
    "x;rm -rf",
    "&amp;",
];

fn env_u64(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .map(|v| {
            v.trim()
                .parse()
                .unwrap_or_else(|_| panic!("{name}={v}: not a whole number"))
        })
        .unwrap_or(default)
}

/// Run the binary in `dir`, killed after `LIMIT`; (exit code, stderr).
fn run_limited(dir: &Path, args: &[&str]) -> (Option<i32>, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_replisim"))
        .args(args)
        .current_dir(dir)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start replisim");
    let start = Instant::now();
    loop {
        if child.try_wait().expect("wait").is_some() {
            break;
        }
        if start.elapsed() > LIMIT {
            let _ = child.kill();
            let _ = child.wait();
            return (None, format!("still running after {LIMIT:?}"));
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    let out = child.wait_with_output().expect("output");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// What is wrong with one result folder, if anything.
fn check_folder(dir: &Path) -> Result<usize, String> {
    let all = tree(dir);
    let mut svgs = 0;
    for (rel, bytes) in &all {
        let name = rel.clone();
        let text = std::str::from_utf8(bytes).map_err(|_| format!("{name}: not UTF-8"))?;
        match Path::new(rel).extension().and_then(|e| e.to_str()) {
            Some("csv") => {
                let mut reader = csv::Reader::from_reader(text.as_bytes());
                for (i, record) in reader.records().enumerate() {
                    let record = record.map_err(|e| format!("{name}: row {}: {e}", i + 1))?;
                    for cell in record.iter() {
                        let lower = cell.to_ascii_lowercase();
                        if lower == "nan" || lower.ends_with("inf") || lower.ends_with("infinity") {
                            return Err(format!("{name}: row {}: cell {cell:?}", i + 1));
                        }
                    }
                }
            }
            Some("svg") => {
                oxml::parse(text).map_err(|e| format!("{name}: not well-formed XML: {e:?}"))?;
                svgs += 1;
            }
            Some("html") => {
                // Each inline SVG of the report on its own.
                let mut rest = text;
                while let Some(start) = rest.find("<svg") {
                    let end = rest[start..]
                        .find("</svg>")
                        .ok_or_else(|| format!("{name}: an <svg> that never closes"))?;
                    let svg = &rest[start..start + end + "</svg>".len()];
                    oxml::parse(svg)
                        .map_err(|e| format!("{name}: inline SVG not well-formed: {e:?}"))?;
                    svgs += 1;
                    rest = &rest[start + end..];
                }
            }
            _ => {}
        }
    }
    Ok(svgs)
}

fn check_seed(seed: u64, work: &Path) -> Result<usize, String> {
    let mut s = gen::scenario(seed);
    if seed % 4 == 3 {
        for (i, r) in s.regions.iter_mut().enumerate() {
            r.name = format!("{}{i}", HOSTILE[(seed as usize + i) % HOSTILE.len()]);
        }
    }
    let dir = work.join(format!("s{seed}"));
    fs::create_dir_all(&dir).unwrap();
    fs::write(dir.join("s.yaml"), scenario::to_yaml(&s)).unwrap();
    let mut svgs = 0;
    for out in ["a", "b"] {
        let (code, err) = run_limited(&dir, &["run", "s.yaml", "--trace", "-q", "--out", out]);
        if code != Some(0) {
            return Err(format!("exit {code:?}: {}", err.trim()));
        }
        svgs = check_folder(&dir.join(out))?;
    }
    let (a, b) = (tree(&dir.join("a")), tree(&dir.join("b")));
    if a != b {
        let first = a
            .iter()
            .zip(&b)
            .find(|(x, y)| x != y)
            .map(|(x, _)| x.0.clone())
            .unwrap_or_else(|| "the file list".into());
        return Err(format!("a second run wrote different bytes: {first}"));
    }
    fs::remove_dir_all(&dir).unwrap();
    Ok(svgs)
}

#[test]
fn random_scenarios_run_cleanly_from_the_command_line() {
    let cases = env_u64("REPLISIM_SWARM_CASES", DEFAULT_CASES);
    let first = env_u64("REPLISIM_SWARM_SEED", 0);
    let work = scratch_dir("swarm", "runs");
    let start = Instant::now();
    let mut failures = Vec::new();
    let mut svgs = 0;
    for seed in first..first + cases {
        match check_seed(seed, &work) {
            Ok(n) => svgs += n,
            Err(why) => failures.push(format!("seed {seed}: {why}")),
        }
    }
    eprintln!(
        "swarm: {cases} scenarios, {svgs} SVGs checked, in {:.1} s",
        start.elapsed().as_secs_f64()
    );
    assert!(
        failures.is_empty(),
        "{} of {cases} scenarios failed (rerun one: REPLISIM_SWARM_SEED=N REPLISIM_SWARM_CASES=1):\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(svgs > 0 || cases == 0, "no chart was checked");
    let _ = fs::remove_dir_all(&work);
}
