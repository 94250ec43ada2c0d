//! Fast listing by identifier, without counting, 50 pages per `batch` request.

use std::collections::BTreeMap;
use std::time::Duration;

use bitrix24::user::{Get, GetOrder};
use bitrix24_fake_portal::FakePortal;
use bitrix24_runtime::client::{Error, FastListing};
use futures::TryStreamExt;
use serde_json::{Value, json};

use crate::support::{ItemList, deal, fast_retry, seed_deals, webhook};

/// The identifiers of a listing's elements.
fn ids(items: &[Value]) -> Vec<i64> {
    items
        .iter()
        .map(|item| item["id"].as_i64().unwrap())
        .collect()
}

#[tokio::test]
async fn every_element_is_read_once_with_the_pages_chained_in_one_request() {
    let portal = FakePortal::builder().page_size(3).start().await.unwrap();
    let client = webhook(&portal).build().unwrap();
    for n in 1..=7 {
        client.call(&deal(&format!("deal {n}"))).await.unwrap();
    }
    client
        .call_raw("crm.item.delete", json!({"entityTypeId": 2, "id": 4}))
        .await
        .unwrap();
    let before = portal.stats();
    let listing = FastListing::new().items_at("items").page_size(3);
    let items: Vec<Value> = client
        .list_fast_raw("crm.item.list", json!({"entityTypeId": 2}), listing.clone())
        .try_collect()
        .await
        .unwrap();
    assert_eq!(ids(&items), [1, 2, 3, 5, 6, 7]);
    let after = portal.stats();
    assert_eq!(after.requests - before.requests, 1, "one batch request");
    assert_eq!(
        after.executed("crm.item.list") - before.executed("crm.item.list"),
        50,
        "the calls after the short third page run too, and are dropped"
    );

    let narrowed: Vec<Value> = client
        .list_fast_raw(
            "crm.item.list",
            json!({"entityTypeId": 2, "filter": {"<id": 3}}),
            listing,
        )
        .map_ok(|item| item["title"].clone())
        .try_collect()
        .await
        .unwrap();
    assert_eq!(narrowed, [json!("deal 1"), json!("deal 2")]);
}

#[tokio::test]
async fn a_request_reads_fifty_pages_of_fifty() {
    let portal = FakePortal::start().await.unwrap();
    let client = webhook(&portal).build().unwrap();
    seed_deals(&portal, 5_100);
    let listing = FastListing::new().items_at("items");
    let items: Vec<Value> = client
        .list_fast_raw("crm.item.list", json!({"entityTypeId": 2}), listing)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(ids(&items), (1..=5_100).collect::<Vec<_>>());
    assert_eq!(
        portal.stats().requests,
        3,
        "2,500 + 2,500 + 100 elements, the last page short"
    );
}

#[tokio::test]
async fn one_page_per_request_reads_without_batch() {
    let portal = FakePortal::builder().page_size(3).start().await.unwrap();
    let client = webhook(&portal).build().unwrap();
    seed_deals(&portal, 7);
    let listing = FastListing::new()
        .items_at("items")
        .page_size(3)
        .pages_per_request(1);
    let items: Vec<Value> = client
        .list_fast_raw("crm.item.list", json!({"entityTypeId": 2}), listing)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(ids(&items), (1..=7).collect::<Vec<_>>());
    let stats = portal.stats();
    assert_eq!((stats.requests, stats.executed("crm.item.list")), (3, 3));
}

