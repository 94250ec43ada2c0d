//! The portal's log of REST requests, for tests that check when requests arrived.

use std::time::SystemTime;

/// One HTTP request to the REST API, as the portal saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct LoggedRequest {
    /// When the request arrived, by the portal's wall clock (the clock of
    /// `operating_reset_at`).
    pub at: SystemTime,
    /// The method in the URL, in lower case (`batch` for a batch request).
    pub method: String,
    /// The HTTP status of the reply.
    pub status: u16,
    /// The error code of the reply, if it was an error reply.
    pub error: Option<String>,
}
