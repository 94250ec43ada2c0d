//! Replies decode the way real Bitrix24 portals send them: numbers as strings, Y/N
//! booleans, `[]` for an empty object, PHP keyed arrays, `null`, missing and unknown
//! fields. Malformed replies are errors, never panics.

use std::collections::BTreeMap;

use bitrix24::Envelope;
use bitrix24::types::{
    CrmItem, CrmItemFmTypeId, CrmItemStageSemanticId, CrmItemStorageTypeId, UserFields,
    UserFieldsUserType,
};
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

/// Decodes a reply body as a client does: from the raw text.
fn decode<T: DeserializeOwned>(body: &str) -> Result<Envelope<T>, serde_json::Error> {
    serde_json::from_str(body)
}

fn decode_ok<T: DeserializeOwned>(body: &str) -> Envelope<T> {
    decode(body).unwrap_or_else(|e| panic!("reply should decode: {e}\n{body}"))
}

// ---------------------------------------------------------------------------------------
// crm.item.add

const CRM_ITEM_ADD_REPLY: &str = r#"{
    "result": {
        "item": {
            "id": "342",
            "entityTypeId": 2,
            "title": "Website order #1024",
            "opened": "Y",
            "isNew": "N",
            "closed": false,
            "assignedById": "1",
            "createdBy": 1,
            "createdTime": "2024-05-14T10:21:40+03:00",
            "lastActivityBy": "",
            "companyId": null,
            "contactIds": [],
            "observers": ["1", 7],
            "opportunity": "1500.50",
            "currencyId": "EUR",
            "stageSemanticId": "P",
            "storageTypeId": "3",
            "fm": [
                {"id": "17", "typeId": "PHONE", "valueType": "WORK", "value": "+49 30 1234567"},
                {"id": 18, "typeId": "TELEGRAM", "valueType": "OTHER", "value": "@order"}
            ],
            "ufCrm5_1700000000": "from the website",
            "parentId1032": 45
        }
    },
    "time": {
        "start": 1715671300.123,
        "finish": 1715671300.456,
        "duration": 0.333,
        "processing": "0.31",
        "date_start": "2024-05-14T10:21:40+03:00",
        "date_finish": "2024-05-14T10:21:40+03:00",
        "operating_reset_at": 1715671900,
        "operating": 0
    }
}"#;

#[test]
fn crm_item_add_reply_decodes_loose_scalars() {
    let reply = decode_ok::<bitrix24::crm::item::AddResponse>(CRM_ITEM_ADD_REPLY);
    let item = reply.result.item.expect("the reply has an item");

    assert_eq!(item.id, Some(342), "integer sent as a string");
    assert_eq!(item.entity_type_id, Some(2));
    assert_eq!(item.title.as_deref(), Some("Website order #1024"));
    assert_eq!(item.opened, Some(true), "Y");
    assert_eq!(item.is_new, Some(false), "N");
    assert_eq!(item.closed, Some(false), "JSON false");
    assert_eq!(item.assigned_by_id, Some(1));
    assert_eq!(item.created_by, Some(1));
    assert_eq!(
        item.created_time.as_deref(),
        Some("2024-05-14T10:21:40+03:00")
    );
    assert_eq!(item.last_activity_by, None, "an empty string is no user");
    assert_eq!(item.company_id, None, "null");
    assert_eq!(item.contact_ids, Some(vec![]));
    assert_eq!(item.observers, Some(vec![1, 7]));
    assert_eq!(item.opportunity, Some(1500.5), "double sent as a string");
    assert_eq!(item.currency_id.as_deref(), Some("EUR"));
    assert_eq!(item.stage_semantic_id, Some(CrmItemStageSemanticId::P));
    assert_eq!(item.storage_type_id, Some(CrmItemStorageTypeId::V3));
    assert_eq!(item.comments, None, "missing field");
}

#[test]
fn crm_item_add_reply_decodes_nested_lists_and_custom_fields() {
    let item = decode_ok::<bitrix24::crm::item::AddResponse>(CRM_ITEM_ADD_REPLY)
        .result
        .item
        .unwrap();

    let fm = item.fm.expect("fm is present");
    assert_eq!(fm.len(), 2);
    assert_eq!(fm[0].id, Some(17));
    assert_eq!(fm[0].type_id, Some(CrmItemFmTypeId::Phone));
    assert_eq!(fm[0].value.as_deref(), Some("+49 30 1234567"));
    assert_eq!(fm[1].id, Some(18));
    assert_eq!(
        fm[1].type_id,
        Some(CrmItemFmTypeId::Unknown("TELEGRAM".into())),
        "a value the docs do not list is kept"
    );

    // Fields matched by the `ufCrm*` / `parentId*` wildcards are kept by wire name.
    assert_eq!(
        item.extra,
        BTreeMap::from([
            ("parentId1032".to_owned(), json!(45)),
            ("ufCrm5_1700000000".to_owned(), json!("from the website")),
        ])
    );
}

