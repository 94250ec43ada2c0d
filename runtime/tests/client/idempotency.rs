//! REST 3.0 writes carry an `Idempotency-Key`, the same on every attempt of a call, so a
//! write is safe to repeat after an ambiguous failure.

use std::time::Duration;

use bitrix24_fake_portal::{FakePortal, Fault, FaultKind};
use bitrix24_runtime::Client;
use bitrix24_runtime::client::{RateLimit, RetryPolicy, Webhook};

use crate::hostile::{Answer, Hostile};
use crate::support::{TaskAdd, TaskFields, TaskGet, deal, webhook};

fn task(title: &str) -> TaskAdd {
    TaskAdd {
        fields: TaskFields {
            title: title.to_owned(),
            creator_id: 1,
            responsible_id: 1,
        },
    }
}

#[tokio::test]
async fn a_rest3_write_runs_once_after_a_dropped_connection() {
    let portal = FakePortal::start().await.unwrap();
    let client = webhook(&portal).build().unwrap();
    portal.inject(Fault::new(FaultKind::DropConnection).method("tasks.task.add"));
    let added = client.call(&task("once")).await.unwrap();
    assert_eq!(added.item.title, "once");
    let stats = portal.stats();
    assert_eq!(stats.executed("tasks.task.add"), 1, "the method ran once");
    assert_eq!(
        stats.idempotent_replays, 1,
        "the retry got the stored reply"
    );
    assert_eq!(stats.requests, 2);
    let got = client.call(&TaskGet { id: added.item.id }).await.unwrap();
    assert_eq!(got.item.id, 1, "one task exists");
}

#[tokio::test]
async fn a_rest3_write_after_a_timeout_is_retried_with_the_same_key() {
    let portal = FakePortal::start().await.unwrap();
    let client = webhook(&portal)
        .timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    portal.inject(Fault::new(FaultKind::Slow(Duration::from_secs(1))).method("tasks.task.add"));
    let added = client.call(&task("slow")).await.unwrap();
    assert_eq!(added.item.id, 1);
    assert_eq!(portal.stats().executed("tasks.task.add"), 1);
}

#[tokio::test]
async fn only_rest3_writes_carry_a_key_and_every_attempt_the_same() {
    let server = Hostile::start(|seen, n| {
        if seen.target.contains("tasks.task.add") && n == 0 {
            Answer::Close
        } else if seen.target.contains("tasks.task") {
            Answer::Json(
                200,
                r#"{"result":{"item":{"id":1,"title":"t","responsibleId":1}}}"#.to_owned(),
            )
        } else {
            Answer::Json(200, r#"{"result":{"item":{"id":1}}}"#.to_owned())
        }
    })
    .await;
    let client = Client::builder(Webhook::new(&server.url, 1, "hook"))
        .allow_http(true)
        .rate_limit(RateLimit::new(1000.0, 1000))
        .retry(
            RetryPolicy::default()
                .max_attempts(3)
                .initial_backoff(Duration::from_millis(10)),
        )
        .build()
        .unwrap();
    client.call(&task("t")).await.unwrap();
    client.call(&TaskGet { id: 1 }).await.unwrap();
    client.call(&deal("x")).await.unwrap();
    client.call(&task("u")).await.unwrap();
    let keys: Vec<Option<String>> = server
        .seen()
        .iter()
        .map(|seen| seen.header("idempotency-key").map(str::to_owned))
        .collect();
    assert_eq!(keys.len(), 5, "the first add was sent twice");
    let first = keys[0].clone().expect("a REST 3.0 write carries a key");
    assert_eq!(
        keys[1].as_deref(),
        Some(first.as_str()),
        "the same key again"
    );
    assert!(
        first.len() <= 255 && first.bytes().all(|b| (0x21..0x7f).contains(&b)),
        "{first}"
    );
    assert_eq!(
        (&keys[2], &keys[3]),
        (&None, &None),
        "reads and REST 2 carry none"
    );
    let other = keys[4].clone().expect("the next write carries a key");
    assert_ne!(other, first, "each call has its own key");
}
