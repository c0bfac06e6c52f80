//! The self-contained `report.html` of a run.
//!
//! One file that opens anywhere without a network: the CSS is inline, SVG
//! charts are inlined, PNG charts are embedded as base64 data URIs, and no
//! URL, font or script is fetched. Builds a string only (the output module
//! writes it) and holds no clock reading or random id, so the same inputs
//! give the same bytes.

use std::fmt::Write as _;

use crate::metrics::result::{FaultWindow, RunResult};
use crate::report::charts::{time_extent, Chart, ChartFormat};
use crate::report::format::{count, duration, percent, plain, TimeUnit};
use crate::report::terminal::{fault_cells, fault_units};
use crate::report::words;
use crate::scenario::{Mode, Scenario};

/// Everything the report shows.
pub struct ReportInput<'a> {
    pub scenario: &'a Scenario,
    pub result: &'a RunResult,
    /// The scenario with every default filled in, as YAML.
    pub resolved_yaml: &'a str,
    /// The command line that reproduces the run.
    pub command: &'a str,
    /// The charts to show, in order: SVG inlined, PNG as data URIs.
    pub charts: &'a [Chart],
}

/// The start of a report page, up to the opening `<body>`: `title` (to be
/// escaped here) and the shared stylesheet followed by the page's own.
pub(crate) fn document_start(h: &mut String, title: &str, css: &str) {
    h.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    h.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    let _ = writeln!(h, "<title>{}</title>", esc(title));
    h.push_str("<style>\n");
    h.push_str(BASE_CSS);
    h.push_str(css);
    h.push_str("</style>\n</head>\n<body>\n");
}

/// Renders the whole report as one HTML document.
pub fn render_report(input: &ReportInput) -> String {
    let s = input.scenario;
    let sum = &input.result.summary;
    let name = if s.name.is_empty() {
        sum.scenario.as_str()
    } else {
        s.name.as_str()
    };
    let mut h = String::with_capacity(64 * 1024);
    document_start(&mut h, &format!("{name} · replisim report"), CSS);

    header(&mut h, input, name);
    h.push_str("<main class=\"wrap\">\n");
    reproduce(&mut h, input);
    summary(&mut h, input);
    faults(&mut h, input);
    charts(&mut h, input.charts, input.result);
    streams(&mut h, input.result);
    regions(&mut h, input);
    crate::report::theory::theory(input.scenario, input.result).html(&mut h);
    parameters(&mut h, input);
    h.push_str("</main>\n");
    let _ = writeln!(
        h,
        "<footer class=\"wrap\">Made by replisim {} from scenario <code>{}</code>, seed {}. \
         The same scenario and seed give identical figures on every run.</footer>",
        esc(env!("CARGO_PKG_VERSION")),
        esc(name),
        s.seed
    );
    h.push_str("</body>\n</html>\n");
    h
}

fn header(h: &mut String, input: &ReportInput, name: &str) {
    let s = input.scenario;
    let sum = &input.result.summary;
    h.push_str("<header class=\"masthead\"><div class=\"wrap\">\n");
    h.push_str("<p class=\"kicker\">replisim · simulation report</p>\n");
    let _ = writeln!(h, "<h1>{}</h1>", esc(name));
    if !s.description.trim().is_empty() {
        let _ = writeln!(h, "<p class=\"lede\">{}</p>", esc(s.description.trim()));
    }
    let regions: Vec<&str> = s.region_names();
    let facts: [(&str, String); 6] = [
        ("mode", s.replication.mode.name().to_string()),
        ("timestamps", s.replication.timestamps.name().to_string()),
        ("seed", s.seed.to_string()),
        (
            "duration",
            format!("{} s", plain(sum.duration_s.max(secs(s.duration_ns)), 3)),
        ),
        ("regions", regions.join(", ")),
        (
            "converged",
            if sum.converged {
                format!("yes, in {}", duration(sum.convergence_ms))
            } else {
                "no".to_string()
            },
        ),
    ];
    h.push_str("<dl class=\"facts\">\n");
    for (k, v) in facts {
        let _ = writeln!(h, "<div><dt>{}</dt><dd>{}</dd></div>", esc(k), esc(&v));
    }
    h.push_str("</dl>\n");
    h.push_str("<nav class=\"toc\" aria-label=\"sections\">");
    for (id, label) in [
        ("reproduce", "Reproduce"),
        ("summary", "Summary"),
        ("faults", "Faults"),
        ("charts", "Charts"),
        ("streams", "Streams"),
        ("regions", "Regions"),
        ("parameters", "Parameters"),
    ] {
        let _ = write!(h, "<a href=\"#{id}\">{label}</a>");
    }
    h.push_str("</nav>\n</div></header>\n");
}

