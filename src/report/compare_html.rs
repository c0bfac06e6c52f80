//! The self-contained `report.html` of `replisim compare`.
//!
//! One file that opens anywhere without a network, in the look of a run's
//! report: the scenario, the command that reproduces the comparison, the
//! side-by-side table (the rows and figures of the terminal table), the
//! comparison charts inlined (SVG as is, PNG as data URIs), and links to
//! each mode's own report (`<mode>/report.html`, relative). Builds a string
//! only (the output module writes it) and holds no clock reading or random
//! id, so the same inputs give the same bytes.

use std::fmt::Write as _;

use crate::report::charts::compare::{mode_colour_hex, CompareChart};
use crate::report::charts::Chart;
use crate::report::compare::{lines, CompareRow};
use crate::report::format::{count, plain};
use crate::report::html::{chart_section, document_start, esc};
use crate::scenario::Scenario;

/// Everything the compare report shows.
pub struct CompareReportInput<'a> {
    /// The scenario as given, before it was set to each mode.
    pub scenario: &'a Scenario,
    /// One row per mode, in the order compared.
    pub rows: &'a [CompareRow<'a>],
    /// The command line that reproduces the comparison.
    pub command: &'a str,
    /// The comparison charts, in order: SVG inlined, PNG as data URIs.
    pub charts: &'a [Chart],
}

/// The report's file name in the compare folder.
pub const FILE_NAME: &str = "report.html";

/// Renders the whole compare report as one HTML document.
pub fn render_compare_report(input: &CompareReportInput) -> String {
    let s = input.scenario;
    let name = if s.name.is_empty() {
        "scenario"
    } else {
        s.name.as_str()
    };
    let mut h = String::with_capacity(256 * 1024);
    document_start(&mut h, &format!("{name} · replisim comparison"), CSS);
    header(&mut h, input, name);
    h.push_str("<main class=\"wrap\">\n");
    reproduce(&mut h, input);
    side_by_side(&mut h, input);
    charts(&mut h, input.charts);
    mode_reports(&mut h, input);
    h.push_str("</main>\n");
    let _ = writeln!(
        h,
        "<footer class=\"wrap\">Made by replisim {} from scenario <code>{}</code>, seed {}. \
         Every mode ran the same client operations at the same times; the same scenario and \
         seed give identical figures on every run.</footer>",
        esc(env!("CARGO_PKG_VERSION")),
        esc(name),
        s.seed
    );
    h.push_str("</body>\n</html>\n");
    h
}

fn header(h: &mut String, input: &CompareReportInput, name: &str) {
    let s = input.scenario;
    h.push_str("<header class=\"masthead\"><div class=\"wrap\">\n");
    h.push_str("<p class=\"kicker\">replisim · comparison report</p>\n");
    let _ = writeln!(h, "<h1>{}</h1>", esc(name));
    if !s.description.trim().is_empty() {
        let _ = writeln!(h, "<p class=\"lede\">{}</p>", esc(s.description.trim()));
    }
    let modes: Vec<&str> = input.rows.iter().map(|r| r.mode).collect();
    let facts: [(&str, String); 5] = [
        ("modes", modes.join(", ")),
        ("seed", s.seed.to_string()),
        (
            "duration",
            format!("{} s", plain(s.duration_ns as f64 / 1e9, 3)),
        ),
        ("regions", s.region_names().join(", ")),
        ("timestamps", s.replication.timestamps.name().to_string()),
    ];
    h.push_str("<dl class=\"facts\">\n");
    for (k, v) in facts {
        let _ = writeln!(h, "<div><dt>{}</dt><dd>{}</dd></div>", esc(k), esc(&v));
    }
    h.push_str("</dl>\n");
    h.push_str("<nav class=\"toc\" aria-label=\"sections\">");
    for (id, label) in [
        ("reproduce", "Reproduce"),
        ("side-by-side", "Side by side"),
        ("charts", "Charts"),
        ("modes", "Each mode"),
    ] {
        let _ = write!(h, "<a href=\"#{id}\">{label}</a>");
    }
    h.push_str("</nav>\n</div></header>\n");
}

fn reproduce(h: &mut String, input: &CompareReportInput) {
    h.push_str(
        "<section id=\"reproduce\" class=\"reproduce\">\n<h2>Reproduce this comparison</h2>\n",
    );
    let _ = writeln!(
        h,
        "<pre class=\"command\"><code>{}</code></pre>",
        esc(input.command)
    );
    let _ = writeln!(
        h,
        "<p class=\"note\">Seed {}. Each mode draws its client operations from the same random \
         streams (common random numbers), so the columns differ only by design, and the \
         command above gives byte-identical files.</p>",
        input.scenario.seed
    );
    h.push_str("</section>\n");
}

