//! Many calls in few requests: `batch` with `$result[…]` references, sent in chunks of
//! at most 50 calls.

use std::collections::BTreeMap;
use std::fmt;
use std::marker::PhantomData;

use serde::Deserialize;
use serde_json::{Map, Value};

use crate::envelope::OrDefault;
use crate::wire::{As, Int, Map as WireMap, Same};
use crate::{ApiError, ApiVersion, BATCH_LIMIT, Envelope, Method, MethodError, Time};

use super::client::{Call, Client, object_of, params_of};
use super::error::{Error, Failure, RequestError};
use super::redact::Redactor;
use super::undecodable::UndecodableReply;

/// Calls to send with [`Client::batch`], in order. A call may use the result of an
/// earlier one through [`BatchSlot::reference`] in its parameters.
#[derive(Debug, Clone, Default)]
pub struct BatchRequest {
    commands: Vec<Command>,
    halt: bool,
}

#[derive(Debug, Clone)]
pub(crate) struct Command {
    key: String,
    method: String,
    params: Map<String, Value>,
    safe_to_repeat: bool,
}

/// Where the result of a call of `M` in a [`BatchRequest`] will be.
pub struct BatchSlot<M> {
    key: String,
    method: PhantomData<fn() -> M>,
}

impl<M> fmt::Debug for BatchSlot<M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("BatchSlot").field(&self.key).finish()
    }
}

impl<M> Clone for BatchSlot<M> {
    fn clone(&self) -> Self {
        Self {
            key: self.key.clone(),
            method: PhantomData,
        }
    }
}

/// Where the result of a raw call in a [`BatchRequest`] will be.
#[derive(Debug, Clone)]
pub struct RawSlot {
    key: String,
}

impl<M> BatchSlot<M> {
    /// `$result[<call>][<path>]…`: a parameter value that the portal replaces with that
    /// part of this call's result, such as `slot.reference(["item", "id"])`.
    pub fn reference<'a>(&self, path: impl IntoIterator<Item = &'a str>) -> String {
        reference(&self.key, path)
    }
}

impl RawSlot {
    /// `$result[<call>][<path>]…`, as [`BatchSlot::reference`].
    pub fn reference<'a>(&self, path: impl IntoIterator<Item = &'a str>) -> String {
        reference(&self.key, path)
    }
}

/// `$result[<key>][<path>]…`.
pub(crate) fn reference<'a>(key: &str, path: impl IntoIterator<Item = &'a str>) -> String {
    let mut out = format!("$result[{key}]");
    for segment in path {
        out.push('[');
        out.push_str(segment);
        out.push(']');
    }
    out
}

impl BatchRequest {
    /// An empty batch.
    pub fn new() -> Self {
        Self::default()
    }

    /// Stops at the first call that fails: the portal skips the rest of its chunk and no
    /// later chunk is sent.
    pub fn halt(mut self, halt: bool) -> Self {
        self.halt = halt;
        self
    }

    /// Adds a call of a method that may run inside `batch`.
    pub fn push<M: Method>(&mut self, request: &M) -> Result<BatchSlot<M>, RequestError> {
        if !M::BATCH || M::API_VERSION != ApiVersion::V2 {
            return Err(RequestError::NotBatchable);
        }
        let key = self.add(M::NAME, params_of(request)?, M::SAFE_TO_REPEAT);
        Ok(BatchSlot {
            key,
            method: PhantomData,
        })
    }

    /// Adds a call of a REST 2 method by name, with parameters as JSON (an object, or
    /// `null` for none).
    pub fn push_raw(&mut self, method: &str, params: Value) -> Result<RawSlot, RequestError> {
        if method.eq_ignore_ascii_case("batch") {
            return Err(RequestError::NotBatchable);
        }
        if method.is_empty() || method.contains(['?', '&', '/', '#', ' ']) {
            return Err(RequestError::MethodName);
        }
        let key = self.add(method, object_of(params)?, false);
        Ok(RawSlot { key })
    }

