//! `event.offline.get` and `event.offline.clear`: the offline event queue, for the
//! administrator.

use serde_json::{Map, Value, json};

use super::Outcome;
use crate::events::OfflineRecord;
use crate::failure::Failure;
use crate::php::{int, param, text};
use crate::state::{Caller, State};

/// The administrator, the only user who may read the queue.
const ADMINISTRATOR: u64 = 1;

/// How many records `event.offline.get` returns when the call does not say.
const DEFAULT_LIMIT: usize = 50;

fn administrator_only(caller: &Caller) -> Result<(), Failure> {
    if caller.user_id == ADMINISTRATOR {
        Ok(())
    } else {
        Err(Failure::new(403, "ACCESS_DENIED", "Access denied!"))
    }
}

/// The first `limit` records, oldest change first: those reserved under `process_id`
/// when it is given, otherwise those not reserved. With `clear=1` (the default) they
/// leave the queue; with `clear=0` they are reserved under a `process_id` the result
/// names. `filter`, `order`, `auth_connector` and `error` are not supported.
pub(crate) fn get(
    state: &mut State,
    caller: &Caller,
    params: &Map<String, Value>,
) -> Result<Outcome, Failure> {
    administrator_only(caller)?;
    let limit = param(params, "limit")
        .and_then(int)
        .and_then(|limit| usize::try_from(limit).ok())
        .filter(|limit| *limit > 0)
        .unwrap_or(DEFAULT_LIMIT);
    let clear = param(params, "clear").and_then(int).unwrap_or(1) != 0;
    let reserved = param(params, "process_id")
        .and_then(text)
        .filter(|id| !id.is_empty());
    let mut picked: Vec<&OfflineRecord> = state
        .events
        .queue
        .iter()
        .filter(|record| record.process_id == reserved)
        .collect();
    picked.sort_by(|a, b| (&a.timestamp, a.id).cmp(&(&b.timestamp, b.id)));
    picked.truncate(limit);
    let events: Vec<Value> = picked.iter().map(|record| row(record)).collect();
    let ids: Vec<u64> = picked.iter().map(|record| record.id).collect();
    let process_id = if clear {
        state
            .events
            .queue
            .retain(|record| !ids.contains(&record.id));
        None
    } else {
        let process_id = reserved.unwrap_or_else(|| state.random_code(32));
        for record in &mut state.events.queue {
            if ids.contains(&record.id) {
                record.process_id = Some(process_id.clone());
            }
        }
        Some(process_id)
    };
    Ok(Outcome::of(
        json!({"process_id": process_id, "events": events}),
    ))
}

/// A record as `event.offline.get` returns it.
fn row(record: &OfflineRecord) -> Value {
    json!({
        "ID": record.id.to_string(),
        "TIMESTAMP_X": record.timestamp,
        "EVENT_NAME": record.event,
        "EVENT_DATA": record.data,
        "EVENT_ADDITIONAL": [],
        "MESSAGE_ID": record.message_id,
    })
}

/// Removes records reserved under `process_id`: all of them, those whose `ID` is in
/// `id`, or else those whose `MESSAGE_ID` is in `message_id`.
pub(crate) fn clear(
    state: &mut State,
    caller: &Caller,
    params: &Map<String, Value>,
) -> Result<Outcome, Failure> {
    administrator_only(caller)?;
    let process_id = param(params, "process_id")
        .and_then(text)
        .filter(|id| !id.is_empty())
        .ok_or_else(|| Failure::invalid_argument("process_id"))?;
    let ids: Option<Vec<String>> = param(params, "id").map(texts);
    let message_ids: Option<Vec<String>> = param(params, "message_id").map(texts);
    state.events.queue.retain(|record| {
        let named = match (&ids, &message_ids) {
            (Some(ids), _) => ids.contains(&record.id.to_string()),
            (None, Some(message_ids)) => message_ids.contains(&record.message_id),
            (None, None) => true,
        };
        !(named && record.process_id.as_deref() == Some(process_id.as_str()))
    });
    Ok(Outcome::of(Value::Bool(true)))
}

/// The scalars of a list parameter (a list, or an object as PHP sends arrays with keys)
/// as text.
fn texts(value: &Value) -> Vec<String> {
    match value {
        Value::Array(list) => list.iter().filter_map(text).collect(),
        Value::Object(object) => object.values().filter_map(text).collect(),
        scalar => text(scalar).into_iter().collect(),
    }
}