fn reproduce(h: &mut String, input: &ReportInput) {
    h.push_str("<section id=\"reproduce\" class=\"reproduce\">\n<h2>Reproduce this run</h2>\n");
    let _ = writeln!(
        h,
        "<pre class=\"command\"><code>{}</code></pre>",
        esc(input.command)
    );
    let _ = writeln!(
        h,
        "<p class=\"note\">Seed {}. Every random choice comes from this one seed, so the command \
         above gives byte-identical CSV files, charts and report.</p>",
        input.scenario.seed
    );
    h.push_str("</section>\n");
}

/// One row of the summary table: the CSV column, its value, what it means.
struct Metric {
    key: &'static str,
    value: String,
    meaning: String,
}

fn metric(key: &'static str, value: String, meaning: impl Into<String>) -> Metric {
    Metric {
        key,
        value,
        meaning: meaning.into(),
    }
}

fn summary(h: &mut String, input: &ReportInput) {
    let sum = &input.result.summary;
    let x = &sum.mode_extras;
    h.push_str("<section id=\"summary\">\n<h2>Summary</h2>\n<div class=\"cards\">\n");
    let cards: [(&str, String, String, bool); 5] = [
        (
            "lost writes",
            count(sum.lost_writes),
            format!("{} of writes", percent(sum.lost_write_rate)),
            sum.lost_writes > 0,
        ),
        (
            "conflicts",
            count(sum.conflicts),
            "writers that did not see each other".to_string(),
            sum.conflicts > 0,
        ),
        (
            "stale reads",
            count(sum.stale_reads),
            format!("{} of reads", percent(sum.stale_read_rate)),
            sum.stale_reads > 0,
        ),
        (
            "replication lag p99",
            duration(sum.lag_p99_ms),
            format!("median {}", duration(sum.lag_p50_ms)),
            false,
        ),
        (
            "convergence",
            if sum.converged {
                duration(sum.convergence_ms)
            } else {
                "not converged".to_string()
            },
            if sum.converged {
                "after workload and faults ended".to_string()
            } else {
                format!("{} writes undelivered", count(sum.undelivered))
            },
            !sum.converged,
        ),
    ];
    for (label, value, sub, alert) in cards {
        let _ = writeln!(
            h,
            "<div class=\"card{}\"><div class=\"card-label\">{}</div><div class=\"card-value\">{}</div><div class=\"card-sub\">{}</div></div>",
            if alert { " alert" } else { "" },
            esc(label),
            esc(&value),
            esc(&sub)
        );
    }
    h.push_str("</div>\n");

    let mut rows = vec![
        metric("writes", count(sum.writes), "Client writes issued, in all regions together."),
        metric("reads", count(sum.reads), "Client reads served, in all regions together."),
        metric(
            "lost_writes",
            format!("{} ({})", count(sum.lost_writes), percent(sum.lost_write_rate)),
            format!(
                "Writes whose effect is gone: neither the final version of their key nor an ancestor of it. {}",
                words::loss_sentence(sum)
            ),
        ),
        metric(
            "conflicts",
            count(sum.conflicts),
            "Each time a second (third, …) write was built on the same parent version: two writers that did not see each other.",
        ),
        metric(
            "causal_inversions",
            count(sum.causal_inversions),
            "Writes acknowledged but not visible in their own region, because an older version there carried a later timestamp (clock skew).",
        ),
    ];
    if sum.increments > 0 || sum.lost_increments > 0 {
        rows.push(metric(
            "increments",
            count(sum.increments),
            "Counter increments issued (each reads the local value and writes value + 1).",
        ));
        rows.push(metric(
            "lost_increments",
            count(sum.lost_increments),
            "Increments issued minus the sum of the final counter values; equals the lost increment writes.",
        ));
    }
    rows.extend([
        metric(
            "stale_reads",
            format!("{} ({})", count(sum.stale_reads), percent(sum.stale_read_rate)),
            "Reads that returned neither the latest write to their key issued anywhere before the read, nor a descendant of it.",
        ),
        metric(
            "staleness_p50_ms / p99",
            format!("{} / {}", duration(sum.staleness_p50_ms), duration(sum.staleness_p99_ms)),
            "How far behind a stale read was: its time minus the issue time of the latest write it missed.",
        ),
        metric(
            "lag_p50_ms / p99 / max",
            format!(
                "{} / {} / {}",
                duration(sum.lag_p50_ms),
                duration(sum.lag_p99_ms),
                duration(sum.lag_max_ms)
            ),
            "Replication lag: arrival time minus issue time, for every write and every other region.",
        ),
        metric(
            "max_backlog",
            count(sum.max_backlog),
            "The most messages ever queued on one replication stream.",
        ),
        metric(
            "converged",
            if sum.converged { "yes" } else { "no" }.to_string(),
            "Whether every region held the same version of every key once all streams were empty.",
        ),
        metric(
            "convergence_ms",
            duration(sum.convergence_ms),
            "From the later of workload end and last fault end to the last arrival that changed a region's state.",
        ),
    ]);
    if sum.failed_writes > 0 || sum.failed_reads > 0 {
        rows.push(metric(
            "failed_writes / reads",
            format!("{} / {}", count(sum.failed_writes), count(sum.failed_reads)),
            "Operations refused because their region was down and its clients fail.",
        ));
    }
    if sum.rerouted_ops > 0 {
        rows.push(metric(
            "rerouted_ops",
            count(sum.rerouted_ops),
            "Operations served by the nearest healthy region while their own was down.",
        ));
    }
    if sum.undelivered > 0 {
        rows.push(metric(
            "undelivered",
            count(sum.undelivered),
            "Writes still in flight when the drain limit stopped the run.",
        ));
    }
    match input.scenario.replication.mode {
        Mode::SinglePrimary(_) => rows.extend([
            metric(
                "rejected_writes",
                count(x.rejected_writes),
                "Writes refused: at a secondary without forwarding, or while there was no writable primary.",
            ),
            metric(
                "forwarded_writes",
                count(x.forwarded_writes),
                "Writes a secondary forwarded to the primary.",
            ),
            metric(
                "write_latency_p50_ms / p99",
                format!(
                    "{} / {}",
                    duration(x.write_latency_p50_ms),
                    duration(x.write_latency_p99_ms)
                ),
                "Time from a client's write to its acknowledgement.",
            ),
        ]),
        Mode::Strong(_) => rows.extend([
            metric(
                "write_conflict_errors",
                count(x.write_conflict_errors),
                "Conflicting writes that failed with an error instead of vanishing.",
            ),
            metric(
                "unavailable_writes",
                count(x.unavailable_writes),
                "Writes that failed because no second region could acknowledge them.",
            ),
            metric(
                "write_latency_p50_ms / p99",
                format!(
                    "{} / {}",
                    duration(x.write_latency_p50_ms),
                    duration(x.write_latency_p99_ms)
                ),
                "Time from a client's write to its acknowledgement by a second region.",
            ),
        ]),
        Mode::ActiveActive => {}
    }
    if let Some(cause) = words::downtime_cause(x) {
        rows.push(metric(
            "failover_ms",
            duration(x.failover_ms),
            format!("Write downtime ({cause}): how long writes had no writable primary."),
        ));
    }
    if words::had_failover(x) {
        rows.push(metric(
            "rpo_lost_writes",
            count(x.rpo_lost_writes),
            "Acknowledged writes the promoted secondary never received (RPO).",
        ));
        rows.push(metric(
            "rpo_window_ms",
            duration(x.rpo_window_ms),
            "The span of those writes' commit times at the old primary.",
        ));
    }
    causes(h, sum);
    h.push_str("<table class=\"metrics\">\n<thead><tr><th>metric</th><th class=\"num\">value</th><th>what it means</th></tr></thead>\n<tbody>\n");
    for m in rows {
        let _ = writeln!(
            h,
            "<tr><td><code>{}</code></td><td class=\"num\">{}</td><td>{}</td></tr>",
            esc(m.key),
            esc(&m.value),
            esc(&m.meaning)
        );
    }
    h.push_str("</tbody>\n</table>\n</section>\n");
}

