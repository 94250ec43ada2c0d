//! The result types the TypeScript examples of a page declare: the type argument of
//! `call.make<TaskDataResult>({ method: 'task.item.getdata', … })`, with the aliases the
//! same block declares (`type TaskDataResult = { … }`), read as a spec type.
//!
//! The examples of most pages declare what they expect in `result`. Where the page has
//! no result table and no example reply, that declaration is the only fact it gives of
//! the result; where its table leaves the result or a member of it open
//! (`object | boolean`, `items: array`), the declaration fills it in, unless the page's
//! example reply has another shape (the declaration then describes another call).
//!
//! Only a small part of TypeScript is read: primitives, literals, `T[]`, `Array<T>`,
//! `Record<K, V>`, object literals (with `?` members and an index signature), unions
//! and aliases. Anything else is `unknown`. Reading never fails: what is not understood
//! is any JSON. An object keeps the members it does not name, as any JSON: a
//! declaration shows what its example reads, not always the whole object.

use std::collections::BTreeMap;

use serde_json::Value;

use super::conventions;
use super::corpus::Page;
use super::method::ImportedMethod;
use super::types::{is_concrete, is_concrete_result};
use super::yfm::Block;
use crate::spec::{ApiVersion, BoolFormat, Field, Primitive, TypeExpr};

/// A TypeScript type, as far as the importer reads it.
#[derive(Debug, Clone, PartialEq)]
enum Ts {
    Number,
    String,
    Boolean,
    Null,
    /// `unknown`, `any`, `object`, `never` and whatever is not understood.
    Unknown,
    /// `ISODate`: the SDK's name for a date and time in ISO 8601 text.
    DateTime,
    /// A reference to an alias.
    Name(String),
    /// `T[]`, `Array<T>`.
    List(Box<Ts>),
    /// `Record<K, V>`.
    Map(Box<Ts>),
    /// `{ a: T; b?: U; [key: string]: V }`.
    Object(Vec<(String, Ts)>, Option<Box<Ts>>),
    Union(Vec<Ts>),
}

/// The result type the examples of `page` declare for calls of `method`, with the
/// fields of an object: the first call that names one.
pub fn result_type(page: &Page, method: &str) -> Option<(TypeExpr, Option<Vec<Field>>)> {
    page.blocks.iter().find_map(|block| match block {
        Block::Code(code) => declared_in_block(&code.text, method),
        _ => None,
    })
}

/// Fills in what the results of `methods` leave open after their pages, example replies
/// and siblings (the result, or members of it at any depth) with what their TypeScript
/// examples declare. A declaration the page's example reply contradicts (ids where it
/// declares users) describes another call: it fills in nothing.
pub fn fill_in_results(methods: &mut BTreeMap<(String, ApiVersion), ImportedMethod>) {
    for method in methods.values_mut() {
        let Some(declared) = &method.declared_result else {
            continue;
        };
        let mut field = method.spec.result.as_field();
        let mut filled = Vec::new();
        fill_in_at(&mut field, declared, "result", &mut filled);
        let example = method
            .response_example
            .as_deref()
            .and_then(|text| serde_json::from_str::<Value>(text).ok());
        let contradicted = example
            .is_some_and(|reply| !fits(&field.ty, field.fields.as_deref(), &reply["result"]));
        if filled.is_empty() || contradicted {
            continue;
        }
        let result = &mut method.spec.result;
        result.ty = field.ty;
        result.fields = field.fields;
        result.format = field.format;
        method.filled_by_declaration = filled;
    }
}

/// Fills in `field` (at `path`) where it is open, else its members where they are, at
/// any depth, when the declaration has the same shape; the paths filled go to `filled`.
fn fill_in_at(field: &mut Field, declared: &Field, path: &str, filled: &mut Vec<String>) {
    if fill_in(field, declared) {
        filled.push(path.to_owned());
        return;
    }
    if shape(field) != shape(declared) {
        return;
    }
    let (Some(members), Some(declared_members)) = (field.fields.as_mut(), &declared.fields) else {
        return;
    };
    for member in members.iter_mut().filter(|m| m.wildcard_prefix().is_none()) {
        if let Some(same) = declared_members.iter().find(|d| d.name == member.name) {
            let at = format!("{path}.{}", member.name);
            fill_in_at(member, same, &at, filled);
        }
    }
}

