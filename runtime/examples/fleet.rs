//! A fleet of worker processes on one portal, sharing the request-rate limit and the
//! OAuth renewal through Redis.
//!
//! The example starts a local fake portal (bursts of 50 requests, then 2 per second),
//! whose access token has expired, and four copies of itself as workers. Each worker has
//! its own client and adds 6 deals at once; together they renew the token once and stay
//! within the portal's limit. It needs a Redis (or Valkey) at `REDIS_URL` (default
//! `redis://127.0.0.1:6379/`), where it uses keys under `bitrix24-example-<pid>:`.
//!
//! ```sh
//! redis-server --port 6379 &
//! cargo run -p bitrix24-runtime --features redis --example fleet
//! ```

use std::process::{Command, ExitCode};

use bitrix24::crm::item::{Add, AddFields};
use bitrix24_fake_portal::FakePortal;
use bitrix24_runtime::Client;
use bitrix24_runtime::client::redis::RedisFleet;
use bitrix24_runtime::client::{MemoryTokenStore, OAuth, RateLimit, Tokens};

const WORKERS: usize = 4;
const DEALS: usize = 6;

/// What a worker is told through its environment.
const SETTINGS: [&str; 7] = [
    "FLEET_PORTAL",
    "FLEET_CLIENT_ID",
    "FLEET_CLIENT_SECRET",
    "FLEET_ACCESS_TOKEN",
    "FLEET_REFRESH_TOKEN",
    "FLEET_TOKEN_URL",
    "FLEET_PREFIX",
];

fn redis_url() -> String {
    std::env::var("REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379/".to_owned())
}

fn main() -> Result<ExitCode, Box<dyn std::error::Error>> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    if std::env::var_os("FLEET_PORTAL").is_some() {
        return runtime.block_on(worker());
    }

    let portal = runtime.block_on(FakePortal::start())?;
    let tokens = portal.issue_tokens();
    portal.expire_access_tokens();
    let values = [
        portal.url().to_owned(),
        portal.client_id(),
        portal.client_secret(),
        tokens.access_token,
        tokens.refresh_token,
        portal.token_url(),
        format!("bitrix24-example-{}", std::process::id()),
    ];
    let mut workers = Vec::new();
    for _ in 0..WORKERS {
        workers.push(
            Command::new(std::env::current_exe()?)
                .envs(SETTINGS.iter().zip(&values))
                .spawn()?,
        );
    }
    let mut failed = 0;
    for mut worker in workers {
        if !worker.wait()?.success() {
            failed += 1;
        }
    }
    let stats = portal.stats();
    println!(
        "{WORKERS} workers, {failed} failed: {} deals created, {} token renewal(s), \
         {} refused renewal(s), {} QUERY_LIMIT_EXCEEDED",
        portal.items(2).len(),
        stats.refreshes,
        stats.refused_refreshes,
        stats.rate_limited,
    );
    Ok(if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// One worker: a client of its own, sharing its limits and renewals through Redis.
async fn worker() -> Result<ExitCode, Box<dyn std::error::Error>> {
    let setting = |name: &str| std::env::var(name).unwrap_or_default();
    let auth = OAuth::new(
        setting("FLEET_PORTAL"),
        setting("FLEET_CLIENT_ID"),
        setting("FLEET_CLIENT_SECRET"),
        Tokens::new(
            setting("FLEET_ACCESS_TOKEN"),
            setting("FLEET_REFRESH_TOKEN"),
        ),
        MemoryTokenStore::new(),
    )
    .token_url(setting("FLEET_TOKEN_URL"));
    let fleet = RedisFleet::new(&redis_url())?.prefix(setting("FLEET_PREFIX"));
    let client = Client::builder(auth)
        .allow_http(true)
        .rate_limit(RateLimit::STANDARD)
        .redis(&fleet)
        .build()?;

    let calls = (0..DEALS).map(|n| {
        let client = client.clone();
        async move {
            let title = format!("deal {n} of worker {}", std::process::id());
            client
                .call(&Add::new(2, AddFields::new().title(title)))
                .await
        }
    });
    let mut failed = 0;
    for result in futures::future::join_all(calls).await {
        if let Err(error) = result {
            eprintln!("worker {}: {error}", std::process::id());
            failed += 1;
        }
    }
    println!(
        "worker {}: {} deals added, {failed} failed",
        std::process::id(),
        DEALS - failed
    );
    Ok(if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
