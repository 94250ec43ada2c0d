//! REST 3.0 `tasks.task.add`, `tasks.task.get` and `tasks.task.list`.

use serde_json::{Map, Value, json};

use super::Outcome;
use super::crm_item::{compare, matches};
use crate::clock::{rfc3339, unix_now};
use crate::failure::Failure;
use crate::state::State;

/// An integer parameter as REST 3.0 reads it: a JSON number, nothing else.
fn integer(params: &Map<String, Value>, name: &str) -> Result<i64, Failure> {
    match params.get(name) {
        None => Err(Failure::invalid_field(
            name,
            format!("Required field `{name}` is not specified"),
        )),
        Some(value) => value.as_i64().ok_or_else(|| {
            Failure::invalid_field(name, format!("Field `{name}` must be an integer"))
        }),
    }
}

/// Creates a task from `fields`, which needs `title`, `creatorId` and `responsibleId`.
pub(crate) fn add(state: &mut State, params: &Map<String, Value>) -> Result<Outcome, Failure> {
    let Some(Value::Object(fields)) = params.get("fields") else {
        return Err(Failure::invalid_field(
            "fields",
            "Required field `fields` is not specified",
        ));
    };
    if fields
        .get("title")
        .and_then(Value::as_str)
        .is_none_or(str::is_empty)
    {
        return Err(Failure::invalid_field(
            "title",
            "Required field `title` is not specified",
        ));
    }
    integer(fields, "creatorId")?;
    integer(fields, "responsibleId")?;
    state.last_task_id += 1;
    let id = state.last_task_id;
    let now = rfc3339(unix_now());
    let mut task = match json!({
        "id": id,
        "description": "",
        "deadline": null,
        "priority": "average",
        "status": "pending",
        "changed": now,
        "activity": now,
    }) {
        Value::Object(task) => task,
        _ => unreachable!("an object literal"),
    };
    task.extend(fields.clone());
    task.insert("id".to_owned(), json!(id));
    state.tasks.insert(id, task.clone());
    Ok(Outcome::of(json!({"item": task})))
}

/// One task, with the fields of `select` (all without it). Fields the task does not have
/// are left out; fields of related objects (`responsible.name`) are not known here.
pub(crate) fn get(state: &mut State, params: &Map<String, Value>) -> Result<Outcome, Failure> {
    let id = integer(params, "id")?;
    let select: Option<Vec<&str>> = match params.get("select") {
        None => None,
        Some(Value::Array(fields)) => Some(fields.iter().filter_map(Value::as_str).collect()),
        Some(_) => {
            return Err(Failure::invalid_field(
                "select",
                "Field `select` must be an array",
            ));
        }
    };
    if let Some(related) = select.iter().flatten().find(|field| field.contains('.')) {
        return Err(Failure::new(
            400,
            "BITRIX_REST_V3_EXCEPTION_UNKNOWNDTOPROPERTYEXCEPTION",
            format!("Unknown field `{related}`"),
        ));
    }
    let task = state.tasks.get(&id).ok_or_else(|| {
        Failure::new(
            400,
            "BITRIX_REST_V3_EXCEPTION_ENTITYNOTFOUNDEXCEPTION",
            format!("Task {id} not found"),
        )
    })?;
    let item: Map<String, Value> = match select {
        None => task.clone(),
        Some(select) => task
            .iter()
            .filter(|(field, _)| select.contains(&field.as_str()))
            .map(|(field, value)| (field.clone(), value.clone()))
            .collect(),
    };
    Ok(Outcome::of(json!({ "item": item })))
}

