//! Requests serialize to exactly the wire JSON the Bitrix24 docs describe, read back from it
//! unchanged, and carry the facts of their spec in the `Method` constants.

use std::collections::BTreeMap;

use bitrix24::crm::item::{
    Add, AddFields, AddFieldsFm, AddFieldsFmTypeId, AddFieldsStorageTypeId, AddFieldsUtmMedium,
};
use bitrix24::{ApiVersion, Batch, Method, Paged};
use serde_json::{Value, json};

/// The parameters of a request as they go on the wire.
fn wire<M: Method>(request: &M) -> Value {
    serde_json::to_value(request).expect("a request always serializes")
}

/// A `crm.item.add` with a bit of everything: text, a number, a Y/N flag, user ids, an
/// enum, a list of objects and custom fields matched by the `ufCrm*` / `parentId*`
/// wildcards.
fn crm_item_add() -> Add {
    let mut fields = AddFields::new()
        .title("Website order #1024")
        .opportunity(1500.5)
        .currency_id("EUR")
        .opened(false)
        .assigned_by_id(1)
        .observers(vec![1, 7, 12])
        .utm_medium(AddFieldsUtmMedium::Cpc)
        .storage_type_id(AddFieldsStorageTypeId::V3)
        .fm(vec![
            AddFieldsFm::new()
                .type_id(AddFieldsFmTypeId::Phone)
                .value_type("WORK")
                .value("+49 30 1234567"),
        ]);
    fields
        .extra
        .insert("ufCrm5_1700000000".into(), json!("from the website"));
    fields.extra.insert("parentId1032".into(), json!(45));
    Add::new(2, fields).use_original_uf_names(true)
}

fn crm_item_add_wire() -> Value {
    json!({
        "entityTypeId": 2,
        "fields": {
            "title": "Website order #1024",
            "opportunity": 1500.5,
            "currencyId": "EUR",
            "opened": "N",
            "assignedById": 1,
            "observers": [1, 7, 12],
            "utmMedium": "CPC",
            "storageTypeId": 3,
            "fm": [{"typeId": "PHONE", "valueType": "WORK", "value": "+49 30 1234567"}],
            "ufCrm5_1700000000": "from the website",
            "parentId1032": 45
        },
        "useOriginalUfNames": "Y"
    })
}

#[test]
fn crm_item_add_serializes_to_the_documented_wire_json() {
    assert_eq!(wire(&crm_item_add()), crm_item_add_wire());
}

#[test]
fn yes_no_parameters_are_sent_as_y_and_n() {
    let fields = || AddFields::new().is_manual_opportunity(true).export(false);
    assert_eq!(
        wire(&Add::new(2, fields()).use_original_uf_names(true)),
        json!({
            "entityTypeId": 2,
            "fields": {"isManualOpportunity": "Y", "export": "N"},
            "useOriginalUfNames": "Y"
        })
    );
    assert_eq!(
        wire(&Add::new(2, fields()).use_original_uf_names(false))["useOriginalUfNames"],
        json!("N")
    );
}

#[test]
fn parameters_that_were_not_set_are_absent() {
    // Not `null`, not the documented default: absent, so the server applies its default.
    assert_eq!(
        wire(&Add::new(2, AddFields::new())),
        json!({"entityTypeId": 2, "fields": {}})
    );
    assert_eq!(wire(&bitrix24::user::Get::new()), json!({}));
    assert_eq!(wire(&bitrix24::user::Current::new()), json!({}));
}

#[test]
fn crm_item_add_reads_back_from_its_wire_json_unchanged() {
    let read: Add = serde_json::from_value(crm_item_add_wire()).expect("wire JSON is readable");
    assert_eq!(read, crm_item_add());
    assert_eq!(wire(&read), crm_item_add_wire());
}

#[test]
fn custom_fields_read_from_the_wire_land_in_extra() {
    let read: Add = serde_json::from_value(crm_item_add_wire()).unwrap();
    assert_eq!(
        read.fields.extra,
        BTreeMap::from([
            ("parentId1032".to_owned(), json!(45)),
            ("ufCrm5_1700000000".to_owned(), json!("from the website")),
        ])
    );
    assert_eq!(read.fields.title.as_deref(), Some("Website order #1024"));
}

