//! Writing a result folder so that it is complete or absent, never half.
//!
//! Every file is first written into a temporary sibling folder
//! (`<out>.tmp-<pid>`); only when all of them are on disk does that folder
//! take the target's name by a rename, and only then is an older result
//! folder removed. On any error, or when the user presses Ctrl-C, the
//! temporary folder is removed, so a CI pipeline never reads a truncated CSV
//! as a finished run.
//!
//! Ctrl-C only sets a flag (see `install_interrupt_handler`); the run loop
//! and the writer check it. A second Ctrl-C removes any temporary folder and
//! exits at once. This module knows nothing about what the files contain.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

use crate::error::{Error, Result};

/// The message of an interrupted run.
pub const INTERRUPTED: &str = "interrupted; no results written";

/// The files a result folder must have before an existing folder is
/// replaced: a folder without it was not written by replisim.
const MARKER: &str = "summary.csv";

static INTERRUPTED_FLAG: AtomicBool = AtomicBool::new(false);

/// The temporary folder being written right now, for a second Ctrl-C.
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

/// Make Ctrl-C set the interrupted flag instead of killing the process. A
/// second Ctrl-C removes the temporary folder being written, if any, and
/// exits with code 2. Calling this more than once is harmless.
pub fn install_interrupt_handler() {
    // `set_handler` fails only if a handler is already installed, which is fine.
    let _ = ctrlc::set_handler(|| {
        if INTERRUPTED_FLAG.swap(true, Ordering::SeqCst) {
            if let Ok(guard) = CURRENT_TEMP.try_lock() {
                if let Some(temp) = guard.as_ref() {
                    let _ = fs::remove_dir_all(temp);
                }
            }
            eprintln!("error: {INTERRUPTED}");
            std::process::exit(2);
        }
    });
}

/// Whether the user has pressed Ctrl-C.
pub fn interrupted() -> bool {
    INTERRUPTED_FLAG.load(Ordering::SeqCst)
}

/// An error if the user has pressed Ctrl-C.
pub fn check_interrupted() -> Result<()> {
    if interrupted() {
        Err(Error::new(INTERRUPTED))
    } else {
        Ok(())
    }
}

/// Check, before a run, that `out` can become a result folder: it is not a
/// file, it has a name (not `.`, `..` or `/`), and if it exists it is a
/// replisim result folder or empty (so a mistyped `--out` never replaces a
/// folder of other files).
pub fn check_target(out: &Path) -> Result<()> {
    if out.file_name().is_none() {
        return Err(Error::new(format!(
            "{}: cannot be an output folder; give a folder name such as output/run1",
            out.display()
        )));
    }
    match fs::metadata(out) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(io_error(out, "cannot use as output folder", &e)),
        Ok(meta) if !meta.is_dir() => Err(Error::new(format!(
            "{}: output path exists and is not a folder; remove it or choose another --out",
            out.display()
        ))),
        Ok(meta) => {
            if meta.permissions().readonly() {
                return Err(Error::new(format!(
                    "{}: output folder is not writable",
                    out.display()
                )));
            }
            let mut entries =
                fs::read_dir(out).map_err(|e| io_error(out, "cannot read output folder", &e))?;
            let empty = entries.next().is_none();
            if empty || out.join(MARKER).is_file() {
                Ok(())
            } else {
                Err(Error::new(format!(
                    "{}: folder exists and holds no replisim results ({MARKER} is missing); \
                     refusing to replace it; choose another --out or remove it",
                    out.display()
                )))
            }
        }
    }
}

/// Write `files` as the folder `out`, replacing an earlier result folder
/// there. Either the whole new folder is in place afterwards, or (on error
/// or interruption) nothing changed and no temporary folder is left.
pub fn write_folder(out: &Path, files: &[OutputFile]) -> Result<()> {
    check_target(out)?;
    let name = out.file_name().expect("checked by check_target");
    let parent = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    fs::create_dir_all(&parent)
        .map_err(|e| io_error(&parent, "cannot create output folder", &e))?;

    let pid = std::process::id();
    let sibling = |tag: &str| {
        let mut n = name.to_os_string();
        n.push(format!(".{tag}-{pid}"));
        parent.join(n)
    };
    let temp = sibling("tmp");
    if temp.exists() {
        // Left over by an earlier process with the same id that was killed.
        let _ = fs::remove_dir_all(&temp);
    }
    fs::create_dir(&temp).map_err(|e| io_error(&temp, "cannot create output folder", &e))?;
    set_current_temp(Some(temp.clone()));

    let outcome = fill(&temp, files)
        .and_then(|()| check_interrupted())
        .and_then(|()| {
            let old = sibling("old");
            replace(&temp, out, &old)
        });
    if outcome.is_err() {
        let _ = fs::remove_dir_all(&temp);
    }
    set_current_temp(None);
    outcome
}

