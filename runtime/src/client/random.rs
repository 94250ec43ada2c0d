//! Random numbers for backoff jitter and idempotency keys, from the standard library's
//! randomly keyed hasher (no dependency, not for cryptography).

use std::hash::{BuildHasher, RandomState};
use std::sync::atomic::{AtomicU64, Ordering};

/// A random 64-bit number: a freshly keyed hash of a process-wide counter and the time.
pub(crate) fn random_u64() -> u64 {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let count = COUNTER.fetch_add(1, Ordering::Relaxed);
    RandomState::new().hash_one((count, std::time::Instant::now()))
}

/// A random number in `[0, 1)`.
pub(crate) fn unit_interval() -> f64 {
    (random_u64() >> 11) as f64 / (1u64 << 53) as f64
}

#[cfg(test)]
mod tests {
    use super::{random_u64, unit_interval};

    #[test]
    fn numbers_differ_and_fractions_stay_in_range() {
        let numbers: std::collections::HashSet<u64> = (0..1000).map(|_| random_u64()).collect();
        assert_eq!(numbers.len(), 1000);
        assert!(
            (0..1000)
                .map(|_| unit_interval())
                .all(|x| (0.0..1.0).contains(&x))
        );
    }
}
