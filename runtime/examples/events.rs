//! Receiving Bitrix24 events in an axum application.
//!
//! The application binds its handlers with `event.bind`, keeps the application token
//! that `ONAPPINSTALL` brings (after checking the access token that comes with it
//! against the portal), and from then on accepts only deliveries that carry that token.
//! Here the portal is a local fake: it posts `ONAPPINSTALL`, then an `ONCRMDEALADD` for
//! a deal the example adds; a forged delivery is refused; after `event.unbind` no more
//! events arrive.
//!
//! ```sh
//! cargo run -p bitrix24-runtime --example events --features axum
//! ```

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
use bitrix24_runtime::client::{MemoryTokenStore, OAuth, Tokens};
use bitrix24_runtime::events::axum::{Installation, Verified};
use bitrix24_runtime::events::{
    ApplicationToken, ApplicationTokens, Delivery, Event, EventError, EventReceiver, EventSet,
};
use serde::Deserialize;
use serde_json::Value;

/// `data` of `ONCRMDEALADD`. The code generator emits such types for every event.
#[derive(Debug, Deserialize)]
struct DealAddData {
    #[serde(rename = "FIELDS")]
    fields: DealAddFields,
}

#[derive(Debug, Deserialize)]
struct DealAddFields {
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
    type Data = DealAddData;
}

/// The events this application handles.
#[derive(Debug)]
enum AppEvent {
    DealAdd(Delivery<DealAddData>),
    Other(Delivery<Value>),
}

impl EventSet for AppEvent {
    fn from_delivery(delivery: Delivery<Value>) -> Result<Self, EventError> {
        if OnCrmDealAdd::matches(&delivery.event) {
            delivery.into_event::<OnCrmDealAdd>().map(Self::DealAdd)
        } else {
            Ok(Self::Other(delivery))
        }
    }
}

/// What the handlers share.
#[derive(Clone)]
struct App {
    receiver: EventReceiver,
    tokens: ApplicationTokens,
    /// The portal the application was made for, with its OAuth keys.
    portal_url: String,
    token_url: String,
    client_id: String,
    client_secret: String,
    received: Arc<Mutex<Vec<String>>>,
}

impl FromRef<App> for EventReceiver {
    fn from_ref(app: &App) -> Self {
        app.receiver.clone()
    }
}

/// Keeps the application token of `ONAPPINSTALL` once the access token that came with
/// it works on the expected portal (never on the `client_endpoint` the request names).
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
    let oauth = OAuth::new(
        app.portal_url.clone(),
        app.client_id.clone(),
        app.client_secret.clone(),
        Tokens::new(access, refresh),
        MemoryTokenStore::new(),
    )
    .token_url(app.token_url.clone());
    let Ok(client) = Client::builder(oauth).allow_http(true).build() else {
        return StatusCode::INTERNAL_SERVER_ERROR;
    };
    if client.call(&Current::new()).await.is_err() {
        return StatusCode::FORBIDDEN;
    }
    app.tokens.insert(member_id, ApplicationToken::new(token));
    println!("installed: application token kept");
    StatusCode::OK
}

/// Runs only for verified deliveries; anything else was already answered 4xx.
async fn on_event(State(app): State<App>, Verified(event): Verified<AppEvent>) {
    let line = match event {
        AppEvent::DealAdd(delivery) => format!("deal {} added", delivery.data.fields.id),
        AppEvent::Other(delivery) => format!("{} (not handled)", delivery.event),
    };
    println!("event: {line}");
    app.received.lock().unwrap().push(line);
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let portal = FakePortal::start().await?;
    let tokens = ApplicationTokens::new();
    let app = App {
        receiver: EventReceiver::new(tokens.clone()),
        tokens,
        portal_url: portal.url().to_owned(),
        token_url: portal.token_url(),
        client_id: portal.client_id(),
        client_secret: portal.client_secret(),
        received: Arc::default(),
    };
    let received = Arc::clone(&app.received);
    let router = Router::new()
        .route("/install", post(on_install))
        .route("/events", post(on_event))
        .with_state(app);
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0)).await?;
    let app_url = format!("http://{}", listener.local_addr()?);
    tokio::spawn(async move { axum::serve(listener, router).await });

    // The installer binds the handlers with the administrator's tokens.
    let issued = portal.issue_tokens();
    let client = Client::builder(
        OAuth::new(
            portal.url(),
            portal.client_id(),
            portal.client_secret(),
            Tokens::new(issued.access_token, issued.refresh_token),
            MemoryTokenStore::new(),
        )
        .token_url(portal.token_url()),
    )
    .allow_http(true)
    .build()?;
    let events_url = format!("{app_url}/events");
    client
        .call(&Bind::new("ONAPPINSTALL", format!("{app_url}/install")))
        .await?;
    client.call(&Bind::new("ONCRMDEALADD", &events_url)).await?;

    portal.install_app();
    portal.flush_events().await;

    client
        .call(&Add::new(2, AddFields::new().title("From the example")))
        .await?;
    portal.flush_events().await;

    let forged = reqwest::Client::new()
        .post(&events_url)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(
            "event=ONCRMDEALADD&data%5BFIELDS%5D%5BID%5D=1\
             &auth%5Bmember_id%5D=fakeportal00000000000000000000\
             &auth%5Bapplication_token%5D=forged",
        )
        .send()
        .await?;
    println!(
        "forged delivery: HTTP {} {}",
        forged.status().as_u16(),
        forged.text().await?
    );

    client
        .call(&Unbind::new("ONCRMDEALADD", &events_url))
        .await?;
    client
        .call(&Add::new(2, AddFields::new().title("Nobody hears this")))
        .await?;
    portal.flush_events().await;

    let received = received.lock().unwrap().clone();
    println!("events handled: {}", received.len());
    assert_eq!(
        received.len(),
        1,
        "one verified deal event, none after unbinding"
    );
    Ok(())
}
