//! The user's files come first: what a result folder may replace, two
//! writers at once, stale temporary folders, output checked before the
//! run, a closed or full standard output, and reproduce lines that a shell
//! cannot be tricked by. Each test makes its own folder, file or signal.

use std::fs;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::{names, replisim, scratch_dir, SMALL};

/// A scratch folder with `small.yaml` and `long.yaml` (far longer than any
/// test waits: about 80 million operations).
fn scratch(test: &str) -> PathBuf {
    let dir = scratch_dir("safety", test);
    fs::write(dir.join("small.yaml"), SMALL).unwrap();
    let long = SMALL
        .replace("duration: 2s", "duration: 2000s")
        .replace("rate: 50/s", "rate: 20000/s");
    fs::write(dir.join("long.yaml"), long).unwrap();
    dir
}

fn stderr(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn ok(dir: &Path, args: &[&str]) {
    let o = replisim(dir, args);
    assert_eq!(o.status.code(), Some(0), "{args:?}: {}", stderr(&o));
}

/// One `error:` line with exit code 2; returns it.
fn refused(dir: &Path, args: &[&str]) -> String {
    let o = replisim(dir, args);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    err
}

#[test]
fn compare_never_deletes_a_folder_that_merely_holds_compare_csv() {
    let dir = scratch("compare-foreign");
    fs::create_dir_all(dir.join("thesis/data")).unwrap();
    fs::write(dir.join("thesis/compare.csv"), "mine").unwrap();
    fs::write(dir.join("thesis/data/x.csv"), "mine too").unwrap();
    let err = refused(
        &dir,
        &["compare", "small.yaml", "--out", "thesis", "--no-charts"],
    );
    assert!(err.contains("refusing to replace"), "{err}");
    assert_eq!(
        fs::read_to_string(dir.join("thesis/compare.csv")).unwrap(),
        "mine"
    );
    assert_eq!(
        fs::read_to_string(dir.join("thesis/data/x.csv")).unwrap(),
        "mine too"
    );
    fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_result_with_an_extra_file_is_not_replaced_and_the_file_is_named() {
    let dir = scratch("extra-file");
    for command in ["run", "compare"] {
        let mut args = vec![command, "small.yaml", "--out", "r", "--no-charts"];
        if command == "compare" {
            // Strong mode needs three regions; small has two.
            args.push("--skip-unrunnable");
        }
        let args = args;
        ok(&dir, &args);
        // Replacing its own result is fine, leaving nothing beside it.
        ok(&dir, &args);
        assert_eq!(names(&dir), vec!["long.yaml", "r", "small.yaml"]);
        fs::write(dir.join("r/notes.txt"), "keep").unwrap();
        let err = refused(&dir, &args);
        assert!(err.contains("'notes.txt'"), "{err}");
        assert_eq!(fs::read_to_string(dir.join("r/notes.txt")).unwrap(), "keep");
        assert!(dir.join("r/.replisim").is_file());
        fs::remove_dir_all(dir.join("r")).unwrap();
    }
    fs::remove_dir_all(&dir).unwrap();
}

/// Starts a long run writing to `out`.
fn start_long(dir: &Path, out: &str) -> std::process::Child {
    Command::new(env!("CARGO_BIN_EXE_replisim"))
        .args(["run", "long.yaml", "--out", out])
        .current_dir(dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start replisim")
}

fn signal(child: &std::process::Child, name: &str) {
    let status = Command::new("kill")
        .args([&format!("-{name}"), &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(status.success());
}

#[cfg(unix)]
#[test]
fn a_second_writer_of_the_same_folder_fails_at_once() {
    let dir = scratch("two-writers");
    ok(&dir, &["run", "small.yaml", "--out", "r", "--no-charts"]);
    let before = fs::read(dir.join("r/summary.csv")).unwrap();
    let mut first = start_long(&dir, "r");
    // The first prints its "running" line once its target is locked.
    let mut line = String::new();
    BufReader::new(first.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    assert!(line.starts_with("running"), "{line}");
    let started = Instant::now();
    let err = refused(&dir, &["run", "small.yaml", "--out", "r"]);
    assert!(
        err.contains("another replisim is writing this folder"),
        "{err}"
    );
    assert!(started.elapsed() < Duration::from_secs(30));
    signal(&first, "TERM");
    assert_eq!(first.wait().unwrap().code(), Some(143));
    assert_eq!(fs::read(dir.join("r/summary.csv")).unwrap(), before);
    assert_eq!(names(&dir), vec!["long.yaml", "r", "small.yaml"]);
    fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn stale_temporary_folders_of_its_own_kind_are_removed_and_only_those() {
    let dir = scratch("stale");
    // As a run killed with -9 leaves it: the pattern and the partial marker.
    let stale = dir.join(".r.replisim-tmp-1-5f3a0");
    fs::create_dir_all(stale.join("charts")).unwrap();
    fs::write(stale.join(".replisim-partial"), "").unwrap();
    fs::write(stale.join("summary.csv"), "scenario\n").unwrap();
    // A user's folders that look alike but carry no marker, or the PID
    // names of old: kept.
    fs::create_dir(dir.join(".r.replisim-tmp-1-77")).unwrap();
    fs::write(dir.join(".r.replisim-tmp-1-77/thesis.tex"), "").unwrap();
    fs::create_dir(dir.join("r.tmp-1")).unwrap();
    fs::create_dir(dir.join("r.old-1")).unwrap();
    ok(&dir, &["run", "small.yaml", "--out", "r", "--no-charts"]);
    assert_eq!(
        names(&dir),
        vec![
            ".r.replisim-tmp-1-77",
            "long.yaml",
            "r",
            "r.old-1",
            "r.tmp-1",
            "small.yaml"
        ]
    );
    fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn output_problems_are_found_before_the_simulation() {
    let dir = scratch("out-early");
    let long_name = "n".repeat(250);
    let started = Instant::now();
    let err = refused(&dir, &["run", "long.yaml", "--out", &long_name]);
    assert!(
        err.ends_with(": the folder name is 250 bytes long; at most 200\n"),
        "{err}"
    );
    assert!(!err.contains("replisim-tmp"), "{err}");
    fs::write(dir.join("file"), "").unwrap();
    let err = refused(&dir, &["compare", "long.yaml", "--out", "file/sub"]);
    assert_eq!(
        err,
        "error: file/sub: cannot create its parent folder file: already exists\n"
    );
    // Both within moments, not after 80 million operations.
    assert!(started.elapsed() < Duration::from_secs(20));
    assert_eq!(names(&dir), vec!["file", "long.yaml", "small.yaml"]);
    fs::remove_dir_all(&dir).unwrap();
}

#[cfg(unix)]
#[test]
fn a_closed_pipe_ends_quietly_with_exit_0() {
    let dir = scratch("pipe");
    let mut child = Command::new(env!("CARGO_BIN_EXE_replisim"))
        .args(["run", "small.yaml", "--out", "r", "--no-charts"])
        .current_dir(&dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Like `| head -1`: read one line, then close the pipe.
    let mut line = String::new();
    let mut reader = BufReader::new(child.stdout.take().unwrap());
    reader.read_line(&mut line).unwrap();
    drop(reader);
    let o = child.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(stderr(&o), "");
    assert!(dir.join("r/summary.csv").is_file());
    fs::remove_dir_all(&dir).unwrap();
}

#[cfg(target_os = "linux")]
#[test]
fn a_full_stdout_is_an_error_not_a_panic() {
    let dir = scratch("full");
    for args in [&["list"][..], &["validate", "small.yaml"][..]] {
        let full = fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .unwrap();
        let o = Command::new(env!("CARGO_BIN_EXE_replisim"))
            .args(args)
            .current_dir(&dir)
            .stdout(full)
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        assert_eq!(
            stderr(&o),
            "error: cannot write to standard output: no space left on device\n"
        );
    }
    fs::remove_dir_all(&dir).unwrap();
}

/// The reproduce line, run by a real shell with `printf` in replisim's
/// place, gives back exactly the words it was made from and runs nothing.
#[cfg(unix)]
#[test]
fn reproduce_lines_are_shell_quoted() {
    let dir = scratch("quote");
    let file = "$(touch PWNED) it's.yaml";
    fs::write(dir.join(file), SMALL).unwrap();
    let set = "description=$(touch PWNED2) $HOME";
    for command in ["run", "compare"] {
        let mut args = vec![command, file, "--set", set, "--out", "r", "--no-charts"];
        if command == "compare" {
            args.push("--skip-unrunnable");
        }
        let o = replisim(&dir, &args);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        let text = String::from_utf8_lossy(&o.stdout).into_owned();
        let line = text
            .lines()
            .find_map(|l| l.strip_prefix("reproduce: "))
            .unwrap_or_else(|| panic!("no reproduce line: {text}"));
        let words = line.strip_prefix("replisim ").unwrap();
        let echoed = Command::new("sh")
            .args(["-c", &format!("printf '%s\\n' {words}")])
            .current_dir(&dir)
            .output()
            .unwrap();
        let echoed = String::from_utf8(echoed.stdout).unwrap();
        let got: Vec<&str> = echoed.lines().collect();
        assert_eq!(got[0], command);
        assert_eq!(got[1], file, "{line}");
        let i = got.iter().position(|w| *w == "--set").unwrap();
        assert_eq!(got[i + 1], set, "{line}");
        assert!(!dir.join("PWNED").exists() && !dir.join("PWNED2").exists());
        // The HTML report carries the same line, HTML-escaped.
        let report = fs::read_to_string(dir.join("r/report.html")).unwrap();
        let quoted = "&#39;$(touch PWNED) it&#39;\\&#39;&#39;s.yaml&#39;";
        assert!(report.contains(quoted), "report.html lacks {quoted}");
        fs::remove_dir_all(dir.join("r")).unwrap();
    }
    fs::remove_dir_all(&dir).unwrap();
}
