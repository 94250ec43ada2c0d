//! Fast listing of large lists (see [`FastListing`]): pages selected by the last
//! identifier, with `start = -1` so that the portal does not count the total (see
//! `settings/performance/huge-data.md`), up to 50 pages per HTTP request, chained inside
//! `batch` with `$result[…]` references.
//!
//! A list ends only on evidence: an empty page. The pages of one request are chained by
//! the identifier of the last element of a page of the size last seen; a page of another
//! size ends what the request is trusted for, and the next request goes on from the last
//! identifier read with the new size. After a page shorter than the one before it, which
//! is probably the last, the next request reads one page rather than a batch.

use std::fmt;

use futures::stream::{self, Stream, TryStreamExt};
use serde::Deserializer;
use serde::de::{
    self, DeserializeOwned, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor,
};
use serde_json::value::RawValue;
use serde_json::{Map, Value};

use crate::listing::{Filter, Items, Order};
use crate::{ApiError, ApiVersion, FastListed, FastListing, Paged};

use super::batch::{BatchRequest, ChunkResult, chunk_call, reference};
use super::client::{Call, Client, object_of, params_of};
use super::endpoint::is_method_name;
use super::error::{Error, Failure, RequestError};
use super::redact::Redactor;
use super::undecodable::UndecodableReply;

impl FastListing {
    /// The parameters of a page: `base` narrowed to identifiers above `after` (a number,
    /// or a `$result[…]` reference), ordered by ascending identifier.
    fn page_params(&self, base: &Map<String, Value>, after: Option<Value>) -> Map<String, Value> {
        let mut params = base.clone();
        match self.filter {
            Filter::Object(name) => {
                let mut filter = match params.remove(name) {
                    Some(Value::Object(filter)) => filter,
                    _ => Map::new(),
                };
                if let Some(after) = after {
                    filter.insert(format!(">{}", self.id_field), after);
                }
                params.insert(name.to_owned(), Value::Object(filter));
            }
            Filter::Conditions(name) => {
                let mut conditions = match params.remove(name) {
                    Some(Value::Array(conditions)) => conditions,
                    _ => Vec::new(),
                };
                if let Some(after) = after {
                    conditions.push(Value::from(vec![
                        Value::from(self.id_field),
                        Value::from(">"),
                        after,
                    ]));
                }
                params.insert(name.to_owned(), Value::Array(conditions));
            }
        }
        match self.order {
            Order::Object(name) => {
                let mut order = Map::new();
                order.insert(self.id_field.to_owned(), Value::from("ASC"));
                params.insert(name.to_owned(), Value::Object(order));
            }
            Order::FieldAndDirection { field, direction } => {
                params.insert(field.to_owned(), Value::from(self.id_field));
                params.insert(direction.to_owned(), Value::from("ASC"));
            }
        }
        params
    }

    /// The path, within the result of a page, of the identifier of its last element when
    /// the page holds `page_size` elements.
    fn last_id_path(&self, page_size: usize) -> Vec<String> {
        let index = page_size.saturating_sub(1).to_string();
        match self.items {
            Items::Result => vec![index, self.id_field.to_owned()],
            Items::Key(key) => vec![key.to_owned(), index, self.id_field.to_owned()],
        }
    }
}

/// One page read: its elements decoded, and the identifiers of its first and last.
#[derive(Debug)]
struct Page<T> {
    items: Vec<T>,
    first: Option<i64>,
    last: Option<i64>,
}

