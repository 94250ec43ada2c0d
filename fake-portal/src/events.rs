//! The application's event handlers and what reaches them: a raised event is posted to
//! every online handler bound to it, and recorded in the offline queue for every offline
//! binding.
//!
//! A delivery is what Bitrix24 sends (see `api-reference/events/index.md`): a
//! form-encoded body with `event`, `event_handler_id`, `data`, `ts` and `auth`, whose
//! `auth` carries the portal's address, `member_id`, the application token and a fresh
//! OAuth access token of the user the event is on behalf of (a refresh token too for
//! `ONAPPINSTALL` and `ONOFFLINEEVENT`).

use serde_json::{Map, Value, json};

use crate::clock::{rfc3339, unix_now};
use crate::outbox::Outbox;
use crate::php::build_query;
use crate::state::State;

/// The portal's `member_id`.
pub(crate) const MEMBER_ID: &str = "fakeportal00000000000000000000";

/// The scopes of the portal's application.
pub(crate) const APPLICATION_SCOPES: &str = "app,crm,user,basic";

/// The event that tells a handler the offline queue has new records.
const OFFLINE_NOTICE: &str = "ONOFFLINEEVENT";

/// A handler bound with `event.bind`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Binding {
    /// What deliveries carry as `event_handler_id`.
    pub(crate) id: u64,
    /// The event, in upper case.
    pub(crate) event: String,
    /// The handler URL; empty for an offline binding.
    pub(crate) handler: String,
    /// The user whose tokens deliveries carry; 0 for the user who raised the event.
    pub(crate) auth_type: u64,
    /// Whether events go to the offline queue instead of the handler.
    pub(crate) offline: bool,
}

/// A record of the offline queue: the latest change of one object.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct OfflineRecord {
    pub(crate) id: u64,
    pub(crate) timestamp: String,
    pub(crate) event: String,
    pub(crate) data: Value,
    pub(crate) message_id: String,
    /// The batch of `event.offline.get` with `clear=0` that reserved the record.
    pub(crate) process_id: Option<String>,
}

/// Bindings, the offline queue, and where online deliveries go.
#[derive(Debug)]
pub(crate) struct Events {
    /// The token every delivery carries as `auth[application_token]`.
    pub(crate) application_token: String,
    pub(crate) bindings: Vec<Binding>,
    pub(crate) queue: Vec<OfflineRecord>,
    pub(crate) outbox: Outbox,
    last_binding_id: u64,
    last_record_id: u64,
}

impl Events {
    pub(crate) fn new(application_token: String, outbox: Outbox) -> Self {
        Self {
            application_token,
            bindings: Vec::new(),
            queue: Vec::new(),
            outbox,
            last_binding_id: 0,
            last_record_id: 0,
        }
    }

    /// Adds a binding unless the same one exists.
    pub(crate) fn bind(&mut self, event: String, handler: String, auth_type: u64, offline: bool) {
        let bound = self.bindings.iter().any(|known| {
            known.event == event && known.handler == handler && known.offline == offline
        });
        if !bound {
            self.last_binding_id += 1;
            self.bindings.push(Binding {
                id: self.last_binding_id,
                event,
                handler,
                auth_type,
                offline,
            });
        }
    }

    /// Records a change in the offline queue: a record of the same event and data that
    /// is not reserved is moved to now, otherwise a record is added. Returns whether a
    /// record was added.
    fn enqueue(&mut self, event: &str, data: &Value) -> bool {
        let now = rfc3339(unix_now());
        if let Some(record) = self.queue.iter_mut().find(|record| {
            record.process_id.is_none() && record.event == event && record.data == *data
        }) {
            record.timestamp = now;
            return false;
        }
        self.last_record_id += 1;
        self.queue.push(OfflineRecord {
            id: self.last_record_id,
            timestamp: now,
            event: event.to_owned(),
            data: data.clone(),
            message_id: self.last_record_id.to_string(),
            process_id: None,
        });
        true
    }
}

/// Raises `event` (upper case) with `data` on behalf of `user_id`: posts it to every
/// online handler bound to it, records it for every offline binding, and notifies
/// `ONOFFLINEEVENT` handlers when the offline queue grew.
pub(crate) fn raise(state: &mut State, user_id: u64, event: &str, data: &Value) {
    let bindings: Vec<Binding> = state
        .events
        .bindings
        .iter()
        .filter(|binding| binding.event == event)
        .cloned()
        .collect();
    let mut queue_grew = false;
    for binding in &bindings {
        if binding.offline {
            queue_grew |= state.events.enqueue(event, data);
        } else {
            deliver(state, binding, user_id, data);
        }
    }
    if queue_grew && event != OFFLINE_NOTICE {
        raise(state, user_id, OFFLINE_NOTICE, &Value::Array(Vec::new()));
    }
}

