//! The methods the portal implements.

use serde_json::{Map, Value};

use crate::failure::Failure;
use crate::state::{Caller, State};

mod app_option;
mod crm_item;
mod event;
mod event_offline;
mod task;
mod user;

pub(crate) use crm_item::{create as create_crm_item, is_entity_type as is_crm_entity_type};

/// What a method returned: its `result`, and `next` / `total` for list methods.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Outcome {
    pub(crate) result: Value,
    pub(crate) next: Option<i64>,
    pub(crate) total: Option<i64>,
}

impl Outcome {
    /// A result of a method that does not page.
    pub(crate) fn of(result: Value) -> Self {
        Self {
            result,
            next: None,
            total: None,
        }
    }
}

/// Which REST API a call came to: REST 2 at `/rest/`, REST 3.0 at `/rest/api/`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Api {
    V2,
    V3,
}

/// Whether the portal implements `method` (other than `batch`) in `api`.
pub(crate) fn exists(api: Api, method: &str) -> bool {
    match api {
        Api::V2 => matches!(
            method,
            "app.option.set"
                | "app.option.get"
                | "user.current"
                | "user.get"
                | "event.bind"
                | "event.unbind"
                | "event.get"
                | "event.offline.get"
                | "event.offline.clear"
                | "crm.item.add"
                | "crm.item.get"
                | "crm.item.list"
                | "crm.item.update"
                | "crm.item.delete"
        ),
        Api::V3 => matches!(
            method,
            "tasks.task.add" | "tasks.task.get" | "tasks.task.list"
        ),
    }
}

/// Runs a method that [`exists`].
pub(crate) fn run(
    state: &mut State,
    caller: &Caller,
    api: Api,
    method: &str,
    params: &Map<String, Value>,
) -> Result<Outcome, Failure> {
    match (api, method) {
        (Api::V2, "app.option.set") => app_option::set(state, params),
        (Api::V2, "app.option.get") => app_option::get(state, params),
        (Api::V2, "user.current") => user::current(state, caller),
        (Api::V2, "user.get") => user::get(state, params),
        (Api::V2, "event.bind") => event::bind(state, params),
        (Api::V2, "event.unbind") => event::unbind(state, params),
        (Api::V2, "event.get") => Ok(event::get(state)),
        (Api::V2, "event.offline.get") => event_offline::get(state, caller, params),
        (Api::V2, "event.offline.clear") => event_offline::clear(state, caller, params),
        (Api::V2, "crm.item.add") => crm_item::add(state, caller, params),
        (Api::V2, "crm.item.get") => crm_item::get(state, params),
        (Api::V2, "crm.item.list") => crm_item::list(state, params),
        (Api::V2, "crm.item.update") => crm_item::update(state, params),
        (Api::V2, "crm.item.delete") => crm_item::delete(state, params),
        (Api::V3, "tasks.task.add") => task::add(state, params),
        (Api::V3, "tasks.task.get") => task::get(state, params),
        (Api::V3, "tasks.task.list") => task::list(state, params),
        _ => Err(Failure::new(
            404,
            "ERROR_METHOD_NOT_FOUND",
            "Method not found!",
        )),
    }
}

/// A page of `items` from `start`: the `result`, `next` when more remain, and `total`.
/// `start = -1` returns the first page without counting (`total` is 0, no `next`).
pub(crate) fn page<T>(
    items: Vec<T>,
    start: Option<i64>,
    size: usize,
) -> (Vec<T>, Option<i64>, Option<i64>) {
    let start = start.unwrap_or(0);
    if start == -1 {
        return (items.into_iter().take(size).collect(), None, Some(0));
    }
    let start = usize::try_from(start.max(0)).unwrap_or(usize::MAX);
    let total = items.len();
    let page: Vec<T> = items.into_iter().skip(start).take(size).collect();
    let end = start.saturating_add(page.len());
    let next = (end < total).then_some(end as i64);
    (page, next, Some(total as i64))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::page;

    #[test]
    fn pages_and_fast_listing() {
        let items: Vec<_> = (0..5).map(|i| json!(i)).collect();
        assert_eq!(
            page(items.clone(), None, 2),
            (vec![json!(0), json!(1)], Some(2), Some(5))
        );
        assert_eq!(
            page(items.clone(), Some(4), 2),
            (vec![json!(4)], None, Some(5))
        );
        assert_eq!(page(items.clone(), Some(9), 2), (vec![], None, Some(5)));
        assert_eq!(
            page(items, Some(-1), 2),
            (vec![json!(0), json!(1)], None, Some(0))
        );
    }
}
