//! Latency presets: a scenario with only `preset:` and a workload gets the
//! bundled matrix's halves; links and default override; unknown names get
//! a "did you mean" error at the name's line and column.

use replisim::scenario::load_str;
use replisim::scenario::types::Latency;

use crate::common::replisim;

fn scenario(regions: &[&str], network: &str) -> String {
    let mut s = String::from("name: preset-test\nduration: 10s\nregions:\n");
    for r in regions {
        s.push_str(&format!("  - name: {r}\n"));
    }
    s.push_str(network);
    s.push_str(
        "tables:\n  - { name: t, kind: item, keys: 10 }\n\
         workload:\n  - { regions: all, table: t, rate: 10/s, writes: 0.5 }\n",
    );
    s
}

/// Median and p99 of the lognormal one-way delay for a round trip of
/// p50 / p90 milliseconds: median = p50 / 2, and p90 / 2 sits 1.2816
/// standard deviations above it in log space.
fn expected(p50_ms: f64, p90_ms: f64) -> (u64, u64) {
    let median = p50_ms * 1e6 / 2.0;
    let sigma = (p90_ms / p50_ms).ln() / 1.281_551_565_544_600_4;
    let p99 = median * (sigma * 2.326_347_874_040_841).exp();
    (median.round() as u64, p99.round() as u64)
}

fn lognormal(l: &Latency) -> (u64, u64) {
    match l {
        Latency::LogNormal { median, p99 } => (*median, *p99),
        other => panic!("expected a lognormal, got {other:?}"),
    }
}

fn close(got: (u64, u64), want: (u64, u64)) {
    assert_eq!(got.0, want.0);
    assert!(got.1.abs_diff(want.1) <= 2, "{got:?} vs {want:?}");
}

#[test]
fn preset_only_links_are_the_matrix_halves_both_directions() {
    let text = scenario(
        &["us-east-1", "us-west-2", "eu-west-1"],
        "network: { preset: aws-2025-07 }\n",
    );
    let s = load_str(&text, "t.yaml", &[]).unwrap();
    // Figures from the bundled file (FACTS.md gives us-east-1 -> us-west-2
    // as 64.4 / 69.3 ms); the reverse direction is 64.0 / 66.5 ms.
    close(lognormal(&s.links[0][1]), expected(64.4, 69.3));
    close(lognormal(&s.links[1][0]), expected(64.0, 66.5));
    close(lognormal(&s.links[0][2]), expected(69.6, 74.6));
    close(lognormal(&s.links[2][1]), expected(118.5, 122.0));
    assert_ne!(s.links[0][1], s.links[1][0], "directions differ");
}

#[test]
fn links_override_the_preset_for_their_pair_only() {
    let text = scenario(
        &["us-east-1", "us-west-2", "eu-west-1"],
        "network:\n  preset: aws-2025-07\n  default: 1s\n  links:\n    - { from: us-east-1, to: us-west-2, latency: 5ms }\n",
    );
    let s = load_str(&text, "t.yaml", &[]).unwrap();
    assert_eq!(s.links[0][1], Latency::Constant(5_000_000));
    // The reverse direction and the other pairs still come from the preset,
    // not from the default.
    close(lognormal(&s.links[1][0]), expected(64.0, 66.5));
    close(lognormal(&s.links[0][2]), expected(69.6, 74.6));
}

#[test]
fn default_covers_a_region_outside_the_preset() {
    let text = scenario(
        &["us-east-1", "on-prem", "eu-west-1"],
        "network:\n  preset: aws-2025-07\n  default: 40ms\n",
    );
    let s = load_str(&text, "t.yaml", &[]).unwrap();
    assert_eq!(s.links[0][1], Latency::Constant(40_000_000));
    assert_eq!(s.links[1][2], Latency::Constant(40_000_000));
    close(lognormal(&s.links[0][2]), expected(69.6, 74.6));
}

