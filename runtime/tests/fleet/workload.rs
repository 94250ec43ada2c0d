//! The fleet's workload under the default limits: 8 processes × 8 tasks listing and
//! adding deals, for the test and the bench.

use bitrix24_fake_portal::FakePortal;
use serde_json::json;

use crate::worker::{Auth, Call, Shared, Spec};

/// Worker processes.
pub const PROCESSES: usize = 8;
/// Tasks per process.
pub const TASKS: usize = 8;

/// The specs of the fleet: in each of `rounds` rounds a task lists deals or adds one
/// (in turn, starting with a list on even tasks), with the default limits on the client
/// (bursts of 50, then 2 requests per second) and six attempts per call.
pub fn listing_and_adding(portal: &FakePortal, redis: Option<&Shared>, rounds: usize) -> Vec<Spec> {
    (0..PROCESSES)
        .map(|process| Spec {
            auth: Auth::Webhook(portal.webhook_url()),
            redis: redis.cloned(),
            rate: (2.0, 50),
            max_attempts: 6,
            max_operating_wait_ms: 600_000,
            tasks: (0..TASKS)
                .map(|task| {
                    (0..rounds)
                        .map(|round| {
                            if (task + round) % 2 == 0 {
                                Call::new("crm.item.list", json!({"entityTypeId": 2}))
                            } else {
                                let title = format!("p{process} t{task} r{round}");
                                Call::new(
                                    "crm.item.add",
                                    json!({"entityTypeId": 2, "fields": {"title": title}}),
                                )
                            }
                        })
                        .collect()
                })
                .collect(),
            repeat_until_ms: None,
            pause_ms: 0,
        })
        .collect()
}
