//! The shared OAuth renewal: 8 processes × 8 concurrent calls on an expired access
//! token, and a renewal holder killed while renewing.

use std::io::Read;
use std::net::TcpListener;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use bitrix24_fake_portal::{FakePortal, IssuedTokens};
use serde_json::json;

use crate::Env;
use crate::checks::{calls, errors};
use crate::processes::{run_all, spawn};
use crate::worker::{Auth, Call, Shared, Spec, unix_now};

/// A worker of `tasks` tasks, each calling `user.current` once with `tokens`, renewing
/// at `token_url`.
fn spec(
    portal: &FakePortal,
    tokens: &IssuedTokens,
    token_url: String,
    redis: Option<Shared>,
    tasks: usize,
) -> Spec {
    Spec {
        auth: Auth::OAuth {
            portal: portal.url().to_owned(),
            client_id: portal.client_id(),
            client_secret: portal.client_secret(),
            access_token: tokens.access_token.clone(),
            refresh_token: tokens.refresh_token.clone(),
            token_url,
        },
        redis,
        rate: (1000.0, 1000),
        max_attempts: 3,
        max_operating_wait_ms: 600_000,
        tasks: vec![vec![Call::new("user.current", json!({}))]; tasks],
        repeat_until_ms: None,
        pause_ms: 0,
    }
}

fn shared(env: &Env, prefix: &str, lease_ms: Option<u64>) -> Shared {
    Shared {
        lease_ms,
        ..Shared::new(env.redis.url(), prefix)
    }
}

pub fn eight_processes_renew_an_expired_token_once(env: &Env) {
    for redis in [Some(shared(env, "renewal", None)), None] {
        let label = if redis.is_some() {
            "shared"
        } else {
            "local (baseline)"
        };
        let portal = env
            .runtime
            .block_on(
                FakePortal::builder()
                    .no_rate_limit()
                    .refresh_delay(Duration::from_millis(200))
                    .start(),
            )
            .expect("a portal");
        let tokens = portal.issue_tokens();
        portal.expire_access_tokens();
        let specs: Vec<Spec> = (0..8)
            .map(|_| spec(&portal, &tokens, portal.token_url(), redis.clone(), 8))
            .collect();
        let reports = run_all(&specs, Duration::from_secs(60));
        let stats = portal.stats();
        let failed = errors(&reports);
        println!(
            "  {label}: {} calls, token endpoint: {} granted, {} refused; caller errors {failed:?}",
            calls(&reports).len(),
            stats.refreshes,
            stats.refused_refreshes,
        );
        if redis.is_some() {
            assert_eq!(
                (stats.refreshes, stats.refused_refreshes),
                (1, 0),
                "one renewal request for the fleet"
            );
            assert!(failed.is_empty(), "{failed:?}");
            assert_eq!(calls(&reports).len(), 64);
        } else {
            assert!(
                stats.refused_refreshes > 0,
                "processes renewing on their own reuse the refresh token: {stats:?}"
            );
        }
    }
}

/// An OAuth token endpoint that reads a request and never answers: the renewal of the
/// client that sends it stays in flight until the client dies. Every request it gets is
/// sent to the returned channel.
fn silent_token_endpoint() -> (String, mpsc::Receiver<String>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("a free port");
    let url = format!(
        "http://{}/oauth/token/",
        listener.local_addr().expect("its address")
    );
    let (requests, received) = mpsc::channel();
    std::thread::spawn(move || {
        let mut open = Vec::new();
        for mut stream in listener.incoming().flatten() {
            let mut request = [0; 4096];
            let read = stream.read(&mut request).unwrap_or(0);
            if requests
                .send(String::from_utf8_lossy(&request[..read]).into_owned())
                .is_err()
            {
                return;
            }
            open.push(stream);
        }
    });
    (url, received)
}

pub fn a_holder_killed_while_renewing_loses_its_lease(env: &Env) {
    let lease = Duration::from_millis(1000);
    let redis = shared(env, "killed", Some(lease.as_millis() as u64));
    let portal = env
        .runtime
        .block_on(FakePortal::builder().no_rate_limit().start())
        .expect("a portal");
    let tokens = portal.issue_tokens();
    portal.expire_access_tokens();

    let (silent_url, received) = silent_token_endpoint();
    let mut holder = spawn(
        &spec(&portal, &tokens, silent_url, Some(redis.clone()), 1),
        &[],
    );
    let request = received
        .recv_timeout(Duration::from_secs(20))
        .expect("the first worker starts renewing");
    assert!(request.contains(&tokens.refresh_token), "{request}");

    let others: Vec<Spec> = (0..7)
        .map(|_| spec(&portal, &tokens, portal.token_url(), Some(redis.clone()), 8))
        .collect();
    let others_started = unix_now();
    let workers: Vec<_> = others.iter().map(|spec| spawn(spec, &[])).collect();
    std::thread::sleep(Duration::from_millis(300));
    let killed = unix_now();
    holder.kill();
    let deadline = Instant::now() + Duration::from_secs(60);
    let reports: Vec<_> = workers
        .into_iter()
        .map(|worker| worker.finish(deadline))
        .collect();
    let stats = portal.stats();
    let failed = errors(&reports);
    let first = calls(&reports)
        .iter()
        .map(|call| call.finished)
        .fold(f64::INFINITY, f64::min);
    println!(
        "  holder killed {:.2} s after the others started; they finished {:.2} s after the \
         kill (lease {lease:?}); token endpoint: {} granted, {} refused; caller errors {failed:?}",
        killed - others_started,
        first - killed,
        stats.refreshes,
        stats.refused_refreshes,
    );
    assert_eq!(
        (stats.refreshes, stats.refused_refreshes),
        (1, 0),
        "the refresh token reached the portal once"
    );
    assert!(failed.is_empty(), "{failed:?}");
    assert_eq!(calls(&reports).len(), 56);
    assert!(
        first - killed >= lease.as_secs_f64() / 2.0,
        "the others waited for the lease to expire: {:.2} s",
        first - killed
    );
    assert!(
        received.try_recv().is_err(),
        "nobody else used the silent endpoint"
    );
}
