//! Inbound events: per scope, a unit type implementing the runtime's `Event` with the type
//! of its `data`; and `AnyEvent`, the set of every event, implementing `EventSet`.

use std::collections::BTreeMap;

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::items::type_def;
use super::{cfg_gate, doc_attrs};
use crate::ir::{Crate, Event, ModPath, TypeDef, event_gate, ungated_event};

/// The events grouped by the module they are generated in.
pub fn by_module(krate: &Crate) -> BTreeMap<&ModPath, Vec<&Event>> {
    let mut modules: BTreeMap<&ModPath, Vec<&Event>> = BTreeMap::new();
    for event in &krate.events {
        modules.entry(&event.module).or_default().push(event);
    }
    modules
}

/// `pub mod events;` in the crate root, when there are events.
pub fn declaration(krate: &Crate) -> TokenStream {
    let Some(first) = krate.events.first() else {
        return TokenStream::new();
    };
    let ident = format_ident!("{}", first.module[0]);
    quote! {
        /// Inbound events: typed `data` per event, and [`events::AnyEvent`].
        #[rustfmt::skip]
        pub mod #ident;
    }
}

/// `events/mod.rs`: the scope modules and `AnyEvent`.
pub fn events_module(krate: &Crate) -> TokenStream {
    let modules = by_module(krate);
    let decls = modules.iter().map(|(path, events)| {
        let ident = format_ident!("{}", path[1]);
        let doc = format!(" Events of the `{}` scope.", events[0].scopes[0]);
        let gate = event_gate(events).map(|cfg| cfg_gate(&cfg));
        quote! {
            #[doc = #doc]
            #gate
            #[rustfmt::skip]
            pub mod #ident;
        }
    });
    let events: Vec<&Event> = krate.events.iter().collect();
    let variants = events.iter().map(|e| {
        let ident = format_ident!("{}", e.name);
        let data = data_path(e);
        let doc = format!(" `{}`: [`{}`].", e.wire_name, type_path(e, &e.name));
        let cfg = cfg_gate(&e.cfg);
        let deprecated = deprecated(e.deprecated);
        quote! {
            #[doc = #doc]
            #cfg
            #deprecated
            #ident(::bitrix24_runtime::events::Delivery<#data>),
        }
    });
    let arms = events.iter().map(|e| {
        let ident = format_ident!("{}", e.name);
        let cfg = cfg_gate(&e.cfg);
        let path: TokenStream = type_path(e, &e.name).parse().expect("a path");
        quote! {
            #cfg
            if <#path as ::bitrix24_runtime::events::Event>::matches(&delivery.event) {
                return delivery.into_event::<#path>().map(Self::#ident);
            }
        }
    });
    quote! {
        //! Inbound events, one module per scope, and
        //! [`AnyEvent`](crate::events::AnyEvent), which sorts a delivery into its event.
        //!
        //! Each event is a unit type implementing [`Event`](::bitrix24_runtime::events::Event)
        //! with the type of its `data`; a scope's events compile with its cargo feature.
        //! Read a delivery with [`EventReceiver`](::bitrix24_runtime::events::EventReceiver)
        //! (which checks the application token) into one event or into `AnyEvent`.

        #(#decls)*

        /// Every event of the enabled scopes, with its typed `data`; any other event is
        /// [`AnyEvent::Unknown`].
        #[derive(Debug)]
        #[non_exhaustive]
        pub enum AnyEvent {
            #(#variants)*
            /// An event the specs do not know (or whose scope is not enabled), with its data
            /// as JSON.
            Unknown(::bitrix24_runtime::events::Delivery<::serde_json::Value>),
        }

        impl ::bitrix24_runtime::events::EventSet for AnyEvent {
            fn from_delivery(
                delivery: ::bitrix24_runtime::events::Delivery<::serde_json::Value>,
            ) -> ::std::result::Result<Self, ::bitrix24_runtime::events::EventError> {
                #(#arms)*
                Ok(Self::Unknown(delivery))
            }
        }
    }
}

/// A scope module: its events in wire-name order, without `cfg`s of their own when the
/// module's declaration carries the one they share.
pub fn scope_module(path: &ModPath, events: &[&Event]) -> TokenStream {
    let doc = format!(" Events of the `{}` scope.", events[0].scopes[0]);
    let mut tokens = quote!(#![doc = #doc]);
    let gated = event_gate(events).is_some();
    for e in events {
        tokens.extend(if gated {
            event(&ungated_event(e), path)
        } else {
            event(e, path)
        });
    }
    tokens
}

/// The unit type, its `Event` impl, and its data types.
fn event(e: &Event, module: &ModPath) -> TokenStream {
    let name = format_ident!("{}", e.name);
    let wire = &e.wire_name;
    let scopes = &e.scopes;
    let cfg = cfg_gate(&e.cfg);
    let quoted: Vec<String> = e.scopes.iter().map(|s| format!("`{s}`")).collect();
    let mut doc = vec![
        format!("`{wire}`: an event Bitrix24 posts to a bound handler."),
        String::new(),
        format!("- Scopes: {}", quoted.join(", ")),
    ];
    doc.push(match &e.data {
        Some(def) => format!("- Data: [`{}`]", def.name()),
        None => "- Data: any JSON (the docs do not describe it)".to_owned(),
    });
    doc.push(String::new());
    doc.push(format!("[Documentation]({})", e.docs_url));
    let doc = doc_attrs(&doc);
    let deprecated = deprecated(e.deprecated);
    let data_ty = match &e.data {
        Some(def) => {
            let ident = format_ident!("{}", def.name());
            quote!(#ident)
        }
        None => quote!(::serde_json::Value),
    };
    let data = e.data.iter().map(|def| type_def(def, module));
    let nested = e.nested.iter().map(|def| type_def(def, module));
    quote! {
        #doc
        #cfg
        #deprecated
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub struct #name;

        #cfg
        impl ::bitrix24_runtime::events::Event for #name {
            const NAME: &'static str = #wire;
            const SCOPES: &'static [&'static str] = &[#(#scopes),*];
            type Data = #data_ty;
        }

        #(#data)*
        #(#nested)*
    }
}

fn deprecated(deprecated: bool) -> Option<TokenStream> {
    deprecated.then(|| quote!(#[deprecated(note = "documented as deprecated")]))
}

/// The path of an item of an event's module, from `events/mod.rs` (`crm::OnCrmLeadAdd`).
fn type_path(e: &Event, item: &str) -> String {
    format!("{}::{item}", e.module[1])
}

/// The type of an event's data, from `events/mod.rs`.
fn data_path(e: &Event) -> TokenStream {
    match &e.data {
        Some(TypeDef::Struct(s)) => type_path(e, &s.name),
        Some(TypeDef::Newtype(n)) => type_path(e, &n.name),
        Some(TypeDef::Enum(en)) => type_path(e, &en.name),
        Some(TypeDef::Alias(a)) => type_path(e, &a.name),
        None => "::serde_json::Value".to_owned(),
    }
    .parse()
    .expect("a path")
}
