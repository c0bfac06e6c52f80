//! `docs/ci.md` as a user would follow it: its scenario written where the
//! page puts it, every `replisim` command the page shows (in its shell
//! block, the GitHub Actions steps and the GitLab job) run as written, in
//! order (the baseline is saved before it is checked), and the files they
//! write checked. The workflow and the job must be YAML.

use std::fs;
use std::process::Command;

use crate::common::scratch_dir;
use crate::gate::valid_junit;

const PAGE: &str = include_str!("../../docs/ci.md");

/// The page's fenced code blocks: (language, text).
fn blocks() -> Vec<(&'static str, &'static str)> {
    let mut out = Vec::new();
    let mut rest = PAGE;
    while let Some(start) = rest.find("```") {
        let after = &rest[start + 3..];
        let line_end = after.find('\n').unwrap();
        let lang = after[..line_end].trim();
        let body = &after[line_end + 1..];
        let end = body.find("```").expect("closed block");
        out.push((lang, &body[..end]));
        rest = &body[end + 3..];
    }
    out
}

/// Every `replisim ...` command line in the page's blocks, as written:
/// shell lines, `run:` steps and `script:` entries.
fn commands() -> Vec<String> {
    let mut out = Vec::new();
    for (_, body) in blocks() {
        for line in body.lines() {
            let mut l = line.trim();
            for prefix in ["- ", "run: "] {
                l = l.strip_prefix(prefix).unwrap_or(l);
            }
            if l.starts_with("replisim ") {
                out.push(l.to_string());
            }
        }
    }
    out
}

#[test]
fn every_command_on_the_ci_page_works_as_shown() {
    let dir = scratch_dir("ci-docs", "commands");
    let (_, scenario) = blocks()
        .into_iter()
        .find(|(_, b)| b.starts_with("# ci/gate.yaml\n"))
        .expect("the page shows ci/gate.yaml");
    fs::create_dir_all(dir.join("ci")).unwrap();
    fs::write(dir.join("ci/gate.yaml"), scenario).unwrap();
    fs::create_dir_all(dir.join("results")).unwrap();

    let commands = commands();
    assert!(commands.len() >= 11, "{commands:?}");
    for line in &commands {
        // Plain words, and at most one `> FILE` redirection.
        let (words, redirect) = match line.split_once(" > ") {
            Some((w, file)) => (w, Some(file.trim())),
            None => (line.as_str(), None),
        };
        assert!(
            !words.contains(['|', '&', ';', '$', '"', '\'']),
            "{line}: more shell than this test runs"
        );
        let args: Vec<&str> = words.split_whitespace().skip(1).collect();
        let o = Command::new(env!("CARGO_BIN_EXE_replisim"))
            .args(&args)
            .current_dir(&dir)
            .env_remove("GITHUB_STEP_SUMMARY")
            .output()
            .unwrap();
        assert_eq!(
            o.status.code(),
            Some(0),
            "{line}\n{}",
            String::from_utf8_lossy(&o.stderr)
        );
        if let Some(file) = redirect {
            fs::write(dir.join(file), &o.stdout).unwrap();
        }
    }

    for junit in [
        "results/run.xml",
        "results/compare.xml",
        "results/check.xml",
    ] {
        let root = valid_junit(&fs::read_to_string(dir.join(junit)).unwrap());
        assert_eq!(root.attr("failures"), "0", "{junit}");
        assert_eq!(root.attr("errors"), "0", "{junit}");
    }
    let compare = valid_junit(&fs::read_to_string(dir.join("results/compare.xml")).unwrap());
    assert_eq!(compare.count("testsuite"), 3);
    for md in ["results/run.md", "results/compare.md"] {
        let text = fs::read_to_string(dir.join(md)).unwrap();
        assert!(
            text.contains("✅ held") && !text.contains("❌"),
            "{md}: {text}"
        );
    }
    // The baseline the page saves: statistical, 20 seeds, and the check
    // of the unchanged scenario passes.
    let manifest = fs::read_to_string(dir.join("ci/baseline/baseline.json")).unwrap();
    assert!(manifest.contains("\"tier\": \"statistical\""), "{manifest}");
    let check = fs::read_to_string(dir.join("results/check.md")).unwrap();
    assert!(
        check.starts_with("## replisim check\n\n1 baseline entry, 0 failed.\n"),
        "{check}"
    );
    let json: serde_json::Value =
        serde_json::from_slice(&fs::read(dir.join("results/gate.json")).unwrap()).unwrap();
    assert_eq!(json["exit_code"], 0);
    assert_eq!(json["runs"][0]["scenario"], "cart-gate");
    fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn the_workflow_and_the_job_are_yaml_that_publish_the_junit_files() {
    let yaml: Vec<&str> = blocks()
        .into_iter()
        .filter(|(lang, _)| *lang == "yaml")
        .map(|(_, b)| b)
        .collect();
    let github = yaml
        .iter()
        .find(|b| b.starts_with("# .github/workflows/"))
        .expect("a GitHub Actions workflow");
    let gitlab = yaml
        .iter()
        .find(|b| b.starts_with("# .gitlab-ci.yml"))
        .expect("a GitLab CI job");
    let github: serde_yaml::Value = serde_yaml::from_str(github).unwrap();
    let steps = github["jobs"]["gate"]["steps"].as_sequence().unwrap();
    assert!(steps
        .iter()
        .any(|s| s["with"]["report_paths"].as_str() == Some("results/*.xml")));
    let gitlab: serde_yaml::Value = serde_yaml::from_str(gitlab).unwrap();
    let job = &gitlab["replication-gate"];
    assert_eq!(
        job["artifacts"]["reports"]["junit"].as_str(),
        Some("results/*.xml")
    );
    assert_eq!(job["artifacts"]["when"].as_str(), Some("always"));
    assert!(job["script"].as_sequence().unwrap().len() >= 3);
}
