//! OAuth renewals shared through Redis: the latest token pair of an installation, and a
//! lease that lets one client at a time renew it.
//!
//! A client whose access token expired reads the pair in Redis. If another client has
//! renewed it since, the client adopts the new pair. Otherwise it takes the lease (a key
//! that only one client can create, with a time to live): the holder renews, stores the
//! new pair with the next generation number, and deletes the lease in one step, so the
//! others, which read the pair while they wait, find the new one. While the holder
//! lives, a task of its own extends the lease; a holder that dies stops extending it,
//! and the lease expires, so that another client takes the turn. A refresh token the
//! OAuth server refused is marked in the pair and not sent again.

use std::collections::HashMap;
use std::hash::{BuildHasher, RandomState};
use std::sync::{Arc, LazyLock};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use ::redis::{AsyncCommands, Script};
use futures::future::BoxFuture;
use tokio::task::JoinHandle;
use tokio::time::Instant;

use super::connection::Connection;
use crate::client::error::{CoordinationError, Failure};
use crate::client::oauth::RefusedRenewal;
use crate::client::renewal::{Lease, Renewals, Turn};
use crate::client::tokens::Tokens;
use crate::{ApiError, Secret};

/// How long a client waits for another client's renewal before it gives up.
const WAIT_LIMIT: Duration = Duration::from_secs(120);

/// How often a waiting client looks at the pair and the lease again.
const POLL: Duration = Duration::from_millis(25);

/// A pair that expires this soon is renewed rather than adopted.
const EXPIRY_MARGIN: i64 = 5;

/// Takes the lease `KEYS[2]` for `ARGV[1]` for `ARGV[2]` milliseconds if it is free, and
/// then returns the pair at `KEYS[1]` as `HGETALL` does; nothing if the lease is taken.
static ACQUIRE: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"
if redis.call('SET', KEYS[2], ARGV[1], 'NX', 'PX', ARGV[2]) then
  return redis.call('HGETALL', KEYS[1])
end
return false
",
    )
});

/// Extends the lease `KEYS[1]` to `ARGV[2]` milliseconds if `ARGV[1]` holds it; 1 if so.
static EXTEND: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0
",
    )
});

/// Deletes the lease `KEYS[1]` if `ARGV[1]` holds it.
static RELEASE: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
",
    )
});

/// Stores the pair renewed from generation `ARGV[2]` in `KEYS[1]` as the next
/// generation, unless another pair was stored since, and releases the lease `KEYS[2]` of
/// `ARGV[1]`. `ARGV[3..6]`: access token, refresh token, expiry, client endpoint (empty
/// when unknown). Returns 1 when the pair is stored (also when it was, by a first
/// attempt whose answer was lost).
static COMMIT: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"
local stored = 0
if redis.call('HGET', KEYS[1], 'access_token') == ARGV[3] then
  stored = 1
elseif tonumber(redis.call('HGET', KEYS[1], 'generation') or '0') == tonumber(ARGV[2]) then
  redis.call('HSET', KEYS[1], 'generation', tonumber(ARGV[2]) + 1,
    'access_token', ARGV[3], 'refresh_token', ARGV[4],
    'expires_at', ARGV[5], 'client_endpoint', ARGV[6])
  redis.call('HDEL', KEYS[1], 'refused_generation', 'refused_kind', 'refused_code',
    'refused_message', 'refused_status')
  stored = 1
end
if redis.call('GET', KEYS[2]) == ARGV[1] then redis.call('DEL', KEYS[2]) end
return stored
",
    )
});

/// Marks generation `ARGV[2]` of the pair `KEYS[1]` as refused by the OAuth server
/// (`ARGV[3..6]`: kind, code, message, status), unless another pair was stored since,
/// and releases the lease `KEYS[2]` of `ARGV[1]`.
static REFUSE: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"
if tonumber(redis.call('HGET', KEYS[1], 'generation') or '0') == tonumber(ARGV[2]) then
  redis.call('HSET', KEYS[1], 'refused_generation', ARGV[2], 'refused_kind', ARGV[3],
    'refused_code', ARGV[4], 'refused_message', ARGV[5], 'refused_status', ARGV[6])
end
if redis.call('GET', KEYS[2]) == ARGV[1] then redis.call('DEL', KEYS[2]) end
return 1
",
    )
});

/// The renewals of one installation's tokens, shared by every client of the fleet.
#[derive(Debug)]
pub(super) struct SharedRenewals {
    connection: Arc<Connection>,
    /// The hash that holds the pair.
    pair: String,
    /// The lease.
    lock: String,
    lease: Duration,
}

