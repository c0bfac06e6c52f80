//! The narration of a story: plain words and exact figures, one paragraph
//! per decision (`explain.txt`, also printed).
//!
//! First what is on stage (the key, the window, the clocks and faults),
//! then one paragraph per write in issue order: what it was built on, its
//! timestamp, where it arrived and what each region did with it, and, for
//! a lost write, why, in the words a teacher uses (concurrent write, clock
//! behind, causal inversion, partition, failover, stranded). Then the
//! reads that returned something stale, and the end state.

use super::{Cause, Glyph, Story, Write};

/// Seconds with three decimals: `12.300 s`.
pub fn secs(ns: u64) -> String {
    format!("{:.3} s", ns as f64 / 1e9)
}

/// A signed timestamp in seconds: three decimals, or all nine when it is
/// not a whole millisecond (a hybrid logical clock's 1 ns above what it
/// saw must show).
pub fn stamp(ns: i64) -> String {
    let sign = if ns < 0 { "-" } else { "" };
    let a = ns.unsigned_abs();
    if a % 1_000_000 == 0 {
        format!("{sign}{}.{:03} s", a / 1_000_000_000, a / 1_000_000 % 1000)
    } else {
        format!("{sign}{}.{:09} s", a / 1_000_000_000, a % 1_000_000_000)
    }
}

/// A span in milliseconds: whole below a second's thousandth is shown
/// with three decimals, else rounded to the millisecond.
pub fn span_ms(ns: u64) -> String {
    let ms = ns as f64 / 1e6;
    if ms >= 10.0 {
        format!("{ms:.0} ms")
    } else {
        format!("{ms:.3} ms")
    }
}

/// A clock offset in words: `800 ms behind`, `3 ms ahead`, `exact`.
pub fn offset_words(ns: i64) -> String {
    match ns {
        0 => "exact".to_string(),
        n if n < 0 => format!("{} behind", span_ms(n.unsigned_abs())),
        n => format!("{} ahead", span_ms(n as u64)),
    }
}

fn w(id: u64) -> String {
    format!("w{id}")
}

/// The narration, one paragraph per line pair (paragraphs separated by a
/// blank line), ending in a newline.
pub fn narrate(story: &Story) -> String {
    paragraphs(story).join("\n\n") + "\n"
}

/// The narration's paragraphs, in order.
pub fn paragraphs(st: &Story) -> Vec<String> {
    let mut out = Vec::new();
    let lost: Vec<String> = st
        .writes
        .iter()
        .filter(|x| x.lost)
        .map(|x| w(x.id))
        .collect();
    out.push(format!(
        "{} ({}, {} timestamps), seed {}: {} {} of table {}, from {} to {}. {} {} shown{}, {} lost{}. The key had {} {} in the whole run, {} lost.",
        st.scenario,
        st.mode,
        st.timestamps,
        st.seed,
        if st.counter { "counter" } else { "item" },
        st.key,
        st.table,
        secs(st.from_ns),
        secs(st.to_ns),
        st.writes.len(),
        plural(st.writes.len(), "write", "writes"),
        if st.cut { " (the window was cut short)" } else { "" },
        lost.len(),
        if lost.is_empty() {
            String::new()
        } else {
            format!(" ({})", lost.join(", "))
        },
        st.key_writes,
        plural(st.key_writes, "write", "writes"),
        st.key_lost,
    ));
    let clocks: Vec<String> = st
        .clocks
        .iter()
        .enumerate()
        .filter(|(_, c)| c.offset_ns != 0 || c.end_offset_ns != 0 || !c.steps.is_empty())
        .map(|(r, c)| {
            let mut text = format!("{}'s clock is {}", st.regions[r], offset_words(c.offset_ns));
            for &(at, off) in &c.steps {
                text.push_str(&format!(", then {} from {}", offset_words(off), secs(at)));
            }
            if c.steps.is_empty() && c.end_offset_ns != c.offset_ns {
                text.push_str(&format!(
                    " ({} by {}: it drifts)",
                    offset_words(c.end_offset_ns),
                    secs(st.to_ns)
                ));
            }
            text
        })
        .collect();
    let mut setting = String::new();
    let rule = match st.mode.as_str() {
        "single_primary" => " One primary applies every write (the others forward theirs to it) and ships its log in order; a secondary applies the log as it comes.",
        "strong" => " A write is acknowledged only once a second region has it, and overlapping writes to one item fail with an error instead of vanishing.",
        _ => " Every region keeps the version with the greater timestamp (last writer wins).",
    };
    if st.timestamps == "wall" {
        if clocks.is_empty() {
            setting.push_str("Every clock is exact. ");
        } else {
            setting.push_str(&format!("Clocks: {}. ", clocks.join("; ")));
        }
        setting.push_str("Writes are stamped with their region's clock.");
    } else if st.timestamps == "hlc" {
        setting.push_str("Writes are stamped by hybrid logical clocks: never below anything their region has seen.");
        if !clocks.is_empty() {
            setting.push_str(&format!(" Clocks: {}.", clocks.join("; ")));
        }
    } else {
        setting.push_str("Writes are stamped with true time (perfect clocks).");
    }
    setting.push_str(rule);
    for f in &st.faults {
        setting.push_str(&format!(
            " A fault: {} from {} {}.",
            f.label,
            secs(f.start_ns),
            match f.end_ns {
                Some(e) => format!("to {}", secs(e)),
                None => "on, never ending".to_string(),
            }
        ));
    }
    out.push(setting);
    for x in &st.writes {
        out.push(write_paragraph(st, x));
    }
    let stale: Vec<String> = st
        .reads
        .iter()
        .filter(|r| r.stale)
        .map(|r| {
            format!(
                "{} read at {} and got {}, stale by {}: a write that beats it had been issued and had not reached {} yet",
                st.regions[r.region],
                secs(r.at_ns),
                version(r.returned),
                span_ms(r.staleness_ns.unwrap_or(0)),
                st.regions[r.region],
            )
        })
        .collect();
    let fresh = st.reads.len() - stale.len();
    if !st.reads.is_empty() {
        let mut p = String::from("Reads: ");
        if !stale.is_empty() {
            p.push_str(&stale.join("; "));
            p.push_str(". ");
        }
        if fresh > 0 {
            p.push_str(&format!(
                "{fresh} {}{} fresh.",
                if stale.is_empty() { "" } else { "other " },
                plural(fresh, "read was", "reads were"),
            ));
        }
        out.push(p.trim_end().to_string());
    }
    out.push(end_paragraph(st));
    out
}

