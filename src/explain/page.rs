//! The explain view as HTML: `explain.html` (a page of its own) and the
//! section the run's `report.html` carries.
//!
//! Self-contained: the diagram is inline SVG, the style and the small
//! script are inline, nothing is fetched. The script only highlights:
//! hovering or clicking a write shows its chain of parents and every
//! arrow of those writes (where each was installed or rejected), and
//! dims the rest; Escape or a click on the background clears it.

use std::fmt::Write as _;

use super::narrate::paragraphs;
use super::svg::{self, esc};
use super::Story;

/// The view's stylesheet (scoped to `.explain-view`).
pub const CSS: &str = "\
.explain-view svg{max-width:100%;height:auto;border:1px solid #dee2e6;border-radius:4px;background:#fff}
.explain-view .write{cursor:pointer}
.explain-view svg.focus .write,.explain-view svg.focus .arrow,.explain-view svg.focus .forward{opacity:.15}
.explain-view svg.focus .hl{opacity:1}
.explain-view .narration p{max-width:60em;line-height:1.45}
";

/// The highlighting script: plain DOM, no library.
pub const SCRIPT: &str = r#"(function(){
document.querySelectorAll('.explain-view svg.explain').forEach(function(svg){
  var byId={};
  svg.querySelectorAll('.write').forEach(function(g){byId[g.getAttribute('data-id')]=g;});
  function clear(){svg.classList.remove('focus');svg.querySelectorAll('.hl').forEach(function(e){e.classList.remove('hl');});}
  function show(id){
    clear();svg.classList.add('focus');
    var chain={};var at=id;
    while(at&&byId[at]&&!chain[at]){chain[at]=true;at=byId[at].getAttribute('data-parent');}
    Object.keys(chain).forEach(function(c){
      byId[c].classList.add('hl');
      svg.querySelectorAll('[data-write="'+c+'"]').forEach(function(e){e.classList.add('hl');});
    });
  }
  Object.keys(byId).forEach(function(id){
    var g=byId[id];
    g.addEventListener('mouseenter',function(){show(id);});
    g.addEventListener('focus',function(){show(id);});
    g.addEventListener('click',function(e){e.stopPropagation();show(id);});
  });
  svg.addEventListener('mouseleave',clear);
  svg.addEventListener('click',clear);
  document.addEventListener('keydown',function(e){if(e.key==='Escape'){clear();}});
});
})();
"#;

/// The view's body: heading, diagram and narration (no script).
pub fn section(st: &Story, heading: &str) -> String {
    let mut h = String::with_capacity(32 * 1024);
    let _ = writeln!(
        h,
        "<section class=\"explain-view\" id=\"explain\">\n<h2>{}</h2>",
        esc(heading)
    );
    let _ = writeln!(
        h,
        "<p>Key {} of table <code>{}</code>, {} to {}: one lane per region, true time to scale. \
         Hover or click a write to follow its parents and where each arrived. \
         Reproduce with <code>replisim explain {} --key {}/{}</code>.</p>",
        st.key,
        esc(&st.table),
        super::narrate::secs(st.from_ns),
        super::narrate::secs(st.to_ns),
        esc(&st.scenario),
        esc(&st.table),
        st.key
    );
    // Inline in HTML the SVG needs no namespace (and the page then names
    // no outside address at all).
    h.push_str(&svg::render(st).replacen(" xmlns=\"http://www.w3.org/2000/svg\"", "", 1));
    h.push_str("<div class=\"narration\">\n");
    for p in paragraphs(st) {
        let _ = writeln!(h, "<p>{}</p>", esc(&p));
    }
    h.push_str("</div>\n</section>\n");
    h
}

/// `explain.html`: the view as a page of its own.
pub fn document(st: &Story) -> String {
    let mut h = String::with_capacity(48 * 1024);
    h.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    h.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    let _ = writeln!(
        h,
        "<title>{} · {} key {} · replisim explain</title>",
        esc(&st.scenario),
        esc(&st.table),
        st.key
    );
    h.push_str("<style>\nbody{font-family:Helvetica,Arial,sans-serif;margin:2em;color:#212529}\n");
    h.push_str(CSS);
    h.push_str("</style>\n</head>\n<body>\n");
    h.push_str(&section(
        st,
        &format!("{}: the story of one key", st.scenario),
    ));
    let _ = writeln!(h, "<script>\n{SCRIPT}</script>");
    h.push_str("</body>\n</html>\n");
    h
}

