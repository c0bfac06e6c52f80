//! Mutated valid scenarios: whatever loads is run, with the event estimate
//! capped at 200,000 so that each run stays fast. A run must end with
//! results or one error, never a panic, a hang or a memory blow-up.
//!
//! Start it from the seed corpus of valid scenarios (see fuzz/README.md)
//! and the dictionary `fuzz/scenario.dict`.

#![no_main]

use libfuzzer_sys::fuzz_target;
use replisim::model::{run, RunOptions};
use replisim::scenario::load_str;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(scenario) = load_str(text, "fuzz.yaml", &[]) else {
        return;
    };
    let options = RunOptions {
        trace: false,
        max_events: Some(200_000),
    };
    if let Ok(out) = run(&scenario, &options, &mut |_| true) {
        let m = &out.result.summary;
        assert!(m.lost_writes <= m.writes, "more lost writes than writes");
        assert!(m.stale_reads <= m.reads, "more stale reads than reads");
    }
});