/// What Redis holds about an installation's tokens.
#[derive(Debug, Default)]
struct Stored {
    /// The latest pair; `None` until a client of the fleet first renewed.
    tokens: Option<Tokens>,
    /// How many renewals the fleet stored.
    generation: u64,
    /// The generation whose refresh token the OAuth server refused, and its answer.
    refused: Option<(u64, RefusedRenewal)>,
}

impl SharedRenewals {
    /// The renewals of the pair at `pair`, with the lease at `lock` lasting `lease`.
    pub(super) fn new(
        connection: Arc<Connection>,
        pair: String,
        lock: String,
        lease: Duration,
    ) -> Self {
        Self {
            connection,
            pair,
            lock,
            lease,
        }
    }

    async fn read(&self) -> Result<Stored, Failure> {
        let fields: HashMap<String, String> = self
            .connection
            .run(
                "reading the shared OAuth tokens",
                |mut connection| async move { connection.hgetall(&self.pair).await },
            )
            .await
            .map_err(Failure::Coordination)?;
        Ok(Stored::from_fields(fields))
    }

    /// Takes the lease for `owner` if it is free; returns the pair as it is then.
    async fn acquire(&self, owner: &str) -> Result<Option<Stored>, Failure> {
        let millis = lease_millis(self.lease);
        let fields: Option<Vec<String>> = self
            .connection
            .run(
                "taking the OAuth renewal lease",
                |mut connection| async move {
                    ACQUIRE
                        .key(&self.pair)
                        .key(&self.lock)
                        .arg(owner)
                        .arg(millis)
                        .invoke_async(&mut connection)
                        .await
                },
            )
            .await
            .map_err(Failure::Coordination)?;
        Ok(fields.map(|fields| {
            let mut pairs = HashMap::new();
            let mut fields = fields.into_iter();
            while let (Some(name), Some(value)) = (fields.next(), fields.next()) {
                pairs.insert(name, value);
            }
            Stored::from_fields(pairs)
        }))
    }

    /// A lease held by `owner` for renewing generation `generation`, extended while it
    /// lives.
    fn lease(&self, owner: String, generation: u64) -> RedisLease {
        let watchdog = tokio::spawn(extend(
            Arc::clone(&self.connection),
            self.lock.clone(),
            owner.clone(),
            self.lease,
        ));
        RedisLease {
            connection: Arc::clone(&self.connection),
            pair: self.pair.clone(),
            lock: self.lock.clone(),
            owner,
            generation,
            lease: self.lease,
            watchdog,
            reported: false,
        }
    }
}

impl Renewals for SharedRenewals {
    fn begin<'a>(&'a self, current: &'a Tokens) -> BoxFuture<'a, Result<Turn, Failure>> {
        Box::pin(async move {
            let give_up = Instant::now() + WAIT_LIMIT;
            let owner = owner_id();
            loop {
                let stored = self.read().await?;
                if let Some(turn) = stored.settled(current) {
                    return Ok(turn);
                }
                if let Some(stored) = self.acquire(&owner).await? {
                    let lease = self.lease(owner, stored.generation);
                    if let Some(turn) = stored.settled(current) {
                        // Dropped unreported, the lease is released.
                        drop(lease);
                        return Ok(turn);
                    }
                    let latest = stored.tokens.unwrap_or_else(|| current.clone());
                    return Ok(Turn::Renew(latest, Box::new(lease)));
                }
                if Instant::now() >= give_up {
                    return Err(Failure::Coordination(CoordinationError::new(
                        "waiting for another client's OAuth renewal",
                        "the renewal lease was held for too long",
                    )));
                }
                tokio::time::sleep(POLL).await;
            }
        })
    }
}

impl Stored {
    fn from_fields(mut fields: HashMap<String, String>) -> Self {
        let number = |fields: &HashMap<String, String>, name: &str| {
            fields.get(name).and_then(|value| value.parse::<u64>().ok())
        };
        let generation = number(&fields, "generation").unwrap_or(0);
        let refused = number(&fields, "refused_generation").map(|refused| {
            let text = |name: &str| fields.get(name).cloned().unwrap_or_default();
            let mut error = ApiError::new(text("refused_code"), text("refused_message"));
            if let Some(status) = fields
                .get("refused_status")
                .and_then(|status| status.parse().ok())
            {
                error = error.with_status(status);
            }
            let refusal = if text("refused_kind") == "invalid_grant" {
                RefusedRenewal::InvalidGrant(error)
            } else {
                RefusedRenewal::Rejected(error)
            };
            (refused, refusal)
        });
        let tokens = match (
            fields.remove("access_token"),
            fields.remove("refresh_token"),
        ) {
            (Some(access), Some(refresh)) => Some(Tokens {
                access_token: Secret::new(access),
                refresh_token: Secret::new(refresh),
                expires_at: fields
                    .get("expires_at")
                    .and_then(|value| value.parse().ok()),
                client_endpoint: fields
                    .remove("client_endpoint")
                    .filter(|endpoint| !endpoint.is_empty()),
            }),
            _ => None,
        };
        Self {
            tokens,
            generation,
            refused,
        }
    }

