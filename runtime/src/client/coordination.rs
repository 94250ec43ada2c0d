//! Sharing a client's limits and token renewals with clients in other processes.
//!
//! By default a client keeps its request-rate bucket, its operating-time holds and the
//! single flight of its OAuth renewal to itself and its clones. A [`Coordination`]
//! (such as the Redis one of the feature `redis`) replaces the three with parts that
//! every client configured with the same store shares.

use std::fmt;
use std::sync::Arc;

use reqwest::Url;

use super::operating::OperatingHolds;
use super::rate_limit::{RateLimiter, RequestBucket};
use super::renewal::Renewals;

/// A store that clients share their limits and renewals through.
pub(crate) trait Coordination: Send + Sync + fmt::Debug {
    /// The shared parts of a client of `scope`.
    fn attach(&self, scope: &Scope) -> Shared;
}

/// What identifies a client's limits.
#[derive(Debug)]
#[cfg_attr(
    not(feature = "redis"),
    expect(dead_code, reason = "only the `redis` feature has a coordination")
)]
pub(crate) struct Scope {
    /// The portal's host, with the port when the URL names one, such as
    /// `example.bitrix24.com`.
    pub(crate) portal: String,
    /// The credential whose operating-time budget the calls use: `webhook:<user id>` or
    /// `app:<client_id>`.
    pub(crate) credential: String,
    /// The OAuth application's `client_id`; `None` for a webhook.
    pub(crate) application: Option<String>,
    /// The client's own bucket, which holds the limit to share.
    pub(crate) limiter: RateLimiter,
}

impl Scope {
    /// The scope of a client of the portal at `root` calling with `credential`.
    pub(crate) fn new(
        root: &Url,
        credential: String,
        application: Option<String>,
        limiter: RateLimiter,
    ) -> Self {
        let host = root.host_str().unwrap_or_default();
        let portal = match root.port() {
            Some(port) => format!("{host}:{port}"),
            None => host.to_owned(),
        };
        Self {
            portal,
            credential,
            application,
            limiter,
        }
    }
}

/// The parts of a client that a [`Coordination`] shares.
pub(crate) struct Shared {
    /// Books every request.
    pub(crate) bucket: Arc<dyn RequestBucket>,
    /// Holds methods back after `OPERATION_TIME_LIMIT`.
    pub(crate) holds: Arc<dyn OperatingHolds>,
    /// Decides who renews OAuth tokens.
    pub(crate) renewals: Arc<dyn Renewals>,
}

#[cfg(test)]
mod tests {
    use reqwest::Url;

    use super::Scope;
    use crate::client::{RateLimit, RateLimiter};

    #[test]
    fn the_portal_is_the_host_with_an_explicit_port() {
        let limiter = RateLimiter::new(RateLimit::STANDARD);
        let root = Url::parse("https://example.bitrix24.com/rest/").unwrap();
        let scope = Scope::new(&root, "webhook:1".into(), None, limiter.clone());
        assert_eq!(scope.portal, "example.bitrix24.com");
        let root = Url::parse("http://127.0.0.1:8080/b24/rest/").unwrap();
        assert_eq!(
            Scope::new(&root, "app:x".into(), None, limiter).portal,
            "127.0.0.1:8080"
        );
    }
}