/// Fills in what `result` leaves open (any JSON, an object or a list without fields, or
/// such a member of a union) with what `declared` says of the same JSON kind; the
/// members the page types stay as they are. An open list beside an object or a map
/// (`object | array`) is PHP's form of an empty one, which the runtime reads into it,
/// and the reverse: it goes. Whether the result is now typed.
fn fill_in(result: &mut Field, declared: &Field) -> bool {
    let has_fields = declared.fields.as_ref().is_some_and(|f| !f.is_empty());
    if is_concrete_result(&result.ty, result.fields.as_deref())
        || !is_concrete(&declared.ty, has_fields)
    {
        return false;
    }
    let declared_members: Vec<&TypeExpr> = match &declared.ty {
        TypeExpr::Union(members) => members.iter().collect(),
        ty => vec![ty],
    };
    // The declared member of an open one's kind, if any.
    let filling = |ty: &TypeExpr| -> Option<TypeExpr> {
        if is_concrete(ty, false) {
            return None;
        }
        declared_members
            .iter()
            .find(|d| same_kind(ty, d) && is_concrete(d, has_fields))
            .map(|d| (*d).clone())
    };
    let ty = match &result.ty {
        TypeExpr::Union(members) => {
            let members: Vec<TypeExpr> = members
                .iter()
                .map(|m| filling(m).unwrap_or_else(|| m.clone()))
                .collect();
            let mut members = without_php_forms(members, has_fields);
            match members.len() {
                1 => members.remove(0),
                _ => TypeExpr::Union(members),
            }
        }
        ty => match filling(ty) {
            Some(t) => t,
            None => return false,
        },
    };
    let fields = result.fields.clone().or_else(|| declared.fields.clone());
    if !is_concrete_result(&ty, fields.as_deref()) {
        return false;
    }
    if result.format.is_none() {
        result.format = json_boolean(&ty);
    }
    result.ty = ty;
    result.fields = fields;
    true
}

/// Whether `value` has the JSON shape of `ty` (with `fields`, the members it shows are
/// checked too): scalars of any kind fit a scalar, as the runtime reads them leniently;
/// `null`, and PHP's empty values for a container, fit anything that holds them.
fn fits(ty: &TypeExpr, fields: Option<&[Field]>, value: &Value) -> bool {
    fn all_fit<'v>(
        ty: &TypeExpr,
        fields: Option<&[Field]>,
        mut values: impl Iterator<Item = &'v Value>,
    ) -> bool {
        values.all(|v| fits(ty, fields, v))
    }
    match (ty, value) {
        (_, Value::Null) => true,
        (TypeExpr::Union(members), _) => members.iter().any(|m| fits(m, fields, value)),
        (TypeExpr::Null, _) => false,
        (TypeExpr::List(t) | TypeExpr::Map(t), Value::Array(items)) => {
            all_fit(t, fields, items.iter())
        }
        (TypeExpr::List(t) | TypeExpr::Map(t), Value::Object(map)) => {
            all_fit(t, fields, map.values())
        }
        (TypeExpr::List(_) | TypeExpr::Map(_), Value::Bool(false)) => true,
        (TypeExpr::List(_) | TypeExpr::Map(_), _) => false,
        (TypeExpr::Primitive(Primitive::Any | Primitive::File), _) => true,
        (TypeExpr::Primitive(Primitive::Array), v) => v.is_array() || v.is_object(),
        (TypeExpr::Primitive(Primitive::Object) | TypeExpr::Name(_), Value::Object(map)) => {
            fields.into_iter().flatten().all(|f| {
                map.get(&f.name)
                    .is_none_or(|v| fits(&f.ty, f.fields.as_deref(), v))
            })
        }
        (TypeExpr::Primitive(Primitive::Object) | TypeExpr::Name(_), Value::Array(items)) => {
            items.is_empty()
        }
        (TypeExpr::Primitive(Primitive::Object) | TypeExpr::Name(_), v) => *v == Value::Bool(false),
        (TypeExpr::Primitive(_) | TypeExpr::EntityField(..), v) => !v.is_array() && !v.is_object(),
    }
}

