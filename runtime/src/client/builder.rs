//! Configuring and building a [`Client`].

use std::sync::Arc;
use std::time::Duration;

use super::auth::Auth;
use super::client::{Client, Credentials, Inner};
use super::coordination::{Coordination, Scope, Shared};
use super::endpoint::{Endpoint, parse_url, rest_root};
use super::oauth::{OAuthSession, SessionConfig};
use super::operating::{OperatingGate, OperatingHolds};
use super::rate_limit::{RateLimit, RateLimiter, RequestBucket};
use super::retry::RetryPolicy;

/// Why a client could not be built. The error never repeats a configured URL, which may
/// hold a webhook code.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BuildError {
    /// The webhook URL is not one: it looks like
    /// `https://<portal>/rest/<user id>/<code>/`, as Bitrix24 shows it.
    #[error(
        "invalid webhook URL: expected https://<portal>/rest/<user id>/<code>/, as Bitrix24 shows it"
    )]
    InvalidWebhookUrl,
    /// A configured URL could not be used: it must be an absolute `https://` URL of a
    /// host, without a user name or password.
    #[error("invalid {what}: expected an absolute https:// URL of a host")]
    InvalidUrl {
        /// Which URL.
        what: &'static str,
    },
    /// A configured URL uses plain HTTP but [`ClientBuilder::allow_http`] was not set.
    #[error(
        "the {what} must use HTTPS; plain http is refused unless ClientBuilder::allow_http(true) is set (local fakes only)"
    )]
    InsecureUrl {
        /// Which URL.
        what: &'static str,
    },
    /// The HTTP client could not be set up.
    #[error("the HTTP client could not be built: {0}")]
    Http(#[source] reqwest::Error),
}

/// Configures a [`Client`]; made by [`Client::builder`].
#[derive(Debug)]
#[must_use]
pub struct ClientBuilder {
    auth: Auth,
    rate_limiter: Option<RateLimiter>,
    rate_limit: RateLimit,
    retry: RetryPolicy,
    timeout: Duration,
    call_timeout: Duration,
    connect_timeout: Duration,
    max_reply_bytes: usize,
    allow_http: bool,
    user_agent: String,
    /// Shares the limits and renewals with other processes; `None` keeps them in the
    /// client.
    coordination: Option<Box<dyn Coordination>>,
}

/// The default limit of a reply's size: 64 MiB. The largest reply the client asks for is
/// a `batch` of 50 list calls of 50 full records each, 2,500 records; at up to 25 KiB
/// per record (a deal with a hundred custom fields and long texts) that is 61 MiB.
pub const DEFAULT_MAX_REPLY_BYTES: usize = 64 * 1024 * 1024;

impl ClientBuilder {
    pub(crate) fn new(auth: Auth) -> Self {
        Self {
            auth,
            rate_limiter: None,
            rate_limit: RateLimit::default(),
            retry: RetryPolicy::default(),
            timeout: Duration::from_secs(90),
            call_timeout: Duration::from_secs(600),
            connect_timeout: Duration::from_secs(10),
            max_reply_bytes: DEFAULT_MAX_REPLY_BYTES,
            allow_http: false,
            user_agent: concat!("bitrix24-rs/", env!("CARGO_PKG_VERSION")).to_owned(),
            coordination: None,
        }
    }

