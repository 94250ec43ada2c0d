//! `crm.item.add`, `.get`, `.list`, `.update` and `.delete`: CRM items of any type.

use std::cmp::Ordering;

use serde_json::{Map, Value, json};

use super::{Outcome, page};
use crate::clock::{rfc3339, unix_now};
use crate::failure::Failure;
use crate::php::{int, param, text};
use crate::state::{Caller, State};

/// The `entityTypeId` of a call, if the portal has that entity type.
fn entity_type(params: &Map<String, Value>) -> Result<i64, Failure> {
    param(params, "entityTypeId")
        .and_then(int)
        .filter(|id| is_entity_type(*id))
        .ok_or_else(|| Failure::new(400, "NOT_FOUND", "SPA not found"))
}

fn item_id(params: &Map<String, Value>) -> Result<i64, Failure> {
    param(params, "id")
        .and_then(int)
        .ok_or_else(|| Failure::new(400, "NOT_FOUND", "Item not found"))
}

fn fields(params: &Map<String, Value>) -> Result<Map<String, Value>, Failure> {
    match param(params, "fields") {
        Some(Value::Object(fields)) => Ok(fields.clone()),
        Some(Value::Array(fields)) if fields.is_empty() => Ok(Map::new()),
        _ => Err(Failure::new(
            400,
            "CRM_FIELD_ERROR_VALUE_NOT_VALID",
            "Invalid value for field \"fields\"",
        )),
    }
}

/// Fields the portal sets itself.
const SYSTEM_FIELDS: [&str; 5] = [
    "id",
    "entityTypeId",
    "createdBy",
    "createdTime",
    "updatedTime",
];

/// Creates an item from `fields`.
pub(crate) fn add(
    state: &mut State,
    caller: &Caller,
    params: &Map<String, Value>,
) -> Result<Outcome, Failure> {
    let entity = entity_type(params)?;
    let item = create(state, entity, caller.user_id, fields(params)?);
    Ok(Outcome::of(json!({"item": item.clone()})))
}

/// Whether the portal has CRM items of `entity_type_id`: lead, deal, contact, company,
/// quote, invoice, and smart processes from 128 on.
pub(crate) fn is_entity_type(entity_type_id: i64) -> bool {
    matches!(entity_type_id, 1 | 2 | 3 | 4 | 7 | 31) || entity_type_id >= 128
}

/// Stores a new item of `entity` made by `user_id` from `fields` (the fields the portal
/// sets itself are ignored) and returns it.
pub(crate) fn create(
    state: &mut State,
    entity: i64,
    user_id: u64,
    mut fields: Map<String, Value>,
) -> &Map<String, Value> {
    fields.retain(|name, _| !SYSTEM_FIELDS.contains(&name.as_str()));
    state.last_item_id += 1;
    let id = state.last_item_id;
    let now = rfc3339(unix_now());
    let mut item = Map::new();
    item.insert("id".to_owned(), json!(id));
    item.insert("entityTypeId".to_owned(), json!(entity));
    item.insert("title".to_owned(), json!(""));
    item.insert("assignedById".to_owned(), json!(user_id));
    item.insert("createdBy".to_owned(), json!(user_id));
    item.insert("createdTime".to_owned(), json!(now));
    item.insert("updatedTime".to_owned(), json!(now));
    item.extend(fields);
    state
        .items
        .entry(entity)
        .or_default()
        .entry(id)
        .or_insert(item)
}

/// One item.
pub(crate) fn get(state: &mut State, params: &Map<String, Value>) -> Result<Outcome, Failure> {
    let entity = entity_type(params)?;
    let id = item_id(params)?;
    let item = find(state, entity, id)?;
    Ok(Outcome::of(json!({"item": item.clone()})))
}

/// Changes the given `fields` of an item.
pub(crate) fn update(state: &mut State, params: &Map<String, Value>) -> Result<Outcome, Failure> {
    let entity = entity_type(params)?;
    let id = item_id(params)?;
    let mut fields = fields(params)?;
    fields.retain(|name, _| !SYSTEM_FIELDS.contains(&name.as_str()));
    let item = state
        .items
        .get_mut(&entity)
        .and_then(|items| items.get_mut(&id))
        .ok_or_else(|| Failure::new(400, "NOT_FOUND", "Item not found"))?;
    item.extend(fields);
    item.insert("updatedTime".to_owned(), json!(rfc3339(unix_now())));
    Ok(Outcome::of(json!({"item": item.clone()})))
}

