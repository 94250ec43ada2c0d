//! How a fake portal behaves.

use std::collections::HashMap;
use std::time::Duration;

/// The settings a [`FakePortalBuilder`](crate::FakePortalBuilder) collects.
#[derive(Debug, Clone)]
pub(crate) struct Config {
    /// The request-rate limit: burst and requests per second; `None` for none.
    pub(crate) rate_limit: Option<(u32, f64)>,
    /// The operating-time limit in seconds and the length of one of the ten baskets.
    pub(crate) operating_limit: Option<(f64, Duration)>,
    /// Seconds of operating time each call of a method costs (0 when not listed).
    pub(crate) method_costs: HashMap<String, f64>,
    /// How long an access token lives.
    pub(crate) access_token_ttl: Duration,
    /// How long the token endpoint takes to answer.
    pub(crate) refresh_delay: Duration,
    /// Users besides the administrator (user 1).
    pub(crate) extra_users: usize,
    /// Elements per page of list methods.
    pub(crate) page_size: usize,
    /// A second path the REST API answers under, named as `client_endpoint` in token
    /// renewals; `None` for `/rest/` only.
    pub(crate) client_endpoint_path: Option<String>,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            rate_limit: Some((50, 2.0)),
            operating_limit: None,
            method_costs: HashMap::new(),
            access_token_ttl: Duration::from_secs(3600),
            refresh_delay: Duration::ZERO,
            extra_users: 2,
            page_size: 50,
            client_endpoint_path: None,
        }
    }
}
