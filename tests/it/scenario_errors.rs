//! Bad scenario input: every file under `tests/bad/` must fail with exactly
//! the message listed here; the issue-2 example loads as written; the
//! canonical YAML rendering round-trips.

use std::path::Path;

use replisim::scenario::{self, load_file, load_str, *};
use replisim::sim::time::Time;

fn message(file: &str, overrides: &[&str]) -> String {
    let overrides: Vec<String> = overrides.iter().map(|s| s.to_string()).collect();
    match load_file(Path::new(file), &overrides) {
        Ok(_) => "<loaded>".to_string(),
        Err(e) => e.message().to_string(),
    }
}

const CASES: &[(&str, &str)] = &[
    ("endpoint_outage_replication_word.yaml", "tests/bad/endpoint_outage_replication_word.yaml:18:75: faults[0].endpoint_outage.replication: unknown value 'stopped'; values are continue, paused"),
    ("pause_replication_unknown_region.yaml", "tests/bad/pause_replication_unknown_region.yaml:18:34: faults[0].pause_replication.region: unknown region 'eu-west-3'; regions are us-east-1, eu-west-1, ap-southeast-1"),
    ("service_preset_unknown.yaml", "tests/bad/service_preset_unknown.yaml:9:24: replication.preset: unknown service preset 'aurora-global'; did you mean 'aurora-global-database'? presets are dynamodb-global-tables, aurora-global-database"),
    ("slowdown_add_and_factor.yaml", "tests/bad/slowdown_add_and_factor.yaml:18:15: faults[0].slowdown: give exactly one of add: DURATION (added to each message's delay) or factor: F (the delay times F)"),
    ("slowdown_factor_below_one.yaml", "tests/bad/slowdown_factor_below_one.yaml:18:76: faults[0].slowdown.factor: 0.5 is not a slowdown; factor must be more than 1 and at most 1000"),
    ("slowdown_no_target.yaml", "tests/bad/slowdown_no_target.yaml:18:15: faults[0].slowdown: give one of region (every link to and from it), between: [a, b] (both directions) or from and to (one direction)"),
    ("unknown_fault_kind.yaml", "tests/bad/unknown_fault_kind.yaml:18:5: faults[0].partiton: unknown fault kind 'partiton'; did you mean 'partition'? kinds are partition, isolate, outage, clock_step, switchover, pause_replication, slowdown, endpoint_outage"),
    ("no_workload.yaml", "tests/bad/no_workload.yaml:1:1: workload: missing; a scenario needs at least one workload entry (or a script)"),
    ("script_bad_key.yaml", "tests/bad/script_bad_key.yaml:14:55: script[0].key: 100 is not a key of table 'items'; keys are 0 to 99"),
    ("script_out_of_order.yaml", "tests/bad/script_out_of_order.yaml:15:11: script[1].at: 10ms is earlier than script[0] at 20ms; list scripted operations in time order"),
    ("bucket_zero.yaml", "tests/bad/bucket_zero.yaml:18:11: output.bucket: 0s; a time bucket must be longer than 0"),
    ("comments_only.yaml", "tests/bad/comments_only.yaml: empty file; a scenario is a mapping with at least name, duration, regions, tables and workload"),
    ("duplicate_key.yaml", "tests/bad/duplicate_key.yaml:3:1: duplicate key 'duration'; each key may appear once in a mapping"),
    ("duplicate_region.yaml", "tests/bad/duplicate_region.yaml:6:11: regions[2].name: duplicate region name 'us-east-1' (also regions[0]); region names must be unique"),
    ("duplicate_table.yaml", "tests/bad/duplicate_table.yaml:13:11: tables[1].name: duplicate table name 'items' (also tables[0]); table names must be unique"),
    ("duration_negative.yaml", "tests/bad/duration_negative.yaml:3:14: drain_limit: '-5s' is negative; a duration is 0 or more"),
    ("duration_no_unit.yaml", "tests/bad/duration_no_unit.yaml:2:11: duration: '60' has no unit; write a duration such as 150ms (units are ns, us, ms, s, m, h)"),
    ("duration_overflow.yaml", "tests/bad/duration_overflow.yaml:2:11: duration: '9999999h' is too large; at most 5124095h (nanoseconds must fit in 64 bits)"),
    ("duration_unknown_unit.yaml", "tests/bad/duration_unknown_unit.yaml:2:11: duration: '2d' has an unknown unit 'd'; units are ns, us, ms, s, m, h"),
    ("duration_zero.yaml", "tests/bad/duration_zero.yaml:2:11: duration: 0s; a run must last more than 0"),
    ("empty.yaml", "tests/bad/empty.yaml: empty file; a scenario is a mapping with at least name, duration, regions, tables and workload"),
    ("expect_bad_condition.yaml", "tests/bad/expect_bad_condition.yaml:18:14: expect.converged: 'about right' is not a condition; write one such as '< 0.01', '<= 5', '> 0', '>= 3', '== 0', a number or true/false"),
    ("expect_unknown_column.yaml", "tests/bad/expect_unknown_column.yaml:19:3: expect.lost_writs: unknown figure 'lost_writs'; did you mean 'lost_writes'? figures are seed, duration_s, writes, reads, lost_writes, lost_write_rate, conflicts, causal_inversions, stranded_writes, increments, lost_increments, stale_reads, stale_read_rate, lag_p50_ms, lag_p99_ms, lag_max_ms, undelivered, converged, convergence_ms, failed_writes, failed_reads, rerouted_ops, staleness_p50_ms, staleness_p99_ms, max_backlog, counter_total, rejected_writes, forwarded_writes, write_latency_p50_ms, write_latency_p99_ms, failover_ms, rpo_lost_writes, rpo_window_ms, write_conflict_errors, unavailable_writes"),
    ("expect_unknown_region.yaml", "tests/bad/expect_unknown_region.yaml:19:3: expect.regions.eu-west-2.lost_writes: unknown region 'eu-west-2'; did you mean 'eu-west-1'? regions are us-east-1, eu-west-1, ap-southeast-1"),
    ("expect_fault_range.yaml", "tests/bad/expect_fault_range.yaml:21:3: expect.faults.3.lost_writes: there is no fault '3'; the scenario's faults are numbered 1 to 2, in the order listed"),
    ("expect_fault_instant.yaml", "tests/bad/expect_fault_instant.yaml:22:3: expect.faults.2.writes: fault 2 (clock_step) is an instant: it has no window to count writes in"),
    ("expect_fault_figure.yaml", "tests/bad/expect_fault_figure.yaml:20:3: expect.faults.1.catchup_ms: unknown fault figure 'catchup_ms'; did you mean 'catch_up_ms'? figures are start_s, end_s, writes, lost_writes, stale_reads, max_backlog, catch_up_ms, drain_ms, catch_up_censored, drain_censored"),
    ("expect_link_no_arrow.yaml", "tests/bad/expect_link_no_arrow.yaml:18:3: expect.links.us-east-1.lag_p99_ms: write a stream's figure as links.<from>><to>.<figure>, such as links.us-east-1>eu-west-1.lag_p99_ms"),
    ("expect_link_unknown_figure.yaml", "tests/bad/expect_link_unknown_figure.yaml:18:3: expect.links.us-east-1>eu-west-1.lag_p95_ms: unknown stream figure 'lag_p95_ms'; did you mean 'lag_p90_ms'? figures are deliveries, lag_p50_ms, lag_p90_ms, lag_p99_ms, lag_max_ms, max_backlog, undelivered, oldest_unreplicated_max_ms"),
    ("expect_mode_figure_at_top.yaml", "tests/bad/expect_mode_figure_at_top.yaml:18:3: expect.failover_ms: only single_primary mode has this figure and this scenario runs active_active; for `compare`, put it under the mode's name (single_primary: { failover_ms: ... })"),
    ("expect_not_a_mode.yaml", "tests/bad/expect_not_a_mode.yaml:18:3: expect.fast: a mapping of conditions goes under a mode's name (active_active, single_primary, strong); 'fast' is not one"),
    ("expect_figure_of_other_mode.yaml", "tests/bad/expect_figure_of_other_mode.yaml:19:5: expect.strong.failover_ms: strong mode has no figure 'failover_ms'; only single_primary has"),
    ("expect_nested_bad_condition.yaml", "tests/bad/expect_nested_bad_condition.yaml:19:18: expect.strong.lost_writes: 'lots' is not a condition; write one such as '< 0.01', '<= 5', '> 0', '>= 3', '== 0', a number or true/false"),
    ("failover_target_primary.yaml", "tests/bad/failover_target_primary.yaml:12:23: replication.failover.target: 'us-east-1' is the primary itself; fail over to another region or least_lag"),
    ("fault_after_end.yaml", "tests/bad/fault_after_end.yaml:18:38: faults[0].outage.at: starts at 1m, not before the end of the run (duration 1m); a fault must start before the run's duration ends"),
    ("fault_unknown_region.yaml", "tests/bad/fault_unknown_region.yaml:18:23: faults[0].outage.region: unknown region 'eu-west-2'; regions are us-east-1, eu-west-1, ap-southeast-1"),
    ("fault_zero_length.yaml", "tests/bad/fault_zero_length.yaml:18:49: faults[0].isolate.for: 0s; a fault must last more than 0 (leave out 'for' for a fault that never ends)"),
    ("field_of_other_mode.yaml", "tests/bad/field_of_other_mode.yaml:11:3: replication.primary: belongs to mode single_primary; this scenario's mode is active_active"),
    ("home_affinity_out.yaml", "tests/bad/home_affinity_out.yaml:17:20: workload[0].home_affinity: 2 is outside 0..1; a probability is from 0 to 1"),
    ("hotspot_keys_zero.yaml", "tests/bad/hotspot_keys_zero.yaml:17:32: workload[0].access.hotspot.keys: 0 is outside 0..1; the hot fraction of keys must be more than 0 and at most 1"),
    ("hotspot_share_out.yaml", "tests/bad/hotspot_share_out.yaml:17:44: workload[0].access.hotspot.share: 1.2 is outside 0..1; the hot share of operations is from 0 to 1"),
    ("infinite_alpha.yaml", "tests/bad/infinite_alpha.yaml:8:42: network.default.pareto.alpha: '.inf' is not a finite number; NaN and infinity are not allowed"),
    ("latency_two_kinds.yaml", "tests/bad/latency_two_kinds.yaml:8:12: network.default: more than one kind; a latency is a mapping with one key naming its kind, and optionally varies_over beside it"),
    ("link_both_forms.yaml", "tests/bad/link_both_forms.yaml:10:7: network.links[0]: give either between: [a, b] (both directions) or from and to (one direction)"),
    ("link_to_itself.yaml", "tests/bad/link_to_itself.yaml:10:30: network.links[0].to: a link from 'eu-west-1' to itself; a link joins two different regions"),
    ("link_twice.yaml", "tests/bad/link_twice.yaml:12:7: network.links[1]: link eu-west-1 -> us-east-1 is already given by network.links[0]; give each direction once"),
    ("lognormal_p99_below_median.yaml", "tests/bad/lognormal_p99_below_median.yaml:8:46: network.default.lognormal.p99: 40ms is below the median 60ms; p99 must be at least the median"),
    ("missing_field.yaml", "tests/bad/missing_field.yaml:14:5: workload[0].writes: missing; this field is required"),
    ("missing_name.yaml", "tests/bad/missing_name.yaml:1:1: name: missing; this field is required"),
    ("nan_drift.yaml", "tests/bad/nan_drift.yaml:6:25: regions[1].clock.drift_ppm: '.nan' is not a finite number; NaN and infinity are not allowed"),
    ("negative_keys.yaml", "tests/bad/negative_keys.yaml:12:11: tables[0].keys: -3 is out of range; a table has 1 to 4294967294 keys"),
    ("no_tables.yaml", "tests/bad/no_tables.yaml:9:9: tables: an empty list; a scenario needs at least one table"),
    ("normal_negative_stddev.yaml", "tests/bad/normal_negative_stddev.yaml:8:44: network.default.normal.stddev: '-3ms' is negative; a duration is 0 or more"),
    ("not_utf8.yaml", "tests/bad/not_utf8.yaml:2:11: not UTF-8 text; a scenario file must be UTF-8"),
    ("not_yaml.yaml", "tests/bad/not_yaml.yaml:3:9: not valid YAML: illegal placement of ':' indicator"),
    ("one_region.yaml", "tests/bad/one_region.yaml:4:3: regions: 1 region; replication needs at least 2 regions"),
    ("outage_all_reroute.yaml", "tests/bad/outage_all_reroute.yaml:19:62: faults[1].outage.clients: every region is out at 20s, so rerouted clients have nowhere to go; use clients: fail, or keep one region up"),
    ("pareto_alpha_zero.yaml", "tests/bad/pareto_alpha_zero.yaml:8:42: network.default.pareto.alpha: 0 is not greater than 0; alpha must be more than 0"),
    ("partition_one_way_self.yaml", "tests/bad/partition_one_way_self.yaml:18:39: faults[0].partition.to: partitions 'eu-west-1' from itself; name two different regions"),
    ("partition_self.yaml", "tests/bad/partition_self.yaml:18:39: faults[0].partition.between[1]: 'eu-west-1' is named twice; between names two different regions"),
    ("percentiles_out_of_order.yaml", "tests/bad/percentiles_out_of_order.yaml:8:45: network.default.percentiles.p90: 30ms is below p50 40ms; percentiles must not decrease (p0 <= p50 <= p90 <= p99 <= max)"),
    ("primary_missing.yaml", "tests/bad/primary_missing.yaml:10:3: replication.primary: missing; single_primary mode needs a primary region, one of us-east-1, eu-west-1, ap-southeast-1"),
    ("primary_not_region.yaml", "tests/bad/primary_not_region.yaml:11:12: replication.primary: unknown region 'us-west-2'; regions are us-east-1, eu-west-1, ap-southeast-1"),
    ("probability_above_one.yaml", "tests/bad/probability_above_one.yaml:16:13: workload[0].writes: 1.5 is outside 0..1; a probability is from 0 to 1"),
    ("probability_negative.yaml", "tests/bad/probability_negative.yaml:16:13: workload[0].writes: -0.1 is outside 0..1; a probability is from 0 to 1"),
    ("rate_negative.yaml", "tests/bad/rate_negative.yaml:15:11: workload[0].rate: rate '-5' is not greater than 0; a rate must be more than 0"),
    ("rate_not_a_number.yaml", "tests/bad/rate_not_a_number.yaml:15:11: workload[0].rate: 'fast' is not a rate; write N/s, N/m or a bare number per second, such as 200/s"),
    ("rate_unknown_unit.yaml", "tests/bad/rate_unknown_unit.yaml:15:11: workload[0].rate: '10/h' has an unknown unit '/h'; write N/s, N/m or a bare number per second"),
    ("rate_zero.yaml", "tests/bad/rate_zero.yaml:15:11: workload[0].rate: rate '0/s' is not greater than 0; a rate must be more than 0"),
    ("seed_negative.yaml", "tests/bad/seed_negative.yaml:2:7: seed: '-1' is out of range; a whole number from 0 to 18446744073709551615"),
    ("seed_too_large.yaml", "tests/bad/seed_too_large.yaml:2:7: seed: '18446744073709551616' is out of range; a whole number from 0 to 18446744073709551615"),
    ("strong_two_regions.yaml", "tests/bad/strong_two_regions.yaml:7:9: replication.mode: strong mode needs exactly 3 regions (one may be the witness); this scenario has 2"),
    ("switchover_active_active.yaml", "tests/bad/switchover_active_active.yaml:18:5: faults[0].switchover: belongs to mode single_primary; this scenario's mode is active_active"),
    ("too_deep.yaml", "tests/bad/too_deep.yaml:1:70: nested too deeply; at most 64 levels of lists and mappings"),
    ("too_many_keys.yaml", "tests/bad/too_many_keys.yaml:12:11: tables[0].keys: 5000000000 is out of range; a table has 1 to 4294967294 keys"),
    ("top_list.yaml", "tests/bad/top_list.yaml:1:1: the file holds a list, not a scenario; a scenario is a mapping of fields: name, description, seed, duration, drain_limit, regions, network, replication, tables, workload, script, faults, output, expect"),
    ("top_scalar.yaml", "tests/bad/top_scalar.yaml:1:1: the file holds a single value ('just some text'), not a scenario; a scenario is a mapping of fields: name, description, seed, duration, drain_limit, regions, network, replication, tables, workload, script, faults, output, expect"),
    ("two_documents.yaml", "tests/bad/two_documents.yaml:17:1: a second YAML document; a scenario file holds exactly one document (remove the '---' separator)"),
    ("uncovered_pair.yaml", "tests/bad/uncovered_pair.yaml:8:3: network: no latency for us-east-1 -> ap-southeast-1; give network.default or a link for every pair of regions"),
    ("uniform_max_below_min.yaml", "tests/bad/uniform_max_below_min.yaml:8:41: network.default.uniform.max: 20ms is below min 40ms; max must be at least min"),
    ("unknown_access.yaml", "tests/bad/unknown_access.yaml:17:13: workload[0].access: unknown access pattern 'zipfian'; did you mean 'zipf'? patterns are uniform, zipf, hotspot"),
    ("unknown_enum_value.yaml", "tests/bad/unknown_enum_value.yaml:10:15: replication.timestamps: unknown value 'hcl'; did you mean 'hlc'? values are wall, hlc, true_time"),
    ("unknown_field_no_suggestion.yaml", "tests/bad/unknown_field_no_suggestion.yaml:13:5: tables[0].colour: unknown field 'colour'; fields here are name, kind, keys"),
    ("unknown_field_suggest.yaml", "tests/bad/unknown_field_suggest.yaml:6:27: regions[1].clock.drift: unknown field 'drift'; did you mean 'drift_ppm'? fields here are offset, drift_ppm"),
    ("unknown_field_top.yaml", "tests/bad/unknown_field_top.yaml:3:1: durations: unknown field 'durations'; did you mean 'duration'? fields here are name, description, seed, duration, drain_limit, regions, network, replication, tables, workload, script, faults, output, expect"),
    ("unknown_latency_kind.yaml", "tests/bad/unknown_latency_kind.yaml:8:14: network.default.unifrom: unknown latency kind 'unifrom'; did you mean 'uniform'? kinds are constant, uniform, normal, lognormal, exponential, pareto, percentiles"),
    ("unknown_mode.yaml", "tests/bad/unknown_mode.yaml:10:9: replication.mode: unknown value 'multi_master'; values are active_active, single_primary, strong"),
    ("unknown_region_in_partition.yaml", "tests/bad/unknown_region_in_partition.yaml:21:28: faults[2].partition.between[1]: unknown region 'eu-west-9'; regions are us-east-1, eu-west-1, ap-southeast-1"),
    ("unknown_region_in_workload.yaml", "tests/bad/unknown_region_in_workload.yaml:14:26: workload[0].regions[1]: unknown region 'eu-central-1'; regions are us-east-1, eu-west-1, ap-southeast-1"),
    ("unknown_table.yaml", "tests/bad/unknown_table.yaml:14:12: workload[0].table: unknown table 'itemz'; tables are items"),
    ("witness_in_workload.yaml", "tests/bad/witness_in_workload.yaml:17:26: workload[0].regions[1]: 'ap-southeast-1' is the strong mode's witness, which serves no clients; name another region"),
    ("workload_regions_word.yaml", "tests/bad/workload_regions_word.yaml:14:14: workload[0].regions: expected 'all' or a list of region names, found 'everywhere'; write [everywhere] for one region"),
    ("wrong_type_list.yaml", "tests/bad/wrong_type_list.yaml:3:10: regions: expected a list, found 'us-east-1'"),
    ("wrong_type_struct.yaml", "tests/bad/wrong_type_struct.yaml:11:11: tables[0].kind: expected one of item, counter, found a list"),
    ("zero_keys.yaml", "tests/bad/zero_keys.yaml:12:11: tables[0].keys: 0 is out of range; a table has 1 to 4294967294 keys"),
    ("zipf_zero.yaml", "tests/bad/zipf_zero.yaml:17:21: workload[0].access.zipf: 0 is not greater than 0; the zipf exponent must be more than 0"),
];

