//! Independent runs on several threads, results in input order.
//!
//! `run_all` hands out the indices 0..count to `jobs` worker threads, each
//! taking the next one when it is free, and returns every result at its
//! index: what comes out never depends on the number of threads or the
//! order in which runs finish. Each run's memory is its own thread's; only
//! what `work` returns is kept. `done` is called on the calling thread as
//! each run finishes (for a progress bar); when it returns `false` no new
//! run is started and the ones not started come back as `None`.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc;

/// The number of threads `--jobs` defaults to: the cores available.
pub fn default_jobs() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// Runs `work(i)` for every `i` in `0..count` on up to `jobs` threads.
pub fn run_all<T, W, D>(jobs: usize, count: usize, work: W, mut done: D) -> Vec<Option<T>>
where
    T: Send,
    W: Fn(usize) -> T + Sync,
    D: FnMut(usize, &T) -> bool,
{
    let mut results: Vec<Option<T>> = (0..count).map(|_| None).collect();
    if count == 0 {
        return results;
    }
    let jobs = jobs.clamp(1, count);
    let next = AtomicUsize::new(0);
    let stop = AtomicBool::new(false);
    std::thread::scope(|scope| {
        let (send, receive) = mpsc::channel::<(usize, T)>();
        for _ in 0..jobs {
            let send = send.clone();
            let (next, stop, work) = (&next, &stop, &work);
            scope.spawn(move || loop {
                if stop.load(Ordering::SeqCst) {
                    break;
                }
                let i = next.fetch_add(1, Ordering::SeqCst);
                if i >= count {
                    break;
                }
                if send.send((i, work(i))).is_err() {
                    break;
                }
            });
        }
        drop(send);
        for (i, value) in receive {
            if !done(i, &value) {
                stop.store(true, Ordering::SeqCst);
            }
            results[i] = Some(value);
        }
    });
    results
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_come_back_in_input_order_for_any_thread_count() {
        let expected: Vec<Option<u64>> = (0..50u64).map(|i| Some(i * i)).collect();
        for jobs in [1, 2, 3, 8, 100] {
            let mut seen = 0;
            let got = run_all(
                jobs,
                50,
                |i| {
                    // Uneven work, so runs finish out of order.
                    std::thread::sleep(std::time::Duration::from_micros(
                        ((i * 7) % 5) as u64 * 100,
                    ));
                    (i * i) as u64
                },
                |_, _| {
                    seen += 1;
                    true
                },
            );
            assert_eq!(got, expected, "jobs {jobs}");
            assert_eq!(seen, 50);
        }
        assert!(run_all(2, 0, |i| i, |_, _| true).is_empty());
    }

    #[test]
    fn a_false_from_done_stops_new_runs() {
        // A run already under way when `done` says stop still comes back;
        // with runs of 20 ms, far from all ten do.
        let got = run_all(
            1,
            10,
            |i| {
                std::thread::sleep(std::time::Duration::from_millis(20));
                i
            },
            |i, _| i < 2,
        );
        assert_eq!(&got[..3], &[Some(0), Some(1), Some(2)]);
        assert!(got.iter().filter(|g| g.is_some()).count() < 6, "{got:?}");
    }
}
