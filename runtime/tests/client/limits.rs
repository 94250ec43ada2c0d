//! The client-side leaky bucket, `QUERY_LIMIT_EXCEEDED` retries and operating-time
//! pauses.

use std::time::{Duration, Instant};

use bitrix24::SystemError;
use bitrix24::user::Current;
use bitrix24_fake_portal::FakePortal;
use bitrix24_runtime::client::{Error, RateLimit};
use futures::future::join_all;
use serde_json::json;

use crate::support::{fast_retry, webhook};

#[tokio::test]
async fn the_client_paces_requests_to_its_rate_limit() {
    let portal = FakePortal::builder().no_rate_limit().start().await.unwrap();
    let client = webhook(&portal)
        .rate_limit(RateLimit::new(20.0, 5))
        .build()
        .unwrap();
    let started = Instant::now();
    for _ in 0..15 {
        client.call(&Current::new()).await.unwrap();
    }
    // 5 at once, then 10 more at 20 per second.
    assert!(
        started.elapsed() >= Duration::from_millis(450),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn clones_share_the_bucket() {
    let portal = FakePortal::builder().no_rate_limit().start().await.unwrap();
    let client = webhook(&portal)
        .rate_limit(RateLimit::new(20.0, 2))
        .build()
        .unwrap();
    let started = Instant::now();
    let calls = (0..8).map(|_| {
        let client = client.clone();
        async move { client.call(&Current::new()).await }
    });
    for result in join_all(calls).await {
        result.unwrap();
    }
    assert!(
        started.elapsed() >= Duration::from_millis(280),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn query_limit_exceeded_is_retried_and_never_reaches_the_caller() {
    let portal = FakePortal::builder()
        .rate_limit(2, 20.0)
        .start()
        .await
        .unwrap();
    let client = webhook(&portal)
        .retry(fast_retry().max_attempts(20))
        .build()
        .unwrap();
    let calls = (0..12).map(|n| {
        let client = client.clone();
        async move {
            client
                .call_raw(
                    "crm.item.add",
                    json!({"entityTypeId": 2, "fields": {"title": format!("n{n}")}}),
                )
                .await
        }
    });
    for result in join_all(calls).await {
        result.unwrap();
    }
    let stats = portal.stats();
    assert!(stats.rate_limited > 0, "the portal pushed back: {stats:?}");
    assert_eq!(stats.executed("crm.item.add"), 12);
    assert_eq!(
        portal.items(2).len(),
        12,
        "a refused add is repeated, never doubled"
    );
}

#[tokio::test]
async fn without_retries_left_query_limit_exceeded_is_a_system_error() {
    let portal = FakePortal::builder()
        .rate_limit(1, 0.5)
        .start()
        .await
        .unwrap();
    let client = webhook(&portal)
        .retry(fast_retry().max_attempts(2))
        .build()
        .unwrap();
    client.call(&Current::new()).await.unwrap();
    let error = client.call(&Current::new()).await.unwrap_err();
    assert!(
        matches!(
            error,
            Error::Method(bitrix24::user::CurrentError::System(
                SystemError::QueryLimitExceeded(_)
            ))
        ),
        "{error:?}"
    );
    assert_eq!(portal.stats().rate_limited, 2);
}

/// A portal where two `crm.item.list` calls use up the budget for about 1.5 s.
async fn busy_portal() -> FakePortal {
    FakePortal::builder()
        .no_rate_limit()
        .operating_limit(Duration::from_secs(1), Duration::from_millis(150))
        .method_cost("crm.item.list", Duration::from_millis(600))
        .start()
        .await
        .unwrap()
}

#[tokio::test]
async fn after_operation_time_limit_only_that_method_waits_until_the_reset() {
    let portal = busy_portal().await;
    let client = webhook(&portal)
        .retry(fast_retry().max_operating_wait(Duration::from_secs(10)))
        .build()
        .unwrap();
    let list = json!({"entityTypeId": 2});
    for _ in 0..2 {
        client
            .call_raw("crm.item.list", list.clone())
            .await
            .unwrap();
    }
    let started = Instant::now();
    let blocked = tokio::spawn({
        let client = client.clone();
        async move {
            client.call_raw("crm.item.list", list).await.unwrap();
            Instant::now()
        }
    });
    tokio::time::sleep(Duration::from_millis(100)).await;
    client.call(&Current::new()).await.unwrap();
    let other_done = Instant::now();
    let list_done = blocked.await.unwrap();
    assert!(
        other_done < list_done,
        "another method went on while crm.item.list waited"
    );
    assert!(
        list_done - started >= Duration::from_millis(500),
        "{:?}",
        list_done - started
    );
    assert_eq!(
        portal.stats().operating_limited,
        1,
        "the wait lasted until the reset"
    );
}

#[tokio::test]
async fn a_reset_beyond_the_longest_wait_fails_at_once_without_asking_again() {
    let portal = busy_portal().await;
    let client = webhook(&portal)
        .retry(
            fast_retry()
                .max_operating_wait(Duration::from_millis(100))
                .operating_fallback_wait(Duration::from_secs(60)),
        )
        .build()
        .unwrap();
    let list = json!({"entityTypeId": 2});
    for _ in 0..2 {
        client
            .call_raw("crm.item.list", list.clone())
            .await
            .unwrap();
    }
    for _ in 0..2 {
        let started = Instant::now();
        let error = client
            .call_raw("crm.item.list", list.clone())
            .await
            .unwrap_err();
        assert_eq!(
            error.api_error().map(|e| e.code.as_str()),
            Some("OPERATION_TIME_LIMIT")
        );
        assert_eq!(error.api_error().and_then(|e| e.status), Some(429));
        assert!(started.elapsed() < Duration::from_millis(500));
    }
    assert_eq!(portal.stats().operating_limited, 1);
    client.call(&Current::new()).await.unwrap();
}
