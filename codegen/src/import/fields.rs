//! Reading a fields table into spec fields, following nested tables for object fields.
//!
//! A field typed `object`, `object[]`, `array` or with a name the vocabulary lacks gets its
//! fields from another table, found in this order:
//! 1. a same-page link in its description (`[…](#fields)`) to a heading;
//! 2. a heading of the same page naming the field (`### Parameter fields`, `### FIELDS`);
//! 3. the page its type links to (`[\`sale_order\`](../order/object.md)`), at the anchor or
//!    its first fields table;
//! 4. a heading of the same page naming the type.
//!
//! Names written as paths (`data[].web`, `fields.TITLE`) are folded into their parent.

use super::corpus::{Corpus, Page, PlacedTable, Section};
use super::facts;
use super::table::{self, TableKind};
use super::types::{self, Vocabulary};
use crate::spec::{Field, Primitive, Scalar, TypeExpr};

/// How deep nested tables are followed.
const MAX_DEPTH: usize = 6;

/// Reads tables, remembering what it could not resolve.
pub struct FieldReader<'a> {
    corpus: &'a Corpus,
    vocab: &'a Vocabulary,
    /// Tables being read, to stop at cycles: (page path, block index).
    chain: Vec<(String, usize)>,
    problems: Vec<String>,
}

impl<'a> FieldReader<'a> {
    /// A reader over a corpus.
    pub fn new(corpus: &'a Corpus, vocab: &'a Vocabulary) -> Self {
        FieldReader {
            corpus,
            vocab,
            chain: Vec::new(),
            problems: Vec::new(),
        }
    }

    /// Problems found since the last call.
    pub fn take_problems(&mut self) -> Vec<String> {
        std::mem::take(&mut self.problems)
    }

    /// The fields of a table.
    pub fn read(&mut self, page: &Page, placed: &PlacedTable, section: Section) -> Vec<Field> {
        let key = (page.path.clone(), placed.block);
        if self.chain.contains(&key) || self.chain.len() >= MAX_DEPTH {
            return Vec::new();
        }
        self.chain.push(key);
        let table = page.table(placed);
        let skip = usize::from(table::has_header(table));
        let mut fields: Vec<Field> = Vec::new();
        for row in &table.rows[skip.min(table.rows.len())..] {
            let Some(row) = table::row_field(row) else {
                continue;
            };
            let field = self.field(page, placed, section, row);
            insert(&mut fields, field);
        }
        self.chain.pop();
        fields
    }

    fn field(
        &mut self,
        page: &Page,
        placed: &PlacedTable,
        section: Section,
        row: table::RowField,
    ) -> Field {
        let row_type = types::row_type(&row.type_text, self.vocab);
        let mut ty = row_type.expr;
        let mut name = row.name;
        if let Some(base) = name.strip_suffix("[]")
            && !base.contains('.')
            && !base.contains("[]")
        {
            name = base.to_owned();
            if !matches!(ty, TypeExpr::List(_)) && ty != TypeExpr::Primitive(Primitive::Array) {
                ty = TypeExpr::List(Box::new(ty));
            }
        }
        let needs_fields = matches!(
            ty.element(),
            TypeExpr::Primitive(Primitive::Object | Primitive::Array)
        ) || row_type.unknown.is_some();
        let mut fields = None;
        if needs_fields {
            let leaf = name.rsplit(['.', ']']).next().unwrap_or(&name).to_owned();
            let found = self.nested(
                page,
                placed,
                section,
                &leaf,
                &row.description,
                row_type.unknown.as_ref(),
            );
            if let Some(nested) = found.filter(|f| !f.is_empty()) {
                // `array` with a fields table is a list of objects.
                // and a union with an object member is that object.
                let object = TypeExpr::Primitive(Primitive::Object);
                ty = match ty {
                    TypeExpr::Primitive(Primitive::Array) => TypeExpr::List(Box::new(object)),
                    TypeExpr::Union(members)
                        if members.iter().any(|m| matches!(m, TypeExpr::List(_))) =>
                    {
                        TypeExpr::List(Box::new(object))
                    }
                    TypeExpr::Union(_) => object,
                    other => other,
                };
                fields = Some(nested);
            } else if let Some((unknown, _)) = &row_type.unknown {
                self.problems
                    .push(format!("type `{unknown}` of `{name}` not resolved"));
            }
        }
        let mut values = None;
        let mut format = None;
        if fields.is_none() {
            let listed = facts::allowed_values(&row.description);
            if ty.element() == &TypeExpr::Primitive(Primitive::Boolean) {
                format = listed.as_deref().and_then(facts::bool_format).or_else(|| {
                    // A `true`/`false` default tells the wire form too.
                    let default = facts::default_value(&row.description)?;
                    matches!(default, Scalar::Bool(_)).then_some(crate::spec::BoolFormat::TrueFalse)
                });
            } else if let Some(listed) = listed
                && value_type_fits(&ty, &listed)
            {
                values = Some(values_for(&mut ty, listed));
            }
        }
        // `enum` is text with allowed values; without them it is plain text.
        if values.is_none() {
            replace_element(&mut ty, Primitive::Enum, Primitive::String);
        }
        let default = facts::default_value(&row.description).filter(|d| default_fits(&ty, d));
        Field {
            name,
            ty,
            required: row.required && section == Section::Params,
            default,
            values,
            format,
            fields,
            deprecated: row.description.to_lowercase().contains("deprecated"),
        }
    }