#[test]
fn envelope_time_is_decoded() {
    let reply = decode_ok::<bitrix24::crm::item::AddResponse>(CRM_ITEM_ADD_REPLY);
    let time = reply.time.expect("the reply has time");
    assert_eq!(time.start, Some(1715671300.123));
    assert_eq!(time.duration, Some(0.333));
    assert_eq!(time.processing, Some(0.31), "float sent as a string");
    assert_eq!(
        time.date_finish.as_deref(),
        Some("2024-05-14T10:21:40+03:00")
    );
    assert_eq!(time.operating_reset_at, Some(1715671900));
    assert_eq!(time.operating, Some(0.0));
    assert_eq!(reply.next, None);
    assert_eq!(reply.total, None);
}

#[test]
fn empty_php_array_stands_for_an_empty_object() {
    // PHP's json_encode writes an empty associative array as `[]`.
    let reply = decode_ok::<bitrix24::crm::item::AddResponse>(r#"{"result": []}"#);
    assert_eq!(reply.result.item, None);

    let reply = decode_ok::<bitrix24::crm::item::AddResponse>(r#"{"result": {"item": []}}"#);
    assert_eq!(reply.result.item, Some(CrmItem::default()));

    let reply = decode_ok::<bitrix24::user::CurrentResponse>(r#"{"result": [], "time": []}"#);
    assert_eq!(reply.result.0, UserFields::default());
    assert_eq!(reply.time, Some(bitrix24::runtime::Time::default()));
}

#[test]
fn unknown_fields_are_ignored_or_kept() {
    let reply = decode_ok::<bitrix24::department::GetResponse>(
        r#"{"result": [{"ID": "1", "NAME": "Company", "UF_HEAD": "1", "NEW_THING": {"a": [1]}}],
            "total": 1, "debug": {"sql": 3}}"#,
    );
    assert_eq!(reply.result.0.len(), 1);
    assert_eq!(reply.result.0[0].id, Some(1));
    assert_eq!(reply.result.0[0].name.as_deref(), Some("Company"));
    assert_eq!(reply.total, Some(1));

    // Types with wildcard fields keep every unlisted field in `extra`.
    let reply = decode_ok::<bitrix24::crm::item::AddResponse>(
        r#"{"result": {"item": {"id": 5, "brandNewField": [1, 2]}}}"#,
    );
    let item = reply.result.item.unwrap();
    assert_eq!(item.id, Some(5));
    assert_eq!(item.extra.get("brandNewField"), Some(&json!([1, 2])));
}

// ---------------------------------------------------------------------------------------
// user.current / user.get

const USER_JSON: &str = r#"{
    "ID": "1",
    "XML_ID": "30271524",
    "ACTIVE": true,
    "NAME": "Anna",
    "LAST_NAME": "Smith",
    "SECOND_NAME": "",
    "EMAIL": "anna@example.com",
    "LAST_LOGIN": "2024-05-14T09:00:00+03:00",
    "DATE_REGISTER": "2021-01-20T00:00:00+03:00",
    "IS_ONLINE": "Y",
    "TIME_ZONE": "",
    "TIMESTAMP_X": {},
    "LAST_ACTIVITY_DATE": {},
    "PERSONAL_GENDER": "F",
    "PERSONAL_BIRTHDAY": "",
    "PERSONAL_PHOTO": null,
    "UF_EMPLOYMENT_DATE": "",
    "UF_DEPARTMENT": [1, "5"],
    "UF_PHONE_INNER": 101,
    "USER_TYPE": "employee",
    "UF_USR_1700000000": "custom"
}"#;

#[test]
fn user_current_reply_decodes() {
    let body = format!(r#"{{"result": {USER_JSON}, "time": {{"start": 1715671300.1}}}}"#);
    let user = decode_ok::<bitrix24::user::CurrentResponse>(&body)
        .result
        .into_inner();

    assert_eq!(user.id, Some(1));
    assert_eq!(user.xml_id.as_deref(), Some("30271524"));
    assert_eq!(user.active, Some(true));
    assert_eq!(user.name.as_deref(), Some("Anna"));
    assert_eq!(
        user.second_name.as_deref(),
        Some(""),
        "empty text stays text"
    );
    assert_eq!(user.is_online, Some(true));
    assert_eq!(user.personal_photo, None);
    assert_eq!(user.title, None, "missing field");
    assert_eq!(user.uf_department, Some(vec![1, 5]));
    assert_eq!(
        user.uf_phone_inner.as_deref(),
        Some("101"),
        "number read as text"
    );
    assert_eq!(user.user_type, Some(UserFieldsUserType::Employee));
    assert_eq!(user.timestamp_x, Some(json!({})));
    assert_eq!(user.extra.get("UF_USR_1700000000"), Some(&json!("custom")));
}

#[test]
fn user_get_reply_decodes_a_page() {
    let body = format!(
        r#"{{"result": [{USER_JSON}, {{"ID": 2, "ACTIVE": "N", "IS_ONLINE": "N", "UF_DEPARTMENT": false}}],
            "next": "50", "total": "120"}}"#
    );
    let reply = decode_ok::<bitrix24::user::GetResponse>(&body);
    assert_eq!(reply.next, Some(50), "next sent as a string");
    assert_eq!(reply.total, Some(120));

    let users = reply.result.into_inner();
    assert_eq!(users.len(), 2);
    assert_eq!(users[0].last_name.as_deref(), Some("Smith"));
    assert_eq!(users[1].id, Some(2));
    assert_eq!(
        users[1].active,
        Some(false),
        "Y/N read where true/false is documented"
    );
    assert_eq!(users[1].is_online, Some(false));
    assert_eq!(users[1].uf_department, None, "PHP false for an empty list");
}

