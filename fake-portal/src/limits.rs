//! The portal's two limits: the request-rate leaky bucket and the per-method
//! operating-time budget.

use std::time::{Duration, Instant};

/// The request-rate limit: a counter that every request raises by one and that drains
/// at `per_second`; a request that would raise it above `burst` is refused.
#[derive(Debug)]
pub(crate) struct LeakyBucket {
    burst: f64,
    per_second: f64,
    level: f64,
    updated: Instant,
}

impl LeakyBucket {
    pub(crate) fn new(burst: u32, per_second: f64) -> Self {
        Self {
            burst: f64::from(burst),
            per_second,
            level: 0.0,
            updated: Instant::now(),
        }
    }

    /// Counts a request at `now`; false when the bucket is full and the request refused.
    pub(crate) fn admit(&mut self, now: Instant) -> bool {
        let drained = now.saturating_duration_since(self.updated).as_secs_f64() * self.per_second;
        self.level = (self.level - drained).max(0.0);
        self.updated = now;
        if self.level + 1.0 > self.burst + 1e-9 {
            return false;
        }
        self.level += 1.0;
        true
    }
}

/// The operating time one method has used for one credential: the sums of ten
/// consecutive baskets, each opened by the first call after the previous one closed.
#[derive(Debug, Default)]
pub(crate) struct OperatingBudget {
    /// Open baskets, oldest first: (Unix time the basket opened, seconds used in it).
    baskets: Vec<(f64, f64)>,
}

/// How many baskets the accounting window holds.
const BASKETS: f64 = 10.0;

impl OperatingBudget {
    /// Forgets the baskets that left the window by `now` (Unix seconds).
    fn expire(&mut self, now: f64, basket: Duration) {
        let window = basket.as_secs_f64() * BASKETS;
        self.baskets.retain(|(opened, _)| opened + window > now);
    }

    /// The operating time in the window at `now`.
    pub(crate) fn used(&mut self, now: f64, basket: Duration) -> f64 {
        self.expire(now, basket);
        self.baskets.iter().map(|(_, used)| used).sum()
    }

    /// Adds `cost` seconds for a call at `now`.
    pub(crate) fn charge(&mut self, now: f64, basket: Duration, cost: f64) {
        self.expire(now, basket);
        match self.baskets.last_mut() {
            Some((opened, used)) if now < *opened + basket.as_secs_f64() => *used += cost,
            _ => self.baskets.push((now, cost)),
        }
    }

    /// When the oldest basket leaves the window, in whole Unix seconds (rounded up).
    pub(crate) fn reset_at(&self, basket: Duration) -> Option<i64> {
        let window = basket.as_secs_f64() * BASKETS;
        self.baskets
            .first()
            .map(|(opened, _)| (opened + window).ceil() as i64)
    }
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, Instant};

    use super::{LeakyBucket, OperatingBudget};

    #[test]
    fn bucket_admits_a_burst_then_drains() {
        let start = Instant::now();
        let mut bucket = LeakyBucket::new(3, 2.0);
        assert!((0..3).all(|_| bucket.admit(start)));
        assert!(!bucket.admit(start));
        assert!(!bucket.admit(start + Duration::from_millis(400)));
        assert!(bucket.admit(start + Duration::from_millis(500)));
        assert!(!bucket.admit(start + Duration::from_millis(500)));
        assert!((0..3).all(|_| bucket.admit(start + Duration::from_secs(10))));
    }

    #[test]
    fn operating_time_is_kept_in_ten_baskets() {
        let basket = Duration::from_secs(60);
        let mut budget = OperatingBudget::default();
        budget.charge(1000.0, basket, 20.0);
        budget.charge(1030.0, basket, 20.0);
        budget.charge(1070.0, basket, 5.0);
        assert_eq!(budget.used(1100.0, basket), 45.0);
        assert_eq!(budget.reset_at(basket), Some(1600));
        assert_eq!(budget.used(1600.0, basket), 5.0);
        assert_eq!(budget.reset_at(basket), Some(1670));
        assert_eq!(budget.used(1670.0, basket), 0.0);
        assert_eq!(budget.reset_at(basket), None);
    }

    #[test]
    fn reset_times_round_up() {
        let basket = Duration::from_millis(150);
        let mut budget = OperatingBudget::default();
        budget.charge(100.2, basket, 1.0);
        assert_eq!(budget.reset_at(basket), Some(102));
    }
}