    /// Sets the parameter at `path` of a call already added, replacing what the request
    /// serialized there: typically a `$result[…]` reference ([`BatchSlot::reference`]) in
    /// a parameter whose Rust type is a number, such as the `id` of a `*.get` that reads
    /// what an earlier call added. Missing objects on the way are created; a segment
    /// under a list is an index into it.
    pub fn set_param<'a, M>(
        &mut self,
        slot: &BatchSlot<M>,
        path: impl IntoIterator<Item = &'a str>,
        value: impl Into<Value>,
    ) -> Result<(), RequestError> {
        let command = self
            .commands
            .iter_mut()
            .find(|command| command.key == slot.key)
            .ok_or(RequestError::ParamPath)?;
        let mut params = command.params.clone();
        set_path(&mut params, path, value.into())?;
        command.params = params;
        Ok(())
    }

    /// How many calls the batch holds.
    pub fn len(&self) -> usize {
        self.commands.len()
    }

    /// Whether the batch holds no call.
    pub fn is_empty(&self) -> bool {
        self.commands.is_empty()
    }

    /// The calls added so far, in order.
    pub(crate) fn commands(&self) -> &[Command] {
        &self.commands
    }

    /// Adds a call under a key that sorts in call order, which the JSON object of `cmd`
    /// keeps.
    pub(crate) fn add(
        &mut self,
        method: &str,
        params: Map<String, Value>,
        safe_to_repeat: bool,
    ) -> String {
        let key = format!("c{:08}", self.commands.len());
        self.commands.push(Command {
            key: key.clone(),
            method: method.to_owned(),
            params,
            safe_to_repeat,
        });
        key
    }
}

/// The outcome of one call of `M` in a batch: its result in its envelope, or its error.
pub type CallOutcome<M> = Result<Envelope<<M as Method>::Response>, Error<<M as Method>::Error>>;

/// The outcome of every call of a [`BatchRequest`].
#[derive(Debug, Default)]
pub struct BatchResults {
    results: BTreeMap<String, Value>,
    errors: BTreeMap<String, ApiError>,
    totals: BTreeMap<String, i64>,
    nexts: BTreeMap<String, i64>,
    times: BTreeMap<String, Time>,
    /// The client's credentials, for the excerpts of results that do not decode.
    redactor: Redactor,
}

impl BatchResults {
    /// The outcome of a call: its decoded result with its `time`, `next` and `total`,
    /// or its error; `None` when the call did not run (after `halt`).
    pub fn get<M: Method>(&self, slot: &BatchSlot<M>) -> Option<CallOutcome<M>> {
        if let Some(error) = self.errors.get(&slot.key) {
            return Some(Err(Error::Method(M::Error::from_api_error(error.clone()))));
        }
        let value = self.results.get(&slot.key)?;
        Some(
            M::Response::deserialize(value)
                .map(|result| self.envelope(&slot.key, result))
                .map_err(|error| {
                    let text = value.to_string();
                    Error::Undecodable(UndecodableReply::json(
                        200,
                        &self.redactor,
                        text.as_bytes(),
                        &error,
                    ))
                }),
        )
    }

    /// The outcome of a raw call, as [`get`](Self::get).
    pub fn get_raw(&self, slot: &RawSlot) -> Option<Result<Envelope<Value>, ApiError>> {
        if let Some(error) = self.errors.get(&slot.key) {
            return Some(Err(error.clone()));
        }
        let value = self.results.get(&slot.key)?;
        Some(Ok(self.envelope(&slot.key, value.clone())))
    }

    fn envelope<T>(&self, key: &str, result: T) -> Envelope<T> {
        Envelope {
            result,
            time: self.times.get(key).cloned(),
            next: self.nexts.get(key).copied(),
            total: self.totals.get(key).copied(),
        }
    }

    fn merge(&mut self, chunk: ChunkResult<Value>) {
        self.results.extend(chunk.result);
        let redactor = &self.redactor;
        self.errors.extend(
            chunk
                .result_error
                .into_iter()
                .map(|(key, error)| (key, redactor.api_error(error))),
        );
        self.totals.extend(chunk.result_total);
        self.nexts.extend(chunk.result_next);
        self.times.extend(chunk.result_time);
    }
}

