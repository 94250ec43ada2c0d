//! Fast listing by identifier, without counting.

use bitrix24_fake_portal::FakePortal;
use bitrix24_runtime::client::{Error, FastListing};
use futures::TryStreamExt;
use serde_json::{Value, json};

use crate::support::{deal, webhook};

#[tokio::test]
async fn every_element_is_read_once_in_pages_selected_by_identifier() {
    let portal = FakePortal::builder().page_size(3).start().await.unwrap();
    let client = webhook(&portal).build().unwrap();
    for n in 1..=7 {
        client.call(&deal(&format!("deal {n}"))).await.unwrap();
    }
    client
        .call_raw("crm.item.delete", json!({"entityTypeId": 2, "id": 4}))
        .await
        .unwrap();
    let listing = FastListing::new("crm.item.list", json!({"entityTypeId": 2}))
        .items_at("items")
        .page_size(3);
    let ids: Vec<Value> = client
        .list_fast(listing.clone())
        .map_ok(|item| item["id"].clone())
        .try_collect()
        .await
        .unwrap();
    assert_eq!(ids, [1, 2, 3, 5, 6, 7].map(Value::from));
    assert_eq!(
        portal.stats().executed("crm.item.list"),
        3,
        "two full pages, then an empty one ends the list"
    );

    let narrowed = FastListing::new(
        "crm.item.list",
        json!({"entityTypeId": 2, "filter": {"<id": 3}}),
    )
    .items_at("items")
    .page_size(3);
    let titles: Vec<Value> = client
        .list_fast(narrowed)
        .map_ok(|item| item["title"].clone())
        .try_collect()
        .await
        .unwrap();
    assert_eq!(titles, [json!("deal 1"), json!("deal 2")]);
}

#[tokio::test]
async fn a_reply_that_is_not_a_list_is_undecodable() {
    let portal = FakePortal::start().await.unwrap();
    let client = webhook(&portal).build().unwrap();
    let listing = FastListing::new("user.current", Value::Null);
    let error = client
        .list_fast(listing)
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
