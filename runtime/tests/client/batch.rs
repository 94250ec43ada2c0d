//! Many calls in few requests: typed results, `$result` references, chunks of 50.

use bitrix24::crm::item::AddError;
use bitrix24::user::Current;
use bitrix24_fake_portal::FakePortal;
use bitrix24_runtime::client::{BatchRequest, Error, RequestError};
use serde_json::json;

use crate::support::{ItemGet, deal, webhook};

#[tokio::test]
async fn typed_and_raw_calls_share_one_request_and_use_earlier_results() {
    let portal = FakePortal::start().await.unwrap();
    let client = webhook(&portal).build().unwrap();
    let mut batch = BatchRequest::new();
    let me = batch.push(&Current::new()).unwrap();
    let added = batch.push(&deal("From batch")).unwrap();
    let fetched = batch
        .push_raw(
            "crm.item.get",
            json!({"entityTypeId": 2, "id": added.reference(["item", "id"])}),
        )
        .unwrap();
    let results = client.batch(&batch).await.unwrap();

    assert_eq!(results.get(&me).unwrap().unwrap().result.0.id, Some(1));
    let added = results.get(&added).unwrap().unwrap();
    assert!(added.time.is_some());
    let id = added.result.item.unwrap().id.unwrap();
    let fetched = results.get_raw(&fetched).unwrap().unwrap();
    assert_eq!(fetched.result["item"]["id"], id);
    assert_eq!(fetched.result["item"]["title"], "From batch");
    assert_eq!(portal.stats().requests, 1);
}

#[tokio::test]
async fn a_typed_integer_parameter_can_take_a_reference() {
    let portal = FakePortal::start().await.unwrap();
    let client = webhook(&portal).build().unwrap();
    let mut batch = BatchRequest::new();
    let added = batch.push(&deal("Referenced")).unwrap();
    let same_request = batch
        .push(&ItemGet {
            entity_type_id: 2,
            id: 0,
        })
        .unwrap();
    batch
        .set_param(&same_request, ["id"], added.reference(["item", "id"]))
        .unwrap();
    for n in 0..60 {
        batch.push(&deal(&format!("filler {n}"))).unwrap();
    }
    let next_request = batch
        .push(&ItemGet {
            entity_type_id: 2,
            id: 0,
        })
        .unwrap();
    batch
        .set_param(&next_request, ["id"], added.reference(["item", "id"]))
        .unwrap();
    let results = client.batch(&batch).await.unwrap();

    let id = results
        .get(&added)
        .unwrap()
        .unwrap()
        .result
        .item
        .unwrap()
        .id;
    for slot in [&same_request, &next_request] {
        let item = results.get(slot).unwrap().unwrap().result.item;
        assert_eq!((Some(item.id), item.title.as_str()), (id, "Referenced"));
    }
    assert_eq!(portal.stats().requests, 2);

    let mut other = BatchRequest::new();
    assert!(matches!(
        other.set_param(&same_request, ["id"], 1),
        Err(RequestError::ParamPath)
    ));
    assert!(matches!(
        batch.set_param(&same_request, ["id", "x"], 1),
        Err(RequestError::ParamPath)
    ));
}

#[tokio::test]
async fn large_batches_go_in_chunks_of_fifty_and_references_cross_them() {
    let portal = FakePortal::start().await.unwrap();
    let client = webhook(&portal).build().unwrap();
    let mut batch = BatchRequest::new();
    let first = batch.push(&deal("first")).unwrap();
    let adds: Vec<_> = (1..120)
        .map(|n| batch.push(&deal(&format!("deal {n}"))).unwrap())
        .collect();
    let late = batch
        .push_raw(
            "crm.item.update",
            json!({"entityTypeId": 2, "id": first.reference(["item", "id"]),
                   "fields": {"title": format!("renamed by call {}", 121)}}),
        )
        .unwrap();
    assert_eq!(batch.len(), 121);
    let results = client.batch(&batch).await.unwrap();

    assert_eq!(portal.stats().requests, 3);
    assert_eq!(portal.items(2).len(), 120);
    let last = results.get(adds.last().unwrap()).unwrap().unwrap();
    assert_eq!(last.result.item.unwrap().title.as_deref(), Some("deal 119"));
    let updated = results.get_raw(&late).unwrap().unwrap();
    assert_eq!(
        updated.result["item"]["id"], 1,
        "the reference to call 1 was filled in"
    );
    assert_eq!(portal.items(2)[0]["title"], "renamed by call 121");
}

#[tokio::test]
async fn errors_of_single_calls_are_typed_and_halt_stops_later_chunks() {
    let portal = FakePortal::start().await.unwrap();
    let client = webhook(&portal).build().unwrap();
    let mut batch = BatchRequest::new().halt(true);
    let ok = batch.push(&deal("kept")).unwrap();
    let bad = batch
        .push(&bitrix24::crm::item::Add::new(5, Default::default()))
        .unwrap();
    let skipped: Vec<_> = (0..60)
        .map(|_| batch.push(&Current::new()).unwrap())
        .collect();
    let results = client.batch(&batch).await.unwrap();

    assert!(results.get(&ok).unwrap().is_ok());
    let error = results.get(&bad).unwrap().unwrap_err();
    assert!(
        matches!(error, Error::Method(AddError::NotFound(_))),
        "{error:?}"
    );
    assert!(skipped.iter().all(|slot| results.get(slot).is_none()));
    assert_eq!(portal.stats().requests, 1, "no chunk after the halt");
}

#[tokio::test]
async fn methods_that_cannot_run_in_batch_are_refused() {
    let mut batch = BatchRequest::new();
    let nested = bitrix24::Batch::new(Default::default());
    assert!(matches!(
        batch.push(&nested),
        Err(RequestError::NotBatchable)
    ));
    assert!(batch.is_empty());
}