/// The real system a mode stands for.
fn real_system(mode: &str) -> &'static str {
    match mode {
        "active_active" => "DynamoDB global tables (eventual)",
        "single_primary" => "Aurora Global Database",
        "strong" => "DynamoDB multi-region strong consistency",
        _ => "",
    }
}

fn side_by_side(h: &mut String, input: &CompareReportInput) {
    let rows = input.rows;
    h.push_str("<section id=\"side-by-side\">\n<h2>Side by side</h2>\n");
    let _ = writeln!(
        h,
        "<p class=\"note\">{} compared on the same operations, seed {}. Latencies and lag in \
         milliseconds. Shaded cells are costs: writes lost, refused or failed, stale reads, \
         downtime.</p>",
        esc(&rows.iter().map(|r| r.mode).collect::<Vec<_>>().join(", ")),
        input.scenario.seed
    );
    h.push_str("<div class=\"scroll\"><table class=\"compare\">\n<colgroup><col class=\"label\">");
    for _ in rows {
        h.push_str("<col>");
    }
    h.push_str("</colgroup>\n<thead><tr><th></th>");
    for r in rows {
        let _ = write!(
            h,
            "<th class=\"mode\"><span class=\"swatch\" style=\"background:{}\"></span>{}<span class=\"system\">{}</span>",
            mode_colour_hex(r.mode),
            esc(r.mode),
            esc(real_system(r.mode))
        );
        if r.result.is_some() {
            let _ = write!(
                h,
                "<a class=\"more\" href=\"{}/{FILE_NAME}\">full report</a>",
                esc(r.mode)
            );
        } else {
            h.push_str("<span class=\"more dim\">not run</span>");
        }
        h.push_str("</th>");
    }
    h.push_str("</tr></thead>\n<tbody>\n");
    if rows
        .iter()
        .any(|r| !r.note.is_empty() || r.result.is_none())
    {
        h.push_str("<tr class=\"notrun\"><td>note</td>");
        for r in rows {
            if r.result.is_some() {
                h.push_str("<td></td>");
            } else {
                let why = if r.note.is_empty() {
                    "did not run"
                } else {
                    r.note
                };
                let _ = write!(h, "<td>not run: {}</td>", esc(why));
            }
        }
        h.push_str("</tr>\n");
    }
    for line in lines(input.scenario, input.rows) {
        let _ = write!(
            h,
            "<tr{}><td class=\"label\">{}</td>",
            if line.sub { " class=\"sub\"" } else { "" },
            esc(&line.label)
        );
        for cell in &line.cells {
            let mut class = String::from(if line.words { "words" } else { "num" });
            let text = match cell {
                Some(c) => {
                    if c.alert {
                        class.push_str(" cost");
                    }
                    c.text.as_str()
                }
                None => {
                    class.push_str(" dim");
                    "-"
                }
            };
            let _ = write!(h, "<td class=\"{class}\">{}</td>", esc(text));
        }
        h.push_str("</tr>\n");
    }
    h.push_str("</tbody>\n</table></div>\n");
    h.push_str(
        "<dl class=\"legend\">\n\
         <div><dt>lost writes</dt><dd>acknowledged writes whose effect is gone; the rows under it split them by cause \
         (a larger timestamp won, a failover's RPO, stranded in a region still down at the end)</dd></div>\n\
         <div><dt>conflicts</dt><dd>writes built on a version another write was already built on: writers that did not see each other</dd></div>\n\
         <div><dt>write conflict errors</dt><dd>strong mode: overlapping writes to one item that failed with an error instead of vanishing</dd></div>\n\
         <div><dt>rejected / unavailable writes</dt><dd>refused: by a single-primary secondary without forwarding or while there was no primary; \
         in strong mode, by a region that could reach no other</dd></div>\n\
         <div><dt>stale reads</dt><dd>reads that returned neither the latest write issued anywhere before them nor a descendant of it</dd></div>\n\
         <div><dt>RPO lost / write downtime</dt><dd>single primary: acknowledged writes a secondary promoted in a failover never received \
         (shown only when a failover happened), and how long writes had no writable primary, with its cause</dd></div>\n\
         </dl>\n",
    );
    h.push_str("</section>\n");
}