fn set_current_temp(temp: Option<PathBuf>) {
    if let Ok(mut guard) = CURRENT_TEMP.lock() {
        *guard = temp;
    }
}

/// Write every file under `dir`, checking for Ctrl-C between files.
fn fill(dir: &Path, files: &[OutputFile]) -> Result<()> {
    for file in files {
        check_interrupted()?;
        if file.path.is_absolute()
            || file
                .path
                .components()
                .any(|c| !matches!(c, std::path::Component::Normal(_)))
        {
            return Err(Error::new(format!(
                "internal error: output file name {} is not a plain relative path",
                file.path.display()
            )));
        }
        let path = dir.join(&file.path);
        if let Some(p) = path.parent() {
            fs::create_dir_all(p).map_err(|e| io_error(p, "cannot create folder", &e))?;
        }
        fs::write(&path, &file.bytes).map_err(|e| io_error(&path, "cannot write", &e))?;
    }
    Ok(())
}

/// Put the complete `temp` folder in place of `out`, moving an existing
/// `out` aside first and removing it only once the new one is in place.
fn replace(temp: &Path, out: &Path, old: &Path) -> Result<()> {
    if !out.exists() {
        return fs::rename(temp, out).map_err(|e| io_error(out, "cannot create output folder", &e));
    }
    if old.exists() {
        let _ = fs::remove_dir_all(old);
    }
    fs::rename(out, old).map_err(|e| io_error(out, "cannot replace output folder", &e))?;
    if let Err(e) = fs::rename(temp, out) {
        // Put the previous results back so the user keeps them.
        let _ = fs::rename(old, out);
        return Err(io_error(out, "cannot replace output folder", &e));
    }
    fs::remove_dir_all(old).map_err(|e| io_error(old, "cannot remove previous results", &e))
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
    Error::new(format!("{}: {what}: {reason}", path.display()))
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

    #[test]
    fn writes_and_replaces() {
        let base = scratch("replace");
        let out = base.join("run");
        let files = vec![
            OutputFile::new("summary.csv", "a\n"),
            OutputFile::new("charts/x.svg", "<svg/>"),
        ];
        write_folder(&out, &files).unwrap();
        assert_eq!(fs::read_to_string(out.join("summary.csv")).unwrap(), "a\n");
        assert!(out.join("charts/x.svg").is_file());
        // A second write replaces the folder whole: the chart is gone.
        write_folder(&out, &[OutputFile::new("summary.csv", "b\n")]).unwrap();
        assert_eq!(fs::read_to_string(out.join("summary.csv")).unwrap(), "b\n");
        assert!(!out.join("charts").exists());
        assert_eq!(names(&base), vec!["run"]);
        fs::remove_dir_all(&base).unwrap();
    }

    #[test]
    fn refuses_files_and_foreign_folders() {
        let base = scratch("refuse");
        let file = base.join("file");
        fs::write(&file, "x").unwrap();
        let err = write_folder(&file, &[OutputFile::new("summary.csv", "")]).unwrap_err();
        assert!(err.message().contains("not a folder"), "{err}");
        let foreign = base.join("foreign");
        fs::create_dir(&foreign).unwrap();
        fs::write(foreign.join("notes.txt"), "keep me").unwrap();
        let err = write_folder(&foreign, &[OutputFile::new("summary.csv", "")]).unwrap_err();
        assert!(err.message().contains("refusing"), "{err}");
        assert!(foreign.join("notes.txt").is_file());
        assert!(check_target(Path::new(".")).is_err());
        assert_eq!(names(&base), vec!["file", "foreign"]);
        fs::remove_dir_all(&base).unwrap();
    }

    #[test]
    fn failure_leaves_no_temp_folder() {
        let base = scratch("fail");
        let out = base.join("run");
        let files = vec![
            OutputFile::new("summary.csv", "a\n"),
            OutputFile::new("../escape.csv", "x"),
        ];
        assert!(write_folder(&out, &files).is_err());
        assert!(names(&base).is_empty());
        fs::remove_dir_all(&base).unwrap();
    }
}
