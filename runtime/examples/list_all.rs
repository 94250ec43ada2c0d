//! Reads every deal, typed, with fast listing (`Client::list_fast`): pages selected by
//! identifier with `start = -1`, 50 pages per `batch` request; then every user, with a
//! description given by hand (`Client::list_fast_with`).
//!
//! With `BITRIX24_WEBHOOK_URL` set (`https://<portal>/rest/<user>/<code>/`) it reads that
//! portal; without, a local fake portal holding 120 deals.
//!
//! ```sh
//! cargo run -p bitrix24-runtime --example list_all
//! ```

use std::time::Instant;

use bitrix24::user::Get;
use bitrix24_fake_portal::FakePortal;
use bitrix24_runtime::client::{RateLimit, Webhook};
use bitrix24_runtime::{Client, FastListing};
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
    let deals = client.list_fast(&local::DealList::new()).await?;
    for deal in &deals {
        // The docs do not list `title` among the fields of a listed item, so the
        // generated item keeps it with the other undocumented fields.
        let title = deal.extra.get("title").and_then(|title| title.as_str());
        println!(
            "deal {}: {}",
            deal.id.unwrap_or_default(),
            title.unwrap_or("")
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

    // `user.get` names its filter `FILTER`, sorts with `sort` / `order`, and its users
    // have an `ID`.
    let users = FastListing::new()
        .id_field("ID")
        .filter_param("FILTER")
        .sort_params("sort", "order");
    for user in client.list_fast_with(&Get::new(), users).await? {
        println!("user {:?}: {:?}", user.id, user.name);
    }
    Ok(())
}

/// LOCAL STAND-IN, to be deleted once the generated crate implements `Paged` and
/// `FastListed` for `bitrix24::crm::item::List` (elements under `items`, identifier
/// `id`, `FastListing::new().items_at("items")`); `main` then lists
/// `bitrix24::crm::item::List::new(2)` directly.
mod local {
    use bitrix24::crm::item::List;
    use bitrix24::types::CrmItem;
    use bitrix24_runtime::{FastListed, FastListing, Method, Paged};
    use serde::Serialize;

    /// `crm.item.list` of deals.
    #[derive(Debug, Serialize)]
    #[serde(transparent)]
    pub struct DealList(List);

    impl DealList {
        pub fn new() -> Self {
            Self(List::new(2))
        }
    }

    impl Method for DealList {
        const NAME: &'static str = List::NAME;
        const API_VERSION: bitrix24_runtime::ApiVersion = List::API_VERSION;
        const SCOPES: &'static [&'static str] = List::SCOPES;
        const BATCH: bool = List::BATCH;
        const SAFE_TO_REPEAT: bool = List::SAFE_TO_REPEAT;
        type Response = <List as Method>::Response;
        type Error = <List as Method>::Error;
    }

    impl Paged for DealList {
        type Item = CrmItem;

        fn set_start(&mut self, start: i64) {
            self.0.start = Some(start);
        }

        fn into_items(response: Self::Response) -> Vec<CrmItem> {
            response.items.unwrap_or_default()
        }
    }

    impl FastListed for DealList {
        fn fast_listing() -> FastListing {
            FastListing::new().items_at("items")
        }
    }
}