/// Why a page's result could not be read.
#[derive(Debug)]
enum PageError {
    Json(serde_json::Error),
    Shape(&'static str),
}

/// Reads the elements of a page's result: each decoded as `T`, with its identifier,
/// which must rise from element to element.
fn read_page<T: DeserializeOwned>(
    listing: &FastListing,
    result: &RawValue,
) -> Result<Page<T>, PageError> {
    let elements = match listing.items {
        Items::Result => ElementsSeed.deserialize(&mut json_reader(result)),
        Items::Key(key) => {
            let mut reader = json_reader(result);
            (&mut reader).deserialize_map(KeyVisitor(key))
        }
    }
    .map_err(PageError::Json)?
    .ok_or(PageError::Shape("the result holds no list of elements"))?;
    let mut page = Page {
        items: Vec::with_capacity(elements.len()),
        first: None,
        last: None,
    };
    for element in elements {
        let id = IdSeed(listing.id_field)
            .deserialize(&mut json_reader(element))
            .map_err(PageError::Json)?
            .ok_or(PageError::Shape("an element has no numeric identifier"))?;
        if page.last.is_some_and(|last| id <= last) {
            return Err(PageError::Shape(
                "the identifiers of a page are not in ascending order",
            ));
        }
        page.first.get_or_insert(id);
        page.last = Some(id);
        page.items
            .push(serde_json::from_str(element.get()).map_err(PageError::Json)?);
    }
    Ok(page)
}

fn json_reader(raw: &RawValue) -> serde_json::Deserializer<serde_json::de::StrRead<'_>> {
    serde_json::Deserializer::from_str(raw.get())
}

/// The elements of a list, unread: a JSON array, or the values of an object keyed as PHP
/// keys a list. `None` for anything else.
struct ElementsSeed;

impl<'de> DeserializeSeed<'de> for ElementsSeed {
    type Value = Option<Vec<&'de RawValue>>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(ElementsVisitor)
    }
}

struct ElementsVisitor;

impl<'de> Visitor<'de> for ElementsVisitor {
    type Value = Option<Vec<&'de RawValue>>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a list of elements")
    }

    fn visit_seq<S: SeqAccess<'de>>(self, mut seq: S) -> Result<Self::Value, S::Error> {
        let mut elements = Vec::new();
        while let Some(element) = seq.next_element()? {
            elements.push(element);
        }
        Ok(Some(elements))
    }

    fn visit_map<M: MapAccess<'de>>(self, mut map: M) -> Result<Self::Value, M::Error> {
        let mut elements = Vec::new();
        while let Some((_, element)) = map.next_entry::<IgnoredAny, &RawValue>()? {
            elements.push(element);
        }
        Ok(Some(elements))
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
}

/// The elements under one key of a result object; `None` when the key is missing.
struct KeyVisitor(&'static str);

impl<'de> Visitor<'de> for KeyVisitor {
    type Value = Option<Vec<&'de RawValue>>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "an object with `{}`", self.0)
    }

    fn visit_map<M: MapAccess<'de>>(self, mut map: M) -> Result<Self::Value, M::Error> {
        let mut found = None;
        while let Some(wanted) = map.next_key_seed(KeyIs(self.0))? {
            if wanted {
                found = map.next_value_seed(ElementsSeed)?;
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(found)
    }
}

/// The identifier of one element: its field `.0` as a number or a numeric string;
/// `None` when it has none.
struct IdSeed(&'static str);

impl<'de> DeserializeSeed<'de> for IdSeed {
    type Value = Option<i64>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for IdSeed {
    type Value = Option<i64>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "an element with `{}`", self.0)
    }

    fn visit_map<M: MapAccess<'de>>(self, mut map: M) -> Result<Self::Value, M::Error> {
        let mut id = None;
        while let Some(wanted) = map.next_key_seed(KeyIs(self.0))? {
            if wanted {
                id = map.next_value::<IdValue>()?.0;
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(id)
    }

    fn visit_seq<S: SeqAccess<'de>>(self, seq: S) -> Result<Self::Value, S::Error> {
        IgnoredAny.visit_seq(seq).map(|_| None)
    }

    fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
}

/// A number, or a string holding one; `None` for anything else.
struct IdValue(Option<i64>);

impl<'de> serde::Deserialize<'de> for IdValue {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(IdValueVisitor)
    }
}

struct IdValueVisitor;

