//! A process-wide bound on the pixels being converted at once, so that
//! `--jobs 16` over huge scans does not mean sixteen gigabyte-sized decodes
//! side by side: a conversion waits until the pictures converting now leave
//! room for its own pixels.

use std::sync::{Condvar, Mutex};

static IN_USE: Mutex<u64> = Mutex::new(0);
static FREED: Condvar = Condvar::new();

/// Pixels reserved for one conversion; released when dropped.
pub(crate) struct Reservation(u64);

/// Waits until `pixels` (width × height) fit beside the conversions running
/// now within `total`, and reserves them. A picture larger than `total`
/// reserves all of it, so it runs alone.
pub(crate) fn reserve(pixels: u64, total: u64) -> Reservation {
    let total = total.max(1);
    let want = pixels.clamp(1, total);
    let mut used = IN_USE.lock().unwrap_or_else(|e| e.into_inner());
    while *used > 0 && *used + want > total {
        used = FREED.wait(used).unwrap_or_else(|e| e.into_inner());
    }
    *used += want;
    Reservation(want)
}

impl Drop for Reservation {
    fn drop(&mut self) {
        let mut used = IN_USE.lock().unwrap_or_else(|e| e.into_inner());
        *used = used.saturating_sub(self.0);
        FREED.notify_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicU64, Ordering};

    #[test]
    fn concurrent_reservations_stay_within_the_total() {
        let peak = Arc::new(AtomicU64::new(0));
        let now = Arc::new(AtomicU64::new(0));
        let threads: Vec<_> = (0..8)
            .map(|_| {
                let (peak, now) = (peak.clone(), now.clone());
                std::thread::spawn(move || {
                    for _ in 0..20 {
                        let _r = reserve(40, 100);
                        let v = now.fetch_add(40, Ordering::SeqCst) + 40;
                        peak.fetch_max(v, Ordering::SeqCst);
                        std::thread::yield_now();
                        now.fetch_sub(40, Ordering::SeqCst);
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        assert!(peak.load(Ordering::SeqCst) <= 100);
        // A picture over the total still runs (alone).
        drop(reserve(1_000, 100));
    }
}
