//! Arbitrary bytes into the scenario loader: it must return a scenario or
//! one error, never panic, hang or blow up memory.
//!
//! Bytes that are not UTF-8 are skipped: `load_str` takes text (the
//! file loader's UTF-8 check has its own test). A `\u{1}` splits the
//! input into the file text and `--set` arguments (one per further
//! `\u{1}`), so overrides are fuzzed too. A scenario that loads must render
//! to YAML that loads back as an equal scenario.

#![no_main]

use libfuzzer_sys::fuzz_target;
use replisim::model::{check_limits, RunOptions};
use replisim::scenario::{load_str, to_yaml};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut parts = text.split('\u{1}');
    let body = parts.next().unwrap_or("");
    let sets: Vec<String> = parts.map(str::to_string).collect();
    match load_str(body, "fuzz.yaml", &sets) {
        Ok(s) => {
            for trace in [false, true] {
                let options = RunOptions {
                    trace,
                    max_events: None,
                };
                if let Err(e) = check_limits(&s, &options) {
                    assert!(!e.message().is_empty(), "empty limit message");
                }
            }
            let yaml = to_yaml(&s);
            match load_str(&yaml, "rendered.yaml", &[]) {
                Ok(back) => assert!(back == s, "to_yaml does not round-trip:\n{yaml}"),
                Err(e) => panic!("to_yaml output does not load: {e}\n{yaml}"),
            }
        }
        Err(e) => {
            assert!(!e.message().is_empty(), "empty error message");
        }
    }
});
