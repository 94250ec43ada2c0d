//! When and how long the client waits before sending a call again.

use std::time::Duration;

use super::random::unit_interval;

/// How the client retries a call that the portal turned away or that failed in transit.
///
/// - `QUERY_LIMIT_EXCEEDED` (the portal's request-rate limit): every method, with
///   exponential backoff, since the portal did not run the call.
/// - `OPERATION_TIME_LIMIT` (the method's operating-time budget): every method, after
///   waiting until the `operating_reset_at` the portal last reported for that method, or
///   [`operating_fallback_wait`](Self::operating_fallback_wait) when none is known; only
///   calls of that method wait.
/// - A transport failure before the request could reach the portal (no connection):
///   every method.
/// - A transport failure after that (timeout, dropped connection), or a gateway error
///   page: only methods that are safe to repeat (`Method::SAFE_TO_REPEAT`) and REST 3.0
///   methods sent with an `Idempotency-Key`, because the portal may have run the call.
///   A call whose requests time out is sent again at most
///   [`max_timeout_retries`](Self::max_timeout_retries) times (once by default), since a
///   portal that did not answer in time is unlikely to answer the next time.
///
/// Every wait and retry stops at the client's call timeout
/// ([`ClientBuilder::call_timeout`](super::ClientBuilder::call_timeout)).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    max_attempts: u32,
    initial_backoff: Duration,
    max_backoff: Duration,
    max_operating_wait: Duration,
    operating_fallback_wait: Duration,
    max_timeout_retries: u32,
}

impl Default for RetryPolicy {
    /// Six attempts, one retry after a timeout, backoff from 0.5 s up to 30 s,
    /// operating-time waits of up to ten minutes (the length of the portal's accounting
    /// window).
    fn default() -> Self {
        Self {
            max_attempts: 6,
            initial_backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(30),
            max_operating_wait: Duration::from_secs(600),
            operating_fallback_wait: Duration::from_secs(60),
            max_timeout_retries: 1,
        }
    }
}

impl RetryPolicy {
    /// A policy that sends every call once and never waits to retry it.
    pub fn never() -> Self {
        Self::default().max_attempts(1)
    }

    /// Sets how many times one call may be sent in all (at least 1). A retry after an
    /// OAuth token refresh does not count.
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }

    /// Sets the first backoff delay; each further retry doubles it.
    pub fn initial_backoff(mut self, delay: Duration) -> Self {
        self.initial_backoff = delay;
        self
    }

    /// Sets the longest backoff delay.
    pub fn max_backoff(mut self, delay: Duration) -> Self {
        self.max_backoff = delay;
        self
    }

    /// Sets the longest a call waits for its method's operating-time budget to come back;
    /// when the portal's reset is further away, the call fails with `OPERATION_TIME_LIMIT`
    /// at once.
    pub fn max_operating_wait(mut self, wait: Duration) -> Self {
        self.max_operating_wait = wait;
        self
    }

    /// Sets how long a method waits after `OPERATION_TIME_LIMIT` when no reset time is
    /// known for it.
    pub fn operating_fallback_wait(mut self, wait: Duration) -> Self {
        self.operating_fallback_wait = wait;
        self
    }

    /// Sets how many times a call is sent again after its request timed out (default 1).
    pub fn max_timeout_retries(mut self, retries: u32) -> Self {
        self.max_timeout_retries = retries;
        self
    }

    /// How many times one call may be sent in all.
    pub fn attempts(&self) -> u32 {
        self.max_attempts
    }

    pub(crate) fn timeout_retries(&self) -> u32 {
        self.max_timeout_retries
    }

    pub(crate) fn max_operating_wait_limit(&self) -> Duration {
        self.max_operating_wait
    }

    pub(crate) fn operating_fallback(&self) -> Duration {
        self.operating_fallback_wait
    }

    /// The delay before retry number `retry` (1 for the first retry): exponential, capped,
    /// with a random part so that concurrent callers do not retry in lockstep. The delay
    /// lies between half and all of the exponential value.
    pub(crate) fn backoff(&self, retry: u32) -> Duration {
        let exponent = retry.saturating_sub(1).min(30);
        let full = self
            .initial_backoff
            .saturating_mul(1 << exponent)
            .min(self.max_backoff);
        let half = full / 2;
        half + half.mul_f64(unit_interval())
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::RetryPolicy;

    #[test]
    fn backoff_doubles_up_to_the_cap_with_bounded_jitter() {
        let policy = RetryPolicy::default()
            .initial_backoff(Duration::from_millis(100))
            .max_backoff(Duration::from_millis(1000));
        for (retry, full) in [
            (1, 100),
            (2, 200),
            (3, 400),
            (4, 800),
            (5, 1000),
            (40, 1000),
        ] {
            for _ in 0..50 {
                let delay = policy.backoff(retry);
                let full = Duration::from_millis(full);
                assert!(
                    delay >= full / 2 && delay <= full,
                    "retry {retry}: {delay:?}"
                );
            }
        }
    }

    #[test]
    fn attempts_are_at_least_one() {
        assert_eq!(RetryPolicy::default().max_attempts(0).attempts(), 1);
        assert_eq!(RetryPolicy::never().attempts(), 1);
        assert_eq!(RetryPolicy::default().attempts(), 6);
        assert_eq!(RetryPolicy::default().timeout_retries(), 1);
        assert_eq!(
            RetryPolicy::default()
                .max_timeout_retries(0)
                .timeout_retries(),
            0
        );
    }
}