/// The `result` of one `batch` request, with the result of each call as `R`: a `Value`,
/// or the raw text of the reply for reading it without building a `Value`.
#[derive(Deserialize)]
#[serde(bound(deserialize = "R: Deserialize<'de>"))]
pub(crate) struct ChunkResult<R> {
    #[serde(default, with = "As::<WireMap<Same>>")]
    pub(crate) result: BTreeMap<String, R>,
    #[serde(default, with = "As::<WireMap<Same>>")]
    pub(crate) result_error: BTreeMap<String, ApiError>,
    #[serde(default, with = "As::<WireMap<Int>>")]
    result_total: BTreeMap<String, i64>,
    #[serde(default, with = "As::<WireMap<Int>>")]
    result_next: BTreeMap<String, i64>,
    #[serde(default, with = "As::<WireMap<OrDefault>>")]
    pub(crate) result_time: BTreeMap<String, Time>,
}

impl Client {
    /// Sends the calls of a batch, at most [`BATCH_LIMIT`] per `batch` request, one
    /// request after another. A reference to a call of an earlier request is filled in
    /// by the client, from that call's result; within one request the portal fills it in.
    ///
    /// A request is retried after a transport failure only when every call in it is
    /// safe to repeat. The error of the whole `batch` request is an `ApiError`; the
    /// errors of single calls are in the [`BatchResults`].
    pub async fn batch(&self, batch: &BatchRequest) -> Result<BatchResults, Error<ApiError>> {
        self.run_batch(batch).await.map_err(Failure::into_error)
    }

    /// [`batch`](Self::batch), with the failure of a `batch` request not yet typed.
    async fn run_batch(&self, batch: &BatchRequest) -> Result<BatchResults, Failure> {
        let mut results = BatchResults {
            redactor: self.redactor(),
            ..BatchResults::default()
        };
        for chunk in batch.commands.chunks(BATCH_LIMIT) {
            let (params, call) = chunk_call(chunk, batch.halt, &results.results);
            let envelope = self
                .execute(call, params, |raw| {
                    serde_json::from_str::<ChunkResult<Value>>(raw.get())
                })
                .await?;
            let failed = !envelope.result.result_error.is_empty();
            results.merge(envelope.result);
            if batch.halt && failed {
                break;
            }
        }
        Ok(results)
    }
}

/// The `batch` call of one chunk of at most [`BATCH_LIMIT`] commands: its parameters, with
/// the references to calls of earlier requests filled in from `results`, and whether it
/// may be repeated (when every command may).
pub(crate) fn chunk_call(
    chunk: &[Command],
    halt: bool,
    results: &BTreeMap<String, Value>,
) -> (Map<String, Value>, Call<'static>) {
    let cmd: Map<String, Value> = chunk
        .iter()
        .map(|command| {
            let params = resolve_object(&command.params, results);
            let query = php_query(&params);
            let line = if query.is_empty() {
                command.method.clone()
            } else {
                format!("{}?{query}", command.method)
            };
            (command.key.clone(), Value::String(line))
        })
        .collect();
    let mut params = Map::new();
    params.insert("cmd".to_owned(), Value::Object(cmd));
    params.insert("halt".to_owned(), Value::Bool(halt));
    let call = Call {
        name: "batch",
        version: ApiVersion::V2,
        safe_to_repeat: chunk.iter().all(|command| command.safe_to_repeat),
    };
    (params, call)
}

/// The parameters with references to calls of earlier requests replaced by their
/// results.
fn resolve_object(
    params: &Map<String, Value>,
    results: &BTreeMap<String, Value>,
) -> Map<String, Value> {
    params
        .iter()
        .map(|(key, value)| (key.clone(), resolve(value, results)))
        .collect()
}

