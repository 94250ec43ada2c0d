//! The OAuth session of a client: the current tokens and their single-flight renewal.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::{SystemTime, UNIX_EPOCH};

use reqwest::Url;
use serde::Deserialize;
use serde_json::Value;

use crate::ApiError;
use crate::wire::{As, Int};

use super::endpoint::{Endpoint, rest_root};
use super::error::{Failure, RefreshError, TransportError};
use super::renewal::{Alone, Renewals, Turn};
use super::tokens::{TokenStore, Tokens};
use super::undecodable::UndecodableReply;
use crate::Secret;

/// The tokens of an OAuth client, where its calls go, and how to renew the tokens.
pub(crate) struct OAuthSession {
    client_id: String,
    client_secret: Secret,
    token_url: Url,
    store: Arc<dyn TokenStore>,
    /// Who renews: this client alone, or one client of a fleet at a time.
    renewals: Arc<dyn Renewals>,
    /// Whether a `client_endpoint` may use plain HTTP.
    allow_http: bool,
    /// The tokens in use, the generation, which every renewal increments, and where calls
    /// go.
    current: Mutex<Current>,
    /// Held while renewing, so that concurrent callers share one renewal. Remembers the
    /// generation whose refresh token the OAuth server refused, and its answer, so that
    /// the refused token is not sent again.
    renewal: tokio::sync::Mutex<Option<(u64, RefusedRenewal)>>,
}

/// A refusal of the OAuth server to renew a refresh token.
#[derive(Debug, Clone)]
pub(crate) enum RefusedRenewal {
    InvalidGrant(ApiError),
    Rejected(ApiError),
}

impl From<RefusedRenewal> for RefreshError {
    fn from(refusal: RefusedRenewal) -> Self {
        match refusal {
            RefusedRenewal::InvalidGrant(error) => Self::InvalidGrant(error),
            RefusedRenewal::Rejected(error) => Self::Rejected(error),
        }
    }
}

#[derive(Debug)]
struct Current {
    tokens: Tokens,
    generation: u64,
    endpoint: Arc<Endpoint>,
}

/// The access token a call was sent with, and where it was sent.
#[derive(Debug, Clone)]
pub(crate) struct TokenSnapshot {
    pub(crate) access_token: Secret,
    pub(crate) generation: u64,
    pub(crate) endpoint: Arc<Endpoint>,
}

impl OAuthSession {
    /// A session whose calls go to `root` until a renewal names another address.
    pub(crate) fn new(
        client_id: String,
        client_secret: Secret,
        token_url: Url,
        tokens: Tokens,
        store: Arc<dyn TokenStore>,
        root: Url,
        allow_http: bool,
    ) -> Self {
        Self {
            client_id,
            client_secret,
            token_url,
            store,
            renewals: Arc::new(Alone),
            allow_http,
            current: Mutex::new(Current {
                tokens,
                generation: 0,
                endpoint: Arc::new(Endpoint::oauth(root)),
            }),
            renewal: tokio::sync::Mutex::new(None),
        }
    }

    /// The same session, renewing as `renewals` decide rather than on its own.
    pub(crate) fn with_renewals(mut self, renewals: Arc<dyn Renewals>) -> Self {
        self.renewals = renewals;
        self
    }

    /// The access token to send now, and where to send it.
    pub(crate) fn snapshot(&self) -> TokenSnapshot {
        let current = self.lock();
        TokenSnapshot {
            access_token: current.tokens.access_token.clone(),
            generation: current.generation,
            endpoint: Arc::clone(&current.endpoint),
        }
    }

    /// Every credential of the session, for redacting reply excerpts.
    pub(crate) fn secrets(&self) -> [Secret; 3] {
        let current = self.lock();
        [
            current.tokens.access_token.clone(),
            current.tokens.refresh_token.clone(),
            self.client_secret.clone(),
        ]
    }

