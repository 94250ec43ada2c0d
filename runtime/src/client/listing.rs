//! Fast listing of large lists: pages selected by the last identifier, with `start = -1`
//! so that the portal does not count the total (see `settings/performance/huge-data.md`),
//! up to 50 pages per HTTP request, chained inside `batch` with `$result[…]` references.

use futures::stream::{self, Stream, TryStreamExt};
use serde::Deserialize;
use serde_json::{Map, Value};

use crate::{ApiError, ApiVersion, Paged};

use super::batch::{BATCH_LIMIT, BatchRequest, reference};
use super::client::{Call, Client, object_of, params_of};
use super::endpoint::is_method_name;
use super::error::{Error, Failure, RequestError};
use super::undecodable::UndecodableReply;

/// How to read a list method in full by identifier: each page asks for the elements whose
/// identifier is greater than the last one seen, in ascending order, with `start = -1`.
///
/// Up to [`pages_per_request`](Self::pages_per_request) pages (50 by default) go in one
/// `batch` request, each page's filter a `$result[…]` reference to the last identifier
/// of the page before it, so that N elements cost about N / 2,500 HTTP requests. The
/// defaults fit `crm.item.list` and the other methods that take `filter` and `order`
/// objects and return elements with an `id`; other methods name their parameters:
/// `FastListing::new().id_field("ID").filter_param("FILTER").sort_params("sort", "order")`
/// for `user.get`.
#[derive(Debug, Clone)]
pub struct FastListing {
    id_field: String,
    filter_param: String,
    order: Order,
    items_at: Option<String>,
    page_size: usize,
    pages_per_request: usize,
}

/// How a list method is told to sort by ascending identifier.
#[derive(Debug, Clone)]
enum Order {
    /// One object parameter: `order: {"id": "ASC"}`.
    Object(String),
    /// A field parameter and a direction parameter: `sort: "ID", order: "ASC"`.
    FieldAndDirection { field: String, direction: String },
}

impl Default for FastListing {
    fn default() -> Self {
        Self {
            id_field: "id".to_owned(),
            filter_param: "filter".to_owned(),
            order: Order::Object("order".to_owned()),
            items_at: None,
            page_size: 50,
            pages_per_request: BATCH_LIMIT,
        }
    }
}

impl FastListing {
    /// The defaults: identifier `id`, parameters `filter` and `order`, the result itself
    /// is the list, pages of 50, 50 pages per request.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the identifier field of the elements (default `id`; `ID` for older methods).
    pub fn id_field(mut self, field: impl Into<String>) -> Self {
        self.id_field = field.into();
        self
    }

    /// Sets the name of the filter parameter (default `filter`); its value in the
    /// request is kept and narrowed with `>` on the identifier.
    pub fn filter_param(mut self, name: impl Into<String>) -> Self {
        self.filter_param = name.into();
        self
    }

    /// Sets the name of the object parameter that orders the list (default `order`); it
    /// is replaced by `{<id>: "ASC"}`.
    pub fn order_param(mut self, name: impl Into<String>) -> Self {
        self.order = Order::Object(name.into());
        self
    }

    /// Orders the list with two parameters instead, one naming the field and one the
    /// direction, as `user.get` does with `sort` and `order`.
    pub fn sort_params(mut self, field: impl Into<String>, direction: impl Into<String>) -> Self {
        self.order = Order::FieldAndDirection {
            field: field.into(),
            direction: direction.into(),
        };
        self
    }

    /// Reads the elements from this key of the result (such as `items` for
    /// `crm.item.list`) instead of the result itself.
    pub fn items_at(mut self, key: impl Into<String>) -> Self {
        self.items_at = Some(key.into());
        self
    }

    /// Sets how many elements the method returns per page (default 50); a shorter page
    /// is the last.
    pub fn page_size(mut self, size: usize) -> Self {
        self.page_size = size.max(1);
        self
    }

    /// Sets how many pages go in one HTTP request, from 1 (no `batch`) to 50 (the
    /// default). Use 1 for a method given by name that cannot run inside `batch`: its
    /// refused first page would otherwise be read again on its own, two requests a page.
    pub fn pages_per_request(mut self, pages: usize) -> Self {
        self.pages_per_request = pages.clamp(1, BATCH_LIMIT);
        self
    }

