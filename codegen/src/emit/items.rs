//! Structs, enums and newtypes.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::{cfg_gate, doc_attrs};
use crate::ir::{Alias, Enum, ModPath, Newtype, Struct, StructField, Traffic, Ty, TypeDef};

/// Any generated type.
pub fn type_def(def: &TypeDef, module: &ModPath) -> TokenStream {
    match def {
        TypeDef::Struct(s) => structure(s, module),
        TypeDef::Enum(e) => enumeration(e),
        TypeDef::Newtype(n) => newtype(n, module),
        TypeDef::Alias(a) => alias(a, module),
    }
}

/// `pub type Name = Target;`
fn alias(a: &Alias, module: &ModPath) -> TokenStream {
    let name = format_ident!("{}", a.name);
    let doc = doc_attrs(&a.doc);
    let cfg = cfg_gate(&a.cfg);
    let target = Ty::Named(a.target.clone()).tokens(module);
    quote! {
        #doc
        #cfg
        pub type #name = #target;
    }
}

/// `#[serde(with = "w::As::<…>")]` contents for a type, if it needs an adapter; `w` is the
/// runtime's `wire` module, imported by every module file that uses it.
fn with_attr(ty: &Ty) -> Option<String> {
    ty.adapter().map(|a| format!("w::As::<{a}>"))
}

