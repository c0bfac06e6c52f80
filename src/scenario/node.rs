//! A YAML document as a tree of nodes that remember where they came from.
//!
//! `serde_yaml::Value` forgets positions, so the loader parses the text
//! itself (with `yaml-rust2`'s event parser) into this small tree: every
//! node knows its line and column in the file, or the `--set` argument that
//! put it there. Both the serde stage (`de.rs`) and the cross-reference
//! checks (`validate.rs`) take positions from it, so an error always points
//! at the node it is about. Building the tree is iterative and bounded
//! (nesting depth, alias expansion), so no input can overflow the stack or
//! blow up memory.

use std::collections::{HashMap, HashSet};
use std::fmt;

use yaml_rust2::parser::{Event, Parser};
use yaml_rust2::scanner::{Marker, TScalarStyle};

/// Deepest nesting of lists and mappings accepted; real scenarios use about 6.
pub const MAX_DEPTH: usize = 64;
/// Most nodes one document may hold, aliases expanded.
pub const MAX_NODES: usize = 1_000_000;
/// Most bytes of text (scalars and keys) one document may hold, aliases
/// counted by the size they expand to: four times the largest file.
pub const MAX_TEXT_BYTES: usize = 16 << 20;

/// Where a node came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pos {
    /// A 1-based line and column in the scenario text.
    File { line: usize, col: usize },
    /// The `--set` argument with this index.
    Set(usize),
}

/// One step of a path from the document root.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Seg {
    Key(String),
    Index(usize),
}

impl From<&str> for Seg {
    fn from(s: &str) -> Seg {
        Seg::Key(s.to_string())
    }
}

impl From<&String> for Seg {
    fn from(s: &String) -> Seg {
        Seg::Key(s.clone())
    }
}

impl From<usize> for Seg {
    fn from(i: usize) -> Seg {
        Seg::Index(i)
    }
}

/// A path such as `faults[2].partition.between[1]`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Path(pub Vec<Seg>);

impl Path {
    pub fn child(&self, seg: impl Into<Seg>) -> Path {
        let mut v = self.0.clone();
        v.push(seg.into());
        Path(v)
    }

    pub fn is_root(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Display for Path {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, seg) in self.0.iter().enumerate() {
            match seg {
                Seg::Key(k) if i == 0 => write!(f, "{k}")?,
                Seg::Key(k) => write!(f, ".{k}")?,
                Seg::Index(n) => write!(f, "[{n}]")?,
            }
        }
        Ok(())
    }
}

/// Builds a `Path` from keys and indices: `path!["faults", i, "at"]`.
macro_rules! path_of {
    ($($seg:expr),* $(,)?) => {
        $crate::scenario::node::Path(vec![$($crate::scenario::node::Seg::from($seg)),*])
    };
}
pub(crate) use path_of as path;

#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    pub pos: Pos,
    pub kind: Kind,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Kind {
    /// Any scalar; `plain` is false for quoted and block scalars and for
    /// those tagged `!!str`. `tag` is a standard tag the scalar carried.
    Scalar {
        text: String,
        plain: bool,
        tag: Option<Tag>,
    },
    Seq(Vec<Node>),
    Map(Vec<Entry>),
}

/// The standard YAML tags a scalar may carry (`!!str`, ...); the value
/// must match both the tag and the field's type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tag {
    Str,
    Int,
    Float,
    Bool,
    Null,
}

impl Tag {
    pub fn name(self) -> &'static str {
        match self {
            Tag::Str => "!!str",
            Tag::Int => "!!int",
            Tag::Float => "!!float",
            Tag::Bool => "!!bool",
            Tag::Null => "!!null",
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    pub key: String,
    pub key_pos: Pos,
    pub value: Node,
}

impl Node {
    pub fn null(pos: Pos) -> Node {
        Node {
            pos,
            kind: Kind::Scalar {
                text: String::new(),
                plain: true,
                tag: None,
            },
        }
    }

    /// A YAML null: an empty plain scalar, `~` or `null`.
    pub fn is_null(&self) -> bool {
        matches!(&self.kind, Kind::Scalar { text, plain: true, .. }
            if matches!(text.as_str(), "" | "~" | "null" | "Null" | "NULL"))
    }

    /// The value under `key`, if this is a mapping that has it.
    pub fn get(&self, key: &str) -> Option<&Node> {
        match &self.kind {
            Kind::Map(entries) => entries.iter().find(|e| e.key == key).map(|e| &e.value),
            _ => None,
        }
    }

