//! Standard output that a closed pipe or a full disk cannot crash.
//!
//! `replisim run x | head -1` closes the pipe after one line: later lines
//! are dropped quietly and the command still writes its results and exits
//! as it would have (0 when all went well), like other Unix tools. Any
//! other write error (`> /dev/full`) is kept and reported once at the end
//! as an error, exit code 2. With `--quiet` the human output is held back
//! and shown on stderr only if an expectation fails. Nothing here panics.

use std::io::{self, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

/// The first write error other than a closed pipe, and whether the pipe closed.
static STATE: Mutex<State> = Mutex::new(State {
    closed: false,
    error: None,
});

struct State {
    closed: bool,
    error: Option<io::ErrorKind>,
}

/// Whether the human output goes to stderr instead (`--format json`,
/// where stdout carries one JSON document).
static HUMAN_TO_STDERR: AtomicBool = AtomicBool::new(false);

/// Send the human output (`out!`, `outln!`) to stderr from now on.
pub fn human_to_stderr() {
    HUMAN_TO_STDERR.store(true, Ordering::Relaxed);
}

/// With `--quiet`: the human output held back, to be shown (on stderr)
/// only if the command fails.
static HELD: Mutex<Option<String>> = Mutex::new(None);

/// Hold the human output back from now on (`--quiet`): a command that
/// succeeds prints nothing; see `release`.
pub fn hold() {
    if let Ok(mut held) = HELD.lock() {
        held.get_or_insert_with(String::new);
    }
}

/// At the end of a command: the held output goes to stderr when
/// `failed` (an expectation or a check failed: the output says which), and
/// is dropped otherwise (success, or an error, whose line was printed).
pub fn release(failed: bool) {
    let Ok(mut held) = HELD.lock() else {
        return;
    };
    if let Some(text) = held.take() {
        if failed && !text.is_empty() {
            let _ = io::stderr().lock().write_all(text.as_bytes());
        }
    }
}

/// Write `text`, human output, to standard output (or to stderr, see
/// `human_to_stderr`; or nowhere yet, see `hold`).
pub fn write(text: &str) {
    if let Ok(mut held) = HELD.lock() {
        if let Some(held) = held.as_mut() {
            held.push_str(text);
            return;
        }
    }
    if HUMAN_TO_STDERR.load(Ordering::Relaxed) {
        let _ = io::stderr().lock().write_all(text.as_bytes());
        return;
    }
    write_document(text);
}

/// Write `text` to standard output, whatever carries the human output.
pub fn write_document(text: &str) {
    let Ok(mut state) = STATE.lock() else {
        return;
    };
    if state.closed || state.error.is_some() {
        return;
    }
    let mut out = io::stdout().lock();
    if let Err(e) = out.write_all(text.as_bytes()) {
        note(&mut state, &e);
    }
}

fn note(state: &mut State, e: &io::Error) {
    if e.kind() == io::ErrorKind::BrokenPipe {
        state.closed = true;
    } else if state.error.is_none() {
        state.error = Some(e.kind());
    }
}

/// Flush standard output; the error line for a failed write, if any (a
/// closed pipe is not an error).
pub fn finish() -> Option<String> {
    let mut state = STATE.lock().ok()?;
    if !state.closed && state.error.is_none() {
        if let Err(e) = io::stdout().lock().flush() {
            note(&mut state, &e);
        }
    }
    state.error.map(|kind| {
        let reason = match kind {
            io::ErrorKind::StorageFull => "no space left on device".to_string(),
            other => io::Error::from(other).to_string().to_lowercase(),
        };
        format!("cannot write to standard output: {reason}")
    })
}

/// `print!` that survives a closed pipe.
macro_rules! out {
    ($($arg:tt)*) => { $crate::cli::stdout::write(&format!($($arg)*)) };
}

/// `println!` that survives a closed pipe.
macro_rules! outln {
    () => { $crate::cli::stdout::write("\n") };
    ($($arg:tt)*) => {{
        let mut line = format!($($arg)*);
        line.push('\n');
        $crate::cli::stdout::write(&line)
    }};
}

pub(crate) use {out, outln};
