//! A fleet of clients on one portal, sharing their limits and OAuth renewals through
//! Redis or Valkey (feature `redis`).
//!
//! Bitrix24 counts requests per portal and source address, and operating time per method
//! and application or webhook, wherever the calls come from; an OAuth installation has
//! one refresh token, replaced by every renewal. Clients in several processes (queue
//! workers, pods, cron jobs beside a web application) that call one portal share those
//! through the same [`RedisFleet`]:
//!
//! - one request-rate bucket per portal (and source): the in-process leaky bucket of
//!   [`RateLimiter`](crate::client::RateLimiter), kept in Redis and updated atomically by
//!   a script on the Redis server's clock, so that together the clients never exceed the
//!   burst and the drain rate;
//! - operating-time holds: when one client is refused a method with
//!   `OPERATION_TIME_LIMIT` (or, with [`RedisFleet::pause_at_operating_time`], sees the
//!   method's `operating` time reach a threshold), every client of the same application
//!   or webhook holds that method back until the reset, and goes on calling other
//!   methods;
//! - the OAuth token pair and a renewal lease: one client renews, the others wait and
//!   adopt the new pair; a client that dies while renewing loses the lease when it
//!   expires, and a refresh token the OAuth server refused is not sent again.
//!
//! ```no_run
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! use bitrix24_runtime::client::redis::{RedisFleet, WhenUnavailable};
//! use bitrix24_runtime::client::{Client, Webhook};
//!
//! let fleet = RedisFleet::new("redis://:password@127.0.0.1:6379/")?
//!     .when_unavailable(WhenUnavailable::FallBackToLocal);
//! let client = Client::builder(Webhook::from_url("https://example.bitrix24.com/rest/1/<code>/")?)
//!     .redis(&fleet)
//!     .build()?;
//! let reply = client.call_raw("user.current", serde_json::Value::Null).await?;
//! # Ok(()) }
//! ```
//!
//! # Keys
//!
//! Every key starts with the prefix (`bitrix24` unless [`RedisFleet::prefix`] says
//! otherwise) and the portal's host, with the port if its URL names one:
//!
//! | key | type | holds | expires |
//! |---|---|---|---|
//! | `<prefix>:<portal>:rate` (`…:rate:<source>` with [`RedisFleet::rate_source`]) | string | when the next request is due if requests were evenly spaced, in microseconds of the Redis server's clock | when the bucket has drained, plus one second |
//! | `<prefix>:<portal>:hold:<credential>:<method>` | string | JSON of the error that caused the hold (`code`, `message`, `status`); `<credential>` is `webhook:<user id>` or `app:<client_id>` | at the end of the hold |
//! | `<prefix>:<portal>:oauth:<installation>` | hash | `access_token`, `refresh_token`, `expires_at`, `client_endpoint`, `generation` (renewals so far), and `refused_generation`, `refused_kind`, `refused_code`, `refused_message`, `refused_status` after the OAuth server refused a refresh token | never |
//! | `<prefix>:<portal>:oauth:<installation>:lock` | string | the renewal lease: an identifier of the holder (process id and a random number) | after the lease's length unless its holder extends it |
//!
//! `<installation>` is the application's `client_id` unless [`RedisFleet::installation`]
//! names it (needed when one application calls as several users).
//!
//! # Secrets
//!
//! The token hash holds the access and refresh tokens in clear, as any
//! [`TokenStore`](crate::client::TokenStore) must keep them to renew; nothing else
//! stored is secret (no client secret, no webhook code). Protect the Redis with a
//! password and TLS (`rediss://`) and keep it off public networks; with persistence on
//! (RDB or AOF), the latest pair survives a restart of Redis. The Redis URL's password
//! never shows in `Debug` output, logs or errors.
//!
//! # When Redis is unavailable
//!
//! Every Redis operation is bounded by [`RedisFleet::timeout`]. After a failure Redis is
//! left alone for half a second, so that calls do not each wait for it; the first failure
//! of an outage is logged as a warning, and the recovery too. [`WhenUnavailable`] chooses
//! what calls do meanwhile: fail with [`Error::Coordination`](crate::client::Error)
//! before anything is sent (the default), or go on with the client's own rate limiter and
//! operating-time holds. Renewing OAuth tokens always needs Redis: without the lease, two
//! processes could send the same refresh token. Redis holds no call results, so an
//! outage never sends a call twice and never loses one without an error.
//!
//! A single Redis or Valkey node (5 or newer, or a primary with replicas) is expected;
//! the scripts touch keys that Redis Cluster may place on different nodes.