/// How far a declared result agrees in shape with the one the page documents: counts
/// of (compared, agreeing) for the result itself, then for the members both name and
/// the declaration did not fill in (`filled`, as paths `result.NAME`). Only
/// JSON shapes are compared (a scalar, a list, a map, an object, `null`); a loose
/// documented type is not compared. `fields_of` gives a shared type's fields.
pub fn agreement(
    documented: &Field,
    declared: &Field,
    filled: &[String],
    fields_of: &dyn Fn(&str) -> Option<Vec<Field>>,
) -> [(usize, usize); 2] {
    let mut counts = [(0, 0); 2];
    let mut count = |at: usize, a: &Field, b: &Field| {
        if let (Some(x), Some(y)) = (shape(a), shape(b)) {
            counts[at].0 += 1;
            counts[at].1 += usize::from(x == y);
        }
    };
    count(0, documented, declared);
    let members = documented
        .fields
        .clone()
        .or_else(|| match documented.ty.element() {
            TypeExpr::Name(name) => fields_of(name),
            _ => None,
        });
    let own = |name: &str| !filled.iter().any(|path| *path == format!("result.{name}"));
    for member in declared.fields.iter().flatten().filter(|m| own(&m.name)) {
        if let Some(same) = members.iter().flatten().find(|m| m.name == member.name) {
            count(1, same, member);
        }
    }
    counts
}

/// The JSON shape a field's type gives its values, when it gives one.
fn shape(field: &Field) -> Option<&'static str> {
    let ty = field.ty.nullable_inner().unwrap_or(&field.ty);
    let has_fields = field.fields.as_ref().is_some_and(|f| !f.is_empty());
    Some(match ty {
        TypeExpr::List(_) => "list",
        TypeExpr::Map(_) => "map",
        TypeExpr::Name(_) => "object",
        TypeExpr::Null => "null",
        TypeExpr::Primitive(Primitive::Object) if has_fields => "object",
        TypeExpr::Primitive(p)
            if !matches!(
                p,
                Primitive::Object | Primitive::Array | Primitive::Any | Primitive::File
            ) =>
        {
            "scalar"
        }
        _ => return None,
    })
}

/// Whether a declared type is of the JSON kind a loose one leaves open: anything for
/// `any`; an object, a map or a named type for `object`; a list for `array`; a list or a
/// map of the same kind for a list or a map.
fn same_kind(open: &TypeExpr, declared: &TypeExpr) -> bool {
    match (open, declared) {
        (TypeExpr::Primitive(Primitive::Any), _) => true,
        (
            TypeExpr::Primitive(Primitive::Object),
            TypeExpr::Map(_) | TypeExpr::Name(_) | TypeExpr::Primitive(Primitive::Object),
        ) => true,
        (TypeExpr::Primitive(Primitive::Array), TypeExpr::List(_)) => true,
        (TypeExpr::List(a), TypeExpr::List(b)) | (TypeExpr::Map(a), TypeExpr::Map(b)) => {
            same_kind(a, b)
        }
        _ => false,
    }
}

/// The result type a block declares for its call of `method`.
fn declared_in_block(text: &str, method: &str) -> Option<(TypeExpr, Option<Vec<Field>>)> {
    const CALL: &str = "call.make<";
    let at = text.find(CALL)? + CALL.len();
    let mut parser = Parser::new(&text[at..]);
    let declared = parser.union();
    let after = parser.rest.trim_start().strip_prefix('>')?;
    let names = |q: char| {
        after
            .find("method")
            .is_some_and(|m| after[m..].starts_with(&format!("method: {q}{method}{q}")))
    };
    if !names('\'') && !names('"') {
        return None;
    }
    let aliases = aliases(text);
    // A result that is a bare number (or numbers) is an id or a count: an integer, as
    // every page that also documents such a result in a table says.
    Some(spec_type(&declared, &aliases, 0, Primitive::Integer))
}

