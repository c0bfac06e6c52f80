//! Slices of a sweep for batch engines: `--shard I/N` runs only the runs
//! whose index r has r mod N = I − 1 (I counts from 1), so the slices are
//! disjoint, cover the plan, and mix cheap and costly variants evenly.
//!
//! Without `--shard` the slice comes from the environment of the common
//! batch engines: a Slurm job array (`SLURM_ARRAY_TASK_ID`,
//! `SLURM_ARRAY_TASK_COUNT`, `SLURM_ARRAY_TASK_MIN`) or a Kubernetes
//! Indexed Job (`JOB_COMPLETION_INDEX`, counting from 0, with the count
//! from `--shard-count` or `REPLISIM_SHARD_COUNT`, since Kubernetes does
//! not pass it). The shard says where it came from.

/// The variable that gives the shard count beside `JOB_COMPLETION_INDEX`.
pub const COUNT_VARIABLE: &str = "REPLISIM_SHARD_COUNT";

/// One slice of a plan.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Shard {
    /// From 1 to `count`.
    pub index: u32,
    pub count: u32,
    /// What gave it: `--shard 2/4`, or the variables and their values.
    pub source: String,
}

impl Shard {
    /// Whether run `r` of the plan is in this slice.
    pub fn includes(&self, r: usize) -> bool {
        r % self.count as usize == (self.index - 1) as usize
    }

    /// `2/4`.
    pub fn fraction(&self) -> String {
        format!("{}/{}", self.index, self.count)
    }
}

/// Parses `--shard I/N`.
pub fn parse(text: &str) -> Result<Shard, String> {
    let fail = || {
        format!("--shard {text}: write I/N with 1 ≤ I ≤ N, such as 2/4 (the second of four slices)")
    };
    let (i, n) = text.split_once('/').ok_or_else(fail)?;
    let index: u32 = i.trim().parse().map_err(|_| fail())?;
    let count: u32 = n.trim().parse().map_err(|_| fail())?;
    if index == 0 || count == 0 || index > count {
        return Err(fail());
    }
    Ok(Shard {
        index,
        count,
        source: format!("--shard {index}/{count}"),
    })
}

/// The shard the environment names, if any: Slurm's array variables
/// first, then Kubernetes' index. `get` reads a variable; `count_flag` is
/// `--shard-count`.
pub fn from_env(
    get: impl Fn(&str) -> Option<String>,
    count_flag: Option<u32>,
) -> Result<Option<Shard>, String> {
    let number = |name: &str| -> Result<Option<u64>, String> {
        match get(name) {
            None => Ok(None),
            Some(text) => text
                .trim()
                .parse::<u64>()
                .map(Some)
                .map_err(|_| format!("{name}={}: not a whole number", text.escape_debug())),
        }
    };
    if let Some(id) = number("SLURM_ARRAY_TASK_ID")? {
        let Some(count) = number("SLURM_ARRAY_TASK_COUNT")? else {
            return Err(
                "SLURM_ARRAY_TASK_ID is set but not SLURM_ARRAY_TASK_COUNT; run as a Slurm job \
                 array or pass --shard I/N"
                    .to_string(),
            );
        };
        let min = number("SLURM_ARRAY_TASK_MIN")?.unwrap_or(0);
        let source = format!(
            "SLURM_ARRAY_TASK_ID={id}, SLURM_ARRAY_TASK_MIN={min}, SLURM_ARRAY_TASK_COUNT={count}"
        );
        let index = id.checked_sub(min).map(|i| i + 1);
        return match index {
            Some(index) if count >= 1 && index <= count && count <= u64::from(u32::MAX) => {
                Ok(Some(Shard {
                    index: index as u32,
                    count: count as u32,
                    source,
                }))
            }
            _ => Err(format!(
                "{source}: the task is not one of {count} consecutive tasks from the minimum; \
                 give the array a range without a step (--array=0-3) or pass --shard I/N"
            )),
        };
    }
    if let Some(index) = number("JOB_COMPLETION_INDEX")? {
        let (count, named) = match count_flag {
            Some(n) => (u64::from(n), format!("--shard-count {n}")),
            None => match number(COUNT_VARIABLE)? {
                Some(n) => (n, format!("{COUNT_VARIABLE}={n}")),
                None => {
                    return Err(format!(
                        "JOB_COMPLETION_INDEX={index} is set but not the number of shards; pass \
                         --shard-count N or set {COUNT_VARIABLE} (the Job's completions)"
                    ))
                }
            },
        };
        let source = format!("JOB_COMPLETION_INDEX={index}, {named}");
        if count == 0 || index >= count || count > u64::from(u32::MAX) {
            return Err(format!(
                "{source}: the index must be below the count (indices count from 0)"
            ));
        }
        return Ok(Some(Shard {
            index: index as u32 + 1,
            count: count as u32,
            source,
        }));
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env<'a>(vars: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |name| {
            vars.iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.to_string())
        }
    }

    #[test]
    fn slices_are_disjoint_and_cover_the_plan() {
        let shards: Vec<Shard> = (1..=3).map(|i| parse(&format!("{i}/3")).unwrap()).collect();
        for r in 0..20 {
            assert_eq!(shards.iter().filter(|s| s.includes(r)).count(), 1);
        }
        assert!(shards[0].includes(0) && shards[1].includes(1) && shards[2].includes(5));
        for bad in ["0/3", "4/3", "1/0", "x/2", "2", "1/2/3"] {
            assert!(parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn slurm_arrays() {
        let s = from_env(
            env(&[
                ("SLURM_ARRAY_TASK_ID", "7"),
                ("SLURM_ARRAY_TASK_MIN", "5"),
                ("SLURM_ARRAY_TASK_COUNT", "4"),
            ]),
            None,
        )
        .unwrap()
        .unwrap();
        assert_eq!((s.index, s.count), (3, 4));
        assert!(s.source.starts_with("SLURM_ARRAY_TASK_ID=7"));
        let e = from_env(
            env(&[
                ("SLURM_ARRAY_TASK_ID", "9"),
                ("SLURM_ARRAY_TASK_MIN", "1"),
                ("SLURM_ARRAY_TASK_COUNT", "4"),
            ]),
            None,
        )
        .unwrap_err();
        assert!(e.contains("without a step"), "{e}");
        assert!(from_env(env(&[("SLURM_ARRAY_TASK_ID", "1")]), None).is_err());
    }

    #[test]
    fn kubernetes_indexed_jobs() {
        let s = from_env(
            env(&[("JOB_COMPLETION_INDEX", "0"), (COUNT_VARIABLE, "3")]),
            None,
        )
        .unwrap()
        .unwrap();
        assert_eq!((s.index, s.count), (1, 3));
        let s = from_env(env(&[("JOB_COMPLETION_INDEX", "2")]), Some(3))
            .unwrap()
            .unwrap();
        assert_eq!((s.index, s.count), (3, 3));
        assert_eq!(s.source, "JOB_COMPLETION_INDEX=2, --shard-count 3");
        let e = from_env(env(&[("JOB_COMPLETION_INDEX", "1")]), None).unwrap_err();
        assert!(e.contains("--shard-count"), "{e}");
        assert!(from_env(env(&[("JOB_COMPLETION_INDEX", "3")]), Some(3)).is_err());
        assert!(from_env(env(&[("JOB_COMPLETION_INDEX", "x")]), Some(3)).is_err());
        assert_eq!(from_env(env(&[]), Some(3)).unwrap(), None);
    }
}