mod bucket;
mod connection;
mod holds;
mod keys;
mod renewals;

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use crate::client::builder::{BuildError, ClientBuilder};
use crate::client::coordination::{Coordination, Scope, Shared};
use crate::client::renewal::Alone;

use bucket::SharedBucket;
use connection::Connection;
use holds::SharedHolds;
use keys::Keys;
use renewals::SharedRenewals;

/// What calls do while Redis cannot be reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum WhenUnavailable {
    /// Fail with [`Error::Coordination`](crate::client::Error) before the call is sent.
    #[default]
    FailCall,
    /// Go on with the client's own rate limiter and operating-time holds, as if it were
    /// alone. The fleet may then exceed the portal's limits, which the client's retries
    /// absorb. OAuth renewals still fail.
    FallBackToLocal,
}

/// The Redis (or Valkey) through which clients in many processes share their request-rate
/// bucket, operating-time holds and OAuth renewals; see the [module](self) for what is
/// kept where.
///
/// Made from a URL: `redis://[user][:password@]host[:port][/db]`, `rediss://…` for TLS
/// (rustls, with the system's root certificates), `redis+unix:///path/to/socket`, or
/// `valkey://` / `valkeys://`. No connection is made until a client calls; clones, and
/// every client given one of them, share one connection.
#[derive(Clone)]
pub struct RedisFleet {
    connection: Arc<Connection>,
    client: ::redis::Client,
    prefix: String,
    source: Option<String>,
    installation: Option<String>,
    headroom: u32,
    pause_at: Option<Duration>,
    lease: Duration,
    timeout: Duration,
    when_unavailable: WhenUnavailable,
}

impl RedisFleet {
    /// A fleet coordinated through the Redis at `url`. The error never repeats the URL,
    /// which may hold a password.
    pub fn new(url: &str) -> Result<Self, BuildError> {
        let client =
            ::redis::Client::open(url).map_err(|_| BuildError::InvalidUrl { what: "Redis URL" })?;
        let timeout = Duration::from_secs(1);
        let when_unavailable = WhenUnavailable::default();
        Ok(Self {
            connection: Arc::new(Connection::new(client.clone(), timeout, when_unavailable)),
            client,
            prefix: "bitrix24".to_owned(),
            source: None,
            installation: None,
            headroom: 1,
            pause_at: None,
            lease: Duration::from_secs(15),
            timeout,
            when_unavailable,
        })
    }

    /// Sets the start of every key (default `bitrix24`), to keep several fleets, or
    /// tests, apart in one Redis.
    pub fn prefix(mut self, prefix: impl Into<String>) -> Self {
        self.prefix = prefix.into();
        self
    }

    /// Names where the requests come from, such as the outgoing IP address. The portal
    /// keeps one request-rate bucket per source address: workers that reach it from
    /// different addresses get a bucket each by naming their source. By default every
    /// client of a portal shares one bucket.
    pub fn rate_source(mut self, source: impl Into<String>) -> Self {
        self.source = Some(source.into());
        self
    }

    /// Names the OAuth token pair the clients share (default: the application's
    /// `client_id`, one pair per application and portal). An application that calls one
    /// portal as several users gives each user's clients their own name.
    pub fn installation(mut self, installation: impl Into<String>) -> Self {
        self.installation = Some(installation.into());
        self
    }

    /// Sets how many requests below the portal's burst the shared bucket stays (default
    /// 1), so that requests that reach the portal a little closer together than they were
    /// sent are not refused.
    pub fn headroom(mut self, requests: u32) -> Self {
        self.headroom = requests;
        self
    }

    /// Holds a method back for every client, until its `operating_reset_at`, as soon as a
    /// reply reports that its `operating` time (the time the method used in the last ten
    /// minutes, for this application or webhook) reached `threshold`: set it a little
    /// below the portal's limit to pause before the portal refuses calls. By default only
    /// `OPERATION_TIME_LIMIT` holds a method back. A caller that would wait longer than
    /// the retry policy allows gets `OPERATION_TIME_LIMIT`.
    pub fn pause_at_operating_time(mut self, threshold: Duration) -> Self {
        self.pause_at = Some(threshold);
        self
    }

