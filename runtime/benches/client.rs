//! Throughput of the client against the in-process fake portal (no rate limit), to see
//! the client's own overhead: one call at a time, 64 concurrent callers, and the same
//! number of calls sent as `batch` requests.
//!
//! ```sh
//! cargo bench -p bitrix24-runtime --bench client
//! ```

use std::time::{Duration, Instant};

use bitrix24::user::Current;
use bitrix24_fake_portal::FakePortal;
use bitrix24_runtime::Client;
use bitrix24_runtime::client::{BatchRequest, RateLimit, Webhook};
use futures::future::join_all;

/// Calls per measurement.
const CALLS: usize = 2_000;

fn report(name: &str, calls: usize, elapsed: Duration) {
    println!(
        "{name:<28} {calls:>6} calls in {:>8.1} ms: {:>9.0} calls/s, {:>7.1} µs/call",
        elapsed.as_secs_f64() * 1e3,
        calls as f64 / elapsed.as_secs_f64(),
        elapsed.as_secs_f64() * 1e6 / calls as f64,
    );
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let portal = FakePortal::builder().no_rate_limit().start().await?;
        let client = Client::builder(Webhook::from_url(&portal.webhook_url())?)
            .allow_http(true)
            .rate_limit(RateLimit::new(1e9, u32::MAX))
            .build()?;
        client.call(&Current::new()).await?;

        let started = Instant::now();
        for _ in 0..CALLS {
            client.call(&Current::new()).await?;
        }
        report("sequential user.current", CALLS, started.elapsed());

        let started = Instant::now();
        let callers = (0..64).map(|_| {
            let client = client.clone();
            async move {
                for _ in 0..CALLS / 64 {
                    client.call(&Current::new()).await?;
                }
                Ok::<_, Box<dyn std::error::Error + Send + Sync>>(())
            }
        });
        for result in join_all(callers).await {
            result.map_err(|error| error.to_string())?;
        }
        report(
            "64 callers user.current",
            CALLS / 64 * 64,
            started.elapsed(),
        );

        let mut batch = BatchRequest::new();
        for _ in 0..CALLS {
            batch.push(&Current::new())?;
        }
        let started = Instant::now();
        client.batch(&batch).await?;
        report("batch user.current", CALLS, started.elapsed());
        Ok(())
    })
}
