//! An in-process fake Bitrix24 portal for tests of Bitrix24 clients.
//!
//! [`FakePortal::start`] serves the REST protocol on `127.0.0.1` at a random port, in the
//! calling tokio runtime, until the value is dropped. It speaks what a client meets on a
//! real portal:
//!
//! - authorization by incoming webhook (`/rest/<user>/<code>/<method>`) and by OAuth
//!   access token (`auth`), with expiring tokens and a token endpoint that renews them
//!   (`grant_type=refresh_token`) and rotates the refresh token;
//! - JSON bodies, form-encoded bodies with PHP-style keys (`fields[TITLE]=…`,
//!   `select[]=…`) and query strings;
//! - the request-rate leaky bucket (`QUERY_LIMIT_EXCEEDED`, HTTP 503) and the per-method
//!   operating-time limit (`OPERATION_TIME_LIMIT`, HTTP 429, with `operating` and
//!   `operating_reset_at` in `time`);
//! - events: `crm.item.*` changes and [`FakePortal::install_app`] post events to the
//!   handlers bound with `event.bind`, form-encoded with the application token in
//!   `auth`, or keep them for `event.offline.get/clear`;
//! - `app.option.set/get`, `user.current`, `user.get`, `event.bind/unbind/get`,
//!   `crm.item.add/get/list/update/delete` with paging (`next`, `total`, `start=-1`),
//!   and `batch` with `$result[…]` references, `halt` and the 50-call limit;
//! - REST 3.0 at `/rest/api/`: `tasks.task.add/get/list` (with `pagination`), and the
//!   `Idempotency-Key` header: a write with a key runs once, a repeat gets the stored
//!   reply;
//! - injected faults ([`Fault`]): an HTML 502 page, truncated JSON, a slow reply, a
//!   dropped connection.
//!
//! [`Stats`] counts what happened, for assertions, and [`FakePortal::request_log`] tells
//! when each request arrived and how it was answered.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod batch;
mod clock;
mod config;
mod events;
mod failure;
mod faults;
mod idempotency;
mod limits;
mod methods;
mod outbox;
mod php;
mod request_log;
mod server;
mod state;
mod stats;
mod triggers;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::Value;
use tokio::sync::oneshot;

pub use faults::{Fault, FaultKind};
pub use request_log::LoggedRequest;
pub use stats::Stats;

use config::Config;
use outbox::Outbox;
use server::Portal;
use state::State;

/// A running fake portal; it stops when dropped.
#[derive(Debug)]
pub struct FakePortal {
    portal: Arc<Portal>,
    shutdown: Option<oneshot::Sender<()>>,
}

/// A pair of OAuth tokens the portal issued.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssuedTokens {
    /// The access token, sent as `auth`.
    pub access_token: String,
    /// The refresh token, for the token endpoint.
    pub refresh_token: String,
}

impl FakePortal {
    /// Starts a portal with the default settings: the standard rate limit (bursts of 50,
    /// then 2 requests per second), no operating-time limit, access tokens that live an
    /// hour, and three users.
    pub async fn start() -> std::io::Result<Self> {
        Self::builder().start().await
    }

    /// Configures a portal.
    pub fn builder() -> FakePortalBuilder {
        FakePortalBuilder::default()
    }

    /// The portal's address, `http://127.0.0.1:<port>`.
    pub fn url(&self) -> &str {
        &self.portal.base_url
    }

    /// The incoming webhook's URL, `http://127.0.0.1:<port>/rest/1/<code>/`.
    pub fn webhook_url(&self) -> String {
        let state = self.portal.lock();
        format!(
            "{}/rest/{}/{}/",
            self.portal.base_url, state.webhook_user, state.webhook_code
        )
    }

    /// The user the incoming webhook belongs to.
    pub fn webhook_user_id(&self) -> u64 {
        self.portal.lock().webhook_user
    }

    /// The incoming webhook's secret code.
    pub fn webhook_code(&self) -> String {
        self.portal.lock().webhook_code.clone()
    }

    /// The `client_id` of the portal's OAuth application.
    pub fn client_id(&self) -> String {
        self.portal.lock().client_id.clone()
    }

    /// The `client_secret` of the portal's OAuth application.
    pub fn client_secret(&self) -> String {
        self.portal.lock().client_secret.clone()
    }

