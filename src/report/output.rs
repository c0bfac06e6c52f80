//! Writing a result folder so that it is complete or absent, never half,
//! and never at the cost of files replisim did not write.
//!
//! `Target::prepare` runs before the simulation: it checks that `--out`
//! can become a result folder (its name, its parent, what is in it now),
//! takes an exclusive lock on it, so a second replisim writing to the same
//! folder fails at once, and removes this target's stale temporary folders
//! left by a killed run. `Target::write` then writes every file into a
//! fresh temporary sibling, `.<name>.replisim-tmp-<pid>-<unique>`, which
//! holds a `.replisim-partial` marker while it is incomplete, and puts it in
//! place only when every file is on disk:
//!
//! - The folder it replaces is checked again at that moment: only an empty
//!   folder, or one whose `.replisim` marker lists every file in it, is
//!   replaced. Anything else is refused, naming the first foreign entry.
//! - On Linux the two folders swap names in one step
//!   (`renameat2(RENAME_EXCHANGE)`), and a missing target is created with
//!   `RENAME_NOREPLACE`: there is no moment without a result at `--out`.
//!   Elsewhere the old folder is renamed aside first (the narrowest window).
//! - The old folder, now under the temporary name, is checked once more and
//!   swapped back if a file appeared in it meanwhile; otherwise removed.
//!
//! The caller passes a cancellation check (SIGINT, SIGTERM, SIGHUP): it is
//! asked between files and before the swap, and a cancelled write removes
//! its temporary folder and leaves the old result untouched. This module
//! knows nothing about what the files contain or about signals.

use std::ffi::{OsStr, OsString};
use std::fs::{self, File};
use std::io::{self, Write as _};
use std::path::{Component, Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

use crate::error::{Error, Result};

/// The marker of a complete result folder: a header line, then every file
/// replisim wrote into it, one relative path a line.
pub const MARKER: &str = ".replisim";
/// The marker of a temporary folder still being written.
pub const PARTIAL: &str = ".replisim-partial";
/// The first line of `MARKER`.
const MARKER_HEADER: &str =
    "replisim result folder: replisim replaces it only while it holds just the files below";
/// The part of a temporary folder's name after `.<name>`.
const TEMP_TAG: &str = ".replisim-tmp-";
/// The part of a lock file's name after `.<name>`.
const LOCK_TAG: &str = ".replisim-lock";
/// The longest output folder name, in bytes: the temporary sibling adds
/// about 50 bytes, and most file systems allow 255.
pub const MAX_NAME_BYTES: usize = 200;

/// The temporary folder being written right now, for a second signal.
static CURRENT_TEMP: Mutex<Option<PathBuf>> = Mutex::new(None);

/// One file of a result folder: a relative path (`charts/lag.svg`) and its bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutputFile {
    pub path: PathBuf,
    pub bytes: Vec<u8>,
}

impl OutputFile {
    pub fn new(path: impl Into<PathBuf>, bytes: impl Into<Vec<u8>>) -> OutputFile {
        OutputFile {
            path: path.into(),
            bytes: bytes.into(),
        }
    }
}

/// The message of a write given up because the caller cancelled it.
pub const CANCELLED: &str = "interrupted; no results written; any previous results are unchanged";

/// Remove the temporary folder being written, if any. For a process about
/// to exit at once (a second signal); never blocks.
pub fn remove_current_temp() {
    if let Ok(guard) = CURRENT_TEMP.try_lock() {
        if let Some(temp) = guard.as_ref() {
            let _ = fs::remove_dir_all(temp);
        }
    }
}

fn set_current_temp(temp: Option<PathBuf>) {
    if let Ok(mut guard) = CURRENT_TEMP.lock() {
        *guard = temp;
    }
}

/// An output folder checked and locked for writing. The lock is held until
/// the `Target` is dropped.
#[derive(Debug)]
pub struct Target {
    out: PathBuf,
    parent: PathBuf,
    name: OsString,
    /// Folders `prepare` created for the parent, innermost first; removed
    /// again (when still empty) if nothing gets written.
    created: Vec<PathBuf>,
    written: std::cell::Cell<bool>,
    lock: Option<Lock>,
}

impl Drop for Target {
    fn drop(&mut self) {
        drop(self.lock.take());
        if !self.written.get() {
            for dir in &self.created {
                if fs::remove_dir(dir).is_err() {
                    break;
                }
            }
        }
    }
}

