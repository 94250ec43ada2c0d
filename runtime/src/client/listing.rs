//! Fast listing of large lists: pages selected by the last identifier, with `start = -1`
//! so that the portal does not count the total (see `settings/performance/huge-data.md`).

use futures::stream::{self, Stream, TryStreamExt};
use serde_json::{Map, Value};

use crate::{ApiError, ApiVersion};

use super::client::{Call, Client, object_of};
use super::error::{Error, Failure};
use super::undecodable::UndecodableReply;

/// A list method to read in full by identifier: each page asks for the elements whose
/// identifier is greater than the last one seen, in ascending order, without counting.
///
/// The defaults fit `crm.item.list` and the other methods that take `filter` and
/// `order` and return elements with an `id`:
/// `FastListing::new("crm.item.list", json!({"entityTypeId": 2})).items_at("items")`.
#[derive(Debug, Clone)]
pub struct FastListing {
    method: String,
    params: Value,
    id_field: String,
    filter_param: String,
    order_param: String,
    items_at: Option<String>,
    page_size: usize,
}

impl FastListing {
    /// Lists `method` with `params` (an object; its filter is kept and narrowed).
    pub fn new(method: impl Into<String>, params: Value) -> Self {
        Self {
            method: method.into(),
            params,
            id_field: "id".to_owned(),
            filter_param: "filter".to_owned(),
            order_param: "order".to_owned(),
            items_at: None,
            page_size: 50,
        }
    }

    /// Sets the identifier field of the elements (default `id`; `ID` for older methods).
    pub fn id_field(mut self, field: impl Into<String>) -> Self {
        self.id_field = field.into();
        self
    }

    /// Sets the names of the filter and order parameters (default `filter` and `order`).
    pub fn params_named(mut self, filter: impl Into<String>, order: impl Into<String>) -> Self {
        self.filter_param = filter.into();
        self.order_param = order.into();
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

    /// The parameters of the page after the element with identifier `after`.
    fn page_params(&self, base: &Map<String, Value>, after: Option<i64>) -> Map<String, Value> {
        let mut params = base.clone();
        let mut filter = match params.remove(&self.filter_param) {
            Some(Value::Object(filter)) => filter,
            _ => Map::new(),
        };
        if let Some(after) = after {
            filter.insert(format!(">{}", self.id_field), Value::from(after));
        }
        params.insert(self.filter_param.clone(), Value::Object(filter));
        let mut order = Map::new();
        order.insert(self.id_field.clone(), Value::from("ASC"));
        params.insert(self.order_param.clone(), Value::Object(order));
        params.insert("start".to_owned(), Value::from(-1));
        params
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

    /// The number of elements of a page and the identifier of its last element.
    fn inspect(&self, result: &Value) -> Result<(usize, Option<i64>), &'static str> {
        let items = self.list(result)?;
        let last = match items.last() {
            None => None,
            Some(item) => Some(
                item.get(&self.id_field)
                    .and_then(|id| match id {
                        Value::Number(number) => number.as_i64(),
                        Value::String(text) => text.parse().ok(),
                        _ => None,
                    })
                    .ok_or("an element has no numeric identifier")?,
            ),
        };
        Ok((items.len(), last))
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

impl Client {
    /// Every element of a list, a page at a time by identifier (see [`FastListing`]).
    /// Pages are read calls and are retried like any call that is safe to repeat.
    pub fn list_fast(
        &self,
        listing: FastListing,
    ) -> impl Stream<Item = Result<Value, Error<ApiError>>> + '_ {
        stream::try_unfold(Some((listing, None::<i64>)), move |state| async move {
            let Some((listing, after)) = state else {
                return Ok(None);
            };
            let base = object_of(listing.params.clone()).map_err(Error::Request)?;
            let call = Call {
                name: &listing.method,
                version: ApiVersion::V2,
                safe_to_repeat: true,
            };
            let params = listing.page_params(&base, after);
            let envelope = self
                .execute(call, params, |raw| serde_json::from_str::<Value>(raw.get()))
                .await
                .map_err(Failure::into_error)?;
            let (count, last) = listing.inspect(&envelope.result).map_err(|reason| {
                let text = envelope.result.to_string();
                Error::Undecodable(UndecodableReply::shape(
                    self.excerpt(text.as_bytes()),
                    reason,
                ))
            })?;
            let items = listing.take_items(envelope.result);
            let more = count >= listing.page_size && last > after;
            Ok(Some((items, more.then_some((listing, last)))))
        })
        .map_ok(|items| stream::iter(items.into_iter().map(Ok)))
        .try_flatten()
    }
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::FastListing;

    #[test]
    fn pages_narrow_the_filter_by_the_last_identifier() {
        let listing = FastListing::new("crm.item.list", Value::Null);
        let base = match json!({"entityTypeId": 2, "filter": {"stageId": "NEW"}, "order": {"title": "DESC"}})
        {
            Value::Object(base) => base,
            _ => unreachable!("an object literal"),
        };
        let first = listing.page_params(&base, None);
        assert_eq!(
            Value::Object(first),
            json!({"entityTypeId": 2, "filter": {"stageId": "NEW"}, "order": {"id": "ASC"}, "start": -1})
        );
        let next = listing
            .id_field("ID")
            .params_named("FILTER", "order")
            .page_params(&base, Some(40));
        assert_eq!(next["FILTER"], json!({">ID": 40}));
        assert_eq!(next["order"], json!({"ID": "ASC"}));
    }

    #[test]
    fn pages_are_read_from_the_result() {
        let listing = FastListing::new("crm.item.list", Value::Null).items_at("items");
        let page = json!({"items": [{"id": 3}, {"id": "9"}]});
        assert_eq!(listing.inspect(&page), Ok((2, Some(9))));
        assert_eq!(
            listing.take_items(page),
            [json!({"id": 3}), json!({"id": "9"})]
        );
        assert_eq!(listing.inspect(&json!({"items": []})), Ok((0, None)));
        assert!(listing.inspect(&json!([1])).is_err());
        assert!(
            listing
                .inspect(&json!({"items": [{"title": "x"}]}))
                .is_err()
        );
        let plain = FastListing::new("user.get", Value::Null).id_field("ID");
        assert_eq!(plain.inspect(&json!({"0": {"ID": "5"}})), Ok((1, Some(5))));
    }
}
