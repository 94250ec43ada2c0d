//! Which methods are paged lists, where their rows are, and whether they can be read in
//! full by identifier (`settings/performance/huge-data.md`), from facts the spec already
//! holds:
//! - a list is paged when its reply says so (`next` / `total`) or it takes the paging
//!   parameter (`start`; REST 3.0 `pagination`) and its result holds rows: the result
//!   itself, or the one list member of an object result (`items`, `tasks`, …);
//! - it reads by identifier when its rows have an `ID` or `id`, it takes a filter keyed
//!   by field (REST 3.0: a list of conditions) and an order (an object of fields to
//!   directions, or a field and a direction as `sort` and `order`).

use std::collections::BTreeMap;

use crate::spec::{
    ApiVersion, FastListingSpec, Field, MethodSpec, NamedType, Primitive, ResultSpec, TypeExpr,
};

/// Marks the paged lists among `methods` and gives those that can be read by identifier
/// their fast-listing facts; `types` are the shared types, for the fields of named rows.
pub fn describe<'a>(
    methods: impl IntoIterator<Item = &'a mut MethodSpec>,
    types: &BTreeMap<String, NamedType>,
) {
    for spec in methods {
        if !spec.result.paged && !takes_paging(spec) {
            continue;
        }
        let Some(items) = rows_at(&spec.result) else {
            continue;
        };
        spec.result.paged = true;
        spec.result.items = items;
        // The offset of a page is an integer, whatever type a page writes for it.
        if spec.api == ApiVersion::V2
            && let Some(start) = spec
                .params
                .iter_mut()
                .find(|p| p.name.eq_ignore_ascii_case("start"))
        {
            start.ty = TypeExpr::Primitive(Primitive::Integer);
            start.values = None;
        }
        if spec.fast_listing.is_none() {
            spec.fast_listing = fast_listing(spec, types).ok();
        }
    }
}

/// Whether the method takes the paging parameter of its API.
pub fn takes_paging(spec: &MethodSpec) -> bool {
    let name = match spec.api {
        ApiVersion::V2 => "start",
        ApiVersion::V3 => "pagination",
    };
    param(spec, name).is_some()
}

/// Where a result's rows are: `Some(None)` for a list result, `Some(Some(member))` for
/// the one list member of an object result (the one named `items` among several).
fn rows_at(result: &ResultSpec) -> Option<Option<String>> {
    if matches!(result.ty, TypeExpr::List(_)) {
        return Some(None);
    }
    if result.ty != TypeExpr::Primitive(Primitive::Object) {
        return None;
    }
    let lists: Vec<&Field> = result
        .fields
        .iter()
        .flatten()
        .filter(|f| {
            matches!(f.ty, TypeExpr::List(_)) || f.ty == TypeExpr::Primitive(Primitive::Array)
        })
        .collect();
    let member = match lists.as_slice() {
        [only] => only,
        several => several.iter().find(|f| f.name == "items")?,
    };
    Some(Some(member.name.clone()))
}

/// The fast-listing facts of a paged list, or why it cannot be read by identifier.
pub fn fast_listing(
    spec: &MethodSpec,
    types: &BTreeMap<String, NamedType>,
) -> Result<FastListingSpec, &'static str> {
    let rows = row_fields(spec, types).ok_or("its rows are not described")?;
    let id = ["ID", "id"]
        .into_iter()
        .find(|id| rows.iter().any(|f| f.name == *id))
        .ok_or("its rows have no `ID` or `id`")?;
    let filter = param(spec, "filter").ok_or("it takes no filter")?;
    let (filter, conditions) = match (spec.api, &filter.ty) {
        (ApiVersion::V3, TypeExpr::List(_) | TypeExpr::Primitive(Primitive::Array)) => {
            (None, Some(filter.name.clone()))
        }
        (ApiVersion::V2, ty) if keyed(ty) => (Some(filter.name.clone()), None),
        _ => return Err("its filter is not keyed by field"),
    };
    let order = param(spec, "order").ok_or("it takes no order")?;
    let sort = match (keyed(&order.ty), param(spec, "sort")) {
        (true, _) => None,
        (false, Some(sort)) => Some(sort.name.clone()),
        (false, None) => return Err("its order is not an object of fields"),
    };
    Ok(FastListingSpec {
        id: id.to_owned(),
        filter,
        conditions,
        order: order.name.clone(),
        sort,
    })
}

