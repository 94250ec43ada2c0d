//! The shared bucket's script books requests as the in-process limiter does: clients on
//! three connections to Redis, sharing a bucket of 5 at 20 per second (one request of
//! headroom), send on the same schedule as one in-process limiter of 4 at 20 per second.

use std::time::{SystemTime, UNIX_EPOCH};

use bitrix24_fake_portal::FakePortal;
use bitrix24_runtime::Client;
use bitrix24_runtime::client::redis::RedisFleet;
use bitrix24_runtime::client::{RateLimit, Webhook};
use futures::future::join_all;
use serde_json::json;

use crate::Env;
use crate::checks::unix;

const CALLS: usize = 12;

/// When the calls of `clients` (round robin, all at once) reached the portal, in
/// milliseconds after they were made. Measured from the calls rather than from the first
/// arrival: on a loaded machine the first request can arrive late, and the limiter's
/// schedule runs from the calls.
fn schedule(env: &Env, portal: &FakePortal, clients: &[Client]) -> Vec<f64> {
    let calls = (0..CALLS).map(|n| {
        let client = clients[n % clients.len()].clone();
        async move { client.call_raw("user.current", json!({})).await }
    });
    let made = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0.0, |since| since.as_secs_f64());
    for result in env.runtime.block_on(join_all(calls)) {
        result.expect("a call");
    }
    let log = portal.request_log();
    log.iter()
        .map(|request| (unix(request) - made) * 1e3)
        .collect()
}

fn builder(portal: &FakePortal) -> bitrix24_runtime::client::ClientBuilder {
    Client::builder(Webhook::from_url(&portal.webhook_url()).expect("webhook URL")).allow_http(true)
}

pub fn the_script_books_like_the_in_process_limiter(env: &Env) {
    let shared_portal = env
        .runtime
        .block_on(FakePortal::builder().no_rate_limit().start())
        .expect("a portal");
    let clients: Vec<Client> = (0..3)
        .map(|_| {
            let fleet = RedisFleet::new(&env.redis.url())
                .expect("Redis URL")
                .prefix("bucket");
            builder(&shared_portal)
                .rate_limit(RateLimit::new(20.0, 5))
                .redis(&fleet)
                .build()
                .expect("a client")
        })
        .collect();
    let shared = schedule(env, &shared_portal, &clients);

    let local_portal = env
        .runtime
        .block_on(FakePortal::builder().no_rate_limit().start())
        .expect("a portal");
    let local = builder(&local_portal)
        .rate_limit(RateLimit::new(20.0, 4))
        .build()
        .expect("a client");
    let alone = schedule(env, &local_portal, &[local]);

    let rounded = |times: &[f64]| times.iter().map(|ms| ms.round()).collect::<Vec<_>>();
    println!("  shared (3 connections): {:?} ms", rounded(&shared));
    println!("  in-process limiter:     {:?} ms", rounded(&alone));
    // A bucket of 4 lets four calls through at once, then one every 50 ms. None may reach
    // the portal before its turn (1 ms for the clock), nor long after it.
    for (n, (shared, alone)) in shared.iter().zip(&alone).enumerate() {
        let due = 50.0 * n.saturating_sub(3) as f64;
        for (which, at) in [("shared", shared), ("in-process", alone)] {
            assert!(
                *at >= due - 1.0 && *at <= due + 50.0,
                "{which} request {n} at {at:.1} ms, due at {due} ms"
            );
        }
    }
}
