//! The client: one call of a method, with authorization, rate limiting and retries,
//! within a deadline.

use std::sync::Arc;
use std::time::Duration;

use reqwest::Url;
use reqwest::header::{ACCEPT, CONTENT_TYPE, HeaderName};
use serde::Serialize;
use serde_json::value::RawValue;
use serde_json::{Map, Value};
use tokio::time::Instant;
use tracing::Instrument;

use crate::{ApiError, ApiVersion, Envelope, Method};

use super::auth::Auth;
use super::body::{self, Unread};
use super::builder::ClientBuilder;
use super::endpoint::{Endpoint, is_method_name};
use super::error::{CallTimeout, Error, Failure, RequestError, TransportError};
use super::oauth::{OAuthSession, TokenSnapshot};
use super::operating::OperatingHolds;
use super::random::random_u64;
use super::rate_limit::{RateLimiter, RequestBucket};
use super::redact::Redactor;
use super::reply::{self, NotAReply, Reply};
use super::retry::RetryPolicy;
use super::undecodable::UndecodableReply;

/// The header that makes a REST 3.0 write safe to repeat: the portal runs a call once per
/// key and replays its stored reply to a repeat.
pub(crate) const IDEMPOTENCY_KEY: HeaderName = HeaderName::from_static("idempotency-key");

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
    /// The time limit of one HTTP request.
    pub(crate) timeout: Duration,
    /// The time limit of one call, retries and waits included.
    pub(crate) call_timeout: Duration,
    /// The most bytes of a reply the client reads.
    pub(crate) max_reply_bytes: usize,
}

/// Where calls go and how they are authorized.
pub(crate) enum Credentials {
    /// The webhook code is part of every URL.
    Webhook(Endpoint),
    /// The access token goes in the body as `auth`; the session knows where calls go.
    OAuth(Arc<OAuthSession>),
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
    Session(&'a Arc<OAuthSession>),
}

/// How far a call got, for its tracing span and its timeout error: requests sent and the
/// last HTTP status.
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

/// The end of a call's time: what is left of it, and the error once it is gone.
#[derive(Debug, Clone, Copy)]
struct Deadline {
    at: Instant,
    limit: Duration,
}

impl Deadline {
    fn remaining(&self) -> Duration {
        self.at.saturating_duration_since(Instant::now())
    }

    fn passed(&self) -> bool {
        self.remaining().is_zero()
    }

    fn failure(&self, progress: &Progress) -> Failure {
        Failure::Timeout(CallTimeout {
            limit: self.limit,
            sent: progress.attempts,
        })
    }

    /// Runs `work` (a wait, or a round trip to a shared store) until the deadline;
    /// `None` when the deadline came first.
    async fn within<F: std::future::Future>(&self, work: F) -> Option<F::Output> {
        tokio::time::timeout_at(self.at, work).await.ok()
    }

    /// Sleeps for `delay` unless that would pass the deadline; tells whether it slept.
    async fn sleep(&self, delay: Duration) -> bool {
        if delay >= self.remaining() {
            return false;
        }
        tokio::time::sleep(delay).await;
        true
    }
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
    ///
    /// A `null` result decodes only into a response that can hold nothing (an `Option`,
    /// or a newtype around `serde_json::Value`); for any other it is an undecodable reply,
    /// not an empty response.
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
        self.execute(call, params, reply::decode)
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

