//! OAuth tokens and where the application keeps them.

use std::sync::{Mutex, PoisonError};

use futures::future::BoxFuture;

use super::error::TokenStoreError;
use crate::Secret;

/// A pair of OAuth tokens of one Bitrix24 user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tokens {
    /// Sent with every call as `auth`; lives one hour.
    pub access_token: Secret,
    /// Exchanged for a new pair when the access token expires; the OAuth server replaces
    /// it on every renewal.
    pub refresh_token: Secret,
    /// When the access token expires, in Unix time, if known.
    pub expires_at: Option<i64>,
    /// The portal's REST address (`https://<portal>/rest/`) that calls go to, as the
    /// OAuth server named it (`client_endpoint`) with the last renewal; `None` until then.
    pub client_endpoint: Option<String>,
}

impl Tokens {
    /// A pair of tokens with no known expiry.
    pub fn new(access_token: impl Into<Secret>, refresh_token: impl Into<Secret>) -> Self {
        Self {
            access_token: access_token.into(),
            refresh_token: refresh_token.into(),
            expires_at: None,
            client_endpoint: None,
        }
    }

    /// The same tokens with the REST address they were last renewed for, such as a saved
    /// `client_endpoint`: the client then calls there rather than the portal it is given.
    pub fn with_client_endpoint(mut self, client_endpoint: impl Into<String>) -> Self {
        self.client_endpoint = Some(client_endpoint.into());
        self
    }
}

/// Where the client hands renewed tokens, so that the application can persist them.
///
/// The OAuth server replaces the refresh token on every renewal, so an application that
/// loses the new pair has to send its user through authorization again. The client calls
/// [`save`](Self::save) once per renewal, before any call uses the new access token, and
/// never concurrently with itself.
pub trait TokenStore: Send + Sync {
    /// Persists a renewed pair of tokens.
    fn save<'a>(&'a self, tokens: &'a Tokens) -> BoxFuture<'a, Result<(), TokenStoreError>>;
}

/// A [`TokenStore`] that keeps the latest tokens in memory, for tests and for
/// applications that read them back themselves.
#[derive(Debug, Default)]
pub struct MemoryTokenStore {
    /// The tokens saved last, and how many saves there were.
    state: Mutex<(Option<Tokens>, usize)>,
}

impl MemoryTokenStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// The tokens saved last, if any.
    pub fn latest(&self) -> Option<Tokens> {
        self.state
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .0
            .clone()
    }

    /// How many times tokens were saved.
    pub fn saves(&self) -> usize {
        self.state.lock().unwrap_or_else(PoisonError::into_inner).1
    }
}

impl TokenStore for MemoryTokenStore {
    fn save<'a>(&'a self, tokens: &'a Tokens) -> BoxFuture<'a, Result<(), TokenStoreError>> {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        state.0 = Some(tokens.clone());
        state.1 += 1;
        Box::pin(std::future::ready(Ok(())))
    }
}

impl<T: TokenStore + ?Sized> TokenStore for std::sync::Arc<T> {
    fn save<'a>(&'a self, tokens: &'a Tokens) -> BoxFuture<'a, Result<(), TokenStoreError>> {
        (**self).save(tokens)
    }
}