    /// Finds the fields of an object field in another table (see the module docs).
    fn nested(
        &mut self,
        page: &Page,
        placed: &PlacedTable,
        section: Section,
        name: &str,
        description: &str,
        unknown: Option<&(String, Option<String>)>,
    ) -> Option<Vec<Field>> {
        for anchor in same_page_anchors(description) {
            if let Some(t) = table_under_anchor(page, &anchor) {
                return Some(self.read(page, t, section));
            }
        }
        if let Some(t) = table_named(page, placed, name) {
            return Some(self.read(page, t, section));
        }
        let (type_name, link) = unknown?;
        if let Some(link) = link
            && let Some((target, anchor)) = self.corpus.follow(&page.path, link)
        {
            let t = match anchor {
                Some(anchor) => table_under_anchor(target, &anchor),
                None => target
                    .field_tables(Section::Head)
                    .chain(target.tables.iter().filter(|t| t.kind == TableKind::Fields))
                    .next(),
            };
            if let Some(t) = t {
                return Some(self.read(target, t, section));
            }
        }
        table_named(page, placed, type_name).map(|t| self.read(page, t, section))
    }
}

/// Adds a field, folding path names (`data[].web`, `fields.TITLE`) into their parent and
/// keeping the first of two fields with the same name (tabs list variants of one object).
fn insert(fields: &mut Vec<Field>, field: Field) {
    let split = field
        .name
        .find("[].")
        .map(|i| (i, i + 3))
        .or_else(|| field.name.find('.').map(|i| (i, i + 1)));
    if let Some((end, start)) = split {
        let parent_name = field.name[..end].to_owned();
        let child_name = field.name[start..].to_owned();
        if let Some(parent) = fields.iter_mut().find(|f| f.name == parent_name) {
            if matches!(
                parent.ty.element(),
                TypeExpr::Primitive(Primitive::Object | Primitive::Array | Primitive::Any)
            ) {
                if parent.ty.element() == &TypeExpr::Primitive(Primitive::Array) {
                    parent.ty = TypeExpr::List(Box::new(TypeExpr::Primitive(Primitive::Object)));
                } else if parent.ty == TypeExpr::Primitive(Primitive::Any) {
                    parent.ty = TypeExpr::Primitive(Primitive::Object);
                }
                let children = parent.fields.get_or_insert_with(Vec::new);
                insert(
                    children,
                    Field {
                        name: child_name,
                        ..field
                    },
                );
            }
            return;
        }
    }
    if !fields.iter().any(|f| f.name == field.name) {
        fields.push(field);
    }
}

/// Targets of `](#anchor)` links in a description.
fn same_page_anchors(description: &str) -> Vec<String> {
    description
        .match_indices("](#")
        .filter_map(|(i, _)| {
            let rest = &description[i + 3..];
            rest.find(')').map(|end| rest[..end].to_owned())
        })
        .collect()
}

/// The first fields table under the heading with this anchor.
fn table_under_anchor<'p>(page: &'p Page, anchor: &str) -> Option<&'p PlacedTable> {
    page.tables.iter().find(|t| {
        t.kind == TableKind::Fields && page.heading(t).is_some_and(|h| h.anchor == anchor)
    })
}

