//! Redis stopped and restarted while two clients add deals: one set to fail its calls,
//! one set to fall back to its own limits.

use std::collections::BTreeSet;
use std::time::Duration;

use bitrix24_fake_portal::FakePortal;
use bitrix24_runtime::Client;
use bitrix24_runtime::client::redis::{RedisFleet, WhenUnavailable};
use bitrix24_runtime::client::{RateLimit, Webhook};
use serde_json::json;
use tokio::time::Instant;

use crate::Env;
use crate::logs;
use crate::redis_server::RedisServer;
use crate::worker::{Call, Outcome, send, unix_now};

const TASKS: usize = 4;

fn client(portal: &FakePortal, fleet: &RedisFleet) -> Client {
    Client::builder(Webhook::from_url(&portal.webhook_url()).expect("webhook URL"))
        .allow_http(true)
        .rate_limit(RateLimit::new(200.0, 20))
        .redis(fleet)
        .build()
        .expect("a client")
}

/// Adds deals titled `<name> <task> <n>` on every task until `until`.
async fn add_until(client: Client, name: &'static str, until: Instant) -> Vec<Outcome> {
    let tasks = (0..TASKS).map(|task| {
        let client = client.clone();
        tokio::spawn(async move {
            let mut outcomes = Vec::new();
            let mut n = 0;
            while Instant::now() < until {
                n += 1;
                let title = format!("{name} {task} {n}");
                let call = Call::new(
                    "crm.item.add",
                    json!({"entityTypeId": 2, "fields": {"title": title}}),
                );
                outcomes.push(send(&client, task, &call).await);
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            outcomes
        })
    });
    let mut outcomes = Vec::new();
    for task in tasks {
        outcomes.extend(task.await.expect("a task"));
    }
    outcomes
}

pub fn redis_stopped_and_restarted_mid_run(env: &Env) {
    let mut redis = RedisServer::start(&env.binary);
    let portal = env
        .runtime
        .block_on(FakePortal::builder().no_rate_limit().start())
        .expect("a portal");
    let fleet = |choice| {
        RedisFleet::new(&redis.url())
            .expect("Redis URL")
            .prefix("outage")
            .timeout(Duration::from_millis(300))
            .when_unavailable(choice)
    };
    let failing = client(&portal, &fleet(WhenUnavailable::FailCall));
    let falling_back = client(&portal, &fleet(WhenUnavailable::FallBackToLocal));
    logs::take();

    // A second of calls, Redis gone for a second, then two seconds to come back.
    let until = Instant::now() + Duration::from_millis(4000);
    let failing_run = env.runtime.spawn(add_until(failing, "fail", until));
    let falling_back_run = env
        .runtime
        .spawn(add_until(falling_back, "fall back", until));
    std::thread::sleep(Duration::from_millis(1000));
    let stopped = unix_now();
    redis.stop();
    std::thread::sleep(Duration::from_millis(1000));
    let restarted = unix_now();
    redis.restart();
    let failing = env
        .runtime
        .block_on(failing_run)
        .expect("the failing client");
    let falling_back = env
        .runtime
        .block_on(falling_back_run)
        .expect("the falling-back client");
    let log = logs::take();

    let count = |outcomes: &[Outcome], error: Option<&str>| {
        outcomes
            .iter()
            .filter(|call| call.error.as_deref() == error)
            .count()
    };
    let ok_after_restart = failing
        .iter()
        .filter(|call| call.error.is_none() && call.started > restarted)
        .count();
    println!(
        "  fail: {} ok, {} coordination errors, {ok_after_restart} ok after the restart; \
         fall back: {} ok, {} errors",
        count(&failing, None),
        count(&failing, Some("coordination")),
        count(&falling_back, None),
        falling_back.len() - count(&falling_back, None),
    );
    assert!(
        count(&failing, Some("coordination")) > 0,
        "calls failed during the outage"
    );
    assert_eq!(
        count(&failing, None) + count(&failing, Some("coordination")),
        failing.len(),
        "the failing client's calls either succeeded or failed for Redis"
    );
    assert!(
        failing
            .iter()
            .filter(|call| call.error.is_some())
            .all(|call| call.finished > stopped && call.started < restarted + 1.5),
        "only calls during the outage failed"
    );
    assert!(
        ok_after_restart > 0,
        "calls succeed again once Redis is back"
    );
    assert_eq!(
        count(&falling_back, None),
        falling_back.len(),
        "the falling-back client never failed"
    );
    for call in failing.iter().chain(&falling_back) {
        if let Some(detail) = &call.detail {
            assert!(!detail.contains(redis.password()), "{detail}");
        }
    }

    let titles: Vec<String> = portal
        .items(2)
        .iter()
        .filter_map(|item| item["title"].as_str().map(str::to_owned))
        .collect();
    let created: BTreeSet<&String> = titles.iter().collect();
    assert_eq!(created.len(), titles.len(), "no add ran twice");
    let succeeded: BTreeSet<&String> = failing
        .iter()
        .chain(&falling_back)
        .filter(|call| call.error.is_none())
        .filter_map(|call| call.title.as_ref())
        .collect();
    assert_eq!(
        created, succeeded,
        "every add that succeeded created its deal, and no failed add did"
    );

    for (message, times) in [
        ("Redis is unavailable; calls fail until it is back", 1),
        (
            "Redis is unavailable; calls use this process's own limits",
            1,
        ),
        ("Redis answers again", 2),
    ] {
        assert_eq!(log.matches(message).count(), times, "{message}:\n{log}");
    }
    assert!(!log.contains(redis.password()), "{log}");
}
