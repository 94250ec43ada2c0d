//! Gateway pages, broken replies, dropped connections and timeouts: retried only where
//! the call is safe to repeat.

use std::time::{Duration, Instant};

use bitrix24::user::Current;
use bitrix24_fake_portal::{FakePortal, Fault, FaultKind};
use bitrix24_runtime::Client;
use bitrix24_runtime::client::{EXCERPT_LIMIT, Error, Webhook};

use crate::support::{deal, fast_retry, webhook};

#[tokio::test]
async fn an_html_502_page_is_an_undecodable_reply_with_status_and_excerpt() {
    let portal = FakePortal::start().await.unwrap();
    let client = webhook(&portal).build().unwrap();
    portal.inject(Fault::new(FaultKind::Html502).method("crm.item.add"));
    let error = client.call(&deal("x")).await.unwrap_err();
    let Error::Undecodable(reply) = &error else {
        panic!("not undecodable: {error:?}");
    };
    assert_eq!(reply.status(), 502);
    assert!(reply.excerpt().contains("502 Bad Gateway"));
    assert!(reply.excerpt().len() <= EXCERPT_LIMIT);
    assert!(error.to_string().contains("HTTP 502"), "{error}");
    assert_eq!(
        portal.stats().requests,
        1,
        "an add is not repeated after a gateway error"
    );
}

#[tokio::test]
async fn a_safe_method_is_repeated_after_a_gateway_error() {
    let portal = FakePortal::start().await.unwrap();
    let client = webhook(&portal).build().unwrap();
    portal.inject(
        Fault::new(FaultKind::Html502)
            .method("user.current")
            .times(2),
    );
    client.call(&Current::new()).await.unwrap();
    assert_eq!(portal.stats().requests, 3);
}

#[tokio::test]
async fn truncated_json_is_undecodable_and_keeps_a_bounded_excerpt() {
    let portal = FakePortal::start().await.unwrap();
    let client = webhook(&portal).build().unwrap();
    let long_title = "x".repeat(3000);
    portal.inject(Fault::new(FaultKind::TruncatedJson).method("crm.item.add"));
    let error = client.call(&deal(&long_title)).await.unwrap_err();
    let Error::Undecodable(reply) = &error else {
        panic!("not undecodable: {error:?}");
    };
    assert_eq!(reply.status(), 200);
    assert!(
        reply.excerpt().starts_with(r#"{"result":{"item":"#),
        "{}",
        reply.excerpt()
    );
    assert_eq!(reply.excerpt().len(), EXCERPT_LIMIT);
    assert!(reply.to_string().contains("EOF while parsing"), "{reply}");
    assert_eq!(portal.items(2).len(), 1);
    assert_eq!(portal.stats().executed("crm.item.add"), 1);
}

#[tokio::test]
async fn a_dropped_connection_never_repeats_an_add() {
    let portal = FakePortal::start().await.unwrap();
    let client = webhook(&portal).build().unwrap();
    portal.inject(Fault::new(FaultKind::DropConnection).method("crm.item.add"));
    let error = client.call(&deal("once")).await.unwrap_err();
    let Error::Transport(transport) = &error else {
        panic!("not a transport failure: {error:?}");
    };
    assert!(transport.may_have_reached_server());
    assert_eq!(portal.stats().executed("crm.item.add"), 1);
    assert_eq!(
        portal.items(2).len(),
        1,
        "the add ran once; the client did not send it again"
    );
}

#[tokio::test]
async fn a_dropped_connection_is_retried_for_a_safe_method() {
    let portal = FakePortal::start().await.unwrap();
    let client = webhook(&portal).build().unwrap();
    portal.inject(Fault::new(FaultKind::DropConnection).method("user.current"));
    client.call(&Current::new()).await.unwrap();
    assert_eq!(portal.stats().executed("user.current"), 2);
}

#[tokio::test]
async fn a_timeout_is_retried_only_for_a_safe_method() {
    let portal = FakePortal::start().await.unwrap();
    let client = webhook(&portal)
        .timeout(Duration::from_millis(300))
        .build()
        .unwrap();

    portal.inject(Fault::new(FaultKind::Slow(Duration::from_secs(2))).method("crm.item.add"));
    let error = client.call(&deal("slow")).await.unwrap_err();
    let Error::Transport(transport) = &error else {
        panic!("not a transport failure: {error:?}");
    };
    assert!(transport.is_timeout() && transport.may_have_reached_server());
    assert_eq!(portal.stats().executed("crm.item.add"), 1);

    portal.inject(Fault::new(FaultKind::Slow(Duration::from_secs(2))).method("user.current"));
    client.call(&Current::new()).await.unwrap();
    assert_eq!(portal.stats().executed("user.current"), 2);
}

#[tokio::test]
async fn a_refused_connection_is_retried_even_for_an_add() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    drop(listener);
    let client = Client::builder(Webhook::new(format!("http://{address}"), 1, "code"))
        .allow_http(true)
        .retry(
            fast_retry()
                .max_attempts(3)
                .initial_backoff(Duration::from_millis(100)),
        )
        .build()
        .unwrap();
    let started = Instant::now();
    let error = client.call(&deal("nowhere")).await.unwrap_err();
    let Error::Transport(transport) = &error else {
        panic!("not a transport failure: {error:?}");
    };
    assert!(!transport.may_have_reached_server());
    // Two backoffs of at least 50 ms and 100 ms: the add was tried three times.
    assert!(
        started.elapsed() >= Duration::from_millis(150),
        "{:?}",
        started.elapsed()
    );
}