#[tokio::test]
async fn typed_requests_are_listed_with_their_own_parameter_names() {
    let portal = FakePortal::builder()
        .extra_users(7)
        .page_size(3)
        .start()
        .await
        .unwrap();
    let client = webhook(&portal).build().unwrap();
    let request = Get::new()
        .sort("NAME")
        .order(GetOrder::Desc)
        .filter(BTreeMap::from([(">=ID".to_owned(), json!(2))]));
    let listing = FastListing::new()
        .id_field("ID")
        .filter_param("FILTER")
        .sort_params("sort", "order")
        .page_size(3);
    let users: Vec<_> = client
        .list_fast(request, listing)
        .try_collect()
        .await
        .unwrap();
    let ids: Vec<Option<i64>> = users.iter().map(|user| user.id).collect();
    assert_eq!(ids, (2..=8).map(Some).collect::<Vec<_>>());
    assert_eq!(users[0].name.as_deref(), Some("User2"));
    assert_eq!(portal.stats().requests, 1);

    seed_deals(&portal, 120);
    let request = ItemList {
        entity_type_id: 2,
        filter: Some(json!({"<=id": 100})),
        start: None,
    };
    let items: Vec<_> = client
        .list_fast(request, FastListing::new().items_at("items").page_size(3))
        .try_collect()
        .await
        .unwrap();
    assert_eq!(items.len(), 100);
    assert_eq!((items[99].id, items[99].title.as_str()), (100, "deal 100"));
    assert_eq!(portal.stats().requests, 2, "34 pages in one request");
}

#[tokio::test]
async fn a_reference_that_leads_nowhere_resumes_from_the_last_identifier() {
    let portal = FakePortal::builder().page_size(3).start().await.unwrap();
    let client = webhook(&portal).build().unwrap();
    seed_deals(&portal, 10);
    // Told that pages hold 2, the client refers to the second element of each page,
    // so the second page of every request starts inside the first.
    let listing = FastListing::new().items_at("items").page_size(2);
    let items: Vec<Value> = client
        .list_fast_raw("crm.item.list", json!({"entityTypeId": 2}), listing)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(ids(&items), (1..=10).collect::<Vec<_>>());
    assert_eq!(
        portal.stats().requests,
        4,
        "one page of 3 per request, then 1"
    );
}

#[tokio::test]
async fn an_error_of_the_first_page_is_the_methods_error() {
    let portal = FakePortal::start().await.unwrap();
    let client = webhook(&portal).build().unwrap();
    let error = client
        .list_fast(
            ItemList {
                entity_type_id: 5,
                filter: None,
                start: None,
            },
            FastListing::new().items_at("items"),
        )
        .try_collect::<Vec<_>>()
        .await
        .unwrap_err();
    let api = error.api_error().expect("an error reply");
    assert_eq!((api.code.as_str(), api.status), ("NOT_FOUND", Some(400)));
}

#[tokio::test]
async fn pages_refused_for_operating_time_wait_and_go_on() {
    let portal = FakePortal::builder()
        .no_rate_limit()
        .page_size(3)
        .operating_limit(Duration::from_secs(1), Duration::from_millis(100))
        .method_cost("crm.item.list", Duration::from_millis(600))
        .start()
        .await
        .unwrap();
    let client = webhook(&portal)
        .retry(fast_retry().max_operating_wait(Duration::from_secs(10)))
        .build()
        .unwrap();
    seed_deals(&portal, 13);
    let listing = FastListing::new().items_at("items").page_size(3);
    let items: Vec<Value> = client
        .list_fast_raw("crm.item.list", json!({"entityTypeId": 2}), listing)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(ids(&items), (1..=13).collect::<Vec<_>>());
    assert!(portal.stats().operating_limited > 0);
}

#[tokio::test]
async fn a_reply_that_is_not_a_list_is_undecodable() {
    let portal = FakePortal::start().await.unwrap();
    let client = webhook(&portal).build().unwrap();
    let error = client
        .list_fast_raw(
            "user.current",
            Value::Null,
            FastListing::new().id_field("ID"),
        )
        .try_collect::<Vec<_>>()
        .await
        .unwrap_err();
    let Error::Undecodable(reply) = &error else {
        panic!("not undecodable: {error:?}");
    };
    assert!(
        reply.to_string().contains("no numeric identifier"),
        "{reply}"
    );
    assert!(reply.excerpt().contains("\"ID\""));
}
