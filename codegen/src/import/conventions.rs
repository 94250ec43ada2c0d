//! Parameter shapes fixed by the REST conventions rather than by each page's type line.
//!
//! Every list method takes `select` as a list of field names and `order` as an object of
//! field names to a sort direction. Pages type them loosely (`array`, `object`) and often
//! link them to the table of the entity's fields, which describes the names, not the
//! values; the convention gives the real shape.

use crate::spec::{Field, Primitive, TypeExpr};

/// The page describing what every list method takes, which list pages link to instead of
/// listing those parameters ("See the description of list methods").
pub const LIST_METHODS_PAGE: &str = "list-methods-pecularities.md";

/// Adds the parameters every list method takes, those the page's table lacks: `select`
/// (field names), `filter` (field names, with an operator prefix or not, to values),
/// `order` (field names to a direction) and `start` (the offset of the page).
pub fn add_list_params(params: &mut Vec<Field>) {
    let text = || Box::new(TypeExpr::Primitive(Primitive::String));
    let any = Box::new(TypeExpr::Primitive(Primitive::Any));
    let conventional = [
        Field::new("select", TypeExpr::List(text())),
        Field::new("filter", TypeExpr::Map(any)),
        Field::new("order", TypeExpr::Map(text())),
        Field::new("start", TypeExpr::Primitive(Primitive::Integer)),
    ];
    for field in conventional {
        if !params
            .iter()
            .any(|p| p.name.eq_ignore_ascii_case(&field.name))
        {
            params.push(field);
        }
    }
}

/// The conventional type of a parameter, when its name has one and the page's type is
/// loose (`array`, `object`, `any`, or a list of objects): `select` is `string[]`, `order`
/// is `map<string>`.
pub fn param_type(name: &str, ty: &TypeExpr) -> Option<TypeExpr> {
    let loose = matches!(
        ty.element(),
        TypeExpr::Primitive(Primitive::Array | Primitive::Object | Primitive::Any)
    );
    if !loose {
        return None;
    }
    let text = || Box::new(TypeExpr::Primitive(Primitive::String));
    if name.eq_ignore_ascii_case("select") {
        Some(TypeExpr::List(text()))
    } else if name.eq_ignore_ascii_case("order") {
        Some(TypeExpr::Map(text()))
    } else {
        None
    }
}

/// A union of scalars that a more general member covers, or `None`:
/// - with a text member (`integer | string`, `date | datetime`), text: every scalar has a
///   text form Bitrix24 reads, and replies are read leniently into text;
/// - in a request, `T | T[]` is `T[]`: a list of one stands for the single value;
/// - in a request, `boolean | integer` is a boolean: the integer is its `1`/`0` spelling
///   (a reply of `integer | boolean` is an id, or `false` for none).
///
/// `null` members are kept (`integer | string | null` → `string | null`).
pub fn union_type(ty: &TypeExpr, request: bool) -> Option<TypeExpr> {
    let TypeExpr::Union(members) = ty else {
        return None;
    };
    let nullable = members.contains(&TypeExpr::Null);
    let real: Vec<&TypeExpr> = members.iter().filter(|m| **m != TypeExpr::Null).collect();
    let scalar = |t: &TypeExpr| matches!(t, TypeExpr::Primitive(p) if is_scalar(*p));
    let boolean = TypeExpr::Primitive(Primitive::Boolean);
    let integer = TypeExpr::Primitive(Primitive::Integer);
    let general = if let [a, b] = real.as_slice()
        && request
        && [a, b].contains(&&&boolean)
        && [a, b].contains(&&&integer)
    {
        boolean
    } else if real.iter().all(|t| scalar(t))
        && real
            .iter()
            .any(|t| matches!(t, TypeExpr::Primitive(p) if p.is_text() && *p != Primitive::Enum))
    {
        TypeExpr::Primitive(Primitive::String)
    } else if let [one, TypeExpr::List(many)] | [TypeExpr::List(many), one] = real.as_slice()
        && request
        && **many == **one
        && (scalar(one) || matches!(one, TypeExpr::Name(_)))
    {
        TypeExpr::List(many.clone())
    } else {
        return None;
    };
    Some(if nullable {
        TypeExpr::Union(vec![general, TypeExpr::Null])
    } else {
        general
    })
}

/// Whether the docs' name of an object is theirs for the description of a field that
/// `*.fields` methods return (`crm_rest_field_description`, `rest_field_description`).
pub fn is_field_description(name: &str) -> bool {
    name.to_ascii_lowercase().ends_with("field_description")
}

