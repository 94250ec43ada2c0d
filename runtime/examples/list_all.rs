//! Reads every deal, typed, with fast listing (`Client::list_fast`): pages selected by
//! identifier with `start = -1`, 50 pages per `batch` request; then every user. Neither
//! needs a description by hand: the generated requests implement `FastListed`.
//!
//! With `BITRIX24_WEBHOOK_URL` set (`https://<portal>/rest/<user>/<code>/`) it reads that
//! portal; without, a local fake portal holding 120 deals.
//!
//! ```sh
//! cargo run -p bitrix24-runtime --example list_all
//! ```

use std::time::Instant;

use bitrix24::crm::item::List;
use bitrix24::user::Get;
use bitrix24_fake_portal::FakePortal;
use bitrix24_runtime::Client;
use bitrix24_runtime::client::{RateLimit, Webhook};
use serde_json::json;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // Keep the fake portal alive for as long as the client uses it.
    let (url, fake) = match std::env::var("BITRIX24_WEBHOOK_URL") {
        Ok(url) => (url, None),
        Err(_) => {
            let fake = FakePortal::start().await?;
            fake.add_items(
                2,
                (1..=120).map(|n| json!({"title": format!("Deal {n}"), "opportunity": n})),
            );
            (fake.webhook_url(), Some(fake))
        }
    };
    let client = Client::builder(Webhook::from_url(&url)?)
        .rate_limit(RateLimit::STANDARD)
        .allow_http(url.starts_with("http://127.0.0.1"))
        .build()?;

    let started = Instant::now();
    // `crm.item.list` reads by identifier as its spec says (`FastListed`): no description
    // by hand. Every deal is the shared `bitrix24::types::CrmItem`.
    let deals = client.list_fast(&List::new(2)).await?;
    for deal in &deals {
        println!(
            "deal {}: {}",
            deal.id.unwrap_or_default(),
            deal.title.as_deref().unwrap_or("")
        );
    }
    println!(
        "{} deals in {:.0} ms",
        deals.len(),
        started.elapsed().as_secs_f64() * 1e3
    );
    if let Some(fake) = &fake {
        println!("{} HTTP requests", fake.stats().requests);
    }

    // `user.get` names its filter `FILTER` and sorts with `sort` / `order`; its spec says
    // so too.
    for user in client.list_fast(&Get::new()).await? {
        println!("user {:?}: {:?}", user.id, user.name);
    }
    Ok(())
}
