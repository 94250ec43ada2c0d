//! One worker process of a fleet: a client of its own, configured by a [`Spec`] in the
//! environment, runs a list of calls on each of its tasks and prints a [`Report`] of every
//! call as one line of JSON.

use std::process::ExitCode;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use bitrix24_runtime::client::redis::RedisFleet;
use bitrix24_runtime::client::{
    Error, MemoryTokenStore, OAuth, RateLimit, RefreshError, RetryPolicy, Tokens, Webhook,
};
use bitrix24_runtime::{ApiError, Client};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The environment variable that holds a worker's [`Spec`]; a process started with it is
/// a worker.
pub const SPEC_VAR: &str = "BITRIX24_FLEET_WORKER";

/// What a worker does.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Spec {
    /// How its client authorizes.
    pub auth: Auth,
    /// The Redis its client shares limits through; `None` for a client on its own.
    pub redis: Option<Shared>,
    /// The client's rate limit: requests per second and burst.
    pub rate: (f64, u32),
    /// How many times a call may be sent.
    pub max_attempts: u32,
    /// The longest a call waits for an operating-time hold, in milliseconds.
    pub max_operating_wait_ms: u64,
    /// The calls of each task, in order.
    pub tasks: Vec<Vec<Call>>,
    /// Unix time in milliseconds until which each task repeats its calls; `None` to run
    /// them once.
    pub repeat_until_ms: Option<u64>,
    /// The pause after each call, in milliseconds.
    pub pause_ms: u64,
}

/// The credentials of a worker's client.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub enum Auth {
    /// A webhook URL.
    Webhook(String),
    /// An OAuth application with its tokens.
    OAuth {
        portal: String,
        client_id: String,
        client_secret: String,
        access_token: String,
        refresh_token: String,
        token_url: String,
    },
}

/// How a worker's client uses Redis.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Shared {
    pub url: String,
    pub prefix: String,
    /// The renewal lease in milliseconds; `None` for the default.
    pub lease_ms: Option<u64>,
    /// The `operating` time at which a method is paused for the fleet, in milliseconds;
    /// `None` to pause only after `OPERATION_TIME_LIMIT`.
    pub operating_pause_ms: Option<u64>,
}

impl Shared {
    /// The Redis at `url`, keys under `prefix`, the other settings the defaults.
    pub fn new(url: String, prefix: &str) -> Self {
        Self {
            url,
            prefix: prefix.to_owned(),
            lease_ms: None,
            operating_pause_ms: None,
        }
    }
}

/// One call: a method and its parameters.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Call {
    pub method: String,
    pub params: Value,
}

impl Call {
    /// `method` with `params`.
    pub fn new(method: &str, params: Value) -> Self {
        Self {
            method: method.to_owned(),
            params,
        }
    }
}

/// What happened to every call of a worker.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Report {
    pub calls: Vec<Outcome>,
}

/// What happened to one call.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Outcome {
    pub task: usize,
    pub method: String,
    /// The `fields.title` parameter, for adds.
    pub title: Option<String>,
    /// The error's kind (the portal's code, `invalid_grant`, `coordination`, …); `None`
    /// for a success.
    pub error: Option<String>,
    /// The error as the client displays it.
    pub detail: Option<String>,
    /// Unix seconds when the call started and ended.
    pub started: f64,
    pub finished: f64,
    /// The `operating_reset_at` of a successful reply.
    pub reset_at: Option<i64>,
}

/// Runs the worker whose spec is `spec` (JSON) and prints its report.
pub fn run(spec: &str) -> ExitCode {
    let spec: Spec = match serde_json::from_str(spec) {
        Ok(spec) => spec,
        Err(error) => {
            eprintln!("bad worker spec: {error}");
            return ExitCode::FAILURE;
        }
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    let report = runtime.block_on(work(spec));
    println!(
        "{}",
        serde_json::to_string(&report).expect("a report is JSON")
    );
    ExitCode::SUCCESS
}

async fn work(spec: Spec) -> Report {
    let client = client(&spec);
    let tasks = spec.tasks.iter().enumerate().map(|(task, calls)| {
        let client = client.clone();
        let spec = &spec;
        async move {
            let mut outcomes = Vec::new();
            loop {
                for call in calls {
                    outcomes.push(send(&client, task, call).await);
                    if spec.pause_ms > 0 {
                        tokio::time::sleep(Duration::from_millis(spec.pause_ms)).await;
                    }
                }
                match spec.repeat_until_ms {
                    Some(until) if unix_now() * 1e3 < until as f64 => continue,
                    _ => break,
                }
            }
            outcomes
        }
    });
    let calls = futures::future::join_all(tasks)
        .await
        .into_iter()
        .flatten()
        .collect();
    Report { calls }
}

/// The worker's client.
fn client(spec: &Spec) -> Client {
    let builder = match &spec.auth {
        Auth::Webhook(url) => Client::builder(Webhook::from_url(url).expect("webhook URL")),
        Auth::OAuth {
            portal,
            client_id,
            client_secret,
            access_token,
            refresh_token,
            token_url,
        } => Client::builder(
            OAuth::new(
                portal.as_str(),
                client_id.as_str(),
                client_secret.as_str(),
                Tokens::new(access_token.as_str(), refresh_token.as_str()),
                MemoryTokenStore::new(),
            )
            .token_url(token_url.as_str()),
        ),
    };
    let mut builder = builder
        .allow_http(true)
        .rate_limit(RateLimit::new(spec.rate.0, spec.rate.1))
        .retry(
            RetryPolicy::default()
                .max_attempts(spec.max_attempts)
                .max_operating_wait(Duration::from_millis(spec.max_operating_wait_ms)),
        );
    if let Some(shared) = &spec.redis {
        let mut fleet = RedisFleet::new(&shared.url)
            .expect("Redis URL")
            .prefix(shared.prefix.as_str());
        if let Some(lease) = shared.lease_ms {
            fleet = fleet.renewal_lease(Duration::from_millis(lease));
        }
        if let Some(pause) = shared.operating_pause_ms {
            fleet = fleet.pause_at_operating_time(Duration::from_millis(pause));
        }
        builder = builder.redis(&fleet);
    }
    builder.build().expect("a client")
}

/// Sends one call and tells what happened.
pub async fn send(client: &Client, task: usize, call: &Call) -> Outcome {
    let started = unix_now();
    let result = client.call_raw(&call.method, call.params.clone()).await;
    let finished = unix_now();
    let (error, detail, reset_at) = match &result {
        Ok(envelope) => (
            None,
            None,
            envelope
                .time
                .as_ref()
                .and_then(|time| time.operating_reset_at),
        ),
        Err(error) => (Some(kind(error)), Some(error.to_string()), None),
    };
    Outcome {
        task,
        method: call.method.clone(),
        title: call.params["fields"]["title"].as_str().map(str::to_owned),
        error,
        detail,
        started,
        finished,
        reset_at,
    }
}

/// A short name of the kind of error.
pub fn kind(error: &Error<ApiError>) -> String {
    match error {
        Error::Method(error) => error.code.clone(),
        Error::Refresh(RefreshError::InvalidGrant(_)) => "invalid_grant".to_owned(),
        Error::Refresh(_) => "refresh".to_owned(),
        Error::Coordination(_) => "coordination".to_owned(),
        Error::Transport(_) => "transport".to_owned(),
        Error::Undecodable(_) => "undecodable".to_owned(),
        Error::TokenStore(_) => "token_store".to_owned(),
        _ => "other".to_owned(),
    }
}

/// The current Unix time in seconds.
pub fn unix_now() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0.0, |since| since.as_secs_f64())
}
