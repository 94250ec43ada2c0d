//! Walking list methods page by page.

use std::collections::BTreeMap;

use bitrix24::user::Get;
use bitrix24_fake_portal::{FakePortal, Fault, FaultKind};
use bitrix24_runtime::client::Error;
use futures::{StreamExt, TryStreamExt};
use serde_json::json;

use crate::support::webhook;

#[tokio::test]
async fn pages_follow_next_until_the_last_page() {
    let portal = FakePortal::builder()
        .extra_users(6)
        .page_size(2)
        .start()
        .await
        .unwrap();
    let client = webhook(&portal).build().unwrap();
    let pages: Vec<Vec<_>> = client.pages(Get::new()).try_collect().await.unwrap();
    let sizes: Vec<usize> = pages.iter().map(Vec::len).collect();
    assert_eq!(sizes, [2, 2, 2, 1]);
    assert_eq!(portal.stats().executed("user.get"), 4);

    let ids: Vec<i64> = client
        .items(Get::new().start(3))
        .map_ok(|user| user.id.unwrap())
        .try_collect()
        .await
        .unwrap();
    assert_eq!(ids, [4, 5, 6, 7]);
}

#[tokio::test]
async fn an_empty_list_is_one_empty_page() {
    let portal = FakePortal::start().await.unwrap();
    let client = webhook(&portal).build().unwrap();
    let filter = BTreeMap::from([("ID".to_owned(), json!(99))]);
    let pages: Vec<Vec<_>> = client
        .pages(Get::new().filter(filter))
        .try_collect()
        .await
        .unwrap();
    assert_eq!(pages, [Vec::new()]);
}

#[tokio::test]
async fn a_failed_page_ends_the_stream_with_its_error() {
    let portal = FakePortal::builder()
        .extra_users(3)
        .page_size(2)
        .start()
        .await
        .unwrap();
    let client = webhook(&portal).build().unwrap();
    let mut pages = Box::pin(client.pages(Get::new()));
    assert_eq!(pages.next().await.unwrap().unwrap().len(), 2);
    portal.inject(Fault::new(FaultKind::Html502).method("user.get").times(8));
    let error = pages.next().await.unwrap().unwrap_err();
    assert!(matches!(error, Error::Undecodable(_)), "{error:?}");
    assert!(pages.next().await.is_none());
}
