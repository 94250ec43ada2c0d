//! What a call through the client can fail with.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use crate::{ApiError, MethodError};

use super::undecodable::UndecodableReply;

/// The failure of a call of a method whose own errors are `E`.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error<E> {
    /// The portal answered with an error: one the method documents, a system error any
    /// method can return (`E` has a variant for those too), or an unknown code.
    #[error("{0}")]
    Method(E),
    /// The request or its reply was lost on the way.
    #[error(transparent)]
    Transport(TransportError),
    /// The reply was not a Bitrix24 reply, or its result did not have the expected shape.
    #[error(transparent)]
    Undecodable(UndecodableReply),
    /// The reply was larger than the client accepts
    /// ([`ClientBuilder::max_reply_bytes`](super::ClientBuilder::max_reply_bytes)); the
    /// connection was dropped without reading the rest. The portal may have run the call.
    #[error(transparent)]
    TooLarge(ReplyTooLarge),
    /// The portal answered with a redirect, which the client never follows.
    #[error(transparent)]
    Redirect(Redirect),
    /// The call did not finish within the client's
    /// [`call_timeout`](super::ClientBuilder::call_timeout).
    #[error(transparent)]
    Timeout(CallTimeout),
    /// The access token expired and could not be renewed.
    #[error("renewing the OAuth access token failed: {0}")]
    Refresh(#[source] RefreshError),
    /// The access token was renewed but the [`TokenStore`](super::TokenStore) failed to
    /// save the new tokens; the client goes on using them.
    #[error("saving the renewed OAuth tokens failed: {0}")]
    TokenStore(#[source] TokenStoreError),
    /// The call could not be put on the wire.
    #[error(transparent)]
    Request(RequestError),
    /// The store that clients share their limits and token renewals through (Redis,
    /// feature `redis`) could not be used, and the client is set to fail rather than
    /// fall back to its own limits. The call was not sent.
    #[error(transparent)]
    Coordination(CoordinationError),
}

impl<E: MethodError> Error<E> {
    /// The portal's error reply, when the call failed with one.
    pub fn api_error(&self) -> Option<&ApiError> {
        match self {
            Self::Method(error) => Some(error.api_error()),
            Self::Refresh(RefreshError::InvalidGrant(error) | RefreshError::Rejected(error)) => {
                Some(error)
            }
            _ => None,
        }
    }
}

/// A request that failed in transit. It never names the URL, which may hold a webhook
/// code.
#[derive(Debug, Clone)]
pub struct TransportError {
    source: Arc<reqwest::Error>,
    reached_server: bool,
}

impl TransportError {
    /// Wraps a reqwest error, stripped of its URL.
    pub(crate) fn new(error: reqwest::Error) -> Self {
        let reached_server = !error.is_connect();
        Self {
            source: Arc::new(error.without_url()),
            reached_server,
        }
    }

    /// Whether the request may have reached the portal, so that the portal may have run
    /// the call: false only when no connection could be made.
    pub fn may_have_reached_server(&self) -> bool {
        self.reached_server
    }

    /// Whether the request timed out.
    pub fn is_timeout(&self) -> bool {
        self.source.is_timeout()
    }
}

impl fmt::Display for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.reached_server {
            write!(
                f,
                "transport failure, the portal may have run the call: {}",
                self.source
            )
        } else {
            write!(f, "could not connect to the portal: {}", self.source)
        }
    }
}

impl std::error::Error for TransportError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&*self.source)
    }
}

/// A reply larger than the client accepts. Only its size is known: none of it is kept.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the reply (HTTP {status}) is larger than the limit of {limit} bytes{}", declared_text(*.declared))]
pub struct ReplyTooLarge {
    /// The HTTP status of the reply.
    pub status: u16,
    /// The limit in bytes.
    pub limit: usize,
    /// The size the reply declared in `Content-Length`, if it did.
    pub declared: Option<u64>,
}

fn declared_text(declared: Option<u64>) -> String {
    declared.map_or_else(String::new, |declared| format!(" (it declared {declared})"))
}

/// A redirect (HTTP 3xx) the client did not follow. Its `Location` is not kept: it may
/// hold a webhook code or a token. A portal that moved to another address answers so.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the server answered with a redirect (HTTP {status}), which is not followed")]
pub struct Redirect {
    /// The HTTP status of the reply.
    pub status: u16,
}

