//! Shared set-up of the end-to-end tests.

use std::time::Duration;

use bitrix24::crm::item::{Add, AddFields};
use bitrix24_fake_portal::FakePortal;
use bitrix24_runtime::client::{
    ClientBuilder, MemoryTokenStore, OAuth, RateLimit, RetryPolicy, Tokens, Webhook,
};
use bitrix24_runtime::{ApiError, ApiVersion, Client, FastListed, FastListing, Method, Paged};
use serde::{Deserialize, Serialize};

/// Retries that are quick enough for tests.
pub fn fast_retry() -> RetryPolicy {
    RetryPolicy::default()
        .max_attempts(8)
        .initial_backoff(Duration::from_millis(10))
        .max_backoff(Duration::from_millis(200))
}

/// A webhook client of `portal` with quick retries and a rate limit that does not get in
/// the way.
pub fn webhook(portal: &FakePortal) -> ClientBuilder {
    Client::builder(Webhook::from_url(&portal.webhook_url()).expect("webhook URL"))
        .allow_http(true)
        .retry(fast_retry())
        .rate_limit(RateLimit::new(1000.0, 1000))
}

/// An OAuth client of `portal` with freshly issued tokens, saving renewals to `store`.
pub fn oauth(
    portal: &FakePortal,
    store: impl bitrix24_runtime::client::TokenStore + 'static,
) -> ClientBuilder {
    let issued = portal.issue_tokens();
    let auth = OAuth::new(
        portal.url(),
        portal.client_id(),
        portal.client_secret(),
        Tokens::new(issued.access_token, issued.refresh_token),
        store,
    )
    .token_url(portal.token_url());
    Client::builder(auth)
        .allow_http(true)
        .retry(fast_retry())
        .rate_limit(RateLimit::new(1000.0, 1000))
}

/// A store for the tests that look at the renewed tokens.
pub fn store() -> std::sync::Arc<MemoryTokenStore> {
    std::sync::Arc::new(MemoryTokenStore::new())
}

/// `crm.item.add` of a deal.
pub fn deal(title: &str) -> Add {
    Add::new(2, AddFields::new().title(title))
}

/// REST 3.0 `tasks.task.add`, written by hand as any `Method` can be.
#[derive(Debug, Serialize)]
pub struct TaskAdd {
    pub fields: TaskFields,
}

/// The `fields` of [`TaskAdd`].
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TaskFields {
    pub title: String,
    pub creator_id: i64,
    pub responsible_id: i64,
}

/// REST 3.0 `tasks.task.get`.
#[derive(Debug, Serialize)]
pub struct TaskGet {
    pub id: i64,
}

/// The `result` of [`TaskAdd`] and [`TaskGet`].
#[derive(Debug, Deserialize)]
pub struct TaskReply {
    pub item: Task,
}

/// The fields of a task the tests read.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Task {
    pub id: i64,
    pub title: String,
    pub responsible_id: i64,
}

impl Method for TaskAdd {
    const NAME: &'static str = "tasks.task.add";
    const API_VERSION: ApiVersion = ApiVersion::V3;
    const SCOPES: &'static [&'static str] = &["task"];
    const BATCH: bool = false;
    const SAFE_TO_REPEAT: bool = false;
    type Response = TaskReply;
    type Error = ApiError;
}

impl Method for TaskGet {
    const NAME: &'static str = "tasks.task.get";
    const API_VERSION: ApiVersion = ApiVersion::V3;
    const SCOPES: &'static [&'static str] = &["task"];
    const BATCH: bool = false;
    const SAFE_TO_REPEAT: bool = true;
    type Response = TaskReply;
    type Error = ApiError;
}

/// `crm.item.list` with the parameters the tests use, as a typed list method.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ItemList {
    pub entity_type_id: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub filter: Option<serde_json::Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start: Option<i64>,
}

/// The `result` of [`ItemList`].
#[derive(Debug, Deserialize)]
pub struct ItemListResponse {
    pub items: Vec<Item>,
}

