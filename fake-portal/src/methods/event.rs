//! `event.bind`, `event.unbind` and `event.get`: the application's event handlers.

use serde_json::{Map, Value, json};

use super::Outcome;
use crate::failure::Failure;
use crate::php::{param, text};
use crate::state::State;

/// The handler a call names: (event in upper case, handler URL, event type).
fn handler_of(params: &Map<String, Value>) -> Result<(String, String, String), Failure> {
    let event = param(params, "event")
        .and_then(text)
        .map(|event| event.to_ascii_uppercase())
        .filter(|event| event.len() > 2 && event.starts_with("ON"))
        .ok_or_else(|| Failure::new(400, "ERROR_EVENT_NOT_FOUND", "Event not found"))?;
    let handler = param(params, "handler")
        .and_then(text)
        .filter(|handler| handler.starts_with("http://") || handler.starts_with("https://"))
        .ok_or_else(|| Failure::invalid_argument("handler"))?;
    let event_type = param(params, "event_type")
        .and_then(text)
        .unwrap_or_else(|| "online".to_owned());
    if event_type != "online" && event_type != "offline" {
        return Err(Failure::invalid_argument("event_type"));
    }
    Ok((event, handler, event_type))
}

/// Binds a handler; binding the same handler again changes nothing.
pub(crate) fn bind(state: &mut State, params: &Map<String, Value>) -> Result<Outcome, Failure> {
    let (event, handler, event_type) = handler_of(params)?;
    let offline = i64::from(event_type == "offline");
    let bound = state
        .events
        .iter()
        .any(|known| known["event"] == event.as_str() && known["handler"] == handler.as_str());
    if !bound {
        state.events.push(json!({
            "event": event,
            "handler": handler,
            "auth_type": "0",
            "offline": offline,
        }));
    }
    Ok(Outcome::of(Value::Bool(true)))
}

/// Unbinds a handler; the result counts the handlers removed.
pub(crate) fn unbind(state: &mut State, params: &Map<String, Value>) -> Result<Outcome, Failure> {
    let (event, handler, _) = handler_of(params)?;
    let before = state.events.len();
    state.events.retain(|known| {
        !(known["event"] == event.as_str() && known["handler"] == handler.as_str())
    });
    Ok(Outcome::of(json!({"count": before - state.events.len()})))
}

/// The bound handlers.
pub(crate) fn get(state: &State) -> Outcome {
    Outcome::of(Value::Array(state.events.clone()))
}