/// A call that did not finish within the client's call timeout.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "the call did not finish within {limit:?} ({sent} requests sent{})",
    if *.sent > 0 { "; the portal may have run it" } else { "" }
)]
pub struct CallTimeout {
    /// The call timeout.
    pub limit: Duration,
    /// How many requests of the call were sent; when any was, the portal may have run
    /// the call.
    pub sent: u32,
}
/// Why a call could not be put on the wire.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RequestError {
    /// The parameters did not serialize to JSON.
    #[error("the call's parameters could not be serialized: {0}")]
    Params(#[source] serde_json::Error),
    /// The parameters serialized to something other than a JSON object.
    #[error("the call's parameters must serialize to a JSON object")]
    ParamsNotAnObject,
    /// The method name holds characters that a method name cannot have.
    #[error("invalid method name")]
    MethodName,
    /// The method cannot run inside `batch` (`Method::BATCH` is false, or it is a REST 3
    /// method).
    #[error("the method cannot run inside batch")]
    NotBatchable,
    /// [`BatchRequest::set_param`](super::BatchRequest::set_param) was given a call of
    /// another batch, an empty path, or a path through a value that is neither an object
    /// nor a list, or past the end of a list.
    #[error("the parameter path does not lead into the call's parameters")]
    ParamPath,
}

/// Why renewing the OAuth access token failed. Every caller that waited for the same
/// renewal gets the same error.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum RefreshError {
    /// The OAuth server rejected the refresh token (`invalid_grant`): it expired or was
    /// revoked, and the user has to authorize the application again.
    #[error("the refresh token was rejected: {0}")]
    InvalidGrant(ApiError),
    /// The OAuth server refused to renew the tokens for another reason, such as
    /// `invalid_client` or `PAYMENT_REQUIRED`.
    #[error("the OAuth server refused: {0}")]
    Rejected(ApiError),
    /// The request to the OAuth server failed in transit.
    #[error(transparent)]
    Transport(TransportError),
    /// The OAuth server's reply could not be read.
    #[error(transparent)]
    Undecodable(UndecodableReply),
    /// The OAuth server's reply was larger than a token reply can be.
    #[error(transparent)]
    TooLarge(ReplyTooLarge),
    /// The OAuth server answered with a redirect, which is not followed.
    #[error(transparent)]
    Redirect(Redirect),
}

/// The failure a [`TokenStore`](super::TokenStore) reports.
#[derive(Debug)]
pub struct TokenStoreError(Box<dyn std::error::Error + Send + Sync>);

impl TokenStoreError {
    /// Wraps the store's own error.
    pub fn new(error: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Self {
        Self(error.into())
    }
}

impl fmt::Display for TokenStoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl std::error::Error for TokenStoreError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.0.source()
    }
}

/// A failure of the store that clients share their limits and token renewals through.
/// It never shows the store's address or password. Every caller that waited for the
/// same OAuth renewal gets the same error.
#[derive(Debug, Clone)]
pub struct CoordinationError {
    /// What the client was doing, such as "booking a request in the shared bucket".
    doing: &'static str,
    source: Arc<dyn std::error::Error + Send + Sync>,
}

impl CoordinationError {
    /// The store failed while the client was `doing` something, with `source`.
    #[cfg_attr(
        not(feature = "redis"),
        expect(dead_code, reason = "only the `redis` feature has a shared store")
    )]
    pub(crate) fn new(
        doing: &'static str,
        source: impl Into<Box<dyn std::error::Error + Send + Sync>>,
    ) -> Self {
        Self {
            doing,
            source: Arc::from(source.into()),
        }
    }
}

impl fmt::Display for CoordinationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "the shared store failed while {}: {}",
            self.doing, self.source
        )
    }
}

impl std::error::Error for CoordinationError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&*self.source)
    }
}

/// A failed call before it is typed with the method's error type.
#[derive(Debug)]
pub(crate) enum Failure {
    Api(ApiError),
    Transport(TransportError),
    Undecodable(UndecodableReply),
    TooLarge(ReplyTooLarge),
    Redirect(Redirect),
    Timeout(CallTimeout),
    Refresh(RefreshError),
    TokenStore(TokenStoreError),
    Request(RequestError),
    Coordination(CoordinationError),
}

impl Failure {
    /// The failure as the error of a method whose own errors are `E`.
    pub(crate) fn into_error<E: MethodError>(self) -> Error<E> {
        match self {
            Self::Api(error) => Error::Method(E::from_api_error(error)),
            Self::Transport(error) => Error::Transport(error),
            Self::Undecodable(error) => Error::Undecodable(error),
            Self::TooLarge(error) => Error::TooLarge(error),
            Self::Redirect(error) => Error::Redirect(error),
            Self::Timeout(error) => Error::Timeout(error),
            Self::Refresh(error) => Error::Refresh(error),
            Self::TokenStore(error) => Error::TokenStore(error),
            Self::Request(error) => Error::Request(error),
            Self::Coordination(error) => Error::Coordination(error),
        }
    }

    /// A short label of the failure for logs: the error code, or the kind of failure.
    pub(crate) fn label(&self) -> &str {
        match self {
            Self::Api(error) => &error.code,
            Self::Transport(_) => "transport",
            Self::Undecodable(_) => "undecodable",
            Self::TooLarge(_) => "too_large",
            Self::Redirect(_) => "redirect",
            Self::Timeout(_) => "timeout",
            Self::Refresh(_) => "refresh",
            Self::TokenStore(_) => "token_store",
            Self::Request(_) => "request",
            Self::Coordination(_) => "coordination",
        }
    }
}