    /// The child `seg` names: a mapping's entry or a sequence's item.
    fn child(&self, seg: &Seg) -> Option<&Node> {
        match (seg, &self.kind) {
            (Seg::Key(k), Kind::Map(entries)) => {
                entries.iter().find(|e| &e.key == k).map(|e| &e.value)
            }
            (Seg::Index(i), Kind::Seq(items)) => items.get(*i),
            _ => None,
        }
    }

    /// The deepest node that exists along `segs`, and whether it is the
    /// one they end at.
    fn walk(&self, segs: &[Seg]) -> (&Node, bool) {
        let mut node = self;
        for seg in segs {
            match node.child(seg) {
                Some(n) => node = n,
                None => return (node, false),
            }
        }
        (node, true)
    }

    /// The position of the deepest node that exists along `path` (the node
    /// itself if it exists, else the closest ancestor that does).
    pub fn pos_at(&self, path: &Path) -> Pos {
        self.walk(&path.0).0.pos
    }

    /// The position of the key that ends `path`, if the path leads to a
    /// mapping entry; else the position `pos_at` gives.
    pub fn key_pos_at(&self, path: &Path) -> Pos {
        if let Some((Seg::Key(last), parent)) = path.0.split_last() {
            if let (node, true) = self.walk(parent) {
                if let Kind::Map(entries) = &node.kind {
                    if let Some(e) = entries.iter().find(|e| &e.key == last) {
                        return e.key_pos;
                    }
                }
            }
        }
        self.pos_at(path)
    }

    /// A short description for "found ..." in messages.
    pub fn describe(&self) -> String {
        match &self.kind {
            _ if self.is_null() => "nothing (null)".to_string(),
            Kind::Scalar { text, .. } => format!("'{}'", shorten(text)),
            Kind::Seq(_) => "a list".to_string(),
            Kind::Map(_) => "a mapping".to_string(),
        }
    }

    /// Every node's position replaced by `pos` (values given by `--set`).
    pub fn set_pos(&mut self, pos: Pos) {
        let mut stack = vec![self];
        while let Some(node) = stack.pop() {
            node.pos = pos;
            match &mut node.kind {
                Kind::Scalar { .. } => {}
                Kind::Seq(items) => stack.extend(items.iter_mut()),
                Kind::Map(entries) => {
                    for e in entries.iter_mut() {
                        e.key_pos = pos;
                        stack.push(&mut e.value);
                    }
                }
            }
        }
    }

    /// How many nodes this one holds, itself included, and their bytes of
    /// text (scalars and keys).
    fn size(&self) -> Size {
        let mut size = Size::default();
        let mut stack = vec![self];
        while let Some(node) = stack.pop() {
            size.nodes += 1;
            match &node.kind {
                Kind::Scalar { text, .. } => size.bytes += text.len(),
                Kind::Seq(items) => stack.extend(items.iter()),
                Kind::Map(entries) => {
                    size.bytes += entries.iter().map(|e| e.key.len()).sum::<usize>();
                    stack.extend(entries.iter().map(|e| &e.value));
                }
            }
        }
        size
    }

