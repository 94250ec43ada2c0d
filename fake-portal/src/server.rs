//! The HTTP side of the portal: REST calls and the OAuth token endpoint.

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Instant, SystemTime};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Path, RawQuery, State as Shared};
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use serde_json::{Map, Value, json};

use crate::batch;
use crate::clock::{time_object, unix_now};
use crate::events::{APPLICATION_SCOPES, MEMBER_ID};
use crate::failure::Failure;
use crate::faults::FaultKind;
use crate::methods::Api;
use crate::php::{key_order, param, parse_form, text};
use crate::request_log::LoggedRequest;
use crate::state::{Caller, State};

/// The header that makes a REST 3.0 write run once per key.
const IDEMPOTENCY_KEY: HeaderName = HeaderName::from_static("idempotency-key");
/// The header that marks a reply replayed for a repeated key.
const IDEMPOTENT_REPLAYED: HeaderName = HeaderName::from_static("idempotent-replayed");

/// What the request handlers share.
#[derive(Debug)]
pub(crate) struct Portal {
    pub(crate) state: Mutex<State>,
    pub(crate) base_url: String,
}

impl Portal {
    pub(crate) fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// The routes of the portal: REST calls under `/rest/` and under the client endpoint's
/// path when one is set, and the token endpoint.
pub(crate) fn router(portal: Arc<Portal>) -> Router {
    let client_endpoint = portal.lock().config.client_endpoint_path.clone();
    let mut router = Router::new()
        .route("/rest/{*path}", any(rest))
        .route("/oauth/token/", any(token))
        .route("/oauth/token", any(token));
    if let Some(root) = client_endpoint {
        router = router.route(&format!("{root}{{*path}}"), any(rest));
    }
    router.with_state(portal)
}

/// Where a REST request goes: `/rest/[api/][<user>/<code>/]<method>[.json]`.
#[derive(Debug, PartialEq, Eq)]
struct Target {
    v3: bool,
    webhook: Option<(String, String)>,
    method: String,
}

impl Target {
    fn parse(path: &str) -> Self {
        let mut segments: Vec<&str> = path
            .split('/')
            .filter(|segment| !segment.is_empty())
            .collect();
        let v3 = segments.first() == Some(&"api");
        if v3 {
            segments.remove(0);
        }
        let method = segments
            .pop()
            .unwrap_or_default()
            .trim_end_matches(".json")
            .to_ascii_lowercase();
        let webhook = match segments.as_slice() {
            [user, code] => Some(((*user).to_owned(), (*code).to_owned())),
            _ => None,
        };
        Self {
            v3,
            webhook,
            method,
        }
    }
}

async fn rest(
    Shared(portal): Shared<Arc<Portal>>,
    Path(path): Path<String>,
    RawQuery(query): RawQuery,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let arrived = SystemTime::now();
    let target = Target::parse(&path);
    let fault = {
        let mut state = portal.lock();
        state.stats.requests += 1;
        if let Some(root) = &state.config.client_endpoint_path
            && uri.path().starts_with(root.as_str())
        {
            state.stats.client_endpoint_requests += 1;
        }
        state.faults.take(&target.method)
    };
    if fault == Some(FaultKind::Html502) {
        log(&portal, arrived, &target, 502, None);
        return html_502();
    }
    let key = idempotency_key(&target, &headers);
    let (status, reply, replayed) = match handle(
        &portal,
        &target,
        query.as_deref(),
        &headers,
        &body,
        key.as_deref(),
    ) {
        Ok((reply, replayed)) => (200, reply, replayed),
        Err(failure) if target.v3 => (failure.status, failure.body_v3(), false),
        Err(failure) => (failure.status, failure.body(), false),
    };
    let error = match &reply["error"] {
        Value::String(code) => Some(code.clone()),
        Value::Object(error) => error.get("code").and_then(text),
        _ => None,
    };
    log(&portal, arrived, &target, status, error);
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let bytes = serde_json::to_vec(&reply).unwrap_or_default();
    let mut response = reply_to(fault, status, bytes).await;
    if let Some(key) = key
        && let Ok(value) = HeaderValue::from_str(&key)
    {
        response.headers_mut().insert(IDEMPOTENCY_KEY, value);
        if replayed {
            response
                .headers_mut()
                .insert(IDEMPOTENT_REPLAYED, HeaderValue::from_static("true"));
        }
    }
    response
}

/// The `Idempotency-Key` of a REST 3.0 request, as sent; REST 2 ignores it.
fn idempotency_key(target: &Target, headers: &HeaderMap) -> Option<String> {
    if !target.v3 {
        return None;
    }
    headers
        .get(IDEMPOTENCY_KEY)
        .map(|value| String::from_utf8_lossy(value.as_bytes()).into_owned())
}

/// The reply to a request, as the fault (if any) makes it.
async fn reply_to(fault: Option<FaultKind>, status: StatusCode, bytes: Vec<u8>) -> Response {
    match fault {
        Some(FaultKind::Slow(delay)) => {
            tokio::time::sleep(delay).await;
            json_response(status, bytes)
        }
        Some(FaultKind::TruncatedJson) => {
            let half = bytes.len() / 2;
            json_response(status, bytes[..half].to_vec())
        }
        Some(FaultKind::DropConnection) => {
            let half = Bytes::copy_from_slice(&bytes[..bytes.len() / 2]);
            let chunks = futures::stream::iter([
                Ok(half),
                Err(std::io::Error::other(
                    "connection dropped by fault injection",
                )),
            ]);
            (
                status,
                [(header::CONTENT_TYPE, "application/json")],
                Body::from_stream(chunks),
            )
                .into_response()
        }
        _ => json_response(status, bytes),
    }
}

/// Adds a request to the portal's log.
fn log(portal: &Portal, at: SystemTime, target: &Target, status: u16, error: Option<String>) {
    portal.lock().request_log.push(LoggedRequest {
        at,
        method: target.method.clone(),
        status,
        error,
    });
}

/// Runs a REST request: the rate limit, the parameters, authorization, then the method.
/// REST 3.0 reads its parameters from a JSON body only, and runs a call with an
/// `Idempotency-Key` once: a repeat with the same parameters gets the stored reply (the
/// flag in the result), one with other parameters a 422. Returns the reply and whether
/// it was replayed.
fn handle(
    portal: &Portal,
    target: &Target,
    query: Option<&str>,
    headers: &HeaderMap,
    body: &[u8],
    key: Option<&str>,
) -> Result<(Value, bool), Failure> {
    let started = unix_now();
    let is_json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.starts_with("application/json"));
    let params = if target.v3 {
        v3_params(is_json, body)
    } else {
        Ok(request_params(query, is_json, body))
    };
    let mut state = portal.lock();
    if let Some(bucket) = state.bucket.as_mut()
        && !bucket.admit(Instant::now())
    {
        state.stats.rate_limited += 1;
        return Err(Failure::new(
            503,
            "QUERY_LIMIT_EXCEEDED",
            "Too many requests",
        ));
    }
    let mut params = params?;
    let caller = authorize(&mut state, target, &mut params)?;
    let stored_under = match key {
        Some(key) => {
            let stored_under = (
                caller.credential.clone(),
                target.method.clone(),
                key.to_owned(),
            );
            if let Some(stored) = state.idempotency.replay(&stored_under, &params)? {
                state.stats.idempotent_replays += 1;
                return Ok((stored, true));
            }
            Some(stored_under)
        }
        None => None,
    };
    let (outcome, operating) = if target.v3 {
        state.invoke(&caller, Api::V3, &target.method, &params)?
    } else if target.method == "batch" {
        let order = key_order(body, is_json, "cmd");
        (batch::run(&mut state, &caller, &params, &order)?, None)
    } else {
        state.invoke(&caller, Api::V2, &target.method, &params)?
    };
    let mut reply = Map::new();
    reply.insert("result".to_owned(), outcome.result);
    if let Some(next) = outcome.next {
        reply.insert("next".to_owned(), json!(next));
    }
    if let Some(total) = outcome.total {
        reply.insert("total".to_owned(), json!(total));
    }
    reply.insert(
        "time".to_owned(),
        time_object(started, unix_now(), operating),
    );
    let reply = Value::Object(reply);
    if let Some(stored_under) = stored_under {
        state.idempotency.store(stored_under, params, reply.clone());
    }
    Ok((reply, false))
}