/// The aliases a block declares: `type Name = …`.
fn aliases(text: &str) -> BTreeMap<String, Ts> {
    let mut out = BTreeMap::new();
    for (at, _) in text.match_indices("type ") {
        let starts_line = text[..at]
            .rsplit('\n')
            .next()
            .is_some_and(|before| before.trim().is_empty() || before.trim() == "export");
        if !starts_line {
            continue;
        }
        let mut parser = Parser::new(&text[at + "type ".len()..]);
        let Some(Token::Word(name)) = parser.next() else {
            continue;
        };
        if parser.next() != Some(Token::Punct('=')) {
            continue;
        }
        out.entry(name.to_owned()).or_insert_with(|| parser.union());
    }
    out
}

/// Aliases deeper than this are left open: a recursive one never ends.
const MAX_DEPTH: usize = 8;

/// The spec type of a TypeScript type, with the fields of an object (merged over the
/// objects of a union). A `number` is `number`, the caller's reading of it; in an
/// object, an `integer` for a member named as an identifier, else a `double`.
fn spec_type(
    ts: &Ts,
    aliases: &BTreeMap<String, Ts>,
    depth: usize,
    number: Primitive,
) -> (TypeExpr, Option<Vec<Field>>) {
    let prim = |p| (TypeExpr::Primitive(p), None);
    if depth > MAX_DEPTH {
        return prim(Primitive::Any);
    }
    let inner = |ts: &Ts| spec_type(ts, aliases, depth + 1, number);
    match ts {
        Ts::Number => prim(number),
        Ts::String => prim(Primitive::String),
        Ts::Boolean => prim(Primitive::Boolean),
        Ts::DateTime => prim(Primitive::DateTime),
        Ts::Null => (TypeExpr::Null, None),
        Ts::Unknown => prim(Primitive::Any),
        Ts::Name(name) => match aliases.get(name) {
            Some(target) => inner(target),
            None => prim(Primitive::Any),
        },
        Ts::List(item) => match inner(item) {
            (TypeExpr::Primitive(Primitive::Any), _) => prim(Primitive::Array),
            (ty, fields) => (TypeExpr::List(Box::new(ty)), fields),
        },
        Ts::Map(value) => {
            let (ty, fields) = inner(value);
            (TypeExpr::Map(Box::new(ty)), fields)
        }
        Ts::Object(members, index) if members.is_empty() => match index {
            Some(value) => inner(&Ts::Map(value.clone())),
            None => prim(Primitive::Any),
        },
        Ts::Object(members, index) => {
            let member = |name: &str, ts: &Ts| {
                let number = if names_an_id(name) {
                    Primitive::Integer
                } else {
                    Primitive::Double
                };
                let (ty, nested) = match spec_type(ts, aliases, depth + 1, number) {
                    // A member declared always `null` says nothing of what it holds.
                    (TypeExpr::Null, _) => (TypeExpr::Primitive(Primitive::Any), None),
                    typed => typed,
                };
                Field {
                    fields: nested,
                    format: json_boolean(&ty),
                    ..Field::new(name, ty)
                }
            };
            let mut fields: Vec<Field> =
                members.iter().map(|(name, ts)| member(name, ts)).collect();
            // A declaration shows the members its example needs, not always all: the
            // others are kept, as any JSON, unless an index signature types them.
            fields.push(member("*", index.as_deref().unwrap_or(&Ts::Unknown)));
            (TypeExpr::Primitive(Primitive::Object), Some(fields))
        }
        Ts::Union(members) => {
            let mut types: Vec<TypeExpr> = Vec::new();
            let mut fields: Option<Vec<Field>> = None;
            for member in members {
                let (ty, nested) = inner(member);
                if let Some(nested) = nested {
                    let merged = fields.get_or_insert_with(Vec::new);
                    for field in nested {
                        if !merged.iter().any(|f| f.name == field.name) {
                            merged.push(field);
                        }
                    }
                }
                if !types.contains(&ty) {
                    types.push(ty);
                }
            }
            // Any JSON covers the other members.
            if types.contains(&TypeExpr::Primitive(Primitive::Any)) {
                return prim(Primitive::Any);
            }
            let mut types = without_php_forms(types, fields.is_some());
            let ty = match types.len() {
                1 => types.remove(0),
                _ => TypeExpr::Union(types),
            };
            // Scalars as a table's union of them reads (`string | number` is text).
            let ty = match ty.nullable_inner() {
                None => conventions::union_type(&ty, false).unwrap_or(ty),
                Some(_) => ty,
            };
            (ty, fields)
        }
    }
}

