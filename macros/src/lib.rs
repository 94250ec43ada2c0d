//! Derive macros of `bitrix24-runtime`, re-exported as `bitrix24_runtime::wire::Object`.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use syn::punctuated::Punctuated;
use syn::{
    Attribute, Data, DeriveInput, Error, Fields, Meta, Token, parse_macro_input, parse_quote,
};

/// Derives `Deserialize` for a struct that reads PHP's empty values (`[]`, `null`,
/// `false`) as `Default::default()`, and `bitrix24_runtime::wire::ObjectFields`.
///
/// The struct's `#[serde(...)]` attributes are those of `#[derive(Deserialize)]`. The
/// field reader is serde's, derived on a private copy of the struct that names it as its
/// `remote` type, so no inherent `deserialize` function appears on the struct. The crate
/// that uses the derive depends on `bitrix24-runtime`.
#[proc_macro_derive(Object, attributes(serde))]
pub fn derive_object(input: proc_macro::TokenStream) -> proc_macro::TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    object(&input)
        .unwrap_or_else(Error::into_compile_error)
        .into()
}

fn object(input: &DeriveInput) -> syn::Result<TokenStream> {
    let name = &input.ident;
    if !input.generics.params.is_empty() {
        return Err(Error::new_spanned(
            &input.generics,
            "derive(Object) takes a struct without generic parameters",
        ));
    }
    let Data::Struct(data) = &input.data else {
        return Err(Error::new_spanned(name, "derive(Object) takes a struct"));
    };
    let Fields::Named(fields) = &data.fields else {
        return Err(Error::new_spanned(
            name,
            "derive(Object) takes a struct with named fields",
        ));
    };
    let container = wire_attrs(&input.attrs)
        .into_iter()
        .map(|a| default_by_path(a, name))
        .collect::<syn::Result<Vec<_>>>()?;
    let fields = fields.named.iter().map(|f| {
        let attrs = wire_attrs(&f.attrs);
        let (ident, ty) = (&f.ident, &f.ty);
        quote!(#(#attrs)* #ident: #ty)
    });
    let remote = name.to_string();
    let reader = format_ident!("__{}Fields", name);
    Ok(quote! {
        const _: () = {
            use ::bitrix24_runtime::__private::serde;

            #[derive(serde::Deserialize)]
            #[serde(crate = "::bitrix24_runtime::__private::serde", remote = #remote)]
            #(#container)*
            #[allow(dead_code, non_camel_case_types)]
            struct #reader {
                #(#fields,)*
            }

            #[automatically_derived]
            impl ::bitrix24_runtime::wire::ObjectFields for #name {
                fn deserialize_fields<'de, D: serde::Deserializer<'de>>(
                    d: D,
                ) -> ::core::result::Result<Self, D::Error> {
                    #reader::deserialize(d)
                }
            }

            #[automatically_derived]
            impl<'de> serde::Deserialize<'de> for #name {
                fn deserialize<D: serde::Deserializer<'de>>(
                    d: D,
                ) -> ::core::result::Result<Self, D::Error> {
                    ::bitrix24_runtime::wire::deserialize_object(d)
                }
            }
        };
    })
}

/// A container attribute with a bare `default` written as a path to `Name`'s `Default`:
/// serde would otherwise ask the field reader, not the struct, to implement `Default`.
fn default_by_path(attr: &Attribute, name: &syn::Ident) -> syn::Result<Attribute> {
    if !attr.path().is_ident("serde") {
        return Ok(attr.clone());
    }
    let metas = attr.parse_args_with(Punctuated::<Meta, Token![,]>::parse_terminated)?;
    let path = format!("<{name} as ::core::default::Default>::default");
    let metas = metas.into_iter().map(|meta| match meta {
        Meta::Path(p) if p.is_ident("default") => parse_quote!(default = #path),
        other => other,
    });
    Ok(parse_quote!(#[serde(#(#metas),*)]))
}

/// The attributes the field reader keeps: serde's, and `cfg`s.
fn wire_attrs(attrs: &[Attribute]) -> Vec<&Attribute> {
    attrs
        .iter()
        .filter(|a| a.path().is_ident("serde") || a.path().is_ident("cfg"))
        .collect()
}