/// The causes of the lost writes, with their shares (nothing when none
/// was lost).
fn causes(h: &mut String, sum: &crate::metrics::result::Summary) {
    let causes = words::loss_causes(sum);
    if causes.is_empty() {
        return;
    }
    h.push_str("<table class=\"causes\">\n<thead><tr><th>lost writes by cause</th><th class=\"num\">lost</th><th class=\"num\">share</th></tr></thead>\n<tbody>\n");
    for c in &causes {
        let _ = writeln!(
            h,
            "<tr><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
            esc(c.label),
            count(c.count),
            percent(c.count as f64 / sum.lost_writes as f64)
        );
    }
    h.push_str("</tbody>\n</table>\n");
}

fn faults(h: &mut String, input: &ReportInput) {
    let r = input.result;
    h.push_str("<section id=\"faults\">\n<h2>Fault timeline</h2>\n");
    let span = time_extent(r);
    let workload_end = r.summary.duration_s.max(secs(input.scenario.duration_ns));
    let left = |t: f64| (t / span * 100.0).clamp(0.0, 100.0);
    h.push_str("<div class=\"timeline\">\n");
    let _ = writeln!(
        h,
        "<div class=\"tl-row\"><div class=\"tl-label\">workload</div><div class=\"tl-track\"><div class=\"tl-bar workload\" style=\"left:0%;width:{:.3}%\"></div></div></div>",
        left(workload_end)
    );
    for f in &r.faults {
        let start = left(f.start_s);
        let end = left(f.end_s.unwrap_or(span));
        let label = fault_label(f);
        // One colour per kind, as in the charts' fault lane.
        let kind_class = kind_class(&f.kind);
        let bar = if f.end_s == Some(f.start_s) {
            format!(
                "<div class=\"tl-mark {kind_class}\" style=\"left:{start:.3}%\" title=\"{}\"></div>",
                esc(&label)
            )
        } else {
            format!(
                "<div class=\"tl-bar {kind_class}{}\" style=\"left:{start:.3}%;width:{:.3}%\" title=\"{}\"></div>",
                if f.end_s.is_none() { " open" } else { "" },
                (end - start).max(0.4),
                esc(&label)
            )
        };
        let _ = writeln!(
            h,
            "<div class=\"tl-row\"><div class=\"tl-label\">{}</div><div class=\"tl-track\">{bar}</div></div>",
            esc(&label)
        );
    }
    // The steps the mode took on its own: a failure detected, a promotion,
    // a switchover completed.
    for step in &r.summary.mode_extras.steps {
        if step.kind == "switchover_start" {
            continue;
        }
        let _ = writeln!(
            h,
            "<div class=\"tl-row\"><div class=\"tl-label\">{}</div><div class=\"tl-track\"><div class=\"tl-mark {}\" style=\"left:{:.3}%\" title=\"{}\"></div></div></div>",
            esc(&step.label),
            kind_class(step.kind),
            left(step.at_s),
            esc(&step.label)
        );
    }
    // An axis with round ticks in seconds (whole minutes where the span
    // allows).
    h.push_str("<div class=\"tl-row tl-axis\"><div class=\"tl-label\">time (s)</div><div class=\"tl-track\">");
    for t in crate::report::ticks::time_ticks(span, 6) {
        let _ = write!(
            h,
            "<span class=\"tl-tick\" style=\"left:{:.3}%\">{}</span>",
            left(t),
            esc(&plain(t, 3))
        );
    }
    h.push_str("</div></div>\n</div>\n");
    if r.faults.is_empty() {
        h.push_str(
            "<p class=\"note\">No faults in this scenario: every link and region stayed up.</p>\n",
        );
    } else {
        let units = fault_units(&r.fault_rows);
        let _ = write!(
            h,
            "<table class=\"fault-figures\">\n<thead><tr><th>fault</th><th>kind</th><th class=\"num\">start (s)</th><th class=\"num\">end (s)</th><th class=\"num\">length (s)</th><th class=\"num\">writes</th><th class=\"num\">lost writes</th><th class=\"num\">stale reads</th><th class=\"num\">max backlog</th><th class=\"num\">catch-up ({})</th><th class=\"num\">drain ({})</th></tr></thead>\n<tbody>\n",
            units.0.name(),
            units.1.name()
        );
        for (i, f) in r.faults.iter().enumerate() {
            let (end, length) = match f.end_s {
                Some(e) if e == f.start_s => ("—".to_string(), "instant".to_string()),
                Some(e) => (plain(e, 3), plain(e - f.start_s, 3)),
                None => ("never".to_string(), "—".to_string()),
            };
            let _ = write!(
                h,
                "<tr><td>{}</td><td><code>{}</code></td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>",
                esc(&fault_label(f)),
                esc(&f.kind),
                esc(&plain(f.start_s, 3)),
                esc(&end),
                esc(&length)
            );
            let figures = r
                .fault_rows
                .get(i)
                .map(|f| fault_cells(f, "—", units))
                .unwrap_or_default();
            for cell in figures {
                let _ = write!(h, "<td class=\"num\">{}</td>", esc(&cell));
            }
            h.push_str("</tr>\n");
        }
        h.push_str("</tbody>\n</table>\n");
        h.push_str("<p class=\"note\">Writes, lost writes and stale reads count operations issued during the fault, in every region. <b>Catch-up</b>: from the fault's end until every write issued before it had arrived everywhere it was bound for. <b>Drain</b>: from the end until every stream the fault held up had sent its backlog and first gone idle. — where a figure does not apply; ≥ where the run ended first.</p>\n");
    }
    h.push_str("</section>\n");
}

