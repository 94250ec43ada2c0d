//! Type expressions: `integer`, `user[]`, `map<string>`, `string | null`, `crm_item`.

use std::fmt;
use std::str::FromStr;

use serde::Deserialize;

/// A type from the vocabulary of `api-reference/data-types.md`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Primitive {
    /// `integer`
    Integer,
    /// `double`
    Double,
    /// `boolean`
    Boolean,
    /// `char`
    Char,
    /// `string`
    String,
    /// `text`
    Text,
    /// `date`
    Date,
    /// `datetime`
    DateTime,
    /// `timestamp`
    Timestamp,
    /// `file`
    File,
    /// `enum`: text with allowed values.
    Enum,
    /// `object`
    Object,
    /// `array`: a list of anything.
    Array,
    /// `any`
    Any,
    /// `field_description`: what `*.fields` methods return for each field of an object
    /// (type, required, read-only, title, …): the runtime's `FieldDescription`.
    FieldDescription,
}

impl Primitive {
    const ALL: [(&'static str, Primitive); 15] = [
        ("integer", Primitive::Integer),
        ("double", Primitive::Double),
        ("boolean", Primitive::Boolean),
        ("char", Primitive::Char),
        ("string", Primitive::String),
        ("text", Primitive::Text),
        ("date", Primitive::Date),
        ("datetime", Primitive::DateTime),
        ("timestamp", Primitive::Timestamp),
        ("file", Primitive::File),
        ("enum", Primitive::Enum),
        ("object", Primitive::Object),
        ("array", Primitive::Array),
        ("any", Primitive::Any),
        ("field_description", Primitive::FieldDescription),
    ];

    /// The primitive spelled `name`.
    pub fn from_name(name: &str) -> Option<Primitive> {
        Self::ALL.iter().find(|(n, _)| *n == name).map(|(_, p)| *p)
    }

    /// Its spelling in specs.
    pub fn name(self) -> &'static str {
        Self::ALL
            .iter()
            .find(|(_, p)| *p == self)
            .map(|(n, _)| *n)
            .unwrap_or("any")
    }

    /// Whether the type holds text on the wire.
    pub fn is_text(self) -> bool {
        matches!(
            self,
            Primitive::Char
                | Primitive::String
                | Primitive::Text
                | Primitive::Date
                | Primitive::DateTime
                | Primitive::Enum
        )
    }
}

/// A parsed type expression. Names are resolved against named types and entities later.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum TypeExpr {
    /// A vocabulary type.
    Primitive(Primitive),
    /// A named type or an entity (`crm_item`, `user`).
    Name(String),
    /// A field of an entity, such as `catalog_product.id`.
    EntityField(String, String),
    /// `T[]`
    List(Box<TypeExpr>),
    /// `map<T>`
    Map(Box<TypeExpr>),
    /// `null`, only inside a union.
    Null,
    /// `T | U | …`, two or more members.
    Union(Vec<TypeExpr>),
}

impl TypeExpr {
    /// For `T | null` (in either order), `T`; `None` for other types.
    pub fn nullable_inner(&self) -> Option<&TypeExpr> {
        match self {
            TypeExpr::Union(members) if members.len() == 2 => match (&members[0], &members[1]) {
                (TypeExpr::Null, t) | (t, TypeExpr::Null) => Some(t),
                _ => None,
            },
            _ => None,
        }
    }

    /// Calls `f` on every name this expression references.
    pub fn for_each_name(&self, f: &mut impl FnMut(&str)) {
        match self {
            TypeExpr::Name(n) | TypeExpr::EntityField(n, _) => f(n),
            TypeExpr::List(t) | TypeExpr::Map(t) => t.for_each_name(f),
            TypeExpr::Union(ts) => ts.iter().for_each(|t| t.for_each_name(f)),
            TypeExpr::Primitive(_) | TypeExpr::Null => {}
        }
    }

    /// The innermost element type of lists, maps and `| null`.
    pub fn element(&self) -> &TypeExpr {
        match self {
            TypeExpr::List(t) | TypeExpr::Map(t) => t.element(),
            other => other.nullable_inner().map_or(other, TypeExpr::element),
        }
    }

    /// Whether `fields` can describe this type: its element is `object`, or it is a union
    /// of which exactly one member's element is (`integer | object`: an id, or the
    /// object; `map<object> | boolean`).
    pub fn holds_fields(&self) -> bool {
        let object = |t: &TypeExpr| *t.element() == TypeExpr::Primitive(Primitive::Object);
        match self {
            TypeExpr::Union(members) => members.iter().filter(|m| object(m)).count() == 1,
            other => object(other),
        }
    }
}

