//! A fleet of worker processes on one fake portal, sharing their limits and OAuth renewal
//! through a real Redis (feature `redis`).
//!
//! This executable runs without the libtest harness: started with a worker spec in its
//! environment ([`worker::SPEC_VAR`]) it is one worker process; otherwise it starts a
//! `redis-server` of its own on a free local port, runs the scenarios one after the
//! other (each starts its own fake portal and workers), and stops the server. Without
//! `redis-server` on the `PATH` the scenarios are skipped, except under CI (`CI=true`),
//! where that is a failure. Arguments that do not start with `-` filter the scenarios by
//! name.

mod bucket;
mod checks;
mod holds;
mod logs;
mod outage;
mod processes;
mod rate;
mod redis_server;
mod renewal;
mod tls;
mod worker;
mod workload;

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use redis_server::{RedisServer, on_path};

/// What every scenario gets.
pub struct Env {
    /// Runs the fake portals (and the in-process clients of some scenarios).
    pub runtime: tokio::runtime::Runtime,
    /// `redis-server`, for scenarios that need a server of their own.
    pub binary: PathBuf,
    /// A Redis shared by the scenarios, each under its own key prefix.
    pub redis: RedisServer,
}

type Scenario = fn(&Env);

/// Whether this runs under CI, where a missing program fails a test rather than skips it.
pub fn under_ci() -> bool {
    std::env::var("CI").is_ok_and(|ci| ci == "true")
}

const SCENARIOS: &[(&str, Scenario)] = &[
    (
        "bucket::the_script_books_like_the_in_process_limiter",
        bucket::the_script_books_like_the_in_process_limiter,
    ),
    (
        "rate::eight_processes_share_one_bucket_and_stay_under_the_portal_limit",
        rate::eight_processes_share_one_bucket_and_stay_under_the_portal_limit,
    ),
    (
        "renewal::eight_processes_renew_an_expired_token_once",
        renewal::eight_processes_renew_an_expired_token_once,
    ),
    (
        "renewal::a_holder_killed_while_renewing_loses_its_lease",
        renewal::a_holder_killed_while_renewing_loses_its_lease,
    ),
    (
        "holds::one_refusal_holds_the_method_in_every_process",
        holds::one_refusal_holds_the_method_in_every_process,
    ),
    (
        "holds::a_method_near_its_limit_is_paused_before_the_portal_refuses",
        holds::a_method_near_its_limit_is_paused_before_the_portal_refuses,
    ),
    (
        "outage::redis_stopped_and_restarted_mid_run",
        outage::redis_stopped_and_restarted_mid_run,
    ),
    (
        "tls::rediss_urls_verify_the_server_and_hide_the_password",
        tls::rediss_urls_verify_the_server_and_hide_the_password,
    ),
];

fn main() -> ExitCode {
    if let Ok(spec) = std::env::var(worker::SPEC_VAR) {
        return worker::run(&spec);
    }
    let Some(binary) = on_path("redis-server") else {
        if under_ci() {
            eprintln!(
                "error: redis-server is not on the PATH, and CI runs the fleet tests \
                 (apt-get install redis-server)"
            );
            return ExitCode::FAILURE;
        }
        println!(
            "fleet tests SKIPPED: redis-server is not on the PATH \
             (apt-get install redis-server to run them)"
        );
        return ExitCode::SUCCESS;
    };
    logs::install();
    let filters: Vec<String> = std::env::args()
        .skip(1)
        .filter(|arg| !arg.starts_with('-'))
        .collect();
    let chosen: Vec<_> = SCENARIOS
        .iter()
        .filter(|(name, _)| filters.is_empty() || filters.iter().any(|f| name.contains(f.as_str())))
        .collect();
    let env = Env {
        runtime: tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("a runtime"),
        redis: RedisServer::start(&binary),
        binary,
    };
    println!("\nrunning {} fleet tests", chosen.len());
    let started = Instant::now();
    let mut failed = Vec::new();
    for (name, scenario) in &chosen {
        let began = Instant::now();
        let outcome = catch_unwind(AssertUnwindSafe(|| scenario(&env)));
        let took = began.elapsed().as_secs_f64();
        match outcome {
            Ok(()) => println!("test {name} ... ok ({took:.1} s)"),
            Err(_) => {
                println!("test {name} ... FAILED ({took:.1} s)");
                failed.push(*name);
            }
        }
    }
    let passed = chosen.len() - failed.len();
    let verdict = if failed.is_empty() { "ok" } else { "FAILED" };
    println!(
        "\ntest result: {verdict}. {passed} passed; {} failed; 0 ignored; 0 measured; {} \
         filtered out; finished in {:.2}s\n",
        failed.len(),
        SCENARIOS.len() - chosen.len(),
        started.elapsed().as_secs_f64()
    );
    if failed.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