/// The CSS class of a kind of fault or step (its colour).
fn kind_class(kind: &str) -> &'static str {
    match kind {
        "partition" => "k-partition",
        "isolate" => "k-isolate",
        "outage" => "k-outage",
        "clock_step" => "k-clock",
        "switchover" | "switchover_start" | "switchover_done" => "k-switchover",
        "detect" => "k-detect",
        "promote" => "k-promote",
        _ => "k-other",
    }
}

fn fault_label(f: &FaultWindow) -> String {
    if f.label.is_empty() {
        f.kind.replace('_', " ")
    } else {
        f.label.clone()
    }
}

fn charts(h: &mut String, charts: &[Chart], result: &RunResult) {
    // The chart draws its own title; the caption, computed from the run,
    // says what to look for.
    chart_section(h, charts, "run", |c, stem| {
        c.kind().map(|k| k.caption(result)).or_else(|| {
            (stem == super::charts::visibility::FILE_STEM)
                .then(|| super::charts::visibility::CAPTION.to_string())
        })
    });
}

/// The charts section of a report: one figure per chart, inline SVG or a
/// PNG data URI, captioned by `caption(chart, file stem)` (its title when
/// that gives nothing). `what` names the report in the no-charts note.
pub(crate) fn chart_section<'c>(
    h: &mut String,
    charts: &'c [Chart],
    what: &str,
    caption: impl Fn(&'c Chart, &'c str) -> Option<String>,
) {
    h.push_str("<section id=\"charts\">\n<h2>Charts</h2>\n");
    if charts.is_empty() {
        let _ = writeln!(
            h,
            "<p class=\"note\">Charts were not drawn for this {what} (<code>--no-charts</code>).</p>"
        );
    }
    for c in charts {
        let stem = c
            .file_name
            .rsplit_once('.')
            .map_or(c.file_name.as_str(), |p| p.0);
        let _ = writeln!(h, "<figure class=\"chart\" id=\"chart-{}\">", esc(stem));
        let text = caption(c, stem).unwrap_or_else(|| c.title.clone());
        let _ = writeln!(h, "<figcaption>{}</figcaption>", esc(&text));
        match c.format() {
            ChartFormat::Svg => {
                let svg = String::from_utf8_lossy(&c.bytes);
                h.push_str(&inline_svg(&svg, &c.title));
            }
            ChartFormat::Png => {
                let _ = write!(
                    h,
                    "<img alt=\"{}\" src=\"data:image/png;base64,{}\">",
                    esc(&c.title),
                    base64(&c.bytes)
                );
            }
        }
        let _ = writeln!(
            h,
            "\n<p class=\"file\">charts/{}</p>\n</figure>",
            esc(&c.file_name)
        );
    }
    h.push_str("</section>\n");
}

