//! Hostile replies: redirects, huge and endless bodies, stalls, odd envelopes. Each ends in
//! a typed error or the right result, within bounded time and memory.

use std::time::{Duration, Instant};

use bitrix24::user::Current;
use bitrix24_runtime::Client;
use bitrix24_runtime::client::{
    ClientBuilder, DEFAULT_MAX_REPLY_BYTES, Error, RateLimit, RetryPolicy, Webhook,
};

use crate::hostile::{Answer, ENDLESS_CAP, Hostile};
use crate::support::{ItemGet, deal};

const CODE: &str = "hostile-hook-c0de";

/// A webhook client of `server` with quick retries.
fn client(server: &Hostile) -> ClientBuilder {
    Client::builder(Webhook::from_url(&server.webhook_url(CODE)).unwrap())
        .allow_http(true)
        .rate_limit(RateLimit::new(1000.0, 1000))
        .retry(
            RetryPolicy::default()
                .max_attempts(8)
                .initial_backoff(Duration::from_millis(10))
                .max_backoff(Duration::from_millis(50)),
        )
}

/// A reply of `user.current`.
fn current_user() -> String {
    r#"{"result":{"ID":"1","NAME":"Admin"},"time":{"start":1}}"#.to_owned()
}

#[tokio::test]
async fn a_redirect_is_refused_without_following_or_showing_its_location() {
    let server = Hostile::start(|_, _| {
        Answer::With(
            302,
            vec![format!(
                "Location: https://elsewhere.example/rest/1/{CODE}/user.current"
            )],
            current_user(),
        )
    })
    .await;
    let client = client(&server).build().unwrap();
    let error = client.call(&Current::new()).await.unwrap_err();
    let Error::Redirect(redirect) = &error else {
        panic!("not a redirect: {error:?}");
    };
    assert_eq!(redirect.status, 302);
    let text = format!("{error} {error:?}");
    assert!(
        !text.contains("elsewhere") && !text.contains(CODE),
        "{text}"
    );
    assert_eq!(server.seen().len(), 1, "no retry, no follow");
}

#[tokio::test]
async fn a_reply_declaring_two_gigabytes_is_refused_before_its_body() {
    let server = Hostile::start(|_, _| Answer::Claims(2 << 30, Duration::from_secs(10))).await;
    let client = client(&server).build().unwrap();
    let started = Instant::now();
    let error = client.call(&Current::new()).await.unwrap_err();
    let Error::TooLarge(too_large) = &error else {
        panic!("not too large: {error:?}");
    };
    assert_eq!(
        (too_large.status, too_large.limit, too_large.declared),
        (200, DEFAULT_MAX_REPLY_BYTES, Some(2 << 30))
    );
    assert!(
        started.elapsed() < Duration::from_secs(4),
        "refused without waiting for the body: {:?}",
        started.elapsed()
    );
    assert_eq!(
        server.seen().len(),
        1,
        "a reply too large is not asked for again"
    );
}

#[tokio::test]
async fn an_endless_body_is_cut_at_the_limit_and_its_connection_dropped() {
    let server = Hostile::start(|_, _| Answer::Endless).await;
    let limit = 1 << 20;
    let client = client(&server).max_reply_bytes(limit).build().unwrap();
    let started = Instant::now();
    let error = client.call(&Current::new()).await.unwrap_err();
    let Error::TooLarge(too_large) = &error else {
        panic!("not too large: {error:?}");
    };
    assert_eq!((too_large.limit, too_large.declared), (limit, None));
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
    // The client read at most the limit: the server could write only that much more than
    // the socket buffers hold before the dropped connection stopped it.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let written = server.written();
    assert!(
        written < limit as u64 + (32 << 20) && written < ENDLESS_CAP,
        "{written} bytes written"
    );
}

