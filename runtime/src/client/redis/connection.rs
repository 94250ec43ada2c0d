//! The connection to Redis: made on first use, bounded in time, and watched, so that an
//! outage is logged once and not waited for by every call.

use std::fmt;
use std::future::Future;
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use ::redis::RedisResult;
use ::redis::aio::{ConnectionManager, ConnectionManagerConfig};
use tokio::sync::OnceCell;
use tokio::time::Instant;

use super::WhenUnavailable;
use crate::client::error::CoordinationError;

/// How long after a failure Redis is left alone before it is tried again.
const RETRY_AFTER: Duration = Duration::from_millis(500);

/// One connection to Redis, shared by every client of a fleet in the process.
pub(super) struct Connection {
    client: ::redis::Client,
    manager: OnceCell<ConnectionManager>,
    timeout: Duration,
    when_unavailable: WhenUnavailable,
    /// Until when Redis is not tried after a failure; `None` while it answers.
    down_until: Mutex<Option<Instant>>,
}

impl fmt::Debug for Connection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let info = self.client.get_connection_info();
        f.debug_struct("Connection")
            .field("address", &info.addr().to_string())
            .field("timeout", &self.timeout)
            .field("when_unavailable", &self.when_unavailable)
            .finish_non_exhaustive()
    }
}

/// Why Redis was not asked.
#[derive(Debug, thiserror::Error)]
enum Outage {
    #[error("Redis did not answer within {0:?}")]
    TimedOut(Duration),
    #[error("Redis failed a moment ago and is not tried again yet")]
    Down,
}

impl Connection {
    /// A connection to the Redis of `client`, made on first use. Every operation gets
    /// `timeout`.
    pub(super) fn new(
        client: ::redis::Client,
        timeout: Duration,
        when_unavailable: WhenUnavailable,
    ) -> Self {
        Self {
            client,
            manager: OnceCell::new(),
            timeout,
            when_unavailable,
            down_until: Mutex::new(None),
        }
    }

    /// Whether calls go on with the client's own limits while Redis is unreachable.
    pub(super) fn falls_back(&self) -> bool {
        self.when_unavailable == WhenUnavailable::FallBackToLocal
    }

    /// Runs `operation` on the connection within the timeout. A failure is reported as
    /// what the client was `doing`; after one, Redis is not asked again for a moment, and
    /// the first failure of an outage is logged (once), as is the recovery.
    pub(super) async fn run<T, F, Fut>(
        &self,
        doing: &'static str,
        operation: F,
    ) -> Result<T, CoordinationError>
    where
        F: FnOnce(ConnectionManager) -> Fut,
        Fut: Future<Output = RedisResult<T>>,
    {
        if self.is_resting() {
            return Err(CoordinationError::new(doing, Outage::Down));
        }
        let attempt = async {
            let manager = self
                .manager
                .get_or_try_init(|| {
                    let config = ConnectionManagerConfig::new()
                        .set_connection_timeout(Some(self.timeout))
                        .set_response_timeout(Some(self.timeout))
                        .set_number_of_retries(1)
                        .set_min_delay(Duration::from_millis(20));
                    ConnectionManager::new_with_config(self.client.clone(), config)
                })
                .await?;
            operation(manager.clone()).await
        };
        let outcome = match tokio::time::timeout(self.timeout, attempt).await {
            Ok(Ok(value)) => Ok(value),
            Ok(Err(error)) => Err(CoordinationError::new(doing, error)),
            Err(_) => Err(CoordinationError::new(
                doing,
                Outage::TimedOut(self.timeout),
            )),
        };
        self.note(outcome.as_ref().err());
        outcome
    }

    /// Whether Redis failed a moment ago.
    fn is_resting(&self) -> bool {
        let down_until = self
            .down_until
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        down_until.is_some_and(|until| Instant::now() < until)
    }

    /// Records the outcome of an operation, logging the start and the end of an outage.
    fn note(&self, failure: Option<&CoordinationError>) {
        let mut down_until = self
            .down_until
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        match (failure, down_until.is_some()) {
            (None, false) => {}
            (None, true) => {
                *down_until = None;
                tracing::info!("Redis answers again; limits and renewals are shared again");
            }
            (Some(error), was_down) => {
                *down_until = Some(Instant::now() + RETRY_AFTER);
                if !was_down {
                    let then = if self.falls_back() {
                        "calls use this process's own limits until it is back"
                    } else {
                        "calls fail until it is back"
                    };
                    tracing::warn!(%error, "Redis is unavailable; {then}");
                }
            }
        }
    }
}