#[test]
fn an_unknown_region_names_the_nearest_preset_region() {
    let text = scenario(
        &["us-east-1", "eu-wset-1"],
        "network: { preset: aws-2025-07 }\n",
    );
    let e = load_str(&text, "t.yaml", &[]).unwrap_err();
    assert_eq!(
        e.message(),
        "t.yaml:5:11: regions[1].name: region 'eu-wset-1' is not in latency preset 'aws-2025-07'; \
         did you mean 'eu-west-1'? see `replisim regions`, or give network.default for regions outside the preset"
    );
}

#[test]
fn an_unknown_preset_is_an_error_at_its_position() {
    let text = scenario(
        &["us-east-1", "eu-west-1"],
        "network: { preset: aws-2025 }\n",
    );
    let e = load_str(&text, "t.yaml", &[]).unwrap_err();
    assert!(
        e.message().starts_with(
            "t.yaml:6:20: network.preset: unknown latency preset 'aws-2025'; did you mean 'aws-2025-07'?"
        ),
        "{}",
        e.message()
    );
}

#[test]
fn regions_command_lists_and_prints_a_matrix() {
    let dir = std::env::temp_dir();
    let o = replisim(&dir, &["regions"]);
    assert_eq!(o.status.code(), Some(0));
    let out = String::from_utf8_lossy(&o.stdout);
    assert_eq!(out.lines().count(), 34, "{out}");
    assert!(out.lines().any(|l| l == "ap-south-1"));

    let o = replisim(&dir, &["regions", "us-east-1", "us-west-2"]);
    assert_eq!(o.status.code(), Some(0));
    let out = String::from_utf8_lossy(&o.stdout);
    let row = out.lines().find(|l| l.starts_with("us-east-1")).unwrap();
    assert!(row.contains("64.4 / 69.3"), "{out}");
    let row = out.lines().find(|l| l.starts_with("us-west-2")).unwrap();
    assert!(row.contains("64.0 / 66.5"), "{out}");

    let o = replisim(&dir, &["regions", "us-east-1", "us-est-2"]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.starts_with("error: unknown region 'us-est-2'; did you mean 'us-east-2'?"),
        "{err}"
    );
}

/// The published figures (FACTS.md): DynamoDB global tables replicate
/// "typically 0.5–2.5 s", item by item, last writer wins on the service's
/// clock; Aurora Global Database ships its log in order, lag "typically
/// under a second", RTO "under 1 minute".
#[test]
fn service_presets_fill_mode_ordering_pipeline_and_failover() {
    use replisim::scenario::*;
    let text = scenario(
        &["us-east-1", "eu-west-1"],
        "network: { preset: aws-2025-07 }\nreplication: { preset: dynamodb-global-tables }\n",
    );
    let s = load_str(&text, "t.yaml", &[]).unwrap();
    let r = &s.replication;
    assert_eq!(r.mode, Mode::ActiveActive);
    assert_eq!(
        (r.timestamps, r.ordering),
        (Timestamps::Wall, Ordering::Item)
    );
    let Latency::LogNormal { median, p99 } = r.pipeline else {
        panic!("{:?}", r.pipeline)
    };
    // Inside the published 0.5–2.5 s: the median, and the p99 at its top.
    assert!((500_000_000..=2_500_000_000).contains(&median));
    assert_eq!(p99, 2_500_000_000);
    assert_eq!(r.pipeline_varies_over_ns, Some(5_000_000_000));

    let text = scenario(
        &["us-east-1", "eu-west-1"],
        "network: { preset: aws-2025-07 }\nreplication: { preset: aurora-global-database }\n",
    );
    let s = load_str(&text, "t.yaml", &[]).unwrap();
    let r = &s.replication;
    let Mode::SinglePrimary(p) = &r.mode else {
        panic!("{:?}", r.mode)
    };
    assert_eq!(p.primary, 0, "the first region listed");
    // RTO under a minute: detect + promote = 60 s.
    assert_eq!(p.failover.detect_ns + p.failover.promote_ns, 60_000_000_000);
    assert_eq!(r.ordering, Ordering::Stream);
    let Latency::LogNormal { p99, .. } = r.pipeline else {
        panic!("{:?}", r.pipeline)
    };
    assert!(p99 < 1_000_000_000, "under a second");
}