#[test]
fn bad_files_give_exact_messages() {
    let mut wrong = Vec::new();
    let mut names: Vec<String> = std::fs::read_dir("tests/bad")
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    for name in &names {
        let file = format!("tests/bad/{name}");
        let got = message(&file, &[]);
        match CASES.iter().find(|(f, _)| *f == name.as_str()) {
            Some((_, want)) if *want == got => {}
            _ => wrong.push(format!("    (\"{name}\", {got:?}),")),
        }
    }
    for (name, _) in CASES {
        assert!(names.iter().any(|n| n == name), "no file tests/bad/{name}");
    }
    assert!(wrong.is_empty(), "mismatches:\n{}", wrong.join("\n"));
}

/// The example of issue 2, exactly as written there.
const ISSUE_2_EXAMPLE: &str = r#"name: global-leaderboard
description: Players on three continents add points to shared scores.
seed: 7
duration: 5m                     # how long clients send operations
drain_limit: 10m                 # optional: how long to wait for replication to finish afterwards

regions:
  - name: us-east-1
  - name: eu-west-1
    clock: { offset: 3ms, drift_ppm: 15 }
  - name: ap-southeast-1
    clock: { offset: -2ms }

network:
  default: { lognormal: { median: 60ms, p99: 150ms } }   # one-way transit
  links:
    - between: [us-east-1, eu-west-1]                     # both directions
      latency: { normal: { mean: 35ms, stddev: 3ms } }
    - from: us-east-1                                      # one direction
      to: ap-southeast-1
      latency: 106ms

