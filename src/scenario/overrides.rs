//! `--set path=value`: changes to the positioned YAML tree before it is
//! read, so a scenario can be varied from the command line.
//!
//! Paths are dotted; list items are picked by index or by their `name`
//! (`regions.eu-west-1.clock.offset=200ms`, `workload.0.rate=50/s`). A
//! missing mapping key is created, so optional fields can be set; a key
//! that no scenario has is then refused by the serde stage with a "did you
//! mean". Every node an override puts in the tree is marked with the
//! argument's index, so errors about it name `--set <arg>` while nodes
//! from the file keep their line and column.

use super::node::{self, shorten, Entry, Kind, Node, Pos};
use crate::{Error, Result};

/// The longest `--set` path, in bytes, and its most parts; real paths have
/// a handful.
pub const MAX_PATH_BYTES: usize = 256;
pub const MAX_PATH_PARTS: usize = node::MAX_DEPTH;
/// The longest `--set` argument shown in a message; longer ones are cut.
const SHOWN_BYTES: usize = 120;

/// A `--set` argument as messages show it: control characters escaped,
/// cut after `SHOWN_BYTES` bytes.
pub fn shown_arg(arg: &str) -> String {
    let escaped: String = arg
        .chars()
        .flat_map(|c| {
            let s: String = if c.is_control() {
                c.escape_default().collect()
            } else {
                c.to_string()
            };
            s.chars().collect::<Vec<_>>()
        })
        .collect();
    if escaped.len() <= SHOWN_BYTES {
        return escaped;
    }
    let mut cut = SHOWN_BYTES;
    while !escaped.is_char_boundary(cut) {
        cut -= 1;
    }
    format!("{}... ({} bytes)", &escaped[..cut], arg.len())
}

/// Applies every `--set` argument to `tree`, in order.
pub fn apply(tree: &mut Node, overrides: &[String], origin: &str) -> Result<()> {
    for (i, arg) in overrides.iter().enumerate() {
        apply_one(tree, i, arg)
            .map_err(|m| Error::new(format!("{origin}: --set {}: {m}", shown_arg(arg))))?;
    }
    Ok(())
}

fn apply_one(tree: &mut Node, index: usize, arg: &str) -> std::result::Result<(), String> {
    let Some((path, text)) = arg.split_once('=') else {
        return Err(
            "no '='; write path=value, such as replication.timestamps=hlc or workload.0.rate=50/s"
                .to_string(),
        );
    };
    if path.len() > MAX_PATH_BYTES {
        return Err(format!(
            "the path is {} bytes long; at most {MAX_PATH_BYTES}",
            path.len()
        ));
    }
    let segs: Vec<&str> = path.trim().split('.').collect();
    if segs.len() > MAX_PATH_PARTS {
        return Err(format!(
            "the path has {} parts; at most {MAX_PATH_PARTS}",
            segs.len()
        ));
    }
    if segs.iter().any(|s| s.is_empty()) {
        return Err(format!(
            "'{}' is not a path; write dotted names and list indices, such as regions.eu-west-1.clock.offset",
            shorten(path)
        ));
    }
    let pos = Pos::Set(index);
    let mut value = match node::parse(text) {
        Ok(Some(v)) => v,
        Ok(None) => Node::null(pos),
        Err(e) => {
            return Err(format!(
                "the value '{}' is not valid YAML: {}",
                shorten(text),
                e.message.trim_start_matches("not valid YAML: ")
            ))
        }
    };
    value.set_pos(pos);
    let mut node = tree;
    let mut value = Some(value);
    for (k, seg) in segs.iter().enumerate() {
        let last = k + 1 == segs.len();
        let here = segs[..k].join(".");
        let shown = if here.is_empty() {
            "the top level".to_string()
        } else {
            format!("'{here}'")
        };
        node = match &mut node.kind {
            Kind::Map(entries) => {
                let at = match entries.iter().position(|e| e.key == *seg) {
                    Some(at) => at,
                    None => {
                        let kind = if last {
                            Kind::Scalar {
                                text: String::new(),
                                plain: true,
                                tag: None,
                            }
                        } else {
                            Kind::Map(Vec::new())
                        };
                        entries.push(Entry {
                            key: seg.to_string(),
                            key_pos: pos,
                            value: Node { pos, kind },
                        });
                        entries.len() - 1
                    }
                };
                &mut entries[at].value
            }
            Kind::Seq(items) => {
                let found = match seg.parse::<usize>() {
                    Ok(i) if i < items.len() => Some(i),
                    Ok(_) => None,
                    Err(_) => items.iter().position(|item| {
                        matches!(item.get("name").map(|n| &n.kind),
                            Some(Kind::Scalar { text, .. }) if text == seg)
                    }),
                };
                let Some(i) = found else {
                    let names: Vec<String> = items
                        .iter()
                        .filter_map(|item| match item.get("name").map(|n| &n.kind) {
                            Some(Kind::Scalar { text, .. }) => Some(shorten(text)),
                            _ => None,
                        })
                        .collect();
                    let mut what = match items.len() {
                        0 => format!("{shown} is an empty list"),
                        1 => format!("{shown} has 1 item: index 0"),
                        len => format!("{shown} has {len} items: indices 0 to {}", len - 1),
                    };
                    if !names.is_empty() {
                        what.push_str(&format!(", names {}", names.join(", ")));
                    }
                    return Err(format!("no item '{}' in {shown}; {what}", shorten(seg)));
                };
                &mut items[i]
            }
            Kind::Scalar { .. } => {
                return Err(format!(
                    "{shown} is a single value, not a mapping or list; there is no '{}' under it",
                    shorten(seg)
                ));
            }
        };
        if last {
            if let Some(v) = value.take() {
                *node = v;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree(text: &str) -> Node {
        node::parse(text).unwrap().unwrap()
    }

    #[test]
    fn sets_by_name_index_and_creates_missing_fields() {
        let mut t = tree("regions:\n  - name: a\n  - name: b\nworkload:\n  - rate: 5/s\n");
        apply(
            &mut t,
            &[
                "regions.b.clock.offset=200ms".to_string(),
                "workload.0.rate=50/s".to_string(),
            ],
            "x.yaml",
        )
        .unwrap();
        let b = &t.get("regions").unwrap();
        let Kind::Seq(items) = &b.kind else { panic!() };
        let offset = items[1].get("clock").unwrap().get("offset").unwrap();
        assert_eq!(offset.pos, Pos::Set(0));
        assert!(matches!(&offset.kind, Kind::Scalar { text, .. } if text == "200ms"));
    }

    #[test]
    fn bad_paths_list_what_exists() {
        let mut t = tree("regions:\n  - name: a\n  - name: b\nname: x\n");
        let e = apply(&mut t, &["regions.c.clock=1".to_string()], "x.yaml").unwrap_err();
        assert_eq!(
            e.message(),
            "x.yaml: --set regions.c.clock=1: no item 'c' in 'regions'; 'regions' has 2 items: indices 0 to 1, names a, b"
        );
        let e = apply(&mut t, &["name.x=1".to_string()], "x.yaml").unwrap_err();
        assert_eq!(
            e.message(),
            "x.yaml: --set name.x=1: 'name' is a single value, not a mapping or list; there is no 'x' under it"
        );
        assert!(apply(&mut t, &["name".to_string()], "x.yaml").is_err());
        assert!(apply(&mut t, &["a..b=1".to_string()], "x.yaml").is_err());
    }
}