    /// Sets how long the renewal lease lasts unless its holder extends it (default
    /// 15 s): how long the other clients wait when the holder dies while renewing.
    ///
    /// # Panics
    ///
    /// If `lease` is shorter than 30 ms.
    pub fn renewal_lease(mut self, lease: Duration) -> Self {
        assert!(
            lease >= Duration::from_millis(30),
            "RedisFleet: the renewal lease must last at least 30 ms"
        );
        self.lease = lease;
        self
    }

    /// Sets how long one Redis operation, connecting included, may take (default 1 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self.reconnect()
    }

    /// Sets what calls do while Redis cannot be reached (default
    /// [`WhenUnavailable::FailCall`]).
    pub fn when_unavailable(mut self, choice: WhenUnavailable) -> Self {
        self.when_unavailable = choice;
        self.reconnect()
    }

    /// The same fleet with a connection made for the current settings.
    fn reconnect(mut self) -> Self {
        self.connection = Arc::new(Connection::new(
            self.client.clone(),
            self.timeout,
            self.when_unavailable,
        ));
        self
    }
}

impl fmt::Debug for RedisFleet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisFleet")
            .field("connection", &self.connection)
            .field("prefix", &self.prefix)
            .field("source", &self.source)
            .field("installation", &self.installation)
            .field("headroom", &self.headroom)
            .field("pause_at", &self.pause_at)
            .field("lease", &self.lease)
            .finish_non_exhaustive()
    }
}

impl Coordination for RedisFleet {
    fn attach(&self, scope: &Scope) -> Shared {
        let keys = Keys::new(&self.prefix, &scope.portal);
        let bucket = SharedBucket::new(
            Arc::clone(&self.connection),
            keys.bucket(self.source.as_deref()),
            scope.limiter.clone(),
            self.headroom,
        );
        let renewals: Arc<dyn crate::client::renewal::Renewals> = match self
            .installation
            .as_deref()
            .or(scope.application.as_deref())
        {
            Some(installation) => Arc::new(SharedRenewals::new(
                Arc::clone(&self.connection),
                keys.tokens(installation),
                keys.renewal_lock(installation),
                self.lease,
            )),
            None => Arc::new(Alone),
        };
        let holds = SharedHolds::new(
            Arc::clone(&self.connection),
            keys,
            scope.credential.clone(),
            self.pause_at,
        );
        Shared {
            bucket: Arc::new(bucket),
            holds: Arc::new(holds),
            renewals,
        }
    }
}

impl ClientBuilder {
    /// Shares the client's request-rate bucket, operating-time holds and OAuth renewals
    /// with every client given the same `fleet` (or a fleet of the same Redis and prefix),
    /// in any process. The bucket enforces the limit set with
    /// [`rate_limit`](Self::rate_limit); the client's own bucket is used while Redis is
    /// unavailable, if [`WhenUnavailable::FallBackToLocal`] is chosen.
    pub fn redis(self, fleet: &RedisFleet) -> Self {
        self.coordinate(fleet.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::RedisFleet;
    use crate::client::BuildError;

    #[test]
    fn urls_with_auth_and_tls_are_accepted_and_never_shown() {
        for url in [
            "redis://:s3cret-pass@127.0.0.1:6379/",
            "redis://fleet:s3cret-pass@127.0.0.1:6379/2",
            "rediss://:s3cret-pass@redis.example.com:6380/",
            "valkeys://fleet:s3cret-pass@valkey.example.com/",
            "redis+unix:///run/redis.sock?pass=s3cret-pass",
        ] {
            let fleet = RedisFleet::new(url).unwrap_or_else(|_| panic!("{url} is refused"));
            let text = format!("{fleet:?}");
            assert!(!text.contains("s3cret-pass"), "{text}");
        }
    }

    #[test]
    fn bad_urls_are_refused_without_echoing_them() {
        for url in ["http://:s3cret-pass@127.0.0.1/", "not a url s3cret-pass"] {
            let error = RedisFleet::new(url).unwrap_err();
            assert!(matches!(error, BuildError::InvalidUrl { .. }));
            assert!(!format!("{error} {error:?}").contains("s3cret-pass"));
        }
    }
}