replication:
  mode: active_active            # single_primary and strong come later
  timestamps: wall               # wall | hlc | true_time
  pipeline: { lognormal: { median: 400ms, p99: 1200ms } }
  throughput: 2000/s             # optional, per stream

tables:
  - name: scores
    kind: counter                # writes are increments
    keys: 500
  - name: profiles
    kind: item                   # writes are blind puts
    keys: 100000

workload:
  - regions: all
    table: scores
    rate: 300/s                  # per listed region
    writes: 0.8                  # the rest are reads
    access: { zipf: 1.1 }
  - regions: [us-east-1, eu-west-1]
    table: profiles
    rate: 150/s
    arrival: constant            # poisson (default) | constant
    writes: 0.1
    access: uniform
    home_affinity: 0.95

faults:
  - partition: { between: [us-east-1, eu-west-1], at: 2m, for: 30s }
  - partition: { from: ap-southeast-1, to: us-east-1, at: 150s, for: 10s }
  - isolate: { region: ap-southeast-1, at: 3m, for: 20s }
  - outage: { region: eu-west-1, at: 4m, for: 15s, clients: reroute }   # or: fail
  - clock_step: { region: eu-west-1, at: 90s, by: -400ms }

output:
  bucket: 1s                     # width of a timeseries.csv row
