//! The fake portal speaks the Bitrix24 REST protocol: checked with plain HTTP requests.

use std::time::Duration;

use bitrix24_fake_portal::{FakePortal, Fault, FaultKind};
use serde_json::{Value, json};

struct Http {
    client: reqwest::Client,
}

impl Http {
    fn new() -> Self {
        Self {
            client: reqwest::Client::new(),
        }
    }

    async fn send(&self, request: reqwest::RequestBuilder) -> (u16, Value) {
        let response = request.send().await.expect("request");
        let status = response.status().as_u16();
        let body = response.bytes().await.expect("body");
        let value = serde_json::from_slice(&body)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&body).into_owned()));
        (status, value)
    }

    async fn json(&self, url: &str, body: Value) -> (u16, Value) {
        self.json_text(url, body.to_string()).await
    }

    /// A JSON body as written, keeping the order of its keys.
    async fn json_text(&self, url: &str, body: String) -> (u16, Value) {
        self.send(
            self.client
                .post(url)
                .header("content-type", "application/json")
                .body(body),
        )
        .await
    }

    async fn form(&self, url: &str, body: &'static str) -> (u16, Value) {
        self.send(
            self.client
                .post(url)
                .header("content-type", "application/x-www-form-urlencoded")
                .body(body),
        )
        .await
    }
}

async fn portal() -> FakePortal {
    FakePortal::builder()
        .no_rate_limit()
        .start()
        .await
        .expect("portal starts")
}

#[tokio::test]
async fn webhook_calls_are_authorized_by_the_code_in_the_path() {
    let portal = portal().await;
    let http = Http::new();
    let (status, reply) = http
        .json(&format!("{}user.current", portal.webhook_url()), json!({}))
        .await;
    assert_eq!(status, 200);
    assert_eq!(reply["result"]["ID"], "1");
    assert!(reply["time"]["date_start"].is_string());
    let (status, reply) = http
        .json(
            &format!("{}/rest/1/wrong/user.current.json", portal.url()),
            json!({}),
        )
        .await;
    assert_eq!(
        (status, reply["error"].as_str()),
        (401, Some("NO_AUTH_FOUND"))
    );
}

#[tokio::test]
async fn oauth_tokens_expire_and_are_renewed_with_a_rotated_refresh_token() {
    let portal = portal().await;
    let http = Http::new();
    let tokens = portal.issue_tokens();
    let call = format!("{}/rest/user.current", portal.url());
    let (status, _) = http.json(&call, json!({"auth": tokens.access_token})).await;
    assert_eq!(status, 200);
    let (status, reply) = http.json(&call, json!({})).await;
    assert_eq!(
        (status, reply["error"].as_str()),
        (401, Some("NO_AUTH_FOUND"))
    );

    portal.expire_access_tokens();
    let (status, reply) = http.json(&call, json!({"auth": tokens.access_token})).await;
    assert_eq!(
        (status, reply["error"].as_str()),
        (401, Some("expired_token"))
    );

    let renew = |refresh: &str| {
        format!(
            "{}?grant_type=refresh_token&client_id={}&client_secret={}&refresh_token={refresh}",
            portal.token_url(),
            portal.client_id(),
            portal.client_secret()
        )
    };
    let (status, renewed) = http
        .send(http.client.get(renew(&tokens.refresh_token)))
        .await;
    assert_eq!(status, 200);
    assert_eq!(renewed["expires_in"], 3600);
    let access = renewed["access_token"].as_str().unwrap();
    assert_ne!(access, tokens.access_token);
    let (status, _) = http.json(&call, json!({"auth": access})).await;
    assert_eq!(status, 200);

    let (status, reply) = http
        .send(http.client.get(renew(&tokens.refresh_token)))
        .await;
    assert_eq!(
        (status, reply["error"].as_str()),
        (400, Some("invalid_grant"))
    );
    let wrong_secret = format!(
        "{}?grant_type=refresh_token&client_id={}&client_secret=nope&refresh_token={}",
        portal.token_url(),
        portal.client_id(),
        renewed["refresh_token"].as_str().unwrap()
    );
    let (status, reply) = http.send(http.client.get(wrong_secret)).await;
    assert_eq!(
        (status, reply["error"].as_str()),
        (401, Some("invalid_client"))
    );
    let stats = portal.stats();
    assert_eq!(
        (
            stats.refreshes,
            stats.refused_refreshes,
            stats.expired_tokens
        ),
        (1, 2, 1)
    );
}