/// The members of a union without those that are PHP's spelling of another: a list
/// (`[]`) beside an object or a map, which the runtime reads into it, and an object
/// without fields beside a list, which it reads as the list of its values.
fn without_php_forms(members: Vec<TypeExpr>, has_fields: bool) -> Vec<TypeExpr> {
    let object_like = |m: &TypeExpr| match m {
        TypeExpr::Map(_) | TypeExpr::Name(_) => true,
        TypeExpr::Primitive(Primitive::Object) => has_fields,
        _ => false,
    };
    let has_object = members.iter().any(object_like);
    let has_list = members.iter().any(|m| matches!(m, TypeExpr::List(_)));
    let open_object = members
        .iter()
        .filter(|m| **m == TypeExpr::Primitive(Primitive::Object))
        .count();
    members
        .into_iter()
        .filter(|m| match m {
            TypeExpr::Primitive(Primitive::Array) => !has_object,
            TypeExpr::Primitive(Primitive::Object) => !(has_list && open_object == 1),
            _ => true,
        })
        .collect()
}

/// The wire form of a TypeScript `boolean`: JSON's own.
fn json_boolean(ty: &TypeExpr) -> Option<BoolFormat> {
    (*ty.element() == TypeExpr::Primitive(Primitive::Boolean)).then_some(BoolFormat::TrueFalse)
}

/// Whether a member's name says it holds an identifier (`id`, `ID`, `USER_ID`,
/// `userId`, `repo_id`): a `number` so named is an integer. TypeScript has one number
/// type; an amount or a coordinate stays `double`.
fn names_an_id(name: &str) -> bool {
    name.eq_ignore_ascii_case("id")
        || name.ends_with("_ID")
        || name.ends_with("_id")
        || name
            .strip_suffix("Id")
            .is_some_and(|before| before.ends_with(|c: char| c.is_ascii_lowercase()))
}

/// A token of a type expression.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Token<'a> {
    /// A name, a keyword or a number.
    Word(&'a str),
    /// A quoted string, without its quotes.
    Quoted(&'a str),
    Punct(char),
}

/// A reader of type expressions over text that goes on after them.
struct Parser<'a> {
    rest: &'a str,
}

impl<'a> Parser<'a> {
    fn new(text: &'a str) -> Self {
        Parser { rest: text }
    }

    /// Skips spaces and comments.
    fn skip(&mut self) {
        loop {
            let trimmed = self.rest.trim_start();
            if let Some(comment) = trimmed.strip_prefix("//") {
                self.rest = comment.split_once('\n').map_or("", |(_, after)| after);
            } else if let Some(comment) = trimmed.strip_prefix("/*") {
                self.rest = comment.split_once("*/").map_or("", |(_, after)| after);
            } else {
                self.rest = trimmed;
                return;
            }
        }
    }