/// The parameters of a request: the query string, overlaid with the body (JSON or
/// form-encoded). A body that cannot be read gives no parameters, as in PHP.
fn request_params(query: Option<&str>, is_json: bool, body: &[u8]) -> Map<String, Value> {
    let mut params = query
        .map(|query| parse_form(query.as_bytes()))
        .unwrap_or_default();
    let body = if is_json {
        match serde_json::from_slice(body) {
            Ok(Value::Object(object)) => object,
            _ => Map::new(),
        }
    } else {
        parse_form(body)
    };
    params.extend(body);
    params
}

/// The parameters of a REST 3.0 request: a JSON object in the body, or none for an empty
/// body; the query string is not read.
fn v3_params(is_json: bool, body: &[u8]) -> Result<Map<String, Value>, Failure> {
    if body.trim_ascii().is_empty() {
        return Ok(Map::new());
    }
    match serde_json::from_slice(body) {
        Ok(Value::Object(params)) if is_json => Ok(params),
        _ => Err(Failure::new(
            400,
            "BITRIX_REST_V3_EXCEPTION_INVALIDJSONEXCEPTION",
            "The request body is not a JSON object",
        )),
    }
}

/// The caller of a request: the webhook in its path, or the access token in `auth`
/// (which is taken out of the parameters).
fn authorize(
    state: &mut State,
    target: &Target,
    params: &mut Map<String, Value>,
) -> Result<Caller, Failure> {
    let no_auth = || Failure::new(401, "NO_AUTH_FOUND", "Wrong authorization data");
    if let Some((user, code)) = &target.webhook {
        return if user.parse() == Ok(state.webhook_user) && *code == state.webhook_code {
            Ok(Caller {
                user_id: state.webhook_user,
                credential: format!("webhook:{user}"),
            })
        } else {
            Err(no_auth())
        };
    }
    let token = params
        .remove("auth")
        .as_ref()
        .and_then(text)
        .ok_or_else(no_auth)?;
    let access = state
        .access_tokens
        .get(&token)
        .cloned()
        .ok_or_else(no_auth)?;
    if access.expires <= Instant::now() {
        state.stats.expired_tokens += 1;
        return Err(Failure::new(
            401,
            "expired_token",
            "The access token provided has expired.",
        ));
    }
    Ok(Caller {
        user_id: access.user_id,
        credential: "application".to_owned(),
    })
}

