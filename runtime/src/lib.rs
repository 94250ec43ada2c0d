//! Runtime for the generated `bitrix24` crate.
//!
//! The code generator emits one request type per Bitrix24 REST method; each implements
//! [`Method`]. This crate holds everything those types share: the trait itself, [`Paged`]
//! and [`FastListed`] for list methods (with the [`FastListing`] description of how to
//! read one in full), the reply [`Envelope`], the [`ApiError`] every failed call carries,
//! and the [`wire`] adapters that turn Bitrix24's loosely typed JSON into Rust values. With the `client`
//! feature (on by default), [`client`] calls the methods over HTTP. [`events`] decodes
//! and verifies the events Bitrix24 posts to an application's handlers (with an axum
//! extractor under the `axum` feature).

#![forbid(unsafe_code)]
#![warn(missing_docs)]

// `derive(wire::Object)` names the runtime by its crate name, here too.
extern crate self as bitrix24_runtime;

#[cfg(feature = "client")]
pub mod client;
mod envelope;
mod error;
pub mod events;
mod field_description;
mod listing;
mod method;
mod secret;
pub mod wire;

pub use envelope::{Envelope, Time};
pub use error::{ApiError, InvalidField, MethodError, Unhandled};
pub use field_description::FieldDescription;
pub use listing::{FastListed, FastListing};
pub use method::{ApiVersion, BATCH_LIMIT, Method, Paged};
pub use secret::Secret;

/// The error of a call, under a name that does not clash with `std::error::Error`.
#[cfg(feature = "client")]
pub use client::Error as CallError;
#[cfg(feature = "client")]
pub use client::{Client, Error};

/// Re-exports used by generated code; not part of the public API.
#[doc(hidden)]
pub mod __private {
    pub use serde;
    pub use serde_json;
    pub use serde_with;
}