impl Target {
    /// Check that `out` can become a result folder, before any simulation:
    /// it has a usable name, its parent can be created and written, it is
    /// missing, empty or a replisim result holding nothing else, and no
    /// other replisim is writing it. Removes this target's stale temporary
    /// folders.
    pub fn prepare(out: &Path) -> Result<Target> {
        let name = match out.components().next_back() {
            Some(Component::Normal(n)) => n.to_os_string(),
            _ => {
                return Err(Error::new(format!(
                    "{}: cannot be an output folder; give a folder name such as output/run1",
                    out.display()
                )))
            }
        };
        if name.len() > MAX_NAME_BYTES {
            return Err(Error::new(format!(
                "{}: the folder name is {} bytes long; at most {MAX_NAME_BYTES}",
                shown(out),
                name.len()
            )));
        }
        let parent = match out.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let created: Vec<PathBuf> = parent
            .ancestors()
            .take_while(|p| !p.as_os_str().is_empty() && !exists(p))
            .map(Path::to_path_buf)
            .collect();
        fs::create_dir_all(&parent).map_err(|e| {
            let why = io_error(&parent, "", &e);
            let why = why.message().rsplit(": ").next().unwrap_or("");
            Error::new(format!(
                "{}: cannot create its parent folder {}: {why}",
                shown(out),
                shown(&parent)
            ))
        })?;
        let lock = Lock::take(&sibling(&parent, &name, LOCK_TAG), out);
        let lock = match lock {
            Ok(lock) => lock,
            Err(e) => {
                for dir in &created {
                    let _ = fs::remove_dir(dir);
                }
                return Err(e);
            }
        };
        let target = Target {
            out: out.to_path_buf(),
            parent,
            name,
            created,
            written: std::cell::Cell::new(false),
            lock: Some(lock),
        };
        check_replaceable(out)?;
        target.remove_stale();
        Ok(target)
    }

    /// The folder this target writes.
    pub fn path(&self) -> &Path {
        &self.out
    }

    /// Write `files` as the folder, replacing the result there. Either the
    /// whole new folder is in place afterwards, or (on an error, or when
    /// `cancelled` says so) the old one is untouched and no temporary
    /// folder is left.
    pub fn write(&self, files: &[OutputFile], cancelled: &dyn Fn() -> bool) -> Result<()> {
        let temp = self.make_temp()?;
        set_current_temp(Some(temp.clone()));
        let outcome = fill(&temp, files, cancelled)
            .and_then(|()| finish(&temp, files))
            .and_then(|()| cancel_check(cancelled));
        let outcome = match outcome {
            Ok(()) => self.swap_in(&temp).inspect(|()| self.written.set(true)),
            Err(e) => {
                let _ = fs::remove_dir_all(&temp);
                Err(e)
            }
        };
        set_current_temp(None);
        outcome
    }

