//! The OAuth session of a client: the current tokens and their single-flight renewal.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use reqwest::Url;
use reqwest::header::{ACCEPT, CONTENT_TYPE};
use serde::Deserialize;
use serde_json::Value;

use crate::ApiError;
use crate::wire::{As, Int};

use super::body::{self, Unread};
use super::endpoint::{Endpoint, rest_root};
use super::error::{CoordinationError, Failure, RefreshError, TransportError};
use super::redact::Redactor;
use super::renewal::{Alone, Renewals, Turn};
use super::tokens::{TokenStore, Tokens};
use super::undecodable::UndecodableReply;
use crate::Secret;

/// The most bytes of a reply of the OAuth server the client reads: a token reply is a few
/// hundred bytes.
pub(crate) const TOKEN_REPLY_LIMIT: usize = 64 * 1024;

/// The tokens of an OAuth client, where its calls go, and how to renew the tokens.
pub(crate) struct OAuthSession {
    client_id: String,
    client_secret: Secret,
    token_url: Url,
    /// The time limit of one request to the OAuth server.
    token_timeout: Duration,
    store: Arc<dyn TokenStore>,
    /// Who sends the refresh token: this client alone, or one client of a fleet at a
    /// time.
    renewals: Arc<dyn Renewals>,
    /// Whether a `client_endpoint` may use plain HTTP.
    allow_http: bool,
    /// The tokens in use, the generation, which every renewal increments, and where calls
    /// go.
    current: Mutex<Current>,
    /// Held while renewing, so that concurrent callers in this process share one
    /// renewal; owned by the task that renews, which outlives a caller that stops
    /// waiting.
    renewal: Arc<tokio::sync::Mutex<LastRenewal>>,
    /// How many renewals have finished, successfully or not; counted while `renewal` is
    /// held.
    finished: AtomicU64,
}

/// The outcome of the last renewal that failed, for the generation whose refresh token it
/// concerned.
#[derive(Debug, Default)]
struct LastRenewal(Option<(u64, Failed)>);

/// How a renewal failed.
#[derive(Debug)]
enum Failed {
    /// The OAuth server did not renew the pair: it refused (known here or shared by
    /// another client of the fleet), or the request failed.
    Renewal(Renewal),
    /// The fleet's shared store could not say who renews.
    Coordination(CoordinationError),
}

impl Failed {
    /// Whether the refresh token was refused, and so is never sent again.
    fn refused(&self) -> bool {
        matches!(self, Self::Renewal(renewal) if renewal.refused())
    }

    fn failure(&self) -> Failure {
        match self {
            Self::Renewal(renewal) => Failure::Refresh(renewal.error()),
            Self::Coordination(error) => Failure::Coordination(error.clone()),
        }
    }
}

/// A refusal of the OAuth server to renew a refresh token, as kept here and shared with
/// the other clients of a fleet.
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

/// How the OAuth session renews its tokens.
pub(crate) struct SessionConfig {
    pub(crate) client_id: String,
    pub(crate) client_secret: Secret,
    pub(crate) token_url: Url,
    pub(crate) token_timeout: Duration,
    pub(crate) store: Arc<dyn TokenStore>,
    pub(crate) allow_http: bool,
}

