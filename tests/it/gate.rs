//! The CI gate end to end: `--junit` checked against the JUnit schema kept
//! in `tests/junit.xsd` (an XSD validator) and read back with an XML
//! parser for what CI servers count; `--summary-md` and
//! `$GITHUB_STEP_SUMMARY`; `--format json`; exit codes 0, 1 and 2 for
//! `run` and `compare`.

use std::fs;
use std::path::Path;
use std::process::{Command, Output};

use crate::common::{replisim, scratch_dir};

/// Three regions, so every mode can run it; two tables of items.
const GATE: &str = "\
name: gate
seed: 5
duration: 2s
regions:
  - name: us-east-1
  - name: eu-west-1
  - name: ap-southeast-1
network:
  default: 40ms
tables:
  - name: items
    kind: item
    keys: 20
workload:
  - regions: all
    table: items
    rate: 40/s
    writes: 0.5
";

fn code(o: &Output) -> i32 {
    o.status.code().expect("exit code")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A scratch folder holding `gate.yaml` with `expect` appended.
fn setup(test: &str, expect: &str) -> std::path::PathBuf {
    let dir = scratch_dir("gate", test);
    fs::write(dir.join("gate.yaml"), format!("{GATE}{expect}")).unwrap();
    dir
}

/// An element of a parsed XML document.
#[derive(Debug, Default)]
pub(crate) struct El {
    pub(crate) name: String,
    pub(crate) attrs: Vec<(String, String)>,
    pub(crate) children: Vec<El>,
    pub(crate) text: String,
}

impl El {
    pub(crate) fn attr(&self, name: &str) -> &str {
        self.attrs
            .iter()
            .find(|(k, _)| k == name)
            .map_or("", |(_, v)| v.as_str())
    }

    pub(crate) fn count(&self, name: &str) -> usize {
        self.children.iter().filter(|c| c.name == name).count()
    }

    fn child(&self, name: &str) -> Option<&El> {
        self.children.iter().find(|c| c.name == name)
    }
}

/// Parse `xml` with an XML parser into a tree; panics on malformed XML.
pub(crate) fn parse_xml(xml: &str) -> El {
    parse(xml)
}

fn parse(xml: &str) -> El {
    use quick_xml::events::{BytesStart, Event};
    fn element(e: &BytesStart) -> El {
        El {
            name: String::from_utf8(e.name().as_ref().to_vec()).unwrap(),
            attrs: e
                .attributes()
                .map(|a| {
                    let a = a.expect("well-formed attribute");
                    (
                        String::from_utf8(a.key.as_ref().to_vec()).unwrap(),
                        a.normalized_value(quick_xml::XmlVersion::Explicit1_0)
                            .expect("escaped value")
                            .into_owned(),
                    )
                })
                .collect(),
            ..El::default()
        }
    }
    let mut reader = quick_xml::Reader::from_str(xml);
    reader.config_mut().check_end_names = true;
    let mut stack = vec![El::default()];
    loop {
        match reader.read_event().expect("well-formed XML") {
            Event::Start(e) => stack.push(element(&e)),
            Event::Empty(e) => {
                let el = element(&e);
                stack.last_mut().unwrap().children.push(el);
            }
            Event::End(_) => {
                let el = stack.pop().unwrap();
                stack.last_mut().unwrap().children.push(el);
            }
            Event::Text(t) => {
                let t = t.xml10_content().expect("UTF-8 text");
                stack.last_mut().unwrap().text.push_str(&t);
            }
            Event::GeneralRef(r) => {
                let name = r.decode().expect("UTF-8 reference");
                let t = quick_xml::escape::unescape(&format!("&{name};"))
                    .expect("a known entity")
                    .into_owned();
                stack.last_mut().unwrap().text.push_str(&t);
            }
            Event::Eof => break,
            _ => {}
        }
    }
    assert_eq!(stack.len(), 1, "unclosed elements");
    let mut doc = stack.pop().unwrap();
    assert_eq!(doc.children.len(), 1, "one root element");
    doc.children.pop().unwrap()
}

/// Check `xml` against `tests/junit.xsd` with an XSD validator, then the
/// counts CI servers show against the elements they count, and return the
/// tree.
pub(crate) fn valid_junit(xml: &str) -> El {
    let xsd = fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/junit.xsd")).unwrap();
    let schema = xmlschema::parse_schema(&xsd).expect("the schema parses");
    let doc = oxml::parse(xml).expect("well-formed XML");
    let report = xmlschema::validate(&doc, &schema);
    let problems: Vec<String> = report
        .violations
        .iter()
        .map(|v| format!("{}: {}", v.path, v.message))
        .collect();
    assert!(report.is_valid(), "{problems:#?}\n{xml}");

    let root = parse(xml);
    assert_eq!(root.name, "testsuites");
    let mut totals = [0usize; 4];
    for suite in &root.children {
        assert_eq!(suite.name, "testsuite");
        let cases: Vec<&El> = suite
            .children
            .iter()
            .filter(|c| c.name == "testcase")
            .collect();
        let n = |what: &str| cases.iter().filter(|c| c.count(what) > 0).count();
        let counted = [cases.len(), n("failure"), n("error"), n("skipped")];
        for (i, attr) in ["tests", "failures", "errors", "skipped"]
            .iter()
            .enumerate()
        {
            assert_eq!(
                suite.attr(attr),
                counted[i].to_string(),
                "{attr} of {}",
                suite.attr("name")
            );
            totals[i] += counted[i];
        }
    }
    for (i, attr) in ["tests", "failures", "errors", "skipped"]
        .iter()
        .enumerate()
    {
        assert_eq!(
            root.attr(attr),
            totals[i].to_string(),
            "{attr} of testsuites"
        );
    }
    root
}

#[test]
fn the_schema_refuses_what_ci_servers_would_misread() {
    // The validator and schema are not a rubber stamp.
    let xsd = fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/junit.xsd")).unwrap();
    let schema = xmlschema::parse_schema(&xsd).unwrap();
    for bad in [
        r#"<testsuites><testsuite name="a" tests="many" failures="0" errors="0"/></testsuites>"#,
        r#"<testsuites><testsuite name="a" tests="1" failures="0" errors="0"><testcase name="x"/></testsuite></testsuites>"#,
        r#"<testsuites><testsuite name="a" tests="1" failures="0" errors="0"><test classname="c" name="x"/></testsuite></testsuites>"#,
        r#"<testsuites><testsuite tests="1" failures="0" errors="0"/></testsuites>"#,
    ] {
        let doc = oxml::parse(bad).unwrap();
        assert!(!xmlschema::validate(&doc, &schema).is_valid(), "{bad}");
    }
}

#[test]
fn run_junit_has_a_case_per_expectation_with_condition_actual_and_seed() {
    let dir = setup(
        "run-junit",
        "expect:\n  writes: '> 0'\n  lost_writes: '< 0'\n  strong:\n    write_conflict_errors: 0\n",
    );
    let args = [
        "run",
        "gate.yaml",
        "-q",
        "--no-charts",
        "--junit",
        "out/junit.xml",
    ];
    let o = replisim(&dir, &args);
    assert_eq!(code(&o), 1, "{}", text(&o.stderr));
    let xml = fs::read_to_string(dir.join("out/junit.xml")).unwrap();
    let root = valid_junit(&xml);
    assert_eq!(root.count("testsuite"), 1);
    let suite = &root.children[0];
    assert_eq!(suite.attr("name"), "gate");
    // The run itself, then the two expectations of its mode (active-active);
    // the strong one does not apply to it.
    let names: Vec<&str> = suite
        .children
        .iter()
        .filter(|c| c.name == "testcase")
        .map(|c| c.attr("name"))
        .collect();
    assert_eq!(names, ["runs", "writes > 0", "lost_writes < 0"]);
    let failed = &suite
        .children
        .iter()
        .filter(|c| c.name == "testcase")
        .nth(2)
        .unwrap();
    let failure = failed.child("failure").expect("a failure");
    let lost = fs::read_to_string(dir.join("output/gate/summary.csv")).unwrap();
    let head: Vec<&str> = lost.lines().next().unwrap().split(',').collect();
    let row: Vec<&str> = lost.lines().nth(1).unwrap().split(',').collect();
    let lost = row[head.iter().position(|h| *h == "lost_writes").unwrap()];
    assert_eq!(
        failure.attr("message"),
        format!("lost_writes < 0: actual {lost} (seed 5)")
    );
    assert!(
        failure
            .text
            .contains("reproduce: replisim run gate.yaml --seed 5"),
        "{}",
        failure.text
    );
    let seed = suite
        .child("properties")
        .unwrap()
        .children
        .iter()
        .find(|p| p.attr("name") == "seed")
        .unwrap();
    assert_eq!(seed.attr("value"), "5");

    // Same scenario and seed, same bytes.
    let o = replisim(&dir, &args);
    assert_eq!(code(&o), 1);
    assert_eq!(fs::read_to_string(dir.join("out/junit.xml")).unwrap(), xml);
    assert!(!fs::read_dir(dir.join("out")).unwrap().any(|e| e
        .unwrap()
        .file_name()
        .to_string_lossy()
        .contains("tmp")));
    fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn compare_junit_has_a_suite_per_mode_and_an_error_for_a_mode_that_could_not_run() {
    // Two regions: strong mode cannot run.
    let two = GATE.replace("  - name: ap-southeast-1\n", "");
    let dir = scratch_dir("gate", "compare-junit");
    fs::write(
        dir.join("gate.yaml"),
        format!("{two}expect:\n  converged: true\n  single_primary:\n    lost_writes: 0\n"),
    )
    .unwrap();
    let o = replisim(
        &dir,
        &[
            "compare",
            "gate.yaml",
            "-q",
            "--no-charts",
            "--junit",
            "j.xml",
        ],
    );
    assert_eq!(code(&o), 2, "{}", text(&o.stderr));
    let root = valid_junit(&fs::read_to_string(dir.join("j.xml")).unwrap());
    let suites: Vec<&str> = root.children.iter().map(|s| s.attr("name")).collect();
    assert_eq!(
        suites,
        ["gate/active_active", "gate/single_primary", "gate/strong"]
    );
    let strong = &root.children[2];
    let error = strong.children[1].child("error").expect("an error case");
    assert!(
        error
            .attr("message")
            .contains("could not run (seed 5): strong mode needs exactly 3 regions"),
        "{}",
        error.attr("message")
    );
    let sp = &root.children[1];
    assert_eq!(sp.attr("tests"), "3");
    assert_eq!(sp.attr("failures"), "0");

    // Leaving such modes out on purpose: exit 0, no error case.
    let o = replisim(
        &dir,
        &[
            "compare",
            "gate.yaml",
            "-q",
            "--no-charts",
            "--junit",
            "j.xml",
            "--skip-unrunnable",
        ],
    );
    assert_eq!(code(&o), 0, "{}", text(&o.stderr));
    let root = valid_junit(&fs::read_to_string(dir.join("j.xml")).unwrap());
    assert_eq!(root.attr("errors"), "0");
    let left_out = root.children[2].children[1]
        .child("skipped")
        .expect("skipped");
    assert!(left_out
        .attr("message")
        .starts_with("left out: strong mode needs"));
    fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn markdown_summary_goes_to_the_file_and_is_appended_to_the_step_summary() {
    let dir = setup("markdown", "expect:\n  writes: '> 0'\n  converged: true\n");
    fs::write(dir.join("step.md"), "earlier step\n").unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_replisim"))
        .args([
            "run",
            "gate.yaml",
            "-q",
            "--no-charts",
            "--summary-md",
            "s.md",
        ])
        .env("GITHUB_STEP_SUMMARY", dir.join("step.md"))
        .current_dir(&dir)
        .output()
        .unwrap();
    assert_eq!(code(&o), 0, "{}", text(&o.stderr));
    let md = fs::read_to_string(dir.join("s.md")).unwrap();
    assert!(
        md.starts_with("## replisim run\n\n1 run, 2 expectations held, 0 failed.\n"),
        "{md}"
    );
    assert!(
        md.contains("| `converged == true` | true | ✅ held |"),
        "{md}"
    );
    assert!(md.contains("| lost writes | "), "{md}");
    assert!(
        md.contains("Reproduce: `replisim run gate.yaml --seed 5`"),
        "{md}"
    );
    assert_eq!(
        fs::read_to_string(dir.join("step.md")).unwrap(),
        format!("earlier step\n{md}")
    );
    fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn json_document_on_stdout_human_output_on_stderr() {
    let dir = setup(
        "json",
        "expect:\n  writes: '> 0'\n  lost_write_rate: '< 0'\n",
    );
    let o = replisim(
        &dir,
        &["run", "gate.yaml", "--no-charts", "--format", "json"],
    );
    assert_eq!(code(&o), 1, "{}", text(&o.stderr));
    let doc: serde_json::Value =
        serde_json::from_slice(&o.stdout).expect("stdout is one JSON document");
    assert!(
        text(&o.stderr).contains("expect writes > 0: ok"),
        "{}",
        text(&o.stderr)
    );
    assert_eq!(doc["command"], "replisim run");
    assert_eq!(doc["exit_code"], 1);
    let run = &doc["runs"][0];
    assert_eq!(run["seed"], 5);
    assert_eq!(run["status"], "failed");
    // The figures as summary.csv has them, at their exact values.
    let csv = fs::read_to_string(dir.join("output/gate/summary.csv")).unwrap();
    let head: Vec<&str> = csv.lines().next().unwrap().split(',').collect();
    let row: Vec<&str> = csv.lines().nth(1).unwrap().split(',').collect();
    let summary = run["summary"].as_object().unwrap();
    assert_eq!(summary.keys().map(String::as_str).collect::<Vec<_>>(), head);
    for (column, cell) in head.iter().zip(&row) {
        let v = &summary[*column];
        match v {
            serde_json::Value::Number(n) if n.is_u64() => assert_eq!(n.to_string(), *cell),
            serde_json::Value::Number(n) => {
                let x = n.as_f64().unwrap();
                let shown: f64 = cell.parse().unwrap();
                assert!((x - shown).abs() <= 5e-4, "{column}: {x} vs {cell}");
            }
            serde_json::Value::Bool(b) => assert_eq!(b.to_string(), *cell),
            serde_json::Value::String(s) => assert_eq!(s, cell),
            other => panic!("{column}: {other}"),
        }
    }
    let e = &run["expectations"];
    assert_eq!(e[0]["status"], "held");
    assert_eq!(e[1]["status"], "failed");
    assert_eq!(e[1]["condition"], "< 0");
    assert_eq!(e[1]["actual"], summary["lost_write_rate"]);
    assert_eq!(run["regions"].as_array().unwrap().len(), 3);
    fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn exit_codes_of_run_and_compare() {
    let cases: &[(&str, &[&str], i32)] = &[
        ("expect:\n  writes: '> 0'\n", &["run"], 0),
        ("expect:\n  writes: '< 1'\n", &["run"], 1),
        ("expect:\n  writes: '> 0'\n", &["compare"], 0),
        ("expect:\n  strong:\n    writes: '< 1'\n", &["compare"], 1),
        // Bad input: an unknown figure, before any run.
        ("expect:\n  writez: '< 1'\n", &["run"], 2),
        ("expect:\n  writez: '< 1'\n", &["compare"], 2),
        // A refused run: more events than allowed.
        ("", &["run", "--max-events", "10"], 2),
        ("", &["compare", "--max-events", "10"], 2),
        // A report path that is a folder.
        ("", &["run", "--junit", "."], 2),
        ("", &["compare", "--summary-md", "."], 2),
    ];
    for (i, (expect, args, want)) in cases.iter().enumerate() {
        let dir = setup(&format!("exit-{i}"), expect);
        let mut all = vec![args[0], "gate.yaml", "-q", "--no-charts"];
        all.extend(&args[1..]);
        let o = replisim(&dir, &all);
        assert_eq!(code(&o), *want, "{expect} {all:?}: {}", text(&o.stderr));
        if *want == 2 {
            assert!(!Path::new(&dir.join("output")).exists(), "{all:?}");
        }
        fs::remove_dir_all(&dir).unwrap();
    }
}