fn plural<'a>(n: usize, one: &'a str, many: &'a str) -> &'a str {
    if n == 1 {
        one
    } else {
        many
    }
}

fn version(id: u64) -> String {
    if id == 0 {
        "the initial version".to_string()
    } else {
        w(id)
    }
}

/// `w12 (eu-west-1, issued 12.300 s, stamped 12.298 s)`.
fn intro(st: &Story, x: &Write) -> String {
    format!(
        "{} ({}, issued {}, stamped {})",
        w(x.id),
        st.regions[x.region],
        secs(x.issue_ns),
        stamp(x.ts_ns)
    )
}

fn write_paragraph(st: &Story, x: &Write) -> String {
    let mut p = format!("{} was built on {}", intro(st, x), version(x.parent));
    if let Some(v) = x.value {
        p.push_str(&format!(
            " and added 1 to the count: {} to {v}",
            v.saturating_sub(1)
        ));
    }
    p.push('.');
    if x.writer != x.region {
        p.push_str(&format!(
            " It was forwarded to the primary, {}, which applied it at {}.",
            st.regions[x.writer],
            secs(x.applied_ns)
        ));
    }
    if !x.installed {
        p.push_str(&format!(
            " {} did not install it: it held {}, stamped later.",
            st.regions[x.writer],
            version(x.held)
        ));
    }
    let reached: Vec<String> = x
        .arrivals
        .iter()
        .filter(|a| !(a.to == x.writer && a.at_ns == x.applied_ns && x.writer != x.region))
        .map(|a| {
            let what = match a.glyph {
                Glyph::Installed => "installed".to_string(),
                Glyph::Rejected => format!("rejected: it held {}, stamped later", version(a.held)),
                Glyph::Superseded => {
                    format!("already held {}, built on it", version(a.held))
                }
            };
            format!("{} at {} ({what})", st.regions[a.to], secs(a.at_ns))
        })
        .collect();
    if !reached.is_empty() {
        p.push_str(&format!(" It reached {}.", reached.join(", ")));
    }
    let missing: Vec<&str> = (0..st.regions.len())
        .filter(|&r| r != x.writer && !x.arrivals.iter().any(|a| a.to == r))
        .map(|r| st.regions[r].as_str())
        .collect();
    if !missing.is_empty() && x.writer == x.region {
        p.push_str(&format!(" It never reached {}.", missing.join(" or ")));
    }
    match x.cause {
        None => {
            if Some(x.id) == st.final_id {
                let everywhere = st.final_held.iter().all(|&h| h == x.id);
                p.push_str(if everywhere {
                    " It is the final version: every region holds it."
                } else {
                    " It is the final version."
                });
            } else {
                p.push_str(" It survived: later writes were built on it.");
            }
        }
        Some(cause) => {
            p.push(' ');
            p.push_str(&loss(st, x, cause));
            p.push_str(&format!(
                " {} was acknowledged to its client and is gone: a lost write ({}), no error, no log.",
                w(x.id),
                cause.words()
            ));
        }
    }
    p
}

