//! Which calls raise which events: `crm.item.add`, `.update` and `.delete` raise the
//! event of the item's entity type, as the CRM does (see
//! `api-reference/crm/universal/events/index.md`).

use serde_json::{Map, Value, json};

use crate::events::raise;
use crate::methods::Outcome;
use crate::php::{int, param};
use crate::state::{Caller, State};

/// Raises the events a successful call of `method` causes.
pub(crate) fn after_call(
    state: &mut State,
    caller: &Caller,
    method: &str,
    params: &Map<String, Value>,
    outcome: &Outcome,
) {
    let action = match method {
        "crm.item.add" => "ADD",
        "crm.item.update" => "UPDATE",
        "crm.item.delete" => "DELETE",
        _ => return,
    };
    let entity = param(params, "entityTypeId").and_then(int);
    let id = outcome
        .result
        .get("item")
        .and_then(|item| item.get("id"))
        .or_else(|| param(params, "id"))
        .and_then(int);
    let (Some(entity), Some(id)) = (entity, id) else {
        return;
    };
    for (event, data) in crm_item_events(entity, id, action) {
        raise(state, caller.user_id, &event, &data);
    }
}

/// The events of a change of CRM item `id` of `entity`, with their `data`: the event of
/// the entity type (`ONCRMDEALADD`, …), or for smart processes and invoices the shared
/// `ONCRMDYNAMICITEMADD` and the type's own `ONCRMDYNAMICITEMADD_<entityTypeId>`.
fn crm_item_events(entity: i64, id: i64, action: &str) -> Vec<(String, Value)> {
    let object = match entity {
        1 => "LEAD",
        2 => "DEAL",
        3 => "CONTACT",
        4 => "COMPANY",
        7 => "QUOTE",
        _ => {
            let data = json!({"FIELDS": {"ID": id, "ENTITY_TYPE_ID": entity}});
            return vec![
                (format!("ONCRMDYNAMICITEM{action}"), data.clone()),
                (format!("ONCRMDYNAMICITEM{action}_{entity}"), data),
            ];
        }
    };
    vec![(
        format!("ONCRM{object}{action}"),
        json!({"FIELDS": {"ID": id}}),
    )]
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::crm_item_events;

    #[test]
    fn each_entity_type_has_its_events() {
        assert_eq!(
            crm_item_events(2, 5, "ADD"),
            [("ONCRMDEALADD".to_owned(), json!({"FIELDS": {"ID": 5}}))]
        );
        assert_eq!(crm_item_events(1, 5, "DELETE")[0].0, "ONCRMLEADDELETE");
        assert_eq!(crm_item_events(7, 5, "UPDATE")[0].0, "ONCRMQUOTEUPDATE");
        let dynamic = crm_item_events(1220, 22, "ADD");
        assert_eq!(
            dynamic,
            [
                (
                    "ONCRMDYNAMICITEMADD".to_owned(),
                    json!({"FIELDS": {"ID": 22, "ENTITY_TYPE_ID": 1220}})
                ),
                (
                    "ONCRMDYNAMICITEMADD_1220".to_owned(),
                    json!({"FIELDS": {"ID": 22, "ENTITY_TYPE_ID": 1220}})
                ),
            ]
        );
        assert_eq!(
            crm_item_events(31, 1, "UPDATE")[1].0,
            "ONCRMDYNAMICITEMUPDATE_31"
        );
    }
}