"#;

const MS: u64 = 1_000_000;
const S: u64 = 1_000_000_000;

fn load(text: &str, overrides: &[&str]) -> Result<Scenario, String> {
    let overrides: Vec<String> = overrides.iter().map(|s| s.to_string()).collect();
    load_str(text, "x.yaml", &overrides).map_err(|e| e.message().to_string())
}

#[test]
fn issue_2_example_loads_with_the_values_written() {
    let s = load(ISSUE_2_EXAMPLE, &[]).unwrap();
    let lognormal = Latency::LogNormal {
        median: 60 * MS,
        p99: 150 * MS,
    };
    let normal = Latency::Normal {
        mean: 35 * MS,
        stddev: 3 * MS,
    };
    let zero = Latency::Constant(0);
    let want = Scenario {
        name: "global-leaderboard".to_string(),
        description: "Players on three continents add points to shared scores.".to_string(),
        seed: 7,
        duration_ns: 300 * S,
        drain_limit_ns: 600 * S,
        regions: vec![
            Region {
                name: "us-east-1".to_string(),
                clock: Clock {
                    offset_ns: 0,
                    drift_ppm: 0.0,
                },
            },
            Region {
                name: "eu-west-1".to_string(),
                clock: Clock {
                    offset_ns: 3_000_000,
                    drift_ppm: 15.0,
                },
            },
            Region {
                name: "ap-southeast-1".to_string(),
                clock: Clock {
                    offset_ns: -2_000_000,
                    drift_ppm: 0.0,
                },
            },
        ],
        links: vec![
            vec![zero.clone(), normal.clone(), Latency::Constant(106 * MS)],
            vec![normal, zero.clone(), lognormal.clone()],
            vec![lognormal.clone(), lognormal, zero],
        ],
        link_varies_over_ns: vec![],
        replication: Replication {
            mode: Mode::ActiveActive,
            timestamps: Timestamps::Wall,
            ordering: Ordering::Item,
            pipeline: Latency::LogNormal {
                median: 400 * MS,
                p99: 1200 * MS,
            },
            pipeline_varies_over_ns: None,
            throughput_per_s: Some(2000.0),
        },
        tables: vec![
            Table {
                name: "scores".to_string(),
                kind: TableKind::Counter,
                keys: 500,
            },
            Table {
                name: "profiles".to_string(),
                kind: TableKind::Item,
                keys: 100_000,
            },
        ],
        workload: vec![
            WorkloadEntry {
                regions: vec![0, 1, 2],
                table: 0,
                rate_per_s: 300.0,
                arrival: Arrival::Poisson,
                write_fraction: 0.8,
                access: Access::Zipf(1.1),
                home_affinity: 0.0,
            },
            WorkloadEntry {
                regions: vec![0, 1],
                table: 1,
                rate_per_s: 150.0,
                arrival: Arrival::Constant,
                write_fraction: 0.1,
                access: Access::Uniform,
                home_affinity: 0.95,
            },
        ],
        script: vec![],
        faults: vec![
            Fault {
                kind: FaultKind::Partition {
                    links: vec![(0, 1), (1, 0)],
                },
                at: Time(120 * S),
                length_ns: Some(30 * S),
            },
            Fault {
                kind: FaultKind::Partition {
                    links: vec![(2, 0)],
                },
                at: Time(150 * S),
                length_ns: Some(10 * S),
            },
            Fault {
                kind: FaultKind::Isolate { region: 2 },
                at: Time(180 * S),
                length_ns: Some(20 * S),
            },
            Fault {
                kind: FaultKind::Outage {
                    region: 1,
                    clients: OutageClients::Reroute,
                },
                at: Time(240 * S),
                length_ns: Some(15 * S),
            },
            Fault {
                kind: FaultKind::ClockStep {
                    region: 1,
                    by_ns: -400 * MS as i64,
                },
                at: Time(90 * S),
                length_ns: None,
            },
        ],
        bucket_ns: S,
        expect: vec![],
    };
    assert_eq!(s, want);
}