fn resolve(value: &Value, results: &BTreeMap<String, Value>) -> Value {
    match value {
        Value::String(text) if text.contains("$result[") => substitute(text, results),
        Value::Array(items) => {
            Value::Array(items.iter().map(|item| resolve(item, results)).collect())
        }
        Value::Object(fields) => Value::Object(resolve_object(fields, results)),
        other => other.clone(),
    }
}

/// Fills in the references in `text` whose call has a result: a text that is one whole
/// reference becomes the referenced value, references inside a longer text become its
/// text. Other references are left for the portal.
fn substitute(text: &str, results: &BTreeMap<String, Value>) -> Value {
    if let Some((path, len)) = parse_reference(text)
        && len == text.len()
        && let Some(value) = lookup(&path, results)
    {
        return value.clone();
    }
    let mut out = String::new();
    let mut rest = text;
    while let Some(at) = rest.find("$result[") {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        let (len, value) = match parse_reference(rest) {
            Some((path, len)) => (len, lookup(&path, results).and_then(scalar_text)),
            None => ("$result[".len(), None),
        };
        match value {
            Some(value) => out.push_str(&value),
            None => out.push_str(&rest[..len]),
        }
        rest = &rest[len..];
    }
    out.push_str(rest);
    Value::String(out)
}

/// The path of a reference at the start of `text`, and its length.
fn parse_reference(text: &str) -> Option<(Vec<&str>, usize)> {
    let mut rest = text.strip_prefix("$result")?;
    let mut path = Vec::new();
    while let Some(inner) = rest.strip_prefix('[') {
        let close = inner.find(']')?;
        path.push(&inner[..close]);
        rest = &inner[close + 1..];
    }
    (!path.is_empty()).then(|| (path, text.len() - rest.len()))
}

/// Sets `value` at `path` in `params`, creating the objects on the way (also in place of
/// a `null`).
fn set_path<'a>(
    params: &mut Map<String, Value>,
    path: impl IntoIterator<Item = &'a str>,
    value: Value,
) -> Result<(), RequestError> {
    let mut path = path.into_iter();
    let first = path.next().ok_or(RequestError::ParamPath)?;
    let mut slot = params.entry(first).or_insert(Value::Null);
    for segment in path {
        if slot.is_null() {
            *slot = Value::Object(Map::new());
        }
        slot = match slot {
            Value::Object(fields) => fields.entry(segment).or_insert(Value::Null),
            Value::Array(items) => segment
                .parse::<usize>()
                .ok()
                .and_then(|index| items.get_mut(index))
                .ok_or(RequestError::ParamPath)?,
            _ => return Err(RequestError::ParamPath),
        };
    }
    *slot = value;
    Ok(())
}

fn lookup<'a>(path: &[&str], results: &'a BTreeMap<String, Value>) -> Option<&'a Value> {
    let (first, rest) = path.split_first()?;
    rest.iter()
        .try_fold(results.get(*first)?, |value, segment| match value {
            Value::Object(fields) => fields.get(*segment),
            Value::Array(items) => items.get(segment.parse::<usize>().ok()?),
            _ => None,
        })
}

fn scalar_text(value: &Value) -> Option<String> {
    match value {
        Value::String(text) => Some(text.clone()),
        Value::Number(number) => Some(number.to_string()),
        _ => None,
    }
}

/// The parameters as a PHP query string (`fields[TITLE]=…&select[0]=…`), the form a call
/// takes inside `batch`. Booleans become `1` / `0` and `null` an empty value; an empty
/// list or object cannot be written and is left out.
fn php_query(params: &Map<String, Value>) -> String {
    let mut query = form_urlencoded::Serializer::new(String::new());
    for (name, value) in params {
        append(&mut query, name, value);
    }
    query.finish()
}