impl OAuthSession {
    /// A session whose calls go to `root` until a renewal names another address.
    pub(crate) fn new(config: SessionConfig, tokens: Tokens, root: Url) -> Self {
        Self {
            client_id: config.client_id,
            client_secret: config.client_secret,
            token_url: config.token_url,
            token_timeout: config.token_timeout,
            store: config.store,
            renewals: Arc::new(Alone),
            allow_http: config.allow_http,
            current: Mutex::new(Current {
                tokens,
                generation: 0,
                endpoint: Arc::new(Endpoint::oauth(root)),
            }),
            renewal: Arc::new(tokio::sync::Mutex::new(LastRenewal::default())),
            finished: AtomicU64::new(0),
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

    /// Every credential of the session, for redacting text a server sent.
    pub(crate) fn redactor(&self) -> Redactor {
        let current = self.lock();
        Redactor::new([
            current.tokens.access_token.clone(),
            current.tokens.refresh_token.clone(),
            self.client_secret.clone(),
        ])
    }

    /// Renews the tokens after the portal refused the access token of generation `seen`.
    ///
    /// Concurrent callers queue here and share one outcome: the first renews; the others
    /// find a newer generation and return at once, or take the failure of the renewal
    /// that finished while they waited. A caller that comes after a failed renewal tries
    /// again, unless the OAuth server refused the refresh token, which is never sent
    /// again. Other clients may share the renewals ([`Renewals`]): then the pair another
    /// client renewed is adopted instead, and only the holder of the fleet's lease sends
    /// the refresh token. The renewed tokens are saved to the store before any call uses
    /// them. When the OAuth server names the portal's REST address (`client_endpoint`),
    /// later calls go there.
    ///
    /// Once begun, a renewal runs to its end in a task of its own, even when the caller
    /// that began it stops waiting (its call deadline, a dropped future): the OAuth
    /// server replaces the refresh token it is sent, so a renewal cut off after sending
    /// it would lose the new pair and leave the next caller, or the next client of a
    /// fleet, to send a spent token. The callers queued behind get its outcome, and a
    /// fleet's lease its report.
    pub(crate) async fn renew(
        self: &Arc<Self>,
        http: &reqwest::Client,
        seen: u64,
    ) -> Result<(), Failure> {
        let ticket = self.finished.load(Ordering::Acquire);
        let last = Arc::clone(&self.renewal).lock_owned().await;
        let (current, endpoint) = {
            let current = self.lock();
            if current.generation != seen {
                return Ok(());
            }
            (current.tokens.clone(), Arc::clone(&current.endpoint))
        };
        if let Some((generation, failed)) = &last.0
            && *generation == seen
            && (failed.refused() || self.finished.load(Ordering::Acquire) > ticket)
        {
            return Err(failed.failure());
        }
        let session = Arc::clone(self);
        let http = http.clone();
        let renewal = tokio::spawn(async move {
            session
                .renew_alone(&http, seen, current, endpoint, last)
                .await
        });
        match renewal.await {
            Ok(outcome) => outcome,
            Err(error) => match error.try_into_panic() {
                Ok(panic) => std::panic::resume_unwind(panic),
                // The runtime is shutting down: the call goes on with the tokens there
                // are.
                Err(_) => Ok(()),
            },
        }
    }

    /// The renewal of generation `seen`, whose `current` pair calls `endpoint`, by the
    /// one caller holding `last`.
    async fn renew_alone(
        &self,
        http: &reqwest::Client,
        seen: u64,
        current: Tokens,
        endpoint: Arc<Endpoint>,
        mut last: tokio::sync::OwnedMutexGuard<LastRenewal>,
    ) -> Result<(), Failure> {
        let (latest, lease) = match self.renewals.begin(&current).await {
            Ok(Turn::Renew(latest, lease)) => (latest, lease),
            Ok(Turn::Adopt(tokens)) => {
                tracing::debug!("using the OAuth tokens another client renewed");
                let endpoint = self.endpoint_for(&tokens, endpoint);
                self.install(tokens, seen + 1, endpoint);
                return Ok(());
            }
            Ok(Turn::Refused(refusal)) => {
                let refused = Failed::Renewal(Renewal::Refused(refusal));
                return Err(self.fail(&mut last, seen, refused));
            }
            Err(Failure::Coordination(error)) => {
                return Err(self.fail(&mut last, seen, Failed::Coordination(error)));
            }
            Err(failure) => return Err(failure),
        };
        tracing::debug!("renewing the OAuth access token");
        let mut tokens = match self.request(http, &latest.refresh_token).await {
            Ok(tokens) => tokens,
            Err(renewal) => {
                match &renewal {
                    Renewal::Refused(refusal) => {
                        tracing::warn!(
                            code = refusal_code(refusal),
                            "the OAuth server refused to renew the tokens"
                        );
                        if let Err(failure) = lease.refused(refusal).await {
                            tracing::warn!(
                                outcome = failure.label(),
                                "the refusal could not be shared with other clients"
                            );
                        }
                    }
                    // Dropped unreported, the lease goes to another client, which may
                    // try again.
                    Renewal::Failed(error) => {
                        tracing::warn!(error = %error, "renewing the OAuth tokens failed");
                    }
                }
                return Err(self.fail(&mut last, seen, Failed::Renewal(renewal)));
            }
        };
        self.finished.fetch_add(1, Ordering::Release);
        let endpoint = self.endpoint_for(&tokens, endpoint);
        tokens.client_endpoint = Some(endpoint.root().to_string());
        let published = lease.renewed(&tokens).await;
        let saved = self.store.save(&tokens).await;
        self.install(tokens, seen + 1, endpoint);
        published?;
        saved.map_err(Failure::TokenStore)
    }

    /// Records that the renewal of generation `seen` ended with `failed`, for the callers
    /// queued behind it; returns the caller's failure.
    fn fail(&self, last: &mut LastRenewal, seen: u64, failed: Failed) -> Failure {
        let failure = failed.failure();
        last.0 = Some((seen, failed));
        self.finished.fetch_add(1, Ordering::Release);
        failure
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

    /// Asks the OAuth server for a new pair of tokens, with the credentials in a form
    /// body (never in the URL, which proxies log), within the token timeout and
    /// [`TOKEN_REPLY_LIMIT`].
    async fn request(
        &self,
        http: &reqwest::Client,
        refresh_token: &Secret,
    ) -> Result<Tokens, Renewal> {
        let form = form_urlencoded::Serializer::new(String::new())
            .append_pair("grant_type", "refresh_token")
            .append_pair("client_id", &self.client_id)
            .append_pair("client_secret", self.client_secret.expose())
            .append_pair("refresh_token", refresh_token.expose())
            .finish();
        let response = http
            .post(self.token_url.clone())
            .timeout(self.token_timeout)
            .header(ACCEPT, "application/json")
            .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(form)
            .send()
            .await
            .map_err(|error| {
                Renewal::Failed(RefreshError::Transport(TransportError::new(error)))
            })?;
        let (status, body) = body::read(response, TOKEN_REPLY_LIMIT)
            .await
            .map_err(|unread| {
                Renewal::Failed(match unread {
                    Unread::Transport(error) => RefreshError::Transport(error),
                    Unread::Redirect(redirect) => RefreshError::Redirect(redirect),
                    Unread::TooLarge(too_large) => RefreshError::TooLarge(too_large),
                })
            })?;
        // The refresh token sent may be a fleet's newer one than the session's own.
        let redactor = {
            let current = self.lock();
            Redactor::new([
                current.tokens.access_token.clone(),
                current.tokens.refresh_token.clone(),
                refresh_token.clone(),
                self.client_secret.clone(),
            ])
        };
        read_tokens(status, &body, &redactor)
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
    /// The OAuth server answered with an error. The refresh token is not sent again.
    Refused(RefusedRenewal),
    /// The request or its reply failed; a later caller may try again.
    Failed(RefreshError),
}

impl Renewal {
    fn refused(&self) -> bool {
        matches!(self, Self::Refused(_))
    }

    fn error(&self) -> RefreshError {
        match self {
            Self::Refused(refusal) => refusal.clone().into(),
            Self::Failed(error) => error.clone(),
        }
    }
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

/// Reads the OAuth server's reply. Its body is never kept, since it may hold tokens; the
/// texts of an error reply are redacted.
fn read_tokens(status: u16, body: &[u8], redactor: &Redactor) -> Result<Tokens, Renewal> {
    let reply: TokenReply = serde_json::from_slice(body).map_err(|error| {
        Renewal::Failed(RefreshError::Undecodable(UndecodableReply::not_tokens(
            status,
            Some(&error),
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
        let error = redactor.api_error(ApiError::new(code, message).with_status(status));
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
    use crate::Secret;
    use crate::client::RefreshError;
    use crate::client::redact::Redactor;

    #[test]
    fn renewed_tokens_are_read() {
        let body = br#"{"access_token":"new-a","refresh_token":"new-r","expires":1780319382,
            "expires_in":3600,"member_id":"m","status":"F","user_id":67}"#;
        let tokens = read_tokens(200, body, &Redactor::default()).unwrap();
        assert_eq!(tokens.access_token.expose(), "new-a");
        assert_eq!(tokens.refresh_token.expose(), "new-r");
        assert_eq!(tokens.expires_at, Some(1_780_319_382));
        assert_eq!(tokens.client_endpoint, None);
        let body = br#"{"access_token":"a","refresh_token":"r",
            "client_endpoint":"https://moved.bitrix24.com/rest/","server_endpoint":"x"}"#;
        assert_eq!(
            read_tokens(200, body, &Redactor::default())
                .unwrap()
                .client_endpoint
                .as_deref(),
            Some("https://moved.bitrix24.com/rest/")
        );
    }

    #[test]
    fn expiry_falls_back_to_expires_in() {
        let tokens = read_tokens(
            200,
            br#"{"access_token":"a","refresh_token":"r","expires_in":"3600"}"#,
            &Redactor::default(),
        )
        .unwrap();
        assert!(tokens.expires_at.unwrap() > 1_700_000_000);
    }

    #[test]
    fn invalid_grant_is_told_apart() {
        let body = br#"{"error":"invalid_grant","error_description":"Invalid grant"}"#;
        let Err(Renewal::Refused(RefusedRenewal::InvalidGrant(error))) =
            read_tokens(400, body, &Redactor::default())
        else {
            panic!("not invalid_grant");
        };
        assert_eq!(
            (error.code.as_str(), error.status),
            ("invalid_grant", Some(400))
        );
        let body = br#"{"error":"PAYMENT_REQUIRED","error_description":"Payment required"}"#;
        assert!(matches!(
            read_tokens(200, body, &Redactor::default()),
            Err(Renewal::Refused(RefusedRenewal::Rejected(_)))
        ));
    }

    #[test]
    fn replies_without_tokens_are_undecodable_and_keep_no_body() {
        for body in [&b"<html>"[..], br#"{"access_token":"secret-a"}"#, b"{}"] {
            let Err(Renewal::Failed(RefreshError::Undecodable(reply))) =
                read_tokens(200, body, &Redactor::default())
            else {
                panic!("not undecodable: {body:?}");
            };
            assert_eq!(reply.excerpt(), "");
            assert!(!reply.to_string().contains("secret-a"));
        }
    }

    #[test]
    fn a_refusal_that_echoes_a_credential_is_redacted() {
        let redactor =
            Redactor::new([Secret::new("client-s3cret-x"), Secret::new("refresh-tok-1")]);
        let body = br#"{"error":"invalid_client","error_description":"secret client%2Ds3cret%2Dx for refresh-tok-1 is wrong"}"#;
        let Err(Renewal::Refused(refusal)) = read_tokens(401, body, &redactor) else {
            panic!("not refused");
        };
        let error = RefreshError::from(refusal);
        let text = format!("{error} {error:?}");
        assert!(
            !text.contains("s3cret") && !text.contains("refresh-tok"),
            "{text}"
        );
    }
}
