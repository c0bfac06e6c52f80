//! Large tables in huge pages.
//!
//! The simulator's per-key and per-version tables are read at random, a
//! few lines per event, and a run with many keys spreads them over tens of
//! megabytes: with 4 KiB pages most of those reads first miss the TLB and
//! wait for a page walk. Backing the tables with 2 MiB pages, where the
//! system allows it (Linux's transparent huge pages, by request), removes
//! most of those walks. Results do not depend on it; only speed does.

/// The size of a huge page on the systems that have them by request.
pub const HUGE_PAGE: usize = 2 << 20;

/// Ask for the buffer of `v`, as far as it is reserved, to be backed by
/// huge pages from now on. Advice only: where the system declines, or
/// elsewhere than Linux, nothing changes.
pub fn advise_huge_pages<T>(v: &Vec<T>) {
    #[cfg(target_os = "linux")]
    {
        const HUGE: usize = HUGE_PAGE;
        let start = v.as_ptr() as usize;
        let bytes = v.capacity() * std::mem::size_of::<T>();
        let first = start.next_multiple_of(HUGE);
        let end = (start + bytes) / HUGE * HUGE;
        if end > first {
            // SAFETY: the range lies inside the vector's own allocation,
            // and MADV_HUGEPAGE changes only how the kernel backs those
            // pages, never their contents or who may use them.
            unsafe {
                libc::madvise(first as *mut libc::c_void, end - first, libc::MADV_HUGEPAGE);
            }
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = v;
}

/// Push onto a vector whose buffer should be in huge pages, advising
/// again whenever the push moved it to a larger buffer.
#[inline]
pub fn push_advised<T>(v: &mut Vec<T>, value: T) {
    let capacity = v.capacity();
    v.push(value);
    if v.capacity() != capacity {
        advise_huge_pages(v);
    }
}