    /// What a client whose `current` pair expired does without renewing: adopt a newer
    /// pair, or give up on a refused one; `None` when the latest pair is to be renewed.
    fn settled(&self, current: &Tokens) -> Option<Turn> {
        if let Some(latest) = &self.tokens
            && latest.access_token != current.access_token
            && !expires_soon(latest)
        {
            return Some(Turn::Adopt(latest.clone()));
        }
        match &self.refused {
            Some((generation, refusal)) if *generation == self.generation => {
                Some(Turn::Refused(refusal.clone()))
            }
            _ => None,
        }
    }
}

/// Whether the pair's access token is known to expire within the margin.
fn expires_soon(tokens: &Tokens) -> bool {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |since| {
            i64::try_from(since.as_secs()).unwrap_or(i64::MAX)
        });
    tokens
        .expires_at
        .is_some_and(|expires_at| expires_at <= now.saturating_add(EXPIRY_MARGIN))
}

/// A fresh identifier of a lease holder: the process and a random number.
fn owner_id() -> String {
    let random = RandomState::new().hash_one(std::time::Instant::now());
    format!("{}-{random:016x}", std::process::id())
}

fn lease_millis(lease: Duration) -> u64 {
    u64::try_from(lease.as_millis()).unwrap_or(u64::MAX).max(1)
}

/// Extends the lease of `owner` every third of its length, until it is lost or the task
/// is stopped.
async fn extend(connection: Arc<Connection>, lock: String, owner: String, lease: Duration) {
    let millis = lease_millis(lease);
    let mut every = tokio::time::interval(lease / 3);
    every.tick().await;
    loop {
        every.tick().await;
        let extended = connection
            .run("extending the OAuth renewal lease", |mut connection| {
                let (lock, owner) = (&lock, &owner);
                async move {
                    EXTEND
                        .key(lock)
                        .arg(owner)
                        .arg(millis)
                        .invoke_async::<i64>(&mut connection)
                        .await
                }
            })
            .await;
        if matches!(extended, Ok(0)) {
            tracing::warn!("the OAuth renewal lease expired before the renewal ended");
            return;
        }
    }
}

/// The lease of one client on renewing one generation of the pair.
struct RedisLease {
    connection: Arc<Connection>,
    pair: String,
    lock: String,
    owner: String,
    generation: u64,
    lease: Duration,
    /// Extends the lease while the renewal runs.
    watchdog: JoinHandle<()>,
    /// Whether the outcome was stored (which released the lease).
    reported: bool,
}

impl RedisLease {
    /// Runs a script that stores an outcome and releases the lease, retrying while Redis
    /// fails for up to the lease's length.
    async fn report(
        &mut self,
        doing: &'static str,
        script: &Script,
        args: &[String],
    ) -> Result<i64, Failure> {
        let give_up = Instant::now() + self.lease;
        loop {
            let (pair, lock, owner, generation) =
                (&self.pair, &self.lock, &self.owner, self.generation);
            let outcome = self
                .connection
                .run(doing, |mut connection| async move {
                    let mut invocation = script.key(pair);
                    invocation.key(lock).arg(owner).arg(generation);
                    for arg in args {
                        invocation.arg(arg);
                    }
                    invocation.invoke_async::<i64>(&mut connection).await
                })
                .await;
            match outcome {
                Ok(stored) => {
                    self.watchdog.abort();
                    self.reported = true;
                    return Ok(stored);
                }
                Err(_) if Instant::now() + POLL * 4 < give_up => {
                    tokio::time::sleep(POLL * 4).await;
                }
                Err(error) => return Err(Failure::Coordination(error)),
            }
        }
    }
}

