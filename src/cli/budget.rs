//! A memory budget checked while a run goes: the up-front estimate can be
//! wrong, so the run loop's progress callback also looks at what the
//! process holds, and a run past the budget stops with an error instead of
//! exhausting the machine.
//!
//! The budget is 1.5 times the estimate's limit (`MAX_MEMORY_BYTES`), at
//! most three quarters of the machine's memory; `REPLISIM_MAX_MEMORY`
//! (bytes, or with a K, M or G suffix of 1024s) sets another. Only Linux
//! tells a process its resident size cheaply (`/proc/self/statm`);
//! elsewhere there is no run-time check.

use crate::model::MAX_MEMORY_BYTES;

/// The environment variable that sets the budget.
pub const VARIABLE: &str = "REPLISIM_MAX_MEMORY";

/// The budget in bytes, or the error line for a `REPLISIM_MAX_MEMORY` that
/// is not a size.
pub fn limit() -> Result<u64, String> {
    if let Ok(text) = std::env::var(VARIABLE) {
        return parse(&text).ok_or_else(|| {
            format!(
                "{VARIABLE}={}: not a size; write bytes, or a whole number with K, M or G (1024s)",
                text.escape_debug()
            )
        });
    }
    let default = MAX_MEMORY_BYTES / 2 * 3;
    Ok(match physical() {
        Some(total) => default.min(total / 4 * 3),
        None => default,
    })
}

fn parse(text: &str) -> Option<u64> {
    let t = text.trim();
    let (digits, shift) = match t.char_indices().last()? {
        (i, 'k' | 'K') => (&t[..i], 10),
        (i, 'm' | 'M') => (&t[..i], 20),
        (i, 'g' | 'G') => (&t[..i], 30),
        _ => (t, 0),
    };
    let n: u64 = digits.trim().parse().ok()?;
    n.checked_mul(1 << shift).filter(|&b| b > 0)
}

/// What the process holds in memory now, in bytes, where the platform says.
pub fn resident() -> Option<u64> {
    #[cfg(target_os = "linux")]
    {
        let text = std::fs::read_to_string("/proc/self/statm").ok()?;
        let pages: u64 = text.split_whitespace().nth(1)?.parse().ok()?;
        // SAFETY: sysconf has no preconditions.
        let page = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
        Some(pages.saturating_mul(u64::try_from(page).ok()?))
    }
    #[cfg(not(target_os = "linux"))]
    {
        None
    }
}

fn physical() -> Option<u64> {
    #[cfg(target_os = "linux")]
    {
        // SAFETY: sysconf has no preconditions.
        let (pages, page) = unsafe {
            (
                libc::sysconf(libc::_SC_PHYS_PAGES),
                libc::sysconf(libc::_SC_PAGESIZE),
            )
        };
        u64::try_from(pages)
            .ok()?
            .checked_mul(u64::try_from(page).ok()?)
    }
    #[cfg(not(target_os = "linux"))]
    {
        None
    }
}

/// Bytes as GiB with one decimal, or MiB below 1 GiB.
pub fn shown(bytes: u64) -> String {
    if bytes >= 1 << 30 {
        format!("{:.1} GiB", bytes as f64 / (1u64 << 30) as f64)
    } else {
        format!("{:.0} MiB", bytes as f64 / (1u64 << 20) as f64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_parse() {
        assert_eq!(parse("123"), Some(123));
        assert_eq!(parse("64M"), Some(64 << 20));
        assert_eq!(parse(" 2g "), Some(2 << 30));
        assert_eq!(parse("1k"), Some(1024));
        assert_eq!(parse("0"), None);
        assert_eq!(parse("lots"), None);
        assert_eq!(parse("M"), None);
        assert_eq!(parse("99999999999G"), None);
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn this_process_holds_some_memory() {
        let held = resident().unwrap();
        assert!(held > 1 << 20 && held < 1 << 40, "{held}");
    }
}