/// Tasks matching `filter` (a list of conditions `[field, operator, value]` or
/// `[field, value]`, operators `=`, `!=`, `>`, `>=`, `<`, `<=`, `in`), sorted by `order`
/// (`{field: "ASC" | "DESC"}`, by `id` by default), a page of `pagination` (`limit`, the
/// portal's page size by default and at most 1,000; `offset`, or `page` from 1), with the
/// fields of `select` (only `id` without it). The reply has no `next` or `total`.
pub(crate) fn list(state: &mut State, params: &Map<String, Value>) -> Result<Outcome, Failure> {
    let conditions = match params.get("filter") {
        None => Vec::new(),
        Some(Value::Array(conditions)) => conditions
            .iter()
            .map(condition)
            .collect::<Result<Vec<_>, _>>()?,
        Some(_) => {
            return Err(Failure::invalid_field(
                "filter",
                "Field `filter` must be an array",
            ));
        }
    };
    let order: Vec<(String, bool)> = match params.get("order") {
        None => Vec::new(),
        Some(Value::Object(order)) => order
            .iter()
            .map(|(field, direction)| {
                let descending = direction
                    .as_str()
                    .is_some_and(|direction| direction.eq_ignore_ascii_case("DESC"));
                (field.clone(), descending)
            })
            .collect(),
        Some(_) => {
            return Err(Failure::invalid_field(
                "order",
                "Field `order` must be an object",
            ));
        }
    };
    let pagination = match params.get("pagination") {
        None => Map::new(),
        Some(Value::Object(pagination)) => pagination.clone(),
        Some(_) => {
            return Err(Failure::invalid_field(
                "pagination",
                "Field `pagination` must be an object",
            ));
        }
    };
    let limit = match pagination.get("limit") {
        None => state.config.page_size,
        Some(limit) => limit
            .as_u64()
            .filter(|limit| (1..=1000).contains(limit))
            .ok_or_else(|| Failure::invalid_field("pagination", "`limit` must be from 1 to 1000"))?
            as usize,
    };
    let offset = match (pagination.get("offset"), pagination.get("page")) {
        (Some(offset), _) => offset
            .as_u64()
            .ok_or_else(|| Failure::invalid_field("pagination", "`offset` must not be negative"))?
            as usize,
        (None, Some(page)) => {
            let page = page
                .as_u64()
                .filter(|page| *page >= 1)
                .ok_or_else(|| Failure::invalid_field("pagination", "`page` starts at 1"))?;
            (page as usize - 1) * limit
        }
        (None, None) => 0,
    };
    let select: Vec<&str> = match params.get("select") {
        Some(Value::Array(fields)) => fields.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    let mut tasks: Vec<&Map<String, Value>> = state
        .tasks
        .values()
        .filter(|task| {
            conditions
                .iter()
                .all(|(key, wanted)| matches(task, key, wanted))
        })
        .collect();
    tasks.sort_by(|a, b| {
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
            .unwrap_or_else(|| compare(a.get("id"), b.get("id")))
    });
    let items: Vec<Value> = tasks
        .into_iter()
        .skip(offset)
        .take(limit)
        .map(|task| {
            Value::Object(
                task.iter()
                    .filter(|(field, _)| *field == "id" || select.contains(&field.as_str()))
                    .map(|(field, value)| (field.clone(), value.clone()))
                    .collect(),
            )
        })
        .collect();
    Ok(Outcome::of(json!({ "items": items })))
}

/// A filter condition as a key and value for [`matches`]: `["id", ">", 3]` is (`>id`, 3),
/// `["id", "in", [1, 2]]` and `["id", [1, 2]]` are (`id`, [1, 2]).
fn condition(condition: &Value) -> Result<(String, Value), Failure> {
    let invalid = || {
        Failure::new(
            400,
            "BITRIX_REST_V3_EXCEPTION_UNKNOWNFILTEROPERATOREXCEPTION",
            format!("Invalid filter condition {condition}"),
        )
    };
    let parts = condition.as_array().ok_or_else(invalid)?;
    let (field, operator, value) = match parts.as_slice() {
        [field, value] => (field, "=", value),
        [field, operator, value] => (field, operator.as_str().ok_or_else(invalid)?, value),
        _ => return Err(invalid()),
    };
    let field = field.as_str().ok_or_else(invalid)?;
    let operator = match operator {
        "=" | "in" => "",
        "!=" | ">" | ">=" | "<" | "<=" => operator,
        _ => return Err(invalid()),
    };
    Ok((format!("{operator}{field}"), value.clone()))
}