impl Lease for RedisLease {
    fn renewed<'a>(mut self: Box<Self>, tokens: &'a Tokens) -> BoxFuture<'a, Result<(), Failure>> {
        Box::pin(async move {
            let args = [
                tokens.access_token.expose().to_owned(),
                tokens.refresh_token.expose().to_owned(),
                tokens
                    .expires_at
                    .map(|expires_at| expires_at.to_string())
                    .unwrap_or_default(),
                tokens.client_endpoint.clone().unwrap_or_default(),
            ];
            let stored = self
                .report("storing the renewed OAuth tokens", &COMMIT, &args)
                .await?;
            if stored == 0 {
                tracing::warn!(
                    "another client stored a renewed pair first; this client keeps its own"
                );
            }
            Ok(())
        })
    }

    fn refused<'a>(
        mut self: Box<Self>,
        refusal: &'a RefusedRenewal,
    ) -> BoxFuture<'a, Result<(), Failure>> {
        Box::pin(async move {
            let (kind, error) = match refusal {
                RefusedRenewal::InvalidGrant(error) => ("invalid_grant", error),
                RefusedRenewal::Rejected(error) => ("rejected", error),
            };
            let args = [
                kind.to_owned(),
                error.code.clone(),
                error.message.clone(),
                error
                    .status
                    .map(|status| status.to_string())
                    .unwrap_or_default(),
            ];
            self.report("sharing the refusal of the OAuth server", &REFUSE, &args)
                .await
                .map(drop)
        })
    }
}

impl Drop for RedisLease {
    fn drop(&mut self) {
        self.watchdog.abort();
        if self.reported {
            return;
        }
        // The renewal ended without an outcome (a failure in transit, a cancelled call):
        // free the lease at once rather than when it expires.
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            return;
        };
        let (connection, lock, owner) = (
            Arc::clone(&self.connection),
            self.lock.clone(),
            self.owner.clone(),
        );
        runtime.spawn(async move {
            let _ = connection
                .run(
                    "releasing the OAuth renewal lease",
                    |mut connection| async move {
                        RELEASE
                            .key(&lock)
                            .arg(&owner)
                            .invoke_async::<i64>(&mut connection)
                            .await
                    },
                )
                .await;
        });
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::Stored;
    use crate::client::Tokens;
    use crate::client::oauth::RefusedRenewal;
    use crate::client::renewal::Turn;

    fn fields(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(name, value)| ((*name).to_owned(), (*value).to_owned()))
            .collect()
    }

    #[test]
    fn an_empty_store_leaves_the_renewal_to_the_client() {
        let stored = Stored::from_fields(HashMap::new());
        assert_eq!(stored.generation, 0);
        assert!(stored.settled(&Tokens::new("a", "r")).is_none());
    }

    #[test]
    fn a_newer_pair_is_adopted_unless_it_expires() {
        let stored = Stored::from_fields(fields(&[
            ("generation", "3"),
            ("access_token", "a3"),
            ("refresh_token", "r3"),
            ("expires_at", ""),
            ("client_endpoint", "https://moved.bitrix24.com/rest/"),
        ]));
        assert_eq!(stored.generation, 3);
        let Some(Turn::Adopt(tokens)) = stored.settled(&Tokens::new("a2", "r2")) else {
            panic!("not adopted");
        };
        assert_eq!(tokens.refresh_token.expose(), "r3");
        assert_eq!(tokens.expires_at, None);
        assert_eq!(
            tokens.client_endpoint.as_deref(),
            Some("https://moved.bitrix24.com/rest/")
        );
        assert!(stored.settled(&Tokens::new("a3", "r3")).is_none());

        let expired = Stored::from_fields(fields(&[
            ("generation", "3"),
            ("access_token", "a3"),
            ("refresh_token", "r3"),
            ("expires_at", "1000"),
        ]));
        assert!(expired.settled(&Tokens::new("a2", "r2")).is_none());
    }

    #[test]
    fn a_refusal_counts_for_its_generation_only() {
        let refused = [
            ("generation", "2"),
            ("access_token", "a2"),
            ("refresh_token", "r2"),
            ("refused_kind", "invalid_grant"),
            ("refused_code", "invalid_grant"),
            ("refused_message", "Invalid grant"),
            ("refused_status", "400"),
        ];
        let mut now = fields(&refused);
        now.insert("refused_generation".into(), "2".into());
        let Some(Turn::Refused(RefusedRenewal::InvalidGrant(error))) =
            Stored::from_fields(now).settled(&Tokens::new("a2", "r2"))
        else {
            panic!("not refused");
        };
        assert_eq!(
            (error.code.as_str(), error.status),
            ("invalid_grant", Some(400))
        );
        let mut before = fields(&refused);
        before.insert("refused_generation".into(), "1".into());
        assert!(
            Stored::from_fields(before)
                .settled(&Tokens::new("a2", "r2"))
                .is_none()
        );
    }
}