    fn make_temp(&self) -> Result<PathBuf> {
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos() as u64);
        for _ in 0..100 {
            let n = COUNTER.fetch_add(1, Ordering::Relaxed);
            let unique = format!("{TEMP_TAG}{}-{:x}{n}", std::process::id(), nanos);
            let temp = sibling(&self.parent, &self.name, &unique);
            match fs::create_dir(&temp) {
                Ok(()) => {
                    let made = File::create(temp.join(PARTIAL)).and_then(|mut f| {
                        f.write_all(
                            b"an incomplete replisim result being written; safe to delete\n",
                        )
                    });
                    if let Err(e) = made {
                        let _ = fs::remove_dir_all(&temp);
                        return Err(io_error(&self.out, "cannot write the output folder", &e));
                    }
                    return Ok(temp);
                }
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
                Err(e) => return Err(io_error(&self.out, "cannot create the output folder", &e)),
            }
        }
        Err(Error::new(format!(
            "{}: cannot find a free temporary folder name",
            shown(&self.out)
        )))
    }

    /// Put the complete `temp` in place of the target. Whatever happens,
    /// no complete result is lost: the new one is removed only when it did
    /// not take the target's place, the old one only once the new one has.
    fn swap_in(&self, temp: &Path) -> Result<()> {
        let out = &self.out;
        let discard = |e: Error| {
            let _ = fs::remove_dir_all(temp);
            Err(e)
        };
        if !exists(out) {
            return match swap::rename_new(temp, out) {
                Ok(()) => Ok(()),
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists || exists(out) => {
                    discard(match check_replaceable(out) {
                        Err(why) => why,
                        Ok(()) => Error::new(format!(
                            "{}: a folder appeared there while the results were written; \
                             it is left as it is and the new results are not written",
                            shown(out)
                        )),
                    })
                }
                Err(e) => discard(io_error(out, "cannot create the output folder", &e)),
            };
        }
        if let Err(e) = check_replaceable(out) {
            return discard(e);
        }
        if let Err(e) = swap::exchange(temp, out) {
            return discard(io_error(out, "cannot replace the folder", &e));
        }
        // `temp` now holds the old result: check it once more, in case a
        // file appeared in it since the check above.
        if let Err(e) = check_replaceable(temp) {
            let message = e.message().replace(&shown(temp), &shown(out));
            return match swap::exchange(temp, out) {
                Ok(()) => discard(Error::new(message)),
                Err(_) => Err(Error::new(format!(
                    "{message}; the previous folder is now {} and the new results are in {}",
                    shown(temp),
                    shown(out)
                ))),
            };
        }
        fs::remove_dir_all(temp)
            .map_err(|e| io_error(temp, "cannot remove the previous results", &e))
    }

    /// Remove this target's temporary folders left by a killed run: only
    /// folders named by the temporary pattern that hold a replisim marker.
    /// Runs under the target's lock, so no live writer owns them.
    fn remove_stale(&self) {
        let Ok(entries) = fs::read_dir(&self.parent) else {
            return;
        };
        let mut prefix = OsString::from(".");
        prefix.push(&self.name);
        prefix.push(TEMP_TAG);
        let prefix = prefix.to_string_lossy().into_owned();
        for entry in entries.flatten() {
            let file_name = entry.file_name();
            let Some(file_name) = file_name.to_str() else {
                continue;
            };
            if !file_name.starts_with(&prefix) {
                continue;
            }
            let path = entry.path();
            let is_dir = fs::symlink_metadata(&path).is_ok_and(|m| m.is_dir());
            if !is_dir {
                continue;
            }
            let partial = path.join(PARTIAL).is_file();
            let complete = path.join(MARKER).is_file() && check_replaceable(&path).is_ok();
            if partial || complete {
                let _ = fs::remove_dir_all(&path);
            }
        }
    }
}

/// `.<name><tag>` next to the target.
fn sibling(parent: &Path, name: &OsStr, tag: &str) -> PathBuf {
    let mut n = OsString::from(".");
    n.push(name);
    n.push(tag);
    parent.join(n)
}

fn exists(path: &Path) -> bool {
    fs::symlink_metadata(path).is_ok()
}

fn cancel_check(cancelled: &dyn Fn() -> bool) -> Result<()> {
    if cancelled() {
        Err(Error::new(CANCELLED))
    } else {
        Ok(())
    }
}

/// A path for a message, control characters escaped.
fn shown(path: &Path) -> String {
    path.display().to_string().escape_debug().to_string()
}