#[test]
fn fields_beside_a_service_preset_override_it() {
    use replisim::scenario::*;
    let text = scenario(
        &["us-east-1", "eu-west-1"],
        "network: { preset: aws-2025-07 }\n\
         replication:\n  preset: aurora-global-database\n  primary: eu-west-1\n  \
         pipeline: 100ms\n  failover: { detect: 5s }\n",
    );
    let s = load_str(&text, "t.yaml", &[]).unwrap();
    let Mode::SinglePrimary(p) = &s.replication.mode else {
        panic!()
    };
    assert_eq!(p.primary, 1);
    assert_eq!(p.failover.detect_ns, 5_000_000_000);
    assert_eq!(p.failover.promote_ns, 30_000_000_000, "still the preset's");
    assert_eq!(s.replication.pipeline, Latency::Constant(100_000_000));
    assert_eq!(s.replication.pipeline_varies_over_ns, None);

    // A different mode beside the preset takes that mode's own ordering.
    let text = scenario(
        &["us-east-1", "eu-west-1"],
        "network: { preset: aws-2025-07 }\n\
         replication: { preset: aurora-global-database, mode: active_active, timestamps: hlc }\n",
    );
    let s = load_str(&text, "t.yaml", &[]).unwrap();
    assert_eq!(s.replication.mode, Mode::ActiveActive);
    assert_eq!(s.replication.ordering, Ordering::Item);
    assert_eq!(s.replication.timestamps, Timestamps::Hlc);

    let text = scenario(
        &["us-east-1", "eu-west-1"],
        "network: { preset: aws-2025-07 }\nreplication: { preset: dynamodb-global-table }\n",
    );
    let e = load_str(&text, "t.yaml", &[]).unwrap_err();
    assert!(
        e.message().starts_with(
            "t.yaml:7:24: replication.preset: unknown service preset 'dynamodb-global-table'; did you mean 'dynamodb-global-tables'?"
        ),
        "{}",
        e.message()
    );
}

/// A scenario of preset lines and a workload runs from the command line,
/// and the results' scenario.yaml spells out what the presets filled in.
#[test]
fn preset_only_scenario_runs_and_its_scenario_yaml_shows_the_values() {
    let dir = crate::common::scratch_dir("presets", "run");
    let text = scenario(
        &["us-east-1", "eu-west-1", "ap-south-1"],
        "network: { preset: aws-2025-07 }\nreplication: { preset: aurora-global-database }\n",
    );
    std::fs::write(dir.join("p.yaml"), text).unwrap();
    let o = replisim(&dir, &["run", "p.yaml", "--out", "out"]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let y = std::fs::read_to_string(dir.join("out/scenario.yaml")).unwrap();
    for line in [
        "  mode: single_primary",
        "  ordering: stream",
        "  pipeline: { lognormal: { median: 300ms, p99: 900ms }, varies_over: 5s }",
        "  primary: \"us-east-1\"",
        "  failover: { detect: 30s, promote: 30s, target: least_lag }",
    ] {
        assert!(y.lines().any(|l| l == line), "{line} not in\n{y}");
    }
    // The link us-east-1 -> eu-west-1 is half the matrix's 69.6 / 74.6 ms.
    assert!(
        y.contains(
            "from: \"us-east-1\", to: \"eu-west-1\", latency: { lognormal: { median: 34800us"
        ),
        "{y}"
    );
    let summary = std::fs::read_to_string(dir.join("out/summary.csv")).unwrap();
    assert!(summary.lines().nth(1).unwrap().contains(",single_primary,"));
}
