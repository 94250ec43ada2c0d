//! The traits typed events implement: one event, and a set of events.

use serde::de::DeserializeOwned;
use serde_json::Value;

use super::{Delivery, EventError};

/// One Bitrix24 event (`ONCRMLEADADD`, `ONAPPINSTALL`, …) and the type of its `data`.
///
/// The code generator implements it on a unit type per event; the type never holds a
/// value, it names the event in [`Delivery::into_event`] and
/// [`EventReceiver::receive`](super::EventReceiver::receive).
pub trait Event {
    /// The event's wire name, in upper case as the `event` member carries it.
    const NAME: &'static str;
    /// The scopes (permissions) of which an application needs one to bind the event.
    const SCOPES: &'static [&'static str];
    /// The event's `data` member.
    type Data: DeserializeOwned;

    /// Whether an `event` member names this event. Names are compared ignoring ASCII
    /// case, since documentation, `event.bind` and deliveries spell them differently.
    fn matches(name: &str) -> bool {
        name.eq_ignore_ascii_case(Self::NAME)
    }
}

/// A set of events a handler accepts, such as the generated enum of every event: a
/// delivery becomes the variant for its event, and an event outside the set becomes the
/// set's fallback (the generated enum's `Unknown`) or an error.
pub trait EventSet: Sized {
    /// Sorts a delivery into the set by its `event` name, reading its `data` as that
    /// event's data.
    fn from_delivery(delivery: Delivery<Value>) -> Result<Self, EventError>;
}

/// Any event, with its `data` left as JSON.
impl EventSet for Delivery<Value> {
    fn from_delivery(delivery: Delivery<Value>) -> Result<Self, EventError> {
        Ok(delivery)
    }
}