    /// Renews the tokens after the portal refused the access token of generation `seen`.
    ///
    /// Concurrent callers queue here; the first renews, the others find a newer
    /// generation and return at once. Other clients may share the renewals
    /// ([`Renewals`]): then the pair another client renewed is adopted instead. The
    /// renewed tokens are saved to the store before any call uses them. When the OAuth
    /// server names the portal's REST address (`client_endpoint`), later calls go there.
    pub(crate) async fn renew(&self, http: &reqwest::Client, seen: u64) -> Result<(), Failure> {
        let mut refused = self.renewal.lock().await;
        let (current, endpoint) = {
            let current = self.lock();
            if current.generation != seen {
                return Ok(());
            }
            (current.tokens.clone(), Arc::clone(&current.endpoint))
        };
        if let Some((generation, refusal)) = refused.as_ref()
            && *generation == seen
        {
            return Err(Failure::Refresh(refusal.clone().into()));
        }
        let (latest, lease) = match self.renewals.begin(&current).await? {
            Turn::Adopt(tokens) => {
                tracing::debug!("using the OAuth tokens another client renewed");
                let endpoint = self.endpoint_for(&tokens, endpoint);
                self.install(tokens, seen + 1, endpoint);
                return Ok(());
            }
            Turn::Refused(refusal) => {
                *refused = Some((seen, refusal.clone()));
                return Err(Failure::Refresh(refusal.into()));
            }
            Turn::Renew(latest, lease) => (latest, lease),
        };
        tracing::debug!("renewing the OAuth access token");
        let mut tokens = match self.request(http, &latest.refresh_token).await {
            Ok(tokens) => tokens,
            Err(Renewal::Refused(refusal)) => {
                tracing::warn!(
                    code = refusal_code(&refusal),
                    "the OAuth server refused to renew the tokens"
                );
                *refused = Some((seen, refusal.clone()));
                if let Err(failure) = lease.refused(&refusal).await {
                    tracing::warn!(
                        outcome = failure.label(),
                        "the refusal could not be shared with other clients"
                    );
                }
                return Err(Failure::Refresh(refusal.into()));
            }
            Err(Renewal::Failed(error)) => return Err(Failure::Refresh(error)),
        };
        let endpoint = self.endpoint_for(&tokens, endpoint);
        tokens.client_endpoint = Some(endpoint.root().to_string());
        let published = lease.renewed(&tokens).await;
        let saved = self.store.save(&tokens).await;
        self.install(tokens, seen + 1, endpoint);
        published?;
        saved.map_err(Failure::TokenStore)
    }

    /// Where calls go with `tokens`: the `client_endpoint` they name, else `current`.
    fn endpoint_for(&self, tokens: &Tokens, current: Arc<Endpoint>) -> Arc<Endpoint> {
        let Some(named) = &tokens.client_endpoint else {
            return current;
        };
        match rest_root(named, "client endpoint", self.allow_http) {
            Ok(root) => Arc::new(Endpoint::oauth(root)),
            Err(_) => {
                tracing::warn!(
                    "the OAuth server named a client endpoint that is not a usable URL; \
                     calls stay at the current address"
                );
                current
            }
        }
    }

    /// Makes `tokens` the pair in use, as generation `generation`, calling `endpoint`.
    fn install(&self, tokens: Tokens, generation: u64, endpoint: Arc<Endpoint>) {
        *self.lock() = Current {
            tokens,
            generation,
            endpoint,
        };
    }