#[test]
fn a_request_read_from_loose_json_is_written_in_the_documented_form() {
    // Numbers as strings and booleans as `true` are read; writing gives the documented form.
    let loose = json!({
        "entityTypeId": "2",
        "fields": {"assignedById": "1", "observers": ["1", 7], "opened": true},
        "useOriginalUfNames": 1
    });
    let read: Add = serde_json::from_value(loose).unwrap();
    assert_eq!(
        wire(&read),
        json!({
            "entityTypeId": 2,
            "fields": {"assignedById": 1, "observers": [1, 7], "opened": "Y"},
            "useOriginalUfNames": "Y"
        })
    );
}

#[test]
fn batch_sends_cmd_map_and_halt_as_true_false() {
    let cmd = BTreeMap::from([
        ("me".to_owned(), "user.current".to_owned()),
        (
            "deal".to_owned(),
            "crm.item.add?entityTypeId=2&fields[title]=Deal".to_owned(),
        ),
    ]);
    let commands = json!({
        "me": "user.current",
        "deal": "crm.item.add?entityTypeId=2&fields[title]=Deal"
    });
    assert_eq!(
        wire(&Batch::new(cmd.clone()).halt(true)),
        json!({"cmd": commands, "halt": true})
    );
    // `false` is sent, not dropped: the caller asked for it explicitly.
    assert_eq!(
        wire(&Batch::new(cmd.clone()).halt(false)),
        json!({"cmd": commands, "halt": false})
    );
    assert_eq!(wire(&Batch::new(cmd)), json!({"cmd": commands}));
}

#[test]
fn batch_round_trips_through_its_wire_json() {
    let wire_json =
        json!({"cmd": {"a": "user.current", "b": "department.get?ID=1"}, "halt": false});
    let read: Batch = serde_json::from_value(wire_json.clone()).unwrap();
    assert_eq!(read.halt, Some(false));
    assert_eq!(read.cmd["b"], "department.get?ID=1");
    assert_eq!(wire(&read), wire_json);
}

#[test]
fn user_get_sends_filter_and_its_upper_case_parameters() {
    use bitrix24::user::{Get, GetImageResize, GetOrder};

    let filter = BTreeMap::from([
        ("ACTIVE".to_owned(), json!(true)),
        ("UF_DEPARTMENT".to_owned(), json!(5)),
        ("%LAST_NAME".to_owned(), json!("Smi")),
    ]);
    let request = Get::new()
        .sort("LAST_NAME")
        .order(GetOrder::Desc)
        .filter(filter)
        .admin_mode(true)
        .image_resize(GetImageResize::Small);
    let expected = json!({
        "sort": "LAST_NAME",
        "order": "DESC",
        "FILTER": {"ACTIVE": true, "UF_DEPARTMENT": 5, "%LAST_NAME": "Smi"},
        "ADMIN_MODE": true,
        "IMAGE_RESIZE": "small"
    });
    assert_eq!(wire(&request), expected);

    let read: Get = serde_json::from_value(expected.clone()).unwrap();
    assert_eq!(read, request);
    assert_eq!(wire(&read), expected);
}

#[test]
fn app_option_set_sends_the_options_map() {
    let options = BTreeMap::from([
        ("theme".to_owned(), json!("dark")),
        ("limits".to_owned(), json!({"max": 5, "tags": ["a", "b"]})),
    ]);
    let request = bitrix24::app::option::Set::new(options);
    let expected = json!({"options": {"theme": "dark", "limits": {"max": 5, "tags": ["a", "b"]}}});
    assert_eq!(wire(&request), expected);

    let read: bitrix24::app::option::Set = serde_json::from_value(expected.clone()).unwrap();
    assert_eq!(read, request);
    assert_eq!(wire(&read), expected);
}

#[test]
fn event_bind_sends_snake_case_parameters_and_nested_options() {
    use bitrix24::event::{Bind, BindEventType, BindOptions};

    let request = Bind::new("ONCRMDEALADD", "https://example.com/handler")
        .event_type(BindEventType::Offline)
        .auth_type(1)
        .options(BindOptions::new().min_timeout(30));
    let expected = json!({
        "event": "ONCRMDEALADD",
        "handler": "https://example.com/handler",
        "auth_type": 1,
        "event_type": "offline",
        "options": {"minTimeout": 30}
    });
    assert_eq!(wire(&request), expected);

    let read: Bind = serde_json::from_value(expected.clone()).unwrap();
    assert_eq!(read, request);
    assert_eq!(wire(&read), expected);
}