/// Every optional part of the format at once, all modes' fields included.
const EVERYTHING_SINGLE_PRIMARY: &str = r#"
name: "odd \"name\" é"
seed: 18446744073709551615
duration: 1.5s
regions:
  - { name: a, clock: { offset: 1ns, drift_ppm: -0.000001 } }
  - { name: b }
  - { name: c }
  - { name: d }
network:
  default: { percentiles: { p50: 10ms, p99: 90ms, max: 1s } }
  links:
    - { between: [a, b], latency: { uniform: { min: 1ms, max: 3ms } } }
    - { from: c, to: d, latency: { exponential: { mean: 7us } } }
    - { from: d, to: c, latency: { pareto: { min: 2ms, alpha: 1.5 } } }
    - { from: a, to: c, latency: { percentiles: { p0: 1ms, p50: 2ms, p90: 3ms, p99: 4ms, max: 5ms } } }
replication:
  mode: single_primary
  timestamps: true_time
  primary: b
  secondary_writes: reject
  failover: { detect: 5s, promote: 1m, target: c }
tables:
  - { name: t1, kind: item, keys: 4294967294 }
  - { name: t2, kind: counter, keys: 1 }
workload:
  - { table: t1, rate: 20/m, writes: 1, access: { hotspot: { keys: 0.01, share: 0.5 } } }
  - { regions: [d], table: t2, rate: 0.5, writes: 0, home_affinity: 1 }
