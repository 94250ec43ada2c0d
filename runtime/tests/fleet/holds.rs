//! Shared operating-time holds: one worker is refused a method with
//! `OPERATION_TIME_LIMIT`, or sees its `operating` time reach the fleet's threshold; the
//! other processes send no call of that method until the reset, and go on calling other
//! methods.

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

/// Seven more workers: on four tasks each, a `crm.item.list` call; on the other four,
/// `user.current` every 100 ms until `until` (Unix seconds).
fn others(portal: &FakePortal, redis: Option<&Shared>, until: f64) -> Vec<Spec> {
    (0..7)
        .map(|_| {
            let tasks = (0..8)
                .map(|task| {
                    if task % 2 == 0 {
                        vec![list()]
                    } else {
                        vec![Call::new("user.current", json!({}))]
                    }
                })
                .collect();
            let mut spec = spec(portal, redis, tasks);
            spec.pause_ms = 100;
            spec.repeat_until_ms = Some((until * 1e3) as u64);
            spec
        })
        .collect()
}

/// What the portal saw from `from` to `reset_at`, and after.
struct Window {
    /// `crm.item.list` requests in the window.
    held: usize,
    /// `user.current` requests in the window.
    others: usize,
    /// `crm.item.list` requests after the window.
    after: usize,
    /// Requests refused with `OPERATION_TIME_LIMIT` in the window.
    refused: usize,
}

impl Window {
    fn of(portal: &FakePortal, from: f64, reset_at: f64) -> Self {
        let log = portal.request_log();
        let refused = log
            .iter()
            .filter(|request| {
                request.error.as_deref() == Some("OPERATION_TIME_LIMIT")
                    && unix(request) > from
                    && unix(request) < reset_at
            })
            .count();
        Self {
            held: arrivals(&log, "crm.item.list", from, reset_at).len(),
            others: arrivals(&log, "user.current", from, reset_at).len(),
            after: arrivals(&log, "crm.item.list", reset_at, f64::INFINITY).len(),
            refused,
        }
    }

    fn show(&self, label: &str, hold: f64) {
        println!(
            "  {label}: hold of {hold:.2} s; during it {} crm.item.list and {} user.current \
             requests, {} refused with OPERATION_TIME_LIMIT; {} crm.item.list after the reset",
            self.held, self.others, self.refused, self.after,
        );
    }

    /// The method was held and others went on; it is called again after the reset (the
    /// first call after it may use the budget up again: calls still waiting in its
    /// process then fail at once, so not all are sent).
    fn assert_held(&self) {
        assert_eq!(
            self.held, 0,
            "no process sent crm.item.list during the hold"
        );
        assert!(self.others >= 7, "other methods went on: {}", self.others);
        assert!(self.after > 0, "the method is called again after the reset");
    }
}

/// A portal where the operating time of `crm.item.list` is counted in ten baskets of
/// 300 ms, each call costing `cost`, up to `limit`.
fn portal(env: &Env, limit: Duration, cost: Duration) -> FakePortal {
    env.runtime
        .block_on(
            FakePortal::builder()
                .no_rate_limit()
                .operating_limit(limit, Duration::from_millis(300))
                .method_cost("crm.item.list", cost)
                .start(),
        )
        .expect("a portal")
}

pub fn one_refusal_holds_the_method_in_every_process(env: &Env) {
    let shared = Shared::new(env.redis.url(), "holds");
    for redis in [Some(&shared), None] {
        // One call uses the budget up.
        let portal = portal(env, Duration::from_millis(500), Duration::from_secs(1));
        // The first worker lists twice: the second call is refused and not waited for.
        let mut tripping = spec(&portal, redis, vec![vec![list(), list()]]);
        tripping.max_operating_wait_ms = 0;
        let tripped = run_all(&[tripping], Duration::from_secs(30));
        let [first, second] = tripped[0].calls.as_slice() else {
            panic!("two calls: {tripped:?}");
        };
        assert_eq!(first.error, None);
        assert_eq!(second.error.as_deref(), Some("OPERATION_TIME_LIMIT"));
        let reset_at = first.reset_at.expect("operating_reset_at") as f64;

        run_all(
            &others(&portal, redis, reset_at + 1.0),
            Duration::from_secs(60),
        );
        let window = Window::of(&portal, second.finished, reset_at);
        if redis.is_some() {
            window.show("shared", reset_at - second.finished);
            window.assert_held();
        } else {
            window.show("local (baseline)", reset_at - second.finished);
            assert!(
                window.held > 0,
                "processes on their own send the method during the hold"
            );
        }
    }
}

pub fn a_method_near_its_limit_is_paused_before_the_portal_refuses(env: &Env) {
    let shared = Shared {
        operating_pause_ms: Some(1000),
        ..Shared::new(env.redis.url(), "pause")
    };
    for redis in [Some(&shared), None] {
        // Four calls go over the limit; the second reaches the fleet's threshold.
        let portal = portal(env, Duration::from_secs(2), Duration::from_millis(600));
        let paused = run_all(
            &[spec(&portal, redis, vec![vec![list(), list()]])],
            Duration::from_secs(30),
        );
        let [first, second] = paused[0].calls.as_slice() else {
            panic!("two calls: {paused:?}");
        };
        assert_eq!((&first.error, &second.error), (&None, &None));
        let reset_at = second.reset_at.expect("operating_reset_at") as f64;

        run_all(
            &others(&portal, redis, reset_at + 1.0),
            Duration::from_secs(60),
        );
        let window = Window::of(&portal, second.finished, reset_at);
        if redis.is_some() {
            window.show("shared, paused at 1 s of 2 s", reset_at - second.finished);
            window.assert_held();
            assert_eq!(
                window.refused, 0,
                "the portal refused nothing during the pause"
            );
        } else {
            window.show("local (baseline)", reset_at - second.finished);
            assert!(
                window.refused > 0,
                "processes that do not pause are refused by the portal"
            );
        }
    }
}
