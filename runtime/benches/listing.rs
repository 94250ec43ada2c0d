//! Fast listing and page decoding, against the fake portal.
//!
//! 1. Lists N CRM deals with fast listing, each run in a child process of its own that
//!    holds only the client (the fake portal runs in this process), so that the child's
//!    peak resident memory (`VmHWM`) is the listing's:
//!    - `typed`: `Client::list_fast(&request)`, every deal decoded as the item of the
//!      generated `crm.item.list` (`ListItem`: since the generator merges identical
//!      types, the shared `bitrix24::types::CrmItem`, so that `typed` and `full` decode
//!      the same type) and
//!      collected, 100,000 deals under the default limits of the client and of the portal
//!      (bursts of 50 requests, then 2 per second); `full`: the same, each deal decoded
//!      as the full `bitrix24::types::CrmItem`; `fields`: the same, each deal decoded as a
//!      struct of exactly its 35 fields;
//!    - `raw`, the baseline in the same run: `Client::list_fast_raw`, every deal collected
//!      as a `serde_json::Value`, as before this issue's typed listing;
//!    - `stream`: `Client::list_fast_stream`, every deal decoded as in `typed` and
//!      dropped, for 10,000 and 100,000 deals: its peak must not grow with N;
//!    - `single`: `list_fast_raw` one page per request, both limits off, for the request
//!      count without `batch`.
//!
//!    Each run reports the HTTP requests and limit errors the portal counted, the calls,
//!    HTTP attempts and errors of the caller, whether the deals are exactly ids 1..=N,
//!    the wall time and the child's peak RSS.
//! 2. Decodes one 50-element page of `crm.item.list` and of `user.get`, as the fake portal
//!    sends them, into the generated types and into `serde_json::Value`, interleaved, and
//!    reports the CPU time per decode of each.
//!
//! ```sh
//! cargo bench -p bitrix24-runtime --bench listing
//! ```

use std::fmt::Debug;
use std::hint::black_box;
use std::marker::PhantomData;
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use bitrix24::types::CrmItem;
use bitrix24::user::GetResponse;
use bitrix24_fake_portal::FakePortal;
use bitrix24_runtime::client::{RateLimit, Webhook};
use bitrix24_runtime::wire::{As, Float, Int, List, YesNo};
use bitrix24_runtime::{ApiError, ApiVersion, Client, FastListed, FastListing, Method, Paged};
use futures::{StreamExt, TryStreamExt};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing_subscriber::layer::{Context, Layer, SubscriberExt};

type BoxError = Box<dyn std::error::Error>;

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

/// The item of the generated `crm.item.list` (`bitrix24::crm::item::ListResponse`): the
/// shared `CrmItem`, since the generator merges identical types.
type ListItem = CrmItem;

/// `crm.item.list` of deals, each decoded as `I`: `ListItem`, the item the generated
/// `crm.item.list` has, `CrmItem`, the full CRM item (134 fields), or `DealFields`. A
/// stand-in for the generated request until the generated crate implements `FastListed`
/// for it.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct DealList<I> {
    entity_type_id: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    start: Option<i64>,
    #[serde(skip)]
    item: PhantomData<fn() -> I>,
}

/// A deal that knows its identifier.
trait Deal: DeserializeOwned {
    fn id(&self) -> Option<i64>;
}

