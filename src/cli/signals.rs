//! SIGINT, SIGTERM and SIGHUP: stop cleanly, keep the old result.
//!
//! The first signal only records itself; the run loop (through its
//! progress callback) and the result writer (through its cancellation
//! check) look at it and stop, the writer removing its temporary folder, so
//! the previous result stays as it was. The process then exits with
//! 128 + the signal number (130, 143, 129), as a shell reports a process
//! the signal killed. A second signal removes the temporary folder being
//! written, if any, and exits at once.

use std::sync::atomic::{AtomicI32, Ordering};
use std::sync::Once;

use crate::report::output;

/// The first signal received, 0 for none.
static RECEIVED: AtomicI32 = AtomicI32::new(0);

pub const SIGHUP: i32 = 1;
pub const SIGINT: i32 = 2;
pub const SIGTERM: i32 = 15;

/// Catch SIGINT, SIGTERM and SIGHUP from now on. Calling it again is harmless.
pub fn install() {
    static ONCE: Once = Once::new();
    ONCE.call_once(listen);
}

#[cfg(unix)]
fn listen() {
    use signal_hook::iterator::Signals;
    let Ok(mut signals) = Signals::new([SIGINT, SIGTERM, SIGHUP]) else {
        return;
    };
    let spawned = std::thread::Builder::new()
        .name("signals".into())
        .spawn(move || {
            for signal in signals.forever() {
                record(signal);
            }
        });
    // Without the thread the default actions stay: the process dies, which
    // loses no complete result either.
    drop(spawned);
}

#[cfg(not(unix))]
fn listen() {
    let _ = ctrlc::set_handler(|| record(SIGINT));
}

fn record(signal: i32) {
    if RECEIVED
        .compare_exchange(0, signal, Ordering::SeqCst, Ordering::SeqCst)
        .is_err()
    {
        output::remove_current_temp();
        eprintln!("error: {}", message(signal));
        std::process::exit(exit_code(signal));
    }
}

/// The first signal received, if any.
pub fn received() -> Option<i32> {
    match RECEIVED.load(Ordering::SeqCst) {
        0 => None,
        s => Some(s),
    }
}

/// 128 + the signal number.
pub fn exit_code(signal: i32) -> i32 {
    128 + signal
}

fn name(signal: i32) -> &'static str {
    match signal {
        SIGINT => "SIGINT",
        SIGTERM => "SIGTERM",
        SIGHUP => "SIGHUP",
        _ => "a signal",
    }
}

/// The one error line of an interrupted command.
pub fn message(signal: i32) -> String {
    format!(
        "interrupted by {}; {}",
        name(signal),
        output::CANCELLED.trim_start_matches("interrupted; ")
    )
}
