//! Hostile or mistaken input: characters YAML forbids, tags, alias and
//! key-count bombs, control characters in names, long `--set` paths,
//! formula-looking names in CSV files, limits `validate` must apply as
//! `run` does, and the memory budget that stops a run whose estimate was
//! wrong. Each test builds its own small file or folder.

use std::fs;
use std::process::Command;
use std::time::{Duration, Instant};

use replisim::scenario::load_str;

use crate::common::{names, replisim, scratch_dir, SMALL};

fn load(text: &str, sets: &[&str]) -> Result<replisim::scenario::Scenario, String> {
    let sets: Vec<String> = sets.iter().map(|s| s.to_string()).collect();
    load_str(text, "x.yaml", &sets).map_err(|e| e.message().to_string())
}

fn stderr(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// `validate` (or another command) on a file holding `text`: exit code 2
/// and exactly `want` as the one stderr line.
fn refused(test: &str, text: &[u8], args: &[&str], want: &str) {
    let dir = scratch_dir("hostile", test);
    fs::write(dir.join("s.yaml"), text).unwrap();
    let o = replisim(&dir, args);
    assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
    assert_eq!(stderr(&o), format!("error: {want}\n"), "{args:?}");
    assert_eq!(names(&dir), vec!["s.yaml"], "{args:?} left files");
    fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_nul_byte_is_an_error_at_its_position_not_the_end_of_the_file() {
    // Before, the reader stopped at the NUL: the partition after it was
    // dropped and validate said ok.
    let text = format!(
        "{SMALL}# note\0\nfaults:\n  - partition: {{ between: [us-east-1, eu-west-1], at: 1s }}\n"
    );
    refused(
        "nul",
        text.as_bytes(),
        &["validate", "s.yaml"],
        "s.yaml:18:7: a NUL byte, which YAML does not allow in a document; only printable characters, tabs and line breaks",
    );
    // Any other character outside YAML's printable set: a bell, DEL, a C1 control.
    for (c, col) in [('\u{7}', 9), ('\u{7f}', 9), ('\u{9b}', 9)] {
        let text = SMALL.replace("name: small", &format!("name: sm{c}all"));
        let e = load(&text, &[]).unwrap_err();
        assert_eq!(
            e,
            format!(
                "x.yaml:1:{col}: the character U+{:04X}, which YAML does not allow in a document; only printable characters, tabs and line breaks",
                c as u32
            )
        );
    }
    // In a --set value too.
    let e = load(SMALL, &["name=a\u{0}b"]).unwrap_err();
    assert!(e.contains("--set name=a\\u{0}b: the value"), "{e}");
    assert!(e.contains("a NUL byte"), "{e}");
}

#[test]
fn tags_must_be_standard_and_match_the_value_and_the_field() {
    let with = |from: &str, to: &str| load(&SMALL.replace(from, to), &[]);
    // The issue's example: a name tagged as a number.
    assert_eq!(
        with("name: small", "name: !!int mini").unwrap_err(),
        "x.yaml:1:13: tagged !!int, but 'mini' is not a whole number"
    );
    // The tag fits the value but not the field.
    assert_eq!(
        with("seed: 3", "seed: !!str 3").unwrap_err(),
        "x.yaml:2:13: seed: tagged !!str, but this field takes a whole number"
    );
    assert_eq!(
        with("name: small", "name: !!int 5").unwrap_err(),
        "x.yaml:1:13: name: tagged !!int, but this field takes text"
    );
    assert_eq!(
        with("    kind: item", "    kind: !!bool true").unwrap_err(),
        "x.yaml:11:18: tables[0].kind: tagged !!bool, but this field takes one of item, counter"
    );
    // Local and foreign tags are not YAML's standard ones.
    assert_eq!(
        with("name: small", "name: !shout small").unwrap_err(),
        "x.yaml:1:14: the YAML tag '!shout' is not supported; tags allowed are only the standard !!str, !!int, !!float, !!bool, !!null, !!seq and !!map, matching the value"
    );
    assert!(with("\nregions:", "\nregions: !!map")
        .unwrap_err()
        .contains("tagged !!map, but the value is a list"));
    // Standard tags that match both are fine, and mean what they say:
    // `!!str 5` is the text 5.
    let s = with("name: small", "name: !!str 5").unwrap();
    assert_eq!(s.name, "5");
    let s = with("seed: 3", "seed: !!int 3").unwrap();
    assert_eq!(s.seed, 3);
    assert!(with("    writes: 0.5", "    writes: !!float 0.5").is_ok());
    assert!(with("\nregions:", "\nregions: !!seq").is_ok());
}

#[test]
fn aliases_count_by_the_bytes_they_expand_to() {
    // One 1 MiB string, aliased 20 times: a 1 MiB file that expanded to
    // 20 MiB (the node count alone let it through and took gigabytes).
    let big = "x".repeat(1 << 20);
    let mut text = format!("{SMALL}description: &big {big}\nexpect:\n");
    for i in 0..20 {
        text.push_str(&format!("  m{i}: *big\n"));
    }
    let started = Instant::now();
    let e = load(&text, &[]).unwrap_err();
    assert!(
        e.ends_with(
            ": the document expands to more than 16 MiB of text (aliases counted by the size they expand to)"
        ),
        "{e}"
    );
    // The description's 1 MiB and 14 aliases fit in 16 MiB with the rest
    // of the file; the 15th alias (m14, line 20 + 14) does not.
    assert!(e.starts_with("x.yaml:34:"), "{e}");
    assert!(started.elapsed() < Duration::from_secs(10));
}

#[test]
fn duplicate_keys_are_found_in_linear_time() {
    // 200,000 distinct keys in one mapping (a 2.6 MB file) took 52 s when
    // every key was compared with every other; the last one repeats the
    // first and is reported where it stands.
    let mut text = format!("{SMALL}expect:\n");
    for i in 0..200_000 {
        text.push_str(&format!("  k{i}: 1\n"));
    }
    text.push_str("  k0: 2\n");
    let started = Instant::now();
    let e = load(&text, &[]).unwrap_err();
    assert_eq!(
        e,
        "x.yaml:200019:3: duplicate key 'k0'; each key may appear once in a mapping"
    );
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn set_paths_are_capped_and_echoed_short() {
    // 60,000 segments took seconds and echoed a 120 KB line.
    let long = format!("{}=1", vec!["a"; 60_000].join("."));
    let started = Instant::now();
    let e = load(SMALL, &[&long]).unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(2));
    assert!(e.len() < 300, "{} bytes: {e}", e.len());
    assert!(
        e.ends_with("... (120001 bytes): the path is 119999 bytes long; at most 256"),
        "{e}"
    );
    let parts = format!("{}=1", vec!["a"; 65].join("."));
    assert!(load(SMALL, &[&parts])
        .unwrap_err()
        .ends_with(": the path has 65 parts; at most 64"));
    // A long value is cut in the message too.
    let value = format!("description={}", "y".repeat(10_000));
    let e = load(SMALL, &[&value, "nope=1"]).unwrap_err();
    assert!(e.starts_with("x.yaml: --set nope=1: "), "{e}");
    let e = load(SMALL, &[&format!("nope={}", "z".repeat(10_000))]).unwrap_err();
    assert!(e.len() < 400, "{e}");
}

#[test]
fn control_characters_in_names_are_refused_where_they_stand() {
    // An escape sequence in a name (it would recolour the terminal), a
    // newline (it would forge an `expect ... ok` line), in the file and by
    // --set; in a key too.
    let e = load(&SMALL.replace("name: small", "name: \"sm\\e[31mall\""), &[]).unwrap_err();
    assert_eq!(
        e,
        "x.yaml:1:7: name: holds the control character \\u{1b}; names and values are printable text (a description may also hold line breaks and tabs)"
    );
    let e = load(
        &SMALL.replace("  - name: eu-west-1", "  - name: \"eu\\nexpect x: ok\""),
        &[],
    )
    .unwrap_err();
    assert!(
        e.starts_with("x.yaml:6:11: regions[1].name: holds the control character \\n;"),
        "{e}"
    );
    let e = load(SMALL, &["tables.items.name=\"it\\tems\""]).unwrap_err();
    assert!(
        e.starts_with(
            "x.yaml: --set tables.items.name=\"it\\tems\": tables[0].name: holds the control character \\t;"
        ),
        "{e}"
    );
    let e = load(&format!("{SMALL}\"a\\u0007b\": 1\n"), &[]).unwrap_err();
    assert!(
        e.starts_with("x.yaml:18:1: a key holds the control character \\u{7};"),
        "{e}"
    );
    // A description may run over several lines.
    let s = load(&format!("{SMALL}description: \"one\\n\\ttwo\"\n"), &[]).unwrap();
    assert_eq!(s.description, "one\n\ttwo");
}

#[test]
fn out_of_range_keys_give_the_real_range_and_a_clash_blames_the_set() {
    for (value, shown) in [
        ("-1", "-1"),
        ("0", "0"),
        ("4294967295", "4294967295"),
        ("99999999999999999999", "1e20"),
    ] {
        let e = load(SMALL, &[&format!("tables.items.keys={value}")]).unwrap_err();
        assert_eq!(
            e,
            format!("x.yaml: --set tables.items.keys={value}: tables[0].keys: {shown} is out of range; a table has 1 to 4294967294 keys")
        );
    }
    assert_eq!(
        load(SMALL, &["tables.items.keys=4294967294"])
            .unwrap()
            .tables[0]
            .keys,
        u32::MAX - 1
    );
    // Renaming a region to another's name: the argument is at fault, not
    // the file's line of the other region.
    assert_eq!(
        load(SMALL, &["regions.us-east-1.name=eu-west-1"]).unwrap_err(),
        "x.yaml: --set regions.us-east-1.name=eu-west-1: regions[0].name: duplicate region name 'eu-west-1' (also regions[1]); region names must be unique"
    );
    // Without --set, the later of the two is named, as before.
    let twice = SMALL.replace("  - name: eu-west-1", "  - name: us-east-1");
    assert!(load(&twice, &[])
        .unwrap_err()
        .starts_with("x.yaml:6:11: regions[1].name: duplicate region name"));
}

#[test]
fn validate_and_compare_refuse_what_run_refuses_with_the_same_message() {
    // The three of the issue: too many events, too many keys, too long a drain.
    let cases = [
        ("workload.0.rate=1e12/s", "small: about 6.000e12 events expected, more than the limit of 1000000000; shorten the duration, lower the rates, or raise the limit with --max-events"),
        ("tables.items.keys=4294967295", "s.yaml: --set tables.items.keys=4294967295: tables[0].keys: 4294967295 is out of range; a table has 1 to 4294967294 keys"),
        // 2 s + 5,000,000 h at 1 s buckets: 18,000,000,003 buckets of
        // 96 + 2 × 40 bytes, 2950.4 GiB.
        ("drain_limit=5000000h", "small: needs about 2950.4 GiB of memory (0.0 for 20 keys in 2 regions, 0.0 for 5.000e1 writes in flight while links are down, 0.0 for the trace, 2950.4 for 18000000003 time buckets), more than the 8 GiB allowed; use fewer keys or regions, lower rates, shorter faults, no --trace or a wider output.bucket"),
    ];
    for (i, (set, want)) in cases.iter().enumerate() {
        for command in ["validate", "run", "compare"] {
            let want = if command == "compare" && !want.starts_with("s.yaml") {
                format!("active_active: {want}")
            } else {
                want.to_string()
            };
            refused(
                &format!("limits-{i}-{command}"),
                SMALL.as_bytes(),
                &[command, "s.yaml", "--set", set],
                &want,
            );
        }
    }
}

/// Two regions writing 2 million times a second in all for 200 s, with a
/// partition that never heals: 8e8 events, under the 1e9 cap, and it grew
/// past 12 GB. Every write after the cut waits for the end: 2e6/s × 200 s =
/// 4e8 writes (the run's writes bound it), each a 48-byte version and a
/// 72-byte message with its queue entry: 4.8e10 bytes, 44.7 GiB.
const FLOOD: &str = "\
name: flood
duration: 200s
regions:
  - name: a
  - name: b
network:
  default: 35ms
tables:
  - name: items
    kind: item
    keys: 1000
workload:
  - regions: all
    table: items
    rate: 1000000/s
    writes: 1.0
faults:
  - partition: { between: [a, b], at: 1s }
";

#[test]
fn the_memory_estimate_counts_writes_in_flight_and_the_trace() {
    let want = "flood: needs about 56.6 GiB of memory (0.0 for 1000 keys in 2 regions, 56.6 for 4.000e8 writes in flight while links are down, 0.0 for the trace, 0.0 for 801 time buckets), more than the 8 GiB allowed; use fewer keys or regions, lower rates, shorter faults, no --trace or a wider output.bucket";
    for command in ["validate", "run"] {
        refused(
            &format!("flood-{command}"),
            FLOOD.as_bytes(),
            &[command, "s.yaml"],
            want,
        );
    }
    refused(
        "flood-compare",
        FLOOD.as_bytes(),
        &["compare", "s.yaml", "--modes", "active_active"],
        &format!("active_active: {want}"),
    );
    // Without faults, 1e5 writes/s for 200 s fit; their trace does not:
    // 2e7 writes × 320 bytes + 2e7 deliveries × 128 = 8.96e9 bytes, 8.3 GiB.
    let calm = [
        "--set",
        "faults=[]",
        "--set",
        "workload.0.rate=50000/s",
        "-q",
    ];
    let dir = scratch_dir("hostile", "trace-estimate");
    fs::write(dir.join("s.yaml"), FLOOD).unwrap();
    let o = replisim(&dir, &[&["validate", "s.yaml"][..], &calm[..4]].concat());
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let o = replisim(&dir, &[&["run", "s.yaml", "--trace"][..], &calm].concat());
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(
        err.contains("writes in flight while links are down, 8.3 for the trace"),
        "{err}"
    );
    assert_eq!(names(&dir), vec!["s.yaml"]);
    fs::remove_dir_all(&dir).unwrap();
}

#[cfg(target_os = "linux")]
#[test]
fn a_run_past_the_memory_budget_stops_with_an_error() {
    // A partition that never heals holds every write from 1 s on: about
    // 2e5 writes/s × 19 s = 3.8e6 writes, over 400 MB, far under the 8 GiB
    // the estimate allows, but over a 64 MiB budget.
    let dir = scratch_dir("hostile", "budget");
    let text = FLOOD
        .replace("duration: 200s", "duration: 20s")
        .replace("rate: 1000000/s", "rate: 100000/s");
    fs::write(dir.join("s.yaml"), text).unwrap();
    let run = |budget: &str| {
        Command::new(env!("CARGO_BIN_EXE_replisim"))
            .args(["run", "s.yaml", "-q", "--out", "r"])
            .env("REPLISIM_MAX_MEMORY", budget)
            .current_dir(&dir)
            .output()
            .unwrap()
    };
    let o = run("64M");
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.starts_with("error: flood: stopped after taking "),
        "{err}"
    );
    assert!(
        err.contains("more than the budget of 64 MiB (REPLISIM_MAX_MEMORY sets it;"),
        "{err}"
    );
    assert_eq!(names(&dir), vec!["s.yaml"]);
    let o = run("lots");
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(
        stderr(&o),
        "error: REPLISIM_MAX_MEMORY=lots: not a size; write bytes, or a whole number with K, M or G (1024s)\n"
    );
    fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn compare_fails_when_no_mode_could_run() {
    refused(
        "compare-none",
        SMALL.as_bytes(),
        &["compare", "s.yaml", "--modes", "strong", "-q"],
        "small: no mode could run; nothing written (strong: strong mode needs exactly 3 regions; this scenario has 2)",
    );
}

/// Names a spreadsheet would run as formulas go into every CSV file with
/// a leading `'` (OWASP's advice); numbers and other text are unchanged.
#[test]
fn formula_names_are_neutralised_in_every_csv() {
    let dir = scratch_dir("hostile", "formulas");
    let text = SMALL
        .replace("name: small", "name: \"=HYPERLINK(\\\"http://x\\\")\"")
        .replace("name: us-east-1", "name: \"=1+1\"")
        .replace("name: eu-west-1", "name: \"@SUM(A1:A9)\"")
        .replace("name: items", "name: \"+cmd|' /C calc'!A0\"")
        .replace("table: items", "table: \"+cmd|' /C calc'!A0\"")
        // A fault, so that faults.csv has a row naming a region.
        + "faults:\n  - outage: { region: \"=1+1\", at: 1s, for: 200ms }\n";
    fs::write(dir.join("s.yaml"), text).unwrap();
    let o = replisim(
        &dir,
        &[
            "run",
            "s.yaml",
            "--trace",
            "-q",
            "--no-charts",
            "--out",
            "r",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let o = replisim(
        &dir,
        &[
            "compare",
            "s.yaml",
            "-q",
            "--no-charts",
            "--out",
            "c",
            "--modes",
            "active_active,strong",
            "--skip-unrunnable",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let mut files = Vec::new();
    for name in names(&dir.join("r")) {
        if name.ends_with(".csv") {
            files.push(dir.join("r").join(name));
        }
    }
    files.push(dir.join("c/compare.csv"));
    // summary, regions, links, timeseries, faults, visibility, writes,
    // reads and deliveries (--trace) of the run, and compare.csv.
    assert_eq!(files.len(), 10, "{files:?}");
    for file in &files {
        let text = fs::read_to_string(file).unwrap();
        let mut reader = csv::Reader::from_reader(text.as_bytes());
        let mut cells = 0;
        for record in reader.records() {
            for cell in record.unwrap().iter() {
                cells += 1;
                let risky = cell.starts_with(['=', '+', '@', '\t', '\r'])
                    || (cell.starts_with('-') && cell.parse::<f64>().is_err());
                assert!(!risky, "{}: cell {cell:?}", file.display());
            }
        }
        assert!(cells > 0, "{}", file.display());
    }
    let regions = fs::read_to_string(dir.join("r/regions.csv")).unwrap();
    assert!(regions.contains("\n'=1+1,"), "{regions}");
    assert!(regions.contains("\n'@SUM(A1:A9),"), "{regions}");
    let faults = fs::read_to_string(dir.join("r/faults.csv")).unwrap();
    assert!(faults.contains(",'=1+1,"), "{faults}");
    let writes = fs::read_to_string(dir.join("r/writes.csv")).unwrap();
    assert!(writes.contains(",'+cmd|' /C calc'!A0,"), "{writes}");
    let summary = fs::read_to_string(dir.join("r/summary.csv")).unwrap();
    assert!(
        summary.contains("\n\"'=HYPERLINK(\"\"http://x\"\")\",3,"),
        "{summary}"
    );
    // The row of strong, which could not run, names the scenario too.
    let compare = fs::read_to_string(dir.join("c/compare.csv")).unwrap();
    assert!(
        compare.contains("\n\"'=HYPERLINK(\"\"http://x\"\")\",3,strong,"),
        "{compare}"
    );
    fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_name_starting_with_a_dot_makes_no_hidden_folder() {
    let dir = scratch_dir("hostile", "dot");
    fs::write(
        dir.join("s.yaml"),
        SMALL.replace("name: small", "name: .hidden"),
    )
    .unwrap();
    let o = replisim(&dir, &["run", "s.yaml", "-q", "--no-charts"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(names(&dir.join("output")), vec!["_hidden"]);
    fs::remove_dir_all(&dir).unwrap();
}

#[cfg(unix)]
#[test]
fn devices_and_fifos_are_read_with_a_bound() {
    let dir = scratch_dir("hostile", "devices");
    let started = Instant::now();
    let o = replisim(&dir, &["validate", "/dev/zero"]);
    assert_eq!(
        stderr(&o),
        "error: /dev/zero: larger than 4 MiB; a scenario file is at most 4194304 bytes\n"
    );
    // A FIFO nothing writes to reads as empty instead of blocking forever.
    let fifo = dir.join("f.yaml");
    assert!(Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap()
        .success());
    let o = replisim(&dir, &["validate", "f.yaml"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).starts_with("error: f.yaml: empty file;"),
        "{}",
        stderr(&o)
    );
    assert!(started.elapsed() < Duration::from_secs(20));
    fs::remove_dir_all(&dir).unwrap();
}