fn append(query: &mut form_urlencoded::Serializer<'_, String>, name: &str, value: &Value) {
    match value {
        Value::Null => {
            query.append_pair(name, "");
        }
        Value::Bool(flag) => {
            query.append_pair(name, if *flag { "1" } else { "0" });
        }
        Value::Number(number) => {
            query.append_pair(name, &number.to_string());
        }
        Value::String(text) => {
            query.append_pair(name, text);
        }
        Value::Array(items) => {
            for (index, item) in items.iter().enumerate() {
                append(query, &format!("{name}[{index}]"), item);
            }
        }
        Value::Object(fields) => {
            for (key, item) in fields {
                append(query, &format!("{name}[{key}]"), item);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use serde_json::{Value, json};

    use super::{BatchRequest, php_query, reference, set_path, substitute};
    use crate::client::RequestError;

    fn object(value: Value) -> serde_json::Map<String, Value> {
        match value {
            Value::Object(object) => object,
            _ => unreachable!("an object literal"),
        }
    }

    #[test]
    fn parameters_become_a_php_query() {
        let params = object(json!({
            "entityTypeId": 2,
            "fields": {"title": "A&B", "tags": ["x", "y"], "opened": true, "closed": false, "none": null},
            "empty": [],
        }));
        assert_eq!(
            php_query(&params),
            "entityTypeId=2&fields%5Bclosed%5D=0&fields%5Bnone%5D=&fields%5Bopened%5D=1\
             &fields%5Btags%5D%5B0%5D=x&fields%5Btags%5D%5B1%5D=y&fields%5Btitle%5D=A%26B"
        );
    }

    #[test]
    fn references_name_the_call_and_the_path() {
        assert_eq!(
            reference("c00000003", ["item", "id"]),
            "$result[c00000003][item][id]"
        );
    }

    #[test]
    fn known_results_are_filled_in_and_unknown_ones_left() {
        let results =
            BTreeMap::from([("c0".to_owned(), json!({"item": {"id": 7}, "list": [1, 2]}))]);
        assert_eq!(substitute("$result[c0][item][id]", &results), json!(7));
        assert_eq!(substitute("$result[c0][list]", &results), json!([1, 2]));
        assert_eq!(
            substitute("id=$result[c0][item][id];", &results),
            json!("id=7;")
        );
        assert_eq!(
            substitute("$result[c1][x] $result[c0][list]", &results),
            json!("$result[c1][x] $result[c0][list]")
        );
        assert_eq!(substitute("$result[", &results), json!("$result["));
    }

    #[test]
    fn parameters_are_set_by_path() {
        let mut params = object(json!({"id": 0, "fields": {"tags": ["a", "b"]}, "none": null}));
        set_path(&mut params, ["id"], json!("$result[c0][item][id]")).unwrap();
        set_path(&mut params, ["fields", "tags", "1"], json!("c")).unwrap();
        set_path(&mut params, ["fields", "parent", "id"], json!(7)).unwrap();
        set_path(&mut params, ["none", "x"], json!(1)).unwrap();
        assert_eq!(
            Value::Object(params.clone()),
            json!({"id": "$result[c0][item][id]",
                   "fields": {"tags": ["a", "c"], "parent": {"id": 7}}, "none": {"x": 1}})
        );
        for bad in [
            &["id", "x"][..],
            &["fields", "tags", "5"],
            &["fields", "tags", "x"],
            &[],
        ] {
            assert!(
                matches!(
                    set_path(&mut params, bad.iter().copied(), json!(1)),
                    Err(RequestError::ParamPath)
                ),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn calls_are_keyed_in_order_and_checked() {
        let mut batch = BatchRequest::new();
        let first = batch.push_raw("user.current", Value::Null).unwrap();
        let second = batch.push_raw("crm.item.get", json!({"id": 1})).unwrap();
        assert!(first.key < second.key);
        assert_eq!(batch.len(), 2);
        assert!(matches!(
            batch.push_raw("batch", Value::Null),
            Err(RequestError::NotBatchable)
        ));
        assert!(matches!(
            batch.push_raw("a?b=1", Value::Null),
            Err(RequestError::MethodName)
        ));
        assert!(matches!(
            batch.push_raw("user.get", json!([1])),
            Err(RequestError::ParamsNotAnObject)
        ));
    }
}
