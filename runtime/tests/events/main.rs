//! Inbound events end to end: an axum application binds handlers with `event.bind`
//! through the client, takes `ONAPPINSTALL` from the fake portal, then receives, verifies
//! and decodes the portal's item events, refuses a forged one, and gets nothing more once
//! it has unbound; offline events are read back with `event.offline.get`.

use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::{FromRef, State};
use axum::http::StatusCode;
use axum::routing::post;
use bitrix24::crm::item::{Add, AddFields};
use bitrix24::event::{Bind, Unbind};
use bitrix24::user::Current;
use bitrix24_fake_portal::FakePortal;
use bitrix24_runtime::Client;
use bitrix24_runtime::client::{MemoryTokenStore, OAuth, RateLimit, Tokens};
use bitrix24_runtime::events::axum::{Installation, Verified};
use bitrix24_runtime::events::{
    ApplicationToken, ApplicationTokens, DecodeLimits, Delivery, Event, EventError, EventReceiver,
    EventSet, OfflineClear, OfflineGet, decode_delivery,
};
use serde::Deserialize;
use serde_json::Value;

/// `data` of the CRM events of one object: `FIELDS[ID]`.
#[derive(Debug, Deserialize)]
struct ObjectData {
    #[serde(rename = "FIELDS")]
    fields: ObjectFields,
}

#[derive(Debug, Deserialize)]
struct ObjectFields {
    #[serde(
        rename = "ID",
        with = "bitrix24_runtime::wire::As::<bitrix24_runtime::wire::Int>"
    )]
    id: i64,
}

struct OnCrmDealAdd;

impl Event for OnCrmDealAdd {
    const NAME: &'static str = "ONCRMDEALADD";
    const SCOPES: &'static [&'static str] = &["crm"];
    type Data = ObjectData;
}

struct OnCrmDealUpdate;

impl Event for OnCrmDealUpdate {
    const NAME: &'static str = "ONCRMDEALUPDATE";
    const SCOPES: &'static [&'static str] = &["crm"];
    type Data = ObjectData;
}

/// The events the application handles, as the generated enum of all events would be.
#[derive(Debug)]
enum AppEvent {
    DealAdd(Delivery<ObjectData>),
    DealUpdate(Delivery<ObjectData>),
    Unknown(Delivery<Value>),
}

impl EventSet for AppEvent {
    fn from_delivery(delivery: Delivery<Value>) -> Result<Self, EventError> {
        if OnCrmDealAdd::matches(&delivery.event) {
            delivery.into_event::<OnCrmDealAdd>().map(Self::DealAdd)
        } else if OnCrmDealUpdate::matches(&delivery.event) {
            delivery
                .into_event::<OnCrmDealUpdate>()
                .map(Self::DealUpdate)
        } else {
            Ok(Self::Unknown(delivery))
        }
    }
}

/// The application: where it keeps application tokens, and what it received.
#[derive(Clone)]
struct App {
    receiver: EventReceiver,
    tokens: ApplicationTokens,
    portal_url: String,
    token_url: String,
    client_id: String,
    client_secret: String,
    deals: Arc<Mutex<Vec<i64>>>,
    others: Arc<Mutex<Vec<String>>>,
}

impl FromRef<App> for EventReceiver {
    fn from_ref(app: &App) -> Self {
        app.receiver.clone()
    }
}

/// `ONAPPINSTALL`: the application confirms the access token it brings by calling the
/// portal it expects (not the `client_endpoint` the request names), and only then keeps
/// the application token.
async fn on_install(State(app): State<App>, Installation(delivery): Installation) -> StatusCode {
    let auth = delivery.auth;
    let (Some(access), Some(refresh), Some(token), Some(member_id)) = (
        auth.access_token,
        auth.refresh_token,
        auth.application_token,
        auth.member_id,
    ) else {
        return StatusCode::BAD_REQUEST;
    };
    let client = Client::builder(
        OAuth::new(
            app.portal_url.clone(),
            app.client_id.clone(),
            app.client_secret.clone(),
            Tokens::new(access, refresh),
            MemoryTokenStore::new(),
        )
        .token_url(app.token_url.clone()),
    )
    .allow_http(true)
    .build()
    .expect("client");
    if client.call(&Current::new()).await.is_err() {
        return StatusCode::FORBIDDEN;
    }
    app.tokens.insert(member_id, ApplicationToken::new(token));
    StatusCode::OK
}

async fn on_event(State(app): State<App>, Verified(event): Verified<AppEvent>) {
    match event {
        AppEvent::DealAdd(delivery) => app.deals.lock().unwrap().push(delivery.data.fields.id),
        AppEvent::DealUpdate(delivery) => app.others.lock().unwrap().push(delivery.event),
        AppEvent::Unknown(delivery) => app.others.lock().unwrap().push(delivery.event),
    }
}

/// Starts the application on `127.0.0.1` and returns its base URL.
async fn serve(app: App) -> String {
    let router = Router::new()
        .route("/install", post(on_install))
        .route("/events", post(on_event))
        .with_state(app);
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0))
        .await
        .expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("address"));
    tokio::spawn(async move { axum::serve(listener, router).await });
    url
}

/// An OAuth client of the installing administrator.
fn admin_client(portal: &FakePortal) -> Client {
    let issued = portal.issue_tokens();
    let auth = OAuth::new(
        portal.url(),
        portal.client_id(),
        portal.client_secret(),
        Tokens::new(issued.access_token, issued.refresh_token),
        MemoryTokenStore::new(),
    )
    .token_url(portal.token_url());
    Client::builder(auth)
        .allow_http(true)
        .rate_limit(RateLimit::new(1000.0, 1000))
        .build()
        .expect("client")
}