/// The OAuth token endpoint: renews a pair of tokens (`grant_type=refresh_token`).
async fn token(
    Shared(portal): Shared<Arc<Portal>>,
    RawQuery(query): RawQuery,
    body: Bytes,
) -> Response {
    let delay = portal.lock().config.refresh_delay;
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    let mut params = query
        .map(|query| parse_form(query.as_bytes()))
        .unwrap_or_default();
    params.extend(parse_form(&body));
    let (status, reply) = match renew(&portal, &params) {
        Ok(reply) => (StatusCode::OK, reply),
        Err(failure) => (
            StatusCode::from_u16(failure.status).unwrap_or(StatusCode::BAD_REQUEST),
            failure.body(),
        ),
    };
    json_response(status, serde_json::to_vec(&reply).unwrap_or_default())
}

fn renew(portal: &Portal, params: &Map<String, Value>) -> Result<Value, Failure> {
    let mut state = portal.lock();
    let get = |name| param(params, name).and_then(text).unwrap_or_default();
    if get("grant_type") != "refresh_token" {
        state.stats.refused_refreshes += 1;
        return Err(Failure::new(
            400,
            "invalid_request",
            "Unsupported grant type",
        ));
    }
    if get("client_id") != state.client_id || get("client_secret") != state.client_secret {
        state.stats.refused_refreshes += 1;
        return Err(Failure::new(401, "invalid_client", "Invalid client"));
    }
    let Some(user_id) = state.refresh_tokens.remove(&get("refresh_token")) else {
        state.stats.refused_refreshes += 1;
        return Err(Failure::new(400, "invalid_grant", "Invalid grant"));
    };
    let (access, refresh) = state.issue_tokens(user_id);
    state.stats.refreshes += 1;
    let ttl = state.config.access_token_ttl.as_secs();
    Ok(json!({
        "access_token": access,
        "client_endpoint": format!(
            "{}{}",
            portal.base_url,
            state.config.client_endpoint_path.as_deref().unwrap_or("/rest/")
        ),
        "domain": "oauth.fake-portal.invalid",
        "expires": unix_now() as u64 + ttl,
        "expires_in": ttl,
        "member_id": MEMBER_ID,
        "refresh_token": refresh,
        "scope": APPLICATION_SCOPES,
        "server_endpoint": format!("{}/oauth/", portal.base_url),
        "status": "L",
        "user_id": user_id,
    }))
}

fn json_response(status: StatusCode, body: Vec<u8>) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "application/json; charset=utf-8")],
        body,
    )
        .into_response()
}

/// What a gateway in front of the portal answers when the portal is down.
fn html_502() -> Response {
    (
        StatusCode::BAD_GATEWAY,
        [(header::CONTENT_TYPE, "text/html")],
        "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n\
         <center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n",
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::{Target, request_params};

    #[test]
    fn targets() {
        assert_eq!(
            Target::parse("1/c0de/crm.item.add.json"),
            Target {
                v3: false,
                webhook: Some(("1".into(), "c0de".into())),
                method: "crm.item.add".into()
            }
        );
        assert_eq!(
            Target::parse("User.Current"),
            Target {
                v3: false,
                webhook: None,
                method: "user.current".into()
            }
        );
        assert_eq!(
            Target::parse("api/1/c0de/tasks.task.get"),
            Target {
                v3: true,
                webhook: Some(("1".into(), "c0de".into())),
                method: "tasks.task.get".into()
            }
        );
    }

    #[test]
    fn body_parameters_win_over_the_query() {
        let params = request_params(Some("a=1&b=2"), true, br#"{"b": 3}"#);
        assert_eq!(params["a"], "1");
        assert_eq!(params["b"], 3);
        let params = request_params(None, true, b"{broken");
        assert!(params.is_empty());
        let params = request_params(None, false, b"x[]=1");
        assert_eq!(params["x"], serde_json::json!(["1"]));
    }
}
