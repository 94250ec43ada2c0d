//! What the fleet's runs are judged by: the portal's request log and the workers' reports.

use std::collections::BTreeMap;
use std::time::UNIX_EPOCH;

use bitrix24_fake_portal::LoggedRequest;

use crate::worker::{Outcome, Report};

/// How far the arrivals in `log` overfill a leaky bucket of `burst` requests draining
/// `per_second`: 0 when every request fits (counting refused requests too).
pub fn bucket_overflow(log: &[LoggedRequest], burst: f64, per_second: f64) -> f64 {
    let mut level: f64 = 0.0;
    let mut last: Option<f64> = None;
    let mut overflow: f64 = 0.0;
    for request in log {
        let at = unix(request);
        if let Some(last) = last {
            level = (level - (at - last) * per_second).max(0.0);
        }
        last = Some(at);
        level += 1.0;
        overflow = overflow.max(level - burst);
    }
    overflow
}

/// A request's arrival in Unix seconds.
pub fn unix(request: &LoggedRequest) -> f64 {
    request
        .at
        .duration_since(UNIX_EPOCH)
        .map_or(0.0, |since| since.as_secs_f64())
}

/// Every call of every report.
pub fn calls(reports: &[Report]) -> Vec<&Outcome> {
    reports.iter().flat_map(|report| &report.calls).collect()
}

/// How many calls ended with each kind of error.
pub fn errors(reports: &[Report]) -> BTreeMap<String, usize> {
    let mut errors = BTreeMap::new();
    for call in calls(reports) {
        if let Some(error) = &call.error {
            *errors.entry(error.clone()).or_default() += 1;
        }
    }
    errors
}

/// The refusals in the portal's log, by error code.
pub fn refusals(log: &[LoggedRequest]) -> BTreeMap<String, usize> {
    let mut refusals = BTreeMap::new();
    for request in log {
        if let Some(error) = &request.error {
            *refusals.entry(error.clone()).or_default() += 1;
        }
    }
    refusals
}
