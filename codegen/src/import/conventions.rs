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
}
