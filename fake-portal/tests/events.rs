//! The fake portal posts events to bound handlers and keeps offline events: checked with
//! plain HTTP and a local handler that records what it receives.

use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use bitrix24_fake_portal::FakePortal;
use serde_json::{Value, json};

/// A handler server on `127.0.0.1` that records the bodies posted to `/ok` (answered
/// 200) and `/fail` (answered 500).
struct Handler {
    url: String,
    received: Arc<Mutex<Vec<String>>>,
}

impl Handler {
    async fn start() -> Self {
        async fn record(State(received): State<Arc<Mutex<Vec<String>>>>, body: Bytes) {
            received
                .lock()
                .unwrap()
                .push(String::from_utf8(body.to_vec()).unwrap());
        }
        async fn fail() -> StatusCode {
            StatusCode::INTERNAL_SERVER_ERROR
        }
        let received = Arc::new(Mutex::new(Vec::new()));
        let app = Router::new()
            .route("/ok", post(record))
            .route("/fail", post(fail))
            .with_state(Arc::clone(&received));
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0))
            .await
            .unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await });
        Self { url, received }
    }

    /// The bodies received so far, decoded as PHP would.
    fn received(&self) -> Vec<Value> {
        self.received
            .lock()
            .unwrap()
            .iter()
            .map(|body| php_form(body))
            .collect()
    }
}

/// A PHP-style form body as nested JSON (string values), for assertions.
fn php_form(body: &str) -> Value {
    let mut root = json!({});
    for (key, value) in form_urlencoded::parse(body.as_bytes()) {
        let mut path: Vec<String> = Vec::new();
        let (name, rest) = key.split_once('[').unwrap_or((&key, ""));
        path.push(name.to_owned());
        for segment in rest.split('[') {
            if let Some(segment) = segment.strip_suffix(']') {
                path.push(segment.to_owned());
            }
        }
        let mut slot = &mut root;
        for segment in path {
            slot = &mut slot[segment.as_str()];
        }
        *slot = Value::String(value.into_owned());
    }
    root
}

async fn portal() -> FakePortal {
    FakePortal::builder()
        .no_rate_limit()
        .start()
        .await
        .expect("portal starts")
}

/// Posts a JSON body and reads the JSON reply: (status, body).
async fn post_json(url: String, body: &Value) -> (u16, Value) {
    let response = reqwest::Client::new()
        .post(url)
        .header("content-type", "application/json")
        .body(body.to_string())
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let body = response.bytes().await.unwrap();
    (status, serde_json::from_slice(&body).unwrap())
}

/// Calls a method through the webhook and returns its `result`.
async fn call(portal: &FakePortal, method: &str, params: Value) -> Value {
    let (_, reply) = post_json(format!("{}{method}", portal.webhook_url()), &params).await;
    assert!(reply.get("error").is_none(), "{method}: {reply}");
    reply["result"].clone()
}

#[tokio::test]
async fn bound_handlers_get_install_and_item_events_until_unbound() {
    let portal = portal().await;
    let handler = Handler::start().await;
    let ok = format!("{}/ok", handler.url);
    for event in ["ONAPPINSTALL", "onCrmDealAdd", "ONCRMDYNAMICITEMADD_1220"] {
        call(
            &portal,
            "event.bind",
            json!({"event": event, "handler": ok}),
        )
        .await;
    }
    portal.install_app();
    call(
        &portal,
        "crm.item.add",
        json!({"entityTypeId": 2, "fields": {"title": "Deal"}}),
    )
    .await;
    call(
        &portal,
        "batch",
        json!({"cmd": {"a": "crm.item.add?entityTypeId=1220&fields[title]=Item"}}),
    )
    .await;
    call(
        &portal,
        "crm.item.add",
        json!({"entityTypeId": 1, "fields": {}}),
    )
    .await;
    portal.flush_events().await;

    let received = handler.received();
    let events: Vec<&str> = received
        .iter()
        .map(|delivery| delivery["event"].as_str().unwrap())
        .collect();
    assert_eq!(
        events,
        ["ONAPPINSTALL", "ONCRMDEALADD", "ONCRMDYNAMICITEMADD_1220"]
    );
    let token = portal.application_token();
    for delivery in &received {
        assert_eq!(delivery["auth"]["application_token"], token.as_str());
        assert_eq!(
            delivery["auth"]["member_id"],
            "fakeportal00000000000000000000"
        );
        assert!(delivery["auth"]["access_token"].is_string());
        assert!(delivery["ts"].as_str().unwrap().parse::<u64>().is_ok());
    }
    let install = &received[0];
    assert_eq!(install["data"]["INSTALLED"], "Y");
    assert_eq!(install["event_handler_id"], "1");
    assert!(install["auth"]["refresh_token"].is_string());
    assert!(received[1]["auth"].get("refresh_token").is_none());
    assert_eq!(received[1]["data"]["FIELDS"]["ID"], "1");
    assert_eq!(received[2]["data"]["FIELDS"]["ENTITY_TYPE_ID"], "1220");
    // The access token of an event works for calls.
    let access = install["auth"]["access_token"].as_str().unwrap();
    let (_, reply) = post_json(
        format!("{}/rest/user.current", portal.url()),
        &json!({"auth": access}),
    )
    .await;
    assert_eq!(reply["result"]["ID"], "1");

    let unbound = call(
        &portal,
        "event.unbind",
        json!({"event": "ONCRMDEALADD", "handler": ok}),
    )
    .await;
    assert_eq!(unbound["count"], 1);
    call(
        &portal,
        "crm.item.add",
        json!({"entityTypeId": 2, "fields": {}}),
    )
    .await;
    portal.flush_events().await;
    assert_eq!(handler.received().len(), 3, "no event after unbinding");
    let stats = portal.stats();
    assert_eq!((stats.events_delivered, stats.events_refused), (3, 0));
}