/// A deal typed field by field as the bench's deals carry them: what an application
/// that knows its fields (or selects them) decodes into.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
#[expect(dead_code, reason = "decoded to measure its memory; only `id` is read")]
struct DealFields {
    #[serde(with = "As::<Int>")]
    id: i64,
    title: String,
    stage_id: String,
    #[serde(with = "As::<Int>")]
    category_id: i64,
    stage_semantic_id: String,
    #[serde(with = "As::<YesNo>")]
    is_new: bool,
    #[serde(with = "As::<YesNo>")]
    is_recurring: bool,
    #[serde(with = "As::<YesNo>")]
    is_return_customer: bool,
    #[serde(with = "As::<YesNo>")]
    is_repeated_approach: bool,
    #[serde(with = "As::<YesNo>")]
    closed: bool,
    #[serde(with = "As::<YesNo>")]
    opened: bool,
    type_id: String,
    #[serde(with = "As::<Float>")]
    opportunity: f64,
    #[serde(with = "As::<YesNo>")]
    is_manual_opportunity: bool,
    #[serde(with = "As::<Float>")]
    tax_value: f64,
    currency_id: String,
    #[serde(with = "As::<Int>")]
    company_id: i64,
    #[serde(with = "As::<Int>")]
    contact_id: i64,
    #[serde(with = "As::<List<Int>>")]
    contact_ids: Vec<i64>,
    #[serde(with = "As::<List<Int>>")]
    observers: Vec<i64>,
    source_id: String,
    source_description: String,
    comments: String,
    begindate: String,
    closedate: String,
    #[serde(with = "As::<Int>")]
    updated_by: i64,
    #[serde(with = "As::<Int>")]
    moved_by: i64,
    moved_time: String,
    #[serde(with = "As::<Int>")]
    last_activity_by: i64,
    last_activity_time: String,
    utm_source: Option<String>,
    utm_medium: Option<String>,
    utm_campaign: Option<String>,
    #[serde(default, with = "As::<Int>")]
    webform_id: Option<i64>,
    originator_id: Option<String>,
    origin_id: Option<String>,
}

impl Deal for DealFields {
    fn id(&self) -> Option<i64> {
        Some(self.id)
    }
}

impl Deal for CrmItem {
    fn id(&self) -> Option<i64> {
        self.id
    }
}

#[derive(Debug, Deserialize)]
#[serde(bound = "I: DeserializeOwned")]
struct DealPage<I> {
    items: Vec<I>,
}

impl<I: Deal> Method for DealList<I> {
    const NAME: &'static str = "crm.item.list";
    const API_VERSION: ApiVersion = ApiVersion::V2;
    const SCOPES: &'static [&'static str] = &["crm"];
    const BATCH: bool = true;
    const SAFE_TO_REPEAT: bool = true;
    type Response = DealPage<I>;
    type Error = ApiError;
}

impl<I: Deal> Paged for DealList<I> {
    type Item = I;

    fn set_start(&mut self, start: i64) {
        self.start = Some(start);
    }

    fn into_items(response: DealPage<I>) -> Vec<I> {
        response.items
    }
}

impl<I: Deal> FastListed for DealList<I> {
    fn fast_listing() -> FastListing {
        FastListing::new().items_at("items")
    }
}

impl<I> DealList<I> {
    fn new() -> Self {
        Self {
            entity_type_id: 2,
            start: None,
            item: PhantomData,
        }
    }
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

/// A field of `/proc/self/status` in KiB (Linux), such as `VmHWM`, the peak RSS.
fn status_kib(field: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status.lines().find_map(|line| {
                line.strip_prefix(field)?
                    .strip_prefix(':')?
                    .trim()
                    .strip_suffix(" kB")?
                    .parse()
                    .ok()
            })
        })
        .unwrap_or(0)
}

/// How a child lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// `list_fast`, collected as the generated `crm.item.list` item.
    Typed,
    /// `list_fast`, collected as the full `CrmItem`.
    TypedFull,
    /// `list_fast`, collected as [`DealFields`].
    TypedFields,
    Raw,
    Stream,
    Single,
}

impl Mode {
    fn name(self) -> &'static str {
        match self {
            Self::Typed => "typed",
            Self::TypedFull => "full",
            Self::TypedFields => "fields",
            Self::Raw => "raw",
            Self::Stream => "stream",
            Self::Single => "single",
        }
    }

    fn parse(name: &str) -> Option<Self> {
        [
            Self::Typed,
            Self::TypedFull,
            Self::TypedFields,
            Self::Raw,
            Self::Stream,
            Self::Single,
        ]
        .into_iter()
        .find(|mode| mode.name() == name)
    }
}

/// What a child saw, as it prints it on one line: `key=value` pairs.
#[derive(Debug, Default)]
struct ChildReport {
    count: u64,
    complete: bool,
    distinct: u64,
    errors: u64,
    calls: u64,
    attempts: u64,
    elapsed_ms: u64,
    start_kib: u64,
    peak_kib: u64,
}

impl ChildReport {
    fn line(&self) -> String {
        format!(
            "REPORT count={} complete={} distinct={} errors={} calls={} attempts={} elapsed_ms={} start_kib={} peak_kib={}",
            self.count,
            self.complete,
            self.distinct,
            self.errors,
            self.calls,
            self.attempts,
            self.elapsed_ms,
            self.start_kib,
            self.peak_kib
        )
    }