#[test]
fn a_list_sent_as_a_php_keyed_object_is_read_in_order() {
    let reply = decode_ok::<bitrix24::user::GetResponse>(
        r#"{"result": {"0": {"ID": "7"}, "1": {"ID": "9"}}}"#,
    );
    let ids: Vec<_> = reply.result.0.iter().map(|u| u.id).collect();
    assert_eq!(ids, [Some(7), Some(9)]);
}

// ---------------------------------------------------------------------------------------
// department.get, app.option.get, event.bind, batch

#[test]
fn department_get_reply_decodes() {
    let reply = decode_ok::<bitrix24::department::GetResponse>(
        r#"{"result": [
                {"ID": "1", "NAME": "Company", "SORT": 500, "UF_HEAD": "1"},
                {"ID": "3", "NAME": "Sales", "SORT": "500", "PARENT": "1", "UF_HEAD": ""}
            ],
            "total": 2,
            "time": {"start": 1715671300.1, "finish": 1715671300.2}}"#,
    );
    let departments = reply.result.into_inner();
    assert_eq!(departments.len(), 2);
    assert_eq!(departments[0].id, Some(1));
    assert_eq!(departments[0].parent, None, "the root has no parent");
    assert_eq!(departments[1].name.as_deref(), Some("Sales"));
    assert_eq!(departments[1].sort, Some(500));
    assert_eq!(departments[1].parent, Some(1));
    assert_eq!(reply.total, Some(2));
}

