//! One event as Bitrix24 posts it to a handler: the envelope every event shares.

use serde::{Deserialize, Deserializer};
use serde_json::Value;

use super::{Event, EventError};
use crate::Secret;
use crate::wire::{As, Int, Object, Text};

/// One delivery of an event: `event`, `event_handler_id`, `data`, `ts` and `auth`, the
/// members every event has (see `api-reference/events/index.md`).
///
/// `D` is the event's `data`: [`Value`] as decoded, or the event's own type after
/// [`into_event`](Delivery::into_event). `Debug` shows no token.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[non_exhaustive]
pub struct Delivery<D> {
    /// The event's wire name as it arrived, such as `ONCRMLEADADD`; compare it ignoring
    /// case.
    #[serde(with = "As::<Text>")]
    pub event: String,
    /// The handler registration the delivery is for; absent for events not bound with
    /// `event.bind`.
    #[serde(default, with = "As::<Int>")]
    pub event_handler_id: Option<i64>,
    /// What the event reports; `null` when the body had no `data` (PHP sends no keys for
    /// an empty array).
    #[serde(default)]
    pub data: D,
    /// Unix time, in seconds, the event left the portal's queue.
    #[serde(default, with = "As::<Int>")]
    pub ts: Option<i64>,
    /// The portal the event comes from, and the credentials that came with it.
    #[serde(default)]
    pub auth: EventAuth,
}

impl Delivery<Value> {
    /// The delivery with its `data` read as event `E`'s data, if it is a delivery of
    /// `E` (its name is compared ignoring case, see [`Event::matches`]).
    pub fn into_event<E: Event>(self) -> Result<Delivery<E::Data>, EventError> {
        if !E::matches(&self.event) {
            return Err(EventError::Unexpected {
                expected: E::NAME,
                received: self.event,
            });
        }
        let data = serde_json::from_value(self.data).map_err(|source| EventError::Data {
            event: E::NAME,
            source,
        })?;
        Ok(Delivery {
            event: self.event,
            event_handler_id: self.event_handler_id,
            data,
            ts: self.ts,
            auth: self.auth,
        })
    }

    /// A delivery of `event` with `data` and nothing else, for an event read from the
    /// offline queue.
    pub(crate) fn unaddressed(event: String, data: Value) -> Self {
        Self {
            event,
            event_handler_id: None,
            data,
            ts: None,
            auth: EventAuth::default(),
        }
    }
}

/// The `auth` member of a delivery: which portal sent it, and the credentials that came
/// with it (see `api-reference/events/index.md#auth`).
///
/// A delivery to an outgoing webhook carries only the portal fields and the application
/// token; a delivery to an application also carries OAuth tokens of the user whose action
/// raised the event, unless no user did. Every member may be absent; an empty string
/// reads as absent. `Debug` shows no token.
#[derive(Debug, Clone, Default, PartialEq, Eq, Object)]
#[non_exhaustive]
pub struct EventAuth {
    /// The portal's address, such as `example.bitrix24.com`.
    #[serde(default, with = "As::<Text>")]
    pub domain: Option<String>,
    /// The base URL for REST calls to the portal, ending in `/rest/`.
    #[serde(default, with = "As::<Text>")]
    pub client_endpoint: Option<String>,
    /// The OAuth server's address, for renewing tokens.
    #[serde(default, with = "As::<Text>")]
    pub server_endpoint: Option<String>,
    /// The portal's identifier.
    #[serde(default, with = "As::<Text>")]
    pub member_id: Option<String>,
    /// The token that proves the delivery comes from the portal; see
    /// [`ApplicationToken`](super::ApplicationToken).
    #[serde(default, deserialize_with = "secret")]
    pub application_token: Option<Secret>,
    /// An OAuth access token of the user the event is on behalf of.
    #[serde(default, deserialize_with = "secret")]
    pub access_token: Option<Secret>,
    /// An OAuth refresh token; only some events (`ONAPPINSTALL`, `ONOFFLINEEVENT`) bring
    /// one.
    #[serde(default, deserialize_with = "secret")]
    pub refresh_token: Option<Secret>,
    /// Unix time, in seconds, the access token expires.
    #[serde(default, with = "As::<Int>")]
    pub expires: Option<i64>,
    /// Seconds the access token lives.
    #[serde(default, with = "As::<Int>")]
    pub expires_in: Option<i64>,
    /// The scope the event belongs to, or the application's scopes.
    #[serde(default, with = "As::<Text>")]
    pub scope: Option<String>,
    /// The application's status: `L` local, `F` free, `D` demo, `T` trial, `P` paid.
    #[serde(default, with = "As::<Text>")]
    pub status: Option<String>,
}

