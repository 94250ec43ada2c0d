//! Offline events: the queue an application reads with `event.offline.get` and
//! confirms with `event.offline.clear` (see `api-reference/events/offline-events.md`).
//!
//! [`OfflineGet`] and [`OfflineClear`] are [`Method`]s, so they go through
//! [`Client::call`](crate::Client::call) and `batch` like any generated request type:
//!
//! ```no_run
//! # async fn run(client: bitrix24_runtime::Client) -> Result<(), Box<dyn std::error::Error>> {
//! use bitrix24_runtime::events::{Delivery, OfflineClear, OfflineGet};
//!
//! let batch = client.call(&OfflineGet::new().limit(50).reserve()).await?;
//! for record in &batch.events {
//!     let delivery: Delivery<serde_json::Value> = record.decode()?;
//!     println!("{} {}", delivery.event, delivery.data);
//! }
//! if let Some(process_id) = batch.process_id {
//!     client.call(&OfflineClear::new(process_id)).await?;
//! }
//! # Ok(())
//! # }
//! ```

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::{Delivery, EventError, EventSet};
use crate::wire::{As, Int, List, Same, Text};
use crate::{ApiError, ApiVersion, Method};

/// `event.offline.get`: the first events of the queue, removed from it, or reserved
/// under a `process_id` until [`OfflineClear`] confirms them.
///
/// Not safe to repeat: by default the call removes what it returns.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct OfflineGet {
    #[serde(skip_serializing_if = "Map::is_empty")]
    filter: Map<String, Value>,
    #[serde(skip_serializing_if = "Map::is_empty")]
    order: Map<String, Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    limit: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    clear: Option<u8>,
    #[serde(skip_serializing_if = "Option::is_none")]
    process_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    auth_connector: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<u8>,
}

impl OfflineGet {
    /// The first 50 events of the queue, removed from it.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets how many events to return (`limit`, 50 by default).
    #[must_use]
    pub fn limit(mut self, limit: u32) -> Self {
        self.limit = Some(limit);
        self
    }

    /// Keeps the events in the queue, reserved under the `process_id` of the reply,
    /// until [`OfflineClear`] removes them (`clear=0`).
    #[must_use]
    pub fn reserve(mut self) -> Self {
        self.clear = Some(0);
        self
    }

    /// Returns again the events still reserved under `process_id`.
    #[must_use]
    pub fn process_id(mut self, process_id: impl Into<String>) -> Self {
        self.process_id = Some(process_id.into());
        self
    }

    /// Reads the queue of the source key `auth_connector` given to `event.bind`.
    #[must_use]
    pub fn auth_connector(mut self, key: impl Into<String>) -> Self {
        self.auth_connector = Some(key.into());
        self
    }

    /// Also returns events marked failed with `event.offline.error` (`error=1`).
    #[must_use]
    pub fn with_errors(mut self) -> Self {
        self.error = Some(1);
        self
    }

    /// Adds a filter condition: `condition` is a field (`ID`, `TIMESTAMP_X`,
    /// `EVENT_NAME`, `MESSAGE_ID`) with its operation in front, such as `=EVENT_NAME`
    /// or `>=ID`.
    #[must_use]
    pub fn filter(mut self, condition: impl Into<String>, value: impl Into<Value>) -> Self {
        self.filter.insert(condition.into(), value.into());
        self
    }

    /// Adds a sort field with `ASC` or `DESC` (`TIMESTAMP_X` ascending by default).
    #[must_use]
    pub fn order(mut self, field: impl Into<String>, direction: impl Into<String>) -> Self {
        self.order
            .insert(field.into(), Value::String(direction.into()));
        self
    }
}

impl Method for OfflineGet {
    const NAME: &'static str = "event.offline.get";
    const API_VERSION: ApiVersion = ApiVersion::V2;
    const SCOPES: &'static [&'static str] = &["basic"];
    const BATCH: bool = true;
    const SAFE_TO_REPEAT: bool = false;

    type Response = OfflineEvents;
    type Error = ApiError;
}

/// The `result` of `event.offline.get`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[non_exhaustive]
pub struct OfflineEvents {
    /// The identifier the events are reserved under, when they were reserved
    /// ([`OfflineGet::reserve`]); pass it to [`OfflineClear`].
    #[serde(default, with = "As::<Text>")]
    pub process_id: Option<String>,
    /// The events, oldest first unless ordered otherwise.
    #[serde(default, with = "As::<List<Same>>")]
    pub events: Vec<OfflineEvent>,
}

