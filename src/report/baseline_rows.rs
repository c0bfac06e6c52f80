//! The statistical tier beyond the summary: each seed's rows of
//! `regions.csv`, `links.csv` and `faults.csv`, kept in a statistical
//! entry as `seeds_regions.csv`, `seeds_links.csv` and `seeds_faults.csv`
//! (the seed, then the file's columns), and read back as one sample per
//! figure, named as `expect:` names it: `regions.eu-west-1.lost_writes`,
//! `links.us-east-1>eu-west-1.lag_p99_ms`, `faults.1.lost_writes`. Only
//! figures with a better way are judged (a region's number of writes is
//! the workload's, not an outcome); a cell left empty (no delivery on a
//! stream, a figure a fault does not have) is no value for that seed.

use std::collections::BTreeMap;

use crate::error::{Error, Result};
use crate::metrics::figures::Better;

use super::baseline::{better_of, row_prefix};

/// Each per-seed file of a statistical entry and the result file it holds.
pub const ROW_FILES: &[(&str, &str)] = &[
    ("seeds_regions.csv", "regions.csv"),
    ("seeds_links.csv", "links.csv"),
    ("seeds_faults.csv", "faults.csv"),
];

/// A per-seed file from each seed's copy of one result file: `seed`, then
/// the file's columns, with the header once.
pub fn seeds_rows(runs: &[(u64, &[u8])]) -> Result<Vec<u8>> {
    let fail = |e: csv::Error| Error::new(format!("cannot write a per-seed table: {e}"));
    let mut w = csv::WriterBuilder::new().from_writer(Vec::new());
    for (i, (seed, bytes)) in runs.iter().enumerate() {
        let mut r = csv::ReaderBuilder::new().flexible(true).from_reader(*bytes);
        if i == 0 {
            let header = r.headers().map_err(fail)?.clone();
            let mut h = vec!["seed".to_string()];
            h.extend(header.iter().map(str::to_string));
            w.write_record(&h).map_err(fail)?;
        }
        for rec in r.records() {
            let rec = rec.map_err(fail)?;
            let mut row = vec![seed.to_string()];
            row.extend(rec.iter().map(str::to_string));
            w.write_record(&row).map_err(fail)?;
        }
    }
    w.into_inner()
        .map_err(|e| Error::new(format!("cannot write a per-seed table: {e}")))
}

/// One figure's values over the seeds of a per-seed file.
#[derive(Clone, Debug, PartialEq)]
pub struct RowSample {
    pub name: String,
    pub better: Better,
    pub values: Vec<f64>,
}

/// The samples of the per-seed file `bytes` of result file `file`, in the
/// order their rows and columns first appear.
pub fn samples(file: &str, bytes: &[u8]) -> Result<Vec<RowSample>> {
    let fail = |m: String| Error::new(format!("per-seed {file}: {m}"));
    let mut r = csv::ReaderBuilder::new().flexible(true).from_reader(bytes);
    let header: Vec<String> = r
        .headers()
        .map_err(|e| fail(e.to_string()))?
        .iter()
        .skip(1)
        .map(str::to_string)
        .collect();
    let judged: Vec<(usize, Better)> = header
        .iter()
        .enumerate()
        .map(|(i, c)| (i, better_of(file, c)))
        .filter(|(_, b)| *b != Better::Neither)
        .collect();
    let mut out: Vec<RowSample> = Vec::new();
    let mut index: BTreeMap<String, usize> = BTreeMap::new();
    let mut row_of_seed: BTreeMap<String, usize> = BTreeMap::new();
    for rec in r.records() {
        let rec = rec.map_err(|e| fail(e.to_string()))?;
        let seed = rec.get(0).unwrap_or("").to_string();
        let row: Vec<String> = rec.iter().skip(1).map(str::to_string).collect();
        // Rows without a name of their own are told apart by their place.
        let at = row_of_seed.entry(seed).or_insert(0);
        let prefix = row_prefix(file, &header, &row, *at);
        *at += 1;
        for &(i, better) in &judged {
            let cell = row.get(i).map_or("", String::as_str);
            let value = match cell {
                "" => continue,
                "true" => 1.0,
                "false" => 0.0,
                _ => match cell.parse::<f64>() {
                    Ok(v) if v.is_finite() => v,
                    _ => continue,
                },
            };
            let name = format!("{prefix}{}", header[i]);
            let k = *index.entry(name.clone()).or_insert_with(|| {
                out.push(RowSample {
                    name,
                    better,
                    values: Vec::new(),
                });
                out.len() - 1
            });
            out[k].values.push(value);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_of_every_seed_read_back_as_one_sample_per_figure() {
        let s1 = b"region,writes,lost_writes\nus-east-1,10,2\neu-west-1,12,3\n";
        let s2 = b"region,writes,lost_writes\nus-east-1,11,4\neu-west-1,9,\n";
        let bytes = seeds_rows(&[(1, &s1[..]), (2, &s2[..])]).unwrap();
        assert_eq!(
            String::from_utf8(bytes.clone()).unwrap(),
            "seed,region,writes,lost_writes\n1,us-east-1,10,2\n1,eu-west-1,12,3\n\
             2,us-east-1,11,4\n2,eu-west-1,9,\n"
        );
        let got = samples("regions.csv", &bytes).unwrap();
        // writes has no better way; an empty cell is no value.
        assert_eq!(
            got,
            [
                RowSample {
                    name: "regions.us-east-1.lost_writes".into(),
                    better: Better::Lower,
                    values: vec![2.0, 4.0]
                },
                RowSample {
                    name: "regions.eu-west-1.lost_writes".into(),
                    better: Better::Lower,
                    values: vec![3.0]
                },
            ]
        );
    }
}