/// Whether `dir` may be replaced: missing, an empty folder, or a folder
/// whose marker lists every file in it. The error names what is in the way.
pub fn check_replaceable(dir: &Path) -> Result<()> {
    let meta = match fs::symlink_metadata(dir) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(io_error(dir, "cannot use as output folder", &e)),
        Ok(meta) => meta,
    };
    if meta.file_type().is_symlink() {
        return Err(Error::new(format!(
            "{}: is a symbolic link; give the folder it points to, or another --out",
            shown(dir)
        )));
    }
    if !meta.is_dir() {
        return Err(Error::new(format!(
            "{}: output path exists and is not a folder; remove it or choose another --out",
            shown(dir)
        )));
    }
    let first = fs::read_dir(dir)
        .map_err(|e| io_error(dir, "cannot read the output folder", &e))?
        .next();
    let Some(first) = first else {
        return Ok(());
    };
    let listed = match fs::read_to_string(dir.join(MARKER)) {
        Ok(text) if text.starts_with(MARKER_HEADER) => {
            text.lines().skip(1).map(PathBuf::from).collect::<Vec<_>>()
        }
        _ => {
            let first = first
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .unwrap_or_default();
            return Err(Error::new(format!(
                "{}: folder holds '{}' and has no {MARKER} marker, so it is not a replisim \
                 result; refusing to replace it; choose another --out or remove it",
                shown(dir),
                first.escape_debug()
            )));
        }
    };
    let listed: std::collections::BTreeSet<PathBuf> = listed.into_iter().collect();
    // Every file must be listed; every folder must lead to a listed file.
    let mut stack = vec![PathBuf::new()];
    while let Some(rel) = stack.pop() {
        let entries = fs::read_dir(dir.join(&rel)).map_err(|e| io_error(dir, "cannot read", &e))?;
        for entry in entries {
            let entry = entry.map_err(|e| io_error(dir, "cannot read", &e))?;
            let path = rel.join(entry.file_name());
            let kind = entry
                .file_type()
                .map_err(|e| io_error(dir, "cannot read", &e))?;
            let ours = if kind.is_dir() {
                listed.iter().any(|l| l.starts_with(&path) && l != &path)
            } else if kind.is_file() {
                path == Path::new(MARKER) || listed.contains(&path)
            } else {
                false
            };
            if !ours {
                return Err(Error::new(format!(
                    "{}: holds '{}', which replisim did not write; refusing to replace the \
                     folder; move that away or choose another --out",
                    shown(dir),
                    path.display().to_string().escape_debug()
                )));
            }
            if kind.is_dir() {
                stack.push(path);
            }
        }
    }
    Ok(())
}

/// Write every file under `dir`, checking for cancellation between files.
fn fill(dir: &Path, files: &[OutputFile], cancelled: &dyn Fn() -> bool) -> Result<()> {
    for file in files {
        cancel_check(cancelled)?;
        let plain = !file.path.as_os_str().is_empty()
            && file
                .path
                .components()
                .all(|c| matches!(c, Component::Normal(_)));
        if !plain || file.path == Path::new(MARKER) || file.path == Path::new(PARTIAL) {
            return Err(Error::new(format!(
                "internal error: output file name {} is not a plain relative path",
                file.path.display()
            )));
        }
        let path = dir.join(&file.path);
        if let Some(p) = path.parent() {
            fs::create_dir_all(p).map_err(|e| io_error(p, "cannot create folder", &e))?;
        }
        let mut f = File::create(&path).map_err(|e| io_error(&path, "cannot write", &e))?;
        f.write_all(&file.bytes)
            .and_then(|()| f.sync_all())
            .map_err(|e| io_error(&path, "cannot write", &e))?;
    }
    Ok(())
}

/// Turn the filled temporary folder into a complete result: the marker
/// listing its files in, the partial marker out.
fn finish(dir: &Path, files: &[OutputFile]) -> Result<()> {
    let mut text = String::from(MARKER_HEADER);
    text.push('\n');
    for file in files {
        text.push_str(&file.path.to_string_lossy());
        text.push('\n');
    }
    let marker = dir.join(MARKER);
    let mut f = File::create(&marker).map_err(|e| io_error(&marker, "cannot write", &e))?;
    f.write_all(text.as_bytes())
        .and_then(|()| f.sync_all())
        .map_err(|e| io_error(&marker, "cannot write", &e))?;
    fs::remove_file(dir.join(PARTIAL)).map_err(|e| io_error(dir, "cannot write", &e))?;
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

/// An exclusive lock on a target, as a lock file next to it, removed when
/// the lock is released.
#[derive(Debug)]
struct Lock {
    path: PathBuf,
    _file: File,
}

impl Lock {
    fn take(path: &Path, out: &Path) -> Result<Lock> {
        let busy = || {
            Error::new(format!(
                "{}: another replisim is writing this folder now; wait for it or choose another --out",
                shown(out)
            ))
        };
        for _ in 0..10 {
            let file = fs::OpenOptions::new()
                .read(true)
                .write(true)
                .create(true)
                .truncate(false)
                .open(path)
                .map_err(|e| io_error(out, "cannot write next to the output folder", &e))?;
            match lock::try_exclusive(&file) {
                Ok(true) => {}
                Ok(false) => return Err(busy()),
                Err(e) => return Err(io_error(out, "cannot lock the output folder", &e)),
            }
            // The holder before us may have removed the file after we
            // opened it: the lock counts only on the file the name has now.
            if lock::same_file(&file, path) {
                return Ok(Lock {
                    path: path.to_path_buf(),
                    _file: file,
                });
            }
        }
        Err(busy())
    }
}

impl Drop for Lock {
    fn drop(&mut self) {
        // Removed while still held, so no one can lock this file afterwards
        // and think it holds the target.
        let _ = fs::remove_file(&self.path);
    }
}

#[cfg(unix)]
mod lock {
    use std::fs::File;
    use std::io;
    use std::os::unix::fs::MetadataExt;
    use std::os::unix::io::AsRawFd;
    use std::path::Path;

    /// `Ok(false)` when another process holds the lock.
    pub fn try_exclusive(file: &File) -> io::Result<bool> {
        // SAFETY: flock on a file descriptor this process owns.
        let r = unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) };
        if r == 0 {
            return Ok(true);
        }
        let e = io::Error::last_os_error();
        if e.raw_os_error() == Some(libc::EWOULDBLOCK) {
            Ok(false)
        } else {
            Err(e)
        }
    }

    pub fn same_file(file: &File, path: &Path) -> bool {
        match (file.metadata(), std::fs::metadata(path)) {
            (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
            _ => false,
        }
    }
}

