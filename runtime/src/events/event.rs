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
///
/// What the code generator emits for an event and for the set of every event:
///
/// ```
/// use bitrix24_runtime::events::{Delivery, Event, EventError, EventSet};
/// use bitrix24_runtime::wire::{As, Int, Object};
///
/// /// `ONCRMLEADADD`: a lead was added.
/// pub struct OnCrmLeadAdd;
///
/// impl Event for OnCrmLeadAdd {
///     const NAME: &'static str = "ONCRMLEADADD";
///     const SCOPES: &'static [&'static str] = &["crm"];
///     type Data = OnCrmLeadAddData;
/// }
///
/// /// The `data` of [`OnCrmLeadAdd`].
/// #[derive(Debug, Clone, Default, PartialEq, Object)]
/// #[non_exhaustive]
/// pub struct OnCrmLeadAddData {
///     /// `FIELDS`.
///     #[serde(rename = "FIELDS", default)]
///     pub fields: OnCrmLeadAddFields,
/// }
///
/// /// The `FIELDS` of [`OnCrmLeadAddData`].
/// #[derive(Debug, Clone, Default, PartialEq, Object)]
/// #[non_exhaustive]
/// pub struct OnCrmLeadAddFields {
///     /// `ID`: the lead's identifier.
///     #[serde(rename = "ID", default, with = "As::<Int>")]
///     pub id: Option<i64>,
/// }
///
/// /// Every event.
/// #[derive(Debug)]
/// #[non_exhaustive]
/// pub enum AnyEvent {
///     /// `ONCRMLEADADD`.
///     OnCrmLeadAdd(Delivery<OnCrmLeadAddData>),
///     /// An event the specs do not know, with its data as JSON.
///     Unknown(Delivery<serde_json::Value>),
/// }
///
/// impl EventSet for AnyEvent {
///     fn from_delivery(delivery: Delivery<serde_json::Value>) -> Result<Self, EventError> {
///         if OnCrmLeadAdd::matches(&delivery.event) {
///             return delivery.into_event::<OnCrmLeadAdd>().map(Self::OnCrmLeadAdd);
///         }
///         Ok(Self::Unknown(delivery))
///     }
/// }
///
/// let delivery: Delivery<serde_json::Value> = serde_json::from_value(serde_json::json!({
///     "event": "OnCrmLeadAdd",
///     "data": {"FIELDS": {"ID": "7"}},
/// }))?;
/// let AnyEvent::OnCrmLeadAdd(lead) = AnyEvent::from_delivery(delivery)? else {
///     panic!("not a lead")
/// };
/// assert_eq!(lead.data.fields.id, Some(7));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
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