/// Whether a method lists the fields of an object with their descriptions
/// (`crm.deal.fields`, `sale.order.getFields`, `catalog.product.getFieldsByFilter`).
pub fn lists_fields(method: &str) -> bool {
    let last = method
        .rsplit('.')
        .next()
        .unwrap_or(method)
        .to_ascii_lowercase();
    last == "fields" || last.starts_with("getfields")
}

/// Whether a page's words say its method returns descriptions of fields ("returns the
/// description of the fields of an invoice", "a list of fields … along with their
/// descriptions"): for a `*.fields` page that describes its reply in nothing else.
pub fn says_it_describes_fields(text: &str) -> bool {
    let text = text.to_ascii_lowercase();
    text.contains("return")
        && text.contains("field")
        && ["description of", "descriptions of", "their descriptions"]
            .iter()
            .any(|words| text.contains(words))
}

/// Types the map of field descriptions of a `*.fields` reply, where the example reply
/// shows it: the result itself, the one item of a result list, or a member of the result.
/// A map whose every member is a description (an object with a `type` and a `title` or an
/// `is…` flag) is `map<field_description>`; one whose members are objects of another
/// form (`{"TYPE": "integer", "USE_IN_FILTER": true}`) a map of that object.
pub fn field_descriptions(result: &mut Field, example: &serde_json::Value) {
    if let Some((ty, fields)) = field_map(example) {
        result.ty = ty;
        result.fields = fields;
        return;
    }
    if let Some([item]) = example.as_array().map(Vec::as_slice)
        && let Some((ty, fields)) = field_map(item)
    {
        result.ty = TypeExpr::List(Box::new(ty));
        result.fields = fields;
        return;
    }
    let Some((key, (ty, map_fields))) = example
        .as_object()
        .and_then(|members| members.iter().find_map(|(k, v)| Some((k, field_map(v)?))))
    else {
        return;
    };
    result.ty = TypeExpr::Primitive(Primitive::Object);
    let fields = result.fields.get_or_insert_with(Vec::new);
    match fields.iter_mut().find(|f| f.name == *key) {
        Some(field) => {
            field.ty = ty;
            field.fields = map_fields;
        }
        None => fields.push(Field {
            fields: map_fields,
            ..Field::new(key.clone(), ty)
        }),
    }
}

/// The type of a map of field descriptions keyed by field name, with the fields of its
/// values when they are not the runtime's `FieldDescription`.
fn field_map(value: &serde_json::Value) -> Option<(TypeExpr, Option<Vec<Field>>)> {
    let map = value.as_object().filter(|m| !m.is_empty())?;
    let is_description = |v: &serde_json::Value| {
        v.get("type").is_some_and(serde_json::Value::is_string)
            && ["title", "isRequired", "isReadOnly"]
                .iter()
                .any(|k| v.get(k).is_some())
    };
    if map.values().all(is_description) {
        let ty = TypeExpr::Primitive(Primitive::FieldDescription);
        return Some((TypeExpr::Map(Box::new(ty)), None));
    }
    let first = map.values().next()?.as_object()?;
    let same_form = map
        .values()
        .all(|v| v.as_object().is_some_and(|o| o.keys().eq(first.keys())));
    if map.len() < 2 || !same_form {
        return None;
    }
    let fields = super::refine::shown_fields(first)?;
    let ty = TypeExpr::Primitive(Primitive::Object);
    Some((TypeExpr::Map(Box::new(ty)), Some(fields)))
}