    /// The parameters of a page: `base` narrowed to identifiers above `after` (a number,
    /// or a `$result[…]` reference), ordered by ascending identifier.
    fn page_params(&self, base: &Map<String, Value>, after: Option<Value>) -> Map<String, Value> {
        let mut params = base.clone();
        let mut filter = match params.remove(&self.filter_param) {
            Some(Value::Object(filter)) => filter,
            _ => Map::new(),
        };
        if let Some(after) = after {
            filter.insert(format!(">{}", self.id_field), after);
        }
        params.insert(self.filter_param.clone(), Value::Object(filter));
        match &self.order {
            Order::Object(name) => {
                let mut order = Map::new();
                order.insert(self.id_field.clone(), Value::from("ASC"));
                params.insert(name.clone(), Value::Object(order));
            }
            Order::FieldAndDirection { field, direction } => {
                params.insert(field.clone(), Value::from(self.id_field.clone()));
                params.insert(direction.clone(), Value::from("ASC"));
            }
        }
        params
    }

    /// The path, within the result of a page, of the identifier of its last element when
    /// the page is full.
    fn last_id_path(&self) -> Vec<String> {
        self.items_at
            .iter()
            .cloned()
            .chain([(self.page_size - 1).to_string(), self.id_field.clone()])
            .collect()
    }

    /// The list of a page's result, if the result has one.
    fn list<'v>(&self, result: &'v Value) -> Result<Vec<&'v Value>, &'static str> {
        let list = match (&self.items_at, result) {
            (Some(key), Value::Object(fields)) => fields.get(key).unwrap_or(&Value::Null),
            (Some(_), _) => return Err("the result is not an object"),
            (None, list) => list,
        };
        match list {
            Value::Array(items) => Ok(items.iter().collect()),
            Value::Object(items) => Ok(items.values().collect()),
            Value::Null => Ok(Vec::new()),
            _ => Err("the result holds no list"),
        }
    }

    /// What [`Client::list_fast`] needs to know of a page.
    fn inspect(&self, result: &Value) -> Result<PageShape, &'static str> {
        let items = self.list(result)?;
        let id = |item: &Value| {
            item.get(&self.id_field)
                .and_then(|id| match id {
                    Value::Number(number) => number.as_i64(),
                    Value::String(text) => text.parse().ok(),
                    _ => None,
                })
                .ok_or("an element has no numeric identifier")
        };
        Ok(PageShape {
            len: items.len(),
            first: items.first().copied().map(id).transpose()?,
            last: items.last().copied().map(id).transpose()?,
        })
    }

    /// The elements of a page that [`inspect`](Self::inspect) accepted.
    fn take_items(&self, result: Value) -> Vec<Value> {
        let list = match (&self.items_at, result) {
            (Some(key), Value::Object(mut fields)) => fields.remove(key).unwrap_or(Value::Null),
            (_, list) => list,
        };
        match list {
            Value::Array(items) => items,
            Value::Object(items) => items.into_iter().map(|(_, item)| item).collect(),
            _ => Vec::new(),
        }
    }
}

/// The number of elements of a page and the identifiers of its first and last.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct PageShape {
    len: usize,
    first: Option<i64>,
    last: Option<i64>,
}

/// A list being read: the method, the parameters every page shares, and where it got to.
#[derive(Debug)]
struct Walk {
    method: String,
    version: ApiVersion,
    batchable: bool,
    base: Map<String, Value>,
    listing: FastListing,
    /// The identifier of the last element read.
    after: Option<i64>,
    done: bool,
}

