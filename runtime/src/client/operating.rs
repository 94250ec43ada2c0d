//! Per-method pauses after the portal's operating-time limit (`OPERATION_TIME_LIMIT`).

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use futures::future::BoxFuture;
use tokio::time::Instant;

use super::error::{CoordinationError, Failure};
use crate::{ApiError, Time};

/// How long after the reported `operating_reset_at` a blocked method is tried again: the
/// reset time is given in whole seconds.
const RESET_MARGIN: Duration = Duration::from_millis(250);

/// The portal's accounting window: ten one-minute baskets, each leaving the sum ten
/// minutes after the first call it counts (`limits.md`). No basket resets later than
/// this from now, so a reset reported further ahead is not believed beyond it.
const WINDOW: Duration = Duration::from_secs(600);

/// What the client knows about the operating-time budget of each method.
#[derive(Debug, Default)]
pub(crate) struct OperatingGate {
    methods: Mutex<HashMap<String, MethodState>>,
}

#[derive(Debug, Default)]
struct MethodState {
    /// The `operating_reset_at` of the method's last successful reply, in Unix seconds.
    reset_at: Option<i64>,
    /// Until when calls of the method are held back, and the error that caused it.
    blocked: Option<(Instant, ApiError)>,
}

impl OperatingGate {
    /// Notes the reset time a successful reply reported for `method`.
    pub(crate) fn record(&self, method: &str, reset_at: Option<i64>) {
        let Some(reset_at) = reset_at else { return };
        let mut methods = self.lock();
        match methods.get_mut(method) {
            Some(state) => state.reset_at = Some(reset_at),
            None => {
                methods.insert(
                    method.to_owned(),
                    MethodState {
                        reset_at: Some(reset_at),
                        blocked: None,
                    },
                );
            }
        }
    }

    /// Holds back `method` after the portal refused it with `error`, until the reset time
    /// given in the error reply, else the last one known for the method, else for
    /// `fallback`. A reset time further ahead than the portal's [`WINDOW`] counts as the
    /// window's length. Returns how long the method is held back.
    ///
    /// A reset time is used once: if the method is refused again after it, the fallback
    /// applies.
    pub(crate) fn block(
        &self,
        method: &str,
        error: ApiError,
        reset_hint: Option<i64>,
        fallback: Duration,
    ) -> Duration {
        let mut methods = self.lock();
        let state = methods.entry(method.to_owned()).or_default();
        let now = unix_now();
        let wait = reset_hint
            .or(state.reset_at.take())
            .and_then(|reset_at| until(now, reset_at))
            .map_or(fallback, |wait| wait.min(WINDOW) + RESET_MARGIN);
        let until = Instant::now() + wait;
        state.blocked = match state.blocked.take() {
            Some((earlier, _)) if earlier > until => Some((earlier, error)),
            _ => Some((until, error)),
        };
        wait
    }

    /// Waits while `method` is held back. Fails at once with the error that caused the
    /// hold when it would last longer than `max_wait`.
    pub(crate) async fn wait(&self, method: &str, max_wait: Duration) -> Result<(), ApiError> {
        loop {
            let until = {
                let methods = self.lock();
                match methods.get(method).and_then(|state| state.blocked.as_ref()) {
                    Some((until, error)) if *until > Instant::now() => {
                        if *until - Instant::now() > max_wait {
                            return Err(error.clone());
                        }
                        *until
                    }
                    _ => return Ok(()),
                }
            };
            tracing::debug!(
                wait_ms = (until - Instant::now()).as_millis() as u64,
                "waiting for the method's operating-time budget"
            );
            tokio::time::sleep_until(until).await;
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, MethodState>> {
        self.methods.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Where a client keeps its operating-time holds: in itself ([`OperatingGate`]), or
/// shared with other processes (feature `redis`).
pub(crate) trait OperatingHolds: Send + Sync + std::fmt::Debug {
    /// Notes the operating-time figures (`operating`, `operating_reset_at`) a successful
    /// reply reported for `method`. It never fails: the call it belongs to succeeded.
    fn record<'a>(&'a self, method: &'a str, time: Option<&'a Time>) -> BoxFuture<'a, ()>;

    /// Holds back `method` after the portal refused it with `error` (see
    /// [`OperatingGate::block`]); returns how long.
    fn block<'a>(
        &'a self,
        method: &'a str,
        error: ApiError,
        reset_hint: Option<i64>,
        fallback: Duration,
    ) -> BoxFuture<'a, Result<Duration, CoordinationError>>;

    /// Waits while `method` is held back; fails with the error that caused the hold when
    /// it would last longer than `max_wait`.
    fn wait<'a>(
        &'a self,
        method: &'a str,
        max_wait: Duration,
    ) -> BoxFuture<'a, Result<(), Failure>>;
}

impl OperatingHolds for OperatingGate {
    fn record<'a>(&'a self, method: &'a str, time: Option<&'a Time>) -> BoxFuture<'a, ()> {
        OperatingGate::record(self, method, time.and_then(|time| time.operating_reset_at));
        Box::pin(std::future::ready(()))
    }

    fn block<'a>(
        &'a self,
        method: &'a str,
        error: ApiError,
        reset_hint: Option<i64>,
        fallback: Duration,
    ) -> BoxFuture<'a, Result<Duration, CoordinationError>> {
        let wait = OperatingGate::block(self, method, error, reset_hint, fallback);
        Box::pin(std::future::ready(Ok(wait)))
    }

    fn wait<'a>(
        &'a self,
        method: &'a str,
        max_wait: Duration,
    ) -> BoxFuture<'a, Result<(), Failure>> {
        Box::pin(async move {
            OperatingGate::wait(self, method, max_wait)
                .await
                .map_err(Failure::Api)
        })
    }
}

