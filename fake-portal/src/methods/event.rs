//! `event.bind`, `event.unbind` and `event.get`: the application's event handlers.

use serde_json::{Map, Value, json};

use super::Outcome;
use crate::failure::Failure;
use crate::php::{int, param, text};
use crate::state::State;

/// The handler a call names.
struct Handler {
    /// The event, in upper case.
    event: String,
    /// The URL; empty for an offline handler.
    url: String,
    offline: bool,
}

/// The handler a call names: an event starting with `ON`, and a handler URL unless
/// `event_type` is `offline`.
fn handler_of(params: &Map<String, Value>) -> Result<Handler, Failure> {
    let event = param(params, "event")
        .and_then(text)
        .map(|event| event.to_ascii_uppercase())
        .filter(|event| event.len() > 2 && event.starts_with("ON"))
        .ok_or_else(|| Failure::new(400, "ERROR_EVENT_NOT_FOUND", "Event not found"))?;
    let offline = match param(params, "event_type").and_then(text).as_deref() {
        None | Some("online") => false,
        Some("offline") => true,
        Some(_) => return Err(Failure::invalid_argument("event_type")),
    };
    let url = if offline {
        String::new()
    } else {
        param(params, "handler")
            .and_then(text)
            .filter(|handler| handler.starts_with("http://") || handler.starts_with("https://"))
            .ok_or_else(|| Failure::invalid_argument("handler"))?
    };
    Ok(Handler {
        event,
        url,
        offline,
    })
}

/// Binds a handler; binding the same handler again changes nothing.
pub(crate) fn bind(state: &mut State, params: &Map<String, Value>) -> Result<Outcome, Failure> {
    let handler = handler_of(params)?;
    let auth_type = match param(params, "auth_type") {
        None => 0,
        Some(value) => int(value)
            .and_then(|user| u64::try_from(user).ok())
            .ok_or_else(|| Failure::invalid_argument("auth_type"))?,
    };
    state
        .events
        .bind(handler.event, handler.url, auth_type, handler.offline);
    Ok(Outcome::of(Value::Bool(true)))
}

/// Unbinds a handler; the result counts the handlers removed.
pub(crate) fn unbind(state: &mut State, params: &Map<String, Value>) -> Result<Outcome, Failure> {
    let handler = handler_of(params)?;
    let bindings = &mut state.events.bindings;
    let before = bindings.len();
    bindings.retain(|known| {
        !(known.event == handler.event
            && known.handler == handler.url
            && known.offline == handler.offline)
    });
    Ok(Outcome::of(json!({"count": before - bindings.len()})))
}

/// The bound handlers.
pub(crate) fn get(state: &State) -> Outcome {
    Outcome::of(
        state
            .events
            .bindings
            .iter()
            .map(|binding| {
                json!({
                    "event": binding.event,
                    "handler": binding.handler,
                    "auth_type": binding.auth_type.to_string(),
                    "offline": i64::from(binding.offline),
                })
            })
            .collect(),
    )
}