#[tokio::test]
async fn a_reply_up_to_the_limit_is_read() {
    let padding = " ".repeat(4000);
    let body = format!(r#"{{"result":{{"ID":"1","NAME":"Admin"}}{padding}}}"#);
    let limit = body.len();
    let server = Hostile::start(move |_, _| Answer::Json(200, body.clone())).await;
    let exact = client(&server).max_reply_bytes(limit).build().unwrap();
    let user = exact.call(&Current::new()).await.unwrap();
    assert_eq!(user.0.name.as_deref(), Some("Admin"));
    let short = client(&server).max_reply_bytes(limit - 1).build().unwrap();
    assert!(matches!(
        short.call(&Current::new()).await,
        Err(Error::TooLarge(_))
    ));
}

#[tokio::test]
async fn a_stalled_server_costs_a_safe_method_two_attempts() {
    let server = Hostile::start(|_, _| Answer::Stall(Duration::from_secs(5))).await;
    let client = client(&server)
        .timeout(Duration::from_millis(200))
        .build()
        .unwrap();
    let started = Instant::now();
    let error = client.call(&Current::new()).await.unwrap_err();
    let Error::Transport(transport) = &error else {
        panic!("not a transport failure: {error:?}");
    };
    assert!(transport.is_timeout());
    assert_eq!(
        server.seen().len(),
        2,
        "one retry after a timeout, not seven"
    );
    assert!(
        started.elapsed() < Duration::from_secs(4),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn the_call_timeout_ends_retries_and_waits() {
    let server = Hostile::start(|_, _| Answer::Stall(Duration::from_secs(5))).await;
    let client = client(&server)
        .timeout(Duration::from_millis(300))
        .retry(
            RetryPolicy::default()
                .max_attempts(50)
                .max_timeout_retries(50)
                .initial_backoff(Duration::from_millis(10)),
        )
        .call_timeout(Duration::from_millis(800))
        .build()
        .unwrap();
    let started = Instant::now();
    let error = client.call(&Current::new()).await.unwrap_err();
    let elapsed = started.elapsed();
    let Error::Timeout(timeout) = &error else {
        panic!("not a call timeout: {error:?}");
    };
    assert_eq!(timeout.limit, Duration::from_millis(800));
    assert_eq!(timeout.sent as usize, server.seen().len());
    assert!(
        (2..=4).contains(&timeout.sent),
        "{} requests in 800 ms of 300 ms each",
        timeout.sent
    );
    assert!(
        elapsed >= Duration::from_millis(750) && elapsed < Duration::from_millis(3000),
        "{elapsed:?}"
    );
    assert!(error.to_string().contains("may have run"), "{error}");
}

#[tokio::test]
async fn resets_kept_ahead_cannot_hold_a_call_past_its_timeout() {
    // Every reply refuses the method until a reset at least two seconds ahead.
    let server = Hostile::start(|_, _| {
        let reset_at = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs()
            + 3;
        Answer::Json(
            429,
            format!(
                r#"{{"error":"OPERATION_TIME_LIMIT","error_description":"x","time":{{"operating_reset_at":{reset_at}}}}}"#
            ),
        )
    })
    .await;
    let client = client(&server)
        .call_timeout(Duration::from_millis(1500))
        .build()
        .unwrap();
    let started = Instant::now();
    let error = client.call(&Current::new()).await.unwrap_err();
    assert_eq!(
        error.api_error().map(|error| error.code.as_str()),
        Some("OPERATION_TIME_LIMIT"),
        "{error:?}"
    );
    assert!(
        started.elapsed() < Duration::from_millis(2000),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(
        server.seen().len(),
        1,
        "a wait past the deadline is not begun"
    );
}

#[tokio::test]
async fn an_odd_time_object_does_not_undo_an_add_that_ran() {
    let server = Hostile::start(|_, _| {
        Answer::Json(
            200,
            r#"{"result":{"item":{"id":7,"title":"once"}},"time":{"start":"soon","operating_reset_at":{"x":1}}}"#.to_owned(),
        )
    })
    .await;
    let client = client(&server).build().unwrap();
    let added = client.call_envelope(&deal("once")).await.unwrap();
    assert_eq!(added.result.item.and_then(|item| item.id), Some(7));
    assert_eq!(added.time, Some(Default::default()));
    assert_eq!(server.seen().len(), 1);
}

#[tokio::test]
async fn a_null_result_is_undecodable_not_an_empty_response() {
    let server = Hostile::start(|_, _| Answer::Json(200, r#"{"result":null}"#.to_owned())).await;
    let client = client(&server).build().unwrap();
    let error = client
        .call(&bitrix24::crm::item::Get::new(2, 7))
        .await
        .unwrap_err();
    let Error::Undecodable(reply) = &error else {
        panic!("not undecodable: {error:?}");
    };
    assert!(reply.to_string().contains("the result is null"), "{reply}");
    let error = client
        .call(&ItemGet {
            entity_type_id: 2,
            id: 7,
        })
        .await
        .unwrap_err();
    assert!(matches!(error, Error::Undecodable(_)), "{error:?}");
    let raw = client
        .call_raw("app.info", serde_json::Value::Null)
        .await
        .unwrap();
    assert!(raw.result.is_null(), "a raw call keeps the null");
}
