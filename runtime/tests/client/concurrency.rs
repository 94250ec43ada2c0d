//! 64 tasks on one client: one token renewal, no rate-limit error, no duplicate add.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use bitrix24_fake_portal::FakePortal;
use bitrix24_runtime::client::RateLimit;

use crate::support::{deal, fast_retry, oauth, store};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sixty_four_tasks_share_one_renewal_and_add_each_item_once() {
    let portal = FakePortal::builder()
        .rate_limit(10, 50.0)
        .refresh_delay(Duration::from_millis(100))
        .start()
        .await
        .unwrap();
    let tokens = store();
    let client = oauth(&portal, Arc::clone(&tokens))
        .rate_limit(RateLimit::new(50.0, 10))
        .retry(fast_retry().max_attempts(20))
        .build()
        .unwrap();
    portal.expire_access_tokens();

    let tasks: Vec<_> = (0..64)
        .map(|n| {
            let client = client.clone();
            tokio::spawn(async move { client.call(&deal(&format!("task {n}"))).await })
        })
        .collect();
    let mut titles = BTreeSet::new();
    for task in tasks {
        let added = task.await.expect("task").expect("every add succeeds");
        titles.insert(added.item.and_then(|item| item.title).expect("title"));
    }

    let stats = portal.stats();
    assert_eq!(stats.refreshes, 1, "one renewal for all tasks: {stats:?}");
    assert_eq!(tokens.saves(), 1);
    assert!(stats.expired_tokens >= 1);
    assert_eq!(titles.len(), 64);
    assert_eq!(
        stats.executed("crm.item.add"),
        64,
        "no add ran twice: {stats:?}"
    );
    assert_eq!(portal.items(2).len(), 64);
}