impl Client {
    /// Every element of a typed list method, read by identifier (see [`FastListing`]),
    /// each decoded as the method's item.
    ///
    /// The request is sent with `start = -1`, its filter narrowed with `>` on the
    /// identifier, and its order replaced by ascending identifier. A method that cannot
    /// run inside `batch` is read one page per request. Pages are read calls and are
    /// retried like any call that is safe to repeat. This is for REST 2 list methods;
    /// REST 3.0 filters are lists of conditions, which this does not narrow.
    pub fn list_fast<'a, M: Paged + 'a>(
        &'a self,
        mut request: M,
        listing: FastListing,
    ) -> impl Stream<Item = Result<M::Item, Error<M::Error>>> + 'a {
        request.set_start(-1);
        let walk = params_of(&request).map(|base| Walk {
            method: M::NAME.to_owned(),
            version: M::API_VERSION,
            batchable: M::BATCH && M::API_VERSION == ApiVersion::V2,
            base,
            listing,
            after: None,
            done: false,
        });
        self.walk(walk)
            .and_then(move |result| async move {
                let response = M::Response::deserialize(&result).map_err(|error| {
                    let text = result.to_string();
                    Failure::Undecodable(UndecodableReply::json(
                        200,
                        self.excerpt(text.as_bytes()),
                        error,
                    ))
                })?;
                Ok(stream::iter(M::into_items(response).into_iter().map(Ok)))
            })
            .try_flatten()
            .map_err(Failure::into_error)
    }

    /// Every element of a list method given by name, with parameters as JSON (an object,
    /// or `null` for none), read by identifier (see [`FastListing`]).
    pub fn list_fast_raw<'a>(
        &'a self,
        method: &str,
        params: Value,
        listing: FastListing,
    ) -> impl Stream<Item = Result<Value, Error<ApiError>>> + 'a {
        let reader = listing.clone();
        let walk = if is_method_name(method) {
            object_of(params).map(|mut base| {
                base.insert("start".to_owned(), Value::from(-1));
                Walk {
                    method: method.to_owned(),
                    version: ApiVersion::V2,
                    batchable: true,
                    base,
                    listing,
                    after: None,
                    done: false,
                }
            })
        } else {
            Err(RequestError::MethodName)
        };
        self.walk(walk)
            .map_ok(move |result| stream::iter(reader.take_items(result).into_iter().map(Ok)))
            .try_flatten()
            .map_err(Failure::into_error)
    }

    /// The results of the pages of a walk, in order.
    fn walk(
        &self,
        walk: Result<Walk, RequestError>,
    ) -> impl Stream<Item = Result<Value, Failure>> + '_ {
        stream::try_unfold(walk, move |walk| async move {
            let mut walk = walk.map_err(Failure::Request)?;
            if walk.done {
                return Ok(None);
            }
            let pages = self.next_pages(&mut walk).await?;
            Ok(Some((stream::iter(pages.into_iter().map(Ok)), Ok(walk))))
        })
        .try_flatten()
    }

    /// Reads the next pages of a walk in one HTTP request and moves the walk past them.
    async fn next_pages(&self, walk: &mut Walk) -> Result<Vec<Value>, Failure> {
        let results = if walk.batchable && walk.listing.pages_per_request > 1 {
            match self.batched_pages(walk).await? {
                Some(results) => results,
                None => vec![self.single_page(walk).await?],
            }
        } else {
            vec![self.single_page(walk).await?]
        };
        let mut pages = Vec::with_capacity(results.len());
        for result in results {
            let shape = walk
                .listing
                .inspect(&result)
                .map_err(|reason| self.shape_failure(&result, reason))?;
            if let (Some(after), Some(first)) = (walk.after, shape.first)
                && first <= after
            {
                if pages.is_empty() {
                    return Err(self.shape_failure(
                        &result,
                        "the page does not follow the last identifier read",
                    ));
                }
                // A reference that led nowhere: the next request goes on from `after`.
                break;
            }
            walk.after = shape.last.or(walk.after);
            pages.push(result);
            if shape.len < walk.listing.page_size {
                walk.done = true;
                break;
            }
        }
        Ok(pages)
    }

    fn shape_failure(&self, result: &Value, reason: &'static str) -> Failure {
        let text = result.to_string();
        Failure::Undecodable(UndecodableReply::shape(
            self.excerpt(text.as_bytes()),
            reason,
        ))
    }

    /// One page on its own, with the client's retries and operating-time pauses.
    async fn single_page(&self, walk: &Walk) -> Result<Value, Failure> {
        let call = Call {
            name: &walk.method,
            version: walk.version,
            safe_to_repeat: true,
        };
        let params = walk
            .listing
            .page_params(&walk.base, walk.after.map(Value::from));
        self.execute(call, params, |raw| serde_json::from_str::<Value>(raw.get()))
            .await
            .map(|envelope| envelope.result)
    }

    /// Up to `pages_per_request` pages in one `batch` request, each narrowed by a
    /// reference to the last identifier of the page before it. Returns the results of the
    /// pages that ran before the first failed one, or `None` when the first page failed,
    /// to be read on its own so that its error is handled like any call's.
    async fn batched_pages(&self, walk: &Walk) -> Result<Option<Vec<Value>>, Failure> {
        let inner = &*self.inner;
        inner
            .operating
            .wait(&walk.method, inner.retry.max_operating_wait_limit())
            .await?;
        let mut batch = BatchRequest::new().halt(true);
        let path = walk.listing.last_id_path();
        let mut keys: Vec<String> = Vec::with_capacity(walk.listing.pages_per_request);
        for _ in 0..walk.listing.pages_per_request {
            let after = match keys.last() {
                None => walk.after.map(Value::from),
                Some(key) => Some(Value::from(reference(key, path.iter().map(String::as_str)))),
            };
            let params = walk.listing.page_params(&walk.base, after);
            keys.push(batch.add(&walk.method, params, true));
        }
        let mut outcome = self.run_batch(&batch).await?;
        let mut results = Vec::with_capacity(keys.len());
        for key in &keys {
            inner
                .operating
                .record(&walk.method, outcome.times.get(key))
                .await;
            match outcome.results.remove(key) {
                Some(result) if !outcome.errors.contains_key(key) => results.push(result),
                _ => break,
            }
        }
        Ok((!results.is_empty()).then_some(results))
    }
}

