//! `user.current` and `user.get`.

use serde_json::{Map, Value};

use super::crm_item::{compare, matches, split_operator};
use super::{Outcome, page};
use crate::failure::Failure;
use crate::php::{int, param, text};
use crate::state::{Caller, State};

/// The calling user.
pub(crate) fn current(state: &mut State, caller: &Caller) -> Result<Outcome, Failure> {
    let id = caller.user_id.to_string();
    state
        .users
        .iter()
        .find(|user| user["ID"] == id.as_str())
        .cloned()
        .map(Outcome::of)
        .ok_or_else(|| Failure::new(401, "NO_AUTH_FOUND", "Wrong authorization data"))
}

/// Users matching `FILTER` (exact values of the given fields, or `>`, `>=`, `<`, `<=`,
/// `!`, `!=` before the field), sorted by the field `sort` in the direction `order`, a
/// page at a time.
pub(crate) fn get(state: &mut State, params: &Map<String, Value>) -> Result<Outcome, Failure> {
    let filter = match param(params, "FILTER") {
        None => Map::new(),
        Some(Value::Object(filter)) => filter.clone(),
        Some(Value::Array(filter)) if filter.is_empty() => Map::new(),
        Some(_) => return Err(Failure::invalid_argument("FILTER")),
    };
    let start = match param(params, "start") {
        None => None,
        Some(start) => Some(int(start).ok_or_else(|| Failure::invalid_argument("start"))?),
    };
    let mut users: Vec<&Value> = state
        .users
        .iter()
        .filter(|user| filter.iter().all(|(key, wanted)| passes(user, key, wanted)))
        .collect();
    if let Some(field) = param(params, "sort").and_then(text) {
        let field = field.to_ascii_uppercase();
        let descending = param(params, "order")
            .and_then(text)
            .is_some_and(|order| order.eq_ignore_ascii_case("DESC"));
        users.sort_by(|a, b| {
            let ordering = compare(a.get(&field), b.get(&field));
            if descending {
                ordering.reverse()
            } else {
                ordering
            }
        });
    }
    let (users, next, total) = page(users, start, state.config.page_size);
    Ok(Outcome {
        result: Value::Array(users.into_iter().cloned().collect()),
        next,
        total,
    })
}

/// Whether a user passes one condition of `FILTER`; field names ignore case.
fn passes(user: &Value, key: &str, wanted: &Value) -> bool {
    let (operator, field) = split_operator(key);
    let field = field.to_ascii_uppercase();
    match (operator, user.as_object()) {
        ("=", _) => user.get(&field).is_some_and(|value| same(value, wanted)),
        (_, Some(fields)) => matches(fields, &format!("{operator}{field}"), wanted),
        (_, None) => false,
    }
}

/// Whether a user's field has the wanted value, compared as PHP strings (`true` is "1"
/// and also matches "Y").
fn same(value: &Value, wanted: &Value) -> bool {
    match (value, text(wanted)) {
        (Value::Bool(flag), Some(wanted)) => *flag == matches!(wanted.as_str(), "1" | "Y" | "true"),
        (value, Some(wanted)) => text(value).is_some_and(|value| value == wanted),
        (_, None) => false,
    }
}