/// Makes a standalone SVG document fit for inlining: drops the XML
/// declaration and the namespace (HTML needs neither), and the fixed size,
/// so CSS scales it through its view box.
fn inline_svg(svg: &str, title: &str) -> String {
    let svg = svg.trim_start();
    let svg = match svg.strip_prefix("<?xml") {
        Some(rest) => rest.split_once("?>").map_or(rest, |p| p.1).trim_start(),
        None => svg,
    };
    let Some(open_end) = svg.find('>') else {
        return String::new();
    };
    let (open, rest) = svg.split_at(open_end);
    let mut tag = String::from("<svg");
    // Keep only the view box of the opening tag.
    if let Some(p) = open.find("viewBox=\"") {
        let v = &open[p + 9..];
        if let Some(q) = v.find('"') {
            let _ = write!(tag, " viewBox=\"{}\"", &v[..q]);
        }
    }
    let _ = write!(tag, " role=\"img\" aria-label=\"{}\"", esc(title));
    format!("{tag}{}", rest.trim_end())
}

fn streams(h: &mut String, r: &RunResult) {
    h.push_str("<section id=\"streams\">\n<h2>Streams</h2>\n");
    h.push_str("<p class=\"note\">One row per replication stream (origin → destination). Lag is arrival time minus issue time.</p>\n");
    if r.links.is_empty() {
        h.push_str("<p class=\"note\">No stream carried any traffic.</p>\n</section>\n");
        return;
    }
    let fit =
        |get: fn(&crate::metrics::result::LinkRow) -> f64| TimeUnit::fit(r.links.iter().map(get));
    let units = [
        fit(|l| l.lag_p50_ms),
        fit(|l| l.lag_p90_ms),
        fit(|l| l.lag_p99_ms),
        fit(|l| l.lag_max_ms),
    ];
    h.push_str("<table>\n<thead><tr><th>from</th><th>to</th><th class=\"num\">deliveries</th>");
    for (name, unit) in ["p50", "p90", "p99", "max"].iter().zip(units) {
        let _ = write!(h, "<th class=\"num\">lag {name} ({})</th>", unit.name());
    }
    h.push_str("<th class=\"num\">max backlog</th></tr></thead>\n<tbody>\n");
    for l in &r.links {
        let _ = writeln!(
            h,
            "<tr><td>{}</td><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
            esc(&l.from),
            esc(&l.to),
            count(l.deliveries),
            units[0].number(l.lag_p50_ms),
            units[1].number(l.lag_p90_ms),
            units[2].number(l.lag_p99_ms),
            units[3].number(l.lag_max_ms),
            count(l.max_backlog)
        );
    }
    h.push_str("</tbody>\n</table>\n</section>\n");
}

