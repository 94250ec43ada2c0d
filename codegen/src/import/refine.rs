//! Sharpening loose types (`array`, `object` without fields) with the page's own examples:
//! `select: ["ID", "TITLE"]` in the request example makes `select` a `string[]`,
//! `order: {"ID": "ASC"}` a `map<string>`. A `filter` stays an object: one example shows
//! only some of the fields it may name.

use serde_json::{Map, Value};

use crate::spec::{BoolFormat, Field, Primitive, TypeExpr};

/// What an example is of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Example {
    /// A request, or a value a description writes: it shows what may be sent, and for a
    /// union the member it is of.
    Sent,
    /// A reply: one case of what may come back, so it leaves unions as they are (a union
    /// in a reply says that replies vary).
    Reply,
}

/// Refines `fields` with the members of an example object of them.
pub fn refine(fields: &mut [Field], example: &Map<String, Value>, kind: Example) {
    for field in fields {
        let Some(value) = example.get(&field.name) else {
            continue;
        };
        let object = TypeExpr::Primitive(Primitive::Object);
        // A filter's values are those of the fields it names, whatever one example shows.
        let keyed = !field.name.eq_ignore_ascii_case("filter");
        match (&mut field.ty, value) {
            // A JSON boolean in the example shows the wire form.
            (TypeExpr::Primitive(Primitive::Boolean), Value::Bool(_)) if field.format.is_none() => {
                field.format = Some(BoolFormat::TrueFalse);
            }
            (TypeExpr::Primitive(Primitive::Object), Value::Object(map))
                if field.fields.is_some() =>
            {
                if let Some(nested) = &mut field.fields {
                    refine(nested, map, kind);
                }
            }
            (TypeExpr::List(inner), Value::Array(items)) if **inner == object => {
                if let (Some(nested), Some(Value::Object(first))) =
                    (&mut field.fields, items.first())
                {
                    refine(nested, first, kind);
                }
            }
            // `string | object`: the member the example is of.
            (TypeExpr::Union(members), _) if field.fields.is_none() && kind == Example::Sent => {
                for member in members {
                    if let Some(sharp) = sharpen(member, value, keyed) {
                        *member = sharp;
                    }
                }
            }
            (ty, _) if field.fields.is_none() => {
                if let Some(sharp) = sharpen(ty, value, keyed) {
                    *ty = sharp;
                }
            }
            _ => {}
        }
    }
}

/// A loose type made precise by an example value of it: `array` by a list of one scalar
/// type, `object` (when `keyed`) by an object of one scalar type, a map.
fn sharpen(ty: &TypeExpr, value: &Value, keyed: bool) -> Option<TypeExpr> {
    match (ty, value) {
        (TypeExpr::Primitive(Primitive::Array), Value::Array(items)) => {
            scalar_kind(items).map(|t| TypeExpr::List(Box::new(t)))
        }
        (TypeExpr::Primitive(Primitive::Object), Value::Object(map)) if keyed => {
            let values: Vec<Value> = map.values().cloned().collect();
            scalar_kind(&values).map(|t| TypeExpr::Map(Box::new(t)))
        }
        _ => None,
    }
}

/// The one scalar type of every item, if they share one and there is at least one.
fn scalar_kind(items: &[Value]) -> Option<TypeExpr> {
    let kind = |v: &Value| match v {
        Value::String(_) => Some(Primitive::String),
        Value::Number(n) if n.is_i64() || n.is_u64() => Some(Primitive::Integer),
        Value::Number(_) => Some(Primitive::Double),
        Value::Bool(_) => Some(Primitive::Boolean),
        _ => None,
    };
    let first = kind(items.first()?)?;
    items
        .iter()
        .all(|v| kind(v) == Some(first))
        .then_some(TypeExpr::Primitive(first))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(name: &str, ty: &str) -> Field {
        Field::new(name, ty.parse().unwrap())
    }

    #[test]
    fn examples_sharpen_loose_types_only() {
        let mut fields = vec![
            field("select", "array"),
            field("order", "object"),
            field("filter", "object"),
            field("ids", "integer"),
            field("active", "boolean"),
            field("title", "string | object"),
            field("label", "object | string"),
        ];
        let example = serde_json::json!({
            "select": ["ID", "TITLE"],
            "order": {"ID": "ASC"},
            "filter": {">ID": 5},
            "ids": "7",
            "active": true,
            "title": {"de": "Titel", "en": "Title"},
            "label": "Name"
        });
        refine(&mut fields, example.as_object().unwrap(), Example::Sent);
        let types: Vec<String> = fields.iter().map(|f| f.ty.to_string()).collect();
        assert_eq!(
            types,
            [
                "string[]",
                "map<string>",
                "object",
                "integer",
                "boolean",
                "string | map<string>",
                "object | string"
            ]
        );
        assert_eq!(fields[4].format, Some(BoolFormat::TrueFalse));
        let mut reply = vec![field("title", "string | object")];
        let example = serde_json::json!({"title": {"de": "Titel"}});
        refine(&mut reply, example.as_object().unwrap(), Example::Reply);
        assert_eq!(reply[0].ty.to_string(), "string | object");
    }
}
