//! Rust types of fields and how they travel on the wire.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::ModPath;
use crate::spec::BoolFormat;

/// A reference to a generated type.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct TypeRef {
    /// The module it is defined in.
    pub module: ModPath,
    /// Its Rust name.
    pub name: String,
}

/// The Rust type of a value, together with its wire adapter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ty {
    /// `i64`, read from numbers and numeric strings.
    Int,
    /// `f64`.
    Float,
    /// `bool` with its wire form.
    Bool(BoolFormat),
    /// `String`.
    Text,
    /// `serde_json::Value`: anything, or a type the specs leave open.
    Json,
    /// `Vec<T>`.
    List(Box<Ty>),
    /// `BTreeMap<String, T>`.
    Map(Box<Ty>),
    /// A generated struct or string enum; both read leniently on their own.
    Named(TypeRef),
    /// A generated enum of integer values, read like an integer (`""` is no value).
    IntEnum(TypeRef),
    /// The runtime's `OneOf2<A, B>` or `OneOf3<A, B, C>`: a value of one of the member
    /// types, read as the first that fits.
    OneOf(Vec<Ty>),
    /// The runtime's `FieldDescription`, read leniently on its own.
    FieldDescription,
    /// `()`: a result that is always `null`.
    Unit,
    /// `Option<T>`: a value of a map that may be `null` (a language the label has no text
    /// for); fields themselves are optional on their own.
    Nullable(Box<Ty>),
}

impl Ty {
    /// The Rust type, as seen from module `from`.
    pub fn tokens(&self, from: &ModPath) -> TokenStream {
        match self {
            Ty::Int => quote!(i64),
            Ty::Float => quote!(f64),
            Ty::Bool(_) => quote!(bool),
            Ty::Text => quote!(::std::string::String),
            Ty::Json => quote!(::serde_json::Value),
            Ty::FieldDescription => quote!(::bitrix24_runtime::FieldDescription),
            Ty::Unit => quote!(()),
            Ty::List(t) => {
                let t = t.tokens(from);
                quote!(::std::vec::Vec<#t>)
            }
            Ty::Map(t) => {
                let t = t.tokens(from);
                quote!(::std::collections::BTreeMap<::std::string::String, #t>)
            }
            Ty::Nullable(t) => {
                let t = t.tokens(from);
                quote!(::std::option::Option<#t>)
            }
            Ty::OneOf(members) => {
                let name = format_ident!("OneOf{}", members.len());
                let members = members.iter().map(|m| m.tokens(from));
                quote!(::bitrix24_runtime::wire::#name<#(#members),*>)
            }
            Ty::Named(r) | Ty::IntEnum(r) => {
                let name = format_ident!("{}", r.name);
                if &r.module == from {
                    quote!(#name)
                } else {
                    let path = r.module.iter().map(|m| format_ident!("{}", m));
                    quote!(crate #(:: #path)* :: #name)
                }
            }
        }
    }

    /// The `serde_with` adapter, as a string for `#[serde(with = "w::As::<…>")]` where `w`
    /// is the runtime's `wire` module, or `None` when serde's own impls are right (JSON
    /// values, generated types).
    pub fn adapter(&self) -> Option<String> {
        const W: &str = "w";
        Some(match self {
            Ty::Int => format!("{W}::Int"),
            Ty::Float => format!("{W}::Float"),
            Ty::Text => format!("{W}::Text"),
            Ty::Bool(BoolFormat::YesNo) => format!("{W}::YesNo"),
            Ty::Bool(BoolFormat::ZeroOne) => format!("{W}::ZeroOne"),
            Ty::Bool(BoolFormat::TrueFalse) => format!("{W}::TrueFalse"),
            Ty::List(t) => format!("{W}::List<{}>", t.adapter_or_same()),
            Ty::Map(t) => format!("{W}::Map<{}>", t.adapter_or_same()),
            Ty::IntEnum(_) => format!("{W}::IntEnumValue"),
            // Every adapter reads and writes an `Option` of its type too.
            Ty::Nullable(t) => return t.adapter(),
            Ty::OneOf(members) => {
                let adapters: Vec<String> = members.iter().map(Ty::adapter_or_same).collect();
                format!("{W}::OneOf<({})>", adapters.join(", "))
            }
            Ty::Json | Ty::Named(_) | Ty::FieldDescription | Ty::Unit => return None,
        })
    }

    fn adapter_or_same(&self) -> String {
        self.adapter().unwrap_or_else(|| "w::Same".to_owned())
    }

    /// A short description for doc comments: `integer`, `list of CrmItem`.
    pub fn describe(&self) -> String {
        match self {
            Ty::Int => "integer".to_owned(),
            Ty::Float => "number".to_owned(),
            Ty::Bool(BoolFormat::YesNo) => "boolean, sent as `Y`/`N`".to_owned(),
            Ty::Bool(BoolFormat::ZeroOne) => "boolean, sent as `1`/`0`".to_owned(),
            Ty::Bool(BoolFormat::TrueFalse) => "boolean".to_owned(),
            Ty::Text => "string".to_owned(),
            Ty::Json => "any JSON value".to_owned(),
            Ty::FieldDescription => "field description".to_owned(),
            Ty::Unit => "`null`".to_owned(),
            Ty::List(t) => format!("list of {}", t.describe()),
            Ty::Map(t) => format!("map of {}", t.describe()),
            Ty::Nullable(t) => format!("{} or `null`", t.describe()),
            Ty::Named(r) | Ty::IntEnum(r) => format!("`{}`", r.name),
            Ty::OneOf(members) => {
                let members: Vec<String> = members.iter().map(Ty::describe).collect();
                format!("one of: {}", members.join("; "))
            }
        }
    }
}
