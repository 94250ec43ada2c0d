//! The shared request-rate bucket: 8 processes × 8 tasks listing and adding against one
//! portal under the default limits (bursts of 50, then 2 requests per second).

use std::collections::BTreeSet;
use std::time::Duration;

use bitrix24_fake_portal::FakePortal;

use crate::Env;
use crate::checks::{bucket_overflow, calls, errors, refusals};
use crate::processes::run_all;
use crate::worker::Shared;
use crate::workload::{PROCESSES, TASKS, listing_and_adding};

pub fn eight_processes_share_one_bucket_and_stay_under_the_portal_limit(env: &Env) {
    let shared = Shared::new(env.redis.url(), "rate");
    for redis in [Some(&shared), None] {
        let label = if redis.is_some() {
            "shared"
        } else {
            "local (baseline)"
        };
        let portal = env.runtime.block_on(FakePortal::start()).expect("a portal");
        let reports = run_all(
            &listing_and_adding(&portal, redis, 1),
            Duration::from_secs(120),
        );
        let log = portal.request_log();
        let refused = refusals(&log);
        let overflow = bucket_overflow(&log, 50.0, 2.0);
        let failed = errors(&reports);
        let titles: Vec<String> = portal
            .items(2)
            .iter()
            .filter_map(|item| item["title"].as_str().map(str::to_owned))
            .collect();
        println!(
            "  {label}: {} calls, {} HTTP requests, portal refusals {refused:?}, \
             overflow of the 50 + 2/s bucket {overflow:.2}, caller errors {failed:?}",
            calls(&reports).len(),
            log.len(),
        );
        let distinct: BTreeSet<&String> = titles.iter().collect();
        assert_eq!(distinct.len(), titles.len(), "no add ran twice");
        if redis.is_some() {
            assert_eq!(refused.get("QUERY_LIMIT_EXCEEDED"), None, "{refused:?}");
            assert!(
                overflow <= 1e-6,
                "the log overfills the bucket by {overflow}"
            );
            assert!(failed.is_empty(), "{failed:?}");
            assert_eq!(titles.len(), PROCESSES * TASKS / 2);
        } else {
            assert!(
                refused.get("QUERY_LIMIT_EXCEEDED").copied().unwrap_or(0) > 0,
                "eight local buckets of 50 overrun the portal: {refused:?}"
            );
        }
    }
}