impl<'de> Visitor<'de> for IdValueVisitor {
    type Value = IdValue;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an identifier")
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<IdValue, E> {
        Ok(IdValue(Some(v)))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<IdValue, E> {
        Ok(IdValue(i64::try_from(v).ok()))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<IdValue, E> {
        Ok(IdValue(v.trim().parse().ok()))
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<IdValue, E> {
        Ok(IdValue(None))
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<IdValue, E> {
        Ok(IdValue(None))
    }

    fn visit_unit<E: de::Error>(self) -> Result<IdValue, E> {
        Ok(IdValue(None))
    }

    fn visit_seq<S: SeqAccess<'de>>(self, seq: S) -> Result<IdValue, S::Error> {
        IgnoredAny.visit_seq(seq).map(|_| IdValue(None))
    }

    fn visit_map<M: MapAccess<'de>>(self, map: M) -> Result<IdValue, M::Error> {
        IgnoredAny.visit_map(map).map(|_| IdValue(None))
    }
}

/// Whether an object key is the given name, read without allocating.
struct KeyIs(&'static str);

impl<'de> DeserializeSeed<'de> for KeyIs {
    type Value = bool;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<bool, D::Error> {
        d.deserialize_str(self)
    }
}

impl Visitor<'_> for KeyIs {
    type Value = bool;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a key")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<bool, E> {
        Ok(v == self.0)
    }
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
    /// How many elements the last page read held; 0 before the first.
    last_len: usize,
    /// Whether the last page read was shorter than the one before it (or than the
    /// expected page size): probably the end, which the next request confirms with one
    /// page rather than a batch of them.
    short: bool,
    done: bool,
}

impl Walk {
    /// A walk of `method` with the request's parameters `base`; REST 2 lists are asked not
    /// to count (`start = -1`).
    fn new(
        method: &str,
        version: ApiVersion,
        batch: bool,
        mut base: Map<String, Value>,
        listing: FastListing,
    ) -> Self {
        if version == ApiVersion::V2 {
            base.insert("start".to_owned(), Value::from(-1));
        }
        Self {
            method: method.to_owned(),
            version,
            batchable: batch && version == ApiVersion::V2 && listing.pages_per_request > 1,
            base,
            listing,
            after: None,
            last_len: 0,
            short: false,
            done: false,
        }
    }

    /// The page size the next request chains its pages by: that of the last page read,
    /// or the expected one before any page.
    fn page_size(&self) -> usize {
        if self.last_len > 0 {
            self.last_len
        } else {
            self.listing.page_size
        }
    }

    /// Whether the next request holds a batch of pages.
    fn batched(&self) -> bool {
        self.batchable && !self.short
    }

    /// Takes the pages one request returned, in order, chained by `page_size` elements
    /// each; returns their elements and moves the walk past them. Only an empty page ends
    /// the list.
    fn advance<T>(
        &mut self,
        pages: Vec<Page<T>>,
        page_size: usize,
    ) -> Result<Vec<Vec<T>>, &'static str> {
        let mut read = Vec::with_capacity(pages.len());
        for page in pages {
            if let (Some(after), Some(first)) = (self.after, page.first)
                && first <= after
            {
                if read.is_empty() {
                    return Err("the page does not follow the last identifier read");
                }
                // A reference that led nowhere: the next request goes on from `after`.
                break;
            }
            let len = page.items.len();
            if len == 0 {
                self.done = true;
                break;
            }
            self.after = page.last;
            self.last_len = len;
            self.short = len < page_size;
            read.push(page.items);
            if len != page_size {
                // The next page of this request was chained to another element.
                break;
            }
        }
        Ok(read)
    }
}

impl Client {
    /// Every element of a list method, read by identifier as the method's
    /// [`FastListed::fast_listing`] describes, each decoded as the method's item.
    ///
    /// The elements are collected in memory; [`list_fast_stream`](Self::list_fast_stream)
    /// hands them over as they arrive instead.
    pub async fn list_fast<M: FastListed>(
        &self,
        request: &M,
    ) -> Result<Vec<M::Item>, Error<M::Error>> {
        self.list_fast_with(request, M::fast_listing()).await
    }

    /// Every element of a list method, read by identifier as `listing` describes (see
    /// [`list_fast_stream_with`](Self::list_fast_stream_with)), collected in memory.
    pub async fn list_fast_with<M: Paged>(
        &self,
        request: &M,
        listing: FastListing,
    ) -> Result<Vec<M::Item>, Error<M::Error>> {
        self.list_fast_stream_with(request, listing)
            .try_collect()
            .await
    }

