//! Large tables in huge pages.
//!
//! The simulator's per-key and per-version tables are read at random, a
//! few lines per event, and a run with many keys spreads them over tens of
//! megabytes: with 4 KiB pages most of those reads first miss the TLB and
//! wait for a page walk. Backing the tables with 2 MiB pages, where the
//! system allows it (Linux's transparent huge pages, by request), removes
//! most of those walks. Results do not depend on it; only speed does.
//!
//! `prefetch` lives here too: the other half of waiting less for memory.

/// A hint that `value` will be read soon: start loading its cache line.
/// No effect on results, only on how long the read waits.
#[inline(always)]
pub fn prefetch<T>(value: &T) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: a prefetch is a hint; it reads nothing and cannot fault.
    unsafe {
        use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
        _mm_prefetch::<_MM_HINT_T0>(value as *const T as *const i8);
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = value;
}

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

/// A growable table whose element 0 starts a cache line, or a huge page
/// when the table is large: rows laid out in whole lines then never
/// straddle two, and all of a large table can be backed by huge pages (a
/// plain vector's buffer starts anywhere, and the part before its first
/// huge-page boundary stays in small pages). It reads as a slice.
#[derive(Debug)]
pub struct HugeVec<T> {
    v: Vec<T>,
    /// Where element 0 is in `v`; the elements before it are padding.
    base: usize,
}

impl<T: Clone + Default> HugeVec<T> {
    /// Room for `n` elements.
    pub fn with_capacity(n: usize) -> HugeVec<T> {
        let size = std::mem::size_of::<T>().max(1);
        let align = if n.saturating_mul(size) >= HUGE_PAGE / 2 {
            HUGE_PAGE
        } else {
            64
        };
        let mut v = Vec::with_capacity(n + align.div_ceil(size));
        advise_huge_pages(&v);
        let base = ((align - v.as_ptr() as usize % align) % align).div_ceil(size);
        v.resize(base, T::default());
        HugeVec { v, base }
    }

    /// Append, moving to a new table twice as large when full.
    #[inline]
    pub fn push(&mut self, value: T) {
        if self.v.len() == self.v.capacity() {
            self.grow();
        }
        self.v.push(value);
    }

    #[cold]
    fn grow(&mut self) {
        let mut bigger = HugeVec::with_capacity((2 * self.len()).max(64));
        bigger.v.extend_from_slice(self);
        *self = bigger;
    }
}

// Indexing and `get` skip the slice `Deref` builds: they run on nearly
// every event.
impl<T> HugeVec<T> {
    #[inline]
    pub fn get(&self, i: usize) -> Option<&T> {
        self.v.get(self.base + i)
    }
}

impl<T> std::ops::Index<usize> for HugeVec<T> {
    type Output = T;
    #[inline]
    fn index(&self, i: usize) -> &T {
        &self.v[self.base + i]
    }
}

impl<T> std::ops::IndexMut<usize> for HugeVec<T> {
    #[inline]
    fn index_mut(&mut self, i: usize) -> &mut T {
        &mut self.v[self.base + i]
    }
}

impl<T> std::ops::Deref for HugeVec<T> {
    type Target = [T];
    #[inline]
    fn deref(&self) -> &[T] {
        &self.v[self.base..]
    }
}

impl<T> std::ops::DerefMut for HugeVec<T> {
    #[inline]
    fn deref_mut(&mut self) -> &mut [T] {
        &mut self.v[self.base..]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_huge_vec_keeps_its_elements_through_growth() {
        let small: HugeVec<u64> = HugeVec::with_capacity(10);
        assert!(small.is_empty());
        assert_eq!(small.as_ptr() as usize % 64, 0);
        let mut v: HugeVec<u64> = HugeVec::with_capacity(300_000);
        assert!(v.is_empty());
        for i in 0..1_000_000u64 {
            v.push(i * 3);
        }
        assert_eq!(v.len(), 1_000_000);
        assert_eq!(v[0], 0);
        assert_eq!(v[999_999], 2_999_997);
        assert_eq!(v.get(1_000_000), None);
        // Large tables start on a huge page.
        assert_eq!(&v[0] as *const u64 as usize % HUGE_PAGE, 0);
        v[5] = 1;
        assert_eq!(v[5], 1);
    }
}
