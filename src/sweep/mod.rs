//! `replisim sweep`: one scenario over a grid of parameter values, modes
//! and seeds, with each figure's mean and 95% interval per variant.
//!
//! `plan` turns `--vary`, `--modes` and `--seeds` into variants and runs,
//! `planfile` reads the same from a YAML file; `pool` runs independent
//! runs on several threads and returns results in plan order; `stats`
//! computes the interval; `tables` writes `runs.csv` and `sweep.csv`,
//! `text` the terminal table, `report` the charts and `report.html`,
//! `folder` the whole folder; `expect` checks conditions on every
//! variant; `shard` slices a plan for batch engines and `record` keeps
//! `plan.json`, the journal `--resume` reads, and the checks of `merge`.
//! Loading scenarios, the progress bar and reading and writing files stay
//! in `cli`; nothing here touches a terminal or a file.

pub mod expect;
pub mod folder;
pub mod gate;
pub mod heatmap;
pub mod plan;
pub mod planfile;
pub mod pool;
pub mod record;
pub mod report;
pub mod shard;
pub mod stats;
pub mod tables;
pub mod text;
