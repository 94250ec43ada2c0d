//! Typed and raw calls, the reply envelope, and typed errors.

use std::collections::BTreeMap;

use bitrix24::SystemError;
use bitrix24::app::option::{Set, SetError};
use bitrix24::crm::item::AddError;
use bitrix24::user::{Current, Get};
use bitrix24_fake_portal::FakePortal;
use bitrix24_runtime::client::{Error, MemoryTokenStore};
use serde_json::json;

use crate::support::{TaskAdd, TaskFields, TaskGet, deal, oauth, webhook};

#[tokio::test]
async fn a_typed_call_returns_the_decoded_result() {
    let portal = FakePortal::start().await.unwrap();
    let client = webhook(&portal).build().unwrap();
    let user = client.call(&Current::new()).await.unwrap().0;
    assert_eq!(user.id, Some(1));
    assert_eq!(user.name.as_deref(), Some("Admin"));
    assert_eq!(user.uf_department, Some(vec![1]));

    let added = client.call(&deal("Big deal")).await.unwrap();
    let item = added.item.unwrap();
    assert_eq!(item.title.as_deref(), Some("Big deal"));
    assert_eq!(portal.items(2)[0]["id"], item.id.unwrap());
}

#[tokio::test]
async fn the_envelope_carries_time_next_and_total() {
    let portal = FakePortal::builder()
        .extra_users(4)
        .page_size(2)
        .start()
        .await
        .unwrap();
    let client = webhook(&portal).build().unwrap();
    let page = client.call_envelope(&Get::new()).await.unwrap();
    assert_eq!(page.result.0.len(), 2);
    assert_eq!((page.next, page.total), (Some(2), Some(5)));
    let time = page.time.unwrap();
    assert!(time.start.is_some() && time.duration.is_some());
    assert!(time.date_start.unwrap().ends_with("+00:00"));

    let last = client.call_envelope(&Get::new().start(4)).await.unwrap();
    assert_eq!(last.result.0[0].id, Some(5));
    assert_eq!(last.next, None);
}

#[tokio::test]
async fn raw_calls_take_and_return_json() {
    let portal = FakePortal::start().await.unwrap();
    let client = webhook(&portal).build().unwrap();
    let added = client
        .call_raw(
            "crm.item.add",
            json!({"entityTypeId": 2, "fields": {"title": "Raw"}}),
        )
        .await
        .unwrap();
    assert_eq!(added.result["item"]["title"], "Raw");
    let listed = client
        .call_raw("crm.item.list", json!({"entityTypeId": 2, "start": -1}))
        .await
        .unwrap();
    assert_eq!(listed.result["items"][0]["title"], "Raw");
    assert_eq!((listed.next, listed.total), (None, Some(0)));
    let options = client
        .call_raw("app.option.get", serde_json::Value::Null)
        .await
        .unwrap();
    assert_eq!(options.result, json!([]));
}

#[tokio::test]
async fn method_errors_are_typed_with_their_status() {
    let portal = FakePortal::start().await.unwrap();
    let client = webhook(&portal).build().unwrap();

    let error = client
        .call(&bitrix24::crm::item::Add::new(5, Default::default()))
        .await
        .unwrap_err();
    let Error::Method(AddError::NotFound(api)) = &error else {
        panic!("not NOT_FOUND: {error:?}");
    };
    assert_eq!(
        (api.status, api.message.as_str()),
        (Some(400), "SPA not found")
    );
    assert_eq!(
        error.api_error().map(|e| e.code.as_str()),
        Some("NOT_FOUND")
    );

    let error = client.call(&Set::new(BTreeMap::new())).await.unwrap_err();
    assert!(
        matches!(error, Error::Method(SetError::ArgumentNullException(_))),
        "{error:?}"
    );

    let error = client
        .call_raw("no.such.method", json!({}))
        .await
        .unwrap_err();
    let Error::Method(api) = &error else {
        panic!("not a method error: {error:?}");
    };
    assert_eq!(
        (api.code.as_str(), api.status),
        ("ERROR_METHOD_NOT_FOUND", Some(404))
    );
}

#[tokio::test]
async fn system_errors_come_through_the_method_error_enum() {
    let portal = FakePortal::start().await.unwrap();
    let url = portal
        .webhook_url()
        .replace(&portal.webhook_code(), "wrong-code");
    let client = bitrix24_runtime::Client::builder(
        bitrix24_runtime::client::Webhook::from_url(&url).unwrap(),
    )
    .allow_http(true)
    .build()
    .unwrap();
    let error = client.call(&Current::new()).await.unwrap_err();
    assert!(
        matches!(
            error,
            Error::Method(bitrix24::user::CurrentError::System(
                SystemError::NoAuthFound(_)
            ))
        ),
        "{error:?}"
    );
}

#[tokio::test]
async fn batch_replies_with_php_empty_arrays_decode() {
    let portal = FakePortal::start().await.unwrap();
    let client = webhook(&portal).build().unwrap();
    let cmd = BTreeMap::from([
        (
            "add".to_owned(),
            "crm.item.add?entityTypeId=2&fields[title]=Batched".to_owned(),
        ),
        (
            "get".to_owned(),
            "crm.item.get?entityTypeId=2&id=$result[add][item][id]".to_owned(),
        ),
        (
            "missing".to_owned(),
            "crm.item.get?entityTypeId=2&id=999".to_owned(),
        ),
    ]);
    let reply = client
        .call(&bitrix24::Batch::new(cmd).halt(false))
        .await
        .unwrap();
    let results = reply.result.unwrap();
    assert_eq!(results["get"]["item"]["title"], "Batched");
    let errors = reply.result_error.unwrap();
    assert_eq!(errors["missing"].error.as_deref(), Some("NOT_FOUND"));
    assert_eq!(
        reply.result_next,
        Some(BTreeMap::new()),
        "`[]` reads as an empty map"
    );
}

#[tokio::test]
async fn rest3_calls_go_to_the_api_path_and_read_rest3_errors() {
    let portal = FakePortal::start().await.unwrap();
    for client in [
        webhook(&portal).build().unwrap(),
        oauth(&portal, MemoryTokenStore::new()).build().unwrap(),
    ] {
        let add = TaskAdd {
            fields: TaskFields {
                title: "Quarterly report".to_owned(),
                creator_id: 1,
                responsible_id: 2,
            },
        };
        let added = client.call(&add).await.unwrap().item;
        let task = client.call(&TaskGet { id: added.id }).await.unwrap().item;
        assert_eq!(
            (task.id, task.title.as_str(), task.responsible_id),
            (added.id, "Quarterly report", 2)
        );

        let error = client.call(&TaskGet { id: 999 }).await.unwrap_err();
        let Error::Method(api) = &error else {
            panic!("not a method error: {error:?}");
        };
        assert_eq!(
            (api.code.as_str(), api.status),
            (
                "BITRIX_REST_V3_EXCEPTION_ENTITYNOTFOUNDEXCEPTION",
                Some(400)
            )
        );
        assert!(!api.message.is_empty());

        let untitled = TaskAdd {
            fields: TaskFields {
                title: String::new(),
                ..add.fields
            },
        };
        let error = client.call(&untitled).await.unwrap_err();
        let api = error.api_error().expect("an error reply");
        assert_eq!(
            api.code,
            "BITRIX_REST_V3_EXCEPTION_VALIDATION_REQUESTVALIDATIONEXCEPTION"
        );
        assert_eq!(api.validation.len(), 1);
        assert_eq!(api.validation[0].field, "title");
    }
    assert_eq!(portal.stats().executed("tasks.task.get"), 4);
}
