//! The client: one call of a method, with authorization, rate limiting and retries.

use std::sync::Arc;

use reqwest::Url;
use reqwest::header::{ACCEPT, CONTENT_TYPE};
use serde::Serialize;
use serde_json::value::RawValue;
use serde_json::{Map, Value};
use tokio::time::Instant;
use tracing::Instrument;

use crate::{ApiError, ApiVersion, Envelope, Method};

use super::auth::Auth;
use super::builder::ClientBuilder;
use super::endpoint::{Endpoint, is_method_name};
use super::error::{Error, Failure, RequestError, TransportError};
use super::oauth::{OAuthSession, TokenSnapshot};
use super::operating::OperatingHolds;
use super::rate_limit::{RateLimiter, RequestBucket};
use super::reply::{self, NotAReply, Reply};
use super::retry::RetryPolicy;
use super::undecodable::{UndecodableReply, excerpt};
use crate::Secret;

/// An async Bitrix24 REST client.
///
/// Cloning is cheap, and clones share the connection pool, the rate-limit bucket, the
/// operating-time pauses and the OAuth tokens.
#[derive(Debug, Clone)]
pub struct Client {
    pub(crate) inner: Arc<Inner>,
}

#[derive(Debug)]
pub(crate) struct Inner {
    pub(crate) http: reqwest::Client,
    pub(crate) credentials: Credentials,
    /// The client's own bucket; the one calls book unless a fleet shares another.
    pub(crate) limiter: RateLimiter,
    /// Where calls book their send time.
    pub(crate) bucket: Arc<dyn RequestBucket>,
    pub(crate) operating: Arc<dyn OperatingHolds>,
    pub(crate) retry: RetryPolicy,
}

/// Where calls go and how they are authorized.
pub(crate) enum Credentials {
    /// The webhook code is part of every URL.
    Webhook(Endpoint),
    /// The access token goes in the body as `auth`; the session knows where calls go.
    OAuth(Box<OAuthSession>),
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Webhook(_) => "Webhook",
            Self::OAuth(_) => "OAuth",
        })
    }
}

/// Where the attempts of a call go.
enum Route<'a> {
    /// Always this URL (a webhook's).
    Fixed(Url),
    /// Where the OAuth session's current tokens say, which a renewal may change.
    Session(&'a OAuthSession),
}

/// How far a call got, for its tracing span: requests sent and the last HTTP status.
#[derive(Debug, Default)]
struct Progress {
    attempts: u32,
    status: Option<u16>,
}

/// What the client needs to know about the method of a call.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Call<'a> {
    pub(crate) name: &'a str,
    pub(crate) version: ApiVersion,
    pub(crate) safe_to_repeat: bool,
}

impl Client {
    /// Starts configuring a client that calls with `auth`.
    pub fn builder(auth: impl Into<Auth>) -> ClientBuilder {
        ClientBuilder::new(auth.into())
    }

    /// Calls a method and returns its decoded result.
    pub async fn call<M: Method>(&self, request: &M) -> Result<M::Response, Error<M::Error>> {
        self.call_envelope(request)
            .await
            .map(|envelope| envelope.result)
    }

    /// Calls a method and returns its decoded result with the rest of the reply
    /// envelope: `time`, and `next` / `total` of list methods.
    pub async fn call_envelope<M: Method>(
        &self,
        request: &M,
    ) -> Result<Envelope<M::Response>, Error<M::Error>> {
        let call = Call {
            name: M::NAME,
            version: M::API_VERSION,
            safe_to_repeat: M::SAFE_TO_REPEAT,
        };
        let params = params_of(request).map_err(Error::Request)?;
        self.execute(call, params, |raw| serde_json::from_str(raw.get()))
            .await
            .map_err(Failure::into_error)
    }

    /// Calls a REST 2 method by name with parameters given as JSON (an object, or `null`
    /// for none). The call is taken as not safe to repeat: it is not retried after a
    /// failure in transit.
    pub async fn call_raw(
        &self,
        method: &str,
        params: Value,
    ) -> Result<Envelope<Value>, Error<ApiError>> {
        let call = Call {
            name: method,
            version: ApiVersion::V2,
            safe_to_repeat: false,
        };
        let params = object_of(params).map_err(Error::Request)?;
        self.execute(call, params, |raw| serde_json::from_str(raw.get()))
            .await
            .map_err(Failure::into_error)
    }

    /// The rate-limit bucket of this client, to share it with another client of the same
    /// portal through [`ClientBuilder::rate_limiter`]. A client of a Redis fleet (feature
    /// `redis`) books its requests in Redis, and uses this bucket only while Redis is
    /// unavailable, if so configured.
    pub fn rate_limiter(&self) -> &RateLimiter {
        &self.inner.limiter
    }