/// The derives of a type that travels as `traffic`: the serde half its direction needs,
/// and the other half under the `registry` feature (outside rustdoc), for round trips in
/// tests. A type nothing reaches gets both. A `lenient` struct reads PHP's empty values
/// (`[]`) as empty through the runtime's `wire::Object` derive (`w::Object`) instead of
/// serde's `Deserialize`.
fn serde_derives(traffic: Traffic, lenient: bool) -> (TokenStream, TokenStream) {
    let deserialize = if lenient {
        quote!(w::Object)
    } else {
        quote!(::serde::Deserialize)
    };
    let mut always = TokenStream::new();
    let mut registry = Vec::new();
    if traffic.sends() {
        always.extend(quote!(::serde::Serialize,));
    } else {
        registry.push(quote!(::serde::Serialize));
    }
    if traffic.receives() {
        always.extend(quote!(#deserialize,));
    } else {
        registry.push(deserialize);
    }
    let registry = if registry.is_empty() {
        TokenStream::new()
    } else {
        // Not under rustdoc: the halves serve tests, and would double the docs' cost.
        quote!(#[cfg_attr(all(feature = "registry", not(doc)), derive(#(#registry),*))])
    };
    (always, registry)
}

/// A struct, and for a sent struct its constructor and setters.
///
/// Structs without required fields read PHP's empty values (`[]`) as empty, through the
/// runtime's `wire::Object` derive; structs with required fields are read strictly.
pub fn structure(s: &Struct, module: &ModPath) -> TokenStream {
    let name = format_ident!("{}", s.name);
    let doc = doc_attrs(&s.doc);
    let cfg = cfg_gate(&s.cfg);
    let lenient = !s.fields.iter().any(|f| f.required);
    let (derives, registry_derives) = serde_derives(s.traffic, lenient);

    let sent = s.traffic.sends();
    let fields = s.fields.iter().map(|f| field(f, module, lenient, sent));
    let wildcards = s.wildcards.as_ref().map(|w| {
        let ident = format_ident!("{}", w.name);
        let patterns: Vec<String> = w.patterns.iter().map(|p| format!("`{p}`")).collect();
        let doc = format!(
            " Fields matching {} (and any other field not listed above), by wire name.",
            patterns.join(", ")
        );
        quote! {
            #[doc = #doc]
            #[serde(flatten)]
            pub #ident: ::std::collections::BTreeMap<::std::string::String, ::serde_json::Value>,
        }
    });

    let (derive_default, container) = if lenient {
        (quote!(Default,), quote!(#[serde(default)]))
    } else {
        (TokenStream::new(), TokenStream::new())
    };

    // Sent types are built by the caller.
    let builders = sent.then(|| builders(s, module));

    quote! {
        #doc
        #cfg
        #[derive(Debug, Clone, PartialEq, #derive_default #derives)]
        #registry_derives
        #container
        #[non_exhaustive]
        pub struct #name {
            #(#fields)*
            #wildcards
        }

        #builders
    }
}

/// `new()` taking the required fields, and a setter for each optional one.
fn builders(s: &Struct, module: &ModPath) -> TokenStream {
    let name = format_ident!("{}", s.name);
    let cfg = cfg_gate(&s.cfg);
    let required: Vec<&StructField> = s.fields.iter().filter(|f| f.required).collect();
    let new_args = required.iter().map(|f| {
        let ident = format_ident!("{}", f.name);
        let ty = param_type(&f.ty, module);
        quote!(#ident: #ty)
    });
    let inits = s.fields.iter().map(|f| {
        let ident = format_ident!("{}", f.name);
        match (f.required, &f.ty) {
            (true, Ty::Text) => quote!(#ident: #ident.into()),
            (true, _) => quote!(#ident),
            (false, _) => quote!(#ident: None),
        }
    });
    let wildcard_init = s.wildcards.as_ref().map(|w| {
        let ident = format_ident!("{}", w.name);
        quote!(#ident: ::std::collections::BTreeMap::new(),)
    });
    let setters = s
        .fields
        .iter()
        .filter(|f| !f.required)
        .map(|f| setter(f, module));
    let new_doc = if required.is_empty() {
        " An empty value; set fields with the setters.".to_owned()
    } else {
        let names: Vec<String> = required
            .iter()
            .map(|f| format!("`{}`", f.wire_name))
            .collect();
        format!(" A value with the required {}.", names.join(", "))
    };
    quote! {
        #cfg
        impl #name {
            #[doc = #new_doc]
            pub fn new(#(#new_args),*) -> Self {
                Self {
                    #(#inits,)*
                    #wildcard_init
                }
            }

            #(#setters)*
        }
    }
}

/// A struct field; `lenient` structs default missing fields for the whole struct, and only
/// `sent` structs leave absent values out when serializing (received ones serialize only
/// under `registry`, where `null` is as good).
fn field(f: &StructField, module: &ModPath, lenient: bool, sent: bool) -> TokenStream {
    let ident = format_ident!("{}", f.name);
    let doc = doc_attrs(&f.doc);
    let ty = f.ty.tokens(module);
    let ty = if f.required {
        ty
    } else {
        quote!(::std::option::Option<#ty>)
    };
    let rename = (f.name != f.wire_name).then(|| {
        let wire = &f.wire_name;
        quote!(rename = #wire,)
    });
    let aliases = f.aliases.iter().map(|a| quote!(alias = #a,));
    let default = (!f.required && !lenient).then(|| quote!(default,));
    let skip = (!f.required && sent).then(|| quote!(skip_serializing_if = "Option::is_none",));
    let optional = (default.is_some() || skip.is_some()).then(|| quote!(#default #skip));
    let with = with_attr(&f.ty).map(|w| quote!(with = #w,));
    let serde = if rename.is_some() || !f.aliases.is_empty() || optional.is_some() || with.is_some()
    {
        quote!(#[serde(#rename #(#aliases)* #optional #with)])
    } else {
        TokenStream::new()
    };
    let deprecated = f
        .deprecated
        .then(|| quote!(#[deprecated(note = "documented as deprecated")]));
    quote! {
        #doc
        #deprecated
        #serde
        pub #ident: #ty,
    }
}

/// A chaining setter for an optional field.
fn setter(f: &StructField, module: &ModPath) -> TokenStream {
    let ident = format_ident!("{}", f.name);
    let ty = param_type(&f.ty, module);
    let value = match f.ty {
        Ty::Text => quote!(value.into()),
        _ => quote!(value),
    };
    let doc = format!(" Sets `{}`.", f.wire_name);
    quote! {
        #[doc = #doc]
        pub fn #ident(mut self, value: #ty) -> Self {
            self.#ident = Some(#value);
            self
        }
    }
}

/// The parameter type of a constructor argument or setter: text takes `impl Into<String>`.
fn param_type(ty: &Ty, module: &ModPath) -> TokenStream {
    match ty {
        Ty::Text => quote!(impl ::std::convert::Into<::std::string::String>),
        other => other.tokens(module),
    }
}

/// An enum of allowed values that keeps unknown values; the runtime's `str_enum!` or
/// `int_enum!` writes its wire and serde impls.
pub fn enumeration(e: &Enum) -> TokenStream {
    let name = format_ident!("{}", e.name);
    let doc = doc_attrs(&e.doc);
    let cfg = cfg_gate(&e.cfg);
    let variants = e.variants.iter().map(|(v, wire)| {
        let ident = format_ident!("{}", v);
        let doc = format!(" `{wire}`");
        quote!(#[doc = #doc] #ident,)
    });
    let pairs = e.variants.iter().map(|(v, wire)| {
        let ident = format_ident!("{}", v);
        if e.integer {
            let n: i64 = wire.parse().expect("validated integer value");
            quote!(#ident = #n)
        } else {
            quote!(#ident = #wire)
        }
    });
    let (unknown_ty, impls) = if e.integer {
        (quote!(i64), quote!(::bitrix24_runtime::int_enum!))
    } else {
        (
            quote!(::std::string::String),
            quote!(::bitrix24_runtime::str_enum!),
        )
    };
    quote! {
        #doc
        #cfg
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum #name {
            #(#variants)*
            /// A value the spec does not list, kept as sent.
            Unknown(#unknown_ty),
        }

        #cfg
        #impls(#name { #(#pairs),* });
    }
}

/// A one-field wrapper around a non-object result; a unit struct, read from `null`, for a
/// result that is always `null`.
pub fn newtype(n: &Newtype, module: &ModPath) -> TokenStream {
    let name = format_ident!("{}", n.name);
    let doc = doc_attrs(&n.doc);
    let cfg = cfg_gate(&n.cfg);
    let (derives, registry_derives) = serde_derives(n.traffic, false);
    if n.ty == Ty::Unit {
        return quote! {
            #doc
            #cfg
            #[derive(Debug, Clone, Copy, PartialEq, Eq, Default, #derives)]
            #registry_derives
            pub struct #name;
        };
    }
    let ty = n.ty.tokens(module);
    let with = with_attr(&n.ty).map(|w| quote!(#[serde(with = #w)]));
    quote! {
        #doc
        #cfg
        #[derive(Debug, Clone, PartialEq, #derives)]
        #registry_derives
        #[serde(transparent)]
        pub struct #name(#with pub #ty);

        #cfg
        impl #name {
            /// The wrapped value.
            pub fn into_inner(self) -> #ty {
                self.0
            }
        }
    }
}
