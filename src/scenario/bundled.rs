//! The scenario library compiled into the binary.
//!
//! `build.rs` lists `scenarios/*.yaml` at build time, sorted by file name;
//! each file's text is embedded with `include_str!`. A bundled scenario is
//! run by its name (the file name without `.yaml`), from any folder. This
//! module only holds the texts; loading and validation happen in `scenario`.

/// One embedded scenario file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Bundled {
    /// The file name without `.yaml`, e.g. `global-leaderboard`.
    pub name: &'static str,
    /// The YAML text as committed.
    pub text: &'static str,
}

static ALL: &[Bundled] = include!(concat!(env!("OUT_DIR"), "/bundled_scenarios.rs"));

/// Every bundled scenario, sorted by name.
pub fn all() -> &'static [Bundled] {
    ALL
}

/// The bundled scenario with this name (with or without `.yaml`).
pub fn find(name: &str) -> Option<&'static Bundled> {
    let name = name.strip_suffix(".yaml").unwrap_or(name);
    ALL.iter().find(|b| b.name == name)
}

impl Bundled {
    /// Where error messages say the text came from: `bundled:NAME`, not
    /// a path, since no such file need exist where it is run.
    pub fn origin(&self) -> String {
        format!("bundled:{}", self.name)
    }

    /// The scenario's `description:` on one line (empty if it has none).
    pub fn description(&self) -> String {
        description_of(self.text)
    }
}

/// The top-level `description:` field of a scenario text, whitespace
/// collapsed onto one line; empty when absent or unreadable.
pub fn description_of(text: &str) -> String {
    let value: serde_yaml::Value = match serde_yaml::from_str(text) {
        Ok(v) => v,
        Err(_) => return String::new(),
    };
    value
        .get("description")
        .and_then(|d| d.as_str())
        .map(|d| d.split_whitespace().collect::<Vec<_>>().join(" "))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorted_and_findable() {
        let names: Vec<&str> = all().iter().map(|b| b.name).collect();
        let mut sorted = names.clone();
        sorted.sort();
        assert_eq!(names, sorted);
        for b in all() {
            assert_eq!(find(b.name), Some(b));
            assert_eq!(find(&format!("{}.yaml", b.name)), Some(b));
        }
        assert_eq!(find("no-such-scenario"), None);
    }

    #[test]
    fn descriptions_are_one_line() {
        assert_eq!(description_of("name: x\ndescription: Hello.\n"), "Hello.");
        assert_eq!(
            description_of("description: >\n  Two\n  lines.\nname: x\n"),
            "Two lines."
        );
        assert_eq!(description_of("name: x\n"), "");
        assert_eq!(description_of(": not yaml ["), "");
    }
}