faults:
  - switchover: { to: c, at: 100ms }
  - outage: { region: b, at: 0s }
  - partition: { from: a, to: d, at: 1s, for: 1h }
expect:
  lost_write_rate: "< 0.01"
  converged: true
  conflicts: 0
  failover_ms: ">= 2.5"
output:
  bucket: 10ms
"#;

const SCRIPTED: &str = r#"
name: two writes
duration: 1s
regions: [{ name: a }, { name: b }]
network: { default: 50ms }
tables: [{ name: t, kind: counter, keys: 2 }]
script:
  - { at: 0s, region: a, table: t, key: 1, op: write }
  - { at: 10ms, region: b, table: t, key: 1, op: write }
  - { at: 10ms, region: b, table: t, key: 0, op: read }
"#;

const STRONG: &str = r#"
name: strong
duration: 10s
drain_limit: 0s
regions: [{ name: x }, { name: y }, { name: w }]
network: { default: 5ms }
replication: { mode: strong, witness: w, timestamps: hlc }
tables: [{ name: t, kind: item, keys: 10 }]
workload: [{ table: t, rate: 1, writes: 0.5 }]
"#;

#[test]
fn defaults_and_every_field() {
    let s = load(EVERYTHING_SINGLE_PRIMARY, &[]).unwrap();
    assert_eq!(s.name, "odd \"name\" é");
    assert_eq!(s.description, "");
    assert_eq!(s.seed, u64::MAX);
    assert_eq!(s.duration_ns, 1_500 * MS);
    assert_eq!(s.drain_limit_ns, 600 * S);
    assert_eq!(s.bucket_ns, 10 * MS);
    assert_eq!(
        s.links[1][3],
        Latency::Percentiles(vec![(0.0, 0), (0.5, 10 * MS), (0.99, 90 * MS), (1.0, S)])
    );
    assert_eq!(
        s.links[0][2],
        Latency::Percentiles(vec![
            (0.0, MS),
            (0.5, 2 * MS),
            (0.9, 3 * MS),
            (0.99, 4 * MS),
            (1.0, 5 * MS)
        ])
    );
    assert_eq!(
        s.replication.mode,
        Mode::SinglePrimary(SinglePrimary {
            primary: 1,
            secondary_writes: SecondaryWrites::Reject,
            failover: Failover {
                detect_ns: 5 * S,
                promote_ns: 60 * S,
                target: FailoverTarget::Region(2),
            },
        })
    );
    assert_eq!(s.workload[0].regions, vec![0, 1, 2, 3]);
    assert!((s.workload[0].rate_per_s - 1.0 / 3.0).abs() < 1e-12);
    assert_eq!(s.workload[0].arrival, Arrival::Poisson);
    assert_eq!(s.workload[1].home_affinity, 1.0);
    assert_eq!(s.faults[1].length_ns, None);
    assert_eq!(
        s.faults[1].kind,
        FaultKind::Outage {
            region: 1,
            clients: OutageClients::Fail
        }
    );
    let summary = |figure: &str, op, value| Expectation {
        metric: figure.to_string(),
        target: Target::Summary {
            figure: figure.to_string(),
        },
        mode: None,
        op,
        value,
    };
    assert_eq!(
        s.expect,
        vec![
            summary("lost_write_rate", CompareOp::Lt, 0.01),
            summary("converged", CompareOp::Eq, 1.0),
            summary("conflicts", CompareOp::Eq, 0.0),
            summary("failover_ms", CompareOp::Ge, 2.5),
        ]
    );

    let s = load(SCRIPTED, &[]).unwrap();
    assert!(s.workload.is_empty());
    assert_eq!(
        s.script,
        vec![
            ScriptedOp {
                at: Time(0),
                region: 0,
                table: 0,
                key: 1,
                is_write: true
            },
            ScriptedOp {
                at: Time(10 * MS),
                region: 1,
                table: 0,
                key: 1,
                is_write: true
            },
            ScriptedOp {
                at: Time(10 * MS),
                region: 1,
                table: 0,
                key: 0,
                is_write: false
            },
        ]
    );

    let s = load(STRONG, &[]).unwrap();
    assert_eq!(
        s.replication.mode,
        Mode::Strong(Strong { witness: Some(2) })
    );
    assert_eq!(s.workload[0].regions, vec![0, 1]);
    assert_eq!(s.drain_limit_ns, 0);
    assert_eq!(s.replication.timestamps, Timestamps::Hlc);
    assert_eq!(s.replication.throughput_per_s, None);
}

