//! `replisim run a b c --jobs 2`: the scenarios run at the same time, and
//! every folder is byte for byte the one `replisim run` of that scenario
//! alone writes; the terminal output is the same for any `--jobs`.

use std::fs;

use crate::common::{replisim, scratch_dir, tree, SMALL};

fn ok(o: &std::process::Output) {
    assert_eq!(
        o.status.code(),
        Some(0),
        "stdout: {}\nstderr: {}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
}

#[test]
fn parallel_runs_write_what_each_run_alone_writes() {
    let dir = scratch_dir("run-jobs", "bytes");
    // Three scenarios of different lengths, so they finish out of order.
    let files = ["a.yaml", "b.yaml", "c.yaml"];
    for (i, f) in files.iter().enumerate() {
        let text = SMALL
            .replace("name: small", &format!("name: s{i}"))
            .replace("duration: 2s", &format!("duration: {}s", 4 - i))
            .replace("seed: 3", &format!("seed: {}", 3 + i));
        fs::write(dir.join(f), text).unwrap();
    }
    for (i, f) in files.iter().enumerate() {
        ok(&replisim(
            &dir,
            &["run", f, "--quiet", "--out", &format!("alone/s{i}")],
        ));
    }
    let mut outputs = Vec::new();
    for jobs in ["1", "2", "3"] {
        let out = format!("together-{jobs}");
        let mut args = vec!["run"];
        args.extend(files);
        args.extend(["--jobs", jobs, "--out", &out]);
        let o = replisim(&dir, &args);
        ok(&o);
        assert_eq!(
            tree(&dir.join("alone")),
            tree(&dir.join(&out)),
            "--jobs {jobs}"
        );
        outputs.push(String::from_utf8_lossy(&o.stdout).replace(&out, "OUT"));
    }
    assert_eq!(outputs[0], outputs[1]);
    assert_eq!(outputs[0], outputs[2]);
    // In the order given.
    let at = |name: &str| outputs[0].find(&format!("running {name} ")).unwrap();
    assert!(at("s0") < at("s1") && at("s1") < at("s2"), "{}", outputs[0]);
}
