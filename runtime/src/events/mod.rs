//! Inbound events: what Bitrix24 posts to a handler URL bound with `event.bind`.
//!
//! A delivery is a form-encoded POST with PHP-style keys
//! (`event=ONCRMLEADADD&data[FIELDS][ID]=7&ts=…&auth[application_token]=…`); a handler
//! that receives one should:
//!
//! 1. decode the body within hard [`DecodeLimits`], refusing malformed input with a
//!    [`DecodeError`] ([`decode_body`], [`decode_form`]);
//! 2. check its `auth[application_token]` against the token the application got with
//!    `ONAPPINSTALL`, in constant time ([`ApplicationToken`], [`TokenSource`],
//!    [`ApplicationTokens`]);
//! 3. read the event's `data` into its type: one [`Event`] through
//!    [`Delivery::into_event`], or a set of events (the generated enum of all events)
//!    through [`EventSet`].
//!
//! [`EventReceiver`] does all three; with the `axum` feature, the [`axum::Verified`]
//! extractor does them in an axum handler. Events that wait in the portal's offline
//! queue are read with [`OfflineGet`] and decoded into the same types.
//!
//! ```
//! use bitrix24_runtime::events::{ApplicationToken, Delivery, EventReceiver};
//!
//! let receiver = EventReceiver::new(ApplicationToken::new("51856fefc120afa4b628cc82d3935cce"));
//! let body = b"event=ONCRMLEADADD&data%5BFIELDS%5D%5BID%5D=7\
//!     &auth%5Bapplication_token%5D=51856fefc120afa4b628cc82d3935cce";
//! let delivery: Delivery<serde_json::Value> = receiver
//!     .receive_any(body, Some("application/x-www-form-urlencoded"))
//!     .unwrap();
//! assert_eq!(delivery.data["FIELDS"]["ID"], "7");
//!
//! let forged = b"event=ONCRMLEADADD&auth%5Bapplication_token%5D=guess";
//! assert!(receiver
//!     .receive_any::<Delivery<serde_json::Value>>(forged, Some("application/x-www-form-urlencoded"))
//!     .is_err());
//! ```

#[cfg(feature = "axum")]
pub mod axum;
mod body;
mod delivery;
mod error;
mod event;
mod form;
mod limits;
mod offline;
mod receive;
mod verify;

pub use body::{decode_body, decode_delivery};
pub use delivery::{Delivery, EventAuth};
pub use error::{DecodeError, EventError, ReceiveError, VerifyError};
pub use event::{Event, EventSet};
pub use form::decode_form;
pub use limits::{DecodeLimits, MAX_DEPTH_CAP};
pub use offline::{OfflineClear, OfflineEvent, OfflineEvents, OfflineGet};
pub use receive::EventReceiver;
pub use verify::{ApplicationToken, ApplicationTokens, TokenSource};
