//! A server that echoes the client's credentials, as is, percent-encoded and `\u`-escaped,
//! in every place a reply has text: no error the client returns shows one.

use std::sync::Arc;
use std::time::Duration;

use bitrix24::user::Current;
use bitrix24_runtime::client::{
    BatchRequest, Error, MemoryTokenStore, OAuth, RateLimit, RetryPolicy, Tokens, Webhook,
};
use bitrix24_runtime::{Client, FastListing};
use futures::TryStreamExt;
use serde_json::{Value, json};

use crate::hostile::{Answer, Hostile, Seen};
use crate::support::{ItemGet, ItemList, TaskGet, deal};

const CODE: &str = "Echo5ecretC0de/x+y";
const ACCESS: &str = "echo-access-t0ken-1";
const REFRESH: &str = "echo-refresh-t0ken-2";
const CLIENT_SECRET: &str = "echo-client-5ecret-3";

/// Every spelling of `secret` a careless server might write.
fn spellings(secret: &str) -> Vec<String> {
    let percent: String = secret.bytes().map(|b| format!("%{b:02X}")).collect();
    let escaped: String = secret
        .chars()
        .map(|c| format!("\\u{:04x}", u32::from(c)))
        .collect();
    let form: String = form_urlencoded::byte_serialize(secret.as_bytes()).collect();
    vec![secret.to_owned(), percent, escaped, form]
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut at = 0;
    while at < bytes.len() {
        if bytes[at] == b'%'
            && let Some(byte) = text
                .get(at + 1..at + 3)
                .and_then(|hex| u8::from_str_radix(hex, 16).ok())
        {
            out.push(byte);
            at += 3;
        } else {
            out.push(bytes[at]);
            at += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A JSON string literal holding `text` as is (escaping only what JSON must).
fn json_text(text: &str) -> String {
    serde_json::to_string(text).unwrap()
}

/// The credential a request carries: the webhook code in its path (decoded), or `auth`
/// in its body.
fn credential_of(seen: &Seen) -> String {
    for prefix in ["/rest/1/", "/rest/api/1/"] {
        if let Some(rest) = seen.target.strip_prefix(prefix) {
            let segment = rest.split('/').next().unwrap_or_default();
            return percent_decode(segment);
        }
    }
    serde_json::from_slice::<Value>(&seen.body)
        .ok()
        .and_then(|body| body["auth"].as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// The reply that echoes `credential` for a request of `method`: in an error description,
/// a REST 3.0 message and validation, a result that does not decode, an HTML page, a
/// batch slot error, and an identifier of a listed element.
fn echo(method: &str, credential: &str) -> Answer {
    let [plain, percent, escaped, form] = <[String; 4]>::try_from(spellings(credential)).unwrap();
    let body = match method {
        "user.current" => format!(
            r#"{{"error":"NO_AUTH_FOUND","error_description":{}}}"#,
            json_text(&format!("wrong code {plain}, {percent}, {escaped}, {form}"))
        ),
        "tasks.task.get" => format!(
            r#"{{"error":{{"code":{},"message":{},"validation":[{{"field":{},"message":{}}}]}}}}"#,
            json_text(&percent),
            json_text(&plain),
            json_text(&escaped),
            json_text(&format!("got {form}"))
        ),
        "crm.item.get" => format!(r#"{{"result":{{"item":{}}}}}"#, json_text(&plain)),
        "crm.item.add" => {
            return Answer::Json(
                500,
                format!(
                    "<html><body>Fatal error at /rest/1/{escaped}/ and {percent}</body></html>"
                ),
            );
        }
        "batch" => format!(
            r#"{{"result":{{"result":[],"result_error":{{"c00000000":{{"error":{},"error_description":{}}}}}}}}}"#,
            json_text(&plain),
            json_text(&form)
        ),
        "crm.item.list" => format!(
            r#"{{"result":{{"items":[{{"id":{},"title":"x"}}]}}}}"#,
            json_text(&plain)
        ),
        _ => r#"{"error":"ERROR_METHOD_NOT_FOUND"}"#.to_owned(),
    };
    let status = if body.starts_with(r#"{"error""#) {
        400
    } else {
        200
    };
    Answer::Json(status, body)
}

/// The method of a REST request.
fn method_of(seen: &Seen) -> String {
    seen.target
        .rsplit('/')
        .next()
        .unwrap_or_default()
        .trim_end_matches(".json")
        .to_owned()
}

/// Asserts that `text` holds no spelling of any of `secrets` and shows a redaction.
fn assert_clean(text: &str, secrets: &[&str]) {
    for secret in secrets {
        for spelling in spellings(secret) {
            assert!(!text.contains(&spelling), "{spelling} in: {text}");
        }
    }
    assert!(
        text.contains("[redacted]"),
        "nothing was redacted in: {text}"
    );
}

/// Everything an error shows: `Display`, `Debug` and the excerpt of an undecodable reply.
fn text_of<E: bitrix24_runtime::MethodError>(error: Error<E>) -> String {
    let excerpt = match &error {
        Error::Undecodable(reply) => reply.excerpt().to_owned(),
        _ => String::new(),
    };
    format!("{error} {error:?} {excerpt}")
}

fn retry() -> RetryPolicy {
    RetryPolicy::never()
}

#[tokio::test]
async fn no_webhook_code_in_any_error_text() {
    let server = Hostile::start(|seen, _| echo(&method_of(seen), &credential_of(seen))).await;
    let client = Client::builder(Webhook::new(&server.url, 1, CODE))
        .allow_http(true)
        .retry(retry())
        .rate_limit(RateLimit::new(1000.0, 1000))
        .build()
        .unwrap();
    let mut texts = Vec::new();
    let error = client.call(&Current::new()).await.unwrap_err();
    assert!(matches!(error, Error::Method(_)), "{error:?}");
    texts.push(format!("{error} {error:?}"));
    let error = client.call(&TaskGet { id: 1 }).await.unwrap_err();
    assert!(matches!(error, Error::Method(_)), "{error:?}");
    texts.push(format!("{error} {error:?}"));
    let error = client
        .call(&ItemGet {
            entity_type_id: 2,
            id: 1,
        })
        .await
        .unwrap_err();
    assert!(matches!(error, Error::Undecodable(_)), "{error:?}");
    texts.push(format!("{error} {error:?}"));
    let error = client.call(&deal("x")).await.unwrap_err();
    let Error::Undecodable(reply) = &error else {
        panic!("not undecodable: {error:?}");
    };
    texts.push(format!("{error} {error:?} {}", reply.excerpt()));

    let mut batch = BatchRequest::new();
    let slot = batch.push(&Current::new()).unwrap();
    let results = client.batch(&batch).await.unwrap();
    let error = results.get(&slot).unwrap().unwrap_err();
    texts.push(format!("{error} {error:?} {results:?}"));

    let error = client.list_fast(&ItemList::deals()).await.unwrap_err();
    assert!(matches!(error, Error::Undecodable(_)), "{error:?}");
    texts.push(format!("{error} {error:?}"));
    let error = client
        .list_fast_raw(
            "crm.item.list",
            json!({"entityTypeId": 2}),
            FastListing::new().items_at("items"),
        )
        .try_collect::<Vec<_>>()
        .await
        .unwrap_err();
    texts.push(format!("{error} {error:?}"));

    assert_eq!(
        server.seen().len(),
        9,
        "each listing: a batch whose first page failed, then that page alone"
    );
    for text in &texts {
        assert_clean(text, &[CODE]);
    }
}

#[tokio::test]
async fn no_token_or_client_secret_in_any_error_text() {
    let server = Hostile::start(|seen, _| {
        if seen.target.starts_with("/oauth/token") {
            // The OAuth server refuses, quoting what it got.
            let echoed = format!(
                "client {} with {} and {}",
                spellings(CLIENT_SECRET)[1],
                spellings(REFRESH)[2],
                REFRESH
            );
            return Answer::Json(
                401,
                format!(
                    r#"{{"error":"invalid_client","error_description":{}}}"#,
                    json_text(&echoed)
                ),
            );
        }
        let credential = credential_of(seen);
        match method_of(seen).as_str() {
            "user.current" => Answer::Json(
                401,
                format!(
                    r#"{{"error":"expired_token","error_description":{}}}"#,
                    json_text(&format!("token {credential} expired"))
                ),
            ),
            method => echo(method, &credential),
        }
    })
    .await;
    let store = Arc::new(MemoryTokenStore::new());
    let auth = OAuth::new(
        &server.url,
        "app.echo",
        CLIENT_SECRET,
        Tokens::new(ACCESS, REFRESH),
        Arc::clone(&store),
    )
    .token_url(format!("{}/oauth/token/", server.url))
    .token_timeout(Duration::from_secs(5));
    let client = Client::builder(auth)
        .allow_http(true)
        .retry(retry())
        .build()
        .unwrap();
    let secrets = [ACCESS, REFRESH, CLIENT_SECRET];
    let error = client.call(&Current::new()).await.unwrap_err();
    assert!(matches!(error, Error::Refresh(_)), "{error:?}");
    assert_clean(&format!("{error} {error:?}"), &secrets);
    let texts = [
        text_of(client.call(&TaskGet { id: 1 }).await.unwrap_err()),
        text_of(client.call(&deal("x")).await.unwrap_err()),
        text_of(
            client
                .call(&ItemGet {
                    entity_type_id: 2,
                    id: 1,
                })
                .await
                .unwrap_err(),
        ),
    ];
    for text in texts {
        assert_clean(&text, &secrets);
    }
    assert_eq!(store.saves(), 0);
}
