//! Operating-time holds shared through Redis: when one client is refused a method with
//! `OPERATION_TIME_LIMIT`, or, if so configured, sees the method's `operating` time reach
//! a threshold, every client of the same credential holds the method back until the
//! reset.

use std::sync::{Arc, LazyLock};
use std::time::Duration;

use ::redis::Script;
use futures::future::BoxFuture;
use serde::{Deserialize, Serialize};

use super::connection::Connection;
use super::keys::Keys;
use crate::client::error::{CoordinationError, Failure};
use crate::client::operating::{OperatingGate, OperatingHolds};
use crate::{ApiError, Time};

/// Sets the hold at `KEYS[1]` to `ARGV[1]` for `ARGV[2]` milliseconds, unless a longer
/// hold is there already.
static HOLD: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"
local left = redis.call('PTTL', KEYS[1])
if left < tonumber(ARGV[2]) then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
end
return 1
",
    )
});

/// Returns the hold at `KEYS[1]` and the milliseconds it has left, or nothing.
static READ: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"
local left = redis.call('PTTL', KEYS[1])
if left <= 0 then return false end
return {redis.call('GET', KEYS[1]), left}
",
    )
});

/// The error a hold was set for, as kept in Redis.
#[derive(Debug, Serialize, Deserialize)]
struct Held {
    code: String,
    message: String,
    status: Option<u16>,
}

/// Operating-time holds that every client of one portal and credential shares; the
/// client's own [`OperatingGate`] keeps the reset times it saw and the holds it set.
#[derive(Debug)]
pub(super) struct SharedHolds {
    connection: Arc<Connection>,
    keys: Keys,
    credential: String,
    /// The `operating` time at which a method is paused before the portal refuses it.
    pause_at: Option<Duration>,
    local: OperatingGate,
}

impl SharedHolds {
    /// The holds of `credential` at the portal of `keys`; with `pause_at`, a method whose
    /// `operating` time reaches it is held until its reset too.
    pub(super) fn new(
        connection: Arc<Connection>,
        keys: Keys,
        credential: String,
        pause_at: Option<Duration>,
    ) -> Self {
        Self {
            connection,
            keys,
            credential,
            pause_at,
            local: OperatingGate::default(),
        }
    }

    /// Publishes a hold of `method` for `wait`.
    async fn publish(
        &self,
        method: &str,
        error: &ApiError,
        wait: Duration,
    ) -> Result<(), CoordinationError> {
        let held = serde_json::to_string(&Held {
            code: error.code.clone(),
            message: error.message.clone(),
            status: error.status,
        })
        .map_err(|error| CoordinationError::new("writing an operating-time hold", error))?;
        let key = self.keys.hold(&self.credential, method);
        let millis = u64::try_from(wait.as_millis()).unwrap_or(u64::MAX).max(1);
        self.connection
            .run(
                "sharing an operating-time hold",
                |mut connection| async move {
                    HOLD.key(&key)
                        .arg(held)
                        .arg(millis)
                        .invoke_async::<()>(&mut connection)
                        .await
                },
            )
            .await
    }

    /// The hold of `method` other clients set: the error and how long it has left.
    async fn shared_hold(
        &self,
        method: &str,
    ) -> Result<Option<(ApiError, Duration)>, CoordinationError> {
        let key = self.keys.hold(&self.credential, method);
        let hold: Option<(String, u64)> = self
            .connection
            .run(
                "reading the method's operating-time hold",
                |mut connection| async move { READ.key(&key).invoke_async(&mut connection).await },
            )
            .await?;
        Ok(hold.map(|(held, left)| {
            let error = match serde_json::from_str::<Held>(&held) {
                Ok(held) => {
                    let error = ApiError::new(held.code, held.message);
                    match held.status {
                        Some(status) => error.with_status(status),
                        None => error,
                    }
                }
                Err(_) => ApiError::new("OPERATION_TIME_LIMIT", ""),
            };
            (error, Duration::from_millis(left))
        }))
    }
}

impl OperatingHolds for SharedHolds {
    /// Notes the reset time; when the method's `operating` time reached the pause
    /// threshold, holds the method until the reset, here and for every client.
    fn record<'a>(&'a self, method: &'a str, time: Option<&'a Time>) -> BoxFuture<'a, ()> {
        Box::pin(async move {
            let reset_at = time.and_then(|time| time.operating_reset_at);
            self.local.record(method, reset_at);
            let (Some(pause_at), Some(operating), Some(reset_at)) = (
                self.pause_at,
                time.and_then(|time| time.operating),
                reset_at,
            ) else {
                return;
            };
            if operating < pause_at.as_secs_f64() {
                return;
            }
            let error = ApiError::new(
                "OPERATION_TIME_LIMIT",
                "paused by the client: the method's operating time reached the fleet's \
                 threshold",
            );
            let wait = self
                .local
                .block(method, error.clone(), Some(reset_at), Duration::ZERO);
            if wait.is_zero() {
                return;
            }
            tracing::info!(
                operating,
                wait_ms = wait.as_millis() as u64,
                "the method's operating time reached the threshold; paused for every client"
            );
            // A failure is logged by the connection; the pause holds in this client anyway.
            let _ = self.publish(method, &error, wait).await;
        })
    }

    fn block<'a>(
        &'a self,
        method: &'a str,
        error: ApiError,
        reset_hint: Option<i64>,
        fallback: Duration,
    ) -> BoxFuture<'a, Result<Duration, CoordinationError>> {
        Box::pin(async move {
            let wait = self
                .local
                .block(method, error.clone(), reset_hint, fallback);
            match self.publish(method, &error, wait).await {
                Ok(()) => Ok(wait),
                Err(_) if self.connection.falls_back() => Ok(wait),
                Err(error) => Err(error),
            }
        })
    }

    fn wait<'a>(
        &'a self,
        method: &'a str,
        max_wait: Duration,
    ) -> BoxFuture<'a, Result<(), Failure>> {
        Box::pin(async move {
            loop {
                self.local
                    .wait(method, max_wait)
                    .await
                    .map_err(Failure::Api)?;
                let (error, left) = match self.shared_hold(method).await {
                    Ok(Some(hold)) => hold,
                    Ok(None) => return Ok(()),
                    Err(_) if self.connection.falls_back() => return Ok(()),
                    Err(error) => return Err(Failure::Coordination(error)),
                };
                if left > max_wait {
                    return Err(Failure::Api(error));
                }
                tracing::debug!(
                    wait_ms = left.as_millis() as u64,
                    "waiting for the method's operating-time budget, held by another client"
                );
                tokio::time::sleep(left).await;
            }
        })
    }
}
