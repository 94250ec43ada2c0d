//! Calls through an incoming webhook: typed and raw calls, errors, paging and batch.
//!
//! With `BITRIX24_WEBHOOK_URL` set (`https://<portal>/rest/<user>/<code>/`) it talks to
//! that portal; without, to a local fake portal.
//!
//! ```sh
//! cargo run -p bitrix24-runtime --example webhook
//! ```

use bitrix24::crm::item::{Add, AddError, AddFields};
use bitrix24::user::{Current, Get};
use bitrix24_fake_portal::FakePortal;
use bitrix24_runtime::Client;
use bitrix24_runtime::client::{BatchRequest, Error, RateLimit, Webhook};
use futures::TryStreamExt;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // Keep the fake portal alive for as long as the client uses it.
    let (url, _fake) = match std::env::var("BITRIX24_WEBHOOK_URL") {
        Ok(url) => (url, None),
        Err(_) => {
            let fake = FakePortal::start().await?;
            (fake.webhook_url(), Some(fake))
        }
    };
    let client = Client::builder(Webhook::from_url(&url)?)
        .rate_limit(RateLimit::STANDARD)
        .allow_http(url.starts_with("http://127.0.0.1"))
        .build()?;

    let me = client.call(&Current::new()).await?.0;
    println!("calling as user {:?} {:?}", me.id, me.name);

    let added = client
        .call(&Add::new(
            2,
            AddFields::new().title("Deal from the example"),
        ))
        .await?;
    println!("added deal {:?}", added.item.and_then(|item| item.id));

    match client.call(&Add::new(5, AddFields::new())).await {
        Err(Error::Method(AddError::NotFound(error))) => println!("as expected: {error}"),
        other => println!("unexpected: {other:?}"),
    }

    let users: Vec<_> = client.items(Get::new()).try_collect().await?;
    println!("{} users", users.len());

    let mut batch = BatchRequest::new();
    let first = batch.push(&Add::new(2, AddFields::new().title("First")))?;
    let second = batch.push_raw(
        "crm.item.get",
        serde_json::json!({"entityTypeId": 2, "id": first.reference(["item", "id"])}),
    )?;
    let results = client.batch(&batch).await?;
    if let Some(Ok(fetched)) = results.get_raw(&second) {
        println!(
            "fetched in the same batch: {}",
            fetched.result["item"]["title"]
        );
    }
    Ok(())
}
