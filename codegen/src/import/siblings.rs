//! Facts one method's page leaves out and its sibling's page gives:
//! - a `.get` page that does not describe its reply returns the record its `.add`
//!   sibling takes as `fields` (`crm.product.add` takes a `product`);
//! - a list page that does not describe its rows (`crm.lead.list`: "an array of objects
//!   with the fields of leads") returns the records its `.get` sibling returns
//!   (`crm.lead.get`: `lead`).
//!
//! - a page that says its reply is like another method's (`rpa.type.add`: "similar to
//!   the response of the method [rpa.type.get]") and does not describe its own returns
//!   what that method does.
//!
//! A reply shaped only by its page's example counts as not described: the sibling's
//! record is documented field by field.

use std::collections::BTreeMap;

use super::method::ImportedMethod;
use super::types::is_concrete_result;
use crate::spec::{ApiVersion, Primitive, ResultSpec, TypeExpr};

/// The last name segments of list methods, and of the method that gets one record.
const LIST_SEGMENTS: [&str; 3] = ["list", "getlist", "getList"];

/// Types the untyped results of `.get` methods by their `.add` sibling's record, then
/// the rows of untyped list results by their `.get` sibling's.
pub fn type_records(methods: &mut BTreeMap<(String, ApiVersion), ImportedMethod>) {
    type_gets(methods);
    type_lists(methods);
    type_alikes(methods);
}

/// Gives a result the page does not describe, but says is like another method's, that
/// method's result.
fn type_alikes(methods: &mut BTreeMap<(String, ApiVersion), ImportedMethod>) {
    let keys: Vec<(String, ApiVersion)> = methods.keys().cloned().collect();
    for key in keys {
        let Some(like) = methods[&key].result_like.clone() else {
            continue;
        };
        let Some(result) = methods.get(&(like, key.1)).map(|m| m.spec.result.clone()) else {
            continue;
        };
        let method = methods.get_mut(&key).expect("key listed above");
        let own = &method.spec.result;
        if !is_concrete_result(&own.ty, own.fields.as_deref())
            && is_concrete_result(&result.ty, result.fields.as_deref())
        {
            method.spec.result = ResultSpec {
                paged: false,
                items: None,
                ..result
            };
        }
    }
}

/// Types the result of `.get` methods the docs leave untyped by the record their `.add`
/// sibling takes.
fn type_gets(methods: &mut BTreeMap<(String, ApiVersion), ImportedMethod>) {
    let keys: Vec<(String, ApiVersion)> = methods.keys().cloned().collect();
    for key in keys {
        let (name, api) = &key;
        let Some(prefix) = name.strip_suffix(".get") else {
            continue;
        };
        let Some(record) = methods
            .get(&(format!("{prefix}.add"), *api))
            .and_then(|add| {
                let fields = add
                    .spec
                    .params
                    .iter()
                    .find(|p| p.name.eq_ignore_ascii_case("fields"))?;
                matches!(fields.ty, TypeExpr::Name(_)).then(|| fields.ty.clone())
            })
        else {
            continue;
        };
        let get = methods.get_mut(&key).expect("key listed above");
        if get.spec.result.ty == TypeExpr::Primitive(Primitive::Any) || get.result_shown_by_example
        {
            get.spec.result.ty = record;
            get.spec.result.fields = None;
            get.result_shown_by_example = false;
        }
    }
}

/// Types the rows of list results the docs leave untyped by their `.get` sibling's
/// record.
fn type_lists(methods: &mut BTreeMap<(String, ApiVersion), ImportedMethod>) {
    let keys: Vec<(String, ApiVersion)> = methods.keys().cloned().collect();
    for key in keys {
        let (name, api) = &key;
        let Some((prefix, last)) = name.rsplit_once('.') else {
            continue;
        };
        if !LIST_SEGMENTS.contains(&last) {
            continue;
        }
        let Some(record) = methods
            .get(&(format!("{prefix}.get"), *api))
            .and_then(|get| record_of(&get.spec.result))
        else {
            continue;
        };
        let list = methods.get_mut(&key).expect("key listed above");
        let shown_rows =
            list.result_shown_by_example && matches!(list.spec.result.ty, TypeExpr::List(_));
        if untyped_rows(&list.spec.result) || shown_rows {
            list.spec.result.ty = TypeExpr::List(Box::new(record));
            list.spec.result.fields = None;
            list.result_shown_by_example = false;
        }
    }
}

/// The record a `.get` method returns: a named type, as the result or as its one member
/// (`{"item": crm_item}`).
fn record_of(result: &ResultSpec) -> Option<TypeExpr> {
    let named = |ty: &TypeExpr| matches!(ty, TypeExpr::Name(_)).then(|| ty.clone());
    match (&result.ty, result.fields.as_deref()) {
        (TypeExpr::Name(_), _) => named(&result.ty),
        (TypeExpr::Primitive(Primitive::Object), Some([only])) => named(&only.ty),
        _ => None,
    }
}