impl fmt::Display for TypeExpr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TypeExpr::Primitive(p) => f.write_str(p.name()),
            TypeExpr::Name(n) => f.write_str(n),
            TypeExpr::EntityField(e, field) => write!(f, "{e}.{field}"),
            TypeExpr::List(t) => match **t {
                TypeExpr::Union(_) => write!(f, "({t})[]"),
                _ => write!(f, "{t}[]"),
            },
            TypeExpr::Map(t) => write!(f, "map<{t}>"),
            TypeExpr::Null => f.write_str("null"),
            TypeExpr::Union(ts) => {
                for (i, t) in ts.iter().enumerate() {
                    if i > 0 {
                        f.write_str(" | ")?;
                    }
                    write!(f, "{t}")?;
                }
                Ok(())
            }
        }
    }
}

impl FromStr for TypeExpr {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let mut parser = Parser { rest: s };
        let expr = parser.union()?;
        if !parser.rest.trim().is_empty() {
            return Err(format!("unexpected `{}` in type `{s}`", parser.rest.trim()));
        }
        Ok(expr)
    }
}

impl serde::Serialize for TypeExpr {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for TypeExpr {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        text.parse()
            .map_err(|e| serde::de::Error::custom(format!("invalid type `{text}`: {e}")))
    }
}

/// Recursive-descent parser over the remaining input.
struct Parser<'a> {
    rest: &'a str,
}

impl Parser<'_> {
    fn eat(&mut self, token: &str) -> bool {
        let trimmed = self.rest.trim_start();
        match trimmed.strip_prefix(token) {
            Some(rest) => {
                self.rest = rest;
                true
            }
            None => false,
        }
    }

    /// union := postfix ('|' postfix)*
    fn union(&mut self) -> Result<TypeExpr, String> {
        let mut members = vec![self.postfix()?];
        while self.eat("|") {
            members.push(self.postfix()?);
        }
        Ok(if members.len() == 1 {
            members.pop().expect("one member")
        } else {
            TypeExpr::Union(members)
        })
    }

    /// postfix := atom ('[]')*
    fn postfix(&mut self) -> Result<TypeExpr, String> {
        let mut t = self.atom()?;
        while self.eat("[]") {
            t = TypeExpr::List(Box::new(t));
        }
        Ok(t)
    }

    /// atom := '(' union ')' | 'map<' union '>' | name ('.' name)?
    fn atom(&mut self) -> Result<TypeExpr, String> {
        if self.eat("(") {
            let t = self.union()?;
            return if self.eat(")") {
                Ok(t)
            } else {
                Err("missing `)`".to_owned())
            };
        }
        let name = self.name()?;
        if name == "map" && self.eat("<") {
            let t = self.union()?;
            return if self.eat(">") {
                Ok(TypeExpr::Map(Box::new(t)))
            } else {
                Err("missing `>` after `map<`".to_owned())
            };
        }
        if self.rest.starts_with('.') {
            self.rest = &self.rest[1..];
            let field = self.name()?;
            return Ok(TypeExpr::EntityField(name, field));
        }
        if name == "null" {
            return Ok(TypeExpr::Null);
        }
        Ok(Primitive::from_name(&name).map_or(TypeExpr::Name(name), TypeExpr::Primitive))
    }

    fn name(&mut self) -> Result<String, String> {
        let trimmed = self.rest.trim_start();
        let end = trimmed
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(trimmed.len());
        if end == 0 {
            return Err(match trimmed.chars().next() {
                Some(c) => format!("expected a type name, found `{c}`"),
                None => "expected a type name".to_owned(),
            });
        }
        let (name, rest) = trimmed.split_at(end);
        self.rest = rest;
        Ok(name.to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> TypeExpr {
        s.parse().unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    #[test]
    fn parses_the_vocabulary_and_round_trips_through_display() {
        for s in [
            "integer",
            "user[]",
            "map<string>",
            "string | null",
            "catalog_product.id",
            "map<crm_item[]>",
            "integer | string | null",
            "(integer | string)[]",
            "integer[][]",
        ] {
            assert_eq!(parse(s).to_string(), s);
        }
    }

    #[test]
    fn fields_describe_an_object_or_the_one_object_member_of_a_union() {
        for s in [
            "object",
            "object[]",
            "map<object>",
            "integer | object",
            "map<object> | boolean",
            "object | null",
        ] {
            assert!(parse(s).holds_fields(), "{s}");
        }
        for s in ["integer", "object | object[]", "integer | string", "user"] {
            assert!(!parse(s).holds_fields(), "{s}");
        }
    }

    #[test]
    fn nullable_unions_expose_their_inner_type() {
        assert_eq!(
            parse("null | user").nullable_inner(),
            Some(&TypeExpr::Name("user".to_owned()))
        );
        assert_eq!(parse("integer | string").nullable_inner(), None);
    }

    #[test]
    fn malformed_expressions_are_errors() {
        for s in [
            "",
            "integer |",
            "map<string",
            "string]",
            "user.",
            "(integer",
        ] {
            assert!(s.parse::<TypeExpr>().is_err(), "{s:?} should not parse");
        }
    }
}
