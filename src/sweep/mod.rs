//! `replisim sweep`: one scenario over a grid of parameter values, modes
//! and seeds, with each figure's mean and 95% interval per variant.
//!
//! `plan` turns `--vary`, `--modes` and `--seeds` into variants and runs;
//! `pool` runs independent runs on several threads and returns results in
//! plan order; `stats` computes the interval; `tables` writes `runs.csv`
//! and `sweep.csv`; `text` the terminal table. Loading scenarios, the
//! progress bar and writing files stay in `cli`; nothing here touches a
//! terminal or a file.

pub mod plan;
pub mod pool;
pub mod stats;
pub mod tables;
pub mod text;