/// Whether a list result says nothing about its rows: any JSON, a list of anything, or
/// a list of objects without fields.
fn untyped_rows(result: &ResultSpec) -> bool {
    let list_like = matches!(
        result.ty,
        TypeExpr::Primitive(Primitive::Array | Primitive::Any) | TypeExpr::List(_)
    );
    list_like && !is_concrete_result(&result.ty, result.fields.as_deref())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::MethodSpec;

    fn method(name: &str, result: &str) -> ((String, ApiVersion), ImportedMethod) {
        let params = if name.ends_with(".add") {
            "params:\n- name: fields\n  type: product\n"
        } else {
            ""
        };
        let yaml = format!(
            "method: {name}\nscopes: [crm]\ndocs: a.md\nbatch: true\nsafe_to_repeat: true\n{params}result:\n{result}"
        );
        let spec: MethodSpec = serde_yaml::from_str(&yaml).unwrap();
        let imported = ImportedMethod {
            spec,
            problems: Vec::new(),
            response_example: None,
            request_example: None,
            from_page: None,
            result_shown_by_example: false,
            result_like: None,
            declared_result: None,
            filled_by_declaration: Vec::new(),
        };
        ((name.to_owned(), ApiVersion::V2), imported)
    }

    #[test]
    fn untyped_lists_take_the_record_of_their_get() {
        let mut methods: BTreeMap<_, _> = [
            method("crm.lead.get", "  type: lead\n"),
            method("crm.lead.list", "  type: array\n  paged: false\n"),
            method(
                "crm.item.get",
                "  type: object\n  fields:\n  - name: item\n    type: crm_item\n",
            ),
            method("crm.item.list", "  type: object[]\n"),
            method("crm.deal.get", "  type: deal\n"),
            method("crm.product.add", "  type: integer\n"),
            method("crm.deal.list", "  type: integer[]\n"),
            method("crm.quote.list", "  type: array\n"),
            method("crm.product.get", "  type: any\n"),
            method("crm.product.list", "  type: any\n"),
        ]
        .into_iter()
        .collect();
        type_records(&mut methods);
        let result = |m: &str| {
            methods[&(m.to_owned(), ApiVersion::V2)]
                .spec
                .result
                .ty
                .to_string()
        };
        assert_eq!(result("crm.lead.list"), "lead[]");
        assert_eq!(result("crm.item.list"), "crm_item[]");
        // Typed rows stay; a list without a `.get` stays.
        assert_eq!(result("crm.deal.list"), "integer[]");
        assert_eq!(result("crm.quote.list"), "array");
        // A `.get` without a described reply returns what its `.add` takes; its list too.
        assert_eq!(result("crm.product.get"), "product");
        assert_eq!(result("crm.product.list"), "product[]");
    }

    #[test]
    fn a_reply_shaped_by_its_example_alone_takes_the_documented_record() {
        let shown = |(key, mut m): ((String, ApiVersion), ImportedMethod)| {
            m.result_shown_by_example = true;
            (key, m)
        };
        let example_fields = "  fields:\n  - name: TITLE\n    type: string\n";
        let mut methods: BTreeMap<_, _> = [
            method("crm.company.add", "  type: integer\n"),
            shown(method(
                "crm.company.get",
                &format!("  type: object\n{example_fields}"),
            )),
            shown(method(
                "crm.company.list",
                &format!("  type: object[]\n{example_fields}"),
            )),
            // Without a documented record the example's shape stays.
            shown(method(
                "crm.quote.get",
                &format!("  type: object\n{example_fields}"),
            )),
        ]
        .into_iter()
        .collect();
        type_records(&mut methods);
        let result = |m: &str| &methods[&(m.to_owned(), ApiVersion::V2)].spec.result;
        assert_eq!(result("crm.company.get").ty.to_string(), "product");
        assert!(result("crm.company.get").fields.is_none());
        assert_eq!(result("crm.company.list").ty.to_string(), "product[]");
        assert_eq!(result("crm.quote.get").ty.to_string(), "object");
        // Typed by the sibling, they no longer count as typed by their example.
        let by_example = |m: &str| methods[&(m.to_owned(), ApiVersion::V2)].result_shown_by_example;
        assert!(!by_example("crm.company.get") && !by_example("crm.company.list"));
        assert!(by_example("crm.quote.get"));
    }

    #[test]
    fn a_reply_said_to_be_like_another_methods_is_that_methods() {
        let like = |(key, mut m): ((String, ApiVersion), ImportedMethod), other: &str| {
            m.result_like = Some(other.to_owned());
            (key, m)
        };
        let stage = "  type: object\n  fields:\n  - name: stage\n    type: rpa_stage\n";
        let mut methods: BTreeMap<_, _> = [
            method("rpa.stage.get", stage),
            like(method("rpa.stage.add", "  type: any\n"), "rpa.stage.get"),
            // A described reply stays; so does one like a method nobody documents.
            like(
                method("rpa.stage.update", "  type: boolean\n"),
                "rpa.stage.get",
            ),
            like(method("rpa.type.add", "  type: any\n"), "rpa.type.get"),
        ]
        .into_iter()
        .collect();
        type_records(&mut methods);
        let result = |m: &str| &methods[&(m.to_owned(), ApiVersion::V2)].spec.result;
        assert_eq!(result("rpa.stage.add"), result("rpa.stage.get"));
        assert_eq!(result("rpa.stage.update").ty.to_string(), "boolean");
        assert_eq!(result("rpa.type.add").ty.to_string(), "any");
    }
}