#[cfg(not(unix))]
mod lock {
    use std::fs::File;
    use std::io;
    use std::path::Path;

    pub fn try_exclusive(file: &File) -> io::Result<bool> {
        match file.try_lock() {
            Ok(()) => Ok(true),
            Err(std::fs::TryLockError::WouldBlock) => Ok(false),
            Err(std::fs::TryLockError::Error(e)) => Err(e),
        }
    }

    pub fn same_file(_file: &File, path: &Path) -> bool {
        path.exists()
    }
}

#[cfg(target_os = "linux")]
mod swap {
    use std::ffi::CString;
    use std::io;
    use std::os::unix::ffi::OsStrExt;
    use std::path::Path;

    fn renameat2(from: &Path, to: &Path, flags: libc::c_uint) -> io::Result<()> {
        let from = CString::new(from.as_os_str().as_bytes())?;
        let to = CString::new(to.as_os_str().as_bytes())?;
        // SAFETY: both paths are NUL-terminated strings that outlive the call.
        let r = unsafe {
            libc::syscall(
                libc::SYS_renameat2,
                libc::AT_FDCWD,
                from.as_ptr(),
                libc::AT_FDCWD,
                to.as_ptr(),
                flags,
            )
        };
        if r == 0 {
            Ok(())
        } else {
            Err(io::Error::last_os_error())
        }
    }

    fn unsupported(e: &io::Error) -> bool {
        matches!(e.raw_os_error(), Some(libc::ENOSYS) | Some(libc::EINVAL))
    }

    /// Swap the names of two folders in one step.
    pub fn exchange(a: &Path, b: &Path) -> io::Result<()> {
        match renameat2(a, b, libc::RENAME_EXCHANGE) {
            Err(e) if unsupported(&e) => super::fallback::exchange(a, b),
            other => other,
        }
    }

    /// Rename `from` to `to`, failing if `to` exists.
    pub fn rename_new(from: &Path, to: &Path) -> io::Result<()> {
        match renameat2(from, to, libc::RENAME_NOREPLACE) {
            Err(e) if unsupported(&e) => super::fallback::rename_new(from, to),
            other => other,
        }
    }
}

#[cfg(not(target_os = "linux"))]
mod swap {
    pub use super::fallback::{exchange, rename_new};
}

/// Without an atomic exchange: rename aside, rename in, put back on failure.
#[allow(dead_code)]
mod fallback {
    use std::fs;
    use std::io;
    use std::path::{Path, PathBuf};

    pub fn exchange(a: &Path, b: &Path) -> io::Result<()> {
        let mut aside = a.as_os_str().to_os_string();
        aside.push("-aside");
        let aside = PathBuf::from(aside);
        fs::rename(b, &aside)?;
        if let Err(e) = fs::rename(a, b) {
            let _ = fs::rename(&aside, b);
            return Err(e);
        }
        fs::rename(&aside, a)
    }

    pub fn rename_new(from: &Path, to: &Path) -> io::Result<()> {
        if fs::symlink_metadata(to).is_ok() {
            return Err(io::Error::from(io::ErrorKind::AlreadyExists));
        }
        fs::rename(from, to)
    }
}

