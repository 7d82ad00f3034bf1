//! A fixed pool of worker threads over a list of inputs, handing each result
//! to one consumer (the thread that owns stdout): in input order, or as
//! they finish. Workers run at most a window of inputs ahead of the output,
//! so memory is bounded by the pool, not the batch. It knows nothing of
//! what the work is.

use std::collections::HashMap;
use std::io;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex, mpsc};

/// How the pool runs.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// Worker threads (at least 1, at most one per input).
    pub jobs: usize,
    /// Hand results over as they finish, not in input order.
    pub unordered: bool,
}

/// The work done for item number `i`: `(i, item, cancelled) -> result`.
pub type Work<'a, I, T> = dyn Fn(usize, &I, &dyn Fn() -> bool) -> T + Sync + 'a;

/// Runs `work(i, &items[i], cancelled)` for every item on a pool of
/// threads and passes each result to `emit` exactly once: in input order,
/// or as they finish with `unordered`. `cancelled` (checked by the work
/// between its steps) is the caller's `cancelled` or true once `emit`
/// failed. Fails only when `emit` fails (e.g. a closed pipe): the workers
/// are then stopped, and what they still finish is dropped.
pub fn run<I: Sync, T: Send>(
    items: &[I],
    opts: Options,
    cancelled: &(dyn Fn() -> bool + Sync),
    work: &Work<'_, I, T>,
    emit: &mut dyn FnMut(T) -> io::Result<()>,
) -> io::Result<()> {
    let next = AtomicUsize::new(0);
    let aborted = AtomicBool::new(false);
    let workers = opts.jobs.clamp(1, items.len().max(1));
    // Ordered output: workers may run this many inputs ahead of the output.
    let window = Window::new(if opts.unordered {
        usize::MAX
    } else {
        workers * 4
    });
    let stop_now = || aborted.load(Ordering::SeqCst) || cancelled();

    std::thread::scope(|scope| {
        let (tx, rx) = mpsc::sync_channel::<(usize, T)>(workers * 2);
        for _ in 0..workers {
            let tx = tx.clone();
            let (next, window, stop_now) = (&next, &window, &stop_now);
            scope.spawn(move || {
                loop {
                    let i = next.fetch_add(1, Ordering::SeqCst);
                    let Some(item) = items.get(i) else { break };
                    window.wait_for(i);
                    let result = work(i, item, stop_now);
                    if tx.send((i, result)).is_err() {
                        break;
                    }
                }
            });
        }
        drop(tx);

        let mut pending: HashMap<usize, T> = HashMap::new();
        let mut emitted = 0;
        for (i, result) in rx {
            let ready: Vec<T> = if opts.unordered {
                vec![result]
            } else {
                pending.insert(i, result);
                let mut v = Vec::new();
                while let Some(r) = pending.remove(&(emitted + v.len())) {
                    v.push(r);
                }
                v
            };
            for result in ready {
                emitted += 1;
                window.advance(emitted);
                if let Err(e) = emit(result) {
                    aborted.store(true, Ordering::SeqCst);
                    next.store(items.len(), Ordering::SeqCst);
                    window.advance(usize::MAX / 2);
                    return Err(e);
                }
            }
        }
        Ok(())
    })
}

/// How far ahead of the output the workers may run: input `i` may start
/// once fewer than `size` inputs before it are still unwritten.
struct Window {
    size: usize,
    emitted: Mutex<usize>,
    cv: Condvar,
}

impl Window {
    fn new(size: usize) -> Self {
        Window {
            size,
            emitted: Mutex::new(0),
            cv: Condvar::new(),
        }
    }

    fn wait_for(&self, i: usize) {
        let mut emitted = self.emitted.lock().unwrap_or_else(|e| e.into_inner());
        while i >= emitted.saturating_add(self.size) {
            emitted = self.cv.wait(emitted).unwrap_or_else(|e| e.into_inner());
        }
    }

    fn advance(&self, emitted: usize) {
        *self.emitted.lock().unwrap_or_else(|e| e.into_inner()) = emitted;
        self.cv.notify_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn collect(items: &[u64], opts: Options) -> Vec<u64> {
        let mut out = Vec::new();
        run(
            items,
            opts,
            &|| false,
            &|_, &ms, _| {
                std::thread::sleep(Duration::from_millis(ms));
                ms
            },
            &mut |r| {
                out.push(r);
                Ok(())
            },
        )
        .unwrap();
        out
    }

    #[test]
    fn ordered_output_keeps_input_order_whatever_finishes_first() {
        let items = [30, 1, 20, 2, 10, 3];
        let opts = Options {
            jobs: 3,
            unordered: false,
        };
        assert_eq!(collect(&items, opts), items);
    }

    #[test]
    fn unordered_output_gives_every_result_once() {
        let items = [30, 1, 20, 2];
        let mut got = collect(
            &items,
            Options {
                jobs: 4,
                unordered: true,
            },
        );
        assert_ne!(got, items, "the 1 ms item finishes before the 30 ms one");
        got.sort();
        assert_eq!(got, [1, 2, 20, 30]);
    }

    #[test]
    fn a_failing_consumer_stops_the_workers() {
        let started = AtomicUsize::new(0);
        let items: Vec<u32> = (0..1000).collect();
        let err = run(
            &items,
            Options {
                jobs: 2,
                unordered: false,
            },
            &|| false,
            &|_, &x, _| {
                started.fetch_add(1, Ordering::SeqCst);
                x
            },
            &mut |_| Err(io::Error::from(io::ErrorKind::BrokenPipe)),
        )
        .unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::BrokenPipe);
        // Only the window (2 workers × 4) and the channel can be in work.
        assert!(
            started.load(Ordering::SeqCst) < 20,
            "{}",
            started.load(Ordering::SeqCst)
        );
    }
}
