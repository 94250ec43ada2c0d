//! Shared operating-time holds: one worker is refused a method with
//! `OPERATION_TIME_LIMIT`; the other processes send no call of that method until the
//! reset, and go on calling other methods.

use std::time::Duration;

use bitrix24_fake_portal::{FakePortal, LoggedRequest};
use serde_json::json;

use crate::Env;
use crate::checks::unix;
use crate::processes::run_all;
use crate::worker::{Auth, Call, Shared, Spec};

/// A worker whose tasks run `tasks`, each call sent once.
fn spec(portal: &FakePortal, redis: Option<&Shared>, tasks: Vec<Vec<Call>>) -> Spec {
    Spec {
        auth: Auth::Webhook(portal.webhook_url()),
        redis: redis.cloned(),
        rate: (1000.0, 1000),
        max_attempts: 1,
        // Long enough for the hold after the first refusal; the holds of the calls refused
        // after the reset (60 s, with no reset time known) fail at once.
        max_operating_wait_ms: 10_000,
        tasks,
        repeat_until_ms: None,
        pause_ms: 0,
    }
}

fn list() -> Call {
    Call::new("crm.item.list", json!({"entityTypeId": 2}))
}

/// The requests of `method` that arrived between `from` and `to` (Unix seconds).
fn arrivals<'a>(
    log: &'a [LoggedRequest],
    method: &str,
    from: f64,
    to: f64,
) -> Vec<&'a LoggedRequest> {
    log.iter()
        .filter(|request| request.method == method && unix(request) > from && unix(request) < to)
        .collect()
}

pub fn one_refusal_holds_the_method_in_every_process(env: &Env) {
    let shared = Shared {
        url: env.redis.url(),
        prefix: "holds".to_owned(),
        lease_ms: None,
        fall_back: false,
    };
    for redis in [Some(&shared), None] {
        let label = if redis.is_some() {
            "shared"
        } else {
            "local (baseline)"
        };
        // One `crm.item.list` uses up the budget, for the ten baskets of 300 ms.
        let portal = env
            .runtime
            .block_on(
                FakePortal::builder()
                    .no_rate_limit()
                    .operating_limit(Duration::from_millis(500), Duration::from_millis(300))
                    .method_cost("crm.item.list", Duration::from_secs(1))
                    .start(),
            )
            .expect("a portal");

        // The first worker lists twice: the second call is refused and not waited for.
        let mut tripping = spec(&portal, redis, vec![vec![list(), list()]]);
        tripping.max_operating_wait_ms = 0;
        let tripped = run_all(&[tripping], Duration::from_secs(30));
        let [first, second] = tripped[0].calls.as_slice() else {
            panic!("two calls: {tripped:?}");
        };
        assert_eq!(first.error, None);
        assert_eq!(second.error.as_deref(), Some("OPERATION_TIME_LIMIT"));
        let refused_at = second.finished;
        let reset_at = first.reset_at.expect("operating_reset_at") as f64;

        // Seven more workers: four tasks each list once, four call user.current every
        // 100 ms until a second after the reset.
        let until = ((reset_at + 1.0) * 1e3) as u64;
        let others: Vec<Spec> = (0..7)
            .map(|_| {
                let mut spec = spec(
                    &portal,
                    redis,
                    (0..8)
                        .map(|task| {
                            if task % 2 == 0 {
                                vec![list()]
                            } else {
                                vec![Call::new("user.current", json!({}))]
                            }
                        })
                        .collect(),
                );
                spec.pause_ms = 100;
                spec.repeat_until_ms = Some(until);
                spec
            })
            .collect();
        run_all(&others, Duration::from_secs(60));

        let log = portal.request_log();
        let held = arrivals(&log, "crm.item.list", refused_at, reset_at);
        let others_meanwhile = arrivals(&log, "user.current", refused_at, reset_at);
        let after = arrivals(&log, "crm.item.list", reset_at, f64::INFINITY);
        println!(
            "  {label}: hold of {:.2} s; during it {} crm.item.list and {} user.current \
             requests; {} crm.item.list after the reset; OPERATION_TIME_LIMIT at the portal: {}",
            reset_at - refused_at,
            held.len(),
            others_meanwhile.len(),
            after.len(),
            portal.stats().operating_limited,
        );
        if redis.is_some() {
            assert!(
                held.is_empty(),
                "no process sent crm.item.list during the hold, but {} came",
                held.len()
            );
            assert!(
                others_meanwhile.len() >= 7,
                "other methods went on: {}",
                others_meanwhile.len()
            );
            // The first call after the reset uses the budget up again, and the calls still
            // waiting in its process then fail at once: at least one is sent.
            assert!(
                !after.is_empty(),
                "the method is called again after the reset"
            );
        } else {
            assert!(
                !held.is_empty(),
                "processes on their own send the method during the hold"
            );
        }
    }
}