    /// The token endpoint, `http://127.0.0.1:<port>/oauth/token/`.
    pub fn token_url(&self) -> String {
        format!("{}/oauth/token/", self.portal.base_url)
    }

    /// Issues a pair of tokens for the administrator (user 1), as an installation or an
    /// authorization would.
    pub fn issue_tokens(&self) -> IssuedTokens {
        let (access_token, refresh_token) = self.portal.lock().issue_tokens(1);
        IssuedTokens {
            access_token,
            refresh_token,
        }
    }

    /// The token every event the portal posts carries as `auth[application_token]`, as
    /// Bitrix24 gives one to each installed application.
    pub fn application_token(&self) -> String {
        self.portal.lock().events.application_token.clone()
    }

    /// Finishes installing the application: posts `ONAPPINSTALL`, with the application
    /// token and a pair of OAuth tokens of the administrator, to every handler bound to
    /// it.
    pub fn install_app(&self) {
        let data = serde_json::json!({
            "VERSION": "1",
            "ACTIVE": "Y",
            "INSTALLED": "Y",
            "LANGUAGE_ID": "en",
        });
        events::raise(&mut self.portal.lock(), 1, "ONAPPINSTALL", &data);
    }

    /// Waits until every event raised so far has been posted to its handler and the
    /// handler has answered (or failed to).
    pub async fn flush_events(&self) {
        let flushed = self.portal.lock().events.outbox.flush();
        // An error means the posting task is gone, with nothing left to wait for.
        let _ = flushed.await;
    }

    /// Makes every access token issued so far expire now.
    pub fn expire_access_tokens(&self) {
        let now = std::time::Instant::now();
        for token in self.portal.lock().access_tokens.values_mut() {
            token.expires = now;
        }
    }

    /// Revokes every refresh token issued so far: renewing with one gives `invalid_grant`.
    pub fn revoke_refresh_tokens(&self) {
        self.portal.lock().refresh_tokens.clear();
    }

    /// Changes how many elements a page of a list method holds, from the next call on, as
    /// a portal whose page size changes in the middle of a listing would.
    ///
    /// # Panics
    ///
    /// If `size` is zero.
    pub fn set_page_size(&self, size: usize) {
        assert!(size > 0, "a page holds at least one element");
        self.portal.lock().config.page_size = size;
    }

    /// Queues a fault for the next matching requests.
    pub fn inject(&self, fault: Fault) {
        self.portal.lock().faults.push(fault);
    }

    /// What the portal counted so far.
    pub fn stats(&self) -> Stats {
        self.portal.lock().stats.clone()
    }

    /// Every REST request so far (to `/rest/…` and to the client endpoint's path), in the
    /// order they arrived, with the status and error code of the reply.
    pub fn request_log(&self) -> Vec<LoggedRequest> {
        self.portal.lock().request_log.clone()
    }

    /// The CRM items of one entity type, by ascending `id`.
    pub fn items(&self, entity_type_id: i64) -> Vec<Value> {
        self.portal
            .lock()
            .items
            .get(&entity_type_id)
            .map(|items| items.values().cloned().map(Value::Object).collect())
            .unwrap_or_default()
    }

    /// Creates CRM items of one entity type straight in memory, one per object of
    /// `fields`, as `crm.item.add` by the administrator would, without HTTP and outside
    /// the limits, so that a test can set up 100,000 items quickly. Returns the new
    /// identifiers, in ascending order.
    ///
    /// # Panics
    ///
    /// If the portal has no entity type `entity_type_id`, or an element of `fields` is
    /// not a JSON object.
    pub fn add_items(
        &self,
        entity_type_id: i64,
        fields: impl IntoIterator<Item = Value>,
    ) -> Vec<i64> {
        assert!(
            methods::is_crm_entity_type(entity_type_id),
            "the portal has no CRM entity type {entity_type_id}"
        );
        let mut state = self.portal.lock();
        fields
            .into_iter()
            .map(|fields| {
                let Value::Object(fields) = fields else {
                    panic!("the fields of a CRM item must be a JSON object");
                };
                methods::create_crm_item(&mut state, entity_type_id, 1, fields);
                state.last_item_id
            })
            .collect()
    }
}