fn io_error(path: &Path, what: &str, e: &io::Error) -> Error {
    let reason = match e.kind() {
        io::ErrorKind::NotFound => "no such file or folder".to_string(),
        io::ErrorKind::PermissionDenied => "permission denied".to_string(),
        io::ErrorKind::AlreadyExists => "already exists".to_string(),
        _ => {
            // The OS message without Rust's " (os error N)" tail.
            let s = e.to_string();
            match s.find(" (os error") {
                Some(i) => s[..i].to_lowercase(),
                None => s,
            }
        }
    };
    Error::new(format!("{}: {what}: {reason}", shown(path)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(tag: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("replisim-output-test-{tag}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        dir
    }

    fn names(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    fn write(out: &Path, files: &[OutputFile]) -> Result<()> {
        Target::prepare(out)?.write(files, &|| false)
    }

    #[test]
    fn writes_and_replaces() {
        let base = scratch("replace");
        let out = base.join("run");
        let files = vec![
            OutputFile::new("summary.csv", "a\n"),
            OutputFile::new("charts/x.svg", "<svg/>"),
        ];
        write(&out, &files).unwrap();
        assert_eq!(fs::read_to_string(out.join("summary.csv")).unwrap(), "a\n");
        assert!(out.join("charts/x.svg").is_file());
        let marker = fs::read_to_string(out.join(MARKER)).unwrap();
        assert!(
            marker.ends_with("\nsummary.csv\ncharts/x.svg\n"),
            "{marker}"
        );
        // A second write replaces the folder whole: the chart is gone.
        write(&out, &[OutputFile::new("summary.csv", "b\n")]).unwrap();
        assert_eq!(fs::read_to_string(out.join("summary.csv")).unwrap(), "b\n");
        assert!(!out.join("charts").exists());
        assert_eq!(names(&base), vec!["run"]);
        fs::remove_dir_all(&base).unwrap();
    }

    #[test]
    fn refuses_files_foreign_folders_and_extra_files() {
        let base = scratch("refuse");
        let file = base.join("file");
        fs::write(&file, "x").unwrap();
        let err = write(&file, &[OutputFile::new("summary.csv", "")]).unwrap_err();
        assert!(err.message().contains("not a folder"), "{err}");
        // A folder holding a summary.csv but no marker is not ours.
        let foreign = base.join("foreign");
        fs::create_dir(&foreign).unwrap();
        fs::write(foreign.join("summary.csv"), "keep me").unwrap();
        let err = write(&foreign, &[OutputFile::new("summary.csv", "")]).unwrap_err();
        assert!(err.message().contains("'summary.csv'"), "{err}");
        assert!(err.message().contains("refusing"), "{err}");
        assert_eq!(
            fs::read_to_string(foreign.join("summary.csv")).unwrap(),
            "keep me"
        );
        // Our result with one extra file in a subfolder: refused, named.
        let ours = base.join("ours");
        write(&ours, &[OutputFile::new("charts/a.svg", "")]).unwrap();
        fs::write(ours.join("charts/thesis.tex"), "keep").unwrap();
        let err = write(&ours, &[OutputFile::new("summary.csv", "")]).unwrap_err();
        assert!(err.message().contains("'charts/thesis.tex'"), "{err}");
        assert!(ours.join("charts/thesis.tex").is_file());
        assert!(Target::prepare(Path::new(".")).is_err());
        assert!(Target::prepare(Path::new("a/..")).is_err());
        assert_eq!(names(&base), vec!["file", "foreign", "ours"]);
        fs::remove_dir_all(&base).unwrap();
    }

    #[test]
    fn a_folder_appearing_meanwhile_is_not_replaced() {
        let base = scratch("race");
        let out = base.join("run");
        let target = Target::prepare(&out).unwrap();
        fs::create_dir(&out).unwrap();
        fs::write(out.join("data.txt"), "keep").unwrap();
        let err = target
            .write(&[OutputFile::new("summary.csv", "")], &|| false)
            .unwrap_err();
        assert!(err.message().contains("'data.txt'"), "{err}");
        assert_eq!(fs::read_to_string(out.join("data.txt")).unwrap(), "keep");
        drop(target);
        assert_eq!(names(&base), vec!["run"]);
        fs::remove_dir_all(&base).unwrap();
    }

    #[test]
    fn a_second_writer_is_refused_while_the_first_holds_the_lock() {
        let base = scratch("lock");
        let out = base.join("run");
        let first = Target::prepare(&out).unwrap();
        let err = Target::prepare(&out).unwrap_err();
        assert!(err.message().contains("another replisim"), "{err}");
        first
            .write(&[OutputFile::new("summary.csv", "")], &|| false)
            .unwrap();
        drop(first);
        // Released: the lock file is gone and the next writer may go.
        assert_eq!(names(&base), vec!["run"]);
        write(&out, &[OutputFile::new("summary.csv", "2")]).unwrap();
        fs::remove_dir_all(&base).unwrap();
    }

    #[test]
    fn cancellation_and_failure_leave_the_old_result() {
        let base = scratch("fail");
        let out = base.join("run");
        write(&out, &[OutputFile::new("summary.csv", "old")]).unwrap();
        let bad = vec![
            OutputFile::new("summary.csv", "a\n"),
            OutputFile::new("../escape.csv", "x"),
        ];
        assert!(write(&out, &bad).is_err());
        let calls = std::cell::Cell::new(0);
        let err = Target::prepare(&out)
            .unwrap()
            .write(
                &[
                    OutputFile::new("summary.csv", "new"),
                    OutputFile::new("b", ""),
                ],
                &|| {
                    calls.set(calls.get() + 1);
                    calls.get() > 1
                },
            )
            .unwrap_err();
        assert_eq!(err.message(), CANCELLED);
        assert_eq!(fs::read_to_string(out.join("summary.csv")).unwrap(), "old");
        assert_eq!(names(&base), vec!["run"]);
        fs::remove_dir_all(&base).unwrap();
    }

    #[test]
    fn only_own_stale_temporary_folders_are_removed() {
        let base = scratch("stale");
        let out = base.join("run");
        // A killed run's folder: the pattern and the partial marker.
        let stale = base.join(".run.replisim-tmp-1-abc");
        fs::create_dir(&stale).unwrap();
        fs::write(stale.join(PARTIAL), "").unwrap();
        fs::write(stale.join("summary.csv"), "").unwrap();
        // The same pattern without a marker, and a PID-named folder of the
        // old scheme: someone else's.
        let unmarked = base.join(".run.replisim-tmp-1-def");
        fs::create_dir(&unmarked).unwrap();
        let pid_named = base.join("run.tmp-1");
        fs::create_dir(&pid_named).unwrap();
        // Another target's leftover is left for that target.
        let other = base.join(".other.replisim-tmp-1-abc");
        fs::create_dir(&other).unwrap();
        fs::write(other.join(PARTIAL), "").unwrap();
        write(&out, &[OutputFile::new("summary.csv", "")]).unwrap();
        assert_eq!(
            names(&base),
            vec![
                ".other.replisim-tmp-1-abc",
                ".run.replisim-tmp-1-def",
                "run",
                "run.tmp-1"
            ]
        );
        fs::remove_dir_all(&base).unwrap();
    }

    #[test]
    fn a_temporary_folder_never_looks_like_a_result() {
        let base = scratch("temp-looks");
        let out = base.join("run");
        let seen = std::cell::RefCell::new(Vec::new());
        let look = || {
            for entry in fs::read_dir(&base).unwrap() {
                let path = entry.unwrap().path();
                let name = path.file_name().unwrap().to_string_lossy().into_owned();
                if name.starts_with(".run.replisim-tmp-") {
                    seen.borrow_mut()
                        .push((path.join(PARTIAL).is_file(), path.join(MARKER).exists()));
                }
            }
            false
        };
        Target::prepare(&out)
            .unwrap()
            .write(
                &[
                    OutputFile::new("summary.csv", "a"),
                    OutputFile::new("b.csv", ""),
                ],
                &look,
            )
            .unwrap();
        let seen = seen.into_inner();
        // Asked before each file and before the swap: a partial marker and
        // no result marker while files go in; the reverse once complete.
        assert_eq!(seen, vec![(true, false), (true, false), (false, true)]);
        assert!(out.join(MARKER).is_file() && !out.join(PARTIAL).exists());
        fs::remove_dir_all(&base).unwrap();
    }

    #[test]
    fn long_names_are_refused_before_writing() {
        let base = scratch("long");
        let out = base.join("x".repeat(MAX_NAME_BYTES + 1));
        let err = Target::prepare(&out).unwrap_err();
        assert!(err.message().contains("at most 200"), "{err}");
        assert!(names(&base).is_empty());
        fs::remove_dir_all(&base).unwrap();
    }
}