/// The fields of one row of a paged list.
fn row_fields(spec: &MethodSpec, types: &BTreeMap<String, NamedType>) -> Option<Vec<Field>> {
    let (ty, fields) = match &spec.result.items {
        None => (&spec.result.ty, spec.result.fields.as_ref()),
        Some(member) => {
            let field = spec
                .result
                .fields
                .iter()
                .flatten()
                .find(|f| f.name == *member)?;
            (&field.ty, field.fields.as_ref())
        }
    };
    match ty.element() {
        TypeExpr::Name(name) => types.get(name)?.fields.clone(),
        TypeExpr::Primitive(Primitive::Object) => fields.cloned(),
        _ => None,
    }
}

/// A parameter by name, in any letter case.
fn param<'s>(spec: &'s MethodSpec, name: &str) -> Option<&'s Field> {
    spec.params
        .iter()
        .find(|p| p.name.eq_ignore_ascii_case(name))
}

/// Whether a parameter takes an object keyed by field.
fn keyed(ty: &TypeExpr) -> bool {
    matches!(
        ty,
        TypeExpr::Map(_) | TypeExpr::Primitive(Primitive::Object)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(yaml: &str) -> MethodSpec {
        serde_yaml::from_str(&format!(
            "method: a.b.list\nscopes: [crm]\ndocs: a.md\nbatch: true\nsafe_to_repeat: true\n{yaml}"
        ))
        .unwrap()
    }

    fn described(yaml: &str) -> MethodSpec {
        let types = [(
            "item".to_owned(),
            NamedType {
                name: "item".into(),
                docs: None,
                ty: None,
                values: None,
                fields: Some(vec![Field::new(
                    "id",
                    TypeExpr::Primitive(Primitive::Integer),
                )]),
            },
        )]
        .into();
        let mut spec = spec(yaml);
        describe([&mut spec], &types);
        spec
    }

    #[test]
    fn lists_taking_start_page_and_read_by_identifier() {
        // crm.item.list: rows in `items`, filter and order objects.
        let item = described(
            "params:\n- {name: filter, type: object}\n- {name: order, type: map<string>}\n- {name: start, type: integer}\nresult:\n  type: object\n  fields:\n  - {name: items, type: 'item[]'}\n",
        );
        assert!(item.result.paged);
        assert_eq!(item.result.items.as_deref(), Some("items"));
        let fast = item.fast_listing.unwrap();
        assert_eq!(
            (
                fast.id.as_str(),
                fast.filter.as_deref(),
                fast.order.as_str()
            ),
            ("id", Some("filter"), "order")
        );
        // user.get: the list itself, `FILTER`, and `sort` + `order`.
        let user = described(
            "params:\n- {name: FILTER, type: object}\n- {name: sort, type: string}\n- {name: order, type: string}\nresult:\n  type: object[]\n  paged: true\n  fields:\n  - {name: ID, type: integer}\n",
        );
        let fast = user.fast_listing.unwrap();
        assert_eq!(
            (
                fast.id.as_str(),
                fast.filter.as_deref(),
                fast.sort.as_deref(),
                fast.order.as_str()
            ),
            ("ID", Some("FILTER"), Some("sort"), "order")
        );
        assert_eq!(user.result.items, None);
        // Paged, but its rows have no identifier.
        let bare = described(
            "params:\n- {name: start, type: integer}\nresult:\n  type: object[]\n  fields:\n  - {name: NAME, type: string}\n",
        );
        assert!(bare.result.paged);
        assert!(bare.fast_listing.is_none());
        assert_eq!(
            fast_listing(&bare, &BTreeMap::new()),
            Err("its rows have no `ID` or `id`")
        );
        // Neither paged nor taking `start`: not a paged list.
        let plain =
            described("result:\n  type: object[]\n  fields:\n  - {name: ID, type: integer}\n");
        assert!(!plain.result.paged);
    }

    #[test]
    fn rest3_lists_page_by_pagination_and_filter_by_conditions() {
        let mut v3 = spec(
            "api: v3\nparams:\n- {name: filter, type: array}\n- {name: order, type: map<string>}\n- {name: pagination, type: map<integer>}\nresult:\n  type: object\n  fields:\n  - {name: items, type: 'item[]'}\n",
        );
        let types = [(
            "item".to_owned(),
            NamedType {
                name: "item".into(),
                docs: None,
                ty: None,
                values: None,
                fields: Some(vec![Field::new(
                    "id",
                    TypeExpr::Primitive(Primitive::Integer),
                )]),
            },
        )]
        .into();
        describe([&mut v3], &types);
        assert!(v3.result.paged);
        let fast = v3.fast_listing.unwrap();
        assert_eq!(
            (fast.conditions.as_deref(), fast.filter),
            (Some("filter"), None)
        );
    }
}
