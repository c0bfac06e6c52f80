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