/// The fields of a CRM item the tests read.
#[derive(Debug, Deserialize)]
pub struct Item {
    pub id: i64,
    pub title: String,
}

impl Method for ItemList {
    const NAME: &'static str = "crm.item.list";
    const API_VERSION: ApiVersion = ApiVersion::V2;
    const SCOPES: &'static [&'static str] = &["crm"];
    const BATCH: bool = true;
    const SAFE_TO_REPEAT: bool = true;
    type Response = ItemListResponse;
    type Error = ApiError;
}

impl Paged for ItemList {
    type Item = Item;

    fn set_start(&mut self, start: i64) {
        self.start = Some(start);
    }

    fn into_items(response: ItemListResponse) -> Vec<Item> {
        response.items
    }
}

impl FastListed for ItemList {
    fn fast_listing() -> FastListing {
        FastListing::new().items_at("items")
    }
}

impl ItemList {
    /// Every deal.
    pub fn deals() -> Self {
        Self {
            entity_type_id: 2,
            filter: None,
            start: None,
        }
    }
}

/// `count` deals titled `deal 1`, `deal 2`, … created in the portal's memory.
pub fn seed_deals(portal: &FakePortal, count: usize) -> Vec<i64> {
    portal.add_items(
        2,
        (1..=count).map(|n| serde_json::json!({"title": format!("deal {n}")})),
    )
}

/// `crm.item.get`, typed with an integer `id`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ItemGet {
    pub entity_type_id: i64,
    pub id: i64,
}

/// The `result` of [`ItemGet`].
#[derive(Debug, Deserialize)]
pub struct ItemReply {
    pub item: Item,
}

impl Method for ItemGet {
    const NAME: &'static str = "crm.item.get";
    const API_VERSION: ApiVersion = ApiVersion::V2;
    const SCOPES: &'static [&'static str] = &["crm"];
    const BATCH: bool = true;
    const SAFE_TO_REPEAT: bool = true;
    type Response = ItemReply;
    type Error = ApiError;
}

/// REST 3.0 `tasks.task.list`, paged by `pagination`.
#[derive(Debug, Clone, Default, Serialize)]
pub struct TaskList {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub filter: Vec<serde_json::Value>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub select: Vec<String>,
    #[serde(skip_serializing_if = "serde_json::Map::is_empty")]
    pub pagination: serde_json::Map<String, serde_json::Value>,
}

/// The `result` of [`TaskList`].
#[derive(Debug, Deserialize)]
pub struct TaskListReply {
    pub items: Vec<TaskRef>,
}

/// A listed task: its identifier and, when selected, its title.
#[derive(Debug, Deserialize)]
pub struct TaskRef {
    pub id: i64,
    #[serde(default)]
    pub title: Option<String>,
}

impl Method for TaskList {
    const NAME: &'static str = "tasks.task.list";
    const API_VERSION: ApiVersion = ApiVersion::V3;
    const SCOPES: &'static [&'static str] = &["task"];
    const BATCH: bool = false;
    const SAFE_TO_REPEAT: bool = true;
    type Response = TaskListReply;
    type Error = ApiError;
}

impl Paged for TaskList {
    type Item = TaskRef;

    fn set_start(&mut self, start: i64) {
        self.pagination.remove("page");
        self.pagination
            .insert("offset".to_owned(), serde_json::Value::from(start));
    }

    fn into_items(response: TaskListReply) -> Vec<TaskRef> {
        response.items
    }
}

impl FastListed for TaskList {
    fn fast_listing() -> FastListing {
        FastListing::new()
            .conditions_filter("filter")
            .items_at("items")
            .pages_per_request(1)
    }
}

/// `count` tasks titled `task 1`, `task 2`, … added through the REST 3.0 API.
pub async fn seed_tasks(client: &Client, count: usize) {
    for n in 1..=count {
        client
            .call(&TaskAdd {
                fields: TaskFields {
                    title: format!("task {n}"),
                    creator_id: 1,
                    responsible_id: 1,
                },
            })
            .await
            .expect("task added");
    }
}