    fn peek(&mut self) -> Option<Token<'a>> {
        let saved = self.rest;
        let token = self.next();
        self.rest = saved;
        token
    }

    fn next(&mut self) -> Option<Token<'a>> {
        self.skip();
        let c = self.rest.chars().next()?;
        if c.is_ascii_alphanumeric() || c == '_' || c == '$' || c == '-' || c == '.' {
            let end = self
                .rest
                .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '$' | '-' | '.')))
                .unwrap_or(self.rest.len());
            let (word, rest) = self.rest.split_at(end);
            self.rest = rest;
            return Some(Token::Word(word));
        }
        if c == '\'' || c == '"' || c == '`' {
            let body = &self.rest[1..];
            let end = body.find(c).unwrap_or(body.len());
            self.rest = body.get(end + 1..).unwrap_or("");
            return Some(Token::Quoted(&body[..end]));
        }
        self.rest = &self.rest[c.len_utf8()..];
        Some(Token::Punct(c))
    }

    fn eat(&mut self, punct: char) -> bool {
        if self.peek() == Some(Token::Punct(punct)) {
            self.next();
            true
        } else {
            false
        }
    }

    /// `A | B | …`, a leading `|` allowed.
    fn union(&mut self) -> Ts {
        self.eat('|');
        let mut members = vec![self.postfix()];
        while self.eat('|') {
            members.push(self.postfix());
        }
        if members.len() == 1 {
            members.remove(0)
        } else {
            Ts::Union(members)
        }
    }

    /// A primary type followed by any number of `[]`.
    fn postfix(&mut self) -> Ts {
        let mut ty = self.primary();
        loop {
            let saved = self.rest;
            if self.eat('[') && self.eat(']') {
                ty = Ts::List(Box::new(ty));
            } else {
                self.rest = saved;
                return ty;
            }
        }
    }

    fn primary(&mut self) -> Ts {
        match self.next() {
            Some(Token::Punct('(')) => {
                let ty = self.union();
                self.eat(')');
                ty
            }
            Some(Token::Punct('{')) => self.object(),
            Some(Token::Punct('[')) => {
                // A tuple: a list of its members' union.
                let mut members = Vec::new();
                while !self.eat(']') && self.peek().is_some() {
                    members.push(self.union());
                    self.eat(',');
                }
                Ts::List(Box::new(match members.len() {
                    1 => members.remove(0),
                    _ => Ts::Union(members),
                }))
            }
            Some(Token::Quoted(_)) => Ts::String,
            Some(Token::Word(word)) => self.named(word),
            _ => Ts::Unknown,
        }
    }

    /// A keyword, a literal, a generic (`Array<T>`, `Record<K, V>`) or an alias.
    fn named(&mut self, word: &str) -> Ts {
        let args = if self.eat('<') {
            let mut args = vec![self.union()];
            while self.eat(',') {
                args.push(self.union());
            }
            self.eat('>');
            args
        } else {
            Vec::new()
        };
        match (word, args.as_slice()) {
            ("number", _) => Ts::Number,
            ("string", _) => Ts::String,
            ("boolean" | "true" | "false", _) => Ts::Boolean,
            ("null" | "undefined", _) => Ts::Null,
            ("ISODate", _) => Ts::DateTime,
            ("Array" | "ReadonlyArray", [item]) => Ts::List(Box::new(item.clone())),
            ("Record", [_, value]) => Ts::Map(Box::new(value.clone())),
            (word, []) if word.starts_with(|c: char| c.is_ascii_digit() || c == '-') => Ts::Number,
            (word, []) if word.starts_with(|c: char| c.is_ascii_uppercase()) => {
                Ts::Name(word.to_owned())
            }
            _ => Ts::Unknown,
        }
    }

    /// The members of an object literal, after its `{`.
    fn object(&mut self) -> Ts {
        let mut members = Vec::new();
        let mut index = None;
        loop {
            match self.next() {
                None | Some(Token::Punct('}')) => break,
                Some(Token::Punct(';' | ',')) => {}
                Some(Token::Punct('[')) => {
                    // `[key: string]: T`
                    while !matches!(self.next(), None | Some(Token::Punct(']'))) {}
                    if self.eat(':') {
                        index = Some(Box::new(self.union()));
                    }
                }
                Some(Token::Word("readonly"))
                    if !matches!(self.peek(), Some(Token::Punct(':' | '?'))) => {}
                Some(Token::Word(name) | Token::Quoted(name)) => {
                    self.eat('?');
                    if !self.eat(':') {
                        break;
                    }
                    let ty = self.union();
                    members.push((name.to_owned(), ty));
                }
                Some(Token::Punct(_)) => break,
            }
        }
        Ts::Object(members, index)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str, method: &str) -> Option<(String, Vec<String>)> {
        declared_in_block(text, method).map(|(ty, fields)| {
            let fields = fields
                .unwrap_or_default()
                .iter()
                .map(|f| format!("{}: {}", f.name, f.ty))
                .collect();
            (ty.to_string(), fields)
        })
    }

    #[test]
    fn a_call_s_type_argument_is_its_result_type() {
        let text = "const response = await $b24.actions.v2.call.make<boolean>({\n  method: 'task.item.approve',\n  params: { TASKID: 1 },\n})";
        assert_eq!(
            read(text, "task.item.approve"),
            Some(("boolean".into(), vec![]))
        );
        assert_eq!(
            read(text, "task.item.renew"),
            None,
            "the call names another method"
        );
    }

    #[test]
    fn aliases_declared_in_the_block_are_followed() {
        let text = "// Shape of the payload\ntype Log = Array<{\n  CREATED_DATE: ISODate | null\n  USER_ID: string; // who\n  'TO VALUE'?: string\n}>\n\nconst r = await $b24.actions.v2.call.make<Log>({\n  method: \"task.logitem.list\",\n})";
        let (ty, fields) = read(text, "task.logitem.list").unwrap();
        assert_eq!(ty, "object[]");
        assert_eq!(
            fields,
            [
                "CREATED_DATE: datetime | null",
                "USER_ID: string",
                "TO VALUE: string",
                "*: any"
            ]
        );
    }

    #[test]
    fn records_index_signatures_and_unions_read_as_maps_and_unions() {
        let cases = [
            ("Record<string, number[]>", "map<integer[]>"),
            ("{ [key: string]: unknown }", "map<any>"),
            ("Record<string, number> | true", "map<integer> | boolean"),
            ("string | number", "string"),
            ("number", "integer"),
            ("Record<string, unknown> | unknown[]", "map<any>"),
            ("Item[] | Record<string, never>", "map<any>"),
            ("unknown[]", "array"),
            ("never[]", "array"),
            ("string | string[] | null", "string | string[] | null"),
            ("'Y' | 'N'", "string"),
            ("Promise<Foo>", "any"),
            ("false | Unknown", "any"),
        ];
        for (ts, spec) in cases {
            let text = format!("call.make<{ts}>({{ method: 'a.b' }})");
            assert_eq!(
                read(&text, "a.b").map(|r| r.0).as_deref(),
                Some(spec),
                "{ts}"
            );
        }
    }

    #[test]
    fn an_object_with_members_and_an_index_signature_keeps_other_keys_in_a_wildcard() {
        let text = "type R = {\n  id: number\n  [key: string]: string | number\n}\ncall.make<R>({ method: 'a.b' })";
        let (ty, fields) = read(text, "a.b").unwrap();
        assert_eq!(ty, "object");
        assert_eq!(fields, ["id: integer", "*: string"]);
    }

    #[test]
    fn a_number_named_as_an_identifier_is_an_integer() {
        let text = "call.make<{ ID: number; userId: number; repo_id: number; PRICE: number; paid: number; gone: null }>({ method: 'a.b' })";
        let (_, fields) = read(text, "a.b").unwrap();
        assert_eq!(
            fields,
            [
                "ID: integer",
                "userId: integer",
                "repo_id: integer",
                "PRICE: double",
                "paid: double",
                "gone: any",
                "*: any"
            ]
        );
    }

    #[test]
    fn agreement_compares_the_shapes_of_the_result_and_of_the_members_both_name() {
        let documented = Field {
            fields: Some(vec![
                Field::new("ID", TypeExpr::Primitive(Primitive::Integer)),
                Field::new(
                    "TAGS",
                    TypeExpr::List(Box::new(TypeExpr::Primitive(Primitive::String))),
                ),
                Field::new("DATA", TypeExpr::Primitive(Primitive::Any)),
            ]),
            ..Field::new("result", TypeExpr::Primitive(Primitive::Object))
        };
        let text = "call.make<{ ID: string; TAGS: Record<string, string>; DATA: number; MORE: number }>({ method: 'a.b' })";
        let (ty, fields) = declared_in_block(text, "a.b").unwrap();
        let declared = Field {
            fields,
            ..Field::new("result", ty)
        };
        // The result agrees; of the members, ID agrees (scalars), TAGS does not (a list
        // declared a map), DATA is loose and MORE undocumented: neither is compared.
        assert_eq!(
            agreement(&documented, &declared, &[], &|_| None),
            [(1, 1), (2, 1)]
        );
        // A member the declaration filled in is not compared with itself.
        let filled = ["result.TAGS".to_owned()];
        assert_eq!(
            agreement(&documented, &declared, &filled, &|_| None)[1],
            (1, 1)
        );
        let listed = Field::new(
            "result",
            TypeExpr::List(Box::new(TypeExpr::Primitive(Primitive::Object))),
        );
        assert_eq!(agreement(&listed, &declared, &[], &|_| None)[0], (1, 0));
    }

    #[test]
    fn an_example_reply_of_another_shape_does_not_fit() {
        let text = "type U = { id: number; name: string }\ncall.make<Record<string, U[]>>({ method: 'a.b' })";
        let (ty, fields) = declared_in_block(text, "a.b").unwrap();
        let fits = |reply: &str| {
            fits(
                &ty,
                fields.as_deref(),
                &serde_json::from_str(reply).unwrap(),
            )
        };
        assert!(fits(r#"{"3": [{"id": "5", "name": "Ann"}], "7": []}"#));
        assert!(!fits(r#"{"3": [278]}"#), "ids where users are declared");
        assert!(
            !fits(r#"{"3": [{"id": "5", "name": {"first": "Ann"}}]}"#),
            "a member of another shape"
        );
        assert!(fits("[]"), "PHP's empty map");
    }

    #[test]
    fn open_members_of_a_documented_result_are_filled_in_and_typed_ones_stay() {
        let mut documented = Field {
            fields: Some(vec![
                Field::new("ITEMS", TypeExpr::Primitive(Primitive::Array)),
                Field::new("NAME", TypeExpr::Primitive(Primitive::String)),
            ]),
            ..Field::new("result", TypeExpr::Primitive(Primitive::Object))
        };
        let text = "call.make<{ ITEMS: { id: number }[]; NAME: number }>({ method: 'a.b' })";
        let (ty, fields) = declared_in_block(text, "a.b").unwrap();
        let declared = Field {
            fields,
            ..Field::new("result", ty)
        };
        let mut filled = Vec::new();
        fill_in_at(&mut documented, &declared, "result", &mut filled);
        assert_eq!(filled, ["result.ITEMS"]);
        let members = documented.fields.unwrap();
        assert_eq!(members[0].ty.to_string(), "object[]");
        assert_eq!(members[0].fields.as_ref().unwrap()[0].name, "id");
        assert_eq!(members[1].ty.to_string(), "string", "typed by the page");
        // A declaration of another shape fills in no member.
        let mut listed = Field {
            fields: Some(vec![Field::new(
                "ITEMS",
                TypeExpr::Primitive(Primitive::Array),
            )]),
            ..Field::new(
                "result",
                TypeExpr::List(Box::new(TypeExpr::Primitive(Primitive::Object))),
            )
        };
        let mut filled = Vec::new();
        fill_in_at(&mut listed, &declared, "result", &mut filled);
        assert!(filled.is_empty());
    }

    #[test]
    fn a_recursive_alias_ends() {
        let text = "type Node = { children: Node[] }\ncall.make<Node>({ method: 'a.b' })";
        assert!(read(text, "a.b").is_some());
    }
}