    /// The elements of a list method as a stream, read by identifier as the method's
    /// [`FastListed::fast_listing`] describes; only the pages of one HTTP request are held
    /// at a time.
    pub fn list_fast_stream<'a, M: FastListed + 'a>(
        &'a self,
        request: &M,
    ) -> impl Stream<Item = Result<M::Item, Error<M::Error>>> + 'a {
        self.list_fast_stream_with(request, M::fast_listing())
    }

    /// The elements of a list method as a stream, read by identifier as `listing`
    /// describes (see [`FastListing`]), each decoded as the method's item.
    ///
    /// The request is sent with its filter narrowed with `>` on the identifier and its
    /// order replaced by ascending identifier; REST 2 methods with `start = -1`, up to 50
    /// pages per `batch` request, REST 3.0 methods one page per request with a condition
    /// added to their filter. Pages are read calls and are retried like any call that is
    /// safe to repeat. The stream ends at an empty page (a portal whose page size differs
    /// from the expected one, or changes, is followed), and fails with an undecodable reply
    /// when a page does not follow the last identifier read or its identifiers do not
    /// rise.
    pub fn list_fast_stream_with<'a, M: Paged + 'a>(
        &'a self,
        request: &M,
        listing: FastListing,
    ) -> impl Stream<Item = Result<M::Item, Error<M::Error>>> + 'a {
        let walk = params_of(request)
            .map(|base| Walk::new(M::NAME, M::API_VERSION, M::BATCH, base, listing));
        self.walk::<M::Item>(walk).map_err(Failure::into_error)
    }

    /// Every element of a list method given by name, with parameters as JSON (an object,
    /// or `null` for none), read by identifier (see [`FastListing`]).
    pub fn list_fast_raw<'a>(
        &'a self,
        method: &str,
        params: Value,
        listing: FastListing,
    ) -> impl Stream<Item = Result<Value, Error<ApiError>>> + 'a {
        let walk = if is_method_name(method) {
            object_of(params).map(|base| Walk::new(method, ApiVersion::V2, true, base, listing))
        } else {
            Err(RequestError::MethodName)
        };
        self.walk::<Value>(walk).map_err(Failure::into_error)
    }

    /// The elements of the pages of a walk, in order.
    fn walk<T: DeserializeOwned>(
        &self,
        walk: Result<Walk, RequestError>,
    ) -> impl Stream<Item = Result<T, Failure>> + '_ {
        stream::try_unfold(walk, move |walk| async move {
            let mut walk = walk.map_err(Failure::Request)?;
            if walk.done {
                return Ok(None);
            }
            let pages = self.next_pages::<T>(&mut walk).await?;
            let items = pages.into_iter().flatten().map(Ok);
            Ok(Some((stream::iter(items), Ok(walk))))
        })
        .try_flatten()
    }

    /// Reads the next pages of a walk in one HTTP request and moves the walk past them.
    async fn next_pages<T: DeserializeOwned>(
        &self,
        walk: &mut Walk,
    ) -> Result<Vec<Vec<T>>, Failure> {
        let page_size = walk.page_size();
        let pages = if walk.batched() {
            match self.batched_pages(walk, page_size).await? {
                Some(pages) => pages,
                None => vec![self.single_page(walk).await?],
            }
        } else {
            vec![self.single_page(walk).await?]
        };
        walk.advance(pages, page_size).map_err(|reason| {
            Failure::Undecodable(UndecodableReply::shape(&Redactor::default(), b"", reason))
        })
    }

    /// A page's result read by the walk's description, or the reason it cannot be.
    fn page<T: DeserializeOwned>(
        &self,
        listing: &FastListing,
        result: &RawValue,
    ) -> Result<Page<T>, Failure> {
        read_page(listing, result).map_err(|error| {
            let redactor = self.redactor();
            let body = result.get().as_bytes();
            Failure::Undecodable(match error {
                PageError::Json(error) => UndecodableReply::json(200, &redactor, body, &error),
                PageError::Shape(reason) => UndecodableReply::shape(&redactor, body, reason),
            })
        })
    }

    /// One page on its own, with the client's retries and operating-time pauses.
    async fn single_page<T: DeserializeOwned>(&self, walk: &Walk) -> Result<Page<T>, Failure> {
        let call = Call {
            name: &walk.method,
            version: walk.version,
            safe_to_repeat: true,
        };
        let params = walk
            .listing
            .page_params(&walk.base, walk.after.map(Value::from));
        self.execute(call, params, |raw| Ok(self.page(&walk.listing, raw)))
            .await?
            .result
    }

    /// Up to `pages_per_request` pages in one `batch` request, each narrowed by a
    /// reference to the identifier of the last element of the page before it, when that
    /// page holds `page_size` elements. Returns the pages that ran before the first failed
    /// one, or `None` when the first page failed, to be read on its own so that its error
    /// is handled like any call's.
    async fn batched_pages<T: DeserializeOwned>(
        &self,
        walk: &Walk,
        page_size: usize,
    ) -> Result<Option<Vec<Page<T>>>, Failure> {
        let inner = &*self.inner;
        inner
            .operating
            .wait(&walk.method, inner.retry.max_operating_wait_limit())
            .await?;
        let mut batch = BatchRequest::new().halt(true);
        let path = walk.listing.last_id_path(page_size);
        let mut keys: Vec<String> = Vec::with_capacity(walk.listing.pages_per_request);
        for _ in 0..walk.listing.pages_per_request {
            let after = match keys.last() {
                None => walk.after.map(Value::from),
                Some(key) => Some(Value::from(reference(key, path.iter().map(String::as_str)))),
            };
            let params = walk.listing.page_params(&walk.base, after);
            keys.push(batch.add(&walk.method, params, true));
        }
        let (params, call) = chunk_call(batch.commands(), true, &Default::default());
        let (slots, times) = self
            .execute(call, params, |raw| {
                let mut chunk: ChunkResult<&RawValue> = serde_json::from_str(raw.get())?;
                let mut slots = Vec::with_capacity(keys.len());
                let mut times = Vec::with_capacity(keys.len());
                for key in &keys {
                    times.push(chunk.result_time.remove(key));
                    match chunk.result.remove(key.as_str()) {
                        Some(result) if !chunk.result_error.contains_key(key) => {
                            slots.push(self.page(&walk.listing, result));
                        }
                        _ => break,
                    }
                }
                Ok((slots, times))
            })
            .await?
            .result;
        for time in &times {
            inner.operating.record(&walk.method, time.as_ref()).await;
        }
        let pages = slots.into_iter().collect::<Result<Vec<_>, _>>()?;
        Ok((!pages.is_empty()).then_some(pages))
    }
}