    fn parse(output: &str) -> Option<Self> {
        let line = output.lines().find(|line| line.starts_with("REPORT "))?;
        let mut report = Self::default();
        for pair in line["REPORT ".len()..].split(' ') {
            let (key, value) = pair.split_once('=')?;
            match key {
                "count" => report.count = value.parse().ok()?,
                "complete" => report.complete = value == "true",
                "distinct" => report.distinct = value.parse().ok()?,
                "errors" => report.errors = value.parse().ok()?,
                "calls" => report.calls = value.parse().ok()?,
                "attempts" => report.attempts = value.parse().ok()?,
                "elapsed_ms" => report.elapsed_ms = value.parse().ok()?,
                "start_kib" => report.start_kib = value.parse().ok()?,
                "peak_kib" => report.peak_kib = value.parse().ok()?,
                _ => return None,
            }
        }
        Some(report)
    }
}

/// Tracks the identifiers a listing yields: how many, how many distinct, and whether they
/// are exactly 1..=N in order, without keeping them.
struct IdCheck {
    count: u64,
    in_order: bool,
}

impl IdCheck {
    fn new() -> Self {
        Self {
            count: 0,
            in_order: true,
        }
    }

    fn see(&mut self, id: i64) {
        self.count += 1;
        self.in_order &= id == self.count as i64;
    }

    /// Identifiers in order 1..=N are distinct; out of order they are counted again.
    fn report(&self, ids: &[i64], expected: u64) -> (bool, u64) {
        let distinct = if self.in_order {
            self.count
        } else {
            let mut ids = ids.to_vec();
            ids.sort_unstable();
            ids.dedup();
            ids.len() as u64
        };
        (self.in_order && self.count == expected, distinct)
    }
}

/// A child: lists `n` deals from the portal at `url` as `mode` says and prints its report.
async fn child(mode: Mode, url: &str, n: u64, counter: &CallCounter) -> Result<(), BoxError> {
    let start_kib = status_kib("VmHWM");
    let mut builder = Client::builder(Webhook::from_url(url)?).allow_http(true);
    if mode == Mode::Single {
        builder = builder.rate_limit(RateLimit::new(1e9, u32::MAX));
    }
    let client = builder.build()?;
    let started = Instant::now();
    let mut check = IdCheck::new();
    let mut errors = 0;
    // Only kept by the listings that collect, to check them afterwards.
    let mut kept_ids = Vec::new();
    match mode {
        Mode::Typed => {
            errors += collect_typed::<ListItem>(&client, &mut check, &mut kept_ids).await;
        }
        Mode::TypedFull => {
            errors += collect_typed::<CrmItem>(&client, &mut check, &mut kept_ids).await;
        }
        Mode::TypedFields => {
            errors += collect_typed::<DealFields>(&client, &mut check, &mut kept_ids).await;
        }
        Mode::Raw | Mode::Single => {
            let listing = if mode == Mode::Raw {
                FastListing::new().items_at("items")
            } else {
                FastListing::new().items_at("items").pages_per_request(1)
            };
            let deals: Result<Vec<Value>, _> = client
                .list_fast_raw("crm.item.list", json!({"entityTypeId": 2}), listing)
                .try_collect()
                .await;
            match deals {
                Ok(deals) => {
                    for deal in &deals {
                        let id = deal["id"].as_i64().unwrap_or(-1);
                        check.see(id);
                        kept_ids.push(id);
                    }
                    black_box(&deals);
                }
                Err(error) => {
                    eprintln!("listing failed: {error}");
                    errors += 1;
                }
            }
        }
        Mode::Stream => {
            let request = DealList::<ListItem>::new();
            let mut deals = std::pin::pin!(client.list_fast_stream(&request));
            while let Some(deal) = deals.next().await {
                match deal {
                    Ok(deal) => check.see(black_box(deal).id.unwrap_or(-1)),
                    Err(error) => {
                        eprintln!("listing failed: {error}");
                        errors += 1;
                    }
                }
            }
        }
    }
    let elapsed = started.elapsed();
    let (complete, distinct) = check.report(&kept_ids, n);
    let report = ChildReport {
        count: check.count,
        complete,
        distinct,
        errors,
        calls: counter.calls.load(Ordering::Relaxed),
        attempts: counter.attempts.load(Ordering::Relaxed),
        elapsed_ms: elapsed.as_millis() as u64,
        start_kib,
        peak_kib: status_kib("VmHWM"),
    };
    println!("{}", report.line());
    Ok(())
}