fn charts(h: &mut String, charts: &[Chart]) {
    chart_section(h, charts, "comparison", |_, stem| {
        CompareChart::ALL
            .into_iter()
            .find(|k| k.file_stem() == stem)
            .map(|k| k.caption().to_string())
    });
}

fn mode_reports(h: &mut String, input: &CompareReportInput) {
    h.push_str("<section id=\"modes\">\n<h2>Each mode in detail</h2>\n");
    h.push_str(
        "<p class=\"note\">Each mode that ran has its own result folder beside this file: CSV \
         files, the scenario as run, six charts and a full report with the fault timeline and \
         per-stream and per-region tables.</p>\n<ul class=\"modes\">\n",
    );
    for r in input.rows {
        let _ = write!(
            h,
            "<li><span class=\"swatch\" style=\"background:{}\"></span>",
            mode_colour_hex(r.mode)
        );
        match r.result {
            Some(res) => {
                let s = &res.summary;
                let _ = write!(
                    h,
                    "<a href=\"{m}/{FILE_NAME}\"><code>{m}/{FILE_NAME}</code></a> \
                     <span class=\"dim\">{} writes, {} lost, {} stale reads; files in <code>{m}/</code></span>",
                    count(s.writes),
                    count(s.lost_writes),
                    count(s.stale_reads),
                    m = esc(r.mode)
                );
            }
            None => {
                let why = if r.note.is_empty() {
                    "did not run"
                } else {
                    r.note
                };
                let _ = write!(
                    h,
                    "<code>{}</code> <span class=\"dim\">not run: {}</span>",
                    esc(r.mode),
                    esc(why)
                );
            }
        }
        h.push_str("</li>\n");
    }
    h.push_str("</ul>\n");
    h.push_str("<p class=\"note\">Every figure of every mode, one row per mode: <code>compare.csv</code>.</p>\n");
    h.push_str("</section>\n");
}

/// What only the comparison needs, on top of the run report's `BASE_CSS`.
const CSS: &str = r#".scroll { overflow-x: auto; }
th, td { padding: 7px 12px; text-align: left; border-bottom: 1px solid var(--line); vertical-align: top; }
table.compare { table-layout: fixed; min-width: 760px; }
table.compare col.label { width: 240px; }
table.compare th.mode { vertical-align: bottom; border-bottom: 2px solid var(--line); font-size: 16px; font-family: var(--mono); font-weight: 700; color: var(--ink); text-align: right; white-space: nowrap; }
table.compare th.mode .system { display: block; font-family: system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", Arial, sans-serif; font-size: 12px; font-weight: 400; color: var(--muted); white-space: normal; }
table.compare th.mode .more { display: block; font-family: system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", Arial, sans-serif; font-size: 12px; font-weight: 600; color: var(--accent); }
table.compare th.mode .more.dim { color: var(--muted); font-weight: 400; }
table.compare td.label { white-space: nowrap; color: #33404e; }
table.compare tr.sub td.label { padding-left: 30px; color: var(--muted); }
table.compare td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; font-family: var(--mono); font-size: 13px; }
table.compare td.words { text-align: right; }
table.compare td.cost { background: #fbeee4; color: var(--alert); font-weight: 600; }
table.compare tr.notrun td { background: #fff7e0; color: #6b4e00; text-align: right; }
table.compare tr.notrun td:first-child { text-align: left; font-weight: 600; }
.swatch { display: inline-block; width: 12px; height: 12px; margin-right: 8px; border-radius: 2px; vertical-align: -1px; }
dl.legend { display: grid; grid-template-columns: repeat(auto-fit, minmax(320px, 1fr)); gap: 6px 24px; margin: 0 0 16px; font-size: 13px; color: #3b4756; }
dl.legend dt { font-weight: 600; }
dl.legend dd { margin: 0; }
ul.modes { list-style: none; padding: 0; margin: 0 0 12px; }
ul.modes li { padding: 8px 0; border-bottom: 1px solid var(--line); }
ul.modes a { color: var(--accent); font-weight: 600; }
"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_and_numbers() {
        // base64 is tested beside it, in html.rs.
        assert_eq!(
            esc("<a href='x'>&\"</a>"),
            "&lt;a href=&#39;x&#39;&gt;&amp;&quot;&lt;/a&gt;"
        );
        assert_eq!(plain(480.0, 3), "480");
        assert_eq!(plain(2.5, 3), "2.5");
    }
}
