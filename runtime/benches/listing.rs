//! Fast listing and page decoding, against the in-process fake portal.
//!
//! 1. Lists 100,000 CRM items under the default limits of the client and of the portal
//!    (bursts of 50 requests, then 2 per second) with `Client::list_fast_raw`, 50 pages
//!    of 50 per `batch` request, and reports the HTTP requests the portal saw against
//!    the minimum of 40, the wall time, the limit errors on both sides, and whether the
//!    100,000 records arrived complete and distinct. The baseline, in the same run, reads
//!    the same list one page per request, with both limits off.
//! 2. Decodes one 50-element page of `crm.item.list` and of `user.get`, as the fake portal
//!    sends them, into the generated types and into `serde_json::Value`, interleaved, and
//!    reports the CPU time per decode of each.
//!
//! ```sh
//! cargo bench -p bitrix24-runtime --bench listing
//! ```

use std::fmt::Debug;
use std::hint::black_box;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use bitrix24::types::CrmItem;
use bitrix24::user::GetResponse;
use bitrix24_fake_portal::FakePortal;
use bitrix24_runtime::Client;
use bitrix24_runtime::FastListing;
use bitrix24_runtime::client::{RateLimit, Webhook};
use futures::StreamExt;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing_subscriber::layer::{Context, Layer, SubscriberExt};

type BoxError = Box<dyn std::error::Error>;

/// Records to list.
const RECORDS: usize = 100_000;
/// Records one `batch` request can return: 50 pages of 50.
const PER_REQUEST: usize = 2_500;
/// Decodes of each kind per interleaved round, and rounds.
const DECODES: usize = 400;
const ROUNDS: usize = 8;

/// The fields of a deal as a portal returns them, with values of every wire type.
fn deal(n: usize) -> Value {
    json!({
        "title": format!("Deal #{n}"),
        "stageId": "C0:NEW",
        "categoryId": 0,
        "stageSemanticId": "P",
        "isNew": "Y",
        "isRecurring": "N",
        "isReturnCustomer": "N",
        "isRepeatedApproach": "N",
        "closed": "N",
        "opened": "Y",
        "typeId": "SALE",
        "opportunity": 1500.5 + n as f64,
        "isManualOpportunity": "N",
        "taxValue": 0,
        "currencyId": "USD",
        "companyId": 3,
        "contactId": 5,
        "contactIds": [5, 7],
        "observers": [],
        "sourceId": "WEB",
        "sourceDescription": "",
        "comments": "",
        "begindate": "2024-08-29T03:00:00+03:00",
        "closedate": "2024-09-05T03:00:00+03:00",
        "updatedBy": 1,
        "movedBy": 1,
        "movedTime": "2024-08-29T10:29:54+03:00",
        "lastActivityBy": 1,
        "lastActivityTime": "2024-08-29T10:29:54+03:00",
        "utmSource": "newsletter",
        "utmMedium": "CPC",
        "utmCampaign": null,
        "webformId": null,
        "originatorId": null,
        "originId": null,
    })
}

/// Counts the client's calls and their HTTP attempts from its `bitrix24.call` spans.
#[derive(Clone, Default)]
struct CallCounter {
    calls: Arc<AtomicU64>,
    attempts: Arc<AtomicU64>,
}

impl<S: tracing::Subscriber> Layer<S> for CallCounter {
    fn on_new_span(&self, attrs: &Attributes<'_>, _: &Id, _: Context<'_, S>) {
        if attrs.metadata().name() == "bitrix24.call" {
            self.calls.fetch_add(1, Ordering::Relaxed);
        }
    }

    fn on_record(&self, _: &Id, values: &Record<'_>, _: Context<'_, S>) {
        values.record(&mut AttemptsField(&self.attempts));
    }
}

struct AttemptsField<'a>(&'a AtomicU64);

impl Visit for AttemptsField<'_> {
    fn record_u64(&mut self, field: &Field, value: u64) {
        if field.name() == "attempts" {
            self.0.fetch_add(value, Ordering::Relaxed);
        }
    }

    fn record_debug(&mut self, _: &Field, _: &dyn Debug) {}
}

