//! Scenarios in: YAML is read into raw serde structures that mirror it one
//! to one, then validated into the typed `Scenario` the engine runs.
//!
//! The stages: `node.rs` parses the text into a tree that keeps every
//! node's line and column; `overrides.rs` applies `--set` arguments to that
//! tree; `de.rs` feeds the tree to the serde structs of `raw.rs` (with the
//! self-parsing field types of `units.rs`); `validate.rs` resolves names,
//! applies defaults and checks the rules that span fields. `render.rs`
//! writes a typed scenario back as YAML. Every failure is one line:
//! `<file>:<line>:<column>: <field path>: <what is wrong>; <what is allowed>`.
//! Nothing here panics on any input.

pub mod bundled;
mod de;
pub(crate) mod node;
pub mod overrides;
pub mod presets;
pub mod raw;
pub mod render;
pub mod services;
pub mod types;
pub mod units;
pub mod validate;

use std::path::Path;

use serde::Deserialize;

pub use types::*;

use crate::{Error, Result};

/// The largest scenario file accepted, in bytes (real ones are a few KiB).
pub const MAX_FILE_BYTES: u64 = 4 << 20;

/// Loads a scenario file; `overrides` are `--set` arguments of the form `path=value`.
pub fn load_file(path: &Path, overrides: &[String]) -> Result<Scenario> {
    let origin = path.display().to_string().escape_debug().to_string();
    let bytes = read_bounded(path, &origin)?;
    let text = match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(e) => {
            let good = &e.as_bytes()[..e.utf8_error().valid_up_to()];
            let line = good.iter().filter(|&&b| b == b'\n').count() + 1;
            let line_start = good.iter().rposition(|&b| b == b'\n').map_or(0, |p| p + 1);
            let col = String::from_utf8_lossy(&good[line_start..]).chars().count() + 1;
            return Err(Error::new(format!(
                "{origin}:{line}:{col}: not UTF-8 text; a scenario file must be UTF-8"
            )));
        }
    };
    load_str(&text, &origin, overrides)
}

/// Reads at most `MAX_FILE_BYTES` (and one more, to tell a larger file):
/// `/dev/zero` is refused after 4 MiB, not read forever. A FIFO is opened
/// without waiting for a writer, so one that nothing writes to reads as
/// empty instead of blocking.
fn read_bounded(path: &Path, origin: &str) -> Result<Vec<u8>> {
    use std::io::Read as _;
    let cannot =
        |e: std::io::Error| Error::new(format!("{origin}: cannot read the scenario file: {e}"));
    let meta = std::fs::metadata(path).map_err(cannot)?;
    let file = open_for_reading(path, &meta).map_err(cannot)?;
    let mut bytes = Vec::new();
    file.take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(cannot)?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(Error::new(format!(
            "{origin}: larger than {} MiB; a scenario file is at most {MAX_FILE_BYTES} bytes",
            MAX_FILE_BYTES >> 20
        )));
    }
    Ok(bytes)
}

#[cfg(unix)]
fn open_for_reading(path: &Path, meta: &std::fs::Metadata) -> std::io::Result<std::fs::File> {
    use std::os::unix::fs::{FileTypeExt, OpenOptionsExt};
    use std::os::unix::io::AsRawFd;
    if !meta.file_type().is_fifo() {
        return std::fs::File::open(path);
    }
    let file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)?;
    // Reads may wait for a writer's data again, now that one is not awaited.
    // SAFETY: fcntl on a descriptor this process owns.
    unsafe {
        let flags = libc::fcntl(file.as_raw_fd(), libc::F_GETFL);
        if flags >= 0 {
            libc::fcntl(file.as_raw_fd(), libc::F_SETFL, flags & !libc::O_NONBLOCK);
        }
    }
    Ok(file)
}

#[cfg(not(unix))]
fn open_for_reading(path: &Path, _meta: &std::fs::Metadata) -> std::io::Result<std::fs::File> {
    std::fs::File::open(path)
}

/// Loads a scenario from text; `origin` names it in error messages (a path
/// or `<bundled:name>`).
pub fn load_str(text: &str, origin: &str, overrides: &[String]) -> Result<Scenario> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let empty = || {
        Error::new(format!(
            "{origin}: empty file; a scenario is a mapping with at least name, duration, regions, tables and workload"
        ))
    };
    let mut tree = match node::parse(text) {
        Ok(Some(tree)) => tree,
        Ok(None) => return Err(empty()),
        Err(e) => {
            return Err(match e.pos {
                Some(node::Pos::File { line, col }) => {
                    Error::new(format!("{origin}:{line}:{col}: {}", e.message))
                }
                _ => Error::new(format!("{origin}: {}", e.message)),
            })
        }
    };
    if tree.is_null() {
        return Err(empty());
    }
    let found = match &tree.kind {
        node::Kind::Map(_) => None,
        node::Kind::Seq(_) => Some("a list".to_string()),
        node::Kind::Scalar { .. } => Some(format!("a single value ({})", tree.describe())),
    };
    if let Some(found) = found {
        let (line, col) = match tree.pos {
            node::Pos::File { line, col } => (line, col),
            node::Pos::Set(_) => (1, 1),
        };
        return Err(Error::new(format!(
            "{origin}:{line}:{col}: the file holds {found}, not a scenario; a scenario is a mapping of fields: {}",
            raw::TOP_FIELDS.join(", ")
        )));
    }
    overrides::apply(&mut tree, overrides, origin)?;
    let cx = validate::Ctx {
        origin,
        overrides,
        tree: &tree,
    };
    if let Some((pos, path, c, in_key)) = tree.find_control() {
        let place = if in_key { "a key holds" } else { "holds" };
        return Err(cx.error_at(
            Some(pos),
            &path,
            &format!(
                "{place} the control character {}; names and values are printable text (a description may also hold line breaks and tabs)",
                c.escape_default()
            ),
        ));
    }
    let raw = raw::RawScenario::deserialize(de::De::new(&tree, node::Path::default()))
        .map_err(|e| cx.error_at(e.pos, &e.path, &e.message))?;
    validate::validate(raw, &cx)
}

/// Renders a validated scenario as canonical YAML that `load_str` accepts
/// and that yields an equal `Scenario`.
pub fn to_yaml(s: &Scenario) -> String {
    render::to_yaml(s)
}

/// `unknown region 'x'; did you mean 'y'? ...`, for names outside a file.
pub fn unknown_name(what: &str, given: &str, allowed: &[&str], intro: &str) -> String {
    de::unknown(what, given, allowed, intro)
}