    /// Makes the client share its limits and renewals through `coordination`.
    #[cfg_attr(
        not(any(feature = "redis", test)),
        expect(dead_code, reason = "only the `redis` feature has a coordination")
    )]
    pub(crate) fn coordinate(mut self, coordination: impl Coordination + 'static) -> Self {
        self.coordination = Some(Box::new(coordination));
        self
    }

    /// Sets the request-rate limit of a new bucket for this client and its clones
    /// (default [`RateLimit::STANDARD`]).
    pub fn rate_limit(mut self, limit: RateLimit) -> Self {
        self.rate_limit = limit;
        self.rate_limiter = None;
        self
    }

    /// Makes the client share an existing bucket, such as another client's
    /// ([`Client::rate_limiter`]) when both call the same portal.
    pub fn rate_limiter(mut self, limiter: RateLimiter) -> Self {
        self.rate_limiter = Some(limiter);
        self
    }

    /// Sets how calls are retried (default [`RetryPolicy::default`]).
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// Sets the time limit of one HTTP request, from connecting to the end of the reply
    /// (default 90 s; the portal stops a call after 60 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Sets the time limit of one call, from its start to its result, retries, renewals
    /// and every wait included (default 10 minutes, the portal's operating-time window).
    /// It is checked before every sleep, wait and request, and cuts a request in flight;
    /// a call that runs out fails with [`Error::Timeout`](super::Error::Timeout), or with
    /// the failure that could not be retried in time. An OAuth renewal the deadline cuts
    /// goes on without the call, so that the new pair the OAuth server sends is not lost.
    pub fn call_timeout(mut self, timeout: Duration) -> Self {
        self.call_timeout = timeout;
        self
    }

    /// Sets the most bytes of a reply the client reads (default
    /// [`DEFAULT_MAX_REPLY_BYTES`], 64 MiB). A reply whose `Content-Length` is larger is
    /// refused before its body is read, and one that grows larger while arriving as soon
    /// as it does; the connection is dropped and the call fails with
    /// [`Error::TooLarge`](super::Error::TooLarge). Replies of the OAuth server are
    /// limited to 64 KiB.
    pub fn max_reply_bytes(mut self, limit: usize) -> Self {
        self.max_reply_bytes = limit;
        self
    }

    /// Sets the time limit for connecting (default 10 s).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Allows plain-HTTP URLs, for a local fake portal in tests. Never use it with a real
    /// portal: the webhook code or access token would travel in clear text.
    pub fn allow_http(mut self, allow: bool) -> Self {
        self.allow_http = allow;
        self
    }

    /// Sets the `User-Agent` header (default `bitrix24-rs/<version>`).
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = user_agent.into();
        self
    }

    /// Checks the configuration and builds the client.
    pub fn build(self) -> Result<Client, BuildError> {
        let http = reqwest::Client::builder()
            .connect_timeout(self.connect_timeout)
            .redirect(reqwest::redirect::Policy::none())
            .https_only(!self.allow_http)
            .user_agent(self.user_agent)
            .build()
            .map_err(|error| BuildError::Http(error.without_url()))?;
        let limiter = self
            .rate_limiter
            .unwrap_or_else(|| RateLimiter::new(self.rate_limit));
        let coordination = self.coordination.as_deref();
        let share = |root: &reqwest::Url, credential: String, application: Option<String>| {
            coordination.map(|coordination| {
                coordination.attach(&Scope::new(root, credential, application, limiter.clone()))
            })
        };
        let (credentials, shared) = match self.auth {
            Auth::Webhook(webhook) => {
                let root = rest_root(&webhook.portal, "portal URL", self.allow_http)?;
                let shared = share(&root, format!("webhook:{}", webhook.user_id), None);
                let endpoint = Endpoint::webhook(root, webhook.user_id, webhook.code);
                (Credentials::Webhook(endpoint), shared)
            }
            Auth::OAuth(oauth) => {
                let portal = rest_root(&oauth.portal, "portal URL", self.allow_http)?;
                let root = match &oauth.tokens.client_endpoint {
                    Some(endpoint) => rest_root(endpoint, "client endpoint", self.allow_http)?,
                    None => portal.clone(),
                };
                let token_url = parse_url(&oauth.token_url, "OAuth token URL", self.allow_http)?;
                let shared = share(
                    &portal,
                    format!("app:{}", oauth.client_id),
                    Some(oauth.client_id.clone()),
                );
                let config = SessionConfig {
                    client_id: oauth.client_id,
                    client_secret: oauth.client_secret,
                    token_url,
                    token_timeout: oauth.token_timeout,
                    store: oauth.store,
                    allow_http: self.allow_http,
                };
                let mut session = OAuthSession::new(config, oauth.tokens, root);
                if let Some(shared) = &shared {
                    session = session.with_renewals(Arc::clone(&shared.renewals));
                }
                (Credentials::OAuth(Arc::new(session)), shared)
            }
        };
        let (bucket, operating) = match shared {
            Some(Shared { bucket, holds, .. }) => (bucket, holds),
            None => (
                Arc::new(limiter.clone()) as Arc<dyn RequestBucket>,
                Arc::new(OperatingGate::default()) as Arc<dyn OperatingHolds>,
            ),
        };
        Ok(Client {
            inner: Arc::new(Inner {
                http,
                credentials,
                limiter,
                bucket,
                operating,
                retry: self.retry,
                timeout: self.timeout,
                call_timeout: self.call_timeout,
                max_reply_bytes: self.max_reply_bytes,
            }),
        })
    }
}