/// Scalars: everything but containers, files and `any`.
fn is_scalar(p: Primitive) -> bool {
    !matches!(
        p,
        Primitive::Object | Primitive::Array | Primitive::Any | Primitive::File | Primitive::Enum
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_that_say_a_method_describes_fields() {
        for said in [
            "The method returns descriptions of fields for deal categories.",
            "This method returns the description of the fields of an [invoice](x.md).",
            "Returns a list of fields for the template along with their descriptions.",
        ] {
            assert!(says_it_describes_fields(said), "{said}");
        }
        assert!(!says_it_describes_fields(
            "The method returns the list of fields."
        ));
        assert!(!says_it_describes_fields(
            "The method updates the description of a field."
        ));
    }

    #[test]
    fn list_pages_take_the_list_parameters_they_lack() {
        let mut params = vec![
            Field::new("FILTER", ty("object")),
            Field::new("id", ty("integer")),
        ];
        add_list_params(&mut params);
        let listed: Vec<String> = params
            .iter()
            .map(|p| format!("{}: {}", p.name, p.ty))
            .collect();
        assert_eq!(
            listed,
            [
                "FILTER: object",
                "id: integer",
                "select: string[]",
                "order: map<string>",
                "start: integer"
            ]
        );
    }

    fn ty(text: &str) -> TypeExpr {
        text.parse().unwrap()
    }

    fn param(name: &str, t: &str) -> Option<String> {
        param_type(name, &ty(t)).map(|t| t.to_string())
    }

    fn union(t: &str, request: bool) -> Option<String> {
        union_type(&ty(t), request).map(|t| t.to_string())
    }

    #[test]
    fn select_and_order_take_their_conventional_shape() {
        assert_eq!(param("select", "array").as_deref(), Some("string[]"));
        assert_eq!(param("SELECT", "object[]").as_deref(), Some("string[]"));
        assert_eq!(param("order", "object").as_deref(), Some("map<string>"));
        assert_eq!(param("ORDER", "any").as_deref(), Some("map<string>"));
        // A precise type stays: `order` is a direction on some methods.
        assert_eq!(param("order", "string"), None);
        assert_eq!(param("filter", "object"), None);
    }

    #[test]
    fn scalar_unions_become_their_general_member() {
        assert_eq!(union("integer | string", false).as_deref(), Some("string"));
        assert_eq!(union("date | datetime", true).as_deref(), Some("string"));
        assert_eq!(
            union("integer | null | string", false).as_deref(),
            Some("string | null")
        );
        assert_eq!(
            union("integer | integer[]", true).as_deref(),
            Some("integer[]")
        );
        assert_eq!(union("user | user[]", true).as_deref(), Some("user[]"));
        // A reply holding one value cannot be read as a list.
        assert_eq!(union("integer | integer[]", false), None);
        assert_eq!(union("boolean | integer", true).as_deref(), Some("boolean"));
        assert_eq!(
            union("integer | boolean | null", true).as_deref(),
            Some("boolean | null")
        );
        assert_eq!(union("integer | boolean", false), None);
        // No member covers the others.
        assert_eq!(union("boolean | double", true), None);
        assert_eq!(union("object | string", true), None);
        assert_eq!(union("map<string> | string", true), None);
    }

    #[test]
    fn fields_replies_are_maps_of_descriptions_where_the_example_shows_them() {
        let description =
            serde_json::json!({"type": "string", "isRequired": false, "title": "Title"});
        let typed = |example: serde_json::Value| {
            let mut result = Field::new("result", "object".parse().unwrap());
            result.fields = Some(vec![Field::new("TITLE", "string".parse().unwrap())]);
            field_descriptions(&mut result, &example);
            let fields: Vec<String> = result
                .fields
                .iter()
                .flatten()
                .map(|f| format!("{}: {}", f.name, f.ty))
                .collect();
            (result.ty.to_string(), fields)
        };
        // The record's own fields were the page's guess: the reply describes them.
        assert_eq!(
            typed(serde_json::json!({"TITLE": description, "ID": description})),
            ("map<field_description>".to_owned(), vec![])
        );
        assert_eq!(
            typed(serde_json::json!({"fields": {"title": description}})),
            (
                "object".to_owned(),
                vec![
                    "TITLE: string".to_owned(),
                    "fields: map<field_description>".to_owned()
                ]
            )
        );
        assert_eq!(
            typed(serde_json::json!([{"id": description}])),
            ("map<field_description>[]".to_owned(), vec![])
        );
        // Descriptions of another form are a map of that form.
        let disk = serde_json::json!({"TYPE": "integer", "USE_IN_FILTER": true});
        let (ty, fields) = typed(serde_json::json!({"ID": disk, "NAME": disk}));
        assert_eq!(ty, "map<object>");
        assert_eq!(fields, ["TYPE: string", "USE_IN_FILTER: boolean", "*: any"]);
        // A record stays a record.
        assert_eq!(
            typed(serde_json::json!({"TITLE": "Deal", "ID": 1})),
            ("object".to_owned(), vec!["TITLE: string".to_owned()])
        );
        assert!(lists_fields("crm.deal.fields"));
        assert!(lists_fields("sale.order.getFields"));
        assert!(lists_fields("catalog.product.getFieldsByFilter"));
        assert!(!lists_fields("crm.deal.get"));
    }
}
