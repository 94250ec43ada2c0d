//! `SystemError`: the errors any method can return, from `specs/system-errors.yaml`.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::doc_attrs;
use super::method::variant_doc;
use crate::ir::Crate;

/// The `system_error` module.
pub fn system_error(krate: &Crate) -> TokenStream {
    let doc = format!(
        " An error any method can return ([list]({})).",
        krate.system_errors_url
    );
    let variants = krate.system_errors.iter().map(|v| {
        let ident = format_ident!("{}", v.name);
        let doc = doc_attrs(&variant_doc(v));
        quote!(#doc #ident(::bitrix24_runtime::ApiError),)
    });
    let idents: Vec<_> = krate
        .system_errors
        .iter()
        .map(|v| format_ident!("{}", v.name))
        .collect();
    let codes = krate.system_errors.iter().map(|v| &v.code);
    let statuses = krate.system_errors.iter().map(|v| match v.status() {
        Some(s) => quote!(Some(#s)),
        None => quote!(None),
    });
    quote! {
        //! Errors any Bitrix24 REST method can return.

        #[doc = #doc]
        #[derive(Debug, Clone, PartialEq, Eq)]
        #[non_exhaustive]
        pub enum SystemError {
            #(#variants)*
        }

        impl SystemError {
            /// The variant for a system error code, or the error back when its code is not
            /// a system error.
            pub fn classify(
                error: ::bitrix24_runtime::ApiError,
            ) -> ::std::result::Result<Self, ::bitrix24_runtime::ApiError> {
                Ok(match error.code.as_str() {
                    #(#codes => Self::#idents(error),)*
                    _ => return Err(error),
                })
            }

            /// The error reply.
            pub fn api_error(&self) -> &::bitrix24_runtime::ApiError {
                match self {
                    #(Self::#idents(error))|* => error,
                }
            }

            /// The HTTP status the docs give for this error.
            pub fn documented_status(&self) -> ::std::option::Option<u16> {
                match self {
                    #(Self::#idents(_) => #statuses,)*
                }
            }
        }

        impl ::std::fmt::Display for SystemError {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                ::std::fmt::Display::fmt(self.api_error(), f)
            }
        }

        impl ::std::error::Error for SystemError {}
    }
}
