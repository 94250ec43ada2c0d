//! `src/registry.rs` of the generated crate (feature `registry`): every method compiled
//! in, by wire name and API version, with its types behind plain functions over JSON.
//!
//! Tests use it to check the generated types against JSON that did not come from them,
//! such as the documentation's example requests and replies.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::cfg_gate;
use crate::ir::Crate;

/// The registry module: an `Entry` per method, in module order.
pub fn registry(krate: &Crate) -> TokenStream {
    let pushes = krate.modules.iter().flat_map(|(path, module)| {
        module.methods.iter().map(move |m| {
            let cfg = cfg_gate(&m.cfg);
            let modules = path.iter().map(|p| format_ident!("{}", p));
            let name = format_ident!("{}", m.request.name);
            quote! {
                #cfg
                entries.push(Entry::of::<crate #(:: #modules)* :: #name>());
            }
        })
    });
    quote! {
        //! Every method compiled in, by wire name and API version, with its request and
        //! reply types behind plain functions over JSON: for checking the types against
        //! JSON from elsewhere, such as the documentation's examples.

        use ::bitrix24_runtime::{ApiVersion, Method};
        use ::serde::de::DeserializeOwned;
        use ::serde_json::Value;

        /// One method's types, as functions over JSON.
        #[derive(Debug, Clone, Copy)]
        #[non_exhaustive]
        pub struct Entry {
            /// Wire name (`crm.item.add`).
            pub name: &'static str,
            /// REST API version.
            pub api: ApiVersion,
            /// Reads a reply's `result` as the method's response type.
            pub decode_result: fn(Value) -> ::std::result::Result<(), ::serde_json::Error>,
            /// Reads parameters as the method's request type and writes them back.
            pub round_trip_params: fn(Value) -> ::std::result::Result<Value, ::serde_json::Error>,
        }

        impl Entry {
            /// The entry of method `M`.
            pub fn of<M: Method + DeserializeOwned>() -> Self {
                Self {
                    name: M::NAME,
                    api: M::API_VERSION,
                    decode_result: |result| ::serde_json::from_value::<M::Response>(result).map(drop),
                    round_trip_params: |params| ::serde_json::to_value(::serde_json::from_value::<M>(params)?),
                }
            }
        }

        /// Every method compiled in (by the enabled scope features), in module order.
        // One `push` per method, each under its method's features (none without them).
        #[allow(unused_mut, clippy::vec_init_then_push)]
        pub fn methods() -> ::std::vec::Vec<Entry> {
            let mut entries = ::std::vec::Vec::new();
            #(#pushes)*
            entries
        }
    }
}
