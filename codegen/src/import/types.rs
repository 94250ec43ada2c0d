//! Turning the type line of a table row into a spec type expression.

use std::collections::{BTreeMap, BTreeSet};

use super::corpus::Corpus;
use super::table::{self, TableKind};
use crate::spec::{Field, IdType, Primitive, TypeExpr};

/// The names a spec type may use besides the primitives: entities and shared types.
#[derive(Debug, Clone, Default)]
pub struct Vocabulary {
    /// Entity references and the type of their ids.
    pub entities: BTreeMap<String, IdType>,
    /// Named shared types (`specs/types/`).
    pub types: BTreeSet<String>,
    /// The id type of objects the docs describe under a heading of their name
    /// (`### sale_status`, whose `id` is text): what `sale_status.id` refers to.
    pub object_ids: BTreeMap<String, IdType>,
    /// Hand-written shared types by the docs place they describe (`page.md` or
    /// `page.md#anchor`): a link there means that type.
    pub type_docs: BTreeMap<String, String>,
}

/// The type written in a row, before nested objects are resolved.
#[derive(Debug, Clone, PartialEq)]
pub struct RowType {
    /// The expression; `object` stands for every name that still needs its fields.
    pub expr: TypeExpr,
    /// A name the vocabulary does not know (`sale_order`), with the page its link points
    /// to, if any: its fields may be found there.
    pub unknown: Option<(String, Option<String>)>,
}

/// Reads the type line (code spans, optionally links) of a row.
pub fn row_type(text: &str, vocab: &Vocabulary) -> RowType {
    let spans = code_spans(text);
    let mut members = Vec::new();
    let mut unknown = None;
    for (span, link) in &spans {
        for token in span.split('|').map(str::trim).filter(|t| !t.is_empty()) {
            match token_type(token, vocab) {
                Some(t) => members.push(t),
                None => {
                    let base = token.trim_end_matches("[]");
                    let lists = (token.len() - base.len()) / 2;
                    unknown.get_or_insert_with(|| (base.to_owned(), link.clone()));
                    let mut t = TypeExpr::Primitive(Primitive::Object);
                    for _ in 0..lists {
                        t = TypeExpr::List(Box::new(t));
                    }
                    members.push(t);
                }
            }
        }
    }
    let mut unique: Vec<TypeExpr> = Vec::new();
    for m in members {
        if !unique.contains(&m) {
            unique.push(m);
        }
    }
    let expr = match unique.len() {
        0 => TypeExpr::Primitive(Primitive::Any),
        1 => unique.pop().expect("one member"),
        _ => {
            // `null` alone in a union with itself or a lone type stays as written; a
            // union of two or more real types stays a union (it decodes as JSON).
            let nulls = unique.iter().filter(|t| **t == TypeExpr::Null).count();
            if nulls == unique.len() {
                TypeExpr::Primitive(Primitive::Any)
            } else {
                TypeExpr::Union(unique)
            }
        }
    };
    let expr = if expr == TypeExpr::Null {
        TypeExpr::Primitive(Primitive::Any)
    } else {
        expr
    };
    RowType { expr, unknown }
}

/// Every inline code span of the text, each with the target of the link around it.
fn code_spans(text: &str) -> Vec<(String, Option<String>)> {
    let mut spans = Vec::new();
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'`' {
            i += 1;
            continue;
        }
        let run = bytes[i..].iter().take_while(|&&b| b == b'`').count();
        let fence = &text[i..i + run];
        let start = i + run;
        let Some(len) = text[start..].find(fence) else {
            break;
        };
        let content = text[start..start + len].to_owned();
        let end = start + len + run;
        let link = text[end..]
            .strip_prefix("](")
            .and_then(|rest| rest.find(')').map(|close| rest[..close].to_owned()));
        spans.push((content, link));
        i = end;
    }
    spans
}

/// The expression for one token, or `None` for a name the vocabulary does not know.
fn token_type(token: &str, vocab: &Vocabulary) -> Option<TypeExpr> {
    if let Some(inner) = token.strip_suffix("[]") {
        return token_type(inner, vocab).map(|t| TypeExpr::List(Box::new(t)));
    }
    let lower = token.to_ascii_lowercase();
    let primitive = match lower.as_str() {
        "int" | "integer" | "int32" | "int64" | "long" | "bigint" => Some(Primitive::Integer),
        "double" | "float" | "number" | "decimal" | "numeric" => Some(Primitive::Double),
        "bool" | "boolean" => Some(Primitive::Boolean),
        "char" => Some(Primitive::Char),
        "string" | "str" => Some(Primitive::String),
        "text" => Some(Primitive::Text),
        "date" => Some(Primitive::Date),
        "datetime" | "date-time" => Some(Primitive::DateTime),
        "timestamp" => Some(Primitive::Timestamp),
        "file" => Some(Primitive::File),
        "enum" => Some(Primitive::Enum),
        "object" | "json" | "struct" => Some(Primitive::Object),
        "array" | "list" => Some(Primitive::Array),
        "any" | "mixed" | "undefined" | "callable" | "function" | "type" => Some(Primitive::Any),
        _ => None,
    };
    if let Some(p) = primitive {
        return Some(TypeExpr::Primitive(p));
    }
    if lower == "null" {
        return Some(TypeExpr::Null);
    }
    // A lang map, or in its own words a text with translations: text, or texts by
    // language code.
    if lower == "textwithtranslation" {
        return Some(TypeExpr::Union(vec![
            TypeExpr::Primitive(Primitive::String),
            TypeExpr::Map(Box::new(TypeExpr::Primitive(Primitive::String))),
        ]));
    }
    // Texts by language; a language without a text comes as `null`.
    if lower == "lang_map" {
        return Some(TypeExpr::Map(Box::new(TypeExpr::Union(vec![
            TypeExpr::Primitive(Primitive::String),
            TypeExpr::Null,
        ]))));
    }
    if let Some((entity, field)) = token.split_once('.') {
        let is_id = field.eq_ignore_ascii_case("id");
        return Some(match vocab.entities.get(entity) {
            Some(_) if is_id => TypeExpr::Name(entity.to_owned()),
            _ if is_id => match vocab.object_ids.get(entity) {
                Some(IdType::String) => TypeExpr::Primitive(Primitive::String),
                _ => TypeExpr::Primitive(Primitive::Integer),
            },
            _ => TypeExpr::Primitive(Primitive::String),
        });
    }
    if vocab.entities.contains_key(token) || vocab.types.contains(token) {
        return Some(TypeExpr::Name(token.to_owned()));
    }
    let ident = token.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if !ident || token.is_empty() {
        // Prose or an example value in a code span.
        return Some(TypeExpr::Primitive(Primitive::Any));
    }
    None
}