    /// Runs one call to completion, retrying as the [`RetryPolicy`] allows, inside a
    /// tracing span that names the method and records the HTTP status, the number of
    /// attempts, the outcome and the duration.
    pub(crate) async fn execute<T>(
        &self,
        call: Call<'_>,
        params: Map<String, Value>,
        decode: impl Fn(&RawValue) -> serde_json::Result<T>,
    ) -> Result<Envelope<T>, Failure> {
        let span = tracing::info_span!(
            "bitrix24.call",
            method = call.name,
            status = tracing::field::Empty,
            attempts = tracing::field::Empty,
            outcome = tracing::field::Empty,
            duration_ms = tracing::field::Empty,
        );
        let started = Instant::now();
        let mut progress = Progress::default();
        let result = self
            .attempts(call, params, decode, &mut progress)
            .instrument(span.clone())
            .await;
        span.record("attempts", progress.attempts);
        if let Some(status) = progress.status {
            span.record("status", status);
        }
        span.record("duration_ms", started.elapsed().as_millis() as u64);
        match &result {
            Ok(_) => {
                span.record("outcome", "ok");
                tracing::debug!(parent: &span, "call succeeded");
            }
            Err(failure) => {
                span.record("outcome", failure.label());
                tracing::debug!(parent: &span, outcome = failure.label(), "call failed");
            }
        }
        result
    }

    async fn attempts<T>(
        &self,
        call: Call<'_>,
        mut params: Map<String, Value>,
        decode: impl Fn(&RawValue) -> serde_json::Result<T>,
        progress: &mut Progress,
    ) -> Result<Envelope<T>, Failure> {
        let inner = &*self.inner;
        let route = match &inner.credentials {
            Credentials::Webhook(endpoint) => Route::Fixed(
                endpoint
                    .method_url(call.version, call.name)
                    .map_err(Failure::Request)?,
            ),
            Credentials::OAuth(session) => {
                if !is_method_name(call.name) {
                    return Err(Failure::Request(RequestError::MethodName));
                }
                params.remove("auth");
                Route::Session(session)
            }
        };
        let mut attempt = 0;
        let mut renewed = false;
        loop {
            inner
                .operating
                .wait(call.name, inner.retry.max_operating_wait_limit())
                .await?;
            inner
                .bucket
                .acquire()
                .await
                .map_err(Failure::Coordination)?;
            attempt += 1;
            progress.attempts += 1;
            let (url, token) = match &route {
                Route::Fixed(url) => (url.clone(), None),
                Route::Session(session) => {
                    let token = session.snapshot();
                    let url = token
                        .endpoint
                        .method_url(call.version, call.name)
                        .map_err(Failure::Request)?;
                    (url, Some(token))
                }
            };
            let body = body_of(&params, token.as_ref()).map_err(Failure::Request)?;
            let may_retry = attempt < inner.retry.attempts();
            let (status, body) = match self.send(url, body).await {
                Ok(reply) => reply,
                Err(error) => {
                    let retry =
                        may_retry && (call.safe_to_repeat || !error.may_have_reached_server());
                    tracing::warn!(attempt, retry, error = %error, "transport failure");
                    if !retry {
                        return Err(Failure::Transport(error));
                    }
                    tokio::time::sleep(inner.retry.backoff(attempt)).await;
                    continue;
                }
            };
            progress.status = Some(status);
            let (error, reset_at) = match reply::parse(&body) {
                Ok(Reply::Result {
                    result,
                    time,
                    next,
                    total,
                }) => {
                    inner.operating.record(call.name, time.as_ref()).await;
                    let result = decode(result).map_err(|error| {
                        Failure::Undecodable(UndecodableReply::json(
                            status,
                            self.excerpt(&body),
                            error,
                        ))
                    })?;
                    return Ok(Envelope {
                        result,
                        time,
                        next,
                        total,
                    });
                }
                Ok(Reply::Error { error, reset_at }) => (error.with_status(status), reset_at),
                Err(not_a_reply) => {
                    let reply = match not_a_reply {
                        NotAReply::Json(error) => {
                            UndecodableReply::json(status, self.excerpt(&body), error)
                        }
                        NotAReply::NoResultOrError => {
                            UndecodableReply::not_an_envelope(status, self.excerpt(&body))
                        }
                    };
                    let retry = may_retry && call.safe_to_repeat && reply.is_gateway_failure();
                    tracing::warn!(attempt, status, retry, "undecodable reply");
                    if !retry {
                        return Err(Failure::Undecodable(reply));
                    }
                    tokio::time::sleep(inner.retry.backoff(attempt)).await;
                    continue;
                }
            };
            match error.code.as_str() {
                "expired_token" => {
                    if let (Route::Session(session), Some(token)) = (&route, &token)
                        && !renewed
                    {
                        renewed = true;
                        attempt -= 1;
                        session.renew(&inner.http, token.generation).await?;
                        continue;
                    }
                }
                "QUERY_LIMIT_EXCEEDED" => {
                    inner
                        .bucket
                        .saturate()
                        .await
                        .map_err(Failure::Coordination)?;
                    if may_retry {
                        let delay = inner.retry.backoff(attempt);
                        tracing::debug!(
                            attempt,
                            delay_ms = delay.as_millis() as u64,
                            "request rate limit exceeded"
                        );
                        tokio::time::sleep(delay).await;
                        continue;
                    }
                }
                "OPERATION_TIME_LIMIT" => {
                    let wait = inner
                        .operating
                        .block(
                            call.name,
                            error.clone(),
                            reset_at,
                            inner.retry.operating_fallback(),
                        )
                        .await
                        .map_err(Failure::Coordination)?;
                    tracing::warn!(
                        attempt,
                        wait_ms = wait.as_millis() as u64,
                        "operating-time limit of the method exceeded"
                    );
                    if may_retry && wait <= inner.retry.max_operating_wait_limit() {
                        continue;
                    }
                }
                _ => {}
            }
            return Err(Failure::Api(error));
        }
    }

