//! Fast listing by identifier, without counting, 50 pages per `batch` request.

use std::collections::BTreeMap;
use std::time::Duration;

use bitrix24::user::{Get, GetOrder};
use bitrix24_fake_portal::FakePortal;
use bitrix24_runtime::FastListing;
use bitrix24_runtime::client::Error;
use futures::{StreamExt, TryStreamExt};
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
        .list_fast_raw("crm.item.list", json!({"entityTypeId": 2}), listing)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(ids(&items), [1, 2, 3, 5, 6, 7]);
    let after = portal.stats();
    assert_eq!(
        after.requests - before.requests,
        1,
        "one batch request, ended by its empty third page"
    );
    assert_eq!(
        after.executed("crm.item.list") - before.executed("crm.item.list"),
        50,
        "the calls after the empty third page run too, and are dropped"
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
    let items = client.list_fast(&ItemList::deals()).await.unwrap();
    let read: Vec<i64> = items.iter().map(|item| item.id).collect();
    assert_eq!(read, (1..=5_100).collect::<Vec<_>>());
    assert_eq!(
        portal.stats().requests,
        3,
        "2,500 + 2,500 + 100 elements, then an empty page in the same request"
    );
}

#[tokio::test]
async fn the_end_after_a_short_page_is_confirmed_with_one_page() {
    let portal = FakePortal::start().await.unwrap();
    let client = webhook(&portal).build().unwrap();
    seed_deals(&portal, 2_530);
    let items = client.list_fast(&ItemList::deals()).await.unwrap();
    assert_eq!(items.len(), 2_530);
    let stats = portal.stats();
    assert_eq!(stats.requests, 3, "2,500, then 30, then an empty page");
    assert_eq!(
        stats.executed("crm.item.list"),
        50 + 50 + 1,
        "the confirming request reads one page, not a batch"
    );
}

/// Lists `count` deals from a portal paging by `page_size`, expecting 50 per page, both in
/// batches and one page per request, and checks that exactly 1..=count arrive.
async fn list_against_a_page_size(page_size: usize, count: usize) {
    let portal = FakePortal::builder()
        .no_rate_limit()
        .page_size(page_size)
        .start()
        .await
        .unwrap();
    let client = webhook(&portal).build().unwrap();
    seed_deals(&portal, count);
    let expected: Vec<i64> = (1..=count as i64).collect();
    let typed = client.list_fast(&ItemList::deals()).await.unwrap();
    let read: Vec<i64> = typed.iter().map(|item| item.id).collect();
    assert_eq!(
        read, expected,
        "batched, page size {page_size}, {count} deals"
    );
    let single = FastListing::new().items_at("items").pages_per_request(1);
    let raw: Vec<Value> = client
        .list_fast_raw("crm.item.list", json!({"entityTypeId": 2}), single)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(
        ids(&raw),
        expected,
        "one page per request, page size {page_size}, {count} deals"
    );
}

#[tokio::test]
async fn every_deal_arrives_whatever_the_portals_page_size() {
    for page_size in [1, 2, 7, 50] {
        for count in [0, 1, 3, page_size - 1, page_size, page_size + 1, 120] {
            list_against_a_page_size(page_size, count).await;
        }
    }
}

#[tokio::test]
async fn two_of_three_deals_is_not_the_end_against_a_portal_paging_by_two() {
    let portal = FakePortal::builder().page_size(2).start().await.unwrap();
    let client = webhook(&portal).build().unwrap();
    seed_deals(&portal, 3);
    let items = client.list_fast(&ItemList::deals()).await.unwrap();
    let titles: Vec<&str> = items.iter().map(|item| item.title.as_str()).collect();
    assert_eq!(titles, ["deal 1", "deal 2", "deal 3"]);
}

