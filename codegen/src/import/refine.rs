//! Sharpening loose types (`array`, `object` without fields) with the page's own examples:
//! `select: ["ID", "TITLE"]` in the request example makes `select` a `string[]`,
//! `order: {"ID": "ASC"}` a `map<string>`.

use serde_json::{Map, Value};

use crate::spec::{BoolFormat, Field, Primitive, TypeExpr};

/// Refines `fields` with the members of an example object of them.
pub fn refine(fields: &mut [Field], example: &Map<String, Value>) {
    for field in fields {
        let Some(value) = example.get(&field.name) else {
            continue;
        };
        let object = TypeExpr::Primitive(Primitive::Object);
        match (&field.ty, value) {
            // A JSON boolean in the example shows the wire form.
            (TypeExpr::Primitive(Primitive::Boolean), Value::Bool(_)) if field.format.is_none() => {
                field.format = Some(BoolFormat::TrueFalse);
            }
            (TypeExpr::Primitive(Primitive::Array), Value::Array(items))
                if field.fields.is_none() =>
            {
                if let Some(element) = scalar_kind(items) {
                    field.ty = TypeExpr::List(Box::new(element));
                }
            }
            (TypeExpr::Primitive(Primitive::Object), Value::Object(map)) => match &mut field.fields
            {
                Some(nested) => refine(nested, map),
                None => {
                    let values: Vec<Value> = map.values().cloned().collect();
                    if let Some(element) = scalar_kind(&values) {
                        field.ty = TypeExpr::Map(Box::new(element));
                    }
                }
            },
            (TypeExpr::List(inner), Value::Array(items)) if **inner == object => {
                if let (Some(nested), Some(Value::Object(first))) =
                    (&mut field.fields, items.first())
                {
                    refine(nested, first);
                }
            }
            _ => {}
        }
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
        ];
        let example = serde_json::json!({
            "select": ["ID", "TITLE"],
            "order": {"ID": "ASC"},
            "filter": {">ID": 5, "=NAME": "x"},
            "ids": "7",
            "active": true
        });
        refine(&mut fields, example.as_object().unwrap());
        let types: Vec<String> = fields.iter().map(|f| f.ty.to_string()).collect();
        assert_eq!(
            types,
            ["string[]", "map<string>", "object", "integer", "boolean"]
        );
        assert_eq!(fields[4].format, Some(BoolFormat::TrueFalse));
    }
}