fn regions(h: &mut String, input: &ReportInput) {
    let r = input.result;
    let latency = !matches!(input.scenario.replication.mode, Mode::ActiveActive);
    h.push_str("<section id=\"regions\">\n<h2>Regions</h2>\n");
    if r.regions.is_empty() {
        h.push_str("<p class=\"note\">No region figures were recorded.</p>\n</section>\n");
        return;
    }
    h.push_str("<table>\n<thead><tr><th>region</th><th class=\"num\">writes</th><th class=\"num\">reads</th><th class=\"num\">lost writes</th><th class=\"num\">stale reads</th><th class=\"num\">failed ops</th>");
    let p50 = TimeUnit::fit(r.regions.iter().map(|g| g.write_latency_p50_ms));
    let p99 = TimeUnit::fit(r.regions.iter().map(|g| g.write_latency_p99_ms));
    if latency {
        let _ = write!(
            h,
            "<th class=\"num\">write latency p50 ({})</th><th class=\"num\">write latency p99 ({})</th>",
            p50.name(),
            p99.name()
        );
    }
    h.push_str("</tr></thead>\n<tbody>\n");
    for g in &r.regions {
        let lost = count_and_share(g.lost_writes, g.writes);
        let stale = count_and_share(g.stale_reads, g.reads);
        let _ = write!(
            h,
            "<tr><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{lost}</td><td class=\"num\">{stale}</td><td class=\"num\">{}</td>",
            esc(&g.region),
            count(g.writes),
            count(g.reads),
            count(g.failed_ops)
        );
        if latency {
            let _ = write!(
                h,
                "<td class=\"num\">{}</td><td class=\"num\">{}</td>",
                p50.number(g.write_latency_p50_ms),
                p99.number(g.write_latency_p99_ms)
            );
        }
        h.push_str("</tr>\n");
    }
    h.push_str("</tbody>\n</table>\n</section>\n");
}