/// Deletes an item; the result is an empty array, as PHP writes it.
pub(crate) fn delete(state: &mut State, params: &Map<String, Value>) -> Result<Outcome, Failure> {
    let entity = entity_type(params)?;
    let id = item_id(params)?;
    state
        .items
        .get_mut(&entity)
        .and_then(|items| items.remove(&id))
        .ok_or_else(|| Failure::new(400, "NOT_FOUND", "Item not found"))?;
    Ok(Outcome::of(json!([])))
}

fn find(state: &State, entity: i64, id: i64) -> Result<&Map<String, Value>, Failure> {
    state
        .items
        .get(&entity)
        .and_then(|items| items.get(&id))
        .ok_or_else(|| Failure::new(400, "NOT_FOUND", "Item not found"))
}

/// Items matching `filter`, sorted by `order`, with the `select`ed fields, a page at a
/// time from `start` (`-1`: first page, no count).
///
/// A `>id` / `>=id` condition narrows the items looked at, and a list in identifier order
/// with `start = -1` stops at the end of its page, so that reading a large list by
/// identifier stays fast.
pub(crate) fn list(state: &mut State, params: &Map<String, Value>) -> Result<Outcome, Failure> {
    let entity = entity_type(params)?;
    let filter = object_param(params, "filter")?;
    let order = order_of(&object_param(params, "order")?)?;
    let select: Vec<String> = match param(params, "select") {
        Some(Value::Array(select)) => select.iter().filter_map(text).collect(),
        _ => Vec::new(),
    };
    let start = match param(params, "start") {
        None => None,
        Some(start) => Some(int(start).ok_or_else(|| Failure::invalid_argument("start"))?),
    };
    let size = state.config.page_size;
    let matching = state
        .items
        .get(&entity)
        .into_iter()
        .flat_map(|items| items.range(lowest_id(&filter)..).map(|(_, item)| item))
        .filter(|item| {
            filter
                .iter()
                .all(|(key, wanted)| matches(item, key, wanted))
        });
    let by_id = order
        .iter()
        .all(|(field, descending)| field == "id" && !descending);
    let (items, next, total) = if by_id && start == Some(-1) {
        (matching.take(size).collect(), None, Some(0))
    } else {
        let mut items: Vec<&Map<String, Value>> = matching.collect();
        if !by_id {
            items.sort_by(|a, b| {
                order
                    .iter()
                    .map(|(field, descending)| {
                        let ordering = compare(a.get(field), b.get(field));
                        if *descending {
                            ordering.reverse()
                        } else {
                            ordering
                        }
                    })
                    .find(|ordering| ordering.is_ne())
                    .unwrap_or(Ordering::Equal)
            });
        }
        page(items, start, size)
    };
    let items: Vec<Value> = items
        .into_iter()
        .map(|item| Value::Object(selected(item, &select)))
        .collect();
    Ok(Outcome {
        result: json!({"items": items}),
        next,
        total,
    })
}

/// The smallest identifier `filter` lets through by its `>id` and `>=id` conditions.
fn lowest_id(filter: &Map<String, Value>) -> i64 {
    filter
        .iter()
        .filter_map(|(key, value)| match key.as_str() {
            ">id" => int(value).map(|id| id.saturating_add(1)),
            ">=id" => int(value),
            _ => None,
        })
        .max()
        .unwrap_or(i64::MIN)
}

fn object_param(params: &Map<String, Value>, name: &str) -> Result<Map<String, Value>, Failure> {
    match param(params, name) {
        None => Ok(Map::new()),
        Some(Value::Object(object)) => Ok(object.clone()),
        Some(Value::Array(list)) if list.is_empty() => Ok(Map::new()),
        Some(_) => Err(Failure::invalid_argument(name)),
    }
}

/// The sort keys: (field, descending), ending with `id` ascending.
fn order_of(order: &Map<String, Value>) -> Result<Vec<(String, bool)>, Failure> {
    let mut keys = Vec::new();
    for (field, direction) in order {
        let direction = text(direction).unwrap_or_default();
        let descending = match direction.to_ascii_uppercase().as_str() {
            "ASC" => false,
            "DESC" => true,
            _ => {
                return Err(Failure::new(
                    400,
                    "INVALID_ARG_VALUE",
                    format!(
                        "Invalid order: allowed sort directions are ASC, DESC. But got '{direction}' for field '{field}'"
                    ),
                ));
            }
        };
        keys.push((field.clone(), descending));
    }
    keys.push(("id".to_owned(), false));
    Ok(keys)
}

