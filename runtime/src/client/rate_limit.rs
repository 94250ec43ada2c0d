//! The client-side leaky bucket that keeps a client under the portal's request-rate limit.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use futures::future::BoxFuture;
use tokio::time::Instant;

use super::error::CoordinationError;

/// The parameters of a leaky bucket: how many requests may go out at once, and how fast
/// the bucket drains afterwards.
///
/// Bitrix24 counts every HTTP request of a portal in such a bucket and answers
/// `QUERY_LIMIT_EXCEEDED` (HTTP 503) once it is full; a client configured with the
/// portal's own numbers does not hit that limit on its own.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RateLimit {
    per_second: f64,
    burst: u32,
}

impl RateLimit {
    /// The limit of most plans: bursts of 50 requests, then 2 per second.
    pub const STANDARD: Self = Self {
        per_second: 2.0,
        burst: 50,
    };

    /// The limit of the Enterprise plan: bursts of 250 requests, then 5 per second.
    pub const ENTERPRISE: Self = Self {
        per_second: 5.0,
        burst: 250,
    };

    /// A limit of `burst` requests at once, then `per_second` requests per second.
    ///
    /// # Panics
    ///
    /// If `per_second` is not a positive finite number or `burst` is zero.
    pub fn new(per_second: f64, burst: u32) -> Self {
        assert!(
            per_second.is_finite() && per_second > 0.0,
            "RateLimit: the rate must be a positive number of requests per second"
        );
        assert!(
            burst > 0,
            "RateLimit: the burst must be at least one request"
        );
        Self { per_second, burst }
    }

    /// Requests per second once the burst is used up.
    pub fn per_second(&self) -> f64 {
        self.per_second
    }

    /// Requests that may go out at once.
    pub fn burst(&self) -> u32 {
        self.burst
    }

    fn interval(&self) -> Duration {
        Duration::from_secs_f64(1.0 / self.per_second)
    }
}

impl Default for RateLimit {
    fn default() -> Self {
        Self::STANDARD
    }
}

/// A leaky bucket shared by every clone of a client, and by other clients it is handed to.
///
/// Callers reserve their send time in arrival order (the generic cell rate algorithm), so
/// waiting callers leave in the order they came and none of them starves.
#[derive(Debug, Clone)]
pub struct RateLimiter {
    limit: RateLimit,
    /// The theoretical arrival time of the next request if requests were spaced exactly
    /// one interval apart; `None` until the first request.
    next: Arc<Mutex<Option<Instant>>>,
}

impl RateLimiter {
    /// An empty bucket with the given limit.
    pub fn new(limit: RateLimit) -> Self {
        Self {
            limit,
            next: Arc::new(Mutex::new(None)),
        }
    }

    /// The limit this bucket enforces.
    pub fn limit(&self) -> RateLimit {
        self.limit
    }

    /// Waits until one more request may go out, and counts it.
    pub(crate) async fn acquire(&self) {
        let now = Instant::now();
        let send_at = self.reserve(now);
        // A timer, even one already due, waits for the next tick of the timer wheel.
        if send_at > now {
            tokio::time::sleep_until(send_at).await;
        }
    }

    /// Marks the bucket as full, as the portal reported; the next request may go out one
    /// interval from now.
    pub(crate) fn saturate(&self) {
        let now = Instant::now();
        let full = now + self.interval() * self.limit.burst;
        let mut next = self.next.lock().unwrap_or_else(PoisonError::into_inner);
        *next = Some(next.map_or(full, |at| at.max(full)));
    }

    /// Books the next free slot at or after `now` and returns its time.
    fn reserve(&self, now: Instant) -> Instant {
        let interval = self.interval();
        let tolerance = interval * (self.limit.burst - 1);
        let mut next = self.next.lock().unwrap_or_else(PoisonError::into_inner);
        let theoretical = next.map_or(now, |at| at.max(now));
        *next = Some(theoretical + interval);
        theoretical
            .checked_sub(tolerance)
            .map_or(now, |at| at.max(now))
    }

    fn interval(&self) -> Duration {
        self.limit.interval()
    }
}

/// Where a client books the send time of each request: its own [`RateLimiter`], or a
/// bucket shared with other processes (feature `redis`).
pub(crate) trait RequestBucket: Send + Sync + std::fmt::Debug {
    /// Waits until one more request may go out, and counts it.
    fn acquire(&self) -> BoxFuture<'_, Result<(), CoordinationError>>;