/// The current Unix time in seconds.
fn unix_now() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0.0, |since| since.as_secs_f64())
}

/// How long from `now` until `reset_at`, if that is in the future.
fn until(now: f64, reset_at: i64) -> Option<Duration> {
    let wait = reset_at as f64 - now;
    if wait > 0.0 {
        Duration::try_from_secs_f64(wait).ok()
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use tokio::time::Instant;

    use super::{OperatingGate, RESET_MARGIN, WINDOW, unix_now, until};
    use crate::ApiError;

    fn limit_error() -> ApiError {
        ApiError::new("OPERATION_TIME_LIMIT", "").with_status(429)
    }

    #[test]
    fn until_is_only_for_future_times() {
        assert_eq!(until(100.5, 100), None);
        assert_eq!(until(100.0, 100), None);
        assert_eq!(until(100.5, 102), Some(Duration::from_millis(1500)));
    }

    #[tokio::test(start_paused = true)]
    async fn a_blocked_method_waits_and_others_do_not() {
        let gate = OperatingGate::default();
        let wait = gate.block("crm.item.list", limit_error(), None, Duration::from_secs(5));
        assert_eq!(wait, Duration::from_secs(5));
        let start = Instant::now();
        gate.wait("crm.item.add", Duration::from_secs(60))
            .await
            .unwrap();
        assert_eq!(start.elapsed(), Duration::ZERO);
        gate.wait("crm.item.list", Duration::from_secs(60))
            .await
            .unwrap();
        assert_eq!(start.elapsed(), Duration::from_secs(5));
    }

    #[tokio::test(start_paused = true)]
    async fn a_wait_beyond_the_maximum_fails_at_once() {
        let gate = OperatingGate::default();
        gate.block(
            "crm.item.list",
            limit_error(),
            None,
            Duration::from_secs(120),
        );
        let start = Instant::now();
        let error = gate
            .wait("crm.item.list", Duration::from_secs(60))
            .await
            .unwrap_err();
        assert_eq!(error.code, "OPERATION_TIME_LIMIT");
        assert_eq!(start.elapsed(), Duration::ZERO);
    }

    #[test]
    fn the_known_reset_time_is_used_once() {
        let gate = OperatingGate::default();
        let reset_at = unix_now().ceil() as i64 + 3;
        gate.record("crm.item.list", Some(reset_at));
        let wait = gate.block(
            "crm.item.list",
            limit_error(),
            None,
            Duration::from_secs(60),
        );
        assert!(
            wait > Duration::from_secs(3) && wait <= Duration::from_secs(4) + RESET_MARGIN,
            "{wait:?}"
        );
        let wait = gate.block(
            "crm.item.list",
            limit_error(),
            None,
            Duration::from_secs(60),
        );
        assert_eq!(wait, Duration::from_secs(60));
    }

    #[test]
    fn a_reset_time_in_the_reply_wins() {
        let gate = OperatingGate::default();
        gate.record("crm.item.list", Some(unix_now() as i64 + 100));
        let hint = unix_now().ceil() as i64 + 2;
        let wait = gate.block(
            "crm.item.list",
            limit_error(),
            Some(hint),
            Duration::from_secs(60),
        );
        assert!(
            wait > Duration::from_secs(2) && wait <= Duration::from_secs(3) + RESET_MARGIN,
            "{wait:?}"
        );
    }

    #[test]
    fn past_reset_times_fall_back() {
        let gate = OperatingGate::default();
        gate.record("crm.item.list", Some(unix_now() as i64 - 5));
        let wait = gate.block("crm.item.list", limit_error(), None, Duration::from_secs(7));
        assert_eq!(wait, Duration::from_secs(7));
    }

    #[test]
    fn a_reset_beyond_the_window_counts_as_the_window() {
        let gate = OperatingGate::default();
        let hour_ahead = unix_now() as i64 + 3600;
        let wait = gate.block(
            "crm.item.list",
            limit_error(),
            Some(hour_ahead),
            Duration::from_secs(60),
        );
        assert_eq!(wait, WINDOW + RESET_MARGIN);
        gate.record("crm.item.add", Some(i64::MAX));
        let wait = gate.block("crm.item.add", limit_error(), None, Duration::from_secs(60));
        assert_eq!(wait, WINDOW + RESET_MARGIN);
    }
}