/// The operator and the field of a filter key: `>=id` is (`>=`, `id`), `title` is
/// (`=`, `title`).
pub(crate) fn split_operator(key: &str) -> (&'static str, &str) {
    ["!=", ">=", "<=", "=", "!", ">", "<"]
        .iter()
        .find_map(|operator| key.strip_prefix(operator).map(|field| (*operator, field)))
        .unwrap_or(("=", key))
}

/// Whether `item` passes one filter condition: `field`, `=field`, `!field`, `!=field`,
/// `>field`, `>=field`, `<field` or `<=field`; a list of values means any of them.
pub(crate) fn matches(item: &Map<String, Value>, key: &str, wanted: &Value) -> bool {
    let (operator, field) = split_operator(key);
    let value = item.get(field);
    let test = |wanted: &Value| {
        let ordering = compare(value, Some(wanted));
        match operator {
            "=" => ordering.is_eq(),
            "!" | "!=" => ordering.is_ne(),
            ">" => ordering.is_gt(),
            ">=" => ordering.is_ge(),
            "<" => ordering.is_lt(),
            _ => ordering.is_le(),
        }
    };
    match wanted {
        Value::Array(options) if matches!(operator, "!" | "!=") => options.iter().all(test),
        Value::Array(options) => options.iter().any(test),
        wanted => value.is_some() && test(wanted),
    }
}

/// Compares two field values as numbers when both are numbers, else as text.
pub(crate) fn compare(a: Option<&Value>, b: Option<&Value>) -> Ordering {
    let number = |value: Option<&Value>| {
        value.and_then(|value| match value {
            Value::Number(number) => number.as_f64(),
            Value::String(text) => text.trim().parse().ok(),
            _ => None,
        })
    };
    match (number(a), number(b)) {
        (Some(a), Some(b)) => a.total_cmp(&b),
        _ => a
            .and_then(text)
            .unwrap_or_default()
            .cmp(&b.and_then(text).unwrap_or_default()),
    }
}

/// The `select`ed fields of an item (all for none or `*`); `id` always.
fn selected(item: &Map<String, Value>, select: &[String]) -> Map<String, Value> {
    if select.is_empty() || select.iter().any(|field| field == "*") {
        return item.clone();
    }
    item.iter()
        .filter(|(field, _)| *field == "id" || select.contains(field))
        .map(|(field, value)| (field.clone(), value.clone()))
        .collect()
}

#[cfg(test)]
mod tests {
    use serde_json::{Map, Value, json};

    use super::{compare, lowest_id, matches, selected};

    fn item() -> Map<String, Value> {
        match json!({"id": 12, "title": "Deal", "opportunity": "1500"}) {
            Value::Object(item) => item,
            _ => unreachable!(),
        }
    }

    #[test]
    fn filter_operators() {
        let item = item();
        assert!(matches(&item, ">id", &json!("10")));
        assert!(!matches(&item, ">id", &json!(12)));
        assert!(matches(&item, ">=id", &json!(12)));
        assert!(matches(&item, "<opportunity", &json!(2000)));
        assert!(matches(&item, "title", &json!("Deal")));
        assert!(matches(&item, "=id", &json!(["1", "12"])));
        assert!(!matches(&item, "!id", &json!([12])));
        assert!(matches(&item, "!=title", &json!("Other")));
        assert!(!matches(&item, "stageId", &json!("NEW")));
    }

    #[test]
    fn identifier_conditions_give_the_lowest_identifier() {
        let filter = |value: Value| match value {
            Value::Object(filter) => filter,
            _ => unreachable!(),
        };
        assert_eq!(lowest_id(&filter(json!({">id": "40"}))), 41);
        assert_eq!(lowest_id(&filter(json!({">=id": 40, ">id": 10}))), 40);
        assert_eq!(lowest_id(&filter(json!({">id": "x", "<id": 5}))), i64::MIN);
    }

    #[test]
    fn numbers_compare_as_numbers() {
        assert!(compare(Some(&json!("9")), Some(&json!(10))).is_lt());
        assert!(compare(Some(&json!("b")), Some(&json!("a"))).is_gt());
    }

    #[test]
    fn select_keeps_id() {
        let item = item();
        let picked = selected(&item, &["title".to_owned()]);
        assert_eq!(Value::Object(picked), json!({"id": 12, "title": "Deal"}));
        assert_eq!(selected(&item, &["*".to_owned()]), item);
    }
}
