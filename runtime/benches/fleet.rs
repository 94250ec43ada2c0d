//! What sharing limits through Redis costs and what it buys (feature `redis`):
//!
//! 1. the time a call spends on coordination: sequential `user.current` calls against the
//!    in-process fake portal (no rate limit), from a client with the in-process limiter
//!    and from a client sharing its limits through a local `redis-server`, in alternating
//!    rounds of the same run; median and 99th percentile per call, and the difference;
//! 2. 8 worker processes × 8 tasks, each task listing deals and adding one, against one
//!    fake portal under the default limits (bursts of 50, then 2 per second): with the
//!    shared bucket, and with a bucket per process as the baseline.
//!
//! The bench starts its own `redis-server` (it must be on the `PATH`) and runs its worker
//! processes by starting itself again; the workers are those of the fleet tests.
//!
//! ```sh
//! cargo bench -p bitrix24-runtime --features redis --bench fleet
//! ```

#[allow(dead_code, reason = "shared with the fleet tests, which use all of it")]
#[path = "../tests/fleet/checks.rs"]
mod checks;
#[allow(dead_code, reason = "shared with the fleet tests, which use all of it")]
#[path = "../tests/fleet/processes.rs"]
mod processes;
#[allow(dead_code, reason = "shared with the fleet tests, which use all of it")]
#[path = "../tests/fleet/redis_server.rs"]
mod redis_server;
#[allow(dead_code, reason = "shared with the fleet tests, which use all of it")]
#[path = "../tests/fleet/worker.rs"]
mod worker;
#[path = "../tests/fleet/workload.rs"]
mod workload;

use std::collections::BTreeSet;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use bitrix24::user::Current;
use bitrix24_fake_portal::FakePortal;
use bitrix24_runtime::Client;
use bitrix24_runtime::client::redis::RedisFleet;
use bitrix24_runtime::client::{RateLimit, Webhook};

use checks::{bucket_overflow, calls, errors, refusals};
use redis_server::RedisServer;
use worker::Shared;

/// Calls per round and kind of client, and rounds.
const ROUND: usize = 250;
const ROUNDS: usize = 20;

fn main() -> ExitCode {
    if let Ok(spec) = std::env::var(worker::SPEC_VAR) {
        return worker::run(&spec);
    }
    let Some(binary) = redis_server::on_path("redis-server") else {
        eprintln!("the fleet bench needs redis-server on the PATH");
        return ExitCode::FAILURE;
    };
    let redis = RedisServer::start(&binary);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime");
    println!("{}", machine());
    runtime.block_on(overhead(&redis));
    for shared in [true, false] {
        fleet(&runtime, &redis, shared);
    }
    println!("{}", load());
    ExitCode::SUCCESS
}

/// Part 1: the added latency per call.
async fn overhead(redis: &RedisServer) {
    let portal = FakePortal::builder()
        .no_rate_limit()
        .start()
        .await
        .expect("a portal");
    let client = || {
        Client::builder(Webhook::from_url(&portal.webhook_url()).expect("webhook URL"))
            .allow_http(true)
            .rate_limit(RateLimit::new(1e9, u32::MAX))
    };
    let local = client().build().expect("a client");
    let fleet = RedisFleet::new(&redis.url())
        .expect("Redis URL")
        .prefix("bench-overhead");
    let shared = client().redis(&fleet).build().expect("a client");
    for client in [&local, &shared] {
        for _ in 0..200 {
            client.call(&Current::new()).await.expect("a call");
        }
    }
    let (mut local_times, mut shared_times) = (Vec::new(), Vec::new());
    for _ in 0..ROUNDS {
        for (client, times) in [(&local, &mut local_times), (&shared, &mut shared_times)] {
            for _ in 0..ROUND {
                let started = Instant::now();
                client.call(&Current::new()).await.expect("a call");
                times.push(started.elapsed());
            }
        }
    }
    let (local_median, local_p99) = percentiles(&mut local_times);
    let (shared_median, shared_p99) = percentiles(&mut shared_times);
    println!(
        "\nper-call latency, sequential user.current, in-process fake portal without limits \
         ({} calls each, {ROUNDS} alternating rounds)",
        ROUND * ROUNDS
    );
    println!(
        "  in-process limiter          median {:>7.1} µs   p99 {:>7.1} µs",
        micros(local_median),
        micros(local_p99)
    );
    println!(
        "  Redis (bucket + hold check) median {:>7.1} µs   p99 {:>7.1} µs",
        micros(shared_median),
        micros(shared_p99)
    );
    println!(
        "  added by Redis              median {:>7.1} µs   p99 {:>7.1} µs",
        micros(shared_median) - micros(local_median),
        micros(shared_p99) - micros(local_p99)
    );
}

/// Part 2: the 8 × 8 fleet under the default limits, sharing a bucket or not.
fn fleet(runtime: &tokio::runtime::Runtime, redis: &RedisServer, shared: bool) {
    let portal = runtime.block_on(FakePortal::start()).expect("a portal");
    let config = shared.then(|| Shared::new(redis.url(), "bench-fleet"));
    let started = Instant::now();
    let reports = processes::run_all(
        &workload::listing_and_adding(&portal, config.as_ref(), 2),
        Duration::from_secs(600),
    );
    let wall = started.elapsed();
    let log = portal.request_log();
    let titles: Vec<String> = portal
        .items(2)
        .iter()
        .filter_map(|item| item["title"].as_str().map(str::to_owned))
        .collect();
    let distinct: BTreeSet<&String> = titles.iter().collect();
    let adds = calls(&reports)
        .iter()
        .filter(|call| call.method == "crm.item.add")
        .count();
    println!(
        "\n8 processes x 8 tasks, each a crm.item.list and a crm.item.add, default limits \
         (burst 50, 2/s): {}",
        if shared {
            "shared Redis bucket"
        } else {
            "a bucket per process (baseline)"
        }
    );
    println!("  wall time                {:>8.1} s", wall.as_secs_f64());
    println!("  calls                    {:>8}", calls(&reports).len());
    println!("  HTTP requests (portal)   {:>8}", log.len());
    println!("  refusals (portal)        {:?}", refusals(&log));
    println!(
        "  overflow of 50 + 2/s     {:>8.2}   (requests beyond the bucket, refused ones counted)",
        bucket_overflow(&log, 50.0, 2.0)
    );
    println!("  errors (callers)         {:?}", errors(&reports));
    println!(
        "  deals created            {:>8}   of {adds} adds, {} distinct",
        titles.len(),
        distinct.len()
    );
}

/// The median and the 99th percentile.
fn percentiles(times: &mut [Duration]) -> (Duration, Duration) {
    times.sort_unstable();
    let at = |q: f64| times[((times.len() - 1) as f64 * q).round() as usize];
    (at(0.5), at(0.99))
}

fn micros(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1e6
}

fn machine() -> String {
    let cpus = std::thread::available_parallelism().map_or(0, usize::from);
    format!("{cpus} CPUs, {}", load())
}

fn load() -> String {
    let text = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    let fields: Vec<&str> = text.split_whitespace().take(3).collect();
    format!("load average {}", fields.join(" "))
}
