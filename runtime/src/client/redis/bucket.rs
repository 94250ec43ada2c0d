//! The request-rate bucket shared through Redis: the in-process [`RateLimiter`]'s leaky
//! bucket (the generic cell rate algorithm), kept in one key and updated by a script on
//! the Redis server, on the server's clock.

use std::sync::{Arc, LazyLock};
use std::time::Duration;

use ::redis::Script;
use futures::future::BoxFuture;

use super::connection::Connection;
use crate::client::error::CoordinationError;
use crate::client::rate_limit::{RateLimit, RateLimiter, RequestBucket};

/// Books one request (`ARGV[3]` = `0`) or marks the bucket full (`1`).
///
/// `KEYS[1]` holds the theoretical arrival time of the next request, in microseconds of
/// the server's clock (`TIME`); `ARGV[1]` is the interval between requests and `ARGV[2]`
/// how far ahead of the theoretical time a request may go (the burst), both in
/// microseconds. Returns how many microseconds the booked request waits. The key expires
/// once the bucket has drained.
static BOOK: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000000 + tonumber(clock[2])
local interval = tonumber(ARGV[1])
local tolerance = tonumber(ARGV[2])
local next = tonumber(redis.call('GET', KEYS[1]) or '0')
if next < now then next = now end
local wait = 0
if ARGV[3] == '1' then
  local full = now + tolerance + interval
  if full > next then next = full end
else
  wait = next - tolerance - now
  if wait < 0 then wait = 0 end
  next = next + interval
end
redis.call('SET', KEYS[1], string.format('%.0f', next),
  'PX', math.ceil((next - now) / 1000) + 1000)
return math.floor(wait)
",
    )
});

/// A request-rate bucket that every client with the same key shares.
#[derive(Debug)]
pub(super) struct SharedBucket {
    connection: Arc<Connection>,
    key: String,
    /// Microseconds between two requests.
    interval: f64,
    /// Microseconds a request may go ahead of its theoretical time.
    tolerance: f64,
    /// The client's own bucket, used while Redis is unavailable if so configured.
    local: RateLimiter,
}

impl SharedBucket {
    /// A shared bucket at `key` that enforces `local`'s limit, staying `headroom`
    /// requests below its burst.
    pub(super) fn new(
        connection: Arc<Connection>,
        key: String,
        local: RateLimiter,
        headroom: u32,
    ) -> Self {
        let limit: RateLimit = local.limit();
        let interval = 1e6 / limit.per_second();
        let ahead = limit.burst().saturating_sub(1).saturating_sub(headroom);
        Self {
            connection,
            key,
            interval,
            tolerance: interval * f64::from(ahead),
            local,
        }
    }

    /// Runs the script; returns how long the booked request waits.
    async fn book(&self, saturate: bool) -> Result<Duration, CoordinationError> {
        let doing = if saturate {
            "marking the shared request bucket full"
        } else {
            "booking a request in the shared request bucket"
        };
        let waited: u64 = self
            .connection
            .run(doing, |mut connection| async move {
                BOOK.key(&self.key)
                    .arg(self.interval)
                    .arg(self.tolerance)
                    .arg(u8::from(saturate))
                    .invoke_async(&mut connection)
                    .await
            })
            .await?;
        Ok(Duration::from_micros(waited))
    }
}

impl RequestBucket for SharedBucket {
    fn acquire(&self) -> BoxFuture<'_, Result<(), CoordinationError>> {
        Box::pin(async move {
            match self.book(false).await {
                Ok(wait) => {
                    if !wait.is_zero() {
                        tokio::time::sleep(wait).await;
                    }
                    Ok(())
                }
                Err(_) if self.connection.falls_back() => {
                    self.local.acquire().await;
                    Ok(())
                }
                Err(error) => Err(error),
            }
        })
    }

    fn saturate(&self) -> BoxFuture<'_, Result<(), CoordinationError>> {
        Box::pin(async move {
            self.local.saturate();
            match self.book(true).await {
                Ok(_) => Ok(()),
                Err(_) if self.connection.falls_back() => Ok(()),
                Err(error) => Err(error),
            }
        })
    }
}
