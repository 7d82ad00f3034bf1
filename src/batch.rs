//! A fixed pool of worker threads over a list of inputs, handing each result
//! to one consumer (the thread that owns stdout): in input order, or as
//! they finish. Workers run at most a window of inputs ahead of the output,
//! so memory is bounded by the pool, not the batch. It knows nothing of
//! what the work is.

use std::collections::HashMap;
use std::io;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, mpsc};

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

/// Runs `work(i, &item, cancelled)` for every item `items` yields (item
/// number `i` in the order yielded) on a pool of threads and passes each
/// result to `emit` exactly once: in that order, or as they finish with
/// `unordered`. `items` is pulled lazily, on a thread of its own, only as
/// far as the ordering window allows (4 items a worker ahead of the
/// output), so an iterator that opens files as it goes holds few of them at
/// once. `cancelled` (checked by the work between its steps) is the
/// caller's `cancelled` or true once `emit` failed. Fails only when `emit`
/// fails (e.g. a closed pipe): the workers are then stopped, and what they
/// still finish is dropped.
pub fn run<I: Send, T: Send>(
    items: impl Iterator<Item = I> + Send,
    opts: Options,
    cancelled: &(dyn Fn() -> bool + Sync),
    work: &Work<'_, I, T>,
    emit: &mut dyn FnMut(T) -> io::Result<()>,
) -> io::Result<()> {
    let aborted = AtomicBool::new(false);
    let workers = match items.size_hint() {
        (_, Some(most)) => opts.jobs.clamp(1, most.max(1)),
        _ => opts.jobs.max(1),
    };
    // Ordered output: workers may run this many items ahead of the output.
    let window = Window::new(if opts.unordered {
        usize::MAX
    } else {
        workers * 4
    });
    let stop_now = || aborted.load(Ordering::SeqCst) || cancelled();

    std::thread::scope(|scope| {
        let (item_tx, item_rx) = mpsc::sync_channel::<(usize, I)>(workers);
        // Shared by the workers; gone with the last of them, which ends a
        // producer waiting to hand over an item.
        let item_rx = Arc::new(Mutex::new(item_rx));
        let (tx, rx) = mpsc::sync_channel::<(usize, T)>(workers * 2);
        let (window, aborted, stop_now) = (&window, &aborted, &stop_now);
        scope.spawn(move || {
            let mut items = items;
            for i in 0.. {
                window.wait_for(i);
                if aborted.load(Ordering::SeqCst) {
                    break;
                }
                let Some(item) = items.next() else { break };
                if item_tx.send((i, item)).is_err() {
                    break;
                }
            }
        });
        for _ in 0..workers {
            let tx = tx.clone();
            let item_rx = Arc::clone(&item_rx);
            scope.spawn(move || {
                loop {
                    let next = item_rx.lock().unwrap_or_else(|e| e.into_inner()).recv();
                    let Ok((i, item)) = next else { break };
                    if aborted.load(Ordering::SeqCst) {
                        break;
                    }
                    let result = work(i, &item, stop_now);
                    drop(item);
                    if tx.send((i, result)).is_err() {
                        break;
                    }
                }
            });
        }
        drop((tx, item_rx));

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
    use std::sync::atomic::AtomicUsize;
    use std::time::Duration;

    fn collect(items: &[u64], opts: Options) -> Vec<u64> {
        let mut out = Vec::new();
        run(
            items.iter(),
            opts,
            &|| false,
            &|_, ms: &&u64, _| {
                let ms = **ms;
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
            items.iter(),
            Options {
                jobs: 2,
                unordered: false,
            },
            &|| false,
            &|_, x: &&u32, _| {
                let x = **x;
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

    #[test]
    fn items_are_pulled_no_further_than_the_window() {
        let pulled = AtomicUsize::new(0);
        let items = (0..200u32).inspect(|_| {
            pulled.fetch_add(1, Ordering::SeqCst);
        });
        let mut emitted = 0;
        run(
            items,
            Options {
                jobs: 2,
                unordered: false,
            },
            &|| false,
            &|_, &x, _| x,
            &mut |x| {
                assert_eq!(x, emitted);
                emitted += 1;
                // 2 workers × 4 ahead, and the one being handed over.
                let ahead = pulled.load(Ordering::SeqCst) - emitted as usize;
                assert!(ahead <= 9, "{ahead} items pulled ahead of the output");
                std::thread::sleep(Duration::from_millis(1));
                Ok(())
            },
        )
        .unwrap();
        assert_eq!(emitted, 200);
    }
}