/// Reads a token as text; an empty one is no token.
fn secret<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Secret>, D::Error> {
    let text: Option<String> = As::<Text>::deserialize(d)?;
    Ok(text.filter(|text| !text.is_empty()).map(Secret::new))
}

#[cfg(test)]
mod tests {
    use serde::Serialize;
    use serde_json::{Value, json};

    use super::{Delivery, EventAuth};
    use crate::events::{Event, EventError};
    use crate::wire::Object;

    #[derive(Debug, Default, PartialEq, Serialize, Object)]
    struct LeadFields {
        #[serde(rename = "ID", default, with = "crate::wire::As::<crate::wire::Int>")]
        id: Option<i64>,
    }

    #[derive(Debug, Default, PartialEq, Serialize, Object)]
    struct LeadData {
        #[serde(rename = "FIELDS", default)]
        fields: LeadFields,
    }

    struct LeadAdd;

    impl Event for LeadAdd {
        const NAME: &'static str = "ONCRMLEADADD";
        const SCOPES: &'static [&'static str] = &["crm"];
        type Data = LeadData;
    }

    fn delivery(value: Value) -> Delivery<Value> {
        serde_json::from_value(value).unwrap()
    }

    #[test]
    fn reads_the_envelope_leniently_and_hides_tokens() {
        let delivery = delivery(json!({
            "event": "ONCRMLEADADD",
            "event_handler_id": "185",
            "data": {"FIELDS": {"ID": "7405"}},
            "ts": "1766047124",
            "auth": {
                "access_token": "acc-1",
                "refresh_token": "",
                "expires": "1766050724",
                "expires_in": "3600",
                "scope": "crm",
                "domain": "example.bitrix24.com",
                "server_endpoint": "https://oauth.bitrix.info/rest/",
                "status": "L",
                "client_endpoint": "https://example.bitrix24.com/rest/",
                "member_id": "m1",
                "application_token": "app-1"
            }
        }));
        assert_eq!(delivery.event_handler_id, Some(185));
        assert_eq!(delivery.ts, Some(1_766_047_124));
        let auth = &delivery.auth;
        assert_eq!(auth.member_id.as_deref(), Some("m1"));
        assert_eq!(auth.expires, Some(1_766_050_724));
        assert_eq!(auth.expires_in, Some(3600));
        assert_eq!(auth.status.as_deref(), Some("L"));
        assert_eq!(auth.application_token.as_ref().unwrap().expose(), "app-1");
        assert_eq!(auth.access_token.as_ref().unwrap().expose(), "acc-1");
        assert!(auth.refresh_token.is_none(), "an empty token is no token");
        let debug = format!("{delivery:?}");
        assert!(
            !debug.contains("app-1") && !debug.contains("acc-1"),
            "{debug}"
        );

        let typed = delivery.into_event::<LeadAdd>().unwrap();
        assert_eq!(typed.data.fields.id, Some(7405));
        assert_eq!(typed.event_handler_id, Some(185));
        assert_eq!(typed.auth.domain.as_deref(), Some("example.bitrix24.com"));
    }

    #[test]
    fn names_match_ignoring_case_and_data_may_be_absent() {
        let typed = delivery(json!({"event": "onCrmLeadAdd"}))
            .into_event::<LeadAdd>()
            .unwrap();
        assert_eq!(typed.data, LeadData::default());
        assert_eq!(typed.auth, EventAuth::default());
        assert_eq!(typed.ts, None);
    }

    #[test]
    fn another_event_or_bad_data_is_an_error() {
        let error = delivery(json!({"event": "ONCRMDEALADD"}))
            .into_event::<LeadAdd>()
            .unwrap_err();
        assert!(matches!(
            &error,
            EventError::Unexpected { expected: "ONCRMLEADADD", received } if received == "ONCRMDEALADD"
        ));
        let error = delivery(json!({"event": "ONCRMLEADADD", "data": {"FIELDS": {"ID": "x"}}}))
            .into_event::<LeadAdd>()
            .unwrap_err();
        assert!(matches!(
            error,
            EventError::Data {
                event: "ONCRMLEADADD",
                ..
            }
        ));
    }
}