/// Posts one event to one handler, with fresh tokens of the binding's user.
fn deliver(state: &mut State, binding: &Binding, user_id: u64, data: &Value) {
    let user_id = if binding.auth_type == 0 {
        user_id
    } else {
        binding.auth_type
    };
    let (access_token, refresh_token) = state.issue_tokens(user_id);
    let ttl = state.config.access_token_ttl.as_secs();
    let now = unix_now() as u64;
    let base_url = state.events.outbox.base_url();
    let scope = if binding.event.starts_with("ONCRM") {
        "crm"
    } else {
        APPLICATION_SCOPES
    };
    let mut auth = json!({
        "access_token": access_token,
        "expires": now + ttl,
        "expires_in": ttl,
        "scope": scope,
        "domain": base_url.trim_start_matches("http://"),
        "server_endpoint": format!("{base_url}/oauth/"),
        "status": "L",
        "client_endpoint": format!(
            "{base_url}{}",
            state.config.client_endpoint_path.as_deref().unwrap_or("/rest/")
        ),
        "member_id": MEMBER_ID,
        "application_token": state.events.application_token,
    });
    if matches!(binding.event.as_str(), "ONAPPINSTALL" | OFFLINE_NOTICE)
        && let Value::Object(auth) = &mut auth
    {
        auth.insert("refresh_token".to_owned(), Value::String(refresh_token));
    }
    let mut delivery = Map::new();
    delivery.insert("event".to_owned(), json!(binding.event));
    delivery.insert("event_handler_id".to_owned(), json!(binding.id));
    delivery.insert("data".to_owned(), data.clone());
    delivery.insert("ts".to_owned(), json!(now));
    delivery.insert("auth".to_owned(), auth);
    let body = build_query(&delivery);
    state.events.outbox.deliver(binding.handler.clone(), body);
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::{Events, raise};
    use crate::config::Config;
    use crate::outbox::{Job, Outbox};
    use crate::php::parse_form;
    use crate::state::State;

    #[test]
    fn online_handlers_get_a_php_form_with_auth() {
        let (outbox, mut jobs) = Outbox::new("http://127.0.0.1:9".to_owned());
        let mut state = State::new(Config::default(), outbox);
        let token = state.events.application_token.clone();
        state
            .events
            .bind("ONCRMDEALADD".into(), "http://h/deal".into(), 0, false);
        state
            .events
            .bind("ONCRMLEADADD".into(), "http://h/lead".into(), 0, false);
        raise(&mut state, 2, "ONCRMDEALADD", &json!({"FIELDS": {"ID": 5}}));
        let Ok(Job::Deliver { url, body }) = jobs.try_recv() else {
            panic!("no delivery");
        };
        assert!(
            jobs.try_recv().is_err(),
            "one handler is bound to the event"
        );
        assert_eq!(url, "http://h/deal");
        assert!(body.contains("data%5BFIELDS%5D%5BID%5D=5"), "{body}");
        let form = parse_form(body.as_bytes());
        assert_eq!(form["event"], "ONCRMDEALADD");
        assert_eq!(form["event_handler_id"], "1");
        let auth = &form["auth"];
        assert_eq!(auth["application_token"], token.as_str());
        assert_eq!(auth["member_id"], super::MEMBER_ID);
        assert_eq!(auth["domain"], "127.0.0.1:9");
        assert_eq!(auth["client_endpoint"], "http://127.0.0.1:9/rest/");
        assert_eq!(auth["scope"], "crm");
        assert!(auth.get("refresh_token").is_none());
        let access = auth["access_token"].as_str().unwrap();
        assert_eq!(state.access_tokens[access].user_id, 2);
    }

    #[test]
    fn offline_bindings_keep_one_record_per_change_and_notify() {
        let (outbox, mut jobs) = Outbox::new("http://127.0.0.1:9".to_owned());
        let mut events = Events::new("t".into(), outbox);
        events.bind("ONCRMDEALUPDATE".into(), String::new(), 0, true);
        events.bind("ONCRMDEALUPDATE".into(), String::new(), 0, true);
        events.bind("ONOFFLINEEVENT".into(), "http://h/notice".into(), 0, false);
        assert_eq!(events.bindings.len(), 2);
        let (outbox, _) = Outbox::new(String::new());
        let mut state = State::new(Config::default(), outbox);
        state.events = events;
        let data = json!({"FIELDS": {"ID": 5}});
        raise(&mut state, 1, "ONCRMDEALUPDATE", &data);
        raise(&mut state, 1, "ONCRMDEALUPDATE", &data);
        raise(
            &mut state,
            1,
            "ONCRMDEALUPDATE",
            &json!({"FIELDS": {"ID": 6}}),
        );
        let queue = &state.events.queue;
        assert_eq!(queue.len(), 2, "{queue:?}");
        assert_eq!((queue[0].id, queue[0].message_id.as_str()), (1, "1"));
        assert_eq!(queue[1].data, json!({"FIELDS": {"ID": 6}}));
        let mut notices = 0;
        while let Ok(Job::Deliver { body, .. }) = jobs.try_recv() {
            let form = parse_form(body.as_bytes());
            assert_eq!(form["event"], "ONOFFLINEEVENT");
            assert!(form["auth"]["refresh_token"].is_string());
            notices += 1;
        }
        assert_eq!(notices, 2, "one notice per new record");
    }
}