    /// The first character that may not appear where it is: a control
    /// character anywhere, but a line break or tab in a `description`. With
    /// its position, the path of the node (or of the mapping whose key
    /// holds it) and whether it is in a key.
    pub fn find_control(&self) -> Option<(Pos, Path, char, bool)> {
        let bad = |text: &str, multiline: bool| {
            text.chars()
                .find(|&c| c.is_control() && !(multiline && matches!(c, '\n' | '\t')))
        };
        let mut stack = vec![(self, Path::default())];
        while let Some((node, path)) = stack.pop() {
            match &node.kind {
                Kind::Scalar { text, .. } => {
                    let multiline =
                        matches!(path.0.last(), Some(Seg::Key(k)) if k == "description");
                    if let Some(c) = bad(text, multiline) {
                        return Some((node.pos, path, c, false));
                    }
                }
                Kind::Seq(items) => {
                    for (i, item) in items.iter().enumerate().rev() {
                        stack.push((item, path.child(i)));
                    }
                }
                Kind::Map(entries) => {
                    for e in entries.iter().rev() {
                        if let Some(c) = bad(&e.key, false) {
                            return Some((e.key_pos, path, c, true));
                        }
                        stack.push((&e.value, path.child(&e.key)));
                    }
                }
            }
        }
        None
    }
}

/// Nodes and bytes of text, to keep a document (aliases expanded) bounded.
#[derive(Clone, Copy, Debug, Default)]
struct Size {
    nodes: usize,
    bytes: usize,
}

impl Size {
    fn add(&mut self, other: Size, pos: Pos) -> Result<(), ParseError> {
        self.nodes += other.nodes;
        self.bytes += other.bytes;
        if self.nodes > MAX_NODES {
            return Err(too_many(pos));
        }
        if self.bytes > MAX_TEXT_BYTES {
            return Err(ParseError {
                pos: Some(pos),
                message: format!(
                    "the document expands to more than {} MiB of text (aliases counted by the size they expand to)",
                    MAX_TEXT_BYTES >> 20
                ),
            });
        }
        Ok(())
    }
}

/// A text cut to a readable length for messages, on a character boundary.
pub fn shorten(text: &str) -> String {
    const MAX: usize = 60;
    if text.chars().count() <= MAX {
        text.to_string()
    } else {
        let cut: String = text.chars().take(MAX).collect();
        format!("{cut}...")
    }
}

/// Why a text is not one YAML document.
#[derive(Debug, PartialEq, Eq)]
pub struct ParseError {
    /// Where, when known.
    pub pos: Option<Pos>,
    pub message: String,
}

fn pos_of(m: &Marker) -> Pos {
    Pos::File {
        line: m.line(),
        col: m.col() + 1,
    }
}

enum Open {
    Seq(Node, usize),
    /// A mapping under construction, its pending key, its anchor and the
    /// keys it has (for duplicates, in constant time each).
    Map(Node, Option<(String, Pos)>, usize, HashSet<String>),
}

/// Parses one YAML document. `Ok(None)` means the text holds no document
/// (empty, or only comments).
pub fn parse(text: &str) -> Result<Option<Node>, ParseError> {
    if let Some(e) = forbidden_char(text) {
        return Err(e);
    }
    let mut parser = Parser::new_from_str(text);
    let mut stack: Vec<Open> = Vec::new();
    let mut anchors: HashMap<usize, (Node, Size)> = HashMap::new();
    let mut root: Option<Node> = None;
    let mut documents = 0usize;
    let mut size = Size::default();
    loop {
        let (event, mark) = parser.next_token().map_err(|e| ParseError {
            pos: Some(pos_of(e.marker())),
            message: format!("not valid YAML: {}", e.info()),
        })?;
        let pos = pos_of(&mark);
        // A node that is complete, with its anchor id (0 = none).
        let done: Option<(Node, usize)> = match event {
            Event::StreamEnd => break,
            Event::StreamStart | Event::DocumentEnd | Event::Nothing => None,
            Event::DocumentStart => {
                documents += 1;
                if documents > 1 {
                    return Err(ParseError {
                        pos: Some(pos),
                        message: "a second YAML document; a scenario file holds exactly one document (remove the '---' separator)".to_string(),
                    });
                }
                None
            }
            Event::Alias(id) => {
                let (node, node_size) = anchors.get(&id).ok_or_else(|| ParseError {
                    pos: Some(pos),
                    message: "alias to an unknown anchor".to_string(),
                })?;
                // Counted before it is copied: an alias costs what it expands to.
                size.add(*node_size, pos)?;
                let mut node = node.clone();
                node.pos = pos;
                Some((node, 0))
            }
            Event::Scalar(text, style, anchor, tag) => {
                size.add(
                    Size {
                        nodes: 1,
                        bytes: text.len(),
                    },
                    pos,
                )?;
                let tag = scalar_tag(tag.as_ref(), &text, style, pos)?;
                let plain = style == TScalarStyle::Plain && tag != Some(Tag::Str);
                Some((
                    Node {
                        pos,
                        kind: Kind::Scalar { text, plain, tag },
                    },
                    anchor,
                ))
            }
            Event::SequenceStart(anchor, ref tag) | Event::MappingStart(anchor, ref tag) => {
                size.add(Size { nodes: 1, bytes: 0 }, pos)?;
                if stack.len() >= MAX_DEPTH {
                    return Err(ParseError {
                        pos: Some(pos),
                        message: format!(
                            "nested too deeply; at most {MAX_DEPTH} levels of lists and mappings"
                        ),
                    });
                }
                let seq = matches!(event, Event::SequenceStart(..));
                collection_tag(tag.as_ref(), seq, pos)?;
                let open = if seq {
                    Open::Seq(
                        Node {
                            pos,
                            kind: Kind::Seq(Vec::new()),
                        },
                        anchor,
                    )
                } else {
                    Open::Map(
                        Node {
                            pos,
                            kind: Kind::Map(Vec::new()),
                        },
                        None,
                        anchor,
                        HashSet::new(),
                    )
                };
                stack.push(open);
                None
            }
            Event::SequenceEnd | Event::MappingEnd => match stack.pop() {
                Some(Open::Seq(node, anchor)) | Some(Open::Map(node, _, anchor, _)) => {
                    Some((node, anchor))
                }
                None => None,
            },
        };
        let Some((mut node, anchor)) = done else {
            continue;
        };
        if anchor != 0 {
            let node_size = node.size();
            anchors.insert(anchor, (node.clone(), node_size));
        }
        match stack.last_mut() {
            None => {
                if root.is_none() {
                    root = Some(node);
                }
            }
            Some(Open::Seq(seq, _)) => {
                if let Kind::Seq(items) = &mut seq.kind {
                    items.push(node);
                }
            }
            Some(Open::Map(map, pending, _, keys)) => match pending.take() {
                None => {
                    let key = match &node.kind {
                        Kind::Scalar { text, .. } => text.clone(),
                        _ => {
                            return Err(ParseError {
                                pos: Some(node.pos),
                                message:
                                    "a mapping key must be a plain name, not a list or mapping"
                                        .to_string(),
                            })
                        }
                    };
                    if let Kind::Map(entries) = &map.kind {
                        if entries.is_empty() && before(node.pos, map.pos) {
                            // A block mapping's start mark lies after its
                            // first key; the first key is where it starts.
                            map.pos = node.pos;
                        }
                    }
                    if !keys.insert(key.clone()) {
                        return Err(ParseError {
                            pos: Some(node.pos),
                            message: format!(
                                "duplicate key '{}'; each key may appear once in a mapping",
                                shorten(&key)
                            ),
                        });
                    }
                    *pending = Some((key, node.pos));
                }
                Some((key, key_pos)) => {
                    if node.is_null()
                        && matches!(&node.kind, Kind::Scalar { text, .. } if text.is_empty())
                    {
                        // An empty value has no position of its own.
                        node.pos = key_pos;
                    }
                    if let Kind::Map(entries) = &mut map.kind {
                        entries.push(Entry {
                            key,
                            key_pos,
                            value: node,
                        });
                    }
                }
            },
        }
    }
    Ok(root)
}

/// The first character YAML does not allow in a document (outside the
/// printable set: a NUL byte, other control characters but tab and line
/// breaks, U+FFFE, U+FFFF), as an error at its line and column. The YAML
/// reader would otherwise stop at a NUL as if the document ended there.
fn forbidden_char(text: &str) -> Option<ParseError> {
    let allowed = |c: char| {
        matches!(c, '\t' | '\n' | '\r' | '\u{85}')
            || (' '..='\u{7e}').contains(&c)
            || ('\u{a0}'..='\u{fffd}').contains(&c)
            || c >= '\u{10000}'
    };
    let (at, c) = text.char_indices().find(|&(_, c)| !allowed(c))?;
    let before = &text[..at];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    let what = if c == '\0' {
        "a NUL byte".to_string()
    } else {
        format!("the character U+{:04X}", c as u32)
    };
    Some(ParseError {
        pos: Some(Pos::File { line, col }),
        message: format!(
            "{what}, which YAML does not allow in a document; only printable characters, tabs and line breaks"
        ),
    })
}

const STANDARD: &str = "tag:yaml.org,2002:";
const TAGS_ALLOWED: &str =
    "only the standard !!str, !!int, !!float, !!bool, !!null, !!seq and !!map, matching the value";

fn tag_text(tag: &yaml_rust2::parser::Tag) -> String {
    if tag.handle == STANDARD {
        format!("!!{}", tag.suffix)
    } else {
        format!("{}{}", tag.handle, tag.suffix)
    }
}

fn unsupported_tag(tag: &yaml_rust2::parser::Tag, pos: Pos) -> ParseError {
    ParseError {
        pos: Some(pos),
        message: format!(
            "the YAML tag '{}' is not supported; tags allowed are {TAGS_ALLOWED}",
            shorten(&tag_text(tag))
        ),
    }
}

/// The standard tag of a scalar, checked against its text.
fn scalar_tag(
    tag: Option<&yaml_rust2::parser::Tag>,
    text: &str,
    style: TScalarStyle,
    pos: Pos,
) -> Result<Option<Tag>, ParseError> {
    let Some(t) = tag else {
        return Ok(None);
    };
    if t.handle != STANDARD {
        return Err(unsupported_tag(t, pos));
    }
    let tag = match t.suffix.as_str() {
        "str" => Tag::Str,
        "int" => Tag::Int,
        "float" => Tag::Float,
        "bool" => Tag::Bool,
        "null" => Tag::Null,
        "seq" | "map" => {
            return Err(ParseError {
                pos: Some(pos),
                message: format!(
                    "tagged {}, but the value is a single value ('{}')",
                    tag_text(t),
                    shorten(text)
                ),
            })
        }
        _ => return Err(unsupported_tag(t, pos)),
    };
    let t_ = text.trim();
    let digits = t_.strip_prefix(['+', '-']).unwrap_or(t_);
    let whole = !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit());
    let fits = match tag {
        Tag::Str => true,
        Tag::Int => whole,
        Tag::Float => whole || super::de::parse_float(text).is_ok(),
        Tag::Bool => matches!(t_, "true" | "True" | "TRUE" | "false" | "False" | "FALSE"),
        Tag::Null => {
            style == TScalarStyle::Plain && matches!(t_, "" | "~" | "null" | "Null" | "NULL")
        }
    };
    if !fits {
        let kind = match tag {
            Tag::Int => "a whole number",
            Tag::Float => "a number",
            Tag::Bool => "true or false",
            _ => "null",
        };
        return Err(ParseError {
            pos: Some(pos),
            message: format!(
                "tagged {}, but '{}' is not {kind}",
                tag.name(),
                shorten(text)
            ),
        });
    }
    Ok(Some(tag))
}

