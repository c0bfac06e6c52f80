//! Golden files: the CSV output of small scenarios, byte for byte.
//!
//! Every figure in them was checked by hand against the story told in the
//! scenario's comments (see `tests/golden/*.yaml`), so a difference is a
//! change in what the tool reports, not noise. After a deliberate change,
//! rewrite them with `REPLISIM_BLESS=1 cargo test --release golden` and
//! check the diff by hand again.

use std::fs;
use std::path::Path;
use std::process::Command;

const FILES: &[&str] = &[
    "summary",
    "links",
    "regions",
    "timeseries",
    "writes",
    "reads",
    "deliveries",
];

fn check(name: &str) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden");
    let out = std::env::temp_dir().join(format!("replisim-golden-{}-{name}", std::process::id()));
    let status = Command::new(env!("CARGO_BIN_EXE_replisim"))
        .args(["run", "--trace", "--no-charts", "--quiet", "--out"])
        .arg(&out)
        .arg(root.join(format!("{name}.yaml")))
        .output()
        .expect("run replisim");
    assert_eq!(
        status.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&status.stderr)
    );
    let bless = std::env::var_os("REPLISIM_BLESS").is_some();
    for file in FILES {
        let got = fs::read_to_string(out.join(format!("{file}.csv"))).unwrap();
        let golden = root.join(name).join(format!("{file}.csv"));
        if bless {
            fs::write(&golden, &got).unwrap();
        } else {
            let want = fs::read_to_string(&golden).unwrap();
            assert_eq!(got, want, "{name}/{file}.csv differs from the golden file");
        }
    }
    fs::remove_dir_all(&out).unwrap();
}

/// Two regions, one key, two concurrent writes: one lost, one stale read.
#[test]
fn two_writers() {
    check("two-writers");
}