async fn add_deal(client: &Client, title: &str) -> i64 {
    let added = client
        .call(&Add::new(2, AddFields::new().title(title)))
        .await
        .expect("crm.item.add");
    added.item.and_then(|item| item.id).expect("item id")
}

fn app_of(portal: &FakePortal) -> App {
    let tokens = ApplicationTokens::new();
    App {
        receiver: EventReceiver::new(tokens.clone()),
        tokens,
        portal_url: portal.url().to_owned(),
        token_url: portal.token_url(),
        client_id: portal.client_id(),
        client_secret: portal.client_secret(),
        deals: Arc::default(),
        others: Arc::default(),
    }
}

#[tokio::test]
async fn install_then_verified_item_events_until_unbound() {
    let portal = FakePortal::builder()
        .no_rate_limit()
        .start()
        .await
        .expect("portal");
    let app = app_of(&portal);
    let deals = Arc::clone(&app.deals);
    let app_url = serve(app.clone()).await;
    let events_url = format!("{app_url}/events");
    let client = admin_client(&portal);

    for (event, handler) in [
        ("ONAPPINSTALL", format!("{app_url}/install")),
        ("ONCRMDEALADD", events_url.clone()),
    ] {
        let bound = client
            .call(&Bind::new(event, handler))
            .await
            .expect("event.bind");
        assert!(bound.into_inner());
    }

    // Deliveries before the installation are refused: no token is known yet.
    add_deal(&client, "Too early").await;
    portal.flush_events().await;
    assert_eq!(portal.stats().events_refused, 1);

    portal.install_app();
    portal.flush_events().await;
    assert_eq!(portal.stats().events_delivered, 1, "ONAPPINSTALL accepted");
    let expected = portal.application_token();
    let probe = decode_delivery(
        format!(
            "event=X&auth[member_id]=fakeportal00000000000000000000\
             &auth[application_token]={expected}"
        )
        .as_bytes(),
        Some("application/x-www-form-urlencoded"),
        &DecodeLimits::default(),
    )
    .expect("delivery");
    assert_eq!(app.receiver.verify(&probe), Ok(()), "the token was kept");

    let id = add_deal(&client, "Deal").await;
    portal.flush_events().await;
    assert_eq!(*deals.lock().unwrap(), [id]);

    // A forged delivery, the same but for the token, is refused with 403 and not handled.
    let forged = format!(
        "event=ONCRMDEALADD&event_handler_id=2&data%5BFIELDS%5D%5BID%5D=999\
         &auth%5Bmember_id%5D=fakeportal00000000000000000000\
         &auth%5Bapplication_token%5D={}",
        "0".repeat(expected.len())
    );
    let reply = reqwest::Client::new()
        .post(&events_url)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(forged)
        .send()
        .await
        .expect("post");
    assert_eq!(reply.status(), 403);
    let text = reply.text().await.expect("text");
    assert!(!text.contains(&expected), "{text}");
    assert_eq!(*deals.lock().unwrap(), [id]);

    let unbound = client
        .call(&Unbind::new("ONCRMDEALADD", events_url.clone()))
        .await
        .expect("event.unbind");
    assert_eq!(unbound.count, Some(1));
    add_deal(&client, "Unheard").await;
    portal.flush_events().await;
    assert_eq!(*deals.lock().unwrap(), [id], "no event after unbinding");
    let stats = portal.stats();
    assert_eq!((stats.events_delivered, stats.events_refused), (2, 1));
    assert!(app.others.lock().unwrap().is_empty());
}

#[tokio::test]
async fn offline_events_decode_into_the_same_types() {
    let portal = FakePortal::builder()
        .no_rate_limit()
        .start()
        .await
        .expect("portal");
    let client = admin_client(&portal);
    client
        .call_raw(
            "event.bind",
            serde_json::json!({"event": "onCrmDealUpdate", "event_type": "offline"}),
        )
        .await
        .expect("event.bind");
    let id = add_deal(&client, "Deal").await;
    for title in ["Renamed", "Renamed again"] {
        client
            .call_raw(
                "crm.item.update",
                serde_json::json!({"entityTypeId": 2, "id": id, "fields": {"title": title}}),
            )
            .await
            .expect("crm.item.update");
    }

    let batch = client
        .call(&OfflineGet::new().limit(10).reserve())
        .await
        .expect("event.offline.get");
    let process_id = batch.process_id.clone().expect("reserved");
    assert_eq!(batch.events.len(), 1, "one record per changed deal");
    match batch.events[0].decode::<AppEvent>().expect("decodes") {
        AppEvent::DealUpdate(delivery) => assert_eq!(delivery.data.fields.id, id),
        other => panic!("not a deal update: {other:?}"),
    }
    assert!(
        client
            .call(&OfflineGet::new())
            .await
            .expect("event.offline.get")
            .events
            .is_empty(),
        "reserved records are hidden"
    );
    assert!(
        client
            .call(&OfflineClear::new(process_id.clone()))
            .await
            .expect("event.offline.clear")
    );
    let again = client
        .call(&OfflineGet::new().process_id(process_id))
        .await
        .expect("event.offline.get");
    assert!(again.events.is_empty(), "cleared");
}