/// A list or mapping may carry only its own standard tag.
fn collection_tag(
    tag: Option<&yaml_rust2::parser::Tag>,
    seq: bool,
    pos: Pos,
) -> Result<(), ParseError> {
    let Some(t) = tag else {
        return Ok(());
    };
    if t.handle != STANDARD {
        return Err(unsupported_tag(t, pos));
    }
    match (t.suffix.as_str(), seq) {
        ("seq", true) | ("map", false) => Ok(()),
        ("str" | "int" | "float" | "bool" | "null" | "seq" | "map", _) => Err(ParseError {
            pos: Some(pos),
            message: format!(
                "tagged {}, but the value is {}",
                tag_text(t),
                if seq { "a list" } else { "a mapping" }
            ),
        }),
        _ => Err(unsupported_tag(t, pos)),
    }
}

fn before(a: Pos, b: Pos) -> bool {
    match (a, b) {
        (Pos::File { line: l1, col: c1 }, Pos::File { line: l2, col: c2 }) => (l1, c1) < (l2, c2),
        _ => false,
    }
}

fn too_many(pos: Pos) -> ParseError {
    ParseError {
        pos: Some(pos),
        message: format!("too many YAML nodes (aliases included); at most {MAX_NODES}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(line: usize, col: usize) -> Pos {
        Pos::File { line, col }
    }

    #[test]
    fn positions_are_one_based() {
        let root = parse("name: x\nregions:\n  - name: a\n    clock: { offset: 3ms }\n")
            .unwrap()
            .unwrap();
        assert_eq!(root.pos, file(1, 1));
        let p = path!["regions", 0usize, "clock", "offset"];
        assert_eq!(root.pos_at(&p), file(4, 22));
        assert_eq!(root.pos_at(&path!["regions", 0usize]), file(3, 5));
        assert_eq!(p.to_string(), "regions[0].clock.offset");
        // A missing key falls back to the closest ancestor.
        assert_eq!(root.pos_at(&path!["regions", 0usize, "nope"]), file(3, 5));
    }

    #[test]
    fn empty_and_comment_only_texts_hold_no_document() {
        assert_eq!(parse("").unwrap(), None);
        assert_eq!(parse("# only a comment\n").unwrap(), None);
    }

    #[test]
    fn deep_nesting_and_alias_bombs_are_refused() {
        let deep = "[".repeat(100_000);
        assert!(parse(&deep).is_err());
        let deep_block: String = (0..200)
            .map(|i| format!("{}- \n", " ".repeat(i * 2)))
            .collect();
        let _ = parse(&deep_block);
        let mut bomb = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 0..9 {
            let prev = if i == 0 {
                "a".to_string()
            } else {
                format!("b{}", i - 1)
            };
            bomb.push_str(&format!(
                "b{i}: &b{i} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]\n"
            ));
        }
        assert!(parse(&bomb).unwrap_err().message.contains("too many"));
    }

    #[test]
    fn duplicate_keys_and_second_documents_are_refused() {
        assert_eq!(
            parse("a: 1\na: 2\n").unwrap_err(),
            ParseError {
                pos: Some(file(2, 1)),
                message: "duplicate key 'a'; each key may appear once in a mapping".to_string()
            }
        );
        assert!(parse("a: 1\n---\nb: 2\n").is_err());
    }
}