#[tokio::test]
async fn form_bodies_with_php_keys_and_query_strings_are_read() {
    let portal = portal().await;
    let http = Http::new();
    let (status, reply) = http
        .form(
            &format!("{}crm.item.add", portal.webhook_url()),
            "entityTypeId=2&fields[title]=John%26Martin&fields[tags][]=a&fields[tags][]=b",
        )
        .await;
    assert_eq!(status, 200, "{reply}");
    assert_eq!(reply["result"]["item"]["title"], "John&Martin");
    assert_eq!(reply["result"]["item"]["tags"], json!(["a", "b"]));
    let id = reply["result"]["item"]["id"].as_i64().unwrap();
    let (status, reply) = http
        .send(http.client.get(format!(
            "{}crm.item.get.json?entityTypeId=2&id={id}",
            portal.webhook_url()
        )))
        .await;
    assert_eq!(status, 200);
    assert_eq!(reply["result"]["item"]["id"], id);
}

#[tokio::test]
async fn the_leaky_bucket_refuses_bursts_and_drains() {
    let portal = FakePortal::builder()
        .rate_limit(3, 20.0)
        .start()
        .await
        .unwrap();
    let http = Http::new();
    let url = format!("{}user.current", portal.webhook_url());
    let mut statuses = Vec::new();
    for _ in 0..5 {
        statuses.push(http.json(&url, json!({})).await);
    }
    let refused: Vec<_> = statuses
        .iter()
        .filter(|(status, _)| *status == 503)
        .collect();
    assert!(!refused.is_empty(), "{statuses:?}");
    assert_eq!(refused[0].1["error"], "QUERY_LIMIT_EXCEEDED");
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert_eq!(http.json(&url, json!({})).await.0, 200);
    assert_eq!(portal.stats().rate_limited, refused.len());
}