/// The explain view inside a run's `report.html`: the section with its
/// own style and script, for the most instructive key of `trace`; or,
/// without a trace, a note saying how to get one.
pub fn report_section(
    scenario: &crate::scenario::Scenario,
    trace: Option<&crate::metrics::result::Trace>,
) -> String {
    let story = trace.map(|t| super::story(scenario, t, &super::Request::default()));
    match story {
        Some(Ok(st)) => format!(
            "<style>\n{CSS}</style>\n{}<script>\n{SCRIPT}</script>\n",
            section(&st, "The story of one key")
        ),
        Some(Err(e)) => format!(
            "<section class=\"explain-view\" id=\"explain\">\n<h2>The story of one key</h2>\n<p>{}</p>\n</section>\n",
            esc(e.message())
        ),
        None => format!(
            "<section class=\"explain-view\" id=\"explain\">\n<h2>The story of one key</h2>\n\
             <p>This run was too large to keep a trace by default. Run it with <code>--trace</code>, \
             or <code>replisim explain {}</code>, for the story of its most instructive key, write by write.</p>\n</section>\n",
            esc(&scenario.name)
        ),
    }
}

/// The same key under each mode, side by side, for the compare report:
/// one column per mode with its diagram and narration. The key and the
/// window are those of the first mode's most instructive key, so the
/// columns tell the same writes' stories.
pub fn modes_section(
    runs: &[(
        &str,
        &crate::scenario::Scenario,
        &crate::metrics::result::Trace,
    )],
) -> String {
    let mut h = String::with_capacity(96 * 1024);
    h.push_str("<style>\n");
    h.push_str(CSS);
    h.push_str(
        ".explain-modes{display:grid;grid-template-columns:repeat(auto-fit,minmax(26em,1fr));gap:1.5em}\n",
    );
    h.push_str("</style>\n<section class=\"explain-view\" id=\"explain-modes\">\n");
    h.push_str("<h2>The same key under each mode</h2>\n");
    let Some((_, first_scenario, first_trace)) = runs.first() else {
        h.push_str("</section>\n");
        return h;
    };
    let first = match super::story(first_scenario, first_trace, &super::Request::default()) {
        Ok(st) => st,
        Err(e) => {
            let _ = writeln!(h, "<p>{}</p>\n</section>", esc(e.message()));
            return h;
        }
    };
    let request = super::Request {
        key: Some(format!("{}/{}", first.table, first.key)),
        from_ns: Some(first.from_ns),
        to_ns: Some(first.to_ns),
        write: None,
    };
    let _ = writeln!(
        h,
        "<p>Key {} of table <code>{}</code>, {} to {}, as each design handled the same \
         client operations. Hover or click a write to follow its parents.</p>\n\
         <div class=\"explain-modes\">",
        first.key,
        esc(&first.table),
        super::narrate::secs(first.from_ns),
        super::narrate::secs(first.to_ns)
    );
    for (mode, scenario, trace) in runs {
        let _ = writeln!(h, "<div class=\"explain-mode\">\n<h3>{}</h3>", esc(mode));
        match super::story(scenario, trace, &request) {
            Ok(st) => {
                h.push_str(&svg::render(&st).replacen(
                    " xmlns=\"http://www.w3.org/2000/svg\"",
                    "",
                    1,
                ));
                h.push_str("<div class=\"narration\">\n");
                for p in paragraphs(&st) {
                    let _ = writeln!(h, "<p>{}</p>", esc(&p));
                }
                h.push_str("</div>\n");
            }
            Err(e) => {
                let _ = writeln!(h, "<p>{}</p>", esc(e.message()));
            }
        }
        h.push_str("</div>\n");
    }
    h.push_str("</div>\n</section>\n");
    let _ = writeln!(h, "<script>\n{SCRIPT}</script>");
    h
}

/// `report` with `view` inserted before the end of its main part (or of
/// its body).
pub fn insert_into_report(report: String, view: &str) -> String {
    let at = report
        .rfind("</main>")
        .or_else(|| report.rfind("</body>"))
        .unwrap_or(report.len());
    let mut out = String::with_capacity(report.len() + view.len());
    out.push_str(&report[..at]);
    out.push_str(view);
    out.push_str(&report[at..]);
    out
}