fn parameters(h: &mut String, input: &ReportInput) {
    h.push_str("<section id=\"parameters\">\n<h2>Resolved parameters</h2>\n");
    let _ = writeln!(
        h,
        "<p class=\"note\">The scenario as it ran, with every default filled in. Seed: <strong>{}</strong>.</p>",
        input.scenario.seed
    );
    let _ = writeln!(
        h,
        "<pre class=\"yaml\"><code>{}</code></pre>",
        esc(input.resolved_yaml.trim_end())
    );
    h.push_str("</section>\n");
}

fn secs(ns: u64) -> f64 {
    ns as f64 / 1e9
}

/// Escapes text for HTML content and attribute values.
pub(crate) fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// A count, with its share of `of` beside it when there is one.
fn count_and_share(n: u64, of: u64) -> String {
    if of == 0 {
        return count(n);
    }
    format!(
        "{} <span class=\"dim\">({})</span>",
        count(n),
        percent(n as f64 / of as f64)
    )
}

/// Standard base64 with padding.
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for k in 0..4 {
            if k <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * k)) as usize & 63] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// The look both reports share: page, header, sections, tables, charts.
pub(crate) const BASE_CSS: &str = r#":root {
  --ink: #1d2733;
  --muted: #5b6775;
  --line: #dde3ea;
  --soft: #f4f6f9;
  --accent: #0b5394;
  --alert: #b34700;
  --mono: ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace;
}
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body {
  margin: 0;
  color: var(--ink);
  background: #fff;
  font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", "Helvetica Neue", Arial, sans-serif;
}
.wrap { max-width: 1180px; margin: 0 auto; padding: 0 28px; }
.masthead { background: var(--soft); border-bottom: 1px solid var(--line); padding: 22px 0 0; }
.kicker { margin: 0; color: var(--accent); font-size: 12px; font-weight: 600; letter-spacing: .08em; text-transform: uppercase; }
h1 { margin: 4px 0 6px; font-size: 30px; line-height: 1.2; letter-spacing: -.01em; }
.lede { margin: 0 0 14px; max-width: 80ch; color: #33404e; font-size: 16px; }
.facts { display: flex; flex-wrap: wrap; gap: 8px 28px; margin: 0 0 16px; }
.facts div { min-width: 0; }
.facts dt { color: var(--muted); font-size: 11px; text-transform: uppercase; letter-spacing: .06em; }
.facts dd { margin: 0; font-weight: 600; }
.toc { display: flex; flex-wrap: wrap; gap: 2px; margin-top: 4px; }
.toc a { padding: 8px 12px; color: var(--accent); text-decoration: none; font-weight: 600; font-size: 14px; border-bottom: 3px solid transparent; }
.toc a:hover { border-bottom-color: var(--accent); }
section { padding: 26px 0 8px; border-bottom: 1px solid var(--line); }
section:last-child { border-bottom: 0; }
h2 { margin: 0 0 12px; font-size: 21px; }
.note { color: var(--muted); margin: 6px 0 12px; }
code, pre { font-family: var(--mono); font-size: 13px; }
pre { margin: 0; padding: 12px 14px; background: var(--soft); border: 1px solid var(--line); border-radius: 6px; overflow: auto; }
pre.command { background: #17212b; color: #e8eef5; border-color: #17212b; white-space: pre-wrap; word-break: break-all; }
.reproduce { padding-top: 20px; }
table { width: 100%; border-collapse: collapse; margin: 4px 0 16px; font-size: 14px; }
tbody tr:nth-child(even) { background: #fafbfc; }
.dim { color: var(--muted); }
figure.chart { margin: 8px 0 26px; padding: 14px 16px 10px; border: 1px solid var(--line); border-radius: 8px; }
figure.chart figcaption { margin: 0 0 6px; color: var(--muted); max-width: 95ch; }
figure.chart svg, figure.chart img { display: block; width: 100%; height: auto; }
.file { margin: 6px 0 0; color: var(--muted); font-family: var(--mono); font-size: 12px; }
footer { padding: 18px 28px 36px; color: var(--muted); font-size: 13px; }

"#;

/// What only the run report needs: summary cards, metric table, timeline.
const CSS: &str = r#"h3 { margin: 0; font-size: 17px; }
pre.yaml { max-height: 520px; line-height: 1.45; }
.cards { display: grid; grid-template-columns: repeat(5, minmax(0, 1fr)); gap: 12px; margin-bottom: 18px; }
.card { border: 1px solid var(--line); border-left: 4px solid var(--accent); border-radius: 6px; padding: 10px 14px; background: #fff; }
.card.alert { border-left-color: var(--alert); }
.card-label { color: var(--muted); font-size: 12px; text-transform: uppercase; letter-spacing: .05em; }
.card-value { font-size: 24px; font-weight: 700; font-variant-numeric: tabular-nums; line-height: 1.3; }
.card.alert .card-value { color: var(--alert); }
.card-sub { color: var(--muted); font-size: 13px; }
th, td { padding: 7px 10px; text-align: left; border-bottom: 1px solid var(--line); vertical-align: top; }
th { color: var(--muted); font-weight: 600; font-size: 12px; text-transform: uppercase; letter-spacing: .04em; border-bottom: 2px solid var(--line); white-space: nowrap; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
table.metrics td:first-child { white-space: nowrap; }
table.metrics td:last-child { color: #3b4756; }
.timeline { margin: 6px 0 16px; }
.tl-row { display: flex; align-items: center; min-height: 30px; }
.tl-label { flex: 0 0 270px; padding-right: 14px; font-size: 13px; color: #33404e; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.tl-track { position: relative; flex: 1 1 auto; height: 18px; background: var(--soft); border-radius: 3px; }
.tl-bar { position: absolute; top: 0; bottom: 0; border-radius: 3px; background: #8a96a3; }
.tl-bar.workload { background: #c9dcef; }
.k-partition { background: #7570b3; }
.k-isolate { background: #e7298a; }
.k-outage { background: #a50f15; }
.k-clock { background: #1b9e77; }
.k-switchover { background: #a6761d; }
.k-detect { background: #e69f00; }
.k-promote { background: #000000; }
.k-other { background: #666666; }
.tl-bar.open { border-top-right-radius: 0; border-bottom-right-radius: 0; background-image: repeating-linear-gradient(45deg, transparent 0 6px, rgba(255,255,255,.35) 6px 12px); }
.tl-mark { position: absolute; top: -4px; bottom: -4px; width: 3px; margin-left: -1px; }
.tl-axis .tl-track { background: none; height: 22px; border-top: 1px solid #9aa5b1; border-radius: 0; }
.tl-tick { position: absolute; top: 2px; transform: translateX(-50%); font-size: 12px; color: var(--muted); font-variant-numeric: tabular-nums; }
.tl-tick:first-child { transform: none; }
.tl-tick:last-child { transform: translateX(-100%); }
@media (max-width: 900px) {
  .cards { grid-template-columns: repeat(2, minmax(0, 1fr)); }
  .tl-label { flex-basis: 140px; }"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_known_values() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
        assert_eq!(base64(b"foobar"), "Zm9vYmFy");
    }

    #[test]
    fn escaping_covers_markup() {
        assert_eq!(
            esc("<a href='x'>&\"</a>"),
            "&lt;a href=&#39;x&#39;&gt;&amp;&quot;&lt;/a&gt;"
        );
    }

    #[test]
    fn numbers_read_well() {
        assert_eq!(count(1234567), "1,234,567");
        assert_eq!(count(12), "12");
        assert_eq!(plain(30.0, 3), "30");
        assert_eq!(plain(2.5, 3), "2.5");
        assert_eq!(duration(612.4), "612 ms");
        assert_eq!(duration(31_260.0), "31.3 s");
        assert_eq!(duration(35.04), "35 ms");
        assert_eq!(percent(0.0123), "1.23%");
    }

    #[test]
    fn inlined_svg_loses_namespace_and_fixed_size() {
        let svg = "<svg width=\"10\" height=\"5\" viewBox=\"0 0 10 5\" xmlns=\"http://www.w3.org/2000/svg\">\n<rect/>\n</svg>\n";
        let out = inline_svg(svg, "t");
        assert_eq!(
            out,
            "<svg viewBox=\"0 0 10 5\" role=\"img\" aria-label=\"t\">\n<rect/>\n</svg>"
        );
    }
}