/// The first fields table under a `###`-or-deeper heading that names `name` as a word,
/// other than the table being read; exact case first.
fn table_named<'p>(page: &'p Page, current: &PlacedTable, name: &str) -> Option<&'p PlacedTable> {
    if name.is_empty() || name == "*" {
        return None;
    }
    let candidates = || {
        page.tables.iter().filter(move |t| {
            t.kind == TableKind::Fields
                && t.block != current.block
                && page.heading(t).is_some_and(|h| h.level >= 3)
        })
    };
    let words = |t: &PlacedTable| -> Vec<String> {
        page.heading(t)
            .map(|h| {
                h.text
                    .split(|c: char| !(c.is_alphanumeric() || c == '_'))
                    .filter(|w| !w.is_empty())
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default()
    };
    candidates()
        .find(|t| words(t).iter().any(|w| w == name))
        .or_else(|| candidates().find(|t| words(t).iter().any(|w| w.eq_ignore_ascii_case(name))))
}

/// Listed values in the kind the type takes: text for text types (`1` → `"1"`), and an
/// `enum` of integers becomes `integer`.
fn values_for(ty: &mut TypeExpr, listed: Vec<Scalar>) -> Vec<Scalar> {
    let all_int = listed.iter().all(|v| matches!(v, Scalar::Int(_)));
    if all_int && ty.element() == &TypeExpr::Primitive(Primitive::Enum) {
        replace_element(ty, Primitive::Enum, Primitive::Integer);
        return listed;
    }
    if ty.element() == &TypeExpr::Primitive(Primitive::Integer) {
        return listed;
    }
    listed
        .into_iter()
        .map(|v| match v {
            Scalar::Str(s) => Scalar::Str(s),
            other => Scalar::Str(other.to_string()),
        })
        .collect()
}

/// Replaces a primitive at the element position of lists and `| null`.
fn replace_element(ty: &mut TypeExpr, from: Primitive, to: Primitive) {
    match ty {
        TypeExpr::Primitive(p) if *p == from => *p = to,
        TypeExpr::List(t) | TypeExpr::Map(t) => replace_element(t, from, to),
        TypeExpr::Union(members) => members
            .iter_mut()
            .for_each(|m| replace_element(m, from, to)),
        _ => {}
    }
}

/// Whether listed values can be the values of this type.
fn value_type_fits(ty: &TypeExpr, values: &[Scalar]) -> bool {
    match ty.element() {
        TypeExpr::Primitive(Primitive::Integer) => {
            values.iter().all(|v| matches!(v, Scalar::Int(_)))
        }
        TypeExpr::Primitive(
            Primitive::String | Primitive::Char | Primitive::Enum | Primitive::Text,
        ) => true,
        _ => false,
    }
}

/// Whether a stated default can be a value of this type.
fn default_fits(ty: &TypeExpr, default: &Scalar) -> bool {
    match ty {
        TypeExpr::Primitive(Primitive::Integer) => matches!(default, Scalar::Int(_)),
        TypeExpr::Primitive(Primitive::Boolean) => {
            matches!(default, Scalar::Bool(_))
                || matches!(default, Scalar::Str(s) if ["Y", "N"].contains(&s.as_str()))
                || matches!(default, Scalar::Int(0 | 1))
        }
        TypeExpr::Primitive(
            Primitive::String | Primitive::Char | Primitive::Enum | Primitive::Text,
        ) => true,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(name: &str, ty: &str) -> Field {
        Field::new(name, ty.parse().unwrap())
    }

    #[test]
    fn path_names_fold_into_their_parent() {
        let mut fields = Vec::new();
        insert(&mut fields, field("data", "array"));
        insert(&mut fields, field("data[].web", "string"));
        insert(&mut fields, field("data[].id", "integer"));
        insert(&mut fields, field("data", "string"));
        assert_eq!(fields.len(), 1);
        assert_eq!(fields[0].ty.to_string(), "object[]");
        let names: Vec<&str> = fields[0]
            .fields
            .as_ref()
            .unwrap()
            .iter()
            .map(|f| f.name.as_str())
            .collect();
        assert_eq!(names, ["web", "id"]);
    }
}