#[cfg(test)]
mod tests {
    use serde_json::value::RawValue;
    use serde_json::{Map, Value, json};

    use super::{Page, PageError, Walk, read_page};
    use crate::{ApiVersion, FastListing};

    fn object(value: Value) -> Map<String, Value> {
        match value {
            Value::Object(object) => object,
            _ => unreachable!("an object literal"),
        }
    }

    fn raw(text: &str) -> Box<RawValue> {
        RawValue::from_string(text.to_owned()).unwrap()
    }

    fn page(ids: &[i64]) -> Page<Value> {
        Page {
            items: ids.iter().map(|id| json!({"id": id})).collect(),
            first: ids.first().copied(),
            last: ids.last().copied(),
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
        let tasks = FastListing::new().conditions_filter("filter");
        let base = object(json!({"filter": [["status", "=", "NEW"]]}));
        assert_eq!(
            tasks.page_params(&base, Some(json!(7)))["filter"],
            json!([["status", "=", "NEW"], ["id", ">", 7]])
        );
    }

    #[test]
    fn references_point_at_the_last_identifier_of_a_full_page() {
        let listing = FastListing::new().items_at("items");
        assert_eq!(listing.last_id_path(50), ["items", "49", "id"]);
        let listing = FastListing::new().id_field("ID");
        assert_eq!(listing.last_id_path(3), ["2", "ID"]);
    }

    #[test]
    fn pages_are_read_from_the_result() {
        let listing = FastListing::new().items_at("items");
        let read: Page<Value> = read_page(
            &listing,
            &raw(r#"{"items": [{"id": 3}, {"id": "9"}], "x": 1}"#),
        )
        .unwrap();
        assert_eq!((read.first, read.last), (Some(3), Some(9)));
        assert_eq!(read.items, [json!({"id": 3}), json!({"id": "9"})]);
        let empty: Page<Value> = read_page(&listing, &raw(r#"{"items": []}"#)).unwrap();
        assert!(empty.items.is_empty() && empty.last.is_none());
        let plain = FastListing::new().id_field("ID");
        let keyed: Page<Value> = read_page(&plain, &raw(r#"{"0": {"ID": "5"}}"#)).unwrap();
        assert_eq!(keyed.last, Some(5));
        for (listing, bad) in [
            (listing, "[1]"),
            (listing, r#"{"items": [{"title": "x"}]}"#),
            (listing, r#"{"items": [{"id": 4}, {"id": 2}]}"#),
            (listing, r#"{"items": null}"#),
            (listing, r#"{"other": []}"#),
            (plain, "null"),
            (plain, "[[1]]"),
        ] {
            assert!(
                read_page::<Value>(&listing, &raw(bad)).is_err(),
                "{bad} was read"
            );
        }
        assert!(read_page::<Value>(&listing, &raw(r#"{"items": [{"id": 1, "n": "x"}]}"#)).is_ok());
        #[derive(Debug, serde::Deserialize)]
        #[allow(dead_code)]
        struct Typed {
            n: i64,
        }
        assert!(matches!(
            read_page::<Typed>(&listing, &raw(r#"{"items": [{"id": 1, "n": "x"}]}"#)),
            Err(PageError::Json(_))
        ));
    }

    fn walk(page_size: usize) -> Walk {
        let listing = FastListing::new().page_size(page_size);
        Walk::new("crm.item.list", ApiVersion::V2, true, Map::new(), listing)
    }

    #[test]
    fn only_an_empty_page_ends_a_walk() {
        let mut walk = walk(50);
        let read = walk.advance(vec![page(&[1, 2])], 50).unwrap();
        assert_eq!(read.len(), 1);
        assert!(!walk.done, "a first page of 2 may be a portal paging by 2");
        assert!(!walk.batched(), "the end is confirmed with one page");
        assert_eq!(walk.page_size(), 2);
        let read = walk.advance(vec![page(&[3, 4])], 2).unwrap();
        assert_eq!(read.len(), 1);
        assert!(walk.batched(), "pages of 2 go on in batches");
        let read = walk.advance(vec![page(&[5, 6]), page(&[7])], 2).unwrap();
        assert_eq!(read.len(), 2);
        assert!(!walk.done && !walk.batched(), "1 after 2: probably the end");
        let read = walk.advance(vec![page(&[8])], 1).unwrap();
        assert_eq!(read.len(), 1, "it was not: pages of 1 from here");
        assert!(walk.batched());
        walk.advance(vec![page(&[9]), page(&[])], 1).unwrap();
        assert!(walk.done);
        assert_eq!(walk.after, Some(9));
    }

    #[test]
    fn pages_after_one_of_another_size_are_not_trusted() {
        let mut larger = walk(2);
        let read = larger
            .advance(vec![page(&[1, 2, 3]), page(&[3, 4, 5])], 2)
            .unwrap();
        assert_eq!(read.len(), 1, "the second page was chained to element 2");
        assert_eq!((larger.after, larger.page_size()), (Some(3), 3));
        assert!(larger.batched());
        let mut overlap = walk(3);
        let read = overlap.advance(vec![page(&[1, 2, 3]), page(&[2, 3, 4])], 3);
        assert_eq!(read.unwrap().len(), 1);
        assert_eq!(overlap.after, Some(3));
        assert!(overlap.advance(vec![page(&[3, 4, 5])], 3).is_err());
    }
}
