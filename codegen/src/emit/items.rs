//! Structs, enums and newtypes.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::{cfg_attrs, cfg_only, doc_attrs};
use crate::ir::{Alias, Enum, ModPath, Newtype, Struct, StructField, Ty, TypeDef};

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
    let cfg = cfg_attrs(&a.cfg);
    let target = Ty::Named(a.target.clone()).tokens(module);
    quote! {
        #doc
        #cfg
        pub type #name = #target;
    }
}

/// `#[serde(with = "As::<…>")]` contents for a type, if it needs an adapter.
fn with_attr(ty: &Ty) -> Option<String> {
    ty.adapter()
        .map(|a| format!("::bitrix24_runtime::wire::As::<{a}>"))
}

/// A struct, its constructor and its setters.
///
/// Structs without required fields read PHP's empty values (`[]`) as empty, through
/// `#[serde(remote = "Self")]` and the runtime's `wire_object!`; structs with required
/// fields are read strictly.
pub fn structure(s: &Struct, module: &ModPath) -> TokenStream {
    let name = format_ident!("{}", s.name);
    let doc = doc_attrs(&s.doc);
    let cfg = cfg_attrs(&s.cfg);
    let lenient = !s.fields.iter().any(|f| f.required);

    let fields = s.fields.iter().map(|f| field(f, module));
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

    let (derive_default, remote, wire_object) = if lenient {
        (quote!(Default,), quote!(#[serde(remote = "Self")]), {
            let cfg = cfg_only(&s.cfg);
            quote!(#cfg ::bitrix24_runtime::wire_object!(#name);)
        })
    } else {
        (TokenStream::new(), TokenStream::new(), TokenStream::new())
    };

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
        #doc
        #cfg
        #[derive(Debug, Clone, PartialEq, #derive_default ::serde::Serialize, ::serde::Deserialize)]
        #remote
        #[non_exhaustive]
        pub struct #name {
            #(#fields)*
            #wildcards
        }

        #wire_object

        #cfg
        impl #name {
            #[doc = #new_doc]
            #[allow(clippy::new_without_default, clippy::too_many_arguments)]
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

fn field(f: &StructField, module: &ModPath) -> TokenStream {
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
    let optional = (!f.required).then(|| quote!(default, skip_serializing_if = "Option::is_none",));
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

/// An enum of allowed values that keeps unknown values.
pub fn enumeration(e: &Enum) -> TokenStream {
    let name = format_ident!("{}", e.name);
    let doc = doc_attrs(&e.doc);
    let cfg = cfg_attrs(&e.cfg);
    let variants = e.variants.iter().map(|(v, wire)| {
        let ident = format_ident!("{}", v);
        let doc = format!(" `{wire}`");
        quote!(#[doc = #doc] #ident,)
    });
    let idents: Vec<_> = e
        .variants
        .iter()
        .map(|(v, _)| format_ident!("{}", v))
        .collect();

    let (unknown_ty, trait_impl, serialize) = if e.integer {
        let values = e.variants.iter().map(|(_, w)| {
            let n: i64 = w.parse().expect("validated integer value");
            quote!(#n)
        });
        let values2 = values.clone();
        (
            quote!(i64),
            quote! {
                impl ::bitrix24_runtime::wire::IntEnum for #name {
                    fn from_wire(value: i64) -> Self {
                        match value {
                            #(#values => Self::#idents,)*
                            other => Self::Unknown(other),
                        }
                    }
                    fn to_wire(&self) -> i64 {
                        match self {
                            #(Self::#idents => #values2,)*
                            Self::Unknown(other) => *other,
                        }
                    }
                }
            },
            quote! {
                fn serialize<S: ::serde::Serializer>(&self, s: S) -> ::std::result::Result<S::Ok, S::Error> {
                    s.serialize_i64(::bitrix24_runtime::wire::IntEnum::to_wire(self))
                }
            },
        )
    } else {
        let values: Vec<&String> = e.variants.iter().map(|(_, w)| w).collect();
        (
            quote!(::std::string::String),
            quote! {
                impl ::bitrix24_runtime::wire::StrEnum for #name {
                    fn from_wire(value: ::std::string::String) -> Self {
                        match value.as_str() {
                            #(#values => Self::#idents,)*
                            _ => Self::Unknown(value),
                        }
                    }
                    fn as_wire(&self) -> &str {
                        match self {
                            #(Self::#idents => #values,)*
                            Self::Unknown(other) => other,
                        }
                    }
                }
            },
            quote! {
                fn serialize<S: ::serde::Serializer>(&self, s: S) -> ::std::result::Result<S::Ok, S::Error> {
                    s.serialize_str(::bitrix24_runtime::wire::StrEnum::as_wire(self))
                }
            },
        )
    };
    let deserialize = if e.integer {
        quote!(::bitrix24_runtime::wire::deserialize_int_enum(d))
    } else {
        quote!(::bitrix24_runtime::wire::deserialize_str_enum(d))
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
        #trait_impl

        #cfg
        impl ::serde::Serialize for #name {
            #serialize
        }

        #cfg
        impl<'de> ::serde::Deserialize<'de> for #name {
            fn deserialize<D: ::serde::Deserializer<'de>>(d: D) -> ::std::result::Result<Self, D::Error> {
                #deserialize
            }
        }
    }
}

/// A one-field wrapper around a non-object result.
pub fn newtype(n: &Newtype, module: &ModPath) -> TokenStream {
    let name = format_ident!("{}", n.name);
    let doc = doc_attrs(&n.doc);
    let cfg = cfg_attrs(&n.cfg);
    let ty = n.ty.tokens(module);
    let with = with_attr(&n.ty).map(|w| quote!(#[serde(with = #w)]));
    quote! {
        #doc
        #cfg
        #[derive(Debug, Clone, PartialEq, ::serde::Serialize, ::serde::Deserialize)]
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