#[test]
fn to_yaml_round_trips() {
    for text in [ISSUE_2_EXAMPLE, EVERYTHING_SINGLE_PRIMARY, STRONG, SCRIPTED] {
        let s = load(text, &[]).unwrap();
        let yaml = scenario::to_yaml(&s);
        let again = load_str(&yaml, "<rendered>", &[]).unwrap_or_else(|e| panic!("{e}\n{yaml}"));
        assert_eq!(again, s, "{yaml}");
        assert_eq!(scenario::to_yaml(&again), yaml);
    }
}

#[test]
fn overrides_change_values() {
    let s = load(
        ISSUE_2_EXAMPLE,
        &[
            "replication.timestamps=hlc",
            "regions.eu-west-1.clock.offset=200ms",
            "regions.us-east-1.clock.drift_ppm=-3",
            "workload.0.rate=50/s",
            "faults.1.partition.for=20s",
            "tables.profiles.keys=7",
            "network.links.1.latency={ uniform: { min: 1ms, max: 2ms } }",
            "expect.converged=true",
        ],
    )
    .unwrap();
    assert_eq!(s.replication.timestamps, Timestamps::Hlc);
    assert_eq!(s.regions[1].clock.offset_ns, 200_000_000);
    assert_eq!(s.regions[1].clock.drift_ppm, 15.0);
    assert_eq!(s.regions[0].clock.drift_ppm, -3.0);
    assert_eq!(s.workload[0].rate_per_s, 50.0);
    assert_eq!(s.faults[1].length_ns, Some(20 * S));
    assert_eq!(s.tables[1].keys, 7);
    assert_eq!(
        s.links[0][2],
        Latency::Uniform {
            min: MS,
            max: 2 * MS
        }
    );
    assert_eq!(s.expect.len(), 1);
}

#[test]
fn override_errors_name_the_argument() {
    let mut wrong = Vec::new();
    for arg in OVERRIDE_ARGS {
        let got = load(ISSUE_2_EXAMPLE, &[arg]).err().unwrap_or_default();
        match OVERRIDE_CASES.iter().find(|(a, _)| a == arg) {
            Some((_, want)) if *want == got => {}
            _ => wrong.push(format!("    ({arg:?}, {got:?}),")),
        }
    }
    assert!(wrong.is_empty(), "mismatches:\n{}", wrong.join("\n"));
}

const OVERRIDE_ARGS: &[&str] = &[
    "regions.eu-west-9.clock.offset=1ms",
    "faults.9.partition.for=1s",
    "name.first=x",
    "workload.0.rate=fast",
    "replication.timestamp=hlc",
    "replication.timestamps=lamport",
    "duration=5",
    "duration",
    "tables.0.keys=[1",
    "faults.0.partition.between.1=eu-west-9",
    "faults.2.isolate.at=6m",
    "replication.witness=us-east-1",
];

#[test]
fn file_positions_survive_overrides() {
    let overrides = ["replication.timestamps=hlc"];
    assert_eq!(
        message("tests/bad/unknown_table.yaml", &overrides),
        message("tests/bad/unknown_table.yaml", &[])
    );
}

#[test]
fn files_that_cannot_be_read() {
    assert_eq!(
        message("tests/bad/does-not-exist.yaml", &[]),
        "tests/bad/does-not-exist.yaml: cannot read the scenario file: No such file or directory (os error 2)"
    );
    assert_eq!(
        message("tests/bad", &[]),
        "tests/bad: cannot read the scenario file: Is a directory (os error 21)"
    );
}