    /// Runs one call to completion, retrying as the [`RetryPolicy`] allows within the
    /// call timeout, inside a tracing span that names the method and records the HTTP
    /// status, the number of attempts, the outcome and the duration.
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
        let deadline = Deadline {
            at: started + self.inner.call_timeout,
            limit: self.inner.call_timeout,
        };
        let mut progress = Progress::default();
        let result = self
            .attempts(call, params, decode, deadline, &mut progress)
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
        deadline: Deadline,
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
        // One key for every attempt of the call, so that the portal runs it once.
        let idempotency_key = (call.version == ApiVersion::V3 && !call.safe_to_repeat)
            .then(|| format!("b24rs-{:016x}{:016x}", random_u64(), random_u64()));
        let repeatable = call.safe_to_repeat || idempotency_key.is_some();
        let mut attempt = 0;
        let mut timeouts = 0;
        let mut renewed = false;
        loop {
            let max_wait = inner
                .retry
                .max_operating_wait_limit()
                .min(deadline.remaining());
            // A shared hold or bucket asks Redis too: the deadline bounds the round trips
            // as well as the wait.
            deadline
                .within(inner.operating.wait(call.name, max_wait))
                .await
                .ok_or_else(|| deadline.failure(progress))??;
            deadline
                .within(inner.bucket.acquire())
                .await
                .ok_or_else(|| deadline.failure(progress))?
                .map_err(Failure::Coordination)?;
            if deadline.passed() {
                return Err(deadline.failure(progress));
            }
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
            let time_limit = inner.timeout.min(deadline.remaining());
            let (status, body) = match self
                .send(url, body, idempotency_key.as_deref(), time_limit)
                .await
            {
                Ok(reply) => reply,
                Err(Unread::Transport(error)) => {
                    if error.is_timeout() {
                        if deadline.passed() {
                            return Err(deadline.failure(progress));
                        }
                        timeouts += 1;
                    }
                    let retry = may_retry
                        && (repeatable || !error.may_have_reached_server())
                        && (!error.is_timeout() || timeouts <= inner.retry.timeout_retries());
                    tracing::warn!(attempt, retry, error = %error, "transport failure");
                    if !retry || !deadline.sleep(inner.retry.backoff(attempt)).await {
                        return Err(Failure::Transport(error));
                    }
                    continue;
                }
                Err(Unread::Redirect(redirect)) => {
                    progress.status = Some(redirect.status);
                    tracing::warn!(attempt, status = redirect.status, "redirect refused");
                    return Err(Failure::Redirect(redirect));
                }
                Err(Unread::TooLarge(too_large)) => {
                    progress.status = Some(too_large.status);
                    tracing::warn!(attempt, limit = too_large.limit, "reply too large");
                    return Err(Failure::TooLarge(too_large));
                }
            };
            progress.status = Some(status);
            let redactor = self.redactor();
            let (error, reset_at) = match reply::parse(&body, &redactor) {
                Ok(Reply::Result {
                    result,
                    time,
                    next,
                    total,
                }) => {
                    // The call has its result: sharing the figures may not hold it past
                    // the deadline.
                    let _ = deadline
                        .within(inner.operating.record(call.name, time.as_ref()))
                        .await;
                    let result = decode(result).map_err(|error| {
                        Failure::Undecodable(UndecodableReply::json(
                            status, &redactor, &body, &error,
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
                            UndecodableReply::json(status, &redactor, &body, &error)
                        }
                        NotAReply::NoResultOrError => {
                            UndecodableReply::not_an_envelope(status, &redactor, &body)
                        }
                    };
                    let retry = may_retry && repeatable && reply.is_gateway_failure();
                    tracing::warn!(attempt, status, retry, "undecodable reply");
                    if !retry || !deadline.sleep(inner.retry.backoff(attempt)).await {
                        return Err(Failure::Undecodable(reply));
                    }
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
                        // Cut by the deadline, the renewal itself goes on without the call.
                        tokio::time::timeout_at(
                            deadline.at,
                            session.renew(&inner.http, token.generation),
                        )
                        .await
                        .map_err(|_| deadline.failure(progress))??;
                        continue;
                    }
                }
                "QUERY_LIMIT_EXCEEDED" => {
                    // Cut by the deadline, the call fails with the refusal itself.
                    let Some(saturated) = deadline.within(inner.bucket.saturate()).await else {
                        return Err(Failure::Api(error));
                    };
                    saturated.map_err(Failure::Coordination)?;
                    let delay = inner.retry.backoff(attempt);
                    if may_retry && deadline.sleep(delay).await {
                        tracing::debug!(
                            attempt,
                            delay_ms = delay.as_millis() as u64,
                            "request rate limit exceeded"
                        );
                        continue;
                    }
                }
                "OPERATION_TIME_LIMIT" => {
                    let block = inner.operating.block(
                        call.name,
                        error.clone(),
                        reset_at,
                        inner.retry.operating_fallback(),
                    );
                    // Cut by the deadline, the call fails with the refusal itself.
                    let Some(wait) = deadline.within(block).await else {
                        return Err(Failure::Api(error));
                    };
                    let wait = wait.map_err(Failure::Coordination)?;
                    tracing::warn!(
                        attempt,
                        wait_ms = wait.as_millis() as u64,
                        "operating-time limit of the method exceeded"
                    );
                    if may_retry
                        && wait <= inner.retry.max_operating_wait_limit()
                        && wait < deadline.remaining()
                    {
                        continue;
                    }
                }
                _ => {}
            }
            return Err(Failure::Api(error));
        }
    }

