//! Reads every deal, and every user, with fast listing: pages selected by identifier with
//! `start = -1`, 50 pages per `batch` request.
//!
//! With `BITRIX24_WEBHOOK_URL` set (`https://<portal>/rest/<user>/<code>/`) it reads that
//! portal; without, a local fake portal holding 10,000 deals.
//!
//! ```sh
//! cargo run -p bitrix24-runtime --example list_all
//! ```

use std::time::Instant;

use bitrix24::user::Get;
use bitrix24_fake_portal::FakePortal;
use bitrix24_runtime::Client;
use bitrix24_runtime::client::{FastListing, RateLimit, Webhook};
use futures::TryStreamExt;
use serde_json::{Value, json};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // Keep the fake portal alive for as long as the client uses it.
    let (url, fake) = match std::env::var("BITRIX24_WEBHOOK_URL") {
        Ok(url) => (url, None),
        Err(_) => {
            let fake = FakePortal::start().await?;
            fake.add_items(
                2,
                (1..=10_000).map(|n| json!({"title": format!("Deal {n}"), "opportunity": n})),
            );
            (fake.webhook_url(), Some(fake))
        }
    };
    let client = Client::builder(Webhook::from_url(&url)?)
        .rate_limit(RateLimit::STANDARD)
        .allow_http(url.starts_with("http://127.0.0.1"))
        .build()?;

    let started = Instant::now();
    let params = json!({"entityTypeId": 2, "select": ["id", "title", "opportunity"]});
    let deals = client.list_fast_raw(
        "crm.item.list",
        params,
        FastListing::new().items_at("items"),
    );
    let (count, sum) = deals
        .try_fold((0_u64, 0.0), |(count, sum), deal| async move {
            Ok((count + 1, sum + amount(&deal["opportunity"])))
        })
        .await?;
    println!(
        "{count} deals worth {sum:.2} in {:.0} ms",
        started.elapsed().as_secs_f64() * 1e3
    );
    if let Some(fake) = &fake {
        println!("{} HTTP requests", fake.stats().requests);
    }

    // Typed: `user.get` names its filter `FILTER`, sorts with `sort` / `order`, and its
    // users have an `ID`.
    let listing = FastListing::new()
        .id_field("ID")
        .filter_param("FILTER")
        .sort_params("sort", "order");
    let users: Vec<_> = client.list_fast(Get::new(), listing).try_collect().await?;
    for user in &users {
        println!("user {:?}: {:?}", user.id, user.name);
    }
    Ok(())
}

/// A deal's amount, which portals send as a number or as a string.
fn amount(value: &Value) -> f64 {
    match value {
        Value::String(text) => text.parse().unwrap_or(0.0),
        other => other.as_f64().unwrap_or(0.0),
    }
}