impl Drop for FakePortal {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            // The server may already be gone with its runtime; nothing is left to stop then.
            let _ = shutdown.send(());
        }
    }
}

/// Settings of a [`FakePortal`]; made by [`FakePortal::builder`].
#[derive(Debug, Default)]
#[must_use]
pub struct FakePortalBuilder {
    config: Config,
}

impl FakePortalBuilder {
    /// Sets the request-rate limit: `burst` requests at once, then `per_second`.
    ///
    /// # Panics
    ///
    /// If `per_second` is not a positive finite number.
    pub fn rate_limit(mut self, burst: u32, per_second: f64) -> Self {
        assert!(
            per_second.is_finite() && per_second > 0.0,
            "the rate must be a positive number of requests per second"
        );
        self.config.rate_limit = Some((burst, per_second));
        self
    }

    /// Turns the request-rate limit off.
    pub fn no_rate_limit(mut self) -> Self {
        self.config.rate_limit = None;
        self
    }

    /// Turns the operating-time limit on: a method is refused once the operating time
    /// it used in the last ten baskets of `basket` each exceeds `limit`. Methods cost
    /// nothing unless [`method_cost`](Self::method_cost) says otherwise.
    pub fn operating_limit(mut self, limit: Duration, basket: Duration) -> Self {
        self.config.operating_limit = Some((limit.as_secs_f64(), basket));
        self
    }

    /// Sets the operating time each call of `method` costs.
    pub fn method_cost(mut self, method: impl Into<String>, cost: Duration) -> Self {
        self.config
            .method_costs
            .insert(method.into(), cost.as_secs_f64());
        self
    }

    /// Sets how long access tokens live (default one hour).
    pub fn access_token_ttl(mut self, ttl: Duration) -> Self {
        self.config.access_token_ttl = ttl;
        self
    }

    /// Makes the token endpoint take this long to answer.
    pub fn refresh_delay(mut self, delay: Duration) -> Self {
        self.config.refresh_delay = delay;
        self
    }

    /// Sets how many users there are besides the administrator (default 2).
    pub fn extra_users(mut self, users: usize) -> Self {
        self.config.extra_users = users;
        self
    }

    /// Sets how many elements a page of a list method holds (default 50).
    ///
    /// # Panics
    ///
    /// If `size` is zero.
    pub fn page_size(mut self, size: usize) -> Self {
        assert!(size > 0, "a page holds at least one element");
        self.config.page_size = size;
        self
    }

    /// Makes the portal answer REST calls also under `path` (such as `/moved/rest/`) and
    /// name `<url><path>` as `client_endpoint` when it renews tokens, as a portal that
    /// moved to a new address does. Requests there are counted in
    /// [`Stats::client_endpoint_requests`].
    ///
    /// # Panics
    ///
    /// If `path` does not start and end with `/`, or lies under `/rest/` or `/oauth/`.
    pub fn client_endpoint_path(mut self, path: impl Into<String>) -> Self {
        let path = path.into();
        assert!(
            path.len() > 1 && path.starts_with('/') && path.ends_with('/'),
            "the client endpoint path starts and ends with `/`"
        );
        assert!(
            !path.starts_with("/rest/") && !path.starts_with("/oauth/"),
            "the client endpoint path must not lie under /rest/ or /oauth/"
        );
        self.config.client_endpoint_path = Some(path);
        self
    }

    /// Starts the portal on `127.0.0.1` at a random port, in the current tokio runtime.
    pub async fn start(self) -> std::io::Result<FakePortal> {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0)).await?;
        let base_url = format!("http://{}", listener.local_addr()?);
        let (outbox, events) = Outbox::new(base_url.clone());
        let portal = Arc::new(Portal {
            state: Mutex::new(State::new(self.config, outbox)),
            base_url,
        });
        tokio::spawn(outbox::post_events(events, Arc::downgrade(&portal)));
        let (shutdown, stopped) = oneshot::channel::<()>();
        let server = axum::serve(listener, server::router(Arc::clone(&portal)))
            .with_graceful_shutdown(async {
                // A dropped sender stops the server too.
                let _ = stopped.await;
            });
        tokio::spawn(async move {
            if let Err(error) = server.await {
                eprintln!("fake portal stopped: {error}");
            }
        });
        Ok(FakePortal {
            portal,
            shutdown: Some(shutdown),
        })
    }
}