/// What one listing run saw.
struct Run {
    elapsed: Duration,
    ids: Vec<i64>,
    caller_errors: usize,
}

impl Run {
    fn distinct(&self) -> usize {
        let mut ids = self.ids.clone();
        ids.sort_unstable();
        ids.dedup();
        ids.len()
    }

    fn complete(&self) -> bool {
        self.ids.len() == RECORDS && self.ids.iter().zip(1..).all(|(id, n)| *id == n)
    }
}

async fn list_all(client: &Client, listing: FastListing) -> Run {
    let started = Instant::now();
    let mut ids = Vec::with_capacity(RECORDS);
    let mut caller_errors = 0;
    let mut items =
        std::pin::pin!(client.list_fast_raw("crm.item.list", json!({"entityTypeId": 2}), listing));
    while let Some(item) = items.next().await {
        match item {
            Ok(item) => ids.push(item["id"].as_i64().unwrap_or(-1)),
            Err(error) => {
                eprintln!("listing failed: {error}");
                caller_errors += 1;
            }
        }
    }
    Run {
        elapsed: started.elapsed(),
        ids,
        caller_errors,
    }
}

async fn seeded_portal(limited: bool) -> Result<(FakePortal, Duration), BoxError> {
    let portal = if limited {
        FakePortal::start().await?
    } else {
        FakePortal::builder().no_rate_limit().start().await?
    };
    let started = Instant::now();
    portal.add_items(2, (1..=RECORDS).map(deal));
    Ok((portal, started.elapsed()))
}

/// Part 1: the listing, and the one-page-per-request baseline.
async fn listing(counter: &CallCounter) -> Result<(), BoxError> {
    let (portal, seeding) = seeded_portal(true).await?;
    println!(
        "seeded {RECORDS} items in {:.0} ms",
        seeding.as_secs_f64() * 1e3
    );
    let client = Client::builder(Webhook::from_url(&portal.webhook_url())?)
        .allow_http(true)
        .build()?;
    let run = list_all(&client, FastListing::new().items_at("items")).await;
    let stats = portal.stats();
    let calls = counter.calls.swap(0, Ordering::Relaxed);
    let attempts = counter.attempts.swap(0, Ordering::Relaxed);
    println!("\nfast listing, 50 pages per batch request, default limits (2 req/s, burst 50)");
    println!(
        "  HTTP requests (portal)   {:>7}   minimum {}",
        stats.requests,
        RECORDS.div_ceil(PER_REQUEST)
    );
    println!(
        "  wall time                {:>7.0} ms",
        run.elapsed.as_secs_f64() * 1e3
    );
    println!(
        "  limit errors (portal)    {:>7}   QUERY_LIMIT_EXCEEDED {}, OPERATION_TIME_LIMIT {}",
        stats.rate_limited + stats.operating_limited,
        stats.rate_limited,
        stats.operating_limited
    );
    println!(
        "  caller                   {:>7} calls, {attempts} HTTP attempts ({} retried), {} errors",
        calls,
        attempts.saturating_sub(calls),
        run.caller_errors
    );
    println!(
        "  records                  {:>7}   distinct {}, complete 1..={RECORDS}: {}",
        run.ids.len(),
        run.distinct(),
        run.complete()
    );
    println!(
        "  crm.item.list calls run  {:>7}   ({} pages hold the records)",
        stats.executed("crm.item.list"),
        RECORDS / 50 + 1
    );

    let (portal, _) = seeded_portal(false).await?;
    let client = Client::builder(Webhook::from_url(&portal.webhook_url())?)
        .allow_http(true)
        .rate_limit(RateLimit::new(1e9, u32::MAX))
        .build()?;
    let run = list_all(
        &client,
        FastListing::new().items_at("items").pages_per_request(1),
    )
    .await;
    let requests = portal.stats().requests;
    println!("\nbaseline: one page per request, both limits off");
    println!("  HTTP requests (portal)   {requests:>7}");
    println!(
        "  wall time                {:>7.0} ms   under 2 req/s after a burst of 50: {:.0} s",
        run.elapsed.as_secs_f64() * 1e3,
        requests.saturating_sub(50) as f64 / 2.0
    );
    println!(
        "  records                  {:>7}   distinct {}, complete: {}, errors {}",
        run.ids.len(),
        run.distinct(),
        run.complete(),
        run.caller_errors
    );
    Ok(())
}

