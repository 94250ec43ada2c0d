//! An async HTTP client for the Bitrix24 REST API (feature `client`, on by default).
//!
//! [`Client::call`] sends any [`Method`](crate::Method) and returns its typed result or an
//! [`Error`] that tells the method's own errors from transport failures and undecodable
//! replies. On the way the client:
//!
//! - authorizes with an incoming [`Webhook`] or as an [`OAuth`] application, renewing an
//!   expired access token once for all concurrent calls and handing the new tokens to a
//!   [`TokenStore`];
//! - keeps under the portal's request-rate limit with a leaky bucket ([`RateLimiter`])
//!   shared by all clones, and retries `QUERY_LIMIT_EXCEEDED` with backoff;
//! - pauses only the affected method after `OPERATION_TIME_LIMIT`, until the portal's
//!   `operating_reset_at`;
//! - retries transport failures only for methods that are safe to repeat, so that a call
//!   that creates something is never sent twice after an ambiguous failure;
//! - sends many calls in few requests ([`BatchRequest`], [`Client::batch`]), 50 per
//!   `batch` request, with `$result[…]` references between calls;
//! - walks list methods page by page ([`Client::pages`], [`Client::items`]), or reads
//!   large lists fast by identifier without counting, 50 pages per `batch` request
//!   ([`Client::list_fast`], [`FastListing`](crate::FastListing));
//! - with the feature `redis`, shares the bucket, the pauses and the OAuth renewal with
//!   clients in other processes (`redis::RedisFleet`);
//! - keeps credentials out of `Debug` output, logs and errors ([`Secret`]), and records a
//!   `bitrix24.call` tracing span per call with the method name, HTTP status, attempts,
//!   outcome and duration.

mod auth;
mod batch;
mod body;
mod builder;
#[expect(clippy::module_inception, reason = "the module of the `Client` type")]
mod client;
mod coordination;
mod endpoint;
mod error;
mod listing;
mod oauth;
mod operating;
mod paging;
mod random;
mod rate_limit;
mod redact;
#[cfg(feature = "redis")]
pub mod redis;
mod renewal;
mod reply;
mod retry;
mod tokens;
mod undecodable;

pub use crate::BATCH_LIMIT;
pub use crate::Secret;
pub use auth::{Auth, OAUTH_TOKEN_URL, OAuth, Webhook};
pub use batch::{BatchRequest, BatchResults, BatchSlot, CallOutcome, RawSlot};
pub use builder::{BuildError, ClientBuilder, DEFAULT_MAX_REPLY_BYTES};
pub use client::Client;
pub use error::{
    CallTimeout, CoordinationError, Error, Redirect, RefreshError, ReplyTooLarge, RequestError,
    TokenStoreError, TransportError,
};
pub use rate_limit::{RateLimit, RateLimiter};
pub use retry::RetryPolicy;
pub use tokens::{MemoryTokenStore, TokenStore, Tokens};
pub use undecodable::{EXCERPT_LIMIT, UndecodableReply};