    /// Asks the OAuth server for a new pair of tokens. The request URL holds the client
    /// secret and the refresh token, so it is neither logged nor kept in errors.
    async fn request(
        &self,
        http: &reqwest::Client,
        refresh_token: &Secret,
    ) -> Result<Tokens, Renewal> {
        let mut url = self.token_url.clone();
        url.query_pairs_mut()
            .append_pair("grant_type", "refresh_token")
            .append_pair("client_id", &self.client_id)
            .append_pair("client_secret", self.client_secret.expose())
            .append_pair("refresh_token", refresh_token.expose());
        let transport =
            |error| Renewal::Failed(RefreshError::Transport(TransportError::new(error)));
        let response = http
            .get(url)
            .header(reqwest::header::ACCEPT, "application/json")
            .send()
            .await
            .map_err(transport)?;
        let status = response.status().as_u16();
        let body = response.bytes().await.map_err(transport)?;
        read_tokens(status, &body)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Current> {
        self.current.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

fn refusal_code(refusal: &RefusedRenewal) -> &str {
    match refusal {
        RefusedRenewal::InvalidGrant(error) | RefusedRenewal::Rejected(error) => &error.code,
    }
}

/// Why a renewal did not produce tokens.
#[derive(Debug)]
enum Renewal {
    /// The OAuth server answered with an error.
    Refused(RefusedRenewal),
    /// The request or its reply failed.
    Failed(RefreshError),
}

/// The OAuth server's reply (see `settings/oauth/auto-renewal.md`).
#[derive(Deserialize)]
struct TokenReply {
    #[serde(default)]
    access_token: Option<String>,
    #[serde(default)]
    refresh_token: Option<String>,
    #[serde(default, with = "As::<Int>")]
    expires: Option<i64>,
    #[serde(default, with = "As::<Int>")]
    expires_in: Option<i64>,
    #[serde(default)]
    client_endpoint: Option<String>,
    #[serde(default)]
    error: Option<Value>,
    #[serde(default)]
    error_description: Option<Value>,
}

/// Reads the OAuth server's reply. Its body is never kept, since it may hold tokens.
fn read_tokens(status: u16, body: &[u8]) -> Result<Tokens, Renewal> {
    let reply: TokenReply = serde_json::from_slice(body).map_err(|error| {
        Renewal::Failed(RefreshError::Undecodable(UndecodableReply::not_tokens(
            status,
            Some(error),
        )))
    })?;
    if let Some(code) = reply
        .error
        .as_ref()
        .and_then(Value::as_str)
        .filter(|code| !code.is_empty())
    {
        let message = reply
            .error_description
            .as_ref()
            .and_then(Value::as_str)
            .unwrap_or_default();
        let error = ApiError::new(code, message).with_status(status);
        return Err(Renewal::Refused(if code == "invalid_grant" {
            RefusedRenewal::InvalidGrant(error)
        } else {
            RefusedRenewal::Rejected(error)
        }));
    }
    match (reply.access_token, reply.refresh_token) {
        (Some(access), Some(refresh)) if !access.is_empty() && !refresh.is_empty() => {
            let expires_at = reply.expires.or_else(|| {
                let now = SystemTime::now().duration_since(UNIX_EPOCH).ok()?.as_secs();
                Some(i64::try_from(now).ok()? + reply.expires_in?)
            });
            Ok(Tokens {
                access_token: Secret::new(access),
                refresh_token: Secret::new(refresh),
                expires_at,
                client_endpoint: reply
                    .client_endpoint
                    .filter(|endpoint| !endpoint.is_empty()),
            })
        }
        _ => Err(Renewal::Failed(RefreshError::Undecodable(
            UndecodableReply::not_tokens(status, None),
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::{RefusedRenewal, Renewal, read_tokens};
    use crate::client::RefreshError;

    #[test]
    fn renewed_tokens_are_read() {
        let body = br#"{"access_token":"new-a","refresh_token":"new-r","expires":1780319382,
            "expires_in":3600,"member_id":"m","status":"F","user_id":67}"#;
        let tokens = read_tokens(200, body).unwrap();
        assert_eq!(tokens.access_token.expose(), "new-a");
        assert_eq!(tokens.refresh_token.expose(), "new-r");
        assert_eq!(tokens.expires_at, Some(1_780_319_382));
        assert_eq!(tokens.client_endpoint, None);
        let body = br#"{"access_token":"a","refresh_token":"r",
            "client_endpoint":"https://moved.bitrix24.com/rest/","server_endpoint":"x"}"#;
        assert_eq!(
            read_tokens(200, body).unwrap().client_endpoint.as_deref(),
            Some("https://moved.bitrix24.com/rest/")
        );
    }

    #[test]
    fn expiry_falls_back_to_expires_in() {
        let tokens = read_tokens(
            200,
            br#"{"access_token":"a","refresh_token":"r","expires_in":"3600"}"#,
        )
        .unwrap();
        assert!(tokens.expires_at.unwrap() > 1_700_000_000);
    }

    #[test]
    fn invalid_grant_is_told_apart() {
        let body = br#"{"error":"invalid_grant","error_description":"Invalid grant"}"#;
        let Err(Renewal::Refused(RefusedRenewal::InvalidGrant(error))) = read_tokens(400, body)
        else {
            panic!("not invalid_grant");
        };
        assert_eq!(
            (error.code.as_str(), error.status),
            ("invalid_grant", Some(400))
        );
        let body = br#"{"error":"PAYMENT_REQUIRED","error_description":"Payment required"}"#;
        assert!(matches!(
            read_tokens(200, body),
            Err(Renewal::Refused(RefusedRenewal::Rejected(_)))
        ));
    }

    #[test]
    fn replies_without_tokens_are_undecodable_and_keep_no_body() {
        for body in [&b"<html>"[..], br#"{"access_token":"secret-a"}"#, b"{}"] {
            let Err(Renewal::Failed(RefreshError::Undecodable(reply))) = read_tokens(200, body)
            else {
                panic!("not undecodable: {body:?}");
            };
            assert_eq!(reply.excerpt(), "");
            assert!(!reply.to_string().contains("secret-a"));
        }
    }
}