/// The CPU time the calling thread has used, from `/proc/thread-self/stat` (Linux, in
/// clock ticks of 10 ms).
fn thread_cpu() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/thread-self/stat").ok()?;
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let ticks: u64 = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    Some(Duration::from_millis(ticks * 10))
}

/// Decoding of one page as `T`: CPU and median wall time per decode.
#[derive(Default)]
struct DecodeTimes {
    cpu: Duration,
    walls: Vec<Duration>,
}

impl DecodeTimes {
    fn round<T: DeserializeOwned>(&mut self, page: &str) {
        let cpu = thread_cpu();
        let started = Instant::now();
        for _ in 0..DECODES {
            let decoded: T = serde_json::from_str(black_box(page)).expect("the page decodes");
            black_box(decoded);
        }
        self.walls.push(started.elapsed() / DECODES as u32);
        if let (Some(before), Some(after)) = (cpu, thread_cpu()) {
            self.cpu += after - before;
        }
    }

    fn report(&mut self, name: &str) -> f64 {
        self.walls.sort();
        let cpu = self.cpu.as_secs_f64() * 1e6 / (DECODES * ROUNDS) as f64;
        println!(
            "  {name:<44} {cpu:>7.1} µs CPU/decode   (median wall {:>6.1} µs)",
            self.walls[self.walls.len() / 2].as_secs_f64() * 1e6
        );
        cpu
    }
}

/// One page of `crm.item.list` with the generated item type.
#[derive(Deserialize)]
struct ItemPage {
    #[serde(rename = "items")]
    _items: Vec<CrmItem>,
}

fn compare<T: DeserializeOwned>(what: &str, typed: &str, page: &str) {
    let mut typed_times = DecodeTimes::default();
    let mut value_times = DecodeTimes::default();
    for _ in 0..ROUNDS {
        typed_times.round::<T>(page);
        value_times.round::<Value>(page);
    }
    println!("\n{what} ({} bytes of JSON)", page.len());
    let typed = typed_times.report(typed);
    let value = value_times.report("serde_json::Value");
    println!("  typed / Value: {:.2}", typed / value);
}

/// Part 2: one page decoded typed and as `Value`.
async fn decoding() -> Result<(), BoxError> {
    let portal = FakePortal::builder()
        .no_rate_limit()
        .extra_users(49)
        .start()
        .await?;
    portal.add_items(2, (1..=50).map(deal));
    let client = Client::builder(Webhook::from_url(&portal.webhook_url())?)
        .allow_http(true)
        .build()?;
    let items = client
        .call_raw("crm.item.list", json!({"entityTypeId": 2}))
        .await?
        .result
        .to_string();
    let users = client
        .call_raw("user.get", Value::Null)
        .await?
        .result
        .to_string();
    compare::<ItemPage>(
        "crm.item.list page, 50 items",
        "typed {items: Vec<bitrix24::types::CrmItem>}",
        &items,
    );
    compare::<GetResponse>(
        "user.get page, 50 users",
        "typed bitrix24::user::GetResponse",
        &users,
    );
    Ok(())
}

/// The load average of the machine, from `/proc/loadavg` (Linux).
fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg").map_or_else(
        |_| "unknown".to_owned(),
        |text| {
            text.split_whitespace()
                .take(3)
                .collect::<Vec<_>>()
                .join(" ")
        },
    )
}

fn main() -> Result<(), BoxError> {
    println!(
        "{} CPUs, load average {}",
        std::thread::available_parallelism().map_or(0, usize::from),
        load_average()
    );
    let counter = CallCounter::default();
    tracing::subscriber::set_global_default(tracing_subscriber::registry().with(counter.clone()))?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(listing(&counter))?;
    runtime.block_on(decoding())?;
    println!("\nload average {}", load_average());
    Ok(())
}
