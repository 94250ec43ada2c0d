//! What a fake portal counted, for assertions in tests.

use std::collections::BTreeMap;

/// Counters of a fake portal since it started.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Stats {
    /// HTTP requests to `/rest/…` (and to the client endpoint's path), whatever their fate.
    pub requests: usize,
    /// HTTP requests to the path set with
    /// [`client_endpoint_path`](crate::FakePortalBuilder::client_endpoint_path).
    pub client_endpoint_requests: usize,
    /// Method runs by method name, including calls inside `batch`; refused calls (rate
    /// limit, operating-time limit, authorization) did not run and are not counted.
    pub executed: BTreeMap<String, usize>,
    /// Requests refused with `QUERY_LIMIT_EXCEEDED`.
    pub rate_limited: usize,
    /// Calls refused with `OPERATION_TIME_LIMIT`.
    pub operating_limited: usize,
    /// REST 3.0 requests answered with the stored reply of an earlier call with the same
    /// `Idempotency-Key`, without running the method.
    pub idempotent_replays: usize,
    /// Requests refused with `expired_token`.
    pub expired_tokens: usize,
    /// Token renewals the token endpoint granted.
    pub refreshes: usize,
    /// Token renewals the token endpoint refused.
    pub refused_refreshes: usize,
    /// Events posted to a handler that answered with a 2xx status.
    pub events_delivered: usize,
    /// Events posted to a handler that answered with another status, or could not be
    /// reached.
    pub events_refused: usize,
}

impl Stats {
    /// How many times `method` ran.
    pub fn executed(&self, method: &str) -> usize {
        self.executed.get(method).copied().unwrap_or(0)
    }
}