/// Reads the deals as a stream, changing the portal's page size to `to` once `switch_at`
/// deals have arrived, and checks that every deal arrives once.
async fn list_while_the_page_size_changes(from: usize, to: usize, switch_at: usize) {
    let portal = FakePortal::builder()
        .no_rate_limit()
        .page_size(from)
        .start()
        .await
        .unwrap();
    let client = webhook(&portal).build().unwrap();
    seed_deals(&portal, 400);
    let request = ItemList::deals();
    let mut stream = std::pin::pin!(client.list_fast_stream(&request));
    let mut read = Vec::new();
    while let Some(item) = stream.next().await {
        read.push(item.unwrap().id);
        if read.len() == switch_at {
            portal.set_page_size(to);
        }
    }
    assert_eq!(
        read,
        (1..=400).collect::<Vec<_>>(),
        "page size {from} then {to}"
    );
}

#[tokio::test]
async fn a_page_size_that_changes_mid_list_loses_nothing() {
    // The first request holds 50 pages of `from`; the change comes between requests.
    list_while_the_page_size_changes(2, 7, 100).await;
    list_while_the_page_size_changes(7, 2, 350).await;
    list_while_the_page_size_changes(3, 50, 150).await;
    list_while_the_page_size_changes(2, 1, 100).await;
}

#[tokio::test]
async fn the_stream_holds_one_request_of_pages_at_a_time() {
    let portal = FakePortal::builder().page_size(2).start().await.unwrap();
    let client = webhook(&portal).build().unwrap();
    seed_deals(&portal, 1_000);
    let request = ItemList::deals();
    let mut stream = std::pin::pin!(client.list_fast_stream(&request));
    let first = stream.next().await.unwrap().unwrap();
    assert_eq!(first.id, 1);
    assert_eq!(
        portal.stats().requests,
        1,
        "the first request's pages are handed over before the next request"
    );
    let rest: Vec<_> = stream.try_collect().await.unwrap();
    assert_eq!(rest.len(), 999);
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
    let users = client.list_fast_with(&request, listing).await.unwrap();
    let ids: Vec<Option<i64>> = users.iter().map(|user| user.id).collect();
    assert_eq!(ids, (2..=8).map(Some).collect::<Vec<_>>());
    assert_eq!(users[0].name.as_deref(), Some("User2"));
    assert_eq!(
        portal.stats().requests,
        2,
        "pages of 3, 3 and 1, then one page to confirm the end"
    );

    seed_deals(&portal, 120);
    let request = ItemList {
        entity_type_id: 2,
        filter: Some(json!({"<=id": 100})),
        start: None,
    };
    let items = client
        .list_fast_with(&request, FastListing::new().items_at("items").page_size(3))
        .await
        .unwrap();
    assert_eq!(items.len(), 100);
    assert_eq!((items[99].id, items[99].title.as_str()), (100, "deal 100"));
    assert_eq!(
        portal.stats().requests,
        4,
        "34 pages in one request, then one"
    );
}

#[tokio::test]
async fn a_reference_that_leads_nowhere_resumes_from_the_last_identifier() {
    let portal = FakePortal::builder().page_size(3).start().await.unwrap();
    let client = webhook(&portal).build().unwrap();
    seed_deals(&portal, 10);
    // Told that pages hold 2, the client refers to the second element of the first page,
    // so the second page of the first request starts inside the first.
    let listing = FastListing::new().items_at("items").page_size(2);
    let items: Vec<Value> = client
        .list_fast_raw("crm.item.list", json!({"entityTypeId": 2}), listing)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(ids(&items), (1..=10).collect::<Vec<_>>());
    assert_eq!(
        portal.stats().requests,
        3,
        "one page of 3, then 3 + 3 + 1 chained by 3, then one empty page"
    );
}

#[tokio::test]
async fn an_error_of_the_first_page_is_the_methods_error() {
    let portal = FakePortal::start().await.unwrap();
    let client = webhook(&portal).build().unwrap();
    let request = ItemList {
        entity_type_id: 5,
        filter: None,
        start: None,
    };
    let error = client.list_fast(&request).await.unwrap_err();
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