/// A small deterministic fuzz: mutated versions of valid scenarios and odd
/// inputs never panic (the loader returns a value or an error).
#[test]
fn mutated_input_never_panics() {
    let odd = [
        "\0",
        "{",
        "[",
        "&a [*a]",
        "*a",
        "a: *b",
        "!!binary x",
        "? [a]\n: b",
        "<<: {a: 1}",
        "name: \u{202e}\u{feff}",
        "duration: 1e999999999999999999s",
        "seed: 999999999999999999999999999999999999999999",
        "'",
        "\"\\u12\"",
        "a: |\n  x\n b",
        "- - - - -",
        "%YAML 1.2\n---\na: 1",
        "regions: [{name: a}, {name: b}]\nnetwork:\n  links: [{between: [a]}]",
        "regions: {a: 1}",
        "workload: [{regions: [], table: x, rate: 1, writes: 0}]",
    ];
    for text in odd {
        let _ = load(text, &[]);
        let _ = load(text, &["a.b=1"]);
    }
    let seeds = [ISSUE_2_EXAMPLE, EVERYTHING_SINGLE_PRIMARY, STRONG];
    let alphabet: Vec<char> = "[]{}:-,'\"&*!|>#\n \t0.9e-/msx_aé\u{0}\\%?@`~"
        .chars()
        .collect();
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    // REPLISIM_FUZZ_ROUNDS runs a longer search.
    let rounds: usize = std::env::var("REPLISIM_FUZZ_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3000);
    for round in 0..rounds {
        let base: Vec<char> = seeds[round % seeds.len()].chars().collect();
        let mut text = base.clone();
        for _ in 0..(1 + next() % 4) {
            if text.is_empty() {
                break;
            }
            let at = (next() % text.len() as u64) as usize;
            match next() % 4 {
                0 => {
                    let end = (at + (next() % 20) as usize).min(text.len());
                    text.drain(at..end);
                }
                1 => text.insert(at, alphabet[(next() % alphabet.len() as u64) as usize]),
                2 => {
                    let end = (at + (next() % 40) as usize).min(text.len());
                    let piece: Vec<char> = text[at..end].to_vec();
                    let to = (next() % text.len() as u64) as usize;
                    text.splice(to..to, piece);
                }
                _ => text[at] = alphabet[(next() % alphabet.len() as u64) as usize],
            }
        }
        let text: String = text.into_iter().collect();
        if let Err(e) = load(&text, &[]) {
            assert!(!e.contains('\n') || text.contains('\n'), "{e}");
            assert!(e.starts_with("x.yaml"), "{e}");
        }
    }
}

const OVERRIDE_CASES: &[(&str, &str)] = &[
    ("regions.eu-west-9.clock.offset=1ms", "x.yaml: --set regions.eu-west-9.clock.offset=1ms: no item 'eu-west-9' in 'regions'; 'regions' has 3 items: indices 0 to 2, names us-east-1, eu-west-1, ap-southeast-1"),
    ("faults.9.partition.for=1s", "x.yaml: --set faults.9.partition.for=1s: no item '9' in 'faults'; 'faults' has 5 items: indices 0 to 4"),
    ("name.first=x", "x.yaml: --set name.first=x: 'name' is a single value, not a mapping or list; there is no 'first' under it"),
    ("workload.0.rate=fast", "x.yaml: --set workload.0.rate=fast: workload[0].rate: 'fast' is not a rate; write N/s, N/m or a bare number per second, such as 200/s"),
    ("replication.timestamp=hlc", "x.yaml: --set replication.timestamp=hlc: replication.timestamp: unknown field 'timestamp'; did you mean 'timestamps'? fields here are preset, mode, timestamps, ordering, pipeline, throughput, primary, secondary_writes, failover, witness"),
    ("replication.timestamps=lamport", "x.yaml: --set replication.timestamps=lamport: replication.timestamps: unknown value 'lamport'; values are wall, hlc, true_time"),
    ("duration=5", "x.yaml: --set duration=5: duration: '5' has no unit; write a duration such as 150ms (units are ns, us, ms, s, m, h)"),
    ("duration", "x.yaml: --set duration: no '='; write path=value, such as replication.timestamps=hlc or workload.0.rate=50/s"),
    ("tables.0.keys=[1", "x.yaml: --set tables.0.keys=[1: the value '[1' is not valid YAML: while parsing a flow sequence, expected ',' or ']'"),
    ("faults.0.partition.between.1=eu-west-9", "x.yaml: --set faults.0.partition.between.1=eu-west-9: faults[0].partition.between[1]: unknown region 'eu-west-9'; regions are us-east-1, eu-west-1, ap-southeast-1"),
    ("faults.2.isolate.at=6m", "x.yaml: --set faults.2.isolate.at=6m: faults[2].isolate.at: starts at 6m, not before the end of the run (duration 5m); a fault must start before the run's duration ends"),
    ("replication.witness=us-east-1", "x.yaml: --set replication.witness=us-east-1: replication.witness: belongs to mode strong; this scenario's mode is active_active"),
];

/// Large inputs stay linear: many tables, faults, list items, a long scalar.
#[test]
fn large_inputs_load_quickly() {
    let head = "name: big\nduration: 1h\nregions: [{name: a}, {name: b}]\nnetwork: {default: 1ms}\nworkload: [{table: t0, rate: 1, writes: 0.5}]\n";
    let mut text = String::from(head);
    text.push_str("tables:\n");
    for i in 0..50_000 {
        text.push_str(&format!("  - {{name: t{i}, kind: item, keys: 1}}\n"));
    }
    text.push_str("faults:\n");
    for i in 0..50_000u64 {
        let region = if i % 2 == 0 { "a" } else { "b" };
        text.push_str(&format!(
            "  - outage: {{region: {region}, at: {}ms, for: 1ms, clients: reroute}}\n",
            i * 2
        ));
    }
    let start = std::time::Instant::now();
    let s = load(&text, &[]).unwrap();
    assert_eq!(s.tables.len(), 50_000);
    assert_eq!(s.faults.len(), 50_000);
    let long = format!(
        "{head}tables: [{{name: t0, kind: item, keys: 1}}]\ndescription: {}\n",
        "x".repeat(2_000_000)
    );
    assert_eq!(load(&long, &[]).unwrap().description.len(), 2_000_000);
    let wide = format!(
        "{head}tables: [{}]\n",
        "{name: t0, kind: item, keys: 1}, ".repeat(100_000)
    );
    assert!(load(&wide, &[])
        .unwrap_err()
        .contains("duplicate table name"));
    eprintln!("large inputs: {:?}", start.elapsed());
}