    /// Sends one request and reads its reply within the size limit and `time_limit`.
    async fn send(
        &self,
        url: Url,
        body: Vec<u8>,
        idempotency_key: Option<&str>,
        time_limit: Duration,
    ) -> Result<(u16, Vec<u8>), Unread> {
        let mut request = self
            .inner
            .http
            .post(url)
            .timeout(time_limit)
            .header(CONTENT_TYPE, "application/json")
            .header(ACCEPT, "application/json")
            .body(body);
        if let Some(key) = idempotency_key {
            request = request.header(IDEMPOTENCY_KEY, key);
        }
        let response = request
            .send()
            .await
            .map_err(|error| Unread::Transport(TransportError::new(error)))?;
        body::read(response, self.inner.max_reply_bytes).await
    }

    /// The client's credentials, for redacting text a server sent.
    pub(crate) fn redactor(&self) -> Redactor {
        match &self.inner.credentials {
            Credentials::Webhook(endpoint) => Redactor::new(endpoint.webhook_code().cloned()),
            Credentials::OAuth(session) => session.redactor(),
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

/// A shared store that never answers, against the call deadline.
#[cfg(test)]
mod stuck_store {
    use std::sync::Arc;
    use std::time::Duration;

    use futures::future::BoxFuture;
    use tokio::time::Instant;

    use crate::ApiError;
    use crate::Time;
    use crate::client::coordination::{Coordination, Scope, Shared};
    use crate::client::error::{CoordinationError, Failure};
    use crate::client::operating::OperatingHolds;
    use crate::client::rate_limit::RequestBucket;
    use crate::client::renewal::Alone;
    use crate::client::{Client, Error, Webhook};

    /// Which part of the store hangs.
    #[derive(Debug, Clone, Copy)]
    enum Stuck {
        Bucket,
        Holds,
    }

    #[derive(Debug)]
    struct Store(Stuck);

    impl Coordination for Stuck {
        fn attach(&self, _: &Scope) -> Shared {
            let store = Arc::new(Store(*self));
            Shared {
                bucket: store.clone(),
                holds: store,
                renewals: Arc::new(Alone),
            }
        }
    }

    fn hang<'a, T: Send + 'a>(hangs: bool, value: T) -> BoxFuture<'a, T> {
        if hangs {
            Box::pin(std::future::pending())
        } else {
            Box::pin(std::future::ready(value))
        }
    }

    impl RequestBucket for Store {
        fn acquire(&self) -> BoxFuture<'_, Result<(), CoordinationError>> {
            hang(matches!(self.0, Stuck::Bucket), Ok(()))
        }

        fn saturate(&self) -> BoxFuture<'_, Result<(), CoordinationError>> {
            hang(matches!(self.0, Stuck::Bucket), Ok(()))
        }
    }

    impl OperatingHolds for Store {
        fn record<'a>(&'a self, _: &'a str, _: Option<&'a Time>) -> BoxFuture<'a, ()> {
            hang(matches!(self.0, Stuck::Holds), ())
        }

        fn block<'a>(
            &'a self,
            _: &'a str,
            _: ApiError,
            _: Option<i64>,
            fallback: Duration,
        ) -> BoxFuture<'a, Result<Duration, CoordinationError>> {
            hang(matches!(self.0, Stuck::Holds), Ok(fallback))
        }

        fn wait<'a>(&'a self, _: &'a str, _: Duration) -> BoxFuture<'a, Result<(), Failure>> {
            hang(matches!(self.0, Stuck::Holds), Ok(()))
        }
    }

    #[tokio::test(start_paused = true)]
    async fn a_store_that_does_not_answer_is_cut_by_the_call_deadline() {
        for stuck in [Stuck::Bucket, Stuck::Holds] {
            // Nothing listens there: the call must end before it sends anything.
            let webhook = Webhook::from_url("http://127.0.0.1:9/rest/1/code0123/").unwrap();
            let client = Client::builder(webhook)
                .allow_http(true)
                .call_timeout(Duration::from_secs(2))
                .coordinate(stuck)
                .build()
                .unwrap();
            let started = Instant::now();
            let error = client
                .call_raw("user.current", serde_json::Value::Null)
                .await
                .unwrap_err();
            let Error::Timeout(timeout) = error else {
                panic!("{stuck:?}: not a timeout: {error:?}");
            };
            assert_eq!(timeout.sent, 0, "{stuck:?}");
            assert_eq!(started.elapsed(), Duration::from_secs(2), "{stuck:?}");
        }
    }
}
