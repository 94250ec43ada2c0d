//! A method: its request, response and nested types, error enum and trait impls.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::items::{structure, type_def};
use super::{cfg_gate, doc_attrs};
use crate::ir::{ErrorEnum, ErrorVariant, Method, ModPath, Paging, Start};
use crate::spec::ApiVersion;

/// Everything generated for one method.
pub fn method(m: &Method, module: &ModPath) -> TokenStream {
    let request = structure(&m.request, module);
    let deprecated = m
        .deprecated
        .then(|| quote!(#[deprecated(note = "documented as deprecated")]));
    // Attach `#[deprecated]` to the request type: splice it after the doc attributes.
    let request = match deprecated {
        Some(attr) => quote!(#attr #request),
        None => request,
    };
    let response = type_def(&m.response, module);
    let nested = m.nested.iter().map(|t| type_def(t, module));
    let error = error_enum(m, &m.error);
    let method_impl = method_impl(m, module);
    quote! {
        #request
        #method_impl
        #response
        #error
        #(#nested)*
    }
}

fn method_impl(m: &Method, module: &ModPath) -> TokenStream {
    let name = format_ident!("{}", m.request.name);
    let cfg = cfg_gate(&m.cfg);
    let wire = &m.wire_name;
    let api = match m.api {
        ApiVersion::V2 => quote!(V2),
        ApiVersion::V3 => quote!(V3),
    };
    let scopes = &m.scopes;
    let batch = m.batch;
    let safe = m.safe_to_repeat;
    let response = format_ident!("{}", m.response.name());
    let error = format_ident!("{}", m.error.name);
    let paged = m.paging.as_ref().map(|p| paged_impl(m, p, module));
    quote! {
        #cfg
        impl ::bitrix24_runtime::Method for #name {
            const NAME: &'static str = #wire;
            const API_VERSION: ::bitrix24_runtime::ApiVersion = ::bitrix24_runtime::ApiVersion::#api;
            const SCOPES: &'static [&'static str] = &[#(#scopes),*];
            const BATCH: bool = #batch;
            const SAFE_TO_REPEAT: bool = #safe;
            type Response = #response;
            type Error = #error;
        }

        #paged
    }
}

/// `Paged` for a paged list, and `FastListed` when it reads by identifier.
fn paged_impl(m: &Method, paging: &Paging, module: &ModPath) -> TokenStream {
    let name = format_ident!("{}", m.request.name);
    let cfg = cfg_gate(&m.cfg);
    let response = format_ident!("{}", m.response.name());
    let item = paging.item.tokens(module);
    let set_start = match &paging.start {
        Start::Field(field) => {
            let field = format_ident!("{}", field);
            quote!(self.#field = Some(start);)
        }
        Start::Pagination(field) => {
            let field = format_ident!("{}", field);
            quote! {
                let pagination = self.#field.get_or_insert_with(Default::default);
                pagination.remove("page");
                pagination.insert("offset".to_owned(), start);
            }
        }
    };
    let into_items = match &paging.items_field {
        Some(field) => {
            let field = format_ident!("{}", field);
            quote!(response.#field.unwrap_or_default())
        }
        None => quote!(response.0),
    };
    let fast = paging.fast.as_ref().map(|f| {
        let id = &f.id;
        let mut chain = quote!(::bitrix24_runtime::FastListing::new().id_field(#id));
        if let Some(filter) = &f.filter {
            chain = quote!(#chain.filter_param(#filter));
        }
        if let Some(conditions) = &f.conditions {
            chain = quote!(#chain.conditions_filter(#conditions));
        }
        let order = &f.order;
        chain = match &f.sort {
            Some(sort) => quote!(#chain.sort_params(#sort, #order)),
            None => quote!(#chain.order_param(#order)),
        };
        if let Some(items) = &f.items_at {
            chain = quote!(#chain.items_at(#items));
        }
        quote! {
            #cfg
            impl ::bitrix24_runtime::FastListed for #name {
                fn fast_listing() -> ::bitrix24_runtime::FastListing {
                    #chain
                }
            }
        }
    });
    quote! {
        #cfg
        impl ::bitrix24_runtime::Paged for #name {
            type Item = #item;

            fn set_start(&mut self, start: i64) {
                #set_start
            }

            fn into_items(response: #response) -> ::std::vec::Vec<#item> {
                #into_items
            }
        }

        #fast
    }
}

/// Doc line of an error variant: the code, each documented message and its status.
pub fn variant_doc(v: &ErrorVariant) -> Vec<String> {
    let mut doc = vec![format!("`{}`", v.code)];
    for (message, status) in &v.cases {
        let mut line = String::from("- ");
        if let Some(status) = status {
            line.push_str(&format!("HTTP {status}"));
        }
        if let Some(message) = message {
            if status.is_some() {
                line.push_str(": ");
            }
            line.push_str(&format!("\"{}\"", super::doc_text(message)));
        }
        if line.len() > 2 {
            doc.push(line);
        }
    }
    if doc.len() > 1 {
        doc.insert(1, String::new());
    }
    doc
}

fn error_enum(m: &Method, e: &ErrorEnum) -> TokenStream {
    let name = format_ident!("{}", e.name);
    let cfg = cfg_gate(&m.cfg);
    let doc = format!(" Errors of [`{}`]({}).", m.wire_name, m.docs_url);
    let variants = e.variants.iter().map(|v| {
        let ident = format_ident!("{}", v.name);
        let doc = doc_attrs(&variant_doc(v));
        quote!(#doc #ident(::bitrix24_runtime::ApiError),)
    });
    let codes = e.variants.iter().map(|v| {
        let ident = format_ident!("{}", v.name);
        let code = &v.code;
        quote!(#ident = #code)
    });
    quote! {
        #[doc = #doc]
        #cfg
        #[derive(Debug, Clone, PartialEq, Eq)]
        #[non_exhaustive]
        pub enum #name {
            #(#variants)*
            /// An error any method can return.
            System(crate::SystemError),
            /// A code neither this method's spec nor the system errors list.
            #[deprecated(note = "a code read from `Unhandled` may get a variant of its own in a later release; match with a wildcard and read `code()`")]
            Unhandled(::bitrix24_runtime::Unhandled),
        }

        #cfg
        method_error!(#name { #(#codes),* });
    }
}