/// One record of the offline queue: the latest change of one object. It carries the
/// event's name and data but no `auth`: it was read with the application's own
/// credentials, so there is nothing to verify.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[non_exhaustive]
pub struct OfflineEvent {
    /// The record's identifier (`ID`).
    #[serde(rename = "ID", with = "As::<Int>")]
    pub id: i64,
    /// When the object last changed (`TIMESTAMP_X`), as the portal writes dates.
    #[serde(rename = "TIMESTAMP_X", default, with = "As::<Text>")]
    pub timestamp: Option<String>,
    /// The event's wire name (`EVENT_NAME`).
    #[serde(rename = "EVENT_NAME", with = "As::<Text>")]
    pub event: String,
    /// The event's data (`EVENT_DATA`), as a delivery's `data` would be.
    #[serde(rename = "EVENT_DATA", default)]
    pub data: Value,
    /// What else the portal recorded with the event (`EVENT_ADDITIONAL`).
    #[serde(rename = "EVENT_ADDITIONAL", default)]
    pub additional: Value,
    /// The identifier of the change (`MESSAGE_ID`), for [`OfflineClear::message_ids`].
    #[serde(rename = "MESSAGE_ID", with = "As::<Text>")]
    pub message_id: String,
}

impl OfflineEvent {
    /// The record as a delivery (with no `auth`, `ts` or handler), sorted into the event
    /// set `S` as an online delivery of the same event would be.
    pub fn decode<S: EventSet>(&self) -> Result<S, EventError> {
        S::from_delivery(Delivery::unaddressed(self.event.clone(), self.data.clone()))
    }
}

/// `event.offline.clear`: removes events reserved under a `process_id` from the queue,
/// all of them or those named by record or message identifier. Its result is `true`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OfflineClear {
    process_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<Vec<i64>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    message_id: Option<Vec<String>>,
}

impl OfflineClear {
    /// Removes every event reserved under `process_id`.
    pub fn new(process_id: impl Into<String>) -> Self {
        Self {
            process_id: process_id.into(),
            id: None,
            message_id: None,
        }
    }

    /// Removes only the records with these identifiers ([`OfflineEvent::id`]).
    #[must_use]
    pub fn ids(mut self, ids: impl IntoIterator<Item = i64>) -> Self {
        self.id = Some(ids.into_iter().collect());
        self
    }

    /// Removes only the records with these message identifiers
    /// ([`OfflineEvent::message_id`]); ignored by the portal when [`ids`](Self::ids)
    /// are given.
    #[must_use]
    pub fn message_ids(mut self, ids: impl IntoIterator<Item = impl Into<String>>) -> Self {
        self.message_id = Some(ids.into_iter().map(Into::into).collect());
        self
    }
}

impl Method for OfflineClear {
    const NAME: &'static str = "event.offline.clear";
    const API_VERSION: ApiVersion = ApiVersion::V2;
    const SCOPES: &'static [&'static str] = &["basic"];
    const BATCH: bool = true;
    const SAFE_TO_REPEAT: bool = true;

    type Response = bool;
    type Error = ApiError;
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::{OfflineClear, OfflineEvents, OfflineGet};
    use crate::events::Delivery;

    #[test]
    fn requests_serialize_as_documented() {
        let get = OfflineGet::new()
            .limit(10)
            .reserve()
            .filter("=EVENT_NAME", "ONCRMLEADADD")
            .order("ID", "DESC")
            .auth_connector("sync")
            .with_errors()
            .process_id("p1");
        assert_eq!(
            serde_json::to_value(&get).unwrap(),
            json!({
                "filter": {"=EVENT_NAME": "ONCRMLEADADD"},
                "order": {"ID": "DESC"},
                "limit": 10,
                "clear": 0,
                "process_id": "p1",
                "auth_connector": "sync",
                "error": 1
            })
        );
        assert_eq!(serde_json::to_value(OfflineGet::new()).unwrap(), json!({}));
        assert_eq!(
            serde_json::to_value(OfflineClear::new("p1").ids([2, 3])).unwrap(),
            json!({"process_id": "p1", "id": [2, 3]})
        );
        assert_eq!(
            serde_json::to_value(OfflineClear::new("p1").message_ids(["m"])).unwrap(),
            json!({"process_id": "p1", "message_id": ["m"]})
        );
    }

    #[test]
    fn the_documented_reply_decodes_into_deliveries() {
        let reply: OfflineEvents = serde_json::from_value(json!({
            "process_id": null,
            "events": [{
                "ID": "1",
                "TIMESTAMP_X": "2024-07-18T12:32:31+02:00",
                "EVENT_NAME": "ONCRMLEADADD",
                "EVENT_DATA": {"FIELDS": {"ID": 7}},
                "EVENT_ADDITIONAL": false,
                "MESSAGE_ID": "1"
            }]
        }))
        .unwrap();
        assert_eq!(reply.process_id, None);
        let record = &reply.events[0];
        assert_eq!((record.id, record.message_id.as_str()), (1, "1"));
        assert_eq!(
            record.timestamp.as_deref(),
            Some("2024-07-18T12:32:31+02:00")
        );
        let delivery: Delivery<Value> = record.decode().unwrap();
        assert_eq!(delivery.event, "ONCRMLEADADD");
        assert_eq!(delivery.data, json!({"FIELDS": {"ID": 7}}));
        assert_eq!(delivery.event_handler_id, None);
        assert!(delivery.auth.application_token.is_none());

        let empty: OfflineEvents =
            serde_json::from_value(json!({"process_id": "p", "events": []})).unwrap();
        assert_eq!(empty.process_id.as_deref(), Some("p"));
        assert!(empty.events.is_empty());
    }
}