    /// Sends one request and reads the whole reply.
    async fn send(&self, url: Url, body: Vec<u8>) -> Result<(u16, Vec<u8>), TransportError> {
        let response = self
            .inner
            .http
            .post(url)
            .header(CONTENT_TYPE, "application/json")
            .header(ACCEPT, "application/json")
            .body(body)
            .send()
            .await
            .map_err(TransportError::new)?;
        let status = response.status().as_u16();
        let body = response.bytes().await.map_err(TransportError::new)?;
        Ok((status, Vec::from(body)))
    }

    /// An excerpt of a reply body with the client's credentials redacted.
    pub(crate) fn excerpt(&self, body: &[u8]) -> String {
        match &self.inner.credentials {
            Credentials::Webhook(endpoint) => {
                let secrets: Vec<&Secret> = endpoint.webhook_code().into_iter().collect();
                excerpt(body, &secrets)
            }
            Credentials::OAuth(session) => {
                let secrets = session.secrets();
                excerpt(body, &secrets.each_ref())
            }
        }
    }
}

/// The parameters of a request as a JSON object.
pub(crate) fn params_of<M: Serialize>(request: &M) -> Result<Map<String, Value>, RequestError> {
    object_of(serde_json::to_value(request).map_err(RequestError::Params)?)
}

/// A JSON object of parameters; `null` stands for none.
pub(crate) fn object_of(params: Value) -> Result<Map<String, Value>, RequestError> {
    match params {
        Value::Object(params) => Ok(params),
        Value::Null => Ok(Map::new()),
        _ => Err(RequestError::ParamsNotAnObject),
    }
}

/// The JSON body of one attempt: the parameters, plus `auth` for OAuth.
fn body_of(
    params: &Map<String, Value>,
    token: Option<&TokenSnapshot>,
) -> Result<Vec<u8>, RequestError> {
    #[derive(Serialize)]
    struct WithAuth<'a> {
        #[serde(flatten)]
        params: &'a Map<String, Value>,
        auth: &'a str,
    }
    match token {
        None => serde_json::to_vec(params),
        Some(token) => serde_json::to_vec(&WithAuth {
            params,
            auth: token.access_token.expose(),
        }),
    }
    .map_err(RequestError::Params)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::{body_of, object_of, params_of};
    use crate::client::endpoint::Endpoint;
    use crate::client::oauth::TokenSnapshot;
    use crate::client::{RequestError, Secret};

    #[test]
    fn parameters_must_be_an_object() {
        assert!(object_of(json!(null)).unwrap().is_empty());
        assert_eq!(object_of(json!({"a": 1})).unwrap()["a"], 1);
        assert!(matches!(
            object_of(json!([1])),
            Err(RequestError::ParamsNotAnObject)
        ));
        assert!(matches!(
            params_of(&"text"),
            Err(RequestError::ParamsNotAnObject)
        ));
        let mut bad = std::collections::HashMap::new();
        bad.insert((1, 2), 3);
        assert!(matches!(params_of(&bad), Err(RequestError::Params(_))));
    }

    #[test]
    fn oauth_bodies_carry_the_token_as_auth() {
        let params = object_of(json!({"id": 5})).unwrap();
        assert_eq!(body_of(&params, None).unwrap(), br#"{"id":5}"#);
        let root = reqwest::Url::parse("https://example.bitrix24.com/rest/").unwrap();
        let token = TokenSnapshot {
            access_token: Secret::new("tok"),
            generation: 0,
            endpoint: std::sync::Arc::new(Endpoint::oauth(root)),
        };
        let body: serde_json::Value =
            serde_json::from_slice(&body_of(&params, Some(&token)).unwrap()).unwrap();
        assert_eq!(body, json!({"id": 5, "auth": "tok"}));
    }
}