    /// Marks the bucket as full, as the portal reported with `QUERY_LIMIT_EXCEEDED`.
    fn saturate(&self) -> BoxFuture<'_, Result<(), CoordinationError>>;
}

impl RequestBucket for RateLimiter {
    fn acquire(&self) -> BoxFuture<'_, Result<(), CoordinationError>> {
        Box::pin(async move {
            RateLimiter::acquire(self).await;
            Ok(())
        })
    }

    fn saturate(&self) -> BoxFuture<'_, Result<(), CoordinationError>> {
        RateLimiter::saturate(self);
        Box::pin(std::future::ready(Ok(())))
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use tokio::time::Instant;

    use super::{RateLimit, RateLimiter};

    #[test]
    fn presets_match_the_documented_plans() {
        assert_eq!(RateLimit::default(), RateLimit::STANDARD);
        assert_eq!(
            (
                RateLimit::STANDARD.per_second(),
                RateLimit::STANDARD.burst()
            ),
            (2.0, 50)
        );
        assert_eq!(
            (
                RateLimit::ENTERPRISE.per_second(),
                RateLimit::ENTERPRISE.burst()
            ),
            (5.0, 250)
        );
    }

    #[test]
    #[should_panic(expected = "positive number")]
    fn zero_rate_is_rejected() {
        RateLimit::new(0.0, 1);
    }

    #[test]
    #[should_panic(expected = "at least one")]
    fn zero_burst_is_rejected() {
        RateLimit::new(1.0, 0);
    }

    #[tokio::test(start_paused = true)]
    async fn burst_goes_out_at_once_then_the_rate_applies() {
        let limiter = RateLimiter::new(RateLimit::new(2.0, 3));
        let start = Instant::now();
        let mut sent = Vec::new();
        for _ in 0..6 {
            limiter.acquire().await;
            sent.push(start.elapsed());
        }
        let ms: Vec<u128> = sent.iter().map(Duration::as_millis).collect();
        assert_eq!(ms, [0, 0, 0, 500, 1000, 1500]);
    }

    #[tokio::test(start_paused = true)]
    async fn an_idle_bucket_drains() {
        let limiter = RateLimiter::new(RateLimit::new(10.0, 2));
        limiter.acquire().await;
        limiter.acquire().await;
        tokio::time::sleep(Duration::from_secs(1)).await;
        let start = Instant::now();
        limiter.acquire().await;
        limiter.acquire().await;
        assert_eq!(start.elapsed(), Duration::ZERO);
        limiter.acquire().await;
        assert_eq!(start.elapsed(), Duration::from_millis(100));
    }

    #[tokio::test(start_paused = true)]
    async fn clones_share_one_bucket() {
        let limiter = RateLimiter::new(RateLimit::new(4.0, 1));
        let other = limiter.clone();
        let start = Instant::now();
        limiter.acquire().await;
        other.acquire().await;
        limiter.acquire().await;
        assert_eq!(start.elapsed(), Duration::from_millis(500));
    }

    #[tokio::test(start_paused = true)]
    async fn concurrent_callers_are_spaced_by_the_interval() {
        let limiter = RateLimiter::new(RateLimit::new(10.0, 2));
        let start = Instant::now();
        let tasks: Vec<_> = (0..6)
            .map(|_| {
                let limiter = limiter.clone();
                tokio::spawn(async move {
                    limiter.acquire().await;
                    start.elapsed()
                })
            })
            .collect();
        let mut sent = Vec::new();
        for task in tasks {
            sent.push(task.await.expect("task").as_millis());
        }
        sent.sort_unstable();
        assert_eq!(sent, [0, 0, 100, 200, 300, 400]);
    }

    #[tokio::test(start_paused = true)]
    async fn saturation_makes_the_next_request_wait_one_interval() {
        let limiter = RateLimiter::new(RateLimit::new(5.0, 10));
        limiter.saturate();
        let start = Instant::now();
        limiter.acquire().await;
        assert_eq!(start.elapsed(), Duration::from_millis(200));
        limiter.acquire().await;
        assert_eq!(start.elapsed(), Duration::from_millis(400));
    }
}
