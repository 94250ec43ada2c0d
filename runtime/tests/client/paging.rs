//! Walking list methods page by page.

use std::collections::BTreeMap;

use bitrix24::user::Get;
use bitrix24_fake_portal::{FakePortal, Fault, FaultKind};
use bitrix24_runtime::Client;
use bitrix24_runtime::client::{Error, Webhook};
use futures::{StreamExt, TryStreamExt};
use serde_json::json;

use crate::hostile::{Answer, Hostile};
use crate::support::{TaskList, TaskRef, seed_tasks, webhook};

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

#[tokio::test]
async fn rest3_pages_count_their_offset_until_an_empty_page() {
    let portal = FakePortal::builder().page_size(3).start().await.unwrap();
    let client = webhook(&portal).build().unwrap();
    seed_tasks(&client, 7).await;
    let pages: Vec<Vec<TaskRef>> = client
        .pages(TaskList::default())
        .try_collect()
        .await
        .unwrap();
    let sizes: Vec<usize> = pages.iter().map(Vec::len).collect();
    assert_eq!(
        sizes,
        [3, 3, 1, 0],
        "a short page is not taken for the last"
    );
    assert_eq!(portal.stats().executed("tasks.task.list"), 4);

    let mut from_page_two = TaskList::default();
    from_page_two.pagination.insert("page".into(), json!(2));
    from_page_two.pagination.insert("limit".into(), json!(2));
    from_page_two.select.push("title".into());
    let tasks: Vec<TaskRef> = client.items(from_page_two).try_collect().await.unwrap();
    let ids: Vec<i64> = tasks.iter().map(|task| task.id).collect();
    assert_eq!(ids, [3, 4, 5, 6, 7]);
    assert_eq!(tasks[0].title.as_deref(), Some("task 3"));
}

#[tokio::test]
async fn rest3_lists_are_read_fast_by_a_condition_on_the_identifier() {
    let portal = FakePortal::builder().page_size(2).start().await.unwrap();
    let client = webhook(&portal).build().unwrap();
    seed_tasks(&client, 5).await;
    let request = TaskList {
        filter: vec![json!(["id", "!=", 2])],
        ..TaskList::default()
    };
    let tasks = client.list_fast(&request).await.unwrap();
    let ids: Vec<i64> = tasks.iter().map(|task| task.id).collect();
    assert_eq!(ids, [1, 3, 4, 5]);
}

#[tokio::test]
async fn a_next_that_does_not_advance_is_an_error_not_the_end() {
    let server = Hostile::start(|_, _| {
        Answer::Json(
            200,
            r#"{"result":[{"ID":"1","NAME":"Admin"}],"next":50,"total":500}"#.to_owned(),
        )
    })
    .await;
    let client = Client::builder(Webhook::new(&server.url, 1, "hook"))
        .allow_http(true)
        .build()
        .unwrap();
    let mut pages = Box::pin(client.pages(Get::new()));
    assert_eq!(pages.next().await.unwrap().unwrap().len(), 1);
    assert_eq!(pages.next().await.unwrap().unwrap().len(), 1, "from 50");
    let error = pages.next().await.unwrap().unwrap_err();
    let Error::Undecodable(reply) = &error else {
        panic!("not undecodable: {error:?}");
    };
    assert!(reply.to_string().contains("does not move past"), "{reply}");
    assert!(pages.next().await.is_none());
    assert_eq!(server.seen().len(), 2);
}