#[tokio::test]
async fn failing_and_unreachable_handlers_are_counted() {
    let portal = portal().await;
    let handler = Handler::start().await;
    let fail = format!("{}/fail", handler.url);
    call(
        &portal,
        "event.bind",
        json!({"event": "ONCRMLEADUPDATE", "handler": fail}),
    )
    .await;
    call(
        &portal,
        "event.bind",
        json!({"event": "ONCRMLEADUPDATE", "handler": "http://127.0.0.1:1/closed"}),
    )
    .await;
    call(
        &portal,
        "crm.item.add",
        json!({"entityTypeId": 1, "fields": {}}),
    )
    .await;
    call(
        &portal,
        "crm.item.update",
        json!({"entityTypeId": 1, "id": 1, "fields": {"title": "x"}}),
    )
    .await;
    portal.flush_events().await;
    let stats = portal.stats();
    assert_eq!((stats.events_delivered, stats.events_refused), (0, 2));
}

#[tokio::test]
async fn offline_events_are_queued_reserved_and_cleared() {
    let portal = portal().await;
    let handler = Handler::start().await;
    let bound = call(
        &portal,
        "event.bind",
        json!({"event": "ONCRMDEALUPDATE", "event_type": "offline"}),
    )
    .await;
    assert_eq!(bound, true);
    call(
        &portal,
        "event.bind",
        json!({"event": "ONOFFLINEEVENT", "handler": format!("{}/ok", handler.url)}),
    )
    .await;
    let listed = call(&portal, "event.get", json!({})).await;
    assert_eq!(listed[0]["offline"], 1);
    assert_eq!(listed[0]["handler"], "");
    for (id, title) in [(1, "a"), (1, "b"), (2, "c")] {
        if title != "b" {
            call(
                &portal,
                "crm.item.add",
                json!({"entityTypeId": 2, "fields": {}}),
            )
            .await;
        }
        call(
            &portal,
            "crm.item.update",
            json!({"entityTypeId": 2, "id": id, "fields": {"title": title}}),
        )
        .await;
    }

    // Two changed deals: one record each, whatever the number of changes.
    let reserved = call(
        &portal,
        "event.offline.get",
        json!({"clear": 0, "limit": 1}),
    )
    .await;
    let process_id = reserved["process_id"].as_str().unwrap().to_owned();
    assert_eq!(process_id.len(), 32);
    let events = reserved["events"].as_array().unwrap();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0]["EVENT_NAME"], "ONCRMDEALUPDATE");
    assert_eq!(events[0]["EVENT_DATA"], json!({"FIELDS": {"ID": 1}}));
    assert_eq!(events[0]["ID"], "1");
    assert_eq!(events[0]["MESSAGE_ID"], "1");

    // The reserved record is hidden from others, and returned again under its process.
    let rest = call(&portal, "event.offline.get", json!({"clear": 0})).await;
    assert_eq!(
        rest["events"][0]["EVENT_DATA"],
        json!({"FIELDS": {"ID": 2}})
    );
    let again = call(
        &portal,
        "event.offline.get",
        json!({"clear": 0, "process_id": process_id}),
    )
    .await;
    assert_eq!(again["events"].as_array().unwrap().len(), 1);
    assert_eq!(again["process_id"], process_id.as_str());

    let cleared = call(
        &portal,
        "event.offline.clear",
        json!({"process_id": process_id, "message_id": ["9"]}),
    )
    .await;
    assert_eq!(cleared, true);
    let kept = call(
        &portal,
        "event.offline.get",
        json!({"clear": 0, "process_id": process_id}),
    )
    .await;
    assert_eq!(
        kept["events"].as_array().unwrap().len(),
        1,
        "message 9 is not in the batch"
    );
    call(
        &portal,
        "event.offline.clear",
        json!({"process_id": process_id}),
    )
    .await;
    let gone = call(
        &portal,
        "event.offline.get",
        json!({"process_id": process_id}),
    )
    .await;
    assert_eq!(gone["events"], json!([]));

    // Taking with clear=1 (the default) empties the queue.
    let other = rest["process_id"].as_str().unwrap();
    let taken = call(&portal, "event.offline.get", json!({"process_id": other})).await;
    assert_eq!(taken["process_id"], Value::Null);
    assert_eq!(taken["events"].as_array().unwrap().len(), 1);
    let empty = call(&portal, "event.offline.get", json!({})).await;
    assert_eq!(empty["events"], json!([]));

    // Each new record notified the ONOFFLINEEVENT handler.
    portal.flush_events().await;
    let notices = handler.received();
    assert_eq!(notices.len(), 2);
    assert_eq!(notices[0]["event"], "ONOFFLINEEVENT");

    let (status, missing) = post_json(
        format!("{}event.offline.clear", portal.webhook_url()),
        &json!({}),
    )
    .await;
    assert_eq!(
        (status, &missing["error"]),
        (400, &json!("INVALID_ARG_VALUE"))
    );
}
