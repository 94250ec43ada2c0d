//! The trait every generated request type implements.

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::MethodError;

/// Which REST API a method belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ApiVersion {
    /// The classic REST API: `https://<portal>/rest/<method>`.
    V2,
    /// REST 3.0: `https://<portal>/rest/api/<method>`, with its own error format.
    V3,
}

/// A Bitrix24 REST method call: the request parameters plus everything known about the
/// method from its spec.
///
/// Serializing the value gives the method's parameters exactly as they go on the wire.
pub trait Method: Serialize {
    /// Wire name of the method, such as `crm.item.add`.
    const NAME: &'static str;
    /// REST API the method belongs to.
    const API_VERSION: ApiVersion;
    /// Scopes (permissions) of which the caller needs at least one.
    const SCOPES: &'static [&'static str];
    /// Whether the method may run inside `batch`.
    const BATCH: bool;
    /// Whether sending the call twice has the same effect as sending it once
    /// (read methods: `*.get`, `*.list`, `*.fields`). Only such calls are retried after
    /// an ambiguous transport failure.
    const SAFE_TO_REPEAT: bool;

    /// The decoded `result` of a successful reply.
    type Response: DeserializeOwned;
    /// The method's documented errors.
    type Error: MethodError;
}

/// The most calls one `batch` request may hold.
pub const BATCH_LIMIT: usize = 50;

/// A list method that pages by offset.
///
/// - REST 2 (`ApiVersion::V2`): `start` in the request, `next` / `total` in the reply; the
///   list ends at a reply without `next`.
/// - REST 3.0 (`ApiVersion::V3`): `pagination.offset` in the request and no `next` in the
///   reply; the next offset is the previous one plus the elements of the page, and the
///   list ends at an empty page or at a page shorter than the largest one seen.
pub trait Paged: Method {
    /// One element of a page.
    type Item: DeserializeOwned;

    /// Sets the offset of the first element to return: `start` in REST 2, where `-1` asks
    /// the server to skip counting the total (for fast listing); `pagination.offset` in
    /// REST 3.0, removing `pagination.page` (which would override it) and keeping
    /// `pagination.limit`. REST 3.0 is never given `-1`.
    fn set_start(&mut self, start: i64);

    /// The elements of one page.
    fn into_items(response: Self::Response) -> Vec<Self::Item>;
}
