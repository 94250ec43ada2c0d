//! Walking a list method page by page: following the reply's `next` in REST 2, counting
//! the offset in REST 3.0.

use futures::stream::{self, Stream, TryStreamExt};
use serde_json::Value;

use crate::{ApiVersion, Paged};

use super::client::{Client, params_of};
use super::error::Error;
use super::redact::Redactor;
use super::undecodable::UndecodableReply;

/// Where the walk of a list is: the start of the page to read, if there is one left.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Next {
    /// The page at this offset; `None` for the request's own first page.
    Page(Option<i64>),
    /// None: the last reply's `next` did not move past the page it came with.
    Stalled,
    Done,
}

impl Client {
    /// The pages of a list method, from the request's own offset on.
    ///
    /// - REST 2: each reply's `next` becomes the following request's `start`, until a reply
    ///   has no `next`. A `next` that does not move past the previous one is an
    ///   undecodable reply rather than the end of the list.
    /// - REST 3.0 (no `next` in replies): the following request's `pagination.offset` is
    ///   the previous one (the request's own, else 0) plus the page's elements, until a
    ///   page is empty; a short page is not taken for the last, since a portal may page
    ///   by less than was asked.
    ///
    /// Every page is one call, with the client's rate limiting and retries.
    pub fn pages<'a, M: Paged + 'a>(
        &'a self,
        request: M,
    ) -> impl Stream<Item = Result<Vec<M::Item>, Error<M::Error>>> + 'a {
        let first_offset = (M::API_VERSION == ApiVersion::V3)
            .then(|| {
                params_of(&request)
                    .ok()
                    .and_then(|params| v3_offset(&params))
            })
            .flatten();
        stream::try_unfold(
            (request, Next::Page(None), first_offset.unwrap_or(0)),
            move |(mut request, next, offset)| async move {
                let start = match next {
                    Next::Page(start) => start,
                    Next::Stalled => {
                        return Err(Error::Undecodable(UndecodableReply::shape(
                            &Redactor::default(),
                            b"",
                            "the portal's `next` does not move past the previous page",
                        )));
                    }
                    Next::Done => return Ok(None),
                };
                if let Some(start) = start {
                    request.set_start(start);
                }
                let envelope = self.call_envelope(&request).await?;
                let items = M::into_items(envelope.result);
                let following = match M::API_VERSION {
                    ApiVersion::V2 => match (envelope.next, advance(start, envelope.next)) {
                        (_, Some(next)) => Next::Page(Some(next)),
                        (Some(_), None) => Next::Stalled,
                        (None, None) => Next::Done,
                    },
                    ApiVersion::V3 if items.is_empty() => Next::Done,
                    ApiVersion::V3 => Next::Page(Some(offset + items.len() as i64)),
                };
                let offset = match following {
                    Next::Page(Some(next)) => next,
                    _ => offset,
                };
                Ok(Some((items, (request, following, offset))))
            },
        )
    }

    /// The elements of a list method, all pages one after the other (see
    /// [`pages`](Self::pages)).
    pub fn items<'a, M: Paged + 'a>(
        &'a self,
        request: M,
    ) -> impl Stream<Item = Result<M::Item, Error<M::Error>>> + 'a {
        self.pages(request)
            .map_ok(|page| stream::iter(page.into_iter().map(Ok)))
            .try_flatten()
    }
}

/// The `start` of the next page: the reply's `next`, if it moves past the previous one.
fn advance(previous: Option<i64>, next: Option<i64>) -> Option<i64> {
    next.filter(|next| previous.is_none_or(|previous| *next > previous))
}

/// The offset a REST 3.0 request asks for: `pagination.offset`, or the start of
/// `pagination.page` of `pagination.limit` elements (50 by default).
fn v3_offset(params: &serde_json::Map<String, Value>) -> Option<i64> {
    let pagination = params.get("pagination")?;
    if let Some(offset) = pagination.get("offset").and_then(Value::as_i64) {
        return Some(offset);
    }
    let page = pagination.get("page").and_then(Value::as_i64)?;
    let limit = pagination
        .get("limit")
        .and_then(Value::as_i64)
        .unwrap_or(50);
    Some((page - 1).max(0) * limit)
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::{advance, v3_offset};

    #[test]
    fn paging_moves_forward_only() {
        assert_eq!(advance(None, Some(50)), Some(50));
        assert_eq!(advance(Some(50), Some(100)), Some(100));
        assert_eq!(advance(Some(50), Some(50)), None);
        assert_eq!(advance(Some(100), Some(50)), None);
        assert_eq!(advance(Some(50), None), None);
    }

    #[test]
    fn a_rest3_request_names_its_offset() {
        let offset = |params: Value| match params {
            Value::Object(params) => v3_offset(&params),
            _ => unreachable!("an object literal"),
        };
        assert_eq!(offset(json!({})), None);
        assert_eq!(offset(json!({"pagination": {"offset": 7}})), Some(7));
        assert_eq!(
            offset(json!({"pagination": {"page": 3, "limit": 20}})),
            Some(40)
        );
        assert_eq!(offset(json!({"pagination": {"page": 2}})), Some(50));
        assert_eq!(offset(json!({"pagination": {"limit": 20}})), None);
    }
}