#[cfg(test)]
mod tests {
    use serde_json::{Map, Value, json};

    use super::{FastListing, PageShape};

    fn object(value: Value) -> Map<String, Value> {
        match value {
            Value::Object(object) => object,
            _ => unreachable!("an object literal"),
        }
    }

    #[test]
    fn pages_narrow_the_filter_and_sort_by_identifier() {
        let base = object(json!({"entityTypeId": 2, "filter": {"stageId": "NEW"},
                                 "order": {"title": "DESC"}, "start": -1}));
        let listing = FastListing::new();
        assert_eq!(
            Value::Object(listing.page_params(&base, None)),
            json!({"entityTypeId": 2, "filter": {"stageId": "NEW"}, "order": {"id": "ASC"}, "start": -1})
        );
        let next = listing.page_params(&base, Some(json!("$result[c0][items][49][id]")));
        assert_eq!(
            next["filter"],
            json!({"stageId": "NEW", ">id": "$result[c0][items][49][id]"})
        );

        let users = FastListing::new()
            .id_field("ID")
            .filter_param("FILTER")
            .sort_params("sort", "order");
        let base = object(json!({"order": "DESC", "FILTER": []}));
        assert_eq!(
            Value::Object(users.page_params(&base, Some(json!(40)))),
            json!({"FILTER": {">ID": 40}, "sort": "ID", "order": "ASC"})
        );
        let ordered = FastListing::new().order_param("ORDER").id_field("ID");
        assert_eq!(
            ordered.page_params(&Map::new(), None)["ORDER"],
            json!({"ID": "ASC"})
        );
    }

    #[test]
    fn references_point_at_the_last_identifier_of_a_full_page() {
        let listing = FastListing::new().items_at("items");
        assert_eq!(listing.last_id_path(), ["items", "49", "id"]);
        let listing = FastListing::new().id_field("ID").page_size(3);
        assert_eq!(listing.last_id_path(), ["2", "ID"]);
        assert_eq!(
            FastListing::new().pages_per_request(80).pages_per_request,
            50
        );
        assert_eq!(FastListing::new().pages_per_request(0).pages_per_request, 1);
    }

    #[test]
    fn pages_are_read_from_the_result() {
        let listing = FastListing::new().items_at("items");
        let page = json!({"items": [{"id": 3}, {"id": "9"}]});
        assert_eq!(
            listing.inspect(&page),
            Ok(PageShape {
                len: 2,
                first: Some(3),
                last: Some(9)
            })
        );
        assert_eq!(
            listing.take_items(page),
            [json!({"id": 3}), json!({"id": "9"})]
        );
        assert_eq!(
            listing.inspect(&json!({"items": []})),
            Ok(PageShape {
                len: 0,
                first: None,
                last: None
            })
        );
        assert!(listing.inspect(&json!([1])).is_err());
        assert!(
            listing
                .inspect(&json!({"items": [{"title": "x"}]}))
                .is_err()
        );
        let plain = FastListing::new().id_field("ID");
        assert_eq!(
            plain
                .inspect(&json!({"0": {"ID": "5"}}))
                .map(|shape| shape.last),
            Ok(Some(5))
        );
    }
}