/// What a request type's `Method` constants say about it.
#[derive(Debug, PartialEq)]
struct Facts {
    name: &'static str,
    api: ApiVersion,
    scopes: &'static [&'static str],
    batch: bool,
    safe_to_repeat: bool,
}

fn facts<M: Method>() -> Facts {
    Facts {
        name: M::NAME,
        api: M::API_VERSION,
        scopes: M::SCOPES,
        batch: M::BATCH,
        safe_to_repeat: M::SAFE_TO_REPEAT,
    }
}

#[test]
fn method_constants_follow_the_specs() {
    // Adding twice adds two items, so crm.item.add must not be retried.
    assert_eq!(
        facts::<Add>(),
        Facts {
            name: "crm.item.add",
            api: ApiVersion::V2,
            scopes: &["crm"],
            batch: true,
            safe_to_repeat: false,
        }
    );
    // batch cannot run inside batch.
    assert_eq!(
        facts::<Batch>(),
        Facts {
            name: "batch",
            api: ApiVersion::V2,
            scopes: &["basic"],
            batch: false,
            safe_to_repeat: false,
        }
    );
    // Reads are safe to repeat; a caller needs any one of the three user scopes.
    assert_eq!(
        facts::<bitrix24::user::Get>(),
        Facts {
            name: "user.get",
            api: ApiVersion::V2,
            scopes: &["user", "user_brief", "user_basic"],
            batch: true,
            safe_to_repeat: true,
        }
    );
    assert_eq!(
        facts::<bitrix24::user::Current>(),
        Facts {
            name: "user.current",
            api: ApiVersion::V2,
            scopes: &["user", "user_brief", "user_basic"],
            batch: true,
            safe_to_repeat: true,
        }
    );
    assert_eq!(
        facts::<bitrix24::department::Get>(),
        Facts {
            name: "department.get",
            api: ApiVersion::V2,
            scopes: &["department"],
            batch: true,
            safe_to_repeat: true,
        }
    );
    assert_eq!(
        facts::<bitrix24::app::option::Set>(),
        Facts {
            name: "app.option.set",
            api: ApiVersion::V2,
            scopes: &["basic"],
            batch: true,
            safe_to_repeat: false,
        }
    );
}

/// Decodes a reply of a paged method and returns the elements of its page.
fn page_items<M: Paged>(reply: Value) -> Vec<M::Item> {
    let envelope: bitrix24::Envelope<M::Response> = serde_json::from_value(reply).unwrap();
    M::into_items(envelope.result)
}

#[test]
fn user_get_pages_with_lower_case_start() {
    let mut request = bitrix24::user::Get::new().sort("ID");
    request.set_start(50);
    assert_eq!(wire(&request), json!({"sort": "ID", "start": 50}));

    // `-1` (skip counting) goes on the wire as is.
    request.set_start(-1);
    assert_eq!(wire(&request)["start"], json!(-1));

    let users = page_items::<bitrix24::user::Get>(json!({
        "result": [{"ID": "51", "NAME": "Anna"}, {"ID": "52", "NAME": "Boris"}],
        "next": 100,
        "total": 120
    }));
    let ids: Vec<_> = users.iter().map(|u| u.id).collect();
    assert_eq!(ids, [Some(51), Some(52)]);
    assert_eq!(users[1].name.as_deref(), Some("Boris"));
}

#[test]
fn department_get_pages_with_upper_case_start() {
    let mut request = bitrix24::department::Get::new().parent(1);
    request.set_start(50);
    // The docs spell it `START` for this method; `start` would be ignored by the server.
    assert_eq!(wire(&request), json!({"PARENT": 1, "START": 50}));

    let departments = page_items::<bitrix24::department::Get>(json!({
        "result": [
            {"ID": "3", "NAME": "Sales", "SORT": "500", "PARENT": "1"},
            {"ID": "4", "NAME": "Support", "SORT": 600, "PARENT": 1}
        ],
        "total": 2
    }));
    let names: Vec<_> = departments.iter().map(|d| d.name.as_deref()).collect();
    assert_eq!(names, [Some("Sales"), Some("Support")]);
    assert_eq!(departments[0].id, Some(3));
    assert_eq!(departments[0].sort, Some(500));
    assert_eq!(departments[1].parent, Some(1));
}

#[test]
fn an_empty_page_has_no_items() {
    assert!(page_items::<bitrix24::user::Get>(json!({"result": [], "total": 0})).is_empty());
    assert!(page_items::<bitrix24::department::Get>(json!({"result": []})).is_empty());
}