/// Why `x` was lost, in a sentence or two.
fn loss(st: &Story, x: &Write, cause: Cause) -> String {
    let b = st.write(x.beaten_by);
    let bname = w(x.beaten_by);
    let b_intro = match b {
        Some(b) => intro(st, b),
        None => bname.clone(),
    };
    match cause {
        Cause::CausalInversion => {
            let behind = st.clocks[x.writer].offset_ns;
            format!(
                "{} had already installed {} and built {} on it, but its clock is {}: {} got a timestamp older than the version it replaced, so last writer wins kept {} everywhere. The newer write lost to the one it was built on: a causal inversion.",
                st.regions[x.writer],
                version(x.held),
                w(x.id),
                offset_words(behind),
                w(x.id),
                version(x.held)
            )
        }
        Cause::Stranded => "When the run ended it was held only by regions that were down, and no copy was on its way to a live one: stranded in a failed region.".to_string(),
        Cause::Failover => format!(
            "The primary {} committed it at {} but failed before shipping it; the region promoted in its place never received it.",
            st.regions[x.writer],
            secs(x.applied_ns)
        ),
        Cause::ClockBehind => {
            let Some(b) = b else {
                return format!("It lost to {bname}, issued earlier but stamped later.");
            };
            format!(
                "{} was issued {} earlier, yet {} is stamped later: {}'s clock is {}{}. Last writer wins kept the write with the later timestamp, not the later write: clock behind.",
                b_intro,
                span_ms(x.issue_ns - b.issue_ns),
                bname,
                st.regions[x.region],
                offset_words(st.clocks[x.region].offset_ns),
                if st.clocks[b.region].offset_ns != 0 {
                    format!(", {}'s {}", st.regions[b.region], offset_words(st.clocks[b.region].offset_ns))
                } else {
                    String::new()
                }
            )
        }
        Cause::Partition | Cause::Concurrent => {
            let Some(b) = b else {
                return format!("It lost to {bname}, whose timestamp is greater.");
            };
            let built = if b.parent == x.parent {
                format!("were both built on {}", version(x.parent))
            } else {
                format!(
                    "were built on {} and {}",
                    version(x.parent),
                    version(b.parent)
                )
            };
            let why = if cause == Cause::Partition {
                let f = st
                    .faults
                    .iter()
                    .find(|f| f.regions.contains(&x.writer) && f.regions.contains(&b.writer))
                    .or_else(|| st.faults.first());
                match f {
                    Some(f) => format!(
                        "they were written on the two sides of the {} ({} to {}), so neither region could see the other's write until the heal",
                        f.label,
                        secs(f.start_ns),
                        f.end_ns.map_or("never".to_string(), secs)
                    ),
                    None => "a link between them was down, so neither region could see the other's write".to_string(),
                }
            } else {
                let trip = x
                    .arrivals
                    .iter()
                    .find(|a| a.to == b.writer)
                    .map(|a| a.at_ns.saturating_sub(x.applied_ns))
                    .or_else(|| {
                        b.arrivals
                            .iter()
                            .find(|a| a.to == x.writer)
                            .map(|a| a.at_ns.saturating_sub(b.applied_ns))
                    });
                match trip {
                    Some(t) => format!(
                        "neither region had yet seen the other's write (it takes about {} to arrive)",
                        span_ms(t)
                    ),
                    None => "neither region had yet seen the other's write".to_string(),
                }
            };
            let kept = if b.lost {
                format!(
                    "{bname}, whose timestamp is greater, replaced it (and was itself lost later, to {})",
                    w(b.beaten_by)
                )
            } else {
                format!("Every region kept {bname}, whose timestamp is greater")
            };
            let mut text = format!("{} and {} {}: {}. {}.", intro(st, x), b_intro, built, why, kept);
            if let (Some(xv), Some(bv)) = (x.value, b.value) {
                if xv == bv {
                    text.push_str(&format!(
                        " The count was {} in both regions; both added 1; it is {bv}, not {}.",
                        xv - 1,
                        bv + 1
                    ));
                }
            }
            text
        }
        Cause::WithDescendant => format!(
            "{bname} beat a write built on it, and nothing built on it survived: it was lost with that write."
        ),
        Cause::Other => format!("It was lost{}.", if x.beaten_by != 0 { format!(", beaten by {bname}") } else { String::new() }),
    }
}

fn end_paragraph(st: &Story) -> String {
    let same = st.final_held.iter().all(|&h| h == st.final_held[0]);
    let mut p = if same {
        format!(
            "In the end every region holds {}.",
            version(st.final_held[0])
        )
    } else {
        let each: Vec<String> = st
            .final_held
            .iter()
            .enumerate()
            .map(|(r, &h)| format!("{} holds {}", st.regions[r], version(h)))
            .collect();
        format!("In the end the regions differ: {}.", each.join(", "))
    };
    if st.counter {
        if let Some(f) = st.final_id.and_then(|id| st.write(id)) {
            if let Some(v) = f.value {
                p.push_str(&format!(
                    " The count is {v}; {} {} made to this key in the whole run, so {} {} lost.",
                    st.key_writes,
                    plural(st.key_writes, "increment was", "increments were"),
                    st.key_writes as u64 - v.min(st.key_writes as u64),
                    plural(
                        (st.key_writes as u64 - v.min(st.key_writes as u64)) as usize,
                        "was",
                        "were"
                    ),
                ));
            }
        }
    }
    p
}
