//! REST 3.0 `tasks.task.add` and `tasks.task.get`.

use serde_json::{Map, Value, json};

use super::Outcome;
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