/// Lists every deal with `list_fast`, collected as `I`; returns the number of errors.
async fn collect_typed<I: Deal>(
    client: &Client,
    check: &mut IdCheck,
    kept_ids: &mut Vec<i64>,
) -> u64 {
    match client.list_fast(&DealList::<I>::new()).await {
        Ok(deals) => {
            for deal in &deals {
                let id = deal.id().unwrap_or(-1);
                check.see(id);
                kept_ids.push(id);
            }
            black_box(&deals);
            0
        }
        Err(error) => {
            eprintln!("listing failed: {error}");
            1
        }
    }
}

/// One measured listing: a fresh portal with `n` deals, a child process that lists them.
async fn measure(mode: Mode, n: usize) -> Result<(), BoxError> {
    let portal = if mode == Mode::Single {
        FakePortal::builder().no_rate_limit().start().await?
    } else {
        FakePortal::start().await?
    };
    portal.add_items(2, (1..=n).map(deal));
    let url = portal.webhook_url();
    let exe = std::env::current_exe()?;
    let output = tokio::task::spawn_blocking(move || {
        Command::new(exe)
            .args(["child", mode.name(), &url, &n.to_string()])
            .output()
    })
    .await??;
    let stdout = String::from_utf8_lossy(&output.stdout);
    let report = ChildReport::parse(&stdout).ok_or_else(|| {
        format!(
            "the child printed no report: {stdout} {}",
            String::from_utf8_lossy(&output.stderr)
        )
    })?;
    let stats = portal.stats();
    println!(
        "  {:<7} {:>7} {:>9} {:>6} {:>12} {:>7} {:>9} {:>8} {:>9.1} {:>10.1}",
        mode.name(),
        n,
        stats.requests,
        stats.rate_limited + stats.operating_limited,
        format!("{}/{}/{}", report.calls, report.attempts, report.errors),
        if report.complete { "yes" } else { "NO" },
        report.distinct,
        report.elapsed_ms,
        report.start_kib as f64 / 1024.0,
        report.peak_kib as f64 / 1024.0,
    );
    Ok(())
}

/// Part 1: the listings, each in a child process.
async fn listings() -> Result<(), BoxError> {
    println!(
        "\nfast listing, one child process per run (portal in this process); requests and limit \
         errors as the portal counted them; default limits except `single`"
    );
    println!(
        "  {:<7} {:>7} {:>9} {:>6} {:>12} {:>7} {:>9} {:>8} {:>9} {:>10}",
        "mode",
        "deals",
        "requests",
        "limit",
        "calls/att/e",
        "1..=N",
        "distinct",
        "ms",
        "start MiB",
        "peak MiB"
    );
    println!(
        "  (minimum requests for 100,000 deals: {})",
        100_000usize.div_ceil(PER_REQUEST)
    );
    for (mode, n) in [
        (Mode::Typed, 100_000),
        (Mode::TypedFull, 100_000),
        (Mode::TypedFields, 100_000),
        (Mode::Raw, 100_000),
        (Mode::Stream, 10_000),
        (Mode::Stream, 100_000),
        (Mode::Typed, 10_000),
        (Mode::Single, 100_000),
    ] {
        measure(mode, n).await?;
    }
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
    compare::<DealPage<CrmItem>>(
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
    let args: Vec<String> = std::env::args().collect();
    if let [_, role, mode, url, n] = args.as_slice()
        && role == "child"
    {
        let mode = Mode::parse(mode).ok_or("unknown mode")?;
        let counter = CallCounter::default();
        tracing::subscriber::set_global_default(
            tracing_subscriber::registry().with(counter.clone()),
        )?;
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        return runtime.block_on(child(mode, url, n.parse()?, &counter));
    }
    println!(
        "{} CPUs, load average {}; size of ListItem {} bytes, of CrmItem {} bytes",
        std::thread::available_parallelism().map_or(0, usize::from),
        load_average(),
        std::mem::size_of::<ListItem>(),
        std::mem::size_of::<CrmItem>()
    );
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(listings())?;
    runtime.block_on(decoding())?;
    println!("\nload average {}", load_average());
    Ok(())
}