/// The id type of every object the docs describe in a fields table under a heading of
/// its name (`### sale_status`) with an `id` field: text when that field is text.
pub fn object_ids(corpus: &Corpus) -> BTreeMap<String, IdType> {
    let mut ids = BTreeMap::new();
    for page in corpus.pages.values() {
        for placed in &page.tables {
            let Some(heading) = page.heading(placed) else {
                continue;
            };
            let name = heading.text.trim();
            let object_name = name.contains('_')
                && name
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
            if placed.kind != TableKind::Fields || !object_name {
                continue;
            }
            let id = page
                .table(placed)
                .rows
                .iter()
                .find_map(|row| table::row_field(row).filter(|f| f.name == "id"));
            let Some(id) = id else { continue };
            let ty = match row_type(&id.type_text, &Vocabulary::default()).expr {
                TypeExpr::Primitive(Primitive::String | Primitive::Char) => IdType::String,
                _ => IdType::Integer,
            };
            ids.entry(name.to_owned()).or_insert(ty);
        }
    }
    ids
}

/// Whether a result (or a field) of type `ty` with `fields` is typed: [`is_concrete`],
/// with fields when there is at least one.
pub fn is_concrete_result(ty: &TypeExpr, fields: Option<&[Field]>) -> bool {
    is_concrete(ty, fields.is_some_and(|f| !f.is_empty()))
}

/// Whether a final type decodes into something more precise than JSON.
pub fn is_concrete(ty: &TypeExpr, has_fields: bool) -> bool {
    match ty {
        TypeExpr::Primitive(Primitive::Any) => false,
        TypeExpr::Primitive(Primitive::Object) => has_fields,
        TypeExpr::Primitive(Primitive::Array) => false,
        TypeExpr::List(t) | TypeExpr::Map(t) => is_concrete(t, has_fields),
        // A union is a `OneOf` of its members (at most three besides `null`), each of
        // which must be concrete and not a file (a file is any JSON).
        TypeExpr::Union(members) => {
            let real: Vec<&TypeExpr> = members.iter().filter(|m| **m != TypeExpr::Null).collect();
            real.len() <= 3
                && real.iter().all(|m| {
                    **m != TypeExpr::Primitive(Primitive::File) && is_concrete(m, has_fields)
                })
        }
        // Scalars, named types, and `null` alone: a result that is always `null`.
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vocab() -> Vocabulary {
        Vocabulary {
            entities: [("user".to_owned(), IdType::Integer)].into(),
            types: ["crm_multifield".to_owned()].into(),
            object_ids: [("sale_status".to_owned(), IdType::String)].into(),
            type_docs: Default::default(),
        }
    }

    fn ty(text: &str) -> String {
        row_type(text, &vocab()).expr.to_string()
    }

    #[test]
    fn maps_the_spellings_of_the_docs() {
        assert_eq!(ty("\n[`integer`](../data-types.md)"), "integer");
        assert_eq!(ty("[`user[]`](../data-types.md)"), "user[]");
        assert_eq!(ty("```string | null```"), "string | null");
        assert_eq!(ty("`integer` \\| `string`"), "integer | string");
        assert_eq!(ty("[`user.id`](x)"), "user");
        assert_eq!(ty("[`catalog_store.id`](x)"), "integer");
        assert_eq!(ty("[`sale_status.id`](x)"), "string");
        assert_eq!(ty("[`crm_currency.CURRENCY`](x)"), "string");
        assert_eq!(ty("`lang_map`"), "map<string | null>");
        assert_eq!(ty("[`textWithTranslation`](x)"), "string | map<string>");
        assert_eq!(ty("`Integer`"), "integer");
        assert_eq!(ty(""), "any");
    }

    #[test]
    fn unions_are_concrete_when_every_member_is() {
        let concrete = |t: &str| is_concrete(&t.parse().unwrap(), false);
        assert!(concrete("string | map<string>"));
        assert!(concrete("boolean | integer | null"));
        assert!(concrete("user | null"));
        assert!(!concrete("object | string"));
        assert!(!concrete("array | string"));
        assert!(!concrete("file | integer"));
        assert!(!concrete("string | double | string[] | double[]"));
    }

    #[test]
    fn unknown_names_keep_their_link() {
        let t = row_type("[`sale_order[]`](../order/object.md#x)", &vocab());
        assert_eq!(t.expr.to_string(), "object[]");
        assert_eq!(
            t.unknown,
            Some(("sale_order".into(), Some("../order/object.md#x".into())))
        );
    }
}