#[test]
fn app_option_get_reply_is_any_value() {
    let reply = decode_ok::<bitrix24::app::option::GetResponse>(
        r#"{"result": {"theme": "dark", "limits": {"max": 5}}}"#,
    );
    assert_eq!(reply.result.0["limits"]["max"], json!(5));

    let reply = decode_ok::<bitrix24::app::option::GetResponse>(r#"{"result": "dark"}"#);
    assert_eq!(reply.result.into_inner(), json!("dark"));

    let reply = decode_ok::<bitrix24::app::option::GetResponse>(r#"{"result": null}"#);
    assert_eq!(reply.result.into_inner(), Value::Null);
}

#[test]
fn event_bind_and_app_option_set_results_read_every_boolean_form() {
    for (body, expected) in [
        (r#"{"result": true}"#, true),
        (r#"{"result": false}"#, false),
        (r#"{"result": 1}"#, true),
        (r#"{"result": "Y"}"#, true),
        (r#"{"result": "N"}"#, false),
    ] {
        let bind = decode_ok::<bitrix24::event::BindResponse>(body);
        assert_eq!(bind.result.into_inner(), expected, "{body}");
        let set = decode_ok::<bitrix24::app::option::SetResponse>(body);
        assert_eq!(set.result.into_inner(), expected, "{body}");
    }
}

#[test]
fn event_unbind_reply_decodes_its_count() {
    let reply = decode_ok::<bitrix24::event::UnbindResponse>(r#"{"result": {"count": "2"}}"#);
    assert_eq!(reply.result.count, Some(2));
}

#[test]
fn batch_reply_decodes_php_empty_maps_and_keyed_lists() {
    let reply = decode_ok::<bitrix24::BatchResponse>(
        r#"{"result": {
                "result": {"me": {"ID": "1"}, "deps": [{"ID": "1"}]},
                "result_error": {"deal": {"error": "ACCESS_DENIED", "error_description": "Access denied"}},
                "result_total": {"deps": "1"},
                "result_next": [],
                "result_time": {"me": {"start": 1715671300.1, "duration": "0.02"}}
            }}"#,
    );
    let batch = reply.result;
    let results = batch.result.expect("result");
    assert_eq!(results["me"]["ID"], json!("1"));
    let errors = batch.result_error.expect("result_error");
    assert_eq!(errors["deal"].error.as_deref(), Some("ACCESS_DENIED"));
    assert_eq!(
        errors["deal"].error_description.as_deref(),
        Some("Access denied")
    );
    assert_eq!(
        batch.result_total,
        Some(BTreeMap::from([("deps".into(), 1)]))
    );
    assert_eq!(
        batch.result_next,
        Some(BTreeMap::new()),
        "`[]` is an empty map"
    );
    assert_eq!(
        batch.result_time.expect("result_time")["me"].duration,
        Some(0.02)
    );

    // Commands given as a list come back keyed by position.
    let reply = decode_ok::<bitrix24::BatchResponse>(
        r#"{"result": {"result": [{"ID": "1"}, true], "result_error": []}}"#,
    );
    let results = reply.result.result.unwrap();
    assert_eq!(results["0"], json!({"ID": "1"}));
    assert_eq!(results["1"], json!(true));
    assert_eq!(reply.result.result_error, Some(BTreeMap::new()));
}

// ---------------------------------------------------------------------------------------
// Enums of allowed values

#[test]
fn string_enum_reads_known_and_keeps_unknown_values() {
    let known: UserFieldsUserType = serde_json::from_value(json!("extranet")).unwrap();
    assert_eq!(known, UserFieldsUserType::Extranet);
    assert_eq!(serde_json::to_value(&known).unwrap(), json!("extranet"));

    let unknown: UserFieldsUserType = serde_json::from_value(json!("collaber")).unwrap();
    assert_eq!(unknown, UserFieldsUserType::Unknown("collaber".into()));
    assert_eq!(serde_json::to_value(&unknown).unwrap(), json!("collaber"));

    // Matching is exact: another spelling is not the documented value.
    let other_case: UserFieldsUserType = serde_json::from_value(json!("EMPLOYEE")).unwrap();
    assert_eq!(other_case, UserFieldsUserType::Unknown("EMPLOYEE".into()));
}

#[test]
fn integer_enum_reads_known_and_keeps_unknown_values() {
    let known: CrmItemStorageTypeId = serde_json::from_value(json!("2")).unwrap();
    assert_eq!(known, CrmItemStorageTypeId::V2);
    assert_eq!(serde_json::to_value(&known).unwrap(), json!(2));

    let unknown: CrmItemStorageTypeId = serde_json::from_value(json!(9)).unwrap();
    assert_eq!(unknown, CrmItemStorageTypeId::Unknown(9));
    assert_eq!(serde_json::to_value(&unknown).unwrap(), json!(9));

    assert!(serde_json::from_value::<CrmItemStorageTypeId>(json!("disk")).is_err());
}

#[test]
fn decoded_objects_round_trip_with_unknown_enum_values() {
    // Already in the documented wire forms, so re-serializing (a reply type serializes
    // under `registry`, writing `null` for what the reply did not carry) gives the same
    // JSON.
    let user = json!({
        "ID": 5,
        "ACTIVE": true,
        "IS_ONLINE": "N",
        "UF_DEPARTMENT": [1, 5],
        "USER_TYPE": "collaber",
        "UF_USR_1700000000": "custom"
    });
    let decoded: UserFields = serde_json::from_value(user.clone()).unwrap();
    assert_eq!(
        decoded.user_type,
        Some(UserFieldsUserType::Unknown("collaber".into()))
    );
    assert_eq!(without_nulls(serde_json::to_value(&decoded).unwrap()), user);

    let item = json!({
        "id": 342,
        "opened": "Y",
        "stageSemanticId": "X",
        "storageTypeId": 7,
        "fm": [{"id": 17, "typeId": "TELEGRAM", "value": "@order"}],
        "ufCrm5_1700000000": ["a", "b"]
    });
    let decoded: CrmItem = serde_json::from_value(item.clone()).unwrap();
    assert_eq!(
        decoded.stage_semantic_id,
        Some(CrmItemStageSemanticId::Unknown("X".into()))
    );
    assert_eq!(
        decoded.storage_type_id,
        Some(CrmItemStorageTypeId::Unknown(7))
    );
    assert_eq!(without_nulls(serde_json::to_value(&decoded).unwrap()), item);
}

/// `value` without the object members that are `null`, at any depth.
fn without_nulls(value: Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.into_iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k, without_nulls(v)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.into_iter().map(without_nulls).collect()),
        other => other,
    }
}

// ---------------------------------------------------------------------------------------
// Malformed replies

#[test]
fn malformed_replies_are_errors_not_panics() {
    use bitrix24::crm::item::AddResponse;

    let bad_items = [
        r#"{"result": {"item": {"id": "abc"}}}"#,
        r#"{"result": {"item": {"opportunity": "a lot"}}}"#,
        r#"{"result": {"item": {"opened": "maybe"}}}"#,
        r#"{"result": {"item": {"observers": ["one"]}}}"#,
        r#"{"result": {"item": {"fm": [1, 2]}}}"#,
        r#"{"result": {"item": {"storageTypeId": "disk"}}}"#,
        r#"{"result": {"item": "342"}}"#,
        r#"{"result": {"item": [1]}}"#,
        r#"{"result": true}"#,
        r#"{"result": {"item": {}}, "next": "later"}"#,
        r#"{"time": {}}"#,
        r#"{"result": {"item": {"id": 1}"#,
    ];
    for body in bad_items {
        assert!(
            decode::<AddResponse>(body).is_err(),
            "should be an error: {body}"
        );
    }

    let bad_lists = [
        r#"{"result": [1, 2]}"#,
        r#"{"result": {"0": "x"}}"#,
        r#"{"result": [{"ID": "1"}, "2"]}"#,
        r#"{"result": [{"ID": "one"}]}"#,
        r#"{"result": "nothing"}"#,
    ];
    for body in bad_lists {
        assert!(
            decode::<bitrix24::department::GetResponse>(body).is_err(),
            "department.get: {body}"
        );
        assert!(
            decode::<bitrix24::user::GetResponse>(body).is_err(),
            "user.get: {body}"
        );
    }

    assert!(decode::<bitrix24::event::BindResponse>(r#"{"result": "done"}"#).is_err());
    assert!(decode::<bitrix24::event::BindResponse>(r#"{"result": 2}"#).is_err());
}

#[test]
fn an_empty_string_is_no_value_for_an_integer_enum_field() {
    // Plain integer fields read PHP's `""` as no value ...
    let item: CrmItem = serde_json::from_value(json!({"id": "", "storageTypeId": 2})).unwrap();
    assert_eq!(item.id, None);
    // ... and so should integer fields with allowed values.
    let item: CrmItem =
        serde_json::from_value(json!({"id": 1, "storageTypeId": "", "commentsType": ""}))
            .expect("`\"\"` is PHP's empty value");
    assert_eq!(item.storage_type_id, None);
    assert_eq!(item.comments_type, None);
}

// ---------------------------------------------------------------------------------------
// userfieldconfig.get: texts by language, `null` for a language without one

#[test]
fn a_language_without_a_text_is_none_and_is_written_back_as_null() {
    let body = r#"{"result": {"field": {"fieldName": "UF_CRM_1", "errorMessage":
        {"en": "Wrong value", "de": null}}}, "time": {"start": 1.0}}"#;
    let reply: Envelope<bitrix24::userfieldconfig::GetResponse> = decode_ok(body);
    let field = reply.result.field.expect("the field is decoded");
    let messages = field.error_message.expect("the messages are decoded");
    assert_eq!(messages["en"].as_deref(), Some("Wrong value"));
    assert_eq!(messages["de"], None);
    let again = serde_json::to_value(&messages).unwrap();
    assert_eq!(again, json!({"en": "Wrong value", "de": null}));
    // A text where one is due is still checked: a language's text is not an object.
    let wrong = body.replace("\"Wrong value\"", "{\"text\": 1}");
    assert!(decode::<bitrix24::userfieldconfig::GetResponse>(&wrong).is_err());
}