#[tokio::test]
async fn the_request_log_tells_when_each_request_came_and_how_it_ended() {
    let portal = FakePortal::builder()
        .rate_limit(1, 0.5)
        .start()
        .await
        .unwrap();
    let http = Http::new();
    let before = std::time::SystemTime::now();
    http.json(&format!("{}user.current", portal.webhook_url()), json!({}))
        .await;
    http.json(&format!("{}crm.item.list", portal.webhook_url()), json!({}))
        .await;
    http.json(
        &format!("{}/rest/api/user.current", portal.url()),
        json!({}),
    )
    .await;
    let log = portal.request_log();
    let seen: Vec<_> = log
        .iter()
        .map(|request| {
            (
                request.method.as_str(),
                request.status,
                request.error.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        seen,
        [
            ("user.current", 200, None),
            ("crm.item.list", 503, Some("QUERY_LIMIT_EXCEEDED")),
            ("user.current", 503, Some("QUERY_LIMIT_EXCEEDED")),
        ]
    );
    assert!(log[0].at >= before && log[0].at <= log[1].at && log[1].at <= log[2].at);
}

#[tokio::test]
async fn the_operating_time_limit_blocks_only_the_expensive_method() {
    let portal = FakePortal::builder()
        .no_rate_limit()
        .operating_limit(Duration::from_secs(1), Duration::from_secs(6))
        .method_cost("crm.item.list", Duration::from_millis(600))
        .start()
        .await
        .unwrap();
    let http = Http::new();
    let list = format!("{}crm.item.list", portal.webhook_url());
    let (_, first) = http.json(&list, json!({"entityTypeId": 2})).await;
    assert_eq!(first["time"]["operating"], 0.6);
    let reset_at = first["time"]["operating_reset_at"].as_i64().unwrap();
    assert!(reset_at as f64 > first["time"]["start"].as_f64().unwrap() + 59.0);
    let (status, _) = http.json(&list, json!({"entityTypeId": 2})).await;
    assert_eq!(status, 200);
    let (status, reply) = http.json(&list, json!({"entityTypeId": 2})).await;
    assert_eq!(
        (status, reply["error"].as_str()),
        (429, Some("OPERATION_TIME_LIMIT"))
    );
    let (status, _) = http
        .json(&format!("{}user.current", portal.webhook_url()), json!({}))
        .await;
    assert_eq!(status, 200);
    assert_eq!(portal.stats().operating_limited, 1);
}

#[tokio::test]
async fn app_options_are_kept() {
    let portal = portal().await;
    let http = Http::new();
    let hook = portal.webhook_url();
    let (_, all) = http.json(&format!("{hook}app.option.get"), json!({})).await;
    assert_eq!(all["result"], json!([]));
    let (status, reply) = http
        .json(
            &format!("{hook}app.option.set"),
            json!({"options": {"mode": "fast", "n": 3}}),
        )
        .await;
    assert_eq!((status, &reply["result"]), (200, &json!(true)));
    let (_, one) = http
        .json(&format!("{hook}app.option.get"), json!({"option": "mode"}))
        .await;
    assert_eq!(one["result"], "fast");
    let (_, all) = http.json(&format!("{hook}app.option.get"), json!({})).await;
    assert_eq!(all["result"], json!({"mode": "fast", "n": 3}));
    let (status, reply) = http.json(&format!("{hook}app.option.set"), json!({})).await;
    assert_eq!(
        (status, reply["error"].as_str()),
        (400, Some("ArgumentNullException"))
    );
}

#[tokio::test]
async fn users_are_listed_a_page_at_a_time() {
    let portal = FakePortal::builder()
        .no_rate_limit()
        .extra_users(4)
        .page_size(2)
        .start()
        .await
        .unwrap();
    let http = Http::new();
    let url = format!("{}user.get", portal.webhook_url());
    let (_, first) = http.json(&url, json!({})).await;
    assert_eq!(first["result"].as_array().unwrap().len(), 2);
    assert_eq!(
        (first["next"].as_i64(), first["total"].as_i64()),
        (Some(2), Some(5))
    );
    let (_, last) = http.json(&url, json!({"start": 4})).await;
    assert_eq!(last["result"][0]["ID"], "5");
    assert!(last.get("next").is_none());
    let (_, filtered) = http.json(&url, json!({"FILTER": {"ID": 3}})).await;
    assert_eq!(filtered["result"][0]["NAME"], "User3");
    assert_eq!(filtered["total"], 1);
    let (_, by_id) = http
        .json(
            &url,
            json!({"FILTER": {">id": "2", "<=ID": 4}, "sort": "id", "order": "DESC"}),
        )
        .await;
    let ids: Vec<&Value> = by_id["result"]
        .as_array()
        .unwrap()
        .iter()
        .map(|user| &user["ID"])
        .collect();
    assert_eq!(ids, [&json!("4"), &json!("3")]);
}

#[tokio::test]
async fn event_handlers_are_bound_listed_and_unbound() {
    let portal = portal().await;
    let http = Http::new();
    let hook = portal.webhook_url();
    let handler = json!({"event": "onCrmLeadAdd", "handler": "https://example.com/h"});
    for _ in 0..2 {
        let (_, bound) = http
            .json(&format!("{hook}event.bind"), handler.clone())
            .await;
        assert_eq!(bound["result"], true);
    }
    let (_, listed) = http.json(&format!("{hook}event.get"), json!({})).await;
    assert_eq!(
        listed["result"],
        json!([{"event": "ONCRMLEADADD", "handler": "https://example.com/h", "auth_type": "0", "offline": 0}])
    );
    let (_, unbound) = http.json(&format!("{hook}event.unbind"), handler).await;
    assert_eq!(unbound["result"]["count"], 1);
    let (status, reply) = http
        .json(
            &format!("{hook}event.bind"),
            json!({"event": "nope", "handler": "https://example.com"}),
        )
        .await;
    assert_eq!(
        (status, reply["error"].as_str()),
        (400, Some("ERROR_EVENT_NOT_FOUND"))
    );
}

#[tokio::test]
async fn crm_items_are_created_read_listed_updated_and_deleted() {
    let portal = FakePortal::builder()
        .no_rate_limit()
        .page_size(3)
        .start()
        .await
        .unwrap();
    let http = Http::new();
    let hook = portal.webhook_url();
    for n in 1..=7 {
        let (status, _) = http
            .json(
                &format!("{hook}crm.item.add"),
                json!({"entityTypeId": 2, "fields": {"title": format!("Deal {n}"), "opportunity": n * 100}}),
            )
            .await;
        assert_eq!(status, 200);
    }
    let list = format!("{hook}crm.item.list");
    let (_, page) = http
        .json(&list, json!({"entityTypeId": 2, "start": 3}))
        .await;
    let ids: Vec<_> = page["result"]["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].clone())
        .collect();
    assert_eq!(ids, [json!(4), json!(5), json!(6)]);
    assert_eq!(
        (page["next"].as_i64(), page["total"].as_i64()),
        (Some(6), Some(7))
    );

    let (_, fast) = http
        .json(
            &list,
            json!({"entityTypeId": 2, "start": -1, "filter": {">id": 5}, "order": {"id": "ASC"}, "select": ["title"]}),
        )
        .await;
    assert_eq!(
        fast["result"]["items"],
        json!([{"id": 6, "title": "Deal 6"}, {"id": 7, "title": "Deal 7"}])
    );
    assert_eq!(fast["total"], 0);
    assert!(fast.get("next").is_none());

    let (_, sorted) = http
        .json(&list, json!({"entityTypeId": 2, "order": {"opportunity": "DESC"}, "filter": {"<opportunity": 300}}))
        .await;
    assert_eq!(sorted["result"]["items"][0]["id"], 2);

    let (_, updated) = http
        .json(
            &format!("{hook}crm.item.update"),
            json!({"entityTypeId": 2, "id": 3, "fields": {"title": "Won"}}),
        )
        .await;
    assert_eq!(updated["result"]["item"]["title"], "Won");
    let (_, deleted) = http
        .json(
            &format!("{hook}crm.item.delete"),
            json!({"entityTypeId": 2, "id": 3}),
        )
        .await;
    assert_eq!(deleted["result"], json!([]));
    let (status, reply) = http
        .json(
            &format!("{hook}crm.item.get"),
            json!({"entityTypeId": 2, "id": 3}),
        )
        .await;
    assert_eq!((status, reply["error"].as_str()), (400, Some("NOT_FOUND")));
    let (status, reply) = http
        .json(
            &format!("{hook}crm.item.get"),
            json!({"entityTypeId": 5, "id": 1}),
        )
        .await;
    assert_eq!(
        (status, reply["error_description"].as_str()),
        (400, Some("SPA not found"))
    );
    assert_eq!(portal.items(2).len(), 6);
    let (status, reply) = http
        .json(&list, json!({"entityTypeId": 2, "order": {"id": "UP"}}))
        .await;
    assert_eq!(
        (status, reply["error"].as_str()),
        (400, Some("INVALID_ARG_VALUE"))
    );
}

#[tokio::test]
async fn batch_runs_calls_in_order_with_result_references() {
    let portal = portal().await;
    let http = Http::new();
    let (status, reply) = http
        .json_text(
            &format!("{}batch", portal.webhook_url()),
            r#"{"halt": 0, "cmd": {
                "z_add": "crm.item.add?entityTypeId=2&fields[title]=First",
                "a_copy": "crm.item.add?entityTypeId=2&fields[title]=Copy%20of%20$result[z_add][item][id]&fields[parentId]=$result[z_add][item][id]",
                "list": "crm.item.list?entityTypeId=2",
                "bad": "crm.item.get?entityTypeId=2&id=999",
                "nested": "batch?cmd[x]=user.current",
                "me": "user.current"
            }}"#
            .to_owned(),
        )
        .await;
    assert_eq!(status, 200);
    let result = &reply["result"];
    assert_eq!(result["result"]["a_copy"]["item"]["title"], "Copy of 1");
    assert_eq!(result["result"]["a_copy"]["item"]["parentId"], 1);
    assert_eq!(result["result_total"]["list"], 2);
    assert_eq!(result["result_error"]["bad"]["error"], "NOT_FOUND");
    assert_eq!(
        result["result_error"]["nested"]["error"],
        "ERROR_BATCH_METHOD_NOT_ALLOWED"
    );
    assert_eq!(result["result"]["me"]["ID"], "1");
    assert!(result["result_time"]["me"]["duration"].is_number());
    assert_eq!(result["result_next"], json!([]));
}

#[tokio::test]
async fn batch_halts_on_the_first_error_and_caps_at_fifty_calls() {
    let portal = portal().await;
    let http = Http::new();
    let url = format!("{}batch", portal.webhook_url());
    let (_, halted) = http
        .form(
            &url,
            "halt=1&cmd[0]=crm.item.get%3FentityTypeId%3D2%26id%3D1&cmd[1]=user.current",
        )
        .await;
    assert_eq!(halted["result"]["result"], json!([]));
    assert_eq!(halted["result"]["result_error"][0]["error"], "NOT_FOUND");

    let cmd: serde_json::Map<String, Value> = (0..52)
        .map(|i| (format!("c{i:02}"), json!("user.current")))
        .collect();
    let (_, capped) = http.json(&url, json!({"cmd": cmd})).await;
    let result = &capped["result"];
    assert_eq!(result["result"].as_object().unwrap().len(), 50);
    assert_eq!(
        result["result_error"]["c50"]["error"],
        "ERROR_BATCH_LENGTH_EXCEEDED"
    );
    assert_eq!(
        result["result_error"]["c51"]["error"],
        "ERROR_BATCH_LENGTH_EXCEEDED"
    );
    assert_eq!(portal.stats().executed("user.current"), 50);
}

#[tokio::test]
async fn faults_break_replies_as_a_real_network_would() {
    let portal = portal().await;
    let http = Http::new();
    let url = format!("{}crm.item.add", portal.webhook_url());
    let add = json!({"entityTypeId": 2, "fields": {"title": "x"}});

    portal.inject(Fault::new(FaultKind::Html502).method("crm.item.add"));
    let (status, page) = http.json(&url, add.clone()).await;
    assert_eq!(status, 502);
    assert!(page.as_str().unwrap().contains("502 Bad Gateway"));
    assert!(
        portal.items(2).is_empty(),
        "a gateway error does not run the call"
    );

    portal.inject(Fault::new(FaultKind::TruncatedJson));
    let (status, body) = http.json(&url, add.clone()).await;
    assert_eq!(status, 200);
    assert!(body.is_string(), "not valid JSON: {body}");

    portal.inject(Fault::new(FaultKind::DropConnection));
    let response = http
        .client
        .post(&url)
        .header("content-type", "application/json")
        .body(add.to_string())
        .send()
        .await;
    let failed = match response {
        Ok(response) => response.bytes().await.is_err(),
        Err(_) => true,
    };
    assert!(failed, "the body of a dropped connection cannot be read");

    portal.inject(Fault::new(FaultKind::Slow(Duration::from_millis(300))));
    let started = std::time::Instant::now();
    let (status, _) = http.json(&url, add).await;
    assert_eq!(status, 200);
    assert!(started.elapsed() >= Duration::from_millis(300));
    assert_eq!(
        portal.items(2).len(),
        3,
        "the other faults happen after the call ran"
    );
}

#[tokio::test]
async fn rest3_tasks_are_added_and_read_with_rest3_errors() {
    let portal = portal().await;
    let http = Http::new();
    let api = format!("{}/rest/api/1/{}/", portal.url(), portal.webhook_code());
    let (status, added) = http
        .json(
            &format!("{api}tasks.task.add"),
            json!({"fields": {"title": "Report", "creatorId": 1, "responsibleId": 2}}),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(added["result"]["item"]["id"], 1);
    assert!(added["time"]["duration"].is_number());

    let get = format!("{api}tasks.task.get");
    let (status, task) = http.json(&get, json!({"id": 1})).await;
    assert_eq!(status, 200);
    assert_eq!(task["result"]["item"]["title"], "Report");
    assert_eq!(task["result"]["item"]["responsibleId"], 2);
    let (_, selected) = http
        .json(&get, json!({"id": 1, "select": ["title", "noSuchField"]}))
        .await;
    assert_eq!(selected["result"]["item"], json!({"title": "Report"}));

    let (status, missing) = http.json(&get, json!({"id": 7})).await;
    assert_eq!(status, 400);
    assert_eq!(
        missing["error"]["code"],
        "BITRIX_REST_V3_EXCEPTION_ENTITYNOTFOUNDEXCEPTION"
    );
    assert!(missing["error"]["message"].is_string());
    let (status, invalid) = http.json(&get, json!({"id": "1"})).await;
    assert_eq!(status, 400);
    assert_eq!(
        invalid["error"]["code"],
        "BITRIX_REST_V3_EXCEPTION_VALIDATION_REQUESTVALIDATIONEXCEPTION"
    );
    assert_eq!(invalid["error"]["validation"][0]["field"], "id");
    let (status, related) = http
        .json(&get, json!({"id": 1, "select": ["responsible.name"]}))
        .await;
    assert_eq!(
        (status, related["error"]["code"].as_str()),
        (
            400,
            Some("BITRIX_REST_V3_EXCEPTION_UNKNOWNDTOPROPERTYEXCEPTION")
        )
    );

    let (status, form) = http.form(&get, "id=1").await;
    assert_eq!(
        (status, form["error"]["code"].as_str()),
        (400, Some("BITRIX_REST_V3_EXCEPTION_INVALIDJSONEXCEPTION"))
    );
    let (status, query) = http.send(http.client.get(format!("{get}?id=1"))).await;
    assert_eq!(status, 400, "REST 3.0 does not read the query string");
    assert_eq!(query["error"]["validation"][0]["field"], "id");

    let (status, unknown) = http.json(&format!("{api}crm.item.list"), json!({})).await;
    assert_eq!(status, 404);
    assert_eq!(unknown["error"]["code"], "ERROR_METHOD_NOT_FOUND");
    let (status, old) = http
        .json(
            &format!("{}tasks.task.get", portal.webhook_url()),
            json!({"id": 1}),
        )
        .await;
    assert_eq!(
        (status, old["error"].as_str()),
        (404, Some("ERROR_METHOD_NOT_FOUND")),
        "REST 3.0 methods are not at the REST 2 address"
    );
    assert_eq!(portal.stats().executed("tasks.task.get"), 6);
}

#[tokio::test]
async fn seeded_items_are_read_by_identifier_and_chained_in_batch() {
    let portal = portal().await;
    let ids = portal.add_items(2, (1..=120).map(|n| json!({"title": format!("Deal {n}")})));
    assert_eq!(ids, (1..=120).collect::<Vec<i64>>());
    assert_eq!(portal.items(2)[119]["title"], "Deal 120");
    assert_eq!(portal.items(2)[0]["createdBy"], 1);
    let http = Http::new();
    let (_, page) = http
        .json(
            &format!("{}crm.item.list", portal.webhook_url()),
            json!({"entityTypeId": 2, "start": -1, "filter": {">id": 100}, "order": {"id": "ASC"}}),
        )
        .await;
    let items = page["result"]["items"].as_array().unwrap();
    assert_eq!((items.len(), &items[0]["id"]), (20, &json!(101)));

    let list = "crm.item.list?entityTypeId=2&order[id]=ASC&start=-1";
    let (_, chained) = http
        .json(
            &format!("{}batch", portal.webhook_url()),
            json!({"halt": 1, "cmd": {
                "p0": list,
                "p1": format!("{list}&filter[>id]=$result[p0][items][49][id]"),
                "p2": format!("{list}&filter[>id]=$result[p1][items][49][id]"),
            }}),
        )
        .await;
    let pages = &chained["result"]["result"];
    assert_eq!(pages["p1"]["items"][0]["id"], 51);
    assert_eq!(pages["p2"]["items"][0]["id"], 101);
    assert_eq!(pages["p2"]["items"].as_array().unwrap().len(), 20);
    assert_eq!(portal.stats().requests, 2);
}

#[tokio::test]
#[should_panic(expected = "no CRM entity type 5")]
async fn seeding_needs_an_entity_type_the_portal_has() {
    let portal = portal().await;
    portal.add_items(5, [json!({})]);
}

#[tokio::test]
async fn renewals_name_the_client_endpoint_which_answers_rest_calls() {
    let http = Http::new();
    let renew = |portal: &FakePortal, refresh: &str| {
        format!(
            "{}?grant_type=refresh_token&client_id={}&client_secret={}&refresh_token={refresh}",
            portal.token_url(),
            portal.client_id(),
            portal.client_secret()
        )
    };
    let plain = portal().await;
    let tokens = plain.issue_tokens();
    let (_, renewed) = http
        .send(http.client.get(renew(&plain, &tokens.refresh_token)))
        .await;
    assert_eq!(renewed["client_endpoint"], format!("{}/rest/", plain.url()));

    let moved = FakePortal::builder()
        .no_rate_limit()
        .client_endpoint_path("/moved/rest/")
        .start()
        .await
        .unwrap();
    let tokens = moved.issue_tokens();
    let (_, renewed) = http
        .send(http.client.get(renew(&moved, &tokens.refresh_token)))
        .await;
    let endpoint = renewed["client_endpoint"].as_str().unwrap();
    assert_eq!(endpoint, format!("{}/moved/rest/", moved.url()));
    let (status, me) = http
        .json(
            &format!("{endpoint}user.current"),
            json!({"auth": renewed["access_token"]}),
        )
        .await;
    assert_eq!((status, me["result"]["ID"].as_str()), (200, Some("1")));
    let (status, _) = http
        .json(
            &format!("{}/rest/user.current", moved.url()),
            json!({"auth": renewed["access_token"]}),
        )
        .await;
    assert_eq!(status, 200, "the old address keeps working");
    let stats = moved.stats();
    assert_eq!((stats.requests, stats.client_endpoint_requests), (2, 1));
}

#[tokio::test]
async fn rest3_tasks_are_listed_by_conditions_order_and_pagination() {
    let portal = portal().await;
    let http = Http::new();
    let api = format!("{}/rest/api/1/{}/", portal.url(), portal.webhook_code());
    for (title, responsible) in [("a", 1), ("b", 2), ("c", 1), ("d", 2), ("e", 1)] {
        let fields = json!({"title": title, "creatorId": 1, "responsibleId": responsible});
        let (status, _) = http
            .json(&format!("{api}tasks.task.add"), json!({"fields": fields}))
            .await;
        assert_eq!(status, 200);
    }
    let list = format!("{api}tasks.task.list");
    let ids = |reply: &Value| -> Vec<i64> {
        reply["result"]["items"]
            .as_array()
            .expect("items")
            .iter()
            .map(|item| item["id"].as_i64().expect("id"))
            .collect()
    };
    let (status, all) = http.json(&list, json!({})).await;
    assert_eq!(status, 200);
    assert_eq!(ids(&all), [1, 2, 3, 4, 5]);
    assert_eq!(
        all["result"]["items"][0],
        json!({"id": 1}),
        "only id without select"
    );
    assert!(all.get("next").is_none() && all.get("total").is_none());
    let (_, page) = http
        .json(
            &list,
            json!({"select": ["title"], "pagination": {"limit": 2, "offset": 1}}),
        )
        .await;
    assert_eq!(ids(&page), [2, 3]);
    assert_eq!(page["result"]["items"][0]["title"], "b");
    let (_, by_page) = http
        .json(&list, json!({"pagination": {"limit": 2, "page": 3}}))
        .await;
    assert_eq!(ids(&by_page), [5]);
    let (_, filtered) = http
        .json(
            &list,
            json!({"filter": [["responsibleId", 1], ["id", ">", 1]], "order": {"id": "DESC"}}),
        )
        .await;
    assert_eq!(ids(&filtered), [5, 3]);
    let (_, listed) = http
        .json(
            &list,
            json!({"filter": [["id", "in", [2, 4]], ["id", "!=", 4]]}),
        )
        .await;
    assert_eq!(ids(&listed), [2]);
    for (bad, code) in [
        (
            json!({"filter": [["id", "~", 1]]}),
            "BITRIX_REST_V3_EXCEPTION_UNKNOWNFILTEROPERATOREXCEPTION",
        ),
        (
            json!({"filter": {"id": 1}}),
            "BITRIX_REST_V3_EXCEPTION_VALIDATION_REQUESTVALIDATIONEXCEPTION",
        ),
        (
            json!({"pagination": {"limit": 5000}}),
            "BITRIX_REST_V3_EXCEPTION_VALIDATION_REQUESTVALIDATIONEXCEPTION",
        ),
    ] {
        let (status, error) = http.json(&list, bad.clone()).await;
        assert_eq!(
            (status, error["error"]["code"].as_str()),
            (400, Some(code)),
            "{bad}"
        );
    }
}

#[tokio::test]
async fn an_idempotency_key_runs_a_rest3_write_once() {
    let portal = portal().await;
    let http = Http::new();
    let add = format!(
        "{}/rest/api/1/{}/tasks.task.add",
        portal.url(),
        portal.webhook_code()
    );
    let send = |key: &'static str, title: &str| {
        http.client
            .post(&add)
            .header("content-type", "application/json")
            .header("idempotency-key", key)
            .body(
                json!({"fields": {"title": title, "creatorId": 1, "responsibleId": 1}}).to_string(),
            )
            .send()
    };
    let first = send("key-1", "once").await.unwrap();
    assert_eq!(first.headers()["idempotency-key"], "key-1");
    assert!(first.headers().get("idempotent-replayed").is_none());
    let first: Value = serde_json::from_slice(&first.bytes().await.unwrap()).unwrap();
    let again = send("key-1", "once").await.unwrap();
    assert_eq!(again.headers()["idempotent-replayed"], "true");
    let again: Value = serde_json::from_slice(&again.bytes().await.unwrap()).unwrap();
    assert_eq!(again, first, "the stored reply");
    let changed = send("key-1", "other").await.unwrap();
    assert_eq!(changed.status(), 422);
    let changed: Value = serde_json::from_slice(&changed.bytes().await.unwrap()).unwrap();
    assert_eq!(
        changed["error"]["code"],
        "BITRIX_REST_V3_EXCEPTION_IDEMPOTENCYKEYREUSEDEXCEPTION"
    );
    let second = send("key-2", "once").await.unwrap();
    let second: Value = serde_json::from_slice(&second.bytes().await.unwrap()).unwrap();
    assert_eq!(
        second["result"]["item"]["id"], 2,
        "another key, another call"
    );
    let bad = send("", "x").await.unwrap();
    assert_eq!(bad.status(), 400);
    let stats = portal.stats();
    assert_eq!(stats.executed("tasks.task.add"), 2);
    assert_eq!(stats.idempotent_replays, 1);
}

#[tokio::test]
async fn tokens_are_renewed_with_a_post_body_or_a_query() {
    let portal = portal().await;
    let http = Http::new();
    let issued = portal.issue_tokens();
    let form = format!(
        "grant_type=refresh_token&client_id={}&client_secret={}&refresh_token={}",
        portal.client_id(),
        portal.client_secret(),
        issued.refresh_token
    );
    let (status, posted) = http
        .send(
            http.client
                .post(portal.token_url())
                .header("content-type", "application/x-www-form-urlencoded")
                .body(form.clone()),
        )
        .await;
    assert_eq!(status, 200, "{posted}");
    let form = form.replace(
        &issued.refresh_token,
        posted["refresh_token"].as_str().unwrap(),
    );
    let (status, queried) = http
        .send(http.client.get(format!("{}?{form}", portal.token_url())))
        .await;
    assert_eq!(status, 200, "{queried}");
    assert_eq!(portal.stats().refreshes, 2);
}
